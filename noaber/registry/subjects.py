"""Subjects: validation of Dutch identifiers, normalisation, blind-index keys and matching.

Matching works on keyed digests only (noaber.lib.crypto.blind_index), so it never needs the
plain values in the database:

- exact keys: the normalised full name with the birth date (if known), the BSN, the address
  (postcode, huisnummer, toevoeging), the KvK number, the kenteken, the online handle;
- fuzzy keys: per name a phonetic skeleton (see `phonetic`), so Jansen/Janssen/Janszen,
  de Vries/Devries and Mohammed/Mohamed/Muhammad meet.
"""

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from noaber.intake.validation import normalise_postcode
from noaber.lib.crypto import blind_index

# Tussenvoegsels are dropped before phonetic matching ("van der Berg" ~ "Berg").
PARTICLES = {"van", "de", "der", "den", "het", "ten", "ter", "te", "la", "le", "el", "al", "d", "v"}
KENTEKEN_SHAPES = {
    "LLDDDD", "DDDDLL", "DDLLDD", "LLDDLL", "LLLLDD", "DDLLLL", "DDLLLD",
    "DLLLDD", "LLDDDL", "LDDDLL", "LLLDDL", "LDDLLL", "DLLDDD", "DDDLLD",
}  # fmt: skip


def check_bsn(value: str) -> str:
    """The BSN's nine digits if it passes the eleven-test, else ValidationError."""
    digits = re.sub(r"[\s.]", "", value or "")
    if not re.fullmatch(r"\d{8,9}", digits):
        raise ValidationError(_("Een BSN bestaat uit negen cijfers."))
    digits = digits.zfill(9)
    weights = [9, 8, 7, 6, 5, 4, 3, 2, -1]
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=True))
    if total % 11 != 0 or digits == "000000000":
        raise ValidationError(_("Dit BSN klopt niet (de elfproef faalt). Controleer de cijfers."))
    return digits


def check_kvk(value: str) -> str:
    digits = re.sub(r"\s", "", value or "")
    if not re.fullmatch(r"\d{8}", digits) or digits == "00000000":
        raise ValidationError(_("Een KvK-nummer bestaat uit acht cijfers."))
    return digits


def check_kenteken(value: str) -> str:
    plate = re.sub(r"[\s-]", "", value or "").upper()
    shape = "".join("D" if c.isdigit() else "L" if c.isalpha() else "?" for c in plate)
    if len(plate) != 6 or shape not in KENTEKEN_SHAPES:
        raise ValidationError(
            _("Dit is geen geldig Nederlands kenteken, bijvoorbeeld 12-ABC-3 of AB-12-CD.")
        )
    return plate


def check_bag_id(value: str) -> str:
    digits = (value or "").strip()
    if digits and not re.fullmatch(r"\d{16}", digits):
        raise ValidationError(_("Een BAG-id bestaat uit zestien cijfers."))
    return digits


def check_birth_date(value: str) -> str:
    """A birth date typed as dd-mm-jjjj (or jjjj-mm-dd), as ISO jjjj-mm-dd; a date that does
    not exist or lies in the future is refused."""
    text = (value or "").strip()
    match = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    elif match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise ValidationError(
            _("Schrijf de geboortedatum als dag-maand-jaar, bijvoorbeeld 12-04-1979.")
        )
    try:
        born = date(year, month, day)
    except ValueError:
        raise ValidationError(
            _("%(d)s bestaat niet; controleer dag en maand.") % {"d": text}
        ) from None
    if born > timezone.localdate():
        raise ValidationError(_("Een geboortedatum ligt niet in de toekomst."))
    if born.year < 1900:
        raise ValidationError(_("Een geboortedatum ligt niet voor 1900."))
    return born.isoformat()


def plain_name(value: str) -> str:
    text = unicodedata.normalize("NFKD", value or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z ]+", " ", text.lower()).split()


def normalised_name(value: str) -> str:
    return " ".join(plain_name(value))


def phonetic(word: str) -> str:
    """A Dutch-minded sound skeleton: first letter kept, vowels dropped, look-alike sounds
    merged, doubles collapsed. Mohammed, Mohamed and Muhammad all give 'mhmt'."""
    w = word.lower()
    for old, new in (
        ("sch", "s"), ("ph", "f"), ("th", "t"), ("ck", "k"), ("ch", "g"), ("ij", "y"),
        ("ei", "y"), ("dt", "t"), ("sz", "s"), ("z", "s"), ("c", "k"), ("q", "k"),
        ("x", "ks"), ("w", "v"),
    ):  # fmt: skip
        w = w.replace(old, new)
    if w.endswith("d"):
        w = w[:-1] + "t"
    first, rest = w[:1], re.sub(r"[aeiouyh]", "", w[1:])
    skeleton = first + rest
    return re.sub(r"(.)\1+", r"\1", skeleton)


def name_tokens(value: str) -> list[str]:
    return [t for t in plain_name(value) if t not in PARTICLES and len(t) > 1]


def address_key(postcode: str, number, addition: str = "") -> str:
    return f"{postcode}|{number}|{(addition or '').strip().lower()}"


def keys_for(kind: str, data: dict) -> list[tuple[str, str]]:
    """(key kind, digest) pairs for a subject's data (cleaned)."""
    out = []
    label = data.get("label", "")
    if kind in ("person", "company") and label:
        # Exact: the name with the birth date when known (a name alone is only a fuzzy hit).
        exact = normalised_name(label) + "|" + (data.get("birth_date") or "")
        out.append(("name", blind_index(exact, "name")))
        for token in name_tokens(label):
            out.append(("name_sound", blind_index(phonetic(token), "sound")))
    if kind == "person" and data.get("bsn"):
        out.append(("bsn", blind_index(data["bsn"], "bsn")))
    if data.get("postcode") and data.get("house_number"):
        key = address_key(data["postcode"], data["house_number"], data.get("house_number_addition"))
        out.append(("address", blind_index(key, "address")))
    if data.get("kvk"):
        out.append(("kvk", blind_index(data["kvk"], "kvk")))
    if kind == "vehicle" and data.get("kenteken"):
        out.append(("kenteken", blind_index(data["kenteken"], "kenteken")))
    if kind == "online" and label:
        out.append(("handle", blind_index(label.strip().lower(), "handle")))
    return out


def clean_subject(kind: str, raw: dict, *, search: bool = False) -> dict:
    """Validate and normalise a subject's fields; ValidationError maps field -> message.

    With `search`, nothing is required: a privacy officer may search on a BSN alone."""
    errors, data = {}, {"label": (raw.get("label") or "").strip()}
    checks = {
        "bsn": check_bsn,
        "kvk": check_kvk,
        "kenteken": check_kenteken,
        "bag_id": check_bag_id,
    }
    for field, check in checks.items():
        value = (raw.get(field) or "").strip()
        if value:
            try:
                data[field] = check(value)
            except ValidationError as error:
                errors[field] = error.messages[0]
    postcode = (raw.get("postcode") or "").strip()
    if postcode:
        try:
            data["postcode"] = normalise_postcode(postcode)
        except ValidationError as error:
            errors["postcode"] = error.messages[0]
    number = raw.get("house_number")
    if number not in (None, ""):
        try:
            data["house_number"] = int(number)
            if not 1 <= data["house_number"] <= 99999:
                raise ValueError
        except (TypeError, ValueError):
            errors["house_number"] = _("Een huisnummer is een getal van 1 tot en met 99999.")
    data["house_number_addition"] = (raw.get("house_number_addition") or "").strip()[:6]
    birth_date = (raw.get("birth_date") or "").strip()
    data["birth_date"] = ""
    if birth_date:
        try:
            data["birth_date"] = check_birth_date(birth_date)
        except ValidationError as error:
            errors["birth_date"] = error.messages[0]
    if search:
        if errors:
            raise ValidationError(errors)
        return data
    if kind == "vehicle" and "kenteken" not in data and "kenteken" not in errors:
        errors["kenteken"] = _("Vul het kenteken in.")
    if kind == "address" and not (data.get("postcode") and data.get("house_number")):
        errors.setdefault("postcode", _("Vul postcode en huisnummer in."))
    if kind in ("person", "company", "online") and not data["label"]:
        errors["label"] = _("Vul de naam in.")
    if kind == "vehicle":
        data["label"] = data["label"] or data.get("kenteken", "")
    if kind == "address" and not data["label"] and "postcode" in data:
        data["label"] = f"{data['postcode']} {data.get('house_number', '')}".strip()
    if errors:
        raise ValidationError(errors)
    return data
