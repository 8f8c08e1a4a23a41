"""Changing themes and priorities (functional admin)."""

from django.db import transaction

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
