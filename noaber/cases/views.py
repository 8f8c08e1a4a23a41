"""Casusregie pages: the case list with workload and overdue tasks, and the case page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from noaber.accounts.access import municipality_view
from noaber.audit.actions import record
from noaber.audit.models import Action, Result
from noaber.partners.suggest import suggest_partners
from noaber.registry.actions import ConflictError
from noaber.registry.models import Signal

from . import actions, selectors
from .forms import (
    AgendaForm,
    CaseForm,
    CloseForm,
    CompleteForm,
    DecisionForm,
    InterventionForm,
    ItemMinutesForm,
    MeetingForm,
    MinutesForm,
    NoteForm,
    ReopenForm,
    StatusForm,
    TaskForm,
)
from .models import CLOSED, Case, Meeting


def get_case_for(request, municipality, pk, reason="casusregie") -> Case:
    """A case of `municipality`; another municipality's id is a 404 audited as denied."""
    case = (
        Case.objects.select_related("case_type", "owner", "result")
        .filter(municipality=municipality, pk=pk, destroyed_at__isnull=True)
        .first()
    )
    record(
        Action.VIEW if case else Action.DENIED,
        request=request,
        municipality=municipality,
        object_type="case",
        object_id=pk,
        reason=reason,
        result=Result.SUCCESS if case else Result.DENIED,
    )
    if case is None:
        raise Http404
    return case


@municipality_view("cases.work", ["GET", "POST"])
def case_list(request, municipality):
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        signals = list(
            Signal.objects.filter(municipality=municipality, pk__in=request.POST.getlist("signal"))
        )
        try:
            case = actions.open_case(
                municipality, form.cleaned_data["case_type"], form.cleaned_data["title"],
                actor=request.user, request=request, signals=signals,
            )  # fmt: skip
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return redirect("cases:case", municipality.cbs_code, case.pk)
    cases = Case.objects.filter(
        municipality=municipality, destroyed_at__isnull=True
    ).select_related("case_type", "owner")
    if request.GET.get("afgesloten") != "1":
        cases = cases.exclude(status=CLOSED)
    per_owner, per_organisation = actions.workload(municipality)
    return render(
        request,
        "cases/case_list.html",
        {
            "cases": cases[:200],
            "form": form,
            "signal_id": request.GET.get("signaal", ""),
            "overdue": selectors.overdue_tasks(municipality)[:100],
            "per_owner": per_owner,
            "per_organisation": per_organisation,
        },
    )


def render_case_page(request, municipality, case, **forms):
    """The case page; `forms` replace the page's empty forms by bound ones with their errors
    (also for the sections apps above casusregie add, such as sharing)."""
    return render(
        request,
        "cases/case.html",
        forms
        | {
            "case": case,
            "timeline": case.timeline.select_related("actor"),
            "tasks": case.tasks.select_related("owner_user", "owner_organisation"),
            "interventions": case.interventions.select_related("kind"),
            "signals": case.signals.all(),
            "status_form": forms.get("status_form") or StatusForm(case=case),
            "note_form": forms.get("note_form") or NoteForm(case=case),
            "task_form": forms.get("task_form") or TaskForm(municipality=municipality),
            "complete_form": CompleteForm(),
            "intervention_form": forms.get("intervention_form") or InterventionForm(),
            "close_form": forms.get("close_form") or CloseForm(case=case),
            "reopen_form": ReopenForm(initial={"version": case.version}),
            "suggestions": suggest_partners(
                municipality, {s.theme for s in case.signals.select_related("theme")}
            ),
        },
    )


@municipality_view("cases.work")
def case_detail(request, municipality, pk):
    return render_case_page(request, municipality, get_case_for(request, municipality, pk))


def _status(case, d, r):
    actions.change_status(case, d["status"], d["version"], actor=r.user, request=r)


def _note(case, d, r):
    actions.add_note(case, d["text"], actor=r.user, request=r, corrects=d.get("corrects"))


def _task(case, d, r):
    actions.add_task(case, d["title"], d["due_date"], actor=r.user, request=r, user=d["user"],
                     organisation=d["organisation"], agreement=d["agreement"])  # fmt: skip


def _intervention(case, d, r):
    actions.add_intervention(case, d["kind"], d["decided_on"], d["decided_by"], d["follow_up"],
                             actor=r.user, request=r)  # fmt: skip


def _close(case, d, r):
    actions.close_case(case, d["result"], d["text"], d["version"], actor=r.user, request=r,
                       public_text=d["public_text"], keep_shares=d["keep_shares"])  # fmt: skip


def _reopen(case, d, r):
    actions.reopen_case(case, d["reason"], d["version"], actor=r.user, request=r)


STEPS = {
    "status": (StatusForm, _status),
    "note": (NoteForm, _note),
    "task": (TaskForm, _task),
    "intervention": (InterventionForm, _intervention),
    "close": (CloseForm, _close),
    "reopen": (ReopenForm, _reopen),
}


@municipality_view("cases.work", ["POST"], page=False)
def case_step(request, municipality, pk, step):
    case = get_case_for(request, municipality, pk, reason="edit")
    if step == "complete":
        task = case.tasks.filter(pk=request.POST.get("task") or 0).first()
        form = CompleteForm(request.POST)
        if task is None or not form.is_valid():
            messages.error(request, _("Kies een taak en noteer het resultaat."))
        else:
            try:
                actions.complete_task(
                    task, form.cleaned_data["result"], actor=request.user, request=request
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        return redirect("cases:case", municipality.cbs_code, case.pk)
    if step not in STEPS:
        raise Http404
    form_class, run = STEPS[step]
    kwargs = {"case": case} if form_class in (StatusForm, CloseForm, NoteForm) else {}
    if form_class is TaskForm:
        kwargs = {"municipality": municipality}
    form = form_class(request.POST, **kwargs)
    if not form.is_valid():
        return render_case_page(request, municipality, case, **{f"{step}_form": form})
    try:
        run(case, form.cleaned_data, request)
    except (ValidationError, ConflictError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("Vastgelegd."))
    return redirect("cases:case", municipality.cbs_code, case.pk)


# --- Meetings ------------------------------------------------------------------------------


@municipality_view("cases.work", ["GET", "POST"])
def meeting_list(request, municipality):
    form = MeetingForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meeting = actions.plan_meeting(
            municipality, data["kind"], data["held_on"], actor=request.user, request=request,
            attendees=[request.user, *data["attendees"]], partners=data["partners"],
        )  # fmt: skip
        return redirect("cases:meeting", municipality.cbs_code, meeting.pk)
    return render(
        request,
        "cases/meeting_list.html",
        {"meetings": Meeting.objects.filter(municipality=municipality)[:100], "form": form},
    )


@municipality_view("cases.work", ["GET", "POST"])
def meeting_detail(request, municipality, pk):
    meeting = Meeting.objects.filter(municipality=municipality, pk=pk).first()
    record(
        Action.VIEW if meeting else Action.DENIED,
        request=request,
        municipality=municipality,
        object_type="meeting",
        object_id=pk,
        result=Result.SUCCESS if meeting else Result.DENIED,
    )
    if meeting is None:
        raise Http404
    agenda_form = AgendaForm(
        request.POST if request.POST.get("do") == "agenda" else None, meeting=meeting
    )
    agenda = list(
        meeting.agenda.select_related("case").prefetch_related("shared_with", "decisions")
    )
    posted_item = request.POST.get("item") if request.POST.get("do") == "decision" else None
    decision_forms = [
        (item, DecisionForm(request.POST if str(item.pk) == posted_item else None,
                            meeting=meeting, auto_id=f"d{item.pk}-%s"))
        for item in agenda
    ]  # fmt: skip
    decision_form = next((f for _i, f in decision_forms if f.is_bound), None)
    posted_minutes = request.POST.get("item") if request.POST.get("do") == "item_minutes" else None
    item_minutes_forms = {
        item.pk: ItemMinutesForm(
            request.POST if str(item.pk) == posted_minutes else None,
            initial={"minutes": item.minutes},
            auto_id=f"m{item.pk}-%s",
        )
        for item in agenda
    }
    minutes_form = MinutesForm(
        request.POST if request.POST.get("do") == "minutes" else None,
        initial={"minutes": meeting.minutes},
    )
    if request.method == "POST":
        try:
            item_form = next((f for f in item_minutes_forms.values() if f.is_bound), None)
            if item_form is not None and item_form.is_valid():
                item = next(i for i in agenda if item_minutes_forms[i.pk] is item_form)
                actions.write_item_minutes(item, item_form.cleaned_data["minutes"],
                                           actor=request.user, request=request)  # fmt: skip
                return redirect("cases:meeting", municipality.cbs_code, meeting.pk)
            if minutes_form.is_bound and minutes_form.is_valid():
                actions.write_minutes(
                    meeting,
                    minutes_form.cleaned_data["minutes"],
                    actor=request.user,
                    request=request,
                )
                return redirect("cases:meeting", municipality.cbs_code, meeting.pk)
            if agenda_form.is_bound and agenda_form.is_valid():
                actions.add_agenda_item(
                    meeting, agenda_form.cleaned_data["case"], actor=request.user,
                    request=request, shared_with=agenda_form.cleaned_data["shared_with"],
                )  # fmt: skip
                return redirect("cases:meeting", municipality.cbs_code, meeting.pk)
            if decision_form is not None and decision_form.is_valid():
                item = next(i for i, f in decision_forms if f is decision_form)
                d = decision_form.cleaned_data
                task = intervention = None
                if d["task_title"]:
                    task = {
                        "title": d["task_title"],
                        "due_date": d["task_due"],
                        "organisation": d["task_organisation"],
                        "agreement": d["task_agreement"],
                    }
                if d["intervention"]:
                    intervention = {
                        "kind": d["intervention"],
                        "decided_on": meeting.held_on,
                        "decided_by": d["decided_by"],
                        "follow_up": d["text"],
                    }
                actions.record_decision(
                    item, d["text"], actor=request.user, request=request, task=task,
                    intervention=intervention,
                )  # fmt: skip
                return redirect("cases:meeting", municipality.cbs_code, meeting.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return render(
        request,
        "cases/meeting.html",
        {
            "meeting": meeting,
            "agenda": meeting.agenda.select_related("case").prefetch_related(
                "shared_with", "decisions"
            ),
            "agenda_form": agenda_form,
            # One row per agenda item: its decision form and its own minutes.
            "rows": [(item, form, item_minutes_forms[item.pk]) for item, form in decision_forms],
            "decision_form": decision_form,
            "minutes_form": minutes_form,
        },
    )


@municipality_view("cases.partner_agenda")
def partner_agenda(request, municipality):
    """A partner user's view of meetings: only those their organisation attends, and of those
    only the agenda items shared with it (case number, title and decisions)."""
    organisation = request.user.organisation
    meetings = (
        Meeting.objects.filter(municipality=municipality, partners=organisation)
        if organisation
        else Meeting.objects.none()
    )
    rows = [(m, list(actions.agenda_for_partner(m, organisation).prefetch_related("decisions")))
            for m in meetings[:50]]  # fmt: skip
    for meeting, items in rows:
        record(
            Action.VIEW,
            request=request,
            municipality=municipality,
            object_type="meeting",
            object_id=meeting.pk,
            reason="partner_agenda",
            detail={"items": [i.case_id for i in items]},
        )
    return render(request, "cases/partner_agenda.html", {"rows": rows})
