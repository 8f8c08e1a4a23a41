"""Peak alerts: run the detection over a municipality's weekly series (the register) and
monthly series (the police's figures), store an alert per series and period above its upper
bound, tell the advisors, and let them act on it."""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from noaber.accounts.models import Municipality
from noaber.audit.actions import record
from noaber.audit.models import Action
from noaber.lib import dates

from .aggregates import refresh_register_counts
from .models import Alert, Period, Region
from .peak_text import ParamsOverrideError, count_error_text, notes_text
from .peaks import (
    DECLINED,
    FALLBACK,
    FARRINGTON,
    MONTHLY,
    Params,
    detect,
    detect_monthly,
    month_label,
)
from .series import (
    last_complete_week,
    newest_police_month,
    police_key,
    police_series,
    register_series,
)

logger = logging.getLogger(__name__)


@dataclass
class Summary:
    municipality: object
    week: tuple[int, int] | None  # the judged (ISO year, week), or (year, month) for months
    period: str = "week"
    series: int = 0
    methods: Counter = field(default_factory=Counter)
    alerts: list = field(default_factory=list)
    new: list = field(default_factory=list)
    declined: list = field(default_factory=list)  # (label, why in Dutch)
    remarks: list = field(default_factory=list)  # (label, method, notes) of the judged series

    def line(self) -> str:
        counts = {
            "m": self.municipality.name, "n": self.series, "f": self.methods[FARRINGTON],
            "b": self.methods[FALLBACK], "d": self.methods[DECLINED], "a": len(self.alerts),
            "new": len(self.new),
        }  # fmt: skip
        if self.period == Period.MONTH:
            if self.week is None:
                return _("%(m)s: geen maandcijfers van de politie.") % counts
            return _(
                "%(m)s %(month)s (maandcijfers politie): %(n)d reeksen (%(f)d Farrington, "
                "%(b)d blokmethode, %(d)d afgewezen), %(a)d pieken waarvan %(new)d nieuw."
            ) % (counts | {"month": month_label(self.week)})
        return _(
            "%(m)s %(y)d-W%(w)02d: %(n)d reeksen (%(f)d Farrington, %(b)d blokmethode, "
            "%(d)d afgewezen), %(a)d pieken waarvan %(new)d nieuw."
        ) % (counts | {"y": self.week[0], "w": self.week[1]})


def _with(base: Params, overrides: dict | None) -> Params:
    """The parameters with the given ones replaced; ValueError naming a bad one."""
    if not overrides:
        return base
    try:
        return replace(base, **overrides)
    except TypeError as error:  # a name Params does not have, or a value it cannot compare
        name, value = next(iter(overrides.items()))
        raise ParamsOverrideError(str(error), name=name, value=value) from error


@transaction.atomic
def detect_for(
    municipality, week=None, *, params: Params | None = None, overrides=None, refresh=True
):
    """Judge the given ISO week (default: the last complete one) of every series.
    ``overrides``: parameters to change ({"alpha": 0.005}); a series they cannot judge is
    declined with the reason and the rest goes on."""
    week = week or last_complete_week(timezone.localdate())
    if refresh:
        refresh_register_counts(municipality)
    summary = Summary(municipality, week)
    for series in register_series(municipality, week):
        summary.series += 1
        try:
            result = detect(
                series.counts,
                week_of_year=series.week_of_year,
                params=_with(params or Params(), overrides),
            )
        except ValueError as error:  # a bad count or bad parameters: never guess, say which
            logger.warning("peak detection refused %s: %s", series.key, error)  # the English
            _decline(summary, series.label, count_error_text(error, series.weeks))
            continue
        _record(summary, series, result, Period.WEEK, week)
    _finish(summary)
    return summary


@transaction.atomic
def detect_months_for(municipality, month=None, *, overrides=None, keys=None):
    """Judge `month` (year, month; default: the newest month of the municipality's police
    figures) of every monthly police series, or of the series in `keys` only. A month after
    this month, a bad count or parameters that cannot judge months: that series is declined
    with the reason, and the rest goes on."""
    month = month or newest_police_month(municipality)
    summary = Summary(municipality, month, period=Period.MONTH)
    if month is None:
        return summary
    today = dates.today()
    for series in police_series(municipality, month, keys=keys):
        summary.series += 1
        try:
            result = detect_monthly(
                series.counts,
                months=series.months,
                params=_with(MONTHLY, overrides),
                today=today,
            )
        except ValueError as error:
            logger.warning("peak detection refused %s: %s", series.key, error)
            _decline(summary, series.label, count_error_text(error, months=series.months))
            continue
        _record(summary, series, result, Period.MONTH, month)
    _finish(summary)
    return summary


def _decline(summary: Summary, label: str, why: str) -> None:
    summary.methods[DECLINED] += 1
    summary.declined.append((label, why))


def _record(summary: Summary, series, result, period: str, when: tuple[int, int]) -> None:
    """Count the judgement; store an alert (once per series and period) if it is one."""
    municipality = summary.municipality
    summary.methods[result.method] += 1
    if result.method == DECLINED:
        summary.declined.append((series.label, notes_text(result.notes, period)))
    elif result.notes and not result.alarm:  # an alert shows its own notes
        summary.remarks.append((series.label, result.method, result.notes))
    if not result.alarm:
        return
    alert, created = Alert.objects.get_or_create(
        municipality=municipality, series_key=series.key, period_type=period, year=when[0],
        week=when[1],
        defaults={
            "series_label": series.label[:250], "observed": int(result.observed),
            "expected": float(result.expected), "upper": float(result.upper),
            "score": float(result.score), "method": result.method,
            "notes": [note.data for note in result.notes],
        },
    )  # fmt: skip
    summary.alerts.append(alert)
    if created:
        summary.new.append(alert)
        label = month_label(when) if period == Period.MONTH else f"{when[0]}-W{when[1]:02d}"
        record(
            Action.CREATE, origin="system", municipality=municipality,
            object_type="alert", object_id=alert.pk,
            detail={"series": series.key, period: label,
                    "observed": alert.observed, "upper": round(alert.upper, 2)},
        )  # fmt: skip


def _finish(summary: Summary) -> None:
    if summary.new:
        ids = [a.pk for a in summary.new]
        _notify(summary.municipality.pk, ids)  # the notice task commits with the alerts


def detect_new_months(arrivals) -> list[Summary]:
    """Judge the months an import added: ``arrivals`` as [indicator_id, region_id, year,
    month] (see importers.store), grouped per municipality and month."""
    groups = defaultdict(set)
    region_ids = {a[1] for a in arrivals}
    municipality_of = dict(
        Region.objects.filter(pk__in=region_ids, municipality__isnull=False).values_list(
            "pk", "municipality_id"
        )
    )
    for indicator_id, region_id, year, month in arrivals:
        if region_id in municipality_of:
            groups[(municipality_of[region_id], year, month)].add(
                police_key(indicator_id, region_id)
            )
    municipalities = {m.pk: m for m in Municipality.objects.filter(pk__in={g[0] for g in groups})}
    return [
        detect_months_for(municipalities[m], (year, month), keys=sorted(keys))
        for (m, year, month), keys in sorted(groups.items())
    ]


def _notify(municipality_id: int, alert_ids: list[int]) -> None:
    from .tasks import notify_alerts

    notify_alerts.enqueue(municipality_id, alert_ids)


@transaction.atomic
def handle_alert(alert: Alert, note: str, *, actor, request, case=None) -> None:
    """Acknowledge an alert with a note, or link it to a case of the same municipality."""
    if not note.strip() and case is None:
        raise ValidationError(_("Schrijf wat u met deze piek doet, of koppel haar aan een casus."))
    if case is not None and case.municipality_id != alert.municipality_id:
        raise ValidationError(_("Die casus hoort bij een andere gemeente."))
    alert.note = note.strip()
    alert.case = case
    alert.state = Alert.State.LINKED if case else Alert.State.ACKNOWLEDGED
    alert.handled_by, alert.handled_at = actor, timezone.now()
    alert.save(update_fields=["note", "case", "state", "handled_by", "handled_at"])
    record(
        Action.UPDATE, actor=actor, request=request, municipality=alert.municipality,
        object_type="alert", object_id=alert.pk,
        detail={"state": alert.state, "case": case.pk if case else None},
    )  # fmt: skip


def alerts_in_year(municipality, year: int):
    """The municipality's peak alerts of `year`, weeks and months in time order (for the
    council report)."""
    return (
        Alert.objects.filter(municipality=municipality, year=year)
        .annotate(period_order=Alert.period_order())
        .order_by("period_order", "pk")
    )


def open_alerts(municipality):
    """The peak alerts of `municipality` nobody has looked at yet, newest period first, the
    highest score first within one (aggregates only: no personal data)."""
    return (
        Alert.objects.filter(municipality=municipality, state=Alert.State.NEW)
        .annotate(period_order=Alert.period_order())
        .order_by("-period_order", "-score", "-pk")
    )
