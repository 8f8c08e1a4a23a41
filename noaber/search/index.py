"""Keeping the search index: tokens of a record, their keyed digests, (re)indexing one record
and rebuilding everything.

The digest key is derived from NOABER_BLIND_INDEX_KEY the way the subjects' blind indexes
separate their purposes (a purpose name under HMAC), but as a key of its own:
`HMAC-SHA256(NOABER_BLIND_INDEX_KEY, "search-index-key")`. A search digest therefore never
equals a subject's blind index of the same text, and changes when that key changes
(`rotate_field_keys --reindex` then rebuilds this index too; see receivers.py)."""

import time
from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.utils import timezone

from noaber.cases.models import Case
from noaber.intake.models import Report
from noaber.registry.models import Signal

from . import text
from .keys import cached_digest, key_fingerprint, search_key
from .models import IndexState, Kind, SearchToken

MODELS = {Kind.REPORT: Report, Kind.SIGNAL: Signal, Kind.CASE: Case}
KIND_OF = {model: kind for kind, model in MODELS.items()}
# The fields whose change makes a record's tokens change (None for a save without
# update_fields: always reindexed).
INDEXED_FIELDS = {
    Kind.REPORT: {"description", "category", "area", "postcode", "house_number",
                  "house_number_addition"},
    Kind.SIGNAL: {"description", "location", "phenomenon", "theme", "area", "destroyed_at"},
    Kind.CASE: {"title", "case_type", "destroyed_at"},
}  # fmt: skip
RELATED = {
    Kind.REPORT: ("category", "category__theme", "area"),
    Kind.SIGNAL: ("theme", "area"),
    Kind.CASE: ("case_type",),
}
# Only what tokens_of reads is loaded (and decrypted): a record's other encrypted fields would
# cost a decryption each for nothing.
ONLY = {
    Kind.REPORT: ("municipality", "description", "postcode", "house_number",
                  "house_number_addition", "category__name", "category__group",
                  "category__theme__name", "area__name"),
    Kind.SIGNAL: ("municipality", "description", "location", "phenomenon", "theme__name",
                  "area__name", "destroyed_at"),
    Kind.CASE: ("municipality", "title", "case_type__name", "destroyed_at"),
}  # fmt: skip


def indexable(model):
    """The records of `model` as tokens_of needs them."""
    kind = KIND_OF[model]
    return model._base_manager.select_related(*RELATED[kind]).only(*ONLY[kind])


def tokens_of(kind: str, record) -> set[str]:
    """The tokens a record is found by. Reporters' contact details are never indexed."""
    if getattr(record, "destroyed_at", None):
        return set()
    words: list[str] = []
    if kind == Kind.REPORT:
        words += text.word_tokens(record.description)
        words += text.name_tokens(record.category.name)
        words += text.name_tokens(record.category.group)
        words += text.name_tokens(record.category.theme.name)
        words += text.address_tokens(
            record.postcode, record.house_number, record.house_number_addition
        )
    elif kind == Kind.SIGNAL:
        words += text.word_tokens(record.description)
        words += text.word_tokens(record.location)
        words += text.word_tokens(record.phenomenon)
        words += text.name_tokens(record.theme.name)
    else:
        words += text.word_tokens(record.title)
        words += text.name_tokens(record.case_type.name)
    if kind != Kind.CASE and record.area_id:
        words += text.name_tokens(record.area.name)
    return set(words)


def rows_of(kind: str, record, key: bytes | None = None) -> list[tuple]:
    """(kind, record id, digest, municipality id) for each distinct token of `record`."""
    key = key or search_key()
    return [
        (kind, record.pk, d, record.municipality_id)
        for d in {cached_digest(t, key) for t in tokens_of(kind, record)}
    ]


def _insert(rows: list[tuple]) -> None:
    """COPY on PostgreSQL, plain pipelined INSERTs elsewhere (the ORM's bulk_create costs more
    than the hashing here)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(SearchToken._meta.db_table)
    columns = "(kind, record_id, digest, municipality_id)"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} {columns} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        cursor.executemany(
            f"INSERT INTO {table} {columns} VALUES (%s, %s, %s, %s)",  # noqa: S608
            rows,
        )


def _delete(kind: str, **lookup) -> None:
    SearchToken.objects.filter(kind=kind, **lookup)._raw_delete(connection.alias)


def reindex(model, pks: Iterable[int]) -> None:
    """Recompute the tokens of these records (gone records lose theirs), in the caller's
    transaction."""
    kind = KIND_OF[model]
    pks = list(pks)
    with transaction.atomic():
        _delete(kind, record_id__in=pks)
        records = indexable(model).filter(pk__in=pks)
        _insert([row for record in records for row in rows_of(kind, record)])


def forget(model, pk: int) -> None:
    _delete(KIND_OF[model], record_id=pk)


def is_current() -> bool:
    """Whether the index was built with today's key (False: a rebuild is due)."""
    state = IndexState.objects.first()
    return state is None or state.key_fingerprint == key_fingerprint()


def vacuum() -> None:
    """After a rebuild on PostgreSQL: VACUUM (ANALYZE) the index table, so its lookups are
    index-only scans at once (the visibility map) with fresh statistics, instead of waiting for
    autovacuum. Outside a transaction only (the management command); elsewhere a no-op."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(SearchToken._meta.db_table)}")


def mark_current() -> None:
    IndexState.objects.all().delete()
    IndexState.objects.create(key_fingerprint=key_fingerprint(), rebuilt_at=timezone.now())


def rebuild(chunk: int = 1000, progress: Callable[[str, int, int, float], None] | None = None):
    """Rebuild the whole index with the current key, kind by kind, in chunks of `chunk`
    records walked by primary key (each chunk one transaction: a search during the rebuild
    finds the records already done). `progress(kind, done, total, seconds)` after each
    chunk. Returns the number of records indexed."""
    key = search_key()
    started, total_done = time.monotonic(), 0
    for kind, model in MODELS.items():
        total = model._base_manager.count()
        done, last = 0, 0
        while True:
            records = list(indexable(model).filter(pk__gt=last).order_by("pk")[:chunk])
            if not records:
                break
            with transaction.atomic():
                _delete(kind, record_id__gt=last, record_id__lte=records[-1].pk)
                _insert([row for r in records for row in rows_of(kind, r, key)])
            last, done = records[-1].pk, done + len(records)
            if progress:
                progress(kind, done, total, time.monotonic() - started)
        # Rows of records that no longer exist went with their chunk's range; those beyond the
        # last record of a kind go here.
        _delete(kind, record_id__gt=last)
        total_done += done
    mark_current()
    return total_done
