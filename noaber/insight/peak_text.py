"""What people read about a peak judgement: the Dutch for the method and for each note.

The detection (noaber.insight.peaks) keeps machine-readable notes, a code with its numbers;
alerts store them as such (``Alert.notes``). The sentence is made here, when it is shown, so the
stored data stay stable and the words can change or be translated. See docs/peaks.md, "What
the user reads".
"""

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


def note_text(note: "peaks.Note | Mapping") -> str:
    """One note in Dutch; a Note or its stored form ``{"code": ..., **values}``."""
    data = note.data if isinstance(note, peaks.Note) else dict(note)
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


def notes_text(notes: Iterable) -> str:
    """The notes in Dutch, in order, separated by semicolons; empty if there are none."""
    return "; ".join(note_text(note) for note in notes)


def judgement_text(method: str, notes: Iterable) -> str:
    """ "methode: Farrington (verbeterd)", followed by the notes if there are any."""
    text = _("methode: %(method)s") % {"method": method_text(method)}
    said = notes_text(notes)
    return f"{text}; {said}" if said else text


def count_error_text(error: ValueError, weeks=None) -> str:
    """A series the detection refused: which week (if known) and why, in Dutch."""
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
