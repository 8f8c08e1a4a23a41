from django.core.management.base import BaseCommand, CommandError

from noaber.audit.actions import record
from noaber.audit.chain import verify_chain
from noaber.audit.models import Action, Result


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
        report = verify_chain()
        if not options["no_record"]:
            record(
                Action.VERIFY,
                object_type="audit_chain",
                object_id=report.head_seq or "",
                result=Result.SUCCESS if report.ok else Result.FAILURE,
                origin="cli",
                detail={"checked": report.checked, "broken_seq": report.broken_seq},
            )
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
