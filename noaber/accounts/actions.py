"""Every change of state in accounts: logins, second factors, passwords, roles."""

from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from noaber.audit.actions import record
from noaber.audit.models import Action, Result

from .access import PRIVILEGED_ROLES
from .lockout import username_key
from .models import IdentityProvider, Membership, Municipality, Organisation, Role, User


def record_login_failure(request, username: str, reason: str, municipality=None, result=None):
    """Count and audit a failed login step. `reason` is a fixed code, never user input."""
    record(
        Action.LOGIN_FAILED,
        actor=None,
        request=request,
        municipality=municipality,
        role="",
        object_type="user",
        object_id=username_key(username),
        result=result or Result.FAILURE,
        reason=reason,
    )


@transaction.atomic
def complete_login(request, user: User, device: TOTPDevice, municipality: Municipality):
    """Both factors passed: start the staff session and audit the login."""
    django_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    otp_login(request, device)
    request.session["municipality"] = municipality.cbs_code
    request.session["auth_method"] = "local"  # the access review flags local logins
    record(
        Action.LOGIN,
        actor=user,
        request=request,
        municipality=municipality,
        object_type="user",
        object_id=username_key(user.username),
        reason="local_login",
    )


def logout(request, *, reason: str = ""):
    user = request.user if request.user.is_authenticated else None
    if user is not None:
        record(
            Action.LOGOUT,
            actor=user,
            request=request,
            object_type="user",
            object_id=username_key(user.username),
            reason=reason,
        )
    django_logout(request)


def enrolment_device(user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created on first need (secret stays server-side)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


@transaction.atomic
def confirm_device(device: TOTPDevice, *, request):
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    record(
        Action.UPDATE,
        actor=device.user,
        request=request,
        object_type="mfa_device",
        object_id=device.pk,
        reason="mfa_enrolled",
    )


@transaction.atomic
def change_password(user: User, new_password: str, *, request):
    user.set_password(new_password)
    user.save(update_fields=["password"])
    record(
        Action.UPDATE,
        actor=user,
        request=request,
        object_type="user",
        object_id=username_key(user.username),
        reason="password_changed",
    )


@transaction.atomic
def create_user(
    username: str,
    *,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    password: str | None = None,
    organisation: Organisation | None = None,
    actor=None,
    origin: str = "system",
) -> User:
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        organisation=organisation,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    record(
        Action.CREATE,
        actor=actor,
        origin=origin,
        object_type="user",
        object_id=username_key(username),
    )
    return user


@transaction.atomic
def grant_role(
    user: User,
    municipality: Municipality,
    role: str,
    *,
    actor=None,
    origin="system",
    provider: IdentityProvider | None = None,
):
    """Give `user` a role in `municipality`. A partner user acts for one chain partner: the
    partner role needs a partner organisation (the portal shows only what that one received).
    `provider`: the role comes from that identity provider's claims (re-synchronised at each
    login through it), not from a local grant."""
    if role == Role.PARTNER and not (user.organisation and user.organisation.is_partner):
        raise ValidationError(
            _("Een ketenpartnergebruiker moet bij een ketenpartner horen; kies de organisatie.")
        )
    membership, created = Membership.objects.get_or_create(
        user=user, municipality=municipality, role=role, defaults={"provider": provider}
    )
    if created:
        user.__dict__.pop("_noaber_roles", None)
        if role in PRIVILEGED_ROLES:
            from .tasks import notify_privileged_change

            notify_privileged_change.enqueue(membership.pk)  # commits with the grant
        record(
            Action.CREATE,
            actor=actor,
            origin=origin,
            municipality=municipality,
            role="",
            object_type="membership",
            object_id=membership.pk,
            detail={
                "user": username_key(user.username),
                "role": role,
                "source": provider.slug if provider else "local",
            },
        )
    return membership


@transaction.atomic
def revoke_role(membership: Membership, *, actor=None, origin="system", reason: str = ""):
    pk = membership.pk
    membership.delete()
    membership.user.__dict__.pop("_noaber_roles", None)
    record(
        Action.DELETE,
        actor=actor,
        origin=origin,
        municipality=membership.municipality,
        role="",
        object_type="membership",
        object_id=pk,
        reason=reason,
        detail={"user": username_key(membership.user.username), "role": membership.role},
    )


@transaction.atomic
def update_branding(
    municipality: Municipality,
    *,
    display_name: str,
    primary_colour: str,
    logo: bytes | None = None,
    remove_logo: bool = False,
    request=None,
):
    """Save a municipality's branding (checked by branding.BrandingForm) and audit what changed.
    `logo` is a PNG already checked and re-encoded; None keeps the current one."""
    from django.utils import timezone

    changed = []
    if display_name != municipality.display_name:
        municipality.display_name = display_name
        changed.append("display_name")
    if primary_colour != municipality.primary_colour:
        municipality.primary_colour = primary_colour
        changed.append("primary_colour")
    if logo is not None:
        municipality.logo, municipality.logo_type = logo, "image/png"
        changed += ["logo", "logo_type"]
    elif remove_logo and municipality.logo_type:
        municipality.logo, municipality.logo_type = b"", ""
        changed += ["logo", "logo_type"]
    if not changed:
        return municipality
    municipality.branding_updated_at = timezone.now()
    municipality.save(update_fields=[*changed, "branding_updated_at"])
    record(
        Action.UPDATE,
        request=request,
        municipality=municipality,
        object_type="municipality",
        object_id=municipality.cbs_code,
        detail={
            "fields": [f for f in changed if f != "logo_type"],
            "primary_colour": municipality.primary_colour,
        },
    )
    return municipality
