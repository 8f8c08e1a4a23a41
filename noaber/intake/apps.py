from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "noaber.intake"
    label = "intake"
    verbose_name = "Meldpunt"
