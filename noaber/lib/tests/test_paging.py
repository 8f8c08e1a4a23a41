"""The list helper (noaber.lib.paging.list_page) on a real table: keyset pages equal offset
pages, ties broken by pk, filters kept in every link, the count line in Dutch numbers."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

from django.test import RequestFactory, override_settings

from noaber.accounts.tests.base import NoaberTestCase
from noaber.intake.models import Area, Category, Report
from noaber.lib.paging import Sort, dutch_number, list_page

SORTS = {
    "datum": Sort("created_at", "Ontvangen"),
    "status": Sort("status", "Status"),
    "gebied": Sort("area__name", "Gebied"),  # may be empty: NULLs last both ways
}
WHEN = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def make_reports(municipality, n, *, same_time_every=1, **fields):
    """`n` reports; each run of `same_time_every` reports shares one created_at (ties)."""
    category = Category.objects.filter(theme__isnull=False).first() or Category.objects.first()
    made = Report.objects.bulk_create(
        Report(municipality=municipality, category=category, source="resident", channel="web",
               description=f"melding {i}", **fields)
        for i in range(n)
    )  # fmt: skip
    for i, report in enumerate(made):
        moment = WHEN + timedelta(minutes=i // same_time_every)
        Report.objects.filter(pk=report.pk).update(created_at=moment)
    return made


def query(link: str) -> dict:
    return dict(parse_qsl(link.lstrip("?")))


class ListPageTests(NoaberTestCase):
    def setUp(self):
        self.factory = RequestFactory()
        self.reports = Report.objects.filter(municipality=self.dinkelland)

    def page(self, **params):
        request = self.factory.get("/GM1774/meldingen/", params)
        return list_page(request, self.reports, SORTS, default="-datum", per_page=4)

    def walk(self, sort: str, first: dict | None = None) -> list:
        """Every page by following Volgende from page 1, then back by Vorige: both lists."""
        pages = [self.page(sorteer=sort, **(first or {}))]
        while "next" in pages[-1].links:
            pages.append(self.page(**query(pages[-1].links["next"])))
        back = [pages[-1]]
        while "previous" in back[-1].links:
            back.append(self.page(**query(back[-1].links["previous"])))
        return pages, back[::-1]

    def test_keyset_next_and_previous_give_exactly_the_offset_pages_with_ties_broken_by_pk(self):
        make_reports(self.dinkelland, 11, same_time_every=3)  # ties on created_at
        for sort in ("-datum", "datum", "status", "-status"):
            with self.subTest(sort=sort):
                forward, backward = self.walk(sort)
                by_number = [self.page(sorteer=sort, pagina=n) for n in range(1, len(forward) + 1)]
                self.assertEqual(len(forward), 3)
                for a, b, c in zip(forward, backward, by_number, strict=True):
                    self.assertEqual([r.pk for r in a], [r.pk for r in c])
                    self.assertEqual([r.pk for r in b], [r.pk for r in c])
                    self.assertEqual((a.start, b.start), (c.start, c.start))
                every = [r.pk for p in forward for r in p]
                self.assertEqual(sorted(every), sorted(r.pk for r in self.reports))
        # Within one created_at the pk decides, in the direction of the sort.
        newest = [r.pk for p in self.walk("-datum")[0] for r in p]
        times = dict(self.reports.values_list("pk", "created_at"))
        self.assertEqual(newest, sorted(times, key=lambda pk: (times[pk], pk), reverse=True))

    def test_empty_values_sort_last_in_both_directions_and_keyset_crosses_them(self):
        area = Area.objects.filter(municipality=self.dinkelland).first()
        make_reports(self.dinkelland, 5, area=area)
        make_reports(self.dinkelland, 6)  # no area
        for sort in ("gebied", "-gebied"):
            forward, backward = self.walk(sort)
            pks = [r.pk for p in forward for r in p]
            self.assertEqual(len(set(pks)), 11)
            self.assertEqual([r.area_id for p in forward for r in p][-6:], [None] * 6)
            self.assertEqual(
                [[r.pk for r in p] for p in backward], [[r.pk for r in p] for p in forward]
            )

    def test_filters_and_the_sort_stay_in_every_link_and_the_page_parameters_do_not_pile_up(self):
        make_reports(self.dinkelland, 9)
        listing = self.page(status="received", nieuw="1", sorteer="datum", pagina="2")
        links = [listing.links[k] for k in ("previous", "next", "first", "last")]
        links += [p["url"] for p in listing.links["pages"]]
        for link in links:
            params = query(link)
            self.assertEqual(
                (params["status"], params["nieuw"], params["sorteer"]), ("received", "1", "datum")
            )
            self.assertLessEqual(len({"pagina", "na", "voor"} & set(params)), 1)
        header = query(listing.columns["status"]["url"])
        self.assertEqual(
            (header["status"], header["nieuw"], header["sorteer"]), ("received", "1", "status")
        )
        self.assertNotIn("pagina", header)  # a new order starts at page 1
        self.assertEqual(query(listing.columns["datum"]["url"])["sorteer"], "-datum")  # flips
        self.assertEqual(listing.columns["datum"]["aria_sort"], "ascending")
        self.assertEqual(listing.columns["status"]["aria_sort"], "none")

    def test_the_count_line_reads_first_to_last_of_the_total_in_dutch_numbers(self):
        make_reports(self.dinkelland, 9)
        self.assertEqual(self.page().count_line, "1–4 van 9")
        self.assertEqual(self.page(pagina="3").count_line, "9–9 van 9")
        self.assertEqual(dutch_number(1083), "1.083")
        self.assertEqual(dutch_number(1_000_000), "1.000.000")
        self.assertEqual(self.page().status, 200)

    def test_a_cursor_of_another_sort_or_list_is_refused(self):
        make_reports(self.dinkelland, 9)
        link = query(self.page(sorteer="status").links["next"])
        other_sort = self.page(sorteer="datum", na=link["na"])
        self.assertEqual(other_sort.status, 400)
        request = self.factory.get("/GM1774/casussen/", {"na": link["na"], "sorteer": "status"})
        other_list = list_page(request, self.reports, SORTS, default="-datum", per_page=4)
        self.assertEqual(other_list.status, 400)
        self.assertIn("ongeldig of verouderd", other_list.error)

    @override_settings(NOABER_PAGE_SIZE=7)
    def test_the_page_size_comes_from_the_setting_without_a_per_page(self):
        make_reports(self.dinkelland, 9)
        request = self.factory.get("/GM1774/meldingen/")
        self.assertEqual(len(list_page(request, self.reports, SORTS, default="-datum")), 7)
