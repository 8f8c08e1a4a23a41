"""A person signs in through the identity provider in Chromium, and the provider ends the
session: back-channel logout and RP-initiated logout, end to end against the real provider."""

import os

from django.test import tag

from noaber.accounts import providers
from noaber.accounts.models import IdentityProvider, Municipality, ProviderSession, Role
from noaber.reference import load_all
from noaber.ui.tests.browser import CSP_LISTENER, BrowserTestCase, axe_violations, csp_violations

from . import oidc_op

SECRET = "noaber-client-secret-for-the-browser"
SHOTS = os.environ.get("NOABER_SHOTS", "")  # a folder: save screenshots of the pages here


@tag("browser", "oidc")
class ProviderBrowserTests(BrowserTestCase):
    @classmethod
    def setUpClass(cls):
        oidc_op.ensure_available()
        super().setUpClass()
        base = cls.live_server_url
        cls.op = oidc_op.TestProvider(
            clients=[
                {
                    "client_id": "noaber",
                    "client_secret": SECRET,
                    "redirect_uris": [f"{base}/inloggen/via/gemeente/terug/"],
                    "post_logout_redirect_uris": [f"{base}/inloggen/"],
                    "backchannel_logout_uri": f"{base}/inloggen/via/gemeente/backchannel-logout/",
                    "backchannel_logout_session_required": True,
                }
            ],
            users={
                "sso-anouk": {
                    "password": "geheim",
                    "claims": {"name": "Anouk Aanmelder", "groups": ["noaber-adviseurs"]},
                }
            },
        )
        cls.addClassCleanup(cls.op.stop)

    def setUp(self):
        load_all()
        dinkelland = Municipality.objects.get(cbs_code="GM1774")
        self.provider = IdentityProvider(
            slug="gemeente",
            name="Gemeente Dinkelland",
            issuer=self.op.issuer,
            client_id="noaber",
            client_secret=SECRET,
            groups_claim="groups",
        )
        providers.save_provider(self.provider, actor=None, municipalities=[dinkelland])
        providers.add_role_mapping(
            self.provider, "noaber-adviseurs", dinkelland, Role.ADVISOR, actor=None
        )
        self.context = self.browser.new_context(locale="nl-NL")
        self.context.add_init_script(CSP_LISTENER)
        self.page = self.context.new_page()

    def tearDown(self):
        self.context.close()

    def shot(self, name):
        if not SHOTS:
            return
        for width, suffix in ((1280, "desktop"), (390, "phone")):
            self.page.set_viewport_size({"width": width, "height": 900})
            self.page.screenshot(path=f"{SHOTS}/{name}-{suffix}.png", full_page=True)
        self.page.set_viewport_size({"width": 1280, "height": 900})

    def sign_in_at_provider(self):
        page = self.page
        page.goto(self.live_server_url + "/inloggen/")
        self.assertEqual(axe_violations(page), [])
        self.shot("login")
        page.get_by_role("link", name="Inloggen via Gemeente Dinkelland").click()
        page.wait_for_selector("input[name=login]")
        page.fill("input[name=login]", "sso-anouk")
        page.fill("input[name=password]", "geheim")
        page.click("button[type=submit]")
        page.wait_for_url("**/m/GM1774/")
        self.assertIn("Anouk Aanmelder", page.content())
        self.assertEqual(csp_violations(page), [])

    def test_sign_in_and_back_channel_logout(self):
        self.sign_in_at_provider()
        session = ProviderSession.objects.get(provider=self.provider)
        self.assertTrue(session.sid)
        # The provider ends its session: it tells Noaber, which ends the browser's session.
        self.assertEqual(self.op.backchannel_logout("noaber", "sso-anouk", session.sid), 200)
        self.assertFalse(ProviderSession.objects.exists())
        self.page.goto(self.live_server_url + "/m/GM1774/")
        self.page.wait_for_url("**/inloggen/**")

    def test_logout_at_noaber_ends_the_session_at_the_provider_too(self):
        self.sign_in_at_provider()
        self.page.get_by_role("button", name="Uitloggen").click()
        self.page.wait_for_url(self.live_server_url + "/inloggen/")
        self.assertIn("U bent uitgelogd", self.page.content())
        # The provider's session is gone: the next login asks for the password again and the
        # provider reported the logout back to Noaber over the back channel.
        self.assertEqual(self.op.last_logout()["status"], 200)
        self.page.get_by_role("link", name="Inloggen via Gemeente Dinkelland").click()
        self.page.wait_for_selector("input[name=password]")
