from datetime import timedelta

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

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


def _database_up() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        return False
    return True


def _probe(checks: dict) -> JsonResponse:
    """200 when every check says "ok", else 503; statuses only, no data."""
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks},
                        status=200 if healthy else 503)  # fmt: skip


@public_view(["GET"], page=False)
@never_cache
def health(request):
    """Liveness for load balancers and monitoring: the process answers and reaches its
    database. Plain HTTP is served too (SECURE_REDIRECT_EXEMPT)."""
    return _probe({"database": "ok" if _database_up() else "unavailable"})


# The audit anchor is written every hour; a day and two hours without one means the task
# worker or the scheduler has not run it (docs/operations.md, "Monitoring").
ANCHOR_OVERDUE = timedelta(hours=26)
_migrated = False  # once every migration is applied, it stays so for this process


@public_view(["GET"], page=False)
@never_cache
def ready(request):
    """Readiness: migrations applied, a task worker and a scheduler alive (heartbeats younger
    than NOABER_READY_BEAT_MINUTES), the newest audit anchor — once there is one — younger
    than 26 hours. Without those, e-mail notices, reminders, retention and the audit check
    stop while the pages still work."""
    global _migrated
    if not _database_up():
        return _probe({"database": "unavailable"})
    from django.conf import settings
    from django.db.migrations.executor import MigrationExecutor

    from noaber.audit.anchors import newest_anchor_time
    from noaber.jobs.health import alive

    if not _migrated:
        executor = MigrationExecutor(connection)
        _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    now = timezone.now()
    beats = alive(now, timedelta(minutes=settings.NOABER_READY_BEAT_MINUTES))
    anchored = newest_anchor_time()
    return _probe({
        "database": "ok",
        "migrations": "ok" if _migrated else "pending",
        "worker": "ok" if beats["worker"] else "not running",
        "scheduler": "ok" if beats["scheduler"] else "not running",
        "audit_anchor": "ok" if anchored is None or now - anchored < ANCHOR_OVERDUE else "overdue",
    })  # fmt: skip
