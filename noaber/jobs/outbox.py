"""E-mail notices, each sent once.

A task that decides to mail calls `send_notice(key, ...)` in the transaction that records its
decision. The key names the occasion (`new-report:42`, `task-reminder:7:2026-11-30`): a notice
whose key is already in the outbox is not made again, so a task that runs twice (a retry after
a worker was killed, two schedulers) mails once. The notice is delivered right after that
transaction commits; `deliver_pending_mail` (every minute) delivers what a crash or a refusing
mail server left.

Delivery locks the row, hands the message to the mail server and marks the row sent in one
transaction; the mail server gets `EMAIL_TIMEOUT` seconds. A message the server accepted counts
as sent, whatever happens when the connection is closed. The one window in which a notice can
go out twice: the process dies after the mail server accepted the message and before that
transaction commits (milliseconds). The message carries a Message-ID derived from the row, by
which a repeat can in principle be recognised.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import OutboxMail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 16  # with the back-off below (2, 4 … 64, then every 2 hours): about 20 hours
MAX_BACKOFF_MINUTES = 120


def send_notice(key: str, subject: str, body: str, to: list[str], from_email=None) -> int:
    """Put one notice in the outbox (once per key) and deliver it after commit. Returns the
    number of notices made: 1, or 0 when the key was already there or nobody is to be told."""
    to = sorted({address for address in to if address})
    if not to:
        return 0
    with transaction.atomic():
        notice, created = OutboxMail.objects.get_or_create(
            key=key[:200],
            defaults={
                "subject": subject[:300],
                "body": body,
                "from_email": from_email or "",
                "recipients": to,
            },
        )
    if not created:
        logger.debug("notice %s is already in the outbox", notice.pk)
        return 0
    # robust: a failed delivery must not fail the work that made the notice (the sweep retries)
    transaction.on_commit(lambda: deliver(notice.pk), robust=True)
    return 1


def message_id(notice) -> str:
    """Stable for a row, unique to this installation (keyed with its secret)."""
    sender = settings.DEFAULT_FROM_EMAIL
    domain = sender.rpartition("@")[2].strip("<> ") if "@" in sender else "noaber.local"
    digest = salted_hmac("noaber.jobs.outbox", notice.key, algorithm="sha256").hexdigest()[:20]
    return f"<noaber.{notice.pk}.{digest}@{domain}>"


def _claim(pk: int, due=None):
    rows = OutboxMail.objects.filter(pk=pk, sent_at__isnull=True, failed_at__isnull=True)
    if due is not None:  # the sweep: not before the back-off is over
        rows = rows.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=due))
    if connection.features.has_select_for_update_skip_locked:
        return rows.select_for_update(skip_locked=True).first()
    # SQLite: an UPDATE first takes the database's write lock, so a second process waits
    # here and then finds the row sent.
    if not rows.update(attempts=F("attempts")):
        return None
    return rows.first()


def deliver(pk: int, *, due=None) -> bool:
    """Send notice `pk` if it is still unsent, nobody else is sending it and (for the sweep,
    `due`) its back-off is over."""
    now = timezone.now()
    with transaction.atomic():
        notice = _claim(pk, due)
        if notice is None:
            return False
        notice.attempts += 1
        message = EmailMessage(
            notice.subject,
            notice.body,
            notice.from_email or None,
            notice.recipients,
            headers={"Message-ID": message_id(notice)},
        )
        connection = get_connection()
        try:
            connection.open()
            connection.send_messages([message])
        except Exception as exc:  # the mail server refused or is away: try again later
            notice.last_error = type(exc).__name__[:200]
            if notice.attempts >= MAX_ATTEMPTS:
                notice.failed_at = now
                logger.error("notice %s not delivered after %s attempts", pk, notice.attempts)
            else:
                minutes = min(2**notice.attempts, MAX_BACKOFF_MINUTES)
                notice.next_attempt_at = now + timedelta(minutes=minutes)
                logger.warning("notice %s not delivered yet: %s", pk, notice.last_error)
            notice.save(update_fields=["attempts", "last_error", "failed_at", "next_attempt_at"])
            _close(connection)
            return False
        _close(connection)  # accepted is sent: a failing QUIT does not make it unsent
        notice.sent_at = now
        notice.save(update_fields=["attempts", "sent_at"])
    return True


def _close(connection) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001, S110 - the message was accepted or refused already
        pass


def deliver_pending(now=None, *, grace=timedelta(seconds=30)) -> int:
    """Deliver every notice left unsent: older than `grace` (the commit hook of its own
    process is still at it before then) and due for another attempt."""
    now = now or timezone.now()
    pending = (
        OutboxMail.objects.filter(sent_at__isnull=True, failed_at__isnull=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(created_at__lte=now - grace)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    return sum(deliver(pk, due=now) for pk in list(pending[:1000]))


def prune_sent(now=None, *, days=30) -> int:
    """Sent and given-up notices hold addresses: they go after `days` (the weekly prune: 30
    to 37 days)."""
    now = now or timezone.now()
    gone = OutboxMail.objects.filter(
        Q(sent_at__lt=now - timedelta(days=days)) | Q(failed_at__lt=now - timedelta(days=days))
    )
    return gone.delete()[0]
