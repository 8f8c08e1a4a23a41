from django.test import SimpleTestCase

from noaber.lib.colour import (
    contrast_ratio,
    mix,
    parse,
    primary_shades,
    relative_luminance,
)


class ContrastTests(SimpleTestCase):
    def test_black_on_white_is_21_to_1_and_a_colour_on_itself_1_to_1(self):
        self.assertAlmostEqual(contrast_ratio("#000000", "#ffffff"), 21.0)
        self.assertAlmostEqual(contrast_ratio("#1f6f43", "#1f6f43"), 1.0)

    def test_contrast_is_the_same_both_ways(self):
        self.assertAlmostEqual(
            contrast_ratio("#ffffff", "#8a1f3d"), contrast_ratio("#8a1f3d", "#ffffff")
        )

    def test_known_values_from_the_wcag_examples(self):
        # #767676 is the lightest grey that passes 4.5:1 on white; #777777 just fails.
        self.assertGreaterEqual(contrast_ratio("#767676", "#ffffff"), 4.5)
        self.assertLess(contrast_ratio("#777777", "#ffffff"), 4.5)
        self.assertAlmostEqual(relative_luminance("#ffffff"), 1.0)
        self.assertAlmostEqual(relative_luminance("#000000"), 0.0)
        # The sRGB curve's linear part (channel <= 0.04045) and the power part.
        self.assertAlmostEqual(relative_luminance("#0a0a0a"), 10 / 255 / 12.92, places=6)
        self.assertAlmostEqual(relative_luminance("#808080"), 0.2158605, places=6)

    def test_anything_but_rrggbb_is_refused(self):
        for bad in ("fff", "#fff", "#gggggg", "rgb(0,0,0)", "", None, "#1f6f43 "):
            with self.subTest(bad=bad), self.assertRaises(ValueError):
                parse(bad)

    def test_shades_run_from_light_to_dark_around_the_colour(self):
        shades = primary_shades("#1f6f43")
        self.assertEqual(shades["500"], "#1f6f43")
        luminance = [relative_luminance(shades[k]) for k in ("50", "100", "200", "300", "500")]
        self.assertEqual(luminance, sorted(luminance, reverse=True))
        self.assertLess(relative_luminance(shades["700"]), relative_luminance(shades["600"]))
        self.assertEqual(mix("#000000", "#ffffff", 0.5), "#808080")
