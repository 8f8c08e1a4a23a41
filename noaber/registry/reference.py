"""Default settings of the register (data/reference/registry.json), loaded idempotently."""

from functools import lru_cache

from django.db import transaction

from noaber.accounts.reference import read, record_loaded

from .models import Grade, RetentionTerm


@lru_cache(maxsize=1)
def protocol() -> dict:
    """Which gates each phase has: the Model privacyprotocol by default, editable as data."""
    return read("registry.json")["protocol"]


@lru_cache(maxsize=1)
def source_registers() -> tuple[str, ...]:
    """The sources a bronnencheck may consult (hit / no-hit per source)."""
    return tuple(read("registry.json")["source_registers"])


@lru_cache(maxsize=1)
def subject_access() -> dict:
    """What a data subject's export withholds, and on which legal ground."""
    return read("registry.json")["subject_access"]


@transaction.atomic
def load_registry_reference() -> int:
    data = read("registry.json")
    created = 0
    for kind, grades in data["grades"].items():
        for order, (code, label) in enumerate(grades):
            _, new = Grade.objects.get_or_create(
                kind=kind, code=code, defaults={"label": label, "order": order}
            )
            created += new
    for term in data["retention"]:
        _, new = RetentionTerm.objects.get_or_create(
            outcome=term["outcome"],
            defaults={"months": term["months"], "then": term["then"], "note": term["note"]},
        )
        created += new
    record_loaded("registry", created)
    return created
