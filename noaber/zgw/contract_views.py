"""The index of every API Noaber serves (/api/, and as JSON /api/index.json) and the served
ZGW documents (/api/schema/<family>/). See docs/api.md."""

from dataclasses import dataclass, field

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from noaber.accounts.access import public_view

from . import contract
from .models import Scope


@dataclass
class ApiFamily:
    key: str
    title: str
    summary: str
    version: str
    authentication: str
    schema_url: str
    documentation: str
    standard: str = ""
    scope: str = ""
    operations: list[tuple[str, str]] = field(default_factory=list)


def families() -> list[ApiFamily]:
    """Every API family, Noaber's own first, then each ZGW API whose document is committed."""
    own_version = str(settings.SPECTACULAR_SETTINGS["VERSION"])
    own_schema = reverse("api-schema")
    found = [
        ApiFamily(
            "meldpunt",
            _("Meldpunt (openbaar)"),
            _(
                "Een melding doen, anoniem of met contactgegevens, en met het bonnummer de "
                "status en berichten volgen of een bericht sturen."
            ),
            own_version,
            _(
                "Geen: iedereen mag deze API gebruiken, zonder inloggen. Het aantal verzoeken "
                "per adres is begrensd."
            ),
            own_schema,
            "docs/meldpunt.md",
            operations=contract.own_operations("/api/v1/public/"),
        ),
        ApiFamily(
            "partner",
            _("Partner-API (ketenpartners)"),
            _("Een ketenpartner, zoals de politie, levert signalen aan vanuit zijn eigen systeem."),
            own_version,
            _(
                "De API-sleutel van de organisatie in de kop „Authorization: Token nbr_…”; de "
                "functioneel beheerder van de gemeente geeft die uit en trekt die in."
            ),
            own_schema,
            "docs/meldpunt.md",
            operations=contract.own_operations("/api/v1/partner/"),
        ),
    ]
    for family in contract.available_families():
        vng = contract.vng_document(family)
        mount = contract.mount_of(family) or ""
        operations = [(m.upper(), mount + p) for p, m in contract.served_operations(family)]
        found.append(
            ApiFamily(
                family.key,
                family.title,
                _(
                    "Het deel van de standaard dat Noaber aanbiedt, alleen lezen; het document "
                    "is dat van VNG, beperkt tot de operaties die Noaber bedient."
                ),
                str(vng["info"]["version"]),
                _(
                    "Een JWT (HS256) per aangesloten systeem in de kop „Authorization: Bearer "
                    "…”, ondertekend met het geheim van dat systeem, met de client-id en het "
                    "tijdstip van uitgifte; het systeem heeft het recht „%(scope)s” nodig. De "
                    "functioneel beheerder registreert de systemen (Beheer → ZGW-koppelingen)."
                )
                % {"scope": Scope(family.scope).label},
                reverse(f"api-schema-{family.key}"),
                "docs/verwerkingen.md" if family.key == "verwerkingen" else "docs/zgw.md",
                standard=_("VNG-Realisatie, API's voor Zaakgericht Werken"),
                scope=family.scope,
                operations=operations,
            )
        )
    return found


@public_view(["GET"])
def index(request):
    return render(request, "zgw/api_index.html", {"families": families()})


@public_view(["GET"], page=False)
def index_json(request):
    return JsonResponse(
        {
            "title": _("De API's van Noaber"),
            "families": [
                {
                    "key": f.key,
                    "title": f.title,
                    "summary": f.summary,
                    "version": f.version,
                    "standard": f.standard or None,
                    "authentication": f.authentication,
                    "scope": f.scope or None,
                    "schema": request.build_absolute_uri(f.schema_url),
                    "documentation": f.documentation,
                    "operations": [f"{method} {path}" for method, path in f.operations],
                }
                for f in families()
            ],
        },
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )


@public_view(["GET"], page=False)
def zgw_schema(request, key):
    """VNG's document of one ZGW API, cut down to what Noaber serves (contract.py)."""
    family = contract.family_by_key(key)
    if family is None:
        raise Http404
    base = request.build_absolute_uri("/").rstrip("/")
    return JsonResponse(
        contract.served_document(family, base), json_dumps_params={"ensure_ascii": False}
    )
