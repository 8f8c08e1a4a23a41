"""The quasi-Poisson GLM (log link, prior weights) that the Farrington method fits.

Two engines give the same fit: ``numpy`` is a small iteratively reweighted least squares loop
(R's ``glm.fit``: start at mu = y + 0.1, stop when the relative change in deviance is below
1e-8, at most 25 iterations), about ten times faster than ``statsmodels``, which is kept as
the reference implementation and for side-by-side checks (the tests compare the two).
statsmodels is a development dependency only: the ``statsmodels`` engine is refused with a
ValueError where it is not installed, and nothing imports it unless that engine is asked for.
"""

from dataclasses import dataclass

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
    weighted Pearson statistic over the residual degrees of freedom, not floored at 1.
    """

    beta: np.ndarray
    mu: np.ndarray
    cov_unscaled: np.ndarray
    hat: np.ndarray
    dispersion: float
    df_resid: int
    converged: bool


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
    return GlmFit(beta, mu, cov, hat, dispersion, df_resid, converged)


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
