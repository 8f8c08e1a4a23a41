"""Tables as downloads: CSV for Dutch spreadsheet programs and XLSX (openpyxl, write-only mode).

Both take a header and rows of plain values (str, int, float, Decimal, date, bool, None), the same
rows a page shows beside its chart. Text that a spreadsheet would run as a formula is defused:
in CSV a cell starting with = + - @ (or a tab or carriage return) gets a leading apostrophe, except
a plain negative number; in XLSX every text cell is written as text, never as a formula.
"""

import csv
import datetime
import io
import re
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NEGATIVE_NUMBER = re.compile(r"-\d+([.,]\d+)?")
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def csv_response(filename, header, rows) -> HttpResponse:
    """A CSV attachment: UTF-8 with BOM and ';' between cells, as Excel in Dutch expects.

    Decimal numbers are written with a decimal comma (8,4) and no thousands separator, so a Dutch
    spreadsheet reads them as numbers; None is an empty cell; dates are ISO 8601.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_cell(value) for value in header])
    writer.writerows([_csv_cell(value) for value in row] for row in rows)
    response = HttpResponse(
        buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, _with_suffix(filename, ".csv")
    )
    return response


def xlsx_response(filename, sheets) -> HttpResponse:
    """An XLSX attachment with one sheet per (title, header, rows): a bold header row, numbers as
    numbers, None as an empty cell. Titles are made valid (at most 31 characters, none of
    []:*?/\\, unique within the workbook)."""
    workbook = Workbook(write_only=True)
    titles, bold = set(), Font(bold=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(_sheet_title(title, titles))
        sheet.append([_xlsx_cell(sheet, value, font=bold) for value in header])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    if not titles:  # a workbook needs a sheet
        workbook.create_sheet(_("Blad1"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, _with_suffix(filename, ".xlsx")
    )
    return response


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    if isinstance(value, float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else value
        return format(number, "f").replace(".", ",")  # never 1e-05
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_START) and not NEGATIVE_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _xlsx_cell(sheet, value, font=None) -> WriteOnlyCell:
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value).replace(tzinfo=None)  # Excel knows no time zones
    elif not isinstance(value, int | float | Decimal | datetime.date | datetime.time | None):
        value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would take "=..." for a formula
    if font:
        cell.font = font
    return cell


def _sheet_title(title, taken) -> str:
    base = SHEET_TITLE_FORBIDDEN.sub(" ", str(title))[:31].strip().strip("'") or _("Blad")
    candidate, number = base, 1
    while candidate.lower() in taken:
        number += 1
        candidate = f"{base[: 31 - len(str(number)) - 1]} {number}"
    taken.add(candidate.lower())
    return candidate


def _with_suffix(filename, suffix) -> str:
    return filename if filename.lower().endswith(suffix) else filename + suffix
