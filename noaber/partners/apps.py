from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "noaber.partners"
    label = "partners"
    verbose_name = "Ketenkaart"

    def ready(self):
        # Closing a case ends its shares: `cases` sends the event, this app acts on it.
        from noaber.cases.signals import case_closed

        from .actions import end_shares_of_closed_case

        case_closed.connect(end_shares_of_closed_case, dispatch_uid="partners.end_shares")
