"""Every write of the ketenkaart's organisations: a partner's or team's fields, and the themes
and IVP priorities (Tabel 7) it works on — the links live in the themes app. Audited in the
same transaction. The screens are in ketenkaart.py."""

from django.db import transaction

from noaber.accounts.models import Municipality, Organisation
from noaber.audit.actions import record
from noaber.audit.models import Action
from noaber.themes.models import themes_for

ORGANISATION_FIELDS = ("name", "kind", "responsibility", "contact_route")


def _local_priorities(priorities, municipality) -> list:
    priorities = list(priorities)
    if any(p.municipality_id != municipality.pk for p in priorities):
        raise ValueError("Only the municipality's own priorities can be set here.")
    return priorities


@transaction.atomic
def create_organisation(
    municipality: Municipality,
    *,
    name: str,
    kind: str,
    responsibility: str = "",
    contact_route: str = "",
    themes=(),
    priorities=(),
    request,
) -> Organisation:
    """A partner added by the admin of `municipality`, which it then serves."""
    priorities = _local_priorities(priorities, municipality)
    organisation = Organisation(
        name=name, kind=kind, responsibility=responsibility, contact_route=contact_route
    )
    organisation.full_clean()
    organisation.save()
    organisation.municipalities.add(municipality)
    organisation.themes.set(themes)
    organisation.priorities.set(priorities)
    given = {"themes": themes, "priorities": priorities}
    record(
        Action.CREATE,
        request=request,
        municipality=municipality,
        object_type="organisation",
        object_id=organisation.pk,
        detail={
            "changed": [f for f in ORGANISATION_FIELDS if getattr(organisation, f)]
            + [m2m for m2m, values in given.items() if values]
        },
    )
    return organisation


@transaction.atomic
def update_organisation(
    organisation: Organisation,
    municipality: Municipality,
    *,
    name: str,
    kind: str,
    responsibility: str,
    contact_route: str,
    themes,
    priorities,
    request,
) -> Organisation:
    """Change a partner from `municipality`. The fields are shared by every municipality the
    partner serves. `themes` replaces the links to the themes in use in `municipality` and
    `priorities` those to its priorities; links to other municipalities' own themes and
    priorities (and to themes not in use here) stay as they are."""
    priorities = _local_priorities(priorities, municipality)
    values = {
        "name": name,
        "kind": kind,
        "responsibility": responsibility,
        "contact_route": contact_route,
    }
    changed = [f for f in ORGANISATION_FIELDS if getattr(organisation, f) != values[f]]
    for field_name, value in values.items():
        setattr(organisation, field_name, value)
    if changed:
        organisation.full_clean()
        organisation.save(update_fields=changed)

    editable = {t.pk for t in themes_for(municipality)}
    current = set(organisation.themes.values_list("pk", flat=True))
    wanted = (current - editable) | {t.pk for t in themes}
    if wanted != current:
        organisation.themes.set(wanted)
        changed.append("themes")

    current = set(organisation.priorities.values_list("pk", flat=True))
    others = set(
        organisation.priorities.exclude(municipality=municipality).values_list("pk", flat=True)
    )
    wanted = others | {p.pk for p in priorities}
    if wanted != current:
        organisation.priorities.set(wanted)
        changed.append("priorities")

    record(
        Action.UPDATE,
        request=request,
        municipality=municipality,
        object_type="organisation",
        object_id=organisation.pk,
        detail={"changed": changed},
    )
    return organisation
