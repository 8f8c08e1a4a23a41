"""The Catalogi API 1.3 subset (issue 22, points 1 and 2): the case types as zaaktypen of the
municipality's catalogue, read with a ZGW JWT, every answer — errors included — validated
against VNG's own OpenAPI document of the Catalogi API 1.3.1 (a test fixture), and every
bad token, scope, filter and page refused in ZGW's error shape with nothing changed."""

import json
import time
from functools import cached_property
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from joserfc import jwt
from joserfc.jwk import OctKey
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import Action, AuditEvent
from noaber.cases.models import CaseType
from noaber.zgw.clients import create_client, revoke_client
from noaber.zgw.models import Catalogue

FIXTURES = Path(__file__).parent.parent / "oas"
BASE = "/api/zgw/catalogi/v1"


def load_spec(name: str, base: str) -> dict:
    spec = yaml.safe_load((FIXTURES / name).read_text())
    spec["servers"] = [{"url": f"http://testserver{base}"}]
    return spec


_SPECS = {}
SPECS = {
    "catalogi": ("catalogi-api-1.3.1.yaml", BASE),
    "zaken": ("zaken-api-1.5.1.yaml", "/api/zgw/zaken/v1"),
}


def spec(name: str = "catalogi") -> dict:
    if name not in _SPECS:
        _SPECS[name] = load_spec(*SPECS[name])
    return _SPECS[name]


def catalogi_spec() -> dict:
    return spec("catalogi")


def token(client_id: str, secret: str, *, iat=None, **claims) -> str:
    payload = {
        "iss": client_id,
        "client_id": client_id,
        "iat": int(time.time()) if iat is None else iat,
        "user_id": "zaaksysteem",
        "user_representation": "Zaaksysteem Dinkelland",
        **claims,
    }
    return jwt.encode({"alg": "HS256", "typ": "JWT"}, payload, OctKey.import_key(secret))


class ContractMixin:
    """Every answer checked against the standard: openapi-core validates status, headers and
    body of the operation; the objects inside a list or detail (which the published document
    leaves "unspecified") are validated against their own component schema."""

    api = "catalogi"

    @cached_property
    def openapi(self):
        # ZGW's errors are application/problem+json: JSON, read as such.
        config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
        return OpenAPI.from_dict(spec(self.api), config=config)

    def assert_contract(
        self, response, path: str, query: dict | None = None, schema=None, *, method="get",
        headers=None, body=None,
    ):  # fmt: skip
        base = SPECS[self.api][1]
        request = MockRequest(
            "http://testserver",
            method,
            f"{base}{path}",
            args=query or {},
            headers=headers or {},
            data=body,
            content_type="application/json",
        )
        headers = {k: v for k, v in response.items()}
        mock = MockResponse(
            response.content,
            status_code=response.status_code,
            content_type=response["Content-Type"],
            headers=headers,
        )
        self.openapi.validate_response(request, mock)
        if schema is not None:
            body = response.json()
            objects = body["results"] if "results" in body else [body]
            validator = OAS30Validator(
                {"$ref": f"#/components/schemas/{schema}", **spec(self.api)},
                format_checker=oas30_format_checker,
            )
            for item in objects:
                validator.validate(item)


class CatalogiApiTests(ContractMixin, NoaberTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Catalogue.objects.create(
            municipality=cls.dinkelland, rsin="001234560", contact_name="Functioneel beheer"
        )
        cls.client_obj, cls.secret = create_client(
            cls.dinkelland,
            "Zaaksysteem",
            "zaaksysteem-dinkelland",
            scopes=["catalogi.lezen"],
            max_confidentiality="zaakvertrouwelijk",
        )

    def get(self, path, query=None, *, bearer=None):
        bearer = token(self.client_obj.client_id, self.secret) if bearer is None else bearer
        return self.client.get(f"{BASE}{path}", query or {}, HTTP_AUTHORIZATION=f"Bearer {bearer}")

    def test_the_case_types_are_the_zaaktypen_of_the_catalogue(self):
        response = self.get("/zaaktypen")
        self.assertEqual(response.status_code, 200, response.content)
        self.assert_contract(response, "/zaaktypen", schema="ZaakType")
        body = response.json()
        self.assertEqual(body["count"], CaseType.objects.count())
        riec = next(z for z in body["results"] if z["identificatie"] == "riec")
        self.assertEqual(riec["vertrouwelijkheidaanduiding"], "confidentieel")
        self.assertEqual(riec["verantwoordelijke"], "Dinkelland")
        self.assertEqual(response["API-version"], "1.3.1")
        # The same UUIDs on the next request: the catalogue is generated, its identity is not.
        self.assertEqual(
            self.get("/zaaktypen").json()["results"][0]["url"], body["results"][0]["url"]
        )

    def test_a_zaaktype_with_its_statustypen_resultaattypen_and_roltypen(self):
        riec = next(
            z for z in self.get("/zaaktypen").json()["results"] if z["identificatie"] == "riec"
        )
        path = riec["url"].split(BASE, 1)[1]
        detail = self.get(path)
        self.assert_contract(
            detail, "/zaaktypen/{uuid}".replace("{uuid}", path.rsplit("/", 1)[1]), schema="ZaakType"
        )
        self.assertEqual(detail.json(), riec)

        statuses = self.get("/statustypen", {"zaaktype": riec["url"]})
        self.assert_contract(statuses, "/statustypen", {"zaaktype": riec["url"]}, "StatusType")
        names = [s["omschrijving"] for s in statuses.json()["results"]]
        self.assertEqual(names[0], "aangemeld")
        self.assertEqual([s["isEindstatus"] for s in statuses.json()["results"]][-1], True)
        self.assertEqual(
            sorted(s["url"] for s in statuses.json()["results"]), sorted(riec["statustypen"])
        )

        results = self.get("/resultaattypen", {"zaaktype": riec["url"]})
        self.assert_contract(results, "/resultaattypen", {"zaaktype": riec["url"]}, "ResultaatType")
        self.assertEqual(
            {(r["archiefnominatie"], r["archiefactietermijn"]) for r in results.json()["results"]},
            {("vernietigen", "P10Y"), ("vernietigen", "P5Y")},
        )
        roles = self.get(
            "/roltypen", {"zaaktype": riec["url"], "omschrijvingGeneriek": "initiator"}
        )
        self.assert_contract(roles, "/roltypen", {"zaaktype": riec["url"]}, "RolType")
        self.assertEqual([r["omschrijving"] for r in roles.json()["results"]], ["Melder"])
        for item in (statuses, results, roles):
            one = item.json()["results"][0]
            self.assertEqual(self.get(one["url"].split(BASE, 1)[1]).json(), one)

    def test_the_catalogue_carries_the_rsin_the_admin_entered(self):
        response = self.get("/catalogussen")
        self.assert_contract(response, "/catalogussen", schema="Catalogus")
        catalogue = response.json()["results"][0]
        self.assertEqual(catalogue["rsin"], "001234560")
        self.assertEqual(len(catalogue["zaaktypen"]), CaseType.objects.count())
        self.assertEqual(self.get("/catalogussen", {"rsin": "111222333"}).json()["count"], 0)

    def test_filters(self):
        self.assertEqual(self.get("/zaaktypen", {"identificatie": "pga"}).json()["count"], 1)
        self.assertEqual(self.get("/zaaktypen", {"status": "concept"}).json()["count"], 0)
        self.assertEqual(
            self.get("/zaaktypen", {"datumGeldigheid": "2000-01-01"}).json()["count"], 0
        )
        self.assertEqual(
            self.get("/statustypen", {"zaaktypeIdentificatie": "pga"}).json()["count"], 5
        )
        self.assertEqual(
            self.get("/resultaattypen", {"zaaktype_identificatie": "pga"}).json()["count"], 2
        )
        self.assertEqual(self.get("/zaaktypen", {"trefwoorden": "drugs"}).json()["count"], 0)

    def assert_problem(self, response, status, code, path="/zaaktypen", query=None):
        self.assertEqual(response.status_code, status, response.content)
        self.assertEqual(response["Content-Type"], "application/problem+json")
        body = response.json()
        self.assertEqual((body["status"], body["code"]), (status, code))
        self.assertTrue(body["title"] and body["detail"] and body["instance"])
        self.assert_contract(response, path, query)
        return body

    def test_bad_filter_values_and_pages_get_a_validatiefout(self):
        cases = [
            ("/zaaktypen", {"status": "klaar"}, "status"),
            ("/zaaktypen", {"datumGeldigheid": "gisteren"}, "datumGeldigheid"),
            ("/zaaktypen", {"catalogus": "geen-url"}, "catalogus"),
            ("/statustypen", {"zaaktype": "ftp://x"}, "zaaktype"),
            ("/roltypen", {"omschrijvingGeneriek": "baas"}, "omschrijvingGeneriek"),
            ("/resultaattypen", {"datum_geldigheid": "2026-13-01"}, "datum_geldigheid"),
            ("/zaaktypen", {"page": "0"}, "page"),
            ("/zaaktypen", {"page": "een"}, "page"),
        ]
        for path, query, name in cases:
            with self.subTest(query=query):
                body = self.assert_problem(self.get(path, query), 400, "invalid", path, query)
                self.assertEqual([p["name"] for p in body["invalidParams"]], [name])
        # A page past the end: the lists document no 404, so it is a bad page number too.
        body = self.assert_problem(
            self.get("/zaaktypen", {"page": "2"}), 400, "invalid", query={"page": "2"}
        )
        self.assertEqual(body["invalidParams"][0]["name"], "page")

    def test_an_unknown_or_foreign_object_is_404(self):
        path = "/zaaktypen/00000000-0000-4000-8000-000000000000"
        self.assert_problem(self.get(path), 404, "not_found", path)
        # Tubbergen's catalogue is not this client's: its zaaktypen are not found here.
        other = Catalogue.objects.create(
            municipality=self.tubbergen, rsin="001234560", contact_name="Beheer"
        )
        from noaber.zgw.catalogi import object_uuid

        foreign = object_uuid(other, "zaaktype", "riec")
        self.assert_problem(
            self.get(f"/zaaktypen/{foreign}"), 404, "not_found", f"/zaaktypen/{foreign}"
        )

    def test_bad_tokens_are_refused_audited_and_change_nothing(self):
        cid, secret = self.client_obj.client_id, self.secret
        now = int(time.time())
        unknown_client = token("onbekend", secret)
        bad = {
            "wrong signature": (
                token(cid, "een ander geheim van voldoende lengte"),
                "bad_signature",
            ),
            "expired iat": (token(cid, secret, iat=now - 2 * 3600), "expired"),
            "future iat": (token(cid, secret, iat=now + 3600), "future_iat"),
            "no iat": (
                jwt.encode({"alg": "HS256"}, {"client_id": cid}, OctKey.import_key(secret)),
                "no_iat",
            ),
            "expired exp": (token(cid, secret, exp=now - 600), "expired"),
            "unknown client": (unknown_client, "unknown_client"),
            "not a JWT": ("abc.def", "malformed_token"),
        }
        for label, (value, reason) in bad.items():
            with self.subTest(label):
                before = AuditEvent.objects.count()
                self.assert_problem(self.get("/zaaktypen", bearer=value), 401, "not_authenticated")
                denied = AuditEvent.objects.order_by("-id")[0]
                self.assertEqual(AuditEvent.objects.count(), before + 1)
                self.assertEqual((denied.action, denied.reason), (Action.DENIED, reason))
        response = self.client.get(f"{BASE}/zaaktypen")
        self.assert_problem(response, 401, "not_authenticated")

    def test_a_revoked_client_is_refused(self):
        revoke_client(self.client_obj)
        response = self.get("/zaaktypen")
        self.assert_problem(response, 401, "not_authenticated")
        self.assertEqual(AuditEvent.objects.order_by("-id")[0].reason, "revoked_client")

    def test_a_scope_that_does_not_cover_the_resource_is_403(self):
        other, secret = create_client(
            self.dinkelland,
            "Archief",
            "archief-dinkelland",
            scopes=["zaken.lezen"],
            legal_basis="Archiefwet 1995",
        )
        response = self.get("/zaaktypen", bearer=token(other.client_id, secret))
        self.assert_problem(response, 403, "permission_denied")
        self.assertEqual(AuditEvent.objects.order_by("-id")[0].reason, "missing_scope")

    def test_every_request_is_audited_with_the_client(self):
        before = AuditEvent.objects.filter(object_type="zgw_zaaktype").count()
        self.get("/zaaktypen")
        event = AuditEvent.objects.filter(object_type="zgw_zaaktype").order_by("-id")[0]
        self.assertEqual(AuditEvent.objects.filter(object_type="zgw_zaaktype").count(), before + 1)
        self.assertEqual(event.detail["client_id"], "zaaksysteem-dinkelland")
        self.assertEqual(event.municipality, "GM1774")
        self.assertEqual(event.processing_activity, "beheer")
        created = AuditEvent.objects.filter(object_type="zgw_client").order_by("id")[0]
        self.assertEqual(created.processing_activity, "toegangsbeheer")

    def test_without_a_catalogue_the_api_finds_nothing(self):
        riec = self.get("/zaaktypen", {"identificatie": "riec"}).json()["results"][0]
        Catalogue.objects.filter(municipality=self.dinkelland).delete()
        response = self.get("/zaaktypen")
        self.assert_contract(response, "/zaaktypen")
        self.assertEqual(response.json()["count"], 0)
        path = riec["url"].split(BASE, 1)[1]
        self.assert_problem(self.get(path), 404, "not_found", path)


class ClientTests(NoaberTestCase):
    def test_the_secret_is_returned_once_and_stored_encrypted(self):
        client, secret = create_client(
            self.dinkelland, "Zaaksysteem", "zs", scopes=["catalogi.lezen"]
        )
        self.assertGreaterEqual(len(secret), 40)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT secret FROM zgw_apiclient WHERE id = %s", [client.pk])
            stored = cursor.fetchone()[0]
        self.assertNotIn(secret, stored)
        event = AuditEvent.objects.filter(object_type="zgw_client").order_by("-id")[0]
        self.assertEqual(event.action, Action.CREATE)
        self.assertNotIn(secret, str(event.detail))

    def test_bad_client_settings_are_refused_and_nothing_is_saved(self):
        create_client(self.dinkelland, "Zaaksysteem", "zs", scopes=["catalogi.lezen"])
        cases = {
            "client_id": dict(client_id="zs", scopes=["catalogi.lezen"]),
            "scopes": dict(client_id="zs2", scopes=["alles.lezen"]),
            "legal_basis": dict(client_id="zs3", scopes=["zaken.lezen"], bsn_entitled=True),
            "max_confidentiality": dict(
                client_id="zs4", scopes=["catalogi.lezen"], max_confidentiality="topgeheim"
            ),
            # Serving cases is a disclosure: zaken.lezen needs a legal basis too.
            "legal_basis ": dict(client_id="zs5", scopes=["zaken.lezen"]),
        }
        for field, kwargs in cases.items():
            with self.subTest(field):
                client_id = kwargs.pop("client_id")
                with self.assertRaises(ValidationError) as raised:
                    create_client(self.dinkelland, "X", client_id, **kwargs)
                self.assertIn(field.strip(), raised.exception.message_dict)
        self.assertEqual(self.dinkelland.zgw_clients.count(), 1)

    def test_an_rsin_must_pass_the_elfproef(self):
        for rsin in ("001234568", "12345678", "abcdefghi"):
            with self.subTest(rsin), self.assertRaises(ValidationError):
                Catalogue(municipality=self.dinkelland, rsin=rsin, contact_name="X").full_clean()


class CommandTests(NoaberTestCase):
    def test_create_list_and_revoke_a_client_and_publish_a_catalogue(self):
        from io import StringIO

        from django.core.management import CommandError, call_command

        out = StringIO()
        call_command("zgw_catalogue", "GM1774", rsin="001234560", contact_name="Beheer", stdout=out)
        self.assertEqual(self.dinkelland.zgw_catalogue.rsin, "001234560")
        with self.assertRaisesMessage(CommandError, "elfproef"):
            call_command("zgw_catalogue", "GM1774", rsin="001234568", stdout=out)
        self.assertEqual(Catalogue.objects.get().rsin, "001234560")

        call_command(
            "zgw_client",
            "create",
            "zs",
            municipality="GM1774",
            name="Zaaksysteem",
            scope=["catalogi.lezen"],
            stdout=out,
        )
        secret = out.getvalue().split("secret:", 1)[1].split()[0]
        self.assertEqual(self.dinkelland.zgw_clients.get().secret, secret)
        with self.assertRaisesMessage(CommandError, "scopes"):
            call_command("zgw_client", "create", "zs2", municipality="GM1774", name="X")
        call_command("zgw_client", "revoke", "zs", stdout=out)
        listing = StringIO()
        call_command("zgw_client", "list", stdout=listing)
        self.assertIn(
            "zs\tGM1774\tZaaksysteem\tcatalogi.lezen\topenbaar\tingetrokken", listing.getvalue()
        )
