from django.core.management.base import BaseCommand

from noaber.accounts.reference import load_municipalities, load_organisations
from noaber.cases.reference import load_case_reference
from noaber.intake.reference import load_intake_reference
from noaber.registry.reference import load_registry_reference
from noaber.themes.reference import load_themes


class Command(BaseCommand):
    help = (
        "Load the reference data in data/reference (municipalities, inhabitants, organisations "
        "and chain partners, VNG themes, IVP priorities, meldpunt categories and areas, and the "
        "simplified boundaries until real ones are imported). Safe to run again: it only adds."
    )

    def handle(self, *args, **options):
        created = (
            load_municipalities()
            + load_organisations()
            + load_themes()
            + load_intake_reference()
            + load_registry_reference()
            + load_case_reference()
        )
        self.stdout.write(self.style.SUCCESS(f"Referentiegegevens geladen ({created} nieuw)."))
