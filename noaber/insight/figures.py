"""Reading the veiligheidsbeeld: values per region and year, rates per 10,000 inhabitants
(computed from counts and inhabitants, never typed — except where only a typed rate exists,
which is then shown as such), Noordoost-Twente as the sum of its municipalities, and the
start-versus-end comparison with its caution for small numbers."""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from noaber.accounts.models import Municipality, Population

from .models import Indicator, Period, Region, RegionPopulation, Status, Value

# The municipalities of basisteam Noordoost-Twente, the region the plan works in.
NOORDOOST_TWENTE = ("GM1774", "GM0183", "GM0168", "GM0173")
REGION_CODE = "noordoost-twente"
NATIONAL = "NL01"
# Fewer events than this in either year: too few to conclude anything (the plan warns).
SMALL_COUNT = 20


@dataclass
class Figure:
    """A value as shown: the number (None when unknown or suppressed), its status, and the
    rate per 10,000 inhabitants where it can be computed."""

    value: Decimal | None = None
    status: str = ""
    rate: float | None = None
    typed_rate: bool = False  # the rate was given as such (e.g. by the plan), not computed
    note: str = ""
    source: str = ""

    @property
    def suppressed(self) -> bool:
        return self.status == Status.SUPPRESSED


def _populations(codes, years) -> dict:
    """{(code, year): inhabitants} for municipalities (accounts.Population) and other
    regions (RegionPopulation); a missing year takes the nearest known year."""
    known: dict[str, dict[int, int]] = {}
    for p in Population.objects.filter(municipality__cbs_code__in=codes).select_related(
        "municipality"
    ):
        known.setdefault(p.municipality.cbs_code, {})[p.year] = p.inhabitants
    for p in RegionPopulation.objects.filter(region__code__in=codes).select_related("region"):
        known.setdefault(p.region.code, {})[p.year] = p.inhabitants
    result = {}
    for code in codes:
        by_year = known.get(code, {})
        for year in years:
            if by_year:
                nearest = min(by_year, key=lambda y: (abs(y - year), -y))
                result[(code, year)] = by_year[nearest]
    return result


class Picture:
    """All yearly values of `indicators` for `codes` over `years`, loaded in two queries."""

    def __init__(self, indicators, codes, years):
        self.indicators = list(indicators)
        self.codes = list(codes)
        self.years = list(years)
        wanted = {i.pk for i in self.indicators} | {
            r.pk for i in self.indicators for r in i.typed_rates.all()
        }
        self.values = {
            (v.indicator_id, v.region.code, v.year): v
            for v in Value.objects.filter(
                indicator_id__in=wanted,
                region__code__in=[c for c in self.codes if c != REGION_CODE],
                period_type=Period.YEAR,
                year__in=self.years,
            ).select_related("region")
        }
        self.population = _populations(
            [c for c in self.codes if c != REGION_CODE] + list(NOORDOOST_TWENTE), self.years
        )

    def inhabitants(self, code, year):
        if code == REGION_CODE:
            parts = [self.population.get((c, year)) for c in NOORDOOST_TWENTE]
            return None if None in parts else sum(parts)
        return self.population.get((code, year))

    def figure(self, indicator: Indicator, code: str, year: int) -> Figure:
        if code == REGION_CODE:
            return self._region_figure(indicator, year)
        row = self.values.get((indicator.pk, code, year))
        figure = Figure()
        if row is not None:
            figure = Figure(row.value, row.status, note=row.note, source=row.source)
        if indicator.is_count and figure.value is not None:
            people = self.inhabitants(code, year)
            if people:
                figure.rate = float(figure.value) * 10000 / people
        elif indicator.unit == Indicator.Unit.PER_10000 and figure.value is not None:
            figure.rate = float(figure.value)
        if indicator.is_count and figure.rate is None:
            for typed in indicator.typed_rates.all():
                other = self.values.get((typed.pk, code, year))
                if other is not None and other.value is not None:
                    figure.rate, figure.typed_rate = float(other.value), True
                    figure.note = figure.note or _("opgegeven cijfer (%(s)s)") % {"s": other.source}
        return figure

    def _region_figure(self, indicator, year) -> Figure:
        """Noordoost-Twente: the sum of its municipalities, only when all four are known."""
        if not indicator.is_count:
            return Figure(note=_("niet op te tellen"))
        parts = [self.values.get((indicator.pk, c, year)) for c in NOORDOOST_TWENTE]
        if any(p is None or p.value is None for p in parts):
            return Figure(note=_("niet van alle vier gemeenten bekend"))
        total = sum(p.value for p in parts)
        statuses = {p.status for p in parts}
        status = Status.PROVISIONAL if Status.PROVISIONAL in statuses else Status.DEFINITIVE
        people = self.inhabitants(REGION_CODE, year)
        rate = float(total) * 10000 / people if people else None
        return Figure(total, status, rate=rate)

    def series(self, indicator, code, *, rate: bool):
        """[(year, number or None)] for a chart: the rate, or the value."""
        points = []
        for year in self.years:
            f = self.figure(indicator, code, year)
            number = f.rate if rate else (float(f.value) if f.value is not None else None)
            points.append((str(year), number))
        return points


def latest_year(municipality) -> int | None:
    row = (
        Value.objects.filter(region__code=municipality.cbs_code, period_type=Period.YEAR)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    return row


def years_with_data(municipality) -> list[int]:
    return sorted(
        set(
            Value.objects.filter(
                region__code__in=[municipality.cbs_code, NATIONAL], period_type=Period.YEAR
            ).values_list("year", flat=True)
        )
    )


def neighbours(municipality) -> list[Municipality]:
    return list(
        Municipality.objects.filter(cbs_code__in=NOORDOOST_TWENTE).exclude(pk=municipality.pk)
    )


def region_name(code: str) -> str:
    if code == REGION_CODE:
        return _("Noordoost-Twente")
    region = Region.objects.filter(code=code).first()
    return region.name if region else code


@dataclass
class Change:
    indicator: Indicator
    a: Figure
    b: Figure
    difference: float | None = None
    percent: float | None = None
    verdict: str = ""  # "beter", "slechter", "gelijk", ""
    caution: str = ""


def compare(indicator: Indicator, a: Figure, b: Figure) -> Change:
    """The change from a to b, judged by whether higher is worse, with a caution where the
    numbers are too small or the difference is within chance (Poisson: |b-a| < 1.96·√(a+b))."""
    change = Change(indicator, a, b)
    if a.value is None or b.value is None:
        change.caution = _("Niet te vergelijken: een van beide jaren is onbekend of geheim.")
        return change
    va, vb = float(a.value), float(b.value)
    change.difference = vb - va
    change.percent = (vb - va) / va * 100 if va else None
    if vb == va:
        change.verdict = _("gelijk")
    elif indicator.higher_is_worse is not None:
        worse = (vb > va) == indicator.higher_is_worse
        change.verdict = _("slechter") if worse else _("beter")
    if indicator.is_count:
        if min(va, vb) < SMALL_COUNT:
            change.caution = _(
                "Kleine aantallen (minder dan %(n)d): trek hier geen conclusie uit."
            ) % {"n": SMALL_COUNT}
        elif abs(vb - va) < 1.96 * math.sqrt(va + vb):
            change.caution = _("Het verschil valt binnen wat toeval kan geven.")
    else:
        change.caution = _("Geen toets mogelijk: alleen een opgegeven cijfer.")
    return change
