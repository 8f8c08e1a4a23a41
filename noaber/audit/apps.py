from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "noaber.audit"
    label = "audit"
    verbose_name = _("Auditlog")

    def ready(self):
        # Each app names the codes it records in Dutch in its own audit_labels.py
        # (see noaber/audit/labels.py).
        autodiscover_modules("audit_labels")
        from . import activities

        activities.connect()
