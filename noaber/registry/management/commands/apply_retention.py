from datetime import date

from django.core.management.base import BaseCommand, CommandError

from noaber.registry.actions import apply_retention, run_retention
from noaber.registry.models import Signal


class Command(BaseCommand):
    help = (
        "Delete or anonymise closed signals whose retention term (per outcome, see "
        "/m/<CBS>/register/bewaartermijnen/) has passed, then destroy the cases on destruction "
        "lists the archivist approved (/m/<CBS>/archief/). Records under legal hold are never "
        "touched; a case reopened or held since its list was made is skipped with the reason. "
        "Every destruction is written to the destruction register and the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only list what is due.")
        parser.add_argument("--today", type=date.fromisoformat, help="Pretend it is this date.")
        parser.add_argument("--signal", type=int, action="append", help="Only this signal id.")

    def handle(self, *args, **options):
        only = options["signal"]
        if only:
            held = list(
                Signal.objects.filter(pk__in=only, legal_hold=True).values_list("pk", flat=True)
            )
            if held:
                raise CommandError(
                    f"Signal(s) {', '.join(f'S-{pk}' for pk in held)} are under legal hold "
                    "(bewaarplicht); lift the hold first. Nothing was changed."
                )
        others = []
        if only:
            # Only the named signals: no other kinds of record.
            report = apply_retention(today=options["today"], dry_run=options["dry_run"], only=only)
        else:
            report, others = run_retention(today=options["today"], dry_run=options["dry_run"])
        verb = "due (dry run)" if options["dry_run"] else "destroyed or anonymised"
        self.stdout.write(f"{len(report.due)} signal(s) {verb}; {len(report.held)} held.")
        for pk in report.held:
            self.stdout.write(f"  S-{pk}: legal hold, kept")
        for other in others:
            kind = other["kind"]
            self.stdout.write(
                f"{len(other['due'])} {kind}(s) {verb}: {other['done']} done; "
                f"{len(other['skipped'])} skipped."
            )
            for number, reason in other["skipped"]:
                self.stdout.write(f"  {number}: skipped — {reason}")
