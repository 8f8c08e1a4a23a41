"""'Mijn taken': a person given a task sees and completes their own, and nothing else."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from noaber.accounts.models import Role
from noaber.accounts.tests.base import NoaberTestCase, make_user
from noaber.audit.models import AuditEvent
from noaber.cases import actions
from noaber.cases.forms import TaskForm
from noaber.cases.models import CaseType, Task


class MyTasksTests(NoaberTestCase):
    def setUp(self):
        self.case = actions.open_case(
            self.dinkelland, CaseType.objects.get(code="riec"), "Schuur Hoofdweg",
            actor=self.advisor, request=None,
        )  # fmt: skip
        due = timezone.localdate() + timedelta(days=3)
        self.mine = actions.add_task(self.case, "Controle schuur", due, actor=self.advisor,
                                     request=None, user=self.enforcer)  # fmt: skip
        self.other = actions.add_task(self.case, "Omwonenden bellen", due, actor=self.advisor,
                                      request=None, user=self.advisor)  # fmt: skip
        self.list_url = reverse("cases:my_tasks", args=["GM1774"])
        self.complete_url = reverse("cases:my_task_complete", args=["GM1774"])

    def test_the_enforcer_sees_only_their_own_tasks_and_not_the_case_title(self):
        self.sign_in(self.enforcer)
        response = self.client.get(self.list_url)
        self.assertContains(response, "Controle schuur")
        self.assertContains(response, self.case.number)
        self.assertNotContains(response, "Omwonenden bellen")
        self.assertNotContains(response, "Schuur Hoofdweg")
        event = AuditEvent.objects.filter(object_type="task", reason="my_tasks").latest("pk")
        self.assertEqual(event.detail["tasks"], [self.mine.pk])
        # The dashboard counts them and links to the list.
        response = self.client.get(reverse("ui:dashboard", args=["GM1774"]))
        self.assertContains(response, "1 open taak")
        self.assertContains(response, self.list_url)

    def test_someone_elses_task_is_a_404_audited_as_denied(self):
        self.sign_in(self.enforcer)
        response = self.client.get(f"{self.complete_url}?taak={self.other.pk}")
        self.assertEqual(response.status_code, 404)
        self.assertTrue(
            AuditEvent.objects.filter(
                object_type="task", object_id=str(self.other.pk), result="denied"
            ).exists()
        )
        denied = AuditEvent.objects.filter(object_type="task", result="denied").count()
        for bad in ("abc", "²", "1" * 19, "-1"):  # "²" passes str.isdigit but is no number
            with self.subTest(taak=bad):
                response = self.client.get(self.complete_url, {"taak": bad})
                self.assertEqual(response.status_code, 404)
        self.assertEqual(
            AuditEvent.objects.filter(object_type="task", result="denied").count(), denied + 4
        )
        self.assertRedirects(self.client.get(self.complete_url), self.list_url)

    def test_completing_without_a_result_keeps_the_form_and_changes_nothing(self):
        self.sign_in(self.enforcer)
        url = f"{self.complete_url}?taak={self.mine.pk}"
        response = self.client.post(url, {"result": "   "})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "utrecht-form-field-error-message", status_code=400)
        self.mine.refresh_from_db()
        self.assertIsNone(self.mine.completed_at)
        response = self.client.post(url, {"result": "x" * 2001})
        self.assertContains(response, "2000 tekens", status_code=400)
        self.assertContains(response, "x" * 2001, status_code=400)  # what was typed comes back
        self.mine.refresh_from_db()
        self.assertIsNone(self.mine.completed_at)

    def test_completing_returns_to_the_list_with_a_message_and_lands_on_the_timeline(self):
        self.sign_in(self.enforcer)
        url = f"{self.complete_url}?taak={self.mine.pk}"
        self.assertContains(self.client.get(url), "Controle schuur")
        response = self.client.post(url, {"result": "Schuur dicht, geen activiteit."}, follow=True)
        self.assertRedirects(response, self.list_url)
        self.assertContains(response, "Taak afgerond")
        self.mine.refresh_from_db()
        self.assertEqual(self.mine.result, "Schuur dicht, geen activiteit.")
        self.assertTrue(any("Controle schuur" in e.text for e in self.case.timeline.all()))
        # Done: no longer on the list; its page says so and offers no form.
        self.assertNotContains(self.client.get(self.list_url), "Controle schuur")
        response = self.client.get(url)
        self.assertContains(response, "Deze taak is al afgerond")
        self.assertNotContains(response, 'name="result"')

    def test_a_task_goes_only_to_someone_who_can_see_it(self):
        bestuur = make_user("bestuurder", {self.dinkelland: [Role.MANAGEMENT]})
        users = set(TaskForm(case=self.case).fields["user"].queryset)
        self.assertIn(self.enforcer, users)
        self.assertIn(self.employee, users)
        self.assertNotIn(bestuur, users)
        self.assertNotIn(self.partner, users)
        self.assertEqual(Task.objects.filter(owner_user=bestuur).count(), 0)
