"""Every change of state in the meldpunt, each with its audit event in the same transaction."""

import hashlib
import hmac
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from noaber.audit.actions import record
from noaber.audit.models import Action
from noaber.lib.dates import today
from noaber.lib.errors import ConflictError
from noaber.lib.events import records_changed
from noaber.lib.files import delete_after_commit
from noaber.themes.models import TermKind
from noaber.themes.terms import assignment_audit, check_assignment, due_date_for

from . import receipts
from .models import (
    Attachment,
    Channel,
    Message,
    Referral,
    Report,
    Source,
    StandardText,
    Status,
    StatusChange,
)

# The explicit transition table of a report's status (reopening needs a text, see below).
TRANSITIONS = {
    Status.RECEIVED: {Status.IN_PROGRESS, Status.CLOSED},
    Status.IN_PROGRESS: {Status.CLOSED},
    Status.CLOSED: {Status.IN_PROGRESS},
}
REPORT_FIELDS = (
    "description",
    "occurred_on",
    "occurred_at_time",
    "postcode",
    "house_number",
    "house_number_addition",
    "street",
    "woonplaats",
    "area",
    "latitude",
    "longitude",
    "contact_name",
    "contact_email",
    "contact_phone",
    "contact_consent",
)


@dataclass
class Submitted:
    report: Report
    receipt: str | None = None  # shown once to the reporter, never stored
    duplicate: bool = False
    files: list = field(default_factory=list)


def _submission_digest(token: str | None) -> str | None:
    if not token:
        return None
    return hmac.new(settings.SECRET_KEY.encode(), token.encode(), hashlib.sha256).hexdigest()


def _assign_receipt(report: Report) -> str:
    """Give the report a fresh code; retry on the rare locator collision."""
    for _attempt in range(20):
        code = receipts.new_code()
        locator, secret = receipts.split(receipts.normalise(code))
        if not Report.objects.filter(receipt_locator=locator).exists():
            report.receipt_locator = locator
            report.receipt_hash = receipts.hash_secret(secret)
            return code
    raise RuntimeError("no free receipt locator")


def submit_report(
    municipality,
    data: dict,
    *,
    channel: str,
    source: str | None = None,
    reporter=None,
    partner=None,
    external_reference: str = "",
    partner_token=None,
    files=(),
    request=None,
) -> Submitted:
    """Store a report as one unit: the report, its receipt, attachments and the audit event.

    `data` holds cleaned values (see forms.ReportForm / api serializers). Public channels get a
    receipt code (returned once); a repeated submission token returns the earlier report.
    """
    digest = _submission_digest(data.get("submission"))
    if digest:
        earlier = Report.objects.filter(submission_digest=digest).first()
        if earlier is not None:
            return Submitted(earlier, duplicate=True)
    category = data["category"]
    if source is None:
        source = Source.RESIDENT if data.get("contact_consent") else Source.ANONYMOUS
    report = Report(
        municipality=municipality,
        category=category,
        source=source,
        channel=channel,
        reporter=reporter,
        partner=partner,
        external_reference=external_reference,
        submission_digest=digest,
        referral_consent=bool(data.get("referral_consent"))
        and category.referral == Referral.VIZIER,
    )
    for name in REPORT_FIELDS:
        if data.get(name) not in (None, ""):
            setattr(report, name, data[name])
    # The first reply to the reporter is due within the category's handling term.
    report.due_date = due_date_for(municipality, TermKind.REPORT, category.code, today())
    if not report.contact_consent:
        report.contact_name = report.contact_email = report.contact_phone = ""
    public = channel in (Channel.WEB, Channel.API)
    for attempt in range(3):
        code = _assign_receipt(report) if public else None
        try:
            return _store(report, code, files, source, request, public, partner_token)
        except IntegrityError:
            # Either the same form arrived twice at the same moment (the other one won), or
            # two reports drew the same receipt locator at once: then draw again.
            earlier = Report.objects.filter(submission_digest=digest).first() if digest else None
            if earlier is not None:
                return Submitted(earlier, duplicate=True)
            if attempt == 2 or not public:
                raise
            report.pk = None
    raise RuntimeError("unreachable")


def _store(report, code, files, source, request, public, partner_token) -> Submitted:
    """Save the report, its attachments, first status and audit event as one transaction."""
    with transaction.atomic():
        report.save()
        for clean in files:
            attachment = Attachment(
                report=report,
                content_type=clean.content_type,
                size=len(clean.content),
                sha256=clean.sha256,
            )
            attachment.file.save(
                f"{uuid.uuid4().hex}.{clean.extension}", ContentFile(clean.content), save=False
            )
            attachment.save()
        StatusChange.objects.create(report=report, new_status=Status.RECEIVED)
        record(
            Action.CREATE,
            # Public intake stores no address or user agent, not even in the audit log.
            request=None if public else request,
            actor=report.reporter,
            origin="public" if public else None,
            municipality=report.municipality,
            object_type="report",
            object_id=report.pk,
            detail={
                "channel": report.channel,
                "source": source,
                "category": report.category.code,
                "attachments": len(files),
                "partner": report.partner.name if report.partner else "",
                "partner_client": partner_token.pk if partner_token else None,
            },
        )
        # Queued in the same transaction: the report and its notice commit together.
        _notify_advisors(report.pk)
    return Submitted(report, receipt=code, files=list(files))


def _notify_advisors(report_id: int, message_id: int | None = None) -> None:
    from .tasks import notify_new_report

    notify_new_report.enqueue(report_id, message_id)


def find_by_receipt(text: str) -> Report | None:
    """The report a receipt code belongs to, or None. Costs one Argon2id check either way."""
    code = receipts.normalise(text)
    if code is None:
        receipts.verify_secret(None, "0" * 16)
        return None
    locator, secret = receipts.split(code)
    report = Report.objects.filter(receipt_locator=locator).first()
    if receipts.verify_secret(report.receipt_hash if report else None, secret):
        return report
    return None


def record_follow_up_read(report: Report) -> None:
    record(
        Action.VIEW,
        origin="public",
        municipality=report.municipality,
        object_type="report",
        object_id=report.pk,
        reason="receipt_follow_up",
    )


@transaction.atomic
def post_reporter_message(report: Report, body: str) -> Message:
    message = Message.objects.create(report=report, author_kind=Message.Author.REPORTER, body=body)
    record(
        Action.CREATE,
        origin="public" if report.reporter_id is None else "system",
        actor=report.reporter,
        municipality=report.municipality,
        object_type="report_message",
        object_id=message.pk,
        detail={"report": report.pk, "author": "reporter"},
    )
    _notify_advisors(report.pk, message.pk)
    return message


@transaction.atomic
def post_advisor_message(report: Report, body: str, *, actor, request,
                         standard_text: dict | None = None) -> Message:  # fmt: skip
    """`standard_text`: which standard text the body came from ({"id", "edited"}), if any."""
    message = Message.objects.create(
        report=report, author_kind=Message.Author.MUNICIPALITY, author=actor, body=body
    )
    record(
        Action.CREATE,
        request=request,
        municipality=report.municipality,
        object_type="report_message",
        object_id=message.pk,
        detail={"report": report.pk, "author": "municipality"}
        | ({"standard_text": standard_text} if standard_text else {}),
    )
    return message


def status_choices(report: Report) -> list[tuple[str, str]]:
    """The statuses `report` may move to (TRANSITIONS): the status form offers these, and
    change_status refuses any other."""
    return [(s, s.label) for s in Status if s in TRANSITIONS[Status(report.status)]]


@transaction.atomic
def change_status(
    report: Report, new_status: str, public_text: str, *, actor, request,
    expected: str | None = None, standard_text: dict | None = None,
) -> None:  # fmt: skip
    """Move along TRANSITIONS; closing and reopening need a text for the reporter. With
    `expected` (the status the person saw), a report changed meanwhile is a ConflictError.
    `standard_text`: which standard text the reporter's text came from, if any."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if expected is not None and report.status != expected:
        raise ConflictError(
            _("Iemand anders heeft de status van deze melding intussen gewijzigd (nu: %(s)s). "
              "Er is niets opgeslagen; kijk of uw wijziging nog nodig is.")
            % {"s": report.get_status_display()}
        )  # fmt: skip
    if new_status not in TRANSITIONS[report.status]:
        raise ValidationError(
            {
                "status": _("Van %(old)s naar %(new)s kan niet.")
                % {
                    "old": report.get_status_display(),
                    "new": Status(new_status).label if new_status in Status.values else "?",
                }
            }
        )
    if new_status == Status.CLOSED and not public_text.strip():
        raise ValidationError(
            {"public_text": _("Schrijf bij het afhandelen een tekst voor de melder.")}
        )
    if report.status == Status.CLOSED and not public_text.strip():
        raise ValidationError(
            {"public_text": _("Schrijf bij het heropenen een tekst voor de melder.")}
        )
    old = report.status
    report.status = new_status
    if public_text.strip():
        report.public_text = public_text.strip()
    report.save(update_fields=["status", "public_text"])
    StatusChange.objects.create(
        report=report,
        old_status=old,
        new_status=new_status,
        public_text=public_text.strip(),
        actor=actor,
    )
    record(
        Action.UPDATE,
        request=request,
        municipality=report.municipality,
        object_type="report",
        object_id=report.pk,
        detail={"status": [old, new_status]}
        | ({"standard_text": standard_text} if standard_text else {}),
    )


@transaction.atomic
def assign_report(report: Report, handler, due_date, reason: str = "", *, actor, request,
                  seen: tuple | None = None) -> Report:  # fmt: skip
    """Give `report` a behandelaar (None: nobody) and a streefdatum; a changed streefdatum
    needs a reason. A report has no version: `seen` is the (handler id, due date) the page
    showed, and a report changed meanwhile is a ConflictError. Audited; the report page shows
    the reason beside the streefdatum."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if seen is not None and (report.handler_id, report.due_date) != seen:
        raise ConflictError(
            _("Iemand anders heeft de behandelaar of streefdatum van deze melding intussen "
              "gewijzigd. Er is niets opgeslagen; open de melding opnieuw.")
        )  # fmt: skip
    check_assignment(
        report.municipality, "intake.inbox", handler, due_date,
        old_handler=report.handler, old_due=report.due_date, reason=reason,
    )  # fmt: skip
    old = (report.handler, report.due_date)
    report.handler = handler
    fields = ["handler"]
    if due_date != report.due_date:
        report.due_date, report.due_date_reason = due_date, reason.strip()
        fields += ["due_date", "due_date_reason"]
    report.save(update_fields=fields)
    record(
        Action.UPDATE,
        actor=actor,
        request=request,
        municipality=report.municipality,
        object_type="report",
        object_id=report.pk,
        **assignment_audit(old, handler, due_date, actor=actor),
    )
    return report


@transaction.atomic
def refer(report: Report, *, actor, request) -> None:
    """Forward a discrimination report to Stichting Vizier: only with the reporter's consent."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.category.referral != Referral.VIZIER:
        raise ValidationError(_("Alleen meldingen over discriminatie gaan naar Stichting Vizier."))
    if not report.referral_consent:
        raise ValidationError(
            _(
                "De melder heeft geen toestemming gegeven om deze melding door te sturen. "
                "Wijs de melder zelf op Stichting Vizier."
            )
        )
    if report.referred_at:
        raise ValidationError(_("Deze melding is al doorgestuurd."))
    report.referred_at = timezone.now()
    report.save(update_fields=["referred_at"])
    record(
        Action.SHARE,
        request=request,
        municipality=report.municipality,
        object_type="report",
        object_id=report.pk,
        reason="referral_consent",
        detail={"recipient": "Stichting Vizier"},
    )


def anonymise_reports(report_ids) -> None:
    """Empty these reports for good (retention of the signals made from them): text, contact
    details, location, messages, attachments (files too) and the receipt, so the reporter can
    no longer follow them. Category, dates and status remain for the statistics."""
    report_ids = set(report_ids)
    if not report_ids:
        return
    for attachment in Attachment.objects.filter(report_id__in=report_ids):
        delete_after_commit(attachment.file)
    Attachment.objects.filter(report_id__in=report_ids).delete()
    Message.objects.filter(report_id__in=report_ids).delete()
    Report.objects.filter(pk__in=report_ids).update(
        description="",
        contact_name="",
        contact_email="",
        contact_phone="",
        postcode="",
        house_number=None,
        house_number_addition="",
        latitude=None,
        longitude=None,
        receipt_locator=None,
        receipt_hash="",
    )
    records_changed.send(sender=Report, pks=sorted(report_ids), fields={"description", "postcode"})


@transaction.atomic
def save_standard_text(municipality, *, kind: str, title: str, body: str, active: bool = True,
                       text: StandardText | None = None, request) -> StandardText:  # fmt: skip
    """Create (`text` None) or change a standard text of the municipality; audited. The body
    is kept exactly as written (plain text; see standard_texts.py)."""
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("Geef het sjabloon een naam.")})
    if not body.strip():
        raise ValidationError({"body": _("Schrijf de tekst van het sjabloon.")})
    taken = StandardText.objects.filter(municipality=municipality, kind=kind, title__iexact=title)
    if text is not None:
        taken = taken.exclude(pk=text.pk)
    if taken.exists():
        raise ValidationError({"title": _("Er is al een sjabloon van deze soort met die naam.")})
    created = text is None
    if created:
        text = StandardText(municipality=municipality)
    else:
        text = StandardText.objects.select_for_update().get(pk=text.pk, municipality=municipality)
    text.kind, text.title, text.body, text.active = kind, title, body, active
    text.save()
    record(
        Action.CREATE if created else Action.UPDATE,
        request=request,
        municipality=municipality,
        object_type="standard_text",
        object_id=text.pk,
        detail={"kind": kind, "title": title, "active": active},
    )
    return text
