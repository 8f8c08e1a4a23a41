"""The Dutch words for the codes the ZGW APIs record in the audit log (noaber/audit/labels.py):
the clients and the catalogue, every resource served, every refusal."""

from django.utils.translation import gettext_lazy as _

from noaber.accounts.audit_labels import by_pk
from noaber.audit.labels import register_object_type, register_reasons
from noaber.cases.models import Case

register_reasons(
    {
        # A token refused (clients.authenticate) or a client held back; malformed_token,
        # bad_algorithm, bad_signature and revoked share the labels accounts gives them.
        "no_client_id": _("token zonder client-id"),
        "unknown_client": _("onbekende client"),
        "revoked_client": _("client ingetrokken"),
        "no_iat": _("token zonder geldige iat"),
        "future_iat": _("iat van het token in de toekomst"),
        "expired": _("token verlopen"),
        "missing_scope": _("client mist de scope"),
        "throttled": _("te veel verzoeken van deze client"),
        # The Zaken API.
        "no_legal_basis": _("client zonder grondslag"),
        "above_confidentiality": _("boven het vertrouwelijkheidsniveau van de client"),
        "case_type_not_served": _("zaaktype wordt niet verstrekt"),
        "bsn_not_entitled": _("client mag niet op BSN zoeken"),
        "served_case_types": _("verstrekte zaaktypen gewijzigd"),
        # The processing log outward.
        "processing_log_off": _("verwerkingenlogging staat uit"),
        "client_not_named": _("client niet genoemd door de privacyfunctionaris"),
    }
)

_case = by_pk(
    lambda m: Case.objects.filter(municipality=m),
    lambda c: _("casus %(n)s") % {"n": c.number},
    "cases:case",
    "cases.work",
)

register_object_type("zgw_client", _("ZGW-client"))
register_object_type("zgw_catalogue", _("zaaktypecatalogus (instelling)"))
for code, label in (
    ("zgw_catalogus", _("ZGW-catalogus gelezen")),
    ("zgw_zaaktype", _("ZGW-zaaktype gelezen")),
    ("zgw_statustype", _("ZGW-statustype gelezen")),
    ("zgw_resultaattype", _("ZGW-resultaattype gelezen")),
    ("zgw_roltype", _("ZGW-roltype gelezen")),
    ("zgw_processing_log", _("verwerkingenlogging (instelling)")),
    ("zgw_processing_release", _("vrijgave voor de verwerkingenlogging")),
    ("zgw_verwerkte_objecten", _("verwerkingenlogging gevraagd")),
):
    register_object_type(code, label)
for code, label in (
    ("zgw_zaak", _("casus verstrekt als ZGW-zaak")),
    ("zgw_status", _("statussen verstrekt (ZGW)")),
    ("zgw_resultaat", _("resultaat verstrekt (ZGW)")),
    ("zgw_rol", _("rol verstrekt (ZGW)")),
    ("zgw_zaakobject", _("zaakobject verstrekt (ZGW)")),
):
    register_object_type(code, label, _case)
