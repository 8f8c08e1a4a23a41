"""Template filters of the page layout: `{% load noaber_ui %}`."""

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def moment(value):
    """A Dutch date with the time where time matters (statuses, messages, audit), in the
    user's time zone: "3 november 2026 om 14:05". A plain date gives "3 november 2026"."""
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return _("%(day)s om %(time)s") % {
            "day": date_format(local, "j F Y"),
            "time": date_format(local, "H:i"),
        }
    if isinstance(value, date):
        return date_format(value, "j F Y")
    return "" if value is None else value


@register.filter
def overdue(value) -> bool:
    """Whether a streefdatum (a date) lies before today (noaber.lib.dates.today)."""
    from noaber.lib.dates import today

    return value is not None and value < today()
