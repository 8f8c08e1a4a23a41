"""Behandelaar en streefdatum on reports, signals and cases, and the advisor's 'Mijn werk'."""

from datetime import date, timedelta

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from noaber.accounts.models import Role
from noaber.accounts.tests.base import NoaberTestCase, make_user
from noaber.audit.models import AuditEvent
from noaber.cases.actions import add_task, open_case
from noaber.cases.models import Case, CaseType, TimelineEntry
from noaber.insight.models import Alert
from noaber.intake.models import Report
from noaber.registry.models import Signal
from noaber.registry.tests.helpers import make_report, make_signal

TODAY = date(2026, 12, 1)


@override_settings(NOABER_TODAY=TODAY)
class AssignmentTests(NoaberTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.colleague = make_user("carla", {cls.dinkelland: [Role.ADVISOR]})
        cls.colleague.first_name, cls.colleague.last_name = "Carla", "Collega"
        cls.colleague.save()

    def setUp(self):
        self.sign_in(self.advisor)
        self.report = make_report(self.dinkelland)
        self.signal = make_signal(self.dinkelland, self.advisor)
        self.case = open_case(self.dinkelland, CaseType.objects.first(), "Pand Hoofdstraat",
                              actor=self.advisor, request=None, signals=[self.signal])  # fmt: skip

    def urls(self):
        return {
            "report": reverse("intake:assign", args=["GM1774", self.report.pk]),
            "signal": reverse("registry:assign", args=["GM1774", self.signal.pk]),
            "case": reverse("cases:assign", args=["GM1774", self.case.pk]),
        }

    def objects(self):
        return {
            "report": Report.objects.get(pk=self.report.pk),
            "signal": Signal.objects.get(pk=self.signal.pk),
            "case": Case.objects.get(pk=self.case.pk),
        }

    def handler_of(self, kind, obj):
        return {"report": "handler", "signal": "assigned_to", "case": "owner"}[kind], getattr(
            obj, {"report": "handler_id", "signal": "assigned_to_id", "case": "owner_id"}[kind]
        )

    def form(self, kind, **data):
        obj = self.objects()[kind]
        _name, handler = self.handler_of(kind, obj)
        values = {
            "handler": handler or "",
            "due_date": obj.due_date.isoformat() if obj.due_date else "",
            "reason": "",
        }
        if kind == "report":
            values["seen"] = f"{handler or ''}|{obj.due_date or ''}"
        else:
            values["version"] = obj.version
        return values | data

    def test_the_pages_show_behandelaar_streefdatum_and_the_action(self):
        pages = {
            "report": reverse("intake:detail", args=["GM1774", self.report.pk]),
            "signal": reverse("registry:signal", args=["GM1774", self.signal.pk]),
            "case": reverse("cases:case", args=["GM1774", self.case.pk]),
        }
        for kind, url in pages.items():
            with self.subTest(kind=kind):
                response = self.client.get(url)
                self.assertContains(response, "Streefdatum")
                self.assertContains(response, self.urls()[kind])
                self.assertContains(self.client.get(self.urls()[kind]), "Behandelaar")

    def test_assigning_a_colleague_and_moving_the_streefdatum_is_stored_and_audited(self):
        new_due = TODAY + timedelta(days=30)
        for kind, url in self.urls().items():
            with self.subTest(kind=kind):
                response = self.client.post(url, self.form(
                    kind, handler=self.colleague.pk, due_date=new_due.isoformat(),
                    reason="Wacht op informatie van de politie.",
                ))  # fmt: skip
                self.assertEqual(response.status_code, 302, response.content[-3000:])
                obj = self.objects()[kind]
                self.assertEqual(self.handler_of(kind, obj)[1], self.colleague.pk)
                self.assertEqual(obj.due_date, new_due)
                self.assertEqual(obj.due_date_reason, "Wacht op informatie van de politie.")
                event = AuditEvent.objects.filter(object_type=kind, object_id=str(obj.pk))
                event = event.order_by("-id")[0]
                self.assertEqual(event.reason, "assign")
                self.assertEqual(event.detail["handler"][1], self.colleague.pk)
                self.assertEqual(event.detail["due_date"][1], new_due.isoformat())
        entry = TimelineEntry.objects.filter(case=self.case, kind="assign").get()
        self.assertIn("Carla Collega", entry.text)
        self.assertIn("Wacht op informatie van de politie.", entry.text)

    def test_taking_over_proposes_oneself_and_is_audited_as_taking_over(self):
        Report.objects.filter(pk=self.report.pk).update(handler=self.colleague)
        url = self.urls()["report"]
        page = self.client.get(url + "?overnemen=1")
        self.assertContains(page, f'<option value="{self.advisor.pk}" selected>')
        response = self.client.post(url, self.form("report", handler=self.advisor.pk))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Report.objects.get(pk=self.report.pk).handler, self.advisor)
        event = AuditEvent.objects.filter(object_type="report").order_by("-id")[0]
        self.assertEqual(event.reason, "take_over")

    def assert_refused(self, kind, data, message, status=400):
        before = self.objects()[kind]
        events = AuditEvent.objects.filter(action="update").count()
        response = self.client.post(self.urls()[kind], data)
        self.assertContains(response, message, status_code=status)
        after = self.objects()[kind]
        self.assertEqual(self.handler_of(kind, after), self.handler_of(kind, before))
        self.assertEqual((after.due_date, after.due_date_reason),
                         (before.due_date, before.due_date_reason))  # fmt: skip
        self.assertEqual(AuditEvent.objects.filter(action="update").count(), events)

    def test_a_handler_of_another_municipality_is_refused(self):
        for kind in self.urls():
            with self.subTest(kind=kind):
                self.assert_refused(kind, self.form(kind, handler=self.advisor_tubbergen.pk),
                                    "Die persoon kan hier geen behandelaar zijn")  # fmt: skip

    def test_a_handler_without_the_right_role_is_refused(self):
        for kind in self.urls():
            with self.subTest(kind=kind):
                self.assert_refused(kind, self.form(kind, handler=self.enforcer.pk),
                                    "Die persoon kan hier geen behandelaar zijn")  # fmt: skip

    def test_the_action_itself_refuses_a_handler_without_the_right_role(self):
        from django.core.exceptions import ValidationError

        from noaber.intake.actions import assign_report

        with self.assertRaises(ValidationError) as raised:
            assign_report(self.report, self.enforcer, self.report.due_date,
                          actor=self.advisor, request=None)  # fmt: skip
        self.assertIn("kan hier geen behandelaar zijn", str(raised.exception))
        self.assertIsNone(Report.objects.get(pk=self.report.pk).handler)

    def test_a_streefdatum_in_the_past_is_refused(self):
        past = (TODAY - timedelta(days=1)).isoformat()
        for kind in self.urls():
            with self.subTest(kind=kind):
                self.assert_refused(kind, self.form(kind, due_date=past, reason="Vergissing."),
                                    "Een streefdatum ligt niet in het verleden.")  # fmt: skip

    def test_a_new_streefdatum_without_a_reason_is_refused(self):
        later = (TODAY + timedelta(days=60)).isoformat()
        for kind in self.urls():
            with self.subTest(kind=kind):
                self.assert_refused(kind, self.form(kind, due_date=later),
                                    "Schrijf op waarom de streefdatum verandert.")  # fmt: skip

    def test_a_malformed_streefdatum_is_refused(self):
        for kind in self.urls():
            with self.subTest(kind=kind):
                self.assert_refused(kind, self.form(kind, due_date="31-31-2026", reason="x"),
                                    "Vul een bestaande datum in")  # fmt: skip

    def test_assignment_from_a_stale_page_is_refused(self):
        for kind in ("signal", "case"):
            with self.subTest(kind=kind):
                data = self.form(kind, handler=self.colleague.pk)
                model = Signal if kind == "signal" else Case
                obj = self.objects()[kind]
                model.objects.filter(pk=obj.pk).update(version=obj.version + 1)
                self.assert_refused(kind, data, "intussen gewijzigd")
        data = self.form("report", handler=self.colleague.pk)
        Report.objects.filter(pk=self.report.pk).update(handler=self.advisor)
        self.assert_refused("report", data, "intussen gewijzigd")
        # A changed hidden field is refused the same way, never a server error.
        Report.objects.filter(pk=self.report.pk).update(handler=None)
        for seen in ("x|y", "1|2026-13-45", "|morgen"):
            with self.subTest(seen=seen):
                self.assert_refused("report", data | {"seen": seen}, "klopt niet meer")


@override_settings(NOABER_TODAY=TODAY)
class MyWorkTests(NoaberTestCase):
    def setUp(self):
        self.sign_in(self.advisor)
        self.url = reverse("ui:my_work", args=["GM1774"])

    def test_mijn_werk_lists_own_work_overdue_first_with_links_and_is_audited(self):
        late = make_report(self.dinkelland, text="Oud")
        Report.objects.filter(pk=late.pk).update(
            handler=self.advisor, due_date=TODAY - timedelta(3)
        )
        soon = make_report(self.dinkelland, text="Nieuw")
        Report.objects.filter(pk=soon.pk).update(
            handler=self.advisor, due_date=TODAY + timedelta(3)
        )
        other = make_report(self.dinkelland, text="Van een ander")
        signal = make_signal(self.dinkelland, self.advisor)  # assigned to its registrar
        case = open_case(self.dinkelland, CaseType.objects.first(), "Pand",
                         actor=self.advisor, request=None, signals=[signal])  # fmt: skip
        task = add_task(case, "Bel de verhuurder", timezone.localdate() + timedelta(days=1),
                        actor=self.advisor, request=None, user=self.advisor)  # fmt: skip
        # Overdue against the test's fixed day (add_task refuses a date before the real today).
        type(task).objects.filter(pk=task.pk).update(due_date=TODAY - timedelta(days=1))
        Alert.objects.create(municipality=self.dinkelland, series_key="theme:5.2",
                             series_label="Drugs (5.2)", year=2026, week=47, observed=9,
                             expected=2.0, upper=6.0, score=1.8, method="farrington")  # fmt: skip
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertLess(html.index(late.number), html.index(soon.number))
        self.assertNotIn(f"<strong>{other.number}</strong>", html)
        self.assertIn(reverse("intake:detail", args=["GM1774", late.pk]), html)
        self.assertIn(reverse("registry:signal", args=["GM1774", signal.pk]), html)
        self.assertIn(reverse("cases:case", args=["GM1774", case.pk]), html)
        self.assertIn("Bel de verhuurder", html)
        self.assertIn("Drugs (5.2)", html)
        self.assertIn("te laat", html)
        event = AuditEvent.objects.filter(object_type="my_work").order_by("-id")[0]
        self.assertEqual(event.action, "view")
        self.assertEqual(event.detail["reports"], [late.number, soon.number])

    def test_the_advisor_menu_has_mijn_werk_instead_of_mijn_taken_and_the_enforcer_keeps_it(self):
        dashboard = self.client.get(reverse("ui:dashboard", args=["GM1774"]))
        self.assertContains(dashboard, self.url)
        self.assertNotContains(dashboard, reverse("cases:my_tasks", args=["GM1774"]))
        self.client.logout()
        self.sign_in(self.enforcer)
        dashboard = self.client.get(reverse("ui:dashboard", args=["GM1774"]))
        self.assertContains(dashboard, reverse("cases:my_tasks", args=["GM1774"]))
        self.assertNotContains(dashboard, self.url)
        self.assertEqual(self.client.get(self.url).status_code, 404)  # field roles: 404

    def test_the_dashboard_counts_link_to_mijn_werk(self):
        report = make_report(self.dinkelland)
        Report.objects.filter(pk=report.pk).update(
            handler=self.advisor, due_date=TODAY - timedelta(1)
        )
        dashboard = self.client.get(reverse("ui:dashboard", args=["GM1774"]))
        self.assertContains(dashboard, "1 te laat")
