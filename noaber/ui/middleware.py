"""Response headers every page gets: a strict Content Security Policy (no third-party scripts,
fonts or styles; no inline script) and a Permissions-Policy that switches off what we never use."""

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
PERMISSIONS = "camera=(), microphone=(), geolocation=(self), payment=(), usb=()"


def security_headers(get_response):
    def middleware(request):
        response = get_response(request)
        extra_img = getattr(response, "csp_img_src", "")
        csp = (
            CSP.replace("img-src 'self' data:", f"img-src 'self' data: {extra_img}")
            if extra_img
            else CSP
        )
        # A session from an identity provider: the logout form's redirect goes on to the
        # provider's end-session endpoint (RP-initiated logout), which form-action must allow.
        extra_form = getattr(request, "csp_form_action", "")
        if extra_form:
            csp = csp.replace("form-action 'self'", f"form-action 'self' {extra_form}")
        response.setdefault("Content-Security-Policy", csp)
        response.setdefault("Permissions-Policy", PERMISSIONS)
        return response

    return middleware


class ProtectedDataMiddleware:
    """When data at rest cannot be read safely the user gets a Dutch page, not a traceback (the
    log keeps the type):

    - a value encrypted with a key removed from NOABER_FIELD_KEYS: 503 naming the key and the
      remedy;
    - a stored file whose ciphertext does not authenticate (changed or damaged on disk): 409,
      nothing is sent, and the refusal is audited."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from noaber.audit.actions import record
        from noaber.audit.models import Action, Result
        from noaber.lib.crypto import MissingFieldKey
        from noaber.lib.files import AlteredFileError

        if isinstance(exception, MissingFieldKey):
            return render(
                request,
                "field_key_missing.html",
                {"key_id": exception.key_id},
                status=503,
            )
        if isinstance(exception, AlteredFileError):
            from noaber.accounts.models import Municipality

            match = request.resolver_match
            code = match.kwargs.get("municipality") if match else None
            record(
                Action.VIEW,
                request=request,
                municipality=Municipality.objects.filter(cbs_code=code).first() if code else None,
                object_type="file",
                object_id=exception.name,
                result=Result.FAILURE,
                reason="file_altered",
                detail={"path": request.path, "view": match.view_name if match else ""},
            )
            return render(request, "file_altered.html", status=409)
        return None


class DutchErrorPages:
    """With DEBUG on (`make run`, the tests), Django answers an unknown URL or id and a crash
    with its English technical page, which lists the URL patterns or a traceback. People using
    the demo see the Dutch 404, 403 and 500 pages instead, as in production; the traceback
    goes to the console log. With DEBUG off Django does this itself and this does nothing.

    An unknown URL is answered (by Django, with DEBUG on) before any view runs: its technical
    404 is replaced on the way out, when the request has passed sessions and authentication,
    so the page still shows who is signed in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.urls import Resolver404, resolve
        from django.views.defaults import page_not_found

        response = self.get_response(request)
        if settings.DEBUG and response.status_code == 404:
            try:
                resolve(request.path_info)
            except Resolver404 as error:
                return page_not_found(request, error)
        return response

    def process_exception(self, request, exception):
        import logging

        from django.conf import settings
        from django.core.exceptions import PermissionDenied
        from django.core.signals import got_request_exception
        from django.http import Http404
        from django.views.defaults import page_not_found, permission_denied, server_error

        if not settings.DEBUG:
            return None
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return permission_denied(request, exception)
        # As Django does for an uncaught exception: tell listeners (the test client re-raises
        # it), log it with its traceback, answer with the plain 500 page.
        got_request_exception.send(sender=None, request=request)
        logging.getLogger("django.request").error(
            "Internal Server Error: %s",
            request.path,
            exc_info=(type(exception), exception, exception.__traceback__),
            extra={"status_code": 500, "request": request},
        )
        response = server_error(request)
        response._has_been_logged = True
        return response
