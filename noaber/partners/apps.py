from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "noaber.partners"
    label = "partners"
    verbose_name = "Ketenkaart"
