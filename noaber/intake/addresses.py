"""Resolving where something happened: one function every form and API calls.

`resolve_location(municipality, postcode=..., house_number=..., addition=..., latitude=...,
longitude=...)` turns a postcode and house number (from the BAG register, `import_bag`) or a
point (against the municipal outlines, `import_areas`) into a street, woonplaats, kern or
buitengebied and a point — or refuses with a Dutch message when the address is unknown or
lies in another municipality. A refusal says where the address lies: a municipality served
by this installation (`elsewhere`, so the form can offer to send the report there) or one
that is not (`elsewhere_name`, so the reporter knows whom to contact).

Until a BAG file was imported for the municipality, an address is taken as typed (unresolved):
an installation without the register keeps taking reports. An installation that configures the
PDOK Locatieserver (NOABER_LOCATIESERVER_URL, off by default) asks it for addresses the local
register lacks (locatieserver.py).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from noaber.accounts.models import Municipality

from . import locatieserver
from .areas import area_at, municipality_at
from .bag import addition_key
from .geo import contains
from .models import Address, Area, Boundary


@dataclass
class Location:
    street: str = ""
    woonplaats: str = ""
    area: Area | None = None
    longitude: float | None = None
    latitude: float | None = None
    resolved: bool = False


class LocationRefusedError(Exception):
    """The place is unknown or outside the municipality. `field`: the form field to mark."""

    def __init__(self, field: str, message: str, *, elsewhere=None, elsewhere_name: str = ""):
        super().__init__(message)
        self.field, self.message = field, message
        self.elsewhere: Municipality | None = elsewhere
        self.elsewhere_name = elsewhere_name or (elsewhere.name if elsewhere else "")


def _messages():
    # Whole sentences per case (not glued from parts), so a translation can order them freely.
    return {
        ("postcode", True): _(
            "Dit adres ligt in de gemeente %(name)s, niet in %(this)s. U kunt uw melding naar "
            "de gemeente %(name)s sturen."
        ),
        ("postcode", False): _(
            "Dit adres ligt in de gemeente %(name)s, niet in %(this)s. Neem voor uw melding "
            "contact op met de gemeente %(name)s."
        ),
        ("latitude", True): _(
            "Dit punt ligt in de gemeente %(name)s, niet in %(this)s. U kunt uw melding naar "
            "de gemeente %(name)s sturen."
        ),
        ("latitude", False): _(
            "Dit punt ligt in de gemeente %(name)s, niet in %(this)s. Neem voor uw melding "
            "contact op met de gemeente %(name)s."
        ),
    }


def _elsewhere(field: str, code: str, name: str, this) -> LocationRefusedError:
    served = Municipality.objects.filter(cbs_code=code).first()
    message = _messages()[field, served is not None] % {"name": name, "this": this.name}
    return LocationRefusedError(field, message, elsewhere=served, elsewhere_name=name)


def find_address(postcode: str, house_number: int, addition: str = "") -> Address | None:
    """The exact address, else another one at the same postcode and number (same building)."""
    candidates = list(Address.objects.filter(postcode=postcode, house_number=house_number))
    key = addition_key(addition, "")
    exact = [a for a in candidates if a.addition_key == key]
    return (exact or sorted(candidates, key=lambda a: (a.addition_key, a.bag_id)) or [None])[0]


def resolve_location(
    municipality,
    *,
    postcode: str = "",
    house_number: int | None = None,
    addition: str = "",
    latitude=None,
    longitude=None,
) -> Location:
    """Where it happened in `municipality`; raises LocationRefusedError (see the module)."""
    if postcode and house_number:
        address = find_address(postcode, house_number, addition)
        if address is None and locatieserver.enabled():
            try:
                address = locatieserver.lookup(postcode, house_number, addition)
            except locatieserver.LocatieserverUnavailableError:
                return Location()  # the service cannot answer: taken as typed, not lost
        elif (
            address is None
            and not Address.objects.filter(municipality_code=municipality.cbs_code).exists()
        ):
            return Location()  # no register imported for this municipality yet
        if address is None:
            raise LocationRefusedError(
                "postcode",
                _(
                    "Wij kennen geen adres %(postcode)s %(number)s. Controleer de postcode en "
                    "het huisnummer, of kies de kern of het buitengebied."
                )
                % {"postcode": f"{postcode[:4]} {postcode[4:]}", "number": house_number},
            )
        if address.municipality_code != municipality.cbs_code:
            raise _elsewhere(
                "postcode",
                address.municipality_code,
                address.municipality_name,
                municipality,
            )
        return Location(
            street=address.street,
            woonplaats=address.woonplaats,
            area=area_at(municipality, address.longitude, address.latitude),
            longitude=address.longitude,
            latitude=address.latitude,
            resolved=True,
        )
    if latitude is not None and longitude is not None:
        lon, lat = float(longitude), float(latitude)
        boundary = Boundary.objects.filter(municipality=municipality).first()
        if boundary is None:
            raise LocationRefusedError(
                "latitude",
                _(
                    "Voor deze gemeente kan nog geen kaartpunt worden gebruikt. Geef een adres "
                    "of kies een kern."
                ),
            )
        if not contains(boundary.geometry, lon, lat):
            found = municipality_at(lon, lat)
            if found is not None and found[0] != municipality.cbs_code:
                raise _elsewhere("latitude", *found, municipality)
            raise LocationRefusedError(
                "latitude",
                _(
                    "Dit punt ligt buiten de gemeente %(name)s. Kies een punt binnen de gemeente "
                    "of meld het bij de gemeente waar het gebeurde."
                )
                % {"name": municipality.name},
            )
        return Location(
            area=area_at(municipality, lon, lat), longitude=lon, latitude=lat, resolved=True
        )
    return Location()
