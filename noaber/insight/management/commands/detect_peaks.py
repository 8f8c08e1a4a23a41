import re

from django.core.management.base import BaseCommand, CommandError

from noaber.accounts.models import Municipality
from noaber.insight.alerts import detect_for


class Command(BaseCommand):
    help = (
        "Peak detection (improved Farrington, docs/peaks.md) over the weekly series of the "
        "register; stores alerts for the advisors and e-mails them. Default: every "
        "municipality, the last complete ISO week."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality", help="CBS code, e.g. GM1774")
        parser.add_argument("--week", help="ISO week to judge, e.g. 2026-W47")
        parser.add_argument("--verbose-series", action="store_true",
                            help="also list the series the method declined and why")  # fmt: skip

    def handle(self, *args, **options):
        municipalities = Municipality.objects.all()
        if options["municipality"]:
            municipalities = municipalities.filter(cbs_code=options["municipality"])
            if not municipalities:
                raise CommandError(f"Onbekende gemeente {options['municipality']!r}.")
        week = None
        if options["week"]:
            match = re.fullmatch(r"(\d{4})-W(\d{1,2})", options["week"])
            if not match or not 1 <= int(match[2]) <= 53:
                raise CommandError("Geef de week als JJJJ-Www, bijvoorbeeld 2026-W47.")
            week = (int(match[1]), int(match[2]))
        for municipality in municipalities:
            summary = detect_for(municipality, week)
            self.stdout.write(summary.line())
            for alert in summary.alerts:
                self.stdout.write(
                    f"  piek: {alert.series_label}: {alert.observed} waargenomen, verwacht "
                    f"{alert.expected:.1f}, bovengrens {alert.upper:.1f} (score {alert.score:.2f})"
                )
            if options["verbose_series"]:
                for label, reason in summary.declined:
                    self.stdout.write(f"  afgewezen: {label}: {reason}")
