"""The register's object pages fit (issue 17): with the demo data, at 1280×800, every report,
signal and subject page is at most 2,400 px tall on every tab, and its first section ends
within 1,600 px. Runs Debian's Chromium through Playwright like test_browser_accessibility.
"""

import os
from pathlib import Path
from unittest import SkipTest

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.test import tag
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from noaber.accounts.demo import DEMO_PASSWORD, current_code, load_demo_users
from noaber.accounts.models import Municipality
from noaber.audit.triggers import triggers_removed
from noaber.cases.demo import load_demo_cases
from noaber.intake.demo import load_demo_reports
from noaber.intake.models import Report
from noaber.partners.demo import load_demo_partners
from noaber.reference import load_all
from noaber.registry.models import Signal, SubjectRequest

from . import test_browser_accessibility as browser

PAGE_MAX = 2400
FIRST_SECTION_MAX = 1600
MEASURE = """() => {
  const body = document.querySelector('.noaber-object__body');
  return [document.documentElement.scrollHeight,
          body ? Math.ceil(body.getBoundingClientRect().bottom + window.scrollY) : null,
          [...document.querySelectorAll('.noaber-tabs__link')].map(a => a.getAttribute('href'))];
}"""


@tag("browser")
class RegisterPagesFitTests(StaticLiveServerTestCase):
    host = "127.0.0.1"

    @classmethod
    def setUpClass(cls):
        if not Path(browser.CHROMIUM).exists():
            if os.environ.get("NOABER_REQUIRE_BROWSER") == "1":
                raise RuntimeError(f"Chromium not found at {browser.CHROMIUM}")
            raise SkipTest(f"Chromium not found at {browser.CHROMIUM}")
        from playwright.sync_api import sync_playwright

        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        super().setUpClass()
        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(
            executable_path=browser.CHROMIUM, args=browser.CHROMIUM_ARGS
        )

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def _fixture_teardown(self):
        with triggers_removed():
            super()._fixture_teardown()

    def setUp(self):
        load_all()
        load_demo_users()
        load_demo_reports()
        load_demo_partners()
        load_demo_cases()
        self.dinkelland = Municipality.objects.get(cbs_code="GM1774")
        self.context = self.browser.new_context(
            locale="nl-NL", viewport={"width": 1280, "height": 800}
        )
        self.page = self.context.new_page()
        self.too_tall = []
        self.measured = 0

    def tearDown(self):
        self.context.close()

    def sign_in(self, username):
        self.page.goto(self.live_server_url + reverse("accounts:login"))
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", DEMO_PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url("**/inloggen/code/")
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        self.page.fill("#id_token", f"{current_code(device):06d}")
        self.page.click("button[type=submit]")
        self.page.wait_for_url("**/m/*/")

    def measure(self, label, *, first=False):
        """Check the page now shown; return the hrefs of its tabs."""
        height, section_end, tabs = self.page.evaluate(MEASURE)
        self.assertIsNotNone(section_end, f"{label}: no object page")
        self.measured += 1
        if height > PAGE_MAX:
            self.too_tall.append(f"{label}: {height} px tall (at most {PAGE_MAX})")
        if first and section_end > FIRST_SECTION_MAX:
            self.too_tall.append(
                f"{label}: first section ends at {section_end} px (at most {FIRST_SECTION_MAX})"
            )
        return tabs

    def visit(self, path):
        """Open an object page and each of its tabs."""
        response = self.page.goto(self.live_server_url + path)
        self.assertEqual(response.status, 200, path)
        tabs = self.measure(path, first=True)
        for href in tabs[1:]:
            response = self.page.goto(self.live_server_url + href)
            self.assertEqual(response.status, 200, href)
            self.measure(href)
        return len(tabs)

    def test_report_signal_and_subject_pages_fit_at_1280_by_800(self):
        code = self.dinkelland.cbs_code
        self.sign_in("adviseur")
        reports = Report.objects.filter(municipality=self.dinkelland)
        signals = Signal.objects.filter(municipality=self.dinkelland)
        self.assertGreaterEqual(signals.count(), 3)
        for report in reports:
            self.assertEqual(self.visit(reverse("intake:detail", args=[code, report.pk])), 3)
        for signal in signals:
            self.assertEqual(self.visit(reverse("registry:signal", args=[code, signal.pk])), 5)
        subjects = {link.subject for s in signals for link in s.links.select_related("subject")}
        self.assertTrue(subjects, "the demo has subjects")
        for subject in subjects:
            self.page.goto(
                self.live_server_url + reverse("registry:subject", args=[code, subject.pk])
            )
            self.page.fill("#id_reason", "Voorbereiding casusoverleg")
            self.page.click("main button[type=submit]")
            self.page.wait_for_selector(".noaber-object__body")
            self.measure(f"betrokkene {subject.pk}", first=True)
        # The privacy officer's page of the subject the demo's inzage request is about.
        self.context.clear_cookies()
        self.sign_in("privacy")
        request = SubjectRequest.objects.filter(municipality=self.dinkelland).first()
        for subject in request.subjects.all():
            path = reverse("registry:subject_rights", args=[code, subject.pk])
            self.assertEqual(self.visit(f"{path}?verzoek={request.pk}"), 2)
        self.assertGreater(self.measured, 20)
        self.assertEqual(self.too_tall, [], "\n".join(self.too_tall))
