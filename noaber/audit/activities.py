"""Which processing activity an audit event belongs to, and what it copies from the register.

The register is data (`ProcessingActivity`); each activity lists the kinds of audit objects it
covers. `record` asks here for every event, so the answer is kept in this process for a short
while (an admin's edit reaches every worker within CACHE_SECONDS, and this process at once)."""

import time
from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save

CACHE_SECONDS = 300


@dataclass(frozen=True)
class Activity:
    code: str
    confidentiality: str
    retention_months: int | None


UNKNOWN = Activity("", "", None)
_cache: dict = {"at": 0.0, "by_code": {}, "by_object_type": {}}


def _load() -> None:
    from .models import ProcessingActivity

    by_code, by_type = {}, {}
    for row in ProcessingActivity.objects.all():
        activity = Activity(row.code, row.confidentiality, row.retention_months)
        by_code[row.code] = activity
        for object_type in row.object_types:
            by_type[object_type] = activity
    _cache.update(at=time.monotonic(), by_code=by_code, by_object_type=by_type)


def forget(*args, **kwargs) -> None:
    _cache["at"] = 0.0


def activity_for(object_type: str, code: str | None = None) -> Activity:
    """The activity named by `code`, else the one covering `object_type`; UNKNOWN when the
    register has neither (the event is written all the same, never lost)."""
    if time.monotonic() - _cache["at"] > CACHE_SECONDS or not _cache["by_code"]:
        _load()
    if code:
        return _cache["by_code"].get(code) or Activity(code, "", None)
    return _cache["by_object_type"].get(object_type, UNKNOWN)


def connect() -> None:
    from .models import ProcessingActivity

    for signal in (post_save, post_delete):
        signal.connect(forget, sender=ProcessingActivity, dispatch_uid=f"audit-activity-{signal}")
