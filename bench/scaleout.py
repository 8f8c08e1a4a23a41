"""Scale-out on PostgreSQL: two gunicorn instances, two task workers and two schedulers on one
database with the shared bench data, under staff and public load — proven for correctness,
measured for speed.

Run: .venv/bin/python bench/scaleout.py [--signals 1000000] [--rate 10] [--seconds 90] [--fresh]
                                        [--drop]

Builds (or reuses) `noaber_scaleout_bench` with the shared builder: `--signals` signals with
their reports over all municipalities, 10,000 Dinkelland cases with 100,000 timeline
entries. Then starts, against that one database: two gunicorn instances (2 workers each), two
`run_worker` task workers and two `run_scheduler` schedulers (every 2 s), and sends requests at
a fixed rate (open loop: latency counts from the moment a request was due, so a slow server
cannot slow the load down) from four signed-in advisors — inbox, case page, note, task,
dashboard — and public submitters (POST /api/v1/public/reports). Phase 1 sends everything to
instance 1, phase 2 spreads it over both; each phase runs `--seconds`. Before them, phase 0
(`--warmup` seconds, both instances) carries the jobs made due at the start and the kill below,
so that they do not weigh on one of the two measured phases.

During phase 0 the bench enqueues a task that takes 40 s on its first run, waits until a
worker runs it, kills that worker with SIGKILL and starts a fresh one. The jobs that are due
daily or weekly and touch bench data only lightly (reminders, register counts, audit check
and anchor, failed-login check) are made due at the start, so both schedulers compete for
them; retention and destruction lists are not (they would change the bench data).

Pass/fail, printed at the end (exit 1 on any failure):
- no response 5xx;
- every notice in the outbox is sent, and every message reaches the mail files once (counted
  by Message-ID; the mail backend writes files);
- every report submitted has exactly one new-report notice;
- each periodic job is enqueued at most once per interval although two schedulers run;
- the killed worker's task is run again and succeeds, and no task is left running or queued;
- `verify_audit` finds every chain intact.
Speed: p50/p95 per request type for one instance and for two, and their ratio. This machine
has 2 cores, so two instances cannot be faster in absolute terms; the ratio shows what the
second instance costs or gains at a fixed load. Record the figures in docs/performance.md.
"""

import argparse
import html
import http.client
import json
import os
import queue
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

from common import ROOT, configure, drop

DB = os.environ.get("NOABER_BENCH_DB", "noaber_scaleout_bench")
PORTS = (8781, 8782)
MAIL_DIR = Path(f"/tmp/noaber-bench-mail/{DB}")
PY = sys.executable
M = "GM1774"
# request type: share of the load
MIX = {"dashboard": 0.12, "inbox": 0.2, "case": 0.2, "note": 0.1, "task": 0.06, "public": 0.32}
DUE_AT_START = (
    "noaber.cases.tasks.send_task_reminders",
    "noaber.insight.tasks.refresh_all_register_counts",
    "noaber.audit.tasks.verify_audit_chain",
    "noaber.audit.tasks.anchor_audit_chain",
    "noaber.accounts.tasks.check_failed_login_peak",
)
PUBLIC = json.dumps(
    {
        "municipality": M,
        "category": "verdacht-pand",
        "description": "Al weken 's nachts licht en auto's bij de lege schuur.",
        "area": "Buitengebied",
    }
)


def build(n_signals: int, advisors):
    from builder import Builder

    from noaber.accounts.models import Municipality
    from noaber.cases.models import Case
    from noaber.registry.models import Signal

    have = Signal.objects.count()
    if have >= n_signals and Case.objects.exists():
        print(f"bench data present: {have:,} signals, {Case.objects.count():,} cases")
        return
    start = time.perf_counter()
    b = Builder(seed=1774)
    b.signals(n_signals - have, reports=True)
    dinkelland = Municipality.objects.get(cbs_code=M)
    case_ids = b.cases(10_000, owner=advisors[0], municipality=dinkelland)
    b.timeline(100_000, case_ids)
    b.analyze(vacuum=True)
    print(f"bench data built in {time.perf_counter() - start:.0f} s")


def staff(n: int):
    """`n` advisors of Dinkelland with an e-mail address and a confirmed second factor."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from noaber.accounts import actions
    from noaber.accounts.models import Municipality, Role, User

    dinkelland = Municipality.objects.get(cbs_code=M)
    users = []
    for i in range(1, n + 1):
        name = f"bench.adviseur.{i}"
        user = User.objects.filter(username=name).first()
        if user is None:
            user = actions.create_user(name, password="Bench-wachtwoord-2026!")
            actions.grant_role(user, dinkelland, Role.ADVISOR)
            TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
            user.email = f"adviseur{i}@bench.example"
            user.save(update_fields=["email"])
        users.append(user)
    return users


def tasks_due_tomorrow(advisors, case_ids):
    """Tasks for the reminder job to mail about (each advisor gets some)."""
    from django.core.exceptions import ValidationError

    from noaber.cases.actions import add_task
    from noaber.cases.models import Case

    tomorrow = time_now().date() + timedelta(days=1)
    made = 0
    for i, case in enumerate(Case.objects.filter(pk__in=case_ids)):
        try:
            add_task(case, "Terugbellen melder", tomorrow, actor=advisors[i % len(advisors)],
                     request=None, user=advisors[i % len(advisors)])  # fmt: skip
            made += 1
        except ValidationError:  # a status that allows no task
            continue
    print(f"{made} tasks due tomorrow, for the reminder job")


def sign_in(user):
    """A session cookie (with a verified second factor) and a CSRF token for `user`."""
    from django.conf import settings
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return session.session_key, settings.SESSION_COOKIE_NAME


class Http:
    """One keep-alive connection per port per thread."""

    def __init__(self):
        self.local = threading.local()

    def request(self, port, method, path, body=None, headers=None):
        conns = self.local.__dict__.setdefault("conns", {})
        for attempt in range(2):
            conn = conns.get(port) or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conns[port] = conn
            try:
                conn.request(method, path, body, headers or {})
                response = conn.getresponse()
                return response.status, response.read(), response.headers
            except (http.client.HTTPException, OSError):
                conn.close()
                conns.pop(port, None)
                if attempt:
                    raise
        raise AssertionError("unreachable")


class Staff:
    """A signed-in advisor: cookies, CSRF token, the open cases to work on."""

    def __init__(self, user, cases, http: Http):
        self.user, self.cases, self.http = user, cases, http
        key, name = sign_in(user)
        self.cookie = f"{name}={key}"
        self.token = None

    def headers(self, **extra):
        return {"Cookie": self.cookie, "Host": "127.0.0.1", **extra}

    def get(self, port, path):
        status, body, headers = self.http.request(port, "GET", path, headers=self.headers())
        cookie = headers.get("Set-Cookie", "")
        found = re.search(r"csrftoken=([^;]+)", cookie)
        if found and "csrftoken" not in self.cookie:
            self.cookie += f"; csrftoken={found.group(1)}"
        return status, body

    def post(self, port, path, fields):
        from urllib.parse import urlencode

        body = urlencode(fields)
        headers = self.headers(**{"Content-Type": "application/x-www-form-urlencoded"})
        status, _body, _headers = self.http.request(port, "POST", path, body, headers)
        return status


def hidden(page: bytes, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>'.encode(), page)
    found = tag and re.search(rb'value="([^"]*)"', tag.group(0))
    return html.unescape(found.group(1).decode()) if found else ""


class Load:
    """Requests at a fixed rate; every result is (type, status, ms since due, phase)."""

    def __init__(self, staff_members, rate, http):
        self.staff, self.rate, self.http = staff_members, rate, http
        self.results = []
        self.lock = threading.Lock()
        self.jobs = queue.Queue()
        self.counter = 0
        self.submitted = 0

    def one(self, kind, port, rng, due):
        member = rng.choice(self.staff)
        case = rng.choice(member.cases)
        base = f"/m/{M}/casussen/{case}/"
        if kind == "dashboard":
            return [("dashboard", member.get(port, f"/m/{M}/")[0])]
        if kind == "inbox":
            return [("inbox", member.get(port, f"/m/{M}/meldingen/")[0])]
        if kind == "case":
            return [("case", member.get(port, base)[0])]
        if kind == "public":
            status, _body, _headers = self.http.request(
                port, "POST", "/api/v1/public/reports", PUBLIC,
                {"Content-Type": "application/json", "Host": "127.0.0.1"},
            )  # fmt: skip
            if status == 201:
                with self.lock:
                    self.submitted += 1
            return [("public", status)]
        status, page = member.get(port, base + ("note/" if kind == "note" else "task/"))
        form = (kind + " form", status, (time.perf_counter() - due) * 1000)
        fields = {
            "csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"),
            "version": hidden(page, "version"),
        }
        if kind == "note":
            fields["text"] = "Buurman gesproken; zag opnieuw busjes bij de schuur."
        else:
            fields |= {
                "title": "Controle bij de schuur",
                "due_date": (time_now().date() + timedelta(days=1)).isoformat(),
                "user": str(member.user.pk),
            }
        began = time.perf_counter()
        posted = member.post(port, base + kind + "/", fields)
        return [form, (kind, posted, (time.perf_counter() - began) * 1000)]

    def worker(self, rng):
        while True:
            item = self.jobs.get()
            if item is None:
                return
            due, kind, port, phase = item
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            try:
                outcome = self.one(kind, port, rng, due)
            except Exception as error:  # noqa: BLE001 - a dropped connection counts as a failure
                outcome = [(kind, f"error {type(error).__name__}")]
            ms = (time.perf_counter() - due) * 1000
            with self.lock:
                for name, status, *own in outcome:  # a form and its post: each its own time
                    self.results.append((name, status, own[0] if own else ms, phase))

    def run(self, seconds, ports, phase, rng):
        import random

        threads = [
            threading.Thread(target=self.worker, args=(random.Random(rng.random()),), daemon=True)
            for _ in range(24)
        ]
        for thread in threads:
            thread.start()
        kinds, weights = zip(*MIX.items(), strict=True)
        start = time.perf_counter()
        n = int(seconds * self.rate)
        for i in range(n):
            self.counter += 1
            port = ports[self.counter % len(ports)]
            self.jobs.put((start + i / self.rate, rng.choices(kinds, weights)[0], port, phase))
        for _ in threads:
            self.jobs.put(None)
        for thread in threads:
            thread.join()


def time_now():
    from django.utils import timezone

    return timezone.localtime()


def processes(env):
    """Start the two web instances, two workers and two schedulers."""
    started = {}
    for i, port in enumerate(PORTS, 1):
        started[f"web{i}"] = popen(
            ["-m", "gunicorn", "noaber.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2",
             "--log-level", "warning"], env,
        )  # fmt: skip
    for i in (1, 2):
        started[f"worker{i}"] = worker(env, f"bench-worker-{i}")
        started[f"scheduler{i}"] = popen(["manage.py", "run_scheduler", "--interval", "2"], env)
    for port in PORTS:
        wait_for_port(port)
    return started


def worker(env, worker_id):
    return popen(
        ["manage.py", "run_worker", "--queue-name", "*", "--no-reload", "--interval", "0.5",
         "--worker-id", worker_id, "--no-startup-delay", "-v", "0"], env,
    )  # fmt: skip


def popen(args, env):
    name = "web" if args[0] == "-m" else args[1]
    log = open(f"/tmp/noaber-bench-{name}.log", "a")  # noqa: SIM115 - the child keeps it
    return subprocess.Popen([PY, *args], cwd=ROOT, env=env, stdout=log, stderr=log)  # noqa: S603


def wait_for_port(port):
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health", headers={"Host": "127.0.0.1"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn on {port} did not start")


def kill_a_worker_mid_task(env, started, report):
    """Enqueue a task that takes 40 s on its first run; SIGKILL the worker that runs it; start
    a fresh worker in its place."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from noaber.jobs.models import WorkerBeat
    from noaber.jobs.tests.slow_task import sleep_on_first_run

    try:
        task = sleep_on_first_run.enqueue(40)
        report["killed_task"] = task.id
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            row = DBTaskResult.objects.filter(pk=task.id, status="RUNNING").first()
            if row is not None:
                beat = WorkerBeat.objects.get(worker_id=row.worker_ids[-1])
                name = next(n for n, p in started.items() if p.pid == beat.pid)
                time.sleep(1)
                os.kill(beat.pid, signal.SIGKILL)
                started[name].wait()
                started[name + "-killed"] = started.pop(name)
                started[name] = worker(env, f"{row.worker_ids[-1]}-after")
                report["killed_worker"] = f"{name} (pid {beat.pid})"
                report["killed_at"] = time.perf_counter()
                return
            time.sleep(0.2)
        report["kill_error"] = "no worker took the task within 60 s"
    finally:
        connection.close()


def make_jobs_due(now):
    from noaber.jobs.models import ScheduleState
    from noaber.jobs.schedule import REGISTRY

    for name, job in REGISTRY.items():
        due = now if name in DUE_AT_START or job.interval <= timedelta(minutes=1) else None
        ScheduleState.objects.update_or_create(
            name=name, defaults={"next_run_at": due or now + job.interval}
        )


def percentile(values, share):
    values = sorted(values)
    return values[max(0, int(len(values) * share + 0.5) - 1)]


def speed(results):
    by = defaultdict(lambda: defaultdict(list))
    for kind, _status, ms, phase in results:
        by[kind][phase].append(ms)
    print(
        f"\n{'request':<11} {'phase 0':>13} {'1: one instance':>19} {'2: two instances':>19}"
        f"   {'ratio 2/1':>11}\n{'':<11} {'p50':>6} {'p95':>6} {'n':>5} {'p50':>6} {'p95':>6} "
        f"{'n':>5} {'p50':>6} {'p95':>6}   {'p50':>5} {'p95':>5}   (ms)"
    )
    for kind in sorted(by):
        cells, figures = [], {}
        for phase in (0, 1, 2):
            values = by[kind].get(phase, [])
            figures[phase] = (
                (statistics.median(values), percentile(values, 0.95)) if values else None
            )
            if phase and values:
                cells.append(f"{len(values):>5}")
            cells.append(
                f"{figures[phase][0]:>6.0f} {figures[phase][1]:>6.0f}" if values else f"{'-':>13}"
            )
        ratio = ""
        if figures[1] and figures[2]:
            ratio = f"{figures[2][0] / figures[1][0]:>5.2f} {figures[2][1] / figures[1][1]:>5.2f}"
        print(f"{kind:<11} " + " ".join(cells) + f"   {ratio}")


def drain(seconds=180):
    """Wait until no task is queued or running and no notice waits."""
    from django_tasks_db.models import DBTaskResult

    from noaber.jobs.models import OutboxMail

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        busy = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count()
        unsent = OutboxMail.objects.filter(sent_at__isnull=True, failed_at__isnull=True).count()
        if not busy and not unsent:
            return True
        time.sleep(1)
    return False


def checks(report, load, since, env) -> list[tuple[str, bool, str]]:
    from django_tasks_db.models import DBTaskResult

    from noaber.intake.models import Report
    from noaber.jobs import outbox
    from noaber.jobs.models import OutboxMail
    from noaber.jobs.schedule import REGISTRY

    out = []
    statuses = Counter(status for _kind, status, _ms, _phase in load.results)
    server_errors = {s: n for s, n in statuses.items() if not isinstance(s, int) or s >= 500}
    out.append(("no 5xx", not server_errors, f"statuses {dict(sorted(statuses.items(), key=str))}"))
    expected = {200, 201, 302}
    others = sum(n for s, n in statuses.items() if s not in expected)
    out.append((
        "answers as expected (200, 201, 302)",
        others <= len(load.results) // 1000 and load.submitted > 0,
        f"{others} other answers (a note on a page made stale by another post is a 400)",
    ))  # fmt: skip

    drained = drain()
    out.append(("queue and outbox drained", drained, ""))

    sent = list(OutboxMail.objects.filter(created_at__gte=since))
    ids = Counter()
    for path in MAIL_DIR.glob("*.log"):
        ids.update(re.findall(r"^Message-ID: (\S+)$", path.read_text(), flags=re.M))
    wanted = {outbox.message_id(row) for row in sent}
    twice = {i: n for i, n in ids.items() if n > 1}
    missing = wanted - set(ids)
    out.append((
        "every notice sent once",
        not twice and not missing and all(row.sent_at for row in sent),
        f"{len(sent)} notices, {sum(ids.values())} messages in the mail files, "
        f"{len(twice)} sent twice, {len(missing)} missing",
    ))  # fmt: skip
    reports = Report.objects.filter(pk__gt=report["last_report"]).count()
    notices = OutboxMail.objects.filter(created_at__gte=since, key__startswith="new-report:")
    out.append((
        "one new-report notice per report",
        reports == notices.count() == load.submitted,
        f"{load.submitted} submitted (201), {reports} stored, {notices.count()} notices",
    ))  # fmt: skip

    runs = []
    ok = True
    for name, job in REGISTRY.items():
        times = sorted(
            DBTaskResult.objects.filter(task_path=name, enqueued_at__gte=since).values_list(
                "enqueued_at", flat=True
            )
        )
        close = [
            b - a for a, b in zip(times, times[1:], strict=False) if b - a < job.interval * 0.99
        ]
        ok &= not close
        if times:
            runs.append(f"{name.rsplit('.', 1)[1]}×{len(times)}")
    out.append(("each job once per interval (two schedulers)", ok, ", ".join(runs)))

    task = DBTaskResult.objects.filter(pk=report.get("killed_task")).first()
    out.append((
        "killed worker's task run again",
        task is not None and task.status == "SUCCESSFUL" and len(task.worker_ids) == 2,
        f"{report.get('killed_worker', report.get('kill_error'))}: "
        f"{task.status if task else '?'} after {len(task.worker_ids) if task else 0} runs",
    ))  # fmt: skip
    failed = DBTaskResult.objects.filter(enqueued_at__gte=since, status="FAILED").count()
    out.append(("no task failed", failed == 0, f"{failed} failed"))
    rerun = [
        row for row in DBTaskResult.objects.filter(enqueued_at__gte=since).exclude(
            pk=report.get("killed_task")).values_list("worker_ids", flat=True) if len(row) != 1
    ]  # fmt: skip
    out.append(("every other task run once", not rerun, f"{len(rerun)} run more than once"))

    verify = subprocess.run(
        [PY, "manage.py", "verify_audit", "--jobs", "2"], cwd=ROOT, env=env,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    last = (verify.stdout.strip().splitlines() or [verify.stderr.strip()])[-1]
    out.append(("every audit chain verifies", verify.returncode == 0, last[:160]))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--signals", type=int, default=1_000_000)
    parser.add_argument("--rate", type=float, default=10.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=90, help="per measured phase")
    parser.add_argument(
        "--warmup",
        type=float,
        default=60,
        help="phase 0: the jobs made due run, a worker is killed",
    )
    parser.add_argument("--fresh", action="store_true", help="build the database anew")
    parser.add_argument("--drop", action="store_true", help="drop the database afterwards")
    options = parser.parse_args()
    configure(DB, fresh=options.fresh)  # fresh: its anchor file goes too
    import random

    from django.db import connection
    from django.utils import timezone

    from noaber.cases.models import Case

    advisors = staff(4)
    build(options.signals, advisors)
    cases = list(
        Case.objects.filter(municipality__cbs_code=M, closed_at__isnull=True)
        .order_by("?")
        .values_list("pk", flat=True)[:2000]
    )
    MAIL_DIR.mkdir(parents=True, exist_ok=True)
    for path in MAIL_DIR.glob("*"):
        path.unlink()
    env = os.environ | {
        "NOABER_ALLOWED_HOSTS": "127.0.0.1",
        "NOABER_TRUSTED_PROXIES": "0",
        "NOABER_THROTTLE_REPORTS_PER_HOUR": "1000000",
        "NOABER_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "NOABER_EMAIL_FILE_PATH": str(MAIL_DIR),
        "NOABER_WORKER_LOST_AFTER": "30",
        "PYTHONUNBUFFERED": "1",
    }
    from noaber.intake.models import Report

    tasks_due_tomorrow(advisors, cases[:40])
    report = {
        "last_report": Report.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    }
    since = timezone.now()
    make_jobs_due(since)
    connection.close()
    http = Http()
    members = [Staff(user, cases, http) for user in advisors]
    load = Load(members, options.rate, http)
    rng = random.Random(1774)
    started = processes(env)
    ok = False
    try:
        for member in members:  # the CSRF cookie, before threads share the member
            member.get(PORTS[0], f"/m/{M}/casussen/{cases[0]}/note/")
        print(
            f"load: {options.rate:g} requests/s for {options.seconds:g} s per phase, "
            f"mix {MIX}; {os.cpu_count()} cores"
        )
        killer = threading.Thread(target=kill_a_worker_mid_task, args=(env, started, report))
        killer.start()
        load.run(options.warmup, PORTS, 0, rng)
        print("phase 0 (daily jobs due, a worker killed; both instances) done")
        load.run(options.seconds, PORTS[:1], 1, rng)
        print("phase 1 (one instance) done")
        load.run(options.seconds, PORTS, 2, rng)
        print("phase 2 (two instances) done")
        killer.join()
        results = checks(report, load, since, env)
        speed(load.results)
        print()
        for name, passed, detail in results:
            print(f"{'PASS' if passed else 'FAIL'}  {name:<46} {detail}")
        ok = all(passed for _name, passed, _detail in results)
    finally:
        for process in started.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in started.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        if options.drop:
            drop(DB)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
