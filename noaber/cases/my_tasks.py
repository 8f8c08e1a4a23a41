"""'Mijn taken': the tasks the advisors gave a person (an enforcer, an employee) or a team of
theirs, to read and complete. Need-to-know: the task text, its due date, its location and the
case's number — not the case's title, timeline, signals, subjects, notes or shares, which stay
with the advisors. Every view is audited; a task that is not the user's (or their team's) is
a 404, audited as denied."""

import re

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from noaber.accounts.access import municipality_view
from noaber.audit.actions import record
from noaber.audit.models import Action, Result
from noaber.lib.pages import action_page

from . import actions, selectors
from .forms import CompleteForm

REASON = "my_tasks"


@municipality_view("cases.my_tasks")
def my_tasks(request, municipality):
    tasks = list(selectors.open_tasks_of(request.user, municipality))
    # Audited even when empty: who looked, and which tasks they were shown.
    record(Action.VIEW, request=request, municipality=municipality, object_type="task",
           reason=REASON, detail={"tasks": [t.pk for t in tasks]})  # fmt: skip
    return render(request, "cases/my_tasks.html", {"tasks": tasks, "today": timezone.localdate()})


@municipality_view("cases.my_tasks", ["GET", "POST"])
def complete(request, municipality):
    """Complete one of one's own tasks or one's team's: ?taak=<id>. The id is in the query,
    not the path, because the page exists only for the task's owner; without one: back to the
    list. A task done or lapsed meanwhile says so (GET) or is refused (POST, from a stale page)
    by actions.complete_task."""
    back = reverse("cases:my_tasks", args=[municipality.cbs_code])
    pk = request.GET.get("taak", "")
    if not pk:
        return redirect(back)
    if not re.fullmatch(r"[0-9]{1,18}", pk):
        record(Action.DENIED, request=request, municipality=municipality, object_type="task",
               reason=REASON, result=Result.DENIED)  # fmt: skip
        raise Http404
    task = selectors.tasks_of(request.user, municipality).filter(pk=pk).first()
    record(
        Action.VIEW if task else Action.DENIED,
        request=request,
        municipality=municipality,
        object_type="task",
        object_id=pk,
        reason=REASON,
        result=Result.SUCCESS if task else Result.DENIED,
    )
    if task is None:
        raise Http404
    context = {
        "object_url": back,
        "object_label": _("mijn taken"),
        "title": _("Taak afronden"),
        "task": task,
        "today": timezone.localdate(),
        "submit_label": _("Afronden"),
    }
    if request.method == "GET" and (refusal := _refusal(task)):
        # Done or lapsed meanwhile (by a team mate, or the case closed): say so, no form.
        context["refusal"] = refusal
    return action_page(
        request,
        CompleteForm(request.POST or None),
        lambda d: actions.complete_task(task, d["result"], actor=request.user, request=request),
        success_url=back,
        success_message=_("Taak afgerond: %(t)s") % {"t": task.title},
        context=context,
        template="cases/my_task_complete.html",
    )


def _refusal(task) -> str | None:
    if task.completed_at:
        return _("Deze taak is al afgerond op %(d)s.") % {
            "d": timezone.localtime(task.completed_at).strftime("%d-%m-%Y %H:%M")
        }
    if task.withdrawn_at:
        return _("Deze taak is vervallen.")
    if task.case.is_closed:
        return _("De casus van deze taak is afgesloten; de taak kan niet meer worden afgerond.")
    return None
