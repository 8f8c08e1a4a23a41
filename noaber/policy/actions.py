"""Every write of the policy cycle, audited in the same transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from noaber.audit.actions import record
from noaber.audit.models import Action as AuditAction

from .models import Action, ActionNote, Activity


def _years_within(plan, start: int, end: int) -> None:
    if end < start:
        raise ValidationError(_("Het eindjaar ligt vóór het beginjaar."))
    if start < plan.start_year or end > plan.end_year:
        raise ValidationError(
            _("Kies jaren binnen de looptijd van het IVP (%(a)d–%(b)d).")
            % {"a": plan.start_year, "b": plan.end_year}
        )


@transaction.atomic
def create_action(priority, data: dict, *, actor, request, municipality) -> Action:
    """A new action of the uitvoeringsplan. It needs an owner (a team or a partner)."""
    if data.get("owner") is None:
        raise ValidationError(_("Een actie heeft een trekker nodig: een team of een partner."))
    if not (data.get("title") or "").strip():
        raise ValidationError(_("Geef de actie een omschrijving."))
    _years_within(priority.plan, data["start_year"], data["end_year"])
    action = Action.objects.create(
        priority=priority,
        title=data["title"].strip(),
        description=data.get("description", ""),
        owner=data["owner"],
        start_year=data["start_year"],
        end_year=data["end_year"],
    )
    action.partners.set(data.get("partners") or [])
    action.indicators.set(data.get("indicators") or [])
    record(
        AuditAction.CREATE, actor=actor, request=request, municipality=municipality,
        object_type="plan_action", object_id=action.pk,
    )  # fmt: skip
    return action


@transaction.atomic
def add_progress(action: Action, text: str, status: str, *, actor, request, municipality):
    """A progress note (append-only), optionally with a new status."""
    if not text.strip():
        raise ValidationError(_("Schrijf wat de voortgang is."))
    if status and status not in Action.Status.values:
        raise ValidationError(_("Onbekende status."))
    note = ActionNote.objects.create(action=action, text=text.strip(), status=status or "",
                                     author=actor)  # fmt: skip
    changed = bool(status) and status != action.status
    if changed:
        action.status = status
        action.version += 1
        action.save(update_fields=["status", "version"])
    record(
        AuditAction.UPDATE, actor=actor, request=request, municipality=municipality,
        object_type="plan_action", object_id=action.pk,
        detail={"note": note.pk, "status": action.status if changed else None},
    )  # fmt: skip
    return note


@transaction.atomic
def add_activity(priority, data: dict, *, actor, request, municipality) -> Activity:
    plan = priority.plan
    if not plan.covers(data["held_on"].year):
        raise ValidationError(
            _("De datum valt buiten de looptijd van het IVP (%(a)d–%(b)d).")
            % {"a": plan.start_year, "b": plan.end_year}
        )
    activity = Activity.objects.create(
        priority=priority, kind=data["kind"], title=data["title"].strip(),
        held_on=data["held_on"], reach=data.get("reach"), created_by=actor,
    )  # fmt: skip
    record(
        AuditAction.CREATE, actor=actor, request=request, municipality=municipality,
        object_type="plan_activity", object_id=activity.pk,
    )  # fmt: skip
    return activity
