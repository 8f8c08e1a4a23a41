from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "noaber.accounts"
    label = "accounts"
    verbose_name = _("Accounts en rollen")

    def ready(self):
        # Every audit event names the actor's roles in its municipality; `audit` knows no
        # domain, so this app tells it how to find them.
        from noaber.audit.actions import resolve_roles_with

        from .access import roles_of

        resolve_roles_with(roles_of)

        from noaber.audit.actions import check_municipalities_with

        from .models import Municipality

        check_municipalities_with(lambda code: Municipality.objects.filter(cbs_code=code).exists())

        from noaber.lib.events import audit_incident

        from .tasks import notify_audit_incident

        audit_incident.connect(notify_audit_incident, dispatch_uid="accounts-audit-incident")

        from django.contrib.auth.signals import user_logged_in

        from . import checks  # noqa: F401  (registers the sign-in checks)
        from .middleware import stamp_login

        user_logged_in.connect(stamp_login, dispatch_uid="accounts-stamp-login")
