"""Sharing agreements, what partners viewed, and the partner portal.

Partner users reach a case only through `get_shared_case_for`: a case of this municipality
shared with their own organisation under a share that is in force today. Anything else is a
404, audited as denied, with no hint that the case exists."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from noaber.accounts.access import can, municipality_view
from noaber.accounts.models import User
from noaber.audit.actions import record
from noaber.audit.models import Action, AuditEvent, Result
from noaber.cases.models import CLOSED, AgendaItem, Task, TimelineEntry
from noaber.registry.models import DataCategory, SharingAgreement, Subject

from . import actions
from .forms import AgreementForm, PortalNoteForm, PortalSignalForm, PortalTaskForm, partners_of
from .models import CaseShare, agreement_covers

# Which subject kinds each data category opens in the portal.
SUBJECT_KINDS = {
    DataCategory.IDENTITY: {Subject.Kind.PERSON, Subject.Kind.ONLINE},
    DataCategory.ADDRESS: {Subject.Kind.ADDRESS},
    DataCategory.COMPANY: {Subject.Kind.COMPANY},
    DataCategory.VEHICLE: {Subject.Kind.VEHICLE},
}


# --- Sharing agreements --------------------------------------------------------------------


def get_agreement_for(municipality, pk) -> SharingAgreement:
    return get_object_or_404(SharingAgreement, municipalities=municipality, pk=pk)


def _status(agreement, today):
    if agreement.valid_on(today):
        return _("geldig")
    return _("nog niet ingegaan") if today < agreement.valid_from else _("verlopen")


@municipality_view("partners.agreements")
def agreement_list(request, municipality):
    today = timezone.localdate()
    agreements = SharingAgreement.objects.filter(municipalities=municipality).prefetch_related(
        "organisations"
    )
    labels = dict(DataCategory.choices)
    rows = [
        {
            "agreement": a,
            "status": _status(a, today),
            "valid": a.valid_on(today),
            "categories": [labels.get(c, c) for c in a.data_categories],
        }
        for a in agreements
    ]
    return render(
        request,
        "partners/agreement_list.html",
        {
            "rows": rows,
            "may_manage": can(request.user, "partners.agreements_manage", municipality),
        },
    )


def _agreement_form(request, municipality, agreement):
    form = AgreementForm(
        request.POST or None,
        request.FILES or None,
        instance=agreement,
        municipality=municipality,
        initial={"data_categories": agreement.data_categories} if agreement else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Parties this municipality does not work with are kept as they are.
        kept = (
            list(agreement.organisations.exclude(pk__in=partners_of(municipality)))
            if (agreement)
            else []
        )
        try:
            saved = actions.save_agreement(
                SharingAgreement.objects.get(pk=agreement.pk) if agreement else None,
                {name: data[name] for name in actions.AGREEMENT_FIELDS},
                list(data["organisations"]) + kept,
                municipality,
                actor=request.user,
                request=request,
                document=data.get("document"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Convenant '%(a)s' is opgeslagen.") % {"a": saved})
            return redirect("partners:agreement", municipality.cbs_code, saved.pk)
    return render(request, "partners/agreement_form.html", {"form": form, "agreement": agreement})


@municipality_view("partners.agreements_manage", ["GET", "POST"])
def agreement_create(request, municipality):
    return _agreement_form(request, municipality, None)


@municipality_view("partners.agreements_manage", ["GET", "POST"])
def agreement_edit(request, municipality, pk):
    return _agreement_form(request, municipality, get_agreement_for(municipality, pk))


@municipality_view("partners.agreements")
def agreement_detail(request, municipality, pk):
    agreement = get_agreement_for(municipality, pk)
    labels = dict(DataCategory.choices)
    shares = CaseShare.objects.filter(
        agreement=agreement, case__municipality=municipality
    ).select_related("organisation", "shared_by")
    return render(
        request,
        "partners/agreement.html",
        {
            "agreement": agreement,
            "status": _status(agreement, timezone.localdate()),
            "categories": [labels.get(c, c) for c in agreement.data_categories],
            "shares": shares,
            "disclosures": agreement.disclosure_set.filter(
                signal__municipality=municipality
            ).count(),
            "tasks": Task.objects.filter(agreement=agreement, case__municipality=municipality)
            .select_related("owner_organisation")
            .count(),
            "may_manage": actions.may_edit(request.user, agreement),
        },
    )


@municipality_view("partners.agreements", page=False)
def agreement_document(request, municipality, pk):
    agreement = get_agreement_for(municipality, pk)
    if not agreement.document:
        raise Http404
    actions.record_document_read(agreement, municipality, request=request)
    return FileResponse(
        agreement.document.open("rb"),
        as_attachment=True,
        filename=agreement.document_name or "convenant.pdf",
        content_type="application/pdf",
    )


# --- What partners viewed ------------------------------------------------------------------


@municipality_view("partners.viewed")
def viewed(request, municipality):
    """Everything the users of one partner organisation did in this municipality, from the
    audit log: the municipality can see what each partner viewed."""
    organisations = partners_of(municipality).filter(users__isnull=False).distinct()
    wanted = request.GET.get("organisatie", "")
    chosen = organisations.filter(pk=int(wanted)).first() if wanted.isdigit() else None
    chosen = chosen or organisations.first()
    events = []
    if chosen is not None:
        events = list(
            AuditEvent.objects.filter(
                municipality=municipality.cbs_code,
                actor_id__in=list(
                    User.objects.filter(organisation=chosen).values_list("pk", flat=True)
                ),
            ).order_by("-seq")[:500]
        )
    record(
        Action.VIEW,
        request=request,
        municipality=municipality,
        object_type="partner_views",
        object_id=chosen.pk if chosen else "",
    )
    return render(
        request,
        "partners/viewed.html",
        {"organisations": organisations, "chosen": chosen, "events": events},
    )


# --- The partner portal --------------------------------------------------------------------


def shares_in_force(municipality, organisation):
    """The open shares of this municipality with `organisation` whose ground is valid today."""
    if organisation is None:
        return []
    today = timezone.localdate()
    shares = (
        CaseShare.objects.filter(
            case__municipality=municipality, organisation=organisation, ended_at__isnull=True
        )
        .select_related("case__case_type", "agreement")
        .prefetch_related("agreement__organisations", "agreement__municipalities")
    )
    return [s for s in shares if s.in_force_on(today)]


def partner_tasks(municipality, organisation, **filters):
    """The tasks of `organisation` in this municipality whose agreement is still valid and
    still names it: a task does not outlive the ground it was given on, nor its case's
    closing, nor the end of the partner's share (then it lapsed: `withdrawn_at`)."""
    if organisation is None:
        return []
    today = timezone.localdate()
    tasks = (
        Task.objects.filter(
            case__municipality=municipality, owner_organisation=organisation, **filters
        )
        .exclude(case__status=CLOSED)
        .filter(withdrawn_at__isnull=True)
        .select_related("case", "agreement")
        .prefetch_related("agreement__organisations", "agreement__municipalities")
    )
    return [
        t
        for t in tasks
        if t.agreement is not None
        and agreement_covers(t.agreement, organisation.pk, municipality.pk, today)
    ]


def get_shared_case_for(request, municipality, pk, reason="partner_portal"):
    """The case `pk` with the shares that let the user's organisation see it, or a 404 that
    is audited as denied and says nothing about whether the case exists."""
    organisation = request.user.organisation
    shares = [s for s in shares_in_force(municipality, organisation) if s.case_id == int(pk)]
    record(
        Action.VIEW if shares else Action.DENIED,
        request=request,
        municipality=municipality,
        object_type="case",
        object_id=pk,
        reason=reason,
        result=Result.SUCCESS if shares else Result.DENIED,
        detail={
            "portal": True,
            "organisation": organisation.pk if organisation else None,
            "categories": sorted({c for s in shares for c in s.data_categories}),
        },
    )
    if not shares:
        raise Http404
    return shares[0].case, shares


@municipality_view("partners.portal")
def portal(request, municipality):
    organisation = request.user.organisation
    shares = shares_in_force(municipality, organisation)
    tasks = partner_tasks(municipality, organisation, completed_at__isnull=True)
    record(
        Action.VIEW,
        request=request,
        municipality=municipality,
        object_type="partner_portal",
        object_id=organisation.pk if organisation else "",
        detail={"cases": [s.case_id for s in shares], "tasks": [t.pk for t in tasks]},
    )
    return render(
        request,
        "partners/portal.html",
        {"organisation": organisation, "shares": shares, "tasks": tasks},
    )


def _visible_subjects(case, categories, request, municipality):
    kinds = set().union(*(SUBJECT_KINDS.get(c, set()) for c in categories))
    if not kinds:
        return []
    subjects = list(
        (Subject.objects.filter(cases=case) | Subject.objects.filter(links__signal__cases=case))
        .filter(kind__in=kinds)
        .distinct()
    )
    for subject in subjects:
        # Each person's data read by a partner shows in that person's access report.
        record(
            Action.VIEW,
            request=request,
            municipality=municipality,
            object_type="subject",
            object_id=subject.pk,
            reason="partner_portal",
            detail={"case": case.pk, "organisation": request.user.organisation_id},
        )
    return subjects


def _portal_page(request, municipality, case, shares, **forms):
    organisation = request.user.organisation
    categories = sorted({c for s in shares for c in s.data_categories})
    labels = dict(DataCategory.choices)
    return render(
        request,
        "partners/portal_case.html",
        {
            "case": case,
            "shares": shares,
            "categories": [labels.get(c, c) for c in categories],
            "signals": case.signals.select_related("theme")
            if DataCategory.SIGNAL in categories
            else [],
            "subjects": _visible_subjects(case, categories, request, municipality),
            "tasks": partner_tasks(municipality, organisation, case=case),
            "notes": case.timeline.filter(
                organisation=organisation,
                kind__in=[TimelineEntry.Kind.PARTNER_NOTE, TimelineEntry.Kind.PARTNER_SIGNAL],
            ).select_related("actor"),
            "agenda": AgendaItem.objects.filter(case=case, shared_with=organisation)
            .select_related("meeting")
            .prefetch_related("decisions"),
            "note_form": forms.get("note_form") or PortalNoteForm(),
            "signal_form": forms.get("signal_form") or PortalSignalForm(),
            "task_form": PortalTaskForm(),
        },
    )


@municipality_view("partners.portal")
def portal_case(request, municipality, pk):
    case, shares = get_shared_case_for(request, municipality, pk)
    return _portal_page(request, municipality, case, shares)


@municipality_view("partners.portal", ["POST"], page=False)
def portal_note(request, municipality, pk):
    case, shares = get_shared_case_for(request, municipality, pk, reason="partner_note")
    form = PortalNoteForm(request.POST)
    if not form.is_valid():
        return _portal_page(request, municipality, case, shares, note_form=form)
    try:
        actions.add_partner_note(case, form.cleaned_data["text"], actor=request.user,
                                 request=request)  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Uw notitie is toegevoegd."))
    return redirect("partners:portal_case", municipality.cbs_code, case.pk)


@municipality_view("partners.portal", ["POST"], page=False)
def portal_signal(request, municipality, pk):
    case, shares = get_shared_case_for(request, municipality, pk, reason="partner_signal")
    form = PortalSignalForm(request.POST)
    if not form.is_valid():
        return _portal_page(request, municipality, case, shares, signal_form=form)
    report = actions.send_signal_back(
        case,
        form.cleaned_data["category"],
        form.cleaned_data["description"],
        actor=request.user,
        request=request,
    )
    messages.success(
        request,
        _("Uw signaal is als melding %(n)s bij de gemeente binnengekomen.") % {"n": report.number},
    )
    return redirect("partners:portal_case", municipality.cbs_code, case.pk)


@municipality_view("partners.portal", ["POST"], page=False)
def portal_task(request, municipality, pk):
    organisation = request.user.organisation
    task = next(iter(partner_tasks(municipality, organisation, pk=pk)), None)
    if task is None:
        record(
            Action.DENIED,
            request=request,
            municipality=municipality,
            object_type="task",
            object_id=pk,
            result=Result.DENIED,
        )
        raise Http404
    form = PortalTaskForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Noteer het resultaat van de taak."))
    else:
        try:
            actions.complete_partner_task(task, form.cleaned_data["result"], actor=request.user,
                                          request=request)  # fmt: skip
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("De taak is afgerond."))
    shared = {s.case_id for s in shares_in_force(municipality, organisation)}
    if request.POST.get("from_case") and task.case_id in shared:
        return redirect("partners:portal_case", municipality.cbs_code, task.case_id)
    return redirect("partners:portal", municipality.cbs_code)
