"""The veiligheidsbeeld starts where the user is: on this year ("today" fixed through
settings.NOABER_TODAY), saying when its figures are not in yet and offering the newest year that
has them; an empty chart says "geen gegevens"; a query value it cannot use gets a Dutch message,
HTTP 400 and nothing else."""

from datetime import date

from django.test import override_settings
from django.urls import reverse

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.insight.models import Alert, RegisterCount, Value
from noaber.lib.charts import bar_chart

from .test_dashboard import put, url

NOT_IN_YET = "De cijfers over 2026 zijn er nog niet"


@override_settings(NOABER_TODAY=date(2026, 11, 30))
class CurrentYearTests(NoaberTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for year, value in ((2024, 480), (2025, 500)):
            put("crime_total", "GM1774", year, value)

    def setUp(self):
        self.sign_in(self.management)

    def test_the_dashboard_opens_on_this_year_and_offers_the_newest_year_with_figures(self):
        response = self.client.get(url("dashboard"))
        self.assertEqual(response.context["year"], 2026)
        self.assertContains(response, "— 2026</h1>")
        self.assertContains(response, NOT_IN_YET, count=1)
        self.assertContains(response, 'href="/m/GM1774/veiligheidsbeeld/?jaar=2025"', count=2)
        self.assertContains(response, "Bekijk 2025, het nieuwste jaar met cijfers")
        self.assertContains(response, "Nog geen kerncijfers over 2026.")
        self.assertContains(response, 'value="2026"')  # the year field shows where we are
        # The five-year trends end in the newest year with figures: no column of dashes.
        self.assertEqual(response.context["years"], [2021, 2022, 2023, 2024, 2025])
        self.assertContains(response, "Trends sinds 2021")

    def test_the_newest_year_with_figures_shows_them_without_the_notice(self):
        response = self.client.get(url("dashboard", jaar=2025))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, NOT_IN_YET)
        self.assertNotContains(response, "Nog geen kerncijfers")
        self.assertContains(response, "500")  # crime_total 2025 in the key figures

    @override_settings(NOABER_TODAY=date(2025, 3, 1))
    def test_today_comes_from_the_setting(self):
        response = self.client.get(url("dashboard"))
        self.assertEqual(response.context["year"], 2025)
        self.assertNotContains(response, "zijn er nog niet")

    def test_an_older_year_without_figures_says_so_differently(self):
        response = self.client.get(url("dashboard", jaar=2001))
        self.assertContains(response, "Over 2001 heeft Noaber geen cijfers")
        self.assertContains(response, "Bekijk 2025, het nieuwste jaar met cijfers")

    def test_an_empty_chart_says_geen_gegevens_instead_of_an_axis_of_zeros(self):
        self.assertFalse(RegisterCount.objects.filter(year=2024).exists())
        response = self.client.get(url("dashboard", jaar=2024))
        chart = str(response.context["area_svg"])
        self.assertIn("Geen gegevens", chart)
        self.assertNotIn("<rect", chart)
        self.assertNotIn(">0</text>", chart)
        empty = bar_chart([("Denekamp", 0)], title="t", description="d")
        self.assertIn(">0</text>", empty)  # a real zero of a chart that has rows stays a zero
        self.assertIn("Geen gegevens", bar_chart([], title="t", description="d"))

    def test_the_comparison_opens_on_the_newest_year_with_figures(self):
        put("crime_total", "GM1774", 2023, 493)
        put("halt_referrals", "GM1774", 2023, 12)  # not known in 2025
        response = self.client.get(url("comparison"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "2023 tegenover 2025")
        # Said once, with the reason, not as a row of dashes per indicator.
        self.assertContains(response, "Niet te vergelijken", count=1)
        note = response.content.decode().split("Niet te vergelijken")[1].split("</p>")[0]
        self.assertIn("onbekend of geheim is", note)
        self.assertIn("Halt-verwijzingen", note)
        self.assertNotContains(response, 'scope="row">Halt-verwijzingen</th>')
        self.assertContains(response, 'scope="row">Geregistreerde misdrijven, totaal</th>')
        self.assertNotContains(response, '<td class="utrecht-table__cell">—</td>')

    def test_a_comparison_with_this_year_says_once_that_its_figures_are_not_in_yet(self):
        put("crime_total", "GM1774", 2023, 493)
        response = self.client.get(url("comparison", van=2023, tot=2026))
        self.assertContains(response, "Over 2026 zijn (nog) geen cijfers bekend", count=1)
        self.assertNotContains(response, "Niet te vergelijken")
        self.assertContains(response, "Vergelijk 2023 met 2025, het nieuwste jaar met cijfers")


@override_settings(NOABER_TODAY=date(2026, 11, 30))
class BadQueryTests(NoaberTestCase):
    """Every query value these pages read, wrong: a Dutch message, HTTP 400, nothing changed."""

    def setUp(self):
        put("crime_total", "GM1774", 2025, 500)
        self.sign_in(self.management)

    def state(self):
        return (AuditEvent.objects.count(), Value.objects.count(), Alert.objects.count())

    def assert_refused(self, address, message):
        before = self.state()
        response = self.client.get(address)
        self.assertContains(response, message, status_code=400, html=False)
        self.assertEqual(response["Content-Type"], "text/html; charset=utf-8")
        self.assertEqual(self.state(), before)
        return response

    def test_a_year_that_is_no_number_is_refused_in_dutch(self):
        response = self.assert_refused(url("dashboard", jaar="abc"), "Vul een jaar in als getal")
        self.assertNotContains(response, "Kerncijfers", status_code=400)
        self.assertContains(response, "Naar het veiligheidsbeeld van dit jaar", status_code=400)

    def test_a_year_too_early_or_in_the_future_is_refused_in_dutch(self):
        self.assert_refused(url("dashboard", jaar=1800), "Kies een jaar vanaf 1990.")
        self.assert_refused(
            url("dashboard", jaar=2090),
            "Kies een jaar tot en met 2026: over latere jaren zijn er geen cijfers.",
        )

    def test_an_unknown_area_is_refused_in_dutch(self):
        self.assert_refused(
            url("dashboard", gebied="mars"), "Kies deze gemeente of Noordoost-Twente."
        )

    def test_the_export_refuses_a_bad_year_with_a_page_not_a_file(self):
        address = reverse("insight:export", args=["GM1774", "csv"])
        response = self.assert_refused(f"{address}?jaar=abc", "Vul een jaar in als getal")
        self.assertNotIn("Content-Disposition", response)
        self.assert_refused(f"{address}?jaar=1800", "Kies een jaar vanaf 1990.")

    def test_the_comparison_refuses_bad_years_in_dutch(self):
        self.assert_refused(url("comparison", van="abc", tot=2025), "Vul een jaar in als getal")
        self.assert_refused(url("comparison", van=1800, tot=2025), "Kies een jaar vanaf 1990.")
        self.assert_refused(url("comparison", van=2023, tot=2090), "Kies een jaar tot en met 2026")
        self.assert_refused(
            url("comparison", van=2025, tot=2023), "Het beginjaar moet vóór het eindjaar liggen."
        )

    def test_the_peak_list_refuses_a_bad_page_or_status_in_dutch(self):
        self.assert_refused(url("alerts", pagina=-1), "Pagina -1 bestaat niet")
        self.assert_refused(url("alerts", pagina="abc"), "Vul een paginanummer in als getal")
        self.assert_refused(url("alerts", pagina=2), "Pagina 2 bestaat niet")
        self.assert_refused(url("alerts", status="weg"), "Kies een status uit de lijst.")
        self.assertEqual(self.client.get(url("alerts", pagina=1)).status_code, 200)
