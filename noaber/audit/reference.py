"""The shipped register of processing activities (data/reference/processing_activities.json)."""

import json

from django.conf import settings

FILE = settings.BASE_DIR / "data" / "reference" / "processing_activities.json"


def load_processing_activities(model=None) -> int:
    """Add the activities not yet in the database (adds only: a municipality's edits stay)."""
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
    return added
