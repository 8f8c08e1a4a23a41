from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import transaction

from noaber.intake.models import Message, Report
from noaber.lib.crypto import keys
from noaber.registry.actions import store_subject_keys
from noaber.registry.models import Disclosure, Signal, Subject
from noaber.registry.subjects import clean_subject

ENCRYPTED = {
    Report: ["description", "contact_name", "contact_email", "contact_phone"],
    Message: ["body"],
    Signal: ["location", "description", "outcome_reason"],
    Subject: ["label", "birth_date", "bsn"],
    Disclosure: ["shared"],
}


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field with the newest key in NOABER_FIELD_KEYS (put the new "
        "key first, keep the old ones until this has run, then remove them). --reindex also "
        "recomputes the blind indexes after NOABER_BLIND_INDEX_KEY changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reindex", action="store_true")

    def handle(self, *args, **options):
        newest = keys()[0][0]
        for model, fields in ENCRYPTED.items():
            count = 0
            for pk in model.objects.values_list("pk", flat=True).iterator(chunk_size=2000):
                with transaction.atomic():
                    # Re-read under lock so a concurrent edit is never overwritten; reading
                    # decrypts with whichever key wrote it, saving encrypts with the newest.
                    obj = model.objects.select_for_update().filter(pk=pk).first()
                    if obj is not None:
                        obj.save(update_fields=fields)
                        count += 1
            self.stdout.write(f"{model.__name__}: {count} re-encrypted with key {newest!r}")
        if options["reindex"]:
            failed = []
            for subject in Subject.objects.iterator(chunk_size=500):
                raw = {f.name: getattr(subject, f.name) for f in Subject._meta.fields}
                raw["house_number"] = raw["house_number"] or ""
                try:
                    data = clean_subject(subject.kind, raw, search=True)
                except ValidationError:
                    failed.append(str(subject))
                    continue
                with transaction.atomic():
                    store_subject_keys(subject, data)
            self.stdout.write(f"Blind indexes recomputed; {len(failed)} subject(s) skipped.")
            for number in failed:
                self.stderr.write(f"  {number}: stored data no longer valid, index not rebuilt")
