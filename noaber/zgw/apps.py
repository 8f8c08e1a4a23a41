from django.apps import AppConfig


class ZgwConfig(AppConfig):
    name = "noaber.zgw"
    label = "zgw"
    verbose_name = "Common Ground (ZGW)"
