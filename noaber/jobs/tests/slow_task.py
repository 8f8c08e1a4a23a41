"""A task for the worker-recovery tests: on its first run it takes long enough to be killed in
the middle; a run after that finishes at once."""

import time

from django_tasks import task


@task(takes_context=True)
def sleep_on_first_run(context, seconds: float) -> int:
    if context.attempt <= 1:
        time.sleep(seconds)
    return context.attempt
