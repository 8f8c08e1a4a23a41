from io import StringIO

from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from noaber.accounts.demo import DEMO_USERS
from noaber.accounts.models import Membership, Municipality, Organisation, User
from noaber.audit.chain import verify_chain
from noaber.intake.models import Report
from noaber.portal.models import CaseShare
from noaber.themes.models import Theme


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
        self.assertEqual(Report.objects.filter(municipality__cbs_code="GM1774").count(), 5)
        # The demo shares the barn case with the police under the RIEC covenant.
        share = CaseShare.objects.get()
        self.assertEqual(share.organisation.name, "Politie")
        self.assertEqual(share.agreement.name, "RIEC-convenant Oost-Nederland")
        call_command("seed_demo", stdout=StringIO())
        self.assertEqual(CaseShare.objects.count(), 1)
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
            {"employee", "advisor", "enforcer", "partner", "privacy", "management", "admin"},
        )
        self.assertTrue(verify_chain().ok)

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
