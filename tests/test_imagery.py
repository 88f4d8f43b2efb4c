"""Background imagery (landtool.imagery): reprojection, overviews, stretch, nodata, tiles,
bad input, and the workspace's memory of its background (GeoPackage and PostgreSQL).

Expected positions come from pyproj (UTM -> lon/lat) and from the XYZ tile formulas written
out here, never from the code under test.
"""

from __future__ import annotations

import math
import sqlite3

import numpy as np
import pytest
import rasterio
import rasterio.shutil
from pyproj import Geod, Transformer
from rasterio.enums import Resampling
from rasterio.transform import Affine

from landtool.errors import CRSError, LandtoolError, OutsideMongoliaError
from landtool.imagery import ImageryError, open_imagery

UTM48 = "EPSG:32648"
X0, Y0 = 614_000.0, 5_392_000.0  # top-left corner, near the sample's origin (Mandal soum)
GEOD = Geod(ellps="WGS84")


def _write(path, data, *, crs=UTM48, pixel=10.0, x0=X0, y0=Y0, overviews=None, **kw):
    data = np.asarray(data)
    if data.ndim == 2:
        data = data[None]
    path.parent.mkdir(parents=True, exist_ok=True)
    profile = {"driver": "GTiff", "width": data.shape[2], "height": data.shape[1],
               "count": data.shape[0], "dtype": data.dtype.name,
               "transform": Affine(pixel, 0, x0, 0, -pixel, y0), "tiled": True,
               "blockxsize": 256, "blockysize": 256, **kw}
    if crs is not None:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)
        if overviews:
            dst.build_overviews(overviews, Resampling.average)
    return path


def _lonlat_of_utm(x, y):
    return Transformer.from_crs(UTM48, "EPSG:4326", always_xy=True).transform(x, y)


def test_a_bright_utm_pixel_lands_at_its_lon_lat(tmp_path):
    data = np.zeros((3, 256, 256), dtype=np.uint8)
    row, col = 120, 70
    data[:, row, col] = 255
    img = open_imagery(_write(tmp_path / "utm.tif", data))
    # where pyproj puts the pixel's centre
    lon, lat = _lonlat_of_utm(X0 + (col + 0.5) * 10, Y0 - (row + 0.5) * 10)
    # a view about 400 m across around it, 2 m pixels (finer than the raster's 10 m)
    west, east = lon - 0.0027, lon + 0.0027
    south, north = lat - 0.0018, lat + 0.0018
    w, h = 200, 200
    rgba = img.render((west, south, east, north), w, h)
    assert rgba.shape == (h, w, 4)
    bright = np.argwhere(rgba[..., 0] > 200)
    assert len(bright) > 4  # the 10 m pixel covers several 2 m pixels
    r, c = bright.mean(axis=0)
    got_lon = west + (c + 0.5) * (east - west) / w
    got_lat = north - (r + 0.5) * (north - south) / h
    _, _, off = GEOD.inv(lon, lat, got_lon, got_lat)
    assert off < 3.0, f"the bright pixel is drawn {off:.1f} m from where pyproj puts it"
    assert (rgba[..., 3] == 255).all()  # the whole view is inside the raster: opaque


def test_outside_the_raster_is_transparent(tmp_path):
    img = open_imagery(_write(tmp_path / "utm.tif", np.full((3, 64, 64), 90, np.uint8)))
    w_, s_, e_, n_ = img.bounds_lonlat
    span = e_ - w_
    rgba = img.render((w_ - span, s_, e_ + span, n_), 300, 100)  # the raster is the middle
    assert rgba[50, 10, 3] == 0 and rgba[50, 290, 3] == 0
    assert rgba[50, 150, 3] == 255 and rgba[50, 150, 0] == 90


def test_small_scales_read_the_overviews(tmp_path):
    path = _write(tmp_path / "big.tif", np.full((1, 2048, 2048), 50, np.uint8),
                  overviews=[2, 4, 8, 16])
    with rasterio.open(path, "r+") as ds:  # full resolution changed; the overviews not
        ds.write(np.full((1, 2048, 2048), 200, np.uint8))
    img = open_imagery(path)
    assert img.overviews == [2, 4, 8, 16]
    whole = img.render(img.bounds_lonlat, 256, 256)
    inside = whole[..., 3] == 255
    assert inside.mean() > 0.9
    assert set(np.unique(whole[..., 0][inside])) == {50}  # what only the overviews hold
    lon, lat = _lonlat_of_utm(X0 + 10_240, Y0 - 10_240)  # the middle, at full resolution
    d = 0.0005
    near = img.render((lon - d, lat - d, lon + d, lat + d), 200, 200)
    assert set(np.unique(near[..., 0])) == {200}
    # the app's reading (read_view): whole tiles of the overview just finer than the view,
    # about the view's size, never the 2048 x 2048 full resolution
    src = img.read_view(img.bounds_lonlat, 256, 256)
    red = src.packed.view(np.uint8).reshape(*src.packed.shape, 4)[..., 0]
    assert set(np.unique(red[red > 0])) == {50}
    assert max(src.packed.shape) <= 2 * 256 + 2  # overview 1/4 or 1/8 (512 or 256 a side)
    assert abs(src.transform.a) in (40.0, 80.0)  # its pixels: 4 or 8 of the 10 m ones
    src = img.read_view((lon - d, lat - d, lon + d, lat + d), 200, 200)
    assert abs(src.transform.a) == 10.0 and max(src.packed.shape) < 20


def test_a_scene_without_overviews_is_decimated_while_read(tmp_path):
    img = open_imagery(_write(tmp_path / "flat.tif", np.full((1, 3000, 3000), 77, np.uint8)))
    assert img.overviews == [] and "no overviews" in img.describe()
    src = img.read_view(img.bounds_lonlat, 300, 300)  # 10x smaller than the scene
    assert max(src.packed.shape) <= 310  # not the 3000 x 3000 window
    red = src.packed.view(np.uint8).reshape(*src.packed.shape, 4)[..., 0]
    assert set(np.unique(red)) == {77}


def test_sixteen_bit_scene_is_stretched_between_its_percentiles(tmp_path):
    ramp = np.linspace(1000, 3000, 200 * 200).reshape(200, 200).astype(np.uint16)
    data = np.stack([ramp, ramp // 2 + 100, ramp])
    img = open_imagery(_write(tmp_path / "s2.tif", data))
    s = img.stretch
    assert s is not None and s.percentiles == (2.0, 98.0)
    for band, lo, hi in zip(data, s.low, s.high, strict=True):  # read whole: 200 px < 1024
        assert lo == pytest.approx(np.percentile(band, 2), abs=1e-6)
        assert hi == pytest.approx(np.percentile(band, 98), abs=1e-6)
    assert "contrast stretch 2–98 %" in img.describe()
    # one pixel drawn at full resolution: (value - low) / (high - low) * 255
    row, col = 100, 37
    lon, lat = _lonlat_of_utm(X0 + (col + 0.5) * 10, Y0 - (row + 0.5) * 10)
    d = 0.00002
    px = img.render((lon - d, lat - d, lon + d, lat + d), 3, 3)[1, 1]
    v = float(ramp[row, col])
    expected = (v - s.low[0]) / (s.high[0] - s.low[0]) * 255
    assert abs(int(px[0]) - expected) <= 1.0
    assert px[3] == 255


def test_nodata_is_transparent_and_opacity_scales_alpha(tmp_path):
    data = np.full((3, 100, 100), 120, np.uint8)
    data[:, :, :50] = 0  # the west half is nodata
    img = open_imagery(_write(tmp_path / "nd.tif", data, nodata=0))
    lon_w, lat = _lonlat_of_utm(X0 + 250, Y0 - 500)
    lon_e, _ = _lonlat_of_utm(X0 + 750, Y0 - 500)
    d = 0.0001
    west = img.render((lon_w - d, lat - d, lon_w + d, lat + d), 4, 4)
    east = img.render((lon_e - d, lat - d, lon_e + d, lat + d), 4, 4)
    assert (west[..., 3] == 0).all()
    assert (east[..., 3] == 255).all() and (east[..., 0] == 120).all()
    half = img.render((lon_e - d, lat - d, lon_e + d, lat + d), 4, 4, opacity=0.5)
    assert (half[..., 3] == 127).all()


def _tile_lonlat(x: int, y: int, z: int) -> tuple[float, float, float, float]:
    """West, south, east, north of an XYZ tile (the slippy-map formulas, written out)."""
    n = 2 ** z

    def lat(yy):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * yy / n))))

    return x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)


def test_a_folder_of_xyz_tiles(tmp_path):
    from PIL import Image

    z = 12
    # the tile holding 106.6 E 48.65 N, by the formulas
    n = 2 ** z
    tx = int((106.6 + 180) / 360 * n)
    ty = int((1 - math.asinh(math.tan(math.radians(48.65))) / math.pi) / 2 * n)
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            folder = tmp_path / "tiles" / str(z) / str(tx + dx)
            folder.mkdir(parents=True, exist_ok=True)
            colour = (255, 0, 0) if (dx, dy) == (0, 0) else (0, 0, 255)
            Image.new("RGB", (256, 256), colour).save(folder / f"{ty + dy}.png")
    img = open_imagery(tmp_path / "tiles")
    assert img.format == "XYZ tiles"
    w, s, e, n_ = _tile_lonlat(tx, ty, z)
    # a view a little larger than the red tile: red inside it, blue around
    mx, my = (e - w) * 0.25, (n_ - s) * 0.25
    rgba = img.render((w - mx, s - my, e + mx, n_ + my), 300, 300)
    centre = rgba[150, 150]
    assert tuple(centre[:3]) == (255, 0, 0) and centre[3] == 255
    assert tuple(rgba[10, 150, :3]) == (0, 0, 255)  # north of the red tile
    red = np.argwhere(rgba[..., 0] == 255)
    cols = red[:, 1]
    # the red tile's west edge at (w - (w - mx)) / pixel width = 0.25 / 1.5 * 300 = 50
    assert abs(cols.min() - 50) <= 1 and abs(cols.max() + 1 - 250) <= 1


def test_empty_column_folders_of_a_tile_folder_are_ignored(tmp_path):
    from PIL import Image

    # as a half-copied or half-cleaned tile folder has them: 12/3200/ and 12/3300/ empty,
    # the only tile 12/3260/1413.png (over Selenge)
    z, tx, ty = 12, 3260, 1413
    for empty in (3200, 3300):
        (tmp_path / "tiles" / str(z) / str(empty)).mkdir(parents=True)
    (tmp_path / "tiles" / str(z) / str(tx)).mkdir()
    Image.new("RGB", (256, 256), (255, 0, 0)).save(tmp_path / "tiles" / "12" / str(tx) /
                                                     f"{ty}.png")
    img = open_imagery(tmp_path / "tiles")
    # the extent is that one tile's, by the slippy-map formulas (not the empty columns')
    assert img.bounds_lonlat == pytest.approx(_tile_lonlat(tx, ty, z), abs=1e-9)
    assert img.size == (256, 256)


def test_an_mbtiles_file(tmp_path):
    """GDAL's MBTiles driver (in rasterio's wheel) reads the file; written here by GDAL."""
    from rasterio.env import Env

    with Env() as env:
        assert "MBTiles" in env.drivers()
    src = tmp_path / "merc.tif"
    merc = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    x, y = merc.transform(106.6, 48.65)
    data = np.zeros((3, 512, 512), np.uint8)
    data[1] = 200
    _write(src, data, crs="EPSG:3857", pixel=19.109, x0=x - 5000, y0=y + 5000)
    out = tmp_path / "ortho.mbtiles"
    rasterio.shutil.copy(src, out, driver="MBTiles")
    img = open_imagery(out)
    assert img.format == "MBTiles"
    d = 0.002
    px = img.render((106.6 - d, 48.65 - d, 106.6 + d, 48.65 + d), 10, 10)[5, 5]
    assert px[1] == 200 and px[0] == 0 and px[3] == 255


# -- bad input ----------------------------------------------------------------------------------

def _says(exc: LandtoolError, name: str) -> str:
    text = str(exc)
    assert name in text and "What to do" in text, text
    return text


def test_a_raster_without_crs_is_refused(tmp_path):
    path = _write(tmp_path / "nocrs.tif", np.zeros((1, 20, 20), np.uint8), crs=None)
    with pytest.raises(CRSError) as err:
        open_imagery(path)
    assert "no coordinate reference system" in _says(err.value, "nocrs.tif")


def test_a_corrupt_raster_is_refused(tmp_path):
    path = _write(tmp_path / "cut.tif", np.arange(3 * 300 * 300, dtype=np.uint32)
                  .reshape(3, 300, 300).astype(np.uint16))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])  # a copy that stopped a third of the way
    with pytest.raises(ImageryError) as err:
        img = open_imagery(path)
        img.render(img.bounds_lonlat, 100, 100)  # if the header survived, the pixels do not
    _says(err.value, "cut.tif")


def test_not_a_raster_is_refused(tmp_path):
    path = tmp_path / "notes.tif"
    path.write_text("these are not pixels\n")
    with pytest.raises(ImageryError) as err:
        open_imagery(path)
    assert "not a raster" in _says(err.value, "notes.tif")


def test_a_folder_without_tiles_is_refused(tmp_path):
    (tmp_path / "empty" / "12").mkdir(parents=True)
    with pytest.raises(ImageryError) as err:
        open_imagery(tmp_path / "empty")
    assert "no tiles" in _says(err.value, "empty")


def test_a_raster_outside_mongolia_is_refused(tmp_path):
    # the same numbers in UTM zone 33N: central Europe
    path = _write(tmp_path / "europe.tif", np.zeros((1, 20, 20), np.uint8), crs="EPSG:32633")
    with pytest.raises(OutsideMongoliaError) as err:
        open_imagery(path)
    _says(err.value, "europe.tif")


def test_addresses_are_refused_without_a_connection():
    from landtool.io import offline

    mark = offline.refused()
    for source in ("https://example.org/ortho.tif", "/vsicurl/https://example.org/o.tif"):
        with pytest.raises(ImageryError) as err:
            open_imagery(source)
        assert "never downloads" in str(err.value)
    assert offline.refused_since(mark) == []  # refused before GDAL was asked


# -- the workspace remembers its background ----------------------------------------------------

def test_a_geopackage_workspace_remembers_its_background(tmp_path):
    from landtool.workspace import Workspace
    from landtool.workspace.background import (
        BACKGROUND_KEY,
        set_workspace_background,
        workspace_background,
    )

    ws = Workspace.init(tmp_path / "ws" / "w.gpkg")
    assert workspace_background(ws) is None
    inside = _write(tmp_path / "ws" / "img" / "o.tif", np.zeros((1, 8, 8), np.uint8))
    set_workspace_background(ws, inside)
    assert ws.info_values()[BACKGROUND_KEY] == "img/o.tif"  # relative: moves with the folder
    assert workspace_background(ws) == inside.resolve()
    outside = _write(tmp_path / "elsewhere.tif", np.zeros((1, 8, 8), np.uint8))
    set_workspace_background(Workspace(ws.path), outside)
    assert workspace_background(Workspace(ws.path)) == outside.resolve()
    with sqlite3.connect(ws.path) as con:  # one row, not two
        rows = con.execute("SELECT value FROM landtool_workspace WHERE key = ?",
                           (BACKGROUND_KEY,)).fetchall()
    assert rows == [(str(outside.resolve()),)]
    set_workspace_background(ws, None)
    assert workspace_background(ws) is None
    assert ws.info_values()["format_version"] == "1"  # the rest is untouched


def test_a_shared_workspace_remembers_its_background(tmp_path, pg_url):
    from landtool.workspace import Workspace
    from landtool.workspace.background import set_workspace_background, workspace_background
    from landtool.workspace.pg import PgWorkspace
    from landtool.workspace.transfer import pull, push

    folder = tmp_path / "office"
    ws = Workspace.init(folder / "w.gpkg")
    img = _write(folder / "o.tif", np.zeros((1, 8, 8), np.uint8))
    set_workspace_background(ws, img)
    push(ws.path, pg_url)  # the relative path becomes absolute in the database
    shared = PgWorkspace(pg_url)
    assert workspace_background(shared) == img.resolve()
    other = _write(tmp_path / "share" / "b.tif", np.zeros((1, 8, 8), np.uint8))
    set_workspace_background(shared, other)
    assert workspace_background(PgWorkspace(pg_url)) == other.resolve()
    back = pull(pg_url, tmp_path / "back" / "w.gpkg")
    assert workspace_background(back) == other.resolve()
    shared.close()


def test_only_a_shared_workspace_s_owner_changes_its_background(tmp_path, pg_url):
    from landtool.workspace import Workspace
    from landtool.workspace.background import set_workspace_background, workspace_background
    from landtool.workspace.pg import PgWorkspace
    from landtool.workspace.transfer import push
    from landtool.workspace.users import add_user

    ws = Workspace.init(tmp_path / "w.gpkg")
    img = _write(tmp_path / "o.tif", np.zeros((1, 8, 8), np.uint8))
    owner = push(ws.path, pg_url)
    add_user(owner, "imagery_officer", "officer", "po")
    add_user(owner, "imagery_viewer", "viewer", "pv")
    rest = pg_url.split("@", 1)[1]
    for user, password in (("imagery_officer", "po"), ("imagery_viewer", "pv")):
        other = PgWorkspace(f"postgresql://{user}:{password}@{rest}")
        with pytest.raises(LandtoolError) as err:
            set_workspace_background(other, img)
        text = str(err.value)
        assert "refused" in text and user in text and "What to do" in text
        other.close()
    assert workspace_background(PgWorkspace(pg_url)) is None  # nothing changed
    set_workspace_background(owner, img)  # the owner may
    assert workspace_background(PgWorkspace(pg_url)) == img.resolve()
    owner.close()


def test_the_sample_workspace_has_its_synthetic_imagery(sample_ws):
    from landtool.workspace import Workspace
    from landtool.workspace.background import workspace_background

    path = workspace_background(Workspace(sample_ws))
    assert path is not None and path.name == "mandal_imagery.tif"
    assert path.stat().st_size < 4_000_000
    img = open_imagery(path)
    assert img.synthetic and "SYNTHETIC" in img.describe()
    with rasterio.open(path) as ds:
        assert ds.dtypes == ("uint16",) * 3 and ds.crs.to_epsg() == 32648
        assert ds.overviews(1) == [2, 4, 8]
    # it covers every synthetic rehabilitation parcel, and the parcels look disturbed:
    # brighter than the ground around them (bare soil)
    parcels = Workspace(sample_ws).read("rehab_parcels")
    w, s, e, n = parcels.total_bounds
    iw, is_, ie, in_ = img.bounds_lonlat
    assert iw < w and is_ < s and ie > e and in_ > n
    disturbed = parcels[parcels["status"] == "disturbed"].iloc[0].geometry
    c = disturbed.representative_point()
    d = 0.0002
    inside = img.render((c.x - d, c.y - d, c.x + d, c.y + d), 5, 5)[..., :3].mean()
    d2 = 0.05
    around = img.render((c.x - d2, c.y - d2, c.x + d2, c.y + d2), 100, 100)[..., :3].mean()
    assert inside > around + 30


def test_tiles_at_a_scale_far_smaller_than_their_levels_are_not_all_listed(tmp_path):
    """A folder with only zoom 18, seen on the national view: nothing is drawn (and no
    list of millions of tiles is made); at its own scale it is drawn."""
    from PIL import Image

    z, lon, lat = 18, 106.6, 48.65
    n = 2 ** z
    tx = int((lon + 180) / 360 * n)
    ty = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    for dx in range(20):
        folder = tmp_path / "t" / str(z) / str(tx + dx)
        folder.mkdir(parents=True)
        for dy in range(20):
            Image.new("RGB", (256, 256), (10, 200, 10)).save(folder / f"{ty + dy}.png")
    img = open_imagery(tmp_path / "t")
    national = img.render((87.7, 41.5, 120.0, 52.2), 1600, 1000)
    assert not national[..., 3].any()
    w, s, e, n_ = _tile_lonlat(tx + 5, ty + 5, z)
    near = img.render((w, s, e, n_), 64, 64)
    assert (near[..., 1] == 200).all() and (near[..., 3] == 255).all()
