import logging

from django_tasks import task

from noaber.jobs.schedule import periodic

from .actions import verify_and_record
from .chain import chain_name

logger = logging.getLogger("noaber.audit")


@periodic(hours=24)
@task()
def verify_audit_chain() -> dict:
    """The periodic proof that the audit log is unchanged; a failure is itself recorded."""
    from noaber.lib.events import audit_incident

    report = verify_and_record(origin="worker")
    if report.incident:
        logger.error("Audit log unprotected: %s", report.incident)
    elif not report.ok:
        logger.error(
            "Audit chain %s broken at event #%s: %s",
            chain_name(report.chain), report.broken_seq, report.problem,
        )  # fmt: skip
    if not report.ok:
        # A security incident: the privacy officers are told (without content) by the app
        # that knows them; the details stay in the log above and in verify_audit.
        audit_incident.send(sender=None, problem=report.incident or report.problem)
    else:
        # The head goes to the log stream, which lives outside the database: an operator (or
        # the log collector) keeps it and can later prove no newest events were removed.
        logger.info(
            "Audit chains intact: %s events in %s chains", report.checked, len(report.chains)
        )
    return {
        "ok": report.ok,
        "checked": report.checked,
        "broken_chain": report.chain if not report.ok else None,
        "broken_seq": report.broken_seq,
    }


@periodic(minutes=1)
@task()
def seal_audit_chains() -> dict:
    """Chain the events no writer sealed right after its commit (a crash, a busy sealer)."""
    from .chains import seal_all

    return {"sealed": seal_all()}


@periodic(hours=1)
@task()
def anchor_audit_chain() -> dict:
    """Write the chain's head to the anchor file outside the database (hourly)."""
    from noaber.lib.events import audit_incident

    from .anchors import AnchorError, write

    try:
        anchor = write(origin="worker")
    except AnchorError as error:
        # Not written over the evidence: the file and the log disagree, which is an incident.
        logger.error("Audit anchor not written: %s", error)
        audit_incident.send(sender=None, problem=str(error))
        return {"anchored": None, "problem": str(error)}
    if anchor is None:
        return {"anchored": None}
    return {"anchored": anchor.n, "chains": sorted(anchor.heads)}
