"""Zoeken at size: reports + signals on PostgreSQL, searched through the HTTP stack.

Run: .venv/bin/python bench/search.py [--signals 1000000] [--runs 40] [--sample 20000]

Builds `--signals` signals, each with its own report (so as many reports), in the database
`noaber_search_bench` (reused on later runs), then:

1. the index build for every record through the app's own command (`rebuild_search_index
   --chunk 5000`: read, decrypt, stem, HMAC, COPY per chunk into the indexed table, then
   VACUUM (ANALYZE)): records/s, and peak memory (the process's max RSS);
2. the app's path for changed records (`noaber.search.index.reindex`, chunks of 1,000) on
   `--sample` reports, rolled back: records/s and tracemalloc's peak;
3. p50/p95 of the search page for a one-word, a three-word and a number query, signed in as
   an advisor of the municipality with the most records, with the ratio to the 200 ms limit.

Record the figures in docs/performance.md. The scale printed first is the scale measured.
"""

import argparse
import os
import resource
import time
import tracemalloc

from builder import Builder
from common import advisor_client, configure, measure

DB = os.environ.get("NOABER_BENCH_DB", "noaber_search_bench")


def build(n_signals: int):
    from noaber.registry.models import Signal

    have = Signal.objects.count()
    if have >= n_signals:
        print(f"data present: {have:,} signals")
        return
    b = Builder(seed=1774 + have)
    b.signals(n_signals - have, closed=0.9, reports=True)
    b.analyze()


def build_index():
    from django.core.management import call_command

    from noaber.search import index
    from noaber.search.models import SearchToken

    if SearchToken.objects.exists():
        print(f"index present: {SearchToken.objects.count():,} tokens")
        return
    # Peak memory from the process's max RSS (tracemalloc would slow the build down several
    # times); the sample below reports tracemalloc's peak for the reindex path.
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:  # the command's progress lines
        call_command("rebuild_search_index", chunk=5000, stdout=quiet)
    seconds = time.perf_counter() - started
    records = sum(m._base_manager.count() for m in index.MODELS.values())
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"index build (rebuild_search_index, VACUUM included): {records:,} records -> "
        f"{SearchToken.objects.count():,} tokens in {seconds:.0f} s = "
        f"{records / seconds:,.0f} records/s; process max RSS {rss:.0f} MiB "
        f"({rss_before:.0f} MiB before the build)"
    )


def app_rebuild_sample(n: int):
    """The app's own path (decrypt, stem, HMAC, bulk_create), timed on `n` records, inside a
    transaction that is rolled back so the bench index stays as built."""
    from django.db import transaction

    from noaber.intake.models import Report
    from noaber.search import index

    class RollbackError(Exception):
        pass

    ids = list(Report.objects.order_by("pk").values_list("pk", flat=True)[:n])

    def run(traced):
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        try:
            with transaction.atomic():
                for i in range(0, len(ids), 1000):
                    index.reindex(Report, ids[i : i + 1000])
                seconds = time.perf_counter() - started
                raise RollbackError
        except RollbackError:
            pass
        peak = tracemalloc.get_traced_memory()[1] if traced else 0
        tracemalloc.stop()
        return seconds, peak

    seconds, _ = run(False)
    _, peak = run(True)
    print(
        f"app reindex path: {len(ids):,} reports in {seconds:.1f} s = "
        f"{len(ids) / seconds:,.0f} records/s; tracemalloc peak {peak / 2**20:.1f} MiB "
        "(chunks of 1,000)"
    )


def hits(municipality, q):
    from noaber.search import query

    parsed = query.parse(q)
    return {kind: query.record_ids(kind, [municipality], parsed).count() for kind in query.RULE}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--signals", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--sample", type=int, default=20_000)
    args = parser.parse_args()
    print(f"SCALE: {args.signals:,} signals + {args.signals:,} reports (PostgreSQL, {DB})")
    configure(DB)
    build(args.signals)
    build_index()
    if args.sample:
        app_rebuild_sample(args.sample)

    from django.db.models import Count
    from django.urls import reverse

    from noaber.accounts.models import Municipality
    from noaber.intake.models import Report
    from noaber.registry.models import Signal

    busiest = Report.objects.values("municipality").annotate(n=Count("pk")).order_by("-n").first()
    municipality = Municipality.objects.get(pk=busiest["municipality"])
    client, _user = advisor_client(municipality)
    url = reverse("search:search", args=[municipality.cbs_code])
    signal = Signal.objects.filter(municipality=municipality).order_by("-pk").first()
    print(
        f"searching as an advisor of {municipality.name}: {busiest['n']:,} reports, "
        f"{Signal.objects.filter(municipality=municipality).count():,} signals"
    )

    def page(q):
        def get():
            response = client.get(url, {"q": q})
            assert response.status_code == 200, (q, response.status_code)
            return response

        return get

    for label, q in (
        ("one word (schuur)", "schuur"),
        ("three words", "schuur Hoofdstraat ramen"),
        ("another word (shishalounge)", "shishalounge"),
        (f"number ({signal.number})", signal.number),
    ):
        print(f"  {q!r}: hits {hits(municipality, q)}")
        measure(f"search: {label}", page(q), args.runs)


if __name__ == "__main__":
    main()
