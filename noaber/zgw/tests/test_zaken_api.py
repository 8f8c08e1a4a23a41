"""The Zaken API 1.5 subset (issue 22, points 1 and 2): the cases a client may see as zaken
with their statussen, resultaat, rollen and zaakobjecten; every answer — errors included —
validated against VNG's own OpenAPI document of the Zaken API 1.5.1; an object above the
client's level is a 404 audited as denied; serving is off per case type until turned on; a
BSN goes only to an entitled client; every case served lands once per client in the ledger."""

import json

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.actions import data_subject_pseudonym
from noaber.audit.models import Action, AuditEvent
from noaber.cases import actions as case_actions
from noaber.cases.models import Case, CaseResult, CaseType
from noaber.cases.signals import case_destroying
from noaber.intake.actions import submit_report
from noaber.intake.models import Category, Channel
from noaber.registry.actions import add_subject, register_from_reports
from noaber.registry.models import Subject
from noaber.zgw import identifiers
from noaber.zgw.actions import serve_case_types
from noaber.zgw.clients import create_client
from noaber.zgw.models import Catalogue, ZaakDisclosure

from .test_catalogi_api import ContractMixin, token

BASE = "/api/zgw/zaken/v1"
CRS = {"HTTP_ACCEPT_CRS": "EPSG:4326"}
BSN = "111222333"


class ZakenApiTests(ContractMixin, NoaberTestCase):
    api = "zaken"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.catalogue = Catalogue.objects.create(
            municipality=cls.dinkelland, rsin="001234560", contact_name="Functioneel beheer"
        )
        cls.woon = CaseType.objects.get(code="overlast")
        cls.riec = CaseType.objects.get(code="riec")
        serve_case_types(cls.catalogue, [cls.woon, cls.riec])
        cls.zaaksysteem, cls.secret = create_client(
            cls.dinkelland,
            "Zaaksysteem",
            "zaaksysteem",
            scopes=["zaken.lezen", "catalogi.lezen"],
            max_confidentiality="zaakvertrouwelijk",
            legal_basis="Archiefwet 1995; art. 6 lid 1 sub e AVG",
        )
        cls.archive, cls.archive_secret = create_client(
            cls.dinkelland,
            "E-depot",
            "e-depot",
            scopes=["zaken.lezen"],
            max_confidentiality="geheim",
            bsn_entitled=True,
            legal_basis="Archiefwet 1995, art. 12",
        )
        signal = cls.signal_with_subjects()
        cls.case = case_actions.open_case(
            cls.dinkelland, cls.woon, "Overlast Dorpsstraat", actor=cls.advisor, request=None,
            signals=[signal],
        )  # fmt: skip
        for status in ("onderzoek", "uitvoering"):
            case_actions.change_status(
                cls.case, status, cls.case.version, actor=cls.advisor, request=None
            )
            cls.case.refresh_from_db()
        result = CaseResult.objects.filter(case_type=cls.woon).first()
        case_actions.close_case(
            cls.case, result, "Opgelost.", cls.case.version, actor=cls.advisor, request=None
        )
        cls.case.refresh_from_db()
        cls.secret_case = case_actions.open_case(
            cls.dinkelland, cls.riec, "Schuur Hoofdweg", actor=cls.advisor, request=None
        )
        cls.other_type = case_actions.open_case(
            cls.dinkelland,
            CaseType.objects.exclude(pk__in=[cls.woon.pk, cls.riec.pk])
            .filter(confidentiality="zaakvertrouwelijk")
            .first(),
            "Niet verstrekt",
            actor=cls.advisor,
            request=None,
        )

    @classmethod
    def signal_with_subjects(cls):
        submitted = submit_report(
            cls.dinkelland,
            {"category": Category.objects.get(code="drugs-drugslab"), "description": "Geluid."},
            channel=Channel.WEB,
        )
        signal = register_from_reports(
            cls.dinkelland, [submitted.report], actor=cls.advisor, request=None
        )
        subjects = {
            "person": {"label": "Jan Jansen", "bsn": BSN, "birth_date": "1980-01-02"},
            "company": {"label": "Jansen Handel BV", "kvk": "12345678"},
            "address": {"label": "Dorpsstraat 1", "postcode": "7591AB", "house_number": 1},
            "vehicle": {"label": "Bestelbus", "kenteken": "AB123C"},
            "online": {"label": "@jansen"},
        }
        for kind, data in subjects.items():
            add_subject(signal, kind, data, "betrokkene", actor=cls.advisor, request=None)
        return signal

    def get(self, path, query=None, *, as_archive=False, bearer=None, crs=True):
        client, secret = (
            (self.archive, self.archive_secret) if as_archive else (self.zaaksysteem, self.secret)
        )
        bearer = bearer or token(client.client_id, secret)
        headers = CRS if crs else {}
        return self.client.get(
            f"{BASE}{path}", query or {}, HTTP_AUTHORIZATION=f"Bearer {bearer}", **headers
        )

    def path_of(self, url: str) -> str:
        return url.split(BASE, 1)[1]

    def check(self, response, path, query=None, schema=None, status=200, **kwargs):
        self.assertEqual(response.status_code, status, response.content)
        headers = {"Accept-Crs": "EPSG:4326"} if path.startswith("/zaken") else {}
        self.assert_contract(response, path, query, schema, headers=headers, **kwargs)
        return response.json()

    def test_the_visible_cases_are_zaken_with_their_parts(self):
        body = self.check(self.get("/zaken"), "/zaken", schema="Zaak")
        # The RIEC case is above the client's level, the third case's type is not served.
        self.assertEqual([z["identificatie"] for z in body["results"]], [self.case.number])
        zaak = body["results"][0]
        self.assertEqual(zaak["bronorganisatie"], "001234560")
        self.assertEqual(zaak["vertrouwelijkheidaanduiding"], "zaakvertrouwelijk")
        self.assertEqual(zaak["archiefnominatie"], self.case.archiefnominatie)
        self.assertIsNotNone(zaak["einddatum"])
        self.assertEqual(self.get("/zaken")["Content-Crs"], "EPSG:4326")
        self.assertEqual(self.get("/zaken")["API-version"], "1.5.1")

        detail_path = self.path_of(zaak["url"])
        detail = self.check(self.get(detail_path), detail_path, schema="Zaak")
        self.assertEqual(detail, zaak)

        # The zaaktype is the catalogue's.
        zaaktype = self.client.get(
            zaak["zaaktype"].split("testserver", 1)[1],
            HTTP_AUTHORIZATION=f"Bearer {token(self.zaaksysteem.client_id, self.secret)}",
        ).json()
        self.assertEqual(zaaktype["identificatie"], "overlast")

        statussen = self.check(
            self.get("/statussen", {"zaak": zaak["url"]}), "/statussen", {"zaak": zaak["url"]},
            "Status",
        )  # fmt: skip
        self.assertEqual(statussen["count"], 4)  # opened, in onderzoek, in uitvoering, closed
        last = [s for s in statussen["results"] if s["indicatieLaatstGezetteStatus"]]
        self.assertEqual([s["url"] for s in last], [zaak["status"]])
        status_path = self.path_of(zaak["status"])
        self.check(self.get(status_path), status_path, schema="Status")

        resultaat_path = self.path_of(zaak["resultaat"])
        resultaat = self.check(self.get(resultaat_path), resultaat_path, schema="Resultaat")
        self.assertEqual(resultaat["zaak"], zaak["url"])

        objects = self.check(
            self.get("/zaakobjecten", {"zaak": zaak["url"]}), "/zaakobjecten",
            {"zaak": zaak["url"]}, "ZaakObject",
        )  # fmt: skip
        kinds = sorted(o["objectTypeOverige"] for o in objects["results"])
        self.assertEqual(kinds, ["adres", "voertuig"])  # an online identity is not served
        self.assertEqual(sorted(o["url"] for o in objects["results"]), sorted(zaak["zaakobjecten"]))

    def test_a_uuid_names_one_object_of_one_catalogue(self):
        other = Catalogue.objects.create(
            municipality=self.tubbergen, rsin="001234560", contact_name="Beheer"
        )
        key = identifiers.encode(self.catalogue, "rol", self.case.pk, 7)
        self.assertEqual(identifiers.decode(self.catalogue, "rol", key), (self.case.pk, 7))
        self.assertIsNone(identifiers.decode(self.catalogue, "zaak", key))
        self.assertIsNone(identifiers.decode(other, "rol", key))
        neighbours = {identifiers.encode(self.catalogue, "zaak", pk).hex[:8] for pk in (1, 2, 3)}
        self.assertEqual(len(neighbours), 3)  # nothing in common: no count to read off

    def test_persons_in_rollen_only_as_far_as_the_client_is_entitled(self):
        zaak_url = self.get("/zaken").json()["results"][0]["url"]
        rollen = self.check(
            self.get("/rollen", {"zaak": zaak_url}), "/rollen", {"zaak": zaak_url}, "Rol"
        )
        by_type = {r["betrokkeneType"]: r for r in rollen["results"]}
        self.assertEqual(
            sorted(by_type), ["medewerker", "natuurlijk_persoon", "niet_natuurlijk_persoon"]
        )
        self.assertEqual(by_type["medewerker"]["omschrijvingGeneriek"], "zaakcoordinator")
        # Not entitled: a person is belanghebbende, not who.
        self.assertEqual(by_type["natuurlijk_persoon"]["betrokkeneIdentificatie"], {})
        self.assertNotIn(BSN, json.dumps(rollen))

        # Entitled (BSN with a recorded legal basis): the BSN, the name, the birth date.
        archive = self.get("/rollen", {"zaak": zaak_url}, as_archive=True).json()
        person = next(r for r in archive["results"] if r["betrokkeneType"] == "natuurlijk_persoon")
        self.assertEqual(person["betrokkeneIdentificatie"]["inpBsn"], BSN)
        self.assertEqual(person["betrokkeneIdentificatie"]["geslachtsnaam"], "Jan Jansen")
        rol_path = self.path_of(person["url"])
        self.check(self.get(rol_path, as_archive=True), rol_path, schema="Rol")

        # Each person served is in the log under its pseudonym, never the BSN.
        served = AuditEvent.objects.filter(
            object_type="zgw_rol", data_subject=data_subject_pseudonym("bsn", BSN)
        )
        self.assertEqual(served.count(), 3)  # two lists and one detail
        self.assertFalse(AuditEvent.objects.filter(detail__icontains=BSN).exists())

        # Only an entitled client may look a person up by BSN.
        query = {"betrokkeneIdentificatie__natuurlijkPersoon__inpBsn": BSN}
        found = self.get("/rollen", query, as_archive=True).json()
        self.assertEqual([r["betrokkeneType"] for r in found["results"]], ["natuurlijk_persoon"])
        refused = self.get("/rollen", query)
        self.check(refused, "/rollen", query, status=403)
        self.assertEqual(AuditEvent.objects.order_by("-id")[0].reason, "bsn_not_entitled")
        bad = {"betrokkeneIdentificatie__natuurlijkPersoon__inpBsn": "123456789"}
        body = self.check(self.get("/rollen", bad, as_archive=True), "/rollen", bad, status=400)
        self.assertEqual(body["invalidParams"][0]["name"], bad.popitem()[0])
        zaken = self.get("/zaken", {f"rol__{next(iter(query))}": BSN}, as_archive=True).json()
        self.assertEqual([z["identificatie"] for z in zaken["results"]], [self.case.number])

    def test_an_object_above_the_clients_level_is_not_found_and_audited(self):
        # The e-depot may see confidentieel: the RIEC case is there, with its uuid.
        riec = next(
            z
            for z in self.get("/zaken", as_archive=True).json()["results"]
            if z["identificatie"] == self.secret_case.number
        )
        for path in (self.path_of(riec["url"]), self.path_of(riec["rollen"][0])):
            with self.subTest(path):
                before = ZaakDisclosure.objects.count()
                response = self.get(path)
                self.check(response, path, status=404)
                self.assertEqual(response.json()["code"], "not_found")
                event = AuditEvent.objects.order_by("-id")[0]
                self.assertEqual(
                    (event.action, event.reason), (Action.DENIED, "above_confidentiality")
                )
                self.assertEqual(ZaakDisclosure.objects.count(), before)
        # ... as for a zaak that does not exist (not audited: nothing to protect).
        made_up = "/zaken/6f1c2a4e-0000-4000-8000-000000000000"
        self.check(self.get(made_up), made_up, status=404)

    def test_serving_is_off_per_case_type_until_turned_on(self):
        other = Case.objects.get(pk=self.other_type.pk)
        self.assertNotIn(other.number, str(self.get("/zaken", as_archive=True).json()))
        serve_case_types(self.catalogue, [self.woon, self.riec, other.case_type])
        numbers = [
            z["identificatie"] for z in self.get("/zaken", as_archive=True).json()["results"]
        ]
        self.assertIn(other.number, numbers)
        event = AuditEvent.objects.filter(reason="served_case_types").order_by("-id")[0]
        self.assertEqual(event.detail["on"], [other.case_type.code])

    def test_every_case_served_lands_once_per_client_in_the_ledger(self):
        zaak = self.get("/zaken").json()["results"][0]
        self.get(self.path_of(zaak["url"]))
        self.get("/rollen", {"zaak": zaak["url"]})
        self.get("/rollen", {"zaak": zaak["url"]}, as_archive=True)
        mine = ZaakDisclosure.objects.get(client=self.zaaksysteem)
        self.assertEqual(mine.case_id, self.case.pk)
        self.assertEqual(mine.served, ["zaak", "rollen"])
        self.assertEqual(mine.legal_basis, self.zaaksysteem.legal_basis)
        archive = ZaakDisclosure.objects.get(client=self.archive)
        self.assertEqual(archive.served, ["rollen", "bsn"])
        # Destroying a served case keeps its shell (without title or text): the ledger names it.
        replies = case_destroying.send(sender=Case, case=self.case)
        self.assertIn(True, [answer for _receiver, answer in replies])
        self.assertNotIn(
            True, [a for _r, a in case_destroying.send(sender=Case, case=self.secret_case)]
        )

    def test_zoek_takes_the_filters_as_json(self):
        zaak = self.get("/zaken").json()["results"][0]
        headers = {"HTTP_CONTENT_CRS": "EPSG:4326", **CRS}
        auth = f"Bearer {token(self.zaaksysteem.client_id, self.secret)}"

        def zoek(body, content_type="application/json", **extra):
            return self.client.post(
                f"{BASE}/zaken/_zoek", body, content_type=content_type,
                HTTP_AUTHORIZATION=auth, **{**headers, **extra},
            )  # fmt: skip

        contract = {"Accept-Crs": "EPSG:4326", "Content-Crs": "EPSG:4326"}
        body = {"uuid__in": [zaak["uuid"]], "archiefnominatie__in": ["vernietigen"]}
        response = zoek(json.dumps(body))
        self.assertEqual(response.status_code, 200, response.content)
        self.assert_contract(
            response, "/zaken/_zoek", schema="Zaak", method="post", headers=contract,
            body=json.dumps(body),
        )  # fmt: skip
        self.assertEqual([z["url"] for z in response.json()["results"]], [zaak["url"]])
        served = ZaakDisclosure.objects.count()
        for bad, status, code in (
            ("{niet json", 400, "invalid"),
            ("[1, 2]", 400, "invalid"),
            (json.dumps({"uuid__in": "geen-lijst"}), 400, "invalid"),
            (json.dumps({"startdatum__gt": "gisteren"}), 400, "invalid"),
        ):
            with self.subTest(bad):
                response = zoek(bad)
                self.assertEqual(response.status_code, status, response.content)
                self.assertEqual(response.json()["code"], code)
                self.assert_contract(
                    response, "/zaken/_zoek", method="post", headers=contract, body=bad
                )
                self.assert_refusal_audited(code)
        response = zoek("archiefstatus=x", content_type="application/x-www-form-urlencoded")
        self.assertEqual(response.status_code, 415)
        self.assert_refusal_audited("unsupported_media_type")
        for hostile in ("[" * 100_000, json.dumps({"identificatie": "C-²"})):
            self.assertIn(zoek(hostile).status_code, (200, 400))  # never a server error
        self.assertEqual(ZaakDisclosure.objects.count(), served)  # nothing served

    def assert_refusal_audited(self, reason):
        """A refusal changes nothing but its own audit event: denied, its code the reason."""
        event = AuditEvent.objects.order_by("-id")[0]
        self.assertEqual((event.action, event.reason, event.data_subject), ("denied", reason, ""))
        self.assertEqual(event.detail["client_id"], self.zaaksysteem.client_id)

    def test_bad_filters_pages_and_crs_change_nothing(self):
        served = ZaakDisclosure.objects.count()
        cases = [
            ("/zaken", {"archiefnominatie": "bewaren"}, "archiefnominatie"),
            ("/zaken", {"startdatum__gt": "2026-13-01"}, "startdatum__gt"),
            ("/zaken", {"maximaleVertrouwelijkheidaanduiding": "topgeheim"}, None),
            ("/zaken", {"ordering": "titel"}, None),
            ("/zaken", {"page": "0"}, "page"),
            ("/zaken", {"page": "2"}, "page"),
            ("/statussen", {"zaak": "geen-url"}, "zaak"),
            ("/statussen", {"indicatieLaatstGezetteStatus": "misschien"}, None),
            ("/rollen", {"betrokkeneType": "robot"}, "betrokkeneType"),
            ("/zaakobjecten", {"objectType": "ding"}, "objectType"),
            ("/rollen", {"betrokkene": ""}, "betrokkene"),
            (
                "/zaken",
                {"rol__betrokkeneIdentificatie__vestiging__vestigingsNummer": "0" * 25},
                "rol__betrokkeneIdentificatie__vestiging__vestigingsNummer",
            ),
            ("/zaken", {"uiterlijkeEinddatumAfdoening__gt": "morgen"}, None),
        ]
        for path, query, name in cases:
            with self.subTest(path=path, query=query):
                body = self.check(self.get(path, query), path, query, status=400)
                self.assertEqual(body["code"], "invalid")
                if name:
                    self.assertEqual(body["invalidParams"][0]["name"], name)
                self.assert_refusal_audited("invalid")
        # Hostile values get a 400, never a server error.
        employee = "rol__betrokkeneIdentificatie__medewerker__identificatie"
        for query in (
            {"page": "²"},
            {"page": "9" * 5000},
            {"startdatum": "9999-12-31"},
            {"identificatie": "C-²"},
            {employee: "a\x00b"},
        ):
            with self.subTest(query=query):
                self.assertIn(self.get("/zaken", query).status_code, (200, 400))
        # Accept-Crs is required for zaken; only EPSG:4326 is served.
        self.check(self.get("/zaken", crs=False), "/zaken", status=412)
        response = self.client.get(
            f"{BASE}/zaken",
            HTTP_AUTHORIZATION=f"Bearer {token(self.zaaksysteem.client_id, self.secret)}",
            HTTP_ACCEPT_CRS="EPSG:28992",
        )
        self.assertEqual(response.status_code, 406)
        self.assert_refusal_audited("not_acceptable")
        self.assertEqual(ZaakDisclosure.objects.count(), served)

    def test_a_client_without_the_scope_or_a_legal_basis_is_refused(self):
        catalogue_only, secret = create_client(
            self.dinkelland, "Catalogus", "catalogus-only", scopes=["catalogi.lezen"]
        )
        response = self.get("/zaken", bearer=token(catalogue_only.client_id, secret))
        self.check(response, "/zaken", status=403)
        # A client from before the rule (no grondslag) gets nothing either.
        type(self.zaaksysteem).objects.filter(pk=self.zaaksysteem.pk).update(legal_basis="")
        self.check(self.get("/zaken"), "/zaken", status=403)
        self.assertEqual(AuditEvent.objects.order_by("-id")[0].reason, "no_legal_basis")
        self.assertFalse(ZaakDisclosure.objects.exists())

    @override_settings(NOABER_ZGW_REQUESTS_PER_MINUTE=2)
    def test_a_client_past_its_rate_gets_429_and_nothing_more(self):
        for _ in range(2):
            self.check(self.get("/zaken"), "/zaken")
        before = ZaakDisclosure.objects.get(client=self.zaaksysteem).served
        response = self.get("/zaken")
        body = self.check(response, "/zaken", status=429)
        self.assertEqual(body["code"], "throttled")
        self.assertEqual(AuditEvent.objects.order_by("-id")[0].reason, "throttled")
        self.assertEqual(ZaakDisclosure.objects.get(client=self.zaaksysteem).served, before)
        # Another client has its own count.
        self.check(self.get("/zaken", as_archive=True), "/zaken")

    def test_the_standards_filters_narrow_the_list(self):
        def numbers(query):
            response = self.get("/zaken", query, as_archive=True)
            self.check(response, "/zaken", query, "Zaak")
            return [z["identificatie"] for z in response.json()["results"]]

        both = [self.secret_case.number, self.case.number]  # newest first by default
        self.assertEqual(numbers({}), both)
        self.assertEqual(numbers({"ordering": "startdatum"}), both[::-1])
        self.assertEqual(numbers({"identificatie": self.case.number}), [self.case.number])
        self.assertEqual(numbers({"bronorganisatie": "001234560"}), both)
        self.assertEqual(numbers({"bronorganisatie": "123456782"}), [])
        self.assertEqual(numbers({"einddatum__isnull": "true"}), [self.secret_case.number])
        self.assertEqual(numbers({"archiefnominatie": "vernietigen"}), [self.case.number])
        self.assertEqual(numbers({"maximaleVertrouwelijkheidaanduiding": "vertrouwelijk"}),
                         [self.case.number])  # fmt: skip
        today = timezone.localdate(self.case.created_at).isoformat()
        self.assertEqual(numbers({"startdatum": today}), both)
        self.assertEqual(numbers({"startdatum__gt": today}), [])
        self.assertEqual(numbers({"rol__betrokkeneType": "natuurlijk_persoon"}), [self.case.number])
        zaaktype = self.get("/zaken").json()["results"][0]["zaaktype"]
        self.assertEqual(numbers({"zaaktype": zaaktype}), [self.case.number])

    def test_the_persons_access_report_names_the_system_that_received_it(self):
        zaak_url = self.get("/zaken").json()["results"][0]["url"]
        self.get("/rollen", {"zaak": zaak_url}, as_archive=True)
        person = Subject.objects.get(kind="person", municipality=self.dinkelland)
        self.sign_in(self.privacy)
        response = self.client.post(
            reverse("registry:export", args=["GM1774", person.pk]),
            {"reden": "inzageverzoek"},
        )
        readers = [(e["wie"], e["reden"]) for e in response.json()["inzage_en_wijzigingen"]]
        self.assertIn(
            (
                "Gemeentelijk systeem e-depot (ZGW)",
                "verstrekking van een casus aan een systeem van de gemeente",
            ),
            readers,
        )

    def test_a_filter_on_what_noaber_does_not_hold_matches_nothing(self):
        for path, query in (
            ("/zaken", {"rol__betrokkeneIdentificatie__vestiging__vestigingsNummer": "1"}),
            ("/zaken", {"rol__betrokkene": "https://brp.example/personen/1"}),
            ("/zaken", {"uiterlijkeEinddatumAfdoening__lt": "2030-01-01"}),
            ("/rollen", {"betrokkeneIdentificatie__nietNatuurlijkPersoon__innNnpId": "1"}),
        ):
            with self.subTest(path=path, query=query):
                self.assertEqual(self.check(self.get(path, query), path, query)["count"], 0)
        # The casusregisseur is found by user name.
        mine = {"rol__betrokkeneIdentificatie__medewerker__identificatie": self.advisor.username}
        self.assertEqual(self.check(self.get("/zaken", mine), "/zaken", mine)["count"], 1)
        owner = {"betrokkeneIdentificatie__medewerker__identificatie": self.advisor.username}
        rollen = self.check(self.get("/rollen", owner), "/rollen", owner, "Rol")["results"]
        self.assertEqual([r["betrokkeneType"] for r in rollen], ["medewerker"])

    def test_a_path_that_names_no_uuid_is_a_zgw_404_after_authentication(self):
        for path in ("/zaken/null,null", "/rollen/niet-een-uuid"):
            with self.subTest(path):
                response = self.get(path)
                self.assertEqual(response.status_code, 404)
                self.assertEqual(response["Content-Type"], "application/problem+json")
                anonymous = self.client.get(f"{BASE}{path}", **CRS)
                self.assertEqual(anonymous.status_code, 401)
        catalogi = self.client.get(
            "/api/zgw/catalogi/v1/zaaktypen/null",
            HTTP_AUTHORIZATION=f"Bearer {token(self.zaaksysteem.client_id, self.secret)}",
        )
        self.assertEqual((catalogi.status_code, catalogi["API-version"]), (404, "1.3.1"))

    def test_the_audit_log_names_what_was_served_in_dutch(self):
        self.get("/zaken")
        self.get(self.path_of(self.get("/zaken", as_archive=True).json()["results"][0]["url"]))
        self.sign_in(self.privacy)
        page = self.client.get(reverse("audit:list", args=["GM1774"]))
        self.assertContains(page, "casus verstrekt als ZGW-zaak")
        self.assertContains(page, "boven het vertrouwelijkheidsniveau van de client")
        self.assertNotContains(page, "zgw_zaak")

    def test_identifying_text_goes_only_to_an_entitled_client(self):
        zaak = self.get("/zaken").json()["results"][0]
        self.assertEqual(zaak["omschrijving"], f"Overlast {self.case.number}")
        objects = self.get("/zaakobjecten", {"zaak": zaak["url"]}).json()["results"]
        self.assertEqual([o["objectIdentificatie"]["overigeData"] for o in objects], [{}, {}])
        company = self.get(
            "/rollen", {"zaak": zaak["url"], "betrokkeneType": "niet_natuurlijk_persoon"}
        )
        self.assertEqual(company.json()["results"][0]["betrokkeneIdentificatie"], {})
        for text in ("Overlast Dorpsstraat", "AB123C", "7591AB", "Jansen Handel"):
            self.assertNotIn(text, str(self.get("/zaken").json()) + str(objects) + company.text)
        # The entitled e-depot reads them.
        entitled = self.get("/zaken", {"identificatie": self.case.number}, as_archive=True)
        self.assertEqual(entitled.json()["results"][0]["omschrijving"], "Overlast Dorpsstraat")
        data = [
            o["objectIdentificatie"]["overigeData"]
            for o in self.get("/zaakobjecten", {"zaak": zaak["url"]}, as_archive=True).json()[
                "results"
            ]
        ]
        self.assertIn({"kenteken": "AB123C"}, data)

    def test_a_bsn_search_and_a_hidden_zaak_filter_are_in_the_log(self):
        query = {"rol__betrokkeneIdentificatie__natuurlijkPersoon__inpBsn": BSN}
        found = self.get("/zaken", query, as_archive=True).json()["results"]
        event = AuditEvent.objects.filter(reason="bsn_search").get()
        self.assertEqual(event.data_subject, data_subject_pseudonym("bsn", BSN))
        self.assertEqual(event.detail["cases"], [self.case.pk])
        self.assertIn("bsn", ZaakDisclosure.objects.get(client=self.archive).served)
        self.assertEqual(len(found), 1)
        riec = identifiers.encode(self.catalogue, "zaak", self.secret_case.pk)
        hidden = {"zaak": f"http://testserver{BASE}/zaken/{riec}"}
        self.assertEqual(self.get("/rollen", hidden).json()["count"], 0)
        denied = AuditEvent.objects.order_by("-id")
        self.assertIn("above_confidentiality", [e.reason for e in denied[:3]])

    def test_tokens_refused_before_their_signature_read_alike_and_are_capped(self):
        unknown = self.get("/zaken", bearer=token("niemand", "x" * 43))
        wrong = self.get("/zaken", bearer=token(self.zaaksysteem.client_id, "x" * 43))
        self.assertEqual(unknown.json()["detail"], wrong.json()["detail"])
        self.assertEqual(
            [e.reason for e in AuditEvent.objects.order_by("-id")[:2]],
            ["bad_signature", "unknown_client"],
        )
        with override_settings(NOABER_ZGW_FAILED_TOKENS_PER_10_MINUTES=2):
            before = AuditEvent.objects.count()
            response = self.get("/zaken", bearer=token("niemand", "x" * 43))
            self.check(response, "/zaken", status=429)
            self.assertEqual(AuditEvent.objects.count(), before)  # no write past the cap
