"""The audit log at volume (issue 19, point 4), on PostgreSQL.

1. Throughput: writer processes call `record()` as fast as they can, each event for the next
   of four municipalities, for --seconds; the same rows (built by the same `build_event`) are
   also inserted into a plain copy of the table (same columns and indexes; no queue trigger,
   no append-only triggers, no seals) in the same run: that is the limit. Printed per writer
   count: events/s written in --seconds (the installation's one sealer thread runs beside the
   writers, on the same cores) for both, the ratio (target >= 0.8), and how long after the
   writers stopped every event was sealed (the sealer keeping up).
2. Verify: --events events of form 3 (default 10,000,000) over the four chains, sealed as the
   sealer seals them (2,000 per seal), loaded with COPY through the shared builder; then
   `verify_log` (one pass over the events in id order, split into --jobs ranges walked by
   processes side by side) against hashing the same number of canonical bytes with hashlib in one pass
   (target: within 10x).

    .venv/bin/python bench/audit.py [--seconds 10] [--writers 1,2,4,8,16] [--events 10000000]
                                    [--jobs 2] [--skip-throughput] [--skip-verify] [--keep]
                                    [--reuse]   (verify again what a --keep run built)
"""

import argparse
import hashlib
import multiprocessing
import os
import sys
import time
from types import SimpleNamespace

from common import configure, drop

DB = "noaber_bench_audit"
MUNICIPALITIES = ["GM1774", "GM0183", "GM0168", "GM0173"]
PLAIN = "bench_plain_event"


def event_fields(n: int, code: str) -> dict:
    """One page view of personal data, as the app records it."""
    return {
        "actor": SimpleNamespace(pk=7, username="bench.adviseur"),
        "role": "advisor",
        "municipality": code,
        "object_type": "signal",
        "object_id": n,
        "origin": "10.1.2.3",
        "detail": {"page": "detail", "tab": n % 5},
        "data_subject": ("noaber-subject", n),
    }


def writer(mode: str, index: int, start: float, seconds: float, counts) -> None:
    from django.db import connections

    from noaber.audit.actions import build_event, record
    from noaber.audit.chains import drain
    from noaber.audit.models import AuditEvent

    connections.close_all()  # never share the parent's connection
    if mode == "plain":
        AuditEvent._meta.db_table = PLAIN
    n = 0
    while time.time() < start:
        time.sleep(0.001)
    end = start + seconds
    while time.time() < end:
        fields = event_fields(index * 10_000_000 + n, MUNICIPALITIES[(index + n) % 4])
        if mode == "plain":
            build_event("view", **fields).save(force_insert=True)
        else:
            record("view", **fields)
        n += 1
    counts.put(n)
    if mode == "chain":
        drain(60)
    connections.close_all()


def pending() -> int:
    from noaber.audit.models import AuditPending

    return AuditPending.objects.count()


def throughput(writer_counts: list[int], seconds: float) -> None:
    from django.db import connection, connections

    from noaber.audit.chains import seal_all

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {PLAIN}")
        cursor.execute(f"CREATE TABLE {PLAIN} (LIKE audit_auditevent INCLUDING ALL)")
    print(f"\nThroughput: events/s over {seconds:.0f} s, four municipalities, sealed events")
    print(f"{'writers':>8} {'plain table':>12} {'audit log':>10} {'ratio':>6}  (target >= 0.8)"
          "   all sealed after")  # fmt: skip
    lags = []
    context = multiprocessing.get_context("fork")
    for count in writer_counts:
        rates = {}
        for mode in ("plain", "chain"):
            connections.close_all()
            counts = context.Queue()
            start = time.time() + 1.0
            processes = [context.Process(target=writer, args=(mode, i, start, seconds, counts))
                         for i in range(count)]  # fmt: skip
            for process in processes:
                process.start()
            total = sum(counts.get() for _ in processes)
            rates[mode] = total / seconds
            for process in processes:
                process.join()
            if mode == "chain":
                while pending():  # the sealer's backlog when the writers stopped
                    if time.time() - start - seconds > 5:
                        seal_all()  # no writer process is left to be the sealer
                    time.sleep(0.05)
                lags.append(time.time() - start - seconds)
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {PLAIN}")
        ratio = rates["chain"] / rates["plain"]
        verdict = "ok" if ratio >= 0.8 else "BELOW TARGET"
        print(f"{count:>8} {rates['plain']:>12.0f} {rates['chain']:>10.0f} {ratio:>6.2f}  "
              f"{verdict:<14}{lags[-1]:5.2f} s", flush=True)  # fmt: skip


def reused(events: int):
    """The events of a database kept by an earlier run (--keep): their number and seals, and
    their canonical bytes estimated from the first 10,000 (building 10 million anew takes
    12-25 minutes)."""
    from noaber.audit.models import CANONICAL_FIELDS, AuditEvent, AuditSeal, canonical

    form_3 = AuditEvent.objects.filter(format__gte=3)
    count = form_3.count()
    if count < events:
        sys.exit(f"--reuse: the kept database holds {count:,} events, fewer than {events:,}")
    sample = form_3.order_by("id").values_list(*CANONICAL_FIELDS)[:10_000]
    size = sum(len(canonical(dict(zip(CANONICAL_FIELDS, row, strict=True)))) for row in sample)
    return SimpleNamespace(events=count, seals=AuditSeal.objects.exclude(chain="*").count(),
                           canonical_bytes=int(size / len(sample) * count))  # fmt: skip


def verify(events: int, jobs: int, reuse: bool = False) -> None:
    from builder import Builder
    from django.db import connection

    from noaber.audit.chain import verify_log
    from noaber.audit.chains import seal_all

    builder = Builder(seed=19)
    seal_all()
    start = time.perf_counter()
    if reuse:
        written = reused(events)
    else:
        written = builder.audit_events(events, MUNICIPALITIES)
        builder.analyze(vacuum=True)
    build = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('audit_auditevent'))")
        size = cursor.fetchone()[0]
    print(f"\nVerify: {written.events:,} events in {written.seals:,} seals over "
          f"{len(MUNICIPALITIES)} chains ({size}; {'reused' if reuse else 'built'} in {build:.0f} s)")  # fmt: skip
    start = time.perf_counter()
    report = verify_log(jobs=jobs)
    took = time.perf_counter() - start
    if not report.ok:
        sys.exit(f"verify failed: {report.chain} #{report.broken_seq}: {report.problem}")
    # The limit: the same number of canonical bytes through hashlib in one pass.
    block = os.urandom(1 << 20)
    digest = hashlib.sha256()
    start = time.perf_counter()
    left = written.canonical_bytes
    while left > 0:
        digest.update(block if left >= len(block) else block[:left])
        left -= len(block)
    hashing = time.perf_counter() - start
    rate = report.checked / took
    print(f"verify_log:       {took:8.1f} s  ({rate:,.0f} events/s; {report.checked:,} checked; "
          f"{jobs} processes)")  # fmt: skip
    print(f"hashlib one pass: {hashing:8.1f} s  ({written.canonical_bytes / 1e9:.2f} GB)")
    ratio = took / hashing
    print(f"ratio {ratio:.1f}x (target <= 10x): {'ok' if ratio <= 10 else 'ABOVE TARGET'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--writers", default="1,2,4,8,16")
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--jobs", type=int, default=2, help="verify processes (cores)")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-verify", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--reuse", action="store_true",
                        help="verify the events a --keep run left (implies --skip-throughput)")
    args = parser.parse_args()
    if args.reuse:
        args.skip_throughput = args.keep = True
    configure(DB, fresh=not args.reuse)
    try:
        if not args.skip_throughput:
            throughput([int(n) for n in args.writers.split(",")], args.seconds)
        if not args.skip_verify:
            verify(args.events, args.jobs, args.reuse)
    finally:
        if not args.keep:
            from django.db import connections

            from noaber.audit.chains import drain

            drain()  # this process's sealer gives up its connection before the drop
            connections.close_all()
            drop(DB)


if __name__ == "__main__":
    main()
