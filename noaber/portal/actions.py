"""Every write of sharing a case with a chain partner and of the partner portal, audited in
the same transaction. Sharing records its disclosures through the register's action; the
case's timeline through casusregie's."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from noaber.audit.models import Action
from noaber.cases import actions as case_actions
from noaber.cases.models import Case, Task, TimelineEntry
from noaber.intake import actions as intake_actions
from noaber.intake.models import Channel, Source
from noaber.registry.actions import check_sharing, disclose, end_disclosures

from .models import CaseShare

# --- Sharing a case ------------------------------------------------------------------------


@transaction.atomic
def share_case(case, data: dict, *, actor, request) -> CaseShare:
    """Share `case` with a partner under a valid agreement (or a legal basis), limited to data
    categories. Recorded as a disclosure of every signal of the case, so the register's ledger
    and a data subject's access report show it."""
    # Under a row lock, so that a share and a closing at the same moment do not cross.
    case = Case.objects.select_for_update().get(pk=case.pk)
    case_actions.ensure_open(case)
    organisation, agreement = data["organisation"], data.get("agreement")
    basis = (data.get("legal_basis") or "").strip()
    categories = sorted(set(data["data_categories"]))
    if not organisation.is_partner:
        raise ValidationError(_("Een gemeentelijk team werkt al in Noaber; delen is niet nodig."))
    check_sharing(organisation, case.municipality, agreement, basis, categories,
                  timezone.localdate())  # fmt: skip
    if case.shares.filter(organisation=organisation, ended_at__isnull=True).exists():
        raise ValidationError(
            _("Deze casus is al gedeeld met %(o)s. Beëindig dat eerst om iets anders te delen.")
            % {"o": organisation}
        )
    share = CaseShare.objects.create(
        case=case,
        organisation=organisation,
        agreement=agreement,
        legal_basis=basis,
        purpose=data["purpose"].strip(),
        data_categories=categories,
        shared_by=actor,
    )
    # Each signal's disclosure goes through the register's own action (checked, audited);
    # the share notes itself on the timeline, so the register need not announce it.
    disclosures = [
        disclose(
            signal,
            {
                "recipient": organisation,
                "agreement": agreement,
                "legal_basis": basis,
                "purpose": share.purpose,
                "data_categories": categories,
                "shared": _("Casus %(n)s gedeeld via het partnerportaal.") % {"n": case.number},
                "decided_on": timezone.localdate(),
            },
            actor=actor,
            request=request,
            announce=False,
        )
        for signal in case.signals.all()
    ]
    # The share remembers its ledger lines, so that its end can be written next to them.
    share.disclosures.set(disclosures)
    case_actions.log_on_timeline(
        case,
        TimelineEntry.Kind.SHARE,
        f"{organisation.name}: {share.purpose} ({share.category_labels})",
        actor=actor,
        request=request,
        action=Action.SHARE,
        share=share.pk,
        organisation=organisation.pk,
        agreement=agreement.pk if agreement else None,
    )
    return share


def _end(share: CaseShare, reason: str, *, actor, request, **detail) -> None:
    """End `share` for `reason`: the row keeps its end, the ledger gets an end line per
    disclosure the share wrote, the case's timeline says so. Call it in a transaction."""
    now = timezone.now()
    # Conditional, so that two ends at the same moment (an advisor and the daily run) end it
    # once.
    ended = CaseShare.objects.filter(pk=share.pk, ended_at__isnull=True).update(
        ended_at=now, ended_by=actor, end_reason=reason[:300]
    )
    if not ended:
        raise ValidationError(_("Dit delen is al beëindigd."))
    share.ended_at, share.ended_by, share.end_reason = now, actor, reason[:300]
    end_disclosures(share.disclosures.all(), reason, actor=actor, request=request)
    # The partner's open tasks in this case lapse with the share.
    case_actions.withdraw_partner_tasks(share.case, reason, actor=actor, request=request,
                                        organisation=share.organisation)  # fmt: skip
    case_actions.log_on_timeline(
        share.case,
        TimelineEntry.Kind.SHARE,
        _("Delen met %(o)s beëindigd: %(r)s.") % {"o": share.organisation.name, "r": reason},
        actor=actor,
        request=request,
        share=share.pk,
        ended=True,
        **detail,
    )


@transaction.atomic
def end_share(share: CaseShare, *, actor, request, reason: str = "") -> None:
    """The advisor ends a share, also one kept open after the case was closed."""
    if share.ended_at is not None:
        raise ValidationError(_("Dit delen is al beëindigd."))
    _end(share, reason.strip() or _("beëindigd door de gemeente"), actor=actor, request=request)


def check_keep_open(share: CaseShare, until, reason: str, today) -> None:
    """Keeping a share open after closing needs a reason and a last day after `today`."""
    name = share.organisation.name
    if not (reason or "").strip():
        raise ValidationError(
            _("Noem de reden om het delen met %(o)s na het afsluiten open te houden.") % {"o": name}
        )
    if until is None:
        raise ValidationError(
            _("Kies tot en met welke datum het delen met %(o)s open blijft.") % {"o": name}
        )
    if until <= today:
        raise ValidationError(
            _("De einddatum voor het delen met %(o)s moet na vandaag liggen.") % {"o": name}
        )


@transaction.atomic
def end_shares_of_closed_case(sender, *, case, keep_shares, actor, request, **kwargs) -> None:
    """On `cases.signals.case_closed`: the case's purpose is served, so its open shares end,
    except those the advisor keeps open until a date, with a reason. Runs in close_case's
    transaction: a refusal here undoes the closing."""
    today = timezone.localdate()
    shares = list(case.shares.filter(ended_at__isnull=True).select_related("organisation"))
    if set(keep_shares) - {s.pk for s in shares}:
        raise ValidationError(
            _("Alleen een delen van deze casus dat nog loopt kan open blijven na het afsluiten.")
        )
    for share in shares:
        if share.pk in keep_shares:
            check_keep_open(share, *keep_shares[share.pk], today)
    for share in shares:
        if share.pk not in keep_shares:
            _end(share, _("casus afgesloten"), actor=actor, request=request, closed=True)
            continue
        until, reason = keep_shares[share.pk]
        share.keep_until, share.keep_reason = until, reason.strip()[:300]
        share.save(update_fields=["keep_until", "keep_reason"])
        end_disclosures(share.disclosures.all(), reason, actor=actor, request=request,
                        keep_until=until)  # fmt: skip
        case_actions.log_on_timeline(
            case,
            TimelineEntry.Kind.SHARE,
            _("Delen met %(o)s blijft na afsluiten open tot en met %(d)s: %(r)s.")
            % {"o": share.organisation.name, "d": until.strftime("%d-%m-%Y"), "r": reason.strip()},
            actor=actor,
            request=request,
            share=share.pk,
            kept_until=until.isoformat(),
        )


def wipe_shares_of_destroyed_case(sender, *, case, **kwargs) -> bool:
    """On `cases.signals.case_destroying` (inside the destruction's transaction): the case's
    shares stay as ledger rows — partner, agreement or legal basis, purpose, data categories,
    dates — with their free-text reasons wiped; a share still open ends first. Returns
    whether any share exists, so that casusregie keeps the (emptied) case row they name."""
    for share in case.shares.filter(ended_at__isnull=True).select_related("organisation"):
        _end(share, _("casus vernietigd"), actor=None, request=None, destroyed=True)
    shares = CaseShare.objects.filter(case=case)
    shares.update(end_reason="", keep_reason="")
    return shares.exists()


def end_kept_shares(*, today=None) -> int:
    """End the shares kept open after closing whose last day has passed: the system ends them
    (no actor), each in its own transaction — also when the case was reopened since: the date
    the advisor gave holds, only a new share goes further. Returns how many ended."""
    today = today or timezone.localdate()
    due = CaseShare.objects.filter(ended_at__isnull=True, keep_until__lt=today).select_related(
        "case__municipality", "organisation"
    )
    ended = 0
    for share in due:
        try:
            with transaction.atomic():
                _end(share, _("einddatum bereikt"), actor=None, request=None,
                     kept_until=share.keep_until.isoformat())  # fmt: skip
        except ValidationError:
            continue  # ended meanwhile by an advisor
        ended += 1
    return ended


# --- The partner portal --------------------------------------------------------------------


@transaction.atomic
def add_partner_note(case, text: str, *, actor, request) -> TimelineEntry:
    """A note by a partner user: the municipality sees it on the case, and of the partners
    only the author's own organisation."""
    case_actions.ensure_open(case)
    if not text.strip():
        raise ValidationError(_("Een notitie mag niet leeg zijn."))
    return case_actions.log_on_timeline(
        case,
        TimelineEntry.Kind.PARTNER_NOTE,
        text.strip(),
        actor=actor,
        request=request,
        partner=actor.organisation,
        organisation=actor.organisation_id,
    )


def complete_partner_task(task: Task, result: str, *, actor, request) -> None:
    """A partner completes a task of its organisation; not in a closed case (complete_task)."""
    if task.owner_organisation_id is None or task.owner_organisation_id != actor.organisation_id:
        raise ValidationError(_("Deze taak is niet aan uw organisatie toegewezen."))
    case_actions.complete_task(task, result, actor=actor, request=request)


@transaction.atomic
def send_signal_back(case, category, description: str, *, actor, request):
    """A partner's signal about a shared case: it arrives in the advisors' inbox as a report
    from that partner, and the case's timeline points to it."""
    if not description.strip():
        raise ValidationError(_("Beschrijf wat u heeft gezien of gehoord."))
    organisation = actor.organisation
    source = Source.POLICE if organisation.name == "Politie" else Source.PARTNER
    submitted = intake_actions.submit_report(
        case.municipality,
        {"category": category, "description": description.strip()},
        channel=Channel.PORTAL,
        source=source,
        reporter=actor,
        partner=organisation,
        external_reference=_("casus %(n)s") % {"n": case.number},
        request=request,
    )
    case_actions.log_on_timeline(
        case,
        TimelineEntry.Kind.PARTNER_SIGNAL,
        _("Melding %(r)s van %(o)s ontvangen.")
        % {"r": submitted.report.number, "o": organisation.name},
        actor=actor,
        request=request,
        partner=organisation,
        organisation=organisation.pk,
        report=submitted.report.pk,
    )
    return submitted.report
