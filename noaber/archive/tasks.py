"""The daily destruction list: due cases are put on a list for the archivist to review."""

from django_tasks import task

from noaber.jobs.schedule import periodic

from .actions import make_lists_daily


@periodic(hours=24)
@task()
def make_destruction_lists() -> int:
    """A list per municipality with cases due for destruction, unless one is under review."""
    return make_lists_daily()
