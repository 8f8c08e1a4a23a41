"""The council report at size: Dinkelland's 2025 with 10,000 cases on PostgreSQL.

Run: .venv/bin/python bench/policy.py [--cases 10000] [--runs 10] [--pdf-runs 5]

Builds the data once in `noaber_policy_bench` (the seeded IVP 2024-2026 from the reference data;
10,000 cases opened in 2025 over all case types, each with a signal on a random theme, two in
five closed, 15,000 interventions, activities and peaks), then prints p50/p95 of building the
report, rendering its HTML, rendering its PDF, and the page and PDF through the real views.
Record in docs/performance.md.
"""

import argparse
import os
import time
from datetime import date

from builder import Builder
from common import advisor_client, configure, measure

DB = os.environ.get("NOABER_BENCH_DB", "noaber_policy_bench")
YEAR = 2025


def build(n_cases, user):
    from noaber.accounts.models import Municipality
    from noaber.cases.models import CLOSED, Case
    from noaber.insight.models import Alert
    from noaber.policy.models import Activity, Plan

    dinkelland = Municipality.objects.get(cbs_code="GM1774")
    plan = Plan.objects.filter(
        municipalities=dinkelland, start_year__lte=YEAR, end_year__gte=YEAR
    ).first()
    if plan is None:
        raise SystemExit("The seeded IVP of Dinkelland is missing (load_reference_data).")
    present = Case.objects.filter(municipality=dinkelland, created_at__year=YEAR).count()
    if present >= n_cases:
        print(f"present: {present} cases of Dinkelland in {YEAR}")
        return
    b = Builder(seed=1774)
    rng = b.rng
    start = time.perf_counter()
    year = (date(YEAR, 1, 1), date(YEAR, 12, 31))
    signal_ids = b.signals(
        n_cases, municipality=dinkelland, received=year, closed=0, source_types=["own"]
    )
    # Two in five closed, those up to 90 days after they were opened (some in the next year).
    statuses = ["aangemeld", "onderzoek", "uitvoering", CLOSED, CLOSED]
    case_ids = b.cases(
        n_cases, owner=user, municipality=dinkelland, created=year, statuses=statuses
    )
    b.case_signals(case_ids, signal_ids)
    b.interventions(n_cases * 3 // 2, case_ids, decided=year)

    def day():
        return b.day(*year)

    priorities = list(plan.priorities.all())
    Activity.objects.bulk_create(
        Activity(
            priority=rng.choice(priorities),
            kind=rng.choice(Activity.Kind.values),
            title=f"Bench-activiteit {i}",
            held_on=day(),
            reach=rng.randrange(5, 400),
            created_by=user,
        )
        for i in range(60)
    )
    for week in range(2, 52, 4):
        Alert.objects.get_or_create(
            municipality=dinkelland,
            series_key="theme:bench",
            year=YEAR,
            week=week,
            defaults={
                "series_label": "Bench-reeks",
                "observed": 9,
                "expected": 2.5,
                "upper": 6.0,
                "score": 2.0,
                "method": "farrington",
                "state": rng.choice(Alert.State.values),
            },
        )
    b.analyze(vacuum=True)  # as autovacuum keeps it
    print(
        f"  built {n_cases} cases, signals and {n_cases * 3 // 2} interventions "
        f"in {time.perf_counter() - start:.0f} s"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--pdf-runs", type=int, default=5)
    options = parser.parse_args()
    configure(DB)
    from noaber.accounts.models import Municipality
    from noaber.policy.report import build_report
    from noaber.policy.report_views import render_report_html, render_report_pdf

    dinkelland = Municipality.objects.get(cbs_code="GM1774")
    client, user = advisor_client(dinkelland)
    build(options.cases, user)
    report = build_report(dinkelland, YEAR)
    for p in report["priorities"]:
        print(
            f"  {p['order']}. {p['name'][:40]:<40} opened {p['cases_opened']:>5}  "
            f"closed {p['cases_closed']:>5}  signals {p['signals']:>5}"
        )
    pdf = render_report_pdf(report)
    print(f"  PDF: {len(pdf) / 1024:.0f} KiB")

    def get(path):
        response = client.get(path, secure=True)
        assert response.status_code == 200, response.status_code

    base = "/m/GM1774/beleid/raadsrapportage"
    measure(
        "build_report (queries + charts)", lambda: build_report(dinkelland, YEAR), options.runs, 300
    )
    measure("HTML render of a built report", lambda: render_report_html(report), options.runs, 300)
    measure(
        "PDF render of a built report", lambda: render_report_pdf(report), options.pdf_runs, 3000
    )
    measure("report page (view, audited)", lambda: get(f"{base}/?jaar={YEAR}"), options.runs, 300)
    measure(
        "report PDF (view, audited)", lambda: get(f"{base}.pdf?jaar={YEAR}"), options.pdf_runs, 3000
    )


if __name__ == "__main__":
    main()
