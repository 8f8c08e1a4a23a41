"""CBS StatLine 83648NED and police open data 47022NED as OData v3 JSON.

Local files: a directory with the dimension tables (SoortMisdrijf.json, RegioS.json or
WijkenEnBuurten.json, Perioden.json: each {"value": [{"Key": ..., "Title": ...}]}) and the rows
in TypedDataSet.json, continued in TypedDataSet-2.json, TypedDataSet-3.json, ... (one file per
page of at most 10,000 rows, as saved from the API). A page whose "odata.nextLink" points further
needs the next file. Or a URL: the data set's OData v3 base URL, pages fetched with $top/$skip
and odata.nextLink followed.

Both tables hold roll-ups: the police table has a row for the municipality (GM) and for each of
its wijken (WK) and buurten (BU). Every row is stored at its own region, as it comes; a
municipality's figure is its GM row, never the sum of its wijken or buurten (see
`monthly_total`), so nothing is counted twice and suppressed buurten do not turn into zeros.
"""

import hashlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from noaber.lib import dates

from ..models import Period, Status, Value
from .base import (
    BatchInfo,
    Collector,
    Lookup,
    ParsedImport,
    Progress,
    Row,
    RowError,
    SkippedRegionError,
    cbs_period,
    cbs_period_status,
    file_error,
    json_number,
)

PAGE_SIZE = 10_000
MAX_PAGES = 1_000
URL_TIMEOUT = 60


@dataclass(frozen=True)
class Table:
    kind: str
    id: str
    title: str
    measure: str
    region_dimension: str
    source: str
    code_prefix: str


CBS_83648 = Table(
    kind="cbs",
    id="83648NED",
    title="CBS 83648NED (Geregistreerde criminaliteit; soort misdrijf, regio)",
    measure="TotaalGeregistreerdeMisdrijven_1",
    region_dimension="RegioS",
    source="CBS StatLine 83648NED",
    code_prefix="cbs-83648ned-",
)
POLICE_47022 = Table(
    kind="police",
    id="47022NED",
    title="politie open data 47022NED (Geregistreerde misdrijven; wijk en buurt, per maand)",
    measure="GeregistreerdeMisdrijven_1",
    region_dimension="WijkenEnBuurten",
    source="Politie open data 47022NED",
    code_prefix="politie-47022ned-",
)


class ODataSource:
    """Reads the JSON documents of one data set from a directory or a URL, one page at a time,
    hashing every byte read (the batch's sha256)."""

    def __init__(self, table: Table, path: Path | None = None, url: str | None = None):
        self.table = table
        self.path = Path(path) if path is not None else None
        self.url = url.rstrip("/") if url else None
        if self.url and urllib.parse.urlsplit(self.url).scheme not in ("http", "https"):
            raise file_error(_("De bron moet een http- of https-URL zijn."))
        if self.path is not None and not self.path.is_dir():
            raise file_error(
                _(
                    "%(path)s is geen map; verwacht een map met TypedDataSet.json en de "
                    "tabellen van %(table)s."
                )
                % {"path": self.path, "table": table.title}
            )
        self.digest = hashlib.sha256()

    @property
    def name(self) -> str:
        return self.url or str(self.path)

    def batch(self) -> BatchInfo:
        return BatchInfo(self.table.kind, self.name[:300], self.digest.hexdigest())

    def _fetch(self, url: str, label: str) -> bytes:
        try:
            request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 (scheme checked)
            with urllib.request.urlopen(request, timeout=URL_TIMEOUT) as response:  # noqa: S310
                return response.read()
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise file_error(
                _("Ophalen van %(label)s mislukt: %(error)s") % {"label": label, "error": error}
            ) from error

    def _document(self, data: bytes, label: str) -> dict:
        self.digest.update(label.encode() + b"\0" + data)
        try:
            document = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise file_error(
                _("%(file)s is geen geldige JSON: %(error)s") % {"file": label, "error": error}
            ) from error
        if not isinstance(document, dict) or not isinstance(document.get("value"), list):
            raise file_error(
                _('%(file)s is geen OData-document met "value"; verwacht %(table)s.')
                % {"file": label, "table": self.table.title}
            )
        if not all(isinstance(item, dict) for item in document["value"]):
            raise file_error(
                _("%(file)s bevat rijen die geen object zijn; verwacht %(table)s.")
                % {"file": label, "table": self.table.title}
            )
        return document

    def _local(self, file_name: str) -> dict:
        path = self.path / file_name
        if not path.is_file():
            raise file_error(
                _("%(file)s ontbreekt in %(dir)s; verwacht %(table)s.")
                % {"file": file_name, "dir": self.path, "table": self.table.title}
            )
        return self._document(path.read_bytes(), file_name)

    def dimension(self, name: str) -> dict[str, dict]:
        """{key (stripped): row} of a dimension table."""
        if self.url:
            url = f"{self.url}/{name}?$format=json"
            document = self._document(self._fetch(url, name), name)
        else:
            document = self._local(f"{name}.json")
        rows = {}
        for item in document["value"]:
            if not isinstance(item.get("Key"), str):
                raise file_error(
                    _("%(file)s is geen dimensietabel (kolom Key ontbreekt); verwacht %(table)s.")
                    % {"file": name, "table": self.table.title}
                )
            rows[item["Key"].strip()] = item
        return rows

    def pages(self) -> Iterator[list[dict]]:
        return self._url_pages() if self.url else self._local_pages()

    def _local_pages(self) -> Iterator[list[dict]]:
        number, wants_next = 1, False
        while True:
            file_name = "TypedDataSet.json" if number == 1 else f"TypedDataSet-{number}.json"
            if number > 1 and not (self.path / file_name).is_file():
                if wants_next:
                    raise file_error(
                        _(
                            "Pagina %(n)s ontbreekt: %(file)s (de vorige pagina verwijst "
                            "ernaar met odata.nextLink)."
                        )
                        % {"n": number, "file": file_name}
                    )
                return
            document = self._local(file_name)
            wants_next = bool(document.get("odata.nextLink"))
            yield document["value"]
            number += 1

    def _url_pages(self) -> Iterator[list[dict]]:
        skip = 0
        url = f"{self.url}/TypedDataSet?$format=json&$top={PAGE_SIZE}&$skip=0"
        for number in range(1, MAX_PAGES + 1):
            document = self._document(self._fetch(url, f"TypedDataSet ($skip={skip})"), url)
            rows = document["value"]
            yield rows
            next_link = document.get("odata.nextLink")
            if next_link:
                url = urllib.parse.urljoin(url, next_link)
                match = re.search(r"\$skip=(\d+)", url)
                skip = int(match[1]) if match else skip + len(rows)
                if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                    raise file_error(_("odata.nextLink is geen http- of https-URL."))
            elif len(rows) >= PAGE_SIZE:
                skip += len(rows)
                url = f"{self.url}/TypedDataSet?$format=json&$top={PAGE_SIZE}&$skip={skip}"
            else:
                return
            if number == MAX_PAGES:
                raise file_error(_("Meer dan %(n)s pagina's; gestopt.") % {"n": MAX_PAGES})


def read_cbs(
    path: Path | None = None,
    *,
    url: str | None = None,
    skip_unknown_regions: bool = False,
    progress: Progress | None = None,
) -> tuple[ParsedImport, BatchInfo]:
    """CBS 83648NED: TotaalGeregistreerdeMisdrijven_1 per soort misdrijf, region and period."""
    return read_odata(CBS_83648, path, url, skip_unknown_regions, progress)


def read_police(
    path: Path | None = None,
    *,
    url: str | None = None,
    skip_unknown_regions: bool = False,
    progress: Progress | None = None,
) -> tuple[ParsedImport, BatchInfo]:
    """Police 47022NED: GeregistreerdeMisdrijven_1 per soort misdrijf, GM/WK/BU and month."""
    return read_odata(POLICE_47022, path, url, skip_unknown_regions, progress)


def read_odata(table: Table, path, url, skip_unknown_regions, progress):
    source = ODataSource(table, path, url)
    parsed = ParsedImport(kind=table.kind)
    collector = Collector(parsed, progress)
    lookup = Lookup(parsed, skip_unknown_regions=skip_unknown_regions)
    pages = source.pages()
    first = next(pages)
    columns = ("SoortMisdrijf", table.region_dimension, "Perioden", table.measure)
    if first and any(column not in first[0] for column in columns):
        missing = [column for column in columns if column not in first[0]]
        raise file_error(
            _("Dit is niet de tabel %(table)s: kolom %(columns)s ontbreekt.")
            % {"table": table.title, "columns": ", ".join(missing)}
        )
    reader = RowReader(
        table,
        lookup,
        kinds=source.dimension("SoortMisdrijf"),
        regions=source.dimension(table.region_dimension),
        periods=source.dimension("Perioden"),
    )
    line = 0
    for page in _chain(first, pages):
        for raw in page:
            line += 1
            collector.tick()
            try:
                row = reader.row(raw, line)
            except SkippedRegionError:
                parsed.skipped += 1
                continue
            except RowError as error:
                collector.error(line, str(error))
                continue
            collector.add(row)
    return collector.finish(), source.batch()


def _chain(first, rest):
    yield first
    yield from rest


@dataclass(frozen=True)
class Failed:
    error: type
    message: str


class RowReader:
    """Turns OData rows into Rows. A data set repeats few keys many times, so what a key
    resolves to (or the error it gives) is worked out once per key."""

    def __init__(self, table: Table, lookup: Lookup, *, kinds, regions, periods):
        self.table = table
        self.lookup = lookup
        self.kinds = kinds
        self.regions = regions
        self.periods = periods
        self.cache: dict[tuple[str, str], object] = {}

    def row(self, raw: dict, line: int) -> Row:
        table = self.table
        indicator, unit = self._cached("SoortMisdrijf", raw, self._indicator)
        region = self._cached(table.region_dimension, raw, self._region)
        period_type, year, number, status = self._cached("Perioden", raw, self._period)
        if table.measure not in raw:
            raise RowError(_("kolom %(column)s ontbreekt") % {"column": table.measure})
        value = json_number(raw[table.measure], unit)
        return Row(
            line=line,
            indicator=indicator,
            region=region,
            period_type=period_type,
            year=year,
            number=number,
            value=value,
            status=Status.SUPPRESSED if value is None else status,
            source=table.source,
        )

    def _cached(self, column: str, raw: dict, resolve):
        key = raw.get(column)
        try:
            found = self.cache[column, key]
        except (KeyError, TypeError):
            if not isinstance(key, str) or not key.strip():
                raise RowError(
                    _("kolom %(column)s ontbreekt of is leeg") % {"column": column}
                ) from None
            try:
                found = resolve(key.strip())
            except (RowError, SkippedRegionError) as error:
                found = Failed(type(error), str(error))
            self.cache[column, key] = found
        if type(found) is Failed:
            raise found.error(found.message)  # a new one each time: tracebacks don't pile up
        return found

    def _indicator(self, kind: str) -> tuple[str, str]:
        if kind not in self.kinds:
            raise RowError(
                _("soort misdrijf %(key)s staat niet in SoortMisdrijf.json") % {"key": kind}
            )
        table = self.table
        code = self.lookup.external_indicator(
            f"{table.id}:{kind}",
            table.code_prefix + kind.lower().replace(".", "-"),
            str(self.kinds[kind].get("Title") or kind).strip(),
            table.source,
        )
        return code, self.lookup.unit(code)

    def _region(self, key: str) -> str:
        if key not in self.regions:
            raise RowError(
                _("gebied %(key)s staat niet in %(file)s.json")
                % {"key": key, "file": self.table.region_dimension}
            )
        title = re.sub(r"\s*\(PV\)$", "", str(self.regions[key].get("Title") or ""))
        return self.lookup.region(key, title)

    def _period(self, key: str) -> tuple[str, int, int, str]:
        if key not in self.periods:
            raise RowError(_("periode %(key)s staat niet in Perioden.json") % {"key": key})
        period_type, year, number = cbs_period(key)
        now = dates.today()
        if (year, number if period_type == Period.MONTH else 0) > (
            now.year,
            now.month if period_type == Period.MONTH else 0,
        ):
            # A month (or year) that has not begun has no figures: a wrong file or a wrong key.
            raise RowError(_("periode %(key)s ligt in de toekomst") % {"key": key})
        return (
            period_type,
            year,
            number,
            cbs_period_status(str(self.periods[key].get("Status") or "")),
        )


def monthly_total(indicator, region, year: int, month: int):
    """The figure of `region` (a municipality, wijk or buurt) for a month: the region's own row,
    or None when there is none or it is suppressed. Never a sum of the regions inside it: the
    police publish the municipality's total as its own (GM) row, and buurten that are
    suppressed would otherwise count as zero."""
    value = (
        Value.objects.filter(
            indicator=indicator, region=region, period_type=Period.MONTH, year=year, number=month
        )
        .values_list("value", flat=True)
        .first()
    )
    return value
