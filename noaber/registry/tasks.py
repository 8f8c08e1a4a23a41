from django_tasks import task

from noaber.jobs.schedule import periodic

from .actions import apply_retention


@periodic(hours=24)
@task()
def apply_retention_daily() -> dict:
    """The daily retention run (same as `manage.py apply_retention`)."""
    report = apply_retention()
    return {"done": report.done, "held": len(report.held)}
