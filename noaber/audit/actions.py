"""Recording audit events: the single way anything is written to the audit log."""

import re
import secrets
from functools import partial

from django.db import transaction
from django.utils import timezone

from noaber.lib.crypto import blind_index
from noaber.lib.logs import current_trace

from .activities import activity_for
from .chains import seal_soon
from .models import FORMAT, Action, AuditEvent, Confidentiality, Result

# Keys whose values must never reach the log, whatever a caller passes in `detail`: a key is
# secret when one of its words (split on _ - . and spaces) is one of these. Whole words, so that
# `cbs_code` or `postcode` are kept while `api_key`, `password` and `receipt_code` are not.
SECRET_WORDS = frozenset(
    {
        "pass",
        "passwd",
        "password",
        "wachtwoord",
        "token",
        "secret",
        "otp",
        "totp",
        "key",
        "cookie",
        "session",
        "sessionid",
        "csrf",
        "receipt",
        "bon",
        "bonnummer",
        "bsn",
    }
)
KEY_WORDS = re.compile(r"[_\-.\s]+")
REDACTED = "[verwijderd]"


def is_secret_key(key: str) -> bool:
    return any(word in SECRET_WORDS for word in KEY_WORDS.split(key.lower()))


def _text(value) -> str:
    # PostgreSQL text cannot hold NUL; drop it so SQLite and PostgreSQL store the same bytes.
    return str(value).replace("\x00", "")


def _scrub(detail):
    """Detail as plain JSON that every database returns unchanged, secrets removed.

    Floats become text: PostgreSQL's jsonb would return 1e16 as an integer and so change the
    bytes the HMAC covers. Integers beyond 2**53 become text for the same reason.
    """
    if isinstance(detail, dict):
        return {
            _text(k): (REDACTED if is_secret_key(str(k)) else _scrub(v)) for k, v in detail.items()
        }
    if isinstance(detail, list | tuple):
        return [_scrub(v) for v in detail]
    if detail is None or isinstance(detail, bool):
        return detail
    if isinstance(detail, int) and abs(detail) < 2**53:
        return detail
    return _text(detail)


def client_origin(request) -> str:
    """The client address of a staff request, honouring only trusted proxies."""
    from django.conf import settings

    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    if settings.NOABER_TRUSTED_PROXIES and len(hops) >= settings.NOABER_TRUSTED_PROXIES:
        return hops[-settings.NOABER_TRUSTED_PROXIES][:100]
    return request.META.get("REMOTE_ADDR", "")[:100]


# How to find an actor's roles in a municipality. `audit` knows no domain: the accounts app
# supplies this at start-up (AccountsConfig.ready) through `resolve_roles_with`.
_roles_of = None


def resolve_roles_with(function) -> None:
    """Let `record` name the actor's roles: `function(actor, municipality)` -> set of roles."""
    global _roles_of
    _roles_of = function


# Whether a municipality code is one this installation serves (supplied by accounts, as the
# roles are): an event for an unknown code is refused, never written under another name.
_known_municipality = None


def check_municipalities_with(function) -> None:
    """`function(cbs_code) -> bool`: whether `record` may write an event for that code."""
    global _known_municipality
    _known_municipality = function


# The kinds of identifier a data subject's pseudonym is made from (LDV
# dpl.core.data_subject_id_type): a BSN, or Noaber's own subject record where there is none.
DATA_SUBJECT_TYPES = frozenset({"bsn", "noaber-subject"})


def data_subject_pseudonym(kind: str, value) -> str:
    """The keyed pseudonym of a data subject as events store it: HMAC with the blind-index key,
    so the privacy officer can find "what was processed about this BSN" by computing it, and
    nobody can read a BSN back from the log."""
    if kind not in DATA_SUBJECT_TYPES:
        raise ValueError(f"Unknown data subject type {kind!r}")
    if kind == "bsn":
        # As the register normalises a BSN (an 8-digit one gets its leading zero).
        value = re.sub(r"\D", "", str(value)).zfill(9)
        if not value.strip("0"):
            raise ValueError("A BSN pseudonym needs a BSN")
    return blind_index(str(value), f"audit-data-subject-{kind}")


def record(action: str, **fields) -> AuditEvent:
    """Write one event, inside the caller's transaction if there is one: committed with the
    change it records or not at all, one INSERT without any lock (a trigger queues it in
    AuditPending in the same statement). Right after commit the process's sealer chains it
    into its municipality's chain (installation-wide events: chain "") — `chains.seal_soon`.
    The fields are those of `build_event`."""
    event = build_event(action, **fields)
    event.save(force_insert=True)
    transaction.on_commit(partial(seal_soon, event.municipality))
    return event


def build_event(
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
    activity: str | None = None,
    confidentiality: str | None = None,
    data_subject: tuple[str, object] | None = None,
) -> AuditEvent:
    """The event `record` writes, unsaved, with its HMAC: every field checked and filled.

    `actor` defaults to the request's user; `origin` to the request's client address (pass
    origin="public" for anonymous intake, which must not store addresses) or "system".
    `activity` names the processing activity (a code of the register) where the object type
    alone does not; its confidentiality and log retention are copied from the register, and
    `confidentiality` may raise it for this event. `data_subject` is (kind, identifier) of the
    person the data are about — ("bsn", "123456782") or ("noaber-subject", subject id) — and is
    stored as a keyed pseudonym only. The trace context comes from the request being handled.
    """
    if action not in Action.values:
        raise ValueError(f"Unknown audit action {action!r}")
    if result not in Result.values:
        raise ValueError(f"Unknown audit result {result!r}")
    if confidentiality is not None and confidentiality not in Confidentiality.values:
        raise ValueError(f"Unknown confidentiality {confidentiality!r}")
    code = getattr(municipality, "cbs_code", municipality or "") or ""
    if code and not hasattr(municipality, "cbs_code") and _known_municipality is not None:
        if not _known_municipality(str(code)):
            raise ValueError(f"Unknown municipality {str(code)[:10]!r}: no audit event written")
    found = activity_for(object_type, activity)
    if activity and not found.confidentiality:
        raise ValueError(f"Unknown processing activity {activity!r}")
    if confidentiality is not None:
        # A caller may raise the activity's confidentiality for one event, never lower it.
        order = Confidentiality.values
        if found.confidentiality in order:
            confidentiality = max(confidentiality, found.confidentiality, key=order.index)
    subject_type, subject = "", ""
    if data_subject is not None and data_subject[1] not in (None, ""):
        subject_type = data_subject[0]
        subject = data_subject_pseudonym(*data_subject)
    trace = current_trace()
    trace_id, parent_span = trace if trace else (secrets.token_hex(16), "")
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if origin is None:
        origin = client_origin(request) if request is not None else "system"
    if role is None and actor is not None and municipality is not None and _roles_of:
        role = ",".join(sorted(_roles_of(actor, municipality)))
    event = AuditEvent(
        created_at=timezone.now(),
        actor_id=getattr(actor, "pk", None),
        actor=_text(getattr(actor, "username", "")) if actor is not None else "",
        role=role or "",
        municipality=code,
        action=action,
        object_type=object_type,
        object_id=_text(object_id)[:150],
        result=result,
        origin=_text(origin)[:100],
        reason=_text(reason),
        detail=_scrub(detail or {}),
        format=FORMAT,
        processing_activity=found.code,
        confidentiality=confidentiality or found.confidentiality,
        retention_months=found.retention_months,
        trace_id=trace_id,
        span_id=secrets.token_hex(8),
        parent_span_id=parent_span,
        data_subject=subject,
        data_subject_type=subject_type,
    )
    event.hash = event.compute_hash()
    return event


def verify_and_record(origin: str, expect_head=None, *, only=None, jobs: int = 1):
    """Seal what waits, walk every chain (chain.verify_all) and append the outcome as a
    `verify` event."""
    from .chain import ChainReport, verify_all

    try:
        report = verify_all(expect_head, only=only, jobs=jobs)
    except Exception as error:  # noqa: BLE001 - a check that cannot run is an incident too
        report = ChainReport(0, None, "", incident=f"the check failed ({type(error).__name__})")
    record(
        Action.VERIFY,
        object_type="audit_chain",
        object_id=only if only is not None else "",
        result=Result.SUCCESS if report.ok else Result.FAILURE,
        origin=origin,
        detail={
            "checked": report.checked,
            "chains": len(report.chains),
            "broken_chain": report.chain if not report.ok else None,
            "broken_seq": report.broken_seq,
            "incident": report.incident,
        },
    )
    return report
