from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from noaber.accounts.models import Organisation
from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.cases import actions, selectors
from noaber.cases.models import CaseResult, CaseType, InterventionType, TimelineEntry
from noaber.intake.actions import find_by_receipt, submit_report
from noaber.intake.models import Category, Channel
from noaber.partners.models import SharingAgreement
from noaber.registry.actions import register_from_reports


class CaseTests(NoaberTestCase):
    def setUp(self):
        submitted = submit_report(
            self.dinkelland,
            {"category": Category.objects.get(code="drugs-drugslab"), "description": "Schuur."},
            channel=Channel.WEB,
        )
        self.receipt = submitted.receipt
        self.signal = register_from_reports(
            self.dinkelland, [submitted.report], actor=self.advisor, request=None
        )
        self.riec = CaseType.objects.get(code="riec")
        self.case = actions.open_case(
            self.dinkelland, self.riec, "Schuur Hoofdweg", actor=self.advisor, request=None,
            signals=[self.signal],
        )  # fmt: skip

    def advance(self, status="onderzoek"):
        """A RIEC-casus is closed from 'in onderzoek' at the earliest (close_from)."""
        actions.change_status(self.case, status, self.case.version, actor=self.advisor,
                              request=None)  # fmt: skip
        self.case.refresh_from_db()

    def test_the_seeded_case_types_and_interventions_are_there(self):
        self.assertEqual(CaseType.objects.count(), 6)
        self.assertTrue(InterventionType.objects.filter(name="Sluiting art. 13b Opiumwet").exists())
        self.assertEqual(self.case.status, "aangemeld")

    def test_a_transition_the_table_does_not_allow_is_refused(self):
        with self.assertRaisesMessage(ValidationError, "mag niet bij een RIEC-casus"):
            actions.change_status(
                self.case, "monitoren", self.case.version, actor=self.advisor, request=None
            )
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, "aangemeld")
        actions.change_status(
            self.case, "onderzoek", self.case.version, actor=self.advisor, request=None
        )
        self.assertEqual(self.case.status, "onderzoek")

    def test_closing_needs_a_result_and_a_text_and_tells_the_reporter(self):
        self.advance()
        result = CaseResult.objects.get(case_type=self.riec, code="maatregel")
        other = CaseResult.objects.get(case_type__code="onrust", code="rustig")
        for bad_result, text, message in (
            (None, "Tekst", "resultaat"),
            (other, "Tekst", "resultaat"),
            (result, " ", "afsluittekst"),
        ):
            with self.subTest(message=message), self.assertRaisesMessage(ValidationError, message):
                actions.close_case(
                    self.case, bad_result, text, self.case.version, actor=self.advisor, request=None
                )
        self.case.refresh_from_db()
        self.assertFalse(self.case.is_closed)
        actions.close_case(
            self.case, result, "Pand gesloten na inval.", self.case.version, actor=self.advisor,
            request=None, public_text="De gemeente heeft het pand gesloten. Dank voor uw melding.",
        )  # fmt: skip
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, "closed")
        # ZGW archive fields from the result: vernietigen, 10 years after today.
        self.assertEqual(
            (self.case.archiefnominatie, self.case.archiefstatus),
            ("vernietigen", "nog_te_archiveren"),
        )
        self.assertEqual(self.case.archiefactiedatum.year, timezone.localdate().year + 10)
        report = find_by_receipt(self.receipt)
        self.assertEqual(
            (report.status, report.public_text),
            ("closed", "De gemeente heeft het pand gesloten. Dank voor uw melding."),
        )

    def test_a_closed_case_is_only_reopened_with_a_reason_which_resets_the_archive_fields(self):
        self.advance()
        result = CaseResult.objects.get(case_type=self.riec, code="geen")
        actions.close_case(
            self.case,
            result,
            "Niets gevonden.",
            self.case.version,
            actor=self.advisor,
            request=None,
        )
        self.case.refresh_from_db()
        with self.assertRaisesMessage(ValidationError, "Heropen haar eerst"):
            actions.add_note(self.case, "Nog iets", actor=self.advisor, request=None)
        with self.assertRaisesMessage(ValidationError, "reden"):
            actions.reopen_case(self.case, " ", self.case.version, actor=self.advisor, request=None)
        actions.reopen_case(
            self.case, "Nieuwe signalen", self.case.version, actor=self.advisor, request=None
        )
        self.case.refresh_from_db()
        self.assertEqual(
            (self.case.archiefnominatie, self.case.archiefactiedatum, self.case.archiefstatus),
            ("", None, "nog_te_archiveren"),
        )
        self.assertFalse(self.case.is_closed)

    def test_tasks_need_a_future_date_and_a_valid_agreement_for_a_partner(self):
        tomorrow = timezone.localdate() + timedelta(days=1)
        with self.assertRaisesMessage(ValidationError, "in het verleden"):
            actions.add_task(
                self.case,
                "Bel",
                timezone.localdate() - timedelta(days=1),
                actor=self.advisor,
                request=None,
                user=self.advisor,
            )
        politie = Organisation.objects.get(name="Politie")
        with self.assertRaisesMessage(ValidationError, "geldig convenant"):
            actions.add_task(
                self.case,
                "Inval voorbereiden",
                tomorrow,
                actor=self.advisor,
                request=None,
                organisation=politie,
            )
        agreement = SharingAgreement.objects.create(
            name="RIEC-convenant", purpose="x", legal_basis="y", valid_from=date(2024, 1, 1)
        )
        agreement.organisations.add(politie)
        agreement.municipalities.add(self.dinkelland)
        task = actions.add_task(
            self.case,
            "Inval voorbereiden",
            tomorrow,
            actor=self.advisor,
            request=None,
            organisation=politie,
            agreement=agreement,
        )
        self.assertEqual(task.owner_label, "Politie")
        actions.complete_task(
            task, "Inval gedaan; drugslab aangetroffen.", actor=self.advisor, request=None
        )
        per_owner, per_org = actions.workload(self.dinkelland)
        self.assertEqual(
            per_owner,
            [
                {
                    "owner__username": "anouk",
                    "cases": 1,
                    "tasks": 0,
                    "owner": self.advisor.display_name,
                }
            ],
        )
        self.assertEqual(per_org, [])

    def test_overdue_tasks_are_listed(self):
        task = actions.add_task(
            self.case,
            "Rapport",
            timezone.localdate(),
            actor=self.advisor,
            request=None,
            user=self.advisor,
        )
        type(task).objects.filter(pk=task.pk).update(
            due_date=timezone.localdate() - timedelta(days=3)
        )
        self.assertEqual(list(selectors.overdue_tasks(self.dinkelland)), [task])

    def test_the_timeline_is_append_only_and_notes_are_corrected_by_new_notes(self):
        note = actions.add_note(
            self.case, "Eerste notitie met fout.", actor=self.advisor, request=None
        )
        note.text = "herschreven"
        with self.assertRaisesMessage(ValidationError, "nooit gewijzigd"):
            note.save()
        fix = actions.add_note(
            self.case,
            "Correctie: het was de Hoofdweg 12.",
            actor=self.advisor,
            request=None,
            corrects=note,
        )
        self.assertEqual(fix.corrects, note)
        kinds = list(self.case.timeline.values_list("kind", flat=True))
        self.assertEqual(kinds, ["status", "note", "note"])
        self.assertTrue(AuditEvent.objects.filter(object_type="case", action="create").exists())

    def test_a_signal_of_another_municipality_cannot_start_a_case_here(self):
        data = {"category": Category.objects.first(), "description": "x"}
        report = submit_report(self.tubbergen, data, channel=Channel.WEB).report
        other = register_from_reports(self.tubbergen, [report], actor=self.advisor, request=None)
        with self.assertRaisesMessage(ValidationError, "van deze gemeente"):
            actions.open_case(
                self.dinkelland, self.riec, "X", actor=self.advisor, request=None, signals=[other]
            )

    def test_interventions_come_from_the_catalogue_with_their_legal_basis(self):
        kind = InterventionType.objects.get(code="sluiting_13b")
        actions.add_intervention(
            self.case,
            kind,
            timezone.localdate(),
            "burgemeester",
            "Heropening na 6 maanden beoordelen",
            actor=self.advisor,
            request=None,
        )
        entry = self.case.timeline.filter(kind=TimelineEntry.Kind.INTERVENTION).get()
        self.assertIn("Opiumwet art. 13b", entry.text)
        with self.assertRaisesMessage(ValidationError, "toekomst"):
            actions.add_intervention(
                self.case,
                kind,
                timezone.localdate() + timedelta(days=2),
                "burgemeester",
                "",
                actor=self.advisor,
                request=None,
            )


class ReminderTests(NoaberTestCase):
    def test_owners_of_tasks_due_tomorrow_or_overdue_get_one_reminder_a_day(self):
        from django.core import mail

        from noaber.cases.tasks import send_task_reminders

        self.advisor.email = "anouk@example.nl"
        self.advisor.save(update_fields=["email"])
        case = actions.open_case(
            self.dinkelland, CaseType.objects.first(), "T", actor=self.advisor, request=None
        )
        tomorrow = timezone.localdate() + timedelta(days=1)
        actions.add_task(
            case, "Rapport schrijven", tomorrow, actor=self.advisor, request=None, user=self.advisor
        )
        actions.add_task(
            case,
            "Later",
            tomorrow + timedelta(days=10),
            actor=self.advisor,
            request=None,
            user=self.advisor,
        )
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(send_task_reminders.call(), 1)
        self.assertEqual(mail.outbox[0].to, ["anouk@example.nl"])
        self.assertIn(case.number, mail.outbox[0].body)
        self.assertEqual(send_task_reminders.call(), 0)


class StatusesFromDataTests(NoaberTestCase):
    """The statuses of a case type are data: the first is a new case's, 'closed' the end state
    with its Dutch label from the data, and reopening goes to the data's reopen status."""

    def test_first_end_and_reopen_status_come_from_the_data(self):
        from noaber.accounts.reference import read
        from noaber.cases import actions as case_actions
        from noaber.cases.models import CLOSED, CaseResult, CaseType

        data = read("cases.json")
        case_type = CaseType.objects.get(code="riec")
        case = case_actions.open_case(
            self.dinkelland, case_type, "Schuur", actor=self.advisor, request=None
        )
        self.assertEqual(case.status, data["statuses"][0][0])
        case_actions.change_status(case, case_type.next_statuses(case.status)[0], case.version,
                                   actor=self.advisor, request=None)  # fmt: skip
        result = CaseResult.objects.filter(case_type=case_type).first()
        case_actions.close_case(case, result, "Klaar.", case.version, actor=self.advisor,
                                request=None)  # fmt: skip
        case.refresh_from_db()
        self.assertEqual((case.status, CLOSED), ("closed", "closed"))
        self.assertEqual(case.status_label, dict(data["statuses"])["closed"])
        case_actions.reopen_case(case, "Nieuwe signalen", case.version, actor=self.advisor,
                                 request=None)  # fmt: skip
        case.refresh_from_db()
        self.assertEqual(case.status, data["reopen_status"])

    def test_no_status_literal_outside_the_data(self):
        import json
        import re
        from pathlib import Path

        root = Path(__file__).resolve().parents[2]
        data = json.loads((root.parent / "data/reference/cases.json").read_text())
        codes = {code for code, _label in data["statuses"]} - {"closed"}
        pattern = re.compile(r"[\"'](" + "|".join(sorted(codes)) + r")[\"']")
        offenders = [
            f"{path.relative_to(root)}:{n}"
            for path in root.rglob("*.py")
            if "tests" not in path.parts and "migrations" not in path.parts
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if pattern.search(line)
        ]
        self.assertEqual(offenders, [])


class OpenCaseFormTests(NoaberTestCase):
    def test_a_case_with_a_closed_signal_is_refused_above_the_form_keeping_the_title(self):
        from django.urls import reverse

        from noaber.cases.models import Case
        from noaber.registry.models import Outcome, Phase

        submitted = submit_report(
            self.dinkelland,
            {"category": Category.objects.get(code="overlast-jeugd"), "description": "Herrie."},
            channel=Channel.WEB,
        )
        signal = register_from_reports(
            self.dinkelland, [submitted.report], actor=self.advisor, request=None
        )
        from noaber.registry import actions as registry_actions

        registry_actions.record_weging(signal, Outcome.NONE, "Geen aanpak.", signal.version,
                                       actor=self.advisor, request=None)  # fmt: skip
        signal.refresh_from_db()
        self.assertEqual(signal.phase, Phase.CLOSED)  # "geen aanpak" closes the signal
        self.sign_in(self.advisor)
        url = reverse("cases:list", args=["GM1774"]) + f"?signaal={signal.pk}"
        response = self.client.post(
            url,
            {
                "case_type": CaseType.objects.get(code="overlast").pk,
                "title": "Speelveld Denekamp",
                "signal": signal.pk,
            },
        )
        self.assertContains(response, "afgesloten signaal", status_code=400)
        self.assertContains(response, 'value="Speelveld Denekamp"', status_code=400)
        self.assertFalse(Case.objects.exists())
