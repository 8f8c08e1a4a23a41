"""The base test case: real database, reference data, and one named user per role.

advisor            advisor of Dinkelland and Tubbergen (Team Veiligheid)
advisor_tubbergen  advisor of Tubbergen only — "an advisor of another municipality"
employee, enforcer, partner (Politie), privacy, management, admin, archivist — in Dinkelland
"""

from django.test import TestCase
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from noaber.accounts import actions
from noaber.accounts.demo import current_code
from noaber.accounts.models import Municipality, Organisation, Role
from noaber.reference import load_all

PASSWORD = "Lang-en-sterk-wachtwoord-42"


def make_user(username, roles, organisation=None, *, device=True):
    """roles: {municipality: [role, ...]}. Gives the user a confirmed TOTP device."""
    user = actions.create_user(username, password=PASSWORD, organisation=organisation)
    for municipality, role_list in roles.items():
        for role in role_list:
            actions.grant_role(user, municipality, role)
    if device:
        TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


def totp_now(user) -> str:
    return f"{current_code(TOTPDevice.objects.get(user=user, confirmed=True)):06d}"


class NoaberTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_all()
        cls.dinkelland = Municipality.objects.get(cbs_code="GM1774")
        cls.tubbergen = Municipality.objects.get(cbs_code="GM0183")
        politie = Organisation.objects.get(name="Politie")
        d, t = cls.dinkelland, cls.tubbergen
        cls.advisor = make_user("anouk", {d: [Role.ADVISOR], t: [Role.ADVISOR]})
        cls.advisor_tubbergen = make_user("tim", {t: [Role.ADVISOR]})
        cls.employee = make_user("mees", {d: [Role.EMPLOYEE]})
        cls.enforcer = make_user("hanna", {d: [Role.ENFORCER]})
        cls.partner = make_user("piet", {d: [Role.PARTNER]}, politie)
        cls.privacy = make_user("priya", {d: [Role.PRIVACY]})
        cls.management = make_user("bram", {d: [Role.MANAGEMENT]})
        cls.admin = make_user("bea", {d: [Role.ADMIN]})
        cls.archivist = make_user("aart", {d: [Role.ARCHIVIST]})
        cls.by_role = {
            Role.ADVISOR: cls.advisor,
            Role.EMPLOYEE: cls.employee,
            Role.ENFORCER: cls.enforcer,
            Role.PARTNER: cls.partner,
            Role.PRIVACY: cls.privacy,
            Role.MANAGEMENT: cls.management,
            Role.ADMIN: cls.admin,
            Role.ARCHIVIST: cls.archivist,
        }

    def sign_in(self, user, client=None):
        """A staff session with a verified second factor, without going through the forms
        (test_login covers the forms themselves)."""
        client = client or self.client
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(
            user=user, confirmed=True
        ).persistent_id
        session.save()
        return client
