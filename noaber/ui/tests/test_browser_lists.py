"""The list pager in a real browser (issue 18): on the inbox at 1280 px and 390 px, the count
line, sortable headers and pager fit the screen (nothing wider than the viewport but the
table's own scroll region), pass axe (WCAG 2.1 AA), and Volgende and a header click work;
a bad page number shows its Dutch message. Screenshots go to var/shots/."""

from pathlib import Path

from django.conf import settings
from django.test import override_settings, tag

from noaber.accounts.demo import load_demo_users
from noaber.accounts.models import Municipality
from noaber.intake.demo import load_demo_reports
from noaber.lib.tests.test_paging import make_reports
from noaber.reference import load_all

from .browser import BrowserTestCase, axe_violations

SHOTS = Path(settings.BASE_DIR) / "var" / "shots"
WIDER_THAN_VIEWPORT = """() => [...document.querySelectorAll('body *')]
  .filter(e => !e.closest('.noaber-scroll'))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .map(e => e.tagName + '.' + e.className).slice(0, 5)"""


@tag("browser")
@override_settings(NOABER_PAGE_SIZE=10)
class InboxPagerInTheBrowserTests(BrowserTestCase):
    def setUp(self):
        load_all()
        load_demo_users()
        load_demo_reports()
        make_reports(Municipality.objects.get(cbs_code="GM1774"), 40)
        SHOTS.mkdir(parents=True, exist_ok=True)

    def test_the_inbox_pages_and_sorts_and_fits_at_1280_and_390_px(self):
        for width, height in ((1280, 800), (390, 844)):
            with self.subTest(width=width):
                context = self.browser.new_context(
                    locale="nl-NL", viewport={"width": width, "height": height}
                )
                self.page = context.new_page()
                self.sign_in("adviseur")
                inbox = self.live_server_url + "/m/GM1774/meldingen/"
                self.page.goto(inbox)
                count = self.page.locator(".noaber-count").inner_text()
                self.assertRegex(count, r"^1–10 van \d+$")
                # Sort by Status through its header, then go to the next page.
                self.page.click("th[aria-sort] a:has-text('Status')")
                self.assertEqual(
                    self.page.get_attribute("th:has-text('Status')", "aria-sort"), "ascending"
                )
                self.page.click(".noaber-pager a[rel=next]")
                self.assertRegex(
                    self.page.locator(".noaber-count").inner_text(), r"^11–20 van \d+$"
                )
                self.assertIn("sorteer=status", self.page.url)
                self.assertEqual(self.page.evaluate(WIDER_THAN_VIEWPORT), [])
                self.assertEqual(axe_violations(self.page), [])
                self.page.screenshot(path=SHOTS / f"inbox-sorted-page2-{width}.png", full_page=True)
                response = self.page.goto(inbox + "?pagina=999999")
                self.assertEqual(response.status, 400)
                alert = self.page.locator(".utrecht-alert--error").inner_text()
                self.assertIn("Pagina 999999 bestaat niet", alert)
                self.assertEqual(self.page.evaluate(WIDER_THAN_VIEWPORT), [])
                self.page.screenshot(path=SHOTS / f"inbox-bad-page-{width}.png", full_page=True)
                context.close()
