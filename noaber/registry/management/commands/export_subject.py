import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from noaber.accounts.access import can
from noaber.accounts.models import User
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
        parser.add_argument(
            "--operator",
            required=True,
            help="Username of the privacy officer making the export (audited as the actor).",
        )
        purpose = parser.add_mutually_exclusive_group(required=True)
        purpose.add_argument(
            "--request", help="Reference of the open data-subject request it serves (AVG-…)."
        )
        purpose.add_argument("--reason", help="Or: another lawful reason, written out.")

    def handle(self, *args, **options):
        subject = Subject.objects.filter(pk=options["subject"]).first()
        if subject is None:
            raise CommandError(f"No subject B-{options['subject']}.")
        operator = User.objects.filter(username=options["operator"], is_active=True).first()
        if operator is None or not can(operator, "registry.privacy", subject.municipality):
            raise CommandError(
                f"{options['operator']} is not a privacy officer of {subject.municipality}."
            )
        purpose = self.purpose(subject, options)
        if options["format"] == "pdf":
            if not options["out"]:
                raise CommandError("--format pdf needs --out FILE.pdf")
            try:
                pdf = subject_export_pdf(subject, actor=operator, purpose=purpose)
                options["out"].write_bytes(pdf)
            except PdfUnavailableError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"Written to {options['out']}")
            return
        text = json.dumps(
            subject_export(subject, actor=operator, purpose=purpose),
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
                subjects=subject,
            ).first()
            if found is None:
                raise CommandError(
                    f"No open request {options['request']} that this subject is linked to "
                    "(link it on the request's page first)."
                )
            return Purpose(found)
        if len(options["reason"].strip()) < 10:
            raise CommandError("--reason must say why, in at least 10 characters.")
        return Purpose(reason=options["reason"].strip())
