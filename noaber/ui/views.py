from datetime import timedelta

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from noaber.accounts.access import (
    can,
    municipalities_of,
    municipality_view,
    public_view,
    roles_of,
)
from noaber.accounts.models import Role


@public_view(["GET"])
def home(request):
    """Staff go to the dashboard of their active municipality; others see the welcome page."""
    user = request.user
    if user.is_authenticated and user.is_verified():
        served = list(municipalities_of(user))
        if served:
            code = request.session.get("municipality")
            current = next((m for m in served if m.cbs_code == code), served[0])
            return redirect("ui:dashboard", current.cbs_code)
    return render(request, "ui/home.html")


@municipality_view("dashboard.view")
def dashboard(request, municipality):
    labels = dict(Role.choices)
    roles = [
        (role, labels[role]) for role in Role.values if role in roles_of(request.user, municipality)
    ]
    return render(
        request,
        "ui/dashboard.html",
        {
            "roles": roles,
            "roles_codes": [role for role, _label in roles],
            "figures": _figures(request, municipality),
            "tasks": _task_counts(request, municipality),
            "work": _work_counts(request, municipality),
            "audit_check": _audit_check(request, municipality),
        },
    )


# The audit log is checked every 24 hours (noaber.audit.tasks.verify_audit_chain); two hours
# later without a check, the worker or the scheduler is not running.
AUDIT_CHECK_OVERDUE = timedelta(hours=26)


def _audit_check(request, municipality) -> dict:
    """For the privacy officer: whether the newest check of the audit log failed (a red
    notice until a later check passes) and whether the daily check is overdue: none for 26
    hours, or none ever while the log is older than that (a change would go unnoticed)."""
    from noaber.audit.models import AuditEvent

    if not can(request.user, "audit.view", municipality):
        return {}
    latest = (
        AuditEvent.objects.filter(action="verify", object_type="audit_chain")
        .order_by("-id")
        .values_list("result", "created_at")
        .first()
    )
    since = timezone.now() - AUDIT_CHECK_OVERDUE
    if latest:
        overdue = latest[1] < since
    else:
        oldest = AuditEvent.objects.order_by("id").values_list("created_at", flat=True).first()
        overdue = oldest is not None and oldest < since
    return {
        "incident": bool(latest) and latest[0] == "failure",
        "overdue": overdue,
        "last": latest[1] if latest else None,
    }


def _task_counts(request, municipality) -> dict:
    """How many open tasks the user has, and how many are late (counts only, no content)."""
    from noaber.cases import selectors as case_selectors

    if not can(request.user, "cases.my_tasks", municipality):
        return {}
    tasks = case_selectors.open_tasks_of(request.user, municipality)
    return {
        "open": tasks.count(),
        "late": tasks.filter(due_date__lt=timezone.localdate()).count(),
    }


def _work_counts(request, municipality) -> dict:
    """The advisor's "Mijn werk" counts (open and late; no content)."""
    if not can(request.user, "ui.my_work", municipality):
        return {}
    from .my_work import work_counts

    return work_counts(request.user, municipality)


def _figures(request, municipality) -> dict:
    """Counts for the advisor's overview (no personal data)."""
    if Role.ADVISOR not in roles_of(request.user, municipality):
        return {}
    from noaber.cases import selectors as case_selectors
    from noaber.intake import selectors as intake_selectors
    from noaber.registry import selectors as registry_selectors

    return {
        "new_reports": intake_selectors.new_report_count(municipality),
        "my_signals": registry_selectors.open_signal_count_for(municipality, request.user),
        "open_cases": case_selectors.open_case_count(municipality),
        "overdue": case_selectors.overdue_tasks(municipality).count(),
    }


@public_view(["GET"])
def accessibility(request):
    return render(request, "ui/accessibility.html")


@public_view(["GET"], page=False)
def health(request):
    """Liveness and database check for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "error", "database": database}, status=status
    )
