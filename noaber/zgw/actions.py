"""Changes to the ZGW catalogue (the clients' changes live in clients.py, with their tokens)."""

from django.db import transaction

from noaber.audit.actions import record
from noaber.audit.models import Action

from .models import Catalogue


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
