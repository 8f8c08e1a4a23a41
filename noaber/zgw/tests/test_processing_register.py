"""The register of processing activities (AVG art. 30) that the privacy officer keeps and
prints, and that every audit event points into (issue 22 point 3)."""

from django.urls import reverse

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.labels import registered_object_types
from noaber.audit.models import Action, AuditEvent, ProcessingActivity
from noaber.audit.reference import DETAIL_FIELDS, fill_register_details
from noaber.registry import actions as registry_actions
from noaber.registry.subjects import clean_subject
from noaber.registry.tests.helpers import PERSON, make_signal
from noaber.zgw.clients import create_client
from noaber.zgw.processing import set_processing_log
from noaber.zgw.tests.test_catalogi_api import token
from noaber.zgw.tests.test_processing_api import BASE, PATH, year_query

REGISTER = reverse("audit:register", args=["GM1774"])
EDIT = reverse("audit:register_edit", args=["GM1774", "meldpunt"])
FORM = {
    "name": "Meldpunt niet pluis",
    "purpose": "Meldingen ontvangen en afhandelen.",
    "legal_basis": "Art. 6 lid 1 sub e AVG; Gemeentewet art. 172",
    "data_categories": "Naam melder\nInhoud melding",
    "subject_categories": "Melders",
    "recipients": "Adviseurs veiligheid",
    "retention": "2 jaar",
    "transfers": "Geen",
    "security": "BIO2",
}


class RegisterPageTests(NoaberTestCase):
    def test_the_privacy_officer_reads_every_activity_with_what_article_30_asks(self):
        self.sign_in(self.privacy)
        response = self.client.get(REGISTER)
        self.assertEqual(response.status_code, 200)
        for activity in ProcessingActivity.objects.all():
            self.assertContains(response, f'id="{activity.code}"')
        for label in (
            "Doel", "Grondslag", "Categorieën persoonsgegevens", "Categorieën betrokkenen",
            "Categorieën ontvangers", "Bewaartermijn van de gegevens", "Doorgifte buiten de EER",
            "Beveiligingsmaatregelen",
        ):  # fmt: skip
            self.assertContains(response, label)
        signals = ProcessingActivity.objects.get(code="signaalregister")
        self.assertTrue(signals.data_categories and signals.recipients and signals.retention)
        self.assertContains(response, str(signals.uuid))
        event = AuditEvent.objects.order_by("-id")[0]
        self.assertEqual((event.action, event.object_type), (Action.VIEW, "processing_activity"))
        self.assertEqual(event.processing_activity, "verantwoording")

    def test_the_register_prints_as_a_pdf(self):
        self.sign_in(self.privacy)
        response = self.client.get(REGISTER, {"formaat": "pdf"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))
        self.assertIn("verwerkingsregister-GM1774-", response["Content-Disposition"])
        self.assertEqual(AuditEvent.objects.order_by("-id")[0].action, Action.EXPORT)

    def test_others_do_not_see_it(self):
        for user in (self.advisor, self.admin, self.management):
            with self.subTest(user.username):
                self.client.logout()
                self.sign_in(user)
                self.assertEqual(self.client.get(REGISTER).status_code, 403)
                self.assertEqual(self.client.post(EDIT, FORM).status_code, 403)
        self.assertFalse(ProcessingActivity.objects.filter(purpose=FORM["purpose"]).exists())

    def test_an_edit_is_saved_and_audited_with_what_changed(self):
        self.sign_in(self.privacy)
        self.assertEqual(self.client.get(EDIT).status_code, 200)
        response = self.client.post(EDIT, FORM)
        self.assertRedirects(response, f"{REGISTER}#meldpunt", fetch_redirect_response=False)
        activity = ProcessingActivity.objects.get(code="meldpunt")
        self.assertEqual(activity.data_categories, "Naam melder\nInhoud melding")
        self.assertEqual(activity.updated_by, "priya")
        event = AuditEvent.objects.filter(object_type="processing_activity", action="update").get()
        self.assertEqual((event.object_id, event.municipality), ("meldpunt", "GM1774"))
        self.assertIn("data_categories", event.detail["changed"])
        self.assertNotIn("name", event.detail["changed"])
        # The same again changes nothing and writes nothing.
        self.client.post(EDIT, FORM)
        self.assertEqual(
            AuditEvent.objects.filter(object_type="processing_activity", action="update").count(), 1
        )

    def test_bad_input_is_refused_in_dutch_and_nothing_changes(self):
        self.sign_in(self.privacy)
        before = ProcessingActivity.objects.get(code="meldpunt")
        for field in ("name", "purpose", "legal_basis"):
            with self.subTest(field):
                response = self.client.post(EDIT, {**FORM, field: ""})
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "Dit veld is vereist.")
        self.assertEqual(
            self.client.get(
                reverse("audit:register_edit", args=["GM1774", "bestaat-niet"])
            ).status_code,
            404,
        )
        after = ProcessingActivity.objects.get(code="meldpunt")
        self.assertEqual(
            [getattr(before, f) for f in ("name", "purpose", *DETAIL_FIELDS)],
            [getattr(after, f) for f in ("name", "purpose", *DETAIL_FIELDS)],
        )
        self.assertFalse(
            AuditEvent.objects.filter(object_type="processing_activity", action="update").exists()
        )

    def test_the_shipped_details_never_overwrite_the_privacy_officers_text(self):
        activity = ProcessingActivity.objects.get(code="meldpunt")
        activity.recipients = "Alleen de adviseurs"
        activity.save()
        fill_register_details(ProcessingActivity)
        self.assertEqual(
            ProcessingActivity.objects.get(code="meldpunt").recipients, "Alleen de adviseurs"
        )


class EveryEventPointsIntoTheRegisterTests(NoaberTestCase):
    def test_every_event_names_an_activity_of_the_register(self):
        # A day's work across the apps this issue touches: a signal with a subject, the
        # processing log opened and asked, the register read and edited.
        signal = make_signal(self.dinkelland, self.advisor)
        registry_actions.add_subject(
            signal, "person", clean_subject("person", PERSON), "", actor=self.advisor, request=None
        )
        tool, secret = create_client(
            self.dinkelland, "Privacytool", "pt", scopes=["verwerkingen.lezen"]
        )
        set_processing_log(self.dinkelland, enabled=True, client_ids=["pt"], actor=self.privacy)
        self.client.get(
            f"{BASE}{PATH}", year_query(), HTTP_AUTHORIZATION=f"Bearer {token('pt', secret)}"
        )
        self.client.get(f"{BASE}{PATH}", year_query(), HTTP_AUTHORIZATION="Bearer abc.def")
        self.sign_in(self.privacy)
        self.client.get(REGISTER)
        self.client.post(EDIT, FORM)

        codes = set(ProcessingActivity.objects.values_list("code", flat=True))
        used = set(AuditEvent.objects.values_list("processing_activity", flat=True))
        self.assertFalse(
            used - codes, f"events name activities outside the register: {used - codes}"
        )
        without = AuditEvent.objects.filter(processing_activity="").values_list(
            "object_type", flat=True
        )
        self.assertEqual(sorted(set(without)), [], "events without a processing activity")
        for object_type in ("zgw_verwerkte_objecten", "zgw_processing_log", "processing_activity"):
            self.assertTrue(
                AuditEvent.objects.filter(object_type=object_type).exists(), object_type
            )

    def test_every_object_type_named_anywhere_is_covered_once(self):
        covered = [t for a in ProcessingActivity.objects.all() for t in a.object_types]
        self.assertEqual(len(covered), len(set(covered)))
        for object_type in (
            "zgw_verwerkte_objecten", "zgw_processing_log", "zgw_processing_release",
            "processing_activity", *registered_object_types(),
        ):  # fmt: skip
            self.assertIn(object_type, covered)
