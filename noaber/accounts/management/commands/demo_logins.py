from django.core.management.base import BaseCommand

from noaber.accounts.demo import DEMO_PASSWORD, DEMO_USERS, demo_logins, require_demo_mode
from noaber.accounts.models import Role


class Command(BaseCommand):
    help = "Print the demo logins with their TOTP secret and current code. Demo mode only."

    def handle(self, *args, **options):
        require_demo_mode()
        labels = dict(Role.choices)
        roles = {u[0]: u[4] for u in DEMO_USERS}
        self.stdout.write(f"\nDemo-logins (wachtwoord voor allen: {DEMO_PASSWORD})")
        self.stdout.write(f"{'gebruiker':<20} {'code nu':<8} {'TOTP-sleutel':<34} rollen")
        for row in demo_logins():
            described = "; ".join(
                f"{code}: {', '.join(str(labels[r]) for r in rs)}"
                for code, rs in roles[row["username"]].items()
            )
            self.stdout.write(
                f"{row['username']:<20} {row['code']:<8} {row['secret']:<34} {described}"
            )
        self.stdout.write(
            "\nDe code verandert elke 30 seconden. Nieuwe codes: `make codes`, of zet de sleutel "
            "in een authenticator-app.\n"
        )
