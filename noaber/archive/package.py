"""Transfer packages of "blijvend bewaren" cases for the archive repository (e-depot).

One directory per case, `<CBS>-C-<id>/` (optionally zipped next to it):

    zaak.json               the case: number, type, result, dates, archive fields, title,
                            closing text, timeline, tasks, interventions, meeting parts
                            (agenda item minutes and decisions); signals and subjects by number
    zaak.mdto.xml           MDTO informatieobject of the case (aggregatieniveau Dossier)
    documenten/<name>       the files of the case: the attachments of the meldpunt reports
                            behind its signals
    documenten/<name>.mdto.xml   MDTO informatieobject (Archiefstuk) of each document
    bestanden/<name>.mdto.xml    MDTO bestand (with SHA-256 checksum) of each file, zaak.json
                                 included
    manifest-sha256.txt     "<sha256>  <path>" for every file above (BagIt style)

MDTO: Metagegevens Duurzaam Toegankelijke Overheidsinformatie (Nationaal Archief), XML
schema 1.0.1, namespace https://www.nationaalarchief.nl/mdto; element order as the schema
has it. Written with xml.etree only.
"""

import hashlib
import json
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from django.utils import timezone

from noaber.cases.models import Case
from noaber.intake.models import Attachment
from noaber.lib.files import AlteredFileError, open_verified

NS = "https://www.nationaalarchief.nl/mdto"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA = f"{NS} https://www.nationaalarchief.nl/mdto/MDTO-XML1.0.1.xsd"
SOURCE = "Noaber"
PRONOM = {
    "application/pdf": ("Acrobat PDF - Portable Document Format", "fmt/276"),
    "image/jpeg": ("JPEG File Interchange Format", "fmt/43"),
    "image/png": ("Portable Network Graphics", "fmt/12"),
    "application/json": ("JSON Data Interchange Format", "fmt/817"),
}

ET.register_namespace("", NS)
ET.register_namespace("xsi", XSI)


def _el(parent, name, text=None):
    node = ET.SubElement(parent, f"{{{NS}}}{name}")
    if text is not None:
        node.text = str(text)
    return node


def _identification(parent, name, kenmerk, bron=SOURCE):
    node = _el(parent, name)
    _el(node, "identificatieKenmerk", kenmerk)
    _el(node, "identificatieBron", bron)
    return node


def _concept(parent, name, label, lijst, code=None):
    node = _el(parent, name)
    _el(node, "begripLabel", label)
    if code:
        _el(node, "begripCode", code)
    _el(_el(node, "begripBegrippenlijst"), "verwijzingNaam", lijst)
    return node


def _reference(parent, name, naam, kenmerk=None, bron=SOURCE):
    node = _el(parent, name)
    _el(node, "verwijzingNaam", naam)
    if kenmerk:
        _identification(node, "verwijzingIdentificatie", kenmerk, bron)
    return node


def _document(root) -> bytes:
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def mdto_case(case: Case, documents: list[str], made_at) -> bytes:
    """The case as an MDTO informatieobject (Dossier)."""
    root = ET.Element(f"{{{NS}}}MDTO")
    obj = _el(root, "informatieobject")
    _identification(obj, "identificatie", f"{case.municipality.cbs_code}-{case.number}")
    _el(obj, "naam", f"{case.case_type.name} {case.number}")
    _concept(obj, "aggregatieniveau", "Dossier", "Begrippenlijst Aggregatieniveaus MDTO")
    _concept(obj, "classificatie", case.case_type.name, "Zaaktypen Noaber", case.case_type.code)
    _el(obj, "omschrijving", f"{case.case_type.name}; resultaat: {case.result.name}")
    period = _el(obj, "dekkingInTijd")
    _concept(period, "dekkingInTijdType", "Looptijd van een dossier", "Begrippenlijst Noaber")
    _el(period, "dekkingInTijdBegindatum", timezone.localdate(case.created_at).isoformat())
    _el(period, "dekkingInTijdEinddatum", timezone.localdate(case.closed_at).isoformat())
    _el(obj, "taal", "nl")
    for label, moment in (("Creatie", case.created_at), ("Afsluiting", case.closed_at),
                          ("Overbrenging", made_at)):  # fmt: skip
        event = _el(obj, "event")
        _concept(event, "eventType", label, "Begrippenlijst EventTypeLijst MDTO")
        _el(event, "eventTijd", timezone.localtime(moment).replace(microsecond=0).isoformat())
    _concept(obj, "waardering", "Blijvend te bewaren", "Begrippenlijst Waarderingen MDTO", "B")
    term = _el(obj, "bewaartermijn")
    _concept(term, "termijnTriggerStartLooptijd", "Afsluiting zaak", "Begrippenlijst Noaber")
    _el(term, "termijnStartdatumLooptijd", timezone.localdate(case.closed_at).isoformat())
    _el(term, "termijnLooptijd", f"P{case.result.term_years}Y")
    _el(term, "termijnEinddatum", case.archiefactiedatum.isoformat())
    _concept(obj, "informatiecategorie", case.result.name, "Resultaattypen Noaber",
             f"{case.case_type.code}/{case.result.code}")  # fmt: skip
    for name in documents:
        _reference(
            obj, "bevatOnderdeel", name, f"{case.municipality.cbs_code}-{case.number}/{name}"
        )
    _reference(obj, "heeftRepresentatie", "zaak.json",
               f"{case.municipality.cbs_code}-{case.number}/zaak.json")  # fmt: skip
    _reference(obj, "archiefvormer", f"Gemeente {case.municipality.name}",
               case.municipality.cbs_code, "CBS gemeentecode")  # fmt: skip
    _reference(obj, "activiteit", "Casusregie integrale veiligheid")
    limit = _el(obj, "beperkingGebruik")
    _concept(limit, "beperkingGebruikType",
             "beperkt openbaar; eerbiediging van de persoonlijke levenssfeer (Archiefwet)",
             "Begrippenlijst Noaber")  # fmt: skip
    _el(limit, "beperkingGebruikNadereBeschrijving",
        "Bevat persoonsgegevens uit casusregie integrale veiligheid; openbaarheid beperkt "
        "ter eerbiediging van de persoonlijke levenssfeer.")  # fmt: skip
    return _document(root)


def mdto_document(case: Case, name: str, created) -> bytes:
    """A document of the case as an MDTO informatieobject (Archiefstuk)."""
    root = ET.Element(f"{{{NS}}}MDTO")
    obj = _el(root, "informatieobject")
    _identification(obj, "identificatie", f"{case.municipality.cbs_code}-{case.number}/{name}")
    _el(obj, "naam", name)
    _concept(obj, "aggregatieniveau", "Archiefstuk", "Begrippenlijst Aggregatieniveaus MDTO")
    event = _el(obj, "event")
    _concept(event, "eventType", "Ontvangst", "Begrippenlijst EventTypeLijst MDTO")
    _el(event, "eventTijd", timezone.localtime(created).replace(microsecond=0).isoformat())
    _concept(obj, "waardering", "Blijvend te bewaren", "Begrippenlijst Waarderingen MDTO", "B")
    _reference(obj, "isOnderdeelVan", f"{case.case_type.name} {case.number}",
               f"{case.municipality.cbs_code}-{case.number}")  # fmt: skip
    _reference(obj, "heeftRepresentatie", name,
               f"{case.municipality.cbs_code}-{case.number}/bestand/{name}")  # fmt: skip
    _reference(obj, "archiefvormer", f"Gemeente {case.municipality.name}",
               case.municipality.cbs_code, "CBS gemeentecode")  # fmt: skip
    limit = _el(obj, "beperkingGebruik")
    _concept(limit, "beperkingGebruikType",
             "beperkt openbaar; eerbiediging van de persoonlijke levenssfeer (Archiefwet)",
             "Begrippenlijst Noaber")  # fmt: skip
    return _document(root)


def mdto_file(case: Case, name: str, digest: str, size: int, content_type: str,
              of: tuple[str, str], made_at) -> bytes:  # fmt: skip
    """A file as an MDTO bestand, with its size, format (PRONOM) and SHA-256 checksum."""
    root = ET.Element(f"{{{NS}}}MDTO")
    obj = _el(root, "bestand")
    _identification(
        obj, "identificatie", f"{case.municipality.cbs_code}-{case.number}/bestand/{name}"
    )
    _el(obj, "naam", name)
    _el(obj, "omvang", size)
    label, code = PRONOM.get(content_type, (content_type, None))
    _concept(obj, "bestandsformaat", label, "PRONOM-register", code)
    checksum = _el(obj, "checksum")
    _concept(checksum, "checksumAlgoritme", "SHA-256", "Begrippenlijst ChecksumAlgoritme MDTO")
    _el(checksum, "checksumWaarde", digest)
    _el(checksum, "checksumDatum", timezone.localtime(made_at).replace(microsecond=0).isoformat())
    _reference(obj, "isRepresentatieVan", *of)
    return _document(root)


def case_record(case: Case) -> dict:
    """The case as data for zaak.json: what the dossier says, signals and subjects by number."""

    def day(value):
        return value.isoformat() if value else None

    return {
        "nummer": case.number,
        "gemeente": {"naam": case.municipality.name, "cbs_code": case.municipality.cbs_code},
        "zaaktype": {"code": case.case_type.code, "naam": case.case_type.name},
        "titel": case.title,
        "resultaat": {"code": case.result.code, "naam": case.result.name},
        "afsluittekst": case.closing_text,
        "geopend_op": day(case.created_at),
        "afgesloten_op": day(case.closed_at),
        "archiefnominatie": case.archiefnominatie,
        "archiefactiedatum": day(case.archiefactiedatum),
        "archiefactietermijn_jaren": case.result.term_years,
        "signalen": [s.number for s in case.signals.order_by("pk")],
        "betrokkenen": [str(s) for s in case.subjects.order_by("pk")],
        "tijdlijn": [
            {
                "op": day(e.created_at),
                "soort": e.kind,
                "tekst": e.text,
                "door": e.actor.username if e.actor else None,
                "corrigeert": e.corrects_id,
            }  # fmt: skip
            for e in case.timeline.select_related("actor")
        ],
        "taken": [
            {
                "taak": t.title,
                "eigenaar": t.owner_label,
                "uiterlijk_op": day(t.due_date),
                "afgerond_op": day(t.completed_at),
                "resultaat": t.result,
                "vervallen": t.withdrawn_reason or None,
            }  # fmt: skip
            for t in case.tasks.select_related("owner_user", "owner_organisation")
        ],
        "interventies": [
            {
                "interventie": i.kind.name,
                "grondslag": i.kind.legal_basis,
                "besloten_op": day(i.decided_on),
                "besloten_door": i.decided_by,
                "opvolging": i.follow_up,
            }  # fmt: skip
            for i in case.interventions.select_related("kind")
        ],
        "overleggen": [
            {
                "overleg": str(a.meeting),
                "datum": day(a.meeting.held_on),
                "verslag": a.minutes,
                "besluiten": [d.text for d in a.decisions.all()],
            }  # fmt: skip
            for a in case.agenda_items.select_related("meeting").prefetch_related("decisions")
        ],
    }


def case_documents(case: Case):
    """The files of a case: the attachments of the meldpunt reports behind its signals."""
    return Attachment.objects.filter(report__signals__cases=case).distinct().order_by("pk")


def copy_attachment(attachment, target: Path) -> tuple[str, int]:
    """Copy an attachment's plain content to `target`, one segment at a time; returns its
    SHA-256 and size. A stored file that was altered (AlteredFileError) or whose content no
    longer matches the digest taken at intake is refused (PackageError)."""
    try:
        handle, _size = open_verified(attachment.file)
    except AlteredFileError as error:
        raise PackageError(
            f"attachment {attachment.pk} of report {attachment.report_id} was altered"
        ) from error
    digest, size = hashlib.sha256(), 0
    with handle, target.open("wb") as out:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    if digest.hexdigest() != attachment.sha256:
        raise PackageError(
            f"attachment {attachment.pk} of report {attachment.report_id} does not match the "
            "SHA-256 taken at intake"
        )
    return digest.hexdigest(), size


class PackageError(Exception):
    """A package cannot be made faithfully; nothing of it is recorded."""


@dataclass
class Package:
    path: Path
    manifest_sha256: str
    files: list = field(default_factory=list)


def write_package(case: Case, out_dir: Path, *, zip_it: bool = False) -> Package:
    """Write the package of `case` under `out_dir`; replaces an earlier one of the same case.
    Files are streamed to disk; only the small XML and JSON parts are built in memory."""
    made_at = timezone.now()
    key = f"{case.municipality.cbs_code}-{case.number}"
    target = out_dir / key
    if target.exists():
        shutil.rmtree(target)
    (target / "documenten").mkdir(parents=True)
    (target / "bestanden").mkdir()
    digests: dict[str, str] = {}

    def put(relative: str, data: bytes) -> None:
        (target / relative).write_bytes(data)
        digests[relative] = _sha256(data)

    dossier = (f"{case.case_type.name} {case.number}", key)
    record = json.dumps(case_record(case), ensure_ascii=False, indent=2).encode() + b"\n"
    put("zaak.json", record)
    put("bestanden/zaak.json.mdto.xml",
        mdto_file(case, "zaak.json", _sha256(record), len(record), "application/json", dossier,
                  made_at))  # fmt: skip
    names = []
    try:
        for attachment in case_documents(case):
            extension = attachment.file.name.rsplit(".", 1)[-1].lower()
            name = f"melding-{attachment.report_id}-bijlage-{attachment.pk}.{extension}"
            digest, size = copy_attachment(attachment, target / "documenten" / name)
            digests[f"documenten/{name}"] = digest
            names.append(name)
            put(f"documenten/{name}.mdto.xml", mdto_document(case, name, attachment.created_at))
            put(f"bestanden/{name}.mdto.xml",
                mdto_file(case, name, digest, size, attachment.content_type,
                          (name, f"{key}/{name}"), made_at))  # fmt: skip
    except PackageError:
        shutil.rmtree(target)
        raise
    put("zaak.mdto.xml", mdto_case(case, names, made_at))
    manifest = "".join(f"{digest}  {relative}\n" for relative, digest in sorted(digests.items()))
    (target / "manifest-sha256.txt").write_text(manifest, encoding="utf-8")
    path = target
    if zip_it:
        path = target.with_suffix(".zip")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(target.rglob("*")):
                if file.is_file():
                    archive.write(file, f"{target.name}/{file.relative_to(target)}")
        shutil.rmtree(target)
    return Package(path, _sha256(manifest.encode()), sorted(digests) + ["manifest-sha256.txt"])
