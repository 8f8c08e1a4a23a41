"""The partner portal: what a chain partner's users see of the cases shared with their
organisation, their tasks, notes and signals back; and the advisor's sharing of a case.

Partner users reach a case only through `get_shared_case_for`: a case of this municipality
shared with their own organisation under a share that is in force today. Anything else is a
404, audited as denied, with no hint that the case exists."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from noaber.accounts.access import municipality_view
from noaber.audit.actions import record
from noaber.audit.models import Action, Result
from noaber.cases import steps
from noaber.cases.models import CLOSED, AgendaItem, Task, TimelineEntry
from noaber.cases.views import case_action_context, get_case_for
from noaber.lib.pages import action_page, section_url
from noaber.lib.paging import Sort, list_page
from noaber.partners.models import DataCategory, SharingAgreement
from noaber.registry.models import Subject

from . import actions
from .forms import EndShareForm, PortalNoteForm, PortalSignalForm, PortalTaskForm, ShareForm
from .models import CaseShare

# Which subject kinds each data category opens in the portal.
SUBJECT_KINDS = {
    DataCategory.IDENTITY: {Subject.Kind.PERSON, Subject.Kind.ONLINE},
    DataCategory.ADDRESS: {Subject.Kind.ADDRESS},
    DataCategory.COMPANY: {Subject.Kind.COMPANY},
    DataCategory.VEHICLE: {Subject.Kind.VEHICLE},
}


# --- The partner portal --------------------------------------------------------------------


def _agreement_in_force(municipality, organisation, today, *, optional: bool) -> Q:
    """`agreement` valid today and naming the organisation and the municipality, in SQL
    (partners.models.agreement_covers, for a whole list); `optional`: no agreement is fine."""
    covering = SharingAgreement.objects.filter(
        Q(valid_from__lte=today),
        Q(valid_until__isnull=True) | Q(valid_until__gte=today),
        organisations=organisation,
        municipalities=municipality,
    ).values("pk")
    q = Q(agreement__in=covering)
    return q | Q(agreement__isnull=True) if optional else q


def shares_in_force(municipality, organisation):
    """The open shares of this municipality with `organisation` whose ground is valid today
    (CaseShare.in_force_on, as one query: the portal pages its list)."""
    if organisation is None:
        return CaseShare.objects.none()
    today = timezone.localdate()
    return (
        CaseShare.objects.filter(
            _agreement_in_force(municipality, organisation, today, optional=True),
            case__municipality=municipality,
            organisation=organisation,
            ended_at__isnull=True,
        )
        # A closed case keeps only a share kept open, up to its date.
        .exclude(keep_until__lt=today)
        .exclude(case__status=CLOSED, keep_until__isnull=True)
        .select_related("case__case_type", "agreement")
    )


def partner_tasks(municipality, organisation, **filters):
    """The tasks of `organisation` in this municipality whose agreement is still valid and
    still names it: a task does not outlive the ground it was given on, nor its case's
    closing, nor the end of the partner's share (then it lapsed: `withdrawn_at`)."""
    if organisation is None:
        return Task.objects.none()
    today = timezone.localdate()
    return (
        Task.objects.filter(
            _agreement_in_force(municipality, organisation, today, optional=False),
            case__municipality=municipality,
            owner_organisation=organisation,
            withdrawn_at__isnull=True,
            **filters,
        )
        .exclude(case__status=CLOSED)
        .select_related("case", "agreement")
    )


SHARE_SORTS = {
    "gedeeld": Sort("created_at", gettext_lazy("Gedeeld op")),
    "casus": Sort("case_id", gettext_lazy("Casus")),
}
TASK_SORTS = {
    "uiterlijk": Sort("due_date", gettext_lazy("Uiterlijk")),
    "casus": Sort("case_id", gettext_lazy("Casus")),
}


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
    shares = list_page(
        request, shares_in_force(municipality, organisation), SHARE_SORTS,
        default="-gedeeld", prefix="c_",
    )  # fmt: skip
    tasks = list_page(
        request,
        partner_tasks(municipality, organisation, completed_at__isnull=True),
        TASK_SORTS,
        default="uiterlijk",
        prefix="t_",
    )
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
        "portal/portal.html",
        {"organisation": organisation, "shares": shares, "tasks": tasks},
        status=max(shares.status, tasks.status),
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
            data_subject=subject.data_subject(),
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
        "portal/portal_case.html",
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
    return redirect("portal:portal_case", municipality.cbs_code, case.pk)


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
    return redirect("portal:portal_case", municipality.cbs_code, case.pk)


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
        return redirect("portal:portal_case", municipality.cbs_code, task.case_id)
    return redirect("portal:portal", municipality.cbs_code)


# --- The advisor shares a case (from the case page) -----------------------------------------


@municipality_view("cases.work", ["GET", "POST"])
def share(request, municipality, pk):
    """Share a case with a partner: its own page (ui/action.html), offered from the case page
    while the case allows it (cases.steps)."""
    case = get_case_for(request, municipality, pk, reason="edit")
    form = ShareForm(request.POST if request.method == "POST" else None, municipality=municipality)
    context = case_action_context(
        case,
        _("Delen met een partner"),
        submit_label=_("Delen"),
        intro=_(
            "De partner ziet de casus in het partnerportaal, alleen met de gekozen gegevens, "
            "zolang het convenant geldt. Het delen wordt als verstrekking vastgelegd bij elk "
            "signaal van de casus."
        ),
    )
    if request.method == "GET":
        context["refusal"] = steps.refusal(case, steps.SHARE)
    return action_page(
        request,
        form,
        lambda data: actions.share_case(case, data, actor=request.user, request=request),
        success_url=section_url(context["object_url"], "delen"),
        context=context,
        success_message=_("De casus is gedeeld."),
    )


@municipality_view("cases.work", ["GET", "POST"])
def unshare(request, municipality, pk):
    """End a share of a case (also one kept open after closing): its own page."""
    case = get_case_for(request, municipality, pk, reason="edit")
    form = EndShareForm(
        request.POST if request.method == "POST" else None,
        case=case,
        initial={"share": request.GET.get("share")},
    )
    context = case_action_context(case, _("Delen beëindigen"))
    if request.method == "GET":
        context["refusal"] = steps.refusal(case, steps.UNSHARE)
    return action_page(
        request,
        form,
        lambda data: actions.end_share(
            data["share"], actor=request.user, request=request, reason=data["reason"]
        ),  # fmt: skip
        success_url=section_url(context["object_url"], "delen"),
        context=context,
        success_message=_("Het delen is beëindigd."),
    )
