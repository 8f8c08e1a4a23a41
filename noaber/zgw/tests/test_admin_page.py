"""The admin's ZGW page (issue 22, point 1): clients created with the secret shown once,
revoked with one button, the catalogue's RSIN entered and checked — all audited; bad input
gets a Dutch error and changes nothing."""

from django.urls import reverse

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import Action, AuditEvent
from noaber.cases.models import CaseType
from noaber.zgw.models import ApiClient, Catalogue


class AdminPageTests(NoaberTestCase):
    def setUp(self):
        self.sign_in(self.admin)
        self.url = reverse("zgw_admin:clients", args=["GM1774"])

    def create(self, **extra):
        data = {
            "name": "Zaaksysteem",
            "client_id": "zaaksysteem-dinkelland",
            "scopes": ["catalogi.lezen", "zaken.lezen"],
            "max_confidentiality": "zaakvertrouwelijk",
            "legal_basis": "Archiefwet 1995",
            **extra,
        }
        return self.client.post(self.url, data)

    def test_a_new_client_shows_its_secret_once(self):
        response = self.create()
        self.assertEqual(response.status_code, 200)
        client = ApiClient.objects.get()
        self.assertContains(response, client.secret)
        self.assertIn("no-store", response["Cache-Control"])
        self.assertEqual(client.scopes, ["catalogi.lezen", "zaken.lezen"])
        self.assertEqual(client.municipality, self.dinkelland)
        self.assertNotContains(self.client.get(self.url), client.secret)
        event = AuditEvent.objects.filter(object_type="zgw_client").order_by("-id")[0]
        self.assertEqual((event.action, event.actor), (Action.CREATE, "bea"))

    def test_bad_input_gets_a_dutch_error_and_saves_nothing(self):
        self.create()
        cases = [
            ({"client_id": "zaaksysteem-dinkelland"}, "al in gebruik"),
            ({"client_id": "met spaties"}, "Client-id"),
            (
                {"client_id": "bsn-zonder-grondslag", "bsn_entitled": "on", "legal_basis": ""},
                "grondslag nodig",
            ),
            ({"client_id": "zaken-zonder-grondslag", "legal_basis": ""}, "zaken leest heeft"),
            ({"client_id": "zonder-scope", "scopes": []}, "Mag lezen"),
            ({"client_id": "te-hoog", "max_confidentiality": "topgeheim"}, "Hoogste"),
        ]
        for extra, text in cases:
            with self.subTest(extra=extra):
                response = self.create(**extra)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "Er is iets niet in orde")
                self.assertContains(response, text)
        self.assertEqual(ApiClient.objects.count(), 1)

    def test_revoke(self):
        self.create()
        client = ApiClient.objects.get()
        url = reverse("zgw_admin:revoke", args=["GM1774", client.pk])
        response = self.client.post(url, follow=True)
        self.assertContains(response, "ingetrokken")
        client.refresh_from_db()
        self.assertIsNotNone(client.revoked_at)
        event = AuditEvent.objects.filter(object_type="zgw_client").order_by("-id")[0]
        self.assertEqual((event.action, event.reason), (Action.UPDATE, "revoked"))

    def test_another_municipalitys_client_cannot_be_revoked_here(self):
        from noaber.zgw.clients import create_client

        other, _secret = create_client(
            self.tubbergen, "X", "x-tubbergen", scopes=["catalogi.lezen"]
        )
        url = reverse("zgw_admin:revoke", args=["GM1774", other.pk])
        self.assertEqual(self.client.post(url).status_code, 404)
        other.refresh_from_db()
        self.assertIsNone(other.revoked_at)

    def test_the_catalogue_rsin_is_checked_and_saved(self):
        url = reverse("zgw_admin:catalogue", args=["GM1774"])
        bad = self.client.post(url, {"rsin": "001234568", "domain": "IVP", "contact_name": "B"})
        self.assertContains(bad, "elfproef")
        self.assertFalse(Catalogue.objects.exists())
        good = {"rsin": "001234560", "domain": "IVP", "contact_name": "Functioneel beheer"}
        response = self.client.post(url, good, follow=True)
        self.assertContains(response, "catalogus IVP met RSIN 001234560")
        self.assertEqual(self.dinkelland.zgw_catalogue.contact_name, "Functioneel beheer")
        event = AuditEvent.objects.filter(object_type="zgw_catalogue").order_by("-id")[0]
        self.assertEqual((event.action, event.actor), (Action.CREATE, "bea"))

    def test_serving_cases_is_turned_on_per_case_type(self):
        url = reverse("zgw_admin:catalogue", args=["GM1774"])
        riec = CaseType.objects.get(code="riec")
        good = {"rsin": "001234560", "domain": "IVP", "contact_name": "Functioneel beheer"}
        self.client.post(url, good)
        self.assertFalse(self.dinkelland.zgw_catalogue.served_case_types.exists())  # off
        page = self.client.get(self.url)
        self.assertContains(page, "RIEC-casus (confidentieel)")
        self.client.post(url, {**good, "served_case_types": [riec.pk]})
        self.assertEqual(list(self.dinkelland.zgw_catalogue.served_case_types.all()), [riec])
        event = AuditEvent.objects.filter(reason="served_case_types").get()
        self.assertEqual((event.detail["on"], event.actor), (["riec"], "bea"))
        # An unknown case type is refused and changes nothing.
        bad = self.client.post(url, {**good, "served_case_types": ["999999"]})
        self.assertContains(bad, "Er is iets niet in orde")
        self.assertEqual(list(self.dinkelland.zgw_catalogue.served_case_types.all()), [riec])
