"""The contract of every API Noaber serves, in one place (issue 22 point 4; docs/api.md).

Noaber's own APIs (the meldpunt's public operations and the partner API) are described by
drf-spectacular at /api/schema/. The ZGW APIs are described by VNG's published OpenAPI
documents (noaber/zgw/oas/), of which Noaber serves a read-only subset: `served_document`
returns VNG's document cut down to the operations Noaber's URLconf actually serves, found at
run time — each path of the document is resolved under the family's mount with
`django.urls.resolve`, and an operation stays when its method is GET, HEAD or the POST of a
`_zoek`, and the view found allows that method. So a new endpoint joins its document the moment
its URL exists, and nothing here lists the operations by hand. The copy's `servers` name the
host of the request and the mount; every success answer and request body in it that VNG gave no
example gets one, generated from its schema (`_Examples`).
"""

import copy
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

OAS = Path(__file__).parent / "oas"

# The operations of a read-only subset: reads, and the searches ZGW offers as a POST.
READ_METHODS = ("get", "head")
SEARCH_SUFFIX = "/_zoek"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# What a path parameter is filled with to resolve a document's path: every ZGW identifier in a
# path is a UUID.
SAMPLE_UUID = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class ZgwFamily:
    """One ZGW API: VNG's document (a file name or glob in oas/) and where Noaber mounts it.
    A mount of None is found in the URLconf (the prefix under which the document's paths are
    served), for an API whose URLs are still being settled."""

    key: str
    title: str
    document: str
    mount: str | None
    scope: str


ZGW_FAMILIES = (
    ZgwFamily(
        "zgw-catalogi",
        "ZGW Catalogi API",
        "catalogi-api-*.yaml",
        "/api/zgw/catalogi/v1",
        "catalogi.lezen",
    ),
    ZgwFamily("zgw-zaken", "ZGW Zaken API", "zaken-api-*.yaml", "/api/zgw/zaken/v1", "zaken.lezen"),
    ZgwFamily(
        "verwerkingen",
        "Verwerkingenlogging API",
        "verwerkingenlogging*.yaml",
        None,
        "verwerkingen.lezen",
    ),
)


def document_path(family: ZgwFamily) -> Path | None:
    """The family's document in oas/ (the newest version if several), or None before it is
    committed."""
    found = sorted(OAS.glob(family.document))
    return found[-1] if found else None


def available_families() -> list[ZgwFamily]:
    return [family for family in ZGW_FAMILIES if document_path(family) is not None]


def family_by_key(key: str) -> ZgwFamily | None:
    return next((f for f in available_families() if f.key == key), None)


@cache
def _load(path: Path) -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as stream:
        return yaml.load(stream, Loader=loader)  # noqa: S506 - a safe loader


def vng_document(family: ZgwFamily) -> dict:
    """VNG's document as published (shared; never change it: copy)."""
    return _load(document_path(family))


def _fill(template: str) -> str:
    return re.sub(r"\{[^}/]+\}", SAMPLE_UUID, template)


def routes(patterns=None, prefix=""):
    """(template, view) of every URL pattern, the template with `{}` for each argument."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield "/" + re.sub(r"<[^>]+>", "{}", prefix + str(entry.pattern)), entry.callback


def own_operations(prefix: str) -> list[tuple[str, str]]:
    """(METHOD, path) of Noaber's own API operations under `prefix` (/api/schema/ describes
    them), by the methods their views declare."""
    found = []
    for template, view in routes():
        rule = getattr(view, "access_rule", None)
        if template.startswith(prefix) and rule is not None:
            found += [(method.upper(), template) for method in rule.methods]
    return sorted(found, key=lambda op: (op[1], op[0]))


def mount_of(family: ZgwFamily) -> str | None:
    """Where the family's document is served: its declared mount, or the prefix under which
    the URLconf serves most of the document's paths (None while it serves none)."""
    if family.mount is not None:
        return family.mount
    paths = [re.sub(r"\{[^}/]+\}", "{}", p) for p in vng_document(family)["paths"]]
    found = Counter(
        route[: -len(path)]
        for route, _view in routes()
        for path in paths
        if route.endswith(path) and route.startswith("/api/")
    )
    return found.most_common(1)[0][0] if found else None


def _allows(view, method: str) -> bool:
    """Whether the view found for a URL answers this method: a class-based view by its
    handlers, a function view by its declared access rule."""
    view_class = getattr(view, "view_class", None) or getattr(view, "cls", None)
    if view_class is not None:
        names = getattr(view_class, "http_method_names", HTTP_METHODS)
        if method not in names:
            return False
        # Django answers HEAD with the GET handler (View.setup).
        return hasattr(view_class, method) or (method == "head" and hasattr(view_class, "get"))
    rule = getattr(view, "access_rule", None)
    if rule is None:
        return False
    allowed = {m.lower() for m in rule.methods}
    return method in allowed or (method == "head" and "get" in allowed)


def served_operations(family: ZgwFamily) -> list[tuple[str, str]]:
    """(path, method) of every operation of VNG's document that Noaber serves."""
    mount = mount_of(family)
    if mount is None:
        return []
    served = []
    for path, item in vng_document(family)["paths"].items():
        try:
            match = resolve(mount + _fill(path))
        except Resolver404:
            continue
        for method in item:
            if method not in HTTP_METHODS:
                continue
            readable = method in READ_METHODS or (method == "post" and path.endswith(SEARCH_SUFFIX))
            if readable and _allows(match.func, method):
                served.append((path, method))
    return served


def served_urls(family: ZgwFamily) -> set[str]:
    """The URL (with sample arguments) of each path of the family that Noaber serves."""
    mount = mount_of(family) or ""
    return {mount + _fill(path) for path, _method in served_operations(family)}


def served_document(family: ZgwFamily, base_url: str) -> dict:
    """VNG's document cut down to what Noaber serves, with `servers` at `base_url` + mount and
    an example wherever VNG gave none. `base_url` is scheme and host, e.g. http://host:8000."""
    vng = vng_document(family)
    mount = mount_of(family) or ""
    server = base_url.rstrip("/") + mount
    paths: dict = {}
    for path, method in served_operations(family):
        item = paths.setdefault(
            path, {k: v for k, v in vng["paths"][path].items() if k not in HTTP_METHODS}
        )
        item[method] = copy.deepcopy(vng["paths"][path][method])
    document = {key: value for key, value in vng.items() if key not in ("paths", "components")}
    document["info"] = dict(vng["info"])
    document["info"]["description"] = (
        f"Het deel van de {vng['info']['title']} {vng['info']['version']} dat Noaber aanbiedt "
        "(alleen lezen): VNG's gepubliceerde document, beperkt tot de operaties die Noaber "
        "bedient, met voorbeelden. Overzicht van alle API's van Noaber: /api/.\n\n"
        + vng["info"].get("description", "")
    )
    document["servers"] = [{"url": server, "description": "Noaber"}]
    document["paths"] = paths
    # A copy: the examples below must not change the document shared by every request.
    document["components"] = copy.deepcopy(_used_components(paths, vng["components"]))
    used_tags = {
        tag for item in paths.values() for op in _operations(item) for tag in op.get("tags", [])
    }
    document["tags"] = [tag for tag in vng.get("tags", []) if tag["name"] in used_tags]
    _Examples(document, server, base_url.rstrip("/")).add()
    return document


def _operations(item: dict):
    return (op for method, op in item.items() if method in HTTP_METHODS)


def _used_components(paths: dict, components: dict) -> dict:
    """The components the kept paths refer to, directly or through each other; every security
    scheme (operations name those without a $ref)."""
    used: set[tuple[str, str]] = set()
    pending = [paths]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/"):
                _hash, _components, section, name = ref.split("/", 3)
                if (section, name) not in used:
                    used.add((section, name))
                    pending.append(components[section][name])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    kept: dict = {}
    for section, entries in components.items():
        if section == "securitySchemes":
            kept[section] = entries
            continue
        chosen = {name: value for name, value in entries.items() if (section, name) in used}
        if chosen:
            kept[section] = chosen
    return kept


# --- Examples -------------------------------------------------------------------------------

EXAMPLE_DATE = "2026-11-20"
EXAMPLE_DATETIME = "2026-11-20T09:30:00+01:00"
MAX_DEPTH = 5


class _Examples:
    """Adds an example to each success answer (body and headers) and request body that VNG's
    document gives none, generated from the schema: the schema's own `example` or enum first;
    a URL where a resource is referred to (on this server when Noaber serves that resource, in
    this or another ZGW API); a UUID, date, duration or e-mail address by format; text from the
    field's name. The test checks each against its schema."""

    def __init__(self, document: dict, server: str, base_url: str):
        self.document = document
        self.server = server
        self.base_url = base_url
        self.served_collections = [
            (mount_of(family), {p.strip("/").split("/")[0] for p, _m in served_operations(family)})
            for family in available_families()
        ]

    def add(self) -> None:
        for path, item in self.document["paths"].items():
            for method, operation in item.items():
                if method in HTTP_METHODS:
                    self._operation(path, operation)

    def _operation(self, path: str, operation: dict) -> None:
        # The URL of the object this operation is about (of a list's first object).
        detail = path if path.endswith("}") else path.removesuffix(SEARCH_SUFFIX) + "/{uuid}"
        here = self.server + _fill_named(detail)
        body = operation.get("requestBody", {})
        for media in body.get("content", {}).values():
            if "schema" in media and not _has_example(media):
                media["example"] = self.value(media["schema"], "", request=True, here=here)
        for status, response in operation.get("responses", {}).items():
            response = self.resolve(response)
            if not str(status).startswith("2"):
                continue
            for name, header in response.get("headers", {}).items():
                header = self.resolve(header)
                if "schema" in header and not _has_example(header):
                    header["example"] = self.header_value(name, header["schema"])
            for media in response.get("content", {}).values():
                if "schema" in media and not _has_example(media):
                    media["example"] = self.value(
                        self._specified(media["schema"], operation), "", here=here
                    )

    def resolve(self, node: dict) -> dict:
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 10:
            _hash, _components, section, name = node["$ref"].split("/", 3)
            node = self.document["components"][section][name]
            seen += 1
        return node

    def _specified(self, schema: dict, operation: dict) -> dict:
        """Where VNG leaves an object "unspecified", the example uses the resource's own
        component schema (named by the operation, `zaaktype_list` → ZaakType): an example of
        `{}` would tell a reader nothing. The document's schema is not changed."""
        resource = operation.get("operationId", "").rsplit("_", 1)[0].lower()
        component = next(
            (
                name
                for name in self.document["components"].get("schemas", {})
                if name.lower() == resource
            ),
            None,
        )
        schema = self.resolve(schema)
        if component is None:
            return schema
        if _unspecified(schema):
            return {"$ref": f"#/components/schemas/{component}"}
        items = schema.get("properties", {}).get("results", {}).get("items")
        if schema.get("type") == "object" and items is not None and _unspecified(items):
            results = dict(schema["properties"]["results"])
            results["items"] = {"$ref": f"#/components/schemas/{component}"}
            return {**schema, "properties": {**schema["properties"], "results": results}}
        return schema

    def header_value(self, name: str, schema: dict):
        if name.lower() == "api-version":
            return self.document["info"]["version"]
        if name.lower() == "etag":
            return '"c2f8a6e1d7b94c0b8e4f3a2d1c0b9a87"'
        return self.value(schema, name)

    def value(self, schema: dict, name: str, *, request=False, here="", depth=0):
        schema = self.resolve(schema)
        if "example" in schema and not ({"properties", "items", "allOf"} & set(schema)):
            # A field's own example; an object's is built from its fields (VNG's examples of
            # whole objects do not always fit their schema).
            return schema["example"]
        if schema.get("enum"):
            return next((v for v in schema["enum"] if v not in (None, "")), schema["enum"][0])
        if "allOf" in schema:
            merged: dict = {}
            for part in schema["allOf"]:
                part_value = self.value(part, name, request=request, here=here, depth=depth)
                if isinstance(part_value, dict):
                    merged.update(part_value)
                else:
                    return part_value
            return merged
        for key in ("oneOf", "anyOf"):
            if schema.get(key):
                return self.value(schema[key][0], name, request=request, here=here, depth=depth)
        kind = schema.get("type") or ("object" if "properties" in schema else "string")
        if kind == "object":
            return self._object(schema, name, request, here, depth)
        if kind == "array":
            if depth >= MAX_DEPTH:
                return []
            item = self.value(
                schema.get("items", {}), name, request=request, here=here, depth=depth + 1
            )
            return [item] * max(1, schema.get("minItems", 1))
        if kind == "integer":
            return _number(schema, 1)
        if kind == "number":
            return float(_number(schema, 1))
        if kind == "boolean":
            return False
        return self._string(schema, name, here)

    def _object(self, schema: dict, name: str, request: bool, here: str, depth: int) -> dict:
        skip = "readOnly" if request else "writeOnly"
        # The `url` of an object inside another is that of the resource the field names
        # (`broncatalogus.url`); of the answer's own object or a list's, the object's.
        if name not in ("", "results"):
            here = self.url_of(name, "")
        required = set(schema.get("required", []))
        result = {}
        for prop, sub in schema.get("properties", {}).items():
            sub_resolved = self.resolve(sub)
            if sub_resolved.get(skip) or sub.get(skip):
                continue
            if depth >= MAX_DEPTH and prop not in required:
                continue
            if request and prop not in required and not _precise(self.resolve(sub_resolved)):
                # A request (a _zoek) names only what has one sure value: a URL, a UUID, a
                # choice; not free text, dates written as text, or a geometry.
                continue
            result[prop] = self.value(sub, prop, request=request, here=here, depth=depth + 1)
        for prop in sorted(required - set(result) - set(schema.get("properties", {}))):
            # Required but never defined (VerwerkingsactieBeperkt.verwerkteObjecten in VNG's
            # Verwerkingenlogging document): any value fits; an empty list reads best.
            result[prop] = []
        return result

    def _string(self, schema: dict, name: str, here: str) -> str:
        fmt = schema.get("format", "")
        if fmt == "uri":
            return self.url_of(name, here)
        if fmt == "uuid":
            return str(uuid.uuid5(uuid.NAMESPACE_URL, name or "uuid"))
        if fmt == "date":
            return EXAMPLE_DATE
        if fmt == "date-time":
            return EXAMPLE_DATETIME
        if fmt == "duration":
            return "P10Y"
        if fmt == "email":
            return "beheer@gemeente.example"
        minimum, maximum = schema.get("minLength", 0), schema.get("maxLength")
        pattern = schema.get("pattern")
        candidates = [name or "tekst", "123456789", "1234567890", "1", "abc", "A"]
        for text in candidates:
            text = text.ljust(minimum, "x")
            if maximum is not None:
                text = text[:maximum]
            if pattern is None or re.search(pattern, text):
                return text
        return (name or "tekst")[: maximum or None]

    def url_of(self, name: str, here: str) -> str:
        """A URL for a field referring to a resource: this resource's own (`url`), one Noaber
        serves in this document or another ZGW document, or else one elsewhere."""
        if name in ("", "url"):
            return here or self.server
        name = name.split("__")[0]  # zaaktype__in → zaaktype
        resource_id = str(uuid.uuid5(uuid.NAMESPACE_URL, name))
        for mount, collections in self.served_collections:
            for collection in _plurals(name):
                if collection in collections:
                    return f"{self.base_url}{mount}/{collection}/{resource_id}"
        return f"https://api.example.org/api/v1/{name}/{resource_id}"


def _plurals(name: str) -> list[str]:
    """Where a ZGW field refers to a resource, its collection: zaaktype → zaaktypen,
    catalogus → catalogussen, zaak → zaken; a list field is already plural."""
    forms = [name, name + ("n" if name.endswith("e") else "en"), name + "sen", name + "s"]
    if re.search(r"([aeou])\1([^aeiou])$", name):  # zaak → zaken
        forms.append(re.sub(r"([aeou])\1([^aeiou])$", r"\1\2", name) + "en")
    return forms


def _fill_named(path: str) -> str:
    """The path with a UUID of its own for each parameter (the same on every call)."""
    return re.sub(
        r"\{[^}/]+\}",
        lambda m: str(uuid.uuid5(uuid.NAMESPACE_URL, path[: m.end()])),
        path,
    )


def _precise(schema: dict) -> bool:
    if schema.get("type") == "array":
        return _precise(schema.get("items", {}))
    return bool(schema.get("enum")) or schema.get("format") in ("uri", "uuid")


def _has_example(node: dict) -> bool:
    return "example" in node or bool(node.get("examples"))


def _unspecified(schema: dict) -> bool:
    return schema.get("type") == "object" and not schema.get("properties")


def _number(schema: dict, default):
    value = schema.get("minimum", default)
    if schema.get("exclusiveMinimum") is True:
        value += 1
    if "maximum" in schema and value > schema["maximum"]:
        value = schema["maximum"]
    return value
