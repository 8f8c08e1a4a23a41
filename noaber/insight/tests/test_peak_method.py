"""The peak-detection method (issue 8): the pieces of the improved Farrington method checked
against values computed by hand, the whole method on series whose answer is obvious, the
fallback, and bad input."""

import math
import subprocess
import sys
from pathlib import Path
from unittest import mock

import numpy as np
from django.test import SimpleTestCase
from scipy import stats

from noaber.insight.peaks import (
    DECLINED,
    FALLBACK,
    FARRINGTON,
    Params,
    anscombe_residuals,
    detect,
    detect_range,
    exceedance_score,
    fit_quasipoisson,
    nb_threshold,
    reference_points,
    reweighting_weights,
    seasonal_levels,
)

YEARS5 = 5 * 52 + 40  # five years and 40 weeks: the full five years back are available


def poisson_series(mean, weeks=YEARS5, seed=1):
    return np.random.default_rng(seed).poisson(mean, size=weeks).tolist()


class AnscombeTests(SimpleTestCase):
    def test_known_value(self):
        # 3/2 (10^(2/3) - 4^(2/3)) / (4^(1/6) sqrt(2)) = 1.5 * 2.121747 / 1.781797
        s = anscombe_residuals(np.array([10.0]), np.array([4.0]), phi=2.0)
        self.assertAlmostEqual(float(s[0]), 1.786186, places=5)

    def test_hat_value_standardises(self):
        plain = anscombe_residuals(np.array([10.0]), np.array([4.0]), phi=2.0)
        with_hat = anscombe_residuals(np.array([10.0]), np.array([4.0]), 2.0, np.array([0.5]))
        self.assertAlmostEqual(float(with_hat[0]), float(plain[0]) / math.sqrt(0.5))

    def test_zero_residual_at_the_mean(self):
        self.assertEqual(float(anscombe_residuals(np.array([3.0]), np.array([3.0]), 1.0)[0]), 0)


class WeightTests(SimpleTestCase):
    def test_large_residuals_get_inverse_square_renormalised(self):
        w = reweighting_weights(np.array([0.0, 1.0, 3.0, 5.0, -4.0]), 2.58)
        raw = np.array([1, 1, 1 / 9, 1 / 25, 1])  # only s > 2.58 is down-weighted, not s < -2.58
        expected = raw * 5 / raw.sum()  # 5 / 3.15111 = 1.58674
        np.testing.assert_allclose(w, expected)
        self.assertAlmostEqual(float(w.sum()), 5.0)
        self.assertAlmostEqual(float(w[0]), 1.586742, places=5)

    def test_no_outliers_all_one(self):
        np.testing.assert_allclose(reweighting_weights(np.array([0.5, -1.0, 2.58])), [1, 1, 1])


class SeasonalFactorTests(SimpleTestCase):
    # Judging week 30 of the sixth year: position 5 * 52 + 29.
    t0 = 5 * 52 + 29

    def level_of(self, year, week):
        refs = reference_points(self.t0, 5)
        positions, levels = seasonal_levels(self.t0, refs, window=3, levels=10, last=self.t0 - 27)
        return int(levels[positions == (year - 1) * 52 + week - 1][0])

    def test_reference_points_are_whole_years_back(self):
        self.assertEqual(reference_points(self.t0, 5), [237, 185, 133, 81, 29])

    def test_same_week_and_its_window_are_level_1(self):
        for week in (27, 30, 33):
            self.assertEqual(self.level_of(5, week), 1)
            self.assertEqual(self.level_of(1, week), 1)

    def test_other_weeks_in_nine_blocks_of_five(self):
        self.assertEqual(self.level_of(5, 34), 2)
        self.assertEqual(self.level_of(5, 38), 2)
        self.assertEqual(self.level_of(5, 39), 3)
        self.assertEqual(self.level_of(4, 52), 5)  # 49..52 and week 1: level 5
        self.assertEqual(self.level_of(5, 1), 5)
        self.assertEqual(self.level_of(5, 21), 9)
        self.assertEqual(self.level_of(5, 22), 10)
        self.assertEqual(self.level_of(5, 26), 10)

    def test_baseline_span_and_level_sizes(self):
        refs = reference_points(self.t0, 5)
        positions, levels = seasonal_levels(self.t0, refs, window=3, levels=10, last=self.t0 - 27)
        self.assertEqual(positions[0], 29 - 3)  # the oldest window's first week
        self.assertEqual(positions[-1], self.t0 - 27)  # the 26 weeks before t0 are left out
        one_year = levels[(positions >= 26) & (positions < 26 + 52)]
        self.assertEqual(np.bincount(one_year, minlength=11)[1:].tolist(), [7] + [5] * 9)

    def test_week_53_years_stay_aligned(self):
        # ISO weeks with a 53-week year in between: the same week number is found one week off.
        weeks = [w for year_len in (52, 53, 52) for w in range(1, year_len + 1)]
        t0 = len(weeks) - 1 - 10  # week 42 of the last year
        refs = reference_points(t0, 2, week_of_year=np.array(weeks))
        self.assertEqual([weeks[r] for r in refs], [42, 42])
        self.assertEqual(refs, [t0 - 53, t0 - 105])


class ThresholdTests(SimpleTestCase):
    def test_negative_binomial_quantile(self):
        mu, phi, alpha = 3.2, 2.5, 0.01
        size = mu / (phi - 1)
        expected = stats.nbinom.ppf(1 - alpha, size, size / (size + mu))
        self.assertEqual(nb_threshold(mu, phi, alpha), expected)
        self.assertEqual(expected, 12.0)
        # The quantile: P(Y > q) <= alpha < P(Y >= q), with variance phi * mu.
        dist = stats.nbinom(size, size / (size + mu))
        self.assertLessEqual(dist.sf(expected), alpha)
        self.assertGreater(dist.sf(expected - 1), alpha)
        self.assertAlmostEqual(dist.var(), phi * mu)

    def test_poisson_when_no_overdispersion(self):
        self.assertEqual(nb_threshold(5.0, 1.0, 0.01), stats.poisson.ppf(0.99, 5.0))
        self.assertEqual(nb_threshold(5.0, 1.0, 0.01), 11.0)

    def test_zero_mean(self):
        self.assertEqual(nb_threshold(0.0, 3.0, 0.01), 0.0)

    def test_the_special_functions_give_scipy_stats_quantile_everywhere(self):
        """nb_threshold steps on scipy.special for speed; it must equal scipy.stats' ppf."""
        rng = np.random.default_rng(21)
        mus = np.exp(rng.uniform(-5, 8, 3000))
        phis = np.where(rng.random(3000) < 0.2, 1.0, 1 + np.exp(rng.uniform(-7, 4, 3000)))
        alphas = rng.choice([0.01, 0.005, 0.05, 0.001], 3000)
        extremes = [(1e-12, 1e6, 0.5), (1e-12, 1.0, 0.5), (1e7, 1.0 + 2e-9, 1e-6)]
        for mu, phi, alpha in [*zip(mus, phis, alphas, strict=True), *extremes]:
            if phi <= 1 + 1e-9:
                expected = stats.poisson.ppf(1 - alpha, mu)
            else:
                size = mu / (phi - 1)
                expected = stats.nbinom.ppf(1 - alpha, size, size / (size + mu))
            self.assertEqual(nb_threshold(mu, phi, alpha), float(expected), (mu, phi, alpha))

    def test_score(self):
        self.assertAlmostEqual(exceedance_score(8, 4.0, 12.0), 0.5)
        self.assertGreater(exceedance_score(13, 4.0, 12.0), 1)
        self.assertIsNone(exceedance_score(None, 4.0, 12.0))


class GlmTests(SimpleTestCase):
    def test_numpy_engine_matches_statsmodels(self):
        rng = np.random.default_rng(7)
        x = np.column_stack([np.ones(120), rng.normal(size=120), rng.integers(0, 2, 120)])
        y = rng.poisson(np.exp(1 + 0.3 * x[:, 1] - 0.5 * x[:, 2])).astype(float)
        w = rng.uniform(0.2, 1.5, 120)
        a = fit_quasipoisson(x, y, w, engine="numpy")
        b = fit_quasipoisson(x, y, w, engine="statsmodels")
        np.testing.assert_allclose(a.beta, b.beta, rtol=1e-6)
        self.assertAlmostEqual(a.dispersion, b.dispersion, places=6)
        self.assertTrue(a.converged)


class DetectTests(SimpleTestCase):
    def test_constant_series_by_hand(self):
        # Five reports every week: mu0 = 5, Pearson dispersion 0 -> phi = 1 (floor), Poisson
        # 99% quantile of 5 is 11 (one look, the whole alpha; the predictive threshold is 11
        # too, the standard error of log mu0 over 35 window weeks being small). A final 20
        # alarms, a final 5 does not.
        one = Params(spans=(1,))
        quiet = detect([5] * YEARS5, params=one)
        self.assertEqual(quiet.method, FARRINGTON)
        self.assertAlmostEqual(quiet.expected, 5.0)
        self.assertEqual(quiet.phi, 1.0)
        self.assertEqual(quiet.upper, 11.0)
        self.assertFalse(quiet.alarm)
        self.assertFalse(quiet.trend_used)
        self.assertEqual(quiet.years_back_used, 5)
        spike = detect([5] * (YEARS5 - 1) + [20], params=one)
        self.assertTrue(spike.alarm)
        self.assertAlmostEqual(spike.score, (20 - 5) / (11 - 5))

    def test_poisson_series_with_and_without_spike(self):
        counts = poisson_series(4)
        quiet = detect(counts[:-1] + [4])
        self.assertEqual(quiet.method, FARRINGTON)
        self.assertAlmostEqual(quiet.expected, 4, delta=1)
        self.assertFalse(quiet.alarm)
        self.assertTrue(detect(counts[:-1] + [25]).alarm)

    def test_trend_is_used_when_clear(self):
        weeks = np.arange(YEARS5)
        counts = np.random.default_rng(4).poisson(3 * np.exp(0.004 * weeks))  # 3 rising to 10
        result = detect(counts)
        self.assertTrue(result.trend_used)
        self.assertAlmostEqual(result.expected, 3 * math.exp(0.004 * (YEARS5 - 1)), delta=1.5)
        self.assertFalse(detect(poisson_series(4)).trend_used)

    def test_trend_not_extrapolated_beyond_the_largest_count(self):
        # A smooth rise without noise: significant, but its prediction (9.9) is above every
        # baseline count (at most 9), so Farrington's rule drops the trend.
        weeks = np.arange(YEARS5)
        counts = np.round(3 * np.exp(0.004 * weeks)).astype(int)
        result = detect(counts)
        self.assertFalse(result.trend_used)
        self.assertLessEqual(result.expected, 9)

    def test_past_outbreak_is_down_weighted(self):
        counts = poisson_series(4, seed=3)
        t0 = len(counts) - 1
        for k in range(1, 4):  # an outbreak in the same weeks of each of three earlier years
            counts[t0 - 52 * k] += 30
        reweighted = detect(counts)
        plain = detect(counts, params=Params(reweight=False))
        self.assertLess(reweighted.expected, plain.expected)
        self.assertLess(reweighted.expected, 6)

    def test_minimum_count_rule_blocks_small_counts(self):
        base = [1, 0, 0] * 110  # mean 1/3 a week: Farrington, threshold 2 (one look)
        blocked = detect(base[:-4] + [0, 0, 0, 3], params=Params(spans=(1,)))
        self.assertEqual(blocked.method, FARRINGTON)
        self.assertGreater(blocked.observed, blocked.upper)
        self.assertFalse(blocked.alarm)
        self.assertIn("minimum-count rule: 3 reports in the last 4 weeks, needs 5", blocked.reason)
        allowed = detect(base[:-4] + [0, 2, 0, 3], params=Params(spans=(1,)))
        self.assertTrue(allowed.alarm)

    def test_missing_weeks_are_left_out_not_zero(self):
        gaps = [5] * YEARS5
        zeros = [5] * YEARS5
        for i in range(40, 120, 2):
            gaps[i] = None
            zeros[i] = 0
        with_gaps = detect(gaps)
        self.assertAlmostEqual(with_gaps.expected, 5.0)  # only the fives are seen
        self.assertEqual(with_gaps.baseline_weeks, detect([5] * YEARS5).baseline_weeks - 40)
        self.assertLess(detect(zeros).expected, 4.8)

    def test_missing_weeks_give_about_the_same_expectation(self):
        counts = poisson_series(6, seed=5)
        gapped = list(counts)
        for i in range(30, 200, 5):
            gapped[i] = None
        self.assertAlmostEqual(detect(gapped).expected, detect(counts).expected, delta=0.6)

    def test_judged_week_without_data(self):
        result = detect([5] * (YEARS5 - 1) + [None])
        self.assertIsNone(result.observed)
        self.assertFalse(result.alarm)
        self.assertIn("no data for the judged week", result.reason)
        self.assertAlmostEqual(result.expected, 5.0)

    def test_fewer_years_back(self):
        result = detect([5] * (3 * 52 + 10))
        self.assertEqual(result.method, FARRINGTON)
        self.assertEqual(result.years_back_used, 3)
        self.assertIn("3 of 5 years back available", result.reason)

    def test_detect_range_uses_only_the_past(self):
        counts = poisson_series(3, seed=9)
        results = detect_range(counts, 5)
        self.assertEqual([r.index for r in results], list(range(len(counts) - 5, len(counts))))
        for r in results:
            self.assertEqual(r, detect(counts[: r.index + 1]))

    def test_statsmodels_engine_agrees(self):
        counts = poisson_series(3, seed=11)
        a = detect(counts)
        b = detect(counts, params=Params(engine="statsmodels"))
        self.assertAlmostEqual(a.expected, b.expected, places=5)
        self.assertEqual(a.upper, b.upper)


class SpanTests(SimpleTestCase):
    def test_outbreak_spread_over_two_weeks_alarms_on_the_two_week_sum(self):
        # One report a week: mu0 = 1, phi = 1. With spans (1, 2) the one-week look has a
        # quarter of alpha, the two-week look the rest (plug-in threshold here, the fit taken as
        # known): one week against the Poisson(1) 99.75% quantile 5, two weeks against
        # Poisson(2)'s 99.25% quantile 6. 4 then 4: neither week alone exceeds 5, their sum 8
        # exceeds 6.
        counts = [1] * (YEARS5 - 2) + [4, 4]
        both = Params(spans=(1, 2), threshold="plugin")
        self.assertFalse(detect(counts[:-1], params=both).alarm)  # 1 + 4 = 5, not above 6
        result = detect(counts, params=both)
        self.assertTrue(result.alarm)
        self.assertEqual(result.span_weeks, 2)
        self.assertEqual(result.observed, 8)
        self.assertAlmostEqual(result.expected, 2.0)
        self.assertEqual(result.upper, stats.poisson.ppf(1 - 0.0075, 2.0))
        self.assertEqual(detect([1] * (YEARS5 - 1) + [3], params=both).upper, 5.0)
        self.assertAlmostEqual(result.score, (8 - 2) / (6 - 2))
        single = detect(counts, params=Params(spans=(1,), threshold="plugin"))
        self.assertFalse(single.alarm)
        self.assertEqual((single.span_weeks, single.observed, single.upper), (1, 4, 4.0))

    def test_one_week_spike_still_reported_as_one_week(self):
        result = detect([5] * (YEARS5 - 1) + [20], params=Params(spans=(1, 2)))
        self.assertTrue(result.alarm)
        self.assertEqual((result.span_weeks, result.observed), (1, 20))
        self.assertEqual(result.upper, stats.poisson.ppf(1 - 0.0025, 5.0))

    def test_span_over_a_week_without_data_is_skipped(self):
        counts = [1] * (YEARS5 - 2) + [None, 4]
        result = detect(counts, params=Params(spans=(1, 2)))
        self.assertEqual((result.span_weeks, result.observed), (1, 4))

    def test_bad_spans(self):
        for spans in ((), (2, 1), (0, 1), (1, 5), [1, 2], (1, True)):
            with self.assertRaises(ValueError):
                Params(spans=spans)


class FallbackTests(SimpleTestCase):
    def test_short_series_falls_back_with_reason(self):
        result = detect([2] * 60)
        self.assertEqual(result.method, FALLBACK)
        self.assertTrue(result.reason.startswith("series too short: 60 weeks, needs 108"))
        self.assertEqual(result.span_weeks, 4)
        self.assertEqual(result.observed, 8)  # the last four weeks
        self.assertAlmostEqual(result.expected, 8.0)
        self.assertEqual(result.upper, stats.poisson.ppf(0.99, 8.0))

    def test_sparse_series_falls_back(self):
        counts = poisson_series(0.1, seed=2)
        result = detect(counts)
        self.assertEqual(result.method, FALLBACK)
        self.assertTrue(result.reason.startswith("sparse series: baseline mean 0.1"))
        self.assertFalse(result.alarm)
        cluster = detect(counts[:-4] + [2, 1, 0, 3])
        self.assertTrue(cluster.alarm)
        self.assertEqual(cluster.observed, 6)

    def test_fallback_needs_a_report_in_the_judged_week(self):
        counts = poisson_series(0.1, seed=2)
        self.assertFalse(detect(counts[:-4] + [3, 2, 3, 0]).alarm)

    def test_too_short_even_for_the_fallback_is_declined(self):
        result = detect([1, 2, 3, 4, 9])
        self.assertEqual(result.method, DECLINED)
        self.assertFalse(result.alarm)
        self.assertIsNone(result.upper)
        self.assertIn("fallback declined", result.reason)


class BadInputTests(SimpleTestCase):
    def assert_rejected(self, counts, text):
        with self.assertRaises(ValueError) as caught:
            detect(counts)
        self.assertIn(text, str(caught.exception))

    def test_negative(self):
        self.assert_rejected([1, 2, -1, 3], "position 2 is negative")

    def test_not_whole(self):
        self.assert_rejected([1, 2.5, 3], "position 1 is 2.5, not a whole number")

    def test_text(self):
        self.assert_rejected([1, "3", 3], "position 1 is '3' (str)")

    def test_nan_is_not_missing(self):
        self.assert_rejected([1, 2, float("nan")], "position 2 is NaN; use None")
        self.assert_rejected(np.array([1.0, np.nan]), "position 1")

    def test_boolean(self):
        self.assert_rejected([1, True], "position 1 is a boolean")

    def test_empty(self):
        self.assert_rejected([], "empty")

    def test_whole_floats_and_arrays_are_accepted(self):
        self.assertEqual(detect([5.0] * YEARS5).expected, detect(np.full(YEARS5, 5)).expected)

    def test_bad_week_of_year(self):
        with self.assertRaises(ValueError) as caught:
            detect([1, 2, 3], week_of_year=[1, 2, 54])
        self.assertIn("position 2", str(caught.exception))

    def test_bad_params(self):
        bad = [({"alpha": 1.5}, "Params.alpha"), ({"alpha": 0.5}, "Params.alpha"),
               ({"alpha": 0}, "Params.alpha"), ({"spans": (1, 5)}, "Params.spans"),
               ({"spans": (1, 2), "window": 0}, "Params.spans")]  # fmt: skip
        for changes, named in bad:
            with self.subTest(changes=changes), self.assertRaises(ValueError) as caught:
                Params(**changes)
            self.assertIn(named, str(caught.exception))
        self.assertEqual(Params(alpha=0.49).alpha, 0.49)


# statsmodels and the modules the engine imports, made unimportable as on a runtime install
STATSMODELS_MISSING = {"statsmodels": None, "statsmodels.api": None}


class StatsmodelsEngineTests(SimpleTestCase):
    """statsmodels is a development dependency: the reference engine is refused where it is not
    installed, and the default engine never needs it."""

    def test_params_with_statsmodels_engine_names_the_missing_package(self):
        with mock.patch.dict(sys.modules, STATSMODELS_MISSING):
            with self.assertRaises(ValueError) as caught:
                Params(engine="statsmodels")
        self.assertIn("statsmodels is not installed", str(caught.exception))
        self.assertIn("pip install statsmodels", str(caught.exception))
        self.assertIn("engine='numpy'", str(caught.exception))

    def test_fit_with_statsmodels_engine_names_the_missing_package(self):
        x = np.column_stack([np.ones(10), np.arange(10.0)])
        y = np.arange(10.0)
        before = (x.copy(), y.copy())
        with mock.patch.dict(sys.modules, STATSMODELS_MISSING):
            with self.assertRaises(ValueError) as caught:
                fit_quasipoisson(x, y, engine="statsmodels")
        self.assertIn("statsmodels is not installed", str(caught.exception))
        np.testing.assert_array_equal(x, before[0])
        np.testing.assert_array_equal(y, before[1])

    def test_default_engine_works_without_statsmodels(self):
        counts = poisson_series(3, seed=11)
        expected = detect(counts)
        with mock.patch.dict(sys.modules, STATSMODELS_MISSING):
            self.assertEqual(detect(counts), expected)
            self.assertEqual(detect(counts, params=Params(engine="numpy")), expected)

    def test_unknown_engine_is_refused(self):
        with self.assertRaises(ValueError) as caught:
            Params(engine="R")
        self.assertIn("'numpy' or 'statsmodels'", str(caught.exception))
        with self.assertRaises(ValueError) as caught:
            fit_quasipoisson(np.ones((3, 1)), np.ones(3), engine="R")
        self.assertIn("unknown GLM engine 'R'", str(caught.exception))

    def test_peak_detection_does_not_import_statsmodels(self):
        # A fresh interpreter: in this one the reference tests have imported it already.
        code = (
            "import sys; from noaber.insight.peaks import Params, detect;"
            " detect([3, 1, 4, 1, 5, 9, 2, 6] * 40, params=Params());"
            " print(sorted(m for m in sys.modules if m.split('.')[0] in"
            " ('statsmodels', 'pandas', 'patsy')))"
        )
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=Path(__file__).resolve().parents[3],
            capture_output=True,
            text=True,
            check=True,
        )
        self.assertEqual(done.stdout.strip(), "[]")
