from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "noaber.cases"
    label = "cases"
    verbose_name = "Casusregie"

    def ready(self):
        # A verstrekking from the register lands on the timelines of the cases built on it:
        # `registry` sends the event, this app acts on it.
        from noaber.registry.signals import disclosure_recorded

        from .actions import note_disclosure

        disclosure_recorded.connect(note_disclosure, dispatch_uid="cases.note_disclosure")
