from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "noaber.search"
    label = "search"
    verbose_name = _("Zoeken")

    def ready(self):
        from . import receivers

        receivers.connect()
