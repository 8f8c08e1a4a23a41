"""The Dutch words for the codes the themes app records in the audit log."""

from django.utils.translation import gettext_lazy as _

from noaber.audit.labels import register_object_type

register_object_type("theme", _("thema"))
register_object_type("priority", _("prioriteit"))
