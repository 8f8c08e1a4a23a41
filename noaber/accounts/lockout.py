"""Throttling of failed logins, counted from the audit log itself.

Failures for a username since its last successful login within the window lock that account
for the rest of the window; ten times as many failures from one client address lock that
address. Every attempt, including a refused one, is audited as login_failed.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from noaber.audit.models import Action, AuditEvent


def username_key(username: str) -> str:
    return (username or "").strip().lower()[:150]


def login_blocked(username: str, origin: str) -> bool:
    since = timezone.now() - timedelta(minutes=settings.NOABER_LOGIN_WINDOW_MINUTES)
    recent = AuditEvent.objects.filter(created_at__gte=since, object_type="user")
    key = username_key(username)
    last_success = (
        recent.filter(action=Action.LOGIN, object_id=key)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    failures = recent.filter(
        action=Action.LOGIN_FAILED, object_id=key, seq__gt=last_success or 0
    ).count()
    if failures >= settings.NOABER_LOGIN_MAX_FAILURES:
        return True
    if origin:
        from_origin = recent.filter(action=Action.LOGIN_FAILED, origin=origin).count()
        if from_origin >= settings.NOABER_LOGIN_MAX_FAILURES * 10:
            return True
    return False
