"""Peak detection in weekly counts: the improved Farrington method (Noufaily et al. 2013) as a
pure function, with a 4-week-block fallback for short or sparse series. See docs/peaks.md.

    from noaber.insight.peaks import Params, detect
    result = detect([3, 1, 0, None, 4, ...], params=Params(alpha=0.01))
"""

from .core import (
    DECLINED,
    FALLBACK,
    FALLBACK_DECLINED,
    FARRINGTON,
    FEW_BASELINE_WEEKS,
    MIN_COUNT,
    NO_DATA,
    NO_WINDOW_DATA,
    NOTE_CODES,
    RECENT_IN_BASELINE,
    SPARSE,
    TOO_SHORT,
    YEARS_BACK,
    CountError,
    Note,
    Params,
    Result,
    anscombe_residuals,
    exceedance_score,
    nb_threshold,
    reweighting_weights,
)
from .fallback import block_fallback
from .glm import GlmFit, fit_quasipoisson
from .method import detect, detect_range, reference_points, seasonal_levels

__all__ = [
    "DECLINED",
    "NOTE_CODES",
    "FALLBACK_DECLINED",
    "FEW_BASELINE_WEEKS",
    "MIN_COUNT",
    "NO_DATA",
    "NO_WINDOW_DATA",
    "RECENT_IN_BASELINE",
    "SPARSE",
    "TOO_SHORT",
    "YEARS_BACK",
    "CountError",
    "Note",
    "FALLBACK",
    "FARRINGTON",
    "GlmFit",
    "Params",
    "Result",
    "anscombe_residuals",
    "block_fallback",
    "detect",
    "detect_range",
    "exceedance_score",
    "fit_quasipoisson",
    "nb_threshold",
    "reference_points",
    "reweighting_weights",
    "seasonal_levels",
]

# The monthly variant (the police's monthly figures): see monthly.py.
from .monthly import (  # noqa: E402
    MONTHLY,
    MonthCountError,
    MonthError,
    MonthlyParamsError,
    check_monthly_params,
    detect_monthly,
    month_label,
)

__all__ += [
    "MONTHLY",
    "MonthCountError",
    "MonthError",
    "MonthlyParamsError",
    "check_monthly_params",
    "detect_monthly",
    "month_label",
]
