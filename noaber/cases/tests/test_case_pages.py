from django.urls import reverse

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.cases.models import Case, CaseResult, CaseType
from noaber.intake.models import Report
from noaber.intake.tests.helpers import REPORT_URL, form_data
from noaber.registry.models import Signal


def url(name, *args, municipality="GM1774"):
    return reverse(f"cases:{name}", args=[municipality, *args])


class CasePageTests(NoaberTestCase):
    def test_the_barn_from_report_to_closed_case_with_feedback_to_the_reporter(self):
        # A resident reports; the advisor registers a signal, opens a RIEC case, closes it.
        receipt = self.client.post(REPORT_URL, form_data()).context["result"].receipt
        report = Report.objects.get()
        self.sign_in(self.advisor)
        self.client.post(
            reverse("registry:inbox", args=["GM1774"]), {"bulk": "register", "report": [report.pk]}
        )
        signal = Signal.objects.get()
        riec = CaseType.objects.get(code="riec")
        response = self.client.post(
            url("list"), {"case_type": riec.pk, "title": "Schuur Hoofdweg", "signal": signal.pk}
        )
        case = Case.objects.get()
        self.assertRedirects(response, url("case", case.pk))
        self.assertEqual(list(case.signals.all()), [signal])
        refused = self.client.post(
            url("step", case.pk, "status"), {"status": "monitoren", "version": case.version}
        )
        self.assertContains(
            refused, "Die status kan vanuit de huidige status niet bij dit zaaktype.",
            status_code=400,
        )  # fmt: skip
        self.client.post(
            url("step", case.pk, "status"), {"status": "onderzoek", "version": case.version}
        )
        case.refresh_from_db()
        self.assertEqual(case.status, "onderzoek")
        no_text = self.client.post(
            url("step", case.pk, "close"),
            {
                "result": CaseResult.objects.get(case_type=riec, code="maatregel").pk,
                "text": "",
                "version": case.version,
            },
        )
        self.assertContains(no_text, "Schrijf een afsluittekst.", status_code=400)
        self.client.post(
            url("step", case.pk, "close"),
            {
                "result": CaseResult.objects.get(case_type=riec, code="maatregel").pk,
                "text": "Drugslab opgerold, pand gesloten.",
                "public_text": "Het pand is gesloten. Dank voor uw melding.",
                "version": case.version,
            },
        )
        case.refresh_from_db()
        self.assertTrue(case.is_closed)
        # Editing a closed case is refused; only reopening with a reason.
        refused = self.client.post(
            url("step", case.pk, "note"), {"text": "Nog iets", "version": case.version}
        )
        self.assertContains(refused, "Heropen haar eerst", status_code=400)
        # The reporter sees "afgehandeld" and the public text with the receipt code.
        self.client.logout()
        self.client.post(reverse("intake:follow_up_start"), {"receipt": receipt})
        page = self.client.get(reverse("intake:follow_up"))
        self.assertContains(page, "afgehandeld")
        self.assertContains(page, "Het pand is gesloten. Dank voor uw melding.")
        self.assertNotContains(page, "Drugslab opgerold")
        kinds = [e.action for e in AuditEvent.objects.filter(object_type="case").order_by("id")]
        self.assertIn("create", kinds)

    def test_a_case_of_another_municipality_is_404_and_audited(self):
        from noaber.cases import actions

        case = actions.open_case(
            self.tubbergen, CaseType.objects.first(), "T", actor=self.advisor, request=None
        )
        self.sign_in(self.advisor)
        self.assertEqual(self.client.get(url("case", case.pk)).status_code, 404)
        self.assertTrue(
            AuditEvent.objects.filter(
                action="denied", object_type="case", object_id=str(case.pk)
            ).exists()
        )

    def test_a_note_is_corrected_by_a_new_note(self):
        from noaber.cases import actions

        case = actions.open_case(
            self.dinkelland, CaseType.objects.first(), "T", actor=self.advisor, request=None
        )
        wrong = actions.add_note(case, "Huisnummer 21.", actor=self.advisor, request=None)
        self.sign_in(self.advisor)
        self.client.post(
            url("step", case.pk, "note"),
            {"text": "Moet zijn: huisnummer 12.", "corrects": wrong.pk, "version": case.version},
        )
        fix = case.timeline.filter(corrects=wrong).get()
        self.assertEqual(fix.text, "Moet zijn: huisnummer 12.")
        wrong.refresh_from_db()
        self.assertEqual(wrong.text, "Huisnummer 21.")

    def test_a_task_due_in_the_past_is_refused(self):
        from noaber.cases import actions

        case = actions.open_case(
            self.dinkelland, CaseType.objects.first(), "T", actor=self.advisor, request=None
        )
        self.sign_in(self.advisor)
        response = self.client.post(
            url("step", case.pk, "task"),
            {"title": "Bellen", "due_date": "2020-01-01", "user": self.advisor.pk,
             "version": case.version},
        )  # fmt: skip
        self.assertContains(response, "in het verleden", status_code=400)
        self.assertFalse(case.tasks.exists())


class MeetingPageTests(NoaberTestCase):
    def test_plan_a_meeting_put_a_case_on_the_agenda_and_record_a_decision(self):
        from noaber.accounts.models import Organisation
        from noaber.cases import actions
        from noaber.cases.models import Meeting

        case = actions.open_case(
            self.dinkelland,
            CaseType.objects.get(code="overlast"),
            "Speelveld",
            actor=self.advisor,
            request=None,
        )
        politie = Organisation.objects.get(name="Politie")
        self.sign_in(self.advisor)
        response = self.client.post(
            url("meetings"),
            {
                "kind": "casusoverleg",
                "held_on": "2026-11-28",
                "partners": [politie.pk],
                "attendees": [self.enforcer.pk],
            },
        )
        meeting = Meeting.objects.get()
        self.assertRedirects(response, url("meeting", meeting.pk))
        self.assertEqual(set(meeting.attendees.all()), {self.advisor, self.enforcer})
        added = self.client.post(
            url("meeting_step", meeting.pk, "agenderen"),
            {"case": case.pk, "shared_with": [politie.pk]},
        )
        self.assertRedirects(added, url("meeting", meeting.pk), fetch_redirect_response=False)
        item = meeting.agenda.get()
        self.assertEqual(list(item.shared_with.all()), [politie])
        empty = self.client.post(url("meeting_item_step", meeting.pk, item.pk, "besluit"), {})
        self.assertContains(empty, "Dit veld is vereist.", status_code=400)
        self.client.post(
            url("meeting_item_step", meeting.pk, item.pk, "besluit"),
            {"text": "Extra toezicht op vrijdag."},
        )
        self.assertContains(self.client.get(url("case", case.pk)), "Extra toezicht op vrijdag.")
        agenda = self.client.get(url("meeting", meeting.pk))
        self.assertContains(agenda, "Extra toezicht op vrijdag.")
        self.assertTrue(AuditEvent.objects.filter(object_type="meeting", action="view").exists())
        self.client.post(
            url("meeting_step", meeting.pk, "verslag"),
            {"minutes": "Alle partners akkoord.", "version": meeting.version},
        )
        meeting.refresh_from_db()
        self.assertEqual(meeting.minutes, "Alle partners akkoord.")
