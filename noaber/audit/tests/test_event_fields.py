"""The fields of an audit event beyond BIO2's six (docs/decisions/0018-audit-event-fields.md):
processing activity, confidentiality, retention, W3C trace context and a keyed pseudonym of
the data subject — all covered by the event's HMAC; events of the first form keep verifying."""

import re

from django.urls import reverse
from django.utils import timezone

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.actions import data_subject_pseudonym, record
from noaber.audit.chain import verify_log
from noaber.audit.chains import close_legacy_chain, seal_all
from noaber.audit.labels import registered_object_types
from noaber.audit.models import (
    GENESIS_HASH,
    LEGACY_CHAIN,
    AuditEvent,
    AuditSeal,
    ProcessingActivity,
)
from noaber.audit.reference import FILE
from noaber.audit.triggers import triggers_removed
from noaber.intake.actions import submit_report
from noaber.intake.models import Category, Channel
from noaber.registry import actions as registry_actions

HEX = re.compile(r"^[0-9a-f]+$")


def verify_chain():
    seal_all()
    return verify_log()


class EventFieldTests(NoaberTestCase):
    def test_an_event_names_its_processing_activity_with_its_confidentiality_and_retention(self):
        event = record("view", object_type="signal", object_id=1, origin="system")
        self.assertEqual(
            (event.processing_activity, event.confidentiality, event.retention_months),
            ("signaalregister", "geheim", 84),
        )
        report = record("view", object_type="report", object_id=1, origin="system")
        self.assertEqual(report.processing_activity, "meldpunt")
        # A caller may name the activity, and raise the confidentiality of one event.
        named = record("view", object_type="report", activity="zoeken",
                       confidentiality="confidentieel", origin="system")  # fmt: skip
        self.assertEqual((named.processing_activity, named.confidentiality), (
            "zoeken", "confidentieel"))  # fmt: skip
        with self.assertRaises(ValueError):
            record("view", object_type="report", confidentiality="topgeheim", origin="system")
        with self.assertRaises(ValueError):
            record("view", object_type="report", activity="onbekend", origin="system")
        # Never lower than the activity's own.
        lowered = record("view", object_type="signal", confidentiality="intern", origin="system")
        self.assertEqual(lowered.confidentiality, "geheim")

    def test_an_event_for_an_unknown_municipality_is_refused_and_nothing_is_written(self):
        before = AuditEvent.objects.count()
        for code in ("GM9999", "XX", "GM1774'; --"):
            with self.subTest(code=code), self.assertRaises(ValueError):
                record("view", municipality=code, object_type="report", origin="system")
        self.assertEqual(AuditEvent.objects.count(), before)
        event = record("view", municipality="GM1774", object_type="report", origin="system")
        self.assertEqual(event.municipality, "GM1774")
        self.assertEqual(record("view", municipality=self.tubbergen, origin="system")
                         .municipality, "GM0183")  # fmt: skip

    def test_the_register_is_data_and_an_edit_applies_to_the_next_event_at_once(self):
        from noaber.audit import activities

        self.addCleanup(activities.forget)  # the edit is rolled back; so is what was cached
        activity = ProcessingActivity.objects.get(code="meldpunt")
        activity.retention_months = 48
        activity.confidentiality = "zaakvertrouwelijk"
        activity.save()
        event = record("view", object_type="report", object_id=2, origin="system")
        self.assertEqual((event.retention_months, event.confidentiality), (48, "zaakvertrouwelijk"))

    def test_every_object_type_the_apps_record_is_covered_by_one_activity(self):
        covered = [t for a in ProcessingActivity.objects.all() for t in a.object_types]
        self.assertEqual(len(covered), len(set(covered)), "an object type in two activities")
        missing = set(registered_object_types()) - set(covered)
        self.assertFalse(missing, f"object types without a processing activity: {missing}")
        self.assertTrue(FILE.exists())

    def test_a_request_is_the_trace_and_each_event_a_span_under_it(self):
        self.sign_in(self.advisor)
        report = submit_report(
            self.dinkelland,
            {"category": Category.objects.get(code="overlast-jeugd"), "description": "Herrie."},
            channel=Channel.WEB,
        ).report
        before = AuditEvent.objects.order_by("-id").first().pk
        response = self.client.get(reverse("intake:detail", args=["GM1774", report.pk]))
        self.assertEqual(response.status_code, 200)
        events = list(AuditEvent.objects.filter(pk__gt=before))
        self.assertTrue(events)
        for event in events:
            # The trace id is the request id of the JSON logs (sent as X-Request-ID).
            self.assertEqual(event.trace_id, response["X-Request-ID"])
            self.assertRegex(event.span_id, r"^[0-9a-f]{16}$")
            self.assertRegex(event.parent_span_id, r"^[0-9a-f]{16}$")
            self.assertNotEqual(event.span_id, event.parent_span_id)
        self.assertEqual(len({e.parent_span_id for e in events}), 1)  # one request span
        # Outside a request each event is a trace of its own.
        worker = record("view", object_type="report", origin="system")
        self.assertRegex(worker.trace_id, r"^[0-9a-f]{32}$")
        self.assertEqual(worker.parent_span_id, "")

    def test_the_data_subject_is_a_keyed_pseudonym_never_the_bsn(self):
        signal = registry_actions.register_from_reports(
            self.dinkelland,
            [submit_report(self.dinkelland, {"category": Category.objects.get(
                code="verdacht-pand"), "description": "Loods."}, channel=Channel.WEB).report],
            actor=self.advisor, request=None,
        )  # fmt: skip
        person = registry_actions.add_subject(
            signal, "person", {"label": "Jan Jansen", "bsn": "111222333"}, "",
            actor=self.advisor, request=None,
        )  # fmt: skip
        company = registry_actions.add_subject(
            signal, "company", {"label": "Loods BV"}, "", actor=self.advisor, request=None
        )
        made = AuditEvent.objects.filter(object_type="subject", action="create").order_by("id")
        by_bsn, by_record = made[0], made[1]
        self.assertEqual(by_bsn.data_subject_type, "bsn")
        self.assertEqual(by_bsn.data_subject, data_subject_pseudonym("bsn", "111 222 333"))
        self.assertRegex(by_bsn.data_subject, r"^[0-9a-f]{64}$")
        self.assertNotIn("111222333", str(AuditEvent.objects.filter(pk=by_bsn.pk).values()))
        self.assertEqual((by_record.data_subject_type, by_record.data_subject), (
            "noaber-subject", data_subject_pseudonym("noaber-subject", company.pk)))  # fmt: skip
        self.assertNotEqual(person.pk, company.pk)
        # "What was processed about this BSN": one indexed lookup by the pseudonym.
        about = AuditEvent.objects.filter(data_subject=data_subject_pseudonym("bsn", "111222333"))
        self.assertEqual(list(about), [by_bsn])
        with self.assertRaises(ValueError):
            data_subject_pseudonym("email", "jan@example.nl")
        # An 8-digit BSN is the 9-digit one with its leading zero, as the register has it.
        self.assertEqual(data_subject_pseudonym("bsn", "11222333"),
                         data_subject_pseudonym("bsn", "011222333"))  # fmt: skip

    def test_the_new_fields_are_covered_by_the_hmac(self):
        event = record("view", object_type="signal", object_id=7, origin="system")
        self.assertTrue(verify_chain().ok)
        for column, value in (("processing_activity", "beheer"), ("confidentiality", "intern"),
                              ("retention_months", 1), ("trace_id", "0" * 32),
                              ("data_subject", "f" * 64)):  # fmt: skip
            with self.subTest(column=column):
                with triggers_removed():
                    AuditEvent.objects.filter(pk=event.pk).update(**{column: value})
                report = verify_chain()
                self.assertFalse(report.ok)
                self.assertEqual(report.chain, "")
                self.assertIn(f"(id {event.pk}) was changed", report.problem)
                with triggers_removed():
                    AuditEvent.objects.filter(pk=event.pk).update(
                        **{column: getattr(event, column)}
                    )
        self.assertTrue(verify_chain().ok)

    def test_events_of_the_old_chain_still_verify_against_the_seal_that_closed_it(self):
        """Events written before one chain per municipality (forms 1 and 2) keep their place
        in the old chain and their HMAC; migration 0004 closes that chain with a seal, and
        every municipality's chain starts from it."""
        old = self.old_chain()
        self.assertNotIn(b'"format"', old[0].canonical())
        self.assertIn(b'"prev_hash"', old[1].canonical())
        closing = close_legacy_chain()
        self.assertEqual((closing.count, closing.prev_hash), (2, old[1].hash))
        self.assertIs(close_legacy_chain().pk, closing.pk)  # once
        record("view", object_type="report", origin="system")  # a new one after it
        report = verify_chain()
        self.assertTrue(report.ok, report.problem)
        self.assertEqual(report.chains[0].checked, 2)
        first = AuditSeal.objects.filter(chain="").order_by("number").first()
        self.assertEqual(first.prev_hash, closing.hash)
        # Its HMAC does not cover the later fields, so setting one on it is a change.
        with triggers_removed():
            AuditEvent.objects.filter(pk=old[0].pk).update(retention_months=0)
        report = verify_chain()
        self.assertEqual((report.ok, report.chain, report.broken_seq), (False, LEGACY_CHAIN, 1))

    def test_the_old_chain_is_only_closed_when_it_verifies(self):
        old = self.old_chain()
        with triggers_removed():
            AuditEvent.objects.filter(pk=old[1].pk).update(reason="anders")
        with self.assertRaisesMessage(ValueError, "event #2: event #2 was changed"):
            close_legacy_chain()
        self.assertFalse(AuditSeal.objects.filter(chain=LEGACY_CHAIN).exists())

    def test_events_after_the_old_chain_was_closed_are_found(self):
        old = self.old_chain()
        close_legacy_chain()
        with triggers_removed():
            AuditEvent.objects.filter(pk=old[1].pk).delete()
        report = verify_chain()
        self.assertIn("newest events removed", report.chains[0].problem)

    def old_chain(self):
        """The state before 0019: two events of forms 1 and 2 in the one chain, not closed."""
        with triggers_removed():
            AuditSeal.objects.filter(chain=LEGACY_CHAIN).delete()
        first = AuditEvent(seq=1, prev_hash=GENESIS_HASH, created_at=timezone.now(),
                           action="view", result="success", origin="system", format=1)  # fmt: skip
        first.hash = first.compute_hash()
        first.save(force_insert=True)
        second = AuditEvent(seq=2, prev_hash=first.hash, created_at=timezone.now(),
                            action="view", result="success", origin="system", format=2,
                            processing_activity="beheer")  # fmt: skip
        second.hash = second.compute_hash()
        second.save(force_insert=True)
        return [first, second]


class TriggerCheckTests(NoaberTestCase):
    """verify_audit checks the protection itself: missing or disabled append-only triggers
    are reported as a break (non-zero exit), on SQLite and PostgreSQL."""

    def verify(self):
        from io import StringIO

        from django.core.management import CommandError, call_command

        with self.assertRaises(CommandError) as caught:
            call_command("verify_audit", "--no-record", stdout=StringIO())
        return str(caught.exception)

    def test_a_dropped_trigger_is_reported(self):
        from django.db import connection

        from noaber.audit.triggers import NAMES, TABLE, missing

        self.assertEqual(missing(), [])
        first = NAMES[connection.vendor][TABLE][0]
        with connection.cursor() as cursor:
            cursor.execute(
                f"DROP TRIGGER {first} ON {TABLE}" if connection.vendor == "postgresql"
                else f"DROP TRIGGER {first}"
            )  # fmt: skip
        message = self.verify()
        self.assertIn("Audit log unprotected", message)
        self.assertIn(first, message)

    def test_a_disabled_trigger_is_reported_on_postgresql(self):
        from django.db import connection

        from noaber.audit.triggers import TABLE

        if connection.vendor != "postgresql":
            self.skipTest("SQLite triggers cannot be disabled, only dropped")
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_no_change")
        self.assertIn("audit_no_change", self.verify())
