"""The fallback for series too short or too sparse for the Farrington method: 4-week blocks.

The judged quantity is the sum of the last ``fallback_block`` weeks (the judged week
included). The baseline is the same history as the Farrington method's (up to ``years_back``
years, the last ``exclude_recent`` weeks left out) cut into consecutive blocks of
``fallback_block`` weeks, without seasonality or trend: an intercept-only quasi-Poisson model
of the block sums with the number of weeks with data in each block as exposure. Past outbreaks
are down-weighted by Anscombe residuals as in the main method (one refit), the dispersion is
the weighted Pearson statistic (at least 1), and the threshold is the negative-binomial
(1 - alpha) quantile for the current block's expected sum. An alarm also needs reports in the
judged week itself and the minimum-count rule.

A short series whose history ends before the 26 excluded weeks uses all weeks before the
current block instead (it says so). Fewer than ``fallback_min_baseline`` baseline weeks with
data, or fewer than two blocks: declined, no alarm.
"""

import numpy as np

from .core import (
    DECLINED,
    FALLBACK,
    FALLBACK_DECLINED,
    MIN_COUNT,
    NO_DATA,
    RECENT_IN_BASELINE,
    Note,
    Params,
    Result,
    anscombe_residuals,
    exceedance_score,
    nb_threshold,
    recent_total,
    reweighting_weights,
)


def _blocks(y: np.ndarray, first: int, last: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Sums and weeks-with-data of consecutive blocks ending at ``last``, back to ``first``."""
    sums, exposure = [], []
    end = last
    while end >= first:
        chunk = y[max(first, end - size + 1) : end + 1]
        have = ~np.isnan(chunk)
        if have.any():
            sums.append(float(chunk[have].sum()))
            exposure.append(float(have.sum()))
        end -= size
    return np.array(sums[::-1]), np.array(exposure[::-1])


def _rate(sums: np.ndarray, exposure: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """Weekly rate and dispersion (>= 1) of the intercept-only model with exposure."""
    rate = float(np.sum(weights * sums) / np.sum(weights * exposure))
    if rate <= 0 or len(sums) < 2:
        return rate, 1.0
    mu = rate * exposure
    pearson = float(np.sum(weights * (sums - mu) ** 2 / mu))
    return rate, max(pearson / (len(sums) - 1), 1.0)


def block_fallback(y: np.ndarray, t0: int, params: Params, why: Note) -> Result:
    """Judge the block of ``fallback_block`` weeks ending at t0 (y: floats, NaN = missing)."""
    size = params.fallback_block
    first = max(0, t0 - params.weeks_per_year * params.years_back - params.window)
    notes = [why]
    sums, exposure = _blocks(y, first, t0 - params.exclude_recent - 1, size)
    if exposure.sum() < params.fallback_min_baseline or len(sums) < 2:
        sums, exposure = _blocks(y, first, t0 - size, size)
        notes.append(Note.of(RECENT_IN_BASELINE))
    n = int(exposure.sum())
    if n < params.fallback_min_baseline or len(sums) < 2:
        return Result(
            index=t0,
            observed=None if np.isnan(y[t0]) else int(y[t0]),
            expected=None,
            upper=None,
            score=None,
            alarm=False,
            method=DECLINED,
            notes=(why, Note.of(FALLBACK_DECLINED, weeks=n, needed=params.fallback_min_baseline)),
            phi=None,
            trend_used=False,
            years_back_used=0,
            baseline_weeks=n,
            span_weeks=size,
            params=params,
        )

    weights = np.ones_like(sums)
    rate, phi = _rate(sums, exposure, weights)
    if params.reweight and rate > 0:
        mu = rate * exposure
        hat = weights * mu / np.sum(weights * mu)  # intercept-only Poisson GLM
        s = anscombe_residuals(sums, mu, phi, hat)
        weights = reweighting_weights(s, params.reweight_threshold)
        rate, phi = _rate(sums, exposure, weights)

    current = y[max(0, t0 - size + 1) : t0 + 1]
    expected = rate * float((~np.isnan(current)).sum())
    upper = nb_threshold(expected, phi, params.alpha)
    observed = None if np.isnan(y[t0]) else recent_total(y, t0, size)
    alarm = observed is not None and observed > upper and y[t0] > 0
    if np.isnan(y[t0]):
        notes.append(Note.of(NO_DATA))
    if alarm:
        total = recent_total(y, t0, params.min_count_weeks)
        if total < params.min_count:
            alarm = False
            notes.append(
                Note.of(
                    MIN_COUNT, total=total, weeks=params.min_count_weeks, needed=params.min_count
                )
            )
    years = min(params.years_back, (t0 - first) // params.weeks_per_year)
    return Result(
        index=t0,
        observed=observed,
        expected=expected,
        upper=upper,
        score=exceedance_score(observed, expected, upper),
        alarm=bool(alarm),
        method=FALLBACK,
        notes=tuple(notes),
        phi=phi,
        trend_used=False,
        years_back_used=years,
        baseline_weeks=n,
        span_weeks=size,
        params=params,
    )
