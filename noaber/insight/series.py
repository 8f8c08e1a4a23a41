"""Series for peak detection. Weekly, from the register: reports and signals per theme,
reports per area and per category, per ISO week. A week before the municipality's first
registration has no data (None); a later week without reports is a zero. The two differ.
Monthly, from the police's imported figures (47022NED): registered crimes per kind and region
per month; a month absent or suppressed is None."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Min, Sum
from django.utils.translation import gettext as _

from noaber.intake import selectors as intake_selectors
from noaber.intake.models import Area, Category
from noaber.themes.models import Theme

from .models import Indicator, Period, Region, RegisterCount, Value

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


# --- The police's monthly figures (47022NED) ------------------------------------------------

# How many months the monthly detection reads (five years back plus the current year).
HISTORY_MONTHS = 6 * 12 + 1


@dataclass
class MonthlySeries:
    """Registered crimes of one kind in one region (municipality, wijk or buurt) per month, as
    the police publish them. A month absent from the imports and a month the police suppressed
    (``null``) are both None: no data, never zero."""

    key: str
    label: str
    months: list[tuple[int, int]]
    counts: list[int | None] = field(default_factory=list)


def police_key(indicator_id: int, region_id: int) -> str:
    return f"police-month:{indicator_id}:{region_id}"


def month_list(end: tuple[int, int], n: int = HISTORY_MONTHS) -> list[tuple[int, int]]:
    """The n months up to and including `end` (year, month)."""
    first = end[0] * 12 + end[1] - 1 - (n - 1)
    return [((first + i) // 12, (first + i) % 12 + 1) for i in range(n)]


def _police_values(municipality):
    from .importers.odata import POLICE_47022

    return Value.objects.filter(
        period_type=Period.MONTH,
        source=POLICE_47022.source,
        region__municipality=municipality,
        indicator__unit=Indicator.Unit.COUNT,
    )


def newest_police_month(municipality) -> tuple[int, int] | None:
    """The newest month of the municipality's imported police figures (with a value)."""
    row = (
        _police_values(municipality)
        .filter(value__isnull=False)
        .order_by("-year", "-number")
        .values_list("year", "number")
        .first()
    )
    return tuple(row) if row else None


def _region_label(region) -> str:
    if region.kind == Region.Kind.DISTRICT:
        return _("wijk %(name)s") % {"name": region.name}
    if region.kind == Region.Kind.NEIGHBOURHOOD:
        return _("buurt %(name)s") % {"name": region.name}
    return region.name


def police_series(municipality, end: tuple[int, int], keys=None) -> list[MonthlySeries]:
    """The municipality's monthly police series (per kind of crime and region: its own row,
    wijken and buurten) over HISTORY_MONTHS months up to `end`; only those with any crime in
    them. `keys`: only these series (police_key)."""
    months = month_list(end)
    index = {m: i for i, m in enumerate(months)}
    values = _police_values(municipality).filter(year__gte=months[0][0], year__lte=end[0])
    wanted = None
    if keys is not None:
        wanted = set(keys)
        pairs = [tuple(int(p) for p in key.split(":")[1:]) for key in wanted]
        values = values.filter(
            indicator_id__in={i for i, _r in pairs}, region_id__in={r for _i, r in pairs}
        )
    cells: dict = defaultdict(lambda: [None] * len(months))
    rows = values.values_list("indicator_id", "region_id", "year", "number", "value")
    for indicator_id, region_id, year, number, value in rows.iterator(chunk_size=5000):
        i = index.get((year, number))
        if i is None or value is None:  # suppressed: stays None
            continue
        cells[(indicator_id, region_id)][i] = int(value)
    indicators = {i.pk: i for i in Indicator.objects.filter(pk__in={k[0] for k in cells})}
    regions = {r.pk: r for r in Region.objects.filter(pk__in={k[1] for k in cells})}
    result = []
    for (indicator_id, region_id), counts in sorted(
        cells.items(), key=lambda item: (regions[item[0][1]].code, indicators[item[0][0]].order,
                                         indicators[item[0][0]].name)
    ):  # fmt: skip
        key = police_key(indicator_id, region_id)
        if wanted is not None and key not in wanted:
            continue
        if not any(counts):  # nothing but zeros and gaps: nothing to judge
            continue
        label = _("%(crime)s in %(region)s (maandcijfers politie)") % {
            "crime": indicators[indicator_id].name,
            "region": _region_label(regions[region_id]),
        }
        result.append(MonthlySeries(key, label, months, counts))
    return result


def police_series_for(municipality, key: str, end: tuple[int, int]) -> MonthlySeries | None:
    try:
        return next(iter(police_series(municipality, end, keys=[key])), None)
    except ValueError:  # not a police key
        return None
