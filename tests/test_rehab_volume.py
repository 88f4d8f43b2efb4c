"""Tests of pit and topsoil volumes (landtool/rehab/volume.py).

Synthetic DEMs are written here with rasterio in UTM 48N: a sloping plane
z = 1000 + 0.05·x − 0.02·y (x, y in metres from the DEM's south-west corner) with pits of known
shape dug into it, sampled at pixel centres. True volumes are hand arithmetic:

- box 60 × 40 m, 3 m deep: 60 · 40 · 3 = 7,200 m³;
- cone, radius 30 m, 4 m deep: π · 30² · 4 / 3 = 1,200 π ≈ 3,769.9 m³;
- frustum (upside-down square pyramid), 50 m side at the rim, 20 m at the floor, 3 m deep:
  3/3 · (50² + 20² + 50 · 20) = 3,900 m³.

Limits: the 2 % bound is asserted at 1, 2 and 5 m pixels, where every pit is at least 10 pixels
across, and at 10 m for the box and the cone (6 pixels across; the box is exact at any grid
offset because its sides are whole numbers of pixels). At 10 m the frustum is only 5 pixels
across and comes out 5–8 % low, so it is not asserted there. Pit centres are tried on the grid
and shifted off it. Parcels are drawn 10 m around each pit, in lon/lat (their UTM corners
transformed to EPSG:4326 with pyproj here), and the reference ring is the default 10 m.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from pyproj import Geod, Transformer
from rasterio.transform import from_origin
from shapely.geometry import Polygon

from landtool.errors import CRSError, LandtoolError, LayerLoadError
from landtool.rehab.volume import (
    PitVolume,
    parcel_volumes,
    pit_volume_from_dem,
    topsoil_volume_m3,
)

UTM = "EPSG:32648"
WEST, SOUTH = 614_000.0, 5_388_000.0  # south-west corner of the synthetic DEMs (Mandal soum)
WIDTH_M, HEIGHT_M = 400.0, 200.0
TO_LONLAT = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
GEOD = Geod(ellps="WGS84")

# name: (centre x, centre y, parcel half side x, half side y, true volume by hand)
PITS = {
    "box": (80.0, 100.0, 40.0, 30.0, 60 * 40 * 3.0),
    "cone": (200.0, 100.0, 40.0, 40.0, math.pi * 30**2 * 4 / 3),
    "frustum": (320.0, 100.0, 35.0, 35.0, 3 / 3 * (50**2 + 20**2 + 50 * 20)),
}


def depth(name: str, dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """Depth (m) of pit ``name`` at offsets from its centre."""
    if name == "box":
        return np.where((np.abs(dx) < 30) & (np.abs(dy) < 20), 3.0, 0.0)
    if name == "cone":
        return 4.0 * np.clip(1 - np.hypot(dx, dy) / 30.0, 0, None)
    m = np.maximum(np.abs(dx), np.abs(dy))  # frustum: 3 m deep, walls from 25 m to 10 m
    return 3.0 * np.clip((25.0 - m) / 15.0, 0, 1)


def write_dem(path, pixel: float, *, shift=(0.0, 0.0), crs=UTM, heap=False, nodata_at=None):
    """A DEM of the sloping plane with the three pits, centres shifted by ``shift`` metres."""
    nx, ny = int(WIDTH_M / pixel), int(HEIGHT_M / pixel)
    x = (np.arange(nx) + 0.5) * pixel
    y = HEIGHT_M - (np.arange(ny) + 0.5) * pixel
    gx, gy = np.meshgrid(x, y)
    z = 1000 + 0.05 * gx - 0.02 * gy
    for name, (cx, cy, *_) in PITS.items():
        z -= depth(name, gx - cx - shift[0], gy - cy - shift[1])
    if heap:  # a 2 m spoil heap along the north side of the box's reference ring
        z += np.where((gx > 30) & (gx < 130) & (gy > 130 + shift[1]) & (gy < 145), 2.0, 0.0)
    if nodata_at is not None:
        z[int((HEIGHT_M - nodata_at[1]) / pixel), int(nodata_at[0] / pixel)] = -9999.0
    profile = {"driver": "GTiff", "width": nx, "height": ny, "count": 1, "dtype": "float32",
               "nodata": -9999.0, "transform": from_origin(WEST, SOUTH + HEIGHT_M, pixel, pixel)}
    if crs is not None:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(z.astype("float32"), 1)
    return path


def lonlat_box(cx, cy, hx, hy) -> Polygon:
    """A rectangle given in local metres, as a lon/lat polygon."""
    xs = np.array([cx - hx, cx + hx, cx + hx, cx - hx]) + WEST
    ys = np.array([cy - hy, cy - hy, cy + hy, cy + hy]) + SOUTH
    return Polygon(zip(*TO_LONLAT.transform(xs, ys), strict=True))


def pit_parcel(name: str, shift=(0.0, 0.0)) -> Polygon:
    cx, cy, hx, hy, _ = PITS[name]
    return lonlat_box(cx + shift[0], cy + shift[1], hx, hy)


def geod_area(poly: Polygon) -> float:
    lon, lat = poly.exterior.coords.xy
    return abs(GEOD.polygon_area_perimeter(lon, lat)[0])


CASES = [(n, px) for px in (1.0, 2.0, 5.0) for n in PITS] + [("box", 10.0), ("cone", 10.0)]


@pytest.mark.parametrize("shift", [(0.0, 0.0), (1.3, -0.7)], ids=["on-grid", "off-grid"])
@pytest.mark.parametrize(("name", "pixel"), CASES)
def test_pit_volume_within_2_percent(tmp_path, name, pixel, shift):
    path = write_dem(tmp_path / "dem.tif", pixel, shift=shift)
    with rasterio.open(path) as dem:
        v = pit_volume_from_dem(pit_parcel(name, shift), dem)
    true = PITS[name][4]
    assert v is not None and v.method_code == "dem"
    assert v.volume_m3 == pytest.approx(true, rel=0.02)
    assert v.pixels == pytest.approx(4 * PITS[name][2] * PITS[name][3] / pixel**2,
                                     rel=0.1)
    assert "dem.tif" in v.method and f"{pixel:g} m pixels" in v.method


class ReadSpy:
    """A rasterio dataset that records the windows read from it."""

    def __init__(self, ds):
        self.ds, self.windows = ds, []

    def __getattr__(self, name):
        return getattr(self.ds, name)

    def read(self, *args, **kwargs):
        self.windows.append(kwargs.get("window"))
        return self.ds.read(*args, **kwargs)


def test_only_a_window_is_read(tmp_path):
    path = write_dem(tmp_path / "dem.tif", 1.0)
    with rasterio.open(path) as dem:
        spy = ReadSpy(dem)
        pit_volume_from_dem(pit_parcel("cone"), spy)
    (win,) = spy.windows
    assert win is not None and win.width * win.height < 0.25 * dem.width * dem.height


def test_spoil_heap_on_the_rim_is_ignored(tmp_path):
    path = write_dem(tmp_path / "dem.tif", 2.0, heap=True)
    with rasterio.open(path) as dem:
        v = pit_volume_from_dem(pit_parcel("box"), dem)
    assert v.volume_m3 == pytest.approx(7200.0, rel=0.02)


def test_parcel_volumes_dem_then_depth_then_none(tmp_path):
    path = write_dem(tmp_path / "dem.tif", 5.0)
    outside = lonlat_box(900.0, 100.0, 50.0, 40.0)  # east of the DEM
    straddling = lonlat_box(395.0, 100.0, 20.0, 20.0)  # across its east edge
    parcels = gpd.GeoDataFrame(
        {"pit_depth_m": [np.nan, 2.5, 1.2, np.nan]},
        geometry=[pit_parcel("cone"), outside, straddling, outside], crs="EPSG:4326",
    ).to_crs(UTM)  # any CRS is accepted
    got = parcel_volumes(parcels, path)
    assert [v.method_code for v in got] == ["dem", "depth", "depth", "none"]
    assert got[0].volume_m3 == pytest.approx(math.pi * 1200, rel=0.02)
    assert got[1].volume_m3 == pytest.approx(2.5 * geod_area(outside), rel=1e-6)
    assert got[2].volume_m3 == pytest.approx(1.2 * geod_area(straddling), rel=1e-6)
    assert "depth attribute 2.5 m" in got[1].method and "ha" in got[1].method
    assert got[3].volume_m3 == 0.0 and "not computed" in got[3].method
    assert all(isinstance(v, PitVolume) for v in got)


def test_no_dem_and_no_depth_field(tmp_path):
    parcels = gpd.GeoDataFrame(geometry=[pit_parcel("box")], crs="EPSG:4326")
    (v,) = parcel_volumes(parcels, None)
    assert v.method_code == "none" and v.volume_m3 == 0.0
    parcels["depth"] = [2.0]
    (v,) = parcel_volumes(parcels, None, depth_field="depth")
    assert v.method_code == "depth"
    assert v.volume_m3 == pytest.approx(2.0 * geod_area(pit_parcel("box")), rel=1e-6)


def test_nodata_inside_the_parcel_falls_back(tmp_path):
    path = write_dem(tmp_path / "dem.tif", 5.0, nodata_at=(200.0, 100.0))
    parcels = gpd.GeoDataFrame({"pit_depth_m": [3.0]}, geometry=[pit_parcel("cone")],
                               crs="EPSG:4326")
    (v,) = parcel_volumes(parcels, path)
    assert v.method_code == "depth"
    with rasterio.open(path) as dem:
        assert pit_volume_from_dem(pit_parcel("cone"), dem) is None
        # the box, away from the hole, is still measured
        assert pit_volume_from_dem(pit_parcel("box"), dem).method_code == "dem"


def test_sample_dem_volumes(tmp_path):
    from landtool.paths import sample_data_dir
    from landtool.sample import pit_volumes, synthetic_layers, write_sample_dem

    parcels = synthetic_layers(sample_data_dir() / "real")["rehab_parcels"]
    dem = tmp_path / "mandal_dem.tif"
    write_sample_dem(dem, parcels)
    got = dict(zip(parcels["parcel_id"], parcel_volumes(parcels, dem), strict=True))
    for pid, true in pit_volumes().items():
        assert got[pid].method_code == "dem", pid
        assert got[pid].volume_m3 == pytest.approx(true, rel=0.02, abs=1.0), pid
    off_dem = [pid for pid in got if pid not in pit_volumes()]
    assert off_dem and all(got[pid].method_code == "depth" for pid in off_dem)


def test_dem_in_degrees_is_refused(tmp_path):
    path = tmp_path / "deg.tif"
    with rasterio.open(path, "w", driver="GTiff", width=10, height=10, count=1,
                       dtype="float32", crs="EPSG:4326",
                       transform=from_origin(106.5, 48.7, 0.0001, 0.0001)) as dst:
        dst.write(np.full((1, 10, 10), 1000, "float32"))
    parcels = gpd.GeoDataFrame(geometry=[pit_parcel("box")], crs="EPSG:4326")
    with pytest.raises(CRSError, match="degrees") as exc:
        parcel_volumes(parcels, path)
    assert "deg.tif" in str(exc.value) and exc.value.hint


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
def test_dem_without_crs_is_refused(tmp_path):
    path = write_dem(tmp_path / "nocrs.tif", 5.0, crs=None)
    parcels = gpd.GeoDataFrame(geometry=[pit_parcel("box")], crs="EPSG:4326")
    with pytest.raises(CRSError, match="no coordinate reference system") as exc:
        parcel_volumes(parcels, path)
    assert "nocrs.tif" in str(exc.value)


@pytest.mark.parametrize("content", [b"not a GeoTIFF at all", None], ids=["garbage", "missing"])
def test_unreadable_dem(tmp_path, content):
    path = tmp_path / "broken.tif"
    if content is not None:
        path.write_bytes(content)
    parcels = gpd.GeoDataFrame(geometry=[pit_parcel("box")], crs="EPSG:4326")
    with pytest.raises(LayerLoadError) as exc:
        parcel_volumes(parcels, path)
    assert isinstance(exc.value, LandtoolError)
    assert "broken.tif" in str(exc.value) and "What to do" in str(exc.value)


def test_topsoil_volume():
    assert topsoil_volume_m3(1.5, 0.2) == pytest.approx(3000.0)  # 15,000 m² × 0.2 m
    assert topsoil_volume_m3(0.0, 0.3) == 0.0
    with pytest.raises(ValueError):
        topsoil_volume_m3(1.0, -0.1)
