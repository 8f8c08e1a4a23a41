"""The register of processing activities (verwerkingsregister, AVG art. 30) as the privacy
officer keeps it: the one write, audited. The codes, the object types they cover, the
confidentiality and the retention of the log entries belong to the application and its
reference data; this changes only what art. 30 asks to be described."""

from django.db import transaction
from django.utils import timezone

from .actions import record
from .models import Action, ProcessingActivity

EDITABLE = (
    "name", "purpose", "legal_basis", "data_categories", "subject_categories", "recipients",
    "retention", "transfers", "security",
)  # fmt: skip


@transaction.atomic
def update_activity(
    activity: ProcessingActivity, data: dict, *, actor, request=None, municipality=None
) -> list[str]:
    """Copy the editable fields that changed from `data` (cleaned), save and audit them in
    the editing officer's municipality. Returns the names of the fields changed (none: no
    save, no event)."""
    changed = []
    for name in EDITABLE:
        if name in data and data[name] != getattr(activity, name):
            setattr(activity, name, data[name])
            changed.append(name)
    if not changed:
        return []
    activity.updated_at = timezone.now()
    activity.updated_by = getattr(actor, "username", "")[:150]
    activity.save(update_fields=[*changed, "updated_at", "updated_by"])
    record(
        Action.UPDATE,
        actor=actor,
        request=request,
        municipality=municipality,
        object_type="processing_activity",
        object_id=activity.code,
        detail={"changed": changed},
    )
    return changed


def register() -> list[ProcessingActivity]:
    """The register in print order: by name."""
    return sorted(ProcessingActivity.objects.all(), key=lambda a: a.name.lower())
