"""Every page of the demo, as every role, in a real browser, checked by axe-core.

Pages are found by walking the URL patterns (see urlwalk.py): a new page joins this test by
declaring its access rule, without any edit here. Runs Debian's Chromium through Playwright;
without Chromium the test is skipped, unless NOABER_REQUIRE_BROWSER=1 (as in CI) makes that
a failure.
"""

import os
from pathlib import Path
from unittest import SkipTest

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.test import tag
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from noaber.accounts.access import can
from noaber.accounts.demo import DEMO_PASSWORD, DEMO_USERS, current_code, load_demo_users
from noaber.accounts.models import Municipality, User
from noaber.audit.triggers import triggers_removed
from noaber.reference import load_all
from noaber.ui.urlwalk import example_url, walk

from .examples import EXAMPLES

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


@tag("browser")
class BrowserAccessibilityTests(StaticLiveServerTestCase):
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

    def setUp(self):
        load_all()
        load_demo_users()
        self.dinkelland = Municipality.objects.get(cbs_code="GM1774")
        self.problems = []
        # The real Content-Security-Policy applies; every violation it reports fails the test.
        self.context = self.browser.new_context(locale="nl-NL")
        self.context.add_init_script(CSP_LISTENER)
        self.page = self.context.new_page()

    def tearDown(self):
        self.context.close()

    def check(self, who: str, path: str, expect_status=200):
        response = self.page.goto(self.live_server_url + path)
        self.assertEqual(response.status, expect_status, f"{who} {path}")
        for problem in axe_violations(self.page) + csp_violations(self.page):
            self.problems.append(f"{who} {path}: {problem}")

    def sign_in(self, username):
        self.check("anoniem", reverse("accounts:login"))
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", DEMO_PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url("**/inloggen/code/")
        for problem in axe_violations(self.page):
            self.problems.append(f"{username} code-stap: {problem}")
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        self.page.fill("#id_token", f"{current_code(device):06d}")
        self.page.click("button[type=submit]")
        self.page.wait_for_url("**/m/*/")

    def pages(self):
        return [r for r in walk() if r.rule and r.rule.page and "GET" in r.rule.methods]

    def test_every_page_as_every_role_has_no_serious_accessibility_violations(self):
        visited = 0
        for route in self.pages():
            if route.rule.scope == "public":
                self.check("anoniem", example_url(route, self.dinkelland, EXAMPLES))
                visited += 1
        self.check("anoniem", "/bestaat-niet/", expect_status=404)
        for username, *_ in DEMO_USERS:
            user = User.objects.get(username=username)
            if not can(user, "dashboard.view", self.dinkelland):
                continue
            self.context.clear_cookies()
            self.sign_in(username)
            for route in self.pages():
                rule = route.rule
                if rule.scope == "public":
                    continue
                if rule.scope == "municipality" and not can(user, rule.action, self.dinkelland):
                    continue
                self.check(username, example_url(route, self.dinkelland, EXAMPLES))
                visited += 1
        self.assertGreater(visited, 20)
        self.assertEqual(self.problems, [], "\n".join(self.problems))

    def test_forbidden_page_is_accessible_too(self):
        self.sign_in("medewerker")
        self.check("medewerker", reverse("audit:list", args=["GM1774"]), expect_status=403)
        self.assertEqual(self.problems, [], "\n".join(self.problems))

    def test_keyboard_user_can_skip_to_the_content(self):
        self.page.goto(self.live_server_url + reverse("accounts:login"))
        self.page.keyboard.press("Tab")
        focused = self.page.evaluate("document.activeElement.getAttribute('href')")
        self.assertEqual(focused, "#inhoud")
        self.page.keyboard.press("Enter")
        self.assertEqual(self.page.evaluate("document.activeElement.id"), "inhoud")

    def test_the_checker_catches_a_page_with_violations(self):
        self.page.set_content('<html><body><img src="x.png"><input type="text"></body></html>')
        found = axe_violations(self.page)
        self.assertTrue(any("image-alt" in p for p in found), found)

    def test_the_checker_catches_a_content_security_policy_violation(self):
        self.page.goto(self.live_server_url + reverse("accounts:login"))
        self.page.evaluate(
            "document.body.insertAdjacentHTML('beforeend', '<img alt=\"\" src=\"https://elders.example/x.png\">')"
        )
        self.page.wait_for_timeout(200)
        found = csp_violations(self.page)
        self.assertTrue(any("img-src" in v for v in found), found)

    def tab_to(self, selector: str, limit: int = 60) -> None:
        """Press Tab until `selector` has the focus; fail if the keyboard cannot reach it."""
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            if self.page.evaluate(f"document.activeElement.matches({selector!r})"):
                return
        self.fail(f"{selector} cannot be reached with the keyboard")

    def test_a_resident_reports_with_the_keyboard_only_and_gets_a_receipt(self):
        self.page.goto(self.live_server_url + reverse("intake:report", args=["GM1774"]))
        # First an empty submission: the error summary appears and links to the field.
        self.tab_to("button[type=submit]")
        self.page.keyboard.press("Enter")
        self.page.wait_for_selector("#foutmeldingen")
        self.tab_to("#foutmeldingen a[href='#id_description']")
        self.page.keyboard.press("Enter")
        self.assertEqual(self.page.evaluate("document.activeElement.id"), "id_description")
        self.page.keyboard.type("Al weken licht en busjes bij de lege schuur.")
        self.page.keyboard.press("Shift+Tab")
        for _ in range(30):
            if self.page.evaluate("document.activeElement.id") == "id_category":
                break
            self.page.keyboard.press("Shift+Tab")
        self.page.keyboard.press("ArrowDown")
        self.assertNotEqual(self.page.evaluate("document.activeElement.value"), "")
        self.tab_to("button[type=submit]")
        self.page.keyboard.press("Enter")
        self.page.wait_for_selector("#bonnummer")
        receipt = self.page.inner_text("#bonnummer").strip()
        self.assertRegex(receipt, r"^([0-9A-Z]{4}-){4}[0-9A-Z]{4}$")
        for problem in axe_violations(self.page) + csp_violations(self.page):
            self.problems.append(f"ontvangstbevestiging: {problem}")
        self.assertEqual(self.problems, [], "\n".join(self.problems))
