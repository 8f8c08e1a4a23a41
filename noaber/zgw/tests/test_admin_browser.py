"""The admin's ZGW page in a real browser at 1280 and 390 px: a client created (its secret
shown once), the catalogue entered; nothing runs off the screen, axe finds nothing.
Screenshots go to var/shots/."""

from pathlib import Path

from django.conf import settings
from django.test import tag
from django.urls import reverse

from noaber.accounts.demo import load_demo_users
from noaber.accounts.models import Municipality
from noaber.reference import load_all
from noaber.ui.tests.browser import BrowserTestCase, axe_violations
from noaber.zgw.actions import save_catalogue
from noaber.zgw.clients import create_client, revoke_client

SHOTS = Path(settings.BASE_DIR) / "var" / "shots"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@tag("browser")
class ZgwAdminPageInTheBrowserTests(BrowserTestCase):
    def setUp(self):
        load_all()
        load_demo_users()
        dinkelland = Municipality.objects.get(cbs_code="GM1774")
        archive, _secret = create_client(
            dinkelland,
            "E-depot (oud)",
            "e-depot-2019",
            scopes=["zaken.lezen"],
            max_confidentiality="vertrouwelijk",
            bsn_entitled=True,
            legal_basis="Archiefwet 1995, art. 12",
        )
        revoke_client(archive)
        save_catalogue(
            dinkelland, {"rsin": "001234560", "domain": "IVP", "contact_name": "Functioneel beheer"}
        )
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.url = reverse("zgw_admin:clients", args=["GM1774"])

    def test_create_a_client_and_see_its_secret_at_both_widths(self):
        for size, (width, height) in SIZES.items():
            with self.subTest(size=size):
                context = self.browser.new_context(
                    locale="nl-NL", viewport={"width": width, "height": height}
                )
                self.page = context.new_page()
                self.sign_in("beheer")
                self.page.goto(self.live_server_url + self.url)
                self.page.fill("#id_name", "Zaaksysteem")
                self.page.fill("#id_client_id", f"zaaksysteem-{size}")
                self.page.check("#id_scopes_0")
                self.page.select_option("#id_max_confidentiality", "zaakvertrouwelijk")
                self.page.click("text=Systeem toevoegen")
                self.page.wait_for_selector("text=wordt maar één keer getoond")
                self.page.screenshot(path=SHOTS / f"zgw-koppelingen-{size}.png", full_page=True)
                main = self.page.inner_text("main")
                self.assertIn(f"zaaksysteem-{size}", main)
                self.assertIn("ingetrokken op", main)
                self.assertIn("RSIN 001234560", main)
                self.assertLessEqual(self.page.evaluate(OVERFLOW), 0)
                self.assertEqual(axe_violations(self.page), [])
                context.close()
