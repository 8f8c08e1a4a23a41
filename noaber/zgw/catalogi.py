"""The Catalogi API 1.3 resources, generated from the case types as data: each case type is a
zaaktype of the municipality's catalogue, its statuses statustypen (the closed state the end
status), its results resultaattypen (with archiefnominatie and archiefactietermijn) and the
roles a case knows roltypen. Nothing here is stored: identifiers are UUIDs derived from the
catalogue's own UUID and the codes, so they stay the same from request to request."""

import uuid
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from noaber.cases import selectors as case_selectors

from .models import Catalogue

# The roles every Noaber case has, as ZGW roltypen: (code, omschrijving, omschrijvingGeneriek).
ROLE_TYPES = (
    ("regisseur", "Casusregisseur", "zaakcoordinator"),
    ("behandelaar", "Ketenpartner die een taak uitvoert", "behandelaar"),
    ("betrokkene", "Betrokkene", "belanghebbende"),
    ("melder", "Melder", "initiator"),
)


@dataclass(frozen=True)
class Published:
    """One generated resource: its UUID, its JSON and what the standard's filters read."""

    uuid: uuid.UUID
    data: dict
    zaaktype_url: str = ""
    zaaktype_identificatie: str = ""


def object_uuid(catalogue: Catalogue, kind: str, *codes: str) -> uuid.UUID:
    return uuid.uuid5(catalogue.uuid, ":".join((kind, *codes)))


def _url(request, name: str, key) -> str:
    return request.build_absolute_uri(reverse(f"zgw:{name}", args=[key]))


def type_url(request, catalogue: Catalogue, kind: str, *codes: str) -> str:
    """The URL of a zaaktype, statustype, resultaattype or roltype of this catalogue, by the
    codes of its case type (and status, result or role)."""
    return _url(request, kind, object_uuid(catalogue, kind, *codes))


def _duration_years(years: int) -> str:
    return f"P{years}Y"


def catalogus(request, catalogue: Catalogue) -> dict:
    types = zaaktypen(request, catalogue)
    data = {
        "url": _url(request, "catalogus", catalogue.uuid),
        "domein": catalogue.domain,
        "rsin": catalogue.rsin,
        "contactpersoonBeheerNaam": catalogue.contact_name,
        "contactpersoonBeheerTelefoonnummer": "",
        "contactpersoonBeheerEmailadres": catalogue.contact_email,
        "zaaktypen": [z.data["url"] for z in types],
        "besluittypen": [],
        "informatieobjecttypen": [],
        "naam": _("Zaaktypen integrale veiligheid %(m)s") % {"m": catalogue.municipality.name},
        "versie": "1",
        "begindatumVersie": catalogue.created_at.date().isoformat(),
    }
    if not catalogue.contact_email:
        del data["contactpersoonBeheerEmailadres"]  # optional; "" is no e-mail address
    return data


def zaaktypen(request, catalogue: Catalogue) -> list[Published]:
    published = []
    begin = catalogue.created_at.date().isoformat()
    catalogue_url = _url(request, "catalogus", catalogue.uuid)
    municipality = catalogue.municipality
    for case_type in case_selectors.case_types_with_results():
        key = object_uuid(catalogue, "zaaktype", case_type.code)
        url = _url(request, "zaaktype", key)
        statuses = [s.data["url"] for s in _statustypen(request, catalogue, case_type, url)]
        results = [r.data["url"] for r in _resultaattypen(request, catalogue, case_type, url)]
        roles = [r.data["url"] for r in _roltypen(request, catalogue, case_type, url)]
        data = {
            "url": url,
            "identificatie": case_type.code,
            "omschrijving": case_type.name[:80],
            "omschrijvingGeneriek": "",
            "vertrouwelijkheidaanduiding": case_type.confidentiality,
            "doel": _("Integrale aanpak volgens het Integraal Veiligheidsplan: %(t)s.")
            % {"t": case_type.name},
            "aanleiding": _("Een melding of signaal dat om een gezamenlijke aanpak vraagt."),
            "toelichting": "",
            "indicatieInternOfExtern": "intern",
            "handelingInitiator": _("aanmelden"),
            "onderwerp": case_type.name[:80],
            "handelingBehandelaar": _("regie voeren"),
            "doorlooptijd": "P1Y",
            "servicenorm": None,
            "opschortingEnAanhoudingMogelijk": False,
            "verlengingMogelijk": False,
            "verlengingstermijn": None,
            "trefwoorden": [],
            "publicatieIndicatie": False,
            "publicatietekst": "",
            "verantwoordingsrelatie": [],
            "productenOfDiensten": [],
            "selectielijstProcestype": "",
            "referentieproces": {"naam": _("Casusregie integrale veiligheid"), "link": ""},
            "verantwoordelijke": municipality.name[:50],
            "zaakobjecttypen": [],
            "catalogus": catalogue_url,
            "statustypen": statuses,
            "resultaattypen": results,
            "eigenschappen": [],
            # The published 1.3.1 document types this one field as a string (an erratum: Open
            # Zaak answers a list). The document is the contract; Noaber has none to name.
            "informatieobjecttypen": "",
            "roltypen": roles,
            "besluittypen": [],
            "deelzaaktypen": [],
            "gerelateerdeZaaktypen": [],
            "beginGeldigheid": begin,
            "eindeGeldigheid": None,
            "beginObject": begin,
            "eindeObject": None,
            "versiedatum": begin,
            "concept": False,
        }
        published.append(Published(key, data, url, case_type.code))
    return published


def _of_every_type(build, request, catalogue: Catalogue) -> list[Published]:
    """What ``build`` makes of each case type, in the order of the case types."""
    return [
        item
        for case_type in case_selectors.case_types_with_results()
        for item in build(
            request, catalogue, case_type, _zaaktype_url(request, catalogue, case_type)
        )
    ]


def statustypen(request, catalogue: Catalogue) -> list[Published]:
    return _of_every_type(_statustypen, request, catalogue)


def resultaattypen(request, catalogue: Catalogue) -> list[Published]:
    return _of_every_type(_resultaattypen, request, catalogue)


def roltypen(request, catalogue: Catalogue) -> list[Published]:
    return _of_every_type(_roltypen, request, catalogue)


def _zaaktype_url(request, catalogue, case_type) -> str:
    return _url(request, "zaaktype", object_uuid(catalogue, "zaaktype", case_type.code))


def _statustypen(request, catalogue, case_type, zaaktype_url) -> list[Published]:
    catalogue_url = _url(request, "catalogus", catalogue.uuid)
    items = []
    for number, (code, label) in enumerate(case_type.statuses, start=1):
        key = object_uuid(catalogue, "statustype", case_type.code, code)
        data = {
            "url": _url(request, "statustype", key),
            "omschrijving": str(label)[:80],
            "omschrijvingGeneriek": "",
            "statustekst": "",
            "zaaktype": zaaktype_url,
            "catalogus": catalogue_url,
            "zaaktypeIdentificatie": case_type.code,
            "volgnummer": number,
            "isEindstatus": code == case_selectors.CLOSED,
            "informeren": False,
            "doorlooptijd": None,
            "toelichting": None,
            "checklistitemStatustype": [],
            "eigenschappen": [],
            "beginGeldigheid": None,
            "eindeGeldigheid": None,
            "beginObject": None,
            "eindeObject": None,
            "zaakobjecttype": "",
        }
        items.append(Published(key, data, zaaktype_url, case_type.code))
    return items


def _resultaattypen(request, catalogue, case_type, zaaktype_url) -> list[Published]:
    catalogue_url = _url(request, "catalogus", catalogue.uuid)
    items = []
    for result in case_type.results.all():
        key = object_uuid(catalogue, "resultaattype", case_type.code, result.code)
        data = {
            "url": _url(request, "resultaattype", key),
            "zaaktype": zaaktype_url,
            "zaaktypeIdentificatie": case_type.code,
            "omschrijving": result.name[:30],
            "resultaattypeomschrijving": "",
            "omschrijvingGeneriek": "",
            "selectielijstklasse": "",
            "toelichting": result.name,
            "archiefnominatie": result.archive,
            "archiefactietermijn": _duration_years(result.term_years),
            "brondatumArchiefprocedure": {
                "afleidingswijze": "afgehandeld",
                "datumkenmerk": "",
                "einddatumBekend": False,
                "objecttype": "",
                "registratie": "",
                "procestermijn": None,
            },
            "procesobjectaard": None,
            "catalogus": catalogue_url,
            "beginGeldigheid": None,
            "eindeGeldigheid": None,
            "beginObject": None,
            "eindeObject": None,
            "indicatieSpecifiek": None,
            "procestermijn": None,
            "besluittypen": [],
            "besluittypeOmschrijving": [],
            "informatieobjecttypen": [],
            "informatieobjecttypeOmschrijving": [],
            "zaakobjecttypen": [],
        }
        items.append(Published(key, data, zaaktype_url, case_type.code))
    return items


def _roltypen(request, catalogue, case_type, zaaktype_url) -> list[Published]:
    catalogue_url = _url(request, "catalogus", catalogue.uuid)
    items = []
    for code, description, generic in ROLE_TYPES:
        key = object_uuid(catalogue, "roltype", case_type.code, code)
        data = {
            "url": _url(request, "roltype", key),
            "zaaktype": zaaktype_url,
            "zaaktypeIdentificatie": case_type.code,
            "omschrijving": description,
            "omschrijvingGeneriek": generic,
            "catalogus": catalogue_url,
            "beginGeldigheid": None,
            "eindeGeldigheid": None,
            "beginObject": None,
            "eindeObject": None,
        }
        items.append(Published(key, data, zaaktype_url, case_type.code))
    return items
