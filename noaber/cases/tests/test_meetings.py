from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from noaber.accounts.models import Organisation
from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.cases import actions
from noaber.cases.models import CaseType, InterventionType, Team, TimelineEntry
from noaber.intake.models import Area
from noaber.partners.models import SharingAgreement


class MeetingTests(NoaberTestCase):
    def setUp(self):
        self.politie = Organisation.objects.get(name="Politie")
        self.case = actions.open_case(
            self.dinkelland,
            CaseType.objects.get(code="riec"),
            "Schuur",
            actor=self.advisor,
            request=None,
        )
        self.other = actions.open_case(
            self.dinkelland,
            CaseType.objects.get(code="overlast"),
            "Speelveld",
            actor=self.advisor,
            request=None,
        )
        self.meeting = actions.plan_meeting(
            self.dinkelland, "casusoverleg", timezone.localdate(), actor=self.advisor, request=None,
            attendees=[self.advisor], partners=[self.politie],
        )  # fmt: skip

    def test_partners_present_see_only_the_items_shared_with_them(self):
        actions.add_agenda_item(
            self.meeting, self.case, actor=self.advisor, request=None, shared_with=[self.politie]
        )
        actions.add_agenda_item(self.meeting, self.other, actor=self.advisor, request=None)
        self.assertEqual(
            [i.case for i in actions.agenda_for_partner(self.meeting, self.politie)], [self.case]
        )
        absent = Organisation.objects.exclude(pk=self.politie.pk).first()
        with self.assertRaisesMessage(ValidationError, "aanwezig"):
            actions.add_agenda_item(
                self.meeting, self.other, actor=self.advisor, request=None, shared_with=[absent]
            )

    def test_decisions_become_tasks_or_interventions_on_the_case_timeline(self):
        item = actions.add_agenda_item(
            self.meeting, self.case, actor=self.advisor, request=None, shared_with=[self.politie]
        )
        agreement = SharingAgreement.objects.create(
            name="RIEC", purpose="x", legal_basis="y", valid_from=date(2024, 1, 1)
        )
        agreement.organisations.add(self.politie)
        agreement.municipalities.add(self.dinkelland)
        task = {
            "title": "Inval voorbereiden",
            "due_date": timezone.localdate() + timedelta(days=7),
            "organisation": self.politie,
            "agreement": agreement,
        }
        decision = actions.record_decision(
            item, "Politie bereidt een inval voor.", actor=self.advisor, request=None, task=task
        )
        self.assertEqual(decision.task.owner_organisation, self.politie)
        kinds = list(self.case.timeline.values_list("kind", flat=True))
        self.assertIn(TimelineEntry.Kind.MEETING, kinds)
        self.assertIn(TimelineEntry.Kind.TASK, kinds)
        intervention = {
            "kind": InterventionType.objects.get(code="sluiting_13b"),
            "decided_on": timezone.localdate(),
            "decided_by": "burgemeester",
            "follow_up": "",
        }
        actions.record_decision(
            item, "Burgemeester sluit het pand.", actor=self.advisor, request=None,
            intervention=intervention,
        )  # fmt: skip
        self.assertEqual(self.case.interventions.count(), 1)

    def test_a_decision_on_a_case_the_user_may_not_see_is_refused(self):
        item = actions.add_agenda_item(self.meeting, self.case, actor=self.advisor, request=None)
        with self.assertRaisesMessage(ValidationError, "niet inzien"):
            actions.record_decision(item, "Besluit", actor=self.advisor_tubbergen, request=None)
        self.assertFalse(item.decisions.exists())

    def test_a_case_of_another_municipality_cannot_be_on_the_agenda(self):
        elsewhere = actions.open_case(
            self.tubbergen, CaseType.objects.first(), "T", actor=self.advisor, request=None
        )
        with self.assertRaisesMessage(ValidationError, "niet bij de gemeente"):
            actions.add_agenda_item(self.meeting, elsewhere, actor=self.advisor, request=None)


class PartnerAgendaPageTests(NoaberTestCase):
    def test_a_partner_user_sees_only_the_items_shared_with_their_organisation(self):
        from django.urls import reverse

        politie = self.partner.organisation
        shared = actions.open_case(
            self.dinkelland,
            CaseType.objects.first(),
            "Gedeeld punt",
            actor=self.advisor,
            request=None,
        )
        hidden = actions.open_case(
            self.dinkelland,
            CaseType.objects.first(),
            "Intern punt",
            actor=self.advisor,
            request=None,
        )
        meeting = actions.plan_meeting(
            self.dinkelland,
            "riec",
            timezone.localdate(),
            actor=self.advisor,
            request=None,
            partners=[politie],
        )
        actions.add_agenda_item(
            meeting, shared, actor=self.advisor, request=None, shared_with=[politie]
        )
        actions.add_agenda_item(meeting, hidden, actor=self.advisor, request=None)
        self.sign_in(self.partner)
        page = self.client.get(reverse("cases:partner_agenda", args=["GM1774"]))
        self.assertContains(page, "Gedeeld punt")
        self.assertNotContains(page, "Intern punt")
        # The advisors' pages stay closed to the partner.
        self.assertEqual(
            self.client.get(reverse("cases:case", args=["GM1774", shared.pk])).status_code, 403
        )


class MeetingActionBadInputTests(NoaberTestCase):
    """Each meeting action refuses bad input beside the field, keeps what was typed and stores
    nothing (issue 17's bad inputs, for the meeting's own pages)."""

    def setUp(self):
        from django.urls import reverse

        self.case = actions.open_case(self.dinkelland, CaseType.objects.get(code="riec"),
                                      "Schuur", actor=self.advisor, request=None)  # fmt: skip
        self.meeting = actions.plan_meeting(
            self.dinkelland, "casusoverleg", timezone.localdate(), actor=self.advisor,
            request=None, attendees=[self.advisor], partners=[],
        )  # fmt: skip
        self.item = actions.add_agenda_item(self.meeting, self.case, actor=self.advisor,
                                            request=None)  # fmt: skip
        args = ["GM1774", self.meeting.pk, self.item.pk]
        self.decision_url = reverse("cases:meeting_item_step", args=[*args, "besluit"])
        self.item_minutes_url = reverse("cases:meeting_item_step", args=[*args, "puntverslag"])
        self.minutes_url = reverse("cases:meeting_step", args=["GM1774", self.meeting.pk,
                                                              "verslag"])  # fmt: skip
        self.sign_in(self.advisor)

    def assert_refused(self, url, data, field, message):
        from noaber.cases.models import Decision

        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 400, url)
        error = response.content.decode().split(f'id="id_{field}_error"', 1)
        self.assertEqual(len(error), 2, f"no error beside {field}")
        self.assertIn(message, error[1][:400])
        for value in data.values():
            self.assertContains(response, str(value)[:60], status_code=400)
        self.assertFalse(Decision.objects.exists())

    def test_a_decision_too_long_with_a_task_due_in_the_past_or_without_owner_is_refused(self):
        self.assert_refused(self.decision_url, {"text": "x" * 5001}, "text", "5000")
        yesterday = timezone.localdate() - timedelta(days=1)
        politie = Organisation.objects.get(name="Politie")
        self.assert_refused(
            self.decision_url,
            {"text": "Politie controleert.", "task_title": "Controle",
             "task_due": yesterday.isoformat(), "task_organisation": politie.pk},
            "task_due", "verleden",
        )  # fmt: skip
        self.assert_refused(
            self.decision_url,
            {"text": "Taak zonder eigenaar.", "task_title": "Controle"},
            "task_due", "eigenaar",
        )  # fmt: skip
        team = Team.objects.create(municipality=self.dinkelland, name="Boa's")
        self.assert_refused(
            self.decision_url,
            {"text": "Twee eigenaren.", "task_title": "Controle",
             "task_due": timezone.localdate().isoformat(), "task_team": team.pk,
             "task_organisation": politie.pk},
            "task_due", "één eigenaar",
        )  # fmt: skip
        self.assert_refused(
            self.decision_url,
            {"text": "Alleen een adres.", "location_postcode": "7591AB",
             "location_house_number": "12"},
            "task_title", "Een locatie hoort bij een taak",
        )  # fmt: skip
        from noaber.intake.demo import load_demo_addresses

        load_demo_addresses()  # the BAG: an address elsewhere is refused
        self.assert_refused(
            self.decision_url,
            {"text": "Adres in Amsterdam.", "task_title": "Controle", "task_team": team.pk,
             "task_due": timezone.localdate().isoformat(), "location_postcode": "1012AB",
             "location_house_number": "1"},
            "location_postcode", "1012",
        )  # fmt: skip
        self.assertEqual(self.case.tasks.count(), 0)

    def test_a_decision_gives_a_team_a_task_with_a_location(self):
        from noaber.cases.models import Decision

        team = Team.objects.create(municipality=self.dinkelland, name="Boa's")
        kern = Area.objects.filter(municipality=self.dinkelland).first()
        due = timezone.localdate() + timedelta(days=3)
        response = self.client.post(self.decision_url, {
            "text": "Boa's controleren de loods.", "task_title": "Controle loods",
            "task_due": due.isoformat(), "task_team": team.pk, "location_postcode": "7591 ab",
            "location_house_number": "12", "location_area": kern.pk,
        })  # fmt: skip
        self.assertEqual(response.status_code, 302)
        task = Decision.objects.get().task
        self.assertEqual((task.owner_team, task.title, task.due_date), (team, "Controle loods",
                                                                        due))  # fmt: skip
        self.assertEqual((task.location_postcode, task.location_house_number), ("7591AB", 12))

    def test_minutes_that_are_too_long_are_refused_and_nothing_is_stored(self):
        response = self.client.post(self.minutes_url, {"minutes": "y" * 20001, "version": 1})
        self.assertContains(response, "20000", status_code=400)
        response = self.client.post(self.item_minutes_url, {"minutes": "z" * 10001, "version": 1})
        self.assertContains(response, "10000", status_code=400)
        self.meeting.refresh_from_db()
        self.item.refresh_from_db()
        self.assertEqual((self.meeting.minutes, self.item.minutes), ("", ""))

    def test_minutes_from_a_stale_page_are_refused_and_keep_what_was_typed(self):
        """Two people edit the same minutes: the one who saves second, from the page they
        opened before the first saved, is refused above the form with their text still in
        it, and the first one's minutes stay."""
        for url, obj in [(self.minutes_url, self.meeting), (self.item_minutes_url, self.item)]:
            with self.subTest(url=url):
                page = self.client.get(url)
                self.assertContains(page, f'value="{obj.version}" id="id_version"')
                first = self.client.post(url, {"minutes": "Eerste versie.", "version": 1})
                self.assertEqual(first.status_code, 302)
                writes = AuditEvent.objects.filter(reason="minutes").count()
                stale = self.client.post(url, {"minutes": "Tweede versie.", "version": 1})
                self.assertContains(stale, "intussen gewijzigd", status_code=400)
                self.assertContains(stale, "Tweede versie.", status_code=400)
                obj.refresh_from_db()
                self.assertEqual((obj.minutes, obj.version), ("Eerste versie.", 2))
                self.assertEqual(AuditEvent.objects.filter(reason="minutes").count(), writes)
                # Reopened, the page carries the new version and the save goes through.
                again = self.client.post(url, {"minutes": "Tweede versie.", "version": 2})
                self.assertEqual(again.status_code, 302)
                obj.refresh_from_db()
                self.assertEqual((obj.minutes, obj.version), ("Tweede versie.", 3))
