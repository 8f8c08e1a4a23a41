"""The Dutch words for the codes the shell records in the audit log."""

from django.utils.translation import gettext_lazy as _

from noaber.audit.labels import register_object_type, register_reasons

register_reasons(
    {"file_altered": _("bestand buiten Noaber gewijzigd"), "my_work": _("mijn werk bekeken")}
)
register_object_type("my_work", _("mijn werk (eigen meldingen, signalen, casussen, taken)"))
register_object_type("file", _("bestand"))
