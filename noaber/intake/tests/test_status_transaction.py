"""Changing a report's status through its page outside a test transaction, as in production:
the action opens its own transaction (its row lock needs one on PostgreSQL), and a refused
change writes nothing."""

from django.contrib.auth import get_user_model
from django.test import TransactionTestCase
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from noaber.accounts.models import Municipality, Role
from noaber.accounts.tests.base import make_user
from noaber.audit.models import AuditEvent
from noaber.audit.triggers import triggers_removed
from noaber.intake.actions import submit_report
from noaber.intake.models import Category, Channel, Report, StatusChange
from noaber.reference import load_all


class ReportStatusWithoutTestTransactionTests(TransactionTestCase):
    def _fixture_teardown(self):
        with triggers_removed():
            super()._fixture_teardown()

    def setUp(self):
        load_all()
        self.dinkelland = Municipality.objects.get(cbs_code="GM1774")
        self.advisor = make_user("anouk", {self.dinkelland: [Role.ADVISOR]})
        self.client.force_login(self.advisor)
        session = self.client.session
        session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=self.advisor).persistent_id
        session.save()
        self.report = submit_report(
            self.dinkelland,
            {"category": Category.objects.get(code="overlast-jeugd"), "description": "Herrie."},
            channel=Channel.WEB,
        ).report
        self.url = reverse("intake:status", args=["GM1774", self.report.pk])

    def test_the_status_changes_with_its_history_and_audit_event(self):
        response = self.client.post(
            self.url,
            {"status": "in_progress", "public_text": "", "seen_status": "received"},
        )
        self.assertEqual(response.status_code, 302)
        self.report.refresh_from_db()
        self.assertEqual(self.report.status, "in_progress")
        self.assertTrue(StatusChange.objects.filter(report=self.report).exists())
        self.assertTrue(
            AuditEvent.objects.filter(object_type="report", object_id=str(self.report.pk))
            .exclude(action="view")
            .exists()
        )

    def test_a_stale_form_or_a_refused_close_changes_nothing(self):
        Report.objects.filter(pk=self.report.pk).update(status="in_progress")
        before = StatusChange.objects.count()
        stale = self.client.post(
            self.url, {"status": "closed", "public_text": "Klaar.", "seen_status": "received"}
        )
        self.assertContains(stale, "intussen gewijzigd", status_code=400)
        no_text = self.client.post(self.url, {"status": "closed", "seen_status": "in_progress"})
        self.assertContains(no_text, "tekst voor de melder", status_code=400)
        self.report.refresh_from_db()
        self.assertEqual(self.report.status, "in_progress")
        self.assertEqual(StatusChange.objects.count(), before)
        self.assertEqual(get_user_model().objects.count(), 1)
