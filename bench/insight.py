"""The veiligheidsbeeld at size: dashboards over 1,000,000 signals and ten years of indicators,
and the import of a 100,000-row CBS 83648NED file, on PostgreSQL.

Run: .venv/bin/python bench/insight.py [--signals 1000000] [--runs 30] [--import-rows 100000]

Builds the register once in the database `noaber_insight_bench` (reused on later runs), counts
it into RegisterCount (timed), loads ten years of yearly figures for the four municipalities
and the country plus monthly police figures for 40 wijken, then prints p50/p95 of the dashboard
(municipality and Noordoost-Twente), the start-versus-end page and the exports; finally it
writes a 100,000-row CBS OData directory and imports it twice (rows/s, peak memory). Record the
figures in docs/performance.md. Target: each dashboard under 300 ms p95.
"""

import argparse
import json
import os
import random
import resource
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

from common import advisor_client, configure, measure

DB = os.environ.get("NOABER_BENCH_DB", "noaber_insight_bench")
YEARS = range(2016, 2026)


def build_figures():
    from noaber.accounts.models import Municipality, Population
    from noaber.insight.models import Indicator, Period, Region, RegionPopulation, Status, Value

    if Value.objects.filter(source="bench").exists():
        return
    rng = random.Random(1774)
    rows = []
    regions = list(Region.objects.filter(code__in=["NL01", "GM1774", "GM0183", "GM0168", "GM0173"]))
    for region in regions:
        people = 17_900_000 if region.code == "NL01" else 26_000
        for year in YEARS:
            if region.code == "NL01":
                RegionPopulation.objects.get_or_create(
                    region=region, year=year, defaults={"inhabitants": people}
                )
            else:
                Population.objects.get_or_create(
                    municipality=Municipality.objects.get(cbs_code=region.code),
                    year=year,
                    defaults={"inhabitants": people},
                )
            for indicator in Indicator.objects.exclude(rate_of__isnull=False):
                rows.append(
                    Value(
                        indicator=indicator,
                        region=region,
                        period_type=Period.YEAR,
                        year=year,
                        number=0,
                        value=Decimal(rng.randint(10, 900)),
                        status=Status.DEFINITIVE,
                        source="bench",
                    )
                )
    dinkelland = Municipality.objects.get(cbs_code="GM1774")
    total = Indicator.objects.get(code="crime_total")
    for w in range(40):
        region, _ = Region.objects.get_or_create(
            code=f"WK1774{w:02d}",
            defaults={"name": f"Wijk {w}", "kind": "district", "municipality": dinkelland},
        )
        for year in YEARS:
            for month in range(1, 13):
                rows.append(
                    Value(
                        indicator=total,
                        region=region,
                        period_type=Period.MONTH,
                        year=year,
                        number=month,
                        value=Decimal(rng.randint(0, 9)),
                        status=Status.DEFINITIVE,
                        source="bench",
                    )
                )
    Value.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    print(f"  {len(rows):,} indicator values")


def write_cbs_directory(folder: Path, n_rows: int) -> None:
    """A CBS 83648NED OData directory with `n_rows` rows in pages of 10,000."""
    regions = [
        "NL01  ",
        *[f"PV{20 + i:02d}  " for i in range(12)],
        "GM1774",
        "GM0183",
        "GM0168",
        "GM0173",
    ]
    periods = [f"{y}JJ00" for y in range(2010, 2025)] + [
        f"{y}MM{m:02d}" for y in range(2015, 2025) for m in range(1, 13)
    ]
    n_kinds = -(-n_rows // (len(regions) * len(periods)))
    kinds = ["T001161"] + [f"CRI{1000 + i}" for i in range(n_kinds - 1)]
    (folder / "RegioS.json").write_text(
        json.dumps(
            {
                "value": [
                    {
                        "Key": r,
                        "Title": "Nederland"
                        if r.startswith("NL")
                        else f"Provincie {r.strip()} (PV)"
                        if r.startswith("PV")
                        else r,
                    }
                    for r in regions
                ]
            }
        )
    )
    (folder / "Perioden.json").write_text(
        json.dumps({"value": [{"Key": p, "Title": p, "Status": "Definitief"} for p in periods]})
    )
    (folder / "SoortMisdrijf.json").write_text(
        json.dumps({"value": [{"Key": k, "Title": f"Soort {k}"} for k in kinds]})
    )
    rng = random.Random(83648)
    rows, page = [], 1
    for kind in kinds:
        for region in regions:
            for period in periods:
                if len(rows) + (page - 1) * 10000 >= n_rows:
                    break
                rows.append(
                    {
                        "ID": len(rows),
                        "SoortMisdrijf": kind,
                        "RegioS": region,
                        "Perioden": period,
                        "TotaalGeregistreerdeMisdrijven_1": rng.randint(0, 5000),
                        "GeregistreerdeMisdrijvenRelatief_2": None,
                        "GeregistreerdeMisdrijvenPer1000Inw_3": None,
                        "TotaalOpgehelderdeMisdrijven_4": None,
                        "OpgehelderdeMisdrijvenRelatief_5": None,
                        "RegistratiesVanVerdachten_6": None,
                    }
                )
                if len(rows) == 10000:
                    name = "TypedDataSet.json" if page == 1 else f"TypedDataSet-{page}.json"
                    (folder / name).write_text(json.dumps({"value": rows}))
                    rows, page = [], page + 1
    if rows:
        name = "TypedDataSet.json" if page == 1 else f"TypedDataSet-{page}.json"
        (folder / name).write_text(json.dumps({"value": rows}))


def bench_import(n_rows: int) -> None:
    from noaber.insight.importers import read, store

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_cbs_directory(folder, n_rows)
        for attempt in ("first import", "second import (no changes)"):
            tracemalloc.start()
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            start = time.perf_counter()
            parsed, batch = read("cbs", folder)
            result = store(parsed, batch, origin="system")
            seconds = time.perf_counter() - start
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            print(
                f"CBS import, {attempt:<27} {n_rows:,} rows in {seconds:5.1f} s = {n_rows / seconds:8,.0f} rows/s; "
                f"peak Python memory {peak / 2**20:5.0f} MiB (process max RSS {rss_after / 1024:5.0f} MiB, "
                f"+{(rss_after - rss_before) / 1024:.0f}); created {result.created:,}, updated {result.updated:,}, unchanged {result.unchanged:,}"
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--signals", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--import-rows", type=int, default=100_000)
    options = parser.parse_args()
    configure(DB)
    from register import build

    build(options.signals, 0)
    build_figures()

    from noaber.accounts.models import Municipality
    from noaber.insight.aggregates import refresh_register_counts
    from noaber.insight.models import RegisterCount

    start = time.perf_counter()
    for municipality in Municipality.objects.all():
        refresh_register_counts(municipality)
    print(
        f"register counts rebuilt             {time.perf_counter() - start:7.1f} s   "
        f"({RegisterCount.objects.count():,} cells from {options.signals:,} signals)"
    )

    dinkelland = Municipality.objects.get(cbs_code="GM1774")
    client, _user = advisor_client(dinkelland)
    base = "/m/GM1774/veiligheidsbeeld/"

    def get(path, **params):
        response = client.get(path, params, secure=True)
        assert response.status_code == 200, response.status_code

    measure("dashboard Dinkelland 2025", lambda: get(base, jaar=2025), options.runs, 300)
    measure(
        "dashboard Noordoost-Twente 2025",
        lambda: get(base, jaar=2025, gebied="regio"),
        options.runs,
        300,
    )
    measure(
        "start versus end 2016-2025",
        lambda: get(base + "vergelijking/", van=2016, tot=2025),
        options.runs,
        300,
    )
    measure("export CSV", lambda: get(base + "export.csv", jaar=2025), options.runs, 300)
    measure("export XLSX", lambda: get(base + "export.xlsx", jaar=2025), options.runs, 300)
    bench_import(options.import_rows)


if __name__ == "__main__":
    main()
