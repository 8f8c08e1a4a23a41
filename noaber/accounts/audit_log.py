"""The audit log page for the privacy officer. It lives in `accounts` because it needs the
access rules and the users; the `audit` app itself knows no domain.

Events store codes and login names; the page shows people by name (with organisation or
role), roles, actions, objects and reasons in Dutch (noaber/audit/labels.py), and links an
object to its page where the viewer may open it."""

from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from noaber.audit import labels
from noaber.audit.actions import record
from noaber.audit.models import Action, AuditEvent
from noaber.lib.paging import Sort, list_page

from .access import municipality_view
from .models import Role, User

# The log sorts on its number only: the id is its order of writing.
AUDIT_SORTS = {"nummer": Sort("id", gettext_lazy("#"))}


def origin_label(origin: str) -> str:
    if origin == "system":
        return _("Noaber (automatisch)")
    if origin == "public":
        return _("openbaar formulier (geen adres bewaard)")
    return origin or "—"


def role_labels(roles: str) -> str:
    names = dict(Role.choices)
    return ", ".join(str(names.get(r, r)) for r in roles.split(",") if r) or "—"


def event_rows(events, municipality, viewer) -> list[dict]:
    """What a person reads per event."""
    people = User.objects.select_related("organisation")
    people = people.in_bulk({e.actor_id for e in events if e.actor_id})
    objects = labels.describe_objects(events, municipality, viewer)
    rows = []
    for event in events:
        person = people.get(event.actor_id)
        if person is not None:
            # The role has its own column: the person with the organisation, if any.
            actor = person.display_name
            if person.organisation_id:
                actor = f"{actor} — {person.organisation.name}"
        elif event.actor_id:
            actor = _("verwijderd account")
        else:
            actor = origin_label(event.origin) if event.origin in ("system", "public") else "—"
        text, url = objects.get((event.object_type, event.object_id), ("—", None))
        rows.append(
            {
                "event": event,
                "actor": actor,
                "roles": role_labels(event.role),
                "object": text,
                "url": url,
                "origin": origin_label(event.origin),
                "reason": labels.reason_label(event.reason) if event.reason else "—",
            }
        )
    return rows


@municipality_view("audit.view")
def event_list(request, municipality):
    # Events of this municipality, plus the events that belong to no municipality (failed
    # logins, logouts, second-factor changes) of the people who work for it.
    members = User.objects.filter(memberships__municipality=municipality).distinct()
    names = [name.lower() for name in members.values_list("username", flat=True)]
    own_accounts = Q(actor_id__in=members.values("pk")) | Q(object_type="user", object_id__in=names)
    events = AuditEvent.objects.filter(
        Q(municipality=municipality.cbs_code) | (Q(municipality="") & own_accounts)
    ).order_by("-id")
    action = request.GET.get("handeling", "")
    errors = []
    if action and action not in Action.values:
        errors.append(_("Kies een handeling uit de lijst; u ziet alle handelingen."))
        action = ""
    if action:
        events = events.filter(action=action)
    page = list_page(request, events, AUDIT_SORTS, default="-nummer")
    if page.error:
        errors.append(page.error)
    record(
        Action.VIEW,
        request=request,
        municipality=municipality,
        object_type="audit_log",
        object_id=municipality.cbs_code,
        detail={"page": page.number, "filter": action},
    )
    return render(
        request,
        "audit/event_list.html",
        {
            "page": page,
            "listing": page,
            "rows": event_rows(page.items, municipality, request.user),
            "actions": Action.choices,
            "selected_action": action,
            "errors": errors,
        },
        status=400 if errors else 200,
    )
