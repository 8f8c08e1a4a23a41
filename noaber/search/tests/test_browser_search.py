"""The search box in a real browser (Debian's Chromium through Playwright): reachable from the
menu of every staff page an advisor opens, the results page lists the hits with links to the
object pages, passes axe (WCAG 2.1 AA) with no CSP violation, and fits a 390 px phone without
sideways scrolling of the page. Screenshots go to var/shots/ for a person to look at."""

from pathlib import Path

from django.conf import settings
from django.test import tag

from noaber.accounts.demo import load_demo_users
from noaber.cases.demo import load_demo_cases
from noaber.intake.demo import load_demo_reports
from noaber.partners.demo import load_demo_partners
from noaber.reference import load_all
from noaber.ui.tests.browser import CSP_LISTENER, BrowserTestCase, axe_violations, csp_violations

SHOTS = Path(settings.BASE_DIR) / "var" / "shots"


@tag("browser")
class SearchInTheBrowserTests(BrowserTestCase):
    def setUp(self):
        load_all()
        load_demo_users()
        load_demo_reports()
        load_demo_partners()
        load_demo_cases()
        SHOTS.mkdir(parents=True, exist_ok=True)

    def open(self, width, height):
        self.context = self.browser.new_context(
            locale="nl-NL", viewport={"width": width, "height": height}
        )
        self.context.add_init_script(CSP_LISTENER)
        self.page = self.context.new_page()
        self.addCleanup(self.context.close)

    def search_from_the_menu(self, words):
        self.sign_in("adviseur")
        self.page.fill("#menu-zoeken", words)
        self.page.click(".noaber-menu__search button[type=submit]")
        self.page.wait_for_url("**/zoeken/?q=*")

    def test_a_word_typed_in_the_menu_finds_reports_with_links_at_1280(self):
        self.open(1280, 800)
        self.search_from_the_menu("schuren")
        links = self.page.locator("main table a")
        self.assertGreater(links.count(), 0)
        self.assertRegex(links.first.inner_text(), r"^[MSC]-\d+$")
        self.assertEqual(axe_violations(self.page), [])
        self.assertEqual(csp_violations(self.page), [])
        self.page.screenshot(path=str(SHOTS / "search-1280.png"), full_page=True)
        links.first.click()
        self.page.wait_for_url("**/meldingen/*/")

    def test_the_results_fit_a_phone_at_390(self):
        self.open(390, 844)
        self.search_from_the_menu("schuur")
        width = self.page.evaluate("document.documentElement.scrollWidth")
        self.assertLessEqual(width, 390)
        self.assertEqual(axe_violations(self.page), [])
        self.page.screenshot(path=str(SHOTS / "search-390.png"), full_page=True)
        # A refused search shows its Dutch message on the phone too.
        self.page.fill("#zoekterm", "%")
        self.page.click("form.noaber-form button[type=submit]")
        self.page.wait_for_selector("#zoekfout")
        self.assertIn("geen jokers", self.page.inner_text("#zoekfout"))
        self.page.screenshot(path=str(SHOTS / "search-390-error.png"), full_page=True)
