"""The audit log page for the privacy officer. It lives in `accounts` because it needs the
access rules and the users; the `audit` app itself knows no domain."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render

from noaber.audit.actions import record
from noaber.audit.models import Action, AuditEvent

from .access import municipality_view
from .models import User

PAGE_SIZE = 50


@municipality_view("audit.view")
def event_list(request, municipality):
    # Events of this municipality, plus the events that belong to no municipality (failed
    # logins, logouts, second-factor changes) of the people who work for it.
    members = User.objects.filter(memberships__municipality=municipality).distinct()
    names = [name.lower() for name in members.values_list("username", flat=True)]
    own_accounts = Q(actor_id__in=members.values("pk")) | Q(object_type="user", object_id__in=names)
    events = AuditEvent.objects.filter(
        Q(municipality=municipality.cbs_code) | (Q(municipality="") & own_accounts)
    ).order_by("-seq")
    action = request.GET.get("handeling", "")
    if action in Action.values:
        events = events.filter(action=action)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("pagina"))
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
        {"page": page, "actions": Action.choices, "selected_action": action},
    )
