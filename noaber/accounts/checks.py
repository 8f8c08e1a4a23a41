"""Start-up checks of the sign-in configuration (decision 0021)."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from .models import IdentityProvider, Role
from .oidc import insecure_url_reason


def insecure_providers() -> list[str]:
    """Active providers whose issuer is not HTTPS (plain HTTP: loopback with DEBUG only)."""
    try:
        rows = list(IdentityProvider.objects.filter(active=True).values_list("slug", "issuer"))
    except DatabaseError:
        return []  # tables not there yet (before the first migrate)
    return [f"{slug} ({issuer})" for slug, issuer in rows if insecure_url_reason(issuer)]


def refuse_insecure_providers() -> None:
    """Called by noaber/wsgi.py: a production server does not start with an http:// issuer."""
    found = insecure_providers()
    if found:
        raise ImproperlyConfigured(
            "Identity providers with an issuer that is not https:// cannot be used "
            "in production (plain HTTP only to 127.0.0.1 with NOABER_DEBUG, for tests): "
            f"{', '.join(found)}. Change the issuer to https:// or switch the provider off "
            "(docs/operations.md, 'Inloggen via Entra ID')."
        )


@checks.register(checks.Tags.database)
def check_identity_providers(app_configs=None, databases=None, **kwargs):
    if not databases:
        return []
    found = insecure_providers()
    if not found:
        return []
    return [
        checks.Error(
            f"Identity providers with an issuer that is not https://: {', '.join(found)}.",
            hint="Only a provider on 127.0.0.1 may use plain HTTP, and only with NOABER_DEBUG "
            "on (tests). Change the issuer or switch the provider off.",
            id="noaber.E002",
        )
    ]


@checks.register()
def check_local_login_roles(app_configs=None, **kwargs):
    value = settings.NOABER_LOCAL_LOGIN_ROLES
    if value == "*":
        return []
    unknown = {r.strip() for r in value.split(",") if r.strip()} - set(Role.values)
    if not unknown:
        return []
    return [
        checks.Error(
            f"NOABER_LOCAL_LOGIN_ROLES names unknown roles: {', '.join(sorted(unknown))}.",
            hint=f"Use '*', nothing, or roles from: {', '.join(Role.values)}.",
            id="noaber.E003",
        )
    ]
