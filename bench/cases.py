"""Casusregie at size: 100,000 cases and 1,000,000 timeline entries on PostgreSQL.

Run: .venv/bin/python bench/cases.py [--cases 100000] [--entries 1000000] [--runs 40]

Builds the data once in `noaber_cases_bench`, then prints p50/p95 of the case list page and of
a case page with its timeline (through the real views). Record in docs/performance.md.
"""

import argparse
import os
import random
import time

from common import advisor_client, configure, measure

DB = os.environ.get("NOABER_BENCH_DB", "noaber_cases_bench")


def build(n_cases, n_entries, owner):
    from django.utils import timezone

    from noaber.accounts.models import Municipality
    from noaber.cases.models import Case, CaseType, TimelineEntry

    if Case.objects.count() >= n_cases:
        print(f"present: {Case.objects.count()} cases, {TimelineEntry.objects.count()} entries")
        return
    rng = random.Random(183)
    municipalities = list(Municipality.objects.all())
    types = list(CaseType.objects.all())
    start = time.perf_counter()
    for offset in range(0, n_cases, 5000):
        Case.objects.bulk_create(
            Case(
                municipality=rng.choice(municipalities),
                case_type=rng.choice(types),
                title=f"Casus {offset + i}",
                status=rng.choice([code for code, _label in rng.choice(types).statuses]),
                owner=owner,
            )
            for i in range(min(5000, n_cases - offset))
        )
    ids = list(Case.objects.values_list("pk", flat=True))
    print(f"  cases built in {time.perf_counter() - start:.0f} s")
    start = time.perf_counter()
    kinds = ["status", "note", "task", "intervention", "meeting"]
    for offset in range(0, n_entries, 10000):
        TimelineEntry.objects.bulk_create(
            TimelineEntry(
                case_id=rng.choice(ids),
                kind=rng.choice(kinds),
                text=f"Regel {offset + i}",
                created_at=timezone.now(),
            )  # fmt: skip
            for i in range(min(10000, n_entries - offset))
        )
        print(f"  entries {offset + 10000:>9,}  {time.perf_counter() - start:6.0f} s", end="\r")
    print(f"\n  timeline built in {time.perf_counter() - start:.0f} s")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=40)
    options = parser.parse_args()
    configure(DB)
    from noaber.accounts.models import Municipality
    from noaber.cases.models import Case

    dinkelland = Municipality.objects.get(cbs_code="GM1774")
    client, user = advisor_client(dinkelland)
    build(options.cases, options.entries, user)
    rng = random.Random(7)
    base = "/m/GM1774/casussen/"
    case_ids = list(
        Case.objects.filter(municipality=dinkelland).values_list("pk", flat=True)[:2000]
    )

    def get(path):
        response = client.get(path, secure=True)
        assert response.status_code == 200, response.status_code

    measure("case list (open cases + workload)", lambda: get(base), options.runs)
    measure("case page with timeline", lambda: get(f"{base}{rng.choice(case_ids)}/"), options.runs)


if __name__ == "__main__":
    main()
