"""Background work of the meldpunt: notices to advisors and pruning of throttle counts."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from noaber.accounts.models import Role
from noaber.accounts.tasks import recipients
from noaber.jobs.outbox import send_notice
from noaber.jobs.schedule import periodic

from .models import Report
from .throttle import prune


@task()
def notify_new_report(report_id: int, message_id: int | None = None) -> int:
    """Tell the advisors that something arrived (the report, or a reporter's message on it),
    without any content of the report; once per report and once per message."""
    report = Report.objects.select_related("municipality").get(pk=report_id)
    to = recipients([Role.ADVISOR], [report.municipality_id])
    if not to:
        return 0
    link = reverse("intake:inbox", args=[report.municipality.cbs_code])
    return send_notice(
        f"report-message:{message_id}" if message_id else f"new-report:{report.pk}",
        _("Noaber: nieuwe informatie bij het meldpunt"),
        _(
            "Er is nieuwe informatie binnengekomen bij het meldpunt van %(municipality)s "
            "(melding %(number)s). Log in op Noaber om haar te bekijken: %(link)s"
        )
        % {"municipality": report.municipality.name, "number": report.number, "link": link},
        to,
    )


@periodic(hours=24)
@task()
def prune_throttle_hits() -> int:
    """Rate-limit counts older than a day are of no use and are removed."""
    return prune()
