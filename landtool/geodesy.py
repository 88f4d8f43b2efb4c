"""Areas, lengths and distances on the WGS 84 ellipsoid, and the projections analysis uses.

Every figure here is geodesic: computed on the ellipsoid with pyproj's ``Geod`` (C. F. F. Karney's
algorithms, as in GeographicLib), not on a map projection. That is the reference every area shown
by landtool must match, and the reason figures here can differ from a planar area in QGIS.
Each public function documents its method; :data:`AREA_METHOD` and :data:`DISTANCE_METHOD` are
the sentences outputs print beside the numbers.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

GEOD = Geod(ellps="WGS84")

AREA_METHOD = "geodesic area on the WGS 84 ellipsoid (pyproj Geod, Karney 2013)"
AREA_METHOD_MN = "WGS 84 эллипсоид дээрх геодезийн талбай (pyproj Geod, Karney 2013)"
DISTANCE_METHOD = (
    "geodesic distance on the WGS 84 ellipsoid (pyproj Geod) between the nearest points of "
    "the two features"
)

#: Equal-area projection for national work (as used by the mongolmaps package).
MONGOLIA_ALBERS = CRS.from_proj4(
    "+proj=aea +lat_0=47 +lon_0=104 +lat_1=43.5 +lat_2=50.5 +datum=WGS84 +units=m +no_defs"
)


def _oriented(geom: BaseGeometry) -> BaseGeometry:
    # Geod.geometry_area_perimeter sums signed ring areas: exterior counter-clockwise (+),
    # holes clockwise (-). shapely.orient_polygons gives exactly that orientation.
    return shapely.orient_polygons(geom)


def area_m2(geom: BaseGeometry) -> float:
    """Geodesic area in m² of a lon/lat geometry (0 for points and lines).

    Examples
    --------
    >>> round(area_m2(shapely.box(106.0, 48.0, 106.01, 48.01)))  # about 746 m × 1112 m
    829682
    """
    if geom is None or geom.is_empty:
        return 0.0
    area, _ = GEOD.geometry_area_perimeter(_oriented(geom))
    return abs(area)


def area_ha(geom: BaseGeometry) -> float:
    """Geodesic area in hectares of a lon/lat geometry; see :data:`AREA_METHOD`."""
    return area_m2(geom) / 10_000.0


def perimeter_m(geom: BaseGeometry) -> float:
    """Geodesic perimeter in metres of a lon/lat polygon (rings of holes included)."""
    if geom is None or geom.is_empty:
        return 0.0
    return GEOD.geometry_area_perimeter(_oriented(geom))[1]


def length_m(geom: BaseGeometry) -> float:
    """Geodesic length in metres of a lon/lat line (the boundary length for a polygon)."""
    if geom is None or geom.is_empty:
        return 0.0
    return GEOD.geometry_length(geom)


_MULTI_TYPE_IDS = (4, 5, 6, 7)  # MultiPoint, MultiLineString, MultiPolygon, GeometryCollection


def areas_m2(geoms) -> np.ndarray:
    """Geodesic areas in m² of many lon/lat geometries (0 for missing, points and lines).

    The same computation as :func:`area_m2` (``Geod.polygon_area_perimeter`` on every ring:
    exteriors added, holes subtracted), with the rings extracted for all geometries at once;
    polygons nested in collections (a GeometryCollection holding a MultiPolygon) count too.
    """
    geoms = np.asarray(geoms, dtype=object)
    out = np.zeros(len(geoms))
    if len(geoms) == 0:
        return out
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    # get_parts takes one level apart: a GeometryCollection may still hold multi-part
    # geometries or collections, so take parts apart until none is left.
    while True:
        nested = np.isin(shapely.get_type_id(parts), _MULTI_TYPE_IDS)
        if not nested.any():
            break
        sub, sub_of = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], sub])
        part_of = np.concatenate([part_of[~nested], part_of[nested][sub_of]])
    polygonal = shapely.get_type_id(parts) == 3
    parts, part_of = parts[polygonal], part_of[polygonal]
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, coord_of = shapely.get_coordinates(rings, return_index=True)
    starts = np.searchsorted(coord_of, np.arange(len(rings) + 1))
    if len(rings) == 0:
        return out
    first_ring = np.r_[True, ring_of[1:] != ring_of[:-1]]
    lon, lat = np.ascontiguousarray(coords[:, 0]), np.ascontiguousarray(coords[:, 1])
    poly_area = _ring_area()
    signed = np.empty(len(rings))
    for k in range(len(rings)):
        signed[k] = abs(poly_area(lon[starts[k]:starts[k + 1]], lat[starts[k]:starts[k + 1]])[0])
    signed[~first_ring] *= -1.0
    np.add.at(out, part_of[ring_of], signed)
    return out


def _ring_area():
    """``Geod.polygon_area_perimeter`` for contiguous float64 arrays. The public method
    copies both arrays into new buffers on every call, which is most of its cost for a small
    ring; the method it calls takes the arrays as they are (and, in degrees, only reads
    them). Falls back to the public method should a pyproj release rename it."""
    direct = getattr(GEOD, "_polygon_area_perimeter", None)
    return direct if direct is not None else GEOD.polygon_area_perimeter


def areas_ha(geoms) -> np.ndarray:
    """Geodesic areas in hectares of an array-like of lon/lat geometries."""
    return areas_m2(geoms) / 10_000.0


def local_aeqd(lon: float, lat: float) -> CRS:
    """An azimuthal equidistant projection centred on (lon, lat): distances from the centre are
    true, and nearly so for a few tens of kilometres around it."""
    return CRS.from_proj4(f"+proj=aeqd +lat_0={lat:.8f} +lon_0={lon:.8f} +datum=WGS84 +units=m")


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the WGS 84 UTM zone containing (lon, lat): 32645–32650 across Mongolia."""
    zone = int(math.floor((lon + 180.0) / 6.0)) % 60 + 1
    return (32600 if lat >= 0 else 32700) + zone


def distance_m(a: BaseGeometry, b: BaseGeometry) -> float:
    """Geodesic distance in metres between the nearest points of two lon/lat geometries.

    The nearest points are found in an azimuthal equidistant projection centred between the two
    geometries, then the distance between them is measured on the ellipsoid with ``Geod.inv``.
    Zero when the geometries touch or overlap.
    """
    if a.is_empty or b.is_empty:
        raise ValueError("distance to an empty geometry")
    if a.intersects(b):
        return 0.0
    ca, cb = a.centroid, b.centroid
    fwd, inv = _aeqd_transformers(round((ca.x + cb.x) / 2.0, 2), round((ca.y + cb.y) / 2.0, 2))

    def project(geom):
        return shapely.transform(
            geom, lambda xy: np.column_stack(fwd.transform(xy[:, 0], xy[:, 1]))
        )

    pa, pb = nearest_points(project(a), project(b))
    (lon1, lat1), (lon2, lat2) = inv.transform(pa.x, pa.y), inv.transform(pb.x, pb.y)
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


def distances_m(a, b) -> np.ndarray:
    """:func:`distance_m` for every pair ``(a[i], b[i])`` of lon/lat geometries, at once.

    The same method: the nearest points are found in an azimuthal equidistant projection,
    then measured on the ellipsoid with ``Geod.inv``. The pairs share one projection per
    whole degree of their midpoint (one transformer, not one per pair: making a PROJ
    transformer takes ~10 ms); within that degree a distance from the projection's centre is
    true to better than 1 part in 10⁵, and the nearest points, found there, are measured on
    the ellipsoid anyway.
    """
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    if len(a) != len(b):
        raise ValueError("distances between pairs need as many geometries on each side")
    if len(a) and (shapely.is_empty(a).any() or shapely.is_empty(b).any()):
        raise ValueError("distance to an empty geometry")
    out = np.zeros(len(a))
    apart = ~shapely.intersects(a, b)
    if not apart.any():
        return out
    ca, cb = shapely.centroid(a), shapely.centroid(b)
    mx = np.round((shapely.get_x(ca) + shapely.get_x(cb)) / 2.0)
    my = np.round((shapely.get_y(ca) + shapely.get_y(cb)) / 2.0)
    cells = np.stack([mx, my], axis=1)
    for lon, lat in np.unique(cells[apart], axis=0):
        sel = np.flatnonzero(apart & (mx == lon) & (my == lat))
        fwd, inv = _aeqd_transformers(float(lon), float(lat))

        def project(geoms, t=fwd):
            return shapely.transform(geoms, lambda xy: np.column_stack(t.transform(xy[:, 0],
                                                                                   xy[:, 1])))

        # a geometry paired many times (the road nearest to many parcels) is projected once
        _, first, back = np.unique([id(g) for g in b[sel]], return_index=True,
                                   return_inverse=True)
        pb = project(b[sel][first])[back]
        ends = shapely.get_coordinates(shapely.shortest_line(project(a[sel]),
                                                             pb)).reshape(-1, 2, 2)
        lon1, lat1 = inv.transform(ends[:, 0, 0], ends[:, 0, 1])
        lon2, lat2 = inv.transform(ends[:, 1, 0], ends[:, 1, 1])
        out[sel] = GEOD.inv(lon1, lat1, lon2, lat2)[2]
    return out


@lru_cache(maxsize=256)
def _aeqd_transformers(lon: float, lat: float) -> tuple[Transformer, Transformer]:
    crs = local_aeqd(lon, lat)
    return (Transformer.from_crs(4326, crs, always_xy=True),
            Transformer.from_crs(crs, 4326, always_xy=True))
