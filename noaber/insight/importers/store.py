"""Writing validated rows: one transaction, an upsert by (indicator, region, period), counts of
what changed, and one audit event. Nothing is written when anything fails. After the commit,
the months that arrived for a monthly series of a municipality go to the peak detection."""

from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from noaber.audit.actions import record
from noaber.audit.models import Action

from ..models import ImportBatch, Indicator, Period, Region, Value
from .base import BatchInfo, ParsedImport, Progress, file_error
from .odata import POLICE_47022

POLICE = POLICE_47022.source  # the monthly series of the peak detection
CHUNK = 2000
# Above this many regions the existing values are fetched per indicator and year only.
REGION_FILTER_LIMIT = 500


@dataclass
class ImportResult:
    batch: ImportBatch | None
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    new_indicators: list[str] = field(default_factory=list)
    new_regions: int = 0
    dry_run: bool = False
    # Months that arrived for a monthly series ([indicator id, region id, year, month]): the
    # peak detection judges them after the import (see _arrivals).
    new_months: list[list[int]] = field(default_factory=list)


def store(
    parsed: ParsedImport,
    batch_info: BatchInfo,
    *,
    origin: str = "system",
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Create the missing indicators and regions, then insert new values and update changed
    ones. A value that is already there as it is stays untouched (also its batch), so the same
    file imported twice changes nothing. An imported row without a note keeps the note a value
    has. With dry_run everything is counted and then rolled back."""
    try:
        with transaction.atomic():
            result = _store(parsed, batch_info, origin, progress)
            if dry_run:
                transaction.set_rollback(True)
                result.batch, result.dry_run = None, True
            elif result.new_months:
                months = result.new_months
                transaction.on_commit(lambda: _judge_new_months(months))
    except IntegrityError as error:
        raise file_error(
            _(
                "Opslaan mislukt; er is niets opgeslagen (liep er tegelijk een andere "
                "import?): %(error)s"
            )
            % {"error": error}
        ) from error
    return result


def _store(parsed: ParsedImport, info: BatchInfo, origin: str, progress) -> ImportResult:
    for code, fields in parsed.new_indicators.items():
        Indicator.objects.create(code=code, **fields)
    Region.objects.bulk_create(
        [Region(code=code, **fields) for code, fields in parsed.new_regions.items()],
        batch_size=CHUNK,
    )
    indicators = dict(Indicator.objects.values_list("code", "pk"))
    regions = dict(Region.objects.values_list("code", "pk"))
    rows = parsed.rows
    batch = ImportBatch.objects.create(
        kind=info.kind, file_name=info.file_name, sha256=info.sha256, rows=len(rows)
    )
    result = ImportResult(
        batch=batch,
        rows=len(rows),
        skipped=parsed.skipped,
        new_indicators=sorted(parsed.new_indicators),
        new_regions=len(parsed.new_regions),
    )
    existing = _existing(rows, indicators, regions)
    newest_before = _newest_months(rows, indicators, regions)
    arrived: dict[tuple[int, int], list[tuple[int, int]]] = {}
    to_create: list[tuple] = []
    to_update: list[tuple] = []
    for done, row in enumerate(rows, 1):
        key = (
            indicators[row.indicator],
            regions[row.region],
            row.period_type,
            row.year,
            row.number,
        )
        old = existing.get(key)
        if old is None:
            to_create.append((*key, row.value, row.status, row.source, row.note, batch.pk))
            if row.period_type == Period.MONTH and row.value is not None and row.source == POLICE:
                arrived.setdefault(key[:2], []).append((row.year, row.number))
        else:
            pk, value, status, source, note = old
            new_note = row.note or note
            if (value, status, source, note) == (row.value, row.status, row.source, new_note):
                result.unchanged += 1
            else:
                to_update.append((row.value, row.status, row.source, new_note, batch.pk, pk))
        if len(to_create) >= CHUNK:
            result.created += _flush(INSERT, to_create)
        if len(to_update) >= CHUNK:
            result.updated += _flush(UPDATE, to_update)
        if progress and done % CHUNK == 0 and done < len(rows):
            progress("opslaan", done, len(rows))
    result.created += _flush(INSERT, to_create)
    result.updated += _flush(UPDATE, to_update)
    if progress:
        progress("opslaan", len(rows), len(rows))
    result.new_months = _arrivals(arrived, newest_before)
    batch.created, batch.updated, batch.unchanged = result.created, result.updated, result.unchanged
    batch.save(update_fields=["created", "updated", "unchanged"])
    record(
        Action.CREATE,
        origin=origin,
        object_type="indicator_import",
        object_id=batch.pk,
        detail={
            "kind": info.kind,
            "file_name": info.file_name,
            "sha256": info.sha256,
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "skipped": result.skipped,
            "new_indicators": result.new_indicators,
            "new_regions": result.new_regions,
        },
    )
    return result


def _newest_months(rows, indicators: dict, regions: dict) -> dict[tuple[int, int], int]:
    """The newest month with a value (year * 12 + month - 1) that each (indicator, region) of
    the monthly rows had before this import, in one query."""
    pairs = {
        (indicators[r.indicator], regions[r.region]) for r in rows if r.period_type == Period.MONTH
    }
    if not pairs:
        return {}
    queryset = Value.objects.filter(
        period_type=Period.MONTH,
        value__isnull=False,
        indicator_id__in={i for i, _r in pairs},
        region__municipality__isnull=False,
    )
    region_ids = {r for _i, r in pairs}
    if len(region_ids) <= REGION_FILTER_LIMIT:
        queryset = queryset.filter(region_id__in=region_ids)
    newest = (
        queryset.values("indicator_id", "region_id")
        .annotate(last=Max(F("year") * 12 + F("number") - 1))
        .order_by()
    )
    return {
        (n["indicator_id"], n["region_id"]): n["last"]
        for n in newest
        if (n["indicator_id"], n["region_id"]) in pairs
    }


def _arrivals(arrived: dict, newest_before: dict) -> list[list[int]]:
    """The months that arrived for a monthly series of a municipality: the new months after
    the newest it had (a month that fills a hole in the past is history, not news); for a
    series that had no month yet, only its newest (an import of five years of history judges
    the last month, not all sixty)."""
    months = []
    for (indicator_id, region_id), added in arrived.items():
        before = newest_before.get((indicator_id, region_id))
        if before is None:
            chosen = [max(added)]
        else:
            chosen = sorted(m for m in added if m[0] * 12 + m[1] - 1 > before)
        months += [[indicator_id, region_id, year, month] for year, month in chosen]
    return sorted(months)


def _judge_new_months(months: list[list[int]]) -> None:
    from ..tasks import detect_police_months

    detect_police_months.enqueue(months)


def _existing(rows, indicators: dict, regions: dict) -> dict[tuple, tuple]:
    """The stored values for the keys in `rows`, fetched in one query."""
    wanted = {
        (indicators[r.indicator], regions[r.region], r.period_type, r.year, r.number) for r in rows
    }
    if not wanted:
        return {}
    queryset = Value.objects.filter(
        indicator_id__in={k[0] for k in wanted}, year__in={k[3] for k in wanted}
    )
    region_ids = {k[1] for k in wanted}
    if len(region_ids) <= REGION_FILTER_LIMIT:
        queryset = queryset.filter(region_id__in=region_ids)
    found = {}
    for (
        pk,
        indicator,
        region,
        period_type,
        year,
        number,
        value,
        status,
        source,
        note,
    ) in queryset.values_list(
        "pk",
        "indicator_id",
        "region_id",
        "period_type",
        "year",
        "number",
        "value",
        "status",
        "source",
        "note",
    ).iterator(chunk_size=CHUNK):
        key = (indicator, region, period_type, year, number)
        if key in wanted:
            found[key] = (pk, value, status, source, note)
    return found


def _sql(template: str) -> str:
    quote = connection.ops.quote_name
    return template.format(
        table=quote(Value._meta.db_table),
        insert=", ".join(quote(Value._meta.get_field(f).column) for f in INSERT_FIELDS),
        values=", ".join(["%s"] * len(INSERT_FIELDS)),
        update=", ".join(f"{quote(Value._meta.get_field(f).column)} = %s" for f in UPDATE_FIELDS),
        pk=quote(Value._meta.pk.column),
    )


# Plain executemany (COPY on PostgreSQL) instead of bulk_create/bulk_update: the ORM spends most
# of an import's time compiling 100,000 model instances, and every check has been done by then.
# Column names come from the model, the values are parameters.
INSERT_FIELDS = [
    "indicator",
    "region",
    "period_type",
    "year",
    "number",
    "value",
    "status",
    "source",
    "note",
    "batch",
]
UPDATE_FIELDS = ["value", "status", "source", "note", "batch"]
INSERT = "INSERT INTO {table} ({insert}) VALUES ({values})"  # noqa: S608
COPY = "COPY {table} ({insert}) FROM STDIN"
UPDATE = "UPDATE {table} SET {update} WHERE {pk} = %s"  # noqa: S608


def _flush(template: str, params: list[tuple]) -> int:
    count = len(params)
    if not params:
        return 0
    with connection.cursor() as cursor:
        if template is INSERT and connection.vendor == "postgresql":
            # COPY: several times faster than inserts for a data set of 100,000 rows.
            with cursor.cursor.copy(_sql(COPY)) as copy:
                for row in params:
                    copy.write_row(row)
        else:
            cursor.executemany(_sql(template), params)
    params.clear()
    return count
