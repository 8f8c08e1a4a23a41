"""Whether the task worker and the scheduler are alive, for /ready (docs/operations.md,
"Monitoring"): each writes a heartbeat, the worker every 10 seconds (recovery.Heart), the
scheduler at every pass."""

import os
import socket
from datetime import timedelta

from django.utils import timezone

from .models import SchedulerBeat, WorkerBeat


def scheduler_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:300]


def scheduler_beat(name: str) -> None:
    SchedulerBeat.objects.update_or_create(scheduler_id=name, defaults={"seen_at": timezone.now()})


def scheduler_gone(name: str) -> None:
    SchedulerBeat.objects.filter(scheduler_id=name).delete()


def prune_beats(now) -> None:
    """Schedulers that stopped without saying so leave no row behind after a day."""
    SchedulerBeat.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()


def alive(now, within: timedelta) -> dict[str, bool]:
    """{"worker": …, "scheduler": …}: whether one of each beat within `within` before `now`."""
    since = now - within
    return {
        "worker": WorkerBeat.objects.filter(seen_at__gte=since).exists(),
        "scheduler": SchedulerBeat.objects.filter(seen_at__gte=since).exists(),
    }
