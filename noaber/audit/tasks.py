import logging

from django_tasks import task

from noaber.jobs.schedule import periodic

from .actions import verify_and_record

logger = logging.getLogger("noaber.audit")


@periodic(hours=24)
@task()
def verify_audit_chain() -> dict:
    """The periodic proof that the audit log is unchanged; a failure is itself recorded."""
    report = verify_and_record(origin="worker")
    if not report.ok:
        logger.error("Audit chain broken at event #%s: %s", report.broken_seq, report.problem)
    return {"ok": report.ok, "checked": report.checked, "broken_seq": report.broken_seq}
