"""The sample workspace's background imagery: a SYNTHETIC 16-bit, 3-band GeoTIFF.

Not a real image. It looks like a summer scene of the sample area (a red, green and blue band
in surface-reflectance-like numbers, 0–10 000), made from the synthetic layers themselves:
greenish-brown steppe shaded by smooth hills, dark forest, riparian strips along the streams,
a dark pond, and bright, pitted "disturbed ground" in the rehabilitation parcels (bare soil
where mining left it, greener the further the parcel's rehabilitation has gone). 20 m pixels in
UTM zone 48N (EPSG:32648), tiled, with overviews, about 2 MB. Deterministic: the texture is sums
of sines, no random numbers; ``synthetic=true`` and a description say what it is in the
file's own tags.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
from rasterio.enums import Resampling
from rasterio.features import rasterize
from rasterio.transform import Affine

from landtool.sample import ORIGIN, UTM_CRS

PIXEL = 20.0
#: xmin, ymin, xmax, ymax offsets from the sample's origin (m): the synthetic layers and more
BOUNDS = (-8_000.0, -7_000.0, 14_000.0, 9_000.0)
DESCRIPTION = ("SYNTHETIC imagery of the sample area, made by landtool/sample_imagery.py from "
               "the synthetic layers (not a real image): red, green, blue, 0-10000")
#: red, green, blue of each surface (reflectance x 10 000)
_STEPPE = (950, 1250, 700)
_DRY = (1650, 1580, 1000)
_GRAVEL = (2350, 2200, 1900)
_FOREST = (420, 640, 380)
_RIPARIAN = (640, 900, 520)
_WATER = (260, 380, 520)
_BARE = {"disturbed": (2300, 2100, 1800), "technical_in_progress": (2150, 1980, 1700),
         "technical_done": (1950, 1850, 1550), "biological_done": (1300, 1450, 900),
         "accepted": (1050, 1300, 760)}


def _waves(x: np.ndarray, y: np.ndarray, terms) -> np.ndarray:
    out = np.zeros(np.broadcast_shapes(x.shape, y.shape), dtype=np.float32)
    for amp, kx, ky, phase in terms:
        out += amp * np.sin(kx * x + ky * y + phase)
    return out


def write_sample_imagery(path: str | Path, layers: dict[str, gpd.GeoDataFrame]) -> Path:
    """Write the synthetic background to ``path`` from the synthetic ``layers`` (catalog kind
    -> GeoDataFrame, as :func:`landtool.sample.synthetic_layers` returns them)."""
    xmin, ymin, xmax, ymax = BOUNDS
    width, height = int((xmax - xmin) / PIXEL), int((ymax - ymin) / PIXEL)
    west, north = xmin + ORIGIN[0], ymax + ORIGIN[1]
    transform = Affine(PIXEL, 0.0, west, 0.0, -PIXEL, north)
    x = (np.arange(width, dtype=np.float32) + 0.5) * PIXEL + xmin
    y = ymax - (np.arange(height, dtype=np.float32) + 0.5) * PIXEL
    gx, gy = x[None, :], y[:, None]
    # hills: a smooth brightness; a mix of green and dry steppe; a fine grain of tussocks
    shade = 1.0 + _waves(gx, gy, [(0.06, 2.1e-4, 1.3e-4, 0.3), (0.04, -1.1e-4, 3.3e-4, 1.9)])
    shade += _waves(gx, gy, [(0.009, 0.043, 0.017, 0.0), (0.008, -0.029, 0.052, 1.1),
                             (0.006, 0.061, -0.047, 2.3)])
    dry = _waves(gx, gy, [(1.0, 3.7e-4, 1.9e-4, 0.5), (0.8, -2.3e-4, 4.9e-4, 2.9),
                          (0.6, 1.9e-3, 1.1e-3, 1.3), (0.5, -1.3e-3, 2.3e-3, 0.2),
                          (0.3, 4.1e-3, -2.9e-3, 2.2)])
    dry = 1.0 / (1.0 + np.exp(-1.6 * (dry - 0.3)))  # 0 green .. 1 dry
    # the driest hill tops are eroded to gravel, the wettest hollows wooded
    bare = 1.0 / (1.0 + np.exp(-14.0 * (dry - 0.97)))
    wood = np.clip((0.05 - dry) / 0.05, 0.0, 1.0)
    rgb = np.empty((3, height, width), dtype=np.float32)
    for b in range(3):
        base = _STEPPE[b] + dry * (_DRY[b] - _STEPPE[b])
        base += bare * (_GRAVEL[b] - base) + wood * (_FOREST[b] - base)
        rgb[b] = base * shade
    utm = {k: g.to_crs(UTM_CRS) for k, g in layers.items() if len(g)}

    def paint(geoms, colour, texture: np.ndarray | float = 1.0) -> None:
        shapes = [(g, 1) for g in geoms if g is not None and not g.is_empty]
        if not shapes:
            return
        mask = rasterize(shapes, out_shape=(height, width), transform=transform,
                         dtype="uint8").astype(bool)
        for b in range(3):
            layer = colour[b] * (shade * texture if np.ndim(texture) else shade)
            rgb[b][mask] = layer[mask]

    if "forest" in utm:
        paint(utm["forest"].geometry, _FOREST)
    if "water_lines" in utm:
        paint(utm["water_lines"].geometry.buffer(45.0), _RIPARIAN)
    if "water_areas" in utm:
        paint(utm["water_areas"].geometry, _WATER)
    if "rehab_parcels" in utm:
        pits = 0.82 + _waves(gx, gy, [(0.10, 0.071, 0.023, 0.0), (0.08, -0.031, 0.067, 0.4),
                                      (0.05, 0.049, 0.052, 2.0)])
        parcels = utm["rehab_parcels"]
        for status, colour in _BARE.items():
            paint(parcels.geometry[parcels["status"] == status], colour, pits)
    data = np.clip(np.rint(rgb), 0, 10_000).astype(np.uint16)
    path = Path(path)
    profile = {"driver": "GTiff", "width": width, "height": height, "count": 3,
               "dtype": "uint16", "crs": UTM_CRS, "transform": transform, "tiled": True,
               "blockxsize": 256, "blockysize": 256, "compress": "deflate", "zlevel": 3,
               "predictor": 2, "photometric": "RGB", "nodata": None}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)
        dst.build_overviews([2, 4, 8], Resampling.average)
        dst.update_tags(ns="rio_overview", resampling="average")
        dst.update_tags(synthetic="true", description=DESCRIPTION)
    return path
