"""The shipped register of processing activities (data/reference/processing_activities.json)
and the rest of what AVG art. 30 asks per activity (data/reference/processing_register.json)."""

import json

from django.conf import settings

FILE = settings.BASE_DIR / "data" / "reference" / "processing_activities.json"
DETAILS_FILE = settings.BASE_DIR / "data" / "reference" / "processing_register.json"
DETAIL_FIELDS = (
    "data_categories", "subject_categories", "recipients", "retention", "transfers", "security",
)  # fmt: skip


def load_processing_activities(model=None) -> int:
    """Add the activities not yet in the database (adds only: a municipality's edits stay),
    and fill the art. 30 details of those whose details are all still empty."""
    if model is None:
        from .models import ProcessingActivity

        model = ProcessingActivity
    added = 0
    # Only the fields the model has (a migration passes the model of its own time).
    names = {f.name for f in model._meta.get_fields()}
    for entry in json.loads(FILE.read_text())["activities"]:
        values = {k: v for k, v in entry.items() if k in names}
        _obj, created = model.objects.get_or_create(code=entry["code"], defaults=values)
        added += created
    fill_register_details(model)
    return added


def fill_register_details(model) -> int:
    """The shipped art. 30 details into every activity whose detail fields are all empty
    (`transfers` defaults to "Geen" and does not count): the privacy officer's text is never
    overwritten. Returns how many activities were filled."""
    names = {f.name for f in model._meta.get_fields()}
    if not set(DETAIL_FIELDS) <= names:
        return 0  # a migration's model from before the fields existed
    shipped = json.loads(DETAILS_FILE.read_text())["activities"]
    filled = 0
    for activity in model.objects.filter(code__in=list(shipped)):
        own = [getattr(activity, f) for f in DETAIL_FIELDS if f != "transfers"]
        if any(value.strip() for value in own):
            continue
        for field in DETAIL_FIELDS:
            setattr(activity, field, shipped[activity.code].get(field, ""))
        activity.save(update_fields=list(DETAIL_FIELDS))
        filled += 1
    return filled
