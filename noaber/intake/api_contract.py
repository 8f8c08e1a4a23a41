"""What the meldpunt's API promises in its OpenAPI schema (/api/schema/), and holds to.

- Request fields take exactly the JSON type the schema names: DRF alone would turn `0` into
  `false` and into the text "0". Lengths count what was sent, before trimming.
- Required text says `minLength: 1` and a pattern: at least one character that is not
  whitespace, and no NUL; the server refuses exactly those strings.
- Every status an operation can answer is documented with its body; the partner operation
  names its key (`partnerKey`, `Authorization: Token nbr_…`).

`.ci/api-contract` checks all of this with schemathesis (docs/meldpunt.md, "The API contract").
"""

import re

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication

from .models import Status

# Required text: a character that is not whitespace, and no NUL; DRF refuses the rest (it trims
# Python's whitespace). Python's whitespace is named one by one: ECMA's \s, which a client's
# validator (and schemathesis) reads, lacks the separators U+001C-U+001F and U+0085 and adds
# U+FEFF, so "\u001f" alone passed `[^\s]` there and was refused here as blank.
PY_SPACE = (
    r"\t-\r\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
)
NON_BLANK = rf"^[^\u0000]*[^\u0000{PY_SPACE}][^\u0000]*$"
# A lone surrogate ("\ud800" in JSON) is no character and cannot be stored as UTF-8.
SURROGATE = re.compile("[\ud800-\udfff]")
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$")


# --- Request fields ----------------------------------------------------------------------------


class Text(serializers.CharField):
    """A JSON string, never a number or a boolean made into text, in valid Unicode."""

    default_error_messages = {
        "not_text": _("Dit veld is tekst: stuur een JSON-string."),
        "not_unicode": _(
            "Deze tekst bevat een ongeldig teken (U+{code_point:04X}). Stuur geldige "
            "Unicode-tekst (UTF-8)."
        ),
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_text")
        if surrogate := SURROGATE.search(data):
            self.fail("not_unicode", code_point=ord(surrogate.group()))
        if self.max_length is not None and len(data) > self.max_length:
            # The schema's maxLength counts what was sent; DRF would count it trimmed.
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class Email(Text):
    """An e-mail address as text (format `email`); empty when blank is allowed."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(EmailValidator())


class Choice(serializers.ChoiceField):
    default_error_messages = {"not_text": Text.default_error_messages["not_text"]}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_text")
        return super().to_internal_value(data)


class Flag(serializers.BooleanField):
    """JSON true or false; not 0, 1, "true" or "ja"."""

    default_error_messages = {"not_boolean": _("Dit veld is ja of nee: stuur true of false.")}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("not_boolean")
        return data


class WholeNumber(serializers.IntegerField):
    """A JSON integer; not "12", 12.0 or true."""

    default_error_messages = {
        "not_integer": _("Dit veld is een geheel getal: stuur een JSON-getal zonder punt.")
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("not_integer")
        return data


class Day(serializers.DateField):
    """A date as "YYYY-MM-DD" (the schema's format `date`), nothing looser."""

    default_error_messages = {
        "not_a_day": _("Geef de datum als JJJJ-MM-DD, bijvoorbeeld 2026-11-20.")
    }

    def to_internal_value(self, value):
        if not (isinstance(value, str) and DATE.fullmatch(value)):
            self.fail("not_a_day")
        return super().to_internal_value(value)


class ClockTime(serializers.TimeField):
    """A time of day as "HH:MM" or "HH:MM:SS", without a time zone."""

    default_error_messages = {
        "not_a_time": _("Geef de tijd als UU:MM of UU:MM:SS, bijvoorbeeld 23:15.")
    }

    def to_internal_value(self, value):
        if not (isinstance(value, str) and TIME.fullmatch(value)):
            self.fail("not_a_time")
        return super().to_internal_value(value)


class Coordinate(serializers.DecimalField):
    """A WGS84 degree as a decimal string with a point: "52.408000"."""

    default_error_messages = {
        "not_a_coordinate": _(
            "Geef de coördinaat als tekst met een punt en hoogstens {decimals} decimalen, "
            'bijvoorbeeld "52.408000".'
        )
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        whole = self.max_digits - self.decimal_places
        self.pattern = re.compile(rf"^-?[0-9]{{1,{whole}}}(\.[0-9]{{1,{self.decimal_places}}})?$")

    def validate_empty_values(self, data):
        # DRF's DecimalField takes "" for null; here null is null and "" is no coordinate.
        return serializers.Field.validate_empty_values(self, data)

    def to_internal_value(self, data):
        if not (isinstance(data, str) and self.pattern.fullmatch(data)):
            self.fail("not_a_coordinate", decimals=self.decimal_places)
        return super().to_internal_value(data)


class JsonObject(serializers.Serializer):
    # A request body is one JSON object (DRF's own answer to `null` is English and vague).
    # No docstring: the schema would show it as the description of every request body.

    def run_validation(self, data=serializers.empty):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {
                    "non_field_errors": [
                        _("Stuur de gegevens als één JSON-object, met de velden uit /api/schema/.")
                    ]
                }
            )
        return super().run_validation(data)


# --- How the schema shows them (drf-spectacular extensions) ----------------------------------


class TextSchema(OpenApiSerializerFieldExtension):
    target_class = Text
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if not self.target.allow_blank:
            schema |= {"minLength": 1, "pattern": NON_BLANK}
        return schema


class ClockTimeSchema(OpenApiSerializerFieldExtension):
    # Not format "time": that one (RFC 3339) demands a time zone.
    target_class = ClockTime

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "pattern": TIME.pattern, "example": "23:15"}


class CoordinateSchema(OpenApiSerializerFieldExtension):
    target_class = Coordinate

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "format": "decimal", "pattern": self.target.pattern.pattern}


# --- The partner's key -------------------------------------------------------------------------


class PartnerKeyAuthentication(BaseAuthentication):
    """The organisation's API key. `partner_token_view` has checked it before DRF runs (and
    answered a missing, unknown or revoked key with 401, audited); here it becomes
    `request.auth`, and the schema names it."""

    def authenticate(self, request):
        token = getattr(request, "partner_token", None)
        return None if token is None else (AnonymousUser(), token)

    def authenticate_header(self, request):
        return "Token"


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    target_class = PartnerKeyAuthentication
    name = "partnerKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Token nbr_…`: de API-sleutel van de organisatie, uitgegeven door de "
                "functioneel beheerder (pagina „API-sleutels van ketenpartners”)."
            ),
        }


# --- Response bodies ---------------------------------------------------------------------------


class ReportReceivedSerializer(serializers.Serializer):
    receipt = serializers.CharField(help_text="het bonnummer; wordt maar één keer getoond")
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField()
    notice = serializers.CharField()
    referral = serializers.CharField(
        required=False, help_text="alleen bij een onderwerp met een doorverwijzing"
    )


class FollowUpSerializer(serializers.Serializer):
    category = serializers.CharField()
    received_on = serializers.DateField()
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField()
    public_text = serializers.CharField(allow_blank=True)
    messages = inline_serializer(
        "FollowUpMessage",
        fields={
            "from": serializers.CharField(help_text="melder of gemeente"),
            "body": serializers.CharField(),
            "sent_at": serializers.DateTimeField(),
        },
        many=True,
    )


class SignalReceivedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="meldingnummer, bijv. M-42")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="wat er mis is, in het Nederlands")


class ElsewhereSerializer(serializers.Serializer):
    municipality = serializers.CharField(
        allow_blank=True, help_text="CBS-code om de melding daar te doen; leeg: niet hier bediend"
    )
    name = serializers.CharField()


def invalid(request_serializer, *, elsewhere=False) -> OpenApiResponse:
    """The 400 of an operation: per field of its request, the Dutch messages; `detail` when the
    body was no JSON at all; `non_field_errors` when it was no object."""

    def messages():
        return serializers.ListField(child=serializers.CharField(), required=False)

    fields = {name: messages() for name in request_serializer().fields}
    fields["non_field_errors"] = messages()
    fields["detail"] = serializers.CharField(required=False)
    if elsewhere:
        fields["elsewhere"] = ElsewhereSerializer(
            required=False, help_text="waar de plek ligt, als die buiten de gemeente ligt"
        )
    name = request_serializer.__name__.removesuffix("Serializer") + "Invalid"
    return OpenApiResponse(
        inline_serializer(name, fields=fields),
        description="Ongeldige gegevens; er is niets opgeslagen.",
    )


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


TOO_LARGE = error(f"Meer dan {settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024} KiB aan gegevens.")
NOT_JSON = error("Geen JSON (Content-Type moet application/json zijn).")
THROTTLED = error("Te vaak geprobeerd; probeer het later opnieuw.")
