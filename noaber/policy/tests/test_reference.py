"""Dinkelland's IVP 2024-2026, seeded from data/reference as data."""

from unittest import mock

from noaber.accounts.models import Organisation
from noaber.accounts.tests.base import NoaberTestCase
from noaber.policy import reference
from noaber.policy.models import Action, Plan, PlanPriority

NAME = "Integraal Veiligheidsplan Dinkelland 2024-2026"


class SeededPlanTests(NoaberTestCase):
    def setUp(self):
        self.plan = Plan.objects.get(name=NAME)

    def test_the_plan_covers_dinkelland_2024_to_2026_with_five_principles(self):
        self.assertEqual(list(self.plan.municipalities.all()), [self.dinkelland])
        self.assertEqual((self.plan.start_year, self.plan.end_year), (2024, 2026))
        self.assertEqual(self.plan.baseline_year, 2023)
        self.assertTrue(self.plan.introduction)
        self.assertEqual(len(self.plan.principles), 5)
        for principle in self.plan.principles:
            self.assertTrue(principle["title"] and principle["text"])
        self.assertEqual(self.plan.principles[0]["title"][:13], "Samenwerking,")

    def test_three_priorities_in_order_with_goal_actions_and_partners(self):
        priorities = list(self.plan.priorities.all())
        self.assertEqual(
            [(p.order, p.name) for p in priorities],
            [
                (1, "Ondermijning en gedigitaliseerde criminaliteit"),
                (2, "Maatschappelijke onrust en migratie"),
                (3, "Zorg en veiligheid"),
            ],
        )
        for priority in priorities:
            with self.subTest(priority=priority.name):
                for field in ("about", "challenges", "goal", "done", "will_do", "with_whom"):
                    self.assertTrue(getattr(priority, field).strip(), field)
                self.assertNotIn("- \n", priority.will_do)
                self.assertTrue(priority.themes.exists())
                self.assertTrue(priority.case_types.exists())
                self.assertTrue(priority.partners.exists())
                self.assertTrue(priority.indicators.exists())
                bullets = [line for line in priority.will_do.splitlines() if line.startswith("- ")]
                self.assertEqual(priority.actions.count(), len(bullets))

    def test_every_action_has_an_owner_and_falls_within_the_plan(self):
        actions = Action.objects.filter(priority__plan=self.plan)
        self.assertEqual(actions.count(), 14)
        for action in actions:
            with self.subTest(action=action.title):
                self.assertIsNotNone(action.owner_id)
                self.assertTrue(action.description)
                self.assertTrue(self.plan.start_year <= action.start_year <= action.end_year)
                self.assertLessEqual(action.end_year, self.plan.end_year)
                self.assertEqual(action.status, Action.Status.PLANNED)

    def test_the_ondermijning_priority_links_the_riec_and_its_case_types(self):
        priority = self.plan.priorities.get(name="Ondermijning en gedigitaliseerde criminaliteit")
        self.assertIn(Organisation.objects.get(name="RIEC Oost-Nederland"), priority.partners.all())
        self.assertEqual(
            set(priority.case_types.values_list("code", flat=True)),
            {"riec", "controle", "handhaving"},
        )
        self.assertIn("5.2", priority.themes.values_list("code", flat=True))

    def test_loading_again_changes_nothing_even_after_the_municipality_edited_the_plan(self):
        counts = (Plan.objects.count(), PlanPriority.objects.count(), Action.objects.count())
        self.plan.priorities.filter(order=1).update(goal="Eigen doel van de gemeente.")
        Action.objects.filter(priority__plan=self.plan).first().delete()
        self.assertEqual(reference.load_plans(), 0)
        self.assertEqual(
            (Plan.objects.count(), PlanPriority.objects.count(), Action.objects.count()),
            (counts[0], counts[1], counts[2] - 1),
        )
        self.assertEqual(self.plan.priorities.get(order=1).goal, "Eigen doel van de gemeente.")

    def test_an_unknown_organisation_in_the_data_fails_loudly_and_writes_nothing(self):
        data = reference.read("ivp-dinkelland-2024-2026.json")
        plan = data["plans"][0] | {"name": "IVP met een typefout"}
        plan["priorities"][0]["actions"][0]["owner"] = "Team Veiligheid met typefout"
        plan["priorities"][1]["themes"] = ["9.9"]
        with mock.patch.object(reference, "read", return_value={"plans": [plan]}):
            with self.assertRaisesMessage(
                reference.UnknownReferenceError, "organisatie 'Team Veiligheid met typefout'"
            ) as raised:
                reference.load_plans()
        self.assertIn("thema '9.9'", str(raised.exception))
        self.assertFalse(Plan.objects.filter(name="IVP met een typefout").exists())
