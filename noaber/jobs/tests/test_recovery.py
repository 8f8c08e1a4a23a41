"""A task whose worker died is run again (or marked failed after three runs), never left
running; two schedulers started at once put each due job on the queue once."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from unittest import mock, skipUnless

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.test import TransactionTestCase, override_settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from noaber.audit.triggers import triggers_removed
from noaber.jobs.models import ScheduleState, WorkerBeat
from noaber.jobs.recovery import BEAT_SECONDS, MAX_ATTEMPTS, Heart, recover_lost_tasks
from noaber.jobs.schedule import REGISTRY, PeriodicJob, enqueue_due

from .slow_task import sleep_on_first_run


def claimed(worker_id: str, runs: int = 1):
    result = DBTaskResult.objects.get(pk=sleep_on_first_run.enqueue(0).id)
    for n in range(runs):
        result.claim(worker_id if n == runs - 1 else f"earlier-{n}")
    return result


def beating(worker_id: str, seconds_ago: float):
    WorkerBeat.objects.create(
        worker_id=worker_id,
        host="test",
        pid=1,
        seen_at=timezone.now() - timedelta(seconds=seconds_ago),
    )


@override_settings(NOABER_WORKER_LOST_AFTER=60, NOABER_TASK_MAX_RUNTIME=3600)
class RecoveryTests(TransactionTestCase):
    """Transactions are real: the worker run below commits and checks its connection as in
    production."""

    def _fixture_teardown(self):
        with triggers_removed():
            super()._fixture_teardown()

    def test_a_task_of_a_worker_that_stopped_beating_is_queued_again_and_then_runs(self):
        beating("dead", seconds_ago=61)
        task = claimed("dead")
        self.assertEqual(recover_lost_tasks(), {"retried": 1, "failed": 0})
        task.refresh_from_db()
        self.assertEqual(task.status, TaskResultStatus.READY)
        self.assertEqual(recover_lost_tasks(), {"retried": 0, "failed": 0})
        call_command(
            "run_worker", "--batch", "--no-startup-delay", "--no-reload", "--worker-id", "w2",
            verbosity=0,
        )  # fmt: skip
        task.refresh_from_db()
        self.assertEqual(task.status, TaskResultStatus.SUCCESSFUL)
        self.assertEqual((task.worker_ids, task.return_value), (["dead", "w2"], 2))
        # It said goodbye: its beat is marked long gone (a task it left would be recovered).
        gone = WorkerBeat.objects.get(worker_id="w2").seen_at
        self.assertLess(gone, timezone.now() - timedelta(days=1))

    def test_a_worker_restarted_under_the_same_id_recovers_what_it_left_running(self):
        beating("fixed-id", seconds_ago=1)  # the old process beat a second ago, then died
        task = claimed("fixed-id")
        with self.assertLogs("noaber.jobs.recovery", "WARNING"):
            heart = Heart("fixed-id", every=60).start()
        heart.stop()
        task.refresh_from_db()
        self.assertEqual(task.status, TaskResultStatus.READY)

    @override_settings(NOABER_WORKER_LOST_AFTER=1)
    def test_a_lost_after_shorter_than_three_beats_is_not_used(self):
        beating("slow", seconds_ago=BEAT_SECONDS + 2)  # a late beat under load
        task = claimed("slow")
        self.assertEqual(recover_lost_tasks(), {"retried": 0, "failed": 0})
        task.refresh_from_db()
        self.assertEqual(task.status, TaskResultStatus.RUNNING)

    def test_after_three_lost_runs_the_task_is_marked_failed_with_the_reason(self):
        beating("dead", seconds_ago=300)
        task = claimed("dead", runs=MAX_ATTEMPTS)
        with self.assertLogs("noaber.jobs.recovery", "ERROR"):
            self.assertEqual(recover_lost_tasks(), {"retried": 0, "failed": 1})
        task.refresh_from_db()
        self.assertEqual(task.status, TaskResultStatus.FAILED)
        self.assertEqual(task.exception_class_path, "noaber.jobs.recovery.WorkerLostError")
        self.assertIn("stopped", task.traceback)

    def test_a_task_of_a_beating_worker_is_left_alone(self):
        beating("alive", seconds_ago=5)
        task = claimed("alive")
        self.assertEqual(recover_lost_tasks(), {"retried": 0, "failed": 0})
        task.refresh_from_db()
        self.assertEqual(task.status, TaskResultStatus.RUNNING)

    def test_a_worker_without_heartbeat_gets_the_longest_run_before_its_task_is_recovered(self):
        task = claimed("plain-db-worker")
        self.assertEqual(recover_lost_tasks(), {"retried": 0, "failed": 0})
        later = timezone.now() + timedelta(seconds=3601)
        self.assertEqual(recover_lost_tasks(later), {"retried": 1, "failed": 0})
        task.refresh_from_db()
        self.assertEqual(task.status, TaskResultStatus.READY)


def test_database_env() -> dict:
    """The environment of a manage.py process that works on this test run's database."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    url = f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    return os.environ | {"DATABASE_URL": url, "NOABER_DEBUG": "1", "PYTHONUNBUFFERED": "1"}


def manage(*args) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=test_database_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@skipUnless(connection.vendor == "postgresql", "needs a database that other processes share")
class WorkerProcessTests(TransactionTestCase):
    """Real worker and scheduler processes on the test database."""

    def _fixture_teardown(self):
        with triggers_removed():
            super()._fixture_teardown()

    def wait_for(self, condition, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.1)
        self.fail("timed out")

    @override_settings(NOABER_WORKER_LOST_AFTER=60)
    def test_a_worker_killed_mid_task_leaves_the_task_to_be_run_again(self):
        task = DBTaskResult.objects.get(pk=sleep_on_first_run.enqueue(60).id)
        worker = manage("run_worker", "--no-startup-delay", "--no-reload", "--interval", "0.1")
        try:
            self.wait_for(
                lambda: DBTaskResult.objects.filter(pk=task.pk, status="RUNNING").exists()
            )
            beat = WorkerBeat.objects.get()
            self.assertEqual(beat.pid, worker.pid)
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(10)
        finally:
            worker.kill()
            worker.stdout.close()
        task.refresh_from_db()
        self.assertEqual(task.status, TaskResultStatus.RUNNING)  # what the kill left
        self.assertEqual(recover_lost_tasks(), {"retried": 0, "failed": 0})  # beat is fresh
        later = timezone.now() + timedelta(seconds=61)
        self.assertEqual(recover_lost_tasks(later), {"retried": 1, "failed": 0})
        second = manage("run_worker", "--batch", "--no-startup-delay", "--no-reload")
        output = second.communicate(timeout=60)[0]
        self.assertEqual(second.returncode, 0, output)
        task.refresh_from_db()
        self.assertEqual((task.status, task.return_value), (TaskResultStatus.SUCCESSFUL, 2))
        self.assertEqual(len(task.worker_ids), 2)

    def test_the_heart_beats_on_its_own_connection(self):
        heart = Heart("beating", every=0.05).start()
        try:
            first = WorkerBeat.objects.get(worker_id="beating").seen_at
            self.wait_for(lambda: WorkerBeat.objects.get(worker_id="beating").seen_at > first)
        finally:
            heart.stop()

    def test_a_scheduler_skips_the_job_another_is_enqueueing_and_then_finds_it_done(self):
        """Forces the overlap two processes only sometimes hit: the first scheduler holds the
        job's row while it enqueues; the second passes it by; a third pass finds it done."""
        name = "noaber.jobs.tasks.deliver_pending_mail"
        real = REGISTRY[name]
        inside, release = threading.Event(), threading.Event()

        class SlowToEnqueue:
            def enqueue(self):
                result = real.task.enqueue()
                inside.set()
                release.wait(10)
                return result

        results = {}

        def scheduler(label, wait_for=None):
            try:
                if wait_for:
                    wait_for.wait(10)
                results[label] = enqueue_due(now)
            finally:
                connections.close_all()

        now = timezone.now()
        job = PeriodicJob(name, SlowToEnqueue(), real.interval)
        with mock.patch.dict(REGISTRY, {name: job}, clear=True):
            first = threading.Thread(target=scheduler, args=("first",))
            second = threading.Thread(target=scheduler, args=("second", inside))
            first.start()
            second.start()
            second.join(15)
            release.set()
            first.join(15)
            self.assertEqual(results, {"first": [name], "second": []})
            self.assertEqual(enqueue_due(now + timedelta(seconds=1)), [])  # not due again
        self.assertEqual(DBTaskResult.objects.filter(task_path=name).count(), 1)

    def test_two_schedulers_started_at_once_enqueue_each_due_job_once(self):
        schedulers = [manage("run_scheduler", "--once") for _ in range(2)]
        outputs = [s.communicate(timeout=60)[0] for s in schedulers]
        for scheduler, output in zip(schedulers, outputs, strict=True):
            self.assertEqual(scheduler.returncode, 0, output)
        for name in REGISTRY:
            with self.subTest(job=name):
                self.assertEqual(DBTaskResult.objects.filter(task_path=name).count(), 1)
                self.assertEqual(
                    sum(o.count(f"In de wachtrij gezet: {name}\n") for o in outputs), 1
                )
        self.assertEqual(ScheduleState.objects.count(), len(REGISTRY))

    def test_ready_sees_a_real_worker_and_scheduler_and_their_going(self):
        """What `make run` starts: /ready turns green once both beat, and says which stopped."""
        self.assertEqual(self.client.get("/ready").status_code, 503)
        worker = manage("run_worker", "--no-startup-delay", "--no-reload", "--interval", "0.5")
        scheduler = manage("run_scheduler", "--interval", "1")
        try:
            self.wait_for(lambda: self.client.get("/ready").status_code == 200)
            scheduler.terminate()
            scheduler.wait(20)
            answer = self.client.get("/ready").json()
            self.assertEqual((answer["worker"], answer["scheduler"]), ("ok", "not running"))
        finally:
            for process in (worker, scheduler):
                process.kill()
                process.wait(10)
                process.stdout.close()
