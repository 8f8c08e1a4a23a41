from django.apps import AppConfig


class ZgwConfig(AppConfig):
    name = "noaber.zgw"
    label = "zgw"
    verbose_name = "Common Ground (ZGW)"

    def ready(self):
        from noaber.cases.signals import case_destroying

        from .actions import keep_disclosed_case

        case_destroying.connect(keep_disclosed_case, dispatch_uid="zgw.keep_disclosed_case")
