"""Reads of the meldpunt that other apps need (counts only; no report content leaves here)."""

from django.db.models import Count, F
from django.db.models.functions import TruncDate

from noaber.lib.deadlines import overdue_first

from .models import Report, Status


def new_reports(municipality):
    """Reports not yet turned into a signal and not closed: the advisors' new work (the
    dashboard counts them, the meldingen list filtered on "nieuw" shows them)."""
    return Report.objects.filter(municipality=municipality, signals__isnull=True).exclude(
        status=Status.CLOSED
    )


def new_report_count(municipality) -> int:
    return new_reports(municipality).count()


def may_become_signal(report: Report) -> bool:
    """Whether `report` may still be registered as a signal: not closed and not in a signal
    yet. The report page offers "Registreer als signaal" by this rule, and the register's
    conversion refuses by it."""
    return report.status != Status.CLOSED and not report.signals.exists()


def report_place(report: Report) -> str:
    """Where a report says it happened, as one line: address and map point (no area)."""
    parts = []
    if report.postcode:
        code = report.postcode
        code = f"{code[:4]} {code[4:]}" if len(code) == 6 else code
        number = f"{report.house_number or ''}{report.house_number_addition}".strip()
        parts.append(f"{code} {number}".strip())
    if report.latitude is not None and report.longitude is not None:
        parts.append(f"({report.latitude}, {report.longitude})")
    return " ".join(parts)


def daily_report_counts(municipality):
    """(day, theme id, area id, count) of the municipality's reports, grouped in the database."""
    rows = (
        Report.objects.filter(municipality=municipality)
        .values(
            day=TruncDate("created_at"), theme_key=F("category__theme_id"), area_key=F("area_id")
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        yield row["day"], row["theme_key"], row["area_key"], row["n"]


def daily_category_counts(municipality, since):
    """(day, category id, count) of the reports since `since`, grouped in the database."""
    rows = (
        Report.objects.filter(municipality=municipality, created_at__date__gte=since)
        .values("category_id", day=TruncDate("created_at"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        yield row["day"], row["category_id"], row["n"]


def reports_overdue_first(queryset):
    """Reports ordered overdue first, then by streefdatum (noaber.lib.deadlines); each has
    `overdue`. For the meldingen list: `reports_overdue_first(<its filtered queryset>)`."""
    return overdue_first(queryset)


def open_reports_of(user, municipality):
    """The reports `user` is behandelaar of and that are not closed, overdue first."""
    return reports_overdue_first(
        Report.objects.filter(municipality=municipality, handler=user)
        .exclude(status=Status.CLOSED)
        .select_related("category")
    )
