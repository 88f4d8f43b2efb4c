"""The sample workspace's background imagery: a SYNTHETIC 16-bit, 3-band GeoTIFF.

Not a real image. It looks like a summer scene of the sample area (a red, green and blue band
in surface-reflectance-like numbers, 0–10 000), made from the synthetic layers themselves:
fractal hills lit from the north-west, green steppe in the hollows and on north-facing slopes,
dry steppe and gravel on the ridges, larch on the wettest north slopes and in the forest layer,
wet meadow along the streams, a dark pond, and bright, pitted "disturbed ground" in the
rehabilitation parcels (spoil heaps and standing water where mining left it, smoother and
greener the further the parcel's rehabilitation has gone). 20 m pixels in UTM zone 48N
(EPSG:32648), tiled, with overviews, a few MB. Deterministic: the texture's random grids come
from numpy's PCG64 generator with a fixed seed; ``synthetic=true`` and a description say what
it is in the file's own tags.
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
#: red, green, blue of each surface (surface reflectance x 10 000, as a summer Sentinel-2 or
#: Landsat scene of the forest steppe has them)
_STEPPE = (620, 930, 470)  # green steppe, lower and north-facing ground
_DRY = (1380, 1080, 780)  # dry steppe, upper and south-facing ground
_GRAVEL = (1750, 1560, 1300)  # eroded ridge tops
_FOREST = (430, 720, 370)  # larch on north-facing slopes
_RIPARIAN = (430, 860, 400)  # willows and wet meadow along the streams
_WATER = (210, 330, 380)
_PIT_WATER = (380, 620, 640)  # turbid water left in mining pits
_BARE = {"disturbed": (2450, 2250, 1950), "technical_in_progress": (2250, 2080, 1800),
         "technical_done": (2000, 1900, 1620), "biological_done": (1350, 1400, 920),
         "accepted": (1000, 1120, 700)}
SEED = 2026  # the texture's random grids: numpy's PCG64 stream, the same on every run


def _noise(rng: np.random.Generator, shape: tuple[int, int], cell_px: float) -> np.ndarray:
    """A smooth random field (about 0..1) with features of ``cell_px`` pixels: a coarse grid
    of random values enlarged by bicubic interpolation (Pillow's, on a float image)."""
    from PIL import Image

    h, w = shape
    gh, gw = int(h / cell_px) + 3, int(w / cell_px) + 3
    coarse = Image.fromarray(rng.random((gh, gw), dtype=np.float32), mode="F")
    big = coarse.resize((int(gw * cell_px), int(gh * cell_px)), Image.Resampling.BICUBIC)
    return np.asarray(big, dtype=np.float32)[int(cell_px):int(cell_px) + h,
                                             int(cell_px):int(cell_px) + w]


def _fractal(rng, shape, cells_px, gain: float = 0.5) -> np.ndarray:
    out, amp, total = np.zeros(shape, np.float32), 1.0, 0.0
    for cell in cells_px:
        out += amp * _noise(rng, shape, cell)
        total += amp
        amp *= gain
    return out / total


def write_sample_imagery(path: str | Path, layers: dict[str, gpd.GeoDataFrame]) -> Path:
    """Write the synthetic background to ``path`` from the synthetic ``layers`` (catalog kind
    -> GeoDataFrame, as :func:`landtool.sample.synthetic_layers` returns them)."""
    xmin, ymin, xmax, ymax = BOUNDS
    width, height = int((xmax - xmin) / PIXEL), int((ymax - ymin) / PIXEL)
    west, north = xmin + ORIGIN[0], ymax + ORIGIN[1]
    transform = Affine(PIXEL, 0.0, west, 0.0, -PIXEL, north)
    shape = (height, width)
    rng = np.random.default_rng(SEED)
    # relief: fractal hills ~350 m high, lit from the north-west as imagery is seen
    elev = 350.0 * _fractal(rng, shape, [160, 80, 40, 20, 10, 5])
    dzdy, dzdx = np.gradient(elev, PIXEL)  # rows run south: dzdy is minus the northward slope
    slope = np.arctan(np.hypot(dzdx, dzdy))
    aspect = np.arctan2(-dzdx, dzdy)  # the downhill direction, from north, clockwise
    sun_az, sun_alt = np.radians(315.0), np.radians(40.0)
    lit = (np.sin(sun_alt) * np.cos(slope)
           + np.cos(sun_alt) * np.sin(slope) * np.cos(sun_az - aspect))
    shade = (0.86 + 0.2 * np.clip(lit, 0.0, 1.0)).astype(np.float32)
    # moisture: low ground and north-facing slopes are greener, with patches and tussocks
    north_facing = np.cos(aspect) * np.sin(slope) * 4.0
    low = 1.0 - (elev - elev.min()) / np.ptp(elev)
    moist = (0.55 * low + 0.35 * north_facing + 0.35 * (_fractal(rng, shape, [30, 12, 4]) - 0.5)
             + 0.25).astype(np.float32)
    dry = np.clip(1.0 - moist, 0.0, 1.0)
    gravel = 0.7 * np.clip((dry - 0.66) / 0.25, 0.0, 1.0)
    wood = np.clip((moist - 0.66) / 0.1, 0.0, 1.0) * np.clip(north_facing * 4.0, 0.0, 1.0)
    grain = 1.0 + 0.05 * (rng.random(shape, dtype=np.float32) - 0.5)  # fields, tussocks, noise
    rgb = np.empty((3, height, width), dtype=np.float32)
    for b in range(3):
        base = _STEPPE[b] + dry * (_DRY[b] - _STEPPE[b])
        base += gravel * (_GRAVEL[b] - base) + wood * (_FOREST[b] - base)
        rgb[b] = base * shade * grain
    utm = {k: g.to_crs(UTM_CRS) for k, g in layers.items() if len(g)}

    def mask_of(geoms) -> np.ndarray | None:
        shapes = [(g, 1) for g in geoms if g is not None and not g.is_empty]
        if not shapes:
            return None
        return rasterize(shapes, out_shape=shape, transform=transform,
                         dtype="uint8").astype(bool)

    def paint(geoms, colour, texture: np.ndarray | float = 1.0, blend: float = 1.0) -> None:
        mask = mask_of(geoms)
        if mask is None:
            return
        for b in range(3):
            layer = colour[b] * shade * grain * texture
            rgb[b][mask] = (1 - blend) * rgb[b][mask] + blend * layer[mask]

    if "forest" in utm:
        crowns = 0.85 + 0.3 * _noise(rng, shape, 2.0)  # tree crowns and their shadows
        paint(utm["forest"].geometry, _FOREST, crowns)
    if "water_lines" in utm:
        lines = utm["water_lines"].geometry
        paint(lines.buffer(110.0), _RIPARIAN, blend=0.35)  # wet meadow
        paint(lines.buffer(45.0), _RIPARIAN, 0.9 + 0.2 * _noise(rng, shape, 1.5), blend=0.8)
        paint(lines.buffer(8.0), _WATER, blend=0.6)  # the channel, under a pixel wide
    if "water_areas" in utm:
        paint(utm["water_areas"].geometry, _WATER)
    if "rehab_parcels" in utm:
        parcels = utm["rehab_parcels"]
        heaps = 0.75 + 0.5 * _fractal(rng, shape, [3, 1.5])  # spoil heaps and pits
        for status, colour in _BARE.items():
            paint(parcels.geometry[parcels["status"] == status], colour,
                  heaps if status in ("disturbed", "technical_in_progress") else
                  0.9 + 0.2 * _noise(rng, shape, 2.0))
        # water standing in the deepest pits of the land still disturbed
        open_pits = parcels.geometry[parcels["status"] == "disturbed"]
        pits = mask_of(open_pits)
        if pits is not None:
            ponds = pits & (_noise(rng, shape, 4.0) > 0.78)
            for b in range(3):
                rgb[b][ponds] = _PIT_WATER[b] * shade[ponds]
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
