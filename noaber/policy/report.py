"""The annual council report (raadsrapportage): per priority of the IVP, what was planned and
what was done in a year, the indicators, the peaks and what followed, and in the plan's last
year the start-versus-end comparison.

Counts only, never personal data: no case titles, descriptions, subjects, addresses, BSNs or
usernames leave this module, and every count from the register goes through
`aggregates.shown` so 1–4 reads "< 5". Each kind of count is one grouped query for the whole
year, however many cases there are; the priorities are matched in Python on the small result.
"""

from collections import Counter, defaultdict
from datetime import date

from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from noaber.cases import selectors as case_selectors
from noaber.cases.models import CaseType, InterventionType
from noaber.insight import aggregates
from noaber.insight.alerts import alerts_in_year
from noaber.insight.dashboard import TREND_YEARS, comparison, rate_text, value_text
from noaber.insight.figures import Picture, years_with_data
from noaber.insight.models import Indicator
from noaber.lib import dates
from noaber.lib.charts import format_number, line_chart
from noaber.registry import selectors as registry_selectors

from .models import INSPECTION_CASE_TYPES, Action, Activity, Plan

shown = aggregates.shown


class ReportError(ValueError):
    """A report that cannot be made; the message is for the user (Dutch)."""


def plan_for(municipality, year: int) -> Plan:
    """The plan of `municipality` that covers `year` (the most recent if several do)."""
    plans = list(Plan.objects.filter(municipalities=municipality).order_by("-start_year", "pk"))
    if not plans:
        raise ReportError(
            _("Gemeente %(name)s heeft geen integraal veiligheidsplan.") % {"name": municipality}
        )
    for plan in plans:
        if plan.covers(year):
            return plan
    periods = ", ".join(f"{p.start_year}–{p.end_year}" for p in plans)
    raise ReportError(
        _("Het jaar %(year)d valt buiten de looptijd van het IVP (%(periods)s).")
        % {"year": year, "periods": periods}
    )


def default_year(municipality, today: date | None = None) -> int:
    """The latest completed year within a plan of the municipality (else its first year)."""
    last_completed = (today or dates.today()).year - 1
    plans = list(Plan.objects.filter(municipalities=municipality).order_by("-start_year", "pk"))
    if not plans:
        plan_for(municipality, last_completed)  # raises the "no plan" error
    for plan in plans:
        if plan.covers(last_completed):
            return last_completed
    started = [p for p in plans if p.start_year <= last_completed]
    return started[0].end_year if started else plans[-1].start_year


def _activity_counts(plan, year) -> dict:
    """{priority_id: [(kind, count, reach)]}."""
    rows = (
        Activity.objects.filter(
            priority__plan=plan, held_on__gte=date(year, 1, 1), held_on__lt=date(year + 1, 1, 1)
        )
        .values("priority_id", "kind")
        .annotate(n=Count("pk"), reach=Sum("reach"))
        .order_by("priority_id", "kind")
    )
    result = defaultdict(list)
    for r in rows:
        result[r["priority_id"]].append((r["kind"], r["n"], r["reach"]))
    return result


def _actions(plan, year) -> dict:
    """{priority_id: [action row]}: the actions planned in `year`. No personal data (owners
    are organisations; notes are given by date only)."""
    rows = defaultdict(list)
    found = (
        Action.objects.filter(priority__plan=plan, start_year__lte=year, end_year__gte=year)
        .select_related("owner")
        .annotate(last_note=Max("notes__created_at"))
        .order_by("priority_id", "start_year", "title")
    )
    for action in found:
        rows[action.priority_id].append(
            {
                "title": action.title,
                "owner": action.owner.name,
                "period": f"{action.start_year}–{action.end_year}"
                if action.end_year != action.start_year
                else str(action.start_year),
                "status": action.status,
                "status_label": action.get_status_display(),
                "last_note": timezone.localdate(action.last_note) if action.last_note else None,
            }
        )
    return rows


def _indicators(priority, picture, code, year, years):
    rows, lines = [], []
    for indicator in priority.indicators.all():
        before = picture.figure(indicator, code, year - 1)
        now = picture.figure(indicator, code, year)
        # A percentage or a mark has no rate per 10,000: an empty cell, not a dash.
        has_rate = indicator.is_count or indicator.unit == Indicator.Unit.PER_10000
        rows.append(
            {
                "name": indicator.name,
                "unit": indicator.get_unit_display(),
                "value_before": value_text(before, indicator),
                "rate_before": rate_text(before) if has_rate else "",
                "value": value_text(now, indicator),
                "rate": rate_text(now) if has_rate else "",
                "note": now.note,
            }
        )
        if indicator.is_count or indicator.unit == Indicator.Unit.PER_10000:
            lines.append(
                {"label": indicator.name, "points": picture.series(indicator, code, rate=True)}
            )
    if not any(v is not None for line in lines for _y, v in line["points"]):
        return rows, None, []
    title = _("%(name)s: indicatoren per 10.000 inwoners") % {"name": priority.name}
    svg = line_chart(
        lines,
        title=title,
        description=_("Verloop over %(a)d–%(b)d; de tabel eronder geeft de cijfers.")
        % {"a": years[0], "b": years[-1]},
        y_label=_("per 10.000 inwoners"),
        id_prefix=f"prioriteit-{priority.order}",
    )
    table = [
        {"label": line["label"], "cells": [format_number(v, 1) for _y, v in line["points"]]}
        for line in lines
    ]
    return rows, {"title": title, "svg": svg}, table


def _peaks(municipality, year):
    peaks = []
    for alert in alerts_in_year(municipality, year):
        # What followed, without naming the case: linked to one, looked at, or not yet.
        followed = _("gekoppeld aan een casus") if alert.case_id else alert.get_state_display()
        peaks.append(
            {
                "series": alert.series_label,
                "week": alert.period_label if alert.is_monthly else alert.week,
                "observed": shown(alert.observed),
                "expected": format_number(alert.expected, 1),
                "method": str(alert.get_method_display()),
                "followed": str(followed),
            }
        )
    return peaks


def _end_of_term(municipality, plan, year) -> dict:
    """In the plan's last year: the baseline against the end. While the figures of the last
    year are not in yet (they appear after it ends), the newest year with figures stands in,
    and `comparison_note` says so, once; with no figures after the baseline at all there is
    only the note."""
    if year != plan.end_year:
        return {"comparison": None, "comparison_note": "", "end_of_term": False}
    with_figures = [y for y in years_with_data(municipality) if plan.baseline_year < y <= year]
    end = year if year in with_figures else (with_figures[-1] if with_figures else None)
    if end is None:
        note = _(
            "Begin en eind zijn nog niet te vergelijken: na %(a)d zijn er nog geen cijfers "
            "(CBS en politie maken jaarcijfers pas na afloop van het jaar bekend)."
        ) % {"a": plan.baseline_year}
        return {"comparison": None, "comparison_note": note, "end_of_term": True}
    note = ""
    if end != year:
        note = _(
            "De cijfers over %(year)d zijn er nog niet: CBS en politie maken jaarcijfers pas na "
            "afloop van het jaar bekend. Daarom staat hier %(end)d, het nieuwste jaar met "
            "cijfers, tegenover het beginjaar %(a)d."
        ) % {"year": year, "end": end, "a": plan.baseline_year}
    return {
        "comparison": comparison(municipality, plan.baseline_year, end),
        "comparison_note": note,
        "end_of_term": True,
    }


def build_report(municipality, year: int) -> dict:
    """Everything the report shows for `municipality` in `year`, as plain, safe data."""
    plan = plan_for(municipality, year)
    priorities = list(
        plan.priorities.prefetch_related("themes", "case_types", "indicators__typed_rates")
    )
    case_rows = case_selectors.case_counts_in_year(municipality, year)
    intervention_rows = case_selectors.intervention_counts_in_year(municipality, year)
    signals = registry_selectors.signal_counts_by_theme(municipality, year)
    activities = _activity_counts(plan, year)
    actions = _actions(plan, year)
    kinds = {k.pk: k.name for k in InterventionType.objects.all()}
    inspection_types = set(
        CaseType.objects.filter(code__in=INSPECTION_CASE_TYPES).values_list("pk", flat=True)
    )
    # The figures of a year appear after it ends: until then the indicators show the newest
    # year that has them, and the report says so once (figures_note).
    with_figures = [y for y in years_with_data(municipality) if y <= year]
    figures_year = year if year in with_figures or not with_figures else with_figures[-1]
    years = list(range(figures_year - TREND_YEARS + 1, figures_year + 1))
    indicators = {i.pk: i for p in priorities for i in p.indicators.all()}
    picture = Picture(indicators.values(), [municipality.cbs_code], years)
    activity_labels = dict(Activity.Kind.choices)
    status_labels = Action.Status.choices

    sections = []
    for priority in priorities:
        type_ids = {t.pk for t in priority.case_types.all()}
        theme_ids = {t.pk for t in priority.themes.all()}

        def belongs(case_type_id, theme_id, type_ids=type_ids, theme_ids=theme_ids):
            return case_type_id in type_ids or theme_id in theme_ids

        opened = closed = inspections = 0
        for case_type_id, theme_id, n_opened, n_closed in case_rows:
            if belongs(case_type_id, theme_id):
                opened += n_opened
                closed += n_closed
                if case_type_id in inspection_types:
                    inspections += n_opened
        per_kind = Counter()
        for case_type_id, theme_id, kind_id, n in intervention_rows:
            if belongs(case_type_id, theme_id):
                per_kind[kind_id] += n
        own_activities = []
        for kind, n, reach in activities.get(priority.pk, []):
            if kind == Activity.Kind.INSPECTION:
                # Counted with the inspection cases, as one figure, so neither can be derived.
                inspections += n
                continue
            own_activities.append(
                {"kind": activity_labels[kind], "count": shown(n), "reach": shown(reach)}
            )
        action_rows = actions.get(priority.pk, [])
        by_status = Counter(a["status"] for a in action_rows)
        indicator_rows, chart, chart_table = _indicators(
            priority, picture, municipality.cbs_code, figures_year, years
        )
        sections.append(
            {
                "order": priority.order,
                "anchor": f"prioriteit-{priority.order}",
                "name": priority.name,
                "goal": priority.goal,
                "actions": action_rows,
                "actions_by_status": [
                    {"status": value, "label": label, "count": by_status.get(value, 0)}
                    for value, label in status_labels
                ],
                "cases_opened": shown(opened),
                "cases_closed": shown(closed),
                "interventions": sorted(
                    ({"kind": kinds[k], "count": shown(n)} for k, n in per_kind.items() if n),
                    key=lambda row: row["kind"],
                ),
                "inspections": shown(inspections),
                "activities": own_activities,
                "signals": shown(sum(n for theme, n in signals.items() if theme in theme_ids)),
                "indicators": indicator_rows,
                "chart": chart,
                "chart_table": chart_table,
            }
        )

    return {
        "municipality": municipality.name,
        "cbs_code": municipality.cbs_code,
        "year": year,
        "plan": {
            "name": plan.name,
            "start_year": plan.start_year,
            "end_year": plan.end_year,
            "baseline_year": plan.baseline_year,
        },
        "priorities": sections,
        "years": years,
        "figures_year": figures_year,
        "figures_note": _(
            "De cijfers over %(year)d zijn er nog niet: CBS en politie maken jaarcijfers pas na "
            "afloop van het jaar bekend. Bij de indicatoren staan daarom %(before)d en %(newest)d."
        )
        % {"year": year, "before": figures_year - 1, "newest": figures_year}
        if figures_year != year
        else "",
        "peaks": _peaks(municipality, year),
        **_end_of_term(municipality, plan, year),
        "suppress_below": aggregates.SUPPRESS_BELOW,
        "generated_on": dates.today(),
    }
