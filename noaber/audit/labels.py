"""Dutch words for the codes in the audit log: reasons, object types, and links to objects.

Events store codes (`reason="partner_portal"`, `object_type="case"`), so that the log stays
stable when a word changes. People read Dutch: every app registers, from its AppConfig.ready,
the labels of the codes it records and, per object type, how to find the object's page. `audit`
knows no domain; the apps register upward-free into the dicts here.

A reason that is not a registered code is text a person typed (a purpose, a legal hold): it is
shown as it was written.
"""

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

_reasons: dict[str, str] = {}
_object_types: dict[str, str] = {}
# object type -> describe(municipality, object_ids, user) -> {object_id: (text, URL or None)}
_describers: dict[str, Callable] = {}


def register_reasons(labels: dict) -> None:
    """`labels`: {code: Dutch label}. A code registered twice must keep its label."""
    for code, label in labels.items():
        if code in _reasons and str(_reasons[code]) != str(label):
            raise ValueError(f"Audit reason {code!r} registered with two labels")
        _reasons[code] = label


def register_object_type(code: str, label, describe: Callable | None = None) -> None:
    """`label`: the Dutch word for the kind of object. `describe(municipality, object_ids,
    user)` returns {object_id: (text, URL or None)}: how a person names each object ("casus
    C-2") and its page, only where `user` may open it."""
    _object_types[code] = label
    if describe is not None:
        _describers[code] = describe


def registered_reasons() -> list[str]:
    return list(_reasons)


def registered_object_types() -> list[str]:
    return list(_object_types)


def reason_label(reason: str) -> str:
    """The Dutch label of a reason code, or the typed reason itself."""
    return str(_reasons.get(reason, reason))


def object_type_label(code: str) -> str:
    return str(_object_types.get(code, _("ander object")))


def describe_objects(events, municipality, user) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(object type, object id) -> (text, URL or None) for the objects of `events`, one
    query per object type."""
    wanted: dict[str, set[str]] = {}
    for event in events:
        if event.object_type:
            wanted.setdefault(event.object_type, set()).add(event.object_id)
    described = {}
    for object_type, ids in wanted.items():
        found = {}
        if object_type in _describers and municipality is not None:
            found = _describers[object_type](municipality, sorted(ids), user)
        label = object_type_label(object_type)
        for object_id in ids:
            text, url = found.get(object_id, (f"{label} {object_id}".strip(), None))
            described[(object_type, object_id)] = (text, url)
    return described
