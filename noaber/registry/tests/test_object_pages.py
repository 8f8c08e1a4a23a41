"""The register's object pages and action pages (issue 17): next steps in sight, page and
action agreeing on what the state allows, and every bad input refused beside its field with
what was typed and nothing changed."""

from datetime import date, timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from noaber.accounts.models import Organisation
from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.intake.actions import submit_report
from noaber.intake.models import Area, Category, Channel, Report
from noaber.partners.models import SharingAgreement
from noaber.registry import actions
from noaber.registry.models import Disclosure, Phase, PrivacyCheck, Signal, SourceCheck, Subject

from .helpers import CHECK_1, PERSON, make_report, make_signal, url

# The action pages of a signal, by the key allowed_actions uses.
ACTION_URLS = {
    "edit": "edit",
    "weging": "weging",
    "check": "check",
    "sources": "sources",
    "phase": "phase",
    "subject": "subject_add",
    "disclose": "disclose",
}
TABS = ("", "?sectie=betrokkenen", "?sectie=toetsen", "?sectie=verstrekkingen", "?sectie=tijdlijn")


def error_beside(field):
    return f'id="id_{field}_error"'


class ReportToSignalTests(NoaberTestCase):
    def setUp(self):
        self.sign_in(self.advisor)
        self.area = Area.objects.filter(municipality=self.dinkelland).first()

    def report(self, **data):
        return submit_report(
            self.dinkelland,
            {"category": Category.objects.get(code="verdacht-pand"),
             "description": "Licht en busjes bij de lege schuur."} | data,
            channel=Channel.WEB,
        ).report  # fmt: skip

    def detail(self, report):
        return reverse("intake:detail", args=["GM1774", report.pk])

    def test_a_new_report_offers_registreer_als_signaal_and_it_carries_place_and_area(self):
        report = self.report(
            postcode="7591CD", house_number=3, house_number_addition="a", area=self.area,
            latitude=Decimal("52.4011"), longitude=Decimal("6.9712"),
        )  # fmt: skip
        register = url("register_report", report.pk)
        self.assertContains(self.client.get(self.detail(report)), f'href="{register}"')
        self.assertContains(self.client.get(register), "Registreer als signaal")
        response = self.client.post(register)
        signal = Signal.objects.get()
        self.assertRedirects(response, url("signal", signal.pk))
        # Regression (issue 17): the report's place and area were lost on the way.
        self.assertEqual(signal.area, self.area)
        self.assertIn("7591 CD 3a", signal.location)
        self.assertIn("52.401100", signal.location)
        self.assertEqual(list(signal.reports.all()), [report])
        report.refresh_from_db()
        self.assertEqual(report.status, "in_progress")
        # Once in a signal the page no longer offers it, and the action refuses it too.
        page = self.client.get(self.detail(report))
        self.assertNotContains(page, f'href="{register}"')
        self.assertContains(page, signal.number)
        refusal = self.client.get(register)
        self.assertContains(refusal, "al als signaal geregistreerd")
        self.assertNotContains(refusal, 'class="noaber-form"')
        again = self.client.post(register)
        self.assertContains(again, "al als signaal geregistreerd", status_code=400)
        self.assertEqual(Signal.objects.count(), 1)

    def test_the_area_comes_from_the_first_report_that_names_one(self):
        first, second = self.report(), self.report(area=self.area, postcode="7591CD",
                                                   house_number=5)  # fmt: skip
        signal = actions.register_from_reports(
            self.dinkelland, [first, second], actor=self.advisor, request=None
        )
        self.assertEqual(signal.area, self.area)
        self.assertEqual(signal.location, f"[{second.number}] 7591 CD 5")

    def test_a_closed_report_is_not_offered_and_cannot_be_registered(self):
        report = self.report()
        self.client.post(
            reverse("intake:status", args=["GM1774", report.pk]),
            {"status": "closed", "public_text": "Doorverwezen naar de woningcorporatie."},
        )
        self.assertNotContains(self.client.get(self.detail(report)), "Registreer als signaal")
        self.assertContains(
            self.client.post(url("register_report", report.pk)), "al afgehandeld", status_code=400
        )
        self.assertFalse(Signal.objects.exists())

    def test_the_bulk_conversion_on_the_register_still_works(self):
        first, second = make_report(self.dinkelland), make_report(self.dinkelland, "Anijslucht.")
        self.client.post(url("inbox"), {"bulk": "register", "report": [first.pk, second.pk]})
        self.assertEqual(set(Signal.objects.get().reports.all()), {first, second})

    def test_a_report_of_another_municipality_is_404(self):
        other = submit_report(
            self.tubbergen,
            {"category": Category.objects.get(code="verdacht-pand"), "description": "Elders."},
            channel=Channel.WEB,
        ).report
        self.assertEqual(self.client.post(url("register_report", other.pk)).status_code, 404)
        self.assertFalse(Signal.objects.exists())


class PageAndActionAgreeTests(NoaberTestCase):
    def setUp(self):
        self.sign_in(self.advisor)
        self.signal = make_signal(self.dinkelland, self.advisor)

    def test_the_page_offers_exactly_the_actions_the_action_allows_in_every_phase(self):
        for phase in Phase.values:
            Signal.objects.filter(pk=self.signal.pk).update(phase=phase, outcome="further")
            self.signal.refresh_from_db()
            allowed = actions.allowed_actions(self.signal)
            pages = "".join(
                self.client.get(url("signal", self.signal.pk) + tab).content.decode()
                for tab in TABS
            )
            for key, name in ACTION_URLS.items():
                with self.subTest(phase=phase, action=key):
                    target = url(name, self.signal.pk)
                    self.assertEqual(f'href="{target}"' in pages, key in allowed)
                    if key not in allowed:
                        # The action page itself refuses too, back to the signal.
                        # The action page itself says why, and shows no form.
                        response = self.client.get(target)
                        self.assertContains(response, "utrecht-alert--warning")
                        self.assertNotContains(response, 'class="noaber-form"')
            with self.subTest(phase=phase, action="case"):
                open_case = f"{reverse('cases:list', args=['GM1774'])}?signaal={self.signal.pk}"
                self.assertEqual(open_case in pages, "case" in allowed)
                self.assertEqual("case" in allowed, phase != Phase.CLOSED)

    def test_the_phase_form_offers_only_what_advance_accepts(self):
        page = self.client.get(url("phase", self.signal.pk))
        offered = [value for value, _label in page.context["form"].fields["phase"].choices]
        self.assertEqual(offered, ["sources", "plan", "closed"])
        refused = self.client.post(
            url("phase", self.signal.pk), {"phase": "intake", "version": self.signal.version}
        )
        self.assertContains(refused, error_beside("phase"), status_code=400)
        self.assertContains(refused, "Vanuit de huidige fase kan dit niet", status_code=400)


class BadInputTests(NoaberTestCase):
    """Every action form: empty, too long, a choice the state does not allow, a stale page,
    a future decision date — the form again, the typed input kept, the message beside the
    field, nothing changed."""

    def setUp(self):
        self.sign_in(self.advisor)
        self.signal = make_signal(self.dinkelland, self.advisor)

    def snapshot(self):
        signal = Signal.objects.get(pk=self.signal.pk)
        return (
            signal.version, signal.phase, signal.outcome, Subject.objects.count(),
            PrivacyCheck.objects.count(), SourceCheck.objects.count(), Disclosure.objects.count(),
        )  # fmt: skip

    def refused(self, name, data, field, message, *, typed=None):
        before = self.snapshot()
        response = self.client.post(url(name, self.signal.pk), data)
        self.assertEqual(response.status_code, 400, f"{name} {data}")
        self.assertContains(response, message, status_code=400)
        if field:
            self.assertContains(response, error_beside(field), status_code=400)
        if typed:
            self.assertContains(response, typed, status_code=400)
        self.assertEqual(self.snapshot(), before)
        return response

    def test_weging(self):
        version = self.signal.version
        self.refused("weging", {}, "reason", "Dit veld is vereist")
        self.refused("weging", {"outcome": "further", "reason": "x" * 2001, "version": version},
                     "reason", "niet meer dan 2000 tekens", typed="x" * 2001)  # fmt: skip
        self.refused("weging", {"outcome": "nope", "reason": "Concreet.", "version": version},
                     "outcome", "geldige keuze", typed="Concreet.")  # fmt: skip
        stale = {"outcome": "further", "reason": "Concreet en recent.", "version": version - 1}
        self.refused("weging", stale, None, "Iemand anders heeft dit signaal intussen gewijzigd",
                     typed="Concreet en recent.")  # fmt: skip
        actions.record_weging(self.signal, "none", "Niets concreets.", version,
                              actor=self.advisor, request=None)  # fmt: skip
        self.signal.refresh_from_db()
        self.refused("weging", {"outcome": "further", "reason": "Toch wel.",
                     "version": self.signal.version}, None, "De weging is al gedaan",
                     typed="Toch wel.")  # fmt: skip

    def test_phase(self):
        self.refused("phase", {}, "phase", "Dit veld is vereist")
        self.refused("phase", {"phase": "sources", "version": self.signal.version}, "phase",
                     "kan pas na")  # fmt: skip
        Signal.objects.filter(pk=self.signal.pk).update(outcome="none")
        self.refused("phase", {"phase": "closed", "version": self.signal.version - 1}, None,
                     "Iemand anders heeft dit signaal intussen gewijzigd")  # fmt: skip

    def test_privacy_check(self):
        self.refused("check", {}, "original_basis", "Dit veld is vereist")
        self.refused("check", CHECK_1 | {"original_basis": "x" * 301}, "original_basis",
                     "niet meer dan 300 tekens", typed=CHECK_1["necessity"])  # fmt: skip
        self.refused("check", CHECK_1 | {"kind": "2A"}, "recipient", "noem de ontvanger",
                     typed=CHECK_1["necessity"])  # fmt: skip

    def test_bronnencheck(self):
        self.refused("sources", {"bron_0": "hit"}, None, "hoort bij fase 3")
        Signal.objects.filter(pk=self.signal.pk).update(phase=Phase.SOURCES)
        self.refused("sources", {}, None, "waarom geen bron is geraadpleegd")
        self.refused("sources", {"bron_0": "maybe"}, "bron_0", "geldige keuze")

    def test_subject(self):
        self.refused("subject_add", {}, "kind", "Dit veld is vereist")
        self.refused(
            "subject_add", PERSON | {"label": "J" * 201}, "label", "niet meer dan 200 tekens"
        )
        Signal.objects.filter(pk=self.signal.pk).update(phase=Phase.CLOSED)
        self.refused("subject_add", PERSON | {"step": "new"}, None,
                     "Aan een afgesloten signaal", typed="Jan Janssen")  # fmt: skip

    def test_an_impossible_or_future_birth_date_is_refused_and_nothing_is_searched(self):
        for typed, message in (
            ("31-02-2090", "31-02-2090 bestaat niet"),
            ("01-01-2090", "ligt niet in de toekomst"),
            ((timezone.localdate() + timedelta(days=1)).strftime("%d-%m-%Y"), "toekomst"),
            ("12 april", "dag-maand-jaar"),
        ):
            with self.subTest(typed=typed):
                self.refused("subject_add", PERSON | {"birth_date": typed}, "birth_date",
                             message, typed=f'value="{typed}"')  # fmt: skip
        self.assertFalse(AuditEvent.objects.filter(object_type="subject_match").exists())

    def test_a_birth_date_as_typed_matches_the_same_date_written_otherwise(self):
        actions.add_subject(self.signal, "person", {"label": "Jan Janssen",
                            "birth_date": "1980-04-01"}, "", actor=self.advisor,
                            request=None)  # fmt: skip
        page = self.client.post(url("subject_add", self.signal.pk),
                                PERSON | {"bsn": "", "birth_date": "1-4-1980"})  # fmt: skip
        self.assertEqual(page.status_code, 200)
        self.assertEqual(len(page.context["match"].exact), 1)

    def test_disclosure(self):
        politie = Organisation.objects.get(name="Politie")
        agreement = SharingAgreement.objects.create(
            name="RIEC", purpose="Ondermijning", legal_basis="RIEC-convenant",
            data_categories=["address", "signal"], valid_from=date(2024, 1, 1),
            valid_until=date(2030, 12, 31),
        )  # fmt: skip
        agreement.organisations.add(politie)
        agreement.municipalities.add(self.dinkelland)
        good = {
            "recipient": politie.pk, "agreement": agreement.pk, "legal_basis": "",
            "purpose": "Voorbereiding RIEC-casus", "data_categories": ["address"],
            "shared": "Adres van de schuur.", "decided_on": timezone.localdate().isoformat(),
        }  # fmt: skip
        self.refused("disclose", {}, "data_categories", "Dit veld is vereist")
        self.refused("disclose", good | {"data_categories": []}, "data_categories",
                     "Dit veld is vereist", typed="Voorbereiding RIEC-casus")  # fmt: skip
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        self.refused("disclose", good | {"decided_on": tomorrow}, "decided_on",
                     "ligt in de toekomst", typed="Adres van de schuur.")  # fmt: skip
        self.refused(
            "disclose", good | {"purpose": "p" * 301}, "purpose", "niet meer dan 300 tekens"
        )
        self.refused("disclose", good | {"data_categories": ["criminal"]}, None,
                     "dekt deze gegevens niet", typed="Adres van de schuur.")  # fmt: skip
        # A checked box stays checked when the form comes back.
        response = self.refused("disclose", good | {"decided_on": tomorrow}, "decided_on",
                                "toekomst")  # fmt: skip
        self.assertContains(response, 'value="address" id="id_data_categories_1" checked',
                            status_code=400)  # fmt: skip

    def test_edit_too_long(self):
        self.refused("edit", {"theme": self.signal.theme_id, "description": "d" * 10,
                     "phenomenon": "p" * 201, "version": self.signal.version}, "phenomenon",
                     "niet meer dan", typed="d" * 10)  # fmt: skip

    def test_success_returns_to_the_object_with_a_message(self):
        response = self.client.post(
            url("weging", self.signal.pk),
            {"outcome": "further", "reason": "Concreet en recent.", "version": self.signal.version},
            follow=True,
        )
        self.assertRedirects(response, url("signal", self.signal.pk) + "?sectie=toetsen")
        self.assertContains(response, "De weging is vastgelegd.")


class LegalHoldTests(NoaberTestCase):
    def test_a_hold_without_a_reason_is_refused_beside_the_field(self):
        signal = make_signal(self.dinkelland, self.advisor)
        self.sign_in(self.privacy)
        self.assertContains(self.client.get(url("legal_hold", signal.pk)), "Bewaarplicht")
        response = self.client.post(url("legal_hold", signal.pk), {"hold": "on", "reason": ""})
        self.assertContains(response, error_beside("reason"), status_code=400)
        signal.refresh_from_db()
        self.assertFalse(signal.legal_hold)
        response = self.client.post(
            url("legal_hold", signal.pk), {"hold": "on", "reason": "r" * 201}
        )
        self.assertContains(response, "niet meer dan 200 tekens", status_code=400)
        self.client.post(url("legal_hold", signal.pk), {"hold": "on", "reason": "Rechtszaak"})
        signal.refresh_from_db()
        self.assertEqual((signal.legal_hold, signal.legal_hold_reason), (True, "Rechtszaak"))


class ReportActionTests(NoaberTestCase):
    def setUp(self):
        self.sign_in(self.advisor)
        self.report = make_report(self.dinkelland)

    def post(self, name, data):
        return self.client.post(reverse(f"intake:{name}", args=["GM1774", self.report.pk]), data)

    def unchanged(self):
        report = Report.objects.get(pk=self.report.pk)
        return report.status, report.public_text, report.messages.count(), report.history.count()

    def test_status_and_message_refuse_bad_input_beside_the_field(self):
        before = self.unchanged()
        cases = [
            ("status", {}, "status", "Dit veld is vereist"),
            ("status", {"status": "received", "public_text": "Hallo"}, "status",
             "Vanuit de huidige status kan dit niet"),
            ("status", {"status": "closed", "public_text": ""}, "public_text",
             "Schrijf bij het afhandelen een tekst"),
            ("status", {"status": "closed", "public_text": "t" * 2001}, "public_text",
             "niet meer dan"),
            ("message", {}, "body", "Dit veld is vereist"),
            ("message", {"body": "b" * 2001}, "body", "niet meer dan"),
        ]  # fmt: skip
        for name, data, field, message in cases:
            with self.subTest(name=name, data=str(data)[:40]):
                response = self.post(name, data)
                self.assertContains(response, message, status_code=400)
                self.assertContains(response, error_beside(field), status_code=400)
                for key in ("public_text", "body"):
                    if data.get(key):
                        self.assertContains(response, data[key][:50], status_code=400)
                self.assertEqual(self.unchanged(), before)

    def test_a_stale_status_page_is_refused(self):
        page = self.client.get(reverse("intake:status", args=["GM1774", self.report.pk]))
        seen = page.context["form"]["seen_status"].value()
        self.post("status", {"status": "in_progress", "public_text": "", "seen_status": seen})
        before = self.unchanged()
        response = self.post(
            "status", {"status": "closed", "public_text": "Opgelost.", "seen_status": seen}
        )
        self.assertContains(response, "intussen gewijzigd", status_code=400)
        self.assertContains(response, "Opgelost.", status_code=400)
        self.assertEqual(self.unchanged(), before)


class DashboardLinkTests(NoaberTestCase):
    def test_new_reports_count_links_to_the_meldingen_it_counts(self):
        self.sign_in(self.advisor)
        new, in_signal = make_report(self.dinkelland), make_report(self.dinkelland, "Ander.")
        actions.register_from_reports(self.dinkelland, [in_signal], actor=self.advisor,
                                      request=None)  # fmt: skip
        dashboard = self.client.get(reverse("ui:dashboard", args=["GM1774"]))
        target = reverse("intake:inbox", args=["GM1774"]) + "?nieuw=1"
        self.assertContains(dashboard, f'href="{target}">1 nieuwe melding<')
        listed = self.client.get(target).context["listing"]
        self.assertEqual([r.pk for r in listed], [new.pk])
        self.assertContains(dashboard, reverse("registry:inbox", args=["GM1774"]) + "?mijn=1")
