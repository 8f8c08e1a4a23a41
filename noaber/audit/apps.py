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
        from django.db.models.signals import post_migrate

        from . import activities

        activities.connect()
        # Every migrate (a fresh `make run`, each deployment) anchors the head once.
        post_migrate.connect(_anchor_after_migrate, sender=self, dispatch_uid="audit-anchor")


def _anchor_after_migrate(sender, using="default", **kwargs):
    """Anchor the head once per migrate. A problem (the file cannot be written, the file and
    the log disagree) must not fail the migration that already committed: it is reported on
    stderr here and by verify_audit."""
    import sys

    from django.db import DatabaseError

    from .anchors import AnchorError, path, write

    if path() is None or using != "default":
        return
    try:
        write(origin="system")
    except (AnchorError, OSError, DatabaseError) as error:
        sys.stderr.write(f"Audit anchor not written after migrate: {error}\n")
