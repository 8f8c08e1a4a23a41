from django.core.paginator import Paginator
from django.shortcuts import render

from noaber.accounts.access import municipality_view

from .actions import record
from .models import Action, AuditEvent

PAGE_SIZE = 50


@municipality_view("audit.view")
def event_list(request, municipality):
    events = AuditEvent.objects.filter(municipality=municipality.cbs_code).order_by("-seq")
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
