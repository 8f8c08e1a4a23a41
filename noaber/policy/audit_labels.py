"""The Dutch words for the codes the IVP pages record in the audit log."""

from django.utils.translation import gettext_lazy as _

from noaber.audit.labels import register_object_type

register_object_type("council_report", _("raadsrapportage"))
register_object_type("plan_action", _("actie uit het uitvoeringsplan"))
register_object_type("plan_activity", _("activiteit uit het uitvoeringsplan"))
