"""Every page of the demo, as every role, in a real browser, checked by axe-core.

Pages are found by walking the URL patterns (see urlwalk.py): a new page joins this test by
declaring its access rule, without any edit here. Runs Debian's Chromium through Playwright;
without Chromium the test is skipped, unless NOABER_REQUIRE_BROWSER=1 (as in CI) makes that
a failure.
"""

from django.test import tag
from django.urls import reverse

from noaber.accounts.access import can
from noaber.accounts.demo import DEMO_PASSWORD, DEMO_USERS, load_demo_users
from noaber.accounts.models import Municipality, User
from noaber.reference import load_all
from noaber.ui.urlwalk import example_url, walk

from .browser import CSP_LISTENER, BrowserTestCase, axe_violations, csp_violations, unused_code
from .examples import EXAMPLES


@tag("browser")
class BrowserAccessibilityTests(BrowserTestCase):
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
        self.page.fill("#id_token", unused_code(username))
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
