"""Municipal boundaries: GeoJSON import and point-in-polygon, in plain Python.

Boundaries are data: `manage.py import_boundaries FILE` reads a GeoJSON FeatureCollection in
WGS84 (longitude, latitude), e.g. CBS' gebiedsindeling exported as GeoJSON, and matches each
feature to a municipality by its CBS code in the property `statcode` (or `code`, `cbs_code`).
"""

import json
from pathlib import Path

from django.db import transaction

from noaber.accounts.models import Municipality
from noaber.audit.actions import record
from noaber.audit.models import Action

from .models import Boundary

CODE_PROPERTIES = ("statcode", "code", "cbs_code")


class BoundaryError(ValueError):
    pass


def _in_ring(lon: float, lat: float, ring) -> bool:
    """Ray casting: does a ray east from the point cross the ring an odd number of times?"""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _in_polygon(lon, lat, rings) -> bool:
    # The first ring is the outline; the others are holes (an enclave of another municipality).
    return _in_ring(lon, lat, rings[0]) and not any(_in_ring(lon, lat, r) for r in rings[1:])


def contains(geometry: dict, lon: float, lat: float) -> bool:
    if geometry["type"] == "Polygon":
        return _in_polygon(lon, lat, geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return any(_in_polygon(lon, lat, p) for p in geometry["coordinates"])
    raise BoundaryError(f"unsupported geometry type {geometry['type']!r}")


def _check_geometry(geometry) -> None:
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise BoundaryError("geometry must be a Polygon or MultiPolygon")
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    for polygon in polygons:
        for ring in polygon:
            if len(ring) < 4:
                raise BoundaryError("a ring needs at least four positions")
            for lon, lat, *_ in ring:
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    raise BoundaryError("coordinates must be WGS84 longitude, latitude")


@transaction.atomic
def import_boundaries(path: Path, source: str = "") -> list[str]:
    """Import every feature whose code names a known municipality; all or nothing."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BoundaryError(f"cannot read {path}: {error}") from error
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise BoundaryError("expected a GeoJSON FeatureCollection")
    imported = []
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        code = next((str(props[k]).strip() for k in CODE_PROPERTIES if props.get(k)), "")
        municipality = Municipality.objects.filter(cbs_code=code).first()
        if municipality is None:
            continue
        try:
            _check_geometry(feature.get("geometry"))
        except (BoundaryError, TypeError, ValueError, KeyError) as error:
            raise BoundaryError(f"feature {number} ({code}): {error}") from error
        Boundary.objects.update_or_create(
            municipality=municipality,
            defaults={"geometry": feature["geometry"], "source": source or Path(path).name},
        )
        imported.append(code)
    if imported:
        record(
            Action.UPDATE,
            origin="system",
            object_type="boundary",
            object_id=",".join(imported),
            detail={"source": source or Path(path).name},
        )
    return imported


def map_features(municipality) -> dict:
    """The municipality's outline and its areas as a GeoJSON FeatureCollection, for the maps:
    the public form's point picker and the staff map. Only Noaber's own boundary data, never
    anything about reports. An area without geometry (e.g. the buitengebied: what lies inside
    the outline outside every kern) is named on the outline's feature."""
    features = []
    areas = list(municipality.areas.all())
    outline = getattr(municipality, "boundary", None)
    rural = [a for a in areas if not _area_geometry(a)]
    if outline is not None:
        features.append({
            "type": "Feature",
            "geometry": outline.geometry,
            "properties": {"kind": "gemeente", "name": municipality.name,
                           "area": rural[0].pk if len(rural) == 1 else None},
        })  # fmt: skip
    for area in areas:
        geometry = _area_geometry(area)
        if geometry:
            features.append({
                "type": "Feature",
                "geometry": geometry,
                "properties": {"kind": area.kind, "name": area.name, "area": area.pk},
            })  # fmt: skip
    return {"type": "FeatureCollection", "features": features}


def _area_geometry(area):
    return getattr(area, "geometry", None)
