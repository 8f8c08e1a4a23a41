"""Validation shared by the web forms and the API: one rule, one Dutch message."""

import re
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .addresses import LocationRefusedError, resolve_location

POSTCODE = re.compile(r"^[1-9][0-9]{3}(?!SA|SD|SS)[A-Z]{2}$")


def normalise_postcode(value: str) -> str:
    """'7591 ab' -> '7591AB'; ValidationError when it is not a Dutch postcode."""
    cleaned = re.sub(r"\s+", "", value or "").upper()
    if not POSTCODE.match(cleaned):
        raise ValidationError(
            _("Vul een geldige postcode in: vier cijfers en twee letters, bijvoorbeeld 7591 AB.")
        )
    return cleaned


def check_house_number(value: int | None) -> None:
    if value is not None and not 1 <= value <= 99999:
        raise ValidationError(_("Een huisnummer is een getal van 1 tot en met 99999."))


def check_date(value: date | None) -> None:
    from django.utils import timezone

    if value is not None and value > timezone.localdate():
        raise ValidationError(_("De datum ligt in de toekomst."))


def check_location(municipality, data: dict) -> tuple[dict[str, str], LocationRefusedError | None]:
    """Errors per field for the 'where' part, and the refusal when the place lies elsewhere.

    `data` holds cleaned values (or None). A place that resolves (addresses.resolve_location)
    fills in `street`, `woonplaats`, `area` and, when no point was given, the address's point.
    """
    errors = {}
    postcode, number = data.get("postcode"), data.get("house_number")
    if postcode and not number:
        errors["house_number"] = _("Vul ook het huisnummer in.")
    if number and not postcode:
        errors["postcode"] = _("Vul ook de postcode in.")
    area = data.get("area")
    if area is not None and area.municipality_id != municipality.pk:
        errors["area"] = _("Kies een kern of gebied van deze gemeente.")
    lat, lon = data.get("latitude"), data.get("longitude")
    if (lat is None) != (lon is None):
        errors["latitude"] = _("Geef voor een punt op de kaart zowel breedte- als lengtegraad.")
    if errors:
        return errors, None
    try:
        location = resolve_location(
            municipality,
            postcode=postcode or "",
            house_number=number,
            addition=data.get("house_number_addition") or "",
            latitude=lat,
            longitude=lon,
        )
    except LocationRefusedError as refused:
        return {refused.field: refused.message}, refused
    if location.resolved:
        data["street"], data["woonplaats"] = location.street, location.woonplaats
        if location.area is not None:
            data["area"] = location.area
        if lat is None and location.latitude is not None:
            data["latitude"] = Decimal(f"{location.latitude:.6f}")
            data["longitude"] = Decimal(f"{location.longitude:.6f}")
    return {}, None


def location_errors(municipality, data: dict) -> dict[str, str]:
    return check_location(municipality, data)[0]


def contact_errors(data: dict) -> dict[str, str]:
    """Contact details only when the reporter ticked that they want to leave them."""
    given = any(data.get(k) for k in ("contact_name", "contact_email", "contact_phone"))
    if data.get("contact_consent"):
        if not (data.get("contact_email") or data.get("contact_phone")):
            return {"contact_email": _("Vul een e-mailadres of telefoonnummer in.")}
    elif given:
        return {
            "contact_consent": _(
                "U heeft contactgegevens ingevuld. Vink aan dat u ze wilt delen, of maak de "
                "velden leeg om anoniem te melden."
            )
        }
    return {}


PHONE = re.compile(r"^\+?[0-9 ()-]{8,20}$")


def check_phone(value: str) -> None:
    if value and not PHONE.match(value):
        raise ValidationError(_("Vul een geldig telefoonnummer in, bijvoorbeeld 0541 123456."))
