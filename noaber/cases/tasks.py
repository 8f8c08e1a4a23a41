"""Reminders for case tasks: a daily e-mail to owners of tasks due tomorrow or overdue (for a
team's task: to each active team's members)."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from noaber.jobs.outbox import send_notice
from noaber.jobs.schedule import periodic

from .models import Task


@periodic(hours=24)
@task()
def send_task_reminders() -> int:
    """One e-mail per task per day, to the user who owns it or the members of the team that
    owns it; no case content beyond its number. The notice and the day it was sent for are
    stored together, so a second run on the same day mails nobody again."""
    today = timezone.localdate()
    due = (
        Task.objects.filter(
            completed_at__isnull=True,
            withdrawn_at__isnull=True,
            due_date__lte=today + timedelta(days=1),
        )
        .filter(Q(owner_user__isnull=False) | Q(owner_team__active=True))
        .exclude(reminded_on=today)
        .select_related("case", "owner_user")
        .prefetch_related("owner_team__members")
    )
    sent = 0
    for item in due:
        if item.owner_user_id:
            recipients = [item.owner_user.email]
        else:
            recipients = [m.email for m in item.owner_team.members.all() if m.is_active]
        recipients = [r for r in recipients if r]
        if not recipients:
            continue
        overdue = item.due_date < today
        with transaction.atomic():
            sent += send_notice(
                f"task-reminder:{item.pk}:{today.isoformat()}",
                _("Noaber: taak %(state)s")
                % {"state": _("verlopen") if overdue else _("bijna verlopen")},
                _("Uw taak '%(title)s' bij casus %(case)s moest uiterlijk %(date)s af. Zie Noaber.")
                % {
                    "title": item.title,
                    "case": item.case.number,
                    "date": item.due_date.strftime("%d-%m-%Y"),
                },
                recipients,
            )
            Task.objects.filter(pk=item.pk).update(reminded_on=today)
    return sent
