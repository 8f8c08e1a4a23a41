"""The Zaken API 1.5 resources, made from Noaber's cases as a client may see them: a zaak for
each case of a type the municipality serves and the client's level allows, its statussen from
the timeline, its resultaat, its rollen (the casusregisseur; persons and companies as
belanghebbende) and its zaakobjecten (addresses and vehicles). Nothing is stored but the
disclosure ledger: identifiers are encrypted references (identifiers.py). See docs/zgw.md."""

import uuid
from dataclasses import dataclass, field
from functools import cached_property

from django.urls import reverse
from django.utils import timezone

from noaber.audit.models import Confidentiality
from noaber.cases import selectors as case_selectors

from . import identifiers
from .catalogi import type_url
from .models import ApiClient, Catalogue

PERSON, COMPANY, ADDRESS, VEHICLE = "person", "company", "address", "vehicle"
# Subjects as rollen (belanghebbende) and as zaakobjecten; online identities are not served.
ROLE_SUBJECTS = {PERSON: "natuurlijk_persoon", COMPANY: "niet_natuurlijk_persoon"}
OBJECT_SUBJECTS = {ADDRESS: "adres", VEHICLE: "voertuig"}
OWNER_REF = 0  # the casusregisseur's rol; a subject's rol has the subject's id as reference
PLACEHOLDER = uuid.UUID(int=0)


def level(value: str) -> int:
    return Confidentiality.values.index(value)


@dataclass
class Scope:
    """What one request may see: the client, its catalogue and the case types served to it."""

    request: object
    client: ApiClient
    catalogue: Catalogue
    ceiling: str | None = None  # maximaleVertrouwelijkheidaanduiding of the request
    _urls: dict = field(default_factory=dict)
    _type_urls: dict = field(default_factory=dict)

    @cached_property
    def served_types(self) -> dict:
        """Case type id -> case type: served by the municipality and within the client's level
        (and the request's ceiling)."""
        types = {}
        for case_type in self.catalogue.served_case_types.all():
            if not self.client.may_see(case_type.confidentiality):
                continue
            if self.ceiling and level(case_type.confidentiality) > level(self.ceiling):
                continue
            types[case_type.pk] = case_type
        return types

    def cases(self):
        return case_selectors.exchangeable_cases(self.client.municipality, list(self.served_types))

    @cached_property
    def encode(self) -> identifiers.Encoder:
        return identifiers.Encoder(self.catalogue)

    def uuid(self, kind: str, case_id: int, ref: int = 0) -> str:
        return str(self.encode(kind, case_id, ref))

    def url(self, name: str, kind: str, case_id: int, ref: int = 0) -> str:
        # One reverse per resource and request: the UUID is the path's only variable part.
        if name not in self._urls:
            self._urls[name] = self.request.build_absolute_uri(
                reverse(f"zgw:{name}", args=[PLACEHOLDER])
            ).replace(str(PLACEHOLDER), "{}")
        return self._urls[name].format(self.uuid(kind, case_id, ref))

    def case_type(self, case):
        """A case's type, from the served types already read (no query per case)."""
        return self.served_types.get(case.case_type_id) or case.case_type

    def zaak_url(self, case_id: int) -> str:
        return self.url("zaak", "zaak", case_id)

    def type_url(self, kind: str, *codes: str) -> str:
        if (kind, codes) not in self._type_urls:
            self._type_urls[kind, codes] = type_url(self.request, self.catalogue, kind, *codes)
        return self._type_urls[kind, codes]

    def decode(self, kind: str, value) -> tuple[int, int] | None:
        return identifiers.decode(self.catalogue, kind, value)


def _day(moment):
    return timezone.localdate(moment).isoformat() if moment else None


def zaken(scope: Scope, cases: list) -> list[dict]:
    """The zaak of each case, with the URLs of its status, resultaat, rollen and zaakobjecten
    (four queries for a page, whatever its length)."""
    ids = [case.pk for case in cases]
    latest = case_selectors.latest_status_entries(ids)
    links: dict[int, list] = {}
    kinds = [*ROLE_SUBJECTS, *OBJECT_SUBJECTS]
    for case_id, subject_id, kind in case_selectors.case_subject_kinds(ids, kinds):
        links.setdefault(case_id, []).append((subject_id, kind))
    return [zaak(scope, case, latest.get(case.pk), links.get(case.pk, [])) for case in cases]


def zaak(scope: Scope, case, latest_entry: int | None, links: list) -> dict:
    """`links`: (subject id, kind) of the case's subjects."""
    # Left out, as the standard allows: the nullable objects Noaber has none of (zaakgeometrie,
    # verlenging, opschorting, processobject) — the published document types them as objects
    # that are nullable only beside a reference, which validators read as "never null" — and
    # the optional URLs it has none for (communicatiekanaal, selectielijstklasse): "" is no URL.
    case_type = scope.case_type(case)
    rsin = scope.catalogue.rsin
    rollen = [scope.url("rol", "rol", case.pk, OWNER_REF)] + [
        scope.url("rol", "rol", case.pk, subject_id)
        for subject_id, kind in links
        if kind in ROLE_SUBJECTS
    ]
    objects = [
        scope.url("zaakobject", "zaakobject", case.pk, subject_id)
        for subject_id, kind in links
        if kind in OBJECT_SUBJECTS
    ]
    return {
        "url": scope.zaak_url(case.pk),
        "uuid": scope.uuid("zaak", case.pk),
        "identificatie": case.number,
        "bronorganisatie": rsin,
        # The title is free text that often names a person or a company: only a client
        # entitled to identities reads it; another reads the type and the number.
        "omschrijving": (
            case.title if scope.client.bsn_entitled else f"{case_type.name} {case.number}"
        )[:80],
        "toelichting": "",
        "zaaktype": scope.type_url("zaaktype", case_type.code),
        "registratiedatum": _day(case.created_at),
        "verantwoordelijkeOrganisatie": rsin,
        "startdatum": _day(case.created_at),
        "einddatum": _day(case.closed_at),
        "einddatumGepland": case.due_date.isoformat() if case.due_date else None,
        "uiterlijkeEinddatumAfdoening": None,
        "publicatiedatum": None,
        "productenOfDiensten": [],
        "vertrouwelijkheidaanduiding": case_type.confidentiality,
        "betalingsindicatie": "",
        "betalingsindicatieWeergave": "",
        "laatsteBetaaldatum": None,
        "hoofdzaak": None,
        "deelzaken": [],
        "relevanteAndereZaken": [],
        "eigenschappen": [],
        "rollen": rollen,
        "status": scope.url("status", "status", case.pk, latest_entry) if latest_entry else None,
        "zaakinformatieobjecten": [],
        "zaakobjecten": objects,
        "kenmerken": [],
        "archiefnominatie": case.archiefnominatie or None,
        "archiefstatus": case.archiefstatus,
        "archiefactiedatum": case.archiefactiedatum.isoformat() if case.archiefactiedatum else None,
        "resultaat": scope.url("resultaat", "resultaat", case.pk) if case.result_id else None,
        "opdrachtgevendeOrganisatie": "",
        "processobjectaard": None,
        "startdatumBewaartermijn": None,
    }


def statussen(scope: Scope, entries: list, latest: dict[int, int], cases: dict) -> list[dict]:
    """The status each timeline entry set; `latest` names each case's current one."""
    out = []
    for entry in entries:
        case = cases[entry.case_id]
        case_type = scope.case_type(case)
        code = case_selectors.status_code_of(entry, case_type)
        out.append(
            {
                "url": scope.url("status", "status", case.pk, entry.pk),
                "uuid": scope.uuid("status", case.pk, entry.pk),
                "zaak": scope.zaak_url(case.pk),
                "statustype": scope.type_url("statustype", case_type.code, code),
                "datumStatusGezet": entry.created_at.isoformat(),
                # The timeline's own words (a reopening's reason) stay in Noaber.
                "statustoelichting": "",
                "indicatieLaatstGezetteStatus": latest.get(case.pk) == entry.pk,
                "zaakinformatieobjecten": [],
            }
        )
    return out


def resultaat(scope: Scope, case) -> dict:
    return {
        "url": scope.url("resultaat", "resultaat", case.pk),
        "uuid": scope.uuid("resultaat", case.pk),
        "zaak": scope.zaak_url(case.pk),
        "resultaattype": scope.type_url(
            "resultaattype", scope.case_type(case).code, case.result.code
        ),
        # The closing text names people and facts: it stays in Noaber.
        "toelichting": "",
    }


def _rol(scope: Scope, case, ref: int, role: str, betrokkene_type: str, identity: dict) -> dict:
    from .catalogi import ROLE_TYPES

    description, generic = next((d, g) for code, d, g in ROLE_TYPES if code == role)
    return {
        "url": scope.url("rol", "rol", case.pk, ref),
        "uuid": scope.uuid("rol", case.pk, ref),
        "zaak": scope.zaak_url(case.pk),
        "betrokkeneType": betrokkene_type,
        "afwijkendeNaamBetrokkene": "",
        "roltype": scope.type_url("roltype", scope.case_type(case).code, role),
        "omschrijving": description,
        "omschrijvingGeneriek": generic,
        "roltoelichting": "",
        "registratiedatum": case.created_at.isoformat(),
        "indicatieMachtiging": "",
        "statussen": [],
        "betrokkeneIdentificatie": identity,
    }


def owner_rol(scope: Scope, case) -> dict:
    owner = case.owner
    return _rol(
        scope,
        case,
        OWNER_REF,
        "regisseur",
        "medewerker",
        {
            "identificatie": owner.username[:24],
            "achternaam": (owner.last_name or owner.username)[:200],
            "voorletters": "".join(p[0] for p in owner.first_name.split())[:20],
            "voorvoegselAchternaam": "",
        },
    )


def subject_rol(scope: Scope, case, subject) -> tuple[dict, bool]:
    """A person's or company's rol, and whether it holds a BSN. A person's identity (BSN,
    name, birth date) goes only to a client entitled to BSNs, with its recorded legal basis;
    another client learns that a person is belanghebbende, not who."""
    if subject.kind == PERSON:
        identity, with_bsn = {}, False
        if scope.client.bsn_entitled:
            identity = {"geslachtsnaam": subject.label[:200]}
            if subject.bsn:
                identity["inpBsn"], with_bsn = subject.bsn, True
            if subject.birth_date:
                identity["geboortedatum"] = subject.birth_date[:18]
        return _rol(scope, case, subject.pk, "betrokkene", "natuurlijk_persoon", identity), with_bsn
    # A company's name may be a person's (an eenmanszaak): as a person's identity.
    identity = {"statutaireNaam": subject.label[:500]} if scope.client.bsn_entitled else {}
    return _rol(scope, case, subject.pk, "betrokkene", "niet_natuurlijk_persoon", identity), False


def zaakobject(scope: Scope, case, subject) -> dict:
    """An address or a vehicle of the case; what identifies it (BAG id, postcode and number,
    kenteken — each leads to a person) only for a client entitled to identities."""
    if not scope.client.bsn_entitled:
        data = {}
    elif subject.kind == ADDRESS:
        data = {
            "bagId": subject.bag_id,
            "postcode": subject.postcode,
            "huisnummer": subject.house_number,
            "huisnummertoevoeging": subject.house_number_addition,
        }
    else:
        data = {"kenteken": subject.kenteken}
    return {
        "url": scope.url("zaakobject", "zaakobject", case.pk, subject.pk),
        "uuid": scope.uuid("zaakobject", case.pk, subject.pk),
        "zaak": scope.zaak_url(case.pk),
        "objectType": "overige",
        "objectTypeOverige": OBJECT_SUBJECTS[subject.kind],
        "relatieomschrijving": "",
        "objectIdentificatie": {"overigeData": data},
    }
