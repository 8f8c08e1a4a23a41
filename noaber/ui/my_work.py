"""'Mijn werk': one page with an advisor's work across the apps — the reports, signals and
cases they are behandelaar of, their open tasks and the municipality's new peak alerts —
overdue first. It reads from intake, registry, cases and insight through their public
selectors, so it lives here, in the shell above them all (docs/decisions/0010-app-layers.md).
Enforcers and employees keep "Mijn taken" (cases.my_tasks)."""

from dataclasses import dataclass
from datetime import date

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from noaber.accounts.access import municipality_view
from noaber.audit.actions import record
from noaber.audit.models import Action
from noaber.cases import selectors as case_selectors
from noaber.insight.alerts import open_alerts
from noaber.intake import selectors as intake_selectors
from noaber.lib.dates import today
from noaber.lib.pages import section_url
from noaber.registry import selectors as registry_selectors

REASON = "my_work"
# At most this many items per kind on the page (overdue first, so the late ones are always
# shown); the heading gives the full count.
PER_KIND = 50


@dataclass(frozen=True)
class Item:
    number: str
    text: str
    url: str
    due: date | None
    overdue: bool


def _late_first(items: list[Item]) -> list[Item]:
    return sorted(items, key=lambda i: (not i.overdue, i.due or date.max))


def work_of(user, municipality) -> dict:
    """Per kind: (total, items shown). Counts for the dashboard come from here as well."""
    code, on = municipality.cbs_code, today()

    def late(due):
        return due is not None and due < on

    reports = intake_selectors.open_reports_of(user, municipality)
    signals = registry_selectors.open_signals_of(user, municipality)
    cases = case_selectors.open_cases_of(user, municipality)
    tasks = list(case_selectors.open_tasks_of(user, municipality))
    alerts = open_alerts(municipality)
    return {
        "reports": (
            reports.count(),
            [
                Item(r.number, str(r.category), reverse("intake:detail", args=[code, r.pk]),
                     r.due_date, late(r.due_date))
                for r in reports[:PER_KIND]
            ],
        ),
        "signals": (
            signals.count(),
            [
                Item(s.number, f"{s.theme.code} {s.theme.name}",
                     reverse("registry:signal", args=[code, s.pk]), s.due_date, late(s.due_date))
                for s in signals[:PER_KIND]
            ],
        ),
        "cases": (
            cases.count(),
            [
                Item(c.number, f"{c.title} ({c.case_type.name})",
                     reverse("cases:case", args=[code, c.pk]), c.due_date, late(c.due_date))
                for c in cases[:PER_KIND]
            ],
        ),
        "tasks": (
            len(tasks),
            _late_first(
                [
                    Item(t.case.number, t.title,
                         section_url(reverse("cases:case", args=[code, t.case_id]), "taken"),
                         t.due_date, late(t.due_date))
                    for t in tasks
                ]
            )[:PER_KIND],
        ),
        "alerts": (
            alerts.count(),
            [
                Item(a.period_label if a.is_monthly
                     else _("week %(w)s-%(y)s") % {"w": a.week, "y": a.year}, a.series_label,
                     reverse("insight:alert", args=[code, a.pk]), None, False)
                for a in alerts[:PER_KIND]
            ],
        ),
    }  # fmt: skip


def work_counts(user, municipality) -> dict:
    """Counts for the advisor's dashboard: open and overdue per kind, no content."""
    on = today()
    counts = {}
    for kind, queryset, field in (
        ("reports", intake_selectors.open_reports_of(user, municipality), "due_date"),
        ("signals", registry_selectors.open_signals_of(user, municipality), "due_date"),
        ("cases", case_selectors.open_cases_of(user, municipality), "due_date"),
    ):
        counts[kind] = queryset.count()
        counts[f"{kind}_late"] = queryset.filter(**{f"{field}__lt": on}).count()
    counts["late"] = sum(counts[f"{k}_late"] for k in ("reports", "signals", "cases"))
    counts["open"] = sum(counts[k] for k in ("reports", "signals", "cases"))
    return counts


@municipality_view("ui.my_work")
def my_work(request, municipality):
    work = work_of(request.user, municipality)
    record(
        Action.VIEW,
        request=request,
        municipality=municipality,
        object_type="my_work",
        reason=REASON,
        detail={kind: [i.number for i in items] for kind, (_n, items) in work.items() if items},
    )
    sections = [
        ("reports", _("Meldingen"), _("U bent behandelaar van geen open melding.")),
        ("signals", _("Signalen"), _("U bent behandelaar van geen open signaal.")),
        ("cases", _("Casussen"), _("U bent regisseur van geen open casus.")),
        ("tasks", _("Taken"), _("U heeft geen open taken.")),
        ("alerts", _("Nieuwe pieken"), _("Er zijn geen nieuwe pieken.")),
    ]
    late = sum(1 for _n, items in work.values() for i in items if i.overdue)
    return render(
        request,
        "ui/my_work.html",
        {
            "sections": [(key, label, empty, *work[key]) for key, label, empty in sections],
            "late": late,
        },
    )
