"""The Zaken API 1.5 subset Noaber serves (read-only): zaken (list, detail, _zoek), statussen,
resultaten, rollen and zaakobjecten of the cases a client may see. Every answer is audited and
lands in the disclosure ledger; an object above the client's level answers 404, as one that
does not exist, and is audited as denied. See docs/zgw.md."""

import json
import re
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.response import Response

from noaber.audit.actions import record
from noaber.audit.models import Action, Confidentiality, Result
from noaber.cases import selectors as case_selectors
from noaber.cases.models import Archiefnominatie, Archiefstatus
from noaber.registry import selectors as registry_selectors
from noaber.registry.subjects import check_bsn

from . import zaken
from .actions import record_served
from .errors import ZgwError, forbidden, invalid, not_found
from .models import Catalogue, Scope
from .paging import Filters, page_of
from .views import ZgwView

ZAKEN_VERSION = "1.5.1"
CRS = "EPSG:4326"
ORDERING = {
    "startdatum": ("created_at", "pk"),
    "registratiedatum": ("created_at", "pk"),
    "publicatiedatum": ("created_at", "pk"),
    "einddatum": ("closed_at", "pk"),
    "archiefactiedatum": ("archiefactiedatum", "pk"),
    "identificatie": ("pk",),
}
ORDERING_CHOICES = tuple(o for name in ORDERING for o in (name, f"-{name}"))
BETROKKENE_TYPES = (
    "natuurlijk_persoon",
    "niet_natuurlijk_persoon",
    "vestiging",
    "organisatorische_eenheid",
    "medewerker",
)
GENERIC_ROLES = (
    "adviseur",
    "behandelaar",
    "belanghebbende",
    "beslisser",
    "initiator",
    "klantcontacter",
    "zaakcoordinator",
    "mede_initiator",
)
BSN_FILTER = "betrokkeneIdentificatie__natuurlijkPersoon__inpBsn"
EMPLOYEE_FILTER = "betrokkeneIdentificatie__medewerker__identificatie"
# The standard's filters on identifications Noaber does not hold, with their maximum length.
UNHELD_IDENTIFICATION = (
    ("betrokkeneIdentificatie__natuurlijkPersoon__anpIdentificatie", 17),
    ("betrokkeneIdentificatie__natuurlijkPersoon__inpA_nummer", 10),
    ("betrokkeneIdentificatie__nietNatuurlijkPersoon__innNnpId", None),
    ("betrokkeneIdentificatie__nietNatuurlijkPersoon__annIdentificatie", 17),
    ("betrokkeneIdentificatie__vestiging__vestigingsNummer", 24),
    ("betrokkeneIdentificatie__organisatorischeEenheid__identificatie", None),
)
UNHELD_DATES = (
    "uiterlijkeEinddatumAfdoening",
    "uiterlijkeEinddatumAfdoening__gt",
    "uiterlijkeEinddatumAfdoening__lt",
)


class ZakenView(ZgwView):
    """A Zaken API resource: the scope zaken.lezen, a client with a recorded legal basis, and
    for zaken the Accept-Crs (and for _zoek the Content-Crs) header the standard requires."""

    scope = Scope.ZAKEN_LEZEN
    api_version = ZAKEN_VERSION
    crs = False

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not self.client.legal_basis:
            self.deny(request, "", "no_legal_basis")
            raise forbidden(
                _("Voor deze client is geen grondslag vastgelegd; zonder grondslag geen zaken.")
            ).marked_audited()
        if self.crs:
            self.check_crs(request)
        self.catalogue = (
            Catalogue.objects.select_related("municipality")
            .filter(municipality=self.client.municipality)
            .first()
        )

    def check_crs(self, request) -> None:
        accept = request.headers.get("Accept-Crs")
        if accept is None:
            raise ZgwError(
                412,
                "precondition_failed",
                _("Er is niet voldaan aan een voorwaarde."),
                _("De header Accept-Crs ontbreekt; Noaber levert geometrie in EPSG:4326."),
            )
        if accept != CRS:
            raise ZgwError(
                406,
                "not_acceptable",
                _("Dit coördinatenstelsel wordt niet ondersteund."),
                _("Accept-Crs moet EPSG:4326 zijn."),
            )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.crs and response.status_code == 200:
            response["Content-Crs"] = CRS
        return response

    def scope_for(self, request, ceiling=None) -> zaken.Scope | None:
        if self.catalogue is None:
            return None
        return zaken.Scope(request, self.client, self.catalogue, ceiling)

    def served_one(self, request, case, what: str) -> None:
        """A detail answered: its ledger mark and its audit event, together."""
        with transaction.atomic():
            record_served(self.client, [case.pk], what)
            self.audit(request, object_id=case.pk)

    def deny(self, request, object_id, reason: str) -> None:
        record(
            Action.DENIED,
            request=request,
            municipality=self.client.municipality,
            object_type=f"zgw_{self.resource}",
            object_id=object_id,
            result=Result.DENIED,
            reason=reason,
            detail={"client_id": self.client.client_id},
        )

    def case_or_404(self, request, scope, kind: str, uuid):
        """The visible case a UUID of `kind` names, with the reference in it; a case above the
        client's level or of a type not served is a 404 as well, audited as denied."""
        decoded = scope.decode(kind, uuid) if scope and uuid else None
        if decoded is None:
            raise not_found()  # audited by handle_exception, as every error answer
        case_id, ref = decoded
        case = scope.cases().filter(pk=case_id).first()
        if case is not None:
            return case, ref
        self.deny_hidden(request, [case_id])
        raise not_found().marked_audited()

    def deny_hidden(self, request, case_ids) -> None:
        """Audit as denied each of these cases that exists but is hidden from the client (above
        its level, or of a type not served); one that does not exist is audited as not found.
        The same lookups either way: the answer's time tells the client nothing."""
        hidden = dict(
            case_selectors.exchangeable_cases(self.client.municipality, None)
            .filter(pk__in=list(case_ids))
            .values_list("pk", "case_type__confidentiality")
        )
        for case_id in case_ids:
            level = hidden.get(case_id)
            if level is None:
                reason = "not_found"
            elif self.client.may_see(level):
                reason = "case_type_not_served"
            else:
                reason = "above_confidentiality"
            self.deny(request, str(case_id) if level is not None else "", reason)

    def bsn_subjects(self, request, filters, name: str, bsn: str):
        """The subjects with this BSN, for a client entitled to BSNs; a 403 for another (a
        search by BSN would tell it whether Noaber knows the person); a 400 for a bad BSN."""
        if not self.client.bsn_entitled:
            self.deny(request, "", "bsn_not_entitled")
            raise forbidden(_("Deze client mag niet op BSN zoeken.")).marked_audited()
        try:
            bsn = check_bsn(bsn)
        except Exception as error:  # noqa: BLE001 - a ValidationError with a Dutch message
            filters.errors.append((name, "invalid", str(error.messages[0])))
            return None
        self.bsn_searched = bsn
        return registry_selectors.subjects_with_bsn(self.client.municipality_id, bsn)

    bsn_searched = None

    def audit_bsn_search(self, request, case_ids) -> None:
        """A search by BSN tells the client which cases the person is in (or that there are
        none): audited under the person's pseudonym, and a BSN served in the ledger."""
        if self.bsn_searched is None:
            return
        record(
            Action.VIEW,
            request=request,
            municipality=self.client.municipality,
            object_type=f"zgw_{self.resource}",
            reason="bsn_search",
            detail={"client_id": self.client.client_id, "cases": sorted(case_ids)},
            data_subject=("bsn", self.bsn_searched),
        )
        record_served(self.client, case_ids, "bsn")

    def audit_person(self, request, case_id, subject, with_bsn: bool) -> None:
        """Who the served rol is about, as the events carry it (a keyed pseudonym): so the
        privacy officer finds every system a person's data went to."""
        record(
            Action.VIEW,
            request=request,
            municipality=self.client.municipality,
            object_type="zgw_rol",
            object_id=case_id,
            detail={"client_id": self.client.client_id, "bsn_served": with_bsn},
            data_subject=subject.data_subject(),
        )

    def zaak_ids(self, request, filters: Filters, scope) -> list[int] | None:
        """The case ids a `zaak` URL filter names (an empty list for a zaak the client cannot
        see or that does not exist: its list is then empty, as for any filter; a hidden one
        is audited as denied)."""
        url = filters.url("zaak")
        if url is None or scope is None:
            return None
        decoded = _uuid_of(url) and scope.decode("zaak", _uuid_of(url))
        if not decoded:
            return []
        if not scope.cases().filter(pk=decoded[0]).exists():
            self.deny_hidden(request, [decoded[0]])
        return [decoded[0]]


def _uuid_of(url: str):
    import uuid as uuid_module

    try:
        return uuid_module.UUID(url.rstrip("/").rsplit("/", 1)[-1])
    except ValueError:
        return None


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def _dates(filters: Filters, queryset, name: str, field: str, lookups, *, moment: bool):
    """The standard's date filters (`name`, `name__gt`, …) on a date or a moment field."""
    for lookup in lookups:
        key = name if lookup == "" else f"{name}__{lookup}"
        day = filters.day(key)
        if day is None:
            continue
        if not moment:
            django_lookup = {"": "", "gt": "__gt", "gte": "__gte", "lt": "__lt", "lte": "__lte"}
            queryset = queryset.filter(**{f"{field}{django_lookup[lookup]}": day})
            continue
        begin, end = _start_of(day), _start_of(day + timedelta(days=1))
        bounds = {
            "": {f"{field}__gte": begin, f"{field}__lt": end},
            "gt": {f"{field}__gte": end},
            "gte": {f"{field}__gte": begin},
            "lt": {f"{field}__lt": begin},
            "lte": {f"{field}__lt": end},
        }
        queryset = queryset.filter(**bounds[lookup])
    return queryset


class ZaakFilters:
    """The zaken filters of the standard, from the query string or a _zoek body."""

    def __init__(self, view: ZakenView, request, filters: Filters, scope):
        self.view, self.request, self.filters, self.scope = view, request, filters, scope
        self.joined = False

    def queryset(self):
        f, scope = self.filters, self.scope
        ceiling = f.choice("maximaleVertrouwelijkheidaanduiding", Confidentiality.values)
        ordering = f.choice("ordering", ORDERING_CHOICES)
        if scope is not None and ceiling:
            scope.ceiling = ceiling
        queryset = scope.cases() if scope is not None else None
        if queryset is None:
            self._read_all()  # check every value, even with nothing to filter
            f.check()
            return None
        queryset = self._filter(queryset)
        f.check()
        name = (ordering or "-startdatum").lstrip("-")
        fields = ORDERING[name]
        if (ordering or "-startdatum").startswith("-"):
            fields = tuple(f"-{x}" for x in fields)
        return queryset.order_by(*fields)

    def _read_all(self):
        self._filter(None)

    def _filter(self, queryset):
        f, scope = self.filters, self.scope
        keep = queryset is not None

        def narrow(**lookups):
            nonlocal queryset
            if keep:
                queryset = queryset.filter(**lookups)
                self.joined |= any(k.startswith("subjects__") for k in lookups)

        identification = f.text("identificatie")
        if identification is not None:
            number = identification.removeprefix("C-")
            narrow(pk=int(number) if re.fullmatch(r"[0-9]{1,18}", number) else 0)
        rsin, rsins = f.text("bronorganisatie"), f.texts("bronorganisatie__in")
        asked = rsin is not None or rsins is not None
        if asked and keep and scope.catalogue.rsin not in [rsin, *(rsins or [])]:
            queryset = queryset.none()
        types = [u for u in [f.url("zaaktype")] if u] + (f.urls("zaaktype__in") or [])
        if types and keep:
            ids = [
                pk
                for pk, case_type in scope.served_types.items()
                if scope.type_url("zaaktype", case_type.code) in types
            ]
            narrow(case_type_id__in=ids)
        nominations = Archiefnominatie.values
        value = f.choice("archiefnominatie", nominations)
        if value:
            narrow(archiefnominatie=value)
        values = f.choices("archiefnominatie__in", nominations)
        if values is not None:
            narrow(archiefnominatie__in=values)
        statuses = (*Archiefstatus.values, "gearchiveerd_procestermijn_onbekend")
        value = f.choice("archiefstatus", statuses)
        if value:
            narrow(archiefstatus=value)
        values = f.choices("archiefstatus__in", statuses)
        if values is not None:
            narrow(archiefstatus__in=values)
        if keep:
            queryset = _dates(f, queryset, "archiefactiedatum", "archiefactiedatum",
                              ("", "lt", "gt"), moment=False)  # fmt: skip
            queryset = _dates(f, queryset, "startdatum", "created_at",
                              ("", "gt", "gte", "lt", "lte"), moment=True)  # fmt: skip
            queryset = _dates(f, queryset, "registratiedatum", "created_at", ("", "gt", "lt"),
                              moment=True)  # fmt: skip
            queryset = _dates(f, queryset, "einddatum", "closed_at", ("", "gt", "lt"),
                              moment=True)  # fmt: skip
            queryset = _dates(f, queryset, "einddatumGepland", "due_date", ("", "gt", "lt"),
                              moment=False)  # fmt: skip
        else:
            for name, lookups in (
                ("archiefactiedatum", ("", "lt", "gt")),
                ("startdatum", ("", "gt", "gte", "lt", "lte")),
                ("registratiedatum", ("", "gt", "lt")),
                ("einddatum", ("", "gt", "lt")),
                ("einddatumGepland", ("", "gt", "lt")),
            ):
                for lookup in lookups:
                    f.day(name if lookup == "" else f"{name}__{lookup}")
        for name, field in (("archiefactiedatum", "archiefactiedatum"), ("einddatum", "closed_at")):
            empty = f.boolean(f"{name}__isnull")
            if empty is not None:
                narrow(**{f"{field}__isnull": empty})
        kind = f.choice("rol__betrokkeneType", BETROKKENE_TYPES)
        generic = f.choice("rol__omschrijvingGeneriek", GENERIC_ROLES)
        with_kind = {"natuurlijk_persoon": ["person"], "niet_natuurlijk_persoon": ["company"]}
        if kind in with_kind:
            narrow(subjects__kind__in=with_kind[kind])
        elif kind and kind != "medewerker":
            narrow(pk__in=[])
        if generic == "belanghebbende":
            narrow(subjects__kind__in=list(zaken.ROLE_SUBJECTS))
        elif generic and generic != "zaakcoordinator":
            narrow(pk__in=[])
        # Filters on what Noaber does not hold (other kinds of identification, a betrokkene
        # URL, uiterlijkeEinddatumAfdoening): checked, and when given nothing matches.
        unheld = [f.absent("rol__betrokkene", url=True)]
        unheld += [f.absent(f"rol__{name}", max_length=n) for name, n in UNHELD_IDENTIFICATION]
        unheld += [f.day(name) is not None for name in UNHELD_DATES]
        if any(unheld):
            narrow(pk__in=[])
        employee = f.text(f"rol__{EMPLOYEE_FILTER}")
        if employee is not None:
            if len(employee) > 24:
                f.errors.append(
                    (f"rol__{EMPLOYEE_FILTER}", "max_length", _("Hoogstens 24 tekens."))
                )
            else:
                narrow(owner__username=employee)
        bsn = f.text(f"rol__{BSN_FILTER}")
        if bsn is not None:
            subject_ids = self.view.bsn_subjects(self.request, f, f"rol__{BSN_FILTER}", bsn)
            if subject_ids is not None:
                narrow(subjects__in=subject_ids)
        uuids = f.texts("uuid__in") if f.body else None
        if uuids is not None:
            ids = []
            for value in uuids:
                decoded = _uuid_of(value) and keep and scope.decode("zaak", _uuid_of(value))
                if _uuid_of(value) is None:
                    f.errors.append(("uuid__in", "invalid", _("Geef geldige UUID's.")))
                    break
                if decoded:
                    ids.append(decoded[0])
            if keep and not f.errors:
                visible = set(scope.cases().filter(pk__in=ids).values_list("pk", flat=True))
                hidden = [i for i in ids if i not in visible]
                if hidden:
                    self.view.deny_hidden(self.request, hidden)
            narrow(pk__in=ids)
        if not keep:
            return None
        return queryset.distinct() if self.joined else queryset


class ZaakListBase(ZakenView):
    resource = "zaak"
    crs = True

    def answer(self, request, filters: Filters):
        scope = self.scope_for(request)
        queryset = ZaakFilters(self, request, filters, scope).queryset()
        if queryset is None:
            body = page_of(request, 0, lambda offset, limit: [])
            self.audit(request, count=0)
            return Response(body)
        served = []

        def fetch(offset, limit):
            # The page's ids first (an index-only walk of the list's order), then their rows.
            ids = list(queryset.values_list("pk", flat=True)[offset : offset + limit])
            rows = scope.cases().in_bulk(ids)
            cases = [rows[pk] for pk in ids]
            served.extend(ids)
            return zaken.zaken(scope, cases)

        with transaction.atomic():
            body = page_of(request, queryset.count(), fetch)
            record_served(self.client, served, "zaak")
            self.audit(request, count=body["count"], cases=served)
            self.audit_bsn_search(request, served)
        return Response(body)


class ZaakList(ZaakListBase):
    def get(self, request):
        return self.answer(request, Filters(request.query_params))


class ZaakZoek(ZaakListBase):
    """POST /zaken/_zoek: the list's filters (and `uuid__in`) in a JSON body."""

    def post(self, request):
        content_crs = request.headers.get("Content-Crs")
        if content_crs is None:
            raise ZgwError(
                412,
                "precondition_failed",
                _("Er is niet voldaan aan een voorwaarde."),
                _("De header Content-Crs ontbreekt; gebruik EPSG:4326."),
            )
        if content_crs != CRS:
            raise ZgwError(
                415,
                "unsupported_media_type",
                _("Dit coördinatenstelsel wordt niet ondersteund."),
                _("Content-Crs moet EPSG:4326 zijn."),
            )
        if request.content_type.split(";")[0].strip() != "application/json":
            raise ZgwError(
                415,
                "unsupported_media_type",
                _("Dit formaat wordt niet ondersteund."),
                _("Stuur de zoekvraag als JSON (Content-Type: application/json)."),
            )
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError, RecursionError):
            body = None
        if not isinstance(body, dict):
            raise invalid(
                [("nonFieldErrors", "parse_error", _("De zoekvraag is geen JSON-object."))]
            )
        if "zaakgeometrie" in body:
            raise invalid(
                [
                    (
                        "zaakgeometrie",
                        "invalid",
                        _("Noaber legt bij zaken geen geometrie vast; zoek zonder zaakgeometrie."),
                    )
                ]
            )
        return self.answer(request, Filters(body, body=True))


class ZaakDetail(ZakenView):
    resource = "zaak"
    crs = True

    def get(self, request, uuid):
        scope = self.scope_for(request)
        case, _ref = self.case_or_404(request, scope, "zaak", uuid)
        data = zaken.zaken(scope, [case])[0]  # built first: the ledger names what was served
        self.served_one(request, case, "zaak")
        return Response(data)


def _chain(sources, offset: int, limit: int) -> list:
    """Items offset … offset+limit of several (count, fetch) sources read one after another."""
    items = []
    for count, fetch in sources:
        if offset >= count:
            offset -= count
            continue
        take = min(limit - len(items), count - offset)
        items.extend(fetch(offset, take))
        offset = 0
        if len(items) >= limit:
            break
    return items


class SubList(ZakenView):
    """A list of a zaak's sub-resources over the cases the client may see."""

    ledger = ""

    def get(self, request):
        filters = Filters(request.query_params)
        scope = self.scope_for(request)
        case_ids = self.zaak_ids(request, filters, scope)
        cases = scope.cases() if scope is not None else None
        if cases is not None and case_ids is not None:
            cases = cases.filter(pk__in=case_ids)
        sources = self.sources(request, filters, scope, cases)
        filters.check()
        served = {}

        def fetch(offset, limit):
            return _chain(
                [(count, self.collect(fn, served)) for count, fn in sources], offset, limit
            )

        with transaction.atomic():
            body = page_of(request, sum(count for count, _fetch in sources), fetch)
            self.served(request, served)
        return Response(body)

    def collect(self, fetch, served):
        def wrapped(offset, limit):
            items = fetch(offset, limit)
            for _data, case_id, extra in items:
                served.setdefault(case_id, []).append(extra)
            return [data for data, _case, _extra in items]

        return wrapped

    def served(self, request, served: dict) -> None:
        record_served(self.client, list(served), self.ledger)
        self.audit(request, count=sum(len(v) for v in served.values()), cases=sorted(served))


class StatusList(SubList):
    resource = "status"
    ledger = "statussen"

    def sources(self, request, filters, scope, cases):
        statustype = filters.url("statustype")
        last = filters.boolean("indicatieLaatstGezetteStatus")
        if cases is None:
            return []
        entries = case_selectors.status_entries(cases).select_related("case")
        if last is not None or statustype is not None:
            # Filters on what the entry says: read in Python (the text is encrypted).
            found = self.build(scope, list(entries))
            found = [
                item
                for item in found
                if (last is None or item[0]["indicatieLaatstGezetteStatus"] == last)
                and (statustype is None or item[0]["statustype"] == statustype)
            ]
            return [(len(found), lambda offset, limit: found[offset : offset + limit])]
        return [
            (
                entries.count(),
                lambda offset, limit: self.build(scope, list(entries[offset : offset + limit])),
            )
        ]

    def build(self, scope, entries):
        cases = {entry.case_id: entry.case for entry in entries}
        latest = case_selectors.latest_status_entries(list(cases))
        return [
            (data, entry.case_id, None)
            for data, entry in zip(
                zaken.statussen(scope, entries, latest, cases), entries, strict=True
            )
        ]


class StatusDetail(ZakenView):
    resource = "status"

    def get(self, request, uuid):
        scope = self.scope_for(request)
        case, ref = self.case_or_404(request, scope, "status", uuid)
        entry = case_selectors.status_entries([case]).filter(pk=ref).first()
        if entry is None:
            raise not_found()
        latest = case_selectors.latest_status_entries([case.pk])
        data = zaken.statussen(scope, [entry], latest, {case.pk: case})[0]
        self.served_one(request, case, "statussen")
        return Response(data)


class ResultaatList(SubList):
    resource = "resultaat"
    ledger = "resultaat"

    def sources(self, request, filters, scope, cases):
        resultaattype = filters.url("resultaattype")
        if cases is None:
            return []
        cases = cases.filter(result__isnull=False).select_related("result").order_by("pk")
        if resultaattype is not None:
            cases = cases.filter(
                pk__in=[
                    case.pk
                    for case in cases
                    if scope.type_url("resultaattype", scope.case_type(case).code, case.result.code)
                    == resultaattype
                ]
            )
        return [
            (
                cases.count(),
                lambda offset, limit: [
                    (zaken.resultaat(scope, case), case.pk, None)
                    for case in cases[offset : offset + limit]
                ],
            )
        ]


class ResultaatDetail(ZakenView):
    resource = "resultaat"

    def get(self, request, uuid):
        scope = self.scope_for(request)
        case, _ref = self.case_or_404(request, scope, "resultaat", uuid)
        if case.result_id is None:
            raise not_found()
        data = zaken.resultaat(scope, case)
        self.served_one(request, case, "resultaat")
        return Response(data)


class RolList(SubList):
    resource = "rol"
    ledger = "rollen"

    def sources(self, request, filters, scope, cases):
        kind = filters.choice("betrokkeneType", BETROKKENE_TYPES)
        generic = filters.choice("omschrijvingGeneriek", GENERIC_ROLES)
        roltype = filters.url("roltype")
        description = filters.text("omschrijving")
        bsn = filters.text(BSN_FILTER)
        subject_ids = (
            self.bsn_subjects(request, filters, BSN_FILTER, bsn) if bsn is not None else None
        )
        unheld = [filters.absent("betrokkene", url=True)]
        unheld += [filters.absent(name) for name, _n in UNHELD_IDENTIFICATION]
        employee = filters.text(EMPLOYEE_FILTER)
        if cases is None or any(unheld):
            return []
        cases = cases.order_by("pk")
        owners = (
            bsn is None and kind in (None, "medewerker") and generic in (None, "zaakcoordinator")
        )
        subject_kinds = [
            k
            for k, betrokkene in zaken.ROLE_SUBJECTS.items()
            if kind in (None, betrokkene) and generic in (None, "belanghebbende")
        ]
        if description is not None:
            owners = owners and description == "Casusregisseur"
            subject_kinds = subject_kinds if description == "Betrokkene" else []
        if employee is not None:
            # The casusregisseur is the only medewerker; identified by user name.
            subject_kinds, cases = [], cases.filter(owner__username=employee)
        links = case_selectors.case_subject_links(cases, subject_kinds)
        if subject_ids is not None:
            links = links.filter(subject__in=subject_ids)
        if roltype is not None:
            owner_types = [
                pk
                for pk, t in scope.served_types.items()
                if scope.type_url("roltype", t.code, "regisseur") == roltype
            ]
            subject_types = [
                pk
                for pk, t in scope.served_types.items()
                if scope.type_url("roltype", t.code, "betrokkene") == roltype
            ]
            cases_of_owner = cases.filter(case_type_id__in=owner_types)
            links = links.filter(case__case_type_id__in=subject_types)
        else:
            cases_of_owner = cases
        sources = []
        if owners:
            sources.append(
                (
                    cases_of_owner.count(),
                    lambda offset, limit: [
                        (zaken.owner_rol(scope, case), case.pk, None)
                        for case in cases_of_owner.select_related("owner")[offset : offset + limit]
                    ],
                )
            )
        if subject_kinds:
            sources.append(
                (
                    links.count(),
                    lambda offset, limit: self.subject_roles(scope, links, offset, limit),
                )
            )
        return sources

    def subject_roles(self, scope, links, offset, limit):
        page = list(links.select_related("case")[offset : offset + limit])
        out = []
        for link in page:
            data, with_bsn = zaken.subject_rol(scope, link.case, link.subject)
            out.append((data, link.case_id, (link.subject, with_bsn)))
        return out

    def served(self, request, served: dict) -> None:
        super().served(request, served)
        self.audit_bsn_search(request, list(served))
        with_bsn = [
            case_id for case_id, extras in served.items() if any(e and e[1] for e in extras)
        ]
        record_served(self.client, with_bsn, "bsn")
        for case_id, extras in served.items():
            for extra in extras:
                if extra:
                    self.audit_person(request, case_id, *extra)


class RolDetail(ZakenView):
    resource = "rol"

    def get(self, request, uuid):
        scope = self.scope_for(request)
        case, ref = self.case_or_404(request, scope, "rol", uuid)
        if ref == zaken.OWNER_REF:
            data, subject, with_bsn = zaken.owner_rol(scope, case), None, False
        else:
            link = (
                case_selectors.case_subject_links([case.pk], list(zaken.ROLE_SUBJECTS))
                .filter(subject_id=ref)
                .first()
            )
            if link is None:
                raise not_found()
            subject = link.subject
            data, with_bsn = zaken.subject_rol(scope, case, subject)
        with transaction.atomic():
            record_served(self.client, [case.pk], "rollen")
            if with_bsn:
                record_served(self.client, [case.pk], "bsn")
            if subject is None:
                self.audit(request, object_id=case.pk)
            else:
                self.audit_person(request, case.pk, subject, with_bsn)
        return Response(data)


class ZaakobjectList(SubList):
    resource = "zaakobject"
    ledger = "zaakobjecten"

    def sources(self, request, filters, scope, cases):
        object_type = filters.choice("objectType", OBJECT_TYPES)
        wanted = filters.url("object")
        if cases is None or wanted is not None or object_type not in (None, "overige"):
            return []
        links = case_selectors.case_subject_links(cases, list(zaken.OBJECT_SUBJECTS))
        return [
            (
                links.count(),
                lambda offset, limit: [
                    (zaken.zaakobject(scope, link.case, link.subject), link.case_id, None)
                    for link in links.select_related("case")[offset : offset + limit]
                ],
            )
        ]


class ZaakobjectDetail(ZakenView):
    resource = "zaakobject"

    def get(self, request, uuid):
        scope = self.scope_for(request)
        case, ref = self.case_or_404(request, scope, "zaakobject", uuid)
        link = (
            case_selectors.case_subject_links([case.pk], list(zaken.OBJECT_SUBJECTS))
            .filter(subject_id=ref)
            .first()
        )
        if link is None:
            raise not_found()
        data = zaken.zaakobject(scope, case, link.subject)
        self.served_one(request, case, "zaakobjecten")
        return Response(data)


OBJECT_TYPES = (
    "adres",
    "besluit",
    "buurt",
    "enkelvoudig_document",
    "gemeente",
    "gemeentelijke_openbare_ruimte",
    "huishouden",
    "inrichtingselement",
    "kadastrale_onroerende_zaak",
    "kunstwerkdeel",
    "maatschappelijke_activiteit",
    "medewerker",
    "natuurlijk_persoon",
    "niet_natuurlijk_persoon",
    "openbare_ruimte",
    "organisatorische_eenheid",
    "pand",
    "spoorbaandeel",
    "status",
    "terreindeel",
    "terrein_gebouwd_object",
    "vestiging",
    "waterdeel",
    "wegdeel",
    "wijk",
    "woonplaats",
    "woz_deelobject",
    "woz_object",
    "woz_waarde",
    "zakelijk_recht",
    "overige",
)
