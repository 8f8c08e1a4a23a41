"""The index of every API (/api/) in a real browser at 1280 and 390 px: each family with its
schema link, the operations opened; nothing runs off the screen, axe finds nothing.
Screenshots go to var/shots/."""

from pathlib import Path

from django.conf import settings
from django.test import tag

from noaber.ui.tests.browser import BrowserTestCase, axe_violations

SHOTS = Path(settings.BASE_DIR) / "var" / "shots"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@tag("browser")
class ApiIndexInTheBrowserTests(BrowserTestCase):
    def test_the_index_at_both_widths(self):
        SHOTS.mkdir(parents=True, exist_ok=True)
        for size, (width, height) in SIZES.items():
            with self.subTest(size=size):
                context = self.browser.new_context(
                    locale="nl-NL", viewport={"width": width, "height": height}
                )
                page = context.new_page()
                page.goto(self.live_server_url + "/api/")
                for summary in page.locator("summary").all():
                    summary.click()
                page.screenshot(path=SHOTS / f"api-index-{size}.png", full_page=True)
                main = page.inner_text("main")
                for title in ("Meldpunt (openbaar)", "Partner-API", "ZGW Catalogi API"):
                    self.assertIn(title, main)
                self.assertIn("/api/schema/zgw-zaken/", main)
                self.assertIn("GET /api/zgw/catalogi/v1/zaaktypen", main)
                self.assertLessEqual(page.evaluate(OVERFLOW), 0)
                self.assertEqual(axe_violations(page), [])
                context.close()
