"""Ordering work by its streefdatum: overdue first, then by due date, then what has none."""

from django.db.models import BooleanField, Case, F, Q, Value, When

from .dates import today


def overdue_first(queryset, *, field: str = "due_date", on=None):
    """`queryset` annotated with `overdue` (its `field` lies before `on`, default today) and
    ordered: overdue first, then by due date (soonest first, none last), newest id last.
    The list views and "Mijn werk" share it, so they agree on what is late."""
    on = on or today()
    return queryset.annotate(
        overdue=Case(
            When(Q(**{f"{field}__lt": on}), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    ).order_by("-overdue", F(field).asc(nulls_last=True), "pk")
