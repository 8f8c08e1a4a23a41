from django.core.management.base import BaseCommand

from noaber.accounts.reference import load_municipalities, load_organisations
from noaber.themes.reference import load_themes


class Command(BaseCommand):
    help = (
        "Load the reference data in data/reference (municipalities, inhabitants, organisations "
        "and chain partners, VNG themes, IVP priorities). Safe to run again: it only adds."
    )

    def handle(self, *args, **options):
        created = load_municipalities() + load_organisations() + load_themes()
        self.stdout.write(self.style.SUCCESS(f"Referentiegegevens geladen ({created} nieuw)."))
