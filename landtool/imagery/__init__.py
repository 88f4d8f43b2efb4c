"""Background imagery: any georeferenced raster the office has, drawn under the map.

:func:`open_imagery` opens a GeoTIFF or COG in any CRS (any raster GDAL reads, an MBTiles
file among them, through GDAL's MBTiles driver) or a folder of XYZ tiles (``Z/X/Y.png`` or
``.jpg``); :meth:`Imagery.render` draws the part under a map view (bounds in a CRS, pixels
across and down) as an RGBA array:

* only the window under the view is read, with ``out_shape`` near the view's resolution, so
  GDAL reads the overview that fits (a 2 GB scene is never read whole);
* it is reprojected on the fly to the view's CRS (:func:`rasterio.warp.reproject`, nearest
  neighbour: the pixels stay the scene's own);
* a scene that is not 8-bit (16-bit satellite bands, floats) is stretched per band between its
  2nd and 98th percentiles, computed once from a small reading of the overviews and stated in
  :meth:`Imagery.describe`;
* nodata, masks and alpha are transparent, and ``opacity`` scales what is left.

Nothing is fetched: a URL or a GDAL virtual file system path is refused, and rasterio's GDAL is
kept off the network (:mod:`landtool.io.offline`). Bad input (not a raster, corrupt, no CRS,
outside Mongolia, a folder without tiles) raises a :class:`~landtool.errors.LandtoolError`
naming the file and what to do.

Examples
--------
>>> img = open_imagery("ortho.tif")                                     # doctest: +SKIP
>>> rgba = img.render((106.5, 48.6, 106.7, 48.7), 800, 600)            # doctest: +SKIP
>>> rgba.shape                                                          # doctest: +SKIP
(600, 800, 4)
"""

from __future__ import annotations

import math
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
import shapely
from pyproj import CRS
from rasterio.enums import ColorInterp, MaskFlags, Resampling
from rasterio.errors import NotGeoreferencedWarning, RasterioError
from rasterio.transform import Affine
from rasterio.transform import from_bounds as transform_from_bounds
from rasterio.warp import reproject, transform_bounds
from rasterio.windows import Window
from rasterio.windows import from_bounds as window_from_bounds

from landtool.crs import crs_label, outside_mongolia
from landtool.errors import CRSError, LayerLoadError, OutsideMongoliaError
from landtool.io import offline

offline.install()  # rasterio's GDAL is a copy of its own: keep it off the network too

#: the percentiles of a contrast stretch
STRETCH_PERCENTILES = (2.0, 98.0)
#: the side of the tiles the app reads and keeps (of the overview that fits the view), and
#: how many it keeps (192 of 256 x 256 words: 48 MB)
SOURCE_TILE = 256
_TILES_KEPT = 192
#: the longest side of the reading the stretch's percentiles come from
STRETCH_SAMPLE_PX = 1024
LONLAT = CRS.from_epsg(4326)
#: a pixel as one little-endian word whose bytes are R, G, B, A (so QImage's RGBA8888 and a
#: (rows, cols, 4) uint8 view both read it as it is)
PACKED = np.dtype("<u4")

_ASSIGN_HINT = ("give the raster its CRS, e.g. in QGIS (Raster ▸ Projections ▸ Assign "
                "Projection) or `gdal_edit.py -a_srs EPSG:32648 FILE` (UTM zone 48N; Mongolia "
                "spans zones 45N–50N, EPSG:32645–32650), then add it again")


class ImageryError(LayerLoadError):
    """An imagery file or folder cannot be used as a background."""


@dataclass(frozen=True)
class Stretch:
    """A linear contrast stretch: band values ``low``..``high`` to 0..255."""

    low: tuple[float, ...]
    high: tuple[float, ...]
    percentiles: tuple[float, float]
    sample: tuple[int, int]  # the reading the percentiles come from (width, height)


@dataclass(frozen=True)
class SourcePixels:
    """Pixels read from the imagery, in its own CRS."""

    #: (rows, cols) little-endian words: bytes R, G, B, A; all zero where transparent
    packed: np.ndarray
    transform: Affine  # of the pixels read (a window, maybe of an overview)
    crs: CRS


class Imagery:
    """A background raster, open for rendering (see the module's docstring).

    Thread-safe: renders of one instance run one at a time (a GDAL dataset is not shared
    between threads).
    """

    #: a short name of the format ("GTiff", "MBTiles", "XYZ tiles", ...)
    format: str
    crs: CRS
    #: (west, south, east, north) in degrees
    bounds_lonlat: tuple[float, float, float, float]
    size: tuple[int, int]
    overviews: list[int]
    stretch: Stretch | None
    description: str
    synthetic: bool

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._luts: dict[int, np.ndarray] = {}  # band -> uint16 stretch lookup table
        self._extent_cache: dict[str, tuple[float, float, float, float] | None] = {}

    # -- what it is -----------------------------------------------------------------------
    def describe(self, lang: str = "en") -> str:
        """What the layer is, in a few lines: format, size, CRS, overviews, stretch."""
        T = _TEXT[lang if lang in _TEXT else "en"]
        w, h = self.size
        lines = [T["file"].format(name=self.path.name, fmt=self.format),
                 T["size"].format(w=f"{w:,}", h=f"{h:,}", crs=crs_label(self.crs)),
                 T["overviews"].format(levels=", ".join(f"1/{o}" for o in self.overviews))
                 if self.overviews else T["no_overviews"]]
        if self.stretch is not None:
            s = self.stretch
            bands = "; ".join(f"{lo:g}–{hi:g}" for lo, hi in zip(s.low, s.high, strict=True))
            lines.append(T["stretch"].format(p0=f"{s.percentiles[0]:g}",
                                             p1=f"{s.percentiles[1]:g}", bands=bands,
                                             w=s.sample[0], h=s.sample[1]))
        if self.synthetic:
            lines.append(T["synthetic"])
        if self.description:
            lines.append(self.description)
        return "\n".join(lines)

    def extent_in(self, crs) -> tuple[float, float, float, float] | None:
        """The raster's bounds in ``crs`` (None if they cannot be transformed there)."""
        key = CRS.from_user_input(crs).to_wkt()
        if key not in self._extent_cache:
            try:
                self._extent_cache[key] = transform_bounds(self.crs, crs, *self._native_bounds(),
                                                           densify_pts=21)
            except (RasterioError, ValueError):
                self._extent_cache[key] = None
        return self._extent_cache[key]

    # -- drawing --------------------------------------------------------------------------
    def render(self, bounds: tuple[float, float, float, float], width: int, height: int, *,
               crs=LONLAT, opacity: float = 1.0) -> np.ndarray:
        """The imagery under a view as an RGBA array of ``height`` rows and ``width`` columns
        (uint8, alpha not premultiplied; transparent where there is no imagery).

        Parameters
        ----------
        bounds
            (west, south, east, north) of the view in ``crs`` (lon/lat degrees by default: the
            app's map; a UTM zone for a printed sheet).
        width, height
            The view in pixels.
        opacity
            0 (invisible) to 1.
        """
        width, height = max(1, int(width)), max(1, int(height))
        packed = np.zeros((height, width), dtype=PACKED)  # RGBA bytes, one word a pixel
        out = packed.view(np.uint8).reshape(height, width, 4)
        if opacity <= 0:
            return out
        extent = self.extent_in(crs)
        if extent is None:
            return out
        west, south, east, north = bounds
        dx, dy = (east - west) / width, (north - south) / height
        # the view's pixels the raster can reach (the rest stays transparent)
        c0 = max(0, math.floor((extent[0] - west) / dx))
        c1 = min(width, math.ceil((extent[2] - west) / dx))
        r0 = max(0, math.floor((north - extent[3]) / dy))
        r1 = min(height, math.ceil((north - extent[1]) / dy))
        if c1 <= c0 or r1 <= r0:
            return out
        sub = (west + c0 * dx, north - r1 * dy, west + c1 * dx, north - r0 * dy)
        with self._lock:
            part = self._render(sub, c1 - c0, r1 - r0, CRS.from_user_input(crs))
        if part is not None:
            packed[r0:r1, c0:c1] = part
            if opacity < 1:
                alpha = out[..., 3]
                alpha[:] = (alpha.astype(np.float32) * opacity).astype(np.uint8)
        return out

    def close(self) -> None:
        """Give back the open file."""

    # -- for subclasses -------------------------------------------------------------------
    def _native_bounds(self) -> tuple[float, float, float, float]:
        raise NotImplementedError

    def _read(self, bounds, width: int, height: int, crs: CRS) -> SourcePixels | None:
        """The source pixels under ``bounds`` in ``crs`` at about the resolution of a view of
        ``width`` x ``height``, or None if nothing is there."""
        raise NotImplementedError

    def _render(self, bounds, width: int, height: int, crs: CRS) -> np.ndarray | None:
        """The pixels of ``bounds`` in ``crs`` as packed RGBA words (height, width; the bytes
        in R, G, B, A order, all zero where transparent), or None if nothing is there."""
        src = self._read(bounds, width, height, crs)
        if src is None:
            return None
        return _warp(src.packed, src.transform, src.crs, bounds, width, height, crs)

    def read_view(self, bounds: tuple[float, float, float, float], width: int, height: int,
                  *, crs=LONLAT) -> SourcePixels | None:
        """The imagery's own pixels under a view, not reprojected (the app warps them itself
        with Qt, see :mod:`gui.imagery_layer`): a window read at about the view's resolution
        (an overview), in the imagery's CRS, or None where the view holds none of it."""
        extent = self.extent_in(crs)
        w, s, e, n = bounds
        if extent is None or extent[0] >= e or extent[2] <= w or extent[1] >= n \
                or extent[3] <= s:
            return None
        with self._lock:
            return self._read_for_view(bounds, max(1, int(width)), max(1, int(height)),
                                       CRS.from_user_input(crs))

    def _read_for_view(self, bounds, width: int, height: int, crs: CRS):
        return self._read(bounds, width, height, crs)

    def _check_in_mongolia(self) -> None:
        w, s, e, n = self.bounds_lonlat
        if outside_mongolia([shapely.box(w, s, e, n)])[0]:
            raise OutsideMongoliaError(
                f"the imagery lies outside Mongolia (it covers {w:.3f}–{e:.3f}°E, "
                f"{s:.3f}–{n:.3f}°N)", path=self.path,
                hint="check that it is the right file and that its CRS is right (a wrong UTM "
                "zone moves it hundreds of kilometres)")


class RasterImagery(Imagery):
    """A raster file read by GDAL: GeoTIFF, COG, MBTiles, JPEG 2000, ..."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._level_ds: dict[int, object] = {}  # overview level -> its dataset
        self._tiles: OrderedDict[tuple[int, int, int], np.ndarray] = OrderedDict()
        try:
            with warnings.catch_warnings():  # no georeferencing: said below, as an error
                warnings.simplefilter("ignore", NotGeoreferencedWarning)
                self._ds = rasterio.open(path)
        except RasterioError as exc:
            raise ImageryError(
                f"not a raster landtool can read ({_first_line(exc)})", path=path,
                hint="give a GeoTIFF or COG, an MBTiles file or a folder of XYZ tiles; if "
                "this is one, the file may be damaged or incomplete: copy it again") from exc
        ds = self._ds
        try:
            if ds.crs is None or not ds.crs.to_wkt():
                raise CRSError("the raster has no coordinate reference system, so landtool "
                               "cannot tell where it lies", path=path, hint=_ASSIGN_HINT)
            self.crs = CRS.from_wkt(ds.crs.to_wkt())
            self.format = ds.driver
            self.size = (ds.width, ds.height)
            self.overviews = ds.overviews(1)
            self._bands, self._alpha = _colour_bands(ds)
            self._colormap = _palette(ds) if len(self._bands) == 1 else None
            self._masks = [ds.mask_flag_enums[b - 1] for b in self._bands]
            tags = ds.tags()
            self.synthetic = str(tags.get("synthetic", "")).lower() in ("true", "yes", "1")
            self.description = str(tags.get("description", "") or
                                   tags.get("TIFFTAG_IMAGEDESCRIPTION", ""))
            self.bounds_lonlat = self.extent_in(LONLAT) or (0.0, 0.0, 0.0, 0.0)
            self._check_in_mongolia()
            self.stretch = None
            if ds.dtypes[self._bands[0] - 1] != "uint8" and self._colormap is None:
                self.stretch = self._compute_stretch()
            # read and drawn in one piece: the whole raster's data is never asked for
            self._sample_first_block()
        except Exception:
            ds.close()
            raise

    def close(self) -> None:
        with self._lock:  # not while a render reads it
            self._ds.close()
            for ds in self._level_ds.values():
                ds.close()
            self._tiles.clear()

    def _native_bounds(self):
        return tuple(self._ds.bounds)

    def _sample_first_block(self) -> None:
        try:
            self._ds.read(self._bands[0], window=Window(0, 0, min(16, self._ds.width),
                                                        min(16, self._ds.height)))
        except RasterioError as exc:
            self._ds.close()
            raise ImageryError(f"the raster's pixels cannot be read ({_first_line(exc)})",
                               path=self.path, hint="the file is damaged or incomplete: copy "
                               "it again, or export it again from where it was made") from exc

    def _compute_stretch(self) -> Stretch:
        ds = self._ds
        k = max(ds.width, ds.height) / STRETCH_SAMPLE_PX
        w, h = (max(1, round(ds.width / k)), max(1, round(ds.height / k))) if k > 1 \
            else (ds.width, ds.height)
        try:
            data = ds.read(self._bands, out_shape=(len(self._bands), h, w),
                           resampling=Resampling.nearest).astype(np.float64)
            valid = self._valid(data, None, (h, w))
        except RasterioError as exc:
            raise ImageryError(f"the raster's pixels cannot be read ({_first_line(exc)})",
                               path=self.path, hint="the file is damaged or incomplete: copy "
                               "it again") from exc
        lows, highs = [], []
        for band in data:
            values = band[valid & np.isfinite(band)]
            if values.size == 0:
                lo, hi = 0.0, 1.0
            else:
                lo, hi = (float(v) for v in np.percentile(values, STRETCH_PERCENTILES))
            if hi <= lo:
                hi = lo + 1.0
            lows.append(round(lo, 6))
            highs.append(round(hi, 6))
        return Stretch(tuple(lows), tuple(highs), STRETCH_PERCENTILES, (w, h))

    def _valid(self, data: np.ndarray, window, shape, ds=None) -> np.ndarray:
        """Where the pixels of a reading are imagery (not nodata, mask or alpha 0)."""
        ds = ds if ds is not None else self._ds
        flags = self._masks
        if self._alpha is not None or any(MaskFlags.per_dataset in f for f in flags):
            mask = ds.dataset_mask(window=window, out_shape=shape,
                                   resampling=Resampling.nearest)
            return mask > 0
        valid = np.ones(shape, dtype=bool)
        if any(MaskFlags.nodata in f for f in flags):
            nodata = ds.nodatavals
            invalid = np.ones(shape, dtype=bool)
            for band, b in zip(data, self._bands, strict=True):
                nd = nodata[b - 1]
                invalid &= np.isnan(band) if nd is not None and np.isnan(nd) else band == nd
            valid &= ~invalid
        if np.issubdtype(data.dtype, np.floating):
            valid &= np.isfinite(data).all(axis=0)
        return valid

    def _read(self, bounds, width, height, crs):
        ds = self._ds
        try:
            src = transform_bounds(crs, ds.crs, *bounds, densify_pts=21)
        except (RasterioError, ValueError):
            return None
        try:
            win = window_from_bounds(*src, transform=ds.transform)
        except (RasterioError, ValueError):
            return None
        # whole source pixels around the view, one more on each side, inside the raster
        c0 = max(0, math.floor(win.col_off) - 1)
        r0 = max(0, math.floor(win.row_off) - 1)
        c1 = min(ds.width, math.ceil(win.col_off + win.width) + 1)
        r1 = min(ds.height, math.ceil(win.row_off + win.height) + 1)
        win = Window(c0, r0, c1 - c0, r1 - r0)
        if win.width < 1 or win.height < 1:
            return None
        # source pixels per view pixel: read at about the view's resolution (GDAL then reads
        # the overview that fits); min() keeps the finer of the two axes
        per_px = min((src[2] - src[0]) / width / abs(ds.transform.a),
                     (src[3] - src[1]) / height / abs(ds.transform.e))
        factor = max(1.0, per_px)
        out_w = max(1, math.ceil(win.width / factor))
        out_h = max(1, math.ceil(win.height / factor))
        try:
            data = ds.read(self._bands, window=win, out_shape=(len(self._bands), out_h, out_w),
                           resampling=Resampling.nearest)
            valid = self._valid(data, win, (out_h, out_w))
        except RasterioError as exc:
            raise ImageryError(f"the raster's pixels cannot be read ({_first_line(exc)})",
                               path=self.path, hint="the file is damaged: copy it again") \
                from exc
        src_transform = ds.window_transform(win) * Affine.scale(win.width / out_w,
                                                                win.height / out_h)
        return SourcePixels(self._to_rgba(data, valid), src_transform, self.crs)

    # -- the app's reading: whole tiles of one level, kept -------------------------------------
    def _read_for_view(self, bounds, width, height, crs):
        """As :meth:`_read`, but from tiles of :data:`SOURCE_TILE` pixels of the overview
        just finer than the view (read at its own resolution, never resampled by GDAL), each
        read and stretched once and kept (:data:`_TILES_KEPT`): panning reads only the tiles
        coming into view."""
        ds = self._ds
        try:
            src = transform_bounds(crs, ds.crs, *bounds, densify_pts=21)
        except (RasterioError, ValueError):
            return None
        per_px = min((src[2] - src[0]) / width / abs(ds.transform.a),
                     (src[3] - src[1]) / height / abs(ds.transform.e))
        level = 0
        for k, factor in enumerate(self.overviews, start=1):
            if factor <= per_px:
                level = k
        lds = self._level(level)
        win = window_from_bounds(*src, transform=lds.transform)
        c0 = max(0, math.floor(win.col_off) - 1)
        r0 = max(0, math.floor(win.row_off) - 1)
        c1 = min(lds.width, math.ceil(win.col_off + win.width) + 1)
        r1 = min(lds.height, math.ceil(win.row_off + win.height) + 1)
        if c1 <= c0 or r1 <= r0:
            return None
        if (c1 - c0) * (r1 - r0) > 4 * width * height:
            # no overview near the view's scale (a scene without overviews, zoomed out):
            # GDAL decimates while reading, never the whole window at full resolution
            return self._read(bounds, width, height, crs)
        t = SOURCE_TILE
        mosaic = np.zeros((r1 - r0, c1 - c0), dtype=PACKED)
        for ty in range(r0 // t, (r1 - 1) // t + 1):
            for tx in range(c0 // t, (c1 - 1) // t + 1):
                tile = self._tile(level, lds, tx, ty)
                # the part of the tile inside the window, pasted
                y0, x0 = max(r0, ty * t), max(c0, tx * t)
                y1, x1 = min(r1, ty * t + tile.shape[0]), min(c1, tx * t + tile.shape[1])
                mosaic[y0 - r0:y1 - r0, x0 - c0:x1 - c0] = \
                    tile[y0 - ty * t:y1 - ty * t, x0 - tx * t:x1 - tx * t]
        return SourcePixels(mosaic, lds.window_transform(Window(c0, r0, c1 - c0, r1 - r0)),
                            self.crs)

    def _level(self, level: int):
        """The dataset of overview ``level`` (0: the full resolution)."""
        if level == 0:
            return self._ds
        if level not in self._level_ds:
            self._level_ds[level] = rasterio.open(self.path, overview_level=level - 1)
        return self._level_ds[level]

    def _tile(self, level: int, lds, tx: int, ty: int) -> np.ndarray:
        key = (level, tx, ty)
        tile = self._tiles.get(key)
        if tile is not None:
            self._tiles.move_to_end(key)
            return tile
        t = SOURCE_TILE
        win = Window(tx * t, ty * t, min(t, lds.width - tx * t), min(t, lds.height - ty * t))
        try:
            data = lds.read(self._bands, window=win)
            valid = self._valid(data, win, data.shape[1:], lds)
        except RasterioError as exc:
            raise ImageryError(f"the raster's pixels cannot be read ({_first_line(exc)})",
                               path=self.path, hint="the file is damaged: copy it again") \
                from exc
        tile = self._tiles[key] = self._to_rgba(data, valid)
        if len(self._tiles) > _TILES_KEPT:
            self._tiles.popitem(last=False)
        return tile

    def _to_rgba(self, data: np.ndarray, valid: np.ndarray) -> np.ndarray:
        """Packed RGBA words (rows, cols) of a reading; zero where it is not imagery."""
        if self._colormap is not None:
            lut = self._colormap.view(PACKED).reshape(256)
            packed = lut[np.clip(data[0], 0, 255).astype(np.uint8)]
        else:
            bands = list(data[:3]) if len(data) >= 3 else [data[0]] * 3
            packed = np.full(data.shape[1:], 0xFF000000, dtype=PACKED)  # opaque
            for i, band in enumerate(bands):
                packed |= self._to_word(band, i)
        packed[~valid] = 0  # transparent pixels are all zero (so also premultiplied)
        return packed

    def _to_word(self, band: np.ndarray, i: int) -> np.ndarray:
        """Band ``i`` (0 red, 1 green, 2 blue) as its byte of the packed words."""
        shift = PACKED.type(8 * i)
        if band.dtype in (np.uint16, np.int16):  # a lookup table straight to the word
            offset = 32768 if band.dtype == np.int16 else 0
            lut = self._luts.get(i)
            if lut is None:
                values = np.arange(65536, dtype=np.float32) - offset
                lut = self._luts[i] = (self._to_uint8(values, i).astype(PACKED) << shift)
            return lut[band.astype(np.int32) + offset] if offset else lut[band]
        return self._to_uint8(band, i).astype(PACKED) << shift

    def _to_uint8(self, band: np.ndarray, i: int) -> np.ndarray:
        if self.stretch is None:
            return band if band.dtype == np.uint8 else np.clip(band, 0, 255).astype(np.uint8)
        return _stretch_band(np.nan_to_num(band.astype(np.float32), nan=0.0), self.stretch, i)


def _stretch_band(values: np.ndarray, stretch: Stretch, i: int) -> np.ndarray:
    lo, hi = stretch.low[i], stretch.high[i]
    out = (values - np.float32(lo)) * np.float32(255.0 / (hi - lo))
    return np.clip(out, 0, 255, out=out).astype(np.uint8)


def _warp(packed: np.ndarray, src_transform, src_crs, bounds, width: int, height: int,
          crs) -> np.ndarray:
    """Packed RGBA words (h, w) reprojected onto the grid of ``bounds`` in ``crs`` (nearest
    neighbour; one band of words warps faster than four bands of bytes)."""
    dst = np.zeros((height, width), dtype=PACKED)
    reproject(packed, dst, src_transform=src_transform, src_crs=src_crs,
              dst_transform=transform_from_bounds(*bounds, width, height), dst_crs=crs,
              resampling=Resampling.nearest, num_threads=1)
    return dst


def _colour_bands(ds) -> tuple[list[int], int | None]:
    """The bands drawn as red, green, blue (or one grey band) and the alpha band, if any."""
    interp = list(ds.colorinterp)
    alpha = interp.index(ColorInterp.alpha) + 1 if ColorInterp.alpha in interp else None
    rgb = [ColorInterp.red, ColorInterp.green, ColorInterp.blue]
    if all(c in interp for c in rgb):
        return [interp.index(c) + 1 for c in rgb], alpha
    others = [i + 1 for i in range(ds.count) if i + 1 != alpha]
    return (others[:3] if len(others) >= 3 else others[:1]), alpha


def _palette(ds) -> np.ndarray | None:
    try:
        cmap = ds.colormap(1)
    except ValueError:  # no colour table
        return None
    lut = np.zeros((256, 4), dtype=np.uint8)
    for i, colour in cmap.items():
        if 0 <= i < 256:
            lut[i] = colour
    return lut


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def open_imagery(path: str | Path) -> Imagery:
    """Open a background raster: a file GDAL reads (GeoTIFF, COG, MBTiles, ...) or a folder of
    XYZ tiles. Raises :class:`ImageryError`, :class:`~landtool.errors.CRSError` or
    :class:`~landtool.errors.OutsideMongoliaError` with what to do."""
    text = str(path)
    if "://" in text or text.startswith("/vsi"):
        raise ImageryError("imagery is read from files on this computer only: landtool never "
                           "downloads", path=text,
                           hint="save the imagery to a file (a GeoTIFF, an MBTiles file or a "
                           "folder of tiles) and give its path")
    path = Path(path)
    if not path.exists():
        raise ImageryError("the file does not exist", path=path,
                           hint="check the path; a workspace's background is looked for "
                           "where it was when it was set")
    if path.is_dir():
        from landtool.imagery._xyz import XyzImagery

        return XyzImagery(path)
    return RasterImagery(path)


_TEXT = {
    "en": {
        "file": "{name} ({fmt})",
        "size": "{w} × {h} pixels, {crs}",
        "overviews": "overviews {levels}",
        "no_overviews": "no overviews (small scales are read from the full resolution: slow "
                        "for a large scene; `gdaladdo FILE` adds them)",
        "stretch": "contrast stretch {p0}–{p1} % per band (from a {w} × {h} reading of the "
                   "overviews): {bands}",
        "synthetic": "SYNTHETIC: made by landtool's sample generator, not a real image",
    },
    "mn": {
        "file": "{name} ({fmt})",
        "size": "{w} × {h} пиксел, {crs}",
        "overviews": "тойм түвшин {levels}",
        "no_overviews": "тойм түвшингүй (жижиг масштабыг бүтэн нарийвчлалаас уншина: том "
                        "зурагт удаан; `gdaladdo FILE` нэмнэ)",
        "stretch": "тодосгол {p0}–{p1} % зурвас бүрээр ({w} × {h} тойм уншлагаас): {bands}",
        "synthetic": "ЖИШЭЭ: landtool-ын жишээ үүсгэгчийн хийсэн, бодит зураг биш",
    },
}
