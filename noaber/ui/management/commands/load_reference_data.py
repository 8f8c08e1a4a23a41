from django.core.management.base import BaseCommand

from noaber.reference import load_all


class Command(BaseCommand):
    help = (
        "Load the reference data in data/reference (municipalities, inhabitants, organisations "
        "and chain partners, VNG themes, IVP priorities, meldpunt categories and areas, the "
        "simplified boundaries until real ones are imported, register scales, retention terms "
        "and protocol gates, case types and the intervention catalogue). Safe to run again: "
        "it only adds."
    )

    def handle(self, *args, **options):
        created = load_all()
        self.stdout.write(self.style.SUCCESS(f"Referentiegegevens geladen ({created} nieuw)."))
