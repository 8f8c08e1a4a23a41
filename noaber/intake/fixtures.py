"""Made-up GeoPackages in the exact source formats of `import_areas` and `import_bag`.

FICTIEF: every outline, kern, street and address here is invented for the demo and the tests.
The kernen are small squares at roughly the right places, the municipal outlines the same
rough shapes as before (data/reference/boundaries-simplified.geojson); the addresses use
realistic postcodes. Coordinates are written in RD New, as the real files have them.

Regenerate the committed files with:

    .venv/bin/python manage.py shell -c "from noaber.intake.fixtures import write_all; write_all()"
"""

import json
from pathlib import Path

from noaber.accounts.reference import REFERENCE_DIR
from noaber.lib import gpkg
from noaber.lib.geo import PreparedShape, map_coordinates, wgs84_to_rd

AREAS_FILE = REFERENCE_DIR / "gebieden-fictief.gpkg"
BAG_FILE = REFERENCE_DIR / "bag-fictief.gpkg"
MADE_UP = "FICTIEF: verzonnen gegevens voor demo en tests, geen echte grenzen of adressen"

# Outlines of municipalities this installation does not serve, so that a place there is named.
OTHER_OUTLINES = {
    ("GM0141", "Almelo"): [
        [6.55, 52.30], [6.70, 52.30], [6.76, 52.32], [6.66, 52.36], [6.64, 52.42],
        [6.55, 52.42], [6.55, 52.30],
    ],
    ("GM0363", "Amsterdam"): [
        [4.83, 52.33], [4.96, 52.33], [4.96, 52.41], [4.83, 52.41], [4.83, 52.33],
    ],
}  # fmt: skip

# kern -> (CBS code, centre longitude, latitude); each becomes a square of about 1.2 x 1.3 km.
KERNEN = {
    "Agelo": ("GM1774", 6.930, 52.430),
    "Denekamp": ("GM1774", 7.005, 52.377),
    "Deurningen": ("GM1774", 6.810, 52.310),
    "Lattrop-Breklenkamp": ("GM1774", 7.020, 52.410),
    "Noord Deurningen": ("GM1774", 6.835, 52.330),
    "Ootmarsum": ("GM1774", 6.900, 52.408),
    "Rossum": ("GM1774", 6.930, 52.350),
    "Saasveld": ("GM1774", 6.790, 52.300),
    "Tilligte": ("GM1774", 6.960, 52.400),
    "Volthe": ("GM1774", 6.880, 52.370),
    "Weerselo": ("GM1774", 6.853, 52.353),
    "Albergen": ("GM0183", 6.757, 52.367),
    "Fleringen": ("GM0183", 6.820, 52.420),
    "Geesteren": ("GM0183", 6.730, 52.420),
    "Harbrinkhoek-Mariaparochie": ("GM0183", 6.700, 52.380),
    "Langeveen": ("GM0183", 6.820, 52.460),
    "Manderveen": ("GM0183", 6.760, 52.460),
    "Reutum": ("GM0183", 6.800, 52.390),
    "Tubbergen": ("GM0183", 6.785, 52.407),
    "Vasse": ("GM0183", 6.860, 52.440),
    "Beuningen": ("GM0168", 7.050, 52.300),
    "De Lutte": ("GM0168", 6.990, 52.310),
    "Glane": ("GM0168", 7.040, 52.240),
    "Losser": ("GM0168", 7.004, 52.262),
    "Overdinkel": ("GM0168", 7.030, 52.270),
    "Oldenzaal": ("GM0173", 6.930, 52.310),
}
HALF_LON, HALF_LAT = 0.009, 0.006

# (BAG id, street, number, letter, addition, postcode, woonplaats, longitude, latitude)
ADDRESSES = [
    ("1774010000000001", "Hoofdweg", 10, "", "", "7591AB", "Denekamp", 7.0020, 52.3770),
    ("1774010000000002", "Hoofdweg", 12, "", "", "7591AB", "Denekamp", 7.0030, 52.3772),
    ("1774010000000003", "Hoofdweg", 12, "A", "", "7591AB", "Denekamp", 7.0031, 52.3773),
    ("1774010000000004", "Hoofdweg", 14, "", "", "7591AB", "Denekamp", 7.0040, 52.3774),
    ("1774010000000005", "Kerkstraat", 3, "", "", "7591CD", "Denekamp", 7.0060, 52.3790),
    ("1774010000000006", "Kerkstraat", 3, "", "1", "7591CD", "Denekamp", 7.0061, 52.3791),
    ("1774010000000007", "Markt", 1, "", "", "7631AA", "Ootmarsum", 6.9000, 52.4080),
    ("1774010000000008", "Marktstraat", 8, "", "", "7631AB", "Ootmarsum", 6.9020, 52.4090),
    ("1774010000000009", "Stationsweg", 5, "", "", "7595AE", "Weerselo", 6.8530, 52.3530),
    ("1774010000000010", "Hoofdweg", 151, "", "", "7591PK", "Denekamp", 6.9500, 52.4200),
    ("1774010000000011", "Hazelbekkeweg", 21, "", "", "7591PL", "Denekamp", 6.9700, 52.3800),
    ("0183010000000001", "Grotestraat", 20, "", "", "7651AB", "Tubbergen", 6.7850, 52.4070),
    ("0183010000000002", "Hoofdstraat", 3, "", "", "7665AA", "Albergen", 6.7570, 52.3670),
    ("0183010000000003", "Essenweg", 11, "", "", "7651PA", "Tubbergen", 6.7400, 52.4450),
    ("0168010000000001", "Raadhuisplein", 1, "", "", "7581AA", "Losser", 7.0040, 52.2620),
    ("0173010000000001", "Grootestraat", 2, "", "", "7571AA", "Oldenzaal", 6.9300, 52.3100),
    ("0141010000000001", "Grotestraat", 1, "", "", "7607AA", "Almelo", 6.6200, 52.3500),
    ("0363010000000001", "Dam", 1, "", "", "1012JS", "Amsterdam", 4.8936, 52.3731),
]


def _square(lon: float, lat: float) -> list:
    return [
        [lon - HALF_LON, lat - HALF_LAT],
        [lon + HALF_LON, lat - HALF_LAT],
        [lon + HALF_LON, lat + HALF_LAT],
        [lon - HALF_LON, lat + HALF_LAT],
        [lon - HALF_LON, lat - HALF_LAT],
    ]


def _to_rd(geometry: dict) -> dict:
    return map_coordinates(geometry, wgs84_to_rd)


def outlines_wgs84() -> dict[tuple[str, str], list]:
    stand_in = json.loads((REFERENCE_DIR / "boundaries-simplified.geojson").read_text())
    outlines = {
        (f["properties"]["statcode"], f["properties"]["statnaam"]): f["geometry"]["coordinates"][0]
        for f in stand_in["features"]
    }
    return outlines | OTHER_OUTLINES


def write_areas(path: Path = AREAS_FILE) -> None:
    outlines = outlines_wgs84()
    shapes = {
        code: PreparedShape({"type": "Polygon", "coordinates": [ring]})
        for (code, _name), ring in outlines.items()
    }
    for name, (code, lon, lat) in KERNEN.items():
        for corner in _square(lon, lat):
            assert shapes[code].contains(*corner), f"kern {name} crosses its outline"
    path.unlink(missing_ok=True)
    gpkg.write_layer(
        path,
        "gemeenten",
        {"gemeentecode": "TEXT", "gemeentenaam": "TEXT"},
        [
            (code, name, _to_rd({"type": "MultiPolygon", "coordinates": [[ring]]}))
            for (code, name), ring in outlines.items()
        ],
        geometry_type="MULTIPOLYGON",
        description=MADE_UP,
    )
    gpkg.write_layer(
        path,
        "kernen",
        {"kernnaam": "TEXT", "gemeentecode": "TEXT"},
        [
            (name, code, _to_rd({"type": "Polygon", "coordinates": [_square(lon, lat)]}))
            for name, (code, lon, lat) in KERNEN.items()
        ],
        geometry_type="POLYGON",
        description=MADE_UP,
    )


BAG_COLUMNS = {
    "identificatie": "TEXT",
    "openbare_ruimte_naam": "TEXT",
    "huisnummer": "INTEGER",
    "huisletter": "TEXT",
    "toevoeging": "TEXT",
    "postcode": "TEXT",
    "woonplaats_naam": "TEXT",
    "status": "TEXT",
    "gebruiksdoel": "TEXT",
}


def bag_row(bag_id, street, number, letter, addition, postcode, woonplaats, lon, lat):
    x, y = wgs84_to_rd(lon, lat)
    return (
        bag_id,
        street,
        number,
        letter or None,
        addition or None,
        postcode,
        woonplaats,
        "Verblijfsobject in gebruik",
        "woonfunctie",
        {"type": "Point", "coordinates": [round(x, 3), round(y, 3)]},
    )


def write_bag(path: Path = BAG_FILE, rows=None) -> int:
    path.unlink(missing_ok=True)
    return gpkg.write_layer(
        path,
        "verblijfsobject",
        BAG_COLUMNS,
        rows if rows is not None else (bag_row(*a) for a in ADDRESSES),
        geometry_type="POINT",
        description=MADE_UP,
    )


def write_all() -> None:
    write_areas()
    write_bag()
