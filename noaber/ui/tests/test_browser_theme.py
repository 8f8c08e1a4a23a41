"""The theme in a real browser: the shipped font is the one rendered (no fallback), the branding
colour applies, the layout fits at 1280 px and 390 px, and the CSP stays clean.

Same setup as test_browser_accessibility.py (Debian's Chromium through Playwright; skipped
without Chromium unless NOABER_REQUIRE_BROWSER=1)."""

from django.test import tag
from django.urls import reverse

from noaber.accounts.demo import load_demo_branding, load_demo_users
from noaber.reference import load_all

from . import browser as shared
from .browser import BrowserTestCase

FONT = "Source Sans 3"
# Elements whose rendered font must be the shipped one.
TEXTS = [
    "h1",
    "main p",
    "label",
    "th",
    "main button[type=submit]",
    "select, input[type=text], textarea",
]


@tag("browser")
class BrowserThemeTests(BrowserTestCase):
    def setUp(self):
        load_all()
        load_demo_users()
        load_demo_branding()
        self.context = self.browser.new_context(locale="nl-NL")
        self.context.add_init_script(shared.CSP_LISTENER)
        self.page = self.context.new_page()

    def tearDown(self):
        self.context.close()

    def open(self, path, width=1280):
        self.page.set_viewport_size({"width": width, "height": 800 if width > 400 else 844})
        response = self.page.goto(self.live_server_url + path)
        self.assertEqual(response.status, 200, path)
        self.page.evaluate("document.fonts.ready.then(() => true)")
        self.assertEqual(shared.csp_violations(self.page), [], path)

    def rendered_fonts(self, selector) -> list[str]:
        """The fonts Chromium actually drew the first matching element's text with (not the
        CSS font-family list, which would name the font even when it failed to load), with
        "(web)" behind a font loaded through @font-face."""
        cdp = self.context.new_cdp_session(self.page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        if not node:
            return []
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        cdp.detach()
        return [
            f["familyName"] + (" (web)" if f["isCustomFont"] else "")
            for f in fonts
            if f["glyphCount"]
        ]

    def assert_shipped_font(self, path):
        checked = 0
        for selector in TEXTS:
            if not self.page.query_selector(selector):
                continue
            with self.subTest(path=path, selector=selector):
                family = self.page.eval_on_selector(selector, "e => getComputedStyle(e).fontFamily")
                self.assertTrue(family.startswith(f'"{FONT}"'), family)
                rendered = self.rendered_fonts(selector)
                self.assertTrue(rendered, "no text drawn")
                for font in rendered:
                    # The shipped files name their family "Source Sans 3" (plus a style name).
                    self.assertRegex(font, rf"^{FONT}( \w+)? \(web\)$")
                checked += 1
        return checked

    def test_every_text_is_drawn_in_the_shipped_font(self):
        self.open(reverse("intake:report", args=["GM1774"]))
        checked = self.assert_shipped_font("/melden/GM1774/")
        self.sign_in("adviseur")
        for name in ("cases:list", "registry:inbox"):
            path = reverse(name, args=["GM1774"])
            self.open(path)
            checked += self.assert_shipped_font(path)
        self.assertGreaterEqual(checked, 12)

    def test_the_checker_catches_a_fallback_font(self):
        self.open(reverse("accounts:login"))
        self.page.eval_on_selector("h1", "e => { e.style.fontFamily = 'Nowhere Serif, serif'; }")
        rendered = self.rendered_fonts("h1")
        self.assertTrue(rendered)
        self.assertFalse(any(font.startswith(FONT) for font in rendered), rendered)

    def test_the_municipality_colour_applies_and_the_layout_fits(self):
        self.sign_in("adviseur")
        path = reverse("cases:list", args=["GM1774"])
        self.open(path)
        button = "main .utrecht-button--primary-action"
        colour = self.page.eval_on_selector(button, "e => getComputedStyle(e).backgroundColor")
        self.assertEqual(colour, "rgb(31, 111, 67)")  # Dinkelland's demo colour, #1f6f43
        # At 1280 px the menu stands beside the content, in one column.
        menu = self.page.locator("nav.noaber-menu").bounding_box()
        main = self.page.locator("main").bounding_box()
        self.assertLessEqual(menu["x"] + menu["width"], main["x"])
        # On a phone the page does not scroll sideways; wide tables scroll inside their region.
        self.open(path, width=390)
        width = self.page.evaluate("document.documentElement.scrollWidth")
        self.assertLessEqual(width, 390)
        # The filter button's label stays inside the button.
        self.open(reverse("registry:inbox", args=["GM1774"]))
        overflow = self.page.eval_on_selector(
            "form.noaber-form--inline button", "e => e.scrollWidth - e.clientWidth"
        )
        self.assertLessEqual(overflow, 0)
        self.open(reverse("ui:dashboard", args=["GM0183"]))
        colour = self.page.eval_on_selector(
            ".noaber-menu__link--current", "e => getComputedStyle(e).borderInlineStartColor"
        )
        self.assertEqual(colour, "rgb(138, 31, 61)")  # Tubbergen's, #8a1f3d
