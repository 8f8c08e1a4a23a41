from django.core.management.base import BaseCommand, CommandError

from noaber.audit.actions import verify_and_record
from noaber.audit.chain import parse_head, verify_all


class Command(BaseCommand):
    help = (
        "Walk the audit log's hash chain and prove it unchanged. Exits non-zero and names the "
        "first broken event when a row was changed, removed or inserted outside Noaber; checks "
        "that the append-only triggers are in place and that the chain still holds the newest "
        "head anchored in NOABER_AUDIT_ANCHOR_FILE. --expect-head checks a head kept "
        "elsewhere too."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-record", action="store_true", help="Do not append the result to the log."
        )
        parser.add_argument(
            "--expect-head",
            metavar="SEQ:HASH",
            help="A head printed by an earlier run; it must still be part of the chain.",
        )

    def handle(self, *args, **options):
        expect_head = None
        if options["expect_head"]:
            try:
                expect_head = parse_head(options["expect_head"])
            except ValueError as error:
                raise CommandError(f"--expect-head: {error}") from error
        if options["no_record"]:
            report = verify_all(expect_head)
        else:
            report = verify_and_record(origin="cli", expect_head=expect_head)
        if report.incident:
            raise CommandError(f"Audit log unprotected: {report.incident}")
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at event #{report.broken_seq}: {report.problem}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {report.checked} events, head "
                f"{report.head_seq}:{report.head_hash}"
            )
        )
