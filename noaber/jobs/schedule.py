"""Periodic jobs: a registry of (task, interval) and the step the scheduler runs.

A periodic job is an ordinary task (Django's tasks framework) that the scheduler enqueues
when it is due; workers (`manage.py run_worker`) run it. Several schedulers may run against
PostgreSQL: the row lock on ScheduleState makes sure a due job is enqueued once.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .models import ScheduleState


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: object
    interval: timedelta


REGISTRY: dict[str, PeriodicJob] = {}


def periodic(**interval):
    """Decorate a task to run every `interval` (timedelta keyword arguments)."""

    def decorator(task):
        name = f"{task.func.__module__}.{task.func.__name__}"
        REGISTRY[name] = PeriodicJob(name, task, timedelta(**interval))
        return task

    return decorator


def scheduled_run(task) -> str:
    """When the scheduler last enqueued `task` (ISO time; "" if never): the same for a run and
    its retries, so a periodic job can key its notices on the run it belongs to."""
    name = f"{task.func.__module__}.{task.func.__name__}"
    when = ScheduleState.objects.filter(name=name).values_list("last_enqueued_at", flat=True)
    when = when.first()
    return when.isoformat() if when else ""


def enqueue_due(now=None) -> list[str]:
    """Enqueue every job whose time has come; returns the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in REGISTRY.values():
        try:
            with transaction.atomic():
                state, _ = ScheduleState.objects.get_or_create(name=job.name)
                rows = ScheduleState.objects.filter(pk=state.pk)
                if connection.features.has_select_for_update_skip_locked:
                    rows = rows.select_for_update(skip_locked=True)
                state = rows.first()
                if state is None or (state.next_run_at and state.next_run_at > now):
                    continue
                job.task.enqueue()
                state.last_enqueued_at = now
                state.next_run_at = now + job.interval
                state.save(update_fields=["last_enqueued_at", "next_run_at"])
                enqueued.append(job.name)
        except IntegrityError:
            continue  # another scheduler created the row at the same moment
    return enqueued
