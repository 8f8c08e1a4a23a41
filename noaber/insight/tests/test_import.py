"""Indicator imports (issue 7): CBS 83648NED as OData JSON and as CSV, police 47022NED and the
local template. Every bad input shows a Dutch error with its row number and stores nothing."""

import json
import shutil
import tempfile
from decimal import Decimal
from io import StringIO
from pathlib import Path
from unittest import mock

from django.core.management import CommandError, call_command

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.insight.importers import IndicatorImportError, monthly_total, read, store
from noaber.insight.importers.odata import ODataSource
from noaber.insight.models import ImportBatch, Indicator, Period, Region, Status, Value

FIXTURES = Path(__file__).parent / "fixtures"
CBS_DIR = FIXTURES / "cbs-83648"
CBS_CSV = FIXTURES / "cbs-83648.csv"
POLICE_DIR = FIXTURES / "police-47022"
LOCAL_CSV = FIXTURES / "lokale-cijfers.csv"
LOCAL_HEADER = "indicator;gemeente;periode;waarde;status;bron;toelichting\n"


def run_import(kind, path, **options):
    parsed, batch = read(kind, path, **options)
    return store(parsed, batch)


class ImportTestCase(NoaberTestCase):
    def tmp(self) -> Path:
        directory = Path(tempfile.mkdtemp(prefix="noaber-import-"))
        self.addCleanup(shutil.rmtree, directory, ignore_errors=True)
        return directory

    def copy_dir(self, source: Path) -> Path:
        target = self.tmp() / source.name
        shutil.copytree(source, target)
        return target

    def edit_json(self, path: Path, change) -> None:
        document = json.loads(path.read_text(encoding="utf-8"))
        change(document["value"])
        path.write_text(json.dumps(document), encoding="utf-8")

    def write(self, text: str, name="cijfers.csv") -> Path:
        path = self.tmp() / name
        path.write_text(text, encoding="utf-8")
        return path

    def counts(self):
        return (
            Value.objects.count(),
            ImportBatch.objects.count(),
            Indicator.objects.count(),
            Region.objects.count(),
        )

    def value(self, indicator, region, year, number=0, period_type=Period.YEAR) -> Value:
        return Value.objects.get(
            indicator__code=indicator,
            region__code=region,
            period_type=period_type,
            year=year,
            number=number,
        )

    def assert_refused(self, kind, path, *expected, **options):
        """The import fails with each expected (row number, message) and stores nothing."""
        before = self.counts()
        with self.assertRaises(IndicatorImportError) as caught:
            run_import(kind, path, **options)
        for row_number, message in expected:
            self.assertTrue(
                any(n == row_number and message in m for n, m in caught.exception.errors),
                f"no error ({row_number}, {message!r}) in {caught.exception.errors}",
            )
        self.assertEqual(self.counts(), before)
        return caught.exception.errors


class CbsJsonImportTests(ImportTestCase):
    def test_cbs_import_reads_both_pages_and_stores_the_registered_crimes(self):
        result = run_import("cbs", CBS_DIR)
        self.assertEqual(result.rows, 252)
        # the plan's baseline already held crime_property and crime_violence for Dinkelland 2023
        self.assertEqual((result.created, result.updated, result.unchanged), (250, 2, 0))
        total = self.value("crime_total", "GM1774", 2023)
        self.assertEqual(total.value, Decimal("495"))
        self.assertEqual(total.status, Status.DEFINITIVE)
        self.assertEqual(total.source, "CBS StatLine 83648NED")
        self.assertEqual(total.batch, result.batch)
        self.assertEqual(self.value("crime_total", "GM1774", 2024).status, Status.PROVISIONAL)
        self.assertEqual(self.value("crime_total", "NL01", 2023).value, Decimal("803190"))
        # from the second page
        self.assertEqual(self.value("crime_drugs", "GM0173", 2023).value, Decimal("59"))

    def test_null_is_stored_as_suppressed_never_as_zero(self):
        run_import("cbs", CBS_DIR)
        drugs = self.value("crime_drugs", "GM0183", 2019)
        self.assertIsNone(drugs.value)
        self.assertEqual(drugs.status, Status.SUPPRESSED)

    def test_province_and_unknown_soort_misdrijf_are_added(self):
        result = run_import("cbs", CBS_DIR)
        province = Region.objects.get(code="PV23")
        self.assertEqual((province.name, province.kind), ("Overijssel", Region.Kind.PROVINCE))
        theft = Indicator.objects.get(code="cbs-83648ned-cri1100")
        self.assertEqual(theft.name, "1.1 Diefstal/verduistering en inbraak")
        self.assertEqual(theft.external_key, "83648NED:CRI1100")
        self.assertEqual((theft.group, theft.unit), ("crime", "count"))
        self.assertEqual(result.new_indicators, ["cbs-83648ned-cri1100"])
        self.assertEqual(self.value("cbs-83648ned-cri1100", "GM1774", 2023).value, 163)

    def test_import_keeps_the_note_of_a_baseline_value(self):
        run_import("cbs", CBS_DIR)
        property_crime = self.value("crime_property", "GM1774", 2023)
        self.assertEqual(property_crime.value, Decimal("215"))
        self.assertIn("200 tot 230", property_crime.note)

    def test_second_import_of_the_same_files_changes_nothing(self):
        run_import("cbs", CBS_DIR)
        values = list(Value.objects.values_list("pk", "value", "status", "source", "batch"))
        result = run_import("cbs", CBS_DIR)
        self.assertEqual((result.created, result.updated, result.unchanged), (0, 0, 252))
        self.assertEqual(
            list(Value.objects.values_list("pk", "value", "status", "source", "batch")), values
        )

    def test_import_is_audited_with_counts_and_hash(self):
        result = run_import("cbs", CBS_DIR)
        event = AuditEvent.objects.get(object_type="indicator_import")
        self.assertEqual(event.object_id, str(result.batch.pk))
        self.assertEqual(event.detail["created"], 250)
        self.assertEqual(event.detail["kind"], "cbs")
        self.assertEqual(len(event.detail["sha256"]), 64)
        self.assertEqual(result.batch.sha256, event.detail["sha256"])

    def test_skip_unknown_regions_skips_a_municipality_outside_noaber(self):
        directory = self.copy_dir(CBS_DIR)
        self.edit_json(
            directory / "TypedDataSet-2.json", lambda rows: rows[0].update(RegioS="GM0363")
        )
        self.assert_refused("cbs", directory, (151, "gemeente GM0363 bestaat niet in Noaber"))
        result = run_import("cbs", directory, skip_unknown_regions=True)
        self.assertEqual((result.rows, result.skipped), (251, 1))
        self.assertFalse(Value.objects.filter(region__code="GM0363").exists())

    def test_missing_next_page_is_refused(self):
        directory = self.copy_dir(CBS_DIR)
        (directory / "TypedDataSet-2.json").unlink()
        self.assert_refused("cbs", directory, (None, "Pagina 2 ontbreekt: TypedDataSet-2.json"))

    def test_police_files_given_as_cbs_are_refused_naming_the_table(self):
        errors = self.assert_refused("cbs", POLICE_DIR, (None, "niet de tabel CBS 83648NED"))
        self.assertIn("TotaalGeregistreerdeMisdrijven_1", errors[0][1])

    def test_missing_measure_column_is_refused_naming_the_table(self):
        directory = self.copy_dir(CBS_DIR)
        self.edit_json(
            directory / "TypedDataSet.json",
            lambda rows: [row.pop("TotaalGeregistreerdeMisdrijven_1") for row in rows],
        )
        self.assert_refused("cbs", directory, (None, "niet de tabel CBS 83648NED"))

    def test_malformed_json_is_refused_naming_the_file(self):
        directory = self.copy_dir(CBS_DIR)
        (directory / "TypedDataSet-2.json").write_text('{"value": [{"ID": 150,', "utf-8")
        self.assert_refused("cbs", directory, (None, "TypedDataSet-2.json is geen geldige JSON"))

    def test_missing_dimension_table_is_refused(self):
        directory = self.copy_dir(CBS_DIR)
        (directory / "RegioS.json").unlink()
        self.assert_refused("cbs", directory, (None, "RegioS.json ontbreekt"))

    def test_keys_outside_the_dimension_tables_are_row_errors(self):
        directory = self.copy_dir(CBS_DIR)

        def change(rows):
            rows[2]["RegioS"] = "GM9999"
            rows[3]["Perioden"] = "2030JJ00"
            rows[4]["SoortMisdrijf"] = "CRI9999"

        self.edit_json(directory / "TypedDataSet.json", change)
        self.assert_refused(
            "cbs",
            directory,
            (3, "gebied GM9999 staat niet in RegioS.json"),
            (4, "periode 2030JJ00 staat niet in Perioden.json"),
            (5, "soort misdrijf CRI9999 staat niet in SoortMisdrijf.json"),
        )

    def test_a_quarter_is_not_supported(self):
        directory = self.copy_dir(CBS_DIR)
        self.edit_json(
            directory / "TypedDataSet.json", lambda rows: rows[0].update(Perioden="2024KW01")
        )
        self.assert_refused("cbs", directory, (1, "periode 2024KW01 wordt niet ondersteund"))

    def test_values_that_are_not_numbers_are_row_errors(self):
        directory = self.copy_dir(CBS_DIR)

        def change(rows):
            rows[0]["TotaalGeregistreerdeMisdrijven_1"] = "12a"
            rows[1]["TotaalGeregistreerdeMisdrijven_1"] = True
            rows[2]["TotaalGeregistreerdeMisdrijven_1"] = -4
            rows[3]["TotaalGeregistreerdeMisdrijven_1"] = 12.5

        self.edit_json(directory / "TypedDataSet.json", change)
        self.assert_refused(
            "cbs",
            directory,
            (1, 'waarde "12a" is geen getal'),
            (2, "waarde true is geen getal"),
            (3, "waarde -4 is negatief"),
            (4, "een aantal moet een geheel getal zijn"),
        )

    def test_the_same_figure_twice_is_a_row_error(self):
        directory = self.copy_dir(CBS_DIR)
        self.edit_json(
            directory / "TypedDataSet-2.json",
            lambda rows: rows.append(dict(rows[0], ID=999)),
        )
        self.assert_refused("cbs", directory, (253, "als rij 151"))

    def test_a_non_http_source_is_refused_without_touching_the_network(self):
        with self.assertRaises(IndicatorImportError) as caught:
            read("cbs", url="file:///etc/passwd")
        self.assertIn("http- of https-URL", caught.exception.errors[0][1])


class CbsCsvImportTests(ImportTestCase):
    def test_cbs_csv_import_stores_the_registered_crimes(self):
        result = run_import("cbs-csv", CBS_CSV)
        self.assertEqual(result.rows, 24)
        self.assertEqual(self.value("crime_total", "NL01", 2023).value, Decimal("803190"))
        total = self.value("crime_total", "GM1774", 2022)
        self.assertEqual((total.value, total.status), (Decimal("488"), Status.DEFINITIVE))
        drugs = self.value("crime_drugs", "GM0183", 2023)
        self.assertEqual((drugs.value, drugs.status), (None, Status.SUPPRESSED))
        theft = Indicator.objects.get(external_key="83648NED:CRI1100")
        self.assertEqual(theft.name, "CBS 83648NED CRI1100")

    def test_second_csv_import_changes_nothing(self):
        run_import("cbs-csv", CBS_CSV)
        before = Value.objects.count()
        result = run_import("cbs-csv", CBS_CSV)
        self.assertEqual((result.created, result.updated, result.unchanged), (0, 0, 24))
        self.assertEqual(Value.objects.count(), before)

    def test_csv_and_json_of_the_same_figures_agree(self):
        run_import("cbs-csv", CBS_CSV)
        result = run_import("cbs", CBS_DIR)
        # the JSON marks 2024 as provisional and has more rows; the 2022-2023 figures agree
        self.assertEqual(self.value("crime_total", "GM0183", 2023).value, Decimal("402"))
        self.assertGreater(result.unchanged, 0)

    def test_a_csv_of_another_table_is_refused_naming_the_table(self):
        path = self.write(
            '"ID";"SoortMisdrijf";"WijkenEnBuurten";"Perioden";"GeregistreerdeMisdrijven_1"\n'
            '0;"0.0.0 ";"GM1774    ";"2025MM09";"41"\n'
        )
        self.assert_refused("cbs-csv", path, (None, "niet de CSV van CBS 83648NED"))

    def test_a_row_with_the_wrong_number_of_columns_is_refused(self):
        lines = CBS_CSV.read_text(encoding="utf-8").splitlines()
        lines[2] = lines[2].rsplit(";", 1)[0]
        path = self.write("\n".join(lines) + "\n")
        self.assert_refused("cbs-csv", path, (3, "verwacht 10 kolommen, gevonden 9"))

    def test_csv_row_errors_carry_the_line_number(self):
        lines = CBS_CSV.read_text(encoding="utf-8").splitlines()
        lines[1] = lines[1].replace('"  811640"', '"     12a"')
        lines[2] = lines[2].replace('"2022JJ00"', '"2022KW04"')
        lines[3] = lines[3].replace('"NL01  "', '"GM0363"')
        path = self.write("\n".join(lines) + "\n")
        self.assert_refused(
            "cbs-csv",
            path,
            (2, 'waarde "12a" is geen getal'),
            (3, "periode 2022KW04 wordt niet ondersteund"),
            (4, "gemeente GM0363 bestaat niet in Noaber"),
        )

    def test_unterminated_quote_is_refused(self):
        text = CBS_CSV.read_text(encoding="utf-8") + '"24";"T001161;"GM1774";"2021JJ00";"452"\n'
        self.assert_refused("cbs-csv", self.write(text), (26, "geen geldige CSV"))


class PoliceImportTests(ImportTestCase):
    def test_police_import_stores_each_row_at_its_own_region(self):
        result = run_import("police", POLICE_DIR)
        self.assertEqual(result.rows, 45)
        month = {"period_type": Period.MONTH, "year": 2025}
        total = self.value("crime_total", "GM1774", number=9, **month)
        self.assertEqual((total.value, total.status), (Decimal("41"), Status.PROVISIONAL))
        self.assertEqual(total.source, "Politie open data 47022NED")
        self.assertEqual(
            self.value("crime_total", "GM1774", number=7, **month).status, Status.DEFINITIVE
        )
        district = Region.objects.get(code="WK177400")
        self.assertEqual(
            (district.name, district.kind, district.municipality),
            ("Denekamp", Region.Kind.DISTRICT, self.dinkelland),
        )
        buurt = Region.objects.get(code="BU17740001")
        self.assertEqual(buurt.kind, Region.Kind.NEIGHBOURHOOD)
        self.assertEqual(buurt.municipality, self.dinkelland)
        self.assertEqual(self.value("crime_total", "BU17740000", number=9, **month).value, 6)

    def test_police_codes_become_indicators_and_the_total_is_crime_total(self):
        result = run_import("police", POLICE_DIR)
        self.assertEqual(
            result.new_indicators, ["politie-47022ned-1-1-1", "politie-47022ned-2-2-1"]
        )
        burglary = Indicator.objects.get(code="politie-47022ned-1-1-1")
        self.assertEqual(burglary.name, "1.1.1 Diefstal/inbraak woning")
        self.assertEqual(burglary.external_key, "47022NED:1.1.1")
        self.assertFalse(Indicator.objects.filter(external_key="47022NED:0.0.0").exists())

    def test_suppressed_police_figures_are_null(self):
        run_import("police", POLICE_DIR)
        value = self.value(
            "politie-47022ned-1-1-1", "BU17740001", 2025, 8, period_type=Period.MONTH
        )
        self.assertEqual((value.value, value.status), (None, Status.SUPPRESSED))

    def test_second_police_import_changes_nothing(self):
        run_import("police", POLICE_DIR)
        before = self.counts()
        result = run_import("police", POLICE_DIR)
        self.assertEqual((result.created, result.updated, result.unchanged), (0, 0, 45))
        self.assertEqual(self.counts()[0], before[0])

    def test_a_municipality_figure_is_its_own_row_not_the_sum_of_its_buurten(self):
        directory = self.copy_dir(POLICE_DIR)
        rows = [
            ("GM1774    ", 10),
            ("WK177400  ", 10),
            ("BU17740000", 6),
            ("BU17740001", 4),
        ]
        document = {
            "value": [
                {
                    "ID": n,
                    "SoortMisdrijf": "0.0.0 ",
                    "WijkenEnBuurten": region,
                    "Perioden": "2025MM09",
                    "GeregistreerdeMisdrijven_1": count,
                }
                for n, (region, count) in enumerate(rows)
            ]
        }
        (directory / "TypedDataSet.json").write_text(json.dumps(document), encoding="utf-8")
        run_import("police", directory)
        crime_total = Indicator.objects.get(code="crime_total")
        dinkelland = Region.objects.get(code="GM1774")
        self.assertEqual(monthly_total(crime_total, dinkelland, 2025, 9), 10)
        self.assertEqual(monthly_total(crime_total, dinkelland, 2025, 8), None)
        buurten = Value.objects.filter(
            indicator=crime_total, region__kind=Region.Kind.NEIGHBOURHOOD, year=2025
        )
        self.assertEqual(sorted(v.value for v in buurten), [4, 6])

    def test_a_wijk_of_a_municipality_outside_noaber_is_refused(self):
        directory = self.copy_dir(POLICE_DIR)
        self.edit_json(
            directory / "WijkenEnBuurten.json",
            lambda rows: rows.append({"Key": "WK036300  ", "Title": "Burgwallen-Oude Zijde"}),
        )
        self.edit_json(
            directory / "TypedDataSet.json",
            lambda rows: rows[4].update(WijkenEnBuurten="WK036300  "),
        )
        self.assert_refused(
            "police", directory, (5, "gebied WK036300: gemeente GM0363 bestaat niet in Noaber")
        )

    def test_cbs_files_given_as_police_are_refused_naming_the_table(self):
        self.assert_refused("police", CBS_DIR, (None, "niet de tabel politie open data 47022NED"))


class LocalImportTests(ImportTestCase):
    def test_local_template_import_stores_each_kind_of_period(self):
        result = run_import("local", LOCAL_CSV)
        self.assertEqual(result.rows, 10)
        warnings = self.value("enforcement_warnings", "GM1774", 2023)
        self.assertEqual(warnings.value, 220)
        self.assertEqual(warnings.source, "Team Toezicht en Handhaving")
        fire = self.value("fire_callouts", "GM1774", 2024, 9, period_type=Period.MONTH)
        self.assertEqual(fire.value, 14)
        nuisance = self.value("nuisance_reports", "GM0168", 2024, 5, period_type=Period.WEEK)
        self.assertEqual(nuisance.value, 6)
        self.assertEqual(self.value("halt_referrals", "GM0183", 2024).value, 9)
        observations = self.value("enforcement_observations", "GM1774", 2024)
        self.assertEqual(observations.status, Status.PROVISIONAL)
        self.assertEqual(observations.note, "Tot en met november")
        noise = self.value("horeca_noise", "GM1774", 2024)
        self.assertEqual((noise.value, noise.status), (None, Status.SUPPRESSED))
        self.assertEqual(self.value("survey_feels_safe", "GM1774", 2024).value, Decimal("93.5"))
        self.assertEqual(self.value("survey_liveability", "GM0173", 2024).value, Decimal("7.9"))
        # an empty bron takes the indicator's source
        self.assertEqual(self.value("event_permits", "GM1774", 2024).source, "Gemeente")

    def test_second_local_import_changes_nothing(self):
        run_import("local", LOCAL_CSV)
        result = run_import("local", LOCAL_CSV)
        self.assertEqual((result.created, result.updated, result.unchanged), (0, 0, 10))

    def test_the_shipped_template_imports(self):
        template = Path(__file__).resolve().parents[3] / "data/templates/lokale-cijfers.csv"
        self.assertEqual(run_import("local", template).rows, 6)

    def test_bad_local_rows_are_refused_with_their_row_number(self):
        cases = [
            ("onbekend;GM1774;2023;1;definitief;;", "indicator onbekend bestaat niet"),
            ("fire_callouts;GM0363;2023;1;definitief;;", "gemeente GM0363 bestaat niet in Noaber"),
            ("fire_callouts;Enschede;2023;1;definitief;;", "gemeente ENSCHEDE bestaat niet"),
            ("fire_callouts;GM1774;2023-13;1;definitief;;", "geen geldige maand"),
            ("fire_callouts;GM1774;2023-W53;1;definitief;;", "2023 heeft geen week 53"),
            ("fire_callouts;GM1774;23;1;definitief;;", "periode 23 is onbekend"),
            ("fire_callouts;GM1774;2023;veel;definitief;;", 'waarde "veel" is geen getal'),
            ("fire_callouts;GM1774;2023;1.234,5;definitief;;", "is geen getal"),
            ("fire_callouts;GM1774;2023;-3;definitief;;", "waarde -3 is negatief"),
            ("fire_callouts;GM1774;2023;12,5;definitief;;", "een aantal moet een geheel getal"),
            ("fire_callouts;GM1774;2023;12;geheim;;", "status geheim hoort bij een lege waarde"),
            ("fire_callouts;GM1774;2023;;definitief;;", "waarde ontbreekt"),
            ("fire_callouts;GM1774;2023;12;zeker;;", "status zeker is onbekend"),
            ("survey_feels_safe;GM1774;2023;101;definitief;;", "niet meer dan 100"),
            ("fire_callouts;GM1774;2023;12;definitief", "verwacht 7 kolommen, gevonden 5"),
        ]
        good = "fire_callouts;GM1774;2022;130;definitief;;\n"
        for line, message in cases:
            with self.subTest(line=line):
                self.assert_refused(
                    "local", self.write(LOCAL_HEADER + good + line + "\n"), (3, message)
                )

    def test_all_row_errors_are_reported_at_once(self):
        text = LOCAL_HEADER + "".join(
            f"fire_callouts;GM1774;{year};x;definitief;;\n" for year in range(2000, 2060)
        )
        errors = self.assert_refused("local", self.write(text))
        self.assertEqual(len(errors), 60)
        self.assertEqual(errors[-1][0], 61)

    def test_wrong_header_is_refused(self):
        path = self.write("indicator,gemeente,periode,waarde\nfire_callouts,GM1774,2023,1\n")
        self.assert_refused("local", path, (None, "De kopregel moet zijn: indicator;gemeente"))

    def test_an_empty_file_is_refused(self):
        self.assert_refused("local", self.write(LOCAL_HEADER), (None, "geen rijen"))

    def test_a_file_that_is_not_utf8_is_refused(self):
        path = self.tmp() / "cp1252.csv"
        path.write_bytes(
            (LOCAL_HEADER + "fire_callouts;GM1774;2023;1;definitief;Enquête;\n").encode("cp1252")
        )
        self.assert_refused("local", path, (None, "geen UTF-8"))


class ImportCommandTests(ImportTestCase):
    def call(self, *args):
        out, err = StringIO(), StringIO()
        call_command("import_indicators", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_command_imports_and_prints_a_dutch_summary(self):
        out, err = self.call("cbs", str(CBS_DIR))
        self.assertIn("252 rijen: 250 nieuw, 2 gewijzigd, 0 ongewijzigd, 0 overgeslagen", out)
        self.assertIn("Nieuwe indicatoren: cbs-83648ned-cri1100", out)
        self.assertIn("opslaan", err)
        self.assertIn("252/252", err)
        out, _err = self.call("cbs", str(CBS_DIR))
        self.assertIn("252 rijen: 0 nieuw, 0 gewijzigd, 252 ongewijzigd, 0 overgeslagen", out)
        self.assertEqual(ImportBatch.objects.count(), 2)

    def test_dry_run_counts_but_stores_nothing(self):
        before = self.counts()
        out, _err = self.call("police", str(POLICE_DIR), "--dry-run")
        self.assertIn("45 rijen: 45 nieuw", out)
        self.assertIn("er is niets opgeslagen", out)
        self.assertEqual(self.counts(), before)
        self.assertFalse(AuditEvent.objects.filter(object_type="indicator_import").exists())

    def test_command_skips_unknown_regions_when_asked(self):
        lines = CBS_CSV.read_text(encoding="utf-8").splitlines()
        lines[1] = lines[1].replace('"NL01  "', '"GM0363"')
        path = self.write("\n".join(lines) + "\n", "cbs.csv")
        out, _err = self.call("cbs-csv", str(path), "--skip-unknown-regions")
        self.assertIn("24 rijen: 22 nieuw, 1 gewijzigd, 0 ongewijzigd, 1 overgeslagen", out)

    def test_command_lists_row_errors_and_stores_nothing(self):
        text = LOCAL_HEADER + "".join(
            f"fire_callouts;GM1774;{year};x;definitief;;\n" for year in range(1950, 2010)
        )
        before = self.counts()
        err = StringIO()
        with self.assertRaisesMessage(CommandError, "60 fouten; er is niets opgeslagen"):
            call_command("import_indicators", "local", str(self.write(text)), stderr=err)
        self.assertIn('rij 2: waarde "x" is geen getal', err.getvalue())
        self.assertIn("rij 51:", err.getvalue())
        self.assertNotIn("rij 52:", err.getvalue())
        self.assertIn("en nog 10 fouten", err.getvalue())
        self.assertEqual(self.counts(), before)

    def test_command_refuses_a_file_level_error(self):
        with self.assertRaisesMessage(CommandError, "1 fout; er is niets opgeslagen"):
            self.call("cbs", str(POLICE_DIR))

    def test_command_needs_a_path_or_a_source(self):
        with self.assertRaisesMessage(CommandError, "PATH of --source"):
            self.call("cbs")
        with self.assertRaisesMessage(CommandError, "bestaat niet"):
            self.call("local", "/nonexistent/cijfers.csv")


class CbsUrlImportTests(ImportTestCase):
    def test_a_url_source_follows_odata_next_link(self):
        """No network in tests: the transport is replaced by the fixture files, keyed by the
        URL the importer asks for."""
        base = "https://opendata.cbs.nl/ODataApi/odata/83648NED"
        asked = []

        def fetch(source, url, label):
            asked.append(url)
            name = url.removeprefix(base + "/").split("?")[0]
            if name == "TypedDataSet":
                name = "TypedDataSet-2" if "$skip=150" in url else "TypedDataSet"
            return (CBS_DIR / f"{name}.json").read_bytes()

        with mock.patch.object(ODataSource, "_fetch", fetch):
            parsed, batch = read("cbs", url=base)
        self.assertEqual(len(parsed.rows), 252)
        self.assertEqual(batch.file_name, base)
        self.assertIn(f"{base}/TypedDataSet?$format=json&$top=10000&$skip=0", asked)
        self.assertIn(f"{base}/TypedDataSet?$format=json&$skip=150", asked)

    def test_a_url_is_refused_for_a_csv_kind(self):
        with self.assertRaises(IndicatorImportError):
            read("local", url="https://example.org/cijfers.csv")
