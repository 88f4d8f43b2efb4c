"""Geometry validity: repair with ``make_valid`` and report every repair by feature id.

A geometry valid in lon/lat can become invalid once projected (licence MV-00017425 in the sample
data has a nearly collinear edge that folds back on itself in UTM), so :func:`project` repairs
after reprojecting too. Repairs keep the geometry's own family: polygons stay polygonal, and
parts that collapse to lines or points are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

from landtool.catalog import GeometryKind

_FAMILY_TYPES = {
    GeometryKind.POLYGON: {"Polygon", "MultiPolygon"},
    GeometryKind.LINE: {"LineString", "MultiLineString", "LinearRing"},
    GeometryKind.POINT: {"Point", "MultiPoint"},
}


@dataclass(frozen=True)
class Problem:
    """Something found while loading or checking a layer, reported to the user."""

    feature: str | None
    what: str  # "repaired", "dropped", "outside", "warning", "note"
    message: str

    def __str__(self) -> str:
        where = f"feature {self.feature}: " if self.feature is not None else ""
        return f"[{self.what}] {where}{self.message}"


def _leaves(geom) -> list:
    """The single-part geometries inside ``geom``, however deeply collections are nested."""
    parts = shapely.get_parts(geom)
    while any(p.geom_type.startswith("Multi") or p.geom_type == "GeometryCollection"
              for p in parts):
        parts = shapely.get_parts(parts)
    return [p for p in parts if not p.is_empty]


def polygonal(geom):
    """The polygonal parts of any geometry as one Polygon or MultiPolygon; None if none.

    A Polygon or MultiPolygon is returned as it is. From anything else (typically the
    GeometryCollection that ``make_valid``, an intersection or a difference returns) the
    polygons are taken, however deeply nested, and merged with ``union_all``; lines and
    points are left out.

    Examples
    --------
    >>> g = shapely.GeometryCollection([shapely.LineString([(0, 0), (1, 1)]),
    ...                                 shapely.MultiPolygon([shapely.box(0, 0, 1, 1)])])
    >>> polygonal(g).wkt
    'POLYGON ((1 0, 1 1, 0 1, 0 0, 1 0))'
    >>> polygonal(shapely.Point(0, 0)) is None
    True
    """
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in _leaves(geom) if p.geom_type == "Polygon"]
    if not parts:
        return None
    merged = parts[0] if len(parts) == 1 else shapely.union_all(parts)
    if merged.geom_type not in ("Polygon", "MultiPolygon"):  # never expected; kept polygonal
        merged = shapely.MultiPolygon([p for p in _leaves(merged) if p.geom_type == "Polygon"])
    return merged


def _extract(geom, family: GeometryKind):
    """The parts of ``geom`` of the family, merged into one geometry (or None)."""
    wanted = _FAMILY_TYPES[family]
    if geom.geom_type in wanted:
        return geom
    if family is GeometryKind.POLYGON:
        return polygonal(geom)
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in wanted]
    if not parts:
        return None
    if family is GeometryKind.LINE:
        return shapely.MultiLineString([p for q in parts for p in shapely.get_parts(q)])
    return shapely.MultiPoint([p for q in parts for p in shapely.get_parts(q)])


def repair(
    geoms: gpd.GeoSeries, ids, family: GeometryKind, *, stage: str = ""
) -> tuple[gpd.GeoSeries, list[Problem]]:
    """Repair invalid geometries with ``make_valid``, keeping the family; report each by id.

    Returns the repaired series (same index; a geometry with nothing left becomes None) and
    one :class:`Problem` per repaired or emptied feature.
    """
    values = geoms.values
    invalid = ~shapely.is_valid(values) & ~shapely.is_missing(values)
    problems: list[Problem] = []
    if not invalid.any():
        return geoms, problems
    out = np.array(values, dtype=object)
    suffix = f" {stage}" if stage else ""
    for i in np.flatnonzero(invalid):
        geom = values[i]
        reason = shapely.is_valid_reason(geom)
        fixed = _extract(shapely.make_valid(geom), family)
        fid = str(ids[i])
        if fixed is None or fixed.is_empty:
            out[i] = None
            problems.append(Problem(fid, "dropped", f"invalid{suffix} ({reason}); nothing "
                                    "usable was left after repair, so it was left out"))
        else:
            out[i] = fixed
            problems.append(Problem(fid, "repaired", f"invalid{suffix} ({reason}); repaired "
                                    "with make_valid"))
    return gpd.GeoSeries(out, index=geoms.index, crs=geoms.crs), problems


def family_mismatch(geoms: gpd.GeoSeries, family: GeometryKind) -> np.ndarray:
    """Boolean mask of geometries that are not of the family (missing ones excluded)."""
    types = geoms.geom_type.to_numpy()
    present = ~shapely.is_missing(geoms.values)
    return present & ~np.isin(types, list(_FAMILY_TYPES[family]))


def project(
    gdf: gpd.GeoDataFrame, crs, family: GeometryKind, ids=None
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Reproject ``gdf`` to ``crs`` and repair what the projection made invalid."""
    out = gdf.to_crs(crs)
    ids = ids if ids is not None else [str(i) for i in gdf.index]
    fixed, problems = repair(out.geometry, list(ids), family, stage=f"after projection to {crs}")
    if problems:
        out = out.set_geometry(fixed)
    return out, problems


#: What :func:`invalid_when_projected` finds, as reported by loading and ``workspace info``.
PROJECTED_NOTE = ("valid in degrees, but invalid once projected to a metric CRS (as in a GIS); "
                  "landtool repairs it after every projection it makes")


@lru_cache(maxsize=8)
def _from_lonlat(crs) -> Transformer:
    return Transformer.from_crs(4326, crs, always_xy=True)


def invalid_when_projected(geoms, crs) -> np.ndarray:
    """Mask of the lon/lat (EPSG:4326) geometries that are valid but become invalid in ``crs``.

    Only polygons can: a projection maps distinct points to distinct points, so lines and
    points keep their validity, and they are not projected at all. The polygons are projected
    with one vectorised coordinate transformation and tested with ``is_valid``; nothing is
    repaired, so this costs about one ``to_crs`` of the polygons.
    """
    values = np.asarray(geoms, dtype=object)
    out = np.zeros(len(values), dtype=bool)
    candidates = np.isin(shapely.get_type_id(values), (3, 6)) & shapely.is_valid(values)
    if not candidates.any():
        return out
    transformer = _from_lonlat(CRS.from_user_input(crs))
    projected = shapely.transform(
        values[candidates],
        lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
    out[candidates] = ~shapely.is_valid(projected)
    return out


def to_multi(geoms: gpd.GeoSeries, family: GeometryKind) -> gpd.GeoSeries:
    """Promote to one geometry type per layer: MultiPolygon, MultiLineString, or Point (or
    MultiPoint, when the layer has any). Missing geometries stay missing."""
    values = np.asarray(geoms.values, dtype=object)
    types = shapely.get_type_id(values)
    if family is GeometryKind.POINT:
        if not (types == 4).any():
            return geoms
        single, make = types == 0, shapely.multipoints
    elif family is GeometryKind.POLYGON:
        single, make = types == 3, shapely.multipolygons
    else:
        single, make = types == 1, shapely.multilinestrings
    if not single.any():
        return geoms
    out = values.copy()
    # one part per new geometry: part k goes into geometry k
    out[single] = make(values[single], indices=np.arange(int(single.sum())))
    return gpd.GeoSeries(out, index=geoms.index, crs=geoms.crs, name=geoms.name)
