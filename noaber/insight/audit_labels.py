"""The Dutch words for the codes the veiligheidsbeeld records in the audit log."""

from django.utils.translation import gettext_lazy as _

from noaber.accounts.audit_labels import by_pk
from noaber.audit.labels import register_object_type

from .models import Alert

register_object_type(
    "alert",
    _("piekmelding"),
    by_pk(
        lambda m: Alert.objects.filter(municipality=m),
        lambda a: _("piekmelding %(s)s, week %(w)s") % {"s": a.series_label, "w": a.week},
        "insight:alert",
        "insight.alerts",
    ),
)
register_object_type("indicator_import", _("import van cijfers"))
