"""The rules every staff session follows after login (decision 0021)."""

import time

from django.conf import settings

from . import actions
from .providers import AUTH_AT, AUTH_METHOD, LOGOUT_ORIGIN, forget_session


def session_policy(get_response):
    """A session ends NOABER_SESSION_MAX_SECONDS after its login, however active (the idle
    timeout is the session cookie's age). A session started through an identity provider has
    its second factor verified there, so it counts as verified (django-otp's `is_verified`)."""

    def middleware(request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            started = session.get(AUTH_AT)
            if started is None:
                session[AUTH_AT] = time.time()
            elif time.time() - started > settings.NOABER_SESSION_MAX_SECONDS:
                key = session.session_key
                actions.logout(request, reason="session_max_age")
                forget_session(key)
            elif session.get(AUTH_METHOD) == "oidc":
                user.is_verified = lambda: True
                request.csp_form_action = session.get(LOGOUT_ORIGIN, "")
        return get_response(request)

    return middleware
