"""The IVP, its uitvoeringsplan board, actions with progress, and activities."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from noaber.accounts.access import can, municipality_view
from noaber.lib.dates import today
from noaber.lib.paging import Sort, list_page

from . import actions
from .forms import ActionForm, ActivityForm, ProgressForm
from .models import Action, Activity, Plan


def current_plan(municipality) -> Plan | None:
    """The plan covering this year, else the most recent one."""
    plans = Plan.objects.filter(municipalities=municipality)
    year = today().year
    return plans.filter(start_year__lte=year, end_year__gte=year).first() or plans.first()


def _plan_or_404(municipality) -> Plan:
    plan = current_plan(municipality)
    if plan is None:
        raise Http404(_("Deze gemeente heeft (nog) geen integraal veiligheidsplan in Noaber."))
    return plan


def get_action_for(municipality, pk) -> Action:
    return get_object_or_404(
        Action.objects.select_related("priority__plan", "owner"),
        pk=pk,
        priority__plan__municipalities=municipality,
    )


@municipality_view("policy.view")
def plan(request, municipality):
    found = current_plan(municipality)
    priorities = (
        found.priorities.prefetch_related("partners", "themes", "indicators") if found else []
    )
    return render(
        request, "policy/plan.html", {"plan": found, "priorities": priorities,
                                      "others": Plan.objects.filter(municipalities=municipality)},
    )  # fmt: skip


@municipality_view("policy.view")
def board(request, municipality):
    found = _plan_or_404(municipality)
    columns = Action.Status.choices
    rows = []
    for priority in found.priorities.all():
        actions_here = list(
            priority.actions.select_related("owner").prefetch_related("partners", "notes")
        )
        rows.append(
            {
                "priority": priority,
                "columns": [
                    (label, [a for a in actions_here if a.status == value])
                    for value, label in columns
                ],
                "total": len(actions_here),
            }
        )
    return render(
        request,
        "policy/board.html",
        {"plan": found, "rows": rows,
         "may_manage": can(request.user, "policy.manage", municipality)},
    )  # fmt: skip


@municipality_view("policy.manage", ["GET", "POST"])
def action_create(request, municipality):
    found = _plan_or_404(municipality)
    form = ActionForm(request.POST or None, plan=found, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            action = actions.create_action(
                data["priority"], data, actor=request.user, request=request,
                municipality=municipality,
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("De actie is toegevoegd aan het uitvoeringsplan."))
            return redirect("policy:action", municipality.cbs_code, action.pk)
    return render(request, "policy/action_form.html", {"form": form, "plan": found})


def _action_page(request, municipality, action, form=None):
    return render(
        request,
        "policy/action.html",
        {
            "action": action,
            "notes": action.notes.select_related("author"),
            "form": form or ProgressForm(),
            "may_manage": can(request.user, "policy.manage", municipality),
        },
    )


@municipality_view("policy.view")
def action_detail(request, municipality, pk):
    return _action_page(request, municipality, get_action_for(municipality, pk))


@municipality_view("policy.manage", ["POST"], page=False)
def action_note(request, municipality, pk):
    action = get_action_for(municipality, pk)
    form = ProgressForm(request.POST)
    if not form.is_valid():
        return _action_page(request, municipality, action, form)
    try:
        actions.add_progress(action, form.cleaned_data["text"], form.cleaned_data["status"],
                             actor=request.user, request=request,
                             municipality=municipality)  # fmt: skip
    except ValidationError as error:
        form.add_error(None, error)
        return _action_page(request, municipality, action, form)
    messages.success(request, _("De voortgang is vastgelegd."))
    return redirect("policy:action", municipality.cbs_code, action.pk)


ACTIVITY_SORTS = {
    "datum": Sort("held_on", gettext_lazy("Datum")),
    "soort": Sort("kind", gettext_lazy("Soort")),
}


def _activities_page(request, municipality, found, form=None, status=200):
    activities = Activity.objects.filter(priority__plan=found).select_related("priority")
    listing = list_page(request, activities, ACTIVITY_SORTS, default="-datum")
    context = {
        "plan": found,
        "form": form or ActivityForm(plan=found),
        "may_manage": can(request.user, "policy.manage", municipality),
        "listing": listing,
    }
    return render(request, "policy/activities.html", context, status=max(status, listing.status))


@municipality_view("policy.view")
def activities(request, municipality):
    return _activities_page(request, municipality, _plan_or_404(municipality))


@municipality_view("policy.manage", ["POST"], page=False)
def activity_create(request, municipality):
    found = _plan_or_404(municipality)
    form = ActivityForm(request.POST, plan=found)
    if not form.is_valid():
        return _activities_page(request, municipality, found, form)
    try:
        actions.add_activity(form.cleaned_data["priority"], form.cleaned_data,
                             actor=request.user, request=request,
                             municipality=municipality)  # fmt: skip
    except ValidationError as error:
        form.add_error(None, error)
        return _activities_page(request, municipality, found, form)
    messages.success(request, _("De activiteit is vastgelegd."))
    return redirect("policy:activities", municipality.cbs_code)
