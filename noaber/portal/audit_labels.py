"""The Dutch words for the codes the partner portal records in the audit log."""

from django.utils.translation import gettext_lazy as _

from noaber.audit.labels import register_object_type, register_reasons

_SHARED_CASE = _("inzage door een ketenpartner in een gedeelde casus")
register_reasons(
    {
        "partner_portal": _SHARED_CASE,
        "partner_note": _("inzage door een ketenpartner in de notities van een gedeelde casus"),
        "partner_signal": _("inzage door een ketenpartner in een signaal van een gedeelde casus"),
    }
)
register_object_type("partner_portal", _("portaal voor ketenpartners"))
