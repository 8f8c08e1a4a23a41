"""The Dutch words for the codes the ketenkaart records in the audit log."""

from django.utils.translation import gettext_lazy as _

from noaber.accounts.audit_labels import by_pk
from noaber.accounts.models import Organisation
from noaber.audit.labels import register_object_type

from .models import SharingAgreement

register_object_type(
    "agreement",
    _("convenant"),
    by_pk(
        lambda m: SharingAgreement.objects.filter(municipalities=m),
        lambda a: _("convenant %(n)s") % {"n": a.name},
        "partners:agreement",
        "partners.agreements",
    ),
)
register_object_type(
    "organisation",
    _("ketenpartner"),
    by_pk(
        lambda m: Organisation.objects.filter(municipalities=m),
        lambda o: str(o.name),
        "partners:partner",
        "partners.view",
    ),
)
register_object_type("agreement_document", _("getekend convenant"))
register_object_type("partner_views", _("overzicht van inzage door ketenpartners"))
