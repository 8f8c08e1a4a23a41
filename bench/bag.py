"""BAG import: 100,000 addresses from a GeoPackage in the fixture's format, rows/s and memory.

Writes a BAG GeoPackage (layer `verblijfsobject`, RD New points, the exact columns of
data/reference/bag-fictief.gpkg) with --rows seeded addresses spread over Dinkelland, Tubbergen
and Almelo (outside the served municipalities), then runs `import_bag` on PostgreSQL twice:
the first import (all rows new) and a re-import of the same file (every row upserted, none
removed). Prints rows/s and the peak of Python allocations (tracemalloc, second run) and the
process' peak RSS. The municipal outlines are the made-up ones of the reference data.

    .venv/bin/python bench/bag.py [--rows 100000] [--db noaber_bench_bag]

The street names come from the shared builder's vocabulary (bench/builder.py); addresses are
not rows the builder makes (they are a file format's import, timed end to end).
"""

import argparse
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from builder import STREETS  # noqa: E402
from common import ROOT, configure, drop  # noqa: E402

# Where the addresses go: (CBS code, woonplaats, postcode digits, lon/lat box). Rejection
# sampling keeps only points inside the municipality's (made-up) outline.
PLACES = [
    ("GM1774", "Denekamp", "7591", (6.96, 52.36, 7.05, 52.42)),
    ("GM1774", "Ootmarsum", "7631", (6.87, 52.39, 6.95, 52.43)),
    ("GM1774", "Weerselo", "7595", (6.80, 52.32, 6.90, 52.37)),
    ("GM0183", "Tubbergen", "7651", (6.70, 52.38, 6.83, 52.47)),
    ("GM0183", "Albergen", "7665", (6.68, 52.35, 6.78, 52.38)),
    ("GM0141", "Almelo", "7607", (6.56, 52.31, 6.64, 52.40)),
]
LIMIT_NOTE = "no stated limit; the issue asks for the figure"


def write_file(path: Path, rows: int, seed: int) -> None:
    from noaber.intake.fixtures import bag_row, outlines_wgs84, write_bag
    from noaber.lib.geo import PreparedShape

    rng = random.Random(seed)  # noqa: S311 — bench data
    shapes = {
        code: PreparedShape({"type": "Polygon", "coordinates": [ring]})
        for (code, _name), ring in outlines_wgs84().items()
    }

    def generate():
        for i in range(rows):
            code, woonplaats, digits, (x0, y0, x1, y1) = PLACES[i % len(PLACES)]
            while True:
                lon, lat = rng.uniform(x0, x1), rng.uniform(y0, y1)
                if shapes[code].contains(lon, lat):
                    break
            letters = "".join(rng.choice("ABCDEGHJKLMNPRSTVWXZ") for _ in range(2))
            letter = rng.choice(["", "", "", "", "A", "B"])
            addition = rng.choice(["", "", "", "", "", "", "1", "2", "bis"])
            yield bag_row(
                f"{code[2:]}01{i:010d}",
                rng.choice(STREETS),
                rng.randint(1, 250),
                letter,
                addition,
                f"{digits}{letters}",
                woonplaats,
                lon,
                lat,
            )

    write_bag(path, generate())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", default="noaber_bench_bag")
    parser.add_argument("--seed", type=int, default=1774)
    parser.add_argument("--keep", action="store_true", help="Keep the bench database.")
    options = parser.parse_args()

    configure(options.db, fresh=True)
    from noaber.intake.bag import import_bag
    from noaber.intake.models import Address

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bag-bench.gpkg"
        started = time.perf_counter()
        write_file(path, options.rows, options.seed)
        size = path.stat().st_size / 1e6
        print(f"file: {options.rows:,} rows, {size:.1f} MB, written in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip

        first = import_bag(path)
        print(f"first import: {first.imported:,} addresses in {first.seconds:.1f} s = "
              f"{first.rows_per_second:,.0f} rows/s ({LIMIT_NOTE}); skipped "
              f"{first.skipped_incomplete + first.skipped_outside}")  # fmt: skip

        tracemalloc.start()
        again = import_bag(path)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"re-import (tracemalloc on, slower): {again.imported:,} upserted, "
              f"{again.removed} removed in {again.seconds:.1f} s = "
              f"{again.rows_per_second:,.0f} rows/s; peak Python allocations "
              f"{peak / 1e6:.1f} MB")  # fmt: skip
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of the process: {rss:.0f} MB; addresses in the database: "
              f"{Address.objects.count():,}")  # fmt: skip
    if not options.keep:
        from django.db import connections

        connections.close_all()
        drop(options.db)
    print(f"(run from {ROOT})")


if __name__ == "__main__":
    main()
