import dataclasses
import re

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from noaber.accounts.models import Municipality
from noaber.insight.alerts import detect_for, detect_months_for
from noaber.insight.peak_text import judgement_text, method_text
from noaber.insight.peaks import Params
from noaber.lib.charts import format_number


def parameter(text: str) -> tuple[str, object]:
    """NAME=VALUE: a whole number, a decimal number, true/false or whole numbers with commas
    (spans=1,2). Whether the value is in range is for the detection to say, per series."""
    name, sep, raw = text.partition("=")
    name, raw = name.strip(), raw.strip()
    if not sep or name not in {f.name for f in dataclasses.fields(Params)}:
        raise CommandError(
            _("Onbekende parameter %(p)r: geef NAAM=WAARDE met een van: %(names)s.")
            % {"p": text, "names": ", ".join(f.name for f in dataclasses.fields(Params))}
        )
    if raw.lower() in ("true", "false"):
        return name, raw.lower() == "true"
    try:
        if "," in raw:
            return name, tuple(int(part) for part in raw.split(",") if part.strip())
        return name, int(raw) if re.fullmatch(r"-?\d+", raw) else float(raw)
    except ValueError:
        return name, raw  # text (engine=numpy); the detection refuses what it cannot use


class Command(BaseCommand):
    help = (
        "Peak detection (improved Farrington, docs/peaks.md) over the weekly series of the "
        "register and the monthly series of the police's imported figures (47022NED, "
        "'maandcijfers politie'); stores alerts for the advisors and e-mails them. Default: "
        "every municipality, the last complete ISO week and the newest imported month. "
        "--week judges only that week, --month only that month (both: both). A series the "
        "detection cannot judge (bad counts, a month in the future, parameters out of range) "
        "is declined with the reason; the others go on."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality", help="CBS code, e.g. GM1774")
        parser.add_argument("--week", help="ISO week to judge, e.g. 2026-W47")
        parser.add_argument(
            "--month", help="month of the police's monthly figures to judge, e.g. 2026-10"
        )
        parser.add_argument(
            "--parameter",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="change a detection parameter for this run (Params field, e.g. alpha=0.005); "
            "weekly and monthly series each start from their own defaults",
        )
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
        week = month = None
        if options["week"]:
            match = re.fullmatch(r"(\d{4})-W(\d{1,2})", options["week"])
            if not match or not 1 <= int(match[2]) <= 53:
                raise CommandError("Geef de week als JJJJ-Www, bijvoorbeeld 2026-W47.")
            week = (int(match[1]), int(match[2]))
        if options["month"]:
            match = re.fullmatch(r"(\d{4})-(\d{1,2})", options["month"])
            if not match or not 1 <= int(match[2]) <= 12:
                raise CommandError("Geef de maand als JJJJ-MM, bijvoorbeeld 2026-10.")
            month = (int(match[1]), int(match[2]))
        overrides = dict(parameter(text) for text in options["parameter"])
        weekly = week is not None or month is None
        monthly = month is not None or week is None
        for municipality in municipalities:
            if weekly:
                self.report(detect_for(municipality, week, overrides=overrides), options)
            if monthly:
                self.report(detect_months_for(municipality, month, overrides=overrides), options)

    def report(self, summary, options):
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
                    % {"s": label, "t": judgement_text(method, notes, summary.period)}
                )
        elif summary.declined:
            self.stdout.write(
                _("  %(n)d reeks(en) afgewezen; --verbose-series zegt waarom.")
                % {"n": len(summary.declined)}
            )
