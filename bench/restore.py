"""The backup set and the restore check at size: `manage.py backup` and `manage.py restore_check`
over 1,000,000 signals with their reports, 100,000 cases with 1,000,000 timeline entries and
attachment files, on PostgreSQL.

Run: .venv/bin/python bench/restore.py [--scale 1] [--files 200] [--file-kb 512] [--keep]

Builds the data anew in `noaber_restore_bench` with the shared builder (bench/builder.py, the
same data as bench/keys.py) plus `--files` attachments of `--file-kb` KiB written through the
app's encrypted storage; then runs `backup` into a fresh directory and `restore_check` on it,
each in a subprocess, so time, CPU time and peak memory (max RSS from wait4 of that process) are
its own. The check restores into a scratch database and folder, verifies the audit chain,
compares row counts, decrypts a sample of every encrypted field and every referenced file; its
verdict must be "goed". Prints rows/s and MB/s. Drops the database and the set unless `--keep`.
Record the figures in docs/performance.md.
"""

import argparse
import os
import shutil
import tempfile

from common import configure, drop, run
from keys import build

DB = os.environ.get("NOABER_BENCH_DB", "noaber_restore_bench")


def size_of(path) -> int:
    return sum(
        os.path.getsize(os.path.join(d, f)) for d, _dirs, files in os.walk(path) for f in files
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = the issue's sizes")
    parser.add_argument("--files", type=int, default=200, help="attachments (default 200)")
    parser.add_argument("--file-kb", type=int, default=512, help="size of each (KiB)")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--keep", action="store_true", help="keep the database and the set")
    options = parser.parse_args()
    configure(DB, fresh=True)
    counts = build(options.scale, options.seed)
    from builder import Builder
    from django.conf import settings
    from django.db import connection, connections

    from noaber.intake.models import Report

    report_ids = list(Report.objects.order_by("pk").values_list("pk", flat=True)[: options.files])
    Builder(seed=options.seed, verbose=False).attachment_files(
        report_ids, size=options.file_kb * 1024
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        database_bytes = cursor.fetchone()[0]
    media_bytes = size_of(settings.MEDIA_ROOT)
    rows = sum(counts.values())
    connections.close_all()
    print(
        f"data: {rows:,} rows with encrypted fields; database {database_bytes / 2**20:,.0f} MiB; "
        f"{len(report_ids)} files, {media_bytes / 2**20:,.0f} MiB"
    )
    target = tempfile.mkdtemp(prefix="noaber-bench-backup-")
    shutil.rmtree(target)
    env = dict(os.environ)
    steps = [("backup", ["backup", target]), ("restore_check", ["restore_check", target])]
    for label, args in steps:
        load = os.getloadavg()[0]
        code, seconds, rss, cpu, lines = run(args, env, echo=False)
        print(
            f"{label:<14} exit {code}  {seconds:7.1f} s  = {rows / seconds:8,.0f} rows/s, "
            f"{(database_bytes + media_bytes) / 2**20 / seconds:6.1f} MiB/s of data; peak "
            f"memory {rss:.0f} MiB; CPU of the process {cpu:.0f} s; load {load:.1f} before, "
            f"{os.getloadavg()[0]:.1f} after on {os.cpu_count()} cores"
        )
        for _at, line in lines[-6:]:
            print(f"    {line}")
        assert code == 0, f"{label} exited {code}"
    print(f"backup set: {size_of(target) / 2**20:,.0f} MiB in {target}")
    if not options.keep:
        shutil.rmtree(target, ignore_errors=True)
        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
        drop(DB)


if __name__ == "__main__":
    main()
