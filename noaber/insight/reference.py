"""Indicator definitions, regions and the plan's own figures as the 2023 baseline
(data/reference/indicators.json). Idempotent: only adds what is missing."""

from decimal import Decimal

from django.db import transaction

from noaber.accounts.models import Municipality
from noaber.accounts.reference import read, record_loaded
from noaber.themes.models import Theme

from .models import Indicator, Period, Region, Status, Value


def ensure_municipality_regions() -> int:
    created = 0
    for municipality in Municipality.objects.all():
        _, new = Region.objects.get_or_create(
            code=municipality.cbs_code,
            defaults={
                "name": municipality.name,
                "kind": Region.Kind.MUNICIPALITY,
                "municipality": municipality,
            },
        )
        created += new
    return created


@transaction.atomic
def load_indicators() -> int:
    data = read("indicators.json")
    themes = {t.code: t for t in Theme.objects.filter(municipality__isnull=True)}
    created = 0
    for item in data["indicators"]:
        _, new = Indicator.objects.get_or_create(
            code=item["code"],
            defaults={k: v for k, v in item.items() if k not in ("code", "theme")}
            | {"theme": themes.get(item["theme"])},
        )
        created += new
    for rate, count in data["rate_of"].items():
        Indicator.objects.filter(code=rate, rate_of__isnull=True).update(
            rate_of=Indicator.objects.get(code=count)
        )
    for item in data["regions"]:
        _, new = Region.objects.get_or_create(
            code=item["code"], defaults={"name": item["name"], "kind": item["kind"]}
        )
        created += new
    created += ensure_municipality_regions()
    baseline = data["baseline"]
    indicators = {i.code: i for i in Indicator.objects.all()}
    regions = {r.code: r for r in Region.objects.all()}
    for item in baseline["values"]:
        value = item["value"]
        _, new = Value.objects.get_or_create(
            indicator=indicators[item["indicator"]],
            region=regions[item["region"]],
            period_type=Period.YEAR,
            year=item["year"],
            number=0,
            defaults={
                "value": None if value is None else Decimal(str(value)),
                "status": item.get("status", Status.DEFINITIVE),
                "source": baseline["_source"],
                "note": item.get("note", ""),
            },
        )
        created += new
    record_loaded("indicators", created)
    return created
