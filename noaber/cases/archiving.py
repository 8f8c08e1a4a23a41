"""A closed case's archive life (ZGW archive fields): set on closing, held, postponed,
packaged, transferred, destroyed. Every write here is an action: audited in its transaction.

The destruction lists and the transfer packages live in `noaber.archive`, which calls these
actions; this module knows nothing of them.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from noaber.audit.actions import record
from noaber.audit.models import Action
from noaber.lib.events import records_changed
from noaber.registry.actions import add_months, record_destruction

from .models import (
    CLOSED,
    AgendaItem,
    Archiefnominatie,
    Archiefstatus,
    Case,
    Decision,
    Intervention,
    Meeting,
    Task,
    TimelineEntry,
)
from .signals import case_destroying

# What reopening puts back: no nomination, no date, nothing archived.
ARCHIVE_FIELDS_OPEN = {
    "archiefnominatie": "",
    "archiefactiedatum": None,
    "archiefstatus": Archiefstatus.NOG_TE_ARCHIVEREN,
}


def archive_fields_on_closing(result, closed_on: date) -> dict:
    """ZGW: archiefactiedatum = brondatum (the closing date) + the result's archiefactietermijn;
    for "blijvend bewaren" it is the date of transfer to the archive repository."""
    return {
        "archiefnominatie": result.archive,
        "archiefactiedatum": add_months(closed_on, 12 * result.term_years),
        "archiefstatus": Archiefstatus.NOG_TE_ARCHIVEREN,
    }


# --- Reads ---------------------------------------------------------------------------------


def closed_cases(municipality):
    """The municipality's closed cases that still exist, for the archivist's lists. Callers
    show only number, type, result, dates and archive fields — never title or content."""
    return (
        Case.objects.filter(municipality=municipality, status=CLOSED, destroyed_at__isnull=True)
        .select_related("case_type", "result")
        .order_by("archiefactiedatum", "pk")
    )


def held_by_signal(case) -> bool:
    return case.signals.filter(legal_hold=True).exists()


def hold_reason(case) -> str:
    """Why `case` may not be destroyed now because of a bewaarplicht, or ""."""
    if case.legal_hold:
        return _("bewaarplicht op de casus: %(r)s") % {"r": case.legal_hold_reason}
    held = list(case.signals.filter(legal_hold=True).values_list("pk", flat=True))
    if held:
        return _("bewaarplicht op signaal %(s)s") % {"s": ", ".join(f"S-{pk}" for pk in held)}
    return ""


def due_for_destruction(municipality, today: date):
    """Closed cases nominated for destruction whose archiefactiedatum has passed, not under
    legal hold (their own, or one of their signals')."""
    return (
        closed_cases(municipality)
        .filter(
            archiefnominatie=Archiefnominatie.VERNIETIGEN,
            archiefactiedatum__lte=today,
            legal_hold=False,
        )
        .exclude(signals__legal_hold=True)
        .distinct()
    )


def due_for_transfer(municipality, today: date):
    """Closed "blijvend bewaren" cases whose archiefactiedatum (transfer date) has passed and
    that are not yet transferred."""
    return (
        closed_cases(municipality)
        .filter(
            archiefnominatie=Archiefnominatie.BLIJVEND_BEWAREN,
            archiefactiedatum__lte=today,
        )
        .exclude(archiefstatus=Archiefstatus.OVERGEDRAGEN)
    )


# --- Writes --------------------------------------------------------------------------------


def _audit(case, actor, request, reason="", **detail):
    record(
        Action.UPDATE,
        actor=actor,
        request=request,
        origin=None if request is not None else "system",
        municipality=case.municipality,
        object_type="case",
        object_id=case.pk,
        reason=reason,
        detail={"archive": True} | detail,
    )


def _closed_or_refuse(case) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != CLOSED or case.destroyed_at is not None:
        raise ValidationError(_("Alleen een afgesloten casus heeft archiefgegevens."))
    return case


@transaction.atomic
def set_legal_hold(case, hold: bool, reason: str, *, actor, request) -> None:
    """Bewaarplicht on a case (e.g. a lawsuit, a Woo request): never destroyed while it holds."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if hold and not reason.strip():
        raise ValidationError(_("Noem de reden van de bewaarplicht."))
    Case.objects.filter(pk=case.pk).update(
        legal_hold=hold,
        legal_hold_reason=reason.strip()[:200] if hold else "",
        version=F("version") + 1,
    )
    _audit(case, actor, request, reason=reason.strip(), legal_hold=hold)


@transaction.atomic
def postpone(case, new_date: date, reason: str, *, actor, request) -> None:
    """The archivist moves the archiefactiedatum to a later date, with a reason (an item
    refused on a destruction list)."""
    case = _closed_or_refuse(case)
    if not reason.strip():
        raise ValidationError(_("Noem de reden om de vernietiging uit te stellen."))
    if new_date is None or new_date <= timezone.localdate():
        raise ValidationError(_("Kies een nieuwe archiefactiedatum na vandaag."))
    old = case.archiefactiedatum
    Case.objects.filter(pk=case.pk).update(archiefactiedatum=new_date, version=F("version") + 1)
    _audit(case, actor, request, reason=reason.strip(),
           archiefactiedatum=[old.isoformat() if old else None, new_date.isoformat()])  # fmt: skip


@transaction.atomic
def mark_archived(case, *, actor, request, package: str = "") -> None:
    """A transfer package of the case was made: archiefstatus `gearchiveerd`."""
    case = _closed_or_refuse(case)
    if case.archiefnominatie != Archiefnominatie.BLIJVEND_BEWAREN:
        raise ValidationError(
            _("Casus %(n)s wordt vernietigd, niet overgedragen.") % {"n": case.number}
        )
    if case.archiefstatus == Archiefstatus.OVERGEDRAGEN:
        raise ValidationError(_("Casus %(n)s is al overgedragen.") % {"n": case.number})
    Case.objects.filter(pk=case.pk).update(
        archiefstatus=Archiefstatus.GEARCHIVEERD, version=F("version") + 1
    )
    _audit(case, actor, request, archiefstatus=Archiefstatus.GEARCHIVEERD, package=package)


@transaction.atomic
def mark_transferred(case, *, actor, request, package: str = "") -> None:
    """The archive repository accepted the package: archiefstatus `overgedragen` (final)."""
    case = _closed_or_refuse(case)
    if case.archiefstatus == Archiefstatus.OVERGEDRAGEN:
        raise ValidationError(_("Casus %(n)s is al overgedragen.") % {"n": case.number})
    if case.archiefstatus != Archiefstatus.GEARCHIVEERD:
        raise ValidationError(
            _("Maak eerst een overdrachtspakket van casus %(n)s (manage.py transfer_package).")
            % {"n": case.number}
        )
    Case.objects.filter(pk=case.pk).update(
        archiefstatus=Archiefstatus.OVERGEDRAGEN, version=F("version") + 1
    )
    _audit(case, actor, request, archiefstatus=Archiefstatus.OVERGEDRAGEN, package=package)


@transaction.atomic
def destroy_case(
    case, *, reason: str, today: date | None = None, detail: dict | None = None
) -> str:
    """Destroy a closed case nominated for destruction: its timeline, tasks, interventions,
    agenda items with their decisions and minutes, and its links to signals and subjects.
    The signals keep their own retention term. Apps above `cases` remove or wipe their own
    rows on `case_destroying`; where one of them keeps a ledger row that points here (a
    partner share), the case row stays as a shell without title or text. A row without
    content goes into the destruction register. Returns "delete" or "anonymise".

    Refuses (ValidationError, nothing changed) a case that is open, under legal hold, not
    nominated for destruction or not yet due."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != CLOSED or case.destroyed_at is not None:
        raise ValidationError(_("Casus %(n)s is niet afgesloten.") % {"n": case.number})
    held = hold_reason(case)
    if held:
        raise ValidationError(held)
    if case.archiefnominatie != Archiefnominatie.VERNIETIGEN:
        raise ValidationError(_("Casus %(n)s moet blijvend bewaard worden.") % {"n": case.number})
    if case.archiefactiedatum is None or case.archiefactiedatum > (today or timezone.localdate()):
        raise ValidationError(
            _("De archiefactiedatum van casus %(n)s is nog niet bereikt.") % {"n": case.number}
        )
    replies = case_destroying.send(sender=Case, case=case)
    keep_row = any(bool(answer) for _receiver, answer in replies)
    number = case.number
    items = AgendaItem.objects.filter(case=case)
    meetings = set(items.values_list("meeting_id", flat=True))
    Decision.objects.filter(item__case=case).delete()
    items.delete()
    # A meeting that was only about this case loses its general minutes too; one that
    # discussed other cases keeps them (they hold no case's part: see docs/cases.md).
    Meeting.objects.filter(pk__in=meetings, agenda__isnull=True).update(minutes="")
    Task.objects.filter(case=case).delete()
    Intervention.objects.filter(case=case).delete()
    # Timeline entries are append-only: only a destruction removes them, in one sweep.
    TimelineEntry.objects.filter(case=case).update(corrects=None)
    TimelineEntry.objects.filter(case=case).delete()
    case.signals.clear()
    case.subjects.clear()
    closed_on = timezone.localdate(case.closed_at) if case.closed_at else None
    action = "anonymise" if keep_row else "delete"
    record_destruction(
        case.municipality,
        record_type="case",
        number=number,
        action=action,
        outcome=case.result.code if case.result else "",
        closed_on=closed_on,
        term_months=12 * case.result.term_years if case.result else 0,
    )
    record(
        Action.DELETE,
        origin="system",
        municipality=case.municipality,
        object_type="case",
        object_id=case.pk,
        reason=reason,
        detail={"number": number, "then": action} | (detail or {}),
    )
    if keep_row:
        Case.objects.filter(pk=case.pk).update(
            title="", closing_text="", destroyed_at=timezone.now(), version=F("version") + 1
        )
        records_changed.send(sender=Case, pks=[case.pk], fields={"title", "destroyed_at"})
    else:
        Case.objects.filter(pk=case.pk).delete()
    return action


def reopened_or_changed_since(case, since, *, today: date | None = None) -> str:
    """Why a case on a list made at `since` may no longer be destroyed, or "": reopened (now
    open, or closed again after `since`), destroyed already, put under legal hold, or its
    archiefactiedatum moved past today."""
    current = Case.objects.filter(pk=case.pk).first()
    if current is None or current.destroyed_at is not None:
        return _("casus bestaat niet meer")
    if current.status != CLOSED or (current.closed_at and current.closed_at > since):
        return _("casus heropend nadat de lijst is opgesteld")
    held = hold_reason(current)
    if held:
        return held
    if current.archiefnominatie != Archiefnominatie.VERNIETIGEN:
        return _("archiefnominatie is niet meer vernietigen")
    if current.archiefactiedatum is None or current.archiefactiedatum > (
        today or timezone.localdate()
    ):
        return _("archiefactiedatum ligt weer in de toekomst")
    return ""
