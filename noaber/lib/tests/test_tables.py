import datetime
import io
from decimal import Decimal

from django.test import SimpleTestCase
from django.utils import timezone
from openpyxl import load_workbook

from noaber.lib.tables import XLSX_TYPE, csv_response, xlsx_response

HEADER = ["Indicator", "2019", "2024"]
ROWS = [
    ["Woninginbraak", 120, 80.5],
    ['=HYPERLINK("http://x")', -12, Decimal("-8.40")],
    ["+31 6 1234", "-5", "-3,5"],
    ["@SUM(A1)", None, "-geen getal"],
    ["Peildatum", datetime.date(2024, 12, 31), True],
]


class CsvTests(SimpleTestCase):
    def setUp(self):
        self.response = csv_response("veiligheidsbeeld", HEADER, ROWS)
        self.lines = self.response.content.decode("utf-8-sig").split("\r\n")

    def test_csv_is_an_attachment_in_utf8_with_bom(self):
        self.assertTrue(self.response.content.startswith(b"\xef\xbb\xbf"))
        self.assertEqual(self.response["Content-Type"], "text/csv; charset=utf-8")
        self.assertEqual(
            self.response["Content-Disposition"], 'attachment; filename="veiligheidsbeeld.csv"'
        )

    def test_cells_are_separated_by_semicolons_with_decimal_commas(self):
        self.assertEqual(self.lines[0], "Indicator;2019;2024")
        self.assertEqual(self.lines[1], "Woninginbraak;120;80,5")
        self.assertEqual(self.lines[5], "Peildatum;2024-12-31;ja")

    def test_formulas_are_neutralised_but_negative_numbers_are_not(self):
        self.assertEqual(self.lines[2], '"\'=HYPERLINK(""http://x"")";-12;-8,40')
        self.assertEqual(self.lines[3], "'+31 6 1234;-5;-3,5")
        self.assertEqual(self.lines[4], "'@SUM(A1);;'-geen getal")

    def test_a_non_ascii_file_name_is_encoded(self):
        response = csv_response("overzicht één", HEADER, [])
        self.assertIn(
            "filename*=utf-8''overzicht%20%C3%A9%C3%A9n.csv", response["Content-Disposition"]
        )


class XlsxTests(SimpleTestCase):
    def workbook(self, sheets):
        response = xlsx_response("veiligheidsbeeld.xlsx", sheets)
        self.assertEqual(response["Content-Type"], XLSX_TYPE)
        self.assertEqual(
            response["Content-Disposition"], 'attachment; filename="veiligheidsbeeld.xlsx"'
        )
        return load_workbook(io.BytesIO(response.content))

    def test_xlsx_round_trips_with_numbers_as_numbers_and_a_bold_header(self):
        sheet = self.workbook([("Indicatoren", HEADER, ROWS)])["Indicatoren"]
        self.assertEqual([cell.value for cell in sheet[1]], HEADER)
        self.assertTrue(all(cell.font.b for cell in sheet[1]))
        self.assertFalse(sheet["A2"].font.b)
        self.assertEqual(sheet["B2"].value, 120)
        self.assertEqual(sheet["C2"].value, 80.5)
        self.assertEqual(sheet["C3"].value, -8.4)
        self.assertIsNone(sheet["B5"].value)
        self.assertEqual(sheet["B6"].value, datetime.datetime(2024, 12, 31))
        self.assertIs(sheet["C6"].value, True)

    def test_text_that_looks_like_a_formula_stays_text(self):
        sheet = self.workbook([("Blad", HEADER, ROWS)]).active
        self.assertEqual(sheet["A3"].value, '=HYPERLINK("http://x")')
        self.assertEqual(sheet["A3"].data_type, "s")

    def test_sheet_titles_are_made_valid_and_unique(self):
        long = "Misdrijven per wijk: [2019/2024]? * een hele lange titel"
        workbook = self.workbook([(long, HEADER, []), (long, HEADER, []), ("", HEADER, [])])
        titles = workbook.sheetnames
        self.assertEqual(len(titles), 3)
        self.assertEqual(len(set(titles)), 3)
        for title in titles:
            self.assertLessEqual(len(title), 31)
            self.assertFalse(set(title) & set("[]:*?/\\"))
        self.assertTrue(titles[0].startswith("Misdrijven per wijk"))
        self.assertEqual(titles[2], "Blad")

    def test_aware_times_become_local_and_control_characters_are_dropped(self):
        moment = datetime.datetime(2024, 6, 1, 10, 0, tzinfo=datetime.UTC)
        sheet = self.workbook([("Blad", ["Wanneer", "Tekst"], [[moment, "a\x07b"]])]).active
        expected = timezone.localtime(moment).replace(tzinfo=None)
        self.assertEqual(sheet["A2"].value, expected)
        self.assertEqual(sheet["B2"].value, "ab")
