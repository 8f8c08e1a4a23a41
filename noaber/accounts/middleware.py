"""The rules every staff session follows after login (decision 0021)."""

import time

from django.conf import settings

from . import actions
from .models import IdentityProvider
from .providers import AUTH_AT, AUTH_METHOD, LOGOUT_ORIGIN, PROVIDER, forget_session


def stamp_login(sender, request, user, **kwargs):
    """Every login (django.contrib.auth's `user_logged_in`) starts the session's clock; a
    session without it is not one Noaber started, and ends (see session_policy)."""
    if hasattr(request, "session"):
        request.session[AUTH_AT] = time.time()
        request.session.setdefault(AUTH_METHOD, "local")


def _ended(request, session) -> str:
    """Why this staff session must end now, or ""."""
    started = session.get(AUTH_AT)
    if started is None or time.time() - started > settings.NOABER_SESSION_MAX_SECONDS:
        return "session_max_age"
    if session.get(AUTH_METHOD) == "oidc":
        # A provider switched off (e.g. compromised) ends the sessions started through it.
        if not IdentityProvider.objects.filter(pk=session.get(PROVIDER), active=True).exists():
            return "provider_off"
    elif settings.NOABER_LOCAL_LOGIN_ROLES != "*":
        from .views import local_login_allowed

        if not local_login_allowed(request.user):
            return "local_login_off"
    return ""


def session_policy(get_response):
    """A session ends NOABER_SESSION_MAX_SECONDS after its login, however active (the idle
    timeout is the session cookie's age); a session from a provider that was switched off, or
    a local session of someone no longer allowed to sign in locally, ends at once. A session
    started through an identity provider had its second factor checked there, so it counts as
    verified (django-otp's `is_verified`)."""

    def middleware(request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            reason = _ended(request, session)
            if reason:
                key = session.session_key
                actions.logout(request, reason=reason)
                forget_session(key)
            elif session.get(AUTH_METHOD) == "oidc":
                user.is_verified = lambda: True
                request.csp_form_action = session.get(LOGOUT_ORIGIN, "")
        return get_response(request)

    return middleware
