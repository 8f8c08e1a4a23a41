import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from noaber.lib.pdf import PdfUnavailableError
from noaber.registry.export import subject_export, subject_export_pdf
from noaber.registry.models import Subject, SubjectRequest
from noaber.registry.subject_requests import Purpose


class Command(BaseCommand):
    help = (
        "Data-subject access (AVG art. 15): write everything held about a subject, and who "
        "viewed or changed it when, as JSON or as a tagged PDF, for an open request (--request) or "
        "another lawful reason (--reason); what must be withheld is withheld and listed. The "
        "export itself is audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("--subject", type=int, required=True, help="Subject id (B-<id>).")
        parser.add_argument("--out", type=Path, help="File to write; default standard output.")
        parser.add_argument("--format", choices=["json", "pdf"], default="json")
        purpose = parser.add_mutually_exclusive_group(required=True)
        purpose.add_argument(
            "--request", help="Reference of the open data-subject request it serves (AVG-…)."
        )
        purpose.add_argument("--reason", help="Or: another lawful reason, written out.")

    def handle(self, *args, **options):
        subject = Subject.objects.filter(pk=options["subject"]).first()
        if subject is None:
            raise CommandError(f"No subject B-{options['subject']}.")
        purpose = self.purpose(subject, options)
        if options["format"] == "pdf":
            if not options["out"]:
                raise CommandError("--format pdf needs --out FILE.pdf")
            try:
                options["out"].write_bytes(subject_export_pdf(subject, actor=None, purpose=purpose))
            except PdfUnavailableError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"Written to {options['out']}")
            return
        text = json.dumps(
            subject_export(subject, actor=None, purpose=purpose),
            ensure_ascii=False,
            indent=2,
            default=str,
        )
        if options["out"]:
            options["out"].write_text(text, encoding="utf-8")
            self.stdout.write(f"Written to {options['out']}")
        else:
            self.stdout.write(text)

    def purpose(self, subject, options) -> Purpose:
        if options["request"]:
            found = SubjectRequest.objects.filter(
                municipality=subject.municipality,
                reference=options["request"],
                status=SubjectRequest.Status.OPEN,
            ).first()
            if found is None:
                raise CommandError(f"No open request {options['request']} in this municipality.")
            found.subjects.add(subject)
            return Purpose(found)
        if not options["reason"].strip():
            raise CommandError("--reason must not be empty.")
        return Purpose(reason=options["reason"].strip())
