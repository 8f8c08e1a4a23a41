import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from noaber.jobs.health import prune_beats, scheduler_beat, scheduler_gone, scheduler_id
from noaber.jobs.recovery import recover_lost_tasks
from noaber.jobs.schedule import REGISTRY, enqueue_due

logger = logging.getLogger(__name__)


class _Stop:
    """SIGTERM asks the scheduler to stop after the pass it is in: raising inside a database
    call could leave the connection unusable, and then its heartbeat could not be removed."""

    requested = False


def _stop(signum, frame):
    _Stop.requested = True


class Command(BaseCommand):
    help = (
        "Put periodic jobs (retention, reminders, peak detection, audit check) on the queue, "
        "and put tasks of a worker that stopped back on it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=30, help="Seconds between checks.")
        parser.add_argument("--once", action="store_true", help="Check once and exit.")

    def handle(self, *args, **options):
        self.stdout.write(f"Scheduler: {len(REGISTRY)} periodieke taken: {', '.join(REGISTRY)}")
        self.beat_id = scheduler_id()
        signal.signal(signal.SIGTERM, _stop)  # systemd and `make run` stop it with SIGTERM
        try:
            self.loop(options)
        finally:
            try:
                scheduler_gone(self.beat_id)  # /ready: no scheduler, unless another one beats
            except DatabaseError:
                logger.warning("scheduler could not remove its heartbeat", exc_info=True)

    def loop(self, options):
        _Stop.requested = False
        while not _Stop.requested:
            close_old_connections()  # a connection broken since the last pass is replaced
            try:
                self.step()
            except DatabaseError:
                if options["once"]:
                    raise
                # The database is away for a moment (a restart, a fail-over): try next pass.
                logger.warning("scheduler pass failed", exc_info=True)
            if options["once"]:
                return
            resume = time.monotonic() + options["interval"]
            while not _Stop.requested and time.monotonic() < resume:
                time.sleep(min(0.2, max(resume - time.monotonic(), 0)))

    def step(self):
        scheduler_beat(self.beat_id)
        prune_beats(timezone.now())
        for name in enqueue_due():
            self.stdout.write(f"In de wachtrij gezet: {name}")
        recovered = recover_lost_tasks()
        if any(recovered.values()):
            self.stdout.write(
                "Taken van een gestopte worker: {retried} opnieuw in de wachtrij, "
                "{failed} mislukt".format(**recovered)
            )
