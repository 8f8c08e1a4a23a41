"""Object pages fit (issue 17): with the demo data, at 1280×800, no object page is taller than
2,400 px in any of its sections, and its first section (the page as it opens) not taller than
1,600 px. Measured in a real browser (Debian's Chromium through Playwright), like
test_browser_accessibility.py; skipped without Chromium unless NOABER_REQUIRE_BROWSER=1.

OBJECT_PAGES lists the pages: (name, function giving the page URLs for the demo data, the keys
of the page's sections). Add a kind of object page by adding a row.
"""

from django.test import tag
from django.urls import reverse

from noaber.accounts.demo import load_demo_users
from noaber.accounts.models import Municipality
from noaber.archive.demo import load_demo_archive
from noaber.cases.demo import load_demo_cases
from noaber.cases.models import Case, Meeting
from noaber.intake.demo import load_demo_reports
from noaber.lib.pages import section_url
from noaber.partners.demo import load_demo_partners
from noaber.partners.forms import partners_of
from noaber.partners.models import SharingAgreement
from noaber.reference import load_all

from .browser import BrowserTestCase

WIDTH, HEIGHT = 1280, 800
MAX_PAGE = 2400
MAX_FIRST_SECTION = 1600


def _urls(name, objects, code):
    return [reverse(name, args=[code, o.pk]) for o in objects]


def case_pages(municipality):
    cases = Case.objects.filter(municipality=municipality, destroyed_at__isnull=True)
    return _urls("cases:case", cases, municipality.cbs_code)


def meeting_pages(municipality):
    return _urls(
        "cases:meeting", Meeting.objects.filter(municipality=municipality), municipality.cbs_code
    )


def agreement_pages(municipality):
    agreements = SharingAgreement.objects.filter(municipalities=municipality)
    return _urls("partners:agreement", agreements, municipality.cbs_code)


def partner_pages(municipality):
    return _urls("partners:partner", partners_of(municipality), municipality.cbs_code)


# (name, URLs of the demo's objects of this kind, section keys: the first is the one shown
# when the page opens)
OBJECT_PAGES = [
    ("casus", case_pages, ["overzicht", "tijdlijn", "taken", "delen", "interventies"]),
    ("overleg", meeting_pages, ["agenda", "verslag"]),
    ("convenant", agreement_pages, ["overzicht", "gedeeld"]),
    ("partner", partner_pages, ["overzicht", "convenanten"]),
]

MEASURE = """() => {
  const body = document.querySelector('.noaber-object__body');
  return {
    page: document.documentElement.scrollHeight,
    section: body ? body.getBoundingClientRect().bottom + window.scrollY : null,
  };
}"""


@tag("browser")
class ObjectPagesFitTests(BrowserTestCase):
    username = "adviseur"

    def setUp(self):
        load_all()
        load_demo_users()
        load_demo_archive()  # as seed_demo: the old closed cases first
        load_demo_reports()
        load_demo_partners()
        load_demo_cases()
        self.dinkelland = Municipality.objects.get(cbs_code="GM1774")
        self.context = self.browser.new_context(
            locale="nl-NL", viewport={"width": WIDTH, "height": HEIGHT}
        )
        self.page = self.context.new_page()
        self.problems = []

    def tearDown(self):
        self.context.close()

    def measure(self, path):
        response = self.page.goto(self.live_server_url + path)
        self.assertEqual(response.status, 200, path)
        return self.page.evaluate(MEASURE)

    def test_every_object_page_and_section_fits(self):
        self.sign_in(self.username)
        problems, measured = [], 0
        for name, urls, section_keys in OBJECT_PAGES:
            pages = urls(self.dinkelland)
            self.assertTrue(pages, f"the demo has no {name}")
            for url in pages:
                for index, key in enumerate(section_keys):
                    path = section_url(url, None if index == 0 else key)
                    size = self.measure(path)
                    measured += 1
                    if size["section"] is None:
                        problems.append(f"{name} {path}: not an object page")
                        continue
                    if size["page"] > MAX_PAGE:
                        problems.append(f"{name} {path}: page {size['page']} px > {MAX_PAGE}")
                    if index == 0 and size["section"] > MAX_FIRST_SECTION:
                        problems.append(
                            f"{name} {path}: first section ends at {size['section']:.0f} px "
                            f"> {MAX_FIRST_SECTION}"
                        )
        self.assertGreater(measured, 10)
        self.assertEqual(problems, [], "\n".join(problems))
