"""Casusregie pages: the case list with workload and overdue tasks, and the case page."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from noaber.accounts.access import municipality_view
from noaber.audit.actions import record
from noaber.audit.models import Action, Result
from noaber.lib.pages import action_page, section_url, sections
from noaber.lib.paging import Sort, list_page
from noaber.partners.suggest import suggest_partners
from noaber.registry.models import Signal
from noaber.themes.forms import AssignForm
from noaber.themes.terms import assignment_intro

from . import actions, selectors, steps
from .forms import (
    AgendaForm,
    CaseCompleteForm,
    CaseForm,
    CloseForm,
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
from .location import location_of
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


# Sortable columns (noaber.lib.paging): one line per column — key in ?sorteer=, ORM path, header.
# The title is encrypted, so it cannot be sorted on.
CASE_SORTS = {
    "nummer": Sort("pk", gettext_lazy("Casus")),
    "geopend": Sort("created_at", gettext_lazy("Geopend")),
    "zaaktype": Sort("case_type__name", gettext_lazy("Zaaktype")),
    "status": Sort("status", gettext_lazy("Status")),
    "streefdatum": Sort("due_date", gettext_lazy("Streefdatum")),
}
OVERDUE_SORTS = {"vervaldatum": Sort("due_date", gettext_lazy("Vervaldatum"))}
MEETING_SORTS = {
    "datum": Sort("held_on", gettext_lazy("Datum")),
    "soort": Sort("kind", gettext_lazy("Soort")),
}


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
            # Above the form, which keeps what was typed (nothing was stored).
            form.add_error(None, error.messages)
        else:
            return redirect("cases:case", municipality.cbs_code, case.pk)
    cases = Case.objects.filter(
        municipality=municipality, destroyed_at__isnull=True
    ).select_related("case_type", "owner")
    if request.GET.get("afgesloten") != "1":
        cases = cases.exclude(status=CLOSED)
    per_owner, per_organisation = actions.workload(municipality)
    # Open cases (the default) overdue first; with the closed ones included, newest first.
    default = "-geopend" if request.GET.get("afgesloten") == "1" else "streefdatum"
    cases = list_page(request, cases, CASE_SORTS, default=default)
    overdue = list_page(
        request, selectors.overdue_tasks(municipality), OVERDUE_SORTS, default="vervaldatum",
        prefix="t_",
    )  # fmt: skip
    return render(
        request,
        "cases/case_list.html",
        {
            "cases": cases,
            "form": form,
            "signal_id": request.GET.get("signaal", ""),
            "overdue": overdue,
            "per_owner": per_owner,
            "per_organisation": per_organisation,
        },
        status=400 if form.errors else max(cases.status, overdue.status),
    )


CASE_SECTIONS = ("overzicht", "tijdlijn", "taken", "delen", "interventies")
TIMELINE_PAGE = 20
TIMELINE_SORTS = {"datum": Sort("created_at", gettext_lazy("Datum"))}


def case_label(case) -> str:
    return _("Casus %(n)s: %(t)s") % {"n": case.number, "t": case.title}


def case_badge_tone(case) -> str:
    if case.is_closed:
        return "neutral"
    return "info" if case.status == case.case_type.first_status else "ok"


@municipality_view("cases.work")
def case_detail(request, municipality, pk):
    """The case page: a header with the key facts, the status and the next steps the case
    allows (cases.steps), then one section at a time: Overzicht · Tijdlijn · Taken · Delen ·
    Interventies. Every action has its own page (case_step, task_complete, portal:share)."""
    case = get_case_for(request, municipality, pk)
    tasks = list(
        case.tasks.select_related("owner_user", "owner_organisation", "owner_team", "location_area")
    )
    open_tasks = [t for t in tasks if not t.completed_at and not t.withdrawn_at]
    shares = list(case.shares.select_related("organisation", "agreement"))
    interventions = list(case.interventions.select_related("kind"))
    timeline = case.timeline.select_related("actor").order_by("-created_at", "-pk")
    tabs, current = sections(
        request,
        [
            ("overzicht", _("Overzicht")),
            ("tijdlijn", _("Tijdlijn"), timeline.count()),
            ("taken", _("Taken"), len(open_tasks)),
            ("delen", _("Delen"), sum(1 for s in shares if not s.ended_at)),
            ("interventies", _("Interventies"), len(interventions)),
        ],
    )
    allowed = steps.allowed_steps(case)
    context = {
        "case": case,
        "tabs": tabs,
        "section": current,
        "allowed": allowed,
        "next_statuses": [
            (code, case.case_type.status_label(code))
            for code in case.case_type.next_statuses(case.status)
        ]
        if steps.STATUS in allowed
        else [],
        "close_refusal": steps.refusal(case, steps.CLOSE) if not case.is_closed else None,
        "badge_tone": case_badge_tone(case),
        "signals": case.signals.all(),
        "tasks": tasks,
        "open_tasks": open_tasks,
        "shares": shares,
        "interventions": interventions,
    }
    status = 200
    if current == "overzicht":
        context["recent"] = timeline[:5]
    elif current == "tijdlijn":
        context["timeline_page"] = list_page(
            request, timeline, TIMELINE_SORTS, default="-datum", per_page=TIMELINE_PAGE
        )
        status = context["timeline_page"].status
    elif current == "delen":
        context["suggestions"] = suggest_partners(
            municipality, {s.theme for s in case.signals.select_related("theme")}
        )
    return render(request, "cases/case.html", context, status=status)


def case_action_context(case, title, **extra) -> dict:
    """What every action page of a case shows around its form (ui/action.html)."""
    return {
        "object_url": reverse("cases:case", args=[case.municipality.cbs_code, case.pk]),
        "object_label": case_label(case),
        "title": title,
        "case": case,
    } | extra


def _status(case, d, r):
    actions.change_status(case, d["status"], d["version"], actor=r.user, request=r)


def _note(case, d, r):
    actions.add_note(case, d["text"], actor=r.user, request=r, corrects=d.get("corrects"),
                     version=d["version"])  # fmt: skip


def _task(case, d, r):
    actions.add_task(case, d["title"], d["due_date"], actor=r.user, request=r, user=d["user"],
                     organisation=d["organisation"], agreement=d["agreement"], team=d["team"],
                     location=location_of(d), version=d["version"])  # fmt: skip


def _intervention(case, d, r):
    actions.add_intervention(case, d["kind"], d["decided_on"], d["decided_by"], d["follow_up"],
                             actor=r.user, request=r, version=d["version"])  # fmt: skip


def _close(case, d, r):
    actions.close_case(case, d["result"], d["text"], d["version"], actor=r.user, request=r,
                       public_text=d["public_text"], keep_shares=d["keep_shares"],
                       withdraw_open_tasks=d.get("withdraw_tasks", False))  # fmt: skip


def _reopen(case, d, r):
    actions.reopen_case(case, d["reason"], d["version"], actor=r.user, request=r,
                        public_text=d["public_text"])  # fmt: skip


# step: (form, action, title, success message, section of the case page to return to)
STEPS = {
    steps.STATUS: (StatusForm, _status, gettext_lazy("Status wijzigen"),
                   gettext_lazy("De status is gewijzigd."), None),
    steps.NOTE: (NoteForm, _note, gettext_lazy("Notitie toevoegen"),
                 gettext_lazy("De notitie staat op de tijdlijn."), "tijdlijn"),
    steps.TASK: (TaskForm, _task, gettext_lazy("Taak toevoegen"),
                 gettext_lazy("De taak is toegevoegd."), "taken"),
    steps.INTERVENTION: (InterventionForm, _intervention, gettext_lazy("Interventie vastleggen"),
                         gettext_lazy("De interventie is vastgelegd."), "interventies"),
    steps.CLOSE: (CloseForm, _close, gettext_lazy("Casus afsluiten"),
                  gettext_lazy("De casus is afgesloten."), None),
    steps.REOPEN: (ReopenForm, _reopen, gettext_lazy("Casus heropenen"),
                   gettext_lazy("De casus is heropend."), None),
}  # fmt: skip
STEP_TEMPLATES = {steps.CLOSE: "cases/close.html"}


@municipality_view("cases.work", ["GET", "POST"])
def case_step(request, municipality, pk, step):
    """One step on a case, on its own page: GET shows the form (or why the case does not
    allow the step now), POST runs it (ui.action_page)."""
    if step not in STEPS:
        raise Http404
    case = get_case_for(request, municipality, pk, reason="edit")
    form_class, run, title, done, section = STEPS[step]
    initial = {}
    if step == steps.STATUS and request.GET.get("status"):
        initial["status"] = request.GET["status"]
    form = form_class(request.POST if request.method == "POST" else None, case=case,
                      initial=initial)  # fmt: skip
    context = case_action_context(case, title)
    if request.method == "GET":
        context["refusal"] = steps.refusal(case, step)
    return action_page(
        request,
        form,
        lambda data: run(case, data, request),
        success_url=section_url(context["object_url"], section),
        context=context,
        template=STEP_TEMPLATES.get(step, "ui/action.html"),
        success_message=done,
    )


@municipality_view("cases.work", ["GET", "POST"])
def case_assign(request, municipality, pk):
    """Behandelaar (the regisseur) en streefdatum of a case: reassign or take over
    (?overnemen=1 proposes the user), and move the streefdatum with a reason; on the
    timeline; refused from a stale page and on a closed case."""
    case = get_case_for(request, municipality, pk, reason="edit")
    context = case_action_context(
        case,
        _("Behandelaar en streefdatum"),
        intro=assignment_intro(case.owner, case.due_date, case.due_date_reason),
        submit_label=_("Vastleggen"),
    )
    if request.method == "GET" and case.is_closed:
        context["refusal"] = _(
            "Deze casus is afgesloten. Heropen haar eerst, met een reden, om iets te wijzigen."
        )
    form = AssignForm(
        request.POST if request.method == "POST" else None,
        municipality=municipality,
        rule="cases.work",
        handler=case.owner,
        due_date=case.due_date,
        version=case.version,
        initial={"handler": request.user.pk} if request.GET.get("overnemen") else {},
    )
    form.fields["handler"].label = _("Behandelaar (regisseur)")
    return action_page(
        request,
        form,
        lambda d: actions.assign_case(case, d["handler"], d["due_date"], d["reason"],
                                      d["version"] or 0, actor=request.user, request=request),
        success_url=section_url(context["object_url"], "tijdlijn"),
        context=context,
        success_message=_("Behandelaar en streefdatum zijn vastgelegd."),
    )  # fmt: skip


@municipality_view("cases.work", ["GET", "POST"])
def task_complete(request, municipality, pk, task):
    case = get_case_for(request, municipality, pk, reason="edit")
    found = case.tasks.select_related("owner_user", "owner_organisation").filter(pk=task).first()
    if found is None:
        # A task of another case (or none): audited as denied, like a foreign case.
        record(Action.DENIED, request=request, municipality=municipality, object_type="task",
               object_id=task, reason="edit", result=Result.DENIED)  # fmt: skip
        raise Http404
    form = CaseCompleteForm(request.POST if request.method == "POST" else None, case=case)
    context = case_action_context(
        case,
        _("Taak afronden"),
        intro=_("%(t)s — %(o)s, uiterlijk %(d)s")
        % {"t": found.title, "o": found.owner_label, "d": date_format(found.due_date)},
    )
    if request.method == "GET":
        context["refusal"] = steps.refusal(case, steps.COMPLETE) or (
            _("Deze taak is al afgerond.") if found.completed_at else None
        ) or (_("Deze taak is vervallen.") if found.withdrawn_at else None)  # fmt: skip
    return action_page(
        request,
        form,
        lambda d: actions.complete_task(
            found, d["result"], actor=request.user, request=request, version=d["version"]
        ),  # fmt: skip
        success_url=section_url(context["object_url"], "taken"),
        context=context,
        success_message=_("De taak is afgerond."),
    )


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
    meetings = list_page(
        request, Meeting.objects.filter(municipality=municipality), MEETING_SORTS, default="-datum"
    )
    return render(
        request,
        "cases/meeting_list.html",
        {"meetings": meetings, "form": form},
        status=400 if form.errors else meetings.status,
    )


def get_meeting_for(request, municipality, pk, reason="casusregie") -> Meeting:
    """A meeting of `municipality`; another's id is a 404 audited as denied."""
    meeting = Meeting.objects.filter(municipality=municipality, pk=pk).first()
    record(
        Action.VIEW if meeting else Action.DENIED,
        request=request,
        municipality=municipality,
        object_type="meeting",
        object_id=pk,
        reason=reason,
        result=Result.SUCCESS if meeting else Result.DENIED,
    )
    if meeting is None:
        raise Http404
    return meeting


@municipality_view("cases.work")
def meeting_detail(request, municipality, pk):
    """The meeting page: header with kind, date, who attends; sections Agenda · Verslag. Each
    action (agenderen, besluit, verslag per punt, algemeen verslag) has its own page."""
    meeting = get_meeting_for(request, municipality, pk)
    agenda = list(
        meeting.agenda.select_related("case").prefetch_related("shared_with", "decisions")
    )
    tabs, current = sections(
        request, [("agenda", _("Agenda"), len(agenda)), ("verslag", _("Verslag"))]
    )
    held = meeting.held_on <= timezone.localdate()
    return render(
        request,
        "cases/meeting.html",
        {
            "meeting": meeting,
            "agenda": agenda,
            "tabs": tabs,
            "section": current,
            "status": _("gehouden") if held else _("gepland"),
            "badge_tone": "neutral" if held else "info",
            "attendees": meeting.attendees.all(),
            "partners": meeting.partners.all(),
        },
    )


def _agenda(meeting, item, d, r):
    actions.add_agenda_item(meeting, d["case"], actor=r.user, request=r,
                            shared_with=d["shared_with"])  # fmt: skip


def _minutes(meeting, item, d, r):
    actions.write_minutes(meeting, d["minutes"], actor=r.user, request=r, version=d["version"])


def _item_minutes(meeting, item, d, r):
    actions.write_item_minutes(item, d["minutes"], actor=r.user, request=r,
                               version=d["version"])  # fmt: skip


def _decision(meeting, item, d, r):
    task = intervention = None
    if d["task_title"]:
        task = {
            "title": d["task_title"],
            "due_date": d["task_due"],
            "organisation": d["task_organisation"],
            "team": d["task_team"],
            "agreement": d["task_agreement"],
            "location": location_of(d),
        }
    if d["intervention"]:
        intervention = {"kind": d["intervention"], "decided_on": meeting.held_on,
                        "decided_by": d["decided_by"], "follow_up": d["text"]}  # fmt: skip
    actions.record_decision(item, d["text"], actor=r.user, request=r, task=task,
                            intervention=intervention)  # fmt: skip


# step: (form factory, action, title, success message, section to return to, needs an item)
MEETING_STEPS = {
    "agenderen": (lambda m, i, data: AgendaForm(data, meeting=m), _agenda,
                  gettext_lazy("Casus agenderen"), gettext_lazy("De casus staat op de agenda."),
                  None, False),
    "verslag": (lambda m, i, data: MinutesForm(data, minutes_of=m), _minutes,
                gettext_lazy("Algemeen verslag"), gettext_lazy("Het verslag is opgeslagen."),
                "verslag", False),
    "besluit": (lambda m, i, data: DecisionForm(data, meeting=m), _decision,
                gettext_lazy("Besluit vastleggen"), gettext_lazy("Het besluit staat op de "
                "tijdlijn van de casus."), None, True),
    "puntverslag": (lambda m, i, data: ItemMinutesForm(data, minutes_of=i),
                    _item_minutes, gettext_lazy("Verslag van een agendapunt"),
                    gettext_lazy("Het verslag van het agendapunt is opgeslagen."), None, True),
}  # fmt: skip


@municipality_view("cases.work", ["GET", "POST"])
def meeting_step(request, municipality, pk, step, item=None):
    """One action on a meeting (or one of its agenda items), on its own page."""
    if step not in MEETING_STEPS:
        raise Http404
    make_form, run, title, done, section, per_item = MEETING_STEPS[step]
    if per_item != (item is not None):
        raise Http404
    meeting = get_meeting_for(request, municipality, pk, reason="edit")
    found = None
    if per_item:
        found = meeting.agenda.select_related("case").filter(pk=item).first()
        if found is None:
            raise Http404
    form = make_form(meeting, found, request.POST if request.method == "POST" else None)
    object_url = reverse("cases:meeting", args=[municipality.cbs_code, meeting.pk])
    context = {
        "object_url": object_url,
        "object_label": str(meeting),
        "title": title,
        "intro": _("Agendapunt: %(n)s %(t)s") % {"n": found.case.number, "t": found.case.title}
        if found
        else None,
    }
    return action_page(
        request,
        form,
        lambda data: run(meeting, found, data, request),
        success_url=section_url(object_url, section),
        context=context,
        success_message=done,
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
    meetings = list_page(request, meetings, {"datum": MEETING_SORTS["datum"]}, default="-datum")
    rows = [(m, list(actions.agenda_for_partner(m, organisation).prefetch_related("decisions")))
            for m in meetings]  # fmt: skip
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
    return render(
        request,
        "cases/partner_agenda.html",
        {"rows": rows, "listing": meetings},
        status=meetings.status,
    )
