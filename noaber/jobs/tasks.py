from django.core.management import call_command
from django_tasks import task

from .schedule import periodic


@periodic(days=7)
@task()
def prune_task_results() -> None:
    """Keep the task table small: finished task results older than 30 days go."""
    call_command("prune_db_task_results", min_age_days=30, verbosity=0)
