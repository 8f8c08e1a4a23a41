from django.core.management import call_command
from django_tasks import task

from . import outbox
from .schedule import periodic


@periodic(days=7)
@task()
def prune_task_results() -> int:
    """Keep the task table small: finished task results older than 30 days go, and so do
    sent notices (they hold addresses)."""
    call_command("prune_db_task_results", min_age_days=30, verbosity=0)
    return outbox.prune_sent()


@periodic(minutes=1)
@task()
def deliver_pending_mail() -> int:
    """Deliver notices that a crash or a refusing mail server left in the outbox."""
    return outbox.deliver_pending()
