"""Signing in through a municipality's or partner's identity provider (decision 0021): who a
provider's user is (issuer + `sub`), which roles the claims give, the proof of MFA that
privileged roles need, the mapping the admin keeps, and ending sessions the provider ends."""

import hashlib
import hmac
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import login as django_login
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from noaber.audit.actions import record
from noaber.audit.models import Action, Result

from . import actions
from .access import PRIVILEGED_ROLES
from .lockout import username_key
from .models import (
    ExternalIdentity,
    IdentityProvider,
    LogoutTokenSeen,
    Membership,
    Municipality,
    ProviderSession,
    Role,
    RoleMapping,
    User,
)
from .oidc import LOGOUT_TOKEN_SECONDS, OIDCError, end_session_origin, insecure_url_reason

# Session keys of a staff session (set at every login, local or through a provider).
AUTH_METHOD = "auth_method"  # "local" or "oidc"
AUTH_AT = "auth_at"  # time.time() of the login: the session's maximum age counts from here
PROVIDER = "oidc_provider"  # the provider's pk
LOGOUT_ORIGIN = "oidc_logout_origin"  # the end-session endpoint's origin (CSP form-action)
# What a municipal role is: every role but the chain partner's.
MUNICIPAL_ROLES = frozenset(Role.values) - {Role.PARTNER}


def claim_values(provider: IdentityProvider, claims: dict) -> set[str]:
    """The groups or roles in the provider's claim, as strings (a list, or one value)."""
    value = claims.get(provider.groups_claim)
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {item for item in value if isinstance(item, str)}
    return set()


def mapped_roles(provider: IdentityProvider, claims: dict) -> set[tuple[int, str]]:
    """(municipality id, role) for every mapping whose claim value the token carries, for the
    municipalities this provider serves."""
    values = claim_values(provider, claims)
    if not values:
        return set()
    rows = RoleMapping.objects.filter(
        provider=provider,
        claim_value__in=values,
        municipality__in=provider.municipalities.all(),
    )
    # The rule a mapping was saved under, applied again: the provider's organisation (or that
    # organisation's kind) may have changed since.
    partner = _serves_partner(provider)
    return {
        (row.municipality_id, row.role) for row in rows if (row.role == Role.PARTNER) == partner
    }


def _serves_partner(provider: IdentityProvider) -> bool:
    return provider.organisation is not None and provider.organisation.is_partner


def mfa_required_roles(provider: IdentityProvider) -> set[str]:
    """The roles a login through `provider` may only get with proof of MFA in the token: the
    privileged roles always — unless IT recorded that the provider enforces MFA for Noaber
    itself (`mfa_at_provider`, e.g. Entra ID's Conditional Access, whose tokens carry no
    proof) — and whatever roles IT added."""
    required = set(provider.mfa_roles)
    if not provider.mfa_at_provider:
        required |= PRIVILEGED_ROLES
    return required


def has_mfa_proof(provider: IdentityProvider, claims: dict) -> bool:
    """Whether the ID token proves multi-factor authentication as this provider says it
    does: an `amr` value (RFC 8176; "mfa" unless IT listed others) or a listed `acr` value."""
    amr = claims.get("amr")
    amr = set(amr) if isinstance(amr, list) else set()
    if amr & set(provider.mfa_amr or ["mfa"]):
        return True
    return isinstance(claims.get("acr"), str) and claims["acr"] in provider.mfa_acr


def _username(provider: IdentityProvider, subject: str) -> str:
    # Opaque and stable: `sub` may be long or hold any character; the person is shown by name.
    digest = hashlib.sha256(f"{provider.issuer}\0{subject}".encode()).hexdigest()[:24]
    return f"{provider.slug}.{digest}"


def _names(claims: dict) -> dict:
    def text(name, limit):
        value = claims.get(name)
        return value.strip()[:limit] if isinstance(value, str) else ""

    first, last = text("given_name", 150), text("family_name", 150)
    if not (first or last):
        first, _sep, last = text("name", 301).partition(" ")
    return {"first_name": first[:150], "last_name": last[:150], "email": text("email", 254)}


def subject_key(provider, subject: str) -> str:
    """How a provider's subject appears in the audit log: keyed, so a guessable `sub` (a
    Keycloak or ADFS user name) cannot be read back from it."""
    message = f"{provider.issuer}\0{subject}".encode()
    return hmac.new(settings.NOABER_AUDIT_KEY.encode(), message, hashlib.sha256).hexdigest()[:24]


def refuse(request, provider, reason: str, *, subject: str = "", action=Action.LOGIN_FAILED):
    """Audit a refused sign-in (or back-channel logout, `action` DENIED) through `provider`:
    the reason code, never the token."""
    record(
        action,
        actor=None,
        request=request,
        role="",
        object_type="identity_provider",
        object_id=provider.slug if provider else "",
        result=Result.DENIED,
        reason=reason,
        detail={"subject": subject_key(provider, subject)} if subject else None,
    )


def sign_in(request, provider: IdentityProvider, claims: dict) -> User:
    """The provider vouched for `claims` (verified by noaber.accounts.oidc): find or create the
    user by issuer + `sub`, give exactly the roles the mapping yields for these claims, and
    start the session. Raises OIDCError when there is no role (a new user is then not created;
    a known user loses the roles the claims no longer give), when a role needs proof of MFA
    the token lacks, or when the account was switched off (nothing changed)."""
    try:
        user = _sign_in(request, provider, claims)
    except (IntegrityError, ValidationError) as error:
        # Two first logins of one person at once, or a mapping no longer valid for the
        # provider's organisation: nothing was stored; the person can try again.
        raise OIDCError("sign_in_conflict") from error
    if user is None:
        raise OIDCError("no_role")
    return user


@transaction.atomic
def _sign_in(request, provider, claims) -> User | None:
    subject = claims["sub"]
    wanted = mapped_roles(provider, claims)
    proven = has_mfa_proof(provider, claims)
    identity = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(provider=provider, subject=subject)
        .first()
    )
    if identity is None and not wanted:
        raise OIDCError("no_role")
    # Every role the user will hold counts, local grants included: a privileged role needs
    # proof of MFA in the token wherever it came from.
    held = {role for _m, role in wanted}
    if identity is not None:
        others = identity.user.memberships.exclude(provider=provider)
        held |= set(others.values_list("role", flat=True))
    if held & mfa_required_roles(provider) and not proven:
        raise OIDCError("mfa_missing")
    names = _names(claims)
    if identity is None:
        user = actions.create_user(
            _username(provider, subject), organisation=provider.organisation, **names
        )
        identity = ExternalIdentity.objects.create(provider=provider, subject=subject, user=user)
    else:
        user = identity.user
        if not user.is_active:
            raise OIDCError("account_inactive")
        changed = [name for name, value in names.items() if getattr(user, name) != value]
        for name in changed:
            setattr(user, name, names[name])
        if provider.organisation_id != user.organisation_id:
            user.organisation = provider.organisation
            changed.append("organisation")
        if changed:
            user.save(update_fields=changed)
    _synchronise_roles(user, provider, wanted)
    # Local grants count too; with no role at all the login ends here (what changed stays).
    served = Municipality.objects.filter(memberships__user=user).distinct().order_by("name")
    municipality = served.filter(pk__in={m for m, _r in wanted}).first() or served.first()
    if municipality is None:
        return None
    identity.last_login_at = timezone.now()
    identity.mfa_proven = proven
    identity.save(update_fields=["last_login_at", "mfa_proven"])
    django_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    session = request.session
    session.update(
        {
            AUTH_METHOD: "oidc",
            AUTH_AT: time.time(),
            PROVIDER: provider.pk,
            LOGOUT_ORIGIN: end_session_origin(provider),
            "municipality": municipality.cbs_code,
        }
    )
    session.save()
    ProviderSession.objects.create(
        provider=provider,
        subject=subject,
        sid=claims["sid"] if isinstance(claims.get("sid"), str) else "",
        session_key=session.session_key,
    )
    record(
        Action.LOGIN,
        actor=user,
        request=request,
        municipality=municipality,
        object_type="user",
        object_id=username_key(user.username),
        reason="identity_provider",
        detail={"provider": provider.slug},
    )
    return user


def _synchronise_roles(user: User, provider: IdentityProvider, wanted: set) -> None:
    """Roles from this provider's claims become exactly `wanted`; local grants stay."""
    held = {(m.municipality_id, m.role): m for m in user.memberships.select_related("user")}
    for key in sorted(wanted - set(held)):
        municipality = Municipality.objects.get(pk=key[0])
        actions.grant_role(user, municipality, key[1], provider=provider)
    for key, membership in held.items():
        if membership.provider_id == provider.pk and key not in wanted:
            actions.revoke_role(membership, reason="claim_removed")


def remember_logout_token(provider: IdentityProvider, jti: str) -> None:
    """Refuse a logout token taken before (by any worker)."""
    try:
        with transaction.atomic():
            LogoutTokenSeen.objects.create(provider=provider, jti=jti)
    except IntegrityError as error:
        raise OIDCError("replayed_token") from error


def forget_old_logout_tokens() -> int:
    cutoff = timezone.now() - timedelta(seconds=2 * LOGOUT_TOKEN_SECONDS + 120)
    return LogoutTokenSeen.objects.filter(seen_at__lt=cutoff).delete()[0]


def end_sessions(request, provider: IdentityProvider, *, subject: str | None, sid: str | None):
    """End the Noaber sessions the provider ended (back-channel logout): those of `sid`, or
    every session of `subject` when the token names no sid or the sid matches none (a session
    whose ID token carried no sid). Returns how many ended."""
    found = ProviderSession.objects.filter(provider=provider)
    rows = found.filter(sid=sid) if sid else found.none()
    if sid and subject:
        rows = rows.filter(subject=subject)
    if not rows.exists() and subject:
        rows = found.filter(subject=subject)
    rows = list(rows)
    _end(rows)
    subjects = {row.subject for row in rows} or ({subject} if subject else set())
    users = [
        i.user for i in ExternalIdentity.objects.filter(provider=provider, subject__in=subjects)
    ]
    record(
        Action.LOGOUT,
        actor=users[0] if len(users) == 1 else None,
        request=request,
        origin="system",
        role="",
        object_type="identity_provider",
        object_id=provider.slug,
        reason="backchannel_logout" if rows else "backchannel_logout_none",
        detail={"sessions": len(rows)},
    )
    return len(rows)


def _end(rows) -> None:
    store: type[SessionBase] = import_string(settings.SESSION_ENGINE + ".SessionStore")
    for row in rows:
        store(session_key=row.session_key).delete()
    ProviderSession.objects.filter(pk__in=[row.pk for row in rows]).delete()


def forget_session(session_key: str | None) -> None:
    if session_key:
        ProviderSession.objects.filter(session_key=session_key).delete()


# --- the admin's data: providers and role mappings ---------------------------------------


def check_issuer(issuer: str) -> None:
    """Refuse a provider address that is not HTTPS (plain HTTP only to loopback in DEBUG)."""
    reason = insecure_url_reason(issuer)
    if reason == "http_in_production":
        raise ValidationError(
            _(
                "Een identiteitsprovider via http:// is alleen toegestaan bij testen op deze "
                "computer; gebruik https://."
            )
        )
    if reason:
        raise ValidationError(_("Het adres van de identiteitsprovider moet met https:// beginnen."))


def check_mapping(provider: IdentityProvider, municipality: Municipality, role: str) -> None:
    """A partner's provider gives only the partner role; a municipal provider gives only
    municipal roles, and only in municipalities it serves."""
    partner = _serves_partner(provider)
    if partner and role != Role.PARTNER:
        raise ValidationError(
            _(
                "Gebruikers van %(organisation)s zijn ketenpartner: zij kunnen geen "
                "gemeentelijke rol krijgen."
            )
            % {"organisation": provider.organisation.name}
        )
    if role == Role.PARTNER and not partner:
        raise ValidationError(
            _(
                "De rol ketenpartner kan alleen via de identiteitsprovider van een ketenpartner "
                "worden gegeven."
            )
        )
    if not provider.municipalities.filter(pk=municipality.pk).exists():
        raise ValidationError(
            _("Deze identiteitsprovider is niet ingesteld voor de gemeente %(name)s.")
            % {"name": municipality.name}
        )


@transaction.atomic
def add_role_mapping(
    provider: IdentityProvider, claim_value: str, municipality: Municipality, role: str, *, actor
) -> RoleMapping:
    claim_value = claim_value.strip()
    if not claim_value:
        raise ValidationError(_("Vul de groep of rol in zoals die in de claim staat."))
    if role not in Role.values:
        raise ValidationError(_("Kies een bestaande rol."))
    check_mapping(provider, municipality, role)
    mapping, created = RoleMapping.objects.get_or_create(
        provider=provider, claim_value=claim_value, municipality=municipality, role=role
    )
    if created:
        record(
            Action.CREATE,
            actor=actor,
            municipality=municipality,
            object_type="role_mapping",
            object_id=mapping.pk,
            detail={"provider": provider.slug, "claim": claim_value, "role": role},
        )
    return mapping


@transaction.atomic
def remove_role_mapping(mapping: RoleMapping, *, actor) -> None:
    """Remove a mapping. Roles it gave end at the user's next login through the provider, or
    when their session ends (at most the session's maximum age)."""
    pk = mapping.pk
    mapping.delete()
    record(
        Action.DELETE,
        actor=actor,
        municipality=mapping.municipality,
        object_type="role_mapping",
        object_id=pk,
        detail={"provider": mapping.provider.slug, "claim": mapping.claim_value},
    )


@transaction.atomic
def save_provider(provider: IdentityProvider, *, actor, municipalities=None) -> IdentityProvider:
    """Create or change a provider (the admin's, or `configure_identity_provider`)."""
    check_issuer(provider.issuer)
    unknown = set(provider.mfa_roles) - set(Role.values)
    if unknown:
        raise ValidationError(_("Onbekende rol: %(roles)s") % {"roles": ", ".join(unknown)})
    created = provider.pk is None
    was_active = (
        not created and IdentityProvider.objects.filter(pk=provider.pk, active=True).exists()
    )
    provider.full_clean(exclude=["municipalities"])
    provider.save()
    if was_active and not provider.active:
        # Switched off (e.g. compromised): every session started through it ends now.
        _end(list(ProviderSession.objects.filter(provider=provider)))
    if municipalities is not None:
        provider.municipalities.set(municipalities)
    from .oidc import forget

    forget(provider)
    record(
        Action.CREATE if created else Action.UPDATE,
        actor=actor,
        object_type="identity_provider",
        object_id=provider.slug,
        detail={
            "issuer": provider.issuer,
            "municipalities": sorted(m.cbs_code for m in provider.municipalities.all()),
            "mfa_roles": sorted(provider.mfa_roles),
            "mfa_at_provider": provider.mfa_at_provider,
            "active": provider.active,
        },
    )
    return provider


def roles_source(membership: Membership) -> str:
    """Where a role came from, for the access review."""
    if membership.provider_id:
        return _("claim van %(provider)s") % {"provider": membership.provider.name}
    return _("lokaal toegekend")
