"""Parameters, result, input validation and the small pieces shared by the Farrington method
and its fallback: Anscombe residuals, the outbreak down-weighting, the negative-binomial
threshold, the exceedance score and the minimum-count rule. See docs/peaks.md."""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from .glm import ENGINES, check_engine

FARRINGTON = "farrington"
FALLBACK = "fallback"
DECLINED = "declined"

# Why a series fell back or was declined, and remarks on a judgement: the codes of Note. The
# English below is for developers and logs; people read the Dutch of noaber/insight/peak_text.py.
TOO_SHORT = "too_short"  # weeks, needed: fewer than min_years years back
FEW_BASELINE_WEEKS = "few_baseline_weeks"  # weeks, needed: fewer than min_baseline_weeks
SPARSE = "sparse"  # mean, needed: baseline mean below sparse_mean a week
NO_WINDOW_DATA = "no_window_data"  # no data around the same week in earlier years
YEARS_BACK = "years_back"  # years, wanted: fewer than years_back years of history
NO_DATA = "no_data"  # the judged week has no data
MIN_COUNT = "min_count"  # total, weeks, needed: an alarm held back by the minimum-count rule
RECENT_IN_BASELINE = "recent_in_baseline"  # the fallback's baseline includes recent weeks
FALLBACK_DECLINED = "fallback_declined"  # weeks, needed: too little even for the fallback

_ENGLISH = {
    TOO_SHORT: "series too short: {weeks} weeks, needs {needed}",
    FEW_BASELINE_WEEKS: "too few baseline weeks with data: {weeks}, needs {needed}",
    SPARSE: "sparse series: baseline mean {mean:.2f} a week, below {needed}",
    NO_WINDOW_DATA: "no data in the windows around this week in earlier years",
    YEARS_BACK: "{years} of {wanted} years back available",
    NO_DATA: "no data for the judged week",
    MIN_COUNT: "minimum-count rule: {total} reports in the last {weeks} weeks, needs {needed}",
    RECENT_IN_BASELINE: "baseline includes the recent weeks (history too short to leave them out)",
    FALLBACK_DECLINED: "fallback declined: {weeks} baseline weeks with data, needs {needed}",
}
NOTE_CODES = tuple(_ENGLISH)


@dataclass(frozen=True)
class Note:
    """One remark on a judgement, machine-readable: a code (above) and its numbers.

    ``Note.of(TOO_SHORT, weeks=80, needed=108)``; ``note.data`` is ``{"code": ..., **values}``
    (what an alert stores), ``str(note)`` the English for developers and logs.
    """

    code: str
    values: tuple[tuple[str, int | float], ...] = ()

    @classmethod
    def of(cls, code: str, **values: int | float) -> "Note":
        if code not in _ENGLISH:
            raise ValueError(f"unknown note code {code!r}")
        return cls(code, tuple(sorted(values.items())))

    @property
    def data(self) -> dict:
        return {"code": self.code, **dict(self.values)}

    def __str__(self) -> str:
        return _ENGLISH[self.code].format(**dict(self.values))


THRESHOLDS = ("predictive", "plugin")
# Gauss-Hermite nodes and weights (probabilists', weights summing to 1) for the predictive
# threshold's mixture over the log mean: three nodes (0 and +-sqrt 3) give the same figures on
# the benchmark's series as five or nine, and the integral's quantile within 5 % of alpha
# where the standard error is modest (tests/test_peak_threshold.py).
_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(3)
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()


@dataclass(frozen=True)
class Params:
    """Parameters of the detection; the defaults follow R surveillance's
    ``farringtonFlexible(noufaily = TRUE)`` with ``alpha = 0.01`` and 26 weeks left out."""

    years_back: int = 5  # b: years of history in the baseline
    window: int = 3  # w: half-width of the window around the same week in earlier years
    levels: int = 10  # levels of the seasonal factor (the window is one, the rest split in 9)
    exclude_recent: int = 26  # weeks before the judged week left out of the baseline
    alpha: float = 0.01  # one-sided level of the negative-binomial threshold
    reweight: bool = True  # down-weight past outbreaks by Anscombe residuals
    reweight_threshold: float = 2.58  # residuals above this get weight s^-2
    trend: bool = True  # try a linear time trend
    trend_p: float = 0.05  # keep the trend only if its p-value is below this ...
    trend_min_years: int = 3  # ... and at least this many years are in the baseline ...
    # ... and the prediction does not exceed the largest baseline count (no extrapolation)
    min_count: int = 5  # an alarm needs at least this many reports ...
    min_count_weeks: int = 4  # ... in this many weeks up to and including the judged one
    min_years: int = 2  # fewer years back than this: the fallback
    min_baseline_weeks: int = 52  # fewer baseline weeks with data than this: the fallback
    sparse_mean: float = 0.2  # baseline mean below this many reports a week: the fallback
    fallback_block: int = 4  # the fallback judges sums over blocks of this many weeks
    fallback_min_baseline: int = 8  # fewer baseline weeks with data: declined
    # Farrington looks: the sum of the last s weeks for each s here is judged against its own
    # threshold; each s at most window + 1. alpha is split over the looks (weighted
    # Bonferroni): the shortest look gets first_look_share of it when there are longer looks,
    # which share the rest equally; a single look gets all of alpha.
    spans: tuple[int, ...] = (1, 2)
    first_look_share: float = 0.25
    # "predictive": the negative-binomial threshold mixed over the uncertainty of the fitted
    # mean (log mean normal with the GLM's standard error; Farrington et al. 1996 include the
    # variance of the prediction too); "plugin": the fitted mean taken as known (R's nbPlugin)
    threshold: str = "predictive"
    weeks_per_year: int = 52
    # GLM engine: "numpy" (fast IRLS) or "statsmodels" (the reference; a development
    # dependency, refused with a ValueError where it is not installed)
    engine: str = "numpy"

    def __post_init__(self):
        positive = (
            "years_back",
            "levels",
            "min_count_weeks",
            "min_years",
            "fallback_block",
            "fallback_min_baseline",
            "weeks_per_year",
            "trend_min_years",
        )
        for name in positive:
            if getattr(self, name) < 1:
                raise ValueError(f"Params.{name} must be at least 1")
        for name in ("window", "exclude_recent", "min_count", "min_baseline_weeks"):
            if getattr(self, name) < 0:
                raise ValueError(f"Params.{name} must not be negative")
        if not 0 < self.alpha < 0.5:
            # A threshold at or below the median is no threshold: every other week would alarm.
            raise ValueError("Params.alpha must lie strictly between 0 and 0.5 (0.01 is usual)")
        if not 0 < self.trend_p < 1:
            raise ValueError("Params.trend_p must lie strictly between 0 and 1")
        if self.levels > 1 and 2 * self.window + 1 + (self.levels - 1) > self.weeks_per_year:
            raise ValueError("Params: the window and the other levels do not fit in a year")
        spans = self.spans
        if (
            not isinstance(spans, tuple)
            or not spans
            or any(isinstance(s, bool) or not isinstance(s, int) for s in spans)
            or list(spans) != sorted(set(spans))
            or spans[0] < 1
            or spans[-1] > self.window + 1
        ):
            raise ValueError(
                "Params.spans must be a non-empty increasing tuple of whole numbers from 1 to"
                " window + 1"
            )
        share = self.first_look_share
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share < 1:
            raise ValueError("Params.first_look_share must lie strictly between 0 and 1")
        if self.threshold not in THRESHOLDS:
            raise ValueError("Params.threshold must be 'predictive' or 'plugin'")
        if self.engine not in ENGINES:
            raise ValueError("Params.engine must be 'numpy' or 'statsmodels'")
        check_engine(self.engine)


@dataclass(frozen=True)
class Result:
    """The judgement of one week.

    ``observed`` is what was compared with ``upper``: the sum of the last ``span_weeks`` weeks
    (for the Farrington method the look of ``Params.spans`` with the highest score, 1 week by
    default; for the fallback a block), None if the judged week has no data. ``expected`` is
    the baseline mean of that quantity, ``upper`` the threshold (an alarm needs observed >
    upper), ``score`` the exceedance (observed - expected) / (upper - expected), above 1
    exactly when observed > upper. ``notes`` say why the fallback was used or the series
    declined, and what else a reader should know (codes with their numbers, see Note);
    ``reason`` is the same in English, for developers.
    """

    index: int
    observed: int | None
    expected: float | None
    upper: float | None
    score: float | None
    alarm: bool
    method: str
    notes: tuple[Note, ...]
    phi: float | None
    trend_used: bool
    years_back_used: int
    baseline_weeks: int
    span_weeks: int
    params: Params

    @property
    def reason(self) -> str:
        return "; ".join(str(note) for note in self.notes)


class CountError(ValueError):
    """A count that is not a count of reports: ``position`` in the series, ``value`` as given."""

    def __init__(self, message: str, position: int, value):
        super().__init__(message)
        self.position, self.value = position, value


def validate_counts(counts: Sequence) -> np.ndarray:
    """The counts as floats with NaN for missing weeks; ValueError naming the first bad one."""
    if isinstance(counts, str | bytes) or not hasattr(counts, "__len__"):
        raise ValueError("counts must be a sequence of weekly counts (int or None)")
    if isinstance(counts, np.ndarray):
        return _validate_array(counts)
    values = np.empty(len(counts), dtype=float)
    for i, c in enumerate(counts):
        if c is None:
            values[i] = np.nan
            continue
        if isinstance(c, bool | np.bool_):
            raise CountError(f"count at position {i} is a boolean ({c!r}), not a count", i, c)
        if isinstance(c, int | np.integer):
            v = int(c)
        elif isinstance(c, float | np.floating):
            if math.isnan(c):
                raise CountError(
                    f"count at position {i} is NaN; use None for a week without data", i, c
                )
            if math.isinf(c) or c != math.floor(c):
                raise CountError(f"count at position {i} is {c!r}, not a whole number", i, c)
            v = int(c)
        else:
            raise CountError(
                f"count at position {i} is {c!r} ({type(c).__name__}), not a whole number", i, c
            )
        if v < 0:
            raise CountError(f"count at position {i} is negative ({v})", i, c)
        values[i] = v
    return values


def _validate_array(counts: np.ndarray) -> np.ndarray:
    if counts.ndim != 1:
        raise ValueError("counts must be one-dimensional")
    if counts.dtype == object:
        return validate_counts(counts.tolist())
    if counts.dtype.kind == "b" or counts.dtype.kind not in "iuf":
        raise ValueError(f"counts of dtype {counts.dtype} are not whole numbers")
    values = counts.astype(float)
    for bad, message in (
        (np.isnan(values), "is NaN; use None for a week without data"),
        (~np.isfinite(values) | (values != np.floor(values)), "is not a whole number"),
        (values < 0, "is negative"),
    ):
        if bad.any():
            i = int(np.argmax(bad))
            raise CountError(f"count at position {i} ({counts[i]!r}) {message}", i, counts[i])
    return values


def validate_weeks(week_of_year: Sequence[int] | None, n: int) -> np.ndarray | None:
    if week_of_year is None:
        return None
    if len(week_of_year) != n:
        raise ValueError(f"week_of_year has {len(week_of_year)} entries, counts has {n}")
    weeks = np.empty(n, dtype=int)
    for i, week in enumerate(week_of_year):
        if isinstance(week, bool) or not isinstance(week, int | np.integer) or not 1 <= week <= 53:
            raise ValueError(f"week_of_year at position {i} is {week!r}, not a week 1-53")
        weeks[i] = week
    return weeks


def anscombe_residuals(
    y: np.ndarray, mu: np.ndarray, phi: float, hat: np.ndarray | None = None
) -> np.ndarray:
    """Standardised Anscombe residuals of a quasi-Poisson fit (R surveillance's
    ``anscombe.residuals``): 3/2 (y^(2/3) - mu^(2/3)) / (mu^(1/6) sqrt(phi (1 - h)))."""
    y = np.asarray(y, dtype=float)
    mu = np.asarray(mu, dtype=float)
    h = np.zeros_like(mu) if hat is None else np.minimum(np.asarray(hat, dtype=float), 1 - 1e-10)
    return 1.5 * (y ** (2 / 3) - mu ** (2 / 3)) / (mu ** (1 / 6) * np.sqrt(phi * (1 - h)))


def reweighting_weights(s: np.ndarray, threshold: float = 2.58) -> np.ndarray:
    """Weights s^-2 for residuals above the threshold, 1 otherwise, scaled to sum to n."""
    s = np.asarray(s, dtype=float)
    raw = np.ones_like(s)
    high = s > threshold
    raw[high] = s[high] ** -2.0
    return raw * (len(s) / raw.sum())


def look_alphas(params: Params) -> tuple[float, ...]:
    """The level of each look of ``params.spans``: all of alpha for a single look; otherwise
    ``first_look_share`` of it for the shortest and the rest in equal parts for the others."""
    spans, alpha = params.spans, params.alpha
    if len(spans) == 1:
        return (alpha,)
    rest = alpha * (1 - params.first_look_share) / (len(spans) - 1)
    return (alpha * params.first_look_share,) + (rest,) * (len(spans) - 1)


def _sf(k: np.ndarray, mu: np.ndarray, phi: float) -> np.ndarray:
    """P(Y > k) (rows: the whole numbers k >= 0; columns: the means mu) for negative
    binomials with variance phi * mu (Poisson if phi is 1): the regularized incomplete beta
    I_(1-p)(k + 1, size), or the Poisson pdtrc."""
    k = np.asarray(k, dtype=float)[:, None]
    if phi <= 1 + 1e-9:
        return special.pdtrc(k, mu[None, :])
    return special.betainc(k + 1, (mu / (phi - 1))[None, :], 1 - 1 / phi)


def nb_threshold(mu: float, phi: float, alpha: float, log_sd: float = 0.0) -> float:
    """The (1 - alpha) quantile of a negative binomial with mean mu and variance phi * mu
    (size mu / (phi - 1)); Poisson if phi is 1. Zero if mu is zero.

    With ``log_sd`` > 0, the predictive quantile: the smallest whole u with P(Y > u) <= alpha
    where Y is that negative binomial mixed over a mean exp(log mu + log_sd Z), Z standard
    normal (the fitted mean's sampling distribution on the log scale, by three-node
    Gauss-Hermite quadrature). It grows with log_sd and is the plug-in quantile at log_sd 0.
    """
    plugin = _nb_quantile(mu, phi, alpha)
    if not mu > 0 or not log_sd > 0:
        return plugin
    if not math.isfinite(log_sd):
        raise ValueError("log_sd must be finite")
    means = mu * np.exp(log_sd * _NODES)

    def tail(k: float) -> float:
        return float(np.dot(_WEIGHTS, _sf(np.array([k]), means, phi)[0]))

    # The answer is usually the plug-in quantile or one or two above it: those three
    # candidates in one call; otherwise walk down, or bisect above them below the quantile of
    # the largest mean (where every component's tail, and so the mixture's, is at most alpha).
    candidates = plugin + np.arange(3.0)
    tails = _sf(candidates, means, phi) @ _WEIGHTS
    if tails[0] <= alpha:
        u = plugin
        while u > 0 and tail(u - 1) <= alpha:
            u -= 1
        return float(u)
    below = np.flatnonzero(tails <= alpha)
    if len(below):
        return float(candidates[below[0]])
    u = float(candidates[-1])
    low, high = u, max(_nb_quantile(float(means[-1]), phi, alpha), u + 1)
    while high - low > 1:  # tail(low) > alpha >= tail(high)
        mid = (low + high) // 2
        low, high = (mid, high) if tail(mid) > alpha else (low, mid)
    return float(high)


def _nb_quantile(mu: float, phi: float, alpha: float) -> float:
    if not mu > 0:
        return 0.0
    # scipy.stats' own quantile steps on the special functions underneath (a tenth of the cost
    # of the stats wrappers, which the 52-week judgement of hundreds of series calls 50,000
    # times): the continuous inverse rounded up, then one step down where the CDF allows it.
    # The negative binomial's CDF is the regularized incomplete beta I_p(size, k + 1) (for any
    # real size; special.nbdtr would truncate it). Tests hold both to scipy.stats.
    # (Where the inverse fails — a mean of 1e-12 with a dispersion of a million — the wrappers.)
    q = 1 - alpha
    if phi <= 1 + 1e-9:
        x = special.pdtrik(q, mu)
        if not 0 <= x < 1e12:
            return float(stats.poisson.ppf(q, mu))
        k = math.ceil(x)
        return float(k - 1 if k > 0 and special.pdtr(k - 1, mu) >= q else k)
    size = mu / (phi - 1)
    p = size / (size + mu)
    x = special.nbdtrik(q, size, p)
    if not 0 <= x < 1e12:
        return float(stats.nbinom.ppf(q, size, p))
    k = math.ceil(x)
    return float(k - 1 if k > 0 and special.betainc(size, k, p) >= q else k)


def exceedance_score(observed: float | None, expected: float, upper: float) -> float | None:
    """(observed - expected) / (upper - expected): above 1 exactly when observed > upper."""
    if observed is None:
        return None
    if upper > expected:
        return (observed - expected) / (upper - expected)
    return math.inf if observed > upper else 0.0


def recent_total(y: np.ndarray, t0: int, weeks: int) -> int:
    """Reports in the ``weeks`` weeks up to and including t0 (missing weeks count nothing)."""
    return int(np.nansum(y[max(0, t0 - weeks + 1) : t0 + 1]))
