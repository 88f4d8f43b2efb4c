"""Areas and distances against independent computations.

The reference area of a polygon is computed here without landtool: each edge is densified along
its geodesic (``Geod.npts``), the ring is projected to a Lambert azimuthal equal-area projection
centred on the polygon, and the planar shoelace area is taken. Equal-area projection + dense
geodesic edges agree with the exact geodesic area to far better than the 0.01 % required.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import CRS, Geod, Transformer

from landtool.geodesy import (
    area_ha,
    distance_m,
    distances_m,
    length_m,
    perimeter_m,
    utm_epsg,
)

WGS84 = Geod(ellps="WGS84")


def _dense_ring(coords, n=200):
    pts = []
    for (x1, y1), (x2, y2) in zip(coords[:-1], coords[1:], strict=True):
        pts.append((x1, y1))
        pts += WGS84.npts(x1, y1, x2, y2, n)
    pts.append(coords[-1])
    return np.array(pts)


def reference_area_ha(poly: shapely.Polygon) -> float:
    c = poly.centroid
    laea = CRS.from_proj4(f"+proj=laea +lat_0={c.y} +lon_0={c.x} +datum=WGS84 +units=m")
    to_laea = Transformer.from_crs(4326, laea, always_xy=True)

    def ring_area(coords):
        xy = _dense_ring(list(coords))
        x, y = to_laea.transform(xy[:, 0], xy[:, 1])
        return abs(0.5 * np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]))

    area = ring_area(poly.exterior.coords) - sum(ring_area(r.coords) for r in poly.interiors)
    return area / 10_000.0


# Mongolia spans about 87.7–119.9°E and 41.6–52.2°N.
PLACES = [
    (87.75, 48.9, "far west (Bayan-Ölgii)"),
    (95.0, 46.0, "Gobi-Altai"),
    (106.6, 48.8, "Mandal, Selenge"),
    (111.0, 43.0, "south Gobi"),
    (119.85, 47.3, "far east (Dornod)"),
    (100.0, 51.9, "north (Khövsgöl)"),
    (97.0, 41.7, "south border"),
]


def _asm_parcel(lon, lat):
    # an irregular ~4 ha parcel (≈ 250 m × 160 m) with an oblique edge
    d = 0.001
    return shapely.Polygon([(lon, lat), (lon + 3.3 * d, lat + 0.2 * d),
                            (lon + 3.1 * d, lat + 1.5 * d), (lon + 1.2 * d, lat + 1.9 * d),
                            (lon - 0.3 * d, lat + 1.2 * d)])


@pytest.mark.parametrize("lon,lat,where", PLACES)
def test_small_parcel_area_within_0_01_percent(lon, lat, where):
    poly = _asm_parcel(lon, lat)
    assert area_ha(poly) == pytest.approx(reference_area_ha(poly), rel=1e-4)


@pytest.mark.parametrize("lon,lat,where", PLACES)
def test_licence_sized_area_within_0_01_percent(lon, lat, where):
    # 0.3° × 0.2° (≈ 22 km × 22 km, ~50,000 ha): large exploration licence scale
    poly = shapely.Polygon([(lon, lat), (lon + 0.3, lat), (lon + 0.28, lat + 0.2),
                            (lon + 0.02, lat + 0.19)])
    assert area_ha(poly) == pytest.approx(reference_area_ha(poly), rel=1e-4)


def test_polygon_crossing_a_utm_zone_boundary():
    # 108°E is the boundary between UTM 48N (102–108) and 49N (108–114).
    poly = shapely.box(107.9, 48.5, 108.1, 48.6)
    assert utm_epsg(107.95, 48.5) == 32648 and utm_epsg(108.05, 48.5) == 32649
    assert area_ha(poly) == pytest.approx(reference_area_ha(poly), rel=1e-4)


def test_utm_zones_across_mongolia():
    # zone = floor((lon + 180) / 6) + 1: 87.7 -> 45, 119.9 -> 50
    assert [utm_epsg(lon, 47) for lon in (87.7, 90.1, 96.5, 102.1, 108.0, 119.9)] == [
        32645, 32646, 32647, 32648, 32649, 32650]


def test_hole_is_subtracted_whatever_the_ring_orientation():
    shell = [(106.0, 48.0), (106.02, 48.0), (106.02, 48.02), (106.0, 48.02)]
    hole = [(106.005, 48.005), (106.01, 48.005), (106.01, 48.01), (106.005, 48.01)]
    for s, h in ((shell, hole), (shell[::-1], hole[::-1]), (shell, hole[::-1])):
        poly = shapely.Polygon(s, [h])
        assert area_ha(poly) == pytest.approx(reference_area_ha(poly), rel=1e-4)


def test_multipolygon_area_is_sum_of_parts():
    a, b = _asm_parcel(106.6, 48.8), _asm_parcel(106.7, 48.8)
    assert area_ha(shapely.MultiPolygon([a, b])) == pytest.approx(
        reference_area_ha(a) + reference_area_ha(b), rel=1e-4)


def test_perimeter_and_length_match_geod_line_length():
    poly = _asm_parcel(106.6, 48.8)
    xy = list(poly.exterior.coords)
    edges = zip(xy[:-1], xy[1:], strict=True)
    expected = sum(WGS84.inv(x1, y1, x2, y2)[2] for (x1, y1), (x2, y2) in edges)
    assert perimeter_m(poly) == pytest.approx(expected, rel=1e-9)
    assert length_m(poly.exterior) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("lon,lat,where", PLACES)
def test_point_to_point_distance(lon, lat, where):
    a, b = shapely.Point(lon, lat), shapely.Point(lon + 0.004, lat + 0.0015)
    expected = WGS84.inv(lon, lat, lon + 0.004, lat + 0.0015)[2]
    assert distance_m(a, b) == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize("lon,lat,where", PLACES)
def test_polygon_to_stream_distance_within_0_1_percent(lon, lat, where):
    # A stream running roughly north-east, ~100-300 m from a parcel: the reference is the
    # minimum geodesic distance from every parcel vertex and densified parcel edge point to
    # densely sampled points along the stream.
    parcel = _asm_parcel(lon, lat)
    stream = shapely.LineString([(lon + 0.006, lat - 0.002), (lon + 0.0075, lat + 0.001),
                                 (lon + 0.007, lat + 0.004)])
    p = _dense_ring(list(parcel.exterior.coords), 100)
    s = np.vstack([np.array([c]) for c in [stream.coords[0]]]
                  + [np.array(WGS84.npts(*a, *b, 1000)) for a, b in
                     zip(stream.coords[:-1], stream.coords[1:], strict=True)])
    px, py = np.repeat(p[:, 0], len(s)), np.repeat(p[:, 1], len(s))
    sx, sy = np.tile(s[:, 0], len(p)), np.tile(s[:, 1], len(p))
    expected = WGS84.inv(px, py, sx, sy)[2].min()
    assert 50 < expected < 1000
    assert distance_m(parcel, stream) == pytest.approx(expected, rel=1e-3)


def test_distances_of_many_pairs_at_once():
    # pairs across Mongolia (several whole degrees, so several shared projections), the
    # same stream paired with many parcels, a touching pair and a point pair
    parcels, streams, expected = [], [], []
    for lon, lat, _ in PLACES:
        for k in range(3):
            parcel = _asm_parcel(lon + 0.3 * k, lat)
            stream = shapely.LineString([(lon + 0.006, lat - 0.002), (lon + 0.0075, lat + 0.001),
                                         (lon + 0.007, lat + 0.004)])
            parcels.append(parcel)
            streams.append(stream)
            expected.append(distance_m(parcel, stream))
    a, b = shapely.Point(106.9, 47.9), shapely.Point(106.904, 47.9015)
    parcels += [shapely.box(106, 48, 106.01, 48.01), a]
    streams += [shapely.Point(106.005, 48.005), b]
    expected += [0.0, WGS84.inv(106.9, 47.9, 106.904, 47.9015)[2]]  # Geod, the points alone
    got = distances_m(parcels, streams)
    # distance_m's own reference test above checks it against a densified Geod minimum
    assert got == pytest.approx(np.array(expected), abs=1e-3)
    assert got[-1] == pytest.approx(expected[-1], abs=1e-6)
    assert len(distances_m([], [])) == 0
    with pytest.raises(ValueError):
        distances_m([shapely.Point()], [a])


def test_overlapping_geometries_are_zero_apart():
    assert distance_m(shapely.box(106, 48, 106.01, 48.01), shapely.Point(106.005, 48.005)) == 0.0


def test_areas_of_nested_collections_count_every_polygon():
    # get_parts takes one level apart: a MultiPolygon inside a GeometryCollection (what an
    # intersection can return) must not count 0. Reference: each box's ring area from Geod.
    from landtool.geodesy import area_m2, areas_m2

    a, b, c = (shapely.box(106.60, 48.80, 106.61, 48.81), shapely.box(106.62, 48.80, 106.63, 48.81),
               shapely.box(106.64, 48.80, 106.65, 48.805))

    def ring_m2(box):
        x, y = box.exterior.xy
        return abs(WGS84.polygon_area_perimeter(list(x), list(y))[0])

    nested = shapely.GeometryCollection([shapely.MultiPolygon([a, b]),
                                         shapely.LineString([(106.6, 48.8), (106.7, 48.9)])])
    deeper = shapely.GeometryCollection([shapely.GeometryCollection([shapely.MultiPolygon([c])]),
                                         shapely.Point(106.6, 48.8)])
    got = areas_m2([nested, None, deeper, shapely.Point(1, 2), a])
    expected = [ring_m2(a) + ring_m2(b), 0.0, ring_m2(c), 0.0, ring_m2(a)]
    assert 1.6e6 < expected[0] < 1.7e6  # two boxes of about 733 m x 1112 m
    assert got == pytest.approx(expected, rel=1e-9)
    assert [area_m2(g) for g in (nested, deeper)] == pytest.approx(expected[::2][:2], rel=1e-9)

