"""The enforcer's Mijn taken on a phone and at a desk, and the advisor's choice of a standard
text with JavaScript, in a real browser (skipped without Chromium unless
NOABER_REQUIRE_BROWSER=1). Screenshots go to var/shots/ for a person to look at."""

from pathlib import Path

from django.conf import settings
from django.test import tag
from django.urls import reverse

from noaber.accounts.demo import load_demo_users
from noaber.accounts.models import Municipality, User
from noaber.archive.demo import load_demo_archive
from noaber.cases.demo import load_demo_cases
from noaber.cases.models import Case
from noaber.cases.selectors import open_tasks_of
from noaber.intake.demo import load_demo_reports, load_demo_standard_texts
from noaber.intake.models import Report
from noaber.partners.demo import load_demo_partners
from noaber.reference import load_all
from noaber.ui.tests.browser import CSP_LISTENER, BrowserTestCase, csp_violations

SHOTS = Path(settings.BASE_DIR) / "var" / "shots"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@tag("browser")
class EnforcerTasksInTheBrowserTests(BrowserTestCase):
    def setUp(self):
        load_all()
        load_demo_users()
        load_demo_archive()
        load_demo_reports()
        load_demo_partners()
        load_demo_cases()
        load_demo_standard_texts()
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.contexts = []

    def tearDown(self):
        for context in self.contexts:
            context.close()

    def open(self, size):
        width, height = SIZES[size]
        context = self.browser.new_context(
            locale="nl-NL", viewport={"width": width, "height": height}
        )
        context.add_init_script(CSP_LISTENER)
        self.contexts.append(context)
        self.page = context.new_page()

    def shot(self, name):
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def test_the_enforcer_reads_and_completes_a_task_on_a_phone_and_at_a_desk(self):
        tasks = reverse("cases:my_tasks", args=["GM1774"])
        enforcer = User.objects.get(username="handhaver")
        dinkelland = Municipality.objects.get(cbs_code="GM1774")
        open_before = open_tasks_of(enforcer, dinkelland).count()
        self.assertGreaterEqual(open_before, 2)
        for size in SIZES:
            with self.subTest(size=size):
                self.open(size)
                self.sign_in("handhaver")
                self.page.goto(self.live_server_url + tasks)
                cards = self.page.locator(".noaber-card")
                self.assertEqual(cards.count(), open_tasks_of(enforcer, dinkelland).count())
                self.assertIn("Handhaving Dinkelland", self.page.content())
                self.assertEqual(self.page.evaluate(OVERFLOW), 0, "scrolls sideways")
                self.shot(f"mijn-taken-{size}")
                cards.first.locator("a.utrecht-button").click()
                self.page.wait_for_url("**/afronden/?taak=*")
                self.assertEqual(self.page.evaluate(OVERFLOW), 0, "scrolls sideways")
                self.shot(f"taak-afronden-{size}")
                # An empty result: the error beside the field.
                self.page.click("form.noaber-form button[type=submit]")
                self.assertTrue(self.page.locator(".utrecht-form-field-error-message").count())
                self.shot(f"taak-afronden-fout-{size}")
                self.assertEqual(csp_violations(self.page), [])
        # Completed once (at the last size), so both sizes showed the same tasks.
        self.page.fill("#id_result", "Gecontroleerd, niets bijzonders.")
        self.page.click("form.noaber-form button[type=submit]")
        self.page.wait_for_url("**" + tasks)
        self.assertIn("Taak afgerond", self.page.content())
        self.shot("mijn-taken-na-afronden")
        self.assertEqual(open_tasks_of(enforcer, dinkelland).count(), open_before - 1)

    def test_with_javascript_the_standard_text_fills_the_box_in_place(self):
        report = Report.objects.filter(municipality__cbs_code="GM1774").first()
        url = reverse("intake:message", args=["GM1774", report.pk])
        for size in SIZES:
            with self.subTest(size=size):
                self.open(size)
                self.sign_in("adviseur")
                self.page.goto(self.live_server_url + url)
                self.page.select_option("#id_sjabloon", label="Vraag om aanvulling")
                self.page.click("form.noaber-standard-texts button[type=submit]")
                body = self.page.input_value("#id_body")
                self.assertIn(f"Dank voor uw melding {report.number}", body)
                self.assertNotIn("sjabloon=", self.page.url)  # filled in place, no reload
                # The form carries which text it was, for the audit log.
                chosen = self.page.input_value("#id_standard_text")
                self.assertEqual(chosen, self.page.input_value("#id_sjabloon"))
                self.assertEqual(self.page.evaluate(OVERFLOW), 0, "scrolls sideways")
                self.shot(f"sjabloon-kiezen-{size}")
                self.assertEqual(csp_violations(self.page), [])

    def test_the_admin_keeps_teams_and_standard_texts(self):
        for size in SIZES:
            with self.subTest(size=size):
                self.open(size)
                self.sign_in("beheer")
                for name, url, expected in (
                    ("teams", "cases:teams", "Handhaving Dinkelland"),
                    ("sjablonen", "intake:standard_texts", "Vraag om aanvulling"),
                ):
                    self.page.goto(self.live_server_url + reverse(url, args=["GM1774"]))
                    self.assertIn(expected, self.page.content())
                    self.assertEqual(self.page.evaluate(OVERFLOW), 0, "scrolls sideways")
                    self.shot(f"{name}-{size}")
                self.page.click("text=Sjabloon Vraag om aanvulling bewerken")
                self.shot(f"sjabloon-bewerken-{size}")
                self.assertEqual(csp_violations(self.page), [])

    def test_the_advisor_gives_a_team_a_task_with_a_location(self):
        case = Case.objects.filter(municipality__cbs_code="GM1774", case_type__code="onrust").get()
        url = reverse("cases:step", args=["GM1774", case.pk, "task"])
        for size in SIZES:
            with self.subTest(size=size):
                self.open(size)
                self.sign_in("adviseur")
                self.page.goto(self.live_server_url + url)
                self.assertEqual(self.page.evaluate(OVERFLOW), 0, "scrolls sideways")
                self.page.fill("#id_title", "Controle parkeerterrein opvanglocatie")
                self.page.fill("#id_due_date", "2099-01-31")
                self.page.select_option("#id_team", label="Handhaving Dinkelland")
                self.page.fill("#id_location_postcode", "1012 A")  # not a postcode
                self.page.click("form.noaber-form button[type=submit]")
                self.assertIn("Vul een geldige postcode in", self.page.content())
                self.shot(f"taak-toevoegen-fout-{size}")
                self.assertEqual(csp_violations(self.page), [])
        self.assertFalse(case.tasks.filter(owner_team__isnull=False, due_date__year=2099))
