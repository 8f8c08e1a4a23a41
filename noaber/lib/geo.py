"""Plain-Python geometry: RD New <-> WGS84, and point-in-polygon with a prefilter.

Coordinates are stored and drawn as GeoJSON-like lists in WGS84 (longitude, latitude). Dutch
sources (the BAG, CBS' maps) come in RD New (EPSG:28992); `rd_to_wgs84` converts them with the
published approximation of Schreutelkamp and Strang van Hees ("Benaderingsformules voor de
transformatie tussen RD- en WGS84-kaartcoördinaten", 2001), accurate to about a metre within
the Netherlands — enough to place an address in a village, not for surveying.
"""

from collections.abc import Iterable, Sequence

X0, Y0 = 155000.0, 463000.0
LAT0, LON0 = 52.15517440, 5.38720621

# (p, q, coefficient): sum of coefficient * dX**p * dY**q
_LAT_TERMS = (
    (0, 1, 3235.65389), (2, 0, -32.58297), (0, 2, -0.24750), (2, 1, -0.84978),
    (0, 3, -0.06550), (2, 2, -0.01709), (1, 0, -0.00738), (4, 0, 0.00530),
    (2, 3, -0.00039), (4, 1, 0.00033), (1, 1, -0.00012),
)  # fmt: skip
_LON_TERMS = (
    (1, 0, 5260.52916), (1, 1, 105.94684), (1, 2, 2.45656), (3, 0, -0.81885),
    (1, 3, 0.05594), (3, 1, -0.05607), (0, 1, 0.01199), (3, 2, -0.00256),
    (1, 4, 0.00128), (0, 2, 0.00022), (2, 0, -0.00022), (5, 0, 0.00026),
)  # fmt: skip
# (p, q, coefficient): sum of coefficient * dLat**p * dLon**q
_X_TERMS = (
    (0, 1, 190094.945), (1, 1, -11832.228), (2, 1, -114.221), (0, 3, -32.391),
    (1, 0, -0.705), (3, 1, -2.340), (1, 3, -0.608), (0, 2, -0.008), (2, 3, 0.148),
)  # fmt: skip
_Y_TERMS = (
    (1, 0, 309056.544), (0, 2, 3638.893), (2, 0, 73.077), (1, 2, -157.984),
    (3, 0, 59.788), (0, 1, 0.433), (2, 2, -6.439), (1, 1, -0.032), (0, 4, 0.092),
    (1, 4, -0.054),
)  # fmt: skip


def rd_to_wgs84(x: float, y: float) -> tuple[float, float]:
    """RD New (x, y in metres) -> (longitude, latitude) in WGS84 degrees."""
    dx, dy = (x - X0) * 1e-5, (y - Y0) * 1e-5
    lat = sum(c * dx**p * dy**q for p, q, c in _LAT_TERMS)
    lon = sum(c * dx**p * dy**q for p, q, c in _LON_TERMS)
    return LON0 + lon / 3600, LAT0 + lat / 3600


def wgs84_to_rd(lon: float, lat: float) -> tuple[float, float]:
    """(longitude, latitude) in WGS84 degrees -> RD New (x, y in metres)."""
    df, dl = 0.36 * (lat - LAT0), 0.36 * (lon - LON0)
    x = sum(c * df**p * dl**q for p, q, c in _X_TERMS)
    y = sum(c * df**p * dl**q for p, q, c in _Y_TERMS)
    return X0 + x, Y0 + y


def polygons_of(geometry: dict) -> list:
    """The polygons (each a list of rings) of a GeoJSON Polygon or MultiPolygon."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["coordinates"])
    raise ValueError(f"unsupported geometry type {geometry['type']!r}")


def map_coordinates(geometry: dict, convert) -> dict:
    """A copy of a (Multi)Polygon with every position passed through `convert(x, y)`."""
    polygons = [
        [[list(convert(pos[0], pos[1])) for pos in ring] for ring in polygon]
        for polygon in polygons_of(geometry)
    ]
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def bbox(geometry: dict) -> tuple[float, float, float, float]:
    """(min x, min y, max x, max y) of a (Multi)Polygon's outer rings."""
    xs, ys = [], []
    for polygon in polygons_of(geometry):
        for x, y, *_ in polygon[0]:
            xs.append(x)
            ys.append(y)
    return min(xs), min(ys), max(xs), max(ys)


class _Ring:
    """A ring's edges sorted into horizontal bands, so a ray cast tests only one band's edges."""

    BANDS = 64

    def __init__(self, ring: Sequence[Sequence[float]]):
        ys = [p[1] for p in ring]
        self.y0, y1 = min(ys), max(ys)
        self.height = (y1 - self.y0) / self.BANDS or 1.0
        self.bands: list[list[tuple[float, float, float, float]]] = [[] for _ in range(self.BANDS)]
        for i in range(len(ring) - 1):
            (xa, ya), (xb, yb) = ring[i][:2], ring[i + 1][:2]
            if ya == yb:
                continue  # a horizontal edge never crosses a horizontal ray
            first = self._band(min(ya, yb))
            last = self._band(max(ya, yb))
            for band in range(first, last + 1):
                self.bands[band].append((xa, ya, xb, yb))

    def _band(self, y: float) -> int:
        return min(self.BANDS - 1, max(0, int((y - self.y0) / self.height)))

    def contains(self, x: float, y: float) -> bool:
        inside = False
        for xa, ya, xb, yb in self.bands[self._band(y)]:
            if (ya > y) != (yb > y) and x < (xb - xa) * (y - ya) / (yb - ya) + xa:
                inside = not inside
        return inside


class PreparedShape:
    """A (Multi)Polygon ready for many point tests: bounding box first, then banded rings."""

    def __init__(self, geometry: dict, key=None):
        self.key = key
        self.min_x, self.min_y, self.max_x, self.max_y = bbox(geometry)
        self.polygons = [[_Ring(ring) for ring in polygon] for polygon in polygons_of(geometry)]

    def contains(self, x: float, y: float) -> bool:
        if not (self.min_x <= x <= self.max_x and self.min_y <= y <= self.max_y):
            return False
        # The first ring is the outline; the others are holes.
        return any(
            rings[0].contains(x, y) and not any(r.contains(x, y) for r in rings[1:])
            for rings in self.polygons
        )


def first_containing(shapes: Iterable[PreparedShape], x: float, y: float):
    """The key of the first shape that contains (x, y), or None."""
    for shape in shapes:
        if shape.contains(x, y):
            return shape.key
    return None
