"""Recount the register's aggregates every night (the dashboards read the counts)."""

import hashlib

from django_tasks import task

from noaber.accounts.models import Municipality
from noaber.jobs.schedule import periodic

from .aggregates import refresh_register_counts


@periodic(hours=24)
@task()
def refresh_all_register_counts() -> int:
    return sum(refresh_register_counts(m) for m in Municipality.objects.all())


@periodic(days=7)
@task()
def detect_all_peaks() -> int:
    """Every week: judge last week's series of every municipality."""
    from .alerts import detect_for

    return sum(len(detect_for(m).new) for m in Municipality.objects.all())


@task()
def detect_police_months(months: list[list[int]]) -> int:
    """After an import: judge the months that arrived for the police's monthly series
    ([indicator id, region id, year, month]; see importers.store). Returns the new alerts."""
    from .alerts import detect_new_months

    return sum(len(summary.new) for summary in detect_new_months(months))


@task()
def notify_alerts(municipality_id: int, alert_ids: list[int]) -> int:
    """E-mail the municipality's advisors: series, week or month and counts only (no personal
    data)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from noaber.accounts.models import Role, User
    from noaber.jobs.outbox import send_notice

    from .models import Alert

    municipality = Municipality.objects.get(pk=municipality_id)
    alerts = Alert.objects.filter(pk__in=alert_ids)
    to = list(
        User.objects.filter(
            memberships__municipality=municipality, memberships__role=Role.ADVISOR, is_active=True
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    if not to or not alerts:
        return 0
    lines = [
        _("%(s)s, %(p)s: %(o)d waargenomen, verwacht %(e).1f, bovengrens %(u).1f")
        % {"s": a.series_label, "p": a.period_label, "o": a.observed, "e": a.expected,
           "u": a.upper}
        for a in alerts
    ]  # fmt: skip
    body = "\n".join(
        [_("Noaber zag ongewone pieken in %(m)s:") % {"m": municipality.name}, "", *lines, "",
         _("Bekijk ze in Noaber onder Veiligheidsbeeld → Pieken: %(url)s")
         % {"url": reverse("insight:alerts", args=[municipality.cbs_code])}]
    )  # fmt: skip
    ids = ",".join(str(pk) for pk in sorted(alerts.values_list("pk", flat=True)))
    if not send_notice(
        f"peak-alerts:{municipality_id}:{hashlib.sha256(ids.encode()).hexdigest()[:16]}",
        _("Noaber: %(n)d nieuwe piekmelding(en) in %(m)s")
        % {"n": len(lines), "m": municipality.name},
        body,
        to,
    ):
        return 0
    return len(to)
