"""Key rotation at size: `manage.py rotate_field_keys` re-encrypting 1,000,000 signals with
their reports and 100,000 cases with 1,000,000 timeline entries, on PostgreSQL.

Run: .venv/bin/python bench/keys.py [--scale 1] [--keep]

Builds the data anew in `noaber_keys_bench` with the shared builder (bench/builder.py; every
encrypted value under the bench key), puts a new key first in NOABER_FIELD_KEYS and runs
`manage.py rotate_field_keys` in a subprocess, so that its peak memory (max RSS from
getrusage of that process alone) and time are its own. Prints rows/s per model and overall,
then checks the result: `rotate_field_keys --check` must report nothing left and
`manage.py check --database default` must pass with the old key removed. `--scale 0.01` runs
it with 10,000 signals, 1,000 cases and 10,000 entries. Drops the database afterwards unless
`--keep`. Record the figures in docs/performance.md.
"""

import argparse
import os
import re
import time

from common import configure, drop, run

DB = os.environ.get("NOABER_BENCH_DB", "noaber_keys_bench")
NEW_KEY = "rot2026:UlJSUlJSUlJSUlJSUlJSUlJSUlJSUlJSUlJSUlJSUlI="  # 32 bytes of "R"


def build(scale: float, seed: int):
    from builder import Builder
    from common import advisor_client

    from noaber.accounts.models import Municipality
    from noaber.lib.crypto import encrypted_fields
    from noaber.registry.models import Signal

    _client, owner = advisor_client(Municipality.objects.get(cbs_code="GM1774"))
    b = Builder(seed=seed)
    start = time.perf_counter()
    b.signals(round(1_000_000 * scale), reports=True)
    case_ids = b.cases(round(100_000 * scale), owner=owner)
    b.timeline(round(1_000_000 * scale), case_ids)
    b.analyze()
    print(f"  built in {time.perf_counter() - start:.0f} s")
    counts = {m._meta.label: m._base_manager.count() for m in encrypted_fields()}
    assert counts["registry.Signal"] == Signal.objects.count()
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = the issue's sizes")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    options = parser.parse_args()
    configure(DB, fresh=True)
    counts = build(options.scale, options.seed)
    from django.db import connections

    connections.close_all()
    old_keys = os.environ["NOABER_FIELD_KEYS"]
    env = os.environ | {"NOABER_FIELD_KEYS": f"{NEW_KEY},{old_keys}"}
    total = sum(counts.values())
    print(
        f"rotate_field_keys over {total:,} rows ({', '.join(f'{k} {v:,}' for k, v in counts.items() if v)})"
    )
    load = os.getloadavg()[0]
    code, seconds, rss, cpu, lines = run(["rotate_field_keys"], env)
    assert code == 0, f"rotate_field_keys exited {code}"
    previous = 0.0
    for at, line in lines:
        match = re.match(r"(\S+): (\d+) re-encrypted", line)
        if match and int(match[2]):
            rows = int(match[2])
            print(
                f"  {match[1]:<28} {rows:>10,} rows in {at - previous:7.1f} s = {rows / (at - previous):9,.0f} rows/s"
            )
        previous = at
    print(
        f"rotate_field_keys: {total:,} rows in {seconds:.1f} s = {total / seconds:,.0f} rows/s; "
        f"peak memory (max RSS of the process) {rss:.0f} MiB; its CPU time {cpu:.0f} s "
        f"({cpu / total * 1000:.2f} ms a row; PostgreSQL's not counted); load average "
        f"{load:.1f} before, {os.getloadavg()[0]:.1f} after on {os.cpu_count()} cores"
    )
    code, seconds, _rss, _cpu, _lines = run(["rotate_field_keys", "--check"], env, echo=False)
    print(
        f"rotate_field_keys --check: exit {code} ({seconds:.1f} s): {_lines[-1][1] if _lines else ''}"
    )
    assert code == 0, "rows left under the old key"
    only_new = os.environ | {"NOABER_FIELD_KEYS": NEW_KEY}
    code, seconds, _rss, _cpu, _lines = run(
        ["check", "--database", "default"], only_new, echo=False
    )
    print(f"check --database default with the old key removed: exit {code} ({seconds:.1f} s)")
    assert code == 0, "\n".join(line for _at, line in _lines)
    if not options.keep:
        drop(DB)


if __name__ == "__main__":
    main()
