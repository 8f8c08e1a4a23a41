"""Validation shared by the web forms and the API: one rule, one Dutch message."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .geo import contains

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


def location_errors(municipality, data: dict) -> dict[str, str]:
    """Errors per field for the 'where' part; `data` holds cleaned values (or None)."""
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
    elif lat is not None:
        boundary = getattr(municipality, "boundary", None)
        if boundary is None:
            errors["latitude"] = _(
                "Voor deze gemeente kan nog geen kaartpunt worden gebruikt. Geef een adres of "
                "kies een kern."
            )
        elif not contains(boundary.geometry, float(lon), float(lat)):
            errors["latitude"] = _(
                "Dit punt ligt buiten de gemeente %(name)s. Kies een punt binnen de gemeente of "
                "meld het bij de gemeente waar het gebeurde."
            ) % {"name": municipality.name}
    return errors


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
