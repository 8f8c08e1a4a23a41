"""What the veiligheidsbeeld pages show, as plain data: built once here and used by the
page, the CSV/XLSX export and (later) the council report, so all three show the same."""

from django.utils.translation import gettext as _

from noaber.lib.charts import bar_chart, comparison_chart, format_number, line_chart
from noaber.themes.models import Domain

from . import aggregates
from .figures import NATIONAL, REGION_CODE, Picture, compare, neighbours, region_name
from .models import Indicator, RegisterCount

TREND_YEARS = 5


def _indicators():
    return list(Indicator.objects.select_related("theme__domain").prefetch_related("typed_rates"))


def rate_text(figure) -> str:
    if figure.rate is None:
        return "—"
    text = format_number(figure.rate, 1)
    return f"{text}*" if figure.typed_rate else text


def value_text(figure, indicator) -> str:
    if figure.suppressed:
        return _("geheim")
    if figure.value is None:
        return "—"
    decimals = 0 if indicator.is_count else 1
    return format_number(figure.value, decimals)


def build(municipality, year: int, *, whole_region: bool = False, trend_end=None) -> dict:
    """The dashboard of `municipality` (or of Noordoost-Twente) for `year`. The five-year trends
    and tables end in `trend_end` when given (the newest year with figures, while `year` has
    none yet), so they show no column of dashes for a year whose figures are not in."""
    own = REGION_CODE if whole_region else municipality.cbs_code
    others = neighbours(municipality)
    comparison_codes = [c for c in [municipality.cbs_code, *[m.cbs_code for m in others]]]
    codes = [own, REGION_CODE, NATIONAL, *comparison_codes]
    end = trend_end or year
    years = list(range(end - TREND_YEARS + 1, end + 1))
    indicators = _indicators()
    picture = Picture(indicators, dict.fromkeys(codes), years)
    # Typed rates stand in for their count indicator; they are not shown on their own.
    shown = [i for i in indicators if i.rate_of_id is None]

    key_rows = []
    for indicator in [i for i in shown if i.key]:
        f = picture.figure(indicator, own, year)
        key_rows.append(
            {
                "indicator": indicator,
                "value": value_text(f, indicator),
                "rate": rate_text(f),
                "note": f.note,
                "status": f.status,
                "region": rate_text(picture.figure(indicator, REGION_CODE, year)),
                "national": rate_text(picture.figure(indicator, NATIONAL, year)),
                "neighbours": [
                    rate_text(picture.figure(indicator, m.cbs_code, year)) for m in others
                ],
            }
        )

    trends = []
    for indicator in [i for i in shown if i.key]:
        rate = indicator.is_count or indicator.unit == Indicator.Unit.PER_10000
        lines = [
            {"label": region_name(own), "points": picture.series(indicator, own, rate=rate),
             "emphasis": True},
            {"label": _("Noordoost-Twente"),
             "points": picture.series(indicator, REGION_CODE, rate=rate), "emphasis": False},
            {"label": _("Nederland"), "points": picture.series(indicator, NATIONAL, rate=rate),
             "emphasis": False},
        ]  # fmt: skip
        if own == REGION_CODE:
            lines.pop(1)
        if not any(v is not None for line in lines for _y, v in line["points"]):
            continue
        unit = _("per 10.000 inwoners") if rate else indicator.get_unit_display()
        title = f"{indicator.name} ({unit})"
        trends.append(
            {
                "indicator": indicator,
                "title": title,
                "svg": line_chart(
                    lines,
                    title=title,
                    description=_("Verloop over %(a)d–%(b)d; de tabel ernaast geeft de cijfers.")
                    % {"a": years[0], "b": years[-1]},
                    y_label=str(unit),
                ),
                "lines": [
                    {
                        "label": line["label"],
                        "cells": [format_number(v, 1 if rate else 0) for _y, v in line["points"]],
                    }
                    for line in lines
                ],  # fmt: skip
            }
        )

    municipalities = others + [municipality] if whole_region else [municipality]
    signals_per_domain = aggregates.counts_by(municipalities, year, "theme__domain")
    domains = []
    for domain in Domain.objects.all():
        members = [i for i in shown if i.theme and i.theme.domain_id == domain.pk]
        domains.append(
            {
                "domain": domain,
                "rows": [
                    {
                        "indicator": i,
                        "cells": [value_text(picture.figure(i, own, y), i) for y in years],
                    }
                    for i in members
                ],
                "signals": aggregates.shown(
                    signals_per_domain.get((RegisterCount.Kind.SIGNAL, domain.pk), 0)
                ),
                "reports": aggregates.shown(
                    signals_per_domain.get((RegisterCount.Kind.REPORT, domain.pk), 0)
                ),
            }
        )

    survey = [
        {"indicator": i, "cells": [value_text(picture.figure(i, own, y), i) for y in years]}
        for i in shown
        if i.group == Indicator.Group.SURVEY
    ]

    per_area = aggregates.counts_by(municipalities, year, "area")
    areas = []
    from noaber.intake.models import Area

    for area in Area.objects.filter(municipality__in=municipalities).order_by("kind", "name"):
        n = per_area.get((RegisterCount.Kind.REPORT, area.pk), 0) + per_area.get(
            (RegisterCount.Kind.SIGNAL, area.pk), 0
        )
        areas.append({"area": area, "count": n, "shown": aggregates.shown(n)})
    # Nothing registered in any area: the chart says "geen gegevens" instead of an axis of zeros.
    bars = [
        (
            a["area"].name,
            None if isinstance(a["shown"], str) else a["count"],
            a["shown"] if isinstance(a["shown"], str) else "",
        )
        for a in areas
    ]
    area_svg = bar_chart(
        bars if any(a["count"] for a in areas) else [],
        title=_("Meldingen en signalen per kern en buitengebied, %(y)d") % {"y": year},
        description=_("Aantallen uit het Noaber-register; kleine aantallen zijn afgeschermd."),
    )  # fmt: skip

    per_theme = aggregates.counts_by(municipalities, year, "theme")
    from noaber.themes.models import themes_for

    theme_rows = []
    for theme in themes_for(municipality):
        cells = [per_theme.get((k, theme.pk), 0) for k in RegisterCount.Kind.values]
        if any(cells):
            theme_rows.append({"theme": theme, "cells": [aggregates.shown(c) for c in cells]})

    from .models import Alert

    alerts = Alert.objects.filter(municipality__in=municipalities, year=year).select_related(
        "municipality"
    )[:10]
    return {
        "alerts": alerts,
        "year": year,
        "years": years,
        "own_name": region_name(own),
        "whole_region": whole_region,
        "neighbours": others,
        "key_rows": key_rows,
        "trends": trends,
        "domains": domains,
        "survey": survey,
        "areas": areas,
        "area_svg": area_svg,
        "theme_rows": theme_rows,
        "kinds": RegisterCount.Kind.labels,
        "suppress_below": aggregates.SUPPRESS_BELOW,
    }


COMPARISON_CHART_ROWS = 8  # indicators per chart, so that each chart fits on a printed page


def comparison(municipality, year_a: int, year_b: int, *, whole_region: bool = False) -> dict:
    """Start versus end. Only indicators known in both years are compared; the others are
    named once ("incomparable") with the reason, and a year without any figure is named in
    "years_without_figures" — never a row of dashes per indicator."""
    own = REGION_CODE if whole_region else municipality.cbs_code
    indicators = [i for i in _indicators() if i.rate_of_id is None]
    picture = Picture(indicators, [own, NATIONAL], [year_a, year_b])
    changes, incomparable, known_years = [], [], set()
    for indicator in indicators:
        a, b = picture.figure(indicator, own, year_a), picture.figure(indicator, own, year_b)
        for year, figure in ((year_a, a), (year_b, b)):
            if figure.value is not None or figure.suppressed:
                known_years.add(year)
        if a.value is None and b.value is None and not (a.suppressed or b.suppressed):
            continue
        change = compare(indicator, a, b)
        if change.difference is None:
            incomparable.append(indicator.name)
            continue
        changes.append(
            {
                "change": change,
                "a": value_text(a, indicator),
                "b": value_text(b, indicator),
                "rate_a": rate_text(a),
                "rate_b": rate_text(b),
                # Rates exist for counts only: no "— → —" for, say, a survey percentage.
                "rates": f"{rate_text(a)} → {rate_text(b)}"
                if a.rate is not None or b.rate is not None
                else "",
                "difference": format_number(change.difference, 0 if indicator.is_count else 1),
                "percent": f"{format_number(change.percent, 1)} %"
                if change.percent is not None
                else "",
            }
        )
    municipalities = [municipality, *neighbours(municipality)] if whole_region else [municipality]
    totals = aggregates.yearly_totals(municipalities, [year_a, year_b])
    register = [
        {
            "label": label,
            "a": aggregates.shown(totals.get((kind, year_a), 0)),
            "b": aggregates.shown(totals.get((kind, year_b), 0)),
        }
        for kind, label in RegisterCount.Kind.choices
    ]
    counted = [c for c in changes if c["change"].indicator.is_count]
    chunks = [
        counted[i : i + COMPARISON_CHART_ROWS]
        for i in range(0, len(counted), COMPARISON_CHART_ROWS)
    ]
    charts = []
    for n, chunk in enumerate(chunks, start=1):
        title = _("%(a)d tegenover %(b)d") % {"a": year_a, "b": year_b}
        if len(chunks) > 1:
            title += " " + _("(deel %(n)d van %(total)d)") % {"n": n, "total": len(chunks)}
        charts.append(
            comparison_chart(
                [(c["change"].indicator.name, float(c["change"].a.value),
                  float(c["change"].b.value)) for c in chunk],
                title=title,
                description=_("Aantallen per indicator in beide jaren; de tabel geeft de cijfers."),
                label_a=str(year_a),
                label_b=str(year_b),
            )
        )  # fmt: skip
    return {
        "own_name": region_name(own),
        "year_a": year_a,
        "year_b": year_b,
        "changes": changes,
        "incomparable": incomparable,
        "years_without_figures": [y for y in (year_a, year_b) if y not in known_years],
        "register": register,
        "charts": charts,
    }
