"""Throttling of failed logins, counted from the audit log itself.

Failures for a username since its last successful login within the window lock that account
for the rest of the window; ten times as many failures from one client address lock that
address. Every attempt, including a refused one, is audited as login_failed; only real failures
(wrong password or code) count, so refused attempts during a lock do not extend it.
"""

import hashlib
import hmac
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from noaber.audit.models import Action, AuditEvent, Result


def username_key(username: str) -> str:
    """How a login name appears in the audit log.

    A name that belongs to no account is often a password typed into the wrong field, so it is
    stored only as a keyed digest: still countable for the lockout, never readable.
    """
    from .models import User

    name = (username or "").strip().lower()[:150]
    if not name or User.objects.filter(username__iexact=name).exists():
        return name
    digest = hmac.new(settings.NOABER_AUDIT_KEY.encode(), name.encode(), hashlib.sha256)
    return "onbekend-" + digest.hexdigest()[:24]


@contextmanager
def attempt_guard(username: str):
    """Serialise the login attempts for one name: check, verify and record as one step.

    Without it, parallel requests could all pass the check during the slow password hash
    before any failure is recorded. On PostgreSQL a transaction-scoped advisory lock per name
    does this; SQLite (demo and tests) allows a single writer and is not used in production.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            lock_id = int.from_bytes(
                hashlib.sha256(b"login:" + username_key(username).encode()).digest()[:8],
                "big",
                signed=True,
            )
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])
        yield


def login_blocked(username: str, origin: str) -> bool:
    since = timezone.now() - timedelta(minutes=settings.NOABER_LOGIN_WINDOW_MINUTES)
    recent = AuditEvent.objects.filter(created_at__gte=since, object_type="user")
    failed = recent.filter(action=Action.LOGIN_FAILED, result=Result.FAILURE)
    key = username_key(username)
    last_success = (
        recent.filter(action=Action.LOGIN, object_id=key)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    failures = failed.filter(object_id=key, id__gt=last_success or 0).count()
    if failures >= settings.NOABER_LOGIN_MAX_FAILURES:
        return True
    if origin:
        from_origin = failed.filter(origin=origin).count()
        if from_origin >= settings.NOABER_LOGIN_MAX_FAILURES * 10:
            return True
    return False
