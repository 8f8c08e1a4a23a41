from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "noaber.policy"
    label = "policy"
    verbose_name = "Beleidscyclus"
