"""Recording audit events: the single way anything is written to the audit log."""

import re

from django.db import connection, transaction
from django.utils import timezone

from .models import GENESIS_HASH, Action, AuditEvent, Result

# Keys whose values must never reach the log, whatever a caller passes in `detail`.
SECRET_KEY_PATTERN = re.compile(r"pass|token|secret|otp|totp|code|key|cookie|session", re.I)
REDACTED = "[verwijderd]"
# Any constant works; it names the PostgreSQL advisory lock that serialises chain appends.
CHAIN_LOCK_ID = 0x6E6F61626572


def _scrub(detail):
    if isinstance(detail, dict):
        return {
            str(k): (REDACTED if SECRET_KEY_PATTERN.search(str(k)) else _scrub(v))
            for k, v in detail.items()
        }
    if isinstance(detail, list | tuple):
        return [_scrub(v) for v in detail]
    if detail is None or isinstance(detail, bool | int | float):
        return detail
    return str(detail)


def client_origin(request) -> str:
    """The client address of a staff request, honouring only trusted proxies."""
    from django.conf import settings

    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    if settings.NOABER_TRUSTED_PROXIES and len(hops) >= settings.NOABER_TRUSTED_PROXIES:
        return hops[-settings.NOABER_TRUSTED_PROXIES][:100]
    return request.META.get("REMOTE_ADDR", "")[:100]


def record(
    action: str,
    *,
    actor=None,
    request=None,
    municipality=None,
    object_type: str = "",
    object_id="",
    result: str = Result.SUCCESS,
    reason: str = "",
    origin: str | None = None,
    detail: dict | None = None,
    role: str | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction if there is one.

    `actor` defaults to the request's user; `origin` to the request's client address (pass
    origin="public" for anonymous intake, which must not store addresses) or "system".
    """
    if action not in Action.values:
        raise ValueError(f"Unknown audit action {action!r}")
    if result not in Result.values:
        raise ValueError(f"Unknown audit result {result!r}")
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if origin is None:
        origin = client_origin(request) if request is not None else "system"
    if role is None and actor is not None and municipality is not None:
        from noaber.accounts.access import roles_of

        role = ",".join(sorted(roles_of(actor, municipality)))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_ID])
        last = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
        event = AuditEvent(
            seq=(last.seq + 1) if last else 1,
            prev_hash=last.hash if last else GENESIS_HASH,
            created_at=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor=getattr(actor, "username", "") if actor is not None else "",
            role=role or "",
            municipality=getattr(municipality, "cbs_code", municipality or "") or "",
            action=action,
            object_type=object_type,
            object_id=str(object_id)[:150],
            result=result,
            origin=origin[:100],
            reason=reason,
            detail=_scrub(detail or {}),
        )
        event.hash = event.compute_hash()
        event.save(force_insert=True)
    return event


def verify_and_record(origin: str):
    """Walk the chain (chain.verify_chain) and append the outcome as a `verify` event."""
    from .chain import verify_chain

    report = verify_chain()
    record(
        Action.VERIFY,
        object_type="audit_chain",
        object_id=report.head_seq or "",
        result=Result.SUCCESS if report.ok else Result.FAILURE,
        origin=origin,
        detail={"checked": report.checked, "broken_seq": report.broken_seq},
    )
    return report
