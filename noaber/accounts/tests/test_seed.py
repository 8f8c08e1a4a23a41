from datetime import datetime, time, timedelta
from io import StringIO

from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from noaber.accounts.demo import DEMO_USERS
from noaber.accounts.models import Membership, Municipality, Organisation, User
from noaber.archive.models import DestructionList
from noaber.audit.chain import verify_all
from noaber.cases.models import Case, Decision
from noaber.insight.models import Alert
from noaber.insight.series import last_complete_week
from noaber.intake.models import Report
from noaber.portal.models import CaseShare
from noaber.themes.models import Theme


def _monday_this_week():
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    return timezone.make_aware(datetime.combine(monday, time(0)))


class SeedTests(TestCase):
    @override_settings(DEMO=True)
    def test_seed_demo_loads_reference_data_and_is_safe_to_run_twice(self):
        call_command("seed_demo", stdout=StringIO())
        counts = (
            User.objects.count(),
            Membership.objects.count(),
            Theme.objects.count(),
            Organisation.objects.count(),
            Report.objects.count(),
        )
        # The barn (5), the demonstration (1) and the person with confused behaviour (3).
        this_week = _monday_this_week()
        self.assertEqual(
            Report.objects.filter(
                municipality__cbs_code="GM1774", created_at__gte=this_week
            ).count(),
            9,
        )
        # The demo shares the barn case with the police under the RIEC covenant.
        share = CaseShare.objects.get(organisation__name="Politie")
        self.assertEqual(share.agreement.name, "RIEC-convenant Oost-Nederland")
        call_command("seed_demo", stdout=StringIO())
        self.assertEqual(CaseShare.objects.count(), 2)
        self.assertEqual(
            counts,
            (
                User.objects.count(),
                Membership.objects.count(),
                Theme.objects.count(),
                Organisation.objects.count(),
                Report.objects.count(),
            ),
        )
        self.assertEqual(
            dict(Municipality.objects.values_list("cbs_code", "name")),
            {
                "GM1774": "Dinkelland",
                "GM0183": "Tubbergen",
                "GM0168": "Losser",
                "GM0173": "Oldenzaal",
            },
        )
        self.assertEqual(Municipality.objects.get(cbs_code="GM1774").inhabitants_in(2025), 26741)
        for name in (
            "RIEC Oost-Nederland",
            "Zorg- en Veiligheidshuis (ZVH) Twente",
            "Politie",
            "Stichting Vizier",
            "Omgevingsdienst Twente",
            "Halt",
        ):
            self.assertTrue(
                Organisation.objects.filter(name=name, kind__in=Organisation.PARTNER_KINDS).exists()
            )
        self.assertEqual(User.objects.count(), len(DEMO_USERS))
        self.assertEqual(
            set(Membership.objects.values_list("role", flat=True)),
            {
                "employee",
                "advisor",
                "enforcer",
                "partner",
                "privacy",
                "management",
                "admin",
                "archivist",
            },
        )
        self.assertTrue(verify_all().ok)

    @override_settings(DEMO=True)
    def test_the_demo_tells_the_plans_three_example_cases(self):
        call_command("seed_demo", stdout=StringIO())
        # The example cases are this year's (the archivist's old closed cases are not).
        dinkelland = Case.objects.filter(
            municipality__cbs_code="GM1774", created_at__gte=timezone.now() - timedelta(days=1)
        )
        barn = dinkelland.get(case_type__code="riec")
        # 1. Ondermijning: subjects, privacy check, bronnencheck, a disclosure to the police,
        # the enforcer's tasks, a casusoverleg decision, 13b, closed; reporters read it.
        signal = barn.signals.get()
        self.assertEqual(
            sorted(signal.links.values_list("subject__kind", flat=True)), ["address", "company"]
        )
        self.assertEqual((signal.phase, signal.privacy_checks.count()), ("plan", 1))
        self.assertTrue(signal.source_checks.exists())
        self.assertTrue(signal.disclosures.filter(recipient__name="Politie").exists())
        self.assertEqual(barn.status, "closed")
        self.assertTrue(barn.tasks.filter(owner_user__username="handhaver").exists())
        self.assertTrue(Decision.objects.filter(item__case=barn).exists())
        self.assertTrue(barn.interventions.filter(kind__code="sluiting_13b").exists())
        self.assertEqual(set(signal.reports.values_list("status", flat=True)), {"closed"})
        kept = CaseShare.objects.get(case=barn)
        self.assertIsNone(kept.ended_at)
        self.assertTrue(kept.keep_until)  # aftercare by the police, with a reason
        # 2. Maatschappelijke onrust: the gezagsdriehoek decided, the case is monitored.
        unrest = dinkelland.get(case_type__code="onrust")
        self.assertEqual(unrest.status, "monitoren")
        self.assertTrue(
            Decision.objects.filter(item__case=unrest, item__meeting__kind="driehoek").exists()
        )
        # 3. Zorg en veiligheid: one person, shared with the ZVH under the renewed convenant.
        care = dinkelland.get(case_type__code="pga")
        self.assertEqual(care.signals.get().links.get().subject.kind, "person")
        self.assertEqual(
            CaseShare.objects.get(case=care).agreement.name,
            "Convenant Zorg- en Veiligheidshuis Twente 2026-2028",
        )
        self.assertTrue(care.tasks.filter(owner_organisation__name__startswith="Zorg-").exists())
        # The privacy officer has an open inzage request, linked to that person.
        person = care.signals.get().links.get().subject
        self.assertEqual(person.requests.get().kind, "inzage")
        # Tubbergen has its own, which Dinkelland's users never see.
        self.assertTrue(Case.objects.filter(municipality__cbs_code="GM0183").exists())
        self.assertTrue(verify_all().ok)

    @override_settings(DEMO=True)
    def test_the_demo_has_three_years_of_reports_and_an_alert_for_last_week(self):
        call_command("seed_demo", stdout=StringIO())
        dinkelland = Municipality.objects.get(cbs_code="GM1774")
        oldest = Report.objects.filter(municipality=dinkelland).order_by("created_at").first()
        self.assertLess(oldest.created_at, timezone.now() - timedelta(weeks=3 * 52 - 1))
        week = last_complete_week(timezone.localdate())
        alerts = Alert.objects.filter(municipality=dinkelland, year=week[0], week=week[1])
        labels = sorted(a.series_label for a in alerts)
        self.assertIn("Meldingen in Weerselo", labels)
        weerselo = alerts.get(series_label="Meldingen in Weerselo")
        self.assertGreaterEqual(weerselo.observed, 12)
        self.assertLess(weerselo.upper, weerselo.observed)
        self.assertFalse(Alert.objects.exclude(municipality=dinkelland).exists())
        reports, n_alerts = Report.objects.count(), Alert.objects.count()
        call_command("seed_demo", stdout=StringIO())
        self.assertEqual((Report.objects.count(), Alert.objects.count()), (reports, n_alerts))

    @override_settings(DEMO=True)
    def test_the_archivist_finds_old_cases_and_a_destruction_list_to_review(self):
        call_command("seed_demo", stdout=StringIO())
        lists = DestructionList.objects.filter(municipality__cbs_code="GM1774")
        self.assertEqual([dl.status for dl in lists], [DestructionList.Status.OPEN])
        on_list = {i.case.title for i in lists[0].items.select_related("case")}
        self.assertIn("Hangplek bij de kerk", on_list)
        # Under a legal hold, and kept for good: neither is proposed for destruction.
        self.assertNotIn("Overlast bij de sporthal", on_list)
        self.assertNotIn("Sluiting woning (art. 13b Opiumwet)", on_list)
        held = [c for c in Case.objects.filter(legal_hold=True)]
        self.assertEqual([c.title for c in held], ["Overlast bij de sporthal"])
        self.assertEqual(Case.objects.order_by("pk").first().title, "Hangplek bij de kerk")

    @override_settings(DEMO=True)
    def test_demo_logins_prints_every_user_with_a_current_code(self):
        call_command("seed_demo", stdout=StringIO())
        out = StringIO()
        call_command("demo_logins", stdout=out)
        for username, *_ in DEMO_USERS:
            self.assertRegex(out.getvalue(), rf"{username}\s+\d{{6}}\s+[A-Z2-7]{{32}}")

    @override_settings(DEMO=False)
    def test_seed_demo_refuses_outside_demo_mode(self):
        with self.assertRaisesMessage(CommandError, "demo mode"):
            call_command("seed_demo", stdout=StringIO())
        self.assertFalse(User.objects.exists())
