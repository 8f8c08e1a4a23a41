"""Lists in pages of ?pagina=N, with a Dutch message for a page number that is not one.

Django's Paginator.get_page quietly shows page 1 for ?pagina=abc and the last page for
?pagina=-1; Noaber says what was wrong instead, so a person never reads another page than the
one they asked for without knowing it.
"""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.translation import gettext as _


class PageError(ValueError):
    """A ?pagina= value that is no page of the list; the message is for the user (Dutch)."""


def page_of(request, items, per_page: int, param: str = "pagina") -> Page:
    """The page of `items` asked for by ?pagina= (page 1 without it); raises PageError."""
    paginator = Paginator(items, per_page, allow_empty_first_page=True)
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
