"""Local metric frames for vectorized geometry work near each request.

Each request gets a frame centred on its centroid: x = (lon − lon0)·kx, y = (lat − lat0)·ky, with
kx and ky the WGS 84 metres per degree of longitude and latitude at that point. Within a few
kilometres of the centre, distances in the frame are true to about 1e-4; landtool uses the frame
only to find candidates, nearest points and buffers, and measures every distance it reports on
the ellipsoid (``Geod.inv`` between the nearest points) and every area with ``Geod``.
"""

from __future__ import annotations

import numpy as np
import shapely

from landtool.geodesy import GEOD

_A = 6378137.0
_E2 = 0.0066943799901413165
_DEG = np.pi / 180.0
#: Metres per degree of longitude at 52.5°N (the smallest in Mongolia), with a margin: a
#: distance in metres divided by it is a safe search radius in degrees anywhere in the country.
MIN_M_PER_DEG = 67_000.0


def metres_per_degree(lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(kx, ky): metres per degree of longitude and of latitude on WGS 84 at ``lat``."""
    s = np.sin(lat * _DEG)
    w = np.sqrt(1.0 - _E2 * s * s)
    n = _A / w
    m = _A * (1.0 - _E2) / w**3
    return n * np.cos(lat * _DEG) * _DEG, m * _DEG


class Frames:
    """One local frame per request (arrays indexed like the requests)."""

    def __init__(self, geoms: np.ndarray):
        c = shapely.centroid(geoms)
        self.lon0 = shapely.get_x(c)
        self.lat0 = shapely.get_y(c)
        self.kx, self.ky = metres_per_degree(self.lat0)

    def to_local(self, geoms: np.ndarray, which: np.ndarray) -> np.ndarray:
        """``geoms[k]`` expressed in the frame of request ``which[k]``."""
        return self._apply(geoms, which, inverse=False)

    def to_lonlat(self, geoms: np.ndarray, which: np.ndarray) -> np.ndarray:
        return self._apply(geoms, which, inverse=True)

    def _apply(self, geoms, which, inverse):
        geoms = np.asarray(geoms, dtype=object)
        if len(geoms) == 0:
            return geoms
        coords, idx = shapely.get_coordinates(geoms, return_index=True)
        w = np.asarray(which)[idx]
        if inverse:
            x = coords[:, 0] / self.kx[w] + self.lon0[w]
            y = coords[:, 1] / self.ky[w] + self.lat0[w]
        else:
            x = (coords[:, 0] - self.lon0[w]) * self.kx[w]
            y = (coords[:, 1] - self.lat0[w]) * self.ky[w]
        out = shapely.set_coordinates(geoms.copy(), np.column_stack([x, y]))
        if not inverse:  # a polygon valid in degrees can fold over once projected: repair it
            bad = ~shapely.is_valid(out) & (shapely.get_type_id(out) >= 3)
            if bad.any():
                out[bad] = shapely.make_valid(out[bad], method="structure", keep_collapsed=False)
        return out

    def geodesic_distance(self, a_local: np.ndarray, b_local: np.ndarray,
                          which: np.ndarray) -> np.ndarray:
        """Geodesic distances (m) between the nearest points of pairs given in local frames."""
        if len(a_local) == 0:
            return np.array([], dtype=float)
        lines = shapely.shortest_line(a_local, b_local)
        ends = shapely.get_coordinates(lines).reshape(-1, 2, 2)
        w = np.asarray(which)
        lon1 = ends[:, 0, 0] / self.kx[w] + self.lon0[w]
        lat1 = ends[:, 0, 1] / self.ky[w] + self.lat0[w]
        lon2 = ends[:, 1, 0] / self.kx[w] + self.lon0[w]
        lat2 = ends[:, 1, 1] / self.ky[w] + self.lat0[w]
        return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2], dtype=float)


def search_boxes(geoms: np.ndarray, distance_m: float) -> np.ndarray:
    """Boxes around each geometry, grown by ``distance_m`` (generously, in degrees)."""
    b = shapely.bounds(geoms)
    pad_y = distance_m / 110_000.0 * 1.2 + 1e-6
    pad_x = distance_m / MIN_M_PER_DEG * 1.2 + 1e-6
    return shapely.box(b[:, 0] - pad_x, b[:, 1] - pad_y, b[:, 2] + pad_x, b[:, 3] + pad_y)
