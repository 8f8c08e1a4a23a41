"""Optional: look an address up in the PDOK Locatieserver when the local register lacks it.

Off by default. An installation that sets NOABER_LOCATIESERVER_URL (the search API's base,
e.g. `https://api.pdok.nl/bzk/locatieserver/search/v3_1`) asks its `free` endpoint for
`postcode:7591AB AND huisnummer:12` with `fq=type:adres`, and reads the documented fields of
each doc: straatnaam, huisnummer, huisletter, huisnummertoevoeging, postcode, woonplaatsnaam,
gemeentecode (four digits), gemeentenaam and centroide_ll ("POINT(lon lat)"). The request
leaves the installation (the server asks, never the reporter's browser); that is why it is off
unless configured. A failing service makes the address count as typed, never a lost report.

What it asks is bounded, because the public form reaches it: every answer (an address, or "no
such address") is kept in Django's cache under a keyed digest of the address (a day; an unknown
address an hour); at most NOABER_LOCATIESERVER_PER_MINUTE requests leave the installation per
minute (counted in the database, as the public throttles are, so every worker sees one
count); and after a failure the service is left alone for PAUSE_AFTER_FAILURE seconds. Over the
budget or in the pause, the address counts as typed, as when the service fails.
"""

import hmac
import json
import re
import urllib.parse
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from .bag import addition_key
from .models import Address, ThrottleHit

TIMEOUT_SECONDS = 3
FOUND_SECONDS = 24 * 3600
UNKNOWN_SECONDS = 3600
PAUSE_AFTER_FAILURE = 60
_ASKED, _FAILED, _CLIENT = "locatieserver", "locatieserver_failed", "installation"
_ADDRESS_FIELDS = ("bag_id", "postcode", "house_number", "house_letter", "addition",
                   "addition_key", "street", "woonplaats", "municipality_code",
                   "municipality_name", "longitude", "latitude")  # fmt: skip
POINT = re.compile(r"^POINT\(\s*([-0-9.]+)\s+([-0-9.]+)\s*\)$")


class LocatieserverUnavailableError(Exception):
    pass


def enabled() -> bool:
    return bool(getattr(settings, "NOABER_LOCATIESERVER_URL", ""))


def _fetch(url: str) -> dict:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
        return json.loads(response.read(1_000_000))


def _cache_key(postcode: str, house_number: int, addition: str) -> str:
    # Keyed, so the cache (Redis, say) holds no reporter's address in a readable form.
    text = f"{postcode}|{int(house_number)}|{addition_key(addition, '')}"
    mac = hmac.new(settings.SECRET_KEY.encode(), b"locatieserver:" + text.encode(), "sha256")
    return "noaber:locatieserver:" + mac.hexdigest()


def _may_ask() -> bool:
    """Within the minute's budget and not in the pause after a failure; counts the request."""
    now = timezone.now()
    hits = ThrottleHit.objects.filter(client=_CLIENT)
    if hits.filter(scope=_FAILED, at__gte=now - timedelta(seconds=PAUSE_AFTER_FAILURE)).exists():
        return False
    asked = hits.filter(scope=_ASKED, at__gte=now - timedelta(minutes=1)).count()
    if asked >= settings.NOABER_LOCATIESERVER_PER_MINUTE:
        return False
    ThrottleHit.objects.create(scope=_ASKED, client=_CLIENT, at=now)
    return True


def lookup(postcode: str, house_number: int, addition: str = "") -> Address | None:
    """An unsaved Address for the best match, None when the service knows no such address;
    LocatieserverUnavailableError when it cannot answer (or may not be asked now). Answers come
    from the cache when the same address was asked lately."""
    key = _cache_key(postcode, house_number, addition)
    cached = cache.get(key)
    if cached is not None:
        return Address(**cached) if cached else None
    if not _may_ask():
        raise LocatieserverUnavailableError("budget spent or pausing after a failure")
    try:
        address = _ask(postcode, house_number, addition)
    except LocatieserverUnavailableError:
        ThrottleHit.objects.create(scope=_FAILED, client=_CLIENT, at=timezone.now())
        raise
    if address is None:
        cache.set(key, {}, UNKNOWN_SECONDS)
    else:
        cache.set(key, {f: getattr(address, f) for f in _ADDRESS_FIELDS}, FOUND_SECONDS)
    return address


def _ask(postcode: str, house_number: int, addition: str) -> Address | None:
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
