"""The advisors' inbox pages through every report (no cap), sorts by column and refuses a bad
page, sort or cursor with a Dutch message and status 400."""

from datetime import date
from urllib.parse import parse_qsl

from django.test import override_settings
from django.urls import reverse

from noaber.accounts.tests.base import NoaberTestCase
from noaber.intake.models import Report
from noaber.lib.tests.test_paging import make_reports

INBOX = reverse("intake:inbox", args=["GM1774"])


def follow_next(client, url, params=None):
    """Every page from `url` by its Volgende links: the numbers shown, page by page."""
    pages, response = [], client.get(url, params or {})
    while True:
        listing = response.context["listing"]
        pages.append([r.number for r in listing])
        if "next" not in listing.links:
            return pages, response
        response = client.get(url + listing.links["next"])


@override_settings(NOABER_PAGE_SIZE=5)
class InboxPagingTests(NoaberTestCase):
    def setUp(self):
        self.reports = make_reports(self.dinkelland, 12)
        self.sign_in(self.advisor)

    def test_the_oldest_report_is_reached_through_the_pager_with_a_count_line(self):
        first = self.client.get(INBOX)
        self.assertContains(first, "1–5 van 12")
        self.assertContains(first, 'aria-sort="descending"')
        pages, last = follow_next(self.client, INBOX)
        self.assertEqual(len(pages), 3)
        self.assertContains(last, "11–12 van 12")
        self.assertEqual(pages[-1][-1], f"M-{self.reports[0].pk}")  # the oldest, last
        self.assertEqual(sum(len(p) for p in pages), 12)

    def test_a_column_header_sorts_and_the_filter_stays_in_the_page_links(self):
        Report.objects.filter(pk__in=[r.pk for r in self.reports[:7]]).update(status="in_progress")
        response = self.client.get(INBOX, {"status": "in_progress", "sorteer": "datum"})
        listing = response.context["listing"]
        self.assertContains(response, "1–5 van 7")
        self.assertEqual([r.number for r in listing], [f"M-{r.pk}" for r in self.reports[:5]])
        self.assertContains(response, 'aria-sort="ascending"')
        pages, _last = follow_next(
            self.client, INBOX, {"status": "in_progress", "sorteer": "datum"}
        )
        self.assertEqual([n for p in pages for n in p], [f"M-{r.pk}" for r in self.reports[:7]])
        self.assertEqual(dict(parse_qsl(listing.links["next"][1:]))["status"], "in_progress")

    def test_a_page_number_is_a_page_by_offset(self):
        response = self.client.get(INBOX, {"pagina": "3"})
        self.assertContains(response, "11–12 van 12")
        self.assertContains(response, 'aria-current="page"')

    def test_bad_page_sort_and_cursor_get_a_dutch_message_and_400_and_show_the_first_page(self):
        cursor = self.client.get(INBOX).context["listing"].links["next"]
        tampered = dict(parse_qsl(cursor[1:]))["na"]
        tampered = tampered[:-3] + ("AAA" if not tampered.endswith("AAA") else "BBB")
        cases = {
            "0": ({"pagina": "0"}, "Pagina 0 bestaat niet: deze lijst heeft 3 pagina"),
            "-1": ({"pagina": "-1"}, "Pagina -1 bestaat niet: deze lijst heeft 3 pagina"),
            "abc": ({"pagina": "abc"}, "Vul een paginanummer in als getal vanaf 1."),
            "999999": (
                {"pagina": "999999"},
                "Pagina 999999 bestaat niet: deze lijst heeft 3 pagina",
            ),
            "sort": ({"sorteer": "wachtwoord"}, "Deze lijst kan niet sorteren op „wachtwoord”"),
            "cursor": ({"na": tampered}, "ongeldig of verouderd"),
            "cursor-voor": ({"voor": "geen-cursor"}, "ongeldig of verouderd"),
        }
        before = list(Report.objects.order_by("pk").values_list("pk", "status"))
        for name, (params, message) in cases.items():
            with self.subTest(name):
                response = self.client.get(INBOX, params)
                self.assertContains(response, message, status_code=400)
                then = (
                    "U ziet pagina 1 in de standaardvolgorde."
                    if name == "sort"
                    else "U ziet pagina 1."
                )
                self.assertContains(response, then, status_code=400)
                self.assertContains(response, "1–5 van 12", status_code=400)
        self.assertEqual(list(Report.objects.order_by("pk").values_list("pk", "status")), before)

    def test_a_tubbergen_advisor_pages_only_through_tubbergen(self):
        self.client.logout()
        self.sign_in(self.advisor_tubbergen)
        response = self.client.get(reverse("intake:inbox", args=["GM0183"]))
        self.assertEqual(response.context["listing"].count, 0)
        self.assertEqual(self.client.get(INBOX).status_code, 404)


@override_settings(NOABER_TODAY=date(2026, 11, 30))
class OverdueFirstTests(NoaberTestCase):
    """Open work comes overdue first (issue 18, point 3): the inbox filtered on an open status
    sorts on the streefdatum, soonest first; a closed report is never marked late."""

    def setUp(self):
        self.reports = make_reports(self.dinkelland, 3, status="received")
        for report, due in zip(self.reports, [date(2026, 12, 9), date(2026, 11, 2), None],
                               strict=True):  # fmt: skip
            Report.objects.filter(pk=report.pk).update(due_date=due)
        self.closed = make_reports(self.dinkelland, 1, status="closed")[0]
        Report.objects.filter(pk=self.closed.pk).update(due_date=date(2026, 10, 1))
        self.sign_in(self.advisor)

    def test_open_reports_come_overdue_first_and_only_they_are_late(self):
        response = self.client.get(INBOX, {"status": "received"})
        numbers = [r.number for r in response.context["listing"]]
        late, soon, none = self.reports[1], self.reports[0], self.reports[2]
        self.assertEqual(numbers, [late.number, soon.number, none.number])
        self.assertContains(response, "te laat", count=1)
        everything = self.client.get(INBOX)  # the whole inbox: newest first, closed included
        self.assertEqual(everything.context["listing"].sort, "-datum")
        self.assertIn(self.closed.pk, [r.pk for r in everything.context["listing"]])
        self.assertContains(everything, "te laat", count=1)  # not the closed one
