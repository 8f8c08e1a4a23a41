"""Throughput and latency of public intake on PostgreSQL behind gunicorn.

Run: .venv/bin/python bench/intake.py [--clients 20] [--per-client 15] [--workers 4]

Creates (or reuses) the PostgreSQL database `noaber_bench` on 127.0.0.1:5432, migrates it,
starts gunicorn in production mode, lets N concurrent clients POST /api/v1/public/reports
(each submission hashes a receipt with Argon2id), then prints submissions/s, p50/p95/max
latency, and the memory one Argon2id hash takes. Record the figures in docs/performance.md.
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable
PORT = 8765
DB = "noaber_bench"
BODY = json.dumps(
    {
        "municipality": "GM1774",
        "category": "verdacht-pand",
        "description": "Al weken 's nachts licht en auto's bij de lege schuur.",
        "area": "Buitengebied",
    }
)


def environment() -> dict:
    return os.environ | {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
        "NOABER_SECRET_KEY": "bench-secret-key-" + "x" * 40,
        "NOABER_AUDIT_KEY": "bench-audit-key-" + "y" * 40,
        "NOABER_FIELD_KEYS": "bench:" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=",
        "NOABER_BLIND_INDEX_KEY": "bench-blind-index-key-" + "z" * 40,
        "NOABER_ALLOWED_HOSTS": "127.0.0.1",
        "NOABER_SSL_REDIRECT": "0",
        "NOABER_TRUSTED_PROXIES": "0",
        "NOABER_THROTTLE_REPORTS_PER_HOUR": "1000000",
        "NOABER_LOG_LEVEL": "WARNING",
        "NOABER_STATIC_ROOT": "/tmp/noaber-bench-static",
    }


def prepare(env):
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone():
            c.execute(f"CREATE DATABASE {DB}")
    steps = (
        ["migrate", "--noinput", "-v0"],
        ["load_reference_data"],
        ["collectstatic", "--noinput"],
    )
    for args in steps:
        subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


def argon2_memory_mib() -> float:
    """Peak memory growth (VmHWM) of one Argon2id hash at the production parameters."""
    code = (
        "def hwm():\n"
        "    lines = open('/proc/self/status').read().splitlines()\n"
        "    return [int(x.split()[1]) for x in lines if x.startswith('VmHWM')][0]\n"
        "import argon2\n"
        "before = hwm()\n"
        "from noaber.intake.receipts import HASHER as h\n"
        "h.hash('x' * 16)\n"
        "print((hwm() - before) / 1024)\n"
    )
    out = subprocess.run([PY, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout)


def argon2_ms() -> float:
    from noaber.intake.receipts import HASHER

    start = time.perf_counter()
    for _ in range(20):
        HASHER.hash("x" * 16)
    return (time.perf_counter() - start) / 20 * 1000


def client(n: int, latencies: list, errors: list):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    headers = {"Content-Type": "application/json"}
    for _ in range(n):
        start = time.perf_counter()
        conn.request("POST", "/api/v1/public/reports", BODY, headers)
        response = conn.getresponse()
        response.read()
        latencies.append((time.perf_counter() - start) * 1000)
        if response.status != 201:
            errors.append(response.status)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--per-client", type=int, default=15)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    env = environment()
    prepare(env)
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "noaber.wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            str(options.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/health")
                break
            except OSError:
                time.sleep(0.1)
        client(5, [], [])  # warm up every worker's imports and connections
        latencies, errors = [], []
        threads = [
            threading.Thread(target=client, args=(options.per_client, latencies, errors))
            for _ in range(options.clients)
        ]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait()
    latencies.sort()
    total = len(latencies)
    p95 = latencies[int(total * 0.95) - 1]
    print(
        f"clients={options.clients} workers={options.workers} submissions={total} "
        f"errors={len(errors)} cpus={os.cpu_count()}"
    )
    print(f"throughput      {total / elapsed:8.1f} submissions/s")
    print(f"latency p50     {statistics.median(latencies):8.1f} ms")
    print(f"latency p95     {p95:8.1f} ms   (target < 300 ms; ratio {p95 / 300:.2f})")
    print(f"latency max     {latencies[-1]:8.1f} ms")
    from noaber.intake.receipts import HASHER

    memory = argon2_memory_mib()
    print(
        f"argon2id hash   {argon2_ms():8.1f} ms, {memory:.1f} MiB peak per hash "
        f"(m={HASHER.memory_cost // 1024} MiB, t={HASHER.time_cost}, p={HASHER.parallelism}); "
        f"at most one per worker at once: {options.workers * memory:.0f} MiB"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
