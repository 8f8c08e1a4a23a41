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
