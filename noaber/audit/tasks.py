from django_tasks import task

from noaber.jobs.schedule import periodic

from .actions import record
from .chain import verify_chain
from .models import Action, Result


@periodic(hours=24)
@task()
def verify_audit_chain() -> dict:
    """The periodic proof that the audit log is unchanged; a failure is itself recorded."""
    report = verify_chain()
    record(
        Action.VERIFY,
        object_type="audit_chain",
        object_id=report.head_seq or "",
        result=Result.SUCCESS if report.ok else Result.FAILURE,
        origin="worker",
        detail={"checked": report.checked, "broken_seq": report.broken_seq},
    )
    if not report.ok:
        import logging

        logging.getLogger("noaber.audit").error(
            "Audit chain broken at event #%s: %s", report.broken_seq, report.problem
        )
    return {"ok": report.ok, "checked": report.checked, "broken_seq": report.broken_seq}
