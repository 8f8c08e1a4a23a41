import json

from django.urls import reverse

from noaber.accounts import partner_keys
from noaber.accounts.models import Organisation, PartnerToken
from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.intake import actions
from noaber.intake.models import Message, Report

CREATE = reverse("intake:api_report_create")
LOOKUP = reverse("intake:api_report_lookup")
MESSAGES = reverse("intake:api_report_message")
PARTNER = reverse("intake:api_partner_signal")
REPORT = {
    "municipality": "GM1774",
    "category": "drugs-drugslab",
    "description": "Chemische lucht bij de schuur aan de Hoofdweg.",
    "area": "Buitengebied",
}


class PublicApiTests(NoaberTestCase):
    def post(self, url, body, **extra):
        data = body if isinstance(body, bytes) else json.dumps(body)
        return self.client.post(url, data, content_type="application/json", **extra)

    def test_a_report_gets_201_with_a_receipt_that_opens_it(self):
        response = self.post(CREATE, REPORT)
        self.assertEqual(response.status_code, 201, response.content)
        self.assertIn("no-store", response["Cache-Control"])
        receipt = response.json()["receipt"]
        report = Report.objects.get()
        self.assertEqual((report.channel, report.area.name), ("api", "Buitengebied"))
        actions.post_advisor_message(
            report, "Wanneer rook u dit?", actor=self.advisor, request=None
        )
        found = self.post(LOOKUP, {"receipt": receipt})
        self.assertEqual(found.status_code, 200)
        self.assertIn("no-store", found["Cache-Control"])
        body = found.json()
        self.assertEqual((body["status"], body["status_label"]), ("received", "ontvangen"))
        self.assertEqual(body["messages"][0]["body"], "Wanneer rook u dit?")
        added = self.post(MESSAGES, {"receipt": receipt, "body": "Gisteravond rond 23 uur."})
        self.assertEqual(added.status_code, 201)
        self.assertEqual(Message.objects.filter(author_kind="reporter").count(), 1)

    def test_a_discrimination_report_gets_the_vizier_referral(self):
        response = self.post(CREATE, REPORT | {"category": "discriminatie"})
        self.assertIn("Stichting Vizier", response.json()["referral"])

    def test_bad_fields_get_dutch_errors_and_nothing_is_stored(self):
        cases = [
            ({"description": ""}, "description", "Dit veld mag niet leeg zijn."),
            ({"description": "x" * 5001}, "description", "5000"),
            ({"postcode": "12345", "house_number": 3}, "postcode", "geldige postcode"),
            ({"postcode": "7591AB", "house_number": 0}, "house_number", "huisnummer"),
            ({"latitude": "52.220000", "longitude": "6.890000"}, "latitude", "buiten de gemeente"),
            ({"area": "Albergen"}, "area", "kern of gebied van deze gemeente"),
            ({"description": "nul\u0000teken"}, "description", "Null"),
            ({"municipality": "GM9999"}, "municipality", "Onbekende gemeente"),
            ({"contact_email": "a@example.nl"}, "contact_consent", "Vink aan"),
        ]
        for change, field, message in cases:
            with self.subTest(field=field, message=message):
                response = self.post(CREATE, REPORT | change)
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, " ".join(map(str, response.json()[field])))
        self.assertEqual(Report.objects.count(), 0)

    def test_invalid_utf8_or_broken_json_gets_a_dutch_error(self):
        for raw in (b'{"description": "\xff\xfe"}', b"{niet json"):
            with self.subTest(raw=raw):
                response = self.post(CREATE, raw)
                self.assertEqual(response.status_code, 400)
                self.assertIn("geen geldige JSON", response.json()["detail"])
        self.assertEqual(Report.objects.count(), 0)

    def test_html_is_kept_as_text(self):
        self.post(CREATE, REPORT | {"description": "<img src=x onerror=alert(1)>"})
        self.assertEqual(Report.objects.get().description, "<img src=x onerror=alert(1)>")

    def test_wrong_receipts_get_404_then_429(self):
        for _ in range(5):
            response = self.post(LOOKUP, {"receipt": "0000-0000-0000-0000-0000"})
            self.assertEqual(response.status_code, 404)
            self.assertIn("geen melding", response.json()["detail"])
        response = self.post(LOOKUP, {"receipt": "0000-0000-0000-0000-0000"})
        self.assertEqual(response.status_code, 429)
        self.assertIn("te vaak geprobeerd", response.json()["detail"])

    def test_public_reports_are_throttled(self):
        for _ in range(10):
            self.assertEqual(self.post(CREATE, REPORT).status_code, 201)
        self.assertEqual(self.post(CREATE, REPORT).status_code, 429)
        self.assertEqual(Report.objects.count(), 10)

    def test_the_schema_documents_every_endpoint_with_an_example(self):
        schema = json.loads(
            self.client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content
        )
        for path in (CREATE, LOOKUP, MESSAGES, PARTNER):
            with self.subTest(path=path):
                operation = schema["paths"][path]["post"]
                examples = operation["requestBody"]["content"]["application/json"]["examples"]
                self.assertTrue(examples)


class PartnerApiTests(NoaberTestCase):
    def setUp(self):
        self.politie = Organisation.objects.get(name="Politie")
        self.token, self.key = partner_keys.create_partner_token(
            self.politie, [self.dinkelland], "Politiesignalen", actor=self.admin
        )

    def post(self, body, key=None):
        return self.client.post(
            PARTNER,
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {key or self.key}",
        )

    def test_a_partner_delivers_a_signal_with_its_source(self):
        body = REPORT | {"source": "mma", "external_reference": "MMA-2026-77"}
        response = self.post(body)
        self.assertEqual(response.status_code, 201, response.content)
        report = Report.objects.get()
        self.assertEqual(
            (report.source, report.channel, report.partner, report.external_reference),
            ("mma", "partner_api", self.politie, "MMA-2026-77"),
        )
        self.assertIsNone(report.receipt_locator)
        self.assertIsNotNone(PartnerToken.objects.get().last_used_at)
        # The key that delivered it is in the audit event, so a leaked key's reports are known.
        event = AuditEvent.objects.get(object_type="report", action="create")
        self.assertEqual(event.detail["partner_client"], self.token.pk)

    def test_only_the_sha256_of_the_key_is_stored(self):
        self.assertNotIn(self.key, str(PartnerToken.objects.values().get()))

    def test_a_revoked_key_is_refused_and_audited(self):
        partner_keys.revoke_partner_token(self.token, actor=self.admin)
        response = self.post(REPORT | {"source": "police"})
        self.assertEqual(response.status_code, 401)
        self.assertIn("ingetrokken", response.json()["detail"])
        self.assertEqual(Report.objects.count(), 0)
        self.assertTrue(AuditEvent.objects.filter(action="denied", reason="revoked").exists())

    def test_a_known_prefix_with_a_wrong_secret_is_refused_and_audited(self):
        forged = self.key.rsplit("_", 1)[0] + "_" + "x" * 43
        response = self.post(REPORT | {"source": "police"}, key=forged)
        self.assertEqual(response.status_code, 401)
        event = AuditEvent.objects.filter(action="denied").latest("id")
        self.assertEqual((event.object_id, event.reason), (str(self.token.pk), "invalid"))

    def test_a_missing_or_forged_key_is_refused(self):
        for key in ("", "nbr_00000000_forged"):
            with self.subTest(key=key):
                response = self.client.post(
                    PARTNER,
                    json.dumps(REPORT),
                    content_type="application/json",
                    HTTP_AUTHORIZATION=f"Token {key}",
                )
                self.assertEqual(response.status_code, 401)
        self.assertEqual(Report.objects.count(), 0)

    def test_a_key_is_throttled(self):
        from noaber.intake import throttle

        # A limit of two, so the test does not need 600 requests.
        original = throttle.PARTNER
        throttle.PARTNER = throttle.Limit("partner", 2, 60)
        try:
            codes = [self.post(REPORT | {"source": "police"}).status_code for _ in range(3)]
        finally:
            throttle.PARTNER = original
        self.assertEqual(codes, [201, 201, 429])
        self.assertEqual(Report.objects.count(), 2)

    def test_a_key_does_not_open_another_municipality(self):
        response = self.post(REPORT | {"municipality": "GM0183", "area": "", "source": "police"})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Report.objects.count(), 0)
