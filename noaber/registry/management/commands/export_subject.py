import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from noaber.registry.export import subject_export
from noaber.registry.models import Subject


class Command(BaseCommand):
    help = (
        "Data-subject access (AVG art. 15): write everything held about a subject, and who "
        "viewed or changed it when, as JSON. The export itself is audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("--subject", type=int, required=True, help="Subject id (B-<id>).")
        parser.add_argument("--out", type=Path, help="File to write; default standard output.")

    def handle(self, *args, **options):
        subject = Subject.objects.filter(pk=options["subject"]).first()
        if subject is None:
            raise CommandError(f"No subject B-{options['subject']}.")
        text = json.dumps(
            subject_export(subject, actor=None), ensure_ascii=False, indent=2, default=str
        )
        if options["out"]:
            options["out"].write_text(text, encoding="utf-8")
            self.stdout.write(f"Written to {options['out']}")
        else:
            self.stdout.write(text)
