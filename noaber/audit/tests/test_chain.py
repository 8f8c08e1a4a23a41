from io import StringIO

from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.actions import REDACTED, record
from noaber.audit.chain import verify_chain
from noaber.audit.models import GENESIS_HASH, Action, AuditEvent, Result
from noaber.audit.triggers import triggers_removed

TABLE = AuditEvent._meta.db_table


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


class ChainTests(NoaberTestCase):
    def test_events_form_a_chain_from_the_genesis_hash(self):
        events = list(AuditEvent.objects.order_by("seq"))
        self.assertGreater(len(events), 3)
        self.assertEqual(events[0].prev_hash, GENESIS_HASH)
        for prev, event in zip(events, events[1:], strict=False):
            self.assertEqual(event.seq, prev.seq + 1)
            self.assertEqual(event.prev_hash, prev.hash)
            self.assertEqual(event.hash, event.compute_hash())

    def test_verify_audit_passes_on_an_untouched_log(self):
        out = StringIO()
        call_command("verify_audit", stdout=out)
        self.assertIn("Audit chain intact", out.getvalue())
        self.assertEqual(AuditEvent.objects.order_by("-seq")[0].action, Action.VERIFY)

    def test_update_and_delete_are_refused_by_the_database(self):
        event = AuditEvent.objects.order_by("seq").first()
        original_reason, original_actor = event.reason, event.actor
        with self.assertRaises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
        with self.assertRaises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).delete()
        with self.assertRaises(DatabaseError), transaction.atomic():
            raw(f"UPDATE {TABLE} SET actor = 'someone' WHERE id = %s", [event.pk])
        event.refresh_from_db()
        self.assertEqual((event.reason, event.actor), (original_reason, original_actor))
        self.assertTrue(verify_chain().ok)

    def test_a_changed_row_is_named(self):
        target = AuditEvent.objects.order_by("seq")[2]
        with triggers_removed():
            raw(f"UPDATE {TABLE} SET actor = 'someone-else' WHERE id = %s", [target.pk])
        with self.assertRaisesMessage(CommandError, f"event #{target.seq} was changed"):
            call_command("verify_audit", stdout=StringIO())

    def test_a_removed_row_is_named(self):
        target = AuditEvent.objects.order_by("seq")[2]
        with triggers_removed():
            raw(f"DELETE FROM {TABLE} WHERE id = %s", [target.pk])
        with self.assertRaisesMessage(CommandError, f"event #{target.seq} is missing"):
            call_command("verify_audit", stdout=StringIO())

    def test_a_row_inserted_behind_the_applications_back_is_named(self):
        # The forger links correctly to the head and computes the hash the way the code does,
        # but without the audit key, which is not in the database.
        last = AuditEvent.objects.order_by("-seq").first()
        forged = AuditEvent(
            seq=last.seq + 1,
            created_at=last.created_at,
            action=Action.VIEW,
            result=Result.SUCCESS,
            prev_hash=last.hash,
        )
        with self.settings(NOABER_AUDIT_KEY="a-guess-at-the-key"):
            forged.hash = forged.compute_hash()
        forged.save(force_insert=True)
        with self.assertRaisesMessage(CommandError, f"event #{last.seq + 1} was changed"):
            call_command("verify_audit", stdout=StringIO())

    def test_removing_the_newest_events_is_found_with_a_recorded_head(self):
        out = StringIO()
        call_command("verify_audit", "--no-record", stdout=out)
        head = out.getvalue().split("head ")[1].split()[0]
        record(Action.VIEW, origin="system", object_type="x", object_id="later")
        call_command("verify_audit", "--no-record", "--expect-head", head, stdout=StringIO())
        head_seq = int(head.split(":")[0])
        with triggers_removed():
            raw(f"DELETE FROM {TABLE} WHERE seq >= %s", [head_seq])
        # Without the recorded head the shortened chain looks whole; with it, it does not.
        self.assertTrue(verify_chain().ok)
        with self.assertRaisesMessage(CommandError, f"recorded head #{head_seq}"):
            call_command("verify_audit", "--expect-head", head, stdout=StringIO())

    def test_a_malformed_expected_head_is_refused(self):
        with self.assertRaisesMessage(CommandError, "expected SEQ:HASH"):
            call_command("verify_audit", "--expect-head", "12", stdout=StringIO())

    def test_details_keep_their_exact_bytes_on_every_database(self):
        event = record(
            Action.UPDATE,
            origin="system",
            reason="nul\x00byte",
            detail={"big": 1e16, "ratio": 0.1, "huge": 2**60, "text": "a\x00b", "n": 3},
        )
        stored = AuditEvent.objects.get(pk=event.pk)
        self.assertEqual(stored.hash, stored.compute_hash())
        self.assertEqual(stored.detail["n"], 3)
        self.assertEqual(stored.detail["text"], "ab")
        self.assertEqual(stored.reason, "nulbyte")
        self.assertTrue(verify_chain().ok)

    def test_secrets_in_details_are_never_stored(self):
        event = record(
            Action.UPDATE,
            origin="system",
            detail={
                "password": "hunter2-secret",
                "nested": {"api_token": "abc123"},
                "receipt_code": "K7QM-2XPA",
                "n": 1,
                "cbs_code": "GM1774",
                "postcode": "7591AB",
            },
        )
        self.assertEqual(event.detail["password"], REDACTED)
        self.assertEqual(event.detail["nested"]["api_token"], REDACTED)
        self.assertEqual(event.detail["receipt_code"], REDACTED)
        self.assertEqual(event.detail["n"], 1)
        # Whole words only: ordinary keys that contain "code" are kept.
        self.assertEqual(event.detail["cbs_code"], "GM1774")
        self.assertEqual(event.detail["postcode"], "7591AB")
        self.assertNotIn("hunter2", event.canonical().decode())

    def test_unknown_action_is_refused(self):
        with self.assertRaises(ValueError):
            record("peek", origin="system")


class AuditPageTests(NoaberTestCase):
    def test_privacy_officer_reads_the_log_and_the_reading_is_logged(self):
        self.sign_in(self.privacy)
        record(
            Action.DENIED,
            actor=self.advisor_tubbergen,
            municipality=self.dinkelland,
            object_type="page",
            object_id="/m/GM1774/",
            result=Result.DENIED,
        )
        response = self.client.get(reverse("audit:list", args=["GM1774"]) + "?handeling=denied")
        self.assertContains(response, "pagina /m/GM1774/")
        self.assertContains(response, "toegang geweigerd")
        read = AuditEvent.objects.order_by("-seq")[0]
        self.assertEqual(
            (read.action, read.object_type, read.actor), ("view", "audit_log", "priya")
        )

    def test_failed_logins_of_the_municipalitys_own_staff_are_visible(self):
        self.client.post(
            reverse("accounts:login"), {"username": "anouk", "password": "wrong-password-1"}
        )
        self.client.post(
            reverse("accounts:login"), {"username": "tim", "password": "wrong-password-2"}
        )
        self.sign_in(self.privacy)
        page = self.client.get(reverse("audit:list", args=["GM1774"]) + "?handeling=login_failed")
        failed = [event.object_id for event in page.context["page"]]
        # Anouk works for Dinkelland; Tim only for Tubbergen.
        self.assertIn("anouk", failed)
        self.assertNotIn("tim", failed)

    def test_log_page_shows_only_its_own_municipality(self):
        record(
            Action.VIEW,
            origin="system",
            municipality=self.tubbergen,
            object_type="x",
            object_id="tubbergen-only",
        )
        self.sign_in(self.privacy)
        response = self.client.get(reverse("audit:list", args=["GM1774"]))
        self.assertNotContains(response, "tubbergen-only")
