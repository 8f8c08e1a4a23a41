"""The police's monthly figures as series (issue 21, point 4): an import of 47022NED that adds a
month gets that month judged; alerts of months, marked "maandcijfers politie"; gaps and
suppressed months; detect_peaks on months and its bad input."""

import json
import tempfile
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.insight.alerts import detect_months_for
from noaber.insight.importers import IndicatorImportError, read, store
from noaber.insight.models import Alert, Indicator, Region, Status, Value
from noaber.insight.series import month_list, police_key, police_series
from noaber.insight.tasks import detect_police_months, notify_alerts

TODAY = date(2026, 12, 1)
KINDS = {
    "1.1.1 ": "1.1.1 Diefstal/inbraak woning",
    "2.2.1 ": "2.2.1 Vernieling cq. zaakbeschadiging",
}
REGIONS = {"GM1774    ": "Dinkelland", "WK177400  ": "Denekamp"}
MONTH_TITLES = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                "september", "oktober", "november", "december"]  # fmt: skip


def usual(kind: str, region: str, i: int) -> int:
    """An ordinary month: a steady pattern with a little seasonality, no outbreak."""
    base = {"1.1.1": 4, "2.2.1": 9}[kind] * (3 if region.startswith("GM") else 1)
    return base + (i % 3) - (1 if i % 12 in (5, 6) else 0)


def write_police(directory: Path, rows: dict) -> Path:
    """A 47022NED OData directory with `rows`: {(kind, region, year, month): value or None}."""
    directory.mkdir(parents=True, exist_ok=True)
    periods = sorted({(y, m) for _k, _r, y, m in rows})

    def table(items):
        return {"value": [{"Key": k, "Title": t, "Description": None} for k, t in items]}

    files = {
        "SoortMisdrijf.json": table(KINDS.items()),
        "WijkenEnBuurten.json": table(REGIONS.items()),
        "Perioden.json": {
            "value": [
                {
                    "Key": f"{y}MM{m:02d}",
                    "Title": f"{y} {MONTH_TITLES[m - 1]}",
                    "Description": None,
                    "Status": "Voorlopig",
                }
                for y, m in periods
            ]
        },  # fmt: skip
        "TypedDataSet.json": {
            "value": [
                {
                    "ID": i,
                    "SoortMisdrijf": kind,
                    "WijkenEnBuurten": region,
                    "Perioden": f"{y}MM{m:02d}",
                    "GeregistreerdeMisdrijven_1": value,
                }
                for i, ((kind, region, y, m), value) in enumerate(sorted(rows.items()))
            ]
        },  # fmt: skip
    }
    for name, document in files.items():
        (directory / name).write_text(json.dumps(document))
    return directory


def history(end=(2026, 9), n=72) -> dict:
    rows = {}
    for i, (y, m) in enumerate(month_list(end, n)):
        for kind in KINDS:
            for region in REGIONS:
                rows[(kind, region, y, m)] = usual(kind.strip(), region, i)
    return rows


@override_settings(NOABER_TODAY=TODAY)
class MonthlyImportTests(NoaberTestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        self.addCleanup(lambda: __import__("shutil").rmtree(self.tmp, ignore_errors=True))

    def load(self, rows, name="import"):
        with self.captureOnCommitCallbacks(execute=True):
            parsed, batch = read("police", write_police(self.tmp / name, rows))
            return store(parsed, batch, origin="cli")

    def run_queued(self):
        """Run the detection tasks the imports queued (the worker's job), in order."""
        summaries = []
        for queued in DBTaskResult.objects.filter(
            task_path=detect_police_months.module_path
        ).order_by("enqueued_at"):
            with self.captureOnCommitCallbacks(execute=True):
                summaries.append(detect_police_months.call(*queued.args_kwargs["args"]))
            queued.delete()
        return summaries

    def burglary_wijk(self):
        indicator = Indicator.objects.get(external_key="47022NED:1.1.1")
        return police_key(indicator.pk, Region.objects.get(code="WK177400").pk)

    def test_a_month_that_arrives_is_judged_and_a_peak_is_a_monthly_alert(self):
        first = self.load(history())
        # Six years of history: only each series' newest month is judged, not all 72.
        self.assertEqual(len(first.new_months), 4)
        self.assertEqual({tuple(m[2:]) for m in first.new_months}, {(2026, 9)})
        self.assertEqual(self.run_queued(), [0])
        self.assertFalse(Alert.objects.exists())

        october = {(k, r, 2026, 10): usual(k.strip(), r, 72) for k in KINDS for r in REGIONS}
        october[("1.1.1 ", "WK177400  ", 2026, 10)] = 19  # about 4 a month, then 19
        second = self.load(october, "oktober")
        self.assertEqual(len(second.new_months), 4)
        self.assertEqual(self.run_queued(), [1])

        alert = Alert.objects.get()
        self.assertEqual((alert.period_type, alert.year, alert.week, alert.month),
                         ("month", 2026, 10, 10))  # fmt: skip
        self.assertEqual(alert.series_key, self.burglary_wijk())
        self.assertEqual(
            alert.series_label,
            "1.1.1 Diefstal/inbraak woning in wijk Denekamp (maandcijfers politie)",
        )
        self.assertEqual((alert.observed, alert.period_label), (19, "oktober 2026"))
        self.assertGreater(alert.observed, alert.upper)
        event = AuditEvent.objects.get(object_type="alert", object_id=alert.pk)
        self.assertEqual(event.detail["month"], "2026-10")
        queued = DBTaskResult.objects.filter(task_path=notify_alerts.module_path)
        self.assertEqual(queued.count(), 1)
        self.advisor.email = "anouk@example.org"
        self.advisor.save()
        from django.core import mail

        with self.captureOnCommitCallbacks(execute=True):
            notify_alerts.call(self.dinkelland.pk, [alert.pk])
        self.assertIn("wijk Denekamp (maandcijfers politie), oktober 2026: 19", mail.outbox[0].body)

        # The same file again: nothing new, nothing judged, no second alert.
        again = self.load(october, "oktober-nogmaals")
        self.assertEqual((again.created, again.new_months), (0, []))
        self.assertEqual(self.run_queued(), [])
        detect_months_for(self.dinkelland, (2026, 10))  # even judged again by hand
        self.assertEqual(Alert.objects.count(), 1)

    def test_the_import_command_says_which_months_go_to_the_detection(self):
        path = write_police(self.tmp / "cli", history())
        out = StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("import_indicators", "police", str(path), "--dry-run", stdout=out,
                         stderr=StringIO())  # fmt: skip
        self.assertNotIn("Nieuwe maanden", out.getvalue())
        self.assertFalse(DBTaskResult.objects.filter(task_path=detect_police_months.module_path))
        with self.captureOnCommitCallbacks(execute=True):
            call_command("import_indicators", "police", str(path), stdout=out, stderr=StringIO())
        self.assertIn(
            "Nieuwe maanden voor de piekdetectie: 4 (maandcijfers politie", out.getvalue()
        )
        self.assertEqual(
            DBTaskResult.objects.filter(task_path=detect_police_months.module_path).count(), 1
        )

    def test_a_month_that_fills_a_hole_in_the_past_is_not_news(self):
        rows = history()
        del rows[("1.1.1 ", "WK177400  ", 2026, 3)]
        self.load(rows)
        self.run_queued()
        late = self.load({("1.1.1 ", "WK177400  ", 2026, 3): 30}, "maart")
        self.assertEqual((late.created, late.new_months), (1, []))

    def test_an_absent_month_is_a_gap_and_a_suppressed_month_is_none_never_zero(self):
        rows = history()
        del rows[("1.1.1 ", "WK177400  ", 2026, 2)]  # absent from the import
        rows[("1.1.1 ", "WK177400  ", 2026, 4)] = None  # suppressed by the police
        rows[("1.1.1 ", "WK177400  ", 2026, 5)] = 0  # a month without burglaries
        self.load(rows)
        self.assertEqual(
            Value.objects.get(region__code="WK177400", indicator__external_key="47022NED:1.1.1",
                              year=2026, number=4).status,
            Status.SUPPRESSED,
        )  # fmt: skip
        series = police_series(self.dinkelland, (2026, 9), keys=[self.burglary_wijk()])[0]
        at = dict(zip(series.months, series.counts, strict=True))
        self.assertIsNone(at[(2026, 2)])
        self.assertIsNone(at[(2026, 4)])
        self.assertEqual(at[(2026, 5)], 0)
        self.assertIsNone(at[(2020, 9)])  # before the first imported month: no data either
        self.assertEqual(at[(2026, 6)], usual("1.1.1", "WK", 68))

    def test_a_file_with_a_month_in_the_future_is_refused_and_nothing_is_stored(self):
        values = Value.objects.count()
        rows = {("1.1.1 ", "WK177400  ", 2027, 1): 3, ("1.1.1 ", "WK177400  ", 2026, 11): 2}
        with self.assertRaises(IndicatorImportError) as caught:
            self.load(rows)
        self.assertIn("periode 2027MM01 ligt in de toekomst", str(caught.exception))
        self.assertEqual(Value.objects.count(), values)
        self.assertFalse(DBTaskResult.objects.filter(task_path=detect_police_months.module_path))


@override_settings(NOABER_TODAY=TODAY)
class MonthlyData(NoaberTestCase):
    """Six years of burglaries in a wijk, as the import stores them, with a peak in the last
    month."""

    def setUp(self):
        self.indicator = Indicator.objects.create(
            code="politie-47022ned-1-1-1", name="Woninginbraak", group="crime", unit="count",
            source="Politie open data 47022NED", external_key="47022NED:1.1.1",
        )  # fmt: skip
        self.wijk = Region.objects.create(
            code="WK177400", name="Denekamp", kind="district", municipality=self.dinkelland
        )
        self.key = police_key(self.indicator.pk, self.wijk.pk)
        self.months = month_list((2026, 10), 72)
        self.put({m: 4 + i % 3 for i, m in enumerate(self.months)} | {(2026, 10): 19})

    def put(self, counts: dict, region=None):
        Value.objects.bulk_create(
            Value(indicator=self.indicator, region=region or self.wijk, period_type="month",
                  year=y, number=m, value=None if n is None else Decimal(n),
                  status="suppressed" if n is None else "provisional",
                  source="Politie open data 47022NED")
            for (y, m), n in counts.items()
        )  # fmt: skip

    def command(self, *args):
        out = StringIO()
        call_command("detect_peaks", "--municipality", "GM1774", *args, stdout=out)
        return out.getvalue()


class MonthlyDetectionTests(MonthlyData):
    """detect_months_for and detect_peaks on months, and their bad input."""

    def test_detect_peaks_judges_the_newest_month_with_the_week_and_names_the_source(self):
        output = self.command()
        self.assertIn("Dinkelland 2026-W48:", output)  # the weekly series, as before
        self.assertIn(
            "Dinkelland 2026-10 (maandcijfers politie): 1 reeksen (1 Farrington, 0 blokmethode, "
            "0 afgewezen), 1 pieken waarvan 1 nieuw.",
            output,
        )
        self.assertIn("  piek: Woninginbraak in wijk Denekamp (maandcijfers politie): 19", output)
        alert = Alert.objects.get()
        self.assertEqual((alert.period_type, alert.week), ("month", 10))
        only_months = self.command("--month", "2026-10")
        self.assertNotIn("W48", only_months)
        self.assertIn("1 pieken waarvan 0 nieuw", only_months)

    def test_a_month_in_the_future_is_declined_naming_the_month_and_the_rest_goes_on(self):
        other = Region.objects.create(code="WK177401", name="Ootmarsum-Oost", kind="district",
                                      municipality=self.dinkelland)  # fmt: skip
        self.put({m: 4 + i % 3 for i, m in enumerate(self.months)}, region=other)
        # Stored before the import refused such months; the newest month is then 2027-01.
        self.put({(2026, 11): 3, (2026, 12): 4, (2027, 1): 5})
        output = self.command("--verbose-series")
        for wijk in ("Denekamp", "Ootmarsum-Oost"):
            self.assertIn(
                f"  afgewezen: Woninginbraak in wijk {wijk} (maandcijfers politie): januari 2027 "
                "ligt in de toekomst: die maand kan nog niet beoordeeld worden",
                output,
            )
        self.assertIn("2 reeksen (0 Farrington, 0 blokmethode, 2 afgewezen)", output)
        self.assertIn("Dinkelland 2026-W48:", output)  # the weekly series went on
        self.assertFalse(Alert.objects.exists())
        # The month before it is judged as usual.
        self.assertIn("1 pieken waarvan 1 nieuw", self.command("--month", "2026-10"))

    def test_a_negative_count_is_declined_naming_the_month(self):
        Value.objects.filter(year=2026, number=3).update(value=Decimal(-2))
        output = self.command("--month", "2026-10", "--verbose-series")
        self.assertIn(
            "afgewezen: Woninginbraak in wijk Denekamp (maandcijfers politie): ongeldige telling "
            "in maart 2026: -2 is geen aantal (een heel getal van 0 of meer)",
            output,
        )
        self.assertFalse(Alert.objects.exists())

    def test_a_monthly_series_with_weekly_parameters_is_declined_with_the_reason(self):
        summary = detect_months_for(self.dinkelland, (2026, 10), overrides={"weeks_per_year": 52})
        self.assertEqual(summary.methods["declined"], 1)
        self.assertEqual(
            summary.declined[0][1],
            "weekparameters voor een maandreeks: 52 perioden per jaar, een maandreeks heeft er "
            "12 (gebruik de maandinstellingen)",
        )
        self.assertFalse(Alert.objects.exists())

    def test_parameters_out_of_range_decline_the_series_and_the_rest_goes_on(self):
        # A window of 5 fits in a year of weeks but not in one of months: the weekly series
        # are judged, the monthly one is declined with the parameter named.
        output = self.command("--parameter", "window=5", "--verbose-series")
        self.assertIn(
            "afgewezen: Woninginbraak in wijk Denekamp (maandcijfers politie): parameters window "
            "en levels: het venster en de andere seizoensniveaus passen niet in een jaar",
            output,
        )
        self.assertIn("Dinkelland 2026-W48:", output)
        output = self.command("--parameter", "alpha=0.7", "--month", "2026-10", "--verbose-series")
        self.assertIn("parameter alpha moet tussen 0 en 0,5 liggen (0,01 is gebruikelijk)", output)
        output = self.command("--parameter", "exclude_recent=11", "--month", "2026-10",
                              "--verbose-series")  # fmt: skip
        self.assertIn("parameter exclude_recent = 11 past niet bij maanden", output)
        self.assertFalse(Alert.objects.exists())  # nothing stored by any of them
        with self.assertRaisesMessage(CommandError, "Onbekende parameter 'venster=3'"):
            self.command("--parameter", "venster=3")
        with self.assertRaisesMessage(CommandError, "JJJJ-MM"):
            self.command("--month", "2026-13")

    def test_an_alert_is_unique_per_period_kind_and_old_alerts_are_weekly(self):
        weekly = Alert.objects.create(
            municipality=self.dinkelland, series_key=self.key, series_label="x", year=2026,
            week=10, observed=9, expected=2.0, upper=6.0, score=2.0, method="farrington",
        )  # fmt: skip
        self.assertEqual(weekly.period_type, "week")
        detect_months_for(self.dinkelland, (2026, 10))
        self.assertEqual(Alert.objects.filter(period_type="month").count(), 1)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Alert.objects.create(
                municipality=self.dinkelland, series_key=self.key, series_label="x",
                period_type="month", year=2026, week=10, observed=9, expected=2.0, upper=6.0,
                score=2.0, method="farrington",
            )  # fmt: skip


class MonthlyAlertPageTests(MonthlyData):
    def setUp(self):
        super().setUp()
        detect_months_for(self.dinkelland, (2026, 10))
        self.alert = Alert.objects.get()
        Alert.objects.create(
            municipality=self.dinkelland, series_key="report-theme:1", series_label="Meldingen",
            year=2026, week=40, observed=20, expected=3.4, upper=9.0, score=3.2,
            method="farrington",
        )  # fmt: skip

    def test_the_list_shows_the_month_and_the_source_and_filters_on_it(self):
        self.sign_in(self.advisor)
        url = reverse("insight:alerts", args=["GM1774"])
        page = self.client.get(url)
        self.assertContains(page, '<td class="utrecht-table__cell">oktober 2026</td>', html=True)
        self.assertContains(page, "Woninginbraak in wijk Denekamp (maandcijfers politie)")
        self.assertContains(page, "week 40 van 2026")
        police = self.client.get(url, {"bron": "politie"})
        self.assertContains(police, "oktober 2026")
        self.assertNotContains(police, "week 40 van 2026")
        bad = self.client.get(url, {"bron": "cbs"})
        self.assertContains(bad, "Kies een bron uit de lijst.", status_code=400)

    def test_the_alert_page_says_month_and_source_with_the_months_in_a_table(self):
        self.sign_in(self.management)
        page = self.client.get(reverse("insight:alert", args=["GM1774", self.alert.pk]))
        self.assertContains(
            page, "Woninginbraak in wijk Denekamp (maandcijfers politie), oktober 2026"
        )
        self.assertContains(page, "maandcijfers politie</span>")
        self.assertContains(page, "De laatste twaalf maanden")
        self.assertContains(page, "<th class=\"utrecht-table__header-cell\" scope=\"row\">"
                                  "oktober 2026</th>", html=True)  # fmt: skip
        self.assertContains(page, "<svg")
        self.assertNotContains(page, "week 10")

    def test_an_advisor_of_another_municipality_does_not_see_it(self):
        self.sign_in(self.advisor_tubbergen)
        response = self.client.get(reverse("insight:alert", args=["GM0183", self.alert.pk]))
        self.assertEqual(response.status_code, 404)
        listing = self.client.get(reverse("insight:alerts", args=["GM0183"]))
        self.assertNotContains(listing, "Denekamp")

    def test_the_explanation_of_a_monthly_alert_counts_months(self):
        self.alert.notes = [{"code": "too_short", "weeks": 20, "needed": 26}]
        self.alert.save(update_fields=["notes"])
        self.assertEqual(self.alert.explanation, "te kort: 20 maanden gegevens, er zijn 26 nodig")
        self.alert.notes = [{"code": "min_count", "total": 3, "weeks": 1, "needed": 5}]
        self.assertEqual(
            self.alert.explanation,
            "geen piek bij zo weinig misdrijven: 3 in de maand zelf, minstens 5 nodig",
        )
