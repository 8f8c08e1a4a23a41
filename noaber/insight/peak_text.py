"""What people read about a peak judgement: the Dutch for the method and for each note.

The detection (noaber.insight.peaks) keeps machine-readable notes, a code with its numbers;
alerts store them as such (``Alert.notes``). The sentence is made here, when it is shown, so the
stored data stay stable and the words can change or be translated. See docs/peaks.md, "What
the user reads".
"""

import re
from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from noaber.lib.charts import format_number

from . import peaks

METHODS = {
    peaks.FARRINGTON: gettext_lazy("Farrington (verbeterd)"),
    peaks.FALLBACK: gettext_lazy("blokmethode voor weinig meldingen"),
    peaks.DECLINED: gettext_lazy("niet beoordeeld"),
}


def method_text(method: str) -> str:
    """The method's name for people; an unknown code reads as "onbekende methode"."""
    return str(METHODS.get(method, gettext_lazy("onbekende methode")))


def _decimal(value) -> str:
    """Dutch decimal comma, at most two decimals, no trailing zeros: 0,13 · 0,2 · 1."""
    text = format_number(value, 2)
    return text.rstrip("0").rstrip(",") if "," in text else text


def note_text(note: "peaks.Note | Mapping", period: str = "week") -> str:
    """One note in Dutch; a Note or its stored form ``{"code": ..., **values}``. ``period``
    "month" for the notes on a monthly series (the numbers then count months)."""
    data = note.data if isinstance(note, peaks.Note) else dict(note)
    if period == "month":
        return _month_note_text(data)
    code = data.get("code")
    if code == peaks.TOO_SHORT:
        return (
            ngettext(
                "te kort: %(weeks)d week gegevens, er zijn %(needed)d nodig",
                "te kort: %(weeks)d weken gegevens, er zijn %(needed)d nodig",
                data["weeks"],
            )
            % data
        )
    if code == peaks.FEW_BASELINE_WEEKS:
        return (
            ngettext(
                "te weinig weken om mee te vergelijken: %(weeks)d week met gegevens, "
                "er zijn %(needed)d nodig",
                "te weinig weken om mee te vergelijken: %(weeks)d weken met gegevens, "
                "er zijn %(needed)d nodig",
                data["weeks"],
            )
            % data
        )
    if code == peaks.SPARSE:
        return _("te weinig meldingen: gemiddeld %(mean)s per week, minstens %(needed)s nodig") % {
            "mean": _decimal(data["mean"]),
            "needed": _decimal(data["needed"]),
        }
    if code == peaks.NO_WINDOW_DATA:
        return _("geen gegevens over dezelfde weken in eerdere jaren")
    if code == peaks.YEARS_BACK:
        return _("%(years)d van de %(wanted)d jaar geschiedenis beschikbaar") % data
    if code == peaks.NO_DATA:
        return _("geen gegevens over de beoordeelde week")
    if code == peaks.MIN_COUNT:
        return (
            ngettext(
                "geen piek bij zo weinig meldingen: %(total)d melding in de laatste %(weeks)d "
                "weken, minstens %(needed)d nodig",
                "geen piek bij zo weinig meldingen: %(total)d meldingen in de laatste %(weeks)d "
                "weken, minstens %(needed)d nodig",
                data["total"],
            )
            % data
        )
    if code == peaks.RECENT_IN_BASELINE:
        return _("de recente weken tellen mee in de vergelijking (te weinig geschiedenis)")
    if code == peaks.FALLBACK_DECLINED:
        return (
            ngettext(
                "ook te kort voor de blokmethode: %(weeks)d week met gegevens, "
                "er zijn %(needed)d nodig",
                "ook te kort voor de blokmethode: %(weeks)d weken met gegevens, "
                "er zijn %(needed)d nodig",
                data["weeks"],
            )
            % data
        )
    return _("opmerking van de piekdetectie")


def _month_note_text(data: dict) -> str:
    """The notes on a monthly series: the same codes, counted in months."""
    code = data.get("code")
    if code == peaks.TOO_SHORT:
        return (
            ngettext(
                "te kort: %(weeks)d maand gegevens, er zijn %(needed)d nodig",
                "te kort: %(weeks)d maanden gegevens, er zijn %(needed)d nodig",
                data["weeks"],
            )
            % data
        )
    if code == peaks.FEW_BASELINE_WEEKS:
        return (
            ngettext(
                "te weinig maanden om mee te vergelijken: %(weeks)d maand met gegevens, "
                "er zijn %(needed)d nodig",
                "te weinig maanden om mee te vergelijken: %(weeks)d maanden met gegevens, "
                "er zijn %(needed)d nodig",
                data["weeks"],
            )
            % data
        )
    if code == peaks.SPARSE:
        return _(
            "te weinig misdrijven: gemiddeld %(mean)s per maand, minstens %(needed)s nodig"
        ) % {"mean": _decimal(data["mean"]), "needed": _decimal(data["needed"])}
    if code == peaks.NO_WINDOW_DATA:
        return _("geen gegevens over dezelfde maanden in eerdere jaren")
    if code == peaks.NO_DATA:
        return _("geen gegevens over de beoordeelde maand (ontbreekt of geheim)")
    if code == peaks.MIN_COUNT and data["weeks"] == 1:
        return (
            _(
                "geen piek bij zo weinig misdrijven: %(total)d in de maand zelf, "
                "minstens %(needed)d nodig"
            )
            % data
        )
    if code == peaks.MIN_COUNT:
        return (
            ngettext(
                "geen piek bij zo weinig misdrijven: %(total)d in de laatste %(weeks)d maand, "
                "minstens %(needed)d nodig",
                "geen piek bij zo weinig misdrijven: %(total)d in de laatste %(weeks)d maanden, "
                "minstens %(needed)d nodig",
                data["weeks"],
            )
            % data
        )
    if code == peaks.RECENT_IN_BASELINE:
        return _("de recente maanden tellen mee in de vergelijking (te weinig geschiedenis)")
    if code == peaks.FALLBACK_DECLINED:
        return (
            ngettext(
                "ook te kort voor de blokmethode: %(weeks)d maand met gegevens, "
                "er zijn %(needed)d nodig",
                "ook te kort voor de blokmethode: %(weeks)d maanden met gegevens, "
                "er zijn %(needed)d nodig",
                data["weeks"],
            )
            % data
        )
    return note_text(data)  # no weeks in it (years back, unknown codes)


def notes_text(notes: Iterable, period: str = "week") -> str:
    """The notes in Dutch, in order, separated by semicolons; empty if there are none."""
    return "; ".join(note_text(note, period) for note in notes)


def judgement_text(method: str, notes: Iterable, period: str = "week") -> str:
    """ "methode: Farrington (verbeterd)", followed by the notes if there are any."""
    text = _("methode: %(method)s") % {"method": method_text(method)}
    said = notes_text(notes, period)
    return f"{text}; {said}" if said else text


def month_text(month: tuple[int, int]) -> str:
    """(2026, 10) -> "oktober 2026"."""
    from .models import month_name

    return _("%(month)s %(year)d") % {"month": month_name(month[1]), "year": month[0]}


def count_error_text(error: ValueError, weeks=None, *, months=None) -> str:
    """A series the detection refused: which week or month (if known) and why, in Dutch.
    Parameters that cannot judge it (out of range, weekly ones for months) say which and why."""
    if isinstance(error, peaks.MonthError):
        if error.code == "future":
            return _("%(month)s ligt in de toekomst: die maand kan nog niet beoordeeld worden") % {
                "month": month_text(error.month)
            }
        if error.code == "order":
            return _("de maanden sluiten niet aan: %(month)s volgt niet op de maand ervoor") % {
                "month": month_text(error.month)
            }
        return _("ongeldige maand op positie %(p)d") % {"p": error.position}
    if isinstance(error, peaks.CountError) and months is not None:
        if 0 <= error.position < len(months):
            return _(
                "ongeldige telling in %(where)s: %(value)s is geen aantal (een heel getal van 0 "
                "of meer)"
            ) % {"where": month_text(months[error.position]), "value": error.value}
    if isinstance(error, peaks.MonthlyParamsError | ParamsOverrideError) or _PARAM.search(
        str(error)
    ):
        return params_error_text(error)
    if isinstance(error, peaks.CountError):
        if weeks is not None and 0 <= error.position < len(weeks):
            year, week = weeks[error.position]
            where = _("week %(w)d van %(y)d") % {"w": week, "y": year}
        else:
            where = _("positie %(p)d") % {"p": error.position}
        return _(
            "ongeldige telling in %(where)s: %(value)s is geen aantal (een heel getal van 0 of "
            "meer)"
        ) % {"where": where, "value": error.value}
    return _("ongeldige invoer voor de piekdetectie")


class ParamsOverrideError(ValueError):
    """A parameter given to detect_peaks that the detection does not have or cannot read:
    ``name`` and ``value`` as given."""

    def __init__(self, message: str, *, name: str, value):
        super().__init__(message)
        self.name, self.value = name, value


_PARAM = re.compile(r"Params\.(\w+)|Params: the window")

# What each parameter may be, for people (the detection's own messages are English).
_RANGES = {
    "alpha": gettext_lazy("moet tussen 0 en 0,5 liggen (0,01 is gebruikelijk)"),
    "trend_p": gettext_lazy("moet tussen 0 en 1 liggen"),
    "spans": gettext_lazy(
        "moet een oplopende reeks hele getallen zijn van 1 tot en met het venster + 1"
    ),
    "engine": gettext_lazy("moet numpy of statsmodels zijn"),
}


def params_error_text(error: ValueError) -> str:
    """Parameters the detection refused, in Dutch, naming the parameter."""
    if isinstance(error, peaks.MonthlyParamsError):
        if error.code == "weekly":
            return _(
                "weekparameters voor een maandreeks: %(value)s perioden per jaar, een maandreeks "
                "heeft er 12 (gebruik de maandinstellingen)"
            ) % {"value": error.value}
        return _(
            "parameter %(name)s = %(value)s past niet bij maanden: dan valt het venster van een "
            "jaar eerder uit de vergelijking"
        ) % {"name": error.name, "value": error.value}
    if isinstance(error, ParamsOverrideError):
        return _("onbekende of onleesbare parameter %(name)s = %(value)s") % {
            "name": error.name,
            "value": error.value,
        }
    match = _PARAM.search(str(error))
    if match and match[1]:
        name = match[1]
        why = _RANGES.get(name)
        if why:
            return _("parameter %(name)s %(why)s") % {"name": name, "why": why}
        return _("parameter %(name)s valt buiten het toegestane bereik") % {"name": name}
    if match:
        return _(
            "parameters window en levels: het venster en de andere seizoensniveaus passen niet "
            "in een jaar"
        )
    return _("ongeldige parameters voor de piekdetectie")
