"""The Dutch words for the codes the archive records in the audit log."""

from django.utils.translation import gettext_lazy as _

from noaber.accounts.audit_labels import by_pk
from noaber.audit.labels import register_object_type, register_reasons

from .models import DestructionList

register_reasons(
    {"archief": _("archiefbeheer"), "destruction_list": _("opstellen van een vernietigingslijst")}
)
register_object_type(
    "destruction_list",
    _("vernietigingslijst"),
    by_pk(
        lambda m: DestructionList.objects.filter(municipality=m),
        lambda d: _("vernietigingslijst %(n)s") % {"n": d.pk},
        "archive:list",
        "archive.work",
    ),
)
register_object_type("transfer_package", _("overdrachtspakket"))
