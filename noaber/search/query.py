"""Reading a search: what the box may hold, and which records a query finds among those a
user may open anyway."""

import re
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _

from noaber.accounts.access import can, municipalities_of
from noaber.lib.crypto import blind_index

from . import text
from .index import MODELS
from .keys import digest
from .models import Kind, SearchToken

MAX_LENGTH = 200
MAX_TERMS = 8
# A number as the pages show it: M-12, S-3, C-2 (also m12, "S 3").
NUMBER = re.compile(r"([MSC])\s*-?\s*(\d{1,12})", re.IGNORECASE)
# The rule that opens each kind's pages (get_report_for, get_signal_for, get_case_for).
RULE = {Kind.REPORT: "intake.inbox", Kind.SIGNAL: "registry.work", Kind.CASE: "cases.work"}


class QueryError(ValueError):
    """A search that is refused before it runs; the message is for the user (Dutch)."""


@dataclass
class Query:
    text: str
    number: tuple[str, int] | None = None
    tokens: list[str] = field(default_factory=list)

    @property
    def digest(self) -> str:
        """A keyed digest of the normalised query for the audit log: a supervisor holding the
        key can check whether a given term was searched; the log itself holds no text."""
        return blind_index(" ".join(text.plain_words(self.text)), "search_query")


def parse(raw: str) -> Query:
    value = (raw or "").strip()
    if not value:
        raise QueryError(
            _("Vul een zoekterm in: een nummer (M-12, S-3, C-2), woorden of een adres.")
        )
    if len(value) > MAX_LENGTH:
        raise QueryError(
            _("Een zoekopdracht is hoogstens %(max)d tekens lang; deze is %(n)d tekens.")
            % {"max": MAX_LENGTH, "n": len(value)}
        )
    number = NUMBER.fullmatch(value)
    if number:
        return Query(value, number=(number.group(1).upper(), int(number.group(2))))
    tokens = text.query_tokens(value)
    if not tokens:
        if text.plain_words(value):
            raise QueryError(
                _(
                    "Deze zoekopdracht bevat alleen veelvoorkomende woorden (zoals ‘de’, ‘het’, "
                    "‘en’), die Noaber niet zoekt. Voeg een woord toe dat iets zegt."
                )
            )
        raise QueryError(
            _(
                "Zoek op letters of cijfers. Tekens als %, _ en aanhalingstekens zijn geen "
                "jokers en vinden op zichzelf niets."
            )
        )
    if len(tokens) > MAX_TERMS:
        raise QueryError(
            _("Zoek op hoogstens %(max)d woorden tegelijk; deze zoekopdracht heeft er %(n)d.")
            % {"max": MAX_TERMS, "n": len(tokens)}
        )
    return Query(value, tokens=tokens)


def allowed_municipalities(user) -> dict[str, list]:
    """{kind: municipalities whose records of that kind `user` may open}."""
    served = list(municipalities_of(user))
    return {kind: [m for m in served if can(user, rule, m)] for kind, rule in RULE.items()}


def record_ids(kind: str, municipalities, query: Query):
    """The ids of the records of `kind` in `municipalities` that the query finds, newest
    first, as a lazy queryset (paged by the caller)."""
    ids = [m.pk for m in municipalities]
    model = MODELS[kind]
    if query.number:
        prefix, pk = query.number
        if prefix != kind or not ids:
            return model.objects.none().values_list("pk", flat=True)
        found = model.objects.filter(pk=pk, municipality_id__in=ids)
        if kind == Kind.CASE:
            found = found.filter(destroyed_at__isnull=True)  # as get_case_for
        return found.values_list("pk", flat=True)
    if not ids:
        return SearchToken.objects.none().values_list("record_id", flat=True)
    digests = [digest(t) for t in query.tokens]

    def having(d):
        return SearchToken.objects.filter(kind=kind, municipality_id__in=ids, digest=d)

    found = having(digests[0])
    for d in digests[1:]:
        found = found.filter(record_id__in=having(d).values("record_id"))
    return found.order_by("-record_id").values_list("record_id", flat=True)


def hits_by_municipality(kind: str, municipalities, query: Query) -> dict[int, int]:
    """{municipality id: number of records of `kind` the query finds there}, in one grouped
    query (the page's total and each municipality's audit event both come from it)."""
    found = record_ids(kind, municipalities, query)
    column = "municipality_id"
    grouped = found.order_by().values(column).annotate(n=Count("*")).values_list(column, "n")
    return dict(grouped)


# --- Subject terms: hit / no-hit only, as the bronnencheck's first step ----------------------

BSN = re.compile(r"[\d\s.]{8,12}")
KENTEKEN = re.compile(r"[A-Za-z0-9]{1,3}-?[A-Za-z0-9]{1,3}-?[A-Za-z0-9]{1,3}")


def subject_term(value: str) -> tuple[str, dict]:
    """(subject kind, raw data) for a term typed in the box: a BSN, a kenteken, a postcode with
    house number, or else a name."""
    value = value.strip()
    if BSN.fullmatch(value) and sum(c.isdigit() for c in value) in (8, 9):
        return "person", {"bsn": value}
    address = text.POSTCODE.fullmatch(text.fold(value))
    if address and address.group(3):
        return "address", {
            "postcode": address.group(1) + address.group(2),
            "house_number": address.group(3),
            "house_number_addition": address.group(4) or "",
        }
    if (
        KENTEKEN.fullmatch(value)
        and any(c.isdigit() for c in value)
        and any(c.isalpha() for c in value)
        and len(value.replace("-", "")) == 6
    ):
        return "vehicle", {"kenteken": value}
    return "person", {"label": value}


def subject_candidates(value: str) -> list[tuple[str, dict]]:
    """What in a search could name a subject of the register: the whole term (a BSN, a
    postcode with house number, a kenteken or a name), each word, and each pair of adjacent
    words (a first and last name)."""
    words = value.split()
    candidates = [subject_term(value)]
    candidates += [subject_term(w) for w in words]
    candidates += [
        ("person", {"label": f"{a} {b}"}) for a, b in zip(words, words[1:], strict=False)
    ]
    return candidates
