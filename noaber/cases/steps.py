"""Which steps a case allows now: one rule, read by the case page (which steps it offers) and
by the actions (which they accept), so the two never disagree.

The rule comes from the case type's data (data/reference/cases.json: the transitions between
statuses and `close_from`, the statuses a case may be closed from) and the case's state
(closed or not, open tasks, running shares, archive status)."""

from django.utils.translation import gettext as _

from .models import Archiefstatus

STATUS = "status"
NOTE = "note"
TASK = "task"
COMPLETE = "complete"
INTERVENTION = "intervention"
SHARE = "share"
UNSHARE = "unshare"
CLOSE = "close"
REOPEN = "reopen"
ALL = (STATUS, NOTE, TASK, COMPLETE, INTERVENTION, SHARE, UNSHARE, CLOSE, REOPEN)


def open_tasks(case):
    return case.tasks.filter(completed_at__isnull=True, withdrawn_at__isnull=True)


def running_shares(case):
    # `shares` is the portal's CaseShare (an app above this one); only its reverse relation
    # is read here.
    return case.shares.filter(ended_at__isnull=True)


def refusal(case, step: str) -> str | None:
    """Why `step` is not possible on `case` now (a Dutch sentence), or None when it is."""
    if step not in ALL:
        raise KeyError(step)
    if step == REOPEN:
        if not case.is_closed:
            return _("Deze casus is niet afgesloten.")
        if case.archiefstatus == Archiefstatus.OVERGEDRAGEN:
            return _(
                "Deze casus is overgedragen aan de archiefbewaarplaats en kan niet meer worden "
                "heropend. Open een nieuwe casus."
            )
        return None
    if step == UNSHARE:
        # A share kept open after closing can still be ended.
        if not running_shares(case).exists():
            return _("Deze casus wordt met geen partner gedeeld.")
        return None
    if case.is_closed:
        return _(
            "Deze casus is afgesloten. Heropen haar eerst, met een reden, om iets te wijzigen."
        )
    case_type = case.case_type
    labels = {"status": case.status_label, "type": case_type.name}
    if step == STATUS and not case_type.next_statuses(case.status):
        return _("Een %(type)s gaat vanuit '%(status)s' niet naar een andere status.") % labels
    if step == COMPLETE and not open_tasks(case).exists():
        return _("Deze casus heeft geen open taken.")
    if step == CLOSE and not case_type.may_close_from(case.status):
        allowed = ", ".join(f"'{case_type.status_label(s)}'" for s in case_type.close_from)
        return _(
            "Een %(type)s kan niet worden afgesloten vanuit '%(status)s'; alleen vanuit "
            "%(allowed)s. Zet de status eerst verder."
        ) % (labels | {"allowed": allowed})
    return None


def allowed_steps(case) -> list[str]:
    """The steps `case` allows now, in the order the page offers them."""
    return [step for step in ALL if refusal(case, step) is None]
