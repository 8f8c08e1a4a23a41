"""The register's object pages fit (issue 17): with the demo data, at 1280×800, every report,
signal and subject page is at most 2,400 px tall on every tab, and its first section ends
within 1,600 px. Runs Debian's Chromium through Playwright like test_browser_accessibility.
"""

from django.test import tag
from django.urls import reverse

from noaber.accounts.demo import load_demo_users
from noaber.accounts.models import Municipality
from noaber.cases.demo import load_demo_cases
from noaber.intake.demo import load_demo_reports
from noaber.intake.models import Report
from noaber.partners.demo import load_demo_partners
from noaber.reference import load_all
from noaber.registry.models import Signal, SubjectRequest

from .browser import BrowserTestCase

PAGE_MAX = 2400
FIRST_SECTION_MAX = 1600
MEASURE = """() => {
  const body = document.querySelector('.noaber-object__body');
  return [document.documentElement.scrollHeight,
          body ? Math.ceil(body.getBoundingClientRect().bottom + window.scrollY) : null,
          [...document.querySelectorAll('.noaber-tabs__link')].map(a => a.getAttribute('href'))];
}"""


@tag("browser")
class RegisterPagesFitTests(BrowserTestCase):
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
