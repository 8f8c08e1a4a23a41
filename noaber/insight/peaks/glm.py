"""The quasi-Poisson GLM (log link, prior weights) that the Farrington method fits.

Two engines give the same fit: ``numpy`` is a small iteratively reweighted least squares loop
(R's ``glm.fit``: start at mu = y + 0.1, stop when the relative change in deviance is below
1e-8, at most 25 iterations), about ten times faster than ``statsmodels``, which is kept as
the reference implementation and for side-by-side checks (the tests compare the two).
statsmodels is a development dependency only: the ``statsmodels`` engine is refused with a
ValueError where it is not installed, and nothing imports it unless that engine is asked for.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

MAX_ITERATIONS = 25
TOLERANCE = 1e-8
ENGINES = ("numpy", "statsmodels")
STATSMODELS_MISSING = (
    "statsmodels is not installed; it is a development dependency (pip install statsmodels)"
    " — use engine='numpy'"
)


@dataclass(frozen=True)
class GlmFit:
    """A fitted quasi-Poisson GLM.

    ``cov_unscaled`` is (x' W x)^-1 at the fitted means (multiply by the dispersion for the
    covariance of ``beta``); ``hat`` the diagonal of the hat matrix; ``dispersion`` the
    weighted Pearson statistic over the residual degrees of freedom, not floored at 1. The
    two matrices are computed when first read (a refit needs neither, a trend test only the
    covariance).
    """

    beta: np.ndarray
    mu: np.ndarray
    dispersion: float
    df_resid: int
    converged: bool
    covariance: Callable[[], np.ndarray] = field(repr=False, compare=False)
    leverage: Callable[[], np.ndarray] = field(repr=False, compare=False)

    @cached_property
    def cov_unscaled(self) -> np.ndarray:
        return self.covariance()

    @cached_property
    def hat(self) -> np.ndarray:
        return self.leverage()


def _finish(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, beta: np.ndarray, converged: bool
) -> GlmFit:
    mu = np.exp(x @ beta)
    irls_w = w * mu

    information = (x.T * irls_w) @ x
    try:
        cov = np.linalg.inv(information)
    except np.linalg.LinAlgError:
        cov = np.linalg.pinv(information)
    hat = irls_w * np.sum((x @ cov) * x, axis=1)
    df_resid = x.shape[0] - x.shape[1]
    pearson = float(np.sum(w * (y - mu) ** 2 / mu))
    dispersion = pearson / df_resid if df_resid > 0 else float("nan")
    return GlmFit(beta, mu, dispersion, df_resid, converged, lambda: cov, lambda: hat)


def _statsmodels_available() -> bool:
    """Whether the reference engine can run; imports statsmodels only when it is asked for."""
    try:
        import statsmodels.api  # noqa: F401
    except ImportError:
        return False
    return True


def check_engine(engine: str) -> None:
    """Raise ValueError unless ``engine`` is known and can run here."""
    if engine not in ENGINES:
        raise ValueError(f"unknown GLM engine {engine!r}; use 'numpy' or 'statsmodels'")
    if engine == "statsmodels" and not _statsmodels_available():
        raise ValueError(STATSMODELS_MISSING)


def _fit_numpy(x: np.ndarray, y: np.ndarray, w: np.ndarray, start: np.ndarray | None) -> GlmFit:
    if start is None:
        mu = y + 0.1
        eta = np.log(mu)
    else:
        eta = x @ start
        mu = np.exp(eta)
    # The deviance 2 sum w (y log(y / mu) - (y - mu)) with log(mu) = eta: the part without mu
    # once, per iteration only 2 (fixed + w . (mu - y eta)).
    fixed = float(np.dot(w, y * np.log(np.where(y > 0, y, 1.0)) - y))
    dev_old = 2.0 * (fixed + float(np.dot(w, mu - y * eta)))
    beta = np.zeros(x.shape[1])
    converged = False
    for _ in range(MAX_ITERATIONS):
        z = eta + (y - mu) / mu
        irls_w = w * mu
        xtw = x.T * irls_w
        try:
            beta = np.linalg.solve(xtw @ x, xtw @ z)
        except np.linalg.LinAlgError:
            root = np.sqrt(irls_w)
            beta = np.linalg.lstsq(x * root[:, None], z * root, rcond=None)[0]
        eta = x @ beta
        mu = np.exp(eta)
        dev = 2.0 * (fixed + float(np.dot(w, mu - y * eta)))
        if abs(dev - dev_old) / (abs(dev) + 0.1) < TOLERANCE:
            converged = True
            break
        dev_old = dev
    return _finish(x, y, w, beta, converged)


def _fit_statsmodels(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> GlmFit:
    import warnings

    import statsmodels.api as sm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = sm.GLM(y, x, family=sm.families.Poisson(), var_weights=w)
        fitted = model.fit(scale="X2", maxiter=100, tol=TOLERANCE)
    converged = bool(fitted.converged)
    return _finish(x, y, w, np.asarray(fitted.params, dtype=float), converged)


def _level_sums(group: np.ndarray, levels: int, time, values: np.ndarray):
    """Per-level sums of ``values`` and, with a trend, of ``values * time``."""
    s0 = np.bincount(group, values, levels)
    if time is None:
        return s0, None
    return s0, np.bincount(group, values * time, levels)


def _levels_covariance(group, levels, time, irls_w) -> np.ndarray:
    """(X'WX)^-1 of the level design: a diagonal block bordered by the trend's row and column,
    inverted through the Schur complement of the diagonal."""
    s0, s1 = _level_sums(group, levels, time, irls_w)
    if time is None:
        return np.diag(1.0 / s0)
    schur = float(np.dot(irls_w, time * time)) - float(np.dot(s1, s1 / s0))
    r = s1 / s0
    cov = np.empty((levels + 1, levels + 1))
    cov[:levels, :levels] = np.diag(1.0 / s0) + np.outer(r, r) / schur
    cov[:levels, levels] = cov[levels, :levels] = -r / schur
    cov[levels, levels] = 1.0 / schur
    return cov


def _levels_hat(group, levels, time, irls_w) -> np.ndarray:
    """The hat values w_i x_i' (X'WX)^-1 x_i of the level design, from the same blocks."""
    s0, s1 = _level_sums(group, levels, time, irls_w)
    if time is None:
        return irls_w / s0[group]
    schur = float(np.dot(irls_w, time * time)) - float(np.dot(s1, s1 / s0))
    return irls_w * (1.0 / s0[group] + ((s1 / s0)[group] - time) ** 2 / schur)


@dataclass(frozen=True)
class LevelDesign:
    """The Farrington model's design without its matrix: the level of each week as 0 .. L-1
    (one indicator column each, in that order) and the time column, None without a trend."""

    group: np.ndarray
    time: np.ndarray | None = None

    def matrix(self) -> np.ndarray:
        columns = [(self.group == lv).astype(float) for lv in range(int(self.group.max()) + 1)]
        return np.column_stack(columns if self.time is None else [*columns, self.time])

    def fit(self, y, weights=None, engine: str = "numpy", start=None) -> GlmFit:
        """``fit_levels`` with the numpy engine, ``fit_quasipoisson`` on the matrix otherwise."""
        if engine == "numpy":
            return fit_levels(self.group, y, weights, self.time, start)
        return fit_quasipoisson(self.matrix(), y, weights, engine=engine)


def fit_levels(
    group: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray | None = None,
    time: np.ndarray | None = None,
    start: np.ndarray | None = None,
) -> GlmFit:
    """The numpy engine's fit of the Farrington model, log E[y] = a[group] (+ b time): the same
    maximum-likelihood fit as ``fit_quasipoisson`` on the design of one indicator column per
    level (0 .. L-1, in that order) plus the time column, without forming the design.

    The levels' means have a closed form: given the slope b, mean_l = Y_l / sum_l w e^(b t)
    (Y_l the level's weighted count). Without a trend that is the fit; with one, the slope is
    the root of the profile score, a concave one-dimensional problem that Newton's method
    solves in a few steps of per-level sums (instead of IRLS's (n x p) products and p x p
    solves, five to eight times). ``beta``, ``cov_unscaled`` and ``hat`` are in the general
    solver's terms (the tests compare them); a level without counts, or a slope that does not
    converge, goes to the general solver. ``start`` (the slope at its last element) only
    saves steps.
    """
    group = np.asarray(group, dtype=np.intp)
    y = np.asarray(y, dtype=float)
    w = np.ones_like(y) if weights is None else np.asarray(weights, dtype=float)
    levels = int(group.max()) + 1
    counts = np.bincount(group, w * y, levels)
    if time is not None:
        time = np.asarray(time, dtype=float)
    slope, converged = _profile_slope(group, levels, time, w, y, counts, start)
    if not (counts > 0).all() or not converged:
        return fit_quasipoisson(LevelDesign(group, time).matrix(), y, w)
    scale = np.ones_like(y) if time is None else np.exp(slope * time)
    level_means = counts / np.bincount(group, w * scale, levels)
    mu = level_means[group] * scale
    beta = np.log(level_means)
    if time is not None:
        beta = np.append(beta, slope)
    df_resid = len(y) - len(beta)
    pearson = float(np.sum(w * (y - mu) ** 2 / mu))
    dispersion = pearson / df_resid if df_resid > 0 else float("nan")
    irls_w = w * mu
    return GlmFit(
        beta,
        mu,
        dispersion,
        df_resid,
        True,
        lambda: _levels_covariance(group, levels, time, irls_w),
        lambda: _levels_hat(group, levels, time, irls_w),
    )


def _profile_slope(group, levels, time, w, y, counts, start) -> tuple[float, bool]:
    """The slope b maximising the profile log-likelihood sum_l Y_l log(Y_l / A_l(b)) + b T
    (A_l = sum_l w e^(b t), T = sum w t y): Newton's method, halving a step that lowers it."""
    if time is None:
        return 0.0, True
    if not (counts > 0).all():
        return 0.0, False
    total = float(np.dot(w * y, time))
    wt, wtt = w * time, w * time * time

    def parts(b):
        e = np.exp(b * time)
        a = np.bincount(group, w * e, levels)
        return e, a, float(np.dot(counts, np.log(counts / a))) + b * total

    slope = float(start[-1]) if start is not None and np.isfinite(start[-1]) else 0.0
    e, a, value = parts(slope)
    for _ in range(MAX_ITERATIONS * 2):
        b1 = np.bincount(group, wt * e, levels)
        b2 = np.bincount(group, wtt * e, levels)
        score = total - float(np.dot(counts, b1 / a))
        curvature = float(np.dot(counts, (b2 * a - b1 * b1) / (a * a)))
        if not curvature > 0:
            return slope, False
        step = score / curvature
        for _halving in range(40):
            e_new, a_new, value_new = parts(slope + step)
            if value_new >= value - 1e-12 * abs(value):
                break
            step /= 2
        else:
            return slope, False
        slope, e, a, value = slope + step, e_new, a_new, value_new
        if abs(step) < 1e-10 * (1.0 + abs(slope)):
            return slope, True
    return slope, False


def fit_quasipoisson(
    x: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray | None = None,
    engine: str = "numpy",
    start: np.ndarray | None = None,
) -> GlmFit:
    """Fit log E[y] = x beta with Var[y] = phi * mu / weights (quasi-Poisson, log link).

    ``engine="statsmodels"`` needs statsmodels (a development dependency): without it a
    ValueError names the missing package before anything is fitted.

    ``start`` (numpy engine only) starts the iterations at these coefficients instead of at
    mu = y + 0.1; the converged fit is the same, it only saves iterations on a refit.
    """
    check_engine(engine)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.ones_like(y) if weights is None else np.asarray(weights, dtype=float)
    if engine == "statsmodels":
        return _fit_statsmodels(x, y, w)
    return _fit_numpy(x, y, w, start)
