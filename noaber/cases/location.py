"""A task's location: postcode, house number, addition and the kern or buitengebied, all
optional, set by the advisor on the task and shown to whoever does it.

The fields and their check live here together so that an address resolver (the BAG, which
turns a postcode and house number into a street and a kern and refuses an address outside the
municipality) plugs in at one place: `check_location`. It checks the postcode's format, the
house number's range, that a house number comes with a postcode and the other way round, and
that the area is one of this municipality's; then the address against the BAG
(`intake.addresses.resolve_location`), which refuses an unknown address or one in another
municipality and gives the kern or buitengebied the address lies in.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from noaber.intake import addresses, validation
from noaber.intake.models import Area

FIELDS = ("location_postcode", "location_house_number", "location_addition", "location_area")


class LocationFields(forms.Form):
    """The location fields of a form; mix into a form and call `init_location(municipality)`."""

    location_postcode = forms.CharField(
        label=_("Locatie: postcode"),
        required=False,
        max_length=7,
        help_text=_("Waar de taak gedaan moet worden, als dat een adres is."),
    )
    location_house_number = forms.IntegerField(
        label=_("Locatie: huisnummer"), required=False, validators=[validation.check_house_number]
    )
    location_addition = forms.CharField(
        label=_("Locatie: toevoeging"), required=False, max_length=6
    )
    location_area = forms.ModelChoiceField(
        label=_("Locatie: kern of buitengebied"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=_("Geen keuze"),
    )

    location_municipality = None  # set by init_location; a bare mixin checks formats only

    def init_location(self, municipality) -> None:
        self.location_municipality = municipality
        self.fields["location_area"].queryset = Area.objects.filter(municipality=municipality)

    def clean_location_postcode(self):
        value = self.cleaned_data["location_postcode"]
        return validation.normalise_postcode(value) if value.strip() else ""

    def clean_location_addition(self):
        return self.cleaned_data["location_addition"].strip().upper()

    def clean(self):
        data = super().clean()
        if self.location_municipality is not None and not any(f in self.errors for f in FIELDS):
            try:
                data.update(check_location(self.location_municipality, location_of(data)))
            except ValidationError as error:
                for field, errors in error.error_dict.items():
                    self.add_error(field, errors)
        return data


def location_of(data: dict) -> dict:
    """The location part of a form's cleaned data, keyed as the Task's fields."""
    return {f: data.get(f) for f in FIELDS}


def check_location(municipality, location: dict) -> dict:
    """The location as it is to be stored (with the street and woonplaats the BAG gave, empty
    when the address is taken as typed), or ValidationError with a Dutch message per field.
    The one place where an address resolver (BAG) is to be called."""
    postcode = location.get("location_postcode") or ""
    number = location.get("location_house_number")
    addition = location.get("location_addition") or ""
    area = location.get("location_area")
    errors = validation.location_errors(
        municipality, {"postcode": postcode, "house_number": number, "area": area}
    )
    if addition and not number:
        errors["house_number"] = _("Vul ook het huisnummer in.")
    if errors:
        raise ValidationError({f"location_{k}": v for k, v in errors.items()})
    street = woonplaats = ""
    if postcode and number:
        # The BAG: an unknown address, or one in another municipality, is refused; a known one
        # gives its kern or buitengebied (which replaces a kern chosen by hand).
        try:
            found = addresses.resolve_location(
                municipality, postcode=postcode, house_number=number, addition=addition
            )
        except addresses.LocationRefusedError as refusal:
            raise ValidationError({"location_postcode": refusal.message}) from None
        area = found.area or area
        street, woonplaats = found.street, found.woonplaats
    return {
        "location_postcode": postcode,
        "location_house_number": number,
        "location_addition": addition,
        "location_street": street,
        "location_woonplaats": woonplaats,
        "location_area": area,
    }
