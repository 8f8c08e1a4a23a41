"""The monthly police alerts in a real browser: the list of peaks, a month's alert page, the
veiligheidsbeeld and Mijn werk at 1280 and 390 px wide, nothing runs off the screen, axe finds
nothing. Screenshots go to var/shots/."""

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.test import override_settings, tag
from django.urls import reverse

from noaber.accounts.demo import load_demo_users
from noaber.accounts.models import Municipality
from noaber.insight.alerts import detect_months_for
from noaber.insight.models import Alert, Indicator, Region, Value
from noaber.insight.series import month_list
from noaber.reference import load_all
from noaber.ui.tests.browser import BrowserTestCase, axe_violations

SHOTS = Path(settings.BASE_DIR) / "var" / "shots"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@tag("browser")
@override_settings(NOABER_TODAY=__import__("datetime").date(2026, 12, 1))
class MonthlyAlertsInTheBrowserTests(BrowserTestCase):
    def setUp(self):
        load_all()
        load_demo_users()
        dinkelland = Municipality.objects.get(cbs_code="GM1774")
        indicator = Indicator.objects.create(
            code="politie-47022ned-1-1-1", name="1.1.1 Diefstal/inbraak woning", group="crime",
            unit="count", source="Politie open data 47022NED", external_key="47022NED:1.1.1",
        )  # fmt: skip
        wijk = Region.objects.create(
            code="WK177400", name="Denekamp", kind="district", municipality=dinkelland
        )
        months = month_list((2026, 10), 72)
        counts = {m: 4 + i % 3 for i, m in enumerate(months)} | {(2026, 10): 19, (2026, 4): None}
        Value.objects.bulk_create(
            Value(indicator=indicator, region=wijk, period_type="month", year=y, number=m,
                  value=None if n is None else Decimal(n),
                  status="suppressed" if n is None else "provisional",
                  source="Politie open data 47022NED")
            for (y, m), n in counts.items()
        )  # fmt: skip
        detect_months_for(dinkelland, (2026, 10))
        self.alert = Alert.objects.get()
        Alert.objects.create(
            municipality=dinkelland, series_key="area:1", series_label="Weerselo — overlast jeugd",
            year=2026, week=47, observed=12, expected=2.1, upper=6.3, score=2.4,
            method="farrington",
        )  # fmt: skip
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.context = None

    def open(self, size):
        width, height = SIZES[size]
        if self.context is not None:
            self.context.close()
        self.context = self.browser.new_context(
            locale="nl-NL", viewport={"width": width, "height": height}
        )
        self.page = self.context.new_page()
        self.sign_in("adviseur")

    def tearDown(self):
        if self.context is not None:
            self.context.close()

    def test_the_list_and_the_alert_page_of_a_month_fit_and_pass_axe(self):
        pages = {
            "pieken-maand": reverse("insight:alerts", args=["GM1774"]),
            "piek-maand": reverse("insight:alert", args=["GM1774", self.alert.pk]),
            "veiligheidsbeeld-maand": reverse("insight:dashboard", args=["GM1774"]) + "?jaar=2026",
            "mijn-werk-maand": reverse("ui:my_work", args=["GM1774"]),
        }
        for size in SIZES:
            self.open(size)
            for name, url in pages.items():
                with self.subTest(size=size, page=name):
                    self.page.goto(self.live_server_url + url)
                    self.page.screenshot(path=SHOTS / f"{name}-{size}.png", full_page=True)
                    main = self.page.inner_text("main")
                    self.assertIn("oktober 2026", main)
                    self.assertIn("maandcijfers politie", main)
                    self.assertLessEqual(self.page.evaluate(OVERFLOW), 0)
                    self.assertEqual(axe_violations(self.page), [])
