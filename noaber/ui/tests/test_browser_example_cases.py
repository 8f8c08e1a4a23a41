"""The plan's example cases walked through the interface in Chromium, as people would: the
resident with the keyboard only, the advisor clicking from the dashboard through report, signal
and case to the closed case, the enforcer completing a task, the partner reading what was
shared, the resident reading the outcome with their receipt code.

Every step is saved as a screenshot under var/screenshots/<walk>/ (ignored by git; `.ci/run`
prints where they are) and checked by axe-core (no serious or critical violation) and the
Content-Security-Policy listener. The walk counts page loads and form submits, the figures
docs/performance.md keeps for the barn case.
"""

import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings, tag
from django.utils import timezone

from noaber.accounts.demo import DEMO_PASSWORD, TEAM
from noaber.cases.models import Case
from noaber.intake.models import Report

from .browser import CSP_LISTENER, BrowserTestCase, axe_violations, csp_violations, unused_code

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


class Walk:
    """One person's browser session: counts loads and submits, saves a screenshot per step."""

    def __init__(self, test, name: str, viewport: dict):
        self.test, self.name = test, name
        self.context = test.browser.new_context(locale="nl-NL", viewport=viewport)
        self.context.add_init_script(CSP_LISTENER)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.loads = self.submits = self.steps = 0
        self.page.on("load", lambda _page: self._loaded())
        self.page.on("request", self._request)
        self.folder = SCREENSHOTS / f"{name}-{viewport['width']}"
        self.folder.mkdir(parents=True, exist_ok=True)

    def _loaded(self):
        self.loads += 1

    def _request(self, request):
        if request.is_navigation_request() and request.method == "POST":
            self.submits += 1

    def step(self, label: str):
        """The page as it is now: a screenshot, axe-core and the CSP listener."""
        self.page.wait_for_load_state()
        self.steps += 1
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        self.page.screenshot(path=str(self.folder / f"{self.steps:02d}-{slug}.png"), full_page=True)
        for problem in axe_violations(self.page) + csp_violations(self.page):
            self.test.problems.append(f"{self.name} {label}: {problem}")

    def goto(self, path: str):
        self.page.goto(self.test.live_server_url + path)

    def link(self, name: str, exact=False):
        self.page.get_by_role("link", name=name, exact=exact).first.click()
        self.page.wait_for_load_state()

    def button(self, name: str, exact=False):
        self.page.get_by_role("button", name=name, exact=exact).first.click()
        self.page.wait_for_load_state()

    def fill(self, label: str, value: str, exact=True):
        self.page.get_by_label(label, exact=exact).fill(value)

    def choose(self, label: str, option: str, exact=True):
        self.page.get_by_label(label, exact=exact).select_option(label=option)

    def check(self, label: str, exact=False):
        self.page.get_by_label(label, exact=exact).check()

    def sign_in(self, username: str):
        self.goto("/inloggen/")
        self.fill("Gebruikersnaam", username)
        self.fill("Wachtwoord", DEMO_PASSWORD)
        self.button("Verder")
        self.page.locator("#id_token").fill(unused_code(username))
        self.page.locator("button[type=submit]").click()
        self.page.wait_for_url("**/m/*/")

    def tab_to(self, selector: str, limit=60):
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            if self.page.evaluate(
                "s => document.activeElement && document.activeElement.matches(s)", selector
            ):
                return
        raise AssertionError(f"{selector} not reachable with Tab")

    def close(self):
        self.context.close()


@tag("browser")
@override_settings(DEMO=True)
class ExampleCaseWalks(BrowserTestCase):
    def setUp(self):
        call_command("seed_demo", stdout=StringIO())
        self.problems = []

    def resident_reports(self, viewport) -> str:
        """The resident, keyboard only: the public form, a first empty try, then the report;
        returns the receipt code."""
        walk = Walk(self, "1-bewoner-meldt", viewport)
        walk.goto("/melden/GM1774/")
        walk.step("meldformulier")
        walk.tab_to("#id_category")
        walk.page.keyboard.type("Verdacht")  # a select jumps to the option typed
        walk.tab_to("#id_description")
        walk.page.keyboard.type(
            "Bij de schuur aan de Oldenzaalseweg staan 's nachts busjes; het ruikt er naar anijs."
        )
        walk.tab_to("#id_area")
        walk.page.keyboard.type("Buiten")
        walk.tab_to("button[type=submit]")
        walk.page.keyboard.press("Enter")
        walk.page.wait_for_selector("#bonnummer")
        walk.step("ontvangstbevestiging")
        receipt = walk.page.inner_text("#bonnummer").strip()
        self.assertRegex(receipt, r"^([0-9A-Z]{4}-){4}[0-9A-Z]{4}$")
        self.counts["bewoner"] = (walk.loads, walk.submits)
        walk.close()
        return receipt

    # The plan's three example cases, each at a desktop's and a phone's size.

    def test_barn_case_from_report_to_closed_case_on_a_desktop(self):
        self.barn_case(DESKTOP)

    def test_barn_case_from_report_to_closed_case_on_a_phone(self):
        self.barn_case(PHONE)

    def test_unrest_about_a_demonstration_on_a_desktop(self):
        self.unrest_case(DESKTOP)

    def test_unrest_about_a_demonstration_on_a_phone(self):
        self.unrest_case(PHONE)

    def test_a_person_with_confused_behaviour_on_a_desktop(self):
        self.care_case(DESKTOP)

    def test_a_person_with_confused_behaviour_on_a_phone(self):
        self.care_case(PHONE)

    def barn_case(self, viewport):
        """Example case 1 (ondermijning): a barn in the buitengebied, from the resident's
        report to the closed case and the resident reading the outcome."""
        self.counts = {}
        receipt = self.resident_reports(viewport)
        report = Report.objects.latest("pk")
        self.advisor_works_the_barn_case(report, viewport)
        self.resident_reads_the_outcome(receipt, viewport)
        self.assertEqual(self.problems, [], "\n".join(self.problems))
        loads = sum(c[0] for c in self.counts.values())
        submits = sum(c[1] for c in self.counts.values())
        print(f"\nBarn case at {viewport['width']} px: {loads} page loads, {submits} form submits "
              f"({self.counts})")  # fmt: skip

    def unrest_case(self, viewport):
        """Example case 2 (maatschappelijke onrust): an employee reports calls to demonstrate
        at the new shelter; the advisor opens a case, the gezagsdriehoek decides, the case is
        monitored."""
        walk = Walk(self, "7-medewerker-niet-pluis", viewport)
        walk.sign_in("medewerker")
        walk.link("Niet pluis melden")
        self.choose_containing(walk, "#id_category", "olarisatie")
        walk.fill(
            "Wat is er gebeurd?",
            "In een appgroep wordt opgeroepen zaterdag te demonstreren bij de nieuwe "
            "opvanglocatie; sommige berichten dreigen.",
        )
        walk.step("niet pluis")
        walk.button("Melding versturen")
        walk.step("verstuurd")
        walk.close()
        report = Report.objects.latest("pk")

        walk = Walk(self, "8-adviseur-onrust", viewport)
        walk.sign_in("adviseur")
        self.register_report(walk, report)
        self.open_case(walk, "Maatschappelijke onrust / demonstratie", "Demonstratie opvanglocatie")
        walk.link("Naar 'in uitvoering'")
        self.submit(walk)
        case = Case.objects.latest("pk")
        # The gezagsdriehoek with the police and the public prosecutor decides.
        walk.link("Casussen", exact=True)
        walk.link("Overleggen (")
        walk.choose("Soort overleg", "gezagsdriehoek")
        walk.fill("Datum", timezone.localdate().isoformat())
        walk.check("Politie", exact=True)
        walk.check("Openbaar Ministerie", exact=True)
        walk.step("overleg plannen")
        walk.button("Plannen")
        walk.step("overleg")
        walk.link("Casus agenderen")
        walk.page.locator("#id_case").select_option(str(case.pk))
        walk.step("agenderen")
        self.submit(walk)
        walk.link(f"Besluit over {case.number} vastleggen")
        walk.fill("Besluit", "Demonstratie toegestaan op het plein, niet bij de opvanglocatie; "
                  "politie en boa's extra aanwezig.")  # fmt: skip
        walk.step("besluit")
        self.submit(walk)
        walk.step("overleg met besluit")
        walk.goto(f"/m/GM1774/casussen/{case.pk}/?sectie=tijdlijn")
        walk.step("tijdlijn met besluit")
        self.assertIn("Demonstratie toegestaan op het plein", walk.page.inner_text("main"))
        walk.close()
        self.assertEqual(self.problems, [], "\n".join(self.problems))

    def care_case(self, viewport):
        """Example case 3 (zorg en veiligheid): a resident reports a neighbour with confused,
        threatening behaviour; the advisor registers the person (hit / no-hit), opens a
        persoonsgerichte aanpak and gives the Zorg- en Veiligheidshuis a task under its
        convenant."""
        walk = Walk(self, "9-bewoner-verward", viewport)
        walk.goto("/melden/GM1774/")
        self.choose_containing(walk, "#id_category", "onbegrepen")
        walk.fill("Wat is er gebeurd?", "Mijn buurman schreeuwt 's nachts op straat en "
                  "dreigde vandaag met een mes.")  # fmt: skip
        walk.page.locator("#id_area").select_option(label="Weerselo")
        walk.button("Melding versturen")
        walk.page.wait_for_selector("#bonnummer")
        walk.step("ontvangstbevestiging")
        walk.close()
        report = Report.objects.latest("pk")

        walk = Walk(self, "10-adviseur-zorg", viewport)
        walk.sign_in("adviseur")
        self.register_report(walk, report)
        walk.link("Betrokkenen")
        walk.link("Betrokkene toevoegen")
        walk.page.locator("#id_kind").select_option("person")
        walk.page.locator("#id_label").fill("Gerrit Wolters")
        # An impossible date first: refused beside the field, nothing searched.
        walk.page.locator("#id_birth_date").fill("31-02-1968")
        walk.page.locator("main form button.utrecht-button--primary-action").last.click()
        walk.page.wait_for_load_state()
        walk.step("onmogelijke geboortedatum")
        self.assertTrue(walk.page.locator("#foutmeldingen").count())
        walk.page.locator("#id_birth_date").fill("12-03-1968")
        walk.page.locator("#id_role").fill("veroorzaker")
        self.submit(walk)
        walk.step("hit no-hit persoon")
        walk.button("Als nieuwe betrokkene toevoegen")
        walk.step("betrokkene")
        self.open_case(
            walk, "Persoonsgerichte aanpak (Zorg- en Veiligheidshuis)", "Buurman Weerselo"
        )
        walk.link("Taak", exact=True)
        walk.fill("Taak", "Huisbezoek en beoordeling door het ZVH")
        walk.fill("Uiterlijk op", (timezone.localdate() + timedelta(days=5)).isoformat())
        walk.page.locator("#id_organisation").select_option(
            label="Zorg- en Veiligheidshuis (ZVH) Twente"
        )
        walk.page.locator("#id_agreement").select_option(
            label="Convenant Zorg- en Veiligheidshuis Twente 2026-2028"
        )
        walk.step("taak voor het zvh")
        self.submit(walk)
        walk.step("casus met taak")
        self.assertIn("Huisbezoek en beoordeling door het ZVH", walk.page.inner_text("main"))
        walk.close()
        self.assertEqual(self.problems, [], "\n".join(self.problems))

    def choose_containing(self, walk, select: str, text: str):
        option = walk.page.locator(f"{select} option", has_text=text).first
        walk.page.locator(select).select_option(option.get_attribute("value"))

    def resident_reads_the_outcome(self, receipt: str, viewport):
        walk = Walk(self, "6-bewoner-volgt", viewport)
        walk.goto("/melden/volgen/")
        walk.fill("Uw bonnummer", receipt)
        walk.step("bonnummer")
        self.submit(walk)
        walk.step("afgehandeld")
        self.assertIn("de gemeente heeft de schuur gesloten", walk.page.inner_text("main"))
        self.counts["bewoner volgt"] = (walk.loads, walk.submits)
        walk.close()

    def register_report(self, walk, report):
        """From the dashboard's new reports to the report, then "Registreer als signaal"."""
        walk.link("nieuwe melding")
        walk.step("nieuwe meldingen")
        walk.page.locator(f"a[href$='/meldingen/{report.pk}/']").first.click()
        walk.step("melding")
        walk.link("Registreer als signaal")
        walk.step("registreren")
        walk.page.locator("main button[type=submit]").first.click()
        walk.page.wait_for_url("**/signalen/*/")
        walk.step("signaal")

    def open_case(self, walk, case_type: str, title: str):
        """ "Open casus" on the signal page: the case list's form with the signal filled in."""
        walk.link("Open casus")
        walk.choose("Zaaktype", case_type)
        walk.fill("Titel", title)
        walk.step("nieuwe casus")
        walk.button("Casus openen")
        walk.step("casus")

    def submit(self, walk):
        """The action page's one primary button; the page it leads to must not be the form
        again with errors."""
        walk.page.locator("main form button.utrecht-button--primary-action").last.click()
        walk.page.wait_for_load_state()
        errors = walk.page.locator("#foutmeldingen")
        if errors.count():
            self.fail(f"{walk.name}: form refused: {errors.inner_text()}")

    def next_phase(self, walk, phase: str):
        walk.link("Naar de volgende fase")
        walk.page.locator("#id_phase").select_option(index=0)
        walk.step(f"naar {phase}")
        self.submit(walk)
        walk.step(f"signaal in {phase}")

    def advisor_works_the_barn_case(self, report, viewport):
        walk = Walk(self, "2-adviseur-schuur", viewport)
        walk.sign_in("adviseur")
        walk.step("overzicht")
        self.register_report(walk, report)
        # Weging: further to phase 3.
        walk.link("Weging vastleggen")
        walk.choose("Uitkomst", "verder naar fase 3")
        walk.fill("Motivering", "Meldingen van bewoners passen bij een drugslab.")
        walk.step("weging")
        walk.button("Weging vastleggen")
        walk.step("signaal na weging")
        # Privacy check 1 before the sources are consulted.
        walk.link("Privacytoets vastleggen")
        walk.page.locator("#id_kind").select_option("1")
        walk.page.locator("#id_original_basis").fill("Art. 6 lid 1 sub e AVG (openbare orde)")
        walk.page.locator("#id_compatible_use").check()
        walk.page.locator("#id_necessity").fill("Zonder de bronnen is het signaal niet te toetsen.")
        walk.page.locator("#id_proportionality").fill("Alleen dit object en de eigenaar.")
        walk.page.locator("#id_subsidiarity").fill(
            "Alleen waarnemen geeft geen zicht op de eigenaar."
        )
        walk.step("privacytoets")
        self.submit(walk)
        self.next_phase(walk, "bronnencheck")
        # Bronnencheck: BAG and KvK hit, police no-hit.
        walk.link("Bronnencheck vastleggen")
        walk.page.locator("#id_bron_0").select_option("hit")
        walk.page.locator("#id_bron_1").select_option("hit")
        walk.page.locator("#id_bron_2").select_option("nohit")
        walk.step("bronnencheck")
        self.submit(walk)
        # The subjects: the barn (an address) and the company that owns it; hit / no-hit first.
        walk.link("Betrokkenen")
        for kind, fields, role in (
            ("address", {"#id_postcode": "7591AB", "#id_house_number": "12"}, "locatie"),
            ("company", {"#id_label": "Agrarisch Loonbedrijf Twente B.V.",
                         "#id_kvk": "12345678"}, "eigenaar"),
        ):  # fmt: skip
            walk.link("Betrokkene toevoegen")
            walk.page.locator("#id_kind").select_option(kind)
            for selector, value in fields.items():
                walk.page.locator(selector).fill(value)
            walk.page.locator("#id_role").fill(role)
            self.submit(walk)
            walk.step(f"hit no-hit {kind}")
            walk.button("Als nieuwe betrokkene toevoegen")
            walk.step(f"betrokkene {kind}")
        self.next_phase(walk, "plan van aanpak")
        # The police get the address and the company under the RIEC convenant.
        walk.link("Verstrekkingen")
        walk.link("Verstrekking vastleggen")
        walk.page.locator("#id_recipient").select_option(label="Politie")
        walk.page.locator("#id_agreement").select_option(label="RIEC-convenant Oost-Nederland")
        walk.page.locator("#id_purpose").fill("Voorbereiding van de bestuurlijke aanpak")
        for value in ("address", "company"):
            walk.page.locator(f"input[name=data_categories][value={value}]").check()
        walk.page.locator("#id_shared").fill("Adres van de schuur en de eigenaar (bedrijf).")
        walk.page.locator("#id_decided_on").fill(timezone.localdate().isoformat())
        walk.step("verstrekking")
        self.submit(walk)
        walk.step("signaal met verstrekking")
        # The case: a RIEC case from the signal.
        self.open_case(walk, "RIEC-casus", "Schuur Oldenzaalseweg")
        walk.link("Naar 'in onderzoek'")
        walk.step("status in onderzoek")
        self.submit(walk)
        # A task for the enforcer, the case shared with the police.
        walk.link("Taak", exact=True)
        walk.fill("Taak", "Controle schuur Oldenzaalseweg met de Omgevingsdienst")
        walk.fill("Uiterlijk op", (timezone.localdate() + timedelta(days=7)).isoformat())
        # People are listed by name with their organisation (issue 17, point 4).
        walk.choose("Eigenaar: medewerker", f"Hanna Handhaver — {TEAM}", exact=False)
        walk.step("taak")
        self.submit(walk)
        walk.link("Delen (")
        walk.link("Delen met een partner")
        walk.choose("Partner", "Politie")
        walk.page.locator("#id_agreement").select_option(label="RIEC-convenant Oost-Nederland")
        walk.fill("Doel van het delen", "Gezamenlijke aanpak van het drugslab")
        for value in ("signal", "address", "company"):
            walk.page.locator(f"input[name=data_categories][value={value}]").check()
        walk.step("delen met de politie")
        self.submit(walk)
        walk.link("Naar 'in uitvoering'")
        self.submit(walk)
        walk.link("Interventie vastleggen")
        walk.choose("Interventie", "Sluiting art. 13b Opiumwet")
        walk.fill("Besloten op", timezone.localdate().isoformat())
        walk.fill("Besloten door", "burgemeester")
        walk.fill("Opvolging", "Sluiting voor zes maanden; controle na drie maanden.", exact=False)
        walk.step("interventie")
        self.submit(walk)
        walk.step("casus in uitvoering")
        self.counts["adviseur"] = (walk.loads, walk.submits)
        walk.close()
        case = Case.objects.latest("pk")

        # The enforcer completes the task from their dashboard.
        walk = Walk(self, "3-handhaver-taak", viewport)
        walk.sign_in("handhaver")
        walk.step("overzicht")
        walk.link("open ta")
        walk.step("mijn taken")
        row = walk.page.locator("li.noaber-card", has_text="Controle schuur Oldenzaalseweg")
        row.get_by_role("link", name="Afronden").click()
        walk.page.wait_for_load_state()
        walk.fill("Resultaat", "Schuur gecontroleerd: verzegeld, geen activiteit.")
        walk.step("taak afronden")
        self.submit(walk)
        walk.step("taak afgerond")
        self.counts["handhaver"] = (walk.loads, walk.submits)
        walk.close()

        # The police read the shared case in the partner portal.
        walk = Walk(self, "4-politie-portaal", viewport)
        walk.sign_in("partner.politie")
        walk.link("Partnerportaal")
        walk.step("partnerportaal")
        walk.page.locator(f"main a[href*='/{case.pk}/']").first.click()
        walk.step("gedeelde casus")
        self.assertIn("Oldenzaalseweg", walk.page.inner_text("main"))
        self.counts["politie"] = (walk.loads, walk.submits)
        walk.close()

        # The advisor closes the case with a text for the reporters.
        walk = Walk(self, "5-adviseur-afsluiten", viewport)
        walk.sign_in("adviseur")
        walk.link("lopende casus")
        walk.page.locator(f"main a[href$='/casussen/{case.pk}/']").first.click()
        walk.step("casus")
        walk.link("Afsluiten", exact=True)
        walk.page.get_by_label("bestuurlijke maatregel genomen").check()
        walk.fill("Afsluittekst", "Drugslab ontmanteld; schuur gesloten (art. 13b Opiumwet).")
        walk.fill(
            "Tekst voor de melders",
            "Dank u wel: de gemeente heeft de schuur gesloten.",
            exact=False,
        )
        walk.step("afsluiten")
        self.submit(walk)
        walk.step("casus afgesloten")
        self.assertIn("afgesloten", walk.page.inner_text("main").lower())
        self.counts["adviseur afsluiten"] = (walk.loads, walk.submits)
        walk.close()
