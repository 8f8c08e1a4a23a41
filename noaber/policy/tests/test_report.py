"""The council report: a known year in, exact counts out, and nothing that names a person."""

import io
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from noaber.accounts.models import Organisation
from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.cases import actions as case_actions
from noaber.cases.models import CLOSED, Case, CaseType, InterventionType
from noaber.insight.models import Alert, Indicator, Period, Region, Status, Value
from noaber.intake.actions import submit_report
from noaber.intake.models import Category, Channel
from noaber.policy.models import Action, ActionNote, Activity, Plan, PlanPriority
from noaber.policy.report import ReportError, build_report, plan_for
from noaber.registry.actions import add_subject, create_signal, register_from_reports
from noaber.registry.models import Signal
from noaber.themes.models import Theme

# What the seeded register holds about people; none of it may reach the report.
PERSONAL = [
    "Jan Janssen",
    "Hoofdweg 12",
    "123456782",
    "Drugslab Kerkstraat",
    "Overlast Molen",
    "Controle Bedrijventerrein",
    "Onrust Marktplein",
    "Lampen 's nachts",
    "Verdachte geur",
    "anouk",
]


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


class CouncilReportTestCase(NoaberTestCase):
    """Dinkelland, plan 2024–2026, a known 2025:

    Priority 1 (riec, controle; theme 5.2): 8 cases opened in 2025 (6 RIEC with a 5.2 signal,
    one overlast case with a 5.2 signal, one controle case), 5 closed in 2025 (4 of those and a
    RIEC case from 2024); 7 signals on 5.2; interventions 5 Bibob, 2 sluitingen; integrale
    controles: 1 case + 4 activities; one campaign (reach 300); two actions in 2025.
    Priority 2 (onrust; theme 5.1): 2 cases, 2 signals, 2 trainings (reach 40 + 25).
    Priority 3 (pga; theme 3.1): nothing.
    """

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Plan.objects.filter(municipalities__in=[cls.dinkelland, cls.tubbergen]).delete()
        cls.plan = Plan.objects.create(
            name="IVP Proefgemeente 2024-2026", start_year=2024, end_year=2026, baseline_year=2023
        )
        cls.plan.municipalities.set([cls.dinkelland])
        types = {t.code: t for t in CaseType.objects.all()}
        kinds = {k.code: k for k in InterventionType.objects.all()}
        theme = {code: Theme.objects.get(code=code, municipality=None) for code in ("5.2", "5.1")}
        crime = Indicator.objects.get(code="crime_total")
        cls.p1 = cls._priority(
            1, "Ondermijning aanpakken", [types["riec"], types["controle"]], [theme["5.2"]], [crime]
        )
        cls.p2 = cls._priority(2, "Onrust voorkomen", [types["onrust"]], [theme["5.1"]])
        cls.p3 = cls._priority(3, "Zorg en veiligheid verbinden", [types["pga"]], [])
        cls.p3.themes.set([Theme.objects.get(code="3.1", municipality=None)])

        politie = Organisation.objects.get(name="Politie")
        riec = Organisation.objects.get(name="RIEC Oost-Nederland")
        running = Action.objects.create(
            priority=cls.p1,
            title="Drugsaanpak buitengebied",
            owner=politie,
            start_year=2024,
            end_year=2026,
            status=Action.Status.RUNNING,
        )
        Action.objects.create(
            priority=cls.p1,
            title="Bibob-beleid herzien",
            owner=riec,
            start_year=2025,
            end_year=2025,
            status=Action.Status.DONE,
        )
        Action.objects.create(
            priority=cls.p1,
            title="Keurmerk Veilig Ondernemen",
            owner=politie,
            start_year=2026,
            end_year=2026,
        )
        note = ActionNote.objects.create(action=running, text="Twee avonden", author=cls.advisor)
        ActionNote.objects.filter(pk=note.pk).update(created_at=at(date(2025, 6, 3)))

        # Priority 1: the first RIEC case comes from a report, with a person and an address.
        report = submit_report(
            cls.dinkelland,
            {
                "category": Category.objects.get(code="drugs-drugslab"),
                "description": "Lampen 's nachts.",
            },
            channel=Channel.WEB,
        ).report
        first_signal = register_from_reports(
            cls.dinkelland, [report], actor=cls.advisor, request=None
        )
        Signal.objects.filter(pk=first_signal.pk).update(received_on=date(2025, 2, 1))
        add_subject(
            first_signal,
            "person",
            {"label": "Jan Janssen", "bsn": "123456782"},
            "",
            actor=cls.advisor,
            request=None,
        )
        add_subject(
            first_signal,
            "address",
            {"label": "Hoofdweg 12 Denekamp", "postcode": "7591AB", "house_number": 12},
            "",
            actor=cls.advisor,
            request=None,
        )
        riec_cases = [
            cls._case(types["riec"], "Drugslab Kerkstraat 1", date(2025, 2, 3), signal=first_signal)
        ]
        for i in range(2, 7):
            riec_cases.append(
                cls._case(
                    types["riec"], f"Drugslab Kerkstraat {i}", date(2025, i, 10), theme["5.2"]
                )
            )
        cls._case(types["overlast"], "Overlast Molenstraat", date(2025, 7, 1), theme["5.2"])
        cls._case(types["controle"], "Controle Bedrijventerrein", date(2025, 8, 1))
        old = cls._case(types["riec"], "Drugslab Kerkstraat oud", date(2024, 5, 1), theme["5.2"])
        # Priority 2: two cases on 5.1 ("< 5"). One later got a second signal, on 5.2: the case
        # counts under its first signal's theme only, so not for priority 1.
        for day in (date(2025, 4, 1), date(2025, 9, 1)):
            onrust = cls._case(
                types["onrust"], "Onrust Marktplein", day, theme["5.1"], "Verdachte geur"
            )
        later = create_signal(
            cls.dinkelland,
            {"received_on": date(2026, 1, 5), "source_type": "own", "theme": theme["5.2"],
             "description": "Verdachte geur"},
            actor=cls.advisor,
            request=None,
        )  # fmt: skip
        onrust.signals.add(later)
        case_actions.add_intervention(onrust, kinds["gesprek"], date(2025, 9, 2), "burgemeester",
                                      "", actor=cls.advisor, request=None)  # fmt: skip

        for case in riec_cases[:5]:
            case_actions.add_intervention(
                case,
                kinds["bibob"],
                date(2025, 5, 1),
                "burgemeester",
                "",
                actor=cls.advisor,
                request=None,
            )
        for case in riec_cases[:2]:
            case_actions.add_intervention(
                case,
                kinds["sluiting_13b"],
                date(2025, 6, 1),
                "burgemeester",
                "",
                actor=cls.advisor,
                request=None,
            )
        case_actions.add_intervention(
            old,
            kinds["bibob"],
            date(2024, 12, 15),
            "burgemeester",
            "",
            actor=cls.advisor,
            request=None,
        )
        closed = [c.pk for c in riec_cases[:4]] + [old.pk]
        Case.objects.filter(pk__in=closed).update(status=CLOSED, closed_at=at(date(2025, 11, 1)))

        def activity(priority, kind, day, reach=None):
            Activity.objects.create(
                priority=priority,
                kind=kind,
                title=f"{kind} {day}",
                held_on=day,
                reach=reach,
                created_by=cls.advisor,
            )

        for month in (3, 5, 7, 9):
            activity(cls.p1, Activity.Kind.INSPECTION, date(2025, month, 15))
        activity(cls.p1, Activity.Kind.CAMPAIGN, date(2025, 10, 1), 300)
        activity(cls.p2, Activity.Kind.TRAINING, date(2025, 2, 1), 40)
        activity(cls.p2, Activity.Kind.TRAINING, date(2025, 11, 1), 25)
        activity(cls.p2, Activity.Kind.TRAINING, date(2024, 11, 1), 99)  # another year

        Alert.objects.create(
            municipality=cls.dinkelland,
            series_key="theme:5.2",
            series_label="Ondermijning (5.2)",
            year=2025,
            week=12,
            observed=9,
            expected=2.0,
            upper=6.0,
            score=2.1,
            method="farrington",
            state=Alert.State.LINKED,
            case=riec_cases[0],
        )
        Alert.objects.create(
            municipality=cls.dinkelland,
            series_key="theme:5.1",
            series_label="Polarisatie (5.1)",
            year=2024,
            week=40,
            observed=7,
            expected=1.0,
            upper=5.0,
            score=2.0,
            method="farrington",
        )

        region = Region.objects.get(code="GM1774")
        for year, value in ((2024, 400), (2025, 430)):
            Value.objects.create(
                indicator=crime,
                region=region,
                period_type=Period.YEAR,
                year=year,
                value=value,
                status=Status.DEFINITIVE,
                source="CBS",
            )

    @classmethod
    def _priority(cls, order, name, case_types, themes, indicators=()):
        priority = PlanPriority.objects.create(
            plan=cls.plan, order=order, name=name, goal=f"Doel van {name.lower()}."
        )
        priority.case_types.set(case_types)
        priority.themes.set(themes)
        priority.indicators.set(indicators)
        return priority

    @classmethod
    def _case(
        cls, case_type, title, opened, theme=None, description="Lampen 's nachts.", signal=None
    ):
        if signal is None and theme is not None:
            signal = create_signal(
                cls.dinkelland,
                {
                    "received_on": opened,
                    "source_type": "own",
                    "theme": theme,
                    "description": description,
                },
                actor=cls.advisor,
                request=None,
            )
        case = case_actions.open_case(
            cls.dinkelland,
            case_type,
            title,
            actor=cls.advisor,
            request=None,
            signals=[signal] if signal else [],
        )
        Case.objects.filter(pk=case.pk).update(created_at=at(opened))
        return case

    def url(self, name, municipality=None, year=None):
        path = reverse(name, args=[(municipality or self.dinkelland).cbs_code])
        return f"{path}?jaar={year}" if year else path

    def pdf_text(self, content: bytes) -> str:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)

    def report_events(self):
        return AuditEvent.objects.filter(object_type="council_report")


class BuildReportTests(CouncilReportTestCase):
    def test_the_numbers_of_the_seeded_year(self):
        report = build_report(self.dinkelland, 2025)
        p1, p2, p3 = report["priorities"]
        self.assertEqual(p1["name"], "Ondermijning aanpakken")
        self.assertEqual((p1["cases_opened"], p1["cases_closed"]), (8, 5))
        self.assertEqual(p1["signals"], 7)
        self.assertEqual(p1["inspections"], 5)
        self.assertEqual(
            p1["interventions"],
            [
                {"kind": "Bibob-toets", "count": 5},
                {"kind": "Sluiting art. 13b Opiumwet", "count": "< 5"},
            ],
        )
        self.assertEqual(p1["activities"], [{"kind": "campagne", "count": "< 5", "reach": 300}])
        self.assertEqual(
            [(p2["cases_opened"], p2["cases_closed"], p2["signals"])], [("< 5", 0, "< 5")]
        )
        self.assertEqual(
            p2["activities"], [{"kind": "training of voorlichting", "count": "< 5", "reach": 65}]
        )
        self.assertEqual(p2["interventions"], [{"kind": "Gesprek", "count": "< 5"}])
        self.assertEqual((p3["cases_opened"], p3["cases_closed"], p3["signals"]), (0, 0, 0))
        self.assertEqual((p3["interventions"], p3["activities"]), ([], []))

    def test_actions_planned_in_the_year_with_status_and_last_note(self):
        p1 = build_report(self.dinkelland, 2025)["priorities"][0]
        self.assertEqual(
            [(a["title"], a["owner"], a["status"]) for a in p1["actions"]],
            [
                ("Drugsaanpak buitengebied", "Politie", "running"),
                ("Bibob-beleid herzien", "RIEC Oost-Nederland", "done"),
            ],
        )
        self.assertEqual(p1["actions"][0]["last_note"], date(2025, 6, 3))
        counts = {s["status"]: s["count"] for s in p1["actions_by_status"]}
        self.assertEqual(
            counts, {"planned": 0, "running": 1, "done": 1, "postponed": 0, "dropped": 0}
        )

    def test_indicators_with_the_year_before_and_a_chart(self):
        p1 = build_report(self.dinkelland, 2025)["priorities"][0]
        row = p1["indicators"][0]
        self.assertEqual((row["value_before"], row["value"]), ("400", "430"))
        self.assertEqual(row["rate"], "160,8")  # 430 per 26,741 inhabitants
        self.assertIn("<svg", p1["chart"]["svg"])
        self.assertEqual(p1["chart_table"][0]["cells"][-2:], ["149,6", "160,8"])

    def test_peaks_of_the_year_and_what_followed_without_the_case(self):
        peaks = build_report(self.dinkelland, 2025)["peaks"]
        self.assertEqual(
            peaks,
            [
                {
                    "series": "Ondermijning (5.2)",
                    "week": 12,
                    "observed": 9,
                    "expected": "2,0",
                    "method": "Farrington (verbeterd)",
                    "followed": "gekoppeld aan een casus",
                }
            ],
        )

    def test_the_last_year_of_the_plan_compares_start_and_end(self):
        self.assertIsNone(build_report(self.dinkelland, 2025)["comparison"])
        crime = Indicator.objects.get(code="crime_total")
        Value.objects.create(
            indicator=crime, region=Region.objects.get(code="GM1774"),
            period_type=Period.YEAR, year=2026, value=410, source="test",
        )  # fmt: skip
        report = build_report(self.dinkelland, 2026)
        comparison = report["comparison"]
        self.assertEqual((comparison["year_a"], comparison["year_b"]), (2023, 2026))
        self.assertEqual((report["comparison_note"], report["figures_note"]), ("", ""))

    def test_while_the_last_years_figures_are_not_in_the_newest_year_stands_in_said_once(self):
        report = build_report(self.dinkelland, 2026)
        comparison = report["comparison"]
        self.assertEqual((comparison["year_a"], comparison["year_b"]), (2023, 2025))
        self.assertIn("De cijfers over 2026 zijn er nog niet", report["comparison_note"])
        self.assertIn("Daarom staat hier 2025", report["comparison_note"])
        # The indicators show 2024 and 2025, not a column of dashes for 2026.
        self.assertEqual(report["figures_year"], 2025)
        self.assertIn("Bij de indicatoren staan daarom 2024 en 2025.", report["figures_note"])
        row = report["priorities"][0]["indicators"][0]
        self.assertEqual((row["value_before"], row["value"]), ("400", "430"))
        # What cannot be compared is named once, not as rows.
        names = [c["change"].indicator.name for c in comparison["changes"]]
        self.assertNotIn("Geregistreerde misdrijven, totaal", names)
        self.assertIn("Geregistreerde misdrijven, totaal", comparison["incomparable"])

    def test_with_no_figures_after_the_baseline_the_report_says_so_once(self):
        Value.objects.filter(region__code__in=["GM1774", "NL01"], year__gt=2023).delete()
        report = build_report(self.dinkelland, 2026)
        self.assertIsNone(report["comparison"])
        self.assertTrue(report["end_of_term"])
        self.assertIn("Begin en eind zijn nog niet te vergelijken", report["comparison_note"])

    def test_a_year_outside_the_plan_is_refused(self):
        with self.assertRaisesMessage(
            ReportError, "Het jaar 2030 valt buiten de looptijd van het IVP (2024–2026)."
        ):
            plan_for(self.dinkelland, 2030)

    def test_a_municipality_without_a_plan_is_refused(self):
        with self.assertRaisesMessage(
            ReportError, "Gemeente Tubbergen heeft geen integraal veiligheidsplan."
        ):
            build_report(self.tubbergen, 2025)

    def test_the_number_of_queries_does_not_grow_with_the_cases(self):
        with CaptureQueriesContext(connection) as context:
            build_report(self.dinkelland, 2025)
        self.assertLessEqual(len(context.captured_queries), 25)


class ReportPageTests(CouncilReportTestCase):
    def test_management_sees_the_numbers_and_no_personal_data(self):
        self.sign_in(self.management)
        response = self.client.get(self.url("policy:report", year=2025))
        self.assertEqual(response.status_code, 200)
        row = '<th class="utrecht-table__header-cell" scope="row">{}</th><td class="utrecht-table__cell">{}</td>'  # noqa: E501
        self.assertContains(response, row.format("Casussen geopend", 8))
        self.assertContains(response, row.format("Casussen afgesloten", 5))
        self.assertContains(response, row.format("Integrale controles", 5))
        self.assertContains(response, row.format("Casussen geopend", "&lt; 5"))
        self.assertContains(response, "Onrust voorkomen")
        self.assertContains(response, "?jaar=2025")  # the PDF link
        body = response.content.decode()
        main = body[body.index("<main") :]
        for text in PERSONAL[:-1]:
            self.assertNotIn(text, main)
        event = self.report_events().get()
        self.assertEqual(
            (event.action, event.object_id, event.detail),
            ("view", "GM1774-2025", {"format": "html"}),
        )

    @override_settings(NOABER_TODAY=date(2026, 11, 30))
    def test_the_page_defaults_to_the_latest_completed_year_of_the_plan(self):
        self.sign_in(self.advisor)
        response = self.client.get(self.url("policy:report"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["report"]["year"], 2025)  # today is in 2026

    def test_employee_and_partner_may_not_see_the_report(self):
        for user in (self.employee, self.partner):
            self.sign_in(user)
            for name in ("policy:report", "policy:report_pdf"):
                self.assertEqual(self.client.get(self.url(name, year=2025)).status_code, 403)
        self.assertFalse(self.report_events().exists())

    def test_a_year_outside_the_plan_shows_a_clear_error_and_changes_nothing(self):
        self.sign_in(self.management)
        before = (AuditEvent.objects.count(), Case.objects.count(), Action.objects.count())
        response = self.client.get(self.url("policy:report", year=2030))
        self.assertContains(
            response,
            "Het jaar 2030 valt buiten de looptijd van het IVP (2024–2026).",
            status_code=400,
        )
        response = self.client.get(self.url("policy:report_pdf", year=2030))
        self.assertEqual(response.status_code, 400)
        self.assertIn("valt buiten de looptijd", response.content.decode())
        after = (AuditEvent.objects.count(), Case.objects.count(), Action.objects.count())
        self.assertEqual(before, after)

    def test_a_year_that_is_no_year_gets_a_dutch_page_on_the_page_and_the_pdf_url(self):
        self.sign_in(self.management)
        before = (AuditEvent.objects.count(), Case.objects.count(), Action.objects.count())
        cases = [
            ("abc", "Vul een jaar in als getal, bijvoorbeeld 2025."),
            ("1800", "Kies een jaar binnen de looptijd van het IVP."),
            ("2030", "Het jaar 2030 valt buiten de looptijd van het IVP (2024–2026)."),
        ]
        for value, message in cases:
            for name in ("policy:report", "policy:report_pdf"):
                with self.subTest(name=name, jaar=value):
                    response = self.client.get(self.url(name, year=value))
                    self.assertContains(response, message, status_code=400)
                    # A Dutch page with the form to try again, never raw text or a file.
                    self.assertEqual(response["Content-Type"], "text/html; charset=utf-8")
                    self.assertContains(response, '<html lang="nl"', status_code=400)
                    self.assertContains(response, 'name="jaar"', status_code=400)
                    self.assertNotIn("Content-Disposition", response)
        after = (AuditEvent.objects.count(), Case.objects.count(), Action.objects.count())
        self.assertEqual(before, after)

    def test_a_municipality_without_a_plan_shows_a_clear_error(self):
        self.sign_in(self.advisor)  # serves Dinkelland and Tubbergen
        before = AuditEvent.objects.count()
        response = self.client.get(self.url("policy:report", self.tubbergen, 2025))
        self.assertContains(
            response, "Gemeente Tubbergen heeft geen integraal veiligheidsplan.", status_code=400
        )
        response = self.client.get(self.url("policy:report", self.tubbergen))
        self.assertContains(response, "geen integraal veiligheidsplan", status_code=400)
        response = self.client.get(self.url("policy:report_pdf", self.tubbergen, 2025))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(AuditEvent.objects.count(), before)


class ReportPdfTests(CouncilReportTestCase):
    def test_the_pdf_has_contents_page_numbers_readable_text_and_no_personal_data(self):
        self.sign_in(self.management)
        response = self.client.get(self.url("policy:report_pdf", year=2025))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertTrue(response.content.startswith(b"%PDF"))
        reader = PdfReader(io.BytesIO(response.content))
        text = self.pdf_text(response.content)
        for heading in (
            "Raadsrapportage Dinkelland 2025",
            "Inhoud",
            "1. Ondermijning aanpakken",
            "2. Onrust voorkomen",
            "3. Zorg en veiligheid verbinden",
            "Pieken in 2025 en wat volgde",
        ):
            self.assertIn(heading, text)
        pages = len(reader.pages)
        self.assertIn(f"Pagina 1 / {pages}", text)
        # The contents give each priority's page: it starts on page 2 (after the contents).
        self.assertRegex(text, r"1\. Ondermijning aanpakken[ .]*2\b")
        for personal in PERSONAL:
            self.assertNotIn(personal, text)
        self.assertEqual(reader.metadata.title, "Raadsrapportage Dinkelland 2025")
        event = self.report_events().get()
        self.assertEqual((event.action, event.detail), ("export", {"format": "pdf"}))
        self.assertEqual(event.actor, "bram")

    def test_the_last_year_pdf_holds_the_start_versus_end_comparison(self):
        self.sign_in(self.advisor)
        response = self.client.get(self.url("policy:report_pdf", year=2026))
        self.assertEqual(response.status_code, 200)
        text = self.pdf_text(response.content)
        self.assertIn("Begin en eind van de periode: 2023 tegenover 2025", text)
        self.assertEqual(text.count("De cijfers over 2026 zijn er nog niet"), 2)  # intro, end
        self.assertEqual(text.count("Niet te vergelijken"), 1)


class CouncilReportCommandTests(CouncilReportTestCase):
    def test_the_command_writes_an_audited_pdf(self):
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "rapport.pdf"
            stdout = io.StringIO()
            call_command("council_report", municipality="GM1774", year=2025, out=out, stdout=stdout)
            content = out.read_bytes()
        self.assertTrue(content.startswith(b"%PDF"))
        self.assertIn("Ondermijning aanpakken", self.pdf_text(content))
        self.assertIn(str(out), stdout.getvalue())
        self.assertRegex(stdout.getvalue(), r"in \d+,?\.?\d* s")
        event = self.report_events().get()
        self.assertEqual(
            (event.action, event.origin, event.object_id), ("export", "cli", "GM1774-2025")
        )

    def test_the_command_writes_html_without_personal_data(self):
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "rapport.html"
            call_command(
                "council_report", municipality="GM1774", year=2025, out=out, stdout=io.StringIO()
            )
            html = out.read_text()
        self.assertIn('<html lang="nl">', html)
        self.assertIn("target-counter(attr(href), page)", html)
        for personal in PERSONAL:
            self.assertNotIn(personal, html)

    def test_the_command_refuses_bad_input_and_writes_nothing(self):
        cases = [
            ({"municipality": "GM1774", "year": 2030}, "valt buiten de looptijd van het IVP"),
            ({"municipality": "GM0183", "year": 2025}, "heeft geen integraal veiligheidsplan"),
            ({"municipality": "GM9999", "year": 2025}, "Onbekende gemeente"),
        ]
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "rapport.pdf"
            for options, message in cases:
                with self.subTest(**options), self.assertRaisesMessage(CommandError, message):
                    call_command("council_report", out=out, stdout=io.StringIO(), **options)
            with self.assertRaisesMessage(CommandError, ".pdf of .html"):
                call_command(
                    "council_report",
                    municipality="GM1774",
                    year=2025,
                    out=Path(folder) / "rapport.docx",
                )
            self.assertFalse(out.exists())
        self.assertFalse(self.report_events().exists())


class PeakMethodWordsTests(CouncilReportTestCase):
    """Issue 21, point 5: the council report names the method of each peak in Dutch, on the
    page and in the PDF, and never the detection's own codes."""

    def test_the_method_of_each_peak_is_named_in_dutch_on_the_page_and_in_the_pdf(self):
        Alert.objects.create(
            municipality=self.dinkelland, series_key="theme:5.1", series_label="Polarisatie (5.1)",
            year=2025, week=30, observed=6, expected=1.0, upper=4.0, score=1.7, method="fallback",
            notes=[{"code": "too_short", "weeks": 80, "needed": 108}],
        )  # fmt: skip
        self.sign_in(self.management)
        page = self.client.get(self.url("policy:report", year=2025)).content.decode()
        main = page[page.index("<main") :]
        pdf = self.pdf_text(self.client.get(self.url("policy:report_pdf", year=2025)).content)
        for text in (main, " ".join(pdf.split())):
            self.assertIn("Farrington (verbeterd)", text)
            self.assertIn("blokmethode voor weinig meldingen", text)
            for code in ("farrington", "fallback", "declined", "too_short", "too short"):
                self.assertNotRegex(text, rf"\b{code}\b")
