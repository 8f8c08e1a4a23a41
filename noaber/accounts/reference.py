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
            cbs_code=item["cbs_code"],
            defaults={
                "name": item["name"],
                # Off unless the municipality chose to name employees in access reports.
                "access_report_names_staff": item.get("access_report_names_staff", False),
            },
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
    """Adds the plan's partners. A row is filled from the plan once (when `plan_source` is
    still empty); after that it is the admin's, and loading again changes nothing."""
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
        if not organisation.plan_source and item.get("plan_source"):
            organisation.kind = item["kind"]
            organisation.plan_source = item["plan_source"]
            organisation.contact_route = item.get("contact_route", "")
            organisation.save(update_fields=["kind", "plan_source", "contact_route"])
            changed += not created
    record_loaded("organisations", changed)
    return changed
