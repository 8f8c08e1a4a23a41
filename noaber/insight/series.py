"""Weekly series from the register for peak detection: reports and signals per theme,
reports per area and per category, per ISO week. A week before the municipality's first
registration has no data (None); a later week without reports is a zero. The two differ."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Min, Sum
from django.utils.translation import gettext as _

from noaber.intake import selectors as intake_selectors
from noaber.intake.models import Area, Category
from noaber.themes.models import Theme

from .models import RegisterCount

# How much history the detection reads (five years back plus the current year).
HISTORY_WEEKS = 6 * 52 + 1


@dataclass
class Series:
    key: str
    label: str
    weeks: list[tuple[int, int]]
    counts: list[int | None] = field(default_factory=list)

    @property
    def week_of_year(self) -> list[int]:
        return [w for _y, w in self.weeks]


def week_list(end: tuple[int, int], n: int = HISTORY_WEEKS) -> list[tuple[int, int]]:
    """The n ISO weeks up to and including `end` (iso year, week)."""
    monday = date.fromisocalendar(end[0], end[1], 1)
    weeks = []
    for i in range(n - 1, -1, -1):
        iso = (monday - timedelta(weeks=i)).isocalendar()
        weeks.append((iso.year, iso.week))
    return weeks


def last_complete_week(today: date) -> tuple[int, int]:
    iso = (today - timedelta(days=today.isoweekday())).isocalendar()  # last Sunday's week
    return iso.year, iso.week


def _first_week(municipality) -> tuple[int, int] | None:
    row = RegisterCount.objects.filter(municipality=municipality).aggregate(year=Min("year"))
    if row["year"] is None:
        return None
    week = RegisterCount.objects.filter(municipality=municipality, year=row["year"]).aggregate(
        week=Min("week")
    )["week"]
    return row["year"], week


def register_series(municipality, end: tuple[int, int]) -> list[Series]:
    """All series of the municipality with any count in the window."""
    weeks = week_list(end)
    index = {w: i for i, w in enumerate(weeks)}
    first = _first_week(municipality)
    cells = defaultdict(lambda: [0] * len(weeks))
    rows = (
        RegisterCount.objects.filter(municipality=municipality, year__gte=weeks[0][0])
        .values("kind", "theme_id", "area_id", "year", "week")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for r in rows:
        i = index.get((r["year"], r["week"]))
        if i is None:
            continue
        if r["theme_id"] is not None and r["kind"] in ("report", "signal"):
            cells[(f"{r['kind']}-theme", r["theme_id"])][i] += r["n"]
        if r["area_id"] is not None and r["kind"] == "report":
            cells[("report-area", r["area_id"])][i] += r["n"]
    cells.update(_category_cells(municipality, weeks, index))
    themes = {t.pk: t for t in Theme.objects.all()}
    areas = {a.pk: a for a in Area.objects.filter(municipality=municipality)}
    categories = {c.pk: c for c in Category.objects.all()}
    labels = {
        "report-theme": lambda pk: _("Meldingen, thema %(t)s") % {"t": themes[pk]},
        "signal-theme": lambda pk: _("Signalen, thema %(t)s") % {"t": themes[pk]},
        "report-area": lambda pk: _("Meldingen in %(a)s") % {"a": areas[pk].name},
        "report-category": lambda pk: _("Meldingen: %(c)s") % {"c": categories[pk]},
    }
    result = []
    for (kind, pk), counts in sorted(cells.items(), key=lambda item: (item[0][0], item[0][1])):
        if not any(counts):
            continue
        # Weeks before the first registration have no data: None, not zero.
        masked = [
            None if first is None or w < first else c for w, c in zip(weeks, counts, strict=True)
        ]
        result.append(Series(f"{kind}:{pk}", labels[kind](pk), weeks, masked))
    return result


def _category_cells(municipality, weeks, index) -> dict:
    """Reports per category per week (the category is a report's own field)."""
    start = date.fromisocalendar(weeks[0][0], weeks[0][1], 1)
    cells = defaultdict(lambda: [0] * len(weeks))
    for day, category_id, n in intake_selectors.daily_category_counts(municipality, start):
        iso = day.isocalendar()
        i = index.get((iso.year, iso.week))
        if i is not None:
            cells[("report-category", category_id)][i] += n
    return dict(cells)


def series_for(municipality, key: str, end: tuple[int, int]) -> Series | None:
    return next((s for s in register_series(municipality, end) if s.key == key), None)
