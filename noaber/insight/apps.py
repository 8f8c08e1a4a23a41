from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "noaber.insight"
    label = "insight"
    verbose_name = "Veiligheidsbeeld"
