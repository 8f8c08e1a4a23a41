"""Loading the VNG themes and the IVP priorities from data/reference (idempotent).

Existing rows are left as they are, so changes the functional admin made survive a reload.
"""

from django.db import transaction

from noaber.accounts.models import Municipality, Organisation
from noaber.accounts.reference import read, record_loaded

from .models import Domain, Priority, Theme


@transaction.atomic
def load_themes() -> int:
    data = read("themes.json")
    changed = 0
    for d in data["domains"]:
        domain, created = Domain.objects.get_or_create(
            number=d["number"], defaults={"name": d["name"]}
        )
        changed += created
        for t in d["themes"]:
            _, created = Theme.objects.get_or_create(
                code=t["code"], municipality=None, defaults={"domain": domain, "name": t["name"]}
            )
            changed += created
    shared = {t.code: t for t in Theme.objects.filter(municipality__isnull=True)}
    for municipality in Municipality.objects.filter(
        cbs_code__in=data["priorities"]["municipalities"]
    ):
        for p in data["priorities"]["items"]:
            priority, created = Priority.objects.get_or_create(
                municipality=municipality,
                name=p["name"],
                defaults={"order": p["order"], "description": p["description"]},
            )
            if created:
                priority.themes.set([shared[c] for c in p["themes"]])
                changed += 1
    record_loaded("themes", changed)
    return changed


@transaction.atomic
def link_organisations_to_themes() -> int:
    """The themes and IVP priorities (Tabel 7) each partner works on; runs after the themes
    and priorities exist. Adds links only to partners that have none yet."""
    changed = 0
    themes = {t.code: t for t in Theme.objects.filter(municipality__isnull=True)}
    for item in read("organisations.json")["organisations"]:
        organisation = Organisation.objects.filter(name=item["name"]).first()
        if organisation is None:
            continue
        if item.get("themes") and not organisation.themes.exists():
            organisation.themes.set([themes[c] for c in item["themes"] if c in themes])
            changed += 1
        if item.get("priorities") and not organisation.priorities.exists():
            organisation.priorities.set(
                Priority.objects.filter(
                    order__in=item["priorities"],
                    municipality__in=organisation.municipalities.all(),
                )
            )
            changed += 1
    record_loaded("organisation_themes", changed)
    return changed


@transaction.atomic
def load_handling_terms() -> int:
    """The installation's public holidays (computed per year, stored as dates) and each
    municipality's default handling terms (data/reference/terms.json). Only adds: a term the
    admin changed stays as the admin left it; a
    shared holiday that was removed comes back on reload (those days are the law's)."""
    from noaber.lib.workdays import dutch_public_holidays

    from .models import HandlingTerm, Holiday

    data = read("terms.json")
    changed = 0
    for year in data["holiday_years"]:
        for day, name in dutch_public_holidays(year, good_friday=data["good_friday"]):
            _, created = Holiday.objects.get_or_create(
                municipality=None, date=day, defaults={"name": name}
            )
            changed += created
    for municipality in Municipality.objects.all():
        for kind, days in data["default_terms"].items():
            _, created = HandlingTerm.objects.get_or_create(
                municipality=municipality, kind=kind, code="", defaults={"working_days": days}
            )
            changed += created
    record_loaded("handling_terms", changed)
    return changed
