"""Daily jobs of the partners app."""

from django_tasks import task

from noaber.jobs.schedule import periodic

from .actions import end_kept_shares


@periodic(hours=24)
@task()
def end_kept_shares_daily() -> int:
    """End the shares kept open after closing once their last day has passed. The portal
    already stops showing them the day after; this writes the end into the ledger."""
    return end_kept_shares()
