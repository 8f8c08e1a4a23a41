"""API error responses in Dutch, whatever went wrong in parsing."""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    # DRF's parse errors carry the parser's English text; say it plainly in Dutch instead.
    if isinstance(exc, exceptions.ParseError):
        exc = exceptions.ParseError(
            _("De gegevens zijn geen geldige JSON. Stuur JSON in UTF-8, zonder nul-tekens.")
        )
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        exc = exceptions.UnsupportedMediaType(
            exc.detail, _("Stuur de gegevens als JSON (Content-Type: application/json).")
        )
    return drf_exception_handler(exc, context)
