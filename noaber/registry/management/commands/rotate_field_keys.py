from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from noaber.audit.actions import record
from noaber.audit.models import Action
from noaber.lib.crypto import (
    MissingFieldKey,
    encrypted_fields,
    keys,
    not_under_newest_key,
    reencrypt_rows,
)
from noaber.lib.events import field_keys_rotated
from noaber.lib.files import AlteredFileError, file_fields
from noaber.registry.actions import store_subject_keys
from noaber.registry.models import Subject
from noaber.registry.subjects import clean_subject

CHUNK = 2000


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field and every encrypted file of every model (found from "
        "the models themselves) with the newest key in NOABER_FIELD_KEYS: put the new key "
        "first, run this, run it with --check until it reports nothing left, and only then "
        "remove the old key. --check lists per model the rows (and files) not yet under the "
        "newest key and exits non-zero if there are any. --reindex also recomputes the blind "
        "indexes (and the search index) after NOABER_BLIND_INDEX_KEY changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Only report; change nothing.")
        parser.add_argument("--reindex", action="store_true")

    def handle(self, *args, **options):
        newest = keys()[0][0]
        fields, files = encrypted_fields(), file_fields()
        if options["check"]:
            left = {m: not_under_newest_key(m, names) for m, names in fields.items()}
            for model, count in sorted(left.items(), key=lambda item: item[0]._meta.label):
                if count:
                    self.stdout.write(f"{model._meta.label}: {count} row(s) not under {newest!r}")
            files_left = {m: self.files_not_under(m, names, newest) for m, names in files.items()}
            for model, count in sorted(files_left.items(), key=lambda item: item[0]._meta.label):
                if count:
                    self.stdout.write(f"{model._meta.label}: {count} file(s) not under {newest!r}")
            if any(left.values()) or any(files_left.values()):
                raise CommandError(
                    f"{sum(left.values())} row(s) and {sum(files_left.values())} file(s) are "
                    f"not yet under key {newest!r}: run rotate_field_keys before removing an "
                    "older key."
                )
            self.stdout.write(f"Every encrypted value and file is under key {newest!r}.")
            return
        for model, names in fields.items():
            count = self.rotate(model, names)
            self.stdout.write(f"{model._meta.label}: {count} re-encrypted with key {newest!r}")
            record(
                Action.UPDATE,
                origin="system",
                object_type="field_keys",
                object_id=model._meta.label,
                reason="key_rotation",
                detail={"rows": count, "key": newest},
            )
        for model, names in files.items():
            count = self.rotate_files(model, names, newest)
            self.stdout.write(
                f"{model._meta.label}: {count} file(s) re-encrypted with key {newest!r}"
            )
            record(
                Action.UPDATE,
                origin="system",
                object_type="field_keys",
                object_id=f"{model._meta.label} (files)",
                reason="key_rotation",
                detail={"files": count, "key": newest},
            )
        if options["reindex"]:
            self.reindex()
        # Keyed indexes kept by apps above the register (the search index) follow.
        field_keys_rotated.send(sender=None, reindex=options["reindex"], stdout=self.stdout)

    @staticmethod
    def stored_files(model, names):
        """(storage, name) of every file a row of `model` refers to that is on disk."""
        for name in names:
            storage = model._meta.get_field(name).storage
            stored = model._base_manager.exclude(**{name: ""}).values_list(name, flat=True)
            for file_name in stored.iterator(chunk_size=CHUNK):
                if storage.exists(file_name):
                    yield storage, file_name

    def files_not_under(self, model, names, newest) -> int:
        count = 0
        for storage, file_name in self.stored_files(model, names):
            try:
                count += storage.key_id(file_name) != newest
            except (AlteredFileError, FileNotFoundError):
                count += 1
        return count

    def rotate_files(self, model, names, newest) -> int:
        """Each file is rewritten beside itself under the newest key and renamed into place, so
        a reader sees the old or the new file, never half of one. An altered file is named and
        left as it is (it is evidence; restore it from the backup)."""
        count = 0
        for storage, file_name in list(self.stored_files(model, names)):
            try:
                if storage.key_id(file_name) == newest:
                    continue
                done = storage.reencrypt(file_name)
            except (AlteredFileError, MissingFieldKey, FileNotFoundError) as error:
                self.stderr.write(f"  {model._meta.label} {file_name}: not rotated ({error})")
                continue
            if not done:
                self.stderr.write(
                    f"  {model._meta.label} {file_name}: skipped (being rewritten or deleted "
                    "right now); run again"
                )
                continue
            count += 1
        return count

    def rotate(self, model, names) -> int:
        return reencrypt_rows(model, names, CHUNK)

    def reindex(self):
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
