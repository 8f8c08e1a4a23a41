"""Tasks whose worker died are run again or marked failed, never left hanging.

A worker started with `manage.py run_worker` writes a heartbeat (`WorkerBeat`) every
`BEAT_SECONDS`. The scheduler, on every pass, looks at the tasks marked running: one whose
worker has not beaten for `NOABER_WORKER_LOST_AFTER` seconds (killed with SIGKILL, its host
gone) is put back on the queue, up to `MAX_ATTEMPTS` runs in all, and is marked failed after
that, with the reason in its traceback. A task claimed by a worker without heartbeat (plain
`db_worker`) is treated so once it has run for `NOABER_TASK_MAX_RUNTIME` seconds.

Tasks are written to survive a second run: mail goes through the outbox (one notice per key),
and the periodic jobs recompute their state. The one case in which a task runs twice at once: a
worker that stopped beating but is still alive (frozen for longer than the limit) and wakes up.
"""

import logging
import os
import socket
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import WorkerBeat

logger = logging.getLogger(__name__)

BEAT_SECONDS = 10
MAX_ATTEMPTS = 3


class WorkerLostError(Exception):
    """The worker running this task stopped (recorded as the task's error)."""


def beat(worker_id: str) -> None:
    WorkerBeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "seen_at": timezone.now(),
        },
    )


class Heart:
    """A thread that keeps a worker's heartbeat, on its own database connection."""

    def __init__(self, worker_id: str, every: float = BEAT_SECONDS):
        self.worker_id = worker_id
        self.every = every
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="noaber-heartbeat", daemon=True)

    def start(self):
        # A process that is only starting runs nothing: what an earlier process with this
        # worker id left running is lost (a restart under a fixed id).
        recover_lost_tasks(worker_id=self.worker_id)
        beat(self.worker_id)  # before the first task is claimed
        self.thread.start()
        return self

    def _run(self):
        try:
            while not self.stopped.wait(self.every):
                try:
                    close_old_connections()  # a broken connection is replaced, not reused
                    beat(self.worker_id)
                except Exception:  # the database is away for a moment: beat again later
                    logger.warning("worker heartbeat failed", exc_info=True)
                    connection.close()
        finally:
            connection.close()

    def stop(self):
        """The worker stops: its beat is marked as long gone, so that a task it leaves running
        (a forced stop) is recovered at the next scheduler pass; the row is pruned then."""
        self.stopped.set()
        self.thread.join(timeout=5)
        gone = timezone.now() - timedelta(days=2)
        WorkerBeat.objects.filter(worker_id=self.worker_id).update(seen_at=gone)


def lost_after() -> int:
    """Seconds without a beat after which a worker is lost: at least three beats, whatever is
    configured, so that a slow beat under load is not taken for a dead worker."""
    return max(settings.NOABER_WORKER_LOST_AFTER, 3 * BEAT_SECONDS)


def _lost_workers(now) -> tuple[set[str], set[str]]:
    """(worker ids that stopped beating, worker ids that beat recently)."""
    limit = now - timedelta(seconds=lost_after())
    stale, alive = set(), set()
    for worker_id, seen_at in WorkerBeat.objects.values_list("worker_id", "seen_at"):
        (stale if seen_at < limit else alive).add(worker_id)
    return stale, alive


def recover_lost_tasks(now=None, *, worker_id=None) -> dict[str, int]:
    """Requeue or fail every running task whose worker is gone (or, with `worker_id`, every
    running task last claimed under that id); returns the counts."""
    now = now or timezone.now()
    stale, alive = _lost_workers(now)
    if worker_id is not None:
        stale, alive = {worker_id}, set()
    runtime_limit = now - timedelta(seconds=settings.NOABER_TASK_MAX_RUNTIME)
    counts = {"retried": 0, "failed": 0}
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    for pk, worker_ids, started_at in running.values_list("pk", "worker_ids", "started_at"):
        worker = worker_ids[-1] if worker_ids else ""
        if worker in alive or (worker_id is not None and worker != worker_id):
            continue
        if worker not in stale and started_at and started_at > runtime_limit:
            continue  # a worker without heartbeat, still within the longest allowed run
        with transaction.atomic():
            rows = DBTaskResult.objects.filter(pk=pk, status=TaskResultStatus.RUNNING)
            if connection.features.has_select_for_update_skip_locked:
                rows = rows.select_for_update(skip_locked=True)
            task = rows.first()
            if task is None or task.worker_ids != worker_ids:
                continue  # finished, or another scheduler got there first
            attempts = len(task.worker_ids)
            if attempts < MAX_ATTEMPTS:
                task.status = TaskResultStatus.READY
                task.started_at = None
                task.save(update_fields=["status", "started_at"])
                counts["retried"] += 1
                logger.warning("task %s lost its worker; queued again (run %s)", pk, attempts)
            else:
                task.status = TaskResultStatus.FAILED
                task.finished_at = now
                task.exception_class_path = f"{__name__}.WorkerLostError"
                task.traceback = (
                    f"WorkerLostError: the worker running this task stopped ({attempts} runs; "
                    f"no more retries)."
                )
                task.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
                counts["failed"] += 1
                logger.error("task %s lost its worker %s times; marked failed", pk, attempts)
    # Workers that stopped long ago leave no row behind once their tasks are dealt with.
    if worker_id is None:
        WorkerBeat.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()
    return counts
