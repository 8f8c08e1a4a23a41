"""'Mijn werk' and the "Behandelaar en streefdatum" page in a real browser, with the demo data
(load_demo_work: some of the demo advisor's work is overdue): at 1280 and 390 px wide nothing
runs off the screen, the late items come first, axe finds nothing, and a refused streefdatum
shows its Dutch message beside the field. Screenshots go to var/shots/."""

from pathlib import Path

from django.conf import settings
from django.test import tag
from django.urls import reverse

from noaber.accounts.demo import load_demo_users
from noaber.accounts.models import Municipality
from noaber.archive.demo import load_demo_archive
from noaber.cases.demo import load_demo_cases, load_demo_work
from noaber.insight.models import Alert
from noaber.intake.demo import load_demo_reports
from noaber.intake.models import Report
from noaber.partners.demo import load_demo_partners
from noaber.reference import load_all

from .browser import BrowserTestCase, axe_violations

SHOTS = Path(settings.BASE_DIR) / "var" / "shots"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@tag("browser")
class MyWorkInTheBrowserTests(BrowserTestCase):
    def setUp(self):
        load_all()
        load_demo_users()
        load_demo_archive()
        load_demo_reports()
        load_demo_partners()
        load_demo_cases()
        self.assertGreater(load_demo_work(), 0)
        # A peak as the weekly job finds one (seed_demo computes it from three years of
        # history, too slow here).
        Alert.objects.create(
            municipality=Municipality.objects.get(cbs_code="GM1774"), series_key="area:1",
            series_label="Weerselo — overlast jeugd", year=2026, week=47, observed=12,
            expected=2.1, upper=6.3, score=2.4, method="farrington",
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

    def test_mijn_werk_shows_late_work_first_and_fits_a_phone(self):
        for size in SIZES:
            with self.subTest(size=size):
                self.open(size)
                self.page.goto(self.live_server_url + reverse("ui:my_work", args=["GM1774"]))
                self.page.screenshot(path=SHOTS / f"mijn-werk-{size}.png", full_page=True)
                items = self.page.locator("#reports .noaber-worklist__item")
                self.assertGreaterEqual(items.count(), 3)
                self.assertIn("noaber-worklist__item--late", items.first.get_attribute("class"))
                self.assertIn("te laat", self.page.inner_text("main"))
                self.assertIn("Weerselo — overlast jeugd", self.page.inner_text("#alerts"))
                self.assertLessEqual(self.page.evaluate(OVERFLOW), 0)
                self.assertEqual(axe_violations(self.page), [])

    def test_the_assign_page_shows_a_refused_streefdatum_beside_the_field(self):
        report = Report.objects.filter(handler__username="adviseur").order_by("pk").last()
        for size in SIZES:
            with self.subTest(size=size):
                self.open(size)
                url = reverse("intake:assign", args=["GM1774", report.pk])
                self.page.goto(self.live_server_url + url)
                self.page.fill("#id_due_date", "2020-01-01")
                self.page.fill("#id_reason", "Later, want de politie onderzoekt eerst.")
                self.page.click("form.noaber-form button[type=submit]")
                self.page.wait_for_selector("#id_due_date_error")
                self.page.screenshot(path=SHOTS / f"behandelaar-fout-{size}.png", full_page=True)
                self.assertIn(
                    "Een streefdatum ligt niet in het verleden.",
                    self.page.inner_text("#id_due_date_error"),
                )
                self.assertLessEqual(self.page.evaluate(OVERFLOW), 0)
                self.assertEqual(axe_violations(self.page), [])
        self.assertNotEqual(Report.objects.get(pk=report.pk).due_date.year, 2020)

    def test_the_terms_page_lists_terms_and_holidays_without_axe_findings(self):
        for size in SIZES:
            with self.subTest(size=size):
                width, height = SIZES[size]
                if self.context is not None:
                    self.context.close()
                self.context = self.browser.new_context(
                    locale="nl-NL", viewport={"width": width, "height": height}
                )
                self.page = self.context.new_page()
                self.sign_in("beheer")
                self.page.goto(self.live_server_url + reverse("themes:terms", args=["GM1774"]))
                self.page.screenshot(path=SHOTS / f"termijnen-{size}.png", full_page=True)
                self.assertIn("Tweede pinksterdag", self.page.inner_text("main"))
                self.assertLessEqual(self.page.evaluate(OVERFLOW), 0)
                self.assertEqual(axe_violations(self.page), [])
