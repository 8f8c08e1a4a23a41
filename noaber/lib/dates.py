"""Today's date for pages that start "where the user is" (the current year of a dashboard, the
last completed year of a report).

Normally the local date in the site's time zone. settings.NOABER_TODAY (a date; from the
environment variable of the same name) fixes it: tests run as if it were a given day, and a
demo can be shown as it looked on that day.
"""

from datetime import date

from django.conf import settings
from django.utils import timezone


def today() -> date:
    return getattr(settings, "NOABER_TODAY", None) or timezone.localdate()
