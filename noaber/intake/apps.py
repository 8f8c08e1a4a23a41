from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "noaber.intake"
    label = "intake"
    verbose_name = "Meldpunt"

    def ready(self):
        # Handling terms for reports are set per category (noaber.themes.terms).
        from noaber.themes.models import TermKind
        from noaber.themes.terms import offer_codes

        from .models import Category

        offer_codes(
            TermKind.REPORT,
            lambda municipality: [(c.code, str(c)) for c in Category.objects.filter(active=True)],
        )
