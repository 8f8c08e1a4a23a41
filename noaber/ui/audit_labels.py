"""The Dutch words for the codes the shell records in the audit log."""

from django.utils.translation import gettext_lazy as _

from noaber.audit.labels import register_object_type, register_reasons

register_reasons({"file_altered": _("bestand buiten Noaber gewijzigd")})
register_object_type("file", _("bestand"))
