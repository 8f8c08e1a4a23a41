"""Recount the register's aggregates every night (the dashboards read the counts)."""

from django_tasks import task

from noaber.accounts.models import Municipality
from noaber.jobs.schedule import periodic

from .aggregates import refresh_register_counts


@periodic(hours=24)
@task()
def refresh_all_register_counts() -> int:
    return sum(refresh_register_counts(m) for m in Municipality.objects.all())
