"""The council report of the demo data, laid out for print, for every year of the plan:
no box (chart, table, line of text) leaves the page's content area or reaches the footer, and
no heading, table caption or table header is the last thing on a page. The checks read
WeasyPrint's layout of the document, the same layout its PDF is written from."""

import io
from datetime import date

from django.core.management import call_command
from django.test import TestCase, override_settings
from pypdf import PdfReader

from noaber.accounts.models import Municipality
from noaber.policy.report import build_report
from noaber.policy.report_views import render_report_html, render_report_pdf

from .pdf_layout import layout_problems

TODAY = date(2026, 11, 30)
PAGE = """<!DOCTYPE html><html lang="nl"><head><style>
@page { size: A4; margin: 2cm 2cm 2.5cm; @bottom-right { content: "Pagina " counter(page); } }
</style></head><body>%s</body></html>"""


@override_settings(DEMO=True, NOABER_TODAY=TODAY)
class DemoReportLayoutTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        with override_settings(DEMO=True, NOABER_TODAY=TODAY):
            call_command("seed_demo", stdout=io.StringIO())
        cls.dinkelland = Municipality.objects.get(cbs_code="GM1774")

    def test_every_plan_year_fits_its_pages(self):
        for year in (2024, 2025, 2026):
            with self.subTest(year=year):
                report = build_report(self.dinkelland, year)
                problems, pages = layout_problems(render_report_html(report))
                self.assertEqual(problems, [])
                # The checked layout is the PDF's: the same number of pages.
                pdf = render_report_pdf(report)
                self.assertEqual(len(PdfReader(io.BytesIO(pdf)).pages), pages)
                self.assertGreater(pages, 5)

    def test_the_last_year_says_once_what_cannot_be_compared(self):
        report = build_report(self.dinkelland, 2026)
        html = render_report_html(report)
        self.assertEqual(html.count("Niet te vergelijken"), 1)
        self.assertEqual(html.count("De cijfers over 2026 zijn er nog niet"), 2)
        self.assertEqual(html.count("— → —"), 0)


class LayoutCheckTests(TestCase):
    """The checks themselves find what they are for (else the test above could not fail)."""

    def test_a_chart_taller_than_the_page_is_found(self):
        svg = '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="1500"></svg>'
        problems, _pages = layout_problems(PAGE % f"<p>Tekst</p><figure>{svg}</figure>")
        self.assertTrue(any("leaves the content area" in p for p in problems), problems)

    def test_a_heading_alone_at_the_bottom_of_a_page_is_found(self):
        body = "<div style='height: 880px'></div><h2>Kop</h2><p style='break-before: page'>Na</p>"
        problems, pages = layout_problems(PAGE % body)
        self.assertGreater(pages, 1)
        self.assertTrue(any("lone h2" in p for p in problems), problems)

    def test_a_page_that_fits_has_no_problems(self):
        self.assertEqual(layout_problems(PAGE % "<h2>Kop</h2><p>Tekst</p>"), ([], 1))
