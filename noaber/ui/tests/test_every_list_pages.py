"""Every list of issue 18 pages: a list longer than a page reaches its last (oldest) item
through the pager's Volgende links, each item once — no silent cap anywhere. Need-to-know
stays each list's own (the role that may open it); page size 2 keeps this fast."""

from datetime import date, timedelta
from unittest import mock
from urllib.parse import parse_qsl

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from noaber.accounts.models import Organisation
from noaber.accounts.tests.base import NoaberTestCase
from noaber.archive.models import DestructionList
from noaber.audit.actions import record
from noaber.audit.models import Action, AuditEvent
from noaber.cases import actions as case_actions
from noaber.cases.models import CLOSED, Archiefnominatie, Case, CaseType, Meeting, Task
from noaber.insight.models import Alert
from noaber.lib.tests.test_paging import make_reports
from noaber.partners.tests.factories import make_agreement
from noaber.registry.models import DestructionRecord
from noaber.registry.tests.helpers import make_signal

PAGE = 2


def url(name, **query):
    address = reverse(name, args=["GM1774"])
    return address + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@override_settings(NOABER_PAGE_SIZE=PAGE)
class EveryListPagesTests(NoaberTestCase):
    def walk(self, address, key="listing"):
        """The pks of every item, page by page through Volgende, and the last response."""
        response = self.client.get(address)
        self.assertEqual(response.status_code, 200, address)
        seen = []
        while True:
            listing = response.context[key]
            self.assertLessEqual(len(listing), PAGE)
            seen += [item.pk for item in listing]
            if "next" not in listing.links:
                return seen, response
            response = self.client.get(address.split("?")[0] + listing.links["next"])
            self.assertEqual(response.status_code, 200)

    def assert_reaches_all(self, address, expected, key="listing"):
        seen, last = self.walk(address, key)
        self.assertEqual(seen, expected)  # all of them, each once, in the list's order
        self.assertGreater(len(expected), PAGE * 2)
        count = last.context[key].count
        self.assertContains(last, f"{count - (len(expected) - 1) % PAGE}–{count} van {count}")

    def open_cases(self, n, **fields):
        kind = CaseType.objects.get(code="overlast")
        made = Case.objects.bulk_create(
            Case(municipality=self.dinkelland, case_type=kind, title=f"Casus {i}",
                 owner=self.advisor, **({"status": "open"} | fields))
            for i in range(n)
        )  # fmt: skip
        return made

    def due_in_reverse(self, objects):
        """The last made is due first (the lists of open work sort on the streefdatum)."""
        for i, item in enumerate(objects):
            type(item).objects.filter(pk=item.pk).update(
                due_date=date(2026, 3, 1) - timedelta(days=i)
            )

    def test_the_register_pages_its_new_reports_and_its_signals(self):
        self.sign_in(self.advisor)
        reports = make_reports(self.dinkelland, 5, status="received")
        # Open work comes overdue first: the newest report here is the most overdue.
        self.due_in_reverse(reports)
        self.assert_reaches_all(
            url("registry:inbox"), [r.pk for r in reversed(reports)], key="new_reports"
        )
        signals = [make_signal(self.dinkelland, self.advisor, f"Signaal {i}.") for i in range(5)]
        self.due_in_reverse(signals)
        self.assert_reaches_all(url("registry:inbox"), [s.pk for s in reversed(signals)], "signals")

    def test_the_destruction_register_pages(self):
        self.sign_in(self.admin)
        made = DestructionRecord.objects.bulk_create(
            DestructionRecord(municipality=self.dinkelland, record_type="signal",
                              record_number=f"S-{i}", action="destroyed", term_months=60)
            for i in range(5)
        )  # fmt: skip
        self.assert_reaches_all(
            url("registry:retention"), [r.pk for r in reversed(made)], "register"
        )

    def test_the_case_list_pages_its_cases_and_its_overdue_tasks(self):
        self.sign_in(self.advisor)
        cases = self.open_cases(5)
        self.due_in_reverse(cases)
        self.assert_reaches_all(url("cases:list"), [c.pk for c in reversed(cases)], key="cases")
        past = timezone.localdate() - timedelta(days=30)
        tasks = Task.objects.bulk_create(
            Task(case=cases[0], title=f"Taak {i}", owner_user=self.advisor,
                 due_date=past + timedelta(days=i))
            for i in range(5)
        )  # fmt: skip
        self.assert_reaches_all(url("cases:list"), [t.pk for t in tasks], key="overdue")

    def test_a_case_timeline_pages(self):
        self.sign_in(self.advisor)
        case = self.open_cases(1)[0]
        entries = [
            case_actions.add_note(case, f"Notitie {i}.", actor=self.advisor, request=None)
            for i in range(5)
        ]
        address = reverse("cases:case", args=["GM1774", case.pk]) + "?sectie=tijdlijn"
        expected = [e.pk for e in reversed(entries)]
        with mock.patch("noaber.cases.views.TIMELINE_PAGE", PAGE):  # 20 entries a page
            self.assert_reaches_all(address, expected, key="timeline_page")
            bad = self.client.get(address + "&pagina=abc")
        self.assertContains(bad, "Vul een paginanummer in als getal vanaf 1.", status_code=400)

    def test_meetings_and_the_partner_agenda_page(self):
        self.sign_in(self.advisor)
        meetings = Meeting.objects.bulk_create(
            Meeting(municipality=self.dinkelland, kind=Meeting.Kind.values[0],
                    held_on=date(2026, 1, 1) + timedelta(days=i))
            for i in range(5)
        )  # fmt: skip
        newest_first = [m.pk for m in reversed(meetings)]
        self.assert_reaches_all(url("cases:meetings"), newest_first, key="meetings")
        politie = Organisation.objects.get(name="Politie")
        for meeting in meetings:
            meeting.partners.add(politie)
        self.client.logout()
        self.sign_in(self.partner)
        self.assert_reaches_all(url("cases:partner_agenda"), newest_first)

    def test_peak_alerts_page(self):
        self.sign_in(self.advisor)
        made = Alert.objects.bulk_create(
            Alert(municipality=self.dinkelland, series_key="theme:5.2", series_label="Drugs",
                  year=2026, week=1 + i, observed=9, expected=2.0, upper=5.0, score=3.0,
                  method=Alert.Method.values[0])
            for i in range(5)
        )  # fmt: skip
        self.assert_reaches_all(url("insight:alerts"), [a.pk for a in reversed(made)])

    def test_agreements_page(self):
        self.sign_in(self.advisor)
        made = [make_agreement(self.dinkelland, "Politie", name=f"Convenant {i}") for i in range(5)]
        self.assert_reaches_all(url("partners:agreements"), [a.pk for a in made])

    def test_the_audit_log_and_what_partners_viewed_page(self):
        for i in range(5):
            record(Action.VIEW, actor=self.partner, municipality=self.dinkelland,
                   object_type="case", object_id=i)  # fmt: skip
        self.sign_in(self.privacy)
        viewed = AuditEvent.objects.filter(municipality="GM1774", actor_id=self.partner.pk)
        newest_first = list(viewed.order_by("-id").values_list("pk", flat=True))
        self.assert_reaches_all(url("partners:viewed"), newest_first)
        seen, _last = self.walk(url("audit:list"))
        self.assertIn(newest_first[-1], seen)  # the oldest partner view, on a later page
        self.assertEqual(len(seen), len(set(seen)))

    def test_the_archive_lists_page(self):
        self.sign_in(self.archivist)
        lists = DestructionList.objects.bulk_create(
            DestructionList(municipality=self.dinkelland) for _ in range(5)
        )
        self.assert_reaches_all(url("archive:overview"), [x.pk for x in reversed(lists)], "lists")
        transfer = self.open_cases(5, status=CLOSED, closed_at=timezone.now(),
                                   archiefnominatie=Archiefnominatie.BLIJVEND_BEWAREN)  # fmt: skip
        for i, c in enumerate(transfer):
            Case.objects.filter(pk=c.pk).update(archiefactiedatum=date(2040, 1, 1) + timedelta(i))
        self.assert_reaches_all(url("archive:overview"), [c.pk for c in transfer], "transfer")
        held = self.open_cases(5, status=CLOSED, closed_at=timezone.now(), legal_hold=True)
        self.assert_reaches_all(url("archive:overview"), [c.pk for c in reversed(held)], "held")


@override_settings(NOABER_PAGE_SIZE=PAGE)
class CaseListBadInputTests(NoaberTestCase):
    """The bad inputs of the inbox (test_inbox_paging) on a second list, with two lists on
    one page: the case list and its overdue tasks (parameters prefixed t_)."""

    def setUp(self):
        self.sign_in(self.advisor)
        kind = CaseType.objects.get(code="overlast")
        for i in range(5):
            case_actions.open_case(self.dinkelland, kind, f"Casus {i}", actor=self.advisor,
                                   request=None)  # fmt: skip

    def test_bad_page_sort_and_cursor_get_a_dutch_message_and_400_and_change_nothing(self):
        good = self.client.get(url("cases:list"))
        cursor = dict(parse_qsl(good.context["cases"].links["next"][1:]))["na"]
        cases = {
            "0": ({"pagina": "0"}, "Pagina 0 bestaat niet: deze lijst heeft 3 pagina"),
            "-1": ({"pagina": "-1"}, "Pagina -1 bestaat niet"),
            "abc": ({"pagina": "abc"}, "Vul een paginanummer in als getal vanaf 1."),
            "999999": ({"pagina": "999999"}, "Pagina 999999 bestaat niet"),
            "sort": ({"sorteer": "titel"}, "Deze lijst kan niet sorteren op „titel”"),
            "cursor": ({"na": cursor[:-2] + "xx"}, "ongeldig of verouderd"),
            "tasks": ({"t_pagina": "abc"}, "Vul een paginanummer in als getal vanaf 1."),
        }
        before = list(Case.objects.order_by("pk").values_list("pk", "status", "version"))
        events = AuditEvent.objects.count()
        for name, (params, message) in cases.items():
            with self.subTest(name):
                response = self.client.get(reverse("cases:list", args=["GM1774"]), params)
                self.assertContains(response, message, status_code=400)
                self.assertContains(response, "U ziet pagina 1", status_code=400)
                self.assertEqual(response.context["cases"].start, 0)
        self.assertEqual(
            list(Case.objects.order_by("pk").values_list("pk", "status", "version")), before
        )
        self.assertEqual(AuditEvent.objects.count(), events)

    def test_a_bad_page_keeps_a_good_sort(self):
        response = self.client.get(
            reverse("cases:list", args=["GM1774"]), {"sorteer": "nummer", "pagina": "abc"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.context["cases"].sort, "nummer")
        self.assertContains(response, 'aria-sort="ascending"', status_code=400)
