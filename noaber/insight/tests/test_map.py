"""The staff map (issue 18, point 7): reports and signals per kern and buitengebied, drawn
from Noaber's own boundary data; small counts suppressed on the map as in the table; never
public; a tile layer only where the installation sets one, and then only on this page's CSP."""

from datetime import date

from django.test import override_settings
from django.urls import reverse

from noaber.accounts.tests.base import NoaberTestCase
from noaber.insight.models import RegisterCount
from noaber.intake.models import Area

TILES = "https://tiles.example.nl/brt/{z}/{x}/{y}.png"


def url(query=""):
    return reverse("insight:map", args=["GM1774"]) + query


def count(municipality, kind, area, n, year=2026, theme=None):
    RegisterCount.objects.create(municipality=municipality, kind=kind, area=area, theme=theme,
                                 year=year, week=10, month=3, count=n)  # fmt: skip


@override_settings(NOABER_TODAY=date(2026, 11, 30))
class StaffMapTests(NoaberTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.weerselo = Area.objects.get(municipality=cls.dinkelland, name="Weerselo")
        cls.denekamp = Area.objects.get(municipality=cls.dinkelland, name="Denekamp")
        count(cls.dinkelland, RegisterCount.Kind.REPORT, cls.weerselo, 27)
        count(cls.dinkelland, RegisterCount.Kind.REPORT, cls.denekamp, 3)
        count(cls.dinkelland, RegisterCount.Kind.SIGNAL, cls.denekamp, 6)

    def test_counts_per_area_with_small_counts_suppressed_in_table_and_map(self):
        self.sign_in(self.advisor)
        response = self.client.get(url())
        self.assertEqual(response.status_code, 200)
        counts = response.context["counts"]
        self.assertEqual(counts[self.weerselo.pk]["band"], 3)  # 20 to 50
        self.assertEqual(counts[self.denekamp.pk]["band"], 1)  # "< 5": no exact small number
        self.assertIn("Denekamp: < 5 meldingen, 6 signalen", counts[self.denekamp.pk]["label"])
        self.assertNotIn(">3<", response.content.decode())
        self.assertContains(response, "&lt; 5")
        self.assertContains(response, 'data-noaber-map="counts"')
        # Coloured by signals on request.
        signals = self.client.get(url("?soort=signalen"))
        self.assertEqual(signals.context["counts"][self.denekamp.pk]["band"], 2)

    def test_a_year_without_counts_says_so_and_offers_the_newest(self):
        count(self.dinkelland, RegisterCount.Kind.REPORT, self.weerselo, 8, year=2025)
        self.sign_in(self.management)
        response = self.client.get(url("?jaar=2024"))
        self.assertContains(response, "Over 2024 zijn nog geen meldingen of signalen geteld.")
        self.assertContains(response, "?jaar=2026")

    def test_bad_query_values_get_a_dutch_message(self):
        self.sign_in(self.advisor)
        for query, message in [
            ("?jaar=abc", "Vul een jaar in als getal"),
            ("?jaar=1800", "Kies een jaar vanaf"),
            ("?soort=alles", "Kies meldingen of signalen."),
            ("?thema=999999", "Kies een thema uit de lijst."),
        ]:
            with self.subTest(query=query):
                response = self.client.get(url(query))
                self.assertContains(response, message, status_code=400)
                self.assertNotContains(response, 'data-noaber-map="counts"', status_code=400)

    def test_the_map_is_never_public_nor_for_partners(self):
        self.assertEqual(self.client.get(url()).status_code, 302)
        self.sign_in(self.partner)
        self.assertIn(self.client.get(url()).status_code, (403, 404))

    def test_without_a_tile_source_no_third_party_host_is_allowed(self):
        self.sign_in(self.advisor)
        response = self.client.get(url())
        self.assertNotContains(response, "data-tiles")
        self.assertIn("img-src 'self' data:;", response["Content-Security-Policy"])

    @override_settings(NOABER_MAP_TILES_URL=TILES)
    def test_a_tile_source_is_named_in_the_csp_of_the_staff_map_only(self):
        self.sign_in(self.advisor)
        response = self.client.get(url())
        self.assertContains(response, f'data-tiles="{TILES}"')
        self.assertIn("img-src 'self' data: https://tiles.example.nl;",
                      response["Content-Security-Policy"])  # fmt: skip
        public = self.client.get(reverse("intake:report", args=["GM1774"]))
        self.assertNotIn("tiles.example.nl", public["Content-Security-Policy"])
        self.assertNotContains(public, "tiles.example.nl")
