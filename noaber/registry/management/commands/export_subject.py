import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from noaber.lib.pdf import PdfUnavailableError
from noaber.registry.export import subject_export, subject_export_pdf
from noaber.registry.models import Subject


class Command(BaseCommand):
    help = (
        "Data-subject access (AVG art. 15): write everything held about a subject, and who "
        "viewed or changed it when, as JSON or as a tagged PDF. The export itself is audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("--subject", type=int, required=True, help="Subject id (B-<id>).")
        parser.add_argument("--out", type=Path, help="File to write; default standard output.")
        parser.add_argument("--format", choices=["json", "pdf"], default="json")

    def handle(self, *args, **options):
        subject = Subject.objects.filter(pk=options["subject"]).first()
        if subject is None:
            raise CommandError(f"No subject B-{options['subject']}.")
        if options["format"] == "pdf":
            if not options["out"]:
                raise CommandError("--format pdf needs --out FILE.pdf")
            try:
                options["out"].write_bytes(subject_export_pdf(subject, actor=None))
            except PdfUnavailableError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"Written to {options['out']}")
            return
        text = json.dumps(
            subject_export(subject, actor=None), ensure_ascii=False, indent=2, default=str
        )
        if options["out"]:
            options["out"].write_text(text, encoding="utf-8")
            self.stdout.write(f"Written to {options['out']}")
        else:
            self.stdout.write(text)
