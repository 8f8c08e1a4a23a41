"""API error responses in Dutch, whatever went wrong in parsing."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class JsonBody(JSONParser):
    """JSON only; nesting too deep for Python's parser is broken JSON like any other."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError() from None


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
    elif isinstance(exc, RequestDataTooBig):
        # Over DATA_UPLOAD_MAX_MEMORY_SIZE: Django refuses to read the body at all.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
        return Response(
            {"detail": _("Te veel gegevens: stuur hoogstens %(limit)d KiB.") % {"limit": limit}},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    return drf_exception_handler(exc, context)
