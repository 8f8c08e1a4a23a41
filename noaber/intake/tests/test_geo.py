import json
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command

from noaber.accounts.tests.base import NoaberTestCase
from noaber.intake.geo import contains
from noaber.intake.models import Boundary

SQUARE_WITH_HOLE = {
    "type": "Polygon",
    "coordinates": [
        [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
        [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]],
    ],
}


class PointInPolygonTests(NoaberTestCase):
    def test_points_inside_outside_and_in_a_hole(self):
        self.assertTrue(contains(SQUARE_WITH_HOLE, 2, 2))
        self.assertFalse(contains(SQUARE_WITH_HOLE, 11, 2))
        self.assertFalse(contains(SQUARE_WITH_HOLE, 5, 5))  # the hole (an enclave)

    def test_multipolygons_count_every_part(self):
        multi = {
            "type": "MultiPolygon",
            "coordinates": [
                [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]],
                [[[5, 5], [6, 5], [6, 6], [5, 6], [5, 5]]],
            ],
        }
        self.assertTrue(contains(multi, 5.5, 5.5))
        self.assertFalse(contains(multi, 3, 3))


class ImportBoundariesTests(NoaberTestCase):
    def write(self, data) -> Path:
        handle = tempfile.NamedTemporaryFile("w", suffix=".geojson", delete=False)
        json.dump(data, handle)
        handle.close()
        return Path(handle.name)

    def test_a_feature_collection_replaces_the_boundary(self):
        path = self.write(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"statcode": "GM1774"},
                        "geometry": SQUARE_WITH_HOLE,
                    },
                    {
                        "type": "Feature",
                        "properties": {"statcode": "GM0363"},
                        "geometry": SQUARE_WITH_HOLE,
                    },
                ],
            }
        )
        out = StringIO()
        call_command("import_boundaries", str(path), "--source", "test", stdout=out)
        self.assertIn("GM1774", out.getvalue())
        self.assertEqual(
            Boundary.objects.get(municipality=self.dinkelland).geometry, SQUARE_WITH_HOLE
        )

    def test_a_bad_geometry_imports_nothing(self):
        before = Boundary.objects.get(municipality=self.dinkelland).geometry
        path = self.write(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"statcode": "GM0183"},
                        "geometry": SQUARE_WITH_HOLE,
                    },
                    {
                        "type": "Feature",
                        "properties": {"statcode": "GM1774"},
                        "geometry": {"type": "Point", "coordinates": [1, 2]},
                    },
                ],
            }
        )
        with self.assertRaisesMessage(CommandError, "feature 2 (GM1774)"):
            call_command("import_boundaries", str(path), stdout=StringIO())
        self.assertEqual(Boundary.objects.get(municipality=self.dinkelland).geometry, before)
        self.assertNotEqual(
            Boundary.objects.get(municipality=self.tubbergen).geometry, SQUARE_WITH_HOLE
        )

    def test_a_file_that_is_not_geojson_is_refused(self):
        path = self.write({"hello": "world"})
        with self.assertRaisesMessage(CommandError, "FeatureCollection"):
            call_command("import_boundaries", str(path), stdout=StringIO())


class MapGeometryTests(NoaberTestCase):
    """The public form's map draws from Noaber's own boundary data: the outline (and the
    kernen where they have geometry) as GeoJSON, nothing about reports."""

    def test_the_outline_is_served_as_geojson_and_nothing_else(self):
        from django.urls import reverse

        response = self.client.get(reverse("intake:map_geometry", args=["GM1774"]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/geo+json")
        self.assertIn("max-age=3600", response["Cache-Control"])
        data = response.json()
        self.assertEqual(data["type"], "FeatureCollection")
        outline = [f for f in data["features"] if f["properties"]["kind"] == "gemeente"]
        self.assertEqual(len(outline), 1)
        self.assertEqual(outline[0]["properties"]["name"], "Dinkelland")
        self.assertIn(outline[0]["geometry"]["type"], ("Polygon", "MultiPolygon"))
        for feature in data["features"]:
            self.assertEqual(set(feature["properties"]), {"kind", "name", "area"})

    def test_an_unknown_municipality_is_404(self):
        from django.urls import reverse

        response = self.client.get(reverse("intake:map_geometry", args=["GM9999"]))
        self.assertEqual(response.status_code, 404)

    def test_the_report_form_offers_the_map_without_any_tile_host(self):
        from django.urls import reverse

        response = self.client.get(reverse("intake:report", args=["GM1774"]))
        self.assertContains(response, 'data-noaber-map="pick"')
        self.assertContains(response, "/melden/GM1774/kaart.geojson")
        self.assertContains(response, 'id="id_latitude"')  # the fields remain without JS
        self.assertNotIn("tiles", response["Content-Security-Policy"])
