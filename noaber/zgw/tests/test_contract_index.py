"""One contract for every API (issue 22 point 4; docs/api.md): the index lists every family,
each of its schema links answers a valid OpenAPI 3 document with an example for every
operation, and every route Noaber serves under /api/zgw/ is in one of the served documents —
so an endpoint added without a contract fails here."""

import json
import re

import yaml
from django.test import TestCase, override_settings
from django.urls import include, path
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from openapi_spec_validator import validate

from noaber.accounts.access import machine_client_view
from noaber.ui.urlwalk import walk
from noaber.zgw import contract
from noaber.zgw.views import RoltypeList

HTTP_METHODS = contract.HTTP_METHODS


def uncontracted_routes() -> list[str]:
    """The routes under /api/zgw/ that no served ZGW document describes."""
    served = set().union(*(contract.served_urls(f) for f in contract.available_families()))
    missing = []
    for route in walk():
        if not route.route.startswith("api/zgw/"):
            continue
        url = "/" + re.sub(r"<[^>]+>", contract.SAMPLE_UUID, route.route)
        if url not in served:
            missing.append(route.route)
    return missing


def load(response) -> dict:
    content = response.content.decode()
    return (
        json.loads(content)
        if response["Content-Type"].startswith("application/json")
        else (yaml.safe_load(content))
    )


def schema_of(document: dict, schema: dict) -> OAS30Validator:
    return OAS30Validator(
        {**schema, "components": document.get("components", {})},
        format_checker=oas30_format_checker,
    )


class ApiIndexTests(TestCase):
    def index(self) -> dict:
        response = self.client.get("/api/index.json")
        self.assertEqual(response.status_code, 200)
        return response.json()

    def test_the_index_lists_every_api_family(self):
        families = {f["key"]: f for f in self.index()["families"]}
        expected = {"meldpunt", "partner"} | {f.key for f in contract.available_families()}
        self.assertEqual(set(families), expected)
        self.assertTrue({"zgw-catalogi", "zgw-zaken"} <= set(families))
        for family in families.values():
            with self.subTest(family=family["key"]):
                self.assertTrue(family["version"])
                self.assertTrue(family["authentication"])
                self.assertTrue(family["schema"].startswith("http://testserver/api/schema/"))
                self.assertTrue(family["operations"], "every family serves something")
        self.assertIn("POST /api/v1/partner/signals", families["partner"]["operations"])
        self.assertIn("GET /api/zgw/catalogi/v1/zaaktypen", families["zgw-catalogi"]["operations"])
        self.assertEqual(families["zgw-catalogi"]["scope"], "catalogi.lezen")

    def test_the_html_index_names_each_family_with_its_schema_link(self):
        response = self.client.get("/api/")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("van Noaber</h1>", html)
        for family in self.index()["families"]:
            self.assertIn(family["title"], html)
            self.assertIn(f'href="{family["schema"].removeprefix("http://testserver")}"', html)

    def test_each_schema_link_answers_a_valid_openapi_3_document(self):
        for url in dict.fromkeys(f["schema"] for f in self.index()["families"]):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                document = load(response)
                self.assertTrue(document["openapi"].startswith("3."))
                validate(document)

    def test_every_operation_of_every_document_has_an_example_that_fits_its_schema(self):
        """Noaber's own examples and those it adds to a ZGW document must fit their schema;
        an example VNG published for a whole body is served as published."""
        documents = {f["schema"]: f["key"] for f in self.index()["families"]}
        for url, key in documents.items():
            document = load(self.client.get(url))
            family = contract.family_by_key(key)
            vng = contract.vng_document(family)["paths"] if family else {}
            for route, item in document["paths"].items():
                for method, operation in item.items():
                    if method not in HTTP_METHODS:
                        continue
                    published = json.dumps(vng.get(route, {}).get(method, {}))
                    with self.subTest(url=url, operation=f"{method.upper()} {route}"):
                        self.assert_examples(document, operation, published)

    def assert_examples(self, document, operation, published="{}"):
        found = 0
        media_types = list(operation.get("requestBody", {}).get("content", {}).values())
        for status, response in operation["responses"].items():
            if str(status).startswith("2"):
                media_types += list(response.get("content", {}).values())
                for header in response.get("headers", {}).values():
                    if "example" in header:
                        found += 1
                        schema_of(document, header["schema"]).validate(header["example"])
        for media in media_types:
            examples = [e["value"] for e in media.get("examples", {}).values()]
            examples += [media["example"]] if "example" in media else []
            self.assertTrue(examples, "a body without an example")
            for example in examples:
                found += 1
                if json.dumps(example) not in published:
                    schema_of(document, media["schema"]).validate(example)
        self.assertGreater(found, 0)

    def test_a_served_zgw_document_is_vngs_cut_down_to_what_noaber_serves(self):
        document = self.client.get("/api/schema/zgw-catalogi/").json()
        self.assertEqual(
            document["servers"],
            [{"url": "http://testserver/api/zgw/catalogi/v1", "description": "Noaber"}],
        )
        self.assertEqual(document["info"]["version"], "1.3.1")
        self.assertIn("/zaaktypen/{uuid}", document["paths"])
        self.assertNotIn("/besluittypen", document["paths"])  # VNG's, not served
        self.assertEqual(set(document["paths"]["/zaaktypen"]), {"get"})  # no POST
        self.assertEqual(set(document["paths"]["/zaaktypen/{uuid}"]), {"get", "head"})
        self.assertNotIn("BesluitType", document["components"]["schemas"])
        self.assertIn("JWT-Claims", document["components"]["securitySchemes"])
        # VNG's document itself, shared by every request, is never changed.
        vng = contract.vng_document(contract.family_by_key("zgw-catalogi"))
        self.assertNotIn("testserver", json.dumps(vng))
        served = contract.served_operations(contract.family_by_key("zgw-zaken"))
        self.assertIn(("/zaken/_zoek", "post"), served)
        self.assertNotIn(("/zaken", "post"), served)

    def test_every_route_under_api_zgw_is_in_a_served_document(self):
        self.assertEqual(uncontracted_routes(), [])


urlpatterns = [
    path("", include("noaber.urls")),
    # VNG's path, not served until now: joins the Catalogi document by itself.
    path(
        "api/zgw/catalogi/v1/eigenschappen",
        machine_client_view(RoltypeList.as_view()),
        name="extra-eigenschappen",
    ),
    # In no ZGW document at all.
    path(
        "api/zgw/catalogi/v1/geheim",
        machine_client_view(RoltypeList.as_view()),
        name="extra-geheim",
    ),
]


@override_settings(ROOT_URLCONF=__name__)
class AnEndpointWithoutAContractFailsTests(TestCase):
    def test_a_route_in_no_document_is_found_and_a_standard_one_joins_its_document(self):
        self.assertEqual(uncontracted_routes(), ["api/zgw/catalogi/v1/geheim"])
        document = self.client.get("/api/schema/zgw-catalogi/").json()
        self.assertEqual(set(document["paths"]["/eigenschappen"]), {"get"})
