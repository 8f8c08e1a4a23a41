from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "noaber.archive"
    label = "archive"
    verbose_name = _("Archief")

    def ready(self):
        # The retention run (`manage.py apply_retention`, daily task) lives in the register,
        # below casusregie: it sends `retention_due`, this app destroys the approved cases.
        from noaber.registry.signals import retention_due

        from .actions import destroy_approved

        retention_due.connect(destroy_approved, dispatch_uid="archive.destroy_approved")
