"""The verwerkingsregister in a real browser at 1280 and 390 px, on screen and as printed:
every activity with what AVG art. 30 asks, nothing runs off the screen, axe finds nothing, and
the printed page holds the register without menu or buttons; and the privacy officer's page of
the processing log (turned on, a client named, a signal released). Screenshots go to
var/shots/."""

from pathlib import Path

from django.conf import settings
from django.test import override_settings, tag
from django.urls import reverse

from noaber.accounts.demo import load_demo_users
from noaber.accounts.models import Municipality
from noaber.reference import load_all
from noaber.registry.tests.helpers import make_signal
from noaber.ui.tests.browser import BrowserTestCase, axe_violations
from noaber.zgw.clients import create_client

SHOTS = Path(settings.BASE_DIR) / "var" / "shots"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@tag("browser")
class RegisterPageInTheBrowserTests(BrowserTestCase):
    def setUp(self):
        load_all()
        load_demo_users()
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.url = reverse("audit:register", args=["GM1774"])

    def test_the_register_on_screen_and_printed_at_both_widths(self):
        for size, (width, height) in SIZES.items():
            with self.subTest(size=size):
                context = self.browser.new_context(
                    locale="nl-NL", viewport={"width": width, "height": height}
                )
                self.page = context.new_page()
                self.sign_in("privacy")
                self.page.goto(self.live_server_url + self.url)
                self.page.screenshot(path=SHOTS / f"verwerkingsregister-{size}.png", full_page=True)
                main = self.page.inner_text("main")
                self.assertIn("Signaalregister ondermijning", main)
                self.assertIn("Categorieën betrokkenen", main)
                self.assertLessEqual(self.page.evaluate(OVERFLOW), 0)
                self.assertEqual(axe_violations(self.page), [])
                self.page.emulate_media(media="print")
                self.assertFalse(self.page.is_visible("nav.noaber-menu"))
                self.assertFalse(self.page.is_visible("text=Download als PDF"))
                self.assertTrue(self.page.is_visible("text=Afgedrukt op"))
                self.page.screenshot(
                    path=SHOTS / f"verwerkingsregister-print-{size}.png", full_page=True
                )
                context.close()


@tag("browser")
@override_settings(ROOT_URLCONF="noaber.zgw.tests.urls_processing_page")
class ProcessingLogPageInTheBrowserTests(BrowserTestCase):
    def setUp(self):
        load_all()
        load_demo_users()
        dinkelland = Municipality.objects.get(cbs_code="GM1774")
        create_client(
            dinkelland, "Privacytool gemeente", "privacytool-dinkelland",
            scopes=["verwerkingen.lezen"],
        )  # fmt: skip
        self.signal = make_signal(dinkelland, None)
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.url = reverse("zgw_processing:page", args=["GM1774"])

    def test_turn_it_on_name_a_client_and_release_a_signal_at_both_widths(self):
        for size, (width, height) in SIZES.items():
            with self.subTest(size=size):
                context = self.browser.new_context(
                    locale="nl-NL", viewport={"width": width, "height": height}
                )
                self.page = context.new_page()
                self.sign_in("privacy")
                self.page.goto(self.live_server_url + self.url)
                self.page.check("#id_enabled")
                self.page.check("#id_clients_0")
                self.page.click("text=Opslaan")
                self.page.wait_for_selector("text=genoemd: privacytool-dinkelland")
                self.page.fill("#id_target", self.signal.number)
                self.page.fill("#id_reason", f"Verzoek AVG-2026-00{len(size)}: onderzoek afgerond")
                self.page.click("button:has-text('Vrijgeven')")
                self.page.wait_for_selector(f"text=AVG-2026-00{len(size)}")
                self.page.screenshot(path=SHOTS / f"verwerkingenlogging-{size}.png", full_page=True)
                self.assertLessEqual(self.page.evaluate(OVERFLOW), 0)
                self.assertEqual(axe_violations(self.page), [])
                context.close()
