"""Changing themes and priorities (functional admin)."""

from django.db import models, transaction

from noaber.audit.actions import record
from noaber.audit.models import Action

from .models import Priority, Theme


@transaction.atomic
def update_theme(theme: Theme, municipality, *, name, description, active, request) -> Theme:
    """Change a theme for `municipality`. A shared theme is not changed for everyone: the
    municipality gets its own copy with the same code (created here), which is changed."""
    created = False
    if theme.municipality_id is None:
        theme, created = Theme.objects.get_or_create(
            code=theme.code,
            municipality=municipality,
            defaults={"domain": theme.domain, "name": theme.name, "description": theme.description},
        )
    theme.name, theme.description, theme.active = name, description, active
    theme.save(update_fields=["name", "description", "active"])
    record(
        Action.CREATE if created else Action.UPDATE,
        request=request,
        municipality=municipality,
        object_type="theme",
        object_id=theme.pk,
        detail={"code": theme.code, "active": active},
    )
    return theme


@transaction.atomic
def update_priority(priority: Priority, *, name, description, themes, request) -> Priority:
    priority.name, priority.description = name, description
    priority.save(update_fields=["name", "description"])
    priority.themes.set(themes)
    record(
        Action.UPDATE,
        request=request,
        municipality=priority.municipality,
        object_type="priority",
        object_id=priority.pk,
        detail={"themes": sorted(t.code for t in themes)},
    )
    return priority


# --- Handling terms and holidays (functional admin) ----------------------------------------


def _check_term(municipality, kind, code, working_days):
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from noaber.lib.workdays import MAX_TERM

    from .models import TermKind
    from .terms import code_choices

    errors = {}
    if kind not in TermKind.values:
        errors["kind"] = _("Kies een soort termijn.")
    elif code and code not in dict(code_choices(municipality, kind)):
        errors["code"] = _("Die categorie of dat thema bestaat hier niet.")
    if working_days is None or working_days < 1:
        errors["working_days"] = _("Een termijn is minstens 1 werkdag.")
    elif working_days > MAX_TERM:
        errors["working_days"] = _(
            "Een termijn van meer dan %(max)s werkdagen (ruim een jaar) is geen streeftermijn."
        ) % {"max": MAX_TERM}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def set_handling_term(municipality, kind: str, code: str, working_days, *, request):
    """Set (or change) the term for `kind` and `code` (empty: the kind's default). Existing
    objects keep their streefdatum; only objects created from now on get the new term."""
    from .models import HandlingTerm

    _check_term(municipality, kind, code, working_days)
    term = (
        HandlingTerm.objects.select_for_update()
        .filter(municipality=municipality, kind=kind, code=code)
        .first()
    )
    old = term.working_days if term else None
    if term is None:
        term = HandlingTerm.objects.create(
            municipality=municipality, kind=kind, code=code, working_days=working_days
        )
    else:
        term.working_days = working_days
        term.save(update_fields=["working_days"])
    record(
        Action.CREATE if old is None else Action.UPDATE,
        request=request,
        municipality=municipality,
        object_type="handling_term",
        object_id=term.pk,
        detail={"kind": kind, "code": code, "working_days": [old, working_days]},
    )
    return term


@transaction.atomic
def remove_handling_term(term, *, request) -> None:
    record(
        Action.DELETE,
        request=request,
        municipality=term.municipality,
        object_type="handling_term",
        object_id=term.pk,
        detail={"kind": term.kind, "code": term.code, "working_days": term.working_days},
    )
    term.delete()


@transaction.atomic
def add_holiday(municipality, day, name: str, *, request):
    """A day off of `municipality` (its own calendar, on top of the installation's)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from .models import Holiday

    if not name.strip():
        raise ValidationError({"name": _("Geef de feestdag een naam.")})
    if Holiday.objects.filter(
        models.Q(municipality__isnull=True) | models.Q(municipality=municipality), date=day
    ).exists():
        raise ValidationError({"date": _("Die dag staat al in de kalender.")})
    holiday = Holiday.objects.create(municipality=municipality, date=day, name=name.strip())
    record(
        Action.CREATE,
        request=request,
        municipality=municipality,
        object_type="holiday",
        object_id=holiday.pk,
        detail={"date": day.isoformat(), "name": holiday.name},
    )
    return holiday


@transaction.atomic
def remove_holiday(holiday, *, request) -> None:
    record(
        Action.DELETE,
        request=request,
        municipality=holiday.municipality,
        object_type="holiday",
        object_id=holiday.pk,
        detail={"date": holiday.date.isoformat(), "name": holiday.name},
    )
    holiday.delete()
