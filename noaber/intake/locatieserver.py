"""Optional: look an address up in the PDOK Locatieserver when the local register lacks it.

Off by default. An installation that sets NOABER_LOCATIESERVER_URL (the search API's base,
e.g. `https://api.pdok.nl/bzk/locatieserver/search/v3_1`) asks its `free` endpoint for
`postcode:7591AB AND huisnummer:12` with `fq=type:adres`, and reads the documented fields of
each doc: straatnaam, huisnummer, huisletter, huisnummertoevoeging, postcode, woonplaatsnaam,
gemeentecode (four digits), gemeentenaam and centroide_ll ("POINT(lon lat)"). The request
leaves the installation (the server asks, never the reporter's browser); that is why it is off
unless configured. A failing service makes the address count as typed, never a lost report.
"""

import json
import re
import urllib.parse
import urllib.request

from django.conf import settings

from .bag import addition_key
from .models import Address

TIMEOUT_SECONDS = 3
POINT = re.compile(r"^POINT\(\s*([-0-9.]+)\s+([-0-9.]+)\s*\)$")


class LocatieserverUnavailableError(Exception):
    pass


def enabled() -> bool:
    return bool(getattr(settings, "NOABER_LOCATIESERVER_URL", ""))


def _fetch(url: str) -> dict:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
        return json.loads(response.read(1_000_000))


def lookup(postcode: str, house_number: int, addition: str = "") -> Address | None:
    """An unsaved Address for the best match, None when the service knows no such address;
    LocatieserverUnavailableError when it cannot answer."""
    base = settings.NOABER_LOCATIESERVER_URL.rstrip("/")
    if not base.startswith(("https://", "http://")):
        raise LocatieserverUnavailableError("NOABER_LOCATIESERVER_URL is not an http(s) URL")
    query = urllib.parse.urlencode(
        {
            "q": f"postcode:{postcode} AND huisnummer:{int(house_number)}",
            "fq": "type:adres",
            "rows": "20",
        }
    )
    try:
        docs = _fetch(f"{base}/free?{query}")["response"]["docs"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise LocatieserverUnavailableError(str(error)) from error
    wanted = addition_key(addition, "")
    found = []
    for doc in docs:
        point = POINT.match(str(doc.get("centroide_ll", "")))
        code = str(doc.get("gemeentecode", "")).strip()
        if not point or not code.isdigit() or doc.get("postcode") != postcode:
            continue
        if doc.get("huisnummer") != int(house_number):
            continue
        found.append(
            Address(
                bag_id=str(doc.get("adresseerbaarobject_id", ""))[:16],
                postcode=postcode,
                house_number=int(house_number),
                house_letter=str(doc.get("huisletter") or "")[:1],
                addition=str(doc.get("huisnummertoevoeging") or "")[:4],
                addition_key=addition_key(doc.get("huisletter"), doc.get("huisnummertoevoeging")),
                street=str(doc.get("straatnaam", ""))[:80],
                woonplaats=str(doc.get("woonplaatsnaam", ""))[:80],
                municipality_code=f"GM{int(code):04d}",
                municipality_name=str(doc.get("gemeentenaam", ""))[:100],
                longitude=float(point.group(1)),
                latitude=float(point.group(2)),
            )
        )
    exact = [a for a in found if a.addition_key == wanted]
    return (exact or sorted(found, key=lambda a: a.addition_key) or [None])[0]
