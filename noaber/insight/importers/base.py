"""What every indicator importer shares: the row it produces, the error it raises, the checks
on values and periods, and the look-ups of indicators and regions (which may add new ones, to be
created by `store` together with the values)."""

import csv
import datetime
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.utils.text import slugify
from django.utils.translation import gettext as _

from noaber.accounts.models import Municipality

from ..models import Indicator, Period, Region, Status

# progress(phase, done, total): total is None while the total is not known yet.
Progress = Callable[[str, int, int | None], None]
PROGRESS_EVERY = 2000

# The largest value Value.value (14 digits, 3 decimals) can hold.
MAX_VALUE = Decimal("99999999999.999")
MAX_COUNT = 99_999_999_999


class IndicatorImportError(Exception):
    """Raised before anything is stored. `errors` is a list of (row_number, message), in Dutch;
    row_number is None for an error about the file as a whole."""

    def __init__(self, errors: list[tuple[int | None, str]]):
        self.errors = errors
        super().__init__("; ".join(format_error(n, m) for n, m in errors[:5]))


def format_error(row_number: int | None, message: str) -> str:
    return (
        message
        if row_number is None
        else _("rij %(n)s: %(message)s")
        % {
            "n": row_number,
            "message": message,
        }
    )


def file_error(message: str) -> IndicatorImportError:
    return IndicatorImportError([(None, message)])


@dataclass(slots=True)
class Row:
    """One figure to store. `line` is the row number the user can look up: the data row's
    position in the data set (1 = first row) for OData JSON, the line in the file (1 = header)
    for CSV."""

    line: int
    indicator: str  # Indicator.code
    region: str  # Region.code
    period_type: str
    year: int
    number: int
    value: Decimal | None
    status: str
    source: str
    note: str = ""

    @property
    def key(self) -> tuple:
        return (self.indicator, self.region, self.period_type, self.year, self.number)


@dataclass
class BatchInfo:
    kind: str
    file_name: str
    sha256: str


@dataclass
class ParsedImport:
    """Validated rows plus the indicators and regions they need that do not exist yet."""

    kind: str
    rows: list[Row] = field(default_factory=list)
    new_indicators: dict[str, dict] = field(default_factory=dict)  # code -> Indicator fields
    new_regions: dict[str, dict] = field(default_factory=dict)  # code -> Region fields
    skipped: int = 0


class Collector:
    """Gathers rows and row errors; refuses duplicate keys; raises once at the end."""

    def __init__(self, parsed: ParsedImport, progress: Progress | None = None):
        self.parsed = parsed
        self.errors: list[tuple[int | None, str]] = []
        self.seen: dict[tuple, int] = {}
        self.progress = progress
        self.read = 0

    def error(self, line: int | None, message: str) -> None:
        self.errors.append((line, message))

    def tick(self) -> None:
        self.read += 1
        if self.progress and self.read % PROGRESS_EVERY == 0:
            self.progress("lezen", self.read, None)

    def add(self, row: Row) -> None:
        first = self.seen.setdefault(row.key, row.line)
        if first != row.line:
            self.error(
                row.line,
                _("dezelfde indicator, hetzelfde gebied en dezelfde periode als rij %(n)s")
                % {"n": first},
            )
            return
        self.parsed.rows.append(row)

    def finish(self) -> ParsedImport:
        if self.progress:
            self.progress("lezen", self.read, self.read)
        if not self.errors and not self.parsed.rows and not self.parsed.skipped:
            self.error(None, _("Het bestand bevat geen rijen met cijfers."))
        if self.errors:
            raise IndicatorImportError(self.errors)
        return self.parsed


# Values -----------------------------------------------------------------------------------


class RowError(ValueError):
    """A row that cannot be stored; the message is the Dutch row error."""


def check_value(value: Decimal, unit: str) -> Decimal:
    if not value.is_finite():
        raise RowError(_("waarde %(value)s is geen getal") % {"value": value})
    if abs(value) > MAX_VALUE:
        raise RowError(_("waarde %(value)s is te groot") % {"value": value})
    if value.as_tuple().exponent < -3 and value != value.quantize(Decimal("0.001")):
        raise RowError(_("waarde %(value)s heeft meer dan 3 decimalen") % {"value": value})
    if value < 0:
        raise RowError(_("waarde %(value)s is negatief") % {"value": value})
    if unit == Indicator.Unit.COUNT and value != value.to_integral_value():
        raise RowError(
            _("een aantal moet een geheel getal zijn, niet %(value)s") % {"value": value}
        )
    if unit == Indicator.Unit.PERCENT and value > 100:
        raise RowError(_("een percentage kan niet meer dan 100 zijn"))
    if unit == Indicator.Unit.SCORE and value > 10:
        raise RowError(_("een rapportcijfer kan niet meer dan 10 zijn"))
    return value.quantize(Decimal("0.001"))


def json_number(raw, unit: str) -> Decimal | None:
    """An OData measure: a JSON number, or null for a figure that is not published."""
    if raw is None:
        return None
    if type(raw) is int and 0 <= raw <= MAX_COUNT and unit == Indicator.Unit.COUNT:
        return Decimal(raw)  # the common case, already known to be fine
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise RowError(_("waarde %(value)s is geen getal") % {"value": _shown(raw)})
    return check_value(Decimal(str(raw)), unit)


def _shown(raw) -> str:
    text = raw if isinstance(raw, str) else repr(raw).lower()
    return f'"{text}"' if isinstance(raw, str) else text


# Periods ----------------------------------------------------------------------------------

CBS_PERIOD = re.compile(r"^(\d{4})(JJ|MM)(\d{2})$")


def cbs_period(key: str) -> tuple[str, int, int]:
    """ "2023JJ00" -> a year, "2023MM09" -> a month; quarters and other forms are refused."""
    match = CBS_PERIOD.match(key)
    if match is None:
        raise RowError(
            _("periode %(key)s wordt niet ondersteund (alleen jaren en maanden)") % {"key": key}
        )
    year, kind, number = int(match[1]), match[2], int(match[3])
    if kind == "JJ":
        if number != 0:
            raise RowError(_("periode %(key)s wordt niet ondersteund") % {"key": key})
        return Period.YEAR, year, 0
    if not 1 <= number <= 12:
        raise RowError(_("periode %(key)s heeft geen geldige maand") % {"key": key})
    return Period.MONTH, year, number


def cbs_period_status(title_status: str) -> str:
    """The Status of a CBS Perioden row: only "Definitief" is definitive; "Voorlopig",
    "Nader voorlopig" and anything else count as provisional."""
    return (
        Status.DEFINITIVE
        if title_status.strip().lower() in ("", "definitief")
        else Status.PROVISIONAL
    )


def iso_weeks_in(year: int) -> int:
    return datetime.date(year, 12, 28).isocalendar().week


# Look-ups -----------------------------------------------------------------------------------

REGION_CODE = re.compile(r"^(NL\d{2}|PV\d{2}|GM\d{4}|WK\d{6}|BU\d{8})$")
REGION_KIND = {
    "NL": Region.Kind.COUNTRY,
    "PV": Region.Kind.PROVINCE,
    "GM": Region.Kind.MUNICIPALITY,
    "WK": Region.Kind.DISTRICT,
    "BU": Region.Kind.NEIGHBOURHOOD,
}

# An external key whose figures belong to an indicator that is keyed by another source.
ALIASES = {"47022NED:0.0.0": "crime_total"}


class SkippedRegionError(Exception):
    """The row names a region outside Noaber and the user asked to skip those."""


class Lookup:
    """Indicators by code and external key, regions by code, Noaber's municipalities.
    New indicators and regions are recorded in `parsed`, not saved."""

    def __init__(self, parsed: ParsedImport, *, skip_unknown_regions: bool = False):
        self.parsed = parsed
        self.skip_unknown_regions = skip_unknown_regions
        self.indicators = {i.code: i for i in Indicator.objects.all()}
        self.by_external = {
            i.external_key: i.code for i in self.indicators.values() if i.external_key
        }
        for external, code in ALIASES.items():
            if code in self.indicators:
                self.by_external.setdefault(external, code)
        self.regions = dict(Region.objects.values_list("code", "kind"))
        named = list(Municipality.objects.values_list("cbs_code", "pk", "name"))
        self.municipalities = {code: pk for code, pk, _name in named}
        self._names = {code: name for code, _pk, name in named}
        self._units: dict[str, str] = {c: i.unit for c, i in self.indicators.items()}

    def municipality_names(self) -> dict[str, str]:
        return self._names

    def unit(self, code: str) -> str:
        return self._units[code]

    def external_indicator(self, external_key: str, code: str, name: str, source: str) -> str:
        """The code of the indicator for `external_key`, adding an indicator if there is none."""
        found = self.by_external.get(external_key)
        if found:
            return found
        code = slugify(code)[:80]
        if code in self.indicators:  # made by an earlier import, external key since edited
            found = code
        else:
            self.parsed.new_indicators[code] = {
                "name": name[:200],
                "group": Indicator.Group.CRIME,
                "unit": Indicator.Unit.COUNT,
                "source": source,
                "external_key": external_key,
            }
            self._units[code] = Indicator.Unit.COUNT
            found = code
        self.by_external[external_key] = found
        return found

    def region(self, code: str, title: str = "") -> str:
        """The region for a CBS code, adding provinces, wijken and buurten; a municipality must
        be one of Noaber's. Raises RowError, or SkippedRegionError with --skip-unknown-regions."""
        if code in self.regions or code in self.parsed.new_regions:
            if code.startswith("GM") and code not in self.municipalities:
                return self._outside(code, code)
            return code
        if not REGION_CODE.match(code):
            return self._unsupported(code)
        prefix = code[:2]
        name = title.strip() or code
        if prefix == "NL":
            if code != "NL01":
                return self._unsupported(code)
            fields = {"name": name, "kind": Region.Kind.COUNTRY, "municipality_id": None}
        elif prefix == "PV":
            fields = {"name": name, "kind": Region.Kind.PROVINCE, "municipality_id": None}
        else:
            municipality = "GM" + code[2:6]
            if municipality not in self.municipalities:
                return self._outside(code, municipality)
            fields = {
                "name": name,
                "kind": REGION_KIND[prefix],
                "municipality_id": self.municipalities[municipality],
            }
        self.parsed.new_regions[code] = fields
        return code

    def _outside(self, code: str, municipality: str):
        if self.skip_unknown_regions:
            raise SkippedRegionError
        if code == municipality:
            raise RowError(_("gemeente %(code)s bestaat niet in Noaber") % {"code": code})
        raise RowError(
            _("gebied %(code)s: gemeente %(municipality)s bestaat niet in Noaber")
            % {"code": code, "municipality": municipality}
        )

    def _unsupported(self, code: str):
        if self.skip_unknown_regions:
            raise SkippedRegionError
        raise RowError(_("gebied %(code)s wordt niet ondersteund") % {"code": code})


# CSV ----------------------------------------------------------------------------------------


def read_csv(path: Path, kind: str) -> tuple[Iterator[tuple[int, list[str]]], BatchInfo]:
    """The rows of a ;-separated UTF-8 file (a BOM is fine) as (line number, cells), the header
    first, and the batch info (its sha256)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise file_error(
            _("%(file)s kan niet worden gelezen: %(error)s")
            % {"file": path.name, "error": error.strerror or error}
        ) from error
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise file_error(
            _("%(file)s is geen UTF-8-tekst (bewaar het als CSV UTF-8).") % {"file": path.name}
        ) from error
    batch = BatchInfo(kind, str(path)[:300], hashlib.sha256(data).hexdigest())
    return _csv_rows(text, path.name), batch


def _csv_rows(text: str, file_name: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
    try:
        for cells in reader:
            if cells and any(cell.strip() for cell in cells):
                yield reader.line_num, cells
    except csv.Error as error:
        raise IndicatorImportError(
            [
                (
                    reader.line_num,
                    _("%(file)s is geen geldige CSV: %(error)s")
                    % {"file": file_name, "error": error},
                )
            ]
        ) from error


def csv_header(rows: Iterator[tuple[int, list[str]]], file_name: str) -> list[str]:
    for _line, cells in rows:
        return [cell.strip().lower() for cell in cells]
    raise file_error(_("%(file)s is leeg.") % {"file": file_name})
