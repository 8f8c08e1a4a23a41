"""The signal register at size: 1,000,000 signals and 300,000 subjects on PostgreSQL.

Run: .venv/bin/python bench/register.py [--signals 1000000] [--subjects 300000] [--runs 40]

Builds the register once in the database `noaber_register_bench` (reused on later runs), then
prints p50/p95 of: the triage inbox page, a filtered inbox, a fuzzy subject match (hit /
no-hit), a subject timeline page, and the duration of a retention run. Record the figures in
docs/performance.md. Target: every interactive query under 200 ms p95; retention in minutes.
"""

import argparse
import os
import random
import time

from builder import FIRST, LAST, Builder
from common import advisor_client, configure, measure

DB = os.environ.get("NOABER_BENCH_DB", "noaber_register_bench")


def build(n_signals: int, n_subjects: int):
    from noaber.registry.models import Signal, Subject

    have = Signal.objects.count()
    if have >= n_signals:
        print(f"register present: {have} signals, {Subject.objects.count()} subjects")
        return
    b = Builder(seed=1774 + have)
    b.signals(n_signals - have, closed=0.9)
    if n_subjects:
        b.subjects(n_subjects, links=(1, 4))
    b.analyze(vacuum=True)  # the visibility map, as autovacuum keeps it: index-only counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--signals", type=int, default=1_000_000)
    parser.add_argument("--subjects", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=40)
    options = parser.parse_args()
    configure(DB)
    build(options.signals, options.subjects)

    from noaber.accounts.models import Municipality
    from noaber.registry import actions
    from noaber.registry.models import Subject

    dinkelland = Municipality.objects.get(cbs_code="GM1774")
    client, user = advisor_client(dinkelland)
    base = "/m/GM1774/register/"
    rng = random.Random(7)

    def get(path, **params):
        response = client.get(path, params, secure=True)
        assert response.status_code == 200, response.status_code

    measure("inbox (open signals)", lambda: get(base), options.runs)
    measure(
        "inbox filtered (theme, age, sort)",
        lambda: get(base, thema="5.2", ouder_dan="90", sorteer="ontvangen"),
        options.runs,
    )
    measure(
        "fuzzy subject match (hit/no-hit)",
        lambda: actions.find_matches(
            dinkelland,
            "person",
            {"label": f"{rng.choice(FIRST)} {rng.choice(LAST)}"},
            actor=user,
            request=None,
        ),
        options.runs,
    )
    subject_ids = list(
        Subject.objects.filter(municipality=dinkelland).values_list("pk", flat=True)[:500]
    )

    def timeline():
        response = client.post(
            f"{base}betrokkenen/{rng.choice(subject_ids)}/", {"reason": "bench"}, secure=True
        )
        assert response.status_code == 200, response.status_code

    measure("subject timeline", timeline, options.runs)
    start = time.perf_counter()
    report = actions.apply_retention(dry_run=True)
    print(
        f"retention dry run                  {time.perf_counter() - start:7.1f} s   ({len(report.due):,} due)"
    )
    start = time.perf_counter()
    report = actions.apply_retention()
    print(
        f"retention run                      {time.perf_counter() - start:7.1f} s   ({report.done:,} destroyed or anonymised)"
    )


if __name__ == "__main__":
    main()
