from django.urls import reverse

from noaber.accounts.models import PartnerToken
from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.intake import actions
from noaber.intake.models import Category, Channel, Report

from .helpers import REPORT_URL, form_data, png


def url(name, *args):
    return reverse(f"intake:{name}", args=["GM1774", *args])


class NietPluisTests(NoaberTestCase):
    def test_an_employee_reports_and_follows_their_own_signals(self):
        self.sign_in(self.employee)
        response = self.client.post(url("internal"), form_data(description="Vreemde huurder."))
        self.assertRedirects(response, url("mine"))
        report = Report.objects.get()
        self.assertEqual(
            (report.source, report.channel, report.reporter),
            ("employee", "internal", self.employee),
        )
        self.assertIsNone(report.receipt_locator)
        mine = self.client.get(url("mine"))
        self.assertContains(mine, report.number)
        self.assertContains(mine, "ontvangen")

    def test_the_employees_identity_is_shown_to_advisors_only(self):
        self.sign_in(self.employee)
        self.client.post(url("internal"), form_data())
        report = Report.objects.get()
        self.client.logout()
        self.sign_in(self.enforcer)
        self.assertNotContains(self.client.get(url("mine")), report.number)
        # An enforcer is not even told the report exists (FIELD_ROLES).
        self.assertEqual(self.client.get(url("detail", report.pk)).status_code, 404)
        self.client.logout()
        self.sign_in(self.advisor)
        # By name, never by username (issue 17).
        self.employee.first_name, self.employee.last_name = "Mees", "Kamphuis"
        self.employee.save(update_fields=["first_name", "last_name"])
        page = self.client.get(url("detail", report.pk))
        self.assertContains(page, "Mees Kamphuis")
        self.assertNotContains(page, "(mees)")

    def test_a_bad_internal_report_changes_nothing(self):
        self.sign_in(self.employee)
        response = self.client.post(url("internal"), form_data(description=""))
        self.assertContains(response, "Dit veld is vereist.")
        self.assertEqual(Report.objects.count(), 0)


class InboxTests(NoaberTestCase):
    def setUp(self):
        self.client.post(REPORT_URL, form_data(attachments=[png()]))
        self.report = Report.objects.get()
        self.sign_in(self.advisor)

    def test_new_reports_land_in_the_inbox_of_their_municipality_only(self):
        self.assertContains(self.client.get(url("inbox")), self.report.number)
        tubbergen = self.client.get(reverse("intake:inbox", args=["GM0183"]))
        self.assertNotContains(tubbergen, self.report.number)

    def test_opening_a_report_is_audited_and_never_cached(self):
        response = self.client.get(url("detail", self.report.pk))
        self.assertIn("no-store", response["Cache-Control"])
        event = AuditEvent.objects.filter(object_type="report", action="view").latest("id")
        self.assertEqual(
            (event.actor, event.object_id, event.reason), ("anouk", str(self.report.pk), "triage")
        )

    def test_a_report_of_another_municipality_is_404(self):
        self.client.logout()
        self.sign_in(self.advisor_tubbergen)
        response = self.client.get(reverse("intake:detail", args=["GM0183", self.report.pk]))
        self.assertEqual(response.status_code, 404)

    def test_status_follows_the_transition_table_and_closing_needs_a_text(self):
        response = self.client.post(
            url("status", self.report.pk), {"status": "closed", "public_text": ""}
        )
        self.assertContains(
            response, "Schrijf bij het afhandelen een tekst voor de melder.", status_code=400
        )
        self.report.refresh_from_db()
        self.assertEqual(self.report.status, "received")
        self.client.post(
            url("status", self.report.pk), {"status": "in_progress", "public_text": ""}
        )
        # From "in behandeling" the form offers only "afgehandeld"; "ontvangen" is refused.
        self.assertEqual(
            [c for c, _label in self.client.get(url("status", self.report.pk)).context["form"]
             .fields["status"].choices],
            ["closed"],
        )  # fmt: skip
        response = self.client.post(
            url("status", self.report.pk), {"status": "received", "public_text": ""}
        )
        self.assertContains(response, "Vanuit de huidige status kan dit niet", status_code=400)
        self.client.post(
            url("status", self.report.pk), {"status": "closed", "public_text": "Opgelost."}
        )
        self.report.refresh_from_db()
        self.assertEqual((self.report.status, self.report.public_text), ("closed", "Opgelost."))
        self.assertEqual(
            list(self.report.history.values_list("new_status", flat=True)),
            ["received", "in_progress", "closed"],
        )

    def test_the_advisor_asks_the_reporter_a_question(self):
        response = self.client.post(
            url("message", self.report.pk), {"body": "Welke kleur had de auto?"}
        )
        self.assertRedirects(response, url("detail", self.report.pk) + "?sectie=berichten")
        self.assertEqual(self.report.messages.get().author, self.advisor)

    def test_attachments_download_only_through_an_audited_read(self):
        attachment = self.report.attachments.get()
        response = self.client.get(url("attachment", self.report.pk, attachment.pk))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/png")
        self.assertIn("no-store", response["Cache-Control"])
        self.assertTrue(
            AuditEvent.objects.filter(
                object_type="attachment", object_id=str(attachment.pk)
            ).exists()
        )


class ReferralTests(NoaberTestCase):
    def make(self, consent):
        return actions.submit_report(
            self.dinkelland,
            {
                "category": Category.objects.get(code="discriminatie"),
                "description": "Uitgescholden.",
                "referral_consent": consent,
            },
            channel=Channel.WEB,
        ).report

    def test_forwarding_to_vizier_needs_the_reporters_consent(self):
        self.sign_in(self.advisor)
        without = self.make(False)
        response = self.client.post(url("refer", without.pk), follow=True)
        self.assertContains(response, "geen toestemming gegeven")
        without.refresh_from_db()
        self.assertIsNone(without.referred_at)
        self.assertFalse(AuditEvent.objects.filter(action="share").exists())
        with_consent = self.make(True)
        self.client.post(url("refer", with_consent.pk))
        with_consent.refresh_from_db()
        self.assertIsNotNone(with_consent.referred_at)
        self.assertTrue(
            AuditEvent.objects.filter(action="share", object_id=str(with_consent.pk)).exists()
        )


class PartnerTokenPageTests(NoaberTestCase):
    def test_the_admin_issues_and_revokes_a_key_shown_once(self):
        self.sign_in(self.admin)
        politie = self.partner.organisation
        response = self.client.post(
            url("tokens"), {"organisation": politie.pk, "name": "Koppeling"}
        )
        self.assertContains(response, "nbr_")
        self.assertIn("no-store", response["Cache-Control"])
        token = PartnerToken.objects.get()
        self.assertNotContains(self.client.get(url("tokens")), response.context["plain"])
        self.client.post(url("token_revoke", token.pk))
        token.refresh_from_db()
        self.assertIsNotNone(token.revoked_at)
