"""The public form refuses an address in another served municipality and offers to send the
report there (issue 18, point 6): in Chromium at 1280 and 390 px, the offer is visible without
scrolling past the form, passes axe, and following it files the report in Tubbergen with
everything typed. Screenshots go to var/shots/ (git-ignored)."""

from pathlib import Path

from django.conf import settings
from django.test import tag
from django.urls import reverse

from noaber.intake.bag import import_bag
from noaber.intake.fixtures import BAG_FILE
from noaber.intake.models import Report
from noaber.reference import load_all

from . import browser as shared
from .browser import BrowserTestCase

SHOTS = Path(settings.BASE_DIR) / "var" / "shots"
DESCRIPTION = "Elke nacht busjes bij de loods achter de Grotestraat."


@tag("browser")
class AddressElsewhereBrowserTests(BrowserTestCase):
    def setUp(self):
        load_all()
        import_bag(BAG_FILE)
        self.context = self.browser.new_context(locale="nl-NL")
        self.context.add_init_script(shared.CSP_LISTENER)
        self.page = self.context.new_page()
        SHOTS.mkdir(parents=True, exist_ok=True)

    def tearDown(self):
        self.context.close()

    def test_an_address_in_tubbergen_is_offered_to_tubbergen_and_arrives_there(self):
        for width, height in [(1280, 800), (390, 844)]:
            with self.subTest(width=width):
                Report.objects.all().delete()
                page = self.page
                page.set_viewport_size({"width": width, "height": height})
                page.goto(self.live_server_url + reverse("intake:report", args=["GM1774"]))
                page.select_option("#id_category", "verdacht-pand")
                page.fill("#id_description", DESCRIPTION)
                page.fill("#id_postcode", "7651 AB")
                page.fill("#id_house_number", "20")
                page.click("form.noaber-form button[type=submit]")
                offer = page.locator("#andere-gemeente")
                offer.wait_for()
                self.assertIn("Deze plek ligt in de gemeente Tubbergen", offer.inner_text())
                self.assertEqual(Report.objects.count(), 0)
                # The offer comes before the form, within the first two screens on a phone.
                self.assertLess(offer.bounding_box()["y"], 2 * height)
                self.assertEqual(shared.axe_violations(page), [])
                self.assertEqual(shared.csp_violations(page), [])
                page.screenshot(path=str(SHOTS / f"bag-elders-{width}.png"), full_page=False)
                offer.scroll_into_view_if_needed()
                page.screenshot(path=str(SHOTS / f"bag-elders-{width}-aanbod.png"))
                page.click("#andere-gemeente button[type=submit]")
                page.wait_for_selector("#bonnummer")
                page.screenshot(path=str(SHOTS / f"bag-elders-{width}-ontvangen.png"))
                report = Report.objects.get()
                self.assertEqual(
                    (report.municipality.cbs_code, report.street, report.description),
                    ("GM0183", "Grotestraat", DESCRIPTION),
                )
