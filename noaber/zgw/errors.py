"""ZGW's error bodies: `Fout` for every 4xx/5xx and `ValidatieFout` (with `invalidParams`) for a
400, as application/problem+json with the `API-version` header (the ZGW "API-design")."""

import uuid

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response

PROBLEM_JSON = "application/problem+json"
# The standard's error type URIs: a reader finds the meaning of `code` there.
TYPE_BASE = "https://vng.nl/zgw/fouten/"


class ZgwError(Exception):
    """An answer in the ZGW error shape: status, code, Dutch title and detail; a 400 with
    ``invalid_params`` (name, code, reason) is a ValidatieFout."""

    def __init__(self, status: int, code: str, title: str, detail: str = "", invalid_params=None):
        super().__init__(code)
        self.status, self.code, self.title = status, code, title
        self.detail = detail or title
        self.invalid_params = invalid_params
        # Set where the refusal wrote its own audit event (with a sharper reason); the view
        # audits every other error answer.
        self.audited = False

    def marked_audited(self) -> "ZgwError":
        self.audited = True
        return self


def not_authenticated(detail: str) -> ZgwError:
    return ZgwError(401, "not_authenticated", _("Niet geauthenticeerd."), detail)


def forbidden(detail: str) -> ZgwError:
    return ZgwError(403, "permission_denied", _("U heeft geen toestemming hiervoor."), detail)


def not_found() -> ZgwError:
    # Also the answer for an object above the client's confidentiality level: the client
    # learns nothing about its existence.
    return ZgwError(404, "not_found", _("Niet gevonden."), _("Dit object bestaat niet."))


def invalid(params: list[tuple[str, str, str]]) -> ZgwError:
    """A 400 ValidatieFout naming each bad parameter as (name, code, reason)."""
    return ZgwError(
        400,
        "invalid",
        _("Ongeldige invoer."),
        _("Een of meer parameters zijn ongeldig."),
        [{"name": n, "code": c, "reason": r} for n, c, r in params],
    )


def problem_response(error: ZgwError, api_version: str) -> Response:
    body = {
        "type": f"{TYPE_BASE}{error.code}",
        "code": error.code,
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
        "instance": f"urn:uuid:{uuid.uuid4()}",
    }
    if error.invalid_params is not None:
        body["invalidParams"] = error.invalid_params
    response = Response(body, status=error.status, content_type=PROBLEM_JSON)
    response["API-version"] = api_version
    return response


def from_drf(exc: Exception) -> ZgwError | None:
    """DRF's own refusals (a method not allowed, an Accept it cannot serve, throttling) in the
    ZGW shape; None for anything else (a server error stays one)."""
    if isinstance(exc, exceptions.MethodNotAllowed):
        return ZgwError(405, "method_not_allowed", _("Deze methode is niet toegestaan."))
    if isinstance(exc, exceptions.NotAcceptable):
        return ZgwError(406, "not_acceptable", _("Dit antwoordformaat wordt niet ondersteund."))
    if isinstance(exc, exceptions.Throttled):
        return ZgwError(429, "throttled", _("Te veel verzoeken; probeer het later opnieuw."))
    if isinstance(exc, exceptions.NotFound):
        return not_found()
    return None
