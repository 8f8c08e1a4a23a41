"""Files at rest: report attachments are encrypted in segments, downloads check every segment
before a byte is sent, deletions wait for the commit, and sweep_files finds what no row uses."""

import os
import shutil
import tracemalloc
from io import StringIO

from django.core.files import locks
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.intake import actions
from noaber.intake.models import Attachment, Report
from noaber.lib import files
from noaber.lib.files import SEGMENT, AlteredFileError, encrypted_storage

from .helpers import REPORT_URL, form_data, png


def url(name, *args):
    return reverse(f"intake:{name}", args=["GM1774", *args])


class StorageTests(NoaberTestCase):
    def test_a_file_round_trips_in_segments_and_is_never_plain_on_disk(self):
        storage = encrypted_storage()
        for size in (0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT):
            plain = os.urandom(size // 2) + b"leesbaar" * (size // 16) + b"x" * (size % 16)
            name = storage.save(f"t/{size}.bin", ContentFile(plain))
            with open(storage.path(name), "rb") as raw:
                stored = raw.read()
            if size >= 16:
                self.assertNotIn(b"leesbaar", stored)
            with storage.open(name) as handle:
                self.assertEqual(handle.read(), plain, size)
            self.assertEqual(storage.size(name), len(plain))
            self.assertEqual(storage.verify(name), len(plain))

    def test_a_big_file_never_sits_whole_in_memory_while_it_is_read(self):
        storage = encrypted_storage()
        name = storage.save("t/groot.bin", ContentFile(b"z" * (4 * 1024 * 1024)))
        tracemalloc.start()
        with storage.open(name) as handle:
            for _chunk in handle.chunks():
                pass
        _now, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        self.assertLess(peak, 1024 * 1024, "reading holds about one segment, not the file")

    def test_changed_cut_or_swapped_files_do_not_authenticate(self):
        storage = encrypted_storage()
        plain = b"bewijs " * 30000  # four segments
        for damage in ("flip", "cut", "drop_last", "append", "swap"):
            name = storage.save(f"t/{damage}.bin", ContentFile(plain))
            path = storage.path(name)
            data = bytearray(open(path, "rb").read())
            if damage == "flip":
                data[len(data) // 2] ^= 1
            elif damage == "cut":
                data = data[:-100]
            elif damage == "drop_last":
                data = data[: len(data) - (len(data) - 21 - len(b"demo")) % (SEGMENT + 16)]
            elif damage == "append":
                data += data[-(SEGMENT + 16) :]
            else:
                other = storage.save("t/other.bin", ContentFile(plain))
                data = bytearray(open(storage.path(other), "rb").read())
            open(path, "wb").write(bytes(data))
            with self.assertRaises(AlteredFileError, msg=damage):
                storage.verify(name)

    def test_a_rewrite_never_clobbers_a_concurrent_one_nor_revives_a_deleted_file(self):
        storage = encrypted_storage()
        name = storage.save("t/bewijs.bin", ContentFile(b"bewijs " * 20000))
        with open(storage.path(name), "rb") as other:  # another rewrite holds the file
            locks.lock(other, locks.LOCK_EX)
            self.assertFalse(storage.reencrypt(name))
            locks.unlock(other)
        self.assertEqual(storage.verify(name), 140000)

        def deleted_meanwhile(handle):
            yield b"new content"
            os.remove(storage.path(name))  # a deletion commits while the rewrite runs

        self.assertFalse(storage._rewrite(name, deleted_meanwhile))
        self.assertFalse(os.path.exists(storage.path(name)), "the deleted file came back")
        leftovers = os.listdir(os.path.dirname(storage.path(name)))
        self.assertFalse([f for f in leftovers if f.endswith(".rotating")])

    def test_a_plain_file_from_before_encryption_is_encrypted_in_place_by_the_migration(self):
        storage = encrypted_storage()
        FileSystemStorage(location=storage.location).save("oud/plain.pdf", ContentFile(b"%PDF"))
        with self.assertRaises(AlteredFileError):
            storage.verify("oud/plain.pdf")  # a plain file is never served as it is
        self.assertTrue(storage.encrypt_plain("oud/plain.pdf"))
        self.assertFalse(storage.encrypt_plain("oud/plain.pdf"))  # only once
        with storage.open("oud/plain.pdf") as handle:
            self.assertEqual(handle.read(), b"%PDF")


class AttachmentTests(NoaberTestCase):
    def setUp(self):
        self.client.post(REPORT_URL, form_data(attachments=[png()]))
        self.report = Report.objects.get()
        self.attachment = self.report.attachments.get()
        self.sign_in(self.advisor)

    def test_a_download_is_the_plain_file_with_its_length(self):
        with self.attachment.file.open() as handle:
            plain = handle.read()
        self.assertTrue(plain.startswith(b"\x89PNG"))
        response = self.client.get(url("attachment", self.report.pk, self.attachment.pk))
        self.assertEqual(b"".join(response.streaming_content), plain)
        self.assertEqual(int(response["Content-Length"]), len(plain))

    def test_an_altered_file_is_refused_in_dutch_and_audited(self):
        path = self.attachment.file.path
        data = bytearray(open(path, "rb").read())
        data[-5] ^= 0xFF
        open(path, "wb").write(bytes(data))
        response = self.client.get(url("attachment", self.report.pk, self.attachment.pk))
        self.assertContains(response, "Dit bestand wordt niet vrijgegeven", status_code=409)
        self.assertNotIn(b"PNG", response.content)
        refused = AuditEvent.objects.get(reason="file_altered")
        self.assertEqual(
            (refused.result, refused.object_id), ("failure", self.attachment.file.name)
        )
        self.assertEqual((refused.actor, refused.municipality), (self.advisor.username, "GM1774"))
        # No read is logged for a download that was refused.
        self.assertFalse(AuditEvent.objects.filter(object_type="attachment").exists())

    def test_files_are_deleted_only_when_the_deletion_commits(self):
        path = self.attachment.file.path
        with self.captureOnCommitCallbacks(execute=True):
            try:
                with transaction.atomic():
                    actions.anonymise_reports([self.report.pk])
                    raise RuntimeError("rolled back")
            except RuntimeError:
                pass
        self.assertTrue(os.path.exists(path), "a rollback keeps the file with its row")
        self.assertTrue(Attachment.objects.filter(pk=self.attachment.pk).exists())
        with self.captureOnCommitCallbacks(execute=True):
            with transaction.atomic():
                actions.anonymise_reports([self.report.pk])
        self.assertFalse(os.path.exists(path))
        self.assertFalse(Attachment.objects.filter(pk=self.attachment.pk).exists())


class SweepTests(NoaberTestCase):
    def test_sweep_lists_files_of_rolled_back_uploads_and_removes_them_only_when_asked(self):
        self.client.post(REPORT_URL, form_data(attachments=[png()]))
        kept = Attachment.objects.get().file
        try:
            with transaction.atomic():
                self.client.post(REPORT_URL, form_data(attachments=[png("tweede.png")]))
                orphan = Attachment.objects.exclude(file=kept.name).get().file
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        self.assertTrue(os.path.exists(orphan.path))
        out = StringIO()
        call_command("sweep_files", "--min-age", "0", stdout=out)
        self.assertIn(orphan.name, out.getvalue())
        self.assertNotIn(kept.name, out.getvalue())
        self.assertIn("Dry run: nothing removed", out.getvalue())
        self.assertTrue(os.path.exists(orphan.path))
        call_command("sweep_files", stdout=out)  # too young to be taken
        self.assertTrue(os.path.exists(orphan.path))
        call_command("sweep_files", "--min-age", "0", "--delete", stdout=out)
        self.assertFalse(os.path.exists(orphan.path))
        self.assertTrue(os.path.exists(kept.path))
        swept = AuditEvent.objects.get(reason="sweep_files")
        self.assertIn(orphan.name, swept.detail["files"])

    def tearDown(self):
        # The storage is shared by the whole run; leave no orphans for other tests' sweeps.
        shutil.rmtree(os.path.join(files.encrypted_storage().location, "intake"), True)
