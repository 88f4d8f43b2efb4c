"""The map view: where the canvas looks and at what zoom, and the screen <-> lon/lat transform.

The projection is a simple equirectangular one: x grows with longitude scaled by the cosine of
a fixed reference latitude (the middle of the workspace), y with latitude, so shapes at that
latitude keep their proportions. It is for display only; every measurement is made by
``landtool`` in a proper projection.

Examples
--------
>>> v = MapView(center_lon=106.0, center_lat=48.0, px_per_deg=100.0, ref_lat=48.0,
...             width=800, height=600)
>>> v.to_screen(106.0, 48.0)
(400.0, 300.0)
>>> lon, lat = v.to_lonlat(*v.to_screen(107.0, 47.5)); round(lon, 9), round(lat, 9)
(107.0, 47.5)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

#: metres per degree of latitude on a sphere of the mean Earth radius (display scale only)
METRES_PER_DEGREE = 6_371_008.8 * math.pi / 180
METRES_PER_INCH = 0.0254
MIN_PX_PER_DEG = 2.0  # about the whole world on a screen
MAX_PX_PER_DEG = 2_000_000.0  # about 5 cm per pixel


@dataclass(frozen=True)
class MapView:
    """An immutable view; the canvas replaces it on every pan or zoom."""

    center_lon: float
    center_lat: float
    px_per_deg: float  # pixels per degree of latitude
    ref_lat: float  # the latitude whose cosine scales longitudes
    width: int
    height: int

    @property
    def x_scale(self) -> float:
        """Pixels per degree of longitude."""
        return self.px_per_deg * math.cos(math.radians(self.ref_lat))

    def to_screen(self, lon: float, lat: float) -> tuple[float, float]:
        return (self.width / 2 + (lon - self.center_lon) * self.x_scale,
                self.height / 2 - (lat - self.center_lat) * self.px_per_deg)

    def to_lonlat(self, x: float, y: float) -> tuple[float, float]:
        return (self.center_lon + (x - self.width / 2) / self.x_scale,
                self.center_lat - (y - self.height / 2) / self.px_per_deg)

    def bounds(self) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat) of the visible area."""
        west, north = self.to_lonlat(0, 0)
        east, south = self.to_lonlat(self.width, self.height)
        return west, south, east, north

    def scale_denominator(self, dpi: float) -> float:
        """N of the map scale 1:N at the centre, for a screen of ``dpi`` dots per inch."""
        metres_per_px = METRES_PER_DEGREE / self.px_per_deg
        return metres_per_px / (METRES_PER_INCH / dpi)

    # -- derived views --------------------------------------------------------------------
    def resized(self, width: int, height: int) -> MapView:
        return replace(self, width=max(1, width), height=max(1, height))

    def panned(self, dx: float, dy: float) -> MapView:
        """The view after dragging the map by (dx, dy) pixels."""
        return replace(self, center_lon=self.center_lon - dx / self.x_scale,
                       center_lat=self.center_lat + dy / self.px_per_deg)

    def zoomed(self, factor: float, x: float, y: float) -> MapView:
        """The view zoomed by ``factor`` keeping the point under screen (x, y) in place."""
        ppd = min(MAX_PX_PER_DEG, max(MIN_PX_PER_DEG, self.px_per_deg * factor))
        lon, lat = self.to_lonlat(x, y)
        moved = replace(self, px_per_deg=ppd)
        # put (lon, lat) back under (x, y)
        return replace(moved,
                       center_lon=lon - (x - self.width / 2) / moved.x_scale,
                       center_lat=lat + (y - self.height / 2) / moved.px_per_deg)

    def fitted(self, bbox: tuple[float, float, float, float], margin: float = 0.04) -> MapView:
        """The view showing ``bbox`` (min lon, min lat, max lon, max lat) whole, centred."""
        west, south, east, north = bbox
        cos_ref = math.cos(math.radians(self.ref_lat))
        span_x = max((east - west) * cos_ref, 1e-6)
        span_y = max(north - south, 1e-6)
        usable = 1 - 2 * margin
        ppd = min(self.width * usable / span_x, self.height * usable / span_y)
        ppd = min(MAX_PX_PER_DEG, max(MIN_PX_PER_DEG, ppd))
        return replace(self, center_lon=(west + east) / 2, center_lat=(south + north) / 2,
                       px_per_deg=ppd)

    @classmethod
    def for_bounds(cls, bbox: tuple[float, float, float, float], width: int,
                   height: int) -> MapView:
        """A view of ``bbox`` whose reference latitude is the middle of ``bbox``."""
        ref = (bbox[1] + bbox[3]) / 2
        return cls(0.0, ref, 1.0, ref, max(1, width), max(1, height)).fitted(bbox)
