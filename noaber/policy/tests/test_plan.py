"""The IVP as data, the uitvoeringsplan board, progress and activities."""

from django.urls import reverse

from noaber.accounts.models import Organisation
from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.policy.models import Action, ActionNote, Activity, Plan, PlanPriority


def url(name, *args):
    return reverse(f"policy:{name}", args=["GM0183", *args])


class PlanTests(NoaberTestCase):
    """Tubbergen gets its own plan here (Dinkelland's is seeded from the IVP)."""

    def setUp(self):
        self.plan = Plan.objects.create(
            name="IVP Tubbergen 2024-2026", start_year=2024, end_year=2026, baseline_year=2023,
            principles=[{"title": "Samen", "text": "Met de keten."}],
        )  # fmt: skip
        self.plan.municipalities.set([self.tubbergen])
        self.priority = PlanPriority.objects.create(
            plan=self.plan, order=1, name="Ondermijning", goal="Weerbaar buitengebied."
        )
        self.team = Organisation.objects.get(
            name="Team Veiligheid (Toezicht, Handhaving en Veiligheid)"
        )
        self.sign_in(self.advisor)

    def form(self, **changes):
        return {
            "priority": self.priority.pk, "title": "Voorlichting aan agrariërs",
            "description": "", "owner": self.team.pk, "start_year": 2025, "end_year": 2026,
        } | changes  # fmt: skip

    def test_the_plan_page_shows_principles_and_priorities(self):
        response = self.client.get(url("plan"))
        self.assertContains(response, "IVP Tubbergen 2024-2026")
        self.assertContains(response, "Samen")
        self.assertContains(response, "Weerbaar buitengebied.")

    def test_an_action_is_added_with_its_owner_and_shows_on_the_board(self):
        response = self.client.post(url("action_create"), self.form())
        action = Action.objects.get(priority__plan=self.plan)
        self.assertRedirects(response, url("action", action.pk))
        self.assertEqual(action.owner, self.team)
        self.assertTrue(AuditEvent.objects.filter(object_type="plan_action", action="create"))
        board = self.client.get(url("board"))
        self.assertContains(board, "Voorlichting aan agrariërs")

    def test_an_action_without_an_owner_is_refused_and_nothing_is_saved(self):
        response = self.client.post(url("action_create"), self.form(owner=""))
        self.assertContains(response, "Een actie heeft een trekker nodig")
        self.assertFalse(Action.objects.filter(priority__plan=self.plan).exists())

    def test_an_action_outside_the_plans_years_is_refused(self):
        for changes, message in (
            ({"start_year": 2023}, "binnen de looptijd van het IVP (2024–2026)"),
            ({"start_year": 2026, "end_year": 2025}, "Het eindjaar ligt vóór het beginjaar."),
        ):
            with self.subTest(message=message):
                response = self.client.post(url("action_create"), self.form(**changes))
                self.assertContains(response, message)
        self.assertFalse(Action.objects.filter(priority__plan=self.plan).exists())

    def test_progress_is_appended_and_may_change_the_status(self):
        self.client.post(url("action_create"), self.form())
        action = Action.objects.get(priority__plan=self.plan)
        self.client.post(url("action_note", action.pk), {"text": "Eerste avond gehouden.",
                                                          "status": "running"})  # fmt: skip
        action.refresh_from_db()
        self.assertEqual(action.status, "running")
        response = self.client.post(url("action_note", action.pk), {"text": " ", "status": ""})
        self.assertContains(response, "Dit veld is vereist")
        self.assertEqual(ActionNote.objects.filter(action__priority__plan=self.plan).count(), 1)

    def test_an_activity_is_recorded_and_one_outside_the_period_is_refused(self):
        data = {"priority": self.priority.pk, "kind": "awareness", "title": "Sessie ondernemers",
                "held_on": "2025-03-12", "reach": "40"}  # fmt: skip
        self.client.post(url("activity_create"), data)
        self.assertEqual(Activity.objects.get().reach, 40)
        response = self.client.post(url("activity_create"), data | {"held_on": "2027-01-05"})
        self.assertContains(response, "buiten de looptijd van het IVP")
        self.assertEqual(Activity.objects.count(), 1)

    def test_the_activities_are_listed_in_pages_and_a_bad_page_is_refused_in_dutch(self):
        from datetime import date

        from django.test import override_settings

        for n in range(7):
            Activity.objects.create(
                priority=self.priority, kind="awareness", title=f"Sessie {n}",
                held_on=date(2025, 1, 1 + n), created_by=self.advisor,
            )  # fmt: skip
        with override_settings(NOABER_PAGE_SIZE=3):
            first = self.client.get(url("activities"))
            self.assertContains(first, "1–3 van 7")
            third = self.client.get(url("activities") + "?pagina=3")
            self.assertContains(third, "7–7 van 7")
            second = self.client.get(url("activities") + "?pagina=2")
            titles = [a.title for page in (first, second, third) for a in page.context["listing"]]
            # Newest first, none skipped, none twice.
            self.assertEqual(titles, [f"Sessie {n}" for n in range(6, -1, -1)])
            oldest = self.client.get(url("activities") + "?sorteer=datum")
            self.assertEqual(oldest.context["listing"].items[0].title, "Sessie 0")
            before = (Activity.objects.count(), AuditEvent.objects.count())
            for query, message in (
                ("pagina=-1", "Pagina -1 bestaat niet: deze lijst heeft 3 pagina"),
                ("pagina=4", "Pagina 4 bestaat niet"),
                ("pagina=abc", "Vul een paginanummer in als getal vanaf 1."),
                ("sorteer=titel", "Deze lijst kan niet sorteren op „titel”"),
            ):
                with self.subTest(query=query):
                    response = self.client.get(url("activities") + f"?{query}")
                    self.assertContains(response, message, status_code=400)
                    self.assertContains(response, "Sessie 6", status_code=400)  # page 1
            self.assertEqual((Activity.objects.count(), AuditEvent.objects.count()), before)

    def test_management_reads_the_board_but_does_not_change_it(self):
        from noaber.accounts.models import Role
        from noaber.accounts.tests.base import make_user

        boss = make_user("burgemeester", {self.tubbergen: [Role.MANAGEMENT]})
        self.sign_in(boss)
        self.assertEqual(self.client.get(url("board")).status_code, 200)
        self.assertEqual(self.client.post(url("action_create"), self.form()).status_code, 403)

    def test_a_municipality_without_a_plan_says_so(self):
        self.plan.delete()
        response = self.client.get(url("plan"))
        self.assertContains(response, "geen integraal veiligheidsplan")
        self.assertEqual(self.client.get(url("board")).status_code, 404)
