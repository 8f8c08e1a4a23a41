"""Loading the meldpunt's reference data: categories, areas and (simplified) boundaries.

Idempotent; existing rows are left as the functional admin changed them.
"""

from django.db import transaction

from noaber.accounts.models import Municipality
from noaber.accounts.reference import REFERENCE_DIR, read, record_loaded
from noaber.themes.models import Theme

from .geo import import_boundaries
from .models import Area, Boundary, Category

SIMPLIFIED_BOUNDARIES = REFERENCE_DIR / "boundaries-simplified.geojson"


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
    # Only when no boundary was imported yet: the simplified shapes are a stand-in until the
    # real ones are imported with `manage.py import_boundaries` (docs/meldpunt.md).
    if not Boundary.objects.exists():
        created += len(import_boundaries(SIMPLIFIED_BOUNDARIES, "vereenvoudigd (demo)"))
    return created
