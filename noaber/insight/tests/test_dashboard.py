"""The veiligheidsbeeld: rates computed from counts, suppressed values never shown as zero,
the region only when all four municipalities are known, small counts suppressed, and the
start-versus-end comparison with its caution."""

import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from noaber.accounts.models import Population
from noaber.accounts.tests.base import NoaberTestCase
from noaber.insight import aggregates
from noaber.insight.dashboard import build
from noaber.insight.figures import NATIONAL, REGION_CODE, Picture, compare
from noaber.insight.models import Indicator, Period, Region, RegionPopulation, Status, Value
from noaber.partners.tests.factories import make_case


def put(indicator, code, year, value, status=Status.DEFINITIVE):
    return Value.objects.update_or_create(
        indicator=Indicator.objects.get(code=indicator),
        region=Region.objects.get(code=code),
        period_type=Period.YEAR,
        year=year,
        number=0,
        defaults={
            "value": None if value is None else Decimal(str(value)),
            "status": status,
            "source": "test",
        },
    )[0]


def url(name, **query):
    base = reverse(f"insight:{name}", args=["GM1774"])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


class FigureTests(NoaberTestCase):
    def setUp(self):
        for code, people in (("GM1774", 26000), ("GM0183", 21000), ("GM0168", 23000),
                             ("GM0173", 32000)):  # fmt: skip
            from noaber.accounts.models import Municipality

            Population.objects.update_or_create(
                municipality=Municipality.objects.get(cbs_code=code), year=2024,
                defaults={"inhabitants": people},
            )  # fmt: skip
        RegionPopulation.objects.create(
            region=Region.objects.get(code=NATIONAL), year=2024, inhabitants=18_000_000
        )
        self.total = Indicator.objects.get(code="crime_total")

    def picture(self, years=(2023, 2024)):
        codes = ["GM1774", "GM0183", "GM0168", "GM0173", NATIONAL, REGION_CODE]
        indicators = Indicator.objects.prefetch_related("typed_rates")
        return Picture(indicators, codes, years)

    def test_a_rate_is_computed_from_the_count_and_the_inhabitants(self):
        put("crime_total", "GM1774", 2024, 520)
        figure = self.picture().figure(self.total, "GM1774", 2024)
        self.assertAlmostEqual(figure.rate, 200.0)
        self.assertFalse(figure.typed_rate)

    def test_the_plans_typed_rate_stands_in_where_the_count_is_unknown(self):
        figure = self.picture().figure(self.total, "GM1774", 2023)
        self.assertIsNone(figure.value)
        self.assertEqual((figure.rate, figure.typed_rate), (185.0, True))
        national = self.picture().figure(self.total, NATIONAL, 2023)
        self.assertEqual(national.rate, 451.0)

    def test_a_suppressed_value_is_never_a_zero(self):
        figure = self.picture().figure(Indicator.objects.get(code="horeca_noise"), "GM1774", 2023)
        self.assertTrue(figure.suppressed)
        self.assertIsNone(figure.value)
        self.assertIsNone(figure.rate)
        row = next(r for d in build(self.dinkelland, 2023)["domains"] for r in d["rows"]
                   if r["indicator"].code == "horeca_noise")  # fmt: skip
        self.assertEqual(row["cells"][-1], "geheim")

    def test_noordoost_twente_is_the_sum_of_all_four_or_unknown(self):
        for code, n in (("GM1774", 500), ("GM0183", 400), ("GM0168", 600)):
            put("crime_total", code, 2024, n)
        partial = self.picture().figure(self.total, REGION_CODE, 2024)
        self.assertIsNone(partial.value)
        self.assertIn("niet van alle vier", partial.note)
        put("crime_total", "GM0173", 2024, 1000)
        whole = self.picture().figure(self.total, REGION_CODE, 2024)
        self.assertEqual(whole.value, Decimal("2500"))
        self.assertAlmostEqual(whole.rate, 2500 * 10000 / 102000)

    def test_the_comparison_warns_where_counts_are_small_or_within_chance(self):
        halt = Indicator.objects.get(code="halt_referrals")
        small = compare(halt, self.fig(12), self.fig(15))
        self.assertEqual(small.verdict, "slechter")
        self.assertIn("Kleine aantallen", small.caution)
        total = self.total
        chance = compare(total, self.fig(500), self.fig(520))
        self.assertIn("binnen wat toeval", chance.caution)
        real = compare(total, self.fig(500), self.fig(400))
        self.assertEqual((real.verdict, real.caution), ("beter", ""))
        self.assertAlmostEqual(real.percent, -20.0)
        unknown = compare(total, self.fig(None), self.fig(400))
        self.assertIn("Niet te vergelijken", unknown.caution)

    def fig(self, value):
        from noaber.insight.figures import Figure

        return Figure(None if value is None else Decimal(value), Status.DEFINITIVE)


class RegisterCountTests(NoaberTestCase):
    def test_counts_per_theme_and_area_with_small_counts_suppressed(self):
        make_case(self.dinkelland, self.advisor)
        cells = aggregates.refresh_register_counts(self.dinkelland)
        self.assertGreater(cells, 0)
        from django.utils import timezone

        year = timezone.localdate().isocalendar().year
        per_theme = aggregates.counts_by([self.dinkelland], year, "theme")
        self.assertEqual(sum(v for (kind, _t), v in per_theme.items() if kind == "report"), 1)
        self.assertEqual(sum(v for (kind, _t), v in per_theme.items() if kind == "case"), 1)
        self.assertEqual(aggregates.shown(1), "< 5")
        self.assertEqual(aggregates.shown(0), 0)
        self.assertEqual(aggregates.shown(7), 7)
        # Running it again gives the same cells (idempotent).
        self.assertEqual(aggregates.refresh_register_counts(self.dinkelland), cells)


class DashboardPageTests(NoaberTestCase):
    def setUp(self):
        put("crime_total", "GM1774", 2024, 500)
        self.case = make_case(self.dinkelland, self.advisor)
        aggregates.refresh_register_counts(self.dinkelland)

    def test_management_sees_the_dashboard_and_nothing_personal(self):
        self.sign_in(self.management)
        response = self.client.get(url("dashboard", jaar=2024))
        self.assertContains(response, "Kerncijfers")
        self.assertContains(response, "Geregistreerde misdrijven, totaal")
        self.assertContains(response, 'role="img"')
        for personal in ("Jan Janssen", "Hoofdweg 12", "7591AB", "Lampen"):
            self.assertNotContains(response, personal)
        response = self.client.get(url("dashboard", jaar=2024, gebied="regio"))
        self.assertContains(response, "Veiligheidsbeeld Noordoost-Twente")

    def test_the_baseline_year_shows_the_plans_figures(self):
        self.sign_in(self.advisor)
        response = self.client.get(url("dashboard", jaar=2023))
        self.assertContains(response, "185,0*")
        self.assertContains(response, "451,0*")

    def test_others_get_no_dashboard(self):
        for user in (self.employee, self.partner):
            self.sign_in(user)
            self.assertEqual(self.client.get(url("dashboard")).status_code, 403)
        # An enforcer is not even told the page exists (FIELD_ROLES).
        self.sign_in(self.enforcer)
        self.assertEqual(self.client.get(url("dashboard")).status_code, 404)

    def test_start_versus_end(self):
        put("crime_total", "GM1774", 2023, 493)
        put("halt_referrals", "GM1774", 2024, 15)
        self.sign_in(self.management)
        response = self.client.get(url("comparison", van=2023, tot=2024))
        self.assertContains(response, "2023 tegenover 2024")
        self.assertContains(response, "binnen wat toeval")
        self.assertContains(response, "Kleine aantallen")

    def test_a_comparison_with_the_years_reversed_or_not_numbers_is_refused(self):
        self.sign_in(self.management)
        response = self.client.get(url("comparison", van=2026, tot=2023))
        self.assertContains(
            response, "Het beginjaar moet vóór het eindjaar liggen.", status_code=400
        )
        self.assertNotContains(response, "tegenover", status_code=400)
        response = self.client.get(url("comparison", van="twee", tot=2023))
        self.assertContains(response, "Vul een jaar in als getal", status_code=400)

    def test_exports_as_csv_and_xlsx(self):
        self.sign_in(self.management)
        response = (
            self.client.get(url("export_csv", jaar=2024))
            if False
            else self.client.get(reverse("insight:export", args=["GM1774", "csv"]) + "?jaar=2024")
        )
        text = response.content.decode("utf-8-sig")
        self.assertIn("Geregistreerde misdrijven, totaal", text)
        self.assertIn(";", text)
        response = self.client.get(
            reverse("insight:export", args=["GM1774", "xlsx"]) + "?jaar=2024"
        )
        book = load_workbook(io.BytesIO(response.content))
        self.assertIn("Kerncijfers 2024", book.sheetnames)
        self.assertEqual(
            self.client.get(reverse("insight:export", args=["GM1774", "pdf"])).status_code, 404
        )
