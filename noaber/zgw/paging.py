"""The standard's query filters and pages, shared by every ZGW list: a bad value is a 400
ValidatieFout naming the parameter; an unknown parameter is ignored (as DRF's filter backends
do); lists page by 100 with `count`, `next`, `previous` and `results`."""

import math
import re
from collections.abc import Callable
from datetime import date
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from .errors import invalid

PAGE_SIZE = 100


class Filters:
    """Filters read from the query string, or from a `_zoek` body (where a list is a JSON
    array instead of a comma-separated value)."""

    def __init__(self, params, *, body: bool = False):
        self.params, self.body, self.errors = params, body, []

    def _get(self, name: str):
        value = self.params.get(name)
        if self.body and value is not None and not isinstance(value, str | bool | int | list):
            self.errors.append((name, "invalid", _("Deze waarde heeft een verkeerd type.")))
            return None
        return value

    def text(self, name: str) -> str | None:
        value = self._get(name)
        if value is not None and (not isinstance(value, str) or "\x00" in value):
            self.errors.append((name, "invalid", _("Geef een tekst.")))
            return None
        return value

    def texts(self, name: str) -> list[str] | None:
        """A `__in` filter: a comma-separated value, or a JSON array in a `_zoek` body."""
        value = self._get(name)
        if value is None:
            return None
        if isinstance(value, str) and not self.body and "\x00" not in value:
            return [v for v in value.split(",") if v]
        if isinstance(value, list) and all(isinstance(v, str) and "\x00" not in v for v in value):
            return value
        self.errors.append((name, "invalid", _("Geef een lijst van teksten.")))
        return None

    def url(self, name: str) -> str | None:
        value = self.text(name)
        if value is not None and not value.startswith(("http://", "https://")):
            self.errors.append((name, "invalid", _("Voer een geldige URL in.")))
            return None
        return value

    def urls(self, name: str) -> list[str] | None:
        values = self.texts(name)
        if values is not None and not all(v.startswith(("http://", "https://")) for v in values):
            self.errors.append((name, "invalid", _("Voer geldige URL's in.")))
            return None
        return values

    def choice(self, name: str, choices) -> str | None:
        value = self.text(name)
        if value is not None and value not in choices:
            self.errors.append(
                (name, "invalid_choice", _("Kies een van: %(c)s.") % {"c": ", ".join(choices)})
            )
            return None
        return value

    def choices(self, name: str, choices) -> list[str] | None:
        values = self.texts(name)
        if values is not None and any(v not in choices for v in values):
            self.errors.append(
                (name, "invalid_choice", _("Kies uit: %(c)s.") % {"c": ", ".join(choices)})
            )
            return None
        return values

    def day(self, name: str) -> date | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            day = date.fromisoformat(value)
        except ValueError:
            self.errors.append((name, "invalid", _("Geef een datum als JJJJ-MM-DD.")))
            return None
        if not 1000 <= day.year <= 9998:
            self.errors.append((name, "invalid", _("Geef een datum tussen 1000 en 9998.")))
            return None
        return day

    def boolean(self, name: str) -> bool | None:
        value = self._get(name)
        if value is None or isinstance(value, bool):
            return value
        if value in ("true", "True", "1"):
            return True
        if value in ("false", "False", "0"):
            return False
        self.errors.append((name, "invalid", _("Geef true of false.")))
        return None

    def absent(self, name: str, *, max_length: int | None = None, url: bool = False) -> bool:
        """A filter of the standard on data Noaber does not hold: checked as the document
        types it (a 400 otherwise); True when given, and then nothing matches it."""
        value = self.url(name) if url else self.text(name)
        if value is None:
            return False
        if max_length is not None and len(value) > max_length:
            self.errors.append(
                (name, "max_length", _("Hoogstens %(n)d tekens.") % {"n": max_length})
            )
            return False
        return True

    def check(self) -> None:
        if self.errors:
            raise invalid(self.errors)


def page_number(request) -> int:
    raw = request.query_params.get("page")
    if raw is None:
        return 1
    if not re.fullmatch(r"[0-9]{1,9}", raw) or int(raw) < 1:
        raise invalid([("page", "invalid", _("Een paginanummer is een geheel getal vanaf 1."))])
    return int(raw)


def page_of(request, count: int, fetch: Callable[[int, int], list]) -> dict:
    """One page of a list of `count` objects; `fetch(offset, limit)` returns its objects."""
    page = page_number(request)
    pages = max(1, math.ceil(count / PAGE_SIZE))
    if page > pages:
        # The standard's lists document no 404: a page past the end is a bad page number.
        raise invalid(
            [
                (
                    "page",
                    "invalid",
                    _("Deze pagina bestaat niet; er zijn %(n)d pagina's.") % {"n": pages},
                )
            ]
        )

    def link(number):
        query = request.query_params.copy()
        query["page"] = str(number)
        return request.build_absolute_uri(f"{request.path}?{urlencode(query, doseq=True)}")

    return {
        "count": count,
        "next": link(page + 1) if page < pages else None,
        "previous": link(page - 1) if page > 1 else None,
        "results": fetch((page - 1) * PAGE_SIZE, PAGE_SIZE),
    }


def paged(request, items: list) -> dict:
    """One page of a list already in memory."""
    return page_of(request, len(items), lambda offset, limit: items[offset : offset + limit])
