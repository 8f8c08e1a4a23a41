"""The partner portal: a partner user sees only what was shared with their organisation."""

import re
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from noaber.accounts.models import Organisation, Role
from noaber.accounts.tests.base import NoaberTestCase, make_user
from noaber.audit.models import AuditEvent
from noaber.cases import actions as case_actions
from noaber.cases.models import TimelineEntry
from noaber.intake.models import Category, Channel, Report
from noaber.partners.tests.factories import make_agreement, make_case
from noaber.portal import actions
from noaber.portal.models import CaseShare

VIEWED = "/m/GM1774/ketenkaart/inzage/"  # partners:viewed, what each partner viewed


def url(name, *args):
    return reverse(f"portal:{name}", args=["GM1774", *args])


class PortalTests(NoaberTestCase):
    def setUp(self):
        self.politie = Organisation.objects.get(name="Politie")
        self.riec = Organisation.objects.get(name="RIEC Oost-Nederland")
        self.case = make_case(self.dinkelland, self.advisor)
        self.other_case = make_case(self.dinkelland, self.advisor, title="Geheime casus Oost")
        self.agreement = make_agreement(self.dinkelland, "Politie", "RIEC Oost-Nederland")
        self.share = self.share_with(self.politie, ["signal", "identity"])
        self.riec_user = make_user("rik", {self.dinkelland: [Role.PARTNER]}, self.riec)
        self.sign_in(self.partner)

    def share_with(self, organisation, categories, case=None):
        return actions.share_case(
            case or self.case,
            {
                "organisation": organisation,
                "agreement": self.agreement,
                "purpose": "Voorbereiding inval",
                "data_categories": categories,
            },
            actor=self.advisor,
            request=None,
        )

    def test_the_portal_lists_only_the_cases_shared_with_the_organisation(self):
        response = self.client.get(url("portal"))
        self.assertContains(response, "Schuur Hoofdweg")
        self.assertNotContains(response, "Geheime casus Oost")

    def test_a_shared_case_shows_only_the_data_categories_of_the_share(self):
        response = self.client.get(url("portal_case", self.case.pk))
        self.assertContains(response, "Lampen")  # signal content
        self.assertContains(response, "Jan Janssen")  # identity
        self.assertNotContains(response, "Hoofdweg 12 Denekamp")  # address: not shared
        self.assertNotContains(response, "7591AB")
        # The person's access report will show that the partner read their data.
        self.assertTrue(
            AuditEvent.objects.filter(
                object_type="subject", reason="partner_portal", actor="piet"
            ).exists()
        )

    def test_an_unshared_case_is_a_404_without_hint_and_audited_as_denied(self):
        response = self.client.get(url("portal_case", self.other_case.pk))
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(b"Geheime casus", response.content)
        missing = self.client.get(url("portal_case", 999999))
        token = re.compile(rb'value="[A-Za-z0-9]{64}"')
        self.assertEqual(token.sub(b"", missing.content), token.sub(b"", response.content))
        self.assertTrue(
            AuditEvent.objects.filter(
                action="denied", object_type="case", object_id=self.other_case.pk, actor="piet"
            ).exists()
        )

    def test_access_ends_when_the_agreement_expires_or_the_share_ends(self):
        self.agreement.valid_until = timezone.localdate() - timedelta(days=1)
        self.agreement.save()
        self.assertEqual(self.client.get(url("portal_case", self.case.pk)).status_code, 404)
        self.agreement.valid_until = None
        self.agreement.save()
        self.assertEqual(self.client.get(url("portal_case", self.case.pk)).status_code, 200)
        actions.end_share(self.share, actor=self.advisor, request=None)
        self.assertEqual(self.client.get(url("portal_case", self.case.pk)).status_code, 404)

    def test_a_partner_of_another_organisation_does_not_see_the_case_or_the_notes(self):
        self.client.post(url("portal_note", self.case.pk), {"text": "Informant zegt: dinsdag."})
        note = TimelineEntry.objects.get(kind=TimelineEntry.Kind.PARTNER_NOTE)
        self.assertEqual(note.organisation, self.politie)
        self.sign_in(self.riec_user)
        self.assertEqual(self.client.get(url("portal_case", self.case.pk)).status_code, 404)
        # Shared with the RIEC too: the RIEC sees the case, never the police's note.
        self.share_with(self.riec, ["signal"])
        response = self.client.get(url("portal_case", self.case.pk))
        self.assertContains(response, "Schuur Hoofdweg")
        self.assertNotContains(response, "Informant zegt")
        self.assertNotContains(response, "Jan Janssen")  # identity was not shared with RIEC
        # The municipality sees the note on the case.
        self.sign_in(self.advisor)
        self.assertContains(
            self.client.get(reverse("cases:case", args=["GM1774", self.case.pk])),
            "Informant zegt: dinsdag.",
        )

    def test_an_empty_note_is_refused_and_nothing_is_added(self):
        response = self.client.post(url("portal_note", self.case.pk), {"text": "  "})
        self.assertContains(response, "Dit veld is vereist", status_code=200)
        self.assertFalse(self.case.timeline.filter(kind=TimelineEntry.Kind.PARTNER_NOTE).exists())

    def test_a_note_on_an_unshared_case_is_a_404_and_changes_nothing(self):
        response = self.client.post(url("portal_note", self.other_case.pk), {"text": "x"})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(TimelineEntry.objects.filter(kind=TimelineEntry.Kind.PARTNER_NOTE))

    def test_the_partner_completes_its_own_task_but_not_another_organisations(self):
        due = timezone.localdate() + timedelta(days=3)
        own = case_actions.add_task(self.case, "Inval", due, actor=self.advisor,
                                    request=None, organisation=self.politie,
                                    agreement=self.agreement)  # fmt: skip
        other = case_actions.add_task(self.case, "Analyse", due, actor=self.advisor,
                                      request=None, organisation=self.riec,
                                      agreement=self.agreement)  # fmt: skip
        self.assertContains(self.client.get(url("portal")), "Inval")
        response = self.client.post(url("portal_task", own.pk), {"result": "Drugslab aangetroffen"})
        self.assertEqual(response.status_code, 302)
        own.refresh_from_db()
        self.assertEqual(own.result, "Drugslab aangetroffen")
        response = self.client.post(url("portal_task", other.pk), {"result": "Ik was het"})
        self.assertEqual(response.status_code, 404)
        other.refresh_from_db()
        self.assertIsNone(other.completed_at)

    def test_a_signal_sent_back_reaches_the_advisors_inbox_and_the_case(self):
        category = Category.objects.get(code="drugs-drugslab")
        response = self.client.post(
            url("portal_signal", self.case.pk),
            {"category": category.pk, "description": "Busje met kentekens uit BE gezien."},
            follow=True,
        )
        report = Report.objects.get(channel=Channel.PORTAL)
        self.assertContains(response, report.number)
        self.assertEqual(report.partner, self.politie)
        self.assertEqual(report.source, "police")
        self.assertTrue(
            self.case.timeline.filter(
                kind=TimelineEntry.Kind.PARTNER_SIGNAL, organisation=self.politie
            ).exists()
        )

    def test_a_signal_without_description_is_refused(self):
        category = Category.objects.get(code="drugs-drugslab")
        before = Report.objects.count()
        response = self.client.post(url("portal_signal", self.case.pk), {"category": category.pk})
        self.assertContains(response, "Dit veld is vereist")
        self.assertEqual(Report.objects.count(), before)

    def test_the_municipality_sees_what_each_partner_viewed(self):
        self.client.get(url("portal_case", self.case.pk))
        self.client.get(url("portal_case", self.other_case.pk))
        self.sign_in(self.advisor)
        response = self.client.get(VIEWED + f"?organisatie={self.politie.pk}")
        self.assertContains(response, "— Politie")  # the person, with the organisation
        self.assertContains(response, f"casus {self.case.number}")
        self.assertContains(response, "toegang geweigerd")
        response = self.client.get(VIEWED + f"?organisatie={self.riec.pk}")
        self.assertNotContains(response, f"casus {self.case.number}")

    def test_staff_cannot_use_the_portal_and_partners_not_the_staff_case_page(self):
        self.assertEqual(
            self.client.get(reverse("cases:case", args=["GM1774", self.case.pk])).status_code, 403
        )
        self.sign_in(self.advisor)
        self.assertEqual(self.client.get(url("portal")).status_code, 403)

    def test_a_share_belongs_to_its_case(self):
        self.assertEqual(CaseShare.objects.get().case, self.case)
        self.assertEqual(self.share.agreement.valid_from, date(2024, 1, 1))


class PortalGroundTests(NoaberTestCase):
    """Access ends with its ground: the agreement must stay valid and keep naming the partner."""

    def setUp(self):
        self.politie = Organisation.objects.get(name="Politie")
        self.case = make_case(self.dinkelland, self.advisor)
        self.agreement = make_agreement(self.dinkelland, "Politie", "RIEC Oost-Nederland")
        actions.share_case(
            self.case,
            {"organisation": self.politie, "agreement": self.agreement, "purpose": "Inval",
             "data_categories": ["identity"]},
            actor=self.advisor, request=None,
        )  # fmt: skip
        due = timezone.localdate() + timedelta(days=3)
        self.task = case_actions.add_task(
            self.case, "Adres natrekken", due, actor=self.advisor, request=None,
            organisation=self.politie, agreement=self.agreement,
        )  # fmt: skip
        self.sign_in(self.partner)

    def test_taking_the_partner_off_the_agreement_ends_its_access(self):
        self.agreement.organisations.remove(self.politie)
        self.assertEqual(self.client.get(url("portal_case", self.case.pk)).status_code, 404)
        self.assertNotContains(self.client.get(url("portal")), "Adres natrekken")

    def test_a_task_does_not_outlive_its_agreement(self):
        self.assertContains(self.client.get(url("portal")), "Adres natrekken")
        self.agreement.valid_until = timezone.localdate() - timedelta(days=1)
        self.agreement.save()
        self.assertNotContains(self.client.get(url("portal")), "Adres natrekken")
        response = self.client.post(url("portal_task", self.task.pk), {"result": "Gedaan"})
        self.assertEqual(response.status_code, 404)
        self.task.refresh_from_db()
        self.assertIsNone(self.task.completed_at)

    def test_the_viewed_page_ignores_a_filter_that_is_not_a_number(self):
        self.sign_in(self.advisor)
        response = self.client.get(VIEWED + "?organisatie=abc")
        self.assertEqual(response.status_code, 200)
