"""Loading municipalities and organisations from data/reference (idempotent)."""

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from noaber.audit.actions import record
from noaber.audit.models import Action

from .models import Municipality, Organisation, Population

REFERENCE_DIR = Path(settings.BASE_DIR) / "data" / "reference"


def record_loaded(name: str, created: int) -> None:
    if created:
        record(
            Action.CREATE,
            origin="system",
            object_type="reference_data",
            object_id=name,
            detail={"created": created},
        )


def read(name: str) -> dict:
    return json.loads((REFERENCE_DIR / name).read_text(encoding="utf-8"))


@transaction.atomic
def load_municipalities() -> int:
    changed = 0
    for item in read("municipalities.json")["municipalities"]:
        municipality, created = Municipality.objects.update_or_create(
            cbs_code=item["cbs_code"], defaults={"name": item["name"]}
        )
        changed += created
        for pop in item["populations"]:
            _, created = Population.objects.update_or_create(
                municipality=municipality,
                year=pop["year"],
                defaults={"inhabitants": pop["inhabitants"], "source": pop["source"]},
            )
            changed += created
    record_loaded("municipalities", changed)
    return changed


@transaction.atomic
def load_organisations() -> int:
    changed = 0
    by_code = {m.cbs_code: m for m in Municipality.objects.all()}
    for item in read("organisations.json")["organisations"]:
        organisation, created = Organisation.objects.get_or_create(
            name=item["name"],
            defaults={"kind": item["kind"], "responsibility": item["responsibility"]},
        )
        if created:
            organisation.municipalities.set([by_code[c] for c in item["municipalities"]])
            changed += 1
    record_loaded("organisations", changed)
    return changed
