"""A backup you have restored is the only backup (issue 16, part 5).

`backup` writes the database part and the media part as one set with a manifest;
`restore_check` restores a set into a scratch database and folder and judges it: goed,
onvolledig (with what is missing) or fout. These tests run the real pg_dump / pg_restore on
PostgreSQL and SQLite's backup API on SQLite, with real encrypted files, so they commit their
data (TransactionTestCase): a dump cannot see a test's open transaction."""

import base64
import glob
import json
import os
import shutil
import tarfile
import tempfile
from io import BytesIO, StringIO
from pathlib import Path
from unittest import skipIf

from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TransactionTestCase, override_settings

from noaber.accounts.models import Municipality, Role
from noaber.accounts.reference import load_municipalities
from noaber.accounts.tests.base import make_user
from noaber.audit.models import AuditEvent
from noaber.audit.triggers import triggers_removed
from noaber.intake.actions import submit_report
from noaber.intake.attachments import clean_upload
from noaber.intake.models import Attachment, Category, Channel
from noaber.intake.reference import load_intake_reference
from noaber.intake.tests.helpers import png
from noaber.registry.reference import load_registry_reference
from noaber.registry.tests.helpers import make_signal
from noaber.themes.reference import load_themes

# Checks made on the restored database are the same code for SQLite and PostgreSQL; scenarios
# about those checks alone run on SQLite only, to keep the PostgreSQL run (a pg_restore into a
# new database per check) within the CI budget. Both parts and every verdict run on both.
checks_only = skipIf(
    connection.vendor == "postgresql", "checks of the restored data: covered by the SQLite run"
)
OTHER_KEY = "other:" + base64.b64encode(b"o" * 32).decode()


def run(command, *args, **options) -> tuple[str, int]:
    """(stdout, exit code) of a management command."""
    out = StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=StringIO(), **options)
    except CommandError as error:
        return out.getvalue() + str(error), error.returncode
    return out.getvalue(), 0


def scratch_left() -> set[str]:
    """Scratch folders and (on PostgreSQL) scratch databases of this process that exist now
    (named after the process, so a test run beside this one does not count)."""
    pid = os.getpid()
    found = set(glob.glob(os.path.join(tempfile.gettempdir(), f"noaber-restore-check-{pid}-*")))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT datname FROM pg_database WHERE datname = %s",
                [f"noaber_restore_check_{pid}"],
            )
            found.update(row[0] for row in cursor.fetchall())
    return found


def live_media(root) -> dict[str, bytes]:
    files = {}
    for path in sorted(Path(root).rglob("*")):
        if path.is_file():
            files[str(path.relative_to(root))] = path.read_bytes()
    return files


# A fast hasher: the class creates a user, and nothing here is about passwords.
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class RestoreCheckTests(TransactionTestCase):
    """The rows and a first backup set are made once for the class and committed (a dump sees
    only committed rows), then flushed once when the class is done; every test works on its
    own copy of that set, so no test sees another's changes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.addClassCleanup(cls.flush)
        cls.media = tempfile.mkdtemp(prefix="noaber-test-media-")
        cls.backups = Path(tempfile.mkdtemp(prefix="noaber-test-backups-"))
        cls.addClassCleanup(shutil.rmtree, cls.media, True)
        cls.addClassCleanup(shutil.rmtree, cls.backups, True)
        cls.enterClassContext(override_settings(MEDIA_ROOT=cls.media))
        # The reference data these rows need.
        for load in (load_municipalities, load_themes, load_intake_reference,
                     load_registry_reference):  # fmt: skip
            load()
        cls.dinkelland = Municipality.objects.get(cbs_code="GM1774")
        cls.advisor = make_user("anouk", {cls.dinkelland: [Role.ADVISOR]})
        make_signal(cls.dinkelland, cls.advisor, "Licht en busjes bij de lege schuur.")
        cls.attachment = cls.store_attachment("Met een foto van de schuur.")
        out, code = run("backup", str(cls.backups / "first"))
        assert code == 0, out
        cls.scratch_before = scratch_left()

    @classmethod
    def flush(cls):
        # The flush deletes audit rows, which the append-only triggers forbid.
        with triggers_removed():
            call_command("flush", verbosity=0, interactive=False, reset_sequences=False)

    def _fixture_teardown(self):
        """Nothing per test: the class's rows are flushed once (flush above)."""

    @classmethod
    def store_attachment(cls, text) -> Attachment:
        report = submit_report(
            cls.dinkelland,
            {"category": Category.objects.get(code="verdacht-pand"), "description": text},
            channel=Channel.WEB,
            files=[clean_upload(png())],
        ).report
        return report.attachments.get()

    def backup(self, name) -> Path:
        out, code = run("backup", str(self.backups / name))
        self.assertEqual(code, 0, out)
        return self.backups / name

    def copy_of_first_set(self) -> Path:
        directory = self.backups / self.id().rsplit(".", 1)[-1]
        shutil.copytree(self.backups / "first", directory)
        return directory

    def restore_check(self, directory, *args) -> tuple[str, int]:
        events = AuditEvent.objects.count()
        media = live_media(self.media)
        out, code = run("restore_check", str(directory), *args)
        # Never the live database or MEDIA_ROOT; the scratch database and folder are gone.
        self.assertEqual(AuditEvent.objects.count(), events)
        self.assertEqual(live_media(self.media), media)
        self.assertEqual(scratch_left(), self.scratch_before)
        return out, code

    @staticmethod
    def edit_manifest(directory, change):
        path = directory / "manifest.json"
        manifest = json.loads(path.read_text())
        change(manifest)
        path.write_text(json.dumps(manifest))

    def test_a_backup_restored_in_a_scratch_database_and_folder_is_goed(self):
        directory = self.copy_of_first_set()
        manifest = json.loads((directory / "manifest.json").read_text())
        self.assertEqual(
            sorted(os.listdir(directory)),
            sorted(["manifest.json", "media.tar", manifest["database"]["file"]]),
        )
        self.assertIn(self.attachment.file.name, manifest["media"]["files"])
        self.assertEqual(manifest["database"]["rows"]["intake_attachment"], 1)
        self.assertEqual(manifest["missing_files"], [])
        out, code = self.restore_check(directory)
        self.assertEqual(code, 0, out)
        self.assertIn("Auditketen intact", out)
        self.assertIn("Versleutelde velden:", out)
        self.assertIn("Bestanden: 1 waarnaar rijen verwijzen aanwezig en heel ontsleuteld", out)
        self.assertTrue(out.rstrip().endswith("Oordeel: goed"), out)
        self.assertTrue(AuditEvent.objects.filter(object_type="backup").exists())

    def test_a_backup_never_overwrites_another(self):
        directory = self.copy_of_first_set()
        before = (directory / "manifest.json").read_bytes()
        out, code = run("backup", str(directory))
        self.assertNotEqual(code, 0)
        self.assertIn("not empty", out)
        self.assertEqual((directory / "manifest.json").read_bytes(), before)

    def test_a_set_without_its_media_part_is_onvolledig_and_says_so(self):
        directory = self.copy_of_first_set()
        os.remove(directory / "media.tar")
        out, code = self.restore_check(directory)
        self.assertEqual(code, 1, out)
        self.assertIn("ONVOLLEDIG: Het mediadeel ontbreekt (media.tar)", out)
        self.assertIn("Oordeel: onvolledig", out)

    def test_a_media_part_older_than_the_database_part_is_onvolledig_naming_the_file(self):
        older = self.copy_of_first_set()
        newer_file = self.store_attachment("Een tweede foto, na de eerste backup.")
        newer = self.backup("newer")
        shutil.copyfile(older / "media.tar", newer / "media.tar")
        out, code = self.restore_check(newer)
        self.assertEqual(code, 1, out)
        self.assertIn("Het mediadeel is ouder dan het databasedeel", out)
        missing = next(line for line in out.splitlines() if "in het mediadeel: " in line)
        self.assertIn(f"{newer_file.file.name} (intake.Attachment #{newer_file.pk})", missing)
        self.assertNotIn(self.attachment.file.name, missing)  # the older file is there
        self.assertIn("Oordeel: onvolledig", out)

    def test_an_altered_file_in_the_media_part_is_fout(self):
        directory = self.copy_of_first_set()
        name = self.attachment.file.name
        # Flip one byte of the stored file inside media.tar, keep the tar's own header and
        # even fix the manifest's checksum of the tar: the file itself must not authenticate.
        original = directory / "media.tar"
        altered = directory / "media.altered.tar"
        with tarfile.open(original) as source:
            members = [(m, source.extractfile(m).read() if m.isfile() else None) for m in source]
            headers = source.pax_headers
        with tarfile.open(altered, "w", format=tarfile.PAX_FORMAT, pax_headers=headers) as out:
            for member, data in members:
                if member.name == name:
                    data = data[:60] + bytes([data[60] ^ 1]) + data[61:]
                out.addfile(member, BytesIO(data) if data is not None else None)
        os.replace(altered, original)
        self.edit_manifest(
            directory,
            lambda m: m["media"].update(
                sha256=__import__("hashlib").sha256(original.read_bytes()).hexdigest()
            ),
        )
        out, code = self.restore_check(directory)
        self.assertEqual(code, 2, out)
        self.assertIn("FOUT: Bestanden zijn gewijzigd of niet te ontsleutelen", out)
        self.assertIn(name, out)
        self.assertIn("Oordeel: fout", out)

    def test_a_table_with_fewer_rows_than_the_manifest_is_onvolledig(self):
        directory = self.copy_of_first_set()
        self.edit_manifest(directory, lambda m: m["database"]["rows"].update(intake_report=9))
        out, code = self.restore_check(directory)
        self.assertEqual(code, 1, out)
        self.assertIn("ONVOLLEDIG: Tabellen missen rijen: intake_report: 2 van 9 rijen.", out)

    @checks_only
    def test_a_restore_without_the_field_keys_is_fout_naming_the_key(self):
        directory = self.copy_of_first_set()
        with override_settings(NOABER_FIELD_KEYS=OTHER_KEY):
            out, code = self.restore_check(directory)
        self.assertEqual(code, 2, out)
        self.assertIn("sleutel 'demo' ontbreekt in NOABER_FIELD_KEYS", out)
        self.assertIn("FOUT: Rijen met waarden onder een sleutel die niet in NOABER_FIELD", out)
        self.assertIn("intake.Report (", out)
        self.assertIn("Oordeel: fout", out)

    @checks_only
    def test_an_audit_head_recorded_apart_that_the_restore_lacks_is_fout(self):
        directory = self.copy_of_first_set()
        out, code = self.restore_check(directory, "--expect-head", f"GM1774:1:{'0' * 64}")
        self.assertEqual(code, 2, out)
        self.assertIn("De opgegeven kop GM1774:1:", out)
        self.assertIn("seal 1 of chain GM1774", out)

    def test_a_backup_names_a_file_the_database_refers_to_that_is_not_on_disk(self):
        lost = self.store_attachment("Een foto die van de schijf verdwijnt.")
        path = Path(lost.file.path)
        stored = path.read_bytes()
        path.unlink()
        self.addCleanup(path.write_bytes, stored)
        out, code = run("backup", str(self.backups / "lost"))
        self.assertEqual(code, 1, out)
        self.assertIn("Incomplete backup set: 1 file(s)", out)
        manifest = json.loads((self.backups / "lost" / "manifest.json").read_text())
        self.assertEqual(manifest["missing_files"], [lost.file.name])
