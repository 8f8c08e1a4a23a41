"""The audit log as a person reads it: names, Dutch words for every code, links to the
objects the viewer may open, and a Dutch message for a page number that is not one."""

from django.urls import reverse

from noaber.accounts.models import User
from noaber.audit.actions import record
from noaber.audit.models import Action, AuditEvent, Result
from noaber.cases import actions as case_actions
from noaber.cases.models import CaseType
from noaber.registry.models import SubjectRequest
from noaber.ui.tests.examples import subject_request

from .base import NoaberTestCase


class AuditLogPageTests(NoaberTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        User.objects.filter(pk=cls.advisor.pk).update(first_name="Anouk", last_name="Adviseur")
        User.objects.filter(pk=cls.partner.pk).update(first_name="Piet", last_name="Politie")
        cls.case = case_actions.open_case(
            cls.dinkelland, CaseType.objects.first(), "Loods", actor=cls.advisor, request=None
        )

    def url(self, query=""):
        return reverse("audit:list", args=["GM1774"]) + query

    def test_codes_read_as_dutch_words_and_people_by_name(self):
        record(
            Action.VIEW,
            actor=self.partner,
            municipality=self.dinkelland,
            object_type="case",
            object_id=self.case.pk,
            reason="partner_portal",
        )
        self.sign_in(self.privacy)
        response = self.client.get(self.url())
        self.assertContains(response, "Piet Politie — Politie")
        self.assertContains(response, "Ketenpartner")
        self.assertContains(response, f"casus {self.case.number}")
        self.assertContains(response, "inzage door een ketenpartner in een gedeelde casus")
        self.assertContains(response, "Noaber (automatisch)")
        for code in ("partner_portal", ">partner<", ">piet<", "case 1", ">system<"):
            self.assertNotContains(response, code)

    def test_a_failed_login_names_the_reason_and_the_account(self):
        self.client.post(reverse("accounts:login"), {"username": "anouk", "password": "fout-1"})
        self.sign_in(self.privacy)
        response = self.client.get(self.url("?handeling=login_failed"))
        self.assertContains(response, "wachtwoord onjuist")
        self.assertContains(response, "account van Anouk Adviseur")
        self.assertNotContains(response, "bad_password")

    def test_an_object_links_to_its_page_only_for_who_may_open_it(self):
        self.sign_in(self.privacy)
        response = self.client.get(self.url())
        case_url = reverse("cases:case", args=["GM1774", self.case.pk])
        # The privacy officer may not open cases: the case is named, not linked.
        self.assertContains(response, f"casus {self.case.number}")
        self.assertNotContains(response, f'href="{case_url}"')
        # A subject request she may open: named and linked (registering it was audited).
        found = SubjectRequest.objects.get(pk=subject_request(self.dinkelland)["pk"])
        response = self.client.get(self.url())
        self.assertContains(
            response,
            f'href="{reverse("registry:request", args=["GM1774", found.pk])}">verzoek '
            f"{found.reference}</a>",
            html=False,
        )

    def test_a_bad_page_number_gets_a_dutch_message_and_the_first_page(self):
        self.sign_in(self.privacy)
        for bad, message in (
            ("-1", "Pagina -1 bestaat niet"),
            ("9999", "Pagina 9999 bestaat niet"),
            ("abc", "Vul een paginanummer in als getal vanaf 1."),
        ):
            with self.subTest(pagina=bad):
                before = AuditEvent.objects.count()
                response = self.client.get(self.url(f"?pagina={bad}"))
                self.assertContains(response, message, status_code=400)
                self.assertContains(response, "U ziet pagina 1.", status_code=400)
                self.assertEqual(response.context["page"].number, 1)
                # Only the reading itself is recorded.
                self.assertEqual(AuditEvent.objects.count(), before + 1)

    def test_an_unknown_action_filter_gets_a_dutch_message(self):
        self.sign_in(self.privacy)
        response = self.client.get(self.url("?handeling=peek"))
        self.assertContains(response, "Kies een handeling uit de lijst", status_code=400)

    def test_the_denied_result_reads_in_dutch(self):
        record(
            Action.DENIED,
            actor=self.partner,
            municipality=self.dinkelland,
            object_type="case",
            object_id="999",
            result=Result.DENIED,
        )
        self.sign_in(self.privacy)
        response = self.client.get(self.url("?handeling=denied"))
        self.assertContains(response, "casus 999")
        self.assertContains(response, "geweigerd")
