"""Importing the BAG's addresses from the BAG GeoPackage (layer `verblijfsobject`).

Source: the BAG GeoPackage that the Kadaster publishes through PDOK ("BAG GeoPackage",
free, no account; the whole country or cut to a municipality with any GIS tool). The
importer reads one layer (default `verblijfsobject`; `ligplaats` and `standplaats` have
the same address columns) and these columns of it:

    identificatie          16 digits, the verblijfsobject's BAG id (unique key here)
    openbare_ruimte_naam   street
    huisnummer, huisletter, toevoeging
    postcode               "7591AB"
    woonplaats_naam
    geom                   POINT (polygon for ligplaats/standplaats: the outer ring's mean)
                           in RD New (EPSG:28992) or WGS84 (EPSG:4326)

The municipality of an address is the municipal outline (`Outline`, imported first with
`import_areas`) that holds its point. Rows without postcode or house number, or outside every
outline, are skipped and counted. Re-importing is idempotent: rows are upserted by BAG id,
and addresses of the municipalities in the file that the new file no longer has are deleted.
"""

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection as connection_db
from django.db import transaction

from noaber.audit.actions import record
from noaber.audit.models import Action
from noaber.lib import gpkg
from noaber.lib.geo import rd_to_wgs84

from .areas import RD_NEW, WGS84, outline_shapes
from .models import Address

COLUMNS = [
    "identificatie",
    "openbare_ruimte_naam",
    "huisnummer",
    "huisletter",
    "toevoeging",
    "postcode",
    "woonplaats_naam",
]
FIELDS = [
    "bag_id",
    "postcode",
    "house_number",
    "house_letter",
    "addition",
    "addition_key",
    "street",
    "woonplaats",
    "municipality_code",
    "municipality_name",
    "longitude",
    "latitude",
    "batch",
]
BATCH = 2000
_COLUMNS = [Address._meta.get_field(name).column for name in FIELDS]
UPSERT = (
    f"INSERT INTO {Address._meta.db_table} ({', '.join(_COLUMNS)}) "  # noqa: S608 — model names
    f"VALUES ({', '.join(['%s'] * len(_COLUMNS))}) ON CONFLICT (bag_id) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in _COLUMNS[1:])
)


class BagImportError(ValueError):
    pass


@dataclass
class BagImport:
    total: int = 0
    imported: int = 0
    skipped_incomplete: int = 0
    skipped_outside: int = 0
    removed: int = 0
    seconds: float = 0.0
    municipalities: dict[str, int] = field(default_factory=dict)

    @property
    def rows_per_second(self) -> float:
        return self.total / self.seconds if self.seconds else 0.0


def addition_key(letter: str | None, addition: str | None) -> str:
    """Letter and addition as one comparable key: '12 a', '12-A', '12A' all give 'A'."""
    text = f"{letter or ''}{addition or ''}"
    return "".join(ch for ch in text.upper() if ch.isalnum())[:5]


def _point(geometry: dict | None, srs_id: int) -> tuple[float, float] | None:
    if geometry is None:
        return None
    if geometry["type"] == "Point":
        x, y = geometry["coordinates"]
    elif geometry["type"] in ("Polygon", "MultiPolygon"):
        ring = (
            geometry["coordinates"][0]
            if geometry["type"] == "Polygon"
            else geometry["coordinates"][0][0]
        )
        x = sum(p[0] for p in ring[:-1]) / max(1, len(ring) - 1)
        y = sum(p[1] for p in ring[:-1]) / max(1, len(ring) - 1)
    else:
        return None
    return rd_to_wgs84(x, y) if srs_id == RD_NEW else (x, y)


def import_bag(
    path,
    *,
    layer: str = "verblijfsobject",
    columns: dict[str, str] | None = None,
    postcodes: tuple[int, int] | None = None,
    progress: Callable[[int, int], None] | None = None,
    source: str = "",
) -> BagImport:
    """Import every address in `layer`; all or nothing (one transaction).

    `columns` renames source columns (our name -> the file's), for a release of the file that
    names them differently; `postcodes` (first, last four digits) keeps the import to a region.
    """
    names = {c: (columns or {}).get(c, c) for c in COLUMNS}
    unknown = set(columns or {}) - set(COLUMNS)
    if unknown:
        raise BagImportError(f"onbekende kolom(men): {', '.join(sorted(unknown))}")
    started = time.perf_counter()
    source = source or Path(path).name
    shapes = outline_shapes()
    if not shapes:
        raise BagImportError(
            "Er zijn nog geen gemeentegrenzen: importeer die eerst met `manage.py import_areas`."
        )
    try:
        connection = gpkg.open_geopackage(path)
        _column, srs_id, present = gpkg.layer_info(connection, layer)
    except gpkg.GeoPackageError as error:
        raise BagImportError(str(error)) from error
    missing = [names[c] for c in COLUMNS if names[c] not in present]
    if missing:
        connection.close()
        raise BagImportError(f"laag {layer!r} mist de kolom(men) {', '.join(missing)}")
    if srs_id not in (RD_NEW, WGS84):
        connection.close()
        raise BagImportError(f"coördinatenstelsel EPSG:{srs_id} wordt niet ondersteund")
    where, params = "", ()
    if postcodes:
        # Postcodes sort as text: the range 7500-7699 is "7500" <= postcode < "7700".
        column = gpkg.quote(names["postcode"])
        where = f"{column} >= ? AND {column} < ?"
        params = (f"{postcodes[0]:04d}", f"{postcodes[1] + 1:04d}")
    result = BagImport(total=gpkg.count_features(connection, layer, where=where, params=params))
    batch = uuid.uuid4().hex
    by_woonplaats: dict[str, object] = {}  # the outline the woonplaats' last address lay in
    pending: dict[str, tuple] = {}

    def flush():
        # Plain parameterised SQL: building 100,000 model instances and compiling the ORM's
        # INSERT took two thirds of the time. ON CONFLICT ... DO UPDATE works on SQLite and
        # PostgreSQL alike.
        with connection_db.cursor() as cursor:
            cursor.executemany(UPSERT, list(pending.values()))
        pending.clear()

    done = 0
    try:
        with transaction.atomic():
            source_columns = [names[c] for c in COLUMNS]
            for values, geometry in gpkg.read_features(
                connection, layer, source_columns, where=where, params=params
            ):
                row = {c: values[names[c]] for c in COLUMNS}
                done += 1
                if progress and done % BATCH == 0:
                    progress(done, result.total)
                point = _point(geometry, srs_id)
                postcode = "".join(str(row["postcode"] or "").split()).upper()
                number = row["huisnummer"]
                if point is None or not postcode or not number or not row["identificatie"]:
                    result.skipped_incomplete += 1
                    continue
                lon, lat = point
                woonplaats = str(row["woonplaats_naam"] or "").strip()
                # A woonplaats lies within one municipality (a BAG rule): try its outline first.
                shape = by_woonplaats.get(woonplaats)
                if shape is None or not shape.contains(lon, lat):
                    shape = next((s for s in shapes if s.contains(lon, lat)), None)
                    if shape is None:
                        result.skipped_outside += 1
                        continue
                    by_woonplaats[woonplaats] = shape
                code, name = shape.key
                bag_id = str(row["identificatie"]).strip()
                pending[bag_id] = (
                    bag_id,
                    postcode[:6],
                    int(number),
                    str(row["huisletter"] or "")[:1],
                    str(row["toevoeging"] or "")[:4],
                    addition_key(row["huisletter"], row["toevoeging"]),
                    str(row["openbare_ruimte_naam"] or "")[:80],
                    woonplaats[:80],
                    code,
                    name,
                    round(lon, 7),
                    round(lat, 7),
                    batch,
                )
                result.municipalities[code] = result.municipalities.get(code, 0) + 1
                if len(pending) >= BATCH:
                    flush()
            flush()
            result.imported = sum(result.municipalities.values())
            # Gone from the file: rows of its municipalities (within its postcode range, when
            # one was given) that this import did not write.
            stale = Address.objects.filter(municipality_code__in=list(result.municipalities))
            if postcodes:
                stale = stale.filter(postcode__gte=params[0], postcode__lt=params[1])
            result.removed, _ = stale.exclude(batch=batch).delete()
            record(
                Action.UPDATE,
                origin="system",
                object_type="address_register",
                object_id=source[:100],
                detail={
                    "layer": layer,
                    "imported": result.imported,
                    "removed": result.removed,
                    "skipped": result.skipped_incomplete + result.skipped_outside,
                },
            )
    except gpkg.GeoPackageError as error:
        raise BagImportError(str(error)) from error
    finally:
        connection.close()
    if progress:
        progress(result.total, result.total)
    result.seconds = time.perf_counter() - started
    return result
