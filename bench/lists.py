"""The advisors' inbox at volume: page 1 and page 2,000 at 1,000,000 reports on PostgreSQL.

Run: .venv/bin/python bench/lists.py [--reports 1000000] [--runs 30]

Builds the reports once in the database `noaber_lists_bench` (reused on later runs; all in
Dinkelland, the worst case for one inbox), then prints p50/p95 over `--runs` requests through
the Django test client (the whole view: count, page, template) of: page 1, page 2,000 by page
number (?pagina=2000, an OFFSET over the index), the page after page 2,000 by cursor (?na=,
keyset), and page 2,000 of the list filtered on a status. Target: p95 ≤ 200 ms each. Record
the figures in docs/performance.md. At a smaller --reports the deep page is page 2,000 only if
the list has that many pages; the script says which page it asked for.
"""

import argparse
import html
import os
import re
import time
from urllib.parse import parse_qsl

from builder import Builder, inbox_reports
from common import advisor_client, configure, measure

DB = os.environ.get("NOABER_BENCH_DB", "noaber_lists_bench")


def build(n: int, municipality):
    from noaber.intake.models import Report

    have = Report.objects.filter(municipality=municipality).count()
    if have >= n:
        print(f"inbox present: {have:,} reports")
        return
    b = Builder(seed=1774 + have)
    left = n - have
    while left:  # in batches, so a run that stops keeps what it wrote
        batch = min(left, 250_000)
        inbox_reports(b, batch, municipality=municipality)
        left -= batch
    b.analyze(vacuum=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--page", type=int, default=2_000)
    options = parser.parse_args()
    configure(DB)
    from django.conf import settings
    from django.db.models import Q

    from noaber.accounts.models import Municipality
    from noaber.intake.models import Report

    dinkelland = Municipality.objects.get(cbs_code="GM1774")
    build(options.reports, dinkelland)
    total = Report.objects.filter(municipality=dinkelland).count()
    pages = -(-total // settings.NOABER_PAGE_SIZE)
    deep = min(options.page, pages)
    print(
        f"scale: {total:,} reports in one inbox (GM1774), {Report.objects.count():,} in all; "
        f"{settings.NOABER_PAGE_SIZE} per page, {pages:,} pages; deep page = {deep:,}"
    )
    client, _user = advisor_client(dinkelland)
    from django.urls import reverse

    url = reverse("intake:inbox", args=["GM1774"])

    def get(params):
        response = client.get(url, params, secure=True)
        assert response.status_code == 200, (response.status_code, params)
        return response

    start = time.perf_counter()
    get({})  # warm: imports, templates, connection
    print(f"first request (cold)               {(time.perf_counter() - start) * 1000:7.1f} ms")
    measure("inbox page 1", lambda: get({}), options.runs)
    measure(f"inbox page {deep:,} (?pagina=)", lambda: get({"pagina": deep}), options.runs)
    page = get({"pagina": deep}).content.decode()
    link = re.search(r'rel="next" href="\?([^"]+)"', page).group(1)
    after = dict(parse_qsl(html.unescape(link)))
    measure(f"inbox page after {deep:,} (?na= cursor)", lambda: get(after), options.runs)
    filtered = {"status": "closed"}
    filtered_pages = -(-Report.objects.filter(municipality=dinkelland, status="closed").count()
                       // settings.NOABER_PAGE_SIZE)  # fmt: skip
    deep_filtered = min(options.page, filtered_pages)
    measure(
        f"closed only, page {deep_filtered:,}",
        lambda: get(filtered | {"pagina": deep_filtered}),
        options.runs,
    )
    measure("inbox page 1 sorted by status", lambda: get({"sorteer": "status"}), options.runs)
    # The parts: the exact count every page makes, and the keyset query alone.
    inbox = Report.objects.filter(municipality=dinkelland)
    measure("  part: COUNT(*) of the inbox", inbox.count, options.runs)
    edge = inbox.order_by("-created_at", "-pk").values_list("created_at", "pk")[100_000 % total]
    after = Q(created_at__lte=edge[0]) & (Q(created_at__lt=edge[0]) | Q(pk__lt=edge[1]))
    measure(
        "  part: keyset query, 51 rows deep",
        lambda: list(inbox.filter(after).order_by("-created_at", "-pk")[:51]),
        options.runs,
    )


if __name__ == "__main__":
    main()
