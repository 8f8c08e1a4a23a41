"""Lists in pages of ?pagina=N, with a Dutch message for a page number that is not one.

Django's Paginator.get_page quietly shows page 1 for ?pagina=abc and the last page for
?pagina=-1; Noaber says what was wrong instead, so a person never reads another page than the
one they asked for without knowing it.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import F, Q
from django.utils.translation import gettext as _


class PageError(ValueError):
    """A ?pagina= value that is no page of the list; the message is for the user (Dutch)."""


def page_of(request, items, per_page: int, param: str = "pagina", count: int | None = None) -> Page:
    """The page of `items` asked for by ?pagina= (page 1 without it); raises PageError.
    `count`: the number of items when the caller knows it already (no second COUNT)."""
    paginator = Paginator(items, per_page, allow_empty_first_page=True)
    if count is not None:
        paginator.__dict__["count"] = count  # Paginator.count is a cached_property
    value = request.GET.get(param, "1")
    try:
        return paginator.page(value)
    except PageNotAnInteger:
        raise PageError(_("Vul een paginanummer in als getal vanaf 1.")) from None
    except EmptyPage:
        raise PageError(
            _("Pagina %(n)s bestaat niet: deze lijst heeft %(total)d pagina('s).")
            % {"n": value, "total": paginator.num_pages}
        ) from None


# --- One helper for every list: count line, sorting, filters kept, keyset and offset pages ------
#
#     SORTS = {"datum": Sort("created_at", _("Ontvangen")), "status": Sort("status", _("Status"))}
#     listing = list_page(request, reports, SORTS, default="-datum")
#     return render(request, "…", {"listing": listing}, status=listing.status)
#
# `?sorteer=datum` / `?sorteer=-datum` sorts (ties broken by pk, in the same direction);
# `?na=<cursor>` / `?voor=<cursor>` is the page after / before a row (keyset: fast at any depth);
# `?pagina=N` is page N (OFFSET, over an index that starts with the list's filter and sort key).
# A list that shares its page with another list takes a `prefix` for its parameters.


@dataclass(frozen=True)
class Sort:
    """A sortable column: the ORM path sorted on (never an encrypted or personal field: its
    values travel in the signed cursor) and the column header's label."""

    field: str
    label: str


@dataclass
class Listing:
    """One page of a list, as the templates read it."""

    items: list
    count: int
    start: int  # 0-based position of the first item
    per_page: int
    sort: str  # "datum" or "-datum"
    error: str = ""
    status: int = 200
    links: dict = field(default_factory=dict)  # first, previous, next, last, pages
    columns: dict = field(default_factory=dict)  # key -> {"url", "aria_sort", "label"}
    hidden: list = field(default_factory=list)  # (name, value) to keep in a page-number form
    page_param: str = "pagina"

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    @property
    def number(self) -> int:
        return self.start // self.per_page + 1

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    @property
    def count_line(self) -> str:
        """ "1–50 van 1.083"; "" for an empty list."""
        if not self.items:
            return ""
        return _("%(first)s–%(last)s van %(count)s") % {
            "first": dutch_number(self.start + 1),
            "last": dutch_number(self.start + len(self.items)),
            "count": dutch_number(self.count),
        }


def dutch_number(n: int) -> str:
    """1083 → "1.083" (a dot between thousands, whatever the locale settings)."""
    return f"{n:,}".replace(",", ".")


def page_size() -> int:
    return settings.NOABER_PAGE_SIZE


def list_page(
    request,
    queryset,
    sorts: dict[str, Sort],
    *,
    default: str,
    per_page: int | None = None,
    prefix: str = "",
) -> Listing:
    """The page of `queryset` that the request asks for, sorted by a column of `sorts`.

    A bad ?pagina=, ?sorteer=, ?na= or ?voor= gives page 1 (in the default order when the
    sort was the bad part) with `error` (Dutch: what was wrong and that this is page 1) and
    `status` 400: never a 500, never a silent other page. Views render with that status."""
    per_page = per_page or page_size()
    names = {n: prefix + n for n in ("pagina", "sorteer", "na", "voor")}
    get = request.GET
    errors = []
    sort = get.get(names["sorteer"], default) or default
    if sort.lstrip("-") not in sorts:
        errors.append(
            _("Deze lijst kan niet sorteren op „%(key)s”; kies een van: %(keys)s.")
            % {"key": sort[:40], "keys": ", ".join(str(s.label) for s in sorts.values())}
        )
        sort = default
    sort_error = bool(errors)
    key, descending = sort.lstrip("-"), sort.startswith("-")
    ordered = queryset.order_by(
        *_ordering(
            sorts[key].field, descending, nullable=_nullable(queryset.model, sorts[key].field)
        )
    )
    count = ordered.count()
    salt = f"noaber.paging:{request.path}:{prefix}:{sort}"
    items, start, more_before, more_after = None, 0, False, False
    asked = [n for n in ("na", "voor", "pagina") if get.get(names[n])]
    if errors:
        pass
    elif len(asked) > 1:
        errors.append(_("Vraag één pagina tegelijk: een paginanummer of een vorige/volgende."))
    elif asked and asked[0] in ("na", "voor"):
        try:
            value, pk, position = signing.loads(get[names[asked[0]]], salt=salt)
            value = _load_value(value)
            pk, position = int(pk), int(position)
        except (signing.BadSignature, ValueError, TypeError):
            errors.append(
                _("Deze link naar een vorige of volgende pagina is ongeldig of verouderd.")
            )
        else:
            field_name = sorts[key].field
            if asked[0] == "na":
                nullable = _nullable(queryset.model, field_name)
                after = ordered.filter(_after(field_name, descending, value, pk, nullable))
                rows = list(after[: per_page + 1])
                if rows:
                    items, start = rows[:per_page], position + 1
                    more_before, more_after = True, len(rows) > per_page
            else:
                nullable = _nullable(queryset.model, field_name)
                back = queryset.order_by(
                    *_ordering(field_name, descending, True, nullable=nullable)
                )
                before = back.filter(_before(field_name, descending, value, pk, nullable))
                rows = list(before[: per_page + 1])
                if len(rows) > per_page:  # else the page before is the first page
                    items = rows[:per_page][::-1]
                    more_before, more_after = True, True
                    start = max(1, position - per_page)
    elif asked:
        raw = get[names["pagina"]].strip()
        number = int(raw) if re.fullmatch(r"-?[0-9]{1,11}", raw) else None
        pages = max(1, -(-count // per_page))
        if number is None:
            errors.append(_("Vul een paginanummer in als getal vanaf 1."))
        elif not 1 <= number <= pages:
            errors.append(
                _("Pagina %(n)s bestaat niet: deze lijst heeft %(total)s pagina('s).")
                % {"n": number, "total": dutch_number(pages)}
            )
        else:
            start = (number - 1) * per_page
    if errors:  # page 1, in the asked order if that is one of the list's, else the default
        start, items = 0, None
    if items is None:
        items = _offset_page(ordered, start, per_page)
        more_before, more_after = start > 0, start + len(items) < count
    listing = Listing(items, count, start, per_page, sort, page_param=names["pagina"])
    if errors:
        then = _("U ziet pagina 1 in de standaardvolgorde.") if sort_error else None
        then = then or _("U ziet pagina 1.")
        listing.error = " ".join([*(str(e) for e in errors), str(then)])
        listing.status = 400
    _links(listing, request, sorts, names, salt, more_before, more_after)
    return listing


def _ordering(field_name: str, descending: bool, reverse: bool = False, *, nullable=True) -> list:
    """Sort key then pk, the same direction; empty values (NULL) last. `reverse` gives the
    exact reverse order (empty values first), for walking back from a cursor. A column that
    cannot be empty gets a plain ORDER BY, which an ordinary index serves both ways."""
    desc = descending != reverse
    if not nullable:
        return [
            F(field_name).desc() if desc else F(field_name).asc(),
            F("pk").desc() if desc else F("pk").asc(),
        ]
    nulls = {"nulls_first": True} if reverse else {"nulls_last": True}
    if desc:
        return [F(field_name).desc(**nulls), F("pk").desc()]
    return [F(field_name).asc(**nulls), F("pk").asc()]


def _nullable(model, path: str) -> bool:
    """Whether `path` (e.g. "area__name") can be NULL on a row of `model`."""
    for part in path.split("__"):
        if part == "pk":
            return False
        try:
            found = model._meta.get_field(part)
        except FieldDoesNotExist:  # an annotation: no way to know
            return True
        if found.null:
            return True
        if found.is_relation:
            model = found.related_model
    return False


def _after(field_name: str, descending: bool, value, pk, nullable: bool) -> Q:
    """Rows after (value, pk) in `_ordering(field_name, descending)`. For a column that cannot
    be empty the condition starts with a range on the column (`<= value`), which the list's
    index (filter, column, pk) turns into a seek: the page after row 100,000 reads 51 rows."""
    op = "lt" if descending else "gt"
    if value is None:
        return Q(**{f"{field_name}__isnull": True, f"pk__{op}": pk})
    tie = Q(**{f"{field_name}__{op}": value}) | Q(**{f"pk__{op}": pk})
    if not nullable:
        return Q(**{f"{field_name}__{op}e": value}) & tie
    return (Q(**{f"{field_name}__{op}e": value}) & tie) | Q(**{f"{field_name}__isnull": True})


def _before(field_name: str, descending: bool, value, pk, nullable: bool) -> Q:
    """Rows before (value, pk) in `_ordering(field_name, descending)`."""
    op = "gt" if descending else "lt"
    if value is None:
        return Q(**{f"{field_name}__isnull": False}) | Q(
            **{f"{field_name}__isnull": True, f"pk__{op}": pk}
        )
    tie = Q(**{f"{field_name}__{op}": value}) | Q(**{f"pk__{op}": pk})
    return Q(**{f"{field_name}__{op}e": value}) & tie


def _offset_page(ordered, start: int, per_page: int) -> list:
    """Rows start..start+per_page: the OFFSET walks only the primary keys (an index-only scan
    over the list's index), then the page's rows are fetched by key."""
    if start == 0:
        return list(ordered[:per_page])
    keys = list(ordered.values_list("pk", flat=True)[start : start + per_page])
    return list(ordered.filter(pk__in=keys))


def _dump_value(value):
    if isinstance(value, datetime):
        return ["dt", value.isoformat()]
    if isinstance(value, date):
        return ["d", value.isoformat()]
    if isinstance(value, Decimal):
        return ["dec", str(value)]
    return ["v", value]


def _load_value(dumped):
    kind, value = dumped
    if kind == "dt":
        return datetime.fromisoformat(value)
    if kind == "d":
        return date.fromisoformat(value)
    if kind == "dec":
        return Decimal(value)
    if kind != "v" or not (value is None or isinstance(value, (str, int, float, bool))):
        raise ValueError("not a cursor value")
    return value


def _value_of(item, field_name: str):
    value = item
    for part in field_name.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    if hasattr(value, "pk"):  # a foreign key sorted by its id
        value = value.pk
    return value


def _cursor(item, field_name: str, position: int, salt: str) -> str:
    value = _dump_value(_value_of(item, field_name))
    return signing.dumps([value, item.pk, position], salt=salt, compress=True)


def _links(listing, request, sorts, names, salt, more_before, more_after) -> None:
    own = set(names.values())
    kept = [(k, v) for k, values in request.GET.lists() if k not in own for v in values]
    sort_kept = kept + ([(names["sorteer"], listing.sort)] if listing.sort else [])

    def url(extra):
        return "?" + urlencode(sort_kept + extra)

    field_name = sorts[listing.sort.lstrip("-")].field
    links = {}
    if listing.items and more_before:
        first = _cursor(listing.items[0], field_name, listing.start, salt)
        links["previous"] = url([(names["voor"], first)])
        links["first"] = url([])
    if listing.items and more_after:
        last = _cursor(listing.items[-1], field_name, listing.start + len(listing) - 1, salt)
        links["next"] = url([(names["na"], last)])
        links["last"] = url([(names["pagina"], listing.num_pages)])
    current, total = listing.number, listing.num_pages
    window = sorted({1, total, *range(max(1, current - 2), min(total, current + 2) + 1)})
    links["pages"] = [
        {"number": n, "label": dutch_number(n), "url": url([(names["pagina"], n)] if n > 1 else []),
         "current": n == current and listing.start % listing.per_page == 0,
         "gap": i > 0 and n - window[i - 1] > 1}
        for i, n in enumerate(window)
    ]  # fmt: skip
    listing.links = links
    listing.hidden = sort_kept
    for key, column in sorts.items():
        now = listing.sort.lstrip("-") == key
        descending = listing.sort.startswith("-")
        # A click sorts this column ascending, or flips it when it is the current one.
        target = ("" if descending else "-") + key if now else key
        listing.columns[key] = {
            "label": column.label,
            "url": "?" + urlencode(kept + [(names["sorteer"], target)]),
            "aria_sort": ("descending" if descending else "ascending") if now else "none",
            "current": now,
        }
