"""Every write of the archive: destruction lists, their review by the archivist, the
destruction run, and transfer confirmations. Each audited in its own transaction; changes to
cases go through casusregie's actions (`noaber.cases.archiving`)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from noaber.accounts.models import Municipality
from noaber.audit.actions import record
from noaber.audit.models import Action
from noaber.cases import archiving

from .models import DestructionList, DestructionListItem, TransferPackage

Item = DestructionListItem


def _audit(municipality, action, object_type, object_id, *, actor, request, reason="", **detail):
    record(
        action,
        actor=actor,
        request=request,
        origin=None if request is not None else "system",
        municipality=municipality,
        object_type=object_type,
        object_id=object_id,
        reason=reason,
        detail=detail,
    )


def pending_case_ids(municipality):
    """Cases on a list that is not finished and not refused or skipped there."""
    return DestructionListItem.objects.filter(
        destruction_list__municipality=municipality,
        status__in=[Item.Status.PROPOSED, Item.Status.APPROVED],
        case__isnull=False,
    ).values_list("case_id", flat=True)


@transaction.atomic
def make_destruction_list(municipality, *, actor, request, today: date | None = None):
    """A list of the cases due for destruction (archiefactiedatum passed, nominatie
    vernietigen, no legal hold) that are on no pending list yet. One list at a time is under
    review per municipality."""
    today = today or timezone.localdate()
    # Serialise list-making per municipality (the button and the daily job).
    Municipality.objects.select_for_update().get(pk=municipality.pk)
    open_list = DestructionList.objects.filter(
        municipality=municipality, status=DestructionList.Status.OPEN
    ).first()
    if open_list is not None:
        raise ValidationError(
            _("Vernietigingslijst %(n)s is nog ter beoordeling. Beoordeel die eerst.")
            % {"n": open_list.number}
        )
    cases = list(
        archiving.due_for_destruction(municipality, today).exclude(
            pk__in=pending_case_ids(municipality)
        )
    )
    if not cases:
        raise ValidationError(
            _("Er zijn geen casussen waarvan de archiefactiedatum is verstreken.")
        )
    made = DestructionList.objects.create(municipality=municipality, created_by=actor)
    Item.objects.bulk_create(
        Item(
            destruction_list=made,
            case=case,
            case_number=case.number,
            case_type=case.case_type.name,
            result=case.result.name if case.result else "",
            closed_on=timezone.localdate(case.closed_at) if case.closed_at else None,
            term_years=case.result.term_years if case.result else 0,
            archiefactiedatum=case.archiefactiedatum,
        )
        for case in cases
    )
    _audit(municipality, Action.CREATE, "destruction_list", made.pk, actor=actor,
           request=request, cases=[c.number for c in cases])  # fmt: skip
    return made


def make_lists_daily(*, today: date | None = None) -> int:
    """The daily job: a list per municipality with cases due, unless one is under review."""
    made = 0
    for municipality in Municipality.objects.all():
        try:
            make_destruction_list(municipality, actor=None, request=None, today=today)
        except ValidationError:
            continue
        made += 1
    return made


def _locked_list(destruction_list) -> DestructionList:
    return DestructionList.objects.select_for_update().get(pk=destruction_list.pk)


def _refuse_unless_open(locked: DestructionList) -> None:
    if locked.status == DestructionList.Status.OPEN:
        return
    who = locked.approved_by
    raise ValidationError(
        _("Vernietigingslijst %(n)s is al goedgekeurd op %(d)s door %(u)s. Er is niets gewijzigd.")
        % {
            "n": locked.number,
            "d": date_format(timezone.localtime(locked.approved_at), "j F Y H:i"),
            "u": (who.get_full_name() or who.username) if who else _("onbekend"),
        }
    )


@transaction.atomic
def approve_list(destruction_list, *, actor, request) -> DestructionList:
    """The archivist approves the list: every item still proposed is approved for the next
    retention run — except an item whose case was put under legal hold or reopened since the
    list was made: it is skipped with the reason, the rest goes on. A list approved before
    is refused with a message; nothing changes."""
    locked = _locked_list(destruction_list)
    _refuse_unless_open(locked)
    now = timezone.now()
    approved, skipped = [], []
    for item in locked.items.filter(status=Item.Status.PROPOSED).select_related("case"):
        reason = (
            archiving.reopened_or_changed_since(item.case, locked.created_at)
            if item.case
            else _("casus bestaat niet meer")
        )
        item.status = Item.Status.SKIPPED if reason else Item.Status.APPROVED
        item.reason, item.decided_by, item.decided_at = reason[:300], actor, now
        item.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        (skipped if reason else approved).append(item.case_number)
    locked.status, locked.approved_by, locked.approved_at = (
        DestructionList.Status.APPROVED,
        actor,
        now,
    )
    locked.save(update_fields=["status", "approved_by", "approved_at"])
    _audit(locked.municipality, Action.UPDATE, "destruction_list", locked.pk, actor=actor,
           request=request, approved=approved, skipped=skipped)  # fmt: skip
    _finish_if_done(locked)
    return locked


@transaction.atomic
def refuse_item(item, reason: str, new_date: date | None, *, actor, request) -> None:
    """The archivist keeps one case off the list, with a reason and a later archiefactiedatum
    (the case comes back on a list when that date has passed)."""
    locked = _locked_list(item.destruction_list)
    _refuse_unless_open(locked)
    item = Item.objects.select_for_update().get(pk=item.pk)
    if item.status != Item.Status.PROPOSED:
        raise ValidationError(
            _("Over casus %(n)s is al besloten op deze lijst.") % {"n": item.case_number}
        )
    if not (reason or "").strip():
        raise ValidationError(_("Noem de reden om casus %(n)s niet te vernietigen.")
                              % {"n": item.case_number})  # fmt: skip
    if item.case is None:
        raise ValidationError(_("Casus %(n)s bestaat niet meer.") % {"n": item.case_number})
    archiving.postpone(item.case, new_date, reason, actor=actor, request=request)
    item.status, item.reason, item.new_date = Item.Status.REFUSED, reason.strip()[:300], new_date
    item.decided_by, item.decided_at = actor, timezone.now()
    item.save(update_fields=["status", "reason", "new_date", "decided_by", "decided_at"])
    _audit(locked.municipality, Action.UPDATE, "destruction_list", locked.pk, actor=actor,
           request=request, reason=item.reason, refused=item.case_number,
           new_date=new_date.isoformat())  # fmt: skip


def _finish_if_done(locked: DestructionList) -> None:
    if locked.status != DestructionList.Status.APPROVED:
        return
    if locked.items.filter(status=Item.Status.APPROVED).exists():
        return
    locked.status, locked.done_at = DestructionList.Status.DONE, timezone.now()
    locked.save(update_fields=["status", "done_at"])


def destroy_approved(sender=None, *, today: date | None = None, dry_run: bool = False,
                     **kwargs) -> dict:  # fmt: skip
    """On `registry.signals.retention_due`: destroy the cases of approved lists, each in its
    own transaction. Right before, each case is checked again under a lock: one put under
    legal hold or reopened since its list was made (or whose date moved) is skipped with the
    reason on its item, and nothing else about it changes."""
    today = today or timezone.localdate()
    report = {"kind": "case", "due": [], "done": 0, "skipped": []}
    items = Item.objects.filter(
        status=Item.Status.APPROVED,
        destruction_list__status=DestructionList.Status.APPROVED,
    ).select_related("destruction_list")
    for item in list(items):
        report["due"].append(item.case_number)
        if dry_run:
            continue
        with transaction.atomic():
            locked = _locked_list(item.destruction_list)
            item = Item.objects.select_for_update().get(pk=item.pk)
            if item.status != Item.Status.APPROVED:
                continue
            reason = (
                archiving.reopened_or_changed_since(item.case, locked.created_at, today=today)
                if item.case
                else _("casus bestaat niet meer")
            )
            if not reason:
                try:
                    archiving.destroy_case(
                        item.case, reason="destruction_list", today=today,
                        detail={"list": locked.number},
                    )  # fmt: skip
                except ValidationError as error:
                    reason = " ".join(error.messages)
            item.status = Item.Status.SKIPPED if reason else Item.Status.DESTROYED
            item.reason, item.decided_at = reason[:300], timezone.now()
            item.save(update_fields=["status", "reason", "decided_at"])
            if reason:
                report["skipped"].append((item.case_number, reason))
                _audit(locked.municipality, Action.UPDATE, "destruction_list", locked.pk,
                       actor=None, request=None, skipped=item.case_number,
                       reason=reason)  # fmt: skip
            else:
                report["done"] += 1
            _finish_if_done(locked)
    return report


# --- Transfer ------------------------------------------------------------------------------


@transaction.atomic
def confirm_transfer(package: TransferPackage, *, actor, request) -> None:
    """The archive repository accepted `package`: the case becomes `overgedragen`."""
    package = TransferPackage.objects.select_for_update().get(pk=package.pk)
    if package.confirmed_at is not None:
        raise ValidationError(
            _("De overdracht van casus %(n)s is al bevestigd.") % {"n": package.case_number}
        )
    newer = TransferPackage.objects.filter(case=package.case, made_at__gt=package.made_at)
    if newer.exists():
        raise ValidationError(
            _("Er is een nieuwer pakket van casus %(n)s; bevestig dat.")
            % {"n": package.case_number}
        )
    archiving.mark_transferred(package.case, actor=actor, request=request,
                               package=package.manifest_sha256)  # fmt: skip
    package.confirmed_by, package.confirmed_at = actor, timezone.now()
    package.save(update_fields=["confirmed_by", "confirmed_at"])
    _audit(package.municipality, Action.UPDATE, "transfer_package", package.pk, actor=actor,
           request=request, case=package.case_number, confirmed=True)  # fmt: skip


@transaction.atomic
def record_package(case, package, *, actor=None, request=None) -> TransferPackage:
    """A transfer package of `case` was written (`package.write_package`): the case becomes
    `gearchiveerd` and the package is kept on record for the transfer confirmation."""
    archiving.mark_archived(case, actor=actor, request=request, package=package.manifest_sha256)
    made = TransferPackage.objects.create(
        municipality=case.municipality,
        case=case,
        case_number=case.number,
        path=str(package.path),
        manifest_sha256=package.manifest_sha256,
        files=len(package.files),
    )
    _audit(case.municipality, Action.CREATE, "transfer_package", made.pk, actor=actor,
           request=request, case=case.number, manifest=package.manifest_sha256,
           files=len(package.files))  # fmt: skip
    return made
