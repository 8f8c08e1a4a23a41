"""The meldpunt's API: public intake and follow-up, and partner intake with an API key.

Public endpoints need no login, store no address or user agent and are throttled per keyed
digest of the client address. Receipt codes travel only in request bodies, never in URLs.
What the schema promises (strict types, every status with its body) is in api_contract.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    parser_classes,
    permission_classes,
)
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from noaber.accounts import partner_keys
from noaber.accounts.access import partner_token_view, public_view
from noaber.accounts.models import Municipality
from noaber.lib.api import JsonBody

from . import actions, throttle, validation
from .api_contract import (
    NOT_JSON,
    THROTTLED,
    TOO_LARGE,
    Choice,
    ClockTime,
    Coordinate,
    Day,
    Email,
    Flag,
    FollowUpSerializer,
    JsonObject,
    PartnerKeyAuthentication,
    ReportReceivedSerializer,
    SignalReceivedSerializer,
    Text,
    WholeNumber,
    error,
    invalid,
)
from .models import (
    DESCRIPTION_MAX,
    MESSAGE_MAX,
    Area,
    Category,
    Channel,
    Referral,
    Source,
)

# validation.check_house_number's rule and message, said so that the schema shows the range.
HOUSE_NUMBER_RANGE = gettext_lazy("Een huisnummer is een getal van 1 tot en met 99999.")


class ReportSerializer(JsonObject):
    municipality = Text(max_length=6, help_text="CBS-code, bijv. GM1774")
    category = Text(max_length=60, help_text="code van de categorie")
    description = Text(max_length=DESCRIPTION_MAX)
    occurred_on = Day(required=False, allow_null=True)
    occurred_at_time = ClockTime(required=False, allow_null=True)
    postcode = Text(required=False, allow_blank=True, max_length=7)
    house_number = WholeNumber(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=99999,
        error_messages={"min_value": HOUSE_NUMBER_RANGE, "max_value": HOUSE_NUMBER_RANGE},
    )
    house_number_addition = Text(required=False, allow_blank=True, max_length=6)
    area = Text(
        required=False, allow_blank=True, max_length=100, help_text="naam van kern of gebied"
    )
    latitude = Coordinate(max_digits=8, decimal_places=6, required=False, allow_null=True)
    longitude = Coordinate(max_digits=9, decimal_places=6, required=False, allow_null=True)

    def validate_municipality(self, value):
        municipality = Municipality.objects.filter(cbs_code=value.strip().upper()).first()
        if municipality is None:
            raise serializers.ValidationError(_("Onbekende gemeente."))
        return municipality

    def validate_category(self, value):
        category = Category.objects.filter(code=value, active=True).first()
        if category is None:
            raise serializers.ValidationError(_("Kies een onderwerp uit de lijst."))
        return category

    def validate_postcode(self, value):
        return validation.normalise_postcode(value) if value.strip() else ""

    def validate_occurred_on(self, value):
        validation.check_date(value)
        return value

    def validate(self, data):
        municipality = data["municipality"]
        if data.get("area"):
            area = Area.objects.filter(municipality=municipality, name=data["area"]).first()
            if area is None:
                raise serializers.ValidationError(
                    {"area": _("Kies een kern of gebied van deze gemeente.")}
                )
            data["area"] = area
        else:
            data["area"] = None
        errors, refusal = validation.check_location(municipality, data)
        errors |= self.extra_errors(data)
        if refusal is not None and refusal.elsewhere_name:
            # Where the place lies, so the caller can send the report there (`municipality`:
            # the CBS code to post it with when served here, else empty) or tell whom to contact.
            errors["elsewhere"] = {
                "municipality": refusal.elsewhere.cbs_code if refusal.elsewhere else "",
                "name": refusal.elsewhere_name,
            }
        if errors:
            raise serializers.ValidationError(errors)
        return data

    def extra_errors(self, data):
        return {}


class PublicReportSerializer(ReportSerializer):
    contact_consent = Flag(default=False)
    contact_name = Text(required=False, allow_blank=True, max_length=100)
    contact_email = Email(required=False, allow_blank=True, max_length=320)
    contact_phone = Text(
        required=False, allow_blank=True, max_length=20, validators=[validation.check_phone]
    )
    referral_consent = Flag(default=False)

    def extra_errors(self, data):
        return validation.contact_errors(data)


class PartnerSignalSerializer(ReportSerializer):
    source = Choice(
        choices=[(s.value, s.label) for s in (Source.POLICE, Source.MMA, Source.PARTNER)]
    )
    external_reference = Text(required=False, allow_blank=True, max_length=60)


class ReceiptSerializer(JsonObject):
    receipt = Text(max_length=40)


class ReporterMessageSerializer(ReceiptSerializer):
    body = Text(max_length=MESSAGE_MAX)


REPORT_EXAMPLE = {
    "municipality": "GM1774",
    "category": "verdacht-pand",
    "description": "Al weken 's nachts auto's en licht bij de lege schuur aan de Hoofdweg.",
    "occurred_on": "2026-11-20",
    "area": "Buitengebied",
}
VIZIER_NOTICE = _(
    "Bent u gediscrimineerd? U kunt ook terecht bij Stichting Vizier, de "
    "antidiscriminatievoorziening in Twente."
)


def _too_many():
    return Response({"detail": str(throttle.TOO_MANY)}, status=status.HTTP_429_TOO_MANY_REQUESTS)


def _public(view):
    """A public API view: no session, no CSRF, anyone may call it (and is throttled)."""
    view = permission_classes([AllowAny])(authentication_classes([])(view))
    view = parser_classes([JsonBody])(view)
    # never_cache: responses carry a receipt or a report's contents.
    return public_view(["POST"], page=False)(never_cache(api_view(["POST"])(view)))


@extend_schema(
    operation_id="public_report_create",
    summary="Een melding doen (anoniem of met contactgegevens)",
    request=PublicReportSerializer,
    responses={
        201: OpenApiResponse(
            ReportReceivedSerializer, description="Ontvangen; het bonnummer staat in `receipt`."
        ),
        400: invalid(PublicReportSerializer, elsewhere=True),
        413: TOO_LARGE,
        415: NOT_JSON,
        429: THROTTLED,
    },
    examples=[
        OpenApiExample("Anonieme melding", value=REPORT_EXAMPLE, request_only=True),
        OpenApiExample(
            "Ontvangen",
            value={
                "receipt": "7KQM-2XPA-9D4T-HW3B-RC6N",
                "status": "received",
                "status_label": "ontvangen",
                "notice": "Bewaar dit bonnummer goed: wij tonen het maar één keer.",
            },
            response_only=True,
            status_codes=["201"],
        ),
    ],
    tags=["meldpunt"],
)
@_public
def public_report_create(request):
    if throttle.exceeded(throttle.REPORTS, request):
        return _too_many()
    throttle.count(throttle.REPORTS, request)
    serializer = PublicReportSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    result = actions.submit_report(data["municipality"], data, channel=Channel.API)
    body = {
        "receipt": result.receipt,
        "status": result.report.status,
        "status_label": result.report.get_status_display(),
        "notice": _(
            "Bewaar dit bonnummer goed: wij tonen het maar één keer. Met het bonnummer volgt u "
            "uw melding en leest u onze vragen en berichten."
        ),
    }
    if data["category"].referral == Referral.VIZIER:
        body["referral"] = VIZIER_NOTICE
    return Response(body, status=status.HTTP_201_CREATED)


def _follow_up_body(report) -> dict:
    return {
        "category": str(report.category),
        "received_on": report.created_at.date(),
        "status": report.status,
        "status_label": report.get_status_display(),
        "public_text": report.public_text,
        "messages": [
            {"from": m.get_author_kind_display(), "body": m.body, "sent_at": m.created_at}
            for m in report.messages.all()
        ],
    }


NO_REPORT = error("Geen melding bij dit bonnummer (telt mee voor de limiet).")

# What a successful answer looks like, for the schema's readers (docs/api.md).
FOLLOW_UP_EXAMPLE = {
    "category": "Drugsoverlast",
    "received_on": "2026-11-20",
    "status": "in_progress",
    "status_label": "in behandeling",
    "public_text": "Wij hebben uw melding doorgegeven aan de wijkagent.",
    "messages": [
        {
            "from": "gemeente",
            "body": "Dank voor uw melding. Weet u ook op welke avonden het busje er staat?",
            "sent_at": "2026-11-21T09:30:00+01:00",
        }
    ],
}


def _report_by_receipt(request, receipt):
    """(report, None) or (None, error response); wrong codes count towards the throttle."""
    if throttle.exceeded(throttle.FAILED_LOOKUPS, request):
        return None, _too_many()
    report = actions.find_by_receipt(receipt)
    if report is None:
        throttle.count(throttle.FAILED_LOOKUPS, request)
        return None, Response(
            {"detail": _("Wij vinden geen melding bij dit bonnummer.")},
            status=status.HTTP_404_NOT_FOUND,
        )
    return report, None


@extend_schema(
    operation_id="public_report_lookup",
    summary="Status, tekst van de gemeente en berichten van een melding opvragen",
    request=ReceiptSerializer,
    responses={
        200: OpenApiResponse(
            FollowUpSerializer, description="De melding zoals de melder die ziet."
        ),
        400: invalid(ReceiptSerializer),
        404: NO_REPORT,
        413: TOO_LARGE,
        415: NOT_JSON,
        429: THROTTLED,
    },
    examples=[
        OpenApiExample(
            "Bonnummer", value={"receipt": "7KQM-2XPA-9D4T-HW3B-RC6N"}, request_only=True
        ),
        OpenApiExample(
            "Melding", value=FOLLOW_UP_EXAMPLE, response_only=True, status_codes=["200"]
        ),
    ],
    tags=["meldpunt"],
)
@_public
def public_report_lookup(request):
    serializer = ReceiptSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    report, error = _report_by_receipt(request, serializer.validated_data["receipt"])
    if error:
        return error
    actions.record_follow_up_read(report)
    return Response(_follow_up_body(report))


@extend_schema(
    operation_id="public_report_message",
    summary="Een bericht of aanvullende informatie sturen bij een melding",
    request=ReporterMessageSerializer,
    responses={
        201: OpenApiResponse(
            FollowUpSerializer, description="Het bericht is toegevoegd; de melding daarna."
        ),
        400: invalid(ReporterMessageSerializer),
        404: NO_REPORT,
        413: TOO_LARGE,
        415: NOT_JSON,
        429: THROTTLED,
    },
    examples=[
        OpenApiExample(
            "Aanvulling",
            value={
                "receipt": "7KQM-2XPA-9D4T-HW3B-RC6N",
                "body": "Vannacht stond er weer een busje zonder kenteken.",
            },
            request_only=True,
        ),
        OpenApiExample(
            "Melding met het bericht",
            value=FOLLOW_UP_EXAMPLE,
            response_only=True,
            status_codes=["201"],
        ),
    ],
    tags=["meldpunt"],
)
@_public
def public_report_message(request):
    if throttle.exceeded(throttle.MESSAGES, request):
        return _too_many()
    serializer = ReporterMessageSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    report, error = _report_by_receipt(request, serializer.validated_data["receipt"])
    if error:
        return error
    throttle.count(throttle.MESSAGES, request)
    actions.post_reporter_message(report, serializer.validated_data["body"])
    return Response(_follow_up_body(report), status=status.HTTP_201_CREATED)


@extend_schema(
    operation_id="partner_signal_create",
    summary="Een signaal aanleveren als ketenpartner (API-sleutel van de organisatie)",
    request=PartnerSignalSerializer,
    responses={
        201: OpenApiResponse(SignalReceivedSerializer, description="Het signaal is ontvangen."),
        400: invalid(PartnerSignalSerializer, elsewhere=True),
        401: error("Geen, een onbekende of een ingetrokken API-sleutel."),
        403: error("De sleutel geeft geen toegang tot deze gemeente."),
        413: TOO_LARGE,
        415: NOT_JSON,
        429: THROTTLED,
    },
    examples=[
        OpenApiExample(
            "Politiesignaal",
            value=REPORT_EXAMPLE | {"source": "police", "external_reference": "PL0600-2026-1234"},
            request_only=True,
        ),
        OpenApiExample(
            "Ontvangen",
            value={"id": 42, "number": "M-42"},
            response_only=True,
            status_codes=["201"],
        ),
    ],
    tags=["ketenpartners"],
)
@partner_token_view(["POST"])
@api_view(["POST"])
@parser_classes([JsonBody])
# partner_token_view has checked the key: no further permission here.
@authentication_classes([PartnerKeyAuthentication])
@permission_classes([])
def partner_signal_create(request):
    token = request.auth
    key = f"token:{token.pk}"
    if throttle.exceeded(throttle.PARTNER, request, key):
        return _too_many()
    throttle.count(throttle.PARTNER, request, key)
    serializer = PartnerSignalSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    municipality = data["municipality"]
    if not token.municipalities.filter(pk=municipality.pk).exists():
        partner_keys.record_partner_refusal(token, "municipality_not_covered")
        return Response(
            {
                "detail": _("Deze sleutel geeft geen toegang tot gemeente %(name)s.")
                % {"name": municipality.name}
            },
            status=status.HTTP_403_FORBIDDEN,
        )
    result = actions.submit_report(
        municipality,
        data,
        channel=Channel.PARTNER_API,
        source=data["source"],
        partner=token.organisation,
        partner_token=token,
        external_reference=data.get("external_reference", ""),
    )
    return Response(
        {"id": result.report.pk, "number": result.report.number}, status=status.HTTP_201_CREATED
    )
