import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from django.test import SimpleTestCase, override_settings
from django.utils import translation

from noaber.lib.charts import bar_chart, comparison_chart, format_number, line_chart

SVG = "{http://www.w3.org/2000/svg}"
COORDINATE = re.compile(r"-?\d+(\.\d)?")


def parse(svg):
    return ET.fromstring(str(svg))


def texts(root):
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def series(label, values, emphasis=False):
    years = [str(year) for year in range(2015, 2015 + len(values))]
    return {"label": label, "points": list(zip(years, values, strict=True)), "emphasis": emphasis}


class LineChartTests(SimpleTestCase):
    def chart(self, **kwargs):
        options = {"title": "Woninginbraken", "description": "Per jaar, 2015-2020"} | kwargs
        data = [series("Dinkelland", [12, 15, None, 18, 22.5, 19], emphasis=True)]
        data.append(series("Tubbergen", [None, 9, 10, None, 9, 7]))
        return line_chart(data, **options)

    def test_svg_is_an_image_named_by_its_title_and_description(self):
        root = parse(self.chart())
        self.assertEqual(root.tag, f"{SVG}svg")
        self.assertEqual(root.get("role"), "img")
        title_id, desc_id = root.get("aria-labelledby").split()
        self.assertEqual(root.find(f"{SVG}title").get("id"), title_id)
        self.assertEqual(root.find(f"{SVG}title").text, "Woninginbraken")
        self.assertEqual(root.find(f"{SVG}desc").get("id"), desc_id)
        self.assertEqual(root.find(f"{SVG}desc").text, "Per jaar, 2015-2020")

    def test_two_charts_with_the_same_title_get_different_ids(self):
        first, second = parse(self.chart()), parse(self.chart())
        self.assertNotEqual(first.get("aria-labelledby"), second.get("aria-labelledby"))
        self.assertEqual(
            parse(self.chart(id_prefix="inbraak")).get("aria-labelledby"),
            "inbraak-title inbraak-desc",
        )

    def test_labels_are_escaped(self):
        data = [series("<script>alert(1)</script> & co", [1, 2])]
        svg = line_chart(data, title="A <b> & B", description="<i>")
        self.assertNotIn("<script>", svg)
        self.assertNotIn("<b>", svg)
        root = parse(svg)
        self.assertIn("<script>alert(1)</script> & co", texts(root))
        self.assertEqual(root.find(f"{SVG}title").text, "A <b> & B")

    def test_a_missing_value_draws_no_point_and_breaks_the_line(self):
        root = parse(self.chart())
        self.assertEqual(len(root.findall(f".//{SVG}circle")), 5 + 4)
        paths = [p.get("d") for p in root.iter(f"{SVG}path")]
        self.assertEqual(paths[1].count("M"), 2)  # Dinkelland, drawn last: 2015-2016, 2018-2020

    def test_coordinates_use_a_dot_under_the_dutch_locale(self):
        with translation.override("nl"), override_settings(USE_THOUSAND_SEPARATOR=True):
            svg = self.chart(reference={"label": "Nederland", "value": 14.35}, height=301)
        root = parse(svg)
        for element in root.iter():
            for name in ("x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height"):
                if element.get(name) is not None:
                    self.assertRegex(element.get(name), COORDINATE, (element.tag, name))
        for path in root.iter(f"{SVG}path"):
            self.assertNotIn(",", path.get("d"))
        self.assertRegex(root.get("viewBox"), r"^0 0 \d+ \d+$")
        self.assertIn("Nederland: 14,4", texts(root))  # text a reader sees is Dutch

    def test_the_y_axis_reaches_beyond_the_largest_value(self):
        data = [series("A", [3, 47.2, 12]), series("B", [None, 5, 51.5])]
        root = parse(line_chart(data, title="t", description="d"))
        ticks = [t.get("y") for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
        labels = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
        values = [float(label.replace(".", "").replace(",", ".")) for label in labels]
        self.assertEqual(values[0], 0)
        self.assertGreaterEqual(max(values), 51.5)
        top_tick = min(float(y) for y in ticks) - 4
        for circle in root.iter(f"{SVG}circle"):
            self.assertGreaterEqual(float(circle.get("cy")), top_tick)

    def test_many_x_labels_are_thinned_out_but_the_latest_is_shown(self):
        values = list(range(60))
        root = parse(line_chart([series("A", values)], title="t", description="d"))
        x_labels = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "middle"]
        self.assertLess(len(x_labels), 30)
        self.assertEqual(x_labels[-1], "2074")

    def test_series_differ_in_dash_pattern_as_well_as_colour(self):
        data = [series(str(i), [1, 2]) for i in range(5)]
        root = parse(line_chart(data, title="t", description="d"))
        paths = list(root.iter(f"{SVG}path"))
        self.assertEqual(len({p.get("stroke-dasharray") for p in paths}), 5)
        self.assertEqual(len({p.get("stroke") for p in paths}), 5)

    def test_years_as_numbers_and_decimal_values_are_accepted(self):
        data = [{"label": "A", "points": [(2023, Decimal("8.45")), (2024, None)]}]
        root = parse(
            line_chart(
                data, title="t", description="d", reference={"label": "NL", "value": Decimal("7")}
            )
        )
        self.assertIn("2024", texts(root))
        self.assertEqual(root.find(f".//{SVG}circle/{SVG}title").text, "A, 2023: 8,5")

    def test_a_chart_without_values_says_so(self):
        root = parse(line_chart([series("A", [None, None])], title="t", description="d"))
        self.assertIn("Geen gegevens", texts(root))
        self.assertEqual(root.findall(f".//{SVG}circle"), [])


class BarChartTests(SimpleTestCase):
    def test_a_secret_value_shows_a_text_and_no_bar(self):
        bars = [("Woninginbraak", 1234.5), ("Fietsdiefstal", None, "geheim"), ("Geweld", None)]
        root = parse(bar_chart(bars, title="Misdrijven", description="2024", unit="per jaar"))
        labels = texts(root)
        self.assertIn("geheim", labels)
        self.assertIn("onbekend", labels)
        self.assertIn("1.234,5 per jaar", labels)
        self.assertEqual(len(root.findall(f".//{SVG}rect")), 1)
        self.assertEqual(root.get("role"), "img")

    def test_missing_text_can_be_chosen_for_the_whole_chart(self):
        root = parse(bar_chart([("A", None)], title="t", description="d", missing="geheim"))
        self.assertIn("geheim", texts(root))

    def test_long_labels_are_wrapped_and_escaped(self):
        label = "Een heel lange omschrijving van een indicator met <tekens> & meer woorden erachter"
        svg = bar_chart([(label, 3)], title="t", description="d")
        self.assertNotIn("<tekens>", svg)
        self.assertGreater(len(parse(svg).findall(f".//{SVG}tspan")), 1)


class ComparisonChartTests(SimpleTestCase):
    def test_each_indicator_gets_two_captioned_bars(self):
        rows = [("Woninginbraak", 120, 80), ("Overlast (%) <&>", 23.4, None)]
        svg = comparison_chart(rows, title="t", description="d", label_a="2019", label_b="2024")
        root = parse(svg)
        labels = texts(root)
        self.assertEqual(len(root.findall(f".//{SVG}rect")), 3)
        self.assertEqual(labels.count("2019"), 2)
        self.assertIn("Overlast (%) <&>", labels)
        self.assertIn("23,4", labels)
        self.assertIn("onbekend", labels)

    def test_under_the_dutch_locale_coordinates_keep_a_dot(self):
        with translation.override("nl"), override_settings(USE_THOUSAND_SEPARATOR=True):
            svg = comparison_chart(
                [("A", 1.25, 3333.3)], title="t", description="d", label_a="begin", label_b="eind"
            )
        for rect in parse(svg).iter(f"{SVG}rect"):
            self.assertRegex(rect.get("width"), COORDINATE)


class FormatNumberTests(SimpleTestCase):
    def test_numbers_are_written_the_dutch_way(self):
        self.assertEqual(format_number(12345), "12.345")
        self.assertEqual(format_number(8.4, 1), "8,4")
        self.assertEqual(format_number(8.45, 1), "8,5")
        self.assertEqual(format_number(-1234567.891, 2), "-1.234.567,89")
        self.assertEqual(format_number(-0.01, 1), "0,0")
        self.assertEqual(format_number(None), "—")
        self.assertEqual(format_number(float("nan")), "—")
