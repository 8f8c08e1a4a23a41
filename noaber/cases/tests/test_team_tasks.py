"""Teams, a task's location, and what an enforcer may (not) open."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from noaber.accounts.models import Role
from noaber.accounts.tests.base import NoaberTestCase, make_user
from noaber.audit.models import AuditEvent
from noaber.cases import actions
from noaber.cases.models import CaseType, Task, Team
from noaber.intake.models import Area
from noaber.ui.tests.examples import signal


class TeamTaskTests(NoaberTestCase):
    def setUp(self):
        self.case = actions.open_case(
            self.dinkelland, CaseType.objects.get(code="riec"), "Jan Jansen, Hoofdweg 3",
            actor=self.advisor, request=None,
        )  # fmt: skip
        self.colleague = make_user("henk", {self.dinkelland: [Role.ENFORCER]})
        self.outsider = make_user("harm", {self.dinkelland: [Role.ENFORCER]})
        self.team = actions.save_team(
            self.dinkelland, name="Handhaving Dinkelland",
            members=[self.enforcer, self.colleague], request=None,
        )  # fmt: skip
        self.kern = Area.objects.filter(municipality=self.dinkelland).first()
        self.due = timezone.localdate() + timedelta(days=2)
        self.task = actions.add_task(
            self.case, "Controle loods achter het huis", self.due, actor=self.advisor,
            request=None, team=self.team,
            location={"location_postcode": "7591AB", "location_house_number": 12,
                      "location_addition": "A", "location_area": self.kern},
        )  # fmt: skip
        self.list_url = reverse("cases:my_tasks", args=["GM1774"])
        self.complete_url = reverse("cases:my_task_complete", args=["GM1774"])
        self.task_url = f"{self.complete_url}?taak={self.task.pk}"

    def test_every_team_member_sees_the_team_task_with_only_what_it_needs(self):
        for user in (self.enforcer, self.colleague):
            self.sign_in(user)
            response = self.client.get(self.list_url)
            self.assertContains(response, "Controle loods achter het huis")
            self.assertContains(response, self.case.number)
            self.assertContains(response, f"7591 AB 12A, {self.kern.name}")
            self.assertContains(response, "team Handhaving Dinkelland")
            # Never the case's title (it names a person), its type or its regisseur.
            self.assertNotContains(response, "Jan Jansen")
            self.assertNotContains(response, "RIEC")
            self.assertNotContains(response, self.advisor.username)
        # Each view of the list is audited with the tasks shown.
        events = AuditEvent.objects.filter(object_type="task", reason="my_tasks", action="view")
        self.assertEqual(events.count(), 2)
        self.assertEqual(events.latest("pk").detail["tasks"], [self.task.pk])

    def test_someone_outside_the_team_gets_a_404_audited_as_denied(self):
        self.sign_in(self.outsider)
        self.assertNotContains(self.client.get(self.list_url), "Controle loods")
        self.assertEqual(self.client.get(self.task_url).status_code, 404)
        response = self.client.post(self.task_url, {"result": "Gedaan"})
        self.assertEqual(response.status_code, 404)
        denied = AuditEvent.objects.filter(
            object_type="task", object_id=str(self.task.pk), action="denied", result="denied"
        )
        self.assertEqual(denied.count(), 2)
        self.task.refresh_from_db()
        self.assertIsNone(self.task.completed_at)

    def test_an_inactive_team_no_longer_shows_its_tasks_to_its_members(self):
        actions.save_team(self.dinkelland, name=self.team.name, members=[self.enforcer],
                          active=False, team=self.team, request=None)  # fmt: skip
        self.sign_in(self.enforcer)
        self.assertNotContains(self.client.get(self.list_url), "Controle loods")
        self.assertEqual(self.client.get(self.task_url).status_code, 404)

    def test_an_enforcer_opening_a_case_or_a_signal_gets_a_404_audited_as_denied(self):
        self.sign_in(self.enforcer)
        signal_pk = signal(self.dinkelland)["pk"]
        for url in (
            reverse("cases:case", args=["GM1774", self.case.pk]),
            reverse("cases:list", args=["GM1774"]),
            reverse("registry:signal", args=["GM1774", signal_pk]),
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 404)
                self.assertNotContains(response, "Jan Jansen", status_code=404)
                self.assertTrue(
                    AuditEvent.objects.filter(
                        action="denied", result="denied", object_id=url, actor="hanna"
                    ).exists()
                )

    def test_completing_lands_on_the_timeline_and_a_team_mate_on_a_stale_page_is_refused(self):
        self.sign_in(self.colleague, self.client_class())  # opens the page too, then waits
        self.sign_in(self.enforcer)
        response = self.client.post(self.task_url, {"result": "Loods leeg, niets gevonden."})
        self.assertRedirects(response, self.list_url)
        self.task.refresh_from_db()
        self.assertEqual(self.task.result, "Loods leeg, niets gevonden.")
        self.assertTrue(any("Afgerond: Controle loods" in e.text for e in self.case.timeline.all()))
        # The colleague posts from the page opened before: refused, the first result stays.
        other = self.sign_in(self.colleague, self.client_class())
        response = other.post(self.task_url, {"result": "Ook gecontroleerd."})
        self.assertContains(response, "Deze taak is al afgerond.", status_code=400)
        self.assertContains(response, "Ook gecontroleerd.", status_code=400)  # typed text kept
        self.task.refresh_from_db()
        self.assertEqual(self.task.result, "Loods leeg, niets gevonden.")
        self.assertEqual(
            sum("Afgerond: Controle loods" in e.text for e in self.case.timeline.all()), 1
        )
        # Opening it again: the page says it is done and shows no form.
        response = other.get(self.task_url)
        self.assertContains(response, "Deze taak is al afgerond op")
        self.assertNotContains(response, 'name="result"')

    def test_completing_without_a_result_is_refused_beside_the_field(self):
        self.sign_in(self.enforcer)
        response = self.client.post(self.task_url, {"result": ""})
        self.assertContains(response, "utrecht-form-field-error-message", status_code=400)
        self.task.refresh_from_db()
        self.assertIsNone(self.task.completed_at)

    def test_the_members_of_the_team_get_the_reminder_of_a_team_task(self):
        from django.core import mail

        from noaber.cases.tasks import send_task_reminders

        Task.objects.filter(pk=self.task.pk).update(due_date=timezone.localdate())
        self.enforcer.email = "hanna@example.nl"
        self.enforcer.save(update_fields=["email"])
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(send_task_reminders.call(), 1)
        self.assertEqual(mail.outbox[0].to, ["hanna@example.nl"])  # henk has no address
        self.assertNotIn("Jan Jansen", mail.outbox[0].body)

    def test_the_dashboard_counts_team_tasks_and_late_ones(self):
        Task.objects.filter(pk=self.task.pk).update(due_date=timezone.localdate() - timedelta(1))
        self.sign_in(self.colleague)
        response = self.client.get(reverse("ui:dashboard", args=["GM1774"]))
        self.assertContains(response, "1 open taak")
        self.assertContains(response, "1 verlopen")
        self.assertNotContains(response, "straks")


class TaskLocationTests(NoaberTestCase):
    def setUp(self):
        self.case = actions.open_case(
            self.dinkelland, CaseType.objects.get(code="riec"), "Loods",
            actor=self.advisor, request=None,
        )  # fmt: skip
        self.url = reverse("cases:step", args=["GM1774", self.case.pk, "task"])
        self.due = (timezone.localdate() + timedelta(days=5)).isoformat()
        self.team = actions.save_team(self.dinkelland, name="Handhaving", members=[self.enforcer],
                                      request=None)  # fmt: skip

    def post(self, **extra):
        self.case.refresh_from_db()
        data = {"title": "Controle", "due_date": self.due, "version": self.case.version}
        return self.client.post(self.url, data | extra)

    def test_the_advisor_gives_a_task_to_a_team_with_a_location(self):
        self.sign_in(self.advisor)
        kern = Area.objects.filter(municipality=self.dinkelland).first()
        response = self.post(team=self.team.pk, location_postcode="7591 ab",
                             location_house_number="4", location_area=kern.pk)  # fmt: skip
        self.assertEqual(response.status_code, 302)
        task = Task.objects.get(case=self.case)
        self.assertEqual(task.owner_team, self.team)
        self.assertEqual((task.location_postcode, task.location_house_number), ("7591AB", 4))
        self.assertEqual(task.location_area, kern)

    def test_bad_locations_and_owners_are_refused_in_dutch_and_nothing_is_saved(self):
        self.sign_in(self.advisor)
        tubbergen_kern = Area.objects.filter(municipality=self.tubbergen).first()
        other_team = Team.objects.create(municipality=self.tubbergen, name="Handhaving T")
        cases = [
            ({"team": self.team.pk, "location_postcode": "1012 A"}, "geldige postcode"),
            ({"team": self.team.pk, "location_postcode": "7591AB"}, "Vul ook het huisnummer in"),
            ({"team": self.team.pk, "location_house_number": "3"}, "Vul ook de postcode in"),
            ({"team": self.team.pk, "location_area": tubbergen_kern.pk}, "Selecteer een geldige"),
            ({"team": other_team.pk}, "Selecteer een geldige"),
            ({"team": self.team.pk, "user": self.enforcer.pk}, "Kies één eigenaar"),
            ({}, "Kies één eigenaar"),
        ]
        for extra, message in cases:
            with self.subTest(extra=extra):
                response = self.post(**extra)
                self.assertContains(response, message, status_code=400)
        self.assertFalse(Task.objects.filter(case=self.case).exists())

    def test_a_task_location_is_checked_against_the_bag(self):
        """With the address register imported, an unknown address and one in another
        municipality are refused beside the postcode; a known one gets its kern."""
        from noaber.intake.demo import load_demo_addresses

        load_demo_addresses()
        self.sign_in(self.advisor)
        for number, postcode, message in [
            ("99", "7591AB", "Wij kennen geen adres 7591 AB 99"),
            ("20", "7651AB", "ligt in de gemeente Tubbergen"),
        ]:
            with self.subTest(postcode=postcode):
                response = self.post(team=self.team.pk, location_postcode=postcode,
                                     location_house_number=number)  # fmt: skip
                self.assertContains(response, message, status_code=400)
                error = response.content.decode().split('id="id_location_postcode_error"', 1)
                self.assertEqual(len(error), 2, "the message stands beside the postcode")
        self.assertFalse(Task.objects.filter(case=self.case).exists())
        response = self.post(team=self.team.pk, location_postcode="7591AB",
                             location_house_number="12")  # fmt: skip
        self.assertEqual(response.status_code, 302)
        task = Task.objects.get(case=self.case)
        self.assertIsNotNone(task.location_area)
        self.assertEqual(task.location_area.municipality, self.dinkelland)
        # The street and woonplaats from the BAG, for whoever goes there.
        self.assertEqual((task.location_street, task.location_woonplaats),
                         ("Hoofdweg", "Denekamp"))  # fmt: skip
        self.assertTrue(task.location_label.startswith("Hoofdweg 12, 7591 AB Denekamp"))
        self.sign_in(self.enforcer)
        my_tasks = self.client.get(reverse("cases:my_tasks", args=["GM1774"]))
        self.assertContains(my_tasks, "Hoofdweg 12, 7591 AB Denekamp")

    def test_the_database_refuses_a_task_with_two_owners(self):
        from django.db import IntegrityError, transaction

        with self.assertRaises(IntegrityError), transaction.atomic():
            Task.objects.create(case=self.case, title="x", due_date=timezone.localdate(),
                                owner_user=self.enforcer, owner_team=self.team)  # fmt: skip

    def test_the_action_itself_refuses_another_municipalitys_team_and_area(self):
        from django.core.exceptions import ValidationError

        other_team = Team.objects.create(municipality=self.tubbergen, name="Handhaving T")
        tubbergen_kern = Area.objects.filter(municipality=self.tubbergen).first()
        due = timezone.localdate()
        with self.assertRaises(ValidationError):
            actions.add_task(self.case, "x", due, actor=self.advisor, request=None,
                             team=other_team)  # fmt: skip
        with self.assertRaises(ValidationError):
            actions.add_task(
                self.case, "x", due, actor=self.advisor, request=None, team=self.team,
                location={"location_area": tubbergen_kern},
            )  # fmt: skip
        self.assertFalse(Task.objects.filter(case=self.case).exists())


class TeamAdminTests(NoaberTestCase):
    def test_the_admin_creates_and_changes_a_team_audited(self):
        self.sign_in(self.admin)
        url = reverse("cases:team_new", args=["GM1774"])
        response = self.client.post(url, {"name": "Handhaving Dinkelland", "active": "on",
                                          "members": [self.enforcer.pk]})  # fmt: skip
        self.assertRedirects(response, reverse("cases:teams", args=["GM1774"]))
        team = Team.objects.get()
        self.assertEqual(list(team.members.all()), [self.enforcer])
        event = AuditEvent.objects.filter(object_type="team", action="create").get()
        self.assertEqual(event.detail["members_added"], [self.enforcer.pk])
        edit = reverse("cases:team_edit", args=["GM1774", team.pk])
        self.client.post(edit, {"name": "Handhaving", "members": [self.employee.pk]})
        team.refresh_from_db()
        self.assertEqual((team.name, team.active), ("Handhaving", False))
        event = AuditEvent.objects.filter(object_type="team", action="update").get()
        self.assertEqual(event.detail["members_removed"], [self.enforcer.pk])
        self.assertContains(self.client.get(reverse("cases:teams", args=["GM1774"])), "Handhaving")

    def test_bad_team_input_is_refused_and_nothing_changes(self):
        Team.objects.create(municipality=self.dinkelland, name="Handhaving")
        self.sign_in(self.admin)
        url = reverse("cases:team_new", args=["GM1774"])
        cases = [
            ({"name": ""}, "Dit veld is vereist"),
            ({"name": "x" * 101}, "100 tekens"),
            ({"name": "handhaving"}, "al een team met die naam"),
            # Someone of another municipality, or without a task role, cannot be a member.
            ({"name": "Nieuw", "members": [self.advisor_tubbergen.pk]}, "Selecteer een geldige"),
            ({"name": "Nieuw", "members": [self.management.pk]}, "Selecteer een geldige"),
        ]
        for data, message in cases:
            with self.subTest(data=data):
                self.assertContains(self.client.post(url, data), message, status_code=400)
        self.assertEqual(Team.objects.count(), 1)
        self.assertFalse(AuditEvent.objects.filter(object_type="team").exists())

    def test_another_municipalitys_team_is_not_found(self):
        team = Team.objects.create(municipality=self.tubbergen, name="Handhaving T")
        self.sign_in(self.admin)
        url = reverse("cases:team_edit", args=["GM1774", team.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
