"""Casusregie at size: 100,000 cases and 1,000,000 timeline entries on PostgreSQL.

Run: .venv/bin/python bench/cases.py [--cases 100000] [--entries 1000000] [--runs 40]

Builds the data once in `noaber_cases_bench`, then prints p50/p95 of the case list page and of
a case page with its timeline (through the real views). Record in docs/performance.md.
"""

import argparse
import os
import random

from builder import Builder
from common import advisor_client, configure, measure

DB = os.environ.get("NOABER_BENCH_DB", "noaber_cases_bench")


def build(n_cases, n_entries, owner):
    from noaber.cases.models import Case, TimelineEntry

    if Case.objects.count() >= n_cases:
        print(f"present: {Case.objects.count()} cases, {TimelineEntry.objects.count()} entries")
        return
    b = Builder(seed=183)
    case_ids = b.cases(n_cases, owner=owner)
    b.timeline(n_entries, case_ids)
    b.analyze()


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
