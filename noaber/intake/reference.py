"""Loading the meldpunt's reference data: categories, areas, and made-up outlines.

Idempotent; existing rows are left as the functional admin changed them.
"""

from django.db import transaction

from noaber.accounts.models import Municipality
from noaber.accounts.reference import read, record_loaded
from noaber.themes.models import Theme

from .areas import import_areas
from .fixtures import AREAS_FILE
from .models import Area, Category, Outline


@transaction.atomic
def load_intake_reference() -> int:
    created = 0
    themes = {t.code: t for t in Theme.objects.filter(municipality__isnull=True)}
    for order, item in enumerate(read("categories.json")["categories"]):
        _, new = Category.objects.get_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "group": item["group"],
                "theme": themes[item["theme"]],
                "referral": item["referral"],
                "order": order,
            },
        )
        created += new
    for code, names in read("areas.json")["areas"].items():
        municipality = Municipality.objects.filter(cbs_code=code).first()
        if municipality is None:
            continue
        for name in names:
            _, new = Area.objects.get_or_create(
                municipality=municipality, name=name, defaults={"kind": Area.Kind.KERN}
            )
            created += new
        _, new = Area.objects.get_or_create(
            municipality=municipality, name="Buitengebied", defaults={"kind": Area.Kind.RURAL}
        )
        created += new
    record_loaded("intake", created)
    # Only when no outline was imported yet: the made-up municipal and kern outlines are a
    # stand-in until the real ones are imported with `manage.py import_areas` (docs/meldpunt.md).
    if not Outline.objects.exists():
        created += import_areas(AREAS_FILE, source="fictief (demo)").outlines
    return created
