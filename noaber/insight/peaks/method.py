"""The improved Farrington method (Noufaily et al. 2013) on a series of weekly counts.

Follows R surveillance's ``farringtonFlexible(noufaily = TRUE)``: a quasi-Poisson GLM with a
linear trend and a 10-level seasonal factor over up to five years of history (all weeks but the
last 26), past outbreaks down-weighted by Anscombe residuals, a negative-binomial threshold and
a minimum-count rule. Series that are too short or too sparse go to the fallback
(:mod:`noaber.insight.peaks.fallback`). Everything here is a pure function of its arguments.
See docs/peaks.md for the parameters and the deviations from R.
"""

from collections.abc import Sequence

import numpy as np
from scipy import special

from .core import (
    FARRINGTON,
    FEW_BASELINE_WEEKS,
    MIN_COUNT,
    NO_DATA,
    NO_WINDOW_DATA,
    SPARSE,
    TOO_SHORT,
    YEARS_BACK,
    Note,
    Params,
    Result,
    anscombe_residuals,
    exceedance_score,
    look_alphas,
    nb_threshold,
    recent_total,
    reweighting_weights,
    validate_counts,
    validate_weeks,
)
from .fallback import block_fallback
from .glm import GlmFit, LevelDesign


def reference_points(
    t0: int, years_back: int, weeks_per_year: int = 52, week_of_year: np.ndarray | None = None
) -> list[int]:
    """Positions of "the same week" 1..years_back years before position t0.

    Without ``week_of_year`` that is t0 - 52 k. With it, the position within two weeks of
    t0 - 52 k that has the same week number (week 53 falls back to week 52), so that ISO years
    with 53 weeks do not shift the windows.
    """
    points = []
    for k in range(1, years_back + 1):
        point = t0 - weeks_per_year * k
        if week_of_year is not None:
            targets = [int(week_of_year[t0])] + ([52] if week_of_year[t0] == 53 else [])
            for target in targets:
                near = [
                    point + d
                    for d in (0, -1, 1, -2, 2)
                    if 0 <= point + d < t0 and week_of_year[point + d] == target
                ]
                if near:
                    point = near[0]
                    break
        points.append(point)
    return points


def seasonal_levels(
    t0: int, refs: Sequence[int], *, window: int = 3, levels: int = 10, last: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The baseline positions and their level of the seasonal factor (1..levels).

    Level 1 is the window ``ref - window .. ref + window`` around each reference point. The
    weeks between two consecutive windows (and between the newest window and the judged week's
    own window) are split in ``levels - 1`` consecutive blocks of (nearly) equal length, levels
    2..levels in time order: for 52-week years and window 3 that is 45 weeks in 9 blocks of 5.
    The baseline runs from the oldest window's first week up to ``last`` (inclusive; default
    t0 - 1).
    """
    last = t0 - 1 if last is None else last
    anchors = [t0, *sorted(refs, reverse=True)]
    first = anchors[-1] - window
    positions = np.arange(first, last + 1)
    level = np.zeros(len(positions), dtype=int)
    # Positions are consecutive: each window and gap is a slice (clipped to first .. last).
    for newer, older in zip(anchors[:-1], anchors[1:], strict=False):
        lo, hi = max(older - window, first), min(older + window, last)
        if lo <= hi:
            level[lo - first : hi - first + 1] = 1
        gap_start, gap_end = older + window + 1, newer - window - 1
        length = gap_end - gap_start + 1
        lo, hi = max(gap_start, first), min(gap_end, last)
        if length > 0 and lo <= hi:
            offset = np.arange(lo - gap_start, hi - gap_start + 1)
            level[lo - first : hi - first + 1] = (
                2 + (offset * (levels - 1)) // length if levels > 1 else 1
            )
    return positions, level


def _fit_reweighted(
    design: LevelDesign, y: np.ndarray, params: Params, extra_df: int = 0, extra_n: int = 0
) -> tuple[GlmFit, np.ndarray, float]:
    """Fit, then (if asked) down-weight outbreaks by Anscombe residuals and fit again.

    Returns the fit, its prior weights and the dispersion floored at 1. ``extra_n`` weeks of
    all-zero levels were left out of design (their fitted mean is 0 in the limit): they keep
    residual 0 and weight 1 before the weights are scaled to sum to n, add nothing to Pearson's
    statistic and ``extra_df`` residual degrees of freedom, as in the unrestricted GLM.
    """
    fit = design.fit(y, engine=params.engine)
    weights = np.ones_like(y)
    phi = _dispersion(fit, y, weights, extra_df)
    if params.reweight:
        s = anscombe_residuals(y, fit.mu, phi, fit.hat)
        s = np.concatenate([s, np.zeros(extra_n)])
        weights = reweighting_weights(s, params.reweight_threshold)[: len(y)]
        fit = design.fit(y, weights, engine=params.engine, start=fit.beta)
        phi = _dispersion(fit, y, weights, extra_df)
    return fit, weights, phi


def _dispersion(fit: GlmFit, y: np.ndarray, weights: np.ndarray, extra_df: int) -> float:
    df = fit.df_resid + extra_df
    if df <= 0:
        return 1.0
    return max(float(np.sum(weights * (y - fit.mu) ** 2 / fit.mu)) / df, 1.0)


def _design(level: np.ndarray, time: np.ndarray | None) -> LevelDesign:
    """One mean per level present (level 1 first), plus the trend: the same model as R's
    intercept + factor, with exp(beta[0]) the mean of level 1 at time 0."""
    return LevelDesign(np.searchsorted(np.unique(level), level), time)


def _farrington(y: np.ndarray, t0: int, woy: np.ndarray | None, params: Params) -> Result | Note:
    """The Farrington judgement of week t0, or the reason it has to fall back."""
    wpy, w = params.weeks_per_year, params.window
    refs = [r for r in reference_points(t0, params.years_back, wpy, woy) if r - w >= 0]
    years = len(refs)
    needed = wpy * params.min_years + w + 1
    if years < params.min_years:
        return Note.of(TOO_SHORT, weeks=t0 + 1, needed=needed)
    last = t0 - params.exclude_recent - 1
    positions, level = seasonal_levels(t0, refs, window=w, levels=params.levels, last=last)
    counts = y[positions]
    have = ~np.isnan(counts)
    n = int(have.sum())
    if n < params.min_baseline_weeks:
        return Note.of(FEW_BASELINE_WEEKS, weeks=n, needed=params.min_baseline_weeks)
    counts, level, positions = counts[have], level[have], positions[have]
    mean = float(counts.mean())
    if mean < params.sparse_mean:
        return Note.of(SPARSE, mean=mean, needed=params.sparse_mean)
    if not (level == 1).any():
        return Note.of(NO_WINDOW_DATA)

    # Levels without any report have mu -> 0 in the limit: fit the rest and give them mu = 0.
    sums, present = np.bincount(level, counts), np.bincount(level) > 0
    zero_levels = set(np.flatnonzero(present & (sums == 0)).tolist())
    slope = 0.0  # the trend per year of the log mean (0 without a trend)
    log_sd = 0.0  # the standard error of log mu0 for the predictive threshold
    if 1 in zero_levels:
        mu0, phi, trend_used = 0.0, 1.0, False
    else:
        fitted = ~np.isin(level, list(zero_levels))
        yf, lf = counts[fitted], level[fitted]
        extra_n = int((~fitted).sum())
        extra = {"extra_n": extra_n, "extra_df": extra_n - len(zero_levels)}
        time = (positions[fitted] - t0) / wpy
        use_trend = params.trend and years >= params.trend_min_years
        design = _design(lf, time if use_trend else None)
        fit, weights, phi = _fit_reweighted(design, yf, params, **extra)
        trend_used = False
        if use_trend:
            # R's summary.glm: the unfloored dispersion and a t test on the residual df.
            df = fit.df_resid + extra["extra_df"]
            raw = float(np.sum(weights * (yf - fit.mu) ** 2 / fit.mu)) / df if df > 0 else 0.0
            se = np.sqrt(raw * fit.cov_unscaled[-1, -1])
            t_value = abs(fit.beta[-1]) / se if se > 0 else 0.0
            p_value = 2 * special.stdtr(df, -t_value) if se > 0 and df > 0 else 1.0
            mu_trend = float(np.exp(fit.beta[0]))  # time is 0 at t0, level 1 is column 0
            if p_value < params.trend_p and mu_trend <= counts.max():
                trend_used = True
            else:
                fit, weights, phi = _fit_reweighted(_design(lf, None), yf, params, **extra)
        mu0 = float(np.exp(fit.beta[0]))
        slope = float(fit.beta[-1]) if trend_used else 0.0
        if params.threshold == "predictive":
            # The standard error of log mu0 (beta[0]: level 1 at time 0) with the dispersion.
            log_sd = float(np.sqrt(phi * max(fit.cov_unscaled[0, 0], 0.0)))

    looks = _looks(y, t0, mu0, slope, phi, params, log_sd)
    return _verdict(y, t0, looks, phi, trend_used, years, n, params)


def _looks(y, t0, mu0, slope, phi, params: Params, log_sd: float = 0.0) -> list[tuple]:
    """(span, observed, expected, upper, score) for each span of ``params.spans``.

    The sum of the last s weeks has as expected value the sum of the fitted means of those
    weeks (all in the window around the same week of earlier years: seasonal level 1, on the
    trend if one is used) and is judged against the negative-binomial threshold with the same
    dispersion at the look's level (``look_alphas``), mixed over the fitted mean's standard
    error ``log_sd`` on the log scale (the weeks of a look share it: they are estimated by the
    same coefficients). A look over a week without data is skipped; the span-1 look is always
    there (observed None if the judged week has no data).
    """
    looks = []
    for span, alpha in zip(params.spans, look_alphas(params), strict=True):
        if span > t0 + 1:
            continue
        weeks = y[t0 - span + 1 : t0 + 1]
        if span > 1 and np.isnan(weeks).any():
            continue
        observed = None if np.isnan(weeks).any() else int(weeks.sum())
        expected = float(sum(mu0 * np.exp(-slope * k / params.weeks_per_year) for k in range(span)))
        upper = nb_threshold(expected, phi, alpha, log_sd)
        looks.append((span, observed, expected, upper, exceedance_score(observed, expected, upper)))
    return looks


def _verdict(y, t0, looks, phi, trend_used, years, n, params: Params) -> Result:
    """An alarm if any look's observed exceeds its threshold (and the minimum-count rule holds).
    The Result shows the shortest look unless only longer ones fired: then the fired look with
    the highest score (the shortest on a tie)."""
    notes = []
    if years < params.years_back:
        notes.append(Note.of(YEARS_BACK, years=years, wanted=params.years_back))
    fired = [look for look in looks if look[1] is not None and look[1] > look[3]]
    if not fired or fired[0][0] == looks[0][0]:
        fired = looks[:1]
    span, observed, expected, upper, score = max(fired, key=lambda look: (look[4], -look[0]))
    if observed is None:
        notes.append(Note.of(NO_DATA))
    alarm = observed is not None and observed > upper
    if alarm:
        total = recent_total(y, t0, params.min_count_weeks)
        if total < params.min_count:
            alarm = False
            notes.append(
                Note.of(
                    MIN_COUNT, total=total, weeks=params.min_count_weeks, needed=params.min_count
                )
            )
    return Result(
        index=t0,
        observed=observed,
        expected=expected,
        upper=upper,
        score=score,
        alarm=bool(alarm),
        method=FARRINGTON,
        notes=tuple(notes),
        phi=phi,
        trend_used=trend_used,
        years_back_used=years,
        baseline_weeks=n,
        span_weeks=span,
        params=params,
    )


def _judge(y: np.ndarray, t0: int, woy: np.ndarray | None, params: Params) -> Result:
    outcome = _farrington(y, t0, woy, params)
    if isinstance(outcome, Result):
        return outcome
    return block_fallback(y, t0, params, outcome)


def detect(
    counts: Sequence[int | None],
    *,
    week_of_year: Sequence[int] | None = None,
    params: Params = Params(),  # noqa: B008 (frozen dataclass, never mutated)
) -> Result:
    """Judge the last week of a series of weekly counts (oldest first).

    ``None`` is a week without data (left out of the fit; never read as zero), 0 a week with
    zero reports. A negative, non-whole or NaN count raises ValueError naming its position.
    ``week_of_year`` (1-53, one per count) aligns the windows of earlier years on week
    numbers instead of steps of 52 weeks.
    """
    y = validate_counts(counts)
    if len(y) == 0:
        raise ValueError("counts is empty: there is no week to judge")
    woy = validate_weeks(week_of_year, len(y))
    return _judge(y, len(y) - 1, woy, params)


def detect_range(
    counts: Sequence[int | None],
    last_n: int,
    *,
    week_of_year: Sequence[int] | None = None,
    params: Params = Params(),  # noqa: B008
) -> list[Result]:
    """Judge each of the last ``last_n`` weeks, each with only the data up to that week."""
    y = validate_counts(counts)
    woy = validate_weeks(week_of_year, len(y))
    if isinstance(last_n, bool) or not isinstance(last_n, int) or not 1 <= last_n <= len(y):
        raise ValueError(f"last_n must be a whole number from 1 to {len(y)}, not {last_n!r}")
    return [_judge(y[: t0 + 1], t0, woy, params) for t0 in range(len(y) - last_n, len(y))]
