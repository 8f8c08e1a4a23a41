"""The register's own figures: how many reports, signals and cases per theme, area and ISO
week. Counted from the register into RegisterCount by a periodic job, so dashboards read a
small table instead of a million rows; only counts leave the register, and small counts are
suppressed when shown so nobody can be recognised."""

from collections import Counter, defaultdict
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Sum

from noaber.cases import selectors as case_selectors
from noaber.intake import selectors as intake_selectors
from noaber.registry import selectors as registry_selectors

from .models import RegisterCount

# Counts from 1 up to this threshold (exclusive) are shown as "< N" (CBS practice for
# small cells). Zero is shown: it reveals nothing about anyone.
SUPPRESS_BELOW = getattr(settings, "NOABER_SUPPRESS_BELOW", 5)


def _week_of(day: date) -> tuple[int, int, int]:
    """(ISO year, ISO week, calendar month of that week's Thursday)."""
    iso = day.isocalendar()
    thursday = date.fromisocalendar(iso.year, iso.week, 4)
    return iso.year, iso.week, thursday.month


def _daily(municipality, kind):
    """(day, theme_id, area_id, count) rows for one kind, from the owning app's selectors."""
    if kind == RegisterCount.Kind.REPORT:
        return intake_selectors.daily_report_counts(municipality)
    if kind == RegisterCount.Kind.SIGNAL:
        return registry_selectors.daily_signal_counts(municipality)
    return case_selectors.daily_case_counts(municipality)


@transaction.atomic
def refresh_register_counts(municipality) -> int:
    """Recount one municipality from scratch (idempotent); returns the number of cells."""
    RegisterCount.objects.filter(municipality=municipality).delete()
    cells = []
    for kind in RegisterCount.Kind.values:
        weekly: Counter = Counter()
        for day, theme_id, area_id, n in _daily(municipality, kind):
            if day is None:
                continue
            weekly[(theme_id, area_id, *_week_of(day))] += n
        cells += [
            RegisterCount(
                municipality=municipality,
                kind=kind,
                theme_id=theme_id,
                area_id=area_id,
                year=year,
                week=week,
                month=month,
                count=n,
            )  # fmt: skip
            for (theme_id, area_id, year, week, month), n in weekly.items()
        ]
    RegisterCount.objects.bulk_create(cells, batch_size=2000)
    return len(cells)


def shown(count: int | None) -> str | int | None:
    """A count as it may be shown: small non-zero counts become '< 5'."""
    if count is None:
        return None
    if 0 < count < SUPPRESS_BELOW:
        return f"< {SUPPRESS_BELOW}"
    return count


def counts_by(municipalities, year: int, field: str) -> dict:
    """{(kind, value of `field`): count} for the given year, summed over municipalities;
    `field` is "theme", "theme__domain", "area" or "month"."""
    rows = (
        RegisterCount.objects.filter(municipality__in=municipalities, year=year)
        .values("kind", field)
        .annotate(total=Sum("count"))
        .order_by()
    )
    return {(r["kind"], r[field]): r["total"] for r in rows}


def yearly_totals(municipalities, years) -> dict:
    """{(kind, year): count}."""
    rows = (
        RegisterCount.objects.filter(municipality__in=municipalities, year__in=list(years))
        .values("kind", "year")
        .annotate(total=Sum("count"))
        .order_by()
    )
    result = defaultdict(int)
    for r in rows:
        result[(r["kind"], r["year"])] = r["total"]
    return result


# Bands of the staff map's colours: 0, 1–4 (shown as "< 5", the same band as a suppressed
# count), then up to 20, up to 50, and more. Upper bounds, exclusive.
MAP_BANDS = (1, SUPPRESS_BELOW, 20, 50)


def map_band(count: int) -> int:
    """The colour band (0–4) of a count on the staff map."""
    return sum(1 for bound in MAP_BANDS if count >= bound)


def counts_by_area(municipality, year: int, theme=None) -> dict:
    """{(kind, area_id): count} of one municipality's year, optionally for one theme."""
    rows = RegisterCount.objects.filter(municipality=municipality, year=year)
    if theme is not None:
        rows = rows.filter(theme=theme)
    rows = rows.values("kind", "area").annotate(total=Sum("count")).order_by()
    return {(r["kind"], r["area"]): r["total"] for r in rows}
