from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "noaber.registry"
    label = "registry"
    verbose_name = "Signaalregister"
