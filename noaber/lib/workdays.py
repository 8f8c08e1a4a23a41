"""Working days: Monday to Friday, minus the holidays a caller passes in (the calendar itself
is data, see noaber.themes.terms). Pure functions, no database."""

from collections.abc import Container
from datetime import date, timedelta

# A handling term longer than this many working days (more than a year) is refused as absurd.
MAX_TERM = 365


def is_working_day(day: date, holidays: Container[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: Container[date]) -> date:
    """The date `days` working days after `start` (the start itself does not count: a report
    received on Friday with a term of 1 working day is due on Monday)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    day, left = start, days
    while left:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            left -= 1
    return day


def easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm, also known
    as Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the algorithm's own name
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def dutch_public_holidays(year: int, *, good_friday: bool = False) -> list[tuple[date, str]]:
    """The Dutch public holidays of `year` as (date, name), what the seed stores as data: the
    "algemeen erkende feestdagen" of the Algemene termijnenwet (art. 3), which counts 5 May
    every year, with both days of Easter, Pentecost and Christmas. Koningsdag is 27 April, or
    26 April when the 27th is a Sunday. Goede Vrijdag is no such day; `good_friday` adds it
    (decision 0012)."""
    easter = easter_sunday(year)
    kings = date(year, 4, 27)
    if kings.weekday() == 6:
        kings = date(year, 4, 26)
    days = [
        (date(year, 1, 1), "Nieuwjaarsdag"),
        (easter - timedelta(days=2), "Goede Vrijdag"),
        (easter, "Eerste paasdag"),
        (easter + timedelta(days=1), "Tweede paasdag"),
        (kings, "Koningsdag"),
        (date(year, 5, 5), "Bevrijdingsdag"),
        (easter + timedelta(days=39), "Hemelvaartsdag"),
        (easter + timedelta(days=49), "Eerste pinksterdag"),
        (easter + timedelta(days=50), "Tweede pinksterdag"),
        (date(year, 12, 25), "Eerste kerstdag"),
        (date(year, 12, 26), "Tweede kerstdag"),
    ]
    if not good_friday:
        days = [d for d in days if d[1] != "Goede Vrijdag"]
    return sorted(days)
