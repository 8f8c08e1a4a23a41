from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "noaber.cases"
    label = "cases"
    verbose_name = "Casusregie"
