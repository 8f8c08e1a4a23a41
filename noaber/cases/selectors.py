"""Reads of casusregie that other apps need (counts and lists; no case content)."""

from datetime import date, datetime

from django.db.models import Count, F, Max, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from noaber.lib.deadlines import overdue_first
from noaber.registry.selectors import first_signal_of_outer_case, keep_first_signal

from .models import CLOSED, Case, CaseType, Intervention, Task, TimelineEntry


def case_types_with_results():
    """Every case type with its results (the ZGW catalogue publishes them), by code."""
    return CaseType.objects.prefetch_related("results").order_by("code")


def exchangeable_cases(municipality, case_type_ids):
    """The municipality's cases of these types that still exist (a destroyed case's shell is
    never served), with what a ZGW zaak shows of them; `case_type_ids` None: of every type.
    For noaber.zgw only."""
    cases = Case.objects.filter(municipality=municipality, destroyed_at__isnull=True)
    if case_type_ids is not None:
        cases = cases.filter(case_type_id__in=case_type_ids)
    return cases.defer("closing_text", "legal_hold_reason", "due_date_reason")


STATUS_KINDS = (TimelineEntry.Kind.STATUS, TimelineEntry.Kind.CLOSING)


def status_entries(cases):
    """The timeline entries that set a status of these cases (opening, each change, a
    reopening, the closing), oldest first."""
    return TimelineEntry.objects.filter(case__in=cases, kind__in=STATUS_KINDS).order_by(
        "case_id", "created_at", "pk"
    )


def latest_status_entries(case_ids) -> dict[int, int]:
    """case id -> the id of the entry that set its current status."""
    rows = (
        TimelineEntry.objects.filter(case_id__in=case_ids, kind__in=STATUS_KINDS)
        .values("case_id")
        .annotate(last=Max("pk"))
        .values_list("case_id", "last")
    )
    return dict(rows)


def status_code_of(entry, case_type) -> str:
    """The status code an entry from `status_entries` set: the closing sets the end status, a
    status entry names its status's label, and the only other one is a reopening."""
    if entry.kind == TimelineEntry.Kind.CLOSING:
        return CLOSED
    by_label = {str(label): code for code, label in case_type.statuses}
    return by_label.get(entry.text, case_type.reopen_status or case_type.first_status)


def case_subject_kinds(case_ids, kinds):
    """(case id, subject id, kind) of these cases' subjects of these kinds: no subject data."""
    return (
        Case.subjects.through.objects.filter(case_id__in=case_ids, subject__kind__in=kinds)
        .order_by("case_id", "subject_id")
        .values_list("case_id", "subject_id", "subject__kind")
    )


def case_subject_links(cases, kinds):
    """(case, subject) links of these cases to subjects of these kinds, subject included."""
    return (
        Case.subjects.through.objects.filter(case__in=cases, subject__kind__in=kinds)
        .select_related("subject")
        .order_by("case_id", "subject_id")
    )


def open_case_count(municipality) -> int:
    return Case.objects.filter(municipality=municipality).exclude(status=CLOSED).count()


def overdue_tasks(municipality):
    """Open tasks past their due date (not lapsed), with case and owner."""
    return Task.objects.filter(
        case__municipality=municipality,
        completed_at__isnull=True,
        withdrawn_at__isnull=True,
        due_date__lt=timezone.localdate(),
    ).select_related("case", "owner_user", "owner_organisation")


def tasks_of(user, municipality):
    """The tasks given to `user` or to an active team of theirs, in the municipality's cases
    that still exist — in any state (open, done, lapsed)."""
    mine = Q(owner_user=user) | Q(owner_team__members=user, owner_team__active=True)
    return (
        Task.objects.filter(mine, case__municipality=municipality, case__destroyed_at__isnull=True)
        .select_related("case", "owner_team", "location_area")
        .distinct()
    )


def open_tasks_of(user, municipality):
    """The open tasks of the user and of their teams in the municipality's open cases,
    soonest due first (what "Mijn taken" lists)."""
    return (
        tasks_of(user, municipality)
        .filter(completed_at__isnull=True, withdrawn_at__isnull=True)
        .exclude(case__status=CLOSED)
    )


def daily_case_counts(municipality):
    """(day opened, theme id, area id, count) of the municipality's cases; a case counts under
    the theme and area of its first signal."""
    first = first_signal_of_outer_case()
    rows = (
        Case.objects.filter(municipality=municipality)
        .values(
            day=TruncDate("created_at"),
            theme_key=Subquery(first.values("theme_id")[:1]),
            area_key=Subquery(first.values("area_id")[:1]),
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        yield row["day"], row["theme_key"], row["area_key"], row["n"]


def _year_bounds(year: int):
    zone = timezone.get_current_timezone()
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def case_counts_in_year(municipality, year: int):
    """[(case_type_id, first theme_id, opened, closed)] for cases opened or closed in `year`."""
    start, end = _year_bounds(year)
    opened_in = Q(created_at__gte=start, created_at__lt=end)
    closed_in = Q(closed_at__gte=start, closed_at__lt=end)
    cases = Case.objects.filter(opened_in | closed_in, municipality=municipality)
    rows = (
        keep_first_signal(cases, "pk", "signals")
        .values("case_type_id", first_theme=F("signals__theme_id"))
        .annotate(opened=Count("pk", filter=opened_in), closed=Count("pk", filter=closed_in))
        .order_by()
    )
    return [(r["case_type_id"], r["first_theme"], r["opened"], r["closed"]) for r in rows]


def intervention_counts_in_year(municipality, year: int):
    """[(case_type_id, first theme_id, intervention type id, count)] decided in `year`."""
    interventions = Intervention.objects.filter(
        case__municipality=municipality,
        decided_on__gte=date(year, 1, 1),
        decided_on__lt=date(year + 1, 1, 1),
    )
    rows = (
        keep_first_signal(interventions, "case_id", "case__signals")
        .values("case__case_type_id", "kind_id", first_theme=F("case__signals__theme_id"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [(r["case__case_type_id"], r["first_theme"], r["kind_id"], r["n"]) for r in rows]


def cases_overdue_first(queryset):
    """Cases ordered overdue first, then by streefdatum (noaber.lib.deadlines); each has
    `overdue`. For the case list: `cases_overdue_first(<its filtered queryset>)`."""
    return overdue_first(queryset)


def open_cases_of(user, municipality):
    """The open cases `user` is behandelaar (regisseur) of, overdue first."""
    return cases_overdue_first(
        Case.objects.filter(municipality=municipality, owner=user, destroyed_at__isnull=True)
        .exclude(status=CLOSED)
        .select_related("case_type")
    )
