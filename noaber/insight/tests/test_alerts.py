"""Peak alerts: from weekly register counts to an alert the advisors act on."""

from datetime import date
from io import StringIO

from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.insight.alerts import detect_for
from noaber.insight.models import Alert, RegisterCount
from noaber.insight.series import register_series, week_list
from noaber.insight.tasks import notify_alerts
from noaber.partners.tests.factories import make_case
from noaber.themes.models import Theme

END = (2026, 40)


def fill(municipality, theme, counts_by_week):
    RegisterCount.objects.bulk_create(
        RegisterCount(municipality=municipality, kind="report", theme=theme, area=None,
                      year=y, week=w, month=date.fromisocalendar(y, w, 4).month, count=n)
        for (y, w), n in counts_by_week.items() if n
    )  # fmt: skip


class AlertTests(NoaberTestCase):
    def setUp(self):
        self.theme = Theme.objects.get(code="1.1", municipality__isnull=True)
        weeks = week_list(END)
        # Five-plus years of 3 or 4 reports a week, then 20 in the week judged.
        counts = {w: 3 + (i % 2) for i, w in enumerate(weeks)}
        counts[END] = 20
        fill(self.dinkelland, self.theme, counts)
        self.advisor.email = "anouk@example.org"
        self.advisor.save()

    def test_a_peak_becomes_one_alert_with_an_audit_event_and_a_mail(self):
        with self.captureOnCommitCallbacks(execute=True):
            summary = detect_for(self.dinkelland, END, refresh=False)
        alert = Alert.objects.get(series_key=f"report-theme:{self.theme.pk}")
        self.assertEqual((alert.year, alert.week, alert.observed), (2026, 40, 20))
        self.assertLess(alert.expected, 5)
        self.assertGreater(alert.observed, alert.upper)
        self.assertIn(alert, summary.new)
        self.assertTrue(AuditEvent.objects.filter(object_type="alert", object_id=alert.pk))
        queued = DBTaskResult.objects.filter(task_path=notify_alerts.module_path)
        self.assertEqual(queued.count(), 1)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(notify_alerts.call(self.dinkelland.pk, [alert.pk]), 1)
        self.assertIn("Meldingen, thema 1.1", mail.outbox[0].body)
        # Judging the same week again adds nothing.
        again = detect_for(self.dinkelland, END, refresh=False)
        self.assertEqual((len(again.alerts), len(again.new)), (1, 0))

    def test_an_ordinary_week_gives_no_alert(self):
        detect_for(self.dinkelland, (2026, 39), refresh=False)
        self.assertFalse(Alert.objects.exists())

    def test_weeks_before_the_first_registration_have_no_data_and_later_empty_weeks_are_zero(self):
        RegisterCount.objects.all().delete()
        fill(self.tubbergen, self.theme, {(2025, 10): 2, (2025, 12): 1})
        series = register_series(self.tubbergen, END)[0]
        index = {w: i for i, w in enumerate(series.weeks)}
        self.assertIsNone(series.counts[index[(2025, 9)]])
        self.assertEqual(series.counts[index[(2025, 10)]], 2)
        self.assertEqual(series.counts[index[(2025, 11)]], 0)

    def test_a_short_series_is_said_to_be_too_short_and_not_alarmed_on_its_own(self):
        RegisterCount.objects.all().delete()
        fill(self.tubbergen, self.theme, {(2026, w): 1 for w in range(30, 41)})
        summary = detect_for(self.tubbergen, END, refresh=False)
        self.assertEqual(summary.series, 1)
        self.assertEqual(summary.methods["farrington"], 0)
        self.assertFalse(Alert.objects.exists())

    def test_the_command_reports_per_municipality_and_refuses_bad_input(self):
        out = StringIO()
        call_command("detect_peaks", "--municipality", "GM1774", "--week", "2026-W40", stdout=out)
        self.assertIn("Dinkelland 2026-W40", out.getvalue())
        with self.assertRaisesMessage(CommandError, "JJJJ-Www"):
            call_command("detect_peaks", "--week", "2026-40", stdout=StringIO())
        with self.assertRaisesMessage(CommandError, "Onbekende gemeente"):
            call_command("detect_peaks", "--municipality", "GM9999", stdout=StringIO())


class AlertPageTests(NoaberTestCase):
    def setUp(self):
        self.alert = Alert.objects.create(
            municipality=self.dinkelland, series_key="report-theme:1", series_label="Meldingen",
            year=2026, week=40, observed=20, expected=3.4, upper=9.0, score=3.2,
            method="farrington",
        )  # fmt: skip
        self.url = reverse("insight:alert_handle", args=["GM1774", self.alert.pk])

    def test_an_advisor_acknowledges_with_a_note_or_links_a_case(self):
        self.sign_in(self.advisor)
        response = self.client.post(self.url, {"note": "Besproken met wijkagent."})
        self.assertEqual(response.status_code, 302)
        self.alert.refresh_from_db()
        self.assertEqual(
            (self.alert.state, self.alert.note), ("acknowledged", "Besproken met wijkagent.")
        )
        case = make_case(self.dinkelland, self.advisor)
        self.client.post(self.url, {"note": "", "case": case.pk})
        self.alert.refresh_from_db()
        self.assertEqual((self.alert.state, self.alert.case), ("linked", case))

    def test_handling_without_note_or_case_is_refused_and_changes_nothing(self):
        self.sign_in(self.advisor)
        response = self.client.post(self.url, {"note": "  "})
        self.assertContains(response, "Schrijf wat u met deze piek doet")
        other = make_case(self.tubbergen, self.advisor)
        response = self.client.post(self.url, {"case": other.pk})
        self.assertContains(response, "Selecteer een geldige keuze")
        self.alert.refresh_from_db()
        self.assertEqual(self.alert.state, "new")

    def test_management_sees_the_alert_but_does_not_handle_it(self):
        self.sign_in(self.management)
        page = self.client.get(reverse("insight:alert", args=["GM1774", self.alert.pk]))
        self.assertContains(page, "Meldingen, week 40 van 2026")
        self.assertNotContains(page, "Afhandelen")
        self.assertEqual(self.client.post(self.url, {"note": "x"}).status_code, 403)

    def test_an_alert_of_another_municipality_is_a_404(self):
        self.sign_in(self.advisor_tubbergen)
        response = self.client.get(reverse("insight:alert", args=["GM0183", self.alert.pk]))
        self.assertEqual(response.status_code, 404)


class BadCountTests(NoaberTestCase):
    def test_a_series_with_a_bad_count_is_declined_with_its_reason_and_the_rest_goes_on(self):
        from unittest import mock

        from noaber.insight.series import Series

        weeks = week_list(END)
        good = Series("report-theme:1", "Goed", weeks, [3] * len(weeks))
        bad = Series("report-theme:2", "Fout", weeks, [3] * (len(weeks) - 1) + [-1])
        with mock.patch("noaber.insight.alerts.register_series", return_value=[bad, good]):
            summary = detect_for(self.dinkelland, END, refresh=False)
        self.assertEqual(summary.series, 2)
        self.assertEqual(summary.methods["farrington"], 1)
        self.assertEqual(
            summary.declined[0],
            ("Fout", "ongeldige telling in week 40 van 2026: -1 is geen aantal (een heel getal "
             "van 0 of meer)"),
        )  # fmt: skip
