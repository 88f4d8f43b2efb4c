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
#: the longest side of the reading the stretch's percentiles come from
STRETCH_SAMPLE_PX = 1024
LONLAT = CRS.from_epsg(4326)

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

    def apply(self, data: np.ndarray) -> np.ndarray:
        """``data`` (bands, rows, cols) scaled to uint8."""
        low = np.asarray(self.low, dtype=np.float32)[:, None, None]
        span = np.asarray(self.high, dtype=np.float32)[:, None, None] - low
        out = (data.astype(np.float32) - low) * (255.0 / span)
        return np.clip(out, 0, 255, out=out).astype(np.uint8)


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
        out = np.zeros((height, width, 4), dtype=np.uint8)
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
            if opacity < 1:
                part[3] = (part[3].astype(np.float32) * opacity).astype(np.uint8)
            out[r0:r1, c0:c1] = np.moveaxis(part, 0, -1)
        return out

    def close(self) -> None:
        """Give back the open file."""

    # -- for subclasses -------------------------------------------------------------------
    def _native_bounds(self) -> tuple[float, float, float, float]:
        raise NotImplementedError

    def _render(self, bounds, width: int, height: int, crs: CRS) -> np.ndarray | None:
        """RGBA (4, height, width) of ``bounds`` in ``crs``, or None if nothing is there."""
        raise NotImplementedError

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

    def _valid(self, data: np.ndarray, window, shape) -> np.ndarray:
        """Where the pixels of a reading are imagery (not nodata, mask or alpha 0)."""
        ds = self._ds
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

    def _render(self, bounds, width, height, crs):
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
        rgba = self._to_rgba(data, valid)
        src_transform = ds.window_transform(win) * Affine.scale(win.width / out_w,
                                                                win.height / out_h)
        return _warp(rgba, src_transform, ds.crs, bounds, width, height, crs)

    def _to_rgba(self, data: np.ndarray, valid: np.ndarray) -> np.ndarray:
        h, w = data.shape[1:]
        rgba = np.empty((4, h, w), dtype=np.uint8)
        if self._colormap is not None:
            lut = self._colormap
            idx = np.clip(data[0], 0, 255).astype(np.uint8)
            rgba[:] = np.moveaxis(lut[idx], -1, 0)
            rgba[3] = np.where(valid, rgba[3], 0)
            return rgba
        if self.stretch is not None:
            data = self.stretch.apply(np.nan_to_num(data, nan=0.0))
        elif data.dtype != np.uint8:
            data = np.clip(data, 0, 255).astype(np.uint8)
        if len(data) >= 3:
            rgba[:3] = data[:3]
        else:
            rgba[:3] = data[0]
        rgba[3] = np.where(valid, 255, 0)
        return rgba


def _warp(rgba: np.ndarray, src_transform, src_crs, bounds, width: int, height: int,
          crs) -> np.ndarray:
    """``rgba`` (4, h, w) reprojected onto the grid of ``bounds`` in ``crs``."""
    dst = np.zeros((4, height, width), dtype=np.uint8)
    reproject(rgba, dst, src_transform=src_transform, src_crs=src_crs,
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
