"""Volumes to move in rehabilitation: pits to backfill (from a DEM or a depth) and topsoil.

A pit's volume is measured from a DEM when one covers the parcel: the parcel (lon/lat) is
projected into the DEM's CRS, a reference plane is fitted to the terrain in a ring just outside
the parcel (the ground as it was before mining), and the depth of the terrain below that plane is
summed over the pixels whose centres fall inside the parcel. Without DEM cover, the volume is the
parcel's ``pit_depth_m`` attribute times its geodesic area. Every :class:`PitVolume` carries a
sentence saying which method gave it.

Why a plane: over a parcel of a few hundred metres the undisturbed ground is close to a plane,
and a plane follows a slope exactly (a flat reference at the mean rim height would count the
downhill part of the parcel as a pit and miss the uphill part). A plane has only three
parameters, so it is well determined by a narrow ring and cannot bulge across the pit as a
higher-order surface fitted to the rim only would. The fit is made robust by centring the
coordinates (UTM values of 10⁶ m would ruin the least-squares conditioning) and by starting from
a least-median-of-squares plane, so that rim pixels far from the ground (a spoil heap along one
side, a neighbouring pit) are left out of the final least-squares fit instead of tilting it.

Limits: elevations are taken as metres; a DEM in degrees (geographic CRS) or without a CRS is
refused (reproject it to UTM first). The DEM samples the surface at pixel centres, so a pit must
be about 6 pixels across or more for the 2 % accuracy the tests check, and the ring at least
2 pixels wide. Material heaped above the reference plane inside the parcel is not netted off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import rasterio
import shapely
from pyproj import Transformer
from rasterio.errors import RasterioIOError
from rasterio.features import geometry_mask
from rasterio.windows import Window, from_bounds
from shapely.geometry.base import BaseGeometry

from landtool.errors import CRSError, LayerLoadError
from landtool.geodesy import area_m2
from landtool.io import offline

offline.install()  # rasterio's GDAL is a copy of its own: keep it off the network too

#: Random triples of rim pixels tried for the least-median-of-squares start of the plane fit.
LMEDS_TRIALS = 300
#: Rim pixels further than this many robust standard deviations from the plane are dropped...
OUTLIER_SIGMAS = 2.5
#: ... but never those within this many metres of it (a clean DEM has a spread of ~0).
OUTLIER_FLOOR_M = 0.10


@dataclass(frozen=True)
class PitVolume:
    """A pit volume and how it was obtained.

    ``method_code`` is ``"dem"``, ``"depth"`` or ``"none"``; ``method`` says the same in a
    sentence for reports; ``pixels`` is the number of DEM pixels summed (0 unless ``"dem"``).
    """

    volume_m3: float
    method: str
    method_code: str
    pixels: int = 0


def topsoil_volume_m3(area_ha: float, thickness_m: float) -> float:
    """Topsoil volume (m³) to replace over ``area_ha`` hectares at ``thickness_m`` metres.

    Examples
    --------
    >>> topsoil_volume_m3(1.5, 0.2)
    3000.0
    """
    if area_ha < 0 or thickness_m < 0 or not math.isfinite(area_ha * thickness_m):
        raise ValueError(f"area ({area_ha} ha) and thickness ({thickness_m} m) must be >= 0")
    return area_ha * 10_000.0 * thickness_m


@lru_cache(maxsize=16)
def _to_dem_crs(wkt: str) -> Transformer:
    return Transformer.from_crs("EPSG:4326", wkt, always_xy=True)


def _check_dem(dem) -> float:
    """Refuse a DEM this module cannot measure; return the pixel area in square metres."""
    name = getattr(dem, "name", None)
    if dem.crs is None:
        raise CRSError("the DEM has no coordinate reference system", path=name,
                       hint="assign its CRS (e.g. gdal_edit.py -a_srs EPSG:32648) and retry")
    if not dem.crs.is_projected:
        raise CRSError(f"the DEM is in degrees ({dem.crs.to_string()}): pixel areas and "
                       "volumes need a projected CRS in metres", path=name,
                       hint="reproject it to the UTM zone (e.g. gdalwarp -t_srs EPSG:32648)")
    t = dem.transform
    if t.b != 0 or t.d != 0:
        raise LayerLoadError("the DEM grid is rotated; only north-up DEMs are supported",
                             path=name, hint="warp it north-up with gdalwarp")
    unit = dem.crs.linear_units_factor[1]  # metres per CRS unit (1 for UTM)
    return abs(t.a * t.e) * unit * unit


def _fit_plane(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, int] | None:
    """Robust plane z = a + b·x + c·y through rim pixels; None if ill-determined.

    Least median of squares (Rousseeuw 1984) over random triples gives a start that ignores up
    to half the rim (a spoil heap along one side would tilt an ordinary least-squares plane);
    the pixels close to it are then fitted by least squares. Returns the coefficients (for the
    coordinates given, which should be centred) and the number of rim pixels kept.
    """
    n = z.size
    a = np.column_stack([np.ones(n), x, y])
    idx = np.random.default_rng(0).integers(0, n, size=(LMEDS_TRIALS, 3))  # deterministic
    triples = a[idx]
    span = max(np.ptp(x), np.ptp(y), 1e-9)
    ok = np.abs(np.linalg.det(triples)) > 1e-3 * span**2  # drop near-collinear triples
    if not ok.any():
        return None
    coefs = np.linalg.solve(triples[ok], z[idx[ok]][..., None])[..., 0]
    med = np.median((z[None, :] - coefs @ a.T) ** 2, axis=1)
    coef = coefs[np.argmin(med)]
    scale = 1.4826 * (1 + 5 / max(n - 3, 1)) * math.sqrt(med.min())
    for _ in range(3):
        keep = np.abs(z - a @ coef) <= max(OUTLIER_SIGMAS * scale, OUTLIER_FLOOR_M)
        if keep.sum() < max(3, n // 2):
            return None
        coef, _, rank, _ = np.linalg.lstsq(a[keep], z[keep], rcond=None)
        if rank < 3:
            return None
        scale = 1.4826 * np.median(np.abs(z[keep] - a[keep] @ coef))
    return coef, int(keep.sum())


def pit_volume_from_dem(parcel_lonlat: BaseGeometry, dem, *, rim_m: float = 10.0
                        ) -> PitVolume | None:
    """Volume (m³) of the pit under a parcel, measured on a DEM.

    Parameters
    ----------
    parcel_lonlat
        The parcel polygon in WGS 84 lon/lat (EPSG:4326).
    dem
        An open rasterio dataset (band 1: elevations in metres) in a projected CRS.
    rim_m
        Width (m) of the ring outside the parcel to which the reference plane is fitted; keep
        it at least 2 pixels wide and clear of other pits.

    Returns
    -------
    PitVolume or None
        None when the DEM does not cover the parcel and its ring, when a pixel inside the parcel
        is nodata, when no pixel centre falls in the parcel, or when fewer than half the ring's
        pixels are usable for the plane.

    Raises
    ------
    CRSError
        If the DEM has no CRS or is in degrees.
    """
    pixel_m2 = _check_dem(dem)
    if parcel_lonlat is None or parcel_lonlat.is_empty:
        return None
    fwd = _to_dem_crs(dem.crs.to_wkt())
    parcel = shapely.transform(
        parcel_lonlat, lambda xy: np.column_stack(fwd.transform(xy[:, 0], xy[:, 1])))
    parcel = parcel if parcel.is_valid else shapely.make_valid(parcel)
    outer = parcel.buffer(rim_m)
    if not np.all(np.isfinite(outer.bounds)):
        return None
    # Only a window around the parcel and its ring is read, never the whole raster.
    w = from_bounds(*outer.bounds, transform=dem.transform)
    r, c, h, wd = (round(v, 6) for v in (w.row_off, w.col_off, w.height, w.width))
    row0, col0, row1, col1 = math.floor(r), math.floor(c), math.ceil(r + h), math.ceil(c + wd)
    if row0 < 0 or col0 < 0 or row1 > dem.height or col1 > dem.width:
        return None
    win = Window(col0, row0, col1 - col0, row1 - row0)
    z = np.ma.masked_invalid(dem.read(1, window=win, masked=True).astype("float64"))
    valid, z = ~np.ma.getmaskarray(z), z.filled(np.nan)
    transform = dem.window_transform(win)
    inside = geometry_mask([parcel], z.shape, transform, invert=True)  # pixel centres inside
    ring = geometry_mask([outer], z.shape, transform, invert=True) & ~inside
    if not inside.any() or not valid[inside].all():
        return None
    use = ring & valid
    if use.sum() < max(3, ring.sum() // 2):
        return None
    rows, cols = np.indices(z.shape)
    xs = transform.c + (cols + 0.5) * transform.a  # pixel centres
    ys = transform.f + (rows + 0.5) * transform.e
    x0, y0 = xs[use].mean(), ys[use].mean()
    fit = _fit_plane(xs[use] - x0, ys[use] - y0, z[use])
    if fit is None:
        return None
    coef, kept = fit
    ref = coef[0] + coef[1] * (xs[inside] - x0) + coef[2] * (ys[inside] - y0)
    volume = float(np.clip(ref - z[inside], 0.0, None).sum() * pixel_m2)
    t = dem.transform
    size = f"{abs(t.a):g} m" if abs(t.a) == abs(t.e) else f"{abs(t.a):g} × {abs(t.e):g} m"
    n = int(inside.sum())
    method = (f"DEM {Path(dem.name).name} ({size} pixels): terrain below a plane fitted to a "
              f"{rim_m:g} m ring around the parcel ({kept} of {int(use.sum())} rim pixels "
              f"kept), {n} pixels")
    return PitVolume(volume, method, "dem", n)


def _depth_volume(geom: BaseGeometry, depth, why: str) -> PitVolume:
    """Volume from a depth attribute × geodesic area, or a "none" result saying why not."""
    try:
        d = float(depth)
    except (TypeError, ValueError):
        d = math.nan
    if geom is None or geom.is_empty:
        return PitVolume(0.0, f"{why}; no geometry: not computed", "none")
    if not math.isfinite(d) or d < 0:
        what = "no depth attribute" if depth is None or math.isnan(d) else f"depth {depth!r}"
        return PitVolume(0.0, f"{why} and {what}: not computed", "none")
    area = area_m2(geom)
    return PitVolume(d * area, f"depth attribute {d:g} m × geodesic area {area / 1e4:.2f} ha "
                               f"({why})", "depth")


def parcel_volumes(parcels, dem_path: str | Path | None, *, rim_m: float = 10.0,
                   depth_field: str = "pit_depth_m") -> list[PitVolume]:
    """Pit volume of every parcel, in order: from the DEM where it covers the parcel, else from
    the depth attribute × geodesic area, else ``"none"``.

    Parameters
    ----------
    parcels
        A GeoDataFrame of parcel polygons with a CRS (any; reprojected to lon/lat).
    dem_path
        A DEM GeoTIFF in a projected CRS, or None to use depths only.
    rim_m
        Width of the ring to which the reference plane is fitted (see
        :func:`pit_volume_from_dem`).
    depth_field
        The attribute holding the pit depth in metres (missing field: no depths).

    Raises
    ------
    LayerLoadError
        If the DEM cannot be read.
    CRSError
        If the parcels have no CRS, or the DEM has none or is in degrees.
    """
    if parcels.crs is None:
        raise CRSError("the parcels have no coordinate reference system",
                       hint="set the layer's CRS (e.g. EPSG:4326) and retry")
    geoms = parcels.to_crs(4326).geometry
    depths = parcels[depth_field] if depth_field in parcels.columns else [None] * len(parcels)
    rows = list(zip(geoms, depths, strict=True))
    if dem_path is None:
        return [_depth_volume(g, d, "no DEM given") for g, d in rows]
    why = f"no usable cover in DEM {Path(dem_path).name}"
    try:
        with rasterio.open(dem_path) as dem:
            _check_dem(dem)
            return [pit_volume_from_dem(g, dem, rim_m=rim_m) or _depth_volume(g, d, why)
                    for g, d in rows]
    except RasterioIOError as exc:
        raise LayerLoadError(f"the DEM cannot be read ({exc})", path=dem_path,
                             hint="check that the file exists and is a complete GeoTIFF "
                                  "(copy it again if it was truncated)") from exc
