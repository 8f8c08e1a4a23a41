"""Reads of the meldpunt that other apps need (counts only; no report content leaves here)."""

from django.db.models import Count, F
from django.db.models.functions import TruncDate

from .models import Report, Status


def new_report_count(municipality) -> int:
    """Reports not yet turned into a signal and not closed: the advisors' new work."""
    return (
        Report.objects.filter(municipality=municipality, signals__isnull=True)
        .exclude(status=Status.CLOSED)
        .count()
    )


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
