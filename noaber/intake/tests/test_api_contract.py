"""The API keeps its contract (issue 20): strict types, every status documented with its body,
the partner key declared. Bad input gets a clear Dutch error and changes nothing.
`.ci/api-contract` checks the same with schemathesis against a running server."""

import json
import re

import jsonschema
from django.test import override_settings

from noaber.accounts import partner_keys
from noaber.accounts.models import Organisation
from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.intake import actions
from noaber.intake.models import Message, Report

from .test_api import CREATE, LOOKUP, MESSAGES, PARTNER, REPORT


class ContractTestCase(NoaberTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.politie = Organisation.objects.get(name="Politie")

    def setUp(self):
        self.token, self.key = partner_keys.create_partner_token(
            self.politie, [self.dinkelland], "Politiesignalen", actor=self.admin
        )
        self.schema = json.loads(
            self.client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content
        )

    def post(self, url, body, *, key=None, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body)
        headers = {"HTTP_AUTHORIZATION": f"Token {key}"} if key else {}
        return self.client.post(url, data, content_type=content_type, **headers)

    def state(self):
        """What a refused request must leave as it was."""
        return (Report.objects.count(), Message.objects.count(), AuditEvent.objects.count())

    def assert_refused(self, response, field, message):
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn(message, " ".join(map(str, response.json()[field])))
        self.assert_documented(response)

    def assert_documented(self, response):
        """The status is documented for this operation and the body has its documented shape."""
        operation = self.schema["paths"][response.request["PATH_INFO"]]["post"]
        documented = operation["responses"].get(str(response.status_code))
        self.assertIsNotNone(documented, f"{response.status_code} is not documented")
        body_schema = documented["content"]["application/json"]["schema"]
        validator = jsonschema.Draft7Validator(
            {**body_schema, "components": self.schema["components"]},
            format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
        )
        validator.validate(response.json())


class StrictTypesTests(ContractTestCase):
    def test_a_number_or_string_where_the_schema_says_boolean_is_refused(self):
        before = self.state()
        for value in (0, 1, "true", "ja", None):
            with self.subTest(value=value):
                response = self.post(CREATE, REPORT | {"referral_consent": value})
                expected = "mag niet leeg zijn" if value is None else "stuur true of false"
                self.assert_refused(response, "referral_consent", expected)
        self.assert_refused(
            self.post(CREATE, REPORT | {"contact_consent": 1}), "contact_consent", "true of false"
        )
        self.assertEqual(self.state(), before)

    def test_a_number_where_the_schema_says_string_is_refused(self):
        before = self.state()
        cases = [
            (PARTNER, {"external_reference": 0}, "external_reference"),
            (PARTNER, {"source": 1}, "source"),
            (CREATE, {"municipality": 1774}, "municipality"),
            (CREATE, {"description": 42}, "description"),
            (CREATE, {"postcode": 7591}, "postcode"),
            (CREATE, {"contact_email": False}, "contact_email"),
            (CREATE, {"area": ["Buitengebied"]}, "area"),
        ]
        for url, change, field in cases:
            with self.subTest(field=field):
                body = REPORT | {"source": "police"} | change if url == PARTNER else REPORT | change
                response = self.post(url, body, key=self.key if url == PARTNER else None)
                self.assert_refused(response, field, "Dit veld is tekst: stuur een JSON-string.")
        self.assertEqual(self.state(), before)

    def test_a_house_number_must_be_a_json_integer_in_range(self):
        before = self.state()
        address = {"postcode": "7591AB"}
        for value in ("12", 12.0, True):
            with self.subTest(value=value):
                response = self.post(CREATE, REPORT | address | {"house_number": value})
                self.assert_refused(response, "house_number", "geheel getal")
        for value in (0, 100000):
            with self.subTest(value=value):
                response = self.post(CREATE, REPORT | address | {"house_number": value})
                self.assert_refused(response, "house_number", "1 tot en met 99999")
        self.assertEqual(self.state(), before)

    def test_dates_times_and_coordinates_take_only_their_documented_form(self):
        before = self.state()
        cases = [
            ("occurred_on", "20261120", "JJJJ-MM-DD"),
            ("occurred_on", "2026-1-5", "JJJJ-MM-DD"),
            ("occurred_on", 20261120, "JJJJ-MM-DD"),
            ("occurred_at_time", "23:15+01:00", "UU:MM"),
            ("occurred_at_time", "2315", "UU:MM"),
            ("latitude", 52.408, "coördinaat als tekst"),
            ("latitude", "", "coördinaat als tekst"),
            ("latitude", "1e1", "coördinaat als tekst"),
            ("longitude", " 6.9", "coördinaat als tekst"),
        ]
        for field, value, message in cases:
            with self.subTest(field=field, value=value):
                response = self.post(CREATE, REPORT | {field: value})
                self.assert_refused(response, field, message)
        self.assertEqual(self.state(), before)

    def test_the_documented_forms_are_accepted(self):
        body = REPORT | {
            "occurred_on": "2026-01-05",
            "occurred_at_time": "23:15",
            "area": "",
            "latitude": "52.408000",
            "longitude": "6.900000",
            "referral_consent": True,
        }
        response = self.post(CREATE, body)
        self.assertEqual(response.status_code, 201, response.content)
        self.assert_documented(response)
        report = Report.objects.get()
        self.assertEqual(
            (str(report.latitude), str(report.occurred_at_time)), ("52.408000", "23:15:00")
        )


class RequiredTextTests(ContractTestCase):
    def test_an_empty_or_blank_receipt_is_refused_and_nothing_is_looked_up(self):
        before = self.state()
        for receipt in ("", "   "):
            with self.subTest(receipt=receipt):
                response = self.post(LOOKUP, {"receipt": receipt})
                self.assert_refused(response, "receipt", "Dit veld mag niet leeg zijn.")
                response = self.post(MESSAGES, {"receipt": receipt, "body": "Nog iets."})
                self.assert_refused(response, "receipt", "Dit veld mag niet leeg zijn.")
        self.assertEqual(self.state(), before)

    def test_an_empty_message_is_refused_and_nothing_is_added(self):
        receipt = self.post(CREATE, REPORT).json()["receipt"]
        before = self.state()
        for body, message in (("", "mag niet leeg zijn"), ("  \n", "mag niet leeg zijn")):
            with self.subTest(body=body):
                response = self.post(MESSAGES, {"receipt": receipt, "body": body})
                self.assert_refused(response, "body", message)
        self.assert_refused(self.post(MESSAGES, {"receipt": receipt, "body": 7}), "body", "tekst")
        self.assert_refused(self.post(MESSAGES, {"receipt": receipt}), "body", "vereist")
        self.assertEqual(self.state(), before)

    def test_required_strings_carry_min_length_and_a_non_blank_pattern(self):
        components = self.schema["components"]["schemas"]
        for name in ("PublicReport", "PartnerSignal", "Receipt", "ReporterMessage"):
            for field in components[name]["required"]:
                prop = components[name]["properties"][field]
                if prop.get("type") != "string":
                    continue
                with self.subTest(schema=name, field=field):
                    self.assertEqual(prop["minLength"], 1)
                    self.assertIn("pattern", prop)

    def test_the_non_blank_pattern_refuses_exactly_what_the_server_trims_to_nothing(self):
        # Python's whitespace named one by one: "\u001f" alone once passed ECMA's [^\s]
        # (schemathesis) and was refused here as blank.
        from noaber.intake.api_contract import NON_BLANK

        pattern = re.compile(NON_BLANK)
        disagree = [
            hex(c)
            for c in range(1, 0x110000)
            if 0xD800 > c or c > 0xDFFF
            if bool(pattern.search(chr(c))) != bool(chr(c).strip())
        ]
        self.assertEqual(disagree, [])

    def test_length_counts_what_was_sent_before_trimming(self):
        before = self.state()
        response = self.post(CREATE, REPORT | {"municipality": " GM1774 "})
        self.assert_refused(response, "municipality", "niet meer dan 6")
        self.assertEqual(self.state(), before)

    def test_a_lone_surrogate_is_refused_in_dutch(self):
        before = self.state()
        raw = json.dumps(REPORT | {"description": "schuur \ud800"}).encode()
        self.assert_refused(self.post(CREATE, raw), "description", "ongeldig teken (U+D800)")
        self.assertEqual(self.state(), before)


class BodyTests(ContractTestCase):
    def test_a_body_that_is_no_json_object_gets_a_dutch_error(self):
        before = self.state()
        for raw in (b"null", b"[]", b'"melding"', b"42"):
            with self.subTest(raw=raw):
                response = self.post(CREATE, raw)
                self.assert_refused(response, "non_field_errors", "één JSON-object")
        self.assertEqual(self.state(), before)

    def test_json_nested_too_deep_is_broken_json_not_a_server_error(self):
        before = self.state()
        response = self.post(CREATE, b"[" * 100_000)
        self.assertEqual(response.status_code, 400)
        self.assertIn("geen geldige JSON", response.json()["detail"])
        self.assert_documented(response)
        self.assertEqual(self.state(), before)

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
    def test_too_much_data_gets_413_in_dutch(self):
        before = self.state()
        response = self.post(CREATE, REPORT | {"description": "x" * 20_000})
        self.assertEqual(response.status_code, 413)
        self.assertIn("hoogstens 9 KiB", response.json()["detail"])
        self.assert_documented(response)
        self.assertEqual(self.state(), before)

    def test_a_form_instead_of_json_gets_415_in_dutch(self):
        before = self.state()
        for url, key in ((CREATE, None), (LOOKUP, None), (PARTNER, self.key)):
            with self.subTest(url=url):
                response = self.post(
                    url,
                    b"municipality=GM1774&referral_consent=0",
                    key=key,
                    content_type="application/x-www-form-urlencoded",
                )
                self.assertEqual(response.status_code, 415)
                self.assertIn("als JSON", response.json()["detail"])
                self.assert_documented(response)
        self.assertEqual(self.state(), before)


class DocumentedAnswersTests(ContractTestCase):
    def test_every_operation_documents_its_errors_with_a_body(self):
        common = {"400", "413", "415", "429"}
        expected = {
            CREATE: common | {"201"},
            LOOKUP: common | {"200", "404"},
            MESSAGES: common | {"201", "404"},
            PARTNER: common | {"201", "401", "403"},
        }
        for path, statuses in expected.items():
            with self.subTest(path=path):
                responses = self.schema["paths"][path]["post"]["responses"]
                self.assertEqual(set(responses), statuses)
                for answer in responses.values():
                    self.assertIn("$ref", answer["content"]["application/json"]["schema"])

    def test_the_partner_operation_declares_its_key_and_the_public_ones_none(self):
        scheme = self.schema["components"]["securitySchemes"]["partnerKey"]
        self.assertEqual(
            (scheme["type"], scheme["in"], scheme["name"]), ("apiKey", "header", "Authorization")
        )
        self.assertEqual(self.schema["paths"][PARTNER]["post"]["security"], [{"partnerKey": []}])
        for path in (CREATE, LOOKUP, MESSAGES):
            self.assertEqual(self.schema["paths"][path]["post"]["security"], [{}])

    def test_the_answers_of_a_follow_up_have_their_documented_shape(self):
        created = self.post(CREATE, REPORT | {"category": "discriminatie"})
        self.assert_documented(created)
        receipt = created.json()["receipt"]
        actions.post_advisor_message(
            Report.objects.get(), "Wanneer was dit?", actor=self.advisor, request=None
        )
        self.assert_documented(self.post(LOOKUP, {"receipt": receipt}))
        self.assert_documented(self.post(MESSAGES, {"receipt": receipt, "body": "Gisteren."}))
        self.assert_documented(self.post(LOOKUP, {"receipt": "0000-0000-0000-0000-0000"}))

    def test_the_partner_answers_have_their_documented_shape(self):
        signal = REPORT | {"source": "police"}
        self.assert_documented(self.post(PARTNER, signal, key=self.key))
        self.assert_documented(self.post(PARTNER, signal))
        self.assert_documented(self.post(PARTNER, signal, key="nbr_00000000_vals"))
        other = signal | {"municipality": "GM0183", "area": ""}
        self.assert_documented(self.post(PARTNER, other, key=self.key))
        elsewhere = signal | {"area": "", "latitude": "52.408000", "longitude": "6.900000"}
        self.assert_documented(
            self.post(PARTNER, elsewhere | {"municipality": "GM0183"}, key=self.key)
        )

    def test_a_throttled_answer_has_its_documented_shape(self):
        for _ in range(5):
            self.post(LOOKUP, {"receipt": "0000-0000-0000-0000-0000"})
        response = self.post(LOOKUP, {"receipt": "0000-0000-0000-0000-0000"})
        self.assertEqual(response.status_code, 429)
        self.assert_documented(response)
