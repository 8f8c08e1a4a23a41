"""Reads of the register that other apps need (counts only; no signal content leaves here)."""

from datetime import date

from django.db.models import Count, Exists, F, OuterRef, Q

from noaber.lib.deadlines import overdue_first

from .models import Phase, Signal


def open_signal_count_for(municipality, user) -> int:
    """Open signals assigned to `user` in `municipality`."""
    return (
        Signal.objects.filter(municipality=municipality, assigned_to=user)
        .exclude(phase=Phase.CLOSED)
        .count()
    )


def daily_signal_counts(municipality):
    """(day received, theme id, area id, count) of the municipality's signals."""
    rows = (
        Signal.objects.filter(municipality=municipality)
        .values(day=F("received_on"), theme_key=F("theme_id"), area_key=F("area_id"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        yield row["day"], row["theme_key"], row["area_key"], row["n"]


def first_signal_of_outer_case():
    """For a subquery over cases (apps above the register): the signals of the case that
    `OuterRef("pk")` names, first received first."""
    return Signal.objects.filter(cases=OuterRef("pk")).order_by("received_on", "pk")


def keep_first_signal(queryset, case_ref: str, signals: str):
    """Keep, of each case's signals joined in as `signals`, only its first (by date, then
    number), so a case counts once, under the theme of its first signal; a case without
    signals stays, with no theme. An anti-join: fast where a subquery per row was not."""
    earlier = Signal.objects.filter(cases=OuterRef(case_ref)).filter(
        Q(received_on__lt=OuterRef(f"{signals}__received_on"))
        | Q(received_on=OuterRef(f"{signals}__received_on"), pk__lt=OuterRef(f"{signals}__id"))
    )
    return queryset.filter(~Exists(earlier))


def signal_counts_by_theme(municipality, year: int) -> dict:
    """{theme id: number of signals received in `year`}."""
    rows = (
        Signal.objects.filter(
            municipality=municipality,
            received_on__gte=date(year, 1, 1),
            received_on__lt=date(year + 1, 1, 1),
        )
        .values("theme_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["theme_id"]: r["n"] for r in rows}


def signals_overdue_first(queryset):
    """Signals ordered overdue first, then by streefdatum (noaber.lib.deadlines); each has
    `overdue`. For the register's list: `signals_overdue_first(<its filtered queryset>)`."""
    return overdue_first(queryset)


def open_signals_of(user, municipality):
    """The open signals `user` is behandelaar of, overdue first."""
    return signals_overdue_first(
        Signal.objects.filter(
            municipality=municipality, assigned_to=user, destroyed_at__isnull=True
        )
        .exclude(phase=Phase.CLOSED)
        .select_related("theme")
    )


def subject_named(municipality_ids, kind: str, keys: list[tuple[str, str]]) -> bool:
    """Whether the register of these municipalities holds a subject that `keys` (from
    subjects.keys_for) name: any exact key (BSN, kenteken, address, name with birth date, KvK,
    handle), or every sound-alike key of a name on one subject. For the search box, which must
    answer such a term hit / no-hit only (docs/search.md)."""
    from .models import SubjectKey

    if not keys:
        return False
    rows = SubjectKey.objects.filter(
        municipality_id_copy__in=list(municipality_ids), digest__in=[d for _k, d in keys]
    ).values_list("subject_id", "kind", "digest")
    sounds = {d for k, d in keys if k == "name_sound"}
    per_subject: dict[int, set] = {}
    for subject_id, key_kind, digest in rows:
        if key_kind != "name_sound":
            return True
        per_subject.setdefault(subject_id, set()).add(digest)
    return bool(sounds) and any(found >= sounds for found in per_subject.values())


def subjects_with_bsn(municipality_id: int, bsn: str):
    """The ids of this municipality's subjects with this BSN (already checked with
    subjects.check_bsn), found through its blind index: for an entitled ZGW client's filter."""
    from noaber.lib.crypto import blind_index

    from .models import SubjectKey

    return SubjectKey.objects.filter(
        municipality_id_copy=municipality_id, kind="bsn", digest=blind_index(bsn, "bsn")
    ).values("subject_id")
