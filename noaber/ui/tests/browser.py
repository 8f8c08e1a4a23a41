"""What every browser test shares: Debian's Chromium through Playwright, axe-core, the
Content-Security-Policy listener and a base class that starts the browser once per class.

Without Chromium a browser test is skipped, unless NOABER_REQUIRE_BROWSER=1 (as in CI) makes
that a failure. Browser tests carry the tag "browser"; CI runs them once, on SQLite.
"""

import os
from pathlib import Path
from unittest import SkipTest

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from noaber.accounts.demo import DEMO_PASSWORD
from noaber.audit.triggers import triggers_removed

CHROMIUM = os.environ.get("NOABER_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def axe_violations(page) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        f"{v['impact']}: {v['id']} — {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""


def csp_violations(page) -> list[str]:
    return [f"CSP: {v}" for v in page.evaluate("window.__csp || []")]


def unused_code(username: str) -> str:
    """A TOTP code the user's device accepts now: the current one, or — when a sign-in in the
    same 30 seconds used it already (django-otp refuses a code twice) — the next one, which
    the device's tolerance of one step accepts."""
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    step = max(totp.t(), device.last_t + 1)  # t() counts the drift in
    totp.time = (step - device.drift) * device.step + device.t0
    return f"{totp.token():0{device.digits}d}"


class BrowserTestCase(StaticLiveServerTestCase):
    """A live server and one Chromium per test class; `self.page` is the test's own."""

    host = "127.0.0.1"

    @classmethod
    def setUpClass(cls):
        if not Path(CHROMIUM).exists():
            if os.environ.get("NOABER_REQUIRE_BROWSER") == "1":
                raise RuntimeError(f"Chromium not found at {CHROMIUM}; CI must install it.")
            raise SkipTest(f"Chromium not found at {CHROMIUM}")
        from playwright.sync_api import sync_playwright

        # Playwright's sync API runs an event loop in this thread; the ORM calls made between
        # browser steps are ordinary blocking calls, so Django's async guard is lifted here.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        super().setUpClass()
        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def _fixture_teardown(self):
        # The flush between tests would delete audit rows, which the triggers forbid.
        with triggers_removed():
            super()._fixture_teardown()

    def sign_in(self, username: str):
        """Password and TOTP code through the login pages, as a person signs in."""
        self.page.goto(self.live_server_url + "/inloggen/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", DEMO_PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url("**/inloggen/code/")
        self.page.fill("#id_token", unused_code(username))
        self.page.click("button[type=submit]")
        self.page.wait_for_url("**/m/*/")
