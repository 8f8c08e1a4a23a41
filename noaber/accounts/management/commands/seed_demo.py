from django.core.management import call_command
from django.core.management.base import BaseCommand

from noaber.accounts.demo import load_demo_users, require_demo_mode


class Command(BaseCommand):
    help = "Load reference data and the demo users (one per role). Demo mode only; safe to rerun."

    def handle(self, *args, **options):
        require_demo_mode()
        call_command("load_reference_data", stdout=self.stdout)
        created = load_demo_users()
        self.stdout.write(
            self.style.SUCCESS(f"Demogegevens geladen ({created} nieuwe gebruikers).")
        )
