"""Shared set-up of the bench scripts: a PostgreSQL bench database, production settings,
a signed-in advisor client and p50/p95 timing."""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def configure(db: str, *, fresh: bool = False) -> None:
    """Point Django at the bench database `db` (created if missing; dropped and created anew
    with `fresh`), migrate it and load the reference data."""
    if fresh:
        drop(db)
    os.environ.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
            "DJANGO_SETTINGS_MODULE": "noaber.settings",
            "NOABER_SECRET_KEY": "bench-secret-key-" + "x" * 40,
            "NOABER_AUDIT_KEY": "bench-audit-key-" + "y" * 40,
            "NOABER_FIELD_KEYS": "bench:QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=",
            "NOABER_BLIND_INDEX_KEY": "bench-blind-index-key-" + "z" * 40,
            "NOABER_ALLOWED_HOSTS": "testserver",
            "NOABER_SSL_REDIRECT": "0",
            "NOABER_LOG_LEVEL": "WARNING",
            "NOABER_STATIC_ROOT": "/tmp/noaber-bench-static",
            "NOABER_MEDIA_ROOT": f"/tmp/noaber-bench-media/{db}",
            # Anchors belong to their database: a fresh bench database gets a fresh file.
            "NOABER_AUDIT_ANCHOR_FILE": f"/tmp/noaber-bench-anchors/{db}.jsonl",
        }
    )
    if fresh:
        Path(os.environ["NOABER_AUDIT_ANCHOR_FILE"]).unlink(missing_ok=True)
    os.environ.pop("NOABER_DEBUG", None)
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone():
            c.execute(f"CREATE DATABASE {db}")
    import django

    django.setup()
    import logging

    from django.core.management import call_command

    # One JSON line per request would bury the figures (a few microseconds each; not timed).
    logging.getLogger("noaber.request").setLevel(logging.WARNING)
    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)


def drop(db: str) -> None:
    """Drop the bench database `db` (never `test` or another project's)."""
    import psycopg

    if not db.startswith("noaber_"):
        raise ValueError(f"not a bench database: {db}")
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def advisor_client(municipality):
    """A Django test client signed in (with a verified second factor) as a bench advisor."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from noaber.accounts import actions as account_actions
    from noaber.accounts.models import Role, User

    user = User.objects.filter(username="bench.adviseur").first()
    if user is None:
        user = account_actions.create_user("bench.adviseur", password="Bench-wachtwoord-2026!")
        account_actions.grant_role(user, municipality, Role.ADVISOR)
        TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client, user


def measure(label, fn, runs, target_ms=200):
    if runs <= 0:
        print(f"{label:<34} skipped (0 runs)")
        return
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(
        f"{label:<34} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   "
        f"(target {target_ms} ms; ratio {p95 / target_ms:.2f})"
    )


def run(args: list[str], env: dict, echo: bool = True):
    """Run manage.py `args` in a subprocess; (exit code, seconds, max RSS in MiB, CPU seconds,
    lines with the seconds since the start at which each was printed)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env | {"PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    for line in process.stdout:
        lines.append((time.perf_counter() - start, line.rstrip()))
        if echo:
            print(f"  [{lines[-1][0]:7.1f} s] {line.rstrip()}")
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return process.returncode, time.perf_counter() - start, usage.ru_maxrss / 1024, cpu, lines
