"""The GeoPackage reader, the coordinate conversion, and the BAG and area imports."""

import random
import sqlite3
import struct
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import SimpleTestCase

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.intake import fixtures
from noaber.intake.areas import AreaImportError, import_areas
from noaber.intake.bag import BagImportError, import_bag
from noaber.intake.geo import contains
from noaber.intake.models import Address, Area, Boundary, Category, Outline, Report
from noaber.lib import gpkg
from noaber.lib.geo import PreparedShape, rd_to_wgs84, wgs84_to_rd


class GeometryTests(SimpleTestCase):
    def test_rd_and_wgs84_convert_both_ways_within_a_metre(self):
        self.assertEqual(rd_to_wgs84(155000, 463000), (5.38720621, 52.1551744))
        for lon, lat in [(7.005, 52.377), (4.8936, 52.3731), (6.0, 53.2)]:
            x, y = wgs84_to_rd(lon, lat)
            back = rd_to_wgs84(x, y)
            self.assertAlmostEqual(back[0], lon, places=5)
            self.assertAlmostEqual(back[1], lat, places=5)

    def test_prepared_shapes_agree_with_plain_ray_casting(self):
        rng = random.Random(18)
        ring = [[6.76, 52.32], [6.77, 52.28], [6.88, 52.29], [6.9, 52.33], [7.07, 52.39],
                [6.93, 52.45], [6.86, 52.41], [6.76, 52.32]]  # fmt: skip
        hole = [[6.85, 52.33], [6.87, 52.33], [6.87, 52.35], [6.85, 52.35], [6.85, 52.33]]
        geometry = {"type": "Polygon", "coordinates": [ring, hole]}
        shape = PreparedShape(geometry)
        for _ in range(2000):
            lon, lat = rng.uniform(6.7, 7.1), rng.uniform(52.25, 52.5)
            self.assertEqual(shape.contains(lon, lat), contains(geometry, lon, lat), (lon, lat))

    def test_geopackage_geometries_with_z_envelope_and_big_endian_are_read(self):
        wkb = struct.pack(">BIddd", 0, 1001, 1.5, 2.5, 9.0)  # big-endian ISO POINT Z
        header = b"GP" + struct.pack("<BBi", 0, 0b00000011, 28992) + struct.pack("<4d", 0, 0, 0, 0)
        self.assertEqual(
            gpkg.parse_geometry(header + wkb), {"type": "Point", "coordinates": [1.5, 2.5]}
        )
        with self.assertRaises(gpkg.GeoPackageError):
            gpkg.parse_geometry(b"XX" + wkb)


class ImportTestCase(NoaberTestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())

    def bag_file(self, addresses, name="bag.gpkg") -> Path:
        path = self.tmp / name
        fixtures.write_bag(path, [fixtures.bag_row(*a) for a in addresses])
        return path


class BagImportTests(ImportTestCase):
    def test_the_fixture_imports_with_municipalities_from_the_outlines_and_a_progress_bar(self):
        out = StringIO()
        call_command("import_bag", str(fixtures.BAG_FILE), stdout=out)
        self.assertIn(f"[{'#' * 30}] 18/18", out.getvalue())
        self.assertRegex(out.getvalue(), r"18 adressen geïmporteerd .* rijen/s")
        address = Address.objects.get(bag_id="1774010000000003")
        self.assertEqual(
            (address.street, address.house_number, address.addition_key, address.municipality_code),
            ("Hoofdweg", 12, "A", "GM1774"),
        )
        self.assertEqual(Address.objects.get(postcode="1012JS").municipality_name, "Amsterdam")
        self.assertTrue(AuditEvent.objects.filter(object_type="address_register").exists())

    def test_importing_again_changes_nothing_and_a_newer_file_removes_what_is_gone(self):
        import_bag(fixtures.BAG_FILE)
        first = dict(Address.objects.values_list("bag_id", "pk"))
        import_bag(fixtures.BAG_FILE)
        self.assertEqual(dict(Address.objects.values_list("bag_id", "pk")), first)
        moved = [list(a) for a in fixtures.ADDRESSES if a[0] != "1774010000000011"]
        moved[0][1] = "Hoofdweg (nieuw)"
        result = import_bag(self.bag_file(moved))
        self.assertEqual(result.removed, 1)
        self.assertFalse(Address.objects.filter(bag_id="1774010000000011").exists())
        self.assertEqual(Address.objects.get(bag_id=moved[0][0]).street, "Hoofdweg (nieuw)")

    def test_rows_without_postcode_or_outside_every_outline_are_skipped_and_counted(self):
        rows = [
            ("1774010000000001", "Hoofdweg", 10, "", "", "", "Denekamp", 7.002, 52.377),
            ("0000010000000001", "Straat", 1, "", "", "9999AA", "Ergens", 3.5, 51.0),
            fixtures.ADDRESSES[1],
        ]
        result = import_bag(self.bag_file(rows))
        self.assertEqual((result.imported, result.skipped_incomplete, result.skipped_outside),
                         (1, 1, 1))  # fmt: skip

    def test_a_file_that_is_not_a_bag_geopackage_is_refused_and_nothing_changes(self):
        import_bag(fixtures.BAG_FILE)
        not_sqlite = self.tmp / "adressen.gpkg"
        not_sqlite.write_text("identificatie;postcode\n1;7591AB\n")
        wrong_columns = self.tmp / "kolommen.gpkg"
        gpkg.write_layer(
            wrong_columns, "verblijfsobject", {"identificatie": "TEXT"},
            [("1", {"type": "Point", "coordinates": [265000, 489000]})], geometry_type="POINT",
        )  # fmt: skip
        cases = [
            (self.tmp / "ontbreekt.gpkg", "bestaat niet"),
            (not_sqlite, "geen GeoPackage"),
            (wrong_columns, "mist de kolom(men) openbare_ruimte_naam"),
            (fixtures.AREAS_FILE, "laag 'verblijfsobject' ontbreekt; het bestand heeft"),
        ]
        before = list(Address.objects.order_by("pk").values_list("pk", "street", "batch"))
        for path, message in cases:
            with self.subTest(path=path.name):
                with self.assertRaises(CommandError) as caught:
                    call_command("import_bag", str(path), stdout=StringIO())
                self.assertIn(message, str(caught.exception))
        after = list(Address.objects.order_by("pk").values_list("pk", "street", "batch"))
        self.assertEqual(after, before)

    def test_a_postcode_range_keeps_the_import_to_a_region(self):
        out = StringIO()
        call_command("import_bag", str(fixtures.BAG_FILE), "--postcodes", "7500-7699", stdout=out)
        self.assertIn("17 adressen geïmporteerd", out.getvalue())
        self.assertFalse(Address.objects.filter(postcode="1012JS").exists())
        # A later import of part of the range removes nothing outside that part.
        call_command("import_bag", str(fixtures.BAG_FILE), "--postcodes", "7590-7599", stdout=out)
        self.assertEqual(Address.objects.count(), 17)

    def test_bad_options_are_refused_with_dutch_messages_and_nothing_is_imported(self):
        cases = [
            (["--postcodes", "7500"], "twee keer vier cijfers"),
            (["--column", "straat"], "schrijf NAAM=KOLOM"),
            (["--column", "straat=naam"], "onbekende kolom(men): straat"),
            (["--column", "openbare_ruimte_naam=straat"], "mist de kolom(men) straat"),
        ]
        for arguments, message in cases:
            with self.subTest(arguments=arguments):
                with self.assertRaises(CommandError) as caught:
                    call_command(
                        "import_bag", str(fixtures.BAG_FILE), *arguments, stdout=StringIO()
                    )
                self.assertIn(message, str(caught.exception))
        self.assertEqual(Address.objects.count(), 0)

    def test_without_municipal_outlines_the_import_says_to_load_them_first(self):
        Outline.objects.all().delete()
        with self.assertRaisesMessage(BagImportError, "importeer die eerst"):
            import_bag(fixtures.BAG_FILE)
        self.assertEqual(Address.objects.count(), 0)


class AreaImportTests(ImportTestCase):
    def test_reference_data_gave_the_existing_areas_polygons_and_kept_their_ids(self):
        ootmarsum = Area.objects.get(municipality=self.dinkelland, name="Ootmarsum")
        self.assertEqual(ootmarsum.geometry["type"], "Polygon")
        self.assertEqual(Outline.objects.get(cbs_code="GM0141").name, "Almelo")
        self.assertEqual(
            Boundary.objects.get(municipality=self.dinkelland).source, "fictief (demo)"
        )
        # A report that points to an area keeps pointing to it through a new import.
        report = Report.objects.create(
            municipality=self.dinkelland,
            category=Category.objects.first(),
            source="anonymous",
            channel="web",
            description="x",
            area=ootmarsum,
        )
        result = import_areas(fixtures.AREAS_FILE, source="CBS 2025")
        self.assertEqual(result.created, [])
        report.refresh_from_db()
        self.assertEqual(report.area_id, ootmarsum.pk)
        ootmarsum.refresh_from_db()
        self.assertEqual(ootmarsum.source, "CBS 2025")

    def test_a_new_kern_gets_an_area_and_a_file_of_other_municipalities_changes_nothing(self):
        path = self.tmp / "gebieden.gpkg"
        square = {"type": "Polygon", "coordinates": [[[265000, 489000], [265500, 489000],
                  [265500, 489500], [265000, 489500], [265000, 489000]]]}  # fmt: skip
        gpkg.write_layer(path, "gemeenten", {"gemeentecode": "TEXT", "gemeentenaam": "TEXT"},
                         [("GM1774", "Dinkelland", square)], geometry_type="POLYGON")  # fmt: skip
        gpkg.write_layer(path, "kernen", {"kernnaam": "TEXT", "gemeentecode": "TEXT"},
                         [("Nieuwdorp", "GM1774", square)], geometry_type="POLYGON")  # fmt: skip
        result = import_areas(path)
        self.assertEqual(result.created, ["GM1774:Nieuwdorp"])
        self.assertEqual(Area.objects.get(name="Nieuwdorp").kind, "kern")
        other = self.tmp / "elders.gpkg"
        gpkg.write_layer(other, "gemeenten", {"gemeentecode": "TEXT", "gemeentenaam": "TEXT"},
                         [("GM0363", "Amsterdam", square)], geometry_type="POLYGON")  # fmt: skip
        before = Outline.objects.get(cbs_code="GM0363").geometry
        with self.assertRaisesMessage(AreaImportError, "wordt hier bediend"):
            import_areas(other, kernen_layer="")
        self.assertEqual(Outline.objects.get(cbs_code="GM0363").geometry, before)

    def test_a_layer_with_points_or_an_unknown_reference_system_is_refused(self):
        points = self.tmp / "punten.gpkg"
        gpkg.write_layer(points, "gemeenten", {"gemeentecode": "TEXT", "gemeentenaam": "TEXT"},
                         [("GM1774", "Dinkelland", {"type": "Point", "coordinates": [1, 2]})],
                         geometry_type="POINT")  # fmt: skip
        with self.assertRaisesMessage(CommandError, "(multi)polygoon"):
            call_command("import_areas", str(points), stdout=StringIO())
        lambert = self.tmp / "lambert.gpkg"
        gpkg.write_layer(lambert, "gemeenten", {"gemeentecode": "TEXT", "gemeentenaam": "TEXT"},
                         [], geometry_type="POLYGON", srs=(3035, "LAEA", "x"))  # fmt: skip
        with self.assertRaisesMessage(CommandError, "EPSG:3035"):
            call_command("import_areas", str(lambert), stdout=StringIO())
        connection = sqlite3.connect(lambert)
        self.assertEqual(connection.execute("PRAGMA application_id").fetchone()[0], 0x47504B47)

    def test_a_file_of_kernen_alone_imports_with_an_empty_municipalities_layer(self):
        path = self.tmp / "kernen.gpkg"
        square = {"type": "Polygon", "coordinates": [[[265000, 489000], [265500, 489000],
                  [265500, 489500], [265000, 489500], [265000, 489000]]]}  # fmt: skip
        gpkg.write_layer(path, "kernen", {"kernnaam": "TEXT", "gemeentecode": "TEXT"},
                         [("Denekamp", "GM1774", square)], geometry_type="POLYGON")  # fmt: skip
        boundary = Boundary.objects.get(municipality=self.dinkelland).geometry
        out = StringIO()
        call_command("import_areas", str(path), "--municipalities-layer", "", stdout=out)
        self.assertIn("0 gemeentegrenzen", out.getvalue())
        self.assertEqual(Area.objects.get(name="Denekamp").source, "kernen.gpkg")
        self.assertEqual(Boundary.objects.get(municipality=self.dinkelland).geometry, boundary)
