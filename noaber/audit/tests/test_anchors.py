"""The chain's head anchored outside the database (noaber/audit/anchors.py): verify_audit finds
newest events removed, the table emptied, and an anchor file missing, truncated or edited."""

import json
import tempfile
from datetime import timedelta
from io import StringIO
from pathlib import Path
from unittest import mock

from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone
from django.utils.formats import date_format

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit import anchors
from noaber.audit.actions import record
from noaber.audit.chains import heads
from noaber.audit.models import AuditEvent, AuditSeal
from noaber.audit.triggers import triggers_removed


class AnchorTests(NoaberTestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.file = Path(self.dir.name) / "anchors" / "audit-anchors.jsonl"
        self.enterContext(override_settings(NOABER_AUDIT_ANCHOR_FILE=str(self.file)))

    def tearDown(self):
        self.dir.cleanup()

    def verify(self):
        out = StringIO()
        call_command("verify_audit", "--no-record", stdout=out)
        return out.getvalue()

    def refused(self):
        with self.assertRaises(CommandError) as caught:
            self.verify()
        return str(caught.exception)

    def test_the_hourly_task_writes_an_anchor_and_says_which(self):
        from noaber.audit.tasks import anchor_audit_chain

        self.assertEqual(
            anchor_audit_chain.call(), {"anchored": 1, "chains": ["", "GM0183", "GM1774"]}
        )
        self.assertEqual(anchor_audit_chain.call()["anchored"], 2)
        with override_settings(NOABER_AUDIT_ANCHOR_FILE=""):
            self.assertEqual(anchor_audit_chain.call(), {"anchored": None})

    def test_an_anchor_is_a_line_with_a_mac_and_an_event(self):
        anchor = anchors.write()  # seals what waits first
        newest = {c: (n, h) for c, (n, _, h) in heads().items() if c != "*"}
        self.assertEqual(set(newest), {"", "GM1774", "GM0183"})
        self.assertEqual((anchor.n, anchor.heads), (1, newest))
        line = json.loads(self.file.read_text())
        self.assertEqual(line["heads"], {c: list(h) for c, h in newest.items()})
        self.assertEqual(line["prev"], "")
        self.assertRegex(line["mac"], r"^[0-9a-f]{64}$")
        self.assertEqual(self.file.stat().st_mode & 0o777, 0o600)
        event = AuditEvent.objects.order_by("-id").first()
        self.assertEqual((event.object_type, event.object_id), ("audit_anchor", "1"))
        self.assertEqual(event.processing_activity, "verantwoording")
        record("view", object_type="report", origin="system")
        second = anchors.write()
        self.assertEqual(second.n, 2)
        self.assertEqual(json.loads(self.file.read_text().splitlines()[1])["prev"], anchor.mac)
        self.assertIn("Audit chain intact", self.verify())

    def test_removing_the_newest_events_is_found_without_being_told_the_head(self):
        anchor = anchors.write()
        number, _ = anchor.heads["GM1774"]
        newest = AuditSeal.objects.get(chain="GM1774", number=number)
        with triggers_removed():
            AuditEvent.objects.filter(pk__in=newest.event_ids).delete()
            newest.delete()
        self.assertIn(f"no longer holds seal {number} of chain GM1774", self.refused())
        # The next anchor does not write over the evidence: it refuses, and the check still
        # fails afterwards (an attacker cannot wait for the hourly anchor).
        with self.assertRaises(anchors.AnchorError):
            anchors.write()
        self.assertEqual(len(anchors.read(self.file)), 1)
        self.assertIn("newest events removed", self.refused())

    def test_emptying_the_table_is_found_also_after_a_migrate(self):
        from django.apps import apps

        from noaber.audit.apps import _anchor_after_migrate

        anchors.write()
        with triggers_removed():
            AuditEvent.objects.all().delete()
            AuditSeal.objects.all().delete()
        self.assertIn("newest events removed", self.refused())
        _anchor_after_migrate(apps.get_app_config("audit"))  # warns, writes nothing
        self.assertEqual(len(anchors.read(self.file)), 1)
        self.assertIn("newest events removed", self.refused())

    def test_an_anchor_line_with_an_older_head_is_refused(self):
        from noaber.audit.anchors import _mac

        record("view", object_type="report", origin="system", municipality="GM1774")
        anchors.write()
        first = json.loads(self.file.read_text())
        older = first["heads"] | {"GM1774": [first["heads"]["GM1774"][0] - 1, "0" * 64]}
        fields = {k: v for k, v in first.items() if k != "mac"} | {
            "n": 2, "heads": older, "prev": first["mac"]}  # fmt: skip
        with self.file.open("a") as out:
            out.write(json.dumps(fields | {"mac": _mac(fields)}) + "\n")
        self.assertIn("holds an older head of chain GM1774", self.refused())

    def test_a_line_of_the_old_single_chain_is_still_read(self):
        from noaber.audit.anchors import _mac

        fields = {"n": 1, "chain": "*", "seq": 7, "hash": "a" * 64, "at": "x", "prev": ""}
        self.file.parent.mkdir(parents=True)
        self.file.write_text(json.dumps(fields | {"mac": _mac(fields)}) + "\n")
        self.assertEqual(anchors.read(self.file)[0].heads, {"*": (7, "a" * 64)})
        # Event #7 of the old chain is not in this log: the check says so.
        self.assertIn("event #7 of the old chain", self.refused())

    def test_a_forged_anchor_event_makes_an_incident_not_a_crash(self):
        from noaber.audit.tasks import verify_audit_chain

        anchors.write()
        last = AuditEvent.objects.order_by("-id").first()
        AuditEvent.objects.create(
            format=3,
            hash="f" * 64,
            created_at=last.created_at,
            action="create",
            object_type="audit_anchor",
            object_id="x",
            result="success",
        )
        result = verify_audit_chain.call()
        self.assertFalse(result["ok"])
        event = AuditEvent.objects.filter(action="verify").order_by("-id").first()
        self.assertEqual(event.result, "failure")
        self.assertIn("names no anchor number", event.detail["incident"])

    def test_a_different_hash_at_an_anchored_seal_is_found(self):
        anchor = anchors.write()
        number, digest = anchor.heads["GM0183"]
        with triggers_removed():
            # (A seal rewritten with a valid HMAC needs the key, which is not in the database;
            # an attacker with the key could, and the anchor outside the database shows it.)
            AuditSeal.objects.filter(chain="GM0183", number=number).update(hash="e" * 64)
        self.assertIn(f"seal {number} of chain GM0183 differs", self.refused())

    def test_a_missing_truncated_or_edited_anchor_file_is_reported(self):
        anchors.write()
        anchors.write()
        text = self.file.read_text()
        lines = text.splitlines()
        cases = {
            "missing": None,
            "lines were removed": lines[0] + "\n",
            "was changed after writing": text.replace('"GM1774": [', '"GM1774": [1', 1),
            "does not follow": lines[1] + "\n" + lines[0] + "\n",
            "is not an anchor": "niets\n",
        }
        for expected, content in cases.items():
            with self.subTest(expected=expected):
                if content is None:
                    self.file.unlink()
                else:
                    self.file.write_text(content)
                message = self.refused()
                self.assertIn("Audit log unprotected: audit anchors", message)
                self.assertIn(expected, message)
                # The next anchor refuses too: a lost or cut file does not heal itself.
                with self.assertRaises(anchors.AnchorError):
                    anchors.write()
                self.file.write_text(text)
        self.assertIn("Audit chain intact", self.verify())

    def test_migrate_anchors_the_head_once(self):
        from django.apps import apps

        from noaber.audit.apps import _anchor_after_migrate

        _anchor_after_migrate(apps.get_app_config("audit"))
        self.assertEqual(len(anchors.read(self.file)), 1)

    def test_without_a_file_configured_nothing_is_written_or_required(self):
        with override_settings(NOABER_AUDIT_ANCHOR_FILE=""):
            self.assertIsNone(anchors.write())
            self.assertIn("Audit chain intact", self.verify())


class IncidentTests(NoaberTestCase):
    """A failed periodic check is a security incident: the privacy officers get an e-mail
    without content and a red notice on their dashboard, until a later check passes."""

    def test_a_failed_check_mails_the_privacy_officers_and_shows_on_their_dashboard(self):
        from django.core import mail
        from django.urls import reverse

        from noaber.audit.tasks import verify_audit_chain

        self.privacy.email = "privacy@dinkelland.example"
        self.privacy.save()
        dashboard = reverse("ui:dashboard", args=["GM1774"])
        self.assertTrue(verify_audit_chain.call()["ok"])
        self.sign_in(self.privacy)
        self.assertNotContains(self.client.get(dashboard), "Beveiligingsincident")
        first = AuditEvent.objects.order_by("id").first()
        with triggers_removed():
            AuditEvent.objects.filter(pk=first.pk).update(reason="weggepoetst")
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            self.assertFalse(verify_audit_chain.call()["ok"])
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("privacy@dinkelland.example", mail.outbox[0].to)
        self.assertIn("beveiligingsincident", mail.outbox[0].subject)
        self.assertNotIn("weggepoetst", mail.outbox[0].body)  # no content
        self.assertContains(self.client.get(dashboard), "Beveiligingsincident")
        # An advisor's dashboard says nothing of it.
        self.client.logout()
        self.sign_in(self.advisor)
        self.assertNotContains(self.client.get(dashboard), "Beveiligingsincident")


class OverdueCheckTests(NoaberTestCase):
    """The daily check that does not run is noticed too: a notice on the privacy officer's
    dashboard once 26 hours pass without one (the worker or the scheduler is down)."""

    def dashboard(self, user):
        from django.urls import reverse

        self.client.logout()
        self.sign_in(user)
        return self.client.get(reverse("ui:dashboard", args=["GM1774"]))

    def test_a_recent_check_or_a_young_log_gives_no_notice(self):
        from noaber.audit.tasks import verify_audit_chain

        # A fresh installation: events of today, never checked yet.
        self.assertNotContains(self.dashboard(self.privacy), "Controle achterstallig")
        self.assertTrue(verify_audit_chain.call()["ok"])
        self.assertNotContains(self.dashboard(self.privacy), "Controle achterstallig")

    def test_a_check_older_than_26_hours_is_named_with_its_time(self):
        from noaber.audit.tasks import verify_audit_chain

        self.assertTrue(verify_audit_chain.call()["ok"])
        checked = AuditEvent.objects.filter(action="verify").latest("id").created_at
        # As seen once the limit has passed (the limit made zero: the check is now "old").
        with mock.patch("noaber.ui.views.AUDIT_CHECK_OVERDUE", timedelta(0)):
            page = self.dashboard(self.privacy)
        self.assertContains(page, "Controle achterstallig")
        moment = date_format(timezone.localtime(checked), "j F Y H:i")
        self.assertContains(page, f"het auditlog is voor het laatst gecontroleerd op {moment}")
        with mock.patch("noaber.ui.views.AUDIT_CHECK_OVERDUE", timedelta(0)):
            self.assertNotContains(self.dashboard(self.advisor), "Controle achterstallig")

    def test_a_log_older_than_26_hours_never_checked_is_named(self):
        self.assertTrue(AuditEvent.objects.exists())
        with mock.patch("noaber.ui.views.AUDIT_CHECK_OVERDUE", timedelta(0)):
            page = self.dashboard(self.privacy)
        self.assertContains(page, "het auditlog is nog nooit gecontroleerd")
