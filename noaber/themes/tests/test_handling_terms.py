"""Handling terms, working days and the holiday calendar (docs/meldpunt.md, "Termijnen")."""

from datetime import date

from django.test import SimpleTestCase, override_settings
from django.urls import reverse

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.cases.actions import open_case
from noaber.cases.models import CaseType
from noaber.lib.workdays import add_working_days, dutch_public_holidays, easter_sunday
from noaber.registry.tests.helpers import make_report, make_signal
from noaber.themes.models import HandlingTerm, Holiday, TermKind
from noaber.themes.terms import holidays_for

FRIDAY_BEFORE_CHRISTMAS = date(2026, 12, 18)


class WorkingDayTests(SimpleTestCase):
    def test_easter_follows_the_standard_algorithm(self):
        self.assertEqual(
            [easter_sunday(y) for y in (2025, 2026, 2027, 2028, 2038)],
            [date(2025, 4, 20), date(2026, 4, 5), date(2027, 3, 28), date(2028, 4, 16),
             date(2038, 4, 25)],
        )  # fmt: skip

    def test_koningsdag_moves_to_the_26th_when_the_27th_is_a_sunday(self):
        days = dict((name, day) for day, name in dutch_public_holidays(2025))
        self.assertEqual(days["Koningsdag"], date(2025, 4, 26))
        days = dict((name, day) for day, name in dutch_public_holidays(2026))
        self.assertEqual(days["Koningsdag"], date(2026, 4, 27))

    def test_the_calendar_has_both_days_of_easter_pentecost_and_christmas_and_no_good_friday(self):
        names = [name for _day, name in dutch_public_holidays(2027)]
        for name in ("Nieuwjaarsdag", "Eerste paasdag", "Tweede paasdag", "Koningsdag",
                     "Bevrijdingsdag", "Hemelvaartsdag", "Eerste pinksterdag",
                     "Tweede pinksterdag", "Eerste kerstdag", "Tweede kerstdag"):  # fmt: skip
            self.assertIn(name, names)
        self.assertNotIn("Goede Vrijdag", names)
        self.assertIn(
            "Goede Vrijdag", [n for _d, n in dutch_public_holidays(2027, good_friday=True)]
        )

    def test_working_days_skip_weekends_and_holidays(self):
        holidays = {d for d, _n in dutch_public_holidays(2026) + dutch_public_holidays(2027)}
        # Friday 18 December 2026 + 5 working days: 21-24 December, then over Christmas and
        # the weekend to Monday 28 December.
        self.assertEqual(add_working_days(FRIDAY_BEFORE_CHRISTMAS, 5, holidays), date(2026, 12, 28))
        self.assertEqual(add_working_days(FRIDAY_BEFORE_CHRISTMAS, 10, holidays), date(2027, 1, 5))
        self.assertEqual(add_working_days(date(2026, 12, 18), 1, set()), date(2026, 12, 21))

    def test_a_term_below_one_day_is_refused(self):
        with self.assertRaises(ValueError):
            add_working_days(FRIDAY_BEFORE_CHRISTMAS, 0, set())


@override_settings(NOABER_TODAY=FRIDAY_BEFORE_CHRISTMAS)
class DueDateTests(NoaberTestCase):
    def test_the_seed_stores_the_public_holidays_2025_to_2028_as_dates(self):
        shared = Holiday.objects.filter(municipality__isnull=True)
        self.assertEqual(shared.count(), 4 * 10)
        self.assertTrue(shared.filter(date=date(2028, 4, 17), name="Tweede paasdag").exists())
        self.assertTrue(shared.filter(date=date(2027, 5, 6), name="Hemelvaartsdag").exists())
        self.assertIn(date(2026, 12, 25), holidays_for(self.dinkelland))

    def test_new_report_signal_and_case_get_a_streefdatum_from_their_term(self):
        report = make_report(self.dinkelland)
        self.assertEqual(report.due_date, date(2026, 12, 28))  # 5 working days
        signal = make_signal(self.dinkelland, self.advisor)
        self.assertEqual(signal.due_date, date(2027, 1, 5))  # 10 working days
        case = open_case(self.dinkelland, CaseType.objects.first(), "Pand Hoofdstraat",
                         actor=self.advisor, request=None, signals=[signal])  # fmt: skip
        forty = add_working_days(FRIDAY_BEFORE_CHRISTMAS, 40, holidays_for(self.dinkelland))
        self.assertEqual(case.due_date, forty)

    def test_a_term_per_category_wins_over_the_default_and_a_local_holiday_counts(self):
        HandlingTerm.objects.create(municipality=self.dinkelland, kind=TermKind.REPORT,
                                    code="verdacht-pand", working_days=1)  # fmt: skip
        Holiday.objects.create(municipality=self.dinkelland, date=date(2026, 12, 21), name="Dicht")
        self.assertEqual(make_report(self.dinkelland).due_date, date(2026, 12, 22))

    def test_changing_a_term_does_not_move_existing_streefdatums(self):
        report = make_report(self.dinkelland)
        self.sign_in(self.admin)
        response = self.client.post(
            reverse("themes:term_set", args=["GM1774"]),
            {"kind": "report", "code": "", "working_days": "20"},
        )
        self.assertEqual(response.status_code, 302)
        report.refresh_from_db()
        self.assertEqual(report.due_date, date(2026, 12, 28))
        self.assertEqual(make_report(self.dinkelland).due_date,
                         add_working_days(FRIDAY_BEFORE_CHRISTMAS, 20,
                                          holidays_for(self.dinkelland)))  # fmt: skip
        event = AuditEvent.objects.filter(object_type="handling_term").order_by("-id")[0]
        self.assertEqual(event.detail["working_days"], [5, 20])


class TermAdminTests(NoaberTestCase):
    def setUp(self):
        self.sign_in(self.admin)
        self.term = HandlingTerm.objects.get(
            municipality=self.dinkelland, kind=TermKind.REPORT, code=""
        )

    def post_term(self, days, code=""):
        return self.client.post(
            reverse("themes:term_set", args=["GM1774"]),
            {"kind": "report", "code": code, "working_days": days},
        )

    def test_the_terms_page_lists_terms_and_holidays(self):
        response = self.client.get(reverse("themes:terms", args=["GM1774"]))
        self.assertContains(response, "Afhandeltermijnen")
        self.assertContains(response, "Feestdagen")

    def test_a_term_of_zero_negative_or_absurd_days_is_refused_and_nothing_changes(self):
        before = AuditEvent.objects.count()
        for days, message in (
            ("0", "Een termijn is minstens 1 werkdag."),
            ("-3", "Een termijn is minstens 1 werkdag."),
            ("366", "Een termijn van meer dan 365 werkdagen"),
            ("vijf", "Vul een heel aantal werkdagen in"),
        ):
            with self.subTest(days=days):
                response = self.post_term(days)
                self.assertContains(response, message, status_code=400)
        self.term.refresh_from_db()
        self.assertEqual(self.term.working_days, 5)
        self.assertEqual(HandlingTerm.objects.filter(municipality=self.dinkelland).count(), 3)
        self.assertEqual(AuditEvent.objects.count(), before)

    def test_a_term_for_an_unknown_category_is_refused(self):
        response = self.post_term("3", code="bestaat-niet")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(HandlingTerm.objects.filter(code="bestaat-niet").exists())

    def test_a_malformed_holiday_date_is_refused_and_nothing_is_stored(self):
        before = Holiday.objects.count()
        for value in ("31-02-2027", "2027-02-31", "morgen", ""):
            with self.subTest(value=value):
                response = self.client.post(
                    reverse("themes:holiday_add", args=["GM1774"]),
                    {"date": value, "name": "Sluitingsdag"},
                )
                self.assertEqual(response.status_code, 400)
                self.assertContains(
                    response,
                    "Vul een bestaande datum in" if value else "Dit veld is vereist",
                    status_code=400,
                )
        self.assertEqual(Holiday.objects.count(), before)

    def test_the_admin_adds_and_removes_a_local_holiday_audited(self):
        response = self.client.post(
            reverse("themes:holiday_add", args=["GM1774"]),
            {"date": "2027-03-26", "name": "Goede Vrijdag"},
        )
        self.assertEqual(response.status_code, 302)
        holiday = Holiday.objects.get(municipality=self.dinkelland, date=date(2027, 3, 26))
        self.assertIn(date(2027, 3, 26), holidays_for(self.dinkelland))
        self.assertNotIn(date(2027, 3, 26), holidays_for(self.tubbergen))
        self.client.post(reverse("themes:holiday_remove", args=["GM1774", holiday.pk]))
        self.assertFalse(Holiday.objects.filter(pk=holiday.pk).exists())
        self.assertEqual(
            list(AuditEvent.objects.filter(object_type="holiday").values_list("action", flat=True)),
            ["create", "delete"],
        )

    def test_a_shared_holiday_twice_is_refused(self):
        response = self.client.post(
            reverse("themes:holiday_add", args=["GM1774"]),
            {"date": "2027-12-25", "name": "Kerst"},
        )
        self.assertContains(response, "Die dag staat al in de kalender.", status_code=400)
