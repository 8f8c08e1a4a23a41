"""CBS 83648NED as the CSV download of StatLine's data set: ;-separated, quoted, the same
columns as the OData TypedDataSet. Missing figures are "." (padded with spaces) or empty and are
stored as suppressed. The CSV has no dimension tables: keys are checked by their form, an
indicator made for an unknown soort misdrijf is named "CBS 83648NED <key>", a province by its
code, and every period counts as definitive (the period status is only in the OData Perioden
table: import the JSON to get the "voorlopig" marks)."""

import re
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _

from ..models import Status
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
    check_value,
    csv_header,
    file_error,
    read_csv,
)
from .odata import CBS_83648

COLUMNS = ("id", "soortmisdrijf", "regios", "perioden", "totaalgeregistreerdemisdrijven_1")
MISSING = ("", ".", "x")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def read_cbs_csv(
    path: Path, *, skip_unknown_regions: bool = False, progress: Progress | None = None
) -> tuple[ParsedImport, BatchInfo]:
    table = CBS_83648
    rows, batch = read_csv(path, "cbs-csv")
    header = csv_header(rows, Path(path).name)
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise file_error(
            _("Dit is niet de CSV van %(table)s: kolom %(columns)s ontbreekt in de kopregel.")
            % {"table": table.title, "columns": ", ".join(missing)}
        )
    at = {column: header.index(column) for column in COLUMNS}
    parsed = ParsedImport(kind="cbs-csv")
    collector = Collector(parsed, progress)
    lookup = Lookup(parsed, skip_unknown_regions=skip_unknown_regions)
    for line, cells in rows:
        collector.tick()
        if len(cells) != len(header):
            collector.error(
                line,
                _("verwacht %(expected)s kolommen, gevonden %(found)s")
                % {"expected": len(header), "found": len(cells)},
            )
            continue
        try:
            row = _row(line, cells, at, lookup)
        except SkippedRegionError:
            parsed.skipped += 1
            continue
        except RowError as error:
            collector.error(line, str(error))
            continue
        collector.add(row)
    return collector.finish(), batch


def _row(line: int, cells: list[str], at: dict, lookup: Lookup) -> Row:
    kind = cells[at["soortmisdrijf"]].strip()
    region_key = cells[at["regios"]].strip()
    period = cells[at["perioden"]].strip()
    raw = cells[at["totaalgeregistreerdemisdrijven_1"]].strip()
    if not re.fullmatch(r"[A-Za-z0-9_]+", kind):
        raise RowError(_("soort misdrijf %(key)s is geen CBS-sleutel") % {"key": kind or '""'})
    region = lookup.region(region_key)
    period_type, year, number = cbs_period(period)
    indicator = lookup.external_indicator(
        f"{CBS_83648.id}:{kind}",
        CBS_83648.code_prefix + kind.lower(),
        f"CBS 83648NED {kind}",
        CBS_83648.source,
    )
    if raw in MISSING:
        value = None
    elif NUMBER.match(raw):
        value = check_value(Decimal(raw), lookup.unit(indicator))
    else:
        raise RowError(_('waarde "%(value)s" is geen getal') % {"value": raw})
    return Row(
        line=line,
        indicator=indicator,
        region=region,
        period_type=period_type,
        year=year,
        number=number,
        value=value,
        status=Status.SUPPRESSED if value is None else Status.DEFINITIVE,
        source=CBS_83648.source,
    )
