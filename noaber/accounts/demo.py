"""The demo users: one person per role, so a newcomer can see every view of Noaber.

Only loaded in demo mode (NOABER_DEMO=1). They all share one password; each has a TOTP
device whose secret and current code `manage.py demo_logins` prints.
"""

import base64
import time

from django.conf import settings
from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import actions
from .models import IdentityProvider, Municipality, Organisation, Role, User

DEMO_PASSWORD = "Noaber-demo-2026!"
TEAM = "Team Veiligheid (Toezicht, Handhaving en Veiligheid)"

# username, first name, last name, organisation, {municipality code: [roles]}
DEMO_USERS = [
    ("adviseur", "Anouk", "Adviseur", TEAM, {"GM1774": [Role.ADVISOR], "GM0183": [Role.ADVISOR]}),
    ("adviseur.tubbergen", "Tim", "Tubbergen", TEAM, {"GM0183": [Role.ADVISOR]}),
    ("medewerker", "Mees", "Medewerker", None, {"GM1774": [Role.EMPLOYEE]}),
    ("handhaver", "Hanna", "Handhaver", TEAM, {"GM1774": [Role.ENFORCER]}),
    ("partner.politie", "Piet", "Politie", "Politie", {"GM1774": [Role.PARTNER]}),
    ("privacy", "Priya", "Privacy", None, {"GM1774": [Role.PRIVACY], "GM0183": [Role.PRIVACY]}),
    ("bestuur", "Bram", "Burgemeester", None, {"GM1774": [Role.MANAGEMENT]}),
    ("beheer", "Bea", "Beheer", None, {"GM1774": [Role.ADMIN], "GM0183": [Role.ADMIN]}),
    (
        "archivaris",
        "Aart",
        "Archivaris",
        None,
        {"GM1774": [Role.ARCHIVIST], "GM0183": [Role.ARCHIVIST]},
    ),  # fmt: skip
]


# A primary colour per municipality (white on it and it on white both above 4.5:1), so the demo
# shows that branding is per municipality.
DEMO_BRANDING = {
    "GM1774": ("Gemeente Dinkelland", "#1f6f43"),
    "GM0183": ("Gemeente Tubbergen", "#8a1f3d"),
}


def load_demo_identity_provider() -> int:
    """An example of sign-in through the municipality's identity provider, switched off (the
    demo has no Entra ID to reach): the admin's *Inloggen* page shows what a mapping is."""
    from .providers import add_role_mapping, save_provider

    if IdentityProvider.objects.filter(slug="voorbeeld-entra").exists():
        return 0
    dinkelland = Municipality.objects.filter(cbs_code="GM1774").first()
    if dinkelland is None:
        return 0
    provider = IdentityProvider(
        slug="voorbeeld-entra",
        name="Voorbeeld: Entra ID van Dinkelland",
        issuer="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0",
        client_id="00000000-0000-0000-0000-000000000000",
        groups_claim="roles",
        mfa_at_provider=True,
        active=False,
    )
    save_provider(provider, actor=None, municipalities=[dinkelland])
    for claim, role in (
        ("Noaber.Adviseur", Role.ADVISOR),
        ("Noaber.Handhaver", Role.ENFORCER),
        ("Noaber.Privacy", Role.PRIVACY),
        ("Noaber.Beheer", Role.ADMIN),
    ):
        add_role_mapping(provider, claim, dinkelland, role, actor=None)
    return 1


def load_demo_branding() -> int:
    """Give the demo municipalities their branding, unless an admin already set one."""
    changed = 0
    for code, (display_name, colour) in DEMO_BRANDING.items():
        municipality = Municipality.objects.filter(cbs_code=code).first()
        if municipality is None or municipality.primary_colour:
            continue
        actions.update_branding(municipality, display_name=display_name, primary_colour=colour)
        changed += 1
    return changed


@transaction.atomic
def load_demo_users() -> int:
    created = 0
    municipalities = {m.cbs_code: m for m in Municipality.objects.all()}
    for username, first, last, org_name, roles in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            organisation = Organisation.objects.get(name=org_name) if org_name else None
            user = actions.create_user(
                username,
                first_name=first,
                last_name=last,
                email=f"{username}@example.org",
                password=DEMO_PASSWORD,
                organisation=organisation,
            )
            created += 1
        for code, role_list in roles.items():
            for role in role_list:
                actions.grant_role(user, municipalities[code], role)
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
    return created


def current_code(device: TOTPDevice) -> int:
    return totp(device.bin_key, device.step, device.t0, device.digits, device.drift)


def demo_logins() -> list[dict]:
    """Username, password, TOTP secret (base32) and the current code of each demo user."""
    rows = []
    for username, *_ in DEMO_USERS:
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is None:
            continue
        rows.append(
            {
                "username": username,
                "password": DEMO_PASSWORD,
                "secret": base64.b32encode(device.bin_key).decode(),
                "code": f"{current_code(device):06d}",
                "valid_for": device.step - int(time.time() - device.t0) % device.step,
            }
        )
    return rows


def require_demo_mode():
    if not settings.DEMO:
        from django.core.management.base import CommandError

        raise CommandError("Demo data and logins only exist in demo mode (NOABER_DEMO=1).")
