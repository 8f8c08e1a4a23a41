"""The Dutch words for the codes the audit app itself records."""

from django.utils.translation import gettext_lazy as _

from .labels import register_object_type, register_reasons

register_object_type("audit_chain", _("controle van de auditketen"))
register_object_type("audit_anchor", _("anker van de auditketen buiten de database"))

register_reasons({"edit": _("openen om te wijzigen")})
register_object_type("processing_activity", _("verwerkingsactiviteit (verwerkingsregister)"))
