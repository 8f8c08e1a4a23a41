"""Peak alerts: run the detection over a municipality's weekly series, store an alert per
series and week above its upper bound, tell the advisors, and let them act on it."""

import logging
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from noaber.audit.actions import record
from noaber.audit.models import Action

from .aggregates import refresh_register_counts
from .models import Alert
from .peak_text import count_error_text, notes_text
from .peaks import DECLINED, FALLBACK, FARRINGTON, Params, detect
from .series import last_complete_week, register_series

logger = logging.getLogger(__name__)


@dataclass
class Summary:
    municipality: object
    week: tuple[int, int]
    series: int = 0
    methods: Counter = field(default_factory=Counter)
    alerts: list = field(default_factory=list)
    new: list = field(default_factory=list)
    declined: list = field(default_factory=list)  # (label, why in Dutch)
    remarks: list = field(default_factory=list)  # (label, method, notes) of the judged series

    def line(self) -> str:
        return _(
            "%(m)s %(y)d-W%(w)02d: %(n)d reeksen (%(f)d Farrington, %(b)d blokmethode, "
            "%(d)d afgewezen), %(a)d pieken waarvan %(new)d nieuw."
        ) % {
            "m": self.municipality.name, "y": self.week[0], "w": self.week[1],
            "n": self.series, "f": self.methods[FARRINGTON], "b": self.methods[FALLBACK],
            "d": self.methods[DECLINED], "a": len(self.alerts), "new": len(self.new),
        }  # fmt: skip


@transaction.atomic
def detect_for(municipality, week=None, *, params: Params | None = None, refresh=True):
    """Judge the given ISO week (default: the last complete one) of every series."""
    week = week or last_complete_week(timezone.localdate())
    if refresh:
        refresh_register_counts(municipality)
    summary = Summary(municipality, week)
    for series in register_series(municipality, week):
        summary.series += 1
        try:
            result = detect(
                series.counts, week_of_year=series.week_of_year, params=params or Params()
            )
        except ValueError as error:  # a bad count: never guess, say which series
            logger.warning("peak detection refused %s: %s", series.key, error)  # the English
            summary.methods[DECLINED] += 1
            summary.declined.append((series.label, count_error_text(error, series.weeks)))
            continue
        summary.methods[result.method] += 1
        if result.method == DECLINED:
            summary.declined.append((series.label, notes_text(result.notes)))
        elif result.notes and not result.alarm:  # an alert shows its own notes
            summary.remarks.append((series.label, result.method, result.notes))
        if not result.alarm:
            continue
        alert, created = Alert.objects.get_or_create(
            municipality=municipality, series_key=series.key, year=week[0], week=week[1],
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
            record(
                Action.CREATE, origin="system", municipality=municipality,
                object_type="alert", object_id=alert.pk,
                detail={"series": series.key, "week": f"{week[0]}-W{week[1]:02d}",
                        "observed": alert.observed, "upper": round(alert.upper, 2)},
            )  # fmt: skip
    if summary.new:
        ids = [a.pk for a in summary.new]
        _notify(municipality.pk, ids)  # the notice task commits with the alerts
    return summary


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
    """The municipality's peak alerts of `year`, in week order (for the council report)."""
    return Alert.objects.filter(municipality=municipality, year=year).order_by("week", "pk")


def open_alerts(municipality):
    """The peak alerts of `municipality` nobody has looked at yet, newest week first, the
    highest score first within a week (aggregates only: no personal data)."""
    return Alert.objects.filter(municipality=municipality, state=Alert.State.NEW).order_by(
        "-year", "-week", "-score", "-pk"
    )
