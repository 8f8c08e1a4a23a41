from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "noaber.portal"
    label = "portal"
    verbose_name = _("Partnerportaal")

    def ready(self):
        # Closing a case ends its shares: `cases` sends the event, this app acts on it.
        from noaber.cases.signals import case_closed, case_destroying

        from .actions import end_shares_of_closed_case, wipe_shares_of_destroyed_case

        case_closed.connect(end_shares_of_closed_case, dispatch_uid="portal.end_shares")
        # Destroying a case keeps its shares as ledger rows, their free text wiped.
        case_destroying.connect(wipe_shares_of_destroyed_case, dispatch_uid="portal.wipe_shares")
