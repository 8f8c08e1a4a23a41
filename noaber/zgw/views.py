"""The ZGW API subset Noaber serves (read-only): the Catalogi API 1.3 resources of the client's
municipality. A client authenticates with its JWT on every request; every request is audited
and every refusal answers in ZGW's error shape. See docs/zgw.md."""

import uuid
from datetime import date

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from noaber.audit.actions import record
from noaber.audit.models import Action, Result
from noaber.intake import throttle

from . import catalogi
from .clients import authenticate, require_scope
from .errors import ZgwError, from_drf, not_found, problem_response
from .models import Catalogue, Scope
from .paging import Filters, paged

CATALOGI_VERSION = "1.3.1"
STATUS_VALUES = ("alles", "concept", "definitief")
GENERIC_ROLES = tuple(generic for _code, _description, generic in catalogi.ROLE_TYPES) + (
    "adviseur",
    "beslisser",
    "klantcontacter",
    "mede_initiator",
)


class ZgwView(APIView):
    """Authentication by the client's JWT, the scope it needs, ZGW errors, the version header."""

    authentication_classes = []
    permission_classes = [AllowAny]
    # Their contract is VNG's published document (noaber/zgw/oas/), not Noaber's /api/schema/.
    schema = None
    scope = ""
    api_version = ""
    resource = ""

    def dispatch(self, request, *args, **kwargs):
        # A detail's {uuid} is any path segment, so that one that is no UUID still gets ZGW's
        # answer (authentication first, then a 404 problem) instead of the site's HTML page.
        if "uuid" in kwargs:
            try:
                kwargs["uuid"] = uuid.UUID(kwargs["uuid"])
            except ValueError:
                kwargs["uuid"] = None
        return super().dispatch(request, *args, **kwargs)

    client = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Refused tokens are counted per address before any is checked (each one refused
        # writes an audit event): past the limit, a 429 without checking or writing anything.
        failed = throttle.Limit("zgw_failed", settings.NOABER_ZGW_FAILED_TOKENS_PER_10_MINUTES, 10)
        if throttle.exceeded(failed, request):
            raise ZgwError(
                429, "throttled", _("Te veel geweigerde tokens; probeer het later opnieuw.")
            ).marked_audited()
        header = request.headers.get("Authorization", "")
        try:
            self.client = authenticate(header, request)
        except ZgwError:
            if header:  # a request without any token writes no event: nothing to cap
                throttle.count(failed, request)
            raise
        require_scope(self.client, self.scope, request)
        self.throttle(request)

    def throttle(self, request) -> None:
        """A limit per client (shared by every worker): a 429, audited, past it."""
        limit = throttle.Limit("zgw", settings.NOABER_ZGW_REQUESTS_PER_MINUTE, 1)
        key = f"zgw-client-{self.client.pk}"
        if throttle.exceeded(limit, request, key=key):
            record(
                Action.DENIED,
                request=request,
                municipality=self.client.municipality,
                object_type="zgw_client",
                object_id=self.client.pk,
                result=Result.DENIED,
                reason="throttled",
            )
            raise ZgwError(
                429, "throttled", _("Te veel verzoeken; probeer het later opnieuw.")
            ).marked_audited()
        throttle.count(limit, request, key=key)

    def handle_exception(self, exc):
        error = exc if isinstance(exc, ZgwError) else from_drf(exc)
        if error is None:
            return super().handle_exception(exc)
        if self.client is not None and not error.audited:
            # Every answer to a known client is in the log: a refusal as denied, its code the
            # reason (a 404 for a UUID that names nothing is as visible as one for a hidden case).
            record(
                Action.DENIED,
                request=self.request,
                municipality=self.client.municipality,
                object_type=f"zgw_{self.resource}" if self.resource else "zgw_client",
                result=Result.DENIED,
                reason=error.code,
                detail={"client_id": self.client.client_id, "status": error.status},
            )
        return problem_response(error, self.api_version)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["API-version"] = self.api_version
        return response

    def audit(self, request, object_id="", **detail) -> None:
        record(
            Action.VIEW,
            request=request,
            municipality=self.client.municipality,
            object_type=f"zgw_{self.resource}",
            object_id=object_id,
            detail={"client_id": self.client.client_id, **detail},
        )


class CatalogiView(ZgwView):
    scope = Scope.CATALOGI_LEZEN
    api_version = CATALOGI_VERSION

    def catalogue(self) -> Catalogue | None:
        """The client's municipality's catalogue; None where its administrator has set none up
        (a list is then empty, a detail not found)."""
        return (
            Catalogue.objects.select_related("municipality")
            .filter(municipality=self.client.municipality)
            .first()
        )


def _keep(item: catalogi.Published, status: str | None, valid_on: date | None) -> bool:
    """The standard's `status` (concept/definitief, default definitief) and validity date:
    Noaber's types are never concepts and valid from their begin date on."""
    if status == "concept" and not item.data.get("concept", False):
        return False
    begin = item.data.get("beginGeldigheid")
    return not (valid_on and begin and date.fromisoformat(begin) > valid_on)


class CatalogusList(CatalogiView):
    resource = "catalogus"

    def get(self, request):
        filters = Filters(request.query_params)
        rsin, domain = filters.text("rsin"), filters.text("domein")
        filters.check()
        catalogue = self.catalogue()
        items = [catalogi.catalogus(request, catalogue)] if catalogue else []
        items = [
            c
            for c in items
            if (rsin is None or c["rsin"] == rsin) and (domain is None or c["domein"] == domain)
        ]
        body = paged(request, items)
        self.audit(request, count=body["count"])
        return Response(body)


class CatalogusDetail(CatalogiView):
    resource = "catalogus"

    def get(self, request, uuid):
        catalogue = self.catalogue()
        if catalogue is None or catalogue.uuid != uuid:
            raise not_found()
        self.audit(request, object_id=str(uuid))
        return Response(catalogi.catalogus(request, catalogue))


class PublishedList(CatalogiView):
    """A list of generated resources with the standard's filters for it."""

    build = None  # catalogi.zaaktypen, ...
    zaaktype_identificatie = "zaaktypeIdentificatie"
    datum_geldigheid = "datumGeldigheid"

    def extra_filters(self, filters: Filters, items):
        return items

    def get(self, request):
        filters = Filters(request.query_params)
        zaaktype = filters.url("zaaktype") if self.resource != "zaaktype" else None
        identification = filters.text(
            "identificatie" if self.resource == "zaaktype" else self.zaaktype_identificatie
        )
        catalogue_url = filters.url("catalogus") if self.resource == "zaaktype" else None
        status = filters.choice("status", STATUS_VALUES)
        valid_on = filters.day(self.datum_geldigheid)
        items = self.extra_filters(filters, None)
        filters.check()
        catalogue = self.catalogue()
        built = type(self).build(request, catalogue) if catalogue else []
        items = [
            item
            for item in built
            if (zaaktype is None or item.zaaktype_url == zaaktype)
            and (identification is None or item.zaaktype_identificatie == identification)
            and (catalogue_url is None or item.data.get("catalogus") == catalogue_url)
            and _keep(item, status, valid_on)
        ]
        items = self.extra_filters(filters, items)
        body = paged(request, [item.data for item in items])
        self.audit(request, count=body["count"])
        return Response(body)


class PublishedDetail(CatalogiView):
    build = None

    def get(self, request, uuid):
        catalogue = self.catalogue()
        for item in type(self).build(request, catalogue) if catalogue else []:
            if item.uuid == uuid:
                self.audit(request, object_id=str(uuid))
                return Response(item.data)
        raise not_found()


class ZaaktypeList(PublishedList):
    resource = "zaaktype"
    build = staticmethod(catalogi.zaaktypen)

    def extra_filters(self, filters, items):
        keywords = filters.text("trefwoorden")
        if items is None or not keywords:
            return items
        wanted = {k for k in keywords.split(",") if k}
        return [i for i in items if wanted <= set(i.data["trefwoorden"])]


class ZaaktypeDetail(PublishedDetail):
    resource = "zaaktype"
    build = staticmethod(catalogi.zaaktypen)


class StatustypeList(PublishedList):
    resource = "statustype"
    build = staticmethod(catalogi.statustypen)


class StatustypeDetail(PublishedDetail):
    resource = "statustype"
    build = staticmethod(catalogi.statustypen)


class ResultaattypeList(PublishedList):
    resource = "resultaattype"
    build = staticmethod(catalogi.resultaattypen)
    # The standard spells these two with underscores for resultaattypen only.
    zaaktype_identificatie = "zaaktype_identificatie"
    datum_geldigheid = "datum_geldigheid"


class ResultaattypeDetail(PublishedDetail):
    resource = "resultaattype"
    build = staticmethod(catalogi.resultaattypen)


class RoltypeList(PublishedList):
    resource = "roltype"
    build = staticmethod(catalogi.roltypen)

    def extra_filters(self, filters, items):
        generic = filters.choice("omschrijvingGeneriek", GENERIC_ROLES)
        if items is None or generic is None:
            return items
        return [i for i in items if i.data["omschrijvingGeneriek"] == generic]


class RoltypeDetail(PublishedDetail):
    resource = "roltype"
    build = staticmethod(catalogi.roltypen)
