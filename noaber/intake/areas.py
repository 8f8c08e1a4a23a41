"""Kern outlines and municipal outlines, imported from a GeoPackage (CBS-style layers).

Source: a GeoPackage with a layer of municipal outlines (by default `gemeenten`, columns
`gemeentecode` and `gemeentenaam`, as in CBS' wijk- en buurtkaart) and a layer of kernen
(by default `kernen`, columns `kernnaam` and `gemeentecode`). Geometry in RD New (EPSG:28992)
or WGS84 (EPSG:4326); stored as GeoJSON-like WGS84 (longitude, latitude). See docs/meldpunt.md.

Every outline in the file becomes an `Outline` (served or not: it names whom to contact);
served municipalities also get their `Boundary`. Kernen of served municipalities give their
`Area` row (matched by name, created when new) its geometry; area rows and their ids stay,
so reports that point to them keep working. The buitengebied has no polygon: a point in the
municipality that lies in no kern lies in the buitengebied.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from noaber.accounts.models import Municipality
from noaber.audit.actions import record
from noaber.audit.models import Action
from noaber.lib import gpkg
from noaber.lib.geo import PreparedShape, first_containing, map_coordinates, rd_to_wgs84

from .models import Area, Boundary, Outline

RD_NEW, WGS84 = 28992, 4326
RURAL_NAME = "Buitengebied"


class AreaImportError(ValueError):
    pass


@dataclass
class AreaImport:
    outlines: int = 0
    boundaries: list[str] = field(default_factory=list)
    kernen: int = 0
    created: list[str] = field(default_factory=list)


def to_wgs84(geometry: dict, srs_id: int) -> dict:
    if srs_id == WGS84:
        return geometry
    if srs_id == RD_NEW:
        return map_coordinates(geometry, rd_to_wgs84)
    raise AreaImportError(
        f"coördinatenstelsel EPSG:{srs_id} wordt niet ondersteund (alleen 28992 en 4326)"
    )


def _polygons(connection, layer: str, columns: list[str]):
    _column, srs_id, _names = gpkg.layer_info(connection, layer)
    if srs_id not in (RD_NEW, WGS84):
        raise AreaImportError(
            f"coördinatenstelsel EPSG:{srs_id} wordt niet ondersteund (alleen 28992 en 4326)"
        )
    for properties, geometry in gpkg.read_features(connection, layer, columns):
        if geometry is None or geometry["type"] not in ("Polygon", "MultiPolygon"):
            raise AreaImportError(f"laag {layer!r}: elk object moet een (multi)polygoon zijn")
        yield properties, to_wgs84(geometry, srs_id)


@transaction.atomic
def import_areas(
    path,
    *,
    municipalities_layer: str = "gemeenten",
    code_column: str = "gemeentecode",
    name_column: str = "gemeentenaam",
    kernen_layer: str = "kernen",
    kern_name_column: str = "kernnaam",
    kern_code_column: str = "gemeentecode",
    source: str = "",
) -> AreaImport:
    """All or nothing; running it again with the same file changes nothing."""
    source = source or Path(path).name
    result = AreaImport()
    try:
        connection = gpkg.open_geopackage(path)
    except gpkg.GeoPackageError as error:
        raise AreaImportError(str(error)) from error
    served = {m.cbs_code: m for m in Municipality.objects.all()}
    try:
        outlines = (
            _polygons(connection, municipalities_layer, [code_column, name_column])
            if municipalities_layer
            else ()
        )
        for properties, geometry in outlines:
            code = str(properties[code_column] or "").strip().upper()
            name = str(properties[name_column] or "").strip()
            if not code or not name:
                raise AreaImportError(f"laag {municipalities_layer!r}: code of naam ontbreekt")
            Outline.objects.update_or_create(
                cbs_code=code, defaults={"name": name, "geometry": geometry, "source": source}
            )
            result.outlines += 1
            if code in served:
                Boundary.objects.update_or_create(
                    municipality=served[code], defaults={"geometry": geometry, "source": source}
                )
                result.boundaries.append(code)
        if kernen_layer:
            for properties, geometry in _polygons(
                connection, kernen_layer, [kern_name_column, kern_code_column]
            ):
                municipality = served.get(str(properties[kern_code_column] or "").strip().upper())
                name = str(properties[kern_name_column] or "").strip()
                if municipality is None or not name:
                    continue
                area, created = Area.objects.get_or_create(
                    municipality=municipality, name=name, defaults={"kind": Area.Kind.KERN}
                )
                area.geometry, area.source = geometry, source
                area.save(update_fields=["geometry", "source"])
                result.kernen += 1
                if created:
                    result.created.append(f"{municipality.cbs_code}:{name}")
    except gpkg.GeoPackageError as error:
        raise AreaImportError(str(error)) from error
    finally:
        connection.close()
    if not result.boundaries and not result.kernen:
        raise AreaImportError("Geen gemeente in het bestand wordt hier bediend; niets geladen.")
    for code in {*result.boundaries, *(c.split(":")[0] for c in result.created)}:
        Area.objects.get_or_create(
            municipality=served[code], name=RURAL_NAME, defaults={"kind": Area.Kind.RURAL}
        )
    record(
        Action.UPDATE,
        origin="system",
        object_type="area_outlines",
        object_id=source[:100],
        detail={
            "outlines": result.outlines,
            "boundaries": result.boundaries,
            "kernen": result.kernen,
            "new_areas": len(result.created),
        },
    )
    return result


# --- Where a point lies ----------------------------------------------------------------------


def outline_shapes() -> list[PreparedShape]:
    """Every municipal outline, keyed by (CBS code, name)."""
    return [
        PreparedShape(geometry, key=(code, name))
        for code, name, geometry in Outline.objects.values_list("cbs_code", "name", "geometry")
    ]


def municipality_at(lon: float, lat: float) -> tuple[str, str] | None:
    """(CBS code, name) of the municipality whose outline holds the point, or None."""
    return first_containing(outline_shapes(), lon, lat)


def area_at(municipality, lon: float, lat: float) -> Area | None:
    """The kern whose outline holds the point, else the municipality's buitengebied."""
    areas = list(Area.objects.filter(municipality=municipality))
    shapes = [PreparedShape(a.geometry, key=a) for a in areas if a.geometry]
    found = first_containing(shapes, lon, lat)
    if found is not None:
        return found
    return next((a for a in areas if a.kind == Area.Kind.RURAL), None)
