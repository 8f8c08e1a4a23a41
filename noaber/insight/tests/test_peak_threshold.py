"""The predictive threshold and the split of alpha over the looks (issue 21, point 2): the
negative binomial mixed over the fitted mean's sampling distribution, held to a numerical
integral with scipy, and the levels of the one- and two-week looks."""

import math

import numpy as np
import statsmodels.api as sm
from django.test import SimpleTestCase
from scipy import integrate, stats

from noaber.insight.peaks import Params, detect, nb_threshold, reference_points, seasonal_levels
from noaber.insight.peaks.core import look_alphas

YEARS5 = 5 * 52 + 40


def mixture_tail(u: float, mu: float, phi: float, log_sd: float) -> float:
    """P(Y > u) for Y negative binomial (mean m, variance phi m; Poisson if phi is 1) with
    log m normal around log mu with sd log_sd: scipy.stats under scipy's adaptive quadrature."""

    def integrand(z):
        m = mu * math.exp(log_sd * z)
        if phi <= 1:
            tail = stats.poisson.sf(u, m)
        else:
            tail = stats.nbinom.sf(u, m / (phi - 1), 1 / phi)
        return tail * stats.norm.pdf(z)

    return integrate.quad(integrand, -9, 9, limit=200, points=[0])[0]


def reference_quantile(mu: float, phi: float, alpha: float, log_sd: float) -> int:
    """The smallest whole u with mixture_tail(u) <= alpha, by bisection (the tail falls as u
    grows)."""
    low, high = -1, 1
    while mixture_tail(high, mu, phi, log_sd) > alpha:
        low, high = high, 2 * high
    while high - low > 1:  # tail(low) > alpha >= tail(high), tail(-1) = 1
        mid = (low + high) // 2
        low, high = (mid, high) if mixture_tail(mid, mu, phi, log_sd) > alpha else (low, mid)
    return high


class PredictiveThresholdTests(SimpleTestCase):
    def test_no_uncertainty_is_the_plugin_quantile(self):
        for mu, phi, alpha in ((0.7, 1.0, 0.01), (5.0, 2.0, 0.0025), (120.0, 1.3, 0.0075)):
            plugin = stats.nbinom.ppf(1 - alpha, mu / (phi - 1), 1 / phi) if phi > 1 else (
                stats.poisson.ppf(1 - alpha, mu))  # fmt: skip
            self.assertEqual(nb_threshold(mu, phi, alpha, 0.0), plugin)
            self.assertEqual(nb_threshold(mu, phi, alpha), plugin)

    def test_held_to_the_integral_where_the_fit_is_usual(self):
        # The standard error of a fitted log mean is about sqrt(phi / (n mu)) for n weeks in
        # the window (35 with five years back, 14 with two; a trend widens it): prediction
        # variance up to a fifth of the negative binomial's, and log_sd at most 0.5. There
        # the three-point quadrature gives the integral's quantile within 5 % of alpha.
        checked = 0
        for mu in (0.3, 1.0, 4.0, 40.0, 300.0):
            for phi in (1.0, 1.5, 5.0):
                for share in (1 / 35, 1 / 14, 0.2):
                    log_sd = math.sqrt(share * phi / mu)
                    if log_sd > 0.5:
                        continue
                    for alpha in (0.001, 0.0075, 0.05):
                        u = nb_threshold(mu, phi, alpha, log_sd)
                        with self.subTest(mu=mu, phi=phi, log_sd=log_sd, alpha=alpha, u=u):
                            self.assertLessEqual(mixture_tail(u, mu, phi, log_sd), alpha * 1.05)
                            self.assertGreater(mixture_tail(u - 1, mu, phi, log_sd), alpha / 1.05)
                        checked += 1
        self.assertGreater(checked, 100)

    def test_exact_quantiles(self):
        # The integral's quantiles (scipy.stats under quad), and the quadrature's the same.
        for mu, phi, alpha, log_sd, expected in (
            (5.0, 1.0, 0.0025, math.sqrt(1 / 175), 12),
            (10.0, 1.0, 0.0075, math.sqrt(1 / 175), 19),
            (1.6, 5.0, 0.0075, 0.25, 15),
            (150.0, 1.2, 0.0025, 0.05, 196),
        ):
            with self.subTest(mu=mu, phi=phi):
                self.assertEqual(reference_quantile(mu, phi, alpha, log_sd), expected)
                self.assertEqual(nb_threshold(mu, phi, alpha, log_sd), expected)

    def test_grows_with_the_uncertainty(self):
        uppers = [nb_threshold(20.0, 1.5, 0.0075, s) for s in (0, 0.05, 0.1, 0.2, 0.4, 0.8)]
        self.assertEqual(uppers, sorted(uppers))
        self.assertGreater(uppers[-1], uppers[0])

    def test_very_uncertain_mean_ends_by_bisection(self):
        # log_sd 3: far more than eight steps above the plug-in quantile; the answer is the
        # smallest u whose three-point mixture tail is at most alpha (checked by walking).
        mu, phi, alpha, log_sd = 4.0, 2.0, 0.01, 3.0
        u = nb_threshold(mu, phi, alpha, log_sd)
        self.assertGreater(u, nb_threshold(mu, phi, alpha) + 8)
        nodes, weights = np.polynomial.hermite_e.hermegauss(3)
        weights = weights / weights.sum()

        def tail(k):
            m = mu * np.exp(log_sd * nodes)
            return float(np.dot(weights, stats.nbinom.sf(k, m / (phi - 1), 1 / phi)))

        self.assertLessEqual(tail(u), alpha)
        self.assertGreater(tail(u - 1), alpha)

    def test_zero_mean_and_bad_sd(self):
        self.assertEqual(nb_threshold(0.0, 1.0, 0.01, 0.3), 0.0)
        with self.assertRaisesRegex(ValueError, "log_sd"):
            nb_threshold(3.0, 1.0, 0.01, math.inf)


class LookAlphaTests(SimpleTestCase):
    def test_split(self):
        self.assertEqual(look_alphas(Params(spans=(1,))), (0.01,))
        self.assertEqual(look_alphas(Params()), (0.0025, 0.0075))
        three = look_alphas(Params(spans=(1, 2, 3), first_look_share=0.4))
        np.testing.assert_allclose(three, (0.004, 0.003, 0.003))
        self.assertAlmostEqual(sum(look_alphas(Params(alpha=0.02, spans=(1, 2, 4)))), 0.02)

    def test_bad_parameters_name_themselves(self):
        for share in (0, 1, -0.1, 1.5, True, "0.25", math.nan):
            with self.subTest(share=share):
                with self.assertRaisesRegex(ValueError, "Params.first_look_share"):
                    Params(first_look_share=share)
        for method in ("nbPlugin", "", None):
            with (
                self.subTest(method=method),
                self.assertRaisesRegex(ValueError, "Params.threshold"),
            ):
                Params(threshold=method)


class DetectWithPredictiveThresholdTests(SimpleTestCase):
    def test_constant_series_by_hand(self):
        # Five reports every week, five years back: mu0 = 5, phi = 1, 35 weeks in the windows,
        # so the standard error of log mu0 is sqrt(1 / (35 * 5)). The one-week look has a
        # quarter of alpha (0.0025), the two-week look the rest (0.0075): thresholds 12 and 19
        # (plug-in: 12 and 18). 9 + 10 = 19 alarms with the plug-in, not with the predictive.
        counts = [5] * (YEARS5 - 2) + [9, 10]
        plugin = detect(counts, params=Params(threshold="plugin"))
        predictive = detect(counts)
        self.assertTrue(plugin.alarm)
        self.assertEqual((plugin.span_weeks, plugin.observed, plugin.upper), (2, 19, 18.0))
        self.assertEqual(plugin.upper, stats.poisson.ppf(1 - 0.0075, 10))
        self.assertFalse(predictive.alarm)
        self.assertEqual((predictive.span_weeks, predictive.upper), (1, 12.0))
        self.assertEqual(reference_quantile(10.0, 1.0, 0.0075, math.sqrt(1 / 175)), 19)
        spread = detect([5] * (YEARS5 - 2) + [9, 11])
        self.assertTrue(spread.alarm)
        self.assertEqual((spread.span_weeks, spread.observed, spread.upper), (2, 20, 19.0))

    def test_against_statsmodels_and_the_integral(self):
        # A Poisson series without reweighting or trend: the fit is statsmodels' GLM of the
        # same seasonal design; the threshold the integral's quantile for its mean, its
        # dispersion (floored at 1) and the standard error of its level-1 coefficient.
        params = Params(reweight=False, trend=False, spans=(1,))
        for seed, mean, weeks in ((21, 4.0, YEARS5), (22, 1.2, 2 * 52 + 30), (23, 15.0, YEARS5)):
            counts = np.random.default_rng(seed).poisson(mean, weeks)
            result = detect(counts.tolist(), params=params)
            t0 = weeks - 1
            refs = [r for r in reference_points(t0, 5) if r - 3 >= 0]
            positions, level = seasonal_levels(t0, refs, last=t0 - 27)
            x = np.column_stack([(level == lv).astype(float) for lv in sorted(set(level))])
            fit = sm.GLM(counts[positions], x, family=sm.families.Poisson()).fit(scale="X2")
            phi = max(fit.scale, 1.0)
            log_sd = math.sqrt(phi * fit.normalized_cov_params[0, 0])
            mu0 = math.exp(fit.params[0])
            with self.subTest(seed=seed):
                self.assertAlmostEqual(result.expected, mu0, places=6)
                self.assertAlmostEqual(result.phi, phi, places=6)
                self.assertEqual(result.upper, reference_quantile(mu0, phi, 0.01, log_sd))
                self.assertGreaterEqual(
                    result.upper, detect(counts.tolist(), params=Params(
                        reweight=False, trend=False, spans=(1,), threshold="plugin")).upper
                )  # fmt: skip

    def test_shorter_history_widens_the_threshold(self):
        # Three years back (21 window weeks) against five (35): the same level of 2 a week
        # is less certain, so the threshold is at least as high, and higher for the sums.
        short = detect([2] * (3 * 52 + 10) + [2])
        long = detect([2] * YEARS5 + [2])
        self.assertAlmostEqual(short.expected, 2.0)
        self.assertAlmostEqual(long.expected, 2.0)
        self.assertEqual(short.upper, nb_threshold(2.0, 1.0, 0.0025, math.sqrt(1 / 42)))
        self.assertEqual(long.upper, nb_threshold(2.0, 1.0, 0.0025, math.sqrt(1 / 70)))
        self.assertGreaterEqual(short.upper, long.upper)
