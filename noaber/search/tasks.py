"""Reindexing the records that show a renamed category, theme, area or case type: their
tokens include that name (index.tokens_of), so "Drugs" renamed to "Drugs en drugslabs" must be
found by its new words and no longer by the old ones. A name may be on hundreds of thousands
of records, so this runs as a job after the rename commits, in chunks of one transaction each
(a search meanwhile finds each record by the old or the new name, never by neither)."""

from django.apps import apps
from django_tasks import task

from . import index

CHUNK = 1000

# For each model whose name is indexed: (indexed model, lookup to the renamed row).
SHOWN_ON = {
    "intake.Category": [("intake.Report", "category")],
    "themes.Theme": [("intake.Report", "category__theme"), ("registry.Signal", "theme")],
    "intake.Area": [("intake.Report", "area"), ("registry.Signal", "area")],
    "cases.CaseType": [("cases.Case", "case_type")],
}
# The fields whose change changes those tokens.
NAME_FIELDS = {
    "intake.Category": ("name", "group", "theme_id"),
    "themes.Theme": ("name",),
    "intake.Area": ("name",),
    "cases.CaseType": ("name",),
}


@task()
def reindex_showing(label: str, pk: int) -> int:
    """Reindex every record that shows the `label` row `pk`; returns how many."""
    done = 0
    for model_label, lookup in SHOWN_ON[label]:
        model = apps.get_model(model_label)
        last = 0
        while True:
            pks = list(
                model._base_manager.filter(**{lookup: pk}, pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:CHUNK]
            )
            if not pks:
                break
            index.reindex(model, pks)
            last, done = pks[-1], done + len(pks)
    return done
