"""Local figures (handhaving, brandweer, Halt, enquête, ...) in Noaber's CSV template,
docs/indicators-template.md; an example is data/templates/lokale-cijfers.csv."""

import re
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _

from ..models import Indicator, Period, Status
from .base import (
    BatchInfo,
    Collector,
    Lookup,
    ParsedImport,
    Progress,
    Row,
    RowError,
    SkippedRegionError,
    check_value,
    csv_header,
    file_error,
    iso_weeks_in,
    read_csv,
)

HEADER = ["indicator", "gemeente", "periode", "waarde", "status", "bron", "toelichting"]
STATUSES = {
    "definitief": Status.DEFINITIVE,
    "voorlopig": Status.PROVISIONAL,
    "geheim": Status.SUPPRESSED,
}
NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")
PERIOD = re.compile(r"^(\d{4})(?:-(\d{2})|-[Ww](\d{2}))?$")
MAX_TEXT = 300


def read_local(
    path: Path, *, skip_unknown_regions: bool = False, progress: Progress | None = None
) -> tuple[ParsedImport, BatchInfo]:
    rows, batch = read_csv(path, "local")
    header = csv_header(rows, Path(path).name)
    if header != HEADER:
        raise file_error(
            _("De kopregel moet zijn: %(header)s (gescheiden door puntkomma's).")
            % {"header": ";".join(HEADER)}
        )
    parsed = ParsedImport(kind="local")
    collector = Collector(parsed, progress)
    lookup = Lookup(parsed, skip_unknown_regions=skip_unknown_regions)
    names = {
        name.lower(): code
        for code, name in lookup.municipality_names().items()  # "Dinkelland" -> GM1774
    }
    for line, cells in rows:
        collector.tick()
        if len(cells) != len(HEADER):
            collector.error(
                line,
                _("verwacht %(expected)s kolommen, gevonden %(found)s")
                % {"expected": len(HEADER), "found": len(cells)},
            )
            continue
        try:
            row = _row(line, [cell.strip() for cell in cells], lookup, names)
        except SkippedRegionError:
            parsed.skipped += 1
            continue
        except RowError as error:
            collector.error(line, str(error))
            continue
        collector.add(row)
    return collector.finish(), batch


def _row(line: int, cells: list[str], lookup: Lookup, names: dict) -> Row:
    code, municipality, period, raw, status, source, note = cells
    indicator = lookup.indicators.get(code)
    if indicator is None:
        raise RowError(_("indicator %(code)s bestaat niet") % {"code": code or '""'})
    if indicator.group == Indicator.Group.REGISTER:
        raise RowError(
            _("indicator %(code)s telt Noaber zelf; die kan niet worden geïmporteerd")
            % {"code": code}
        )
    municipality = names.get(municipality.lower(), municipality.upper())
    if not re.fullmatch(r"GM\d{4}", municipality):
        raise RowError(
            _("gemeente %(name)s bestaat niet in Noaber") % {"name": municipality or '""'}
        )
    region = lookup.region(municipality)
    period_type, year, number = parse_period(period)
    if status.lower() not in STATUSES:
        raise RowError(
            _("status %(status)s is onbekend; kies definitief, voorlopig of geheim")
            % {"status": status or '""'}
        )
    status = STATUSES[status.lower()]
    if status == Status.SUPPRESSED:
        if raw:
            raise RowError(
                _("status geheim hoort bij een lege waarde, niet bij %(value)s") % {"value": raw}
            )
        value = None
    elif not raw:
        raise RowError(_("waarde ontbreekt (leeg mag alleen bij status geheim)"))
    elif NUMBER.match(raw):
        value = check_value(Decimal(raw.replace(",", ".")), indicator.unit)
    else:
        raise RowError(_('waarde "%(value)s" is geen getal') % {"value": raw})
    if len(source) > MAX_TEXT or len(note) > MAX_TEXT:
        raise RowError(_("bron en toelichting mogen elk hoogstens 300 tekens zijn"))
    return Row(
        line=line,
        indicator=indicator.code,
        region=region,
        period_type=period_type,
        year=year,
        number=number,
        value=value,
        status=status,
        source=source or indicator.source,
        note=note,
    )


def parse_period(text: str) -> tuple[str, int, int]:
    """ "2023" a year, "2023-09" a month, "2023-W05" an ISO week."""
    match = PERIOD.match(text)
    if match is None or not 1900 <= int(match[1]) <= 2100:
        raise RowError(
            _("periode %(period)s is onbekend; schrijf 2023, 2023-09 of 2023-W05")
            % {"period": text or '""'}
        )
    year = int(match[1])
    if match[2]:
        month = int(match[2])
        if not 1 <= month <= 12:
            raise RowError(_("periode %(period)s heeft geen geldige maand") % {"period": text})
        return Period.MONTH, year, month
    if match[3]:
        week = int(match[3])
        if not 1 <= week <= iso_weeks_in(year):
            raise RowError(
                _("periode %(period)s: %(year)s heeft geen week %(week)s")
                % {"period": text, "year": year, "week": week}
            )
        return Period.WEEK, year, week
    return Period.YEAR, year, 0
