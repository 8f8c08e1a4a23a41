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
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Permissions-Policy", PERMISSIONS)
        return response

    return middleware


class FieldKeyMissingMiddleware:
    """A page that needs a value encrypted with a key removed from NOABER_FIELD_KEYS gets a
    Dutch 503 that names the key and the remedy, not a traceback (the log keeps the type)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from noaber.lib.crypto import MissingFieldKey

        if isinstance(exception, MissingFieldKey):
            return render(
                request,
                "field_key_missing.html",
                {"key_id": exception.key_id},
                status=503,
            )
        return None
