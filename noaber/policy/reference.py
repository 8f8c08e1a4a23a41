"""Dinkelland's IVP 2024-2026 as data (data/reference/ivp-dinkelland-2024-2026.json).

A plan is created once, with its priorities, links and actions. If a plan with the same name
already exists it belongs to the municipality and loading again changes nothing.
"""

from django.db import transaction

from noaber.accounts.models import Municipality, Organisation
from noaber.accounts.reference import read, record_loaded
from noaber.cases.models import CaseType
from noaber.insight.models import Indicator
from noaber.themes.models import Theme

from .models import Action, Plan, PlanPriority

PLAN_FILES = ("ivp-dinkelland-2024-2026.json",)


class UnknownReferenceError(ValueError):
    """The plan data names an organisation, theme, case type, indicator or municipality that
    does not exist."""


class _Lookup:
    """Resolves names and codes, and remembers every one it cannot find."""

    def __init__(self, source: str):
        self.source = source
        self.missing: list[str] = []
        self.tables = {
            "gemeente": {m.cbs_code: m for m in Municipality.objects.all()},
            "organisatie": {o.name: o for o in Organisation.objects.all()},
            "thema": {t.code: t for t in Theme.objects.filter(municipality__isnull=True)},
            "zaaktype": {c.code: c for c in CaseType.objects.all()},
            "indicator": {i.code: i for i in Indicator.objects.all()},
        }

    def one(self, kind: str, key: str):
        found = self.tables[kind].get(key)
        if found is None:
            self.missing.append(f"{kind} {key!r}")
        return found

    def many(self, kind: str, keys) -> list:
        return [self.one(kind, key) for key in keys]

    def check(self) -> None:
        if self.missing:
            raise UnknownReferenceError(
                f"{self.source}: onbekend in de referentiedata: {', '.join(self.missing)}"
            )


def _resolve(plan: dict, lookup: _Lookup) -> dict:
    """All references of one plan, resolved; raises before anything is written."""
    resolved = {"municipalities": lookup.many("gemeente", plan["municipalities"]), "priorities": []}
    for priority in plan["priorities"]:
        resolved["priorities"].append(
            {
                "themes": lookup.many("thema", priority.get("themes", [])),
                "case_types": lookup.many("zaaktype", priority.get("case_types", [])),
                "partners": lookup.many("organisatie", priority.get("partners", [])),
                "indicators": lookup.many("indicator", priority.get("indicators", [])),
                "actions": [
                    {
                        "owner": lookup.one("organisatie", action["owner"]),
                        "partners": lookup.many("organisatie", action.get("partners", [])),
                        "indicators": lookup.many("indicator", action.get("indicators", [])),
                    }
                    for action in priority.get("actions", [])
                ],
            }
        )
    lookup.check()
    return resolved


PLAN_FIELDS = ("start_year", "end_year", "baseline_year", "introduction", "principles", "source")
PRIORITY_FIELDS = ("about", "challenges", "goal", "done", "will_do", "with_whom")


def _create(plan: dict, resolved: dict) -> int:
    created = 1
    new_plan = Plan.objects.create(name=plan["name"], **{f: plan[f] for f in PLAN_FIELDS})
    new_plan.municipalities.set(resolved["municipalities"])
    for item, links in zip(plan["priorities"], resolved["priorities"], strict=True):
        priority = PlanPriority.objects.create(
            plan=new_plan,
            order=item["order"],
            name=item["name"],
            **{f: item.get(f, "") for f in PRIORITY_FIELDS},
        )
        created += 1
        for field in ("themes", "case_types", "partners", "indicators"):
            getattr(priority, field).set(links[field])
        for data, refs in zip(item.get("actions", []), links["actions"], strict=True):
            action = Action.objects.create(
                priority=priority,
                title=data["title"],
                description=data.get("description", ""),
                owner=refs["owner"],
                start_year=data.get("start_year", new_plan.start_year),
                end_year=data.get("end_year", new_plan.end_year),
            )
            action.partners.set(refs["partners"])
            action.indicators.set(refs["indicators"])
            created += 1
    return created


@transaction.atomic
def load_plans() -> int:
    created = 0
    for name in PLAN_FILES:
        for plan in read(name)["plans"]:
            if Plan.objects.filter(name=plan["name"]).exists():
                continue  # the plan is the municipality's now
            created += _create(plan, _resolve(plan, _Lookup(f"{name}, {plan['name']}")))
    record_loaded("plans", created)
    return created
