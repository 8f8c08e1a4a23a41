"""Changes to the ZGW catalogue and the disclosure ledger (the clients' changes live in
clients.py, with their tokens)."""

from django.db import transaction
from django.utils import timezone

from noaber.audit.actions import record
from noaber.audit.models import Action

from .models import ApiClient, Catalogue, ZaakDisclosure


@transaction.atomic
def save_catalogue(municipality, values: dict, *, actor=None, request=None) -> Catalogue:
    """Publish or change the municipality's catalogue with validated ``values`` (rsin,
    domain, contact_name, contact_email); audited."""
    catalogue = Catalogue.objects.filter(municipality=municipality).first()
    new = catalogue is None
    catalogue = catalogue or Catalogue(municipality=municipality)
    for field, value in values.items():
        setattr(catalogue, field, value)
    catalogue.full_clean()
    catalogue.save()
    record(
        Action.CREATE if new else Action.UPDATE,
        actor=actor,
        request=request,
        municipality=municipality,
        object_type="zgw_catalogue",
        object_id=catalogue.pk,
        detail={"rsin": catalogue.rsin, "domain": catalogue.domain},
    )
    return catalogue


@transaction.atomic
def serve_case_types(catalogue: Catalogue, case_types, *, actor=None, request=None) -> None:
    """Turn serving through the Zaken API on for exactly these case types (off for the
    others): serving a case to another system is a disclosure, so it is a decision per type;
    audited with what was turned on and off."""
    before = set(catalogue.served_case_types.values_list("code", flat=True))
    catalogue.served_case_types.set(case_types)
    after = {case_type.code for case_type in case_types}
    if before == after:
        return
    record(
        Action.UPDATE,
        actor=actor,
        request=request,
        municipality=catalogue.municipality,
        object_type="zgw_catalogue",
        object_id=catalogue.pk,
        reason="served_case_types",
        detail={"on": sorted(after - before), "off": sorted(before - after)},
    )


def record_served(client: ApiClient, case_ids, what: str) -> None:
    """The disclosure ledger: a line per client and case the first time the case is served to
    it (with the client's legal basis then), marked with each kind of data served since.
    `what` is one of ZaakDisclosure.SERVED. Two statements, whatever the number of cases;
    runs in the request's transaction, so a served answer and its ledger line go together."""
    case_ids = sorted(set(case_ids))
    if not case_ids:
        return
    flag = f"served_{what}"
    ZaakDisclosure.objects.bulk_create(
        [
            ZaakDisclosure(
                client=client,
                case_id=case_id,
                legal_basis=client.legal_basis,
                first_served_at=timezone.now(),
                **{flag: True},
            )
            for case_id in case_ids
        ],
        ignore_conflicts=True,
    )
    ZaakDisclosure.objects.filter(client=client, case_id__in=case_ids, **{flag: False}).update(
        **{flag: True}
    )


def keep_disclosed_case(sender, case, **kwargs) -> bool:
    """On `cases.signals.case_destroying`: a case served to a ZGW client keeps its row (a
    shell without title or text), because the disclosure ledger names it."""
    return ZaakDisclosure.objects.filter(case=case).exists()
