"""Reading (and, for fixtures and the bench, writing) OGC GeoPackage layers without GDAL.

A GeoPackage is an SQLite database (OGC 12-128r18): every layer is a table listed in
`gpkg_contents`, its geometry column named in `gpkg_geometry_columns`, and each geometry is a
"GeoPackageBinary" blob: a small header (magic "GP", version, flags, SRS id, optional envelope)
followed by ordinary WKB. Points, polygons and multipolygons are read, with Z or M values
dropped; coordinates stay in the layer's own reference system (see `srs_id`).
"""

import sqlite3
import struct
from collections.abc import Iterator
from pathlib import Path

APPLICATION_ID = 0x47504B47  # "GPKG"
USER_VERSION = 10200
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


class GeoPackageError(ValueError):
    pass


# --- Reading --------------------------------------------------------------------------------


class _Reader:
    def __init__(self, data: bytes, offset: int):
        self.data, self.offset = data, offset

    def _unpack(self, fmt: str, size: int):
        values = struct.unpack_from(self.order + fmt, self.data, self.offset)
        self.offset += size
        return values

    def geometry(self) -> dict:
        self.order = "<" if self.data[self.offset] == 1 else ">"
        self.offset += 1
        (code,) = self._unpack("I", 4)
        base = code & 0x0FFFFFFF  # without EWKB's Z/M/SRID flags
        dimension, kind = divmod(base, 1000)  # ISO: 1000 Z, 2000 M, 3000 ZM
        has_z = bool(code & 0x80000000) or dimension in (1, 3)
        has_m = bool(code & 0x40000000) or dimension in (2, 3)
        self.dims = 2 + has_z + has_m
        if kind == 1:
            return {"type": "Point", "coordinates": self._position()}
        if kind == 3:
            return {"type": "Polygon", "coordinates": self._polygon()}
        if kind == 6:
            (count,) = self._unpack("I", 4)
            polygons = []
            for _ in range(count):
                part = self.geometry()
                if part["type"] != "Polygon":
                    raise GeoPackageError("a MultiPolygon holds only polygons")
                polygons.append(part["coordinates"])
            return {"type": "MultiPolygon", "coordinates": polygons}
        raise GeoPackageError(f"unsupported WKB geometry type {code}")

    def _position(self) -> list[float]:
        values = self._unpack("d" * self.dims, 8 * self.dims)
        return [values[0], values[1]]

    def _polygon(self) -> list:
        (rings,) = self._unpack("I", 4)
        result = []
        for _ in range(rings):
            (points,) = self._unpack("I", 4)
            values = self._unpack("d" * self.dims * points, 8 * self.dims * points)
            step = self.dims
            result.append([[values[i], values[i + 1]] for i in range(0, len(values), step)])
        return result


def parse_geometry(blob: bytes) -> dict | None:
    """A GeoPackageBinary blob -> GeoJSON-like dict (None for an empty geometry)."""
    if not blob or len(blob) < 8 or blob[:2] != b"GP":
        raise GeoPackageError("not a GeoPackage geometry (no 'GP' header)")
    flags = blob[3]
    if flags & 0b00010000:
        return None
    envelope = (flags >> 1) & 0b111
    if envelope not in _ENVELOPE_BYTES:
        raise GeoPackageError("invalid envelope indicator in a GeoPackage geometry")
    try:
        return _Reader(blob, 8 + _ENVELOPE_BYTES[envelope]).geometry()
    except struct.error as error:
        raise GeoPackageError(f"truncated geometry: {error}") from error


def open_geopackage(path) -> sqlite3.Connection:
    path = Path(path)
    if not path.is_file():
        raise GeoPackageError(f"bestand {path} bestaat niet")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        connection.execute("SELECT count(*) FROM gpkg_contents").fetchone()
    except sqlite3.DatabaseError as error:
        raise GeoPackageError(f"{path.name} is geen GeoPackage ({error})") from error
    return connection


def layer_info(connection: sqlite3.Connection, layer: str) -> tuple[str, int, list[str]]:
    """(geometry column, SRS id, column names) of a feature layer."""
    row = connection.execute(
        "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?", (layer,)
    ).fetchone()
    if row is None:
        names = [r[0] for r in connection.execute("SELECT table_name FROM gpkg_geometry_columns")]
        raise GeoPackageError(
            f"laag {layer!r} ontbreekt; het bestand heeft: {', '.join(names) or 'geen lagen'}"
        )
    columns = [r[1] for r in connection.execute(f'PRAGMA table_info("{_ident(layer)}")')]
    return row[0], row[1], columns


def count_features(
    connection: sqlite3.Connection, layer: str, *, where: str = "", params: tuple = ()
) -> int:
    # Identifiers cannot be bound; _ident refuses quotes, and the layer was looked up in
    # gpkg_geometry_columns first (layer_info).
    sql = f'SELECT count(*) FROM "{_ident(layer)}"'  # noqa: S608
    return connection.execute(f"{sql} WHERE {where}" if where else sql, params).fetchone()[0]


def quote(name: str) -> str:
    """A column or table name for SQL text (names cannot be bound as parameters)."""
    return f'"{_ident(name)}"'


def read_features(
    connection: sqlite3.Connection,
    layer: str,
    columns: list[str],
    *,
    where: str = "",
    params: tuple = (),
) -> Iterator[tuple[dict, dict | None]]:
    """(properties, geometry) per feature; `columns` must exist in the layer. `where`: an SQL
    condition written by the caller (never user text) with `?` for `params`."""
    geometry_column, _srs, present = layer_info(connection, layer)
    missing = [c for c in columns if c not in present]
    if missing:
        raise GeoPackageError(f"laag {layer!r} mist de kolom(men) {', '.join(missing)}")
    selected = ", ".join(f'"{_ident(c)}"' for c in [*columns, geometry_column])
    sql = f'SELECT {selected} FROM "{_ident(layer)}"'  # noqa: S608
    cursor = connection.execute(f"{sql} WHERE {where}" if where else sql, params)
    while rows := cursor.fetchmany(5000):
        for row in rows:
            blob = row[-1]
            geometry = parse_geometry(blob) if blob is not None else None
            yield dict(zip(columns, row[:-1], strict=True)), geometry


def _ident(name: str) -> str:
    if '"' in name or "\x00" in name:
        raise GeoPackageError(f"invalid name {name!r}")
    return name


# --- Writing (fixtures, the bench) ----------------------------------------------------------

RD_NEW = (
    28992,
    "Amersfoort / RD New",
    'PROJCS["Amersfoort / RD New",GEOGCS["Amersfoort",DATUM["Amersfoort",SPHEROID['
    '"Bessel 1841",6377397.155,299.1528128]],PRIMEM["Greenwich",0],UNIT["degree",'
    '0.0174532925199433]],PROJECTION["Oblique_Stereographic"],PARAMETER["latitude_of_origin",'
    '52.15616055555555],PARAMETER["central_meridian",5.38763888888889],PARAMETER['
    '"scale_factor",0.9999079],PARAMETER["false_easting",155000],PARAMETER["false_northing",'
    '463000],UNIT["metre",1],AUTHORITY["EPSG","28992"]]',
)


def _wkb(geometry: dict) -> bytes:
    kind = geometry["type"]
    coords = geometry["coordinates"]
    if kind == "Point":
        return struct.pack("<BIdd", 1, 1, coords[0], coords[1])
    if kind == "Polygon":
        parts = [struct.pack("<BII", 1, 3, len(coords))]
        for ring in coords:
            parts.append(struct.pack("<I", len(ring)))
            parts.append(struct.pack(f"<{2 * len(ring)}d", *(v for p in ring for v in p[:2])))
        return b"".join(parts)
    if kind == "MultiPolygon":
        return struct.pack("<BII", 1, 6, len(coords)) + b"".join(
            _wkb({"type": "Polygon", "coordinates": p}) for p in coords
        )
    raise GeoPackageError(f"cannot write {kind}")


def encode_geometry(geometry: dict, srs_id: int) -> bytes:
    """GeoJSON-like dict -> GeoPackageBinary (little-endian, no envelope)."""
    return b"GP" + struct.pack("<BBi", 0, 0b00000001, srs_id) + _wkb(geometry)


def write_layer(
    path,
    layer: str,
    columns: dict[str, str],
    rows,
    *,
    geometry_type: str,
    srs=RD_NEW,
    description: str = "",
) -> int:
    """Add a feature layer to the GeoPackage at `path` (created when absent).

    `columns` maps name -> SQLite type; each row is (values..., geometry dict).
    """
    srs_id, srs_name, definition = srs
    connection = sqlite3.connect(path)
    try:
        connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        connection.execute(f"PRAGMA user_version = {USER_VERSION}")
        connection.executescript(
            """
            CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
              srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
              organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL,
              description TEXT);
            CREATE TABLE IF NOT EXISTS gpkg_contents (
              table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
              identifier TEXT UNIQUE, description TEXT DEFAULT '',
              last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
              min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER);
            CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
              table_name TEXT NOT NULL, column_name TEXT NOT NULL,
              geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
              z TINYINT NOT NULL, m TINYINT NOT NULL,
              CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name));
            """
        )
        connection.execute(
            "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, ?, 'EPSG', ?, ?, '')",
            (srs_name, srs_id, srs_id, definition),
        )
        column_sql = ", ".join(f'"{_ident(n)}" {t}' for n, t in columns.items())
        connection.execute(
            f'CREATE TABLE "{_ident(layer)}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, '
            f"{column_sql}, geom BLOB)"
        )
        connection.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) "
            "VALUES (?, 'features', ?, ?, ?)",
            (layer, layer, description, srs_id),
        )
        connection.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)",
            (layer, geometry_type, srs_id),
        )
        names = ", ".join(f'"{n}"' for n in columns)
        marks = ", ".join("?" for _ in range(len(columns) + 1))
        count = 0
        sql = f'INSERT INTO "{_ident(layer)}" ({names}, geom) VALUES ({marks})'  # noqa: S608
        batch = []
        for row in rows:
            *values, geometry = row
            batch.append((*values, encode_geometry(geometry, srs_id)))
            if len(batch) == 5000:
                connection.executemany(sql, batch)
                count += len(batch)
                batch = []
        connection.executemany(sql, batch)
        count += len(batch)
        connection.commit()
        return count
    finally:
        connection.close()
