"""The maps in a real browser (issue 18, point 7): on the public form a click on the map of
the municipality's own outline fills the coordinate fields, and so does the keyboard path
(pan with the arrow keys, then "Kies het midden van de kaart"); the report is then accepted
with that point. The staff map colours the areas. No page loads anything from another host,
and axe finds no serious violation. Screenshots at 1280 and 390 px under var/screenshots/."""

from pathlib import Path

from django.test import tag
from django.urls import reverse

from noaber.accounts.demo import load_demo_users
from noaber.intake.geo import contains
from noaber.intake.models import Boundary, Report
from noaber.reference import load_all

from .browser import CSP_LISTENER, BrowserTestCase, axe_violations, csp_violations

SHOTS = Path("var/screenshots/maps")
SIZES = [(1280, 800), (390, 844)]


@tag("browser")
class MapTests(BrowserTestCase):
    def setUp(self):
        load_all()
        load_demo_users()
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.foreign = []

    def open(self, width, height):
        self.context = self.browser.new_context(
            locale="nl-NL", viewport={"width": width, "height": height}
        )
        self.context.add_init_script(CSP_LISTENER)
        self.page = self.context.new_page()
        host = self.live_server_url
        self.page.on(
            "request", lambda r: None if r.url.startswith(host) else self.foreign.append(r.url)
        )

    def check_clean(self):
        self.assertEqual(axe_violations(self.page) + csp_violations(self.page), [])
        self.assertEqual(self.foreign, [], "a map page asked another host")

    def test_a_resident_picks_the_point_on_the_map_and_the_report_keeps_it(self):
        outline = Boundary.objects.get(municipality__cbs_code="GM1774").geometry
        for width, height in SIZES:
            with self.subTest(width=width):
                self.open(width, height)
                self.page.goto(self.live_server_url + reverse("intake:report", args=["GM1774"]))
                self.page.click("summary:has-text('Of geef een punt op de kaart')")
                self.page.wait_for_selector(
                    ".noaber-map path.leaflet-interactive, .noaber-map svg path"
                )
                box = self.page.locator("[data-noaber-map]").bounding_box()
                self.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                lat = float(self.page.input_value("#id_latitude"))
                lon = float(self.page.input_value("#id_longitude"))
                self.assertTrue(contains(outline, lon, lat), (lat, lon))
                self.assertIn("Gekozen punt", self.page.inner_text("[data-noaber-map-status]"))
                # The keyboard path: focus the map, pan, choose the middle.
                self.page.focus("[data-noaber-map]")
                self.page.keyboard.press("ArrowRight")
                self.page.click("[data-noaber-map-centre]")
                self.assertNotEqual(float(self.page.input_value("#id_longitude")), lon)
                self.page.screenshot(path=SHOTS / f"public-pick-{width}.png", full_page=True)
                self.check_clean()
                self.context.close()
        # The point chosen on the map lands on the report.
        self.open(1280, 800)
        self.page.goto(self.live_server_url + reverse("intake:report", args=["GM1774"]))
        self.page.select_option("#id_category", index=1)
        self.page.fill("#id_description", "Steeds dezelfde bestelbus 's nachts bij de schuur.")
        self.page.click("summary:has-text('Of geef een punt op de kaart')")
        self.page.wait_for_selector(".noaber-map svg path")
        box = self.page.locator("[data-noaber-map]").bounding_box()
        self.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        lat = self.page.input_value("#id_latitude")
        self.page.click("form.noaber-form button[type=submit]")
        self.page.wait_for_selector("text=bonnummer")
        report = Report.objects.latest("pk")
        self.assertEqual(f"{report.latitude:.6f}", lat)
        self.context.close()

    def test_the_staff_map_colours_the_areas_from_noabers_own_data(self):
        from noaber.accounts.models import Municipality
        from noaber.insight.aggregates import refresh_register_counts
        from noaber.intake.demo import load_demo_reports

        load_demo_reports()
        refresh_register_counts(Municipality.objects.get(cbs_code="GM1774"))
        for width, height in SIZES:
            with self.subTest(width=width):
                self.open(width, height)
                self.sign_in("adviseur")
                self.page.goto(self.live_server_url + reverse("insight:map", args=["GM1774"]))
                self.page.wait_for_selector(".noaber-map svg path")
                self.assertGreater(self.page.locator(".noaber-map svg path").count(), 0)
                self.page.screenshot(path=SHOTS / f"staff-map-{width}.png", full_page=True)
                self.check_clean()
                self.context.close()
