"""Addresses from the BAG: resolving, refusing, and offering the municipality where it lies."""

import json
import re
from datetime import timedelta

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from noaber.accounts import partner_keys
from noaber.accounts.models import Organisation, Role
from noaber.accounts.tests.base import NoaberTestCase, make_user
from noaber.intake.addresses import LocationRefusedError, resolve_location
from noaber.intake.bag import import_bag
from noaber.intake.fixtures import BAG_FILE
from noaber.intake.models import Report, ThrottleHit

from .helpers import REPORT_URL, form_data

TUBBERGEN_URL = reverse("intake:report", args=["GM0183"])
CREATE = reverse("intake:api_report_create")
PARTNER = reverse("intake:api_partner_signal")
API_REPORT = {
    "municipality": "GM1774",
    "category": "drugs-drugslab",
    "description": "Chemische lucht bij de schuur.",
}
# In the made-up fixture: Grotestraat 20 Tubbergen, Grotestraat 1 Almelo (not served here), and
# a point in the kern Tubbergen.
IN_TUBBERGEN = {"postcode": "7651 AB", "house_number": "20"}
IN_ALMELO = {"postcode": "7607AA", "house_number": "1"}
UNKNOWN = {"postcode": "1012AB", "house_number": "1"}
POINT_IN_TUBBERGEN = {"latitude": "52.407000", "longitude": "6.785000"}


def as_json(place: dict) -> dict:
    """A place as the API takes it: a form sends the house number as text, JSON as a number."""
    return {k: int(v) if k == "house_number" else v for k, v in place.items()}


class AddressTestCase(NoaberTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        import_bag(BAG_FILE)


class ResolveLocationTests(AddressTestCase):
    def test_a_known_address_gives_street_woonplaats_kern_and_point(self):
        location = resolve_location(self.dinkelland, postcode="7591AB", house_number=12)
        self.assertEqual(
            (location.street, location.woonplaats, location.area.name),
            ("Hoofdweg", "Denekamp", "Denekamp"),
        )
        self.assertAlmostEqual(location.latitude, 52.3772, places=4)

    def test_an_address_outside_every_kern_lies_in_the_buitengebied(self):
        location = resolve_location(self.dinkelland, postcode="7591PK", house_number=151)
        self.assertEqual((location.street, location.area.name), ("Hoofdweg", "Buitengebied"))

    def test_letter_and_addition_match_however_they_are_typed(self):
        for typed in ("A", "a", " a", "-A"):
            with self.subTest(typed=typed):
                location = resolve_location(
                    self.dinkelland, postcode="7591AB", house_number=12, addition=typed
                )
                self.assertEqual(location.street, "Hoofdweg")

    def test_a_point_in_a_kern_gives_that_kern(self):
        location = resolve_location(self.dinkelland, latitude="52.408", longitude="6.900")
        self.assertEqual(location.area.name, "Ootmarsum")

    def test_refusals_name_the_municipality_and_whether_it_is_served_here(self):
        cases = [
            (IN_TUBBERGEN, "postcode", self.tubbergen, "Tubbergen"),
            (IN_ALMELO, "postcode", None, "Almelo"),
            (UNKNOWN, "postcode", None, ""),
            (POINT_IN_TUBBERGEN, "latitude", self.tubbergen, "Tubbergen"),
        ]
        for given, field, served, name in cases:
            with self.subTest(given=given):
                arguments = {
                    "postcode": given.get("postcode", "").replace(" ", ""),
                    "house_number": int(given["house_number"]) if "house_number" in given else None,
                    "latitude": given.get("latitude"),
                    "longitude": given.get("longitude"),
                }
                with self.assertRaises(LocationRefusedError) as caught:
                    resolve_location(self.dinkelland, **arguments)
                self.assertEqual(caught.exception.field, field)
                self.assertEqual(caught.exception.elsewhere, served)
                self.assertEqual(caught.exception.elsewhere_name, name)

    def test_without_an_imported_register_an_address_is_taken_as_typed(self):
        from noaber.intake.models import Address

        Address.objects.filter(municipality_code="GM1774").delete()
        location = resolve_location(self.dinkelland, postcode="9999ZZ", house_number=1)
        self.assertFalse(location.resolved)


class PublicFormAddressTests(AddressTestCase):
    def assert_refused(self, response, message):
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Er is iets niet in orde")
        self.assertContains(response, message)
        self.assertEqual(Report.objects.count(), 0)

    def test_a_resolved_report_gets_street_woonplaats_area_and_the_inbox_shows_the_area(self):
        response = self.client.post(
            REPORT_URL, form_data(postcode="7591 ab", house_number="12", house_number_addition="a")
        )
        self.assertEqual(response.status_code, 201)
        report = Report.objects.get()
        self.assertEqual(
            (report.street, report.woonplaats, report.area.name, report.postcode),
            ("Hoofdweg", "Denekamp", "Denekamp", "7591AB"),
        )
        self.assertEqual(str(report.latitude), "52.377300")
        self.sign_in(self.advisor)
        inbox = self.client.get(reverse("intake:inbox", args=["GM1774"]))
        self.assertContains(inbox, f"{report.number}")
        self.assertContains(inbox, '<td class="utrecht-table__cell">Denekamp</td>', html=False)

    def test_an_unknown_postcode_and_number_is_refused(self):
        response = self.client.post(REPORT_URL, form_data(**UNKNOWN))
        self.assert_refused(response, "Wij kennen geen adres 1012 AB 1.")
        self.assertNotContains(response, "andere-gemeente")

    def test_an_address_in_a_served_municipality_is_offered_to_be_sent_there(self):
        description = "Busjes 's nachts bij de schuur; let op: <b>niet</b> de buren."
        area = self.dinkelland.areas.get(name="Ootmarsum").pk
        data = form_data(description=description, area=str(area), **IN_TUBBERGEN)
        response = self.client.post(REPORT_URL, data)
        self.assert_refused(
            response, "Dit adres ligt in de gemeente Tubbergen, niet in Dinkelland."
        )
        self.assertContains(response, "Melding naar Tubbergen sturen")
        self.assertContains(response, f'action="{TUBBERGEN_URL}"')
        # Everything typed goes along (escaped), except the kern of this municipality.
        carried = dict(
            re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', response.text)
        )
        self.assertEqual(carried["description"], description.replace("'", "&#x27;").replace(
            "<", "&lt;").replace(">", "&gt;"))  # fmt: skip
        self.assertEqual((carried["postcode"], carried["house_number"]), ("7651 AB", "20"))
        self.assertNotIn("area", carried)
        # Following the offer: the report lands in Tubbergen, resolved there.
        sent = self.client.post(TUBBERGEN_URL, form_data(description=description, **IN_TUBBERGEN))
        self.assertEqual(sent.status_code, 201)
        report = Report.objects.get()
        self.assertEqual(
            (report.municipality, report.street, report.area.name, report.description),
            (self.tubbergen, "Grotestraat", "Tubbergen", description),
        )

    def test_an_address_outside_the_served_municipalities_says_whom_to_contact(self):
        response = self.client.post(REPORT_URL, form_data(**IN_ALMELO))
        self.assert_refused(response, "Neem voor uw melding contact op met de gemeente Almelo.")
        self.assertNotContains(response, "andere-gemeente")

    def test_a_point_in_another_served_municipality_is_offered_to_be_sent_there(self):
        response = self.client.post(REPORT_URL, form_data(**POINT_IN_TUBBERGEN))
        self.assert_refused(response, "Dit punt ligt in de gemeente Tubbergen, niet in Dinkelland.")
        self.assertContains(response, "Melding naar Tubbergen sturen")


class ApiAddressTests(AddressTestCase):
    def post(self, body, **extra):
        return self.client.post(
            CREATE, json.dumps(API_REPORT | as_json(body)), content_type="application/json", **extra
        )

    def test_a_resolved_report_gets_street_and_area(self):
        response = self.post({"postcode": "7631AA", "house_number": 1})
        self.assertEqual(response.status_code, 201, response.content)
        report = Report.objects.get()
        self.assertEqual((report.street, report.woonplaats, report.area.name), (
            "Markt", "Ootmarsum", "Ootmarsum"))  # fmt: skip

    def test_bad_places_get_dutch_errors_with_where_it_lies_and_nothing_is_stored(self):
        cases = [
            (UNKNOWN, "postcode", "Wij kennen geen adres", None),
            (IN_TUBBERGEN, "postcode", "ligt in de gemeente Tubbergen", ("GM0183", "Tubbergen")),
            (IN_ALMELO, "postcode", "contact op met de gemeente Almelo", ("", "Almelo")),
            (POINT_IN_TUBBERGEN, "latitude", "Dit punt ligt in de gemeente Tubbergen",
             ("GM0183", "Tubbergen")),
        ]  # fmt: skip
        for body, field, message, elsewhere in cases:
            with self.subTest(body=body):
                response = self.post(body)
                self.assertEqual(response.status_code, 400)
                errors = response.json()
                self.assertIn(message, errors[field][0])
                if elsewhere is None:
                    self.assertNotIn("elsewhere", errors)
                else:
                    self.assertEqual(
                        (errors["elsewhere"]["municipality"], errors["elsewhere"]["name"]),
                        elsewhere,
                    )
        self.assertEqual(Report.objects.count(), 0)


class PartnerApiAddressTests(AddressTestCase):
    def test_a_signal_about_an_address_elsewhere_is_refused_with_where_it_lies(self):
        politie = Organisation.objects.get(name="Politie")
        _token, key = partner_keys.create_partner_token(
            politie, [self.dinkelland], "Politiesignalen", actor=self.admin
        )
        for body, message in [
            (IN_TUBBERGEN, "ligt in de gemeente Tubbergen"),
            (UNKNOWN, "Wij kennen geen adres"),
            (POINT_IN_TUBBERGEN, "Dit punt ligt in de gemeente Tubbergen"),
        ]:
            with self.subTest(body=body):
                response = self.client.post(
                    PARTNER,
                    json.dumps(API_REPORT | {"source": "police"} | as_json(body)),
                    content_type="application/json",
                    HTTP_AUTHORIZATION=f"Token {key}",
                )
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, json.dumps(response.json(), ensure_ascii=False))
        self.assertEqual(Report.objects.count(), 0)


class StaffFormAddressTests(AddressTestCase):
    URL = reverse("intake:internal", args=["GM1774"])

    def test_an_employee_of_one_municipality_is_told_where_it_lies_without_an_offer(self):
        self.sign_in(self.employee)
        for body, message in [
            (IN_TUBBERGEN, "Dit adres ligt in de gemeente Tubbergen"),
            (UNKNOWN, "Wij kennen geen adres"),
            (IN_ALMELO, "contact op met de gemeente Almelo"),
            (POINT_IN_TUBBERGEN, "Dit punt ligt in de gemeente Tubbergen"),
        ]:
            with self.subTest(body=body):
                response = self.client.post(self.URL, form_data(**body))
                self.assertContains(response, message)
                self.assertNotContains(response, "Melding naar Tubbergen sturen")
        self.assertEqual(Report.objects.count(), 0)

    def test_an_employee_serving_both_is_offered_the_other_municipalitys_form(self):
        both = make_user(
            "emma", {self.dinkelland: [Role.EMPLOYEE], self.tubbergen: [Role.EMPLOYEE]}
        )
        self.sign_in(both)
        response = self.client.post(self.URL, form_data(**IN_TUBBERGEN))
        self.assertContains(response, "Melding naar Tubbergen sturen")
        self.assertContains(response, f'action="{reverse("intake:internal", args=["GM0183"])}"')
        self.assertEqual(Report.objects.count(), 0)
        sent = self.client.post(
            reverse("intake:internal", args=["GM0183"]), form_data(**IN_TUBBERGEN)
        )
        self.assertEqual(sent.status_code, 302)
        self.assertEqual(Report.objects.get().street, "Grotestraat")


class LocatieserverTests(AddressTestCase):
    """The optional PDOK Locatieserver lookup, against a local HTTP server that answers in the
    service's documented `free` response format."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                cls.requests.append(self.path)
                if "9999" in self.path:
                    self.send_response(503)
                    self.end_headers()
                    return
                docs = [d for d in cls.docs if f"postcode%3A{d['postcode']}" in self.path]
                body = json.dumps({"response": {"numFound": len(docs), "start": 0, "docs": docs}})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args):
                pass

        cls.requests = []
        cls.docs = [
            {"type": "adres", "weergavenaam": "Dorpsstraat 4, 7597AA Deurningen",
             "straatnaam": "Dorpsstraat", "huisnummer": 4, "postcode": "7597AA",
             "woonplaatsnaam": "Deurningen", "gemeentecode": "1774", "gemeentenaam": "Dinkelland",
             "centroide_ll": "POINT(6.81 52.31)", "adresseerbaarobject_id": "1774010000099999"},
            {"type": "adres", "weergavenaam": "Wierdensestraat 1, 7607AB Almelo",
             "straatnaam": "Wierdensestraat", "huisnummer": 1, "postcode": "7607AB",
             "woonplaatsnaam": "Almelo", "gemeentecode": "0141", "gemeentenaam": "Almelo",
             "centroide_ll": "POINT(6.62 52.35)"},
        ]  # fmt: skip
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.url = f"http://127.0.0.1:{cls.server.server_address[1]}/search/v3_1"

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        super().tearDownClass()

    def setUp(self):
        cache.clear()  # answers are cached; each test asks afresh

    def post(self, postcode, house_number, **settings):
        with self.settings(NOABER_LOCATIESERVER_URL=self.url, **settings):
            return self.client.post(
                REPORT_URL, form_data(postcode=postcode, house_number=str(house_number))
            )

    def test_answers_are_cached_so_the_same_address_is_asked_once(self):
        before = len(self.requests)
        for _ in range(3):
            self.assertEqual(self.post("7597AA", 4).status_code, 201)
            self.assertContains(self.post("7597ZZ", 4), "Wij kennen geen adres 7597 ZZ 4.")
        self.assertEqual(len(self.requests) - before, 2)
        self.assertEqual(Report.objects.filter(street="Dorpsstraat").count(), 3)
        # The cache holds no address in a readable form.
        self.assertFalse([k for k in cache._cache if "7597" in str(k)])

    def test_over_the_budget_an_address_counts_as_typed_and_nothing_is_asked(self):
        before = len(self.requests)
        self.assertEqual(self.post("7597AA", 4, NOABER_LOCATIESERVER_PER_MINUTE=1).status_code,
                         201)  # fmt: skip
        over = self.post("7597AB", 5, NOABER_LOCATIESERVER_PER_MINUTE=1)
        self.assertEqual(over.status_code, 201)  # taken as typed, not lost
        self.assertEqual(len(self.requests) - before, 1)
        report = Report.objects.get(postcode="7597AB")
        self.assertEqual((report.street, report.house_number), ("", 5))

    def test_after_a_failure_the_service_is_left_alone_for_a_while(self):
        before = len(self.requests)
        self.assertEqual(self.post("9999AA", 1).status_code, 201)
        self.assertEqual(self.post("7597AA", 4).status_code, 201)
        self.assertEqual(len(self.requests) - before, 1)  # only the failing one was asked
        self.assertEqual(Report.objects.get(postcode="7597AA").street, "")
        ThrottleHit.objects.filter(scope="locatieserver_failed").update(
            at=timezone.now() - timedelta(seconds=61)
        )
        self.assertEqual(self.post("7597AA", 4).status_code, 201)
        self.assertEqual(len(self.requests) - before, 2)
        self.assertEqual(Report.objects.filter(street="Dorpsstraat").count(), 1)

    def test_an_address_missing_locally_is_resolved_by_the_locatieserver_when_configured(self):
        with self.settings(NOABER_LOCATIESERVER_URL=self.url):
            response = self.client.post(REPORT_URL, form_data(postcode="7597AA", house_number="4"))
        self.assertEqual(response.status_code, 201)
        report = Report.objects.get()
        self.assertEqual((report.street, report.woonplaats, report.area.name), (
            "Dorpsstraat", "Deurningen", "Deurningen"))  # fmt: skip
        self.assertIn("q=postcode%3A7597AA+AND+huisnummer%3A4", self.requests[-1])
        self.assertIn("fq=type%3Aadres", self.requests[-1])

    def test_the_locatieserver_refuses_unknown_and_elsewhere_like_the_register(self):
        with self.settings(NOABER_LOCATIESERVER_URL=self.url):
            unknown = self.client.post(REPORT_URL, form_data(postcode="7597ZZ", house_number="4"))
            almelo = self.client.post(REPORT_URL, form_data(postcode="7607AB", house_number="1"))
        self.assertContains(unknown, "Wij kennen geen adres 7597 ZZ 4.")
        self.assertContains(almelo, "Neem voor uw melding contact op met de gemeente Almelo.")
        self.assertEqual(Report.objects.count(), 0)

    def test_a_failing_locatieserver_takes_the_address_as_typed(self):
        with self.settings(NOABER_LOCATIESERVER_URL=self.url):
            response = self.client.post(REPORT_URL, form_data(postcode="9999AA", house_number="1"))
        self.assertEqual(response.status_code, 201)
        self.assertEqual((Report.objects.get().postcode, Report.objects.get().street), (
            "9999AA", ""))  # fmt: skip

    def test_off_by_default_nothing_is_asked(self):
        before = len(self.requests)
        response = self.client.post(REPORT_URL, form_data(postcode="7597AA", house_number="4"))
        self.assertContains(response, "Wij kennen geen adres 7597 AA 4.")
        self.assertEqual(len(self.requests), before)
