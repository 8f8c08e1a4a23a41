from django.core.management.base import BaseCommand, CommandError

from noaber.audit.actions import verify_and_record
from noaber.audit.chain import verify_chain


class Command(BaseCommand):
    help = (
        "Walk the audit log's hash chain and prove it unchanged. Exits non-zero and names the "
        "first broken event when a row was changed, removed or inserted outside Noaber."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-record", action="store_true", help="Do not append the result to the log."
        )

    def handle(self, *args, **options):
        if options["no_record"]:
            report = verify_chain()
        else:
            report = verify_and_record(origin="cli")
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at event #{report.broken_seq}: {report.problem}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {report.checked} events, head #{report.head_seq} "
                f"{report.head_hash}"
            )
        )
