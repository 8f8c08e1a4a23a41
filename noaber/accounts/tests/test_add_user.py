from io import StringIO
from unittest import mock

from django.core.management import CommandError, call_command

from noaber.accounts.models import User
from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent


class AddUserTests(NoaberTestCase):
    def add(self, *args, password="Een-goed-wachtwoord-2026"):
        with mock.patch("getpass.getpass", return_value=password):
            call_command("add_user", *args, stdout=StringIO())

    def test_creates_a_user_with_roles_and_audits_it(self):
        self.add("j.jansen", "--role", "GM1774:admin", "--role", "GM0183:advisor")
        user = User.objects.get(username="j.jansen")
        self.assertEqual(
            set(user.memberships.values_list("municipality__cbs_code", "role")),
            {("GM1774", "admin"), ("GM0183", "advisor")},
        )
        self.assertTrue(
            AuditEvent.objects.filter(
                object_type="user", object_id="j.jansen", action="create", origin="cli"
            ).exists()
        )

    def test_weak_password_unknown_role_or_municipality_change_nothing(self):
        with self.assertRaisesMessage(CommandError, "te kort"):
            self.add("kort", "--role", "GM1774:admin", password="kort")
        with self.assertRaisesMessage(CommandError, "Unknown municipality or role"):
            self.add("x", "--role", "GM1774:koning")
        with self.assertRaisesMessage(CommandError, "Unknown municipality or role"):
            self.add("x", "--role", "GM9999:admin")
        self.assertFalse(User.objects.filter(username__in=["kort", "x"]).exists())

    def test_a_partner_user_must_belong_to_a_chain_partner(self):
        with self.assertRaisesMessage(CommandError, "needs --organisation naming a chain partner"):
            self.add("p.zonder", "--role", "GM1774:partner")
        team = "Team Veiligheid (Toezicht, Handhaving en Veiligheid)"
        with self.assertRaisesMessage(CommandError, "needs --organisation naming a chain partner"):
            self.add("p.team", "--role", "GM1774:partner", "--organisation", team)
        self.assertFalse(User.objects.filter(username__startswith="p.").exists())
        self.add("p.halt", "--role", "GM1774:partner", "--organisation", "Halt")
        self.assertEqual(User.objects.get(username="p.halt").organisation.name, "Halt")

    def test_granting_the_partner_role_without_a_partner_organisation_is_refused(self):
        from django.core.exceptions import ValidationError

        from noaber.accounts import actions
        from noaber.accounts.models import Membership, Role

        with self.assertRaisesMessage(ValidationError, "moet bij een ketenpartner horen"):
            actions.grant_role(self.employee, self.dinkelland, Role.PARTNER)
        self.assertFalse(Membership.objects.filter(user=self.employee, role=Role.PARTNER))
