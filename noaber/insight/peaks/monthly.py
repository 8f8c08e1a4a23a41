"""The method on monthly counts: the police's monthly figures (47022NED), 12 periods a year.

The same function as for weeks (:func:`noaber.insight.peaks.detect`) with the ``MONTHLY``
parameters, which are R surveillance's ``farringtonFlexible(noufaily = TRUE)`` on
``sts(..., frequency = 12)`` with ``b = 5, w = 1, noPeriods = 4, pastWeeksNotIncluded = 6,
limit54 = c(5, 1)``. :func:`detect_monthly` checks what only a monthly series can get wrong
(a month that has not happened yet, months out of order, weekly parameters) and names the month
in every refusal. See docs/peaks.md, "Monthly police figures".

    from noaber.insight.peaks import MONTHLY, detect_monthly
    result = detect_monthly([12, 9, None, 14, ...], months=[(2020, 1), (2020, 2), ...])
"""

import datetime
from collections.abc import Sequence

from .core import CountError, Params, Result, validate_counts
from .method import detect

MONTHS_PER_YEAR = 12

# One month is about four weeks, so the weekly settings translate as: the window of +-3 weeks
# becomes +-1 month (3 months), the 9 blocks of 5 weeks between the windows become 3 blocks of
# 3 months, the 26 weeks left out become 6 months, "5 reports in the last 4 weeks" becomes
# "5 reports in the judged month". One look: a month already sums the weeks an outbreak spreads
# over (the two-week look of the weekly method is for that). The fallback judges quarters.
MONTHLY = Params(
    years_back=5,
    window=1,
    levels=4,
    exclude_recent=6,
    alpha=0.01,
    min_count=5,
    min_count_weeks=1,
    min_years=2,
    min_baseline_weeks=12,
    sparse_mean=0.5,
    fallback_block=3,
    fallback_min_baseline=8,
    spans=(1,),
    weeks_per_year=MONTHS_PER_YEAR,
)


class MonthlyParamsError(ValueError):
    """Parameters that cannot judge a monthly series: ``name`` is the parameter, ``value`` what
    it was, ``code`` why ("weekly": parameters for weeks; "range": out of range for months)."""

    def __init__(self, message: str, *, name: str, value, code: str):
        super().__init__(message)
        self.name, self.value, self.code = name, value, code


class MonthError(ValueError):
    """A month that cannot be judged: ``position`` in the series, ``month`` as given, ``code``
    why: "future" (after today's month), "order" (does not follow the month before it) or
    "invalid" (not a (year, month 1-12))."""

    def __init__(self, message: str, position: int, month, code: str):
        super().__init__(message)
        self.position, self.month, self.code = position, month, code


class MonthCountError(CountError):
    """A count that is no count, in a monthly series: CountError with the month named."""

    def __init__(self, message: str, position: int, value, month: tuple[int, int]):
        super().__init__(message, position, value)
        self.month = month


def month_label(month: tuple[int, int]) -> str:
    """(2026, 11) -> "2026-11"."""
    return f"{month[0]}-{month[1]:02d}"


def check_monthly_params(params: Params) -> Params:
    """``params`` if they can judge months; MonthlyParamsError naming the parameter if not."""
    if not isinstance(params, Params):
        raise TypeError("params must be a Params (e.g. peaks.MONTHLY)")
    if params.weeks_per_year != MONTHS_PER_YEAR:
        raise MonthlyParamsError(
            f"weekly parameters for a monthly series: Params.weeks_per_year is "
            f"{params.weeks_per_year}, a monthly series has {MONTHS_PER_YEAR} periods a year "
            f"(use peaks.MONTHLY)",
            name="weeks_per_year",
            value=params.weeks_per_year,
            code="weekly",
        )
    # The newest window (one year back) must stay in the baseline.
    most = MONTHS_PER_YEAR - params.window - 1
    if params.exclude_recent > most:
        raise MonthlyParamsError(
            f"Params.exclude_recent is {params.exclude_recent}: leaving out more than {most} "
            f"months leaves the window of a year ago out of the baseline",
            name="exclude_recent",
            value=params.exclude_recent,
            code="range",
        )
    return params


def _check_months(months: Sequence, n: int, today: datetime.date | None) -> list[tuple[int, int]]:
    if len(months) != n:
        raise ValueError(f"months has {len(months)} entries, counts has {n}")
    checked = []
    for i, month in enumerate(months):
        try:
            year, number = month
            valid = all(isinstance(v, int) and not isinstance(v, bool) for v in (year, number))
        except (TypeError, ValueError):
            valid = False
        if not valid or not 1 <= number <= 12:
            raise MonthError(
                f"months at position {i} is {month!r}, not (year, month 1-12)", i, month, "invalid"
            )
        if checked:
            py, pm = checked[-1]
            if (year, number) != ((py, pm + 1) if pm < 12 else (py + 1, 1)):
                raise MonthError(
                    f"month {year}-{number:02d} at position {i} does not follow "
                    f"{month_label(checked[-1])}: give every month, None for one without data",
                    i,
                    (year, number),
                    "order",
                )
        checked.append((year, number))
    if today is not None:
        for i, month in enumerate(checked):
            if month > (today.year, today.month):
                raise MonthError(
                    f"month {month_label(month)} at position {i} is in the future "
                    f"(today is {today.isoformat()})",
                    i,
                    month,
                    "future",
                )
    return checked


def detect_monthly(
    counts: Sequence[int | None],
    *,
    months: Sequence[tuple[int, int]] | None = None,
    params: Params = MONTHLY,
    today: datetime.date | None = None,
) -> Result:
    """Judge the last month of a series of monthly counts (oldest first, every month).

    ``None`` is a month without data: absent from the import or suppressed by the police
    (``null``); left out of the fit, never read as zero. ``months`` ((year, month), one per
    count, consecutive) names the months in refusals; with ``today`` a month after today's month
    is refused. A negative or non-whole count raises MonthCountError (a CountError) naming the
    month; parameters that are not monthly raise MonthlyParamsError naming the parameter.
    """
    check_monthly_params(params)
    checked = None if months is None else _check_months(months, len(counts), today)
    try:
        validate_counts(counts)
    except CountError as error:
        if checked is None:
            raise
        month = checked[error.position]
        raise MonthCountError(
            f"count for month {month_label(month)} (position {error.position}) is "
            f"{error.value!r}, not a count of reports (a whole number, 0 or more)",
            error.position,
            error.value,
            month,
        ) from error
    return detect(counts, params=params)
