"""A folder of XYZ tiles (``Z/X/Y.png`` or ``.jpg``, Web Mercator) as background imagery.

The tiles of the zoom level nearest the view's resolution (never finer than needed, at most
:data:`MAX_TILES` of them) are read with Pillow, laid side by side in EPSG:3857 and reprojected
onto the view; tiles read stay in a small cache so panning reads only the new ones. A folder
made by ``gdal2tiles`` without ``--xyz`` (TMS: rows counted from the south) is recognised by
its ``tilemapresource.xml``. A view that would need more than :data:`MAX_TILES` tiles of
the folder's coarsest level shows nothing of it (zoom in). The tile arithmetic is
:mod:`mercantile`'s.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from pathlib import Path

import mercantile
import numpy as np
from pyproj import CRS
from rasterio.transform import from_bounds as transform_from_bounds
from rasterio.warp import transform_bounds

from landtool.imagery import LONLAT, PACKED, Imagery, ImageryError, SourcePixels

SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
MAX_TILES = 128  # per view (a 1600 x 1000 view needs 36-144); beyond, a coarser level
_CACHE_TILES = 512
_WEB_MERCATOR = CRS.from_epsg(3857)
_CIRCUMFERENCE = 2 * math.pi * 6_378_137.0


class XyzImagery(Imagery):
    """Tiles under ``path``/Z/X/Y.suffix."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._levels: dict[int, str] = {}  # zoom -> suffix of its tiles
        for z_dir in sorted((p for p in path.iterdir() if p.is_dir() and p.name.isdigit()),
                            key=lambda p: int(p.name)):
            suffix = _first_tile_suffix(z_dir)
            if suffix is not None:
                self._levels[int(z_dir.name)] = suffix
        if not self._levels:
            raise ImageryError(
                "the folder holds no tiles (no Z/X/Y.png or .jpg inside)", path=path,
                hint="give the folder whose sub-folders are the zoom levels (0, 1, … 18), or a "
                "GeoTIFF or MBTiles file")
        self._tms = (path / "tilemapresource.xml").exists()
        self._cache: OrderedDict[tuple[int, int, int], np.ndarray | None] = OrderedDict()
        self._grids: dict[int, dict[int, list[int]]] = {}
        self._tile_px = self._read_tile_size()
        self.format = "XYZ tiles" + (" (TMS)" if self._tms else "")
        self.crs = _WEB_MERCATOR
        zmin, zmax = min(self._levels), max(self._levels)
        self.overviews = [2 ** (zmax - z) for z in sorted(self._levels, reverse=True)
                          if z != zmax]
        self.size = self._level_size(zmax)
        self.stretch = None
        self.synthetic = False
        self.description = ""
        west, south, east, north = self._level_bounds(zmin)
        self._bounds_3857 = transform_bounds(LONLAT, _WEB_MERCATOR, west, south, east, north)
        self.bounds_lonlat = (west, south, east, north)
        self._check_in_mongolia()

    # -- the folder -------------------------------------------------------------------------
    def _grid(self, z: int) -> dict[int, list[int]]:
        """Level ``z``'s columns that hold tiles, each with its rows (as named on disk): a
        column folder with no tile of the level's kind is left out."""
        grid = self._grids.get(z)
        if grid is None:
            suffix = self._levels[z]
            grid = {}
            for col in (self.path / str(z)).iterdir():
                if col.is_dir() and col.name.isdigit():
                    rows = sorted(int(p.stem) for p in col.iterdir()
                                  if p.suffix.lower() == suffix and p.stem.isdigit())
                    if rows:
                        grid[int(col.name)] = rows
            self._grids[z] = grid = dict(sorted(grid.items()))
        return grid

    def _xyz_row(self, z: int, y: int) -> int:
        return (2 ** z - 1 - y) if self._tms else y

    def _level_span(self, z: int) -> tuple[int, int, int, int]:
        """The first and last column and row (XYZ numbering) of level ``z``'s tiles."""
        grid = self._grid(z)
        ys = [self._xyz_row(z, y) for rows in grid.values() for y in rows]
        return min(grid), max(grid), min(ys), max(ys)

    def _level_bounds(self, z: int) -> tuple[float, float, float, float]:
        x0, x1, y0, y1 = self._level_span(z)
        nw, se = mercantile.bounds(x0, y0, z), mercantile.bounds(x1, y1, z)
        return nw.west, se.south, se.east, nw.north

    def _level_size(self, z: int) -> tuple[int, int]:
        x0, x1, y0, y1 = self._level_span(z)
        return (x1 - x0 + 1) * self._tile_px, (y1 - y0 + 1) * self._tile_px

    def _native_bounds(self):
        return self._bounds_3857

    def _read_tile_size(self) -> int:
        z = max(self._levels)
        x, rows = next(iter(self._grid(z).items()))
        y = rows[0]
        tile = self._load(z, x, self._xyz_row(z, y))
        if tile is None:
            raise ImageryError(f"the tile {z}/{x}/{y}{self._levels[z]} cannot be read",
                               path=self.path, hint="the tiles may be damaged: make them again")
        return tile.shape[1]

    def _load(self, z: int, x: int, y: int) -> np.ndarray | None:
        """Tile (z, x, y) (XYZ numbering) as packed RGBA words (rows, cols), None if absent."""
        key = (z, x, y)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        from PIL import Image, UnidentifiedImageError

        file = self.path / str(z) / str(x) / f"{self._xyz_row(z, y)}{self._levels[z]}"
        tile = None
        if file.exists():
            try:
                with Image.open(file) as im:
                    rgba = np.array(im.convert("RGBA"))
                rgba[rgba[..., 3] == 0] = 0  # transparent pixels all zero
                tile = rgba.view(PACKED).reshape(rgba.shape[:2])  # one RGBA word a pixel
            except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
                tile = None  # a damaged tile (or no tile: an enormous picture) is a gap
        self._cache[key] = tile
        if len(self._cache) > _CACHE_TILES:
            self._cache.popitem(last=False)
        return tile

    # -- drawing ----------------------------------------------------------------------------
    def _zoom_for(self, bounds_3857, width: int, height: int) -> int:
        metres_per_px = min((bounds_3857[2] - bounds_3857[0]) / width,
                            (bounds_3857[3] - bounds_3857[1]) / height)
        wanted = math.log2(_CIRCUMFERENCE / (self._tile_px * max(metres_per_px, 1e-3)))
        levels = sorted(self._levels)
        coarser = [z for z in levels if z <= math.ceil(wanted - 1e-9)]
        return coarser[-1] if coarser else levels[0]

    def _read(self, bounds, width, height, crs):
        merc = transform_bounds(crs, _WEB_MERCATOR, *bounds, densify_pts=21)
        lon = transform_bounds(_WEB_MERCATOR, LONLAT, *merc)
        z = self._zoom_for(merc, width, height)
        # only the part of the view the tiles cover
        iw, is_, ie, in_ = self.bounds_lonlat
        lon = (max(lon[0], iw), max(lon[1], is_), min(lon[2], ie), min(lon[3], in_))
        if lon[0] >= lon[2] or lon[1] >= lon[3]:
            return None
        levels = [lz for lz in sorted(self._levels) if lz <= z] or [min(self._levels)]
        for z in reversed(levels):  # the finest level needing at most MAX_TILES tiles
            if _tile_count(_clamp(lon), z) <= MAX_TILES:
                break
        else:
            return None  # too small a scale for the levels the folder has: nothing drawn
        tiles = list(mercantile.tiles(*_clamp(lon), z))
        if not tiles:
            return None
        xs = [t.x for t in tiles]
        ys = [t.y for t in tiles]
        x0, y0 = min(xs), min(ys)
        n = self._tile_px
        mosaic = np.zeros(((max(ys) - y0 + 1) * n, (max(xs) - x0 + 1) * n), dtype=PACKED)
        for t in tiles:
            tile = self._load(t.z, t.x, t.y)
            if tile is None or tile.shape != (n, n):
                continue
            r, c = (t.y - y0) * n, (t.x - x0) * n
            mosaic[r:r + n, c:c + n] = tile
        nw = mercantile.xy_bounds(x0, y0, z)
        se = mercantile.xy_bounds(max(xs), max(ys), z)
        transform = transform_from_bounds(nw.left, se.bottom, se.right, nw.top,
                                          mosaic.shape[1], mosaic.shape[0])
        return SourcePixels(mosaic, transform, _WEB_MERCATOR)


def _tile_count(b, z: int) -> int:
    """How many tiles of level ``z`` cover the lon/lat box ``b`` (counted, not listed)."""
    nw = mercantile.tile(b[0], b[3], z)
    se = mercantile.tile(b[2], b[1], z)
    return (abs(se.x - nw.x) + 1) * (abs(se.y - nw.y) + 1)


def _clamp(b):
    w, s, e, n = b
    lim = 85.0511
    return max(-180.0, w), max(-lim, s), min(180.0, e), min(lim, n)


def _first_tile_suffix(z_dir: Path) -> str | None:
    for x_dir in z_dir.iterdir():
        if x_dir.is_dir() and x_dir.name.isdigit():
            for f in x_dir.iterdir():
                if f.suffix.lower() in SUFFIXES and f.stem.isdigit():
                    return f.suffix.lower()
    return None
