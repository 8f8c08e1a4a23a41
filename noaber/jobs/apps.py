from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "noaber.jobs"
    label = "jobs"
    verbose_name = _("Achtergrondtaken")

    def ready(self):
        # Each app declares its background and periodic work in its own tasks.py.
        autodiscover_modules("tasks")
