"""The Farrington model's own fit (issue 21, point 3): one mean per seasonal level plus a
trend, solved through its block structure, must be the general GLM's fit — coefficients,
means, dispersion, covariance and hat values — and statsmodels' (the reference engine)."""

import numpy as np
from django.test import SimpleTestCase

from noaber.insight.peaks import fit_quasipoisson
from noaber.insight.peaks.glm import LevelDesign, fit_levels


def level_data(seed, n=260, levels=10, slope=0.08):
    rng = np.random.default_rng(seed)
    group = np.sort(rng.integers(0, levels, n))
    group[:levels] = np.arange(levels)
    group.sort()
    time = (np.arange(n) - n) / 52.0
    mu = np.exp(rng.normal(1.0, 0.8, levels))[group] * np.exp(slope * time)
    y = rng.negative_binomial(mu / 1.5, 1 / 2.5).astype(float)
    for level in range(levels):  # every level has a count (the method leaves empty ones out)
        if y[group == level].sum() == 0:
            y[np.argmax(group == level)] = 1.0
    return group, time, y, rng.uniform(0.1, 1.0, n)


class LevelFitTests(SimpleTestCase):
    def assert_same_fit(self, a, b, rtol=1e-5):
        np.testing.assert_allclose(a.beta, b.beta, rtol=rtol, atol=1e-7)
        np.testing.assert_allclose(a.mu, b.mu, rtol=rtol)
        np.testing.assert_allclose(a.cov_unscaled, b.cov_unscaled, rtol=rtol, atol=1e-10)
        np.testing.assert_allclose(a.hat, b.hat, rtol=rtol, atol=1e-10)
        self.assertAlmostEqual(a.dispersion, b.dispersion, delta=rtol * max(1.0, a.dispersion))
        self.assertEqual(a.df_resid, b.df_resid)

    def test_same_fit_as_the_general_solver(self):
        for seed in range(40):
            group, time, y, w = level_data(seed, levels=1 + seed % 10)
            for t in (None, time):
                design = LevelDesign(group, t)
                general = fit_quasipoisson(design.matrix(), y, w)
                levels = fit_levels(group, y, w, t)
                self.assertTrue(general.converged and levels.converged)
                self.assert_same_fit(general, levels)
                # A start at the answer changes nothing; one far off converges to it too.
                self.assert_same_fit(general, fit_levels(group, y, w, t, start=general.beta))
                far = np.full(len(general.beta), 3.0)
                self.assert_same_fit(general, fit_levels(group, y, w, t, start=far))

    def test_same_fit_as_statsmodels(self):
        group, time, y, w = level_data(11)
        design = LevelDesign(group, time)
        reference = design.fit(y, w, engine="statsmodels")
        self.assert_same_fit(reference, design.fit(y, w), rtol=1e-5)

    def test_no_trend_is_the_weighted_mean_per_level(self):
        group = np.array([0, 0, 0, 1, 1])
        y = np.array([1.0, 2.0, 6.0, 4.0, 0.0])
        w = np.array([1.0, 1.0, 2.0, 1.0, 3.0])
        fit = fit_levels(group, y, w)
        np.testing.assert_allclose(np.exp(fit.beta), [15 / 4, 4 / 4])
        # (X'WX)^-1 is diagonal: 1 / sum of w mu per level; hat = w mu / that sum.
        np.testing.assert_allclose(np.diag(fit.cov_unscaled), [1 / 15, 1 / 4])
        np.testing.assert_allclose(fit.hat, w * fit.mu / np.array([15, 15, 15, 4, 4]))

    def test_a_level_without_counts_goes_to_the_general_solver(self):
        group, time, y, w = level_data(3, levels=4)
        y[group == 2] = 0.0
        design = LevelDesign(group, time)
        general = fit_quasipoisson(design.matrix(), y, w)
        self.assert_same_fit(general, fit_levels(group, y, w, time))

    def test_a_slope_the_levels_absorb_goes_to_the_general_solver(self):
        # Time constant within each level: the slope is not identified apart from the means.
        group = np.repeat(np.arange(3), 20)
        time = group.astype(float)
        y = np.random.default_rng(2).poisson(4, 60).astype(float)
        fit = fit_levels(group, y, None, time)
        general = fit_quasipoisson(LevelDesign(group, time).matrix(), y)
        np.testing.assert_allclose(fit.mu, general.mu, rtol=1e-6)
