"""Handling terms and the holiday calendar they count in (docs/meldpunt.md, "Termijnen").

- `due_date_for(municipality, kind, code, start)`: the streefdatum of a new object, from the
  term for its category or theme (or the kind's default), counted in working days.
- `holidays_for(municipality)`: the installation's holidays and the municipality's own.
- Which codes a term can be set for: themes for signals and cases (this app), the meldpunt's
  categories for reports. The meldpunt sits above this app, so it offers its categories at
  start-up (`offer_codes`, called from `noaber.intake.apps`), as `audit` learns role names.
"""

from collections.abc import Callable
from datetime import date

from django.db.models import Q

from noaber.lib.workdays import add_working_days

from .models import HandlingTerm, Holiday, TermKind, themes_for

_code_sources: dict[str, Callable] = {}


def offer_codes(kind: str, choices: Callable) -> None:
    """Register `choices(municipality) -> [(code, label)]` for terms of `kind`."""
    _code_sources[kind] = choices


def code_choices(municipality, kind: str) -> list[tuple[str, str]]:
    if kind in (TermKind.SIGNAL, TermKind.CASE):
        return [(t.code, f"{t.code} {t.name}") for t in themes_for(municipality)]
    source = _code_sources.get(kind)
    return list(source(municipality)) if source else []


def holidays_for(municipality) -> set[date]:
    return set(
        Holiday.objects.filter(
            Q(municipality__isnull=True) | Q(municipality=municipality)
        ).values_list("date", flat=True)
    )


def term_for(municipality, kind: str, code: str) -> HandlingTerm | None:
    """The term for `code` in `municipality`, else the kind's default, else None."""
    terms = {
        t.code: t
        for t in HandlingTerm.objects.filter(
            municipality=municipality, kind=kind, code__in=[code or "", ""]
        )
    }
    return terms.get(code or "") or terms.get("")


def due_date_for(municipality, kind: str, code: str, start: date) -> date | None:
    """The streefdatum of an object of `kind` with `code` that starts on `start`; None when
    the municipality set no term for it (then the object has no streefdatum)."""
    term = term_for(municipality, kind, code)
    if term is None:
        return None
    return add_working_days(start, term.working_days, holidays_for(municipality))


def eligible_handlers(municipality, rule: str):
    """The active users who hold, in `municipality`, a role that `rule` (an access rule such
    as "intake.inbox") allows: who may be behandelaar of that kind of object there."""
    from noaber.accounts.access import RULES
    from noaber.accounts.models import User

    return (
        User.objects.filter(
            is_active=True,
            memberships__municipality=municipality,
            memberships__role__in=RULES[rule],
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def check_assignment(municipality, rule: str, handler, due_date, *, old_handler, old_due,
                     reason: str):  # fmt: skip
    """Refuse, with Dutch messages per field, a behandelaar who may not handle this kind of
    object in `municipality` and a streefdatum in the past, and a changed streefdatum
    without a reason. The actions of each app call it before writing anything."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from noaber.accounts.access import can
    from noaber.lib.dates import today

    if handler == old_handler and due_date == old_due:
        raise ValidationError(
            _("Er is niets gewijzigd: kies een andere behandelaar of streefdatum.")
        )
    errors = {}
    if handler is not None and not (handler.is_active and can(handler, rule, municipality)):
        errors["handler"] = _(
            "%(who)s kan hier geen behandelaar zijn: kies een medewerker van deze gemeente met "
            "een rol die dit mag behandelen."
        ) % {"who": handler.display_name}
    if due_date is not None and due_date != old_due and due_date < today():
        errors["due_date"] = _("Een streefdatum ligt niet in het verleden.")
    if due_date != old_due and not (reason or "").strip():
        errors["reason"] = _("Schrijf op waarom de streefdatum verandert.")
    if errors:
        raise ValidationError(errors)


def assignment_audit(old: tuple, handler, due_date, *, actor) -> dict:
    """The audit reason and detail of an assignment (`old` is (handler, due date) before):
    "take_over" (assigning oneself another's work), "assign", or "due_date" (only the
    streefdatum changed); the detail holds user ids and ISO dates, no names or reasons."""
    old_handler, old_due = old
    if handler is not None and old_handler != handler:
        reason = "take_over" if handler == actor and old_handler is not None else "assign"
    else:
        reason = "due_date" if due_date != old_due else "assign"
    return {
        "reason": reason,
        "detail": {
            "handler": [getattr(old_handler, "pk", None), getattr(handler, "pk", None)],
            "due_date": [d.isoformat() if d else None for d in (old_due, due_date)],
        },
    }


def assignment_intro(handler, due_date, reason: str = "") -> str:
    """The line above the "Behandelaar en streefdatum" form: who and when now."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    text = _("Nu: behandelaar %(who)s, streefdatum %(when)s.") % {
        "who": handler.display_name if handler else _("niemand"),
        "when": date_format(due_date) if due_date else _("geen"),
    }
    if reason:
        text += " " + _("Reden van de laatste wijziging: %(r)s") % {"r": reason}
    return text
