from django_tasks import task

from noaber.jobs.schedule import periodic

from .actions import run_retention


@periodic(hours=24)
@task()
def apply_retention_daily() -> dict:
    """The daily retention run (same as `manage.py apply_retention`): expired signals, then
    what other apps have due (cases on approved destruction lists)."""
    report, others = run_retention()
    return {"done": report.done, "held": len(report.held)} | {
        other["kind"]: {"done": other["done"], "skipped": len(other["skipped"])} for other in others
    }
