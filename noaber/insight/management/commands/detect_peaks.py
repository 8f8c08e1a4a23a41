import re

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from noaber.accounts.models import Municipality
from noaber.insight.alerts import detect_for
from noaber.insight.peak_text import judgement_text, method_text
from noaber.lib.charts import format_number


class Command(BaseCommand):
    help = (
        "Peak detection (improved Farrington, docs/peaks.md) over the weekly series of the "
        "register; stores alerts for the advisors and e-mails them. Default: every "
        "municipality, the last complete ISO week."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality", help="CBS code, e.g. GM1774")
        parser.add_argument("--week", help="ISO week to judge, e.g. 2026-W47")
        parser.add_argument(
            "--verbose-series",
            action="store_true",
            help="also list the series the method declined and why, and the notes on the "
            "others (block method, minimum-count rule, ...)",
        )

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
                    _(
                        "  piek: %(s)s: %(o)d waargenomen, verwacht %(e)s, bovengrens %(u)s "
                        "(score %(score)s; methode: %(m)s)"
                    )
                    % {
                        "s": alert.series_label,
                        "o": alert.observed,
                        "e": format_number(alert.expected, 1),
                        "u": format_number(alert.upper, 1),
                        "score": format_number(alert.score, 2),
                        "m": method_text(alert.method),
                    }
                )
                if alert.explanation:
                    self.stdout.write(_("    toelichting: %(t)s") % {"t": alert.explanation})
            if options["verbose_series"]:
                for label, why in summary.declined:
                    self.stdout.write(_("  afgewezen: %(s)s: %(t)s") % {"s": label, "t": why})
                for label, method, notes in summary.remarks:
                    self.stdout.write(
                        _("  opmerking: %(s)s: %(t)s")
                        % {"s": label, "t": judgement_text(method, notes)}
                    )
