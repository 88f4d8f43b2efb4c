"""The background imagery in the app: drawn under the layers on the canvas (rendered off the
GUI thread), opacity and on/off, remembered by the workspace (File ▸ Add imagery…).

The test raster is one known colour in UTM zone 48N; which screen pixels it covers is computed
here with pyproj and the view's own parameters, and the colours expected are that colour, the
map's paper colour and their blend by hand.
"""

from __future__ import annotations

import os
import shutil
from types import SimpleNamespace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import rasterio  # noqa: E402
from pyproj import Transformer  # noqa: E402
from PySide6.QtGui import QColor, QImage  # noqa: E402
from PySide6.QtWidgets import QMainWindow, QMessageBox  # noqa: E402
from rasterio.transform import Affine  # noqa: E402

from gui.imagery_layer import BackgroundLayer  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402
from gui.map_canvas import MapCanvas  # noqa: E402
from gui.map_renderer import BACKGROUND  # noqa: E402
from gui.map_view import MapView  # noqa: E402
from gui.settings import Settings  # noqa: E402
from landtool.imagery import open_imagery  # noqa: E402
from landtool.workspace import Workspace  # noqa: E402
from landtool.workspace.background import workspace_background  # noqa: E402

pytestmark = pytest.mark.gui

MAGENTA = (230, 20, 200)
X0, Y0, SIDE = 640_000.0, 5_420_000.0, 2_000.0  # a 2 km square north-east of the sample's
LOAD_MS = 60_000


def _square(path):
    data = np.empty((3, 200, 200), np.uint8)
    for b, v in enumerate(MAGENTA):
        data[b] = v
    with rasterio.open(path, "w", driver="GTiff", width=200, height=200, count=3,
                       dtype="uint8", crs="EPSG:32648",
                       transform=Affine(10, 0, X0, 0, -10, Y0)) as dst:
        dst.write(data)
    return path


def _corners_lonlat():
    t = Transformer.from_crs("EPSG:32648", "EPSG:4326", always_xy=True)
    return t.transform([X0, X0 + SIDE, X0, X0 + SIDE], [Y0, Y0, Y0 - SIDE, Y0 - SIDE])


def _canvas_window(qtbot, width, height):
    """A shown window holding only a map canvas."""
    win = QMainWindow()
    canvas = MapCanvas(win)
    win.setCentralWidget(canvas)
    win.resize(width, height)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win, canvas


@pytest.fixture
def canvas(qtbot):
    win, canvas = _canvas_window(qtbot, 600, 500)
    lons, lats = _corners_lonlat()
    pad = 0.02
    bbox = (min(lons) - pad, min(lats) - pad, max(lons) + pad, max(lats) + pad)
    canvas.set_view(MapView.for_bounds(bbox, canvas.width(), canvas.height()))
    yield canvas
    win.close()


def _rgb(image, x, y):
    c = QColor(image.pixel(int(x), int(y)))
    return c.red(), c.green(), c.blue()


def test_the_background_is_drawn_under_the_map_off_the_gui_thread(canvas, qtbot, tmp_path):
    layer = BackgroundLayer(canvas)
    layer.changed.connect(canvas.refresh_underlay)
    canvas.set_underlay(layer.image_for)
    layer.set_imagery(open_imagery(_square(tmp_path / "sq.tif")))
    view = canvas.view
    lons, lats = _corners_lonlat()
    cx, cy = view.to_screen(sum(lons) / 4, sum(lats) / 4)  # the square's middle
    ox, oy = view.to_screen(min(lons) - 0.01, sum(lats) / 4)  # west of it
    paper = (BACKGROUND.red(), BACKGROUND.green(), BACKGROUND.blue())
    first = canvas.render_image(overlays=False)  # asks the thread; nothing to show yet
    assert _rgb(first, cx, cy) == paper
    assert layer.wait_idle()
    qtbot.waitUntil(lambda: _rgb(canvas.render_image(overlays=False), cx, cy) == MAGENTA)
    image = canvas.render_image(overlays=False)
    assert _rgb(image, ox, oy) == paper
    # panning: at once the last picture, moved to where it lies now
    canvas.pan_by(40, 0)
    moved = canvas.render_image(overlays=False)
    assert _rgb(moved, cx + 40, cy) == MAGENTA
    # half opacity: the blend of the colour and the paper, by hand
    assert layer.wait_idle()
    layer.set_opacity(0.5)
    half = _rgb(canvas.render_image(overlays=False), cx + 40, cy)
    for got, a, b in zip(half, MAGENTA, paper, strict=True):
        assert abs(got - (a + b) / 2) <= 2
    layer.set_visible(False)
    assert _rgb(canvas.render_image(overlays=False), cx + 40, cy) == paper
    layer.shutdown()


def test_vector_layers_are_drawn_over_the_background(qtbot, frames, tmp_path):
    _, graphics = frames
    win, canvas = _canvas_window(qtbot, 700, 500)
    canvas.set_layers(list(graphics))
    layer = BackgroundLayer(canvas, synchronous=True)
    canvas.set_underlay(layer.image_for)
    # a raster under the sample's land conclusions
    parcels = frames[0]["land_conclusions"]
    c = parcels.geometry.iloc[0].representative_point()
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32648", always_xy=True).transform(c.x, c.y)
    path = tmp_path / "under.tif"
    data = np.zeros((3, 400, 400), np.uint8)
    data[:] = np.array(MAGENTA, np.uint8)[:, None, None]
    with rasterio.open(path, "w", driver="GTiff", width=400, height=400, count=3,
                       dtype="uint8", crs="EPSG:32648",
                       transform=Affine(10, 0, x - 2000, 0, -10, y + 2000)) as dst:
        dst.write(data)
    layer.set_imagery(open_imagery(path))
    canvas.zoom_to_bounds((c.x - 0.01, c.y - 0.01, c.x + 0.01, c.y + 0.01))
    image = canvas.render_image(overlays=False)
    sx, sy = canvas.view.to_screen(c.x, c.y)
    got = _rgb(image, sx, sy)
    assert got != MAGENTA  # the conclusion's fill is drawn over the imagery ...
    assert abs(got[0] - MAGENTA[0]) < 60 and got[1] < 140  # ... and lets it show through
    assert _rgb(image, 3, 3) == MAGENTA or _rgb(image, 3, image.height() - 3) == MAGENTA


# -- the window ---------------------------------------------------------------------------------

@pytest.fixture
def boxes(monkeypatch, tmp_path):
    monkeypatch.setenv("LANDTOOL_SETTINGS", str(tmp_path / "env-settings.ini"))
    calls = []

    def record(kind):
        def box(parent, title, text, *a, **k):
            calls.append((kind, title, text))
            return QMessageBox.StandardButton.Ok
        return staticmethod(box)

    for kind in ("critical", "information", "warning"):
        monkeypatch.setattr(QMessageBox, kind, record(kind))
    return SimpleNamespace(calls=calls)


def _window(qtbot, path, tmp_path) -> MainWindow:
    win = MainWindow(lang="en", settings=Settings(tmp_path / "settings.ini"))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    with qtbot.waitSignal(win.workspaceLoaded, timeout=LOAD_MS):
        win.open_workspace(path)
    qtbot.waitUntil(lambda: not win.runner.is_busy(), timeout=LOAD_MS)
    return win


def test_the_sample_opens_with_its_synthetic_imagery(qtbot, sample_ws, tmp_path, boxes):
    folder = tmp_path / "ws"
    folder.mkdir()
    for name in (sample_ws.name, "mandal_dem.tif", "mandal_imagery.tif"):
        shutil.copyfile(sample_ws.parent / name, folder / name)
    win = _window(qtbot, folder / sample_ws.name, tmp_path)
    ctl = win.imagery
    assert ctl.path == folder / "mandal_imagery.tif"
    assert ctl.panel.shown.text() == "mandal_imagery.tif" and ctl.panel.shown.isChecked()
    assert "SYNTHETIC" in ctl.panel.shown.toolTip()
    assert "contrast stretch 2–98 %" in ctl.panel.shown.toolTip()
    # the map shows it under the parcels: a pixel of the map at a parcel is not paper
    parcels = win.state.parcels
    c = parcels.geometry.iloc[0].representative_point()
    win.canvas.zoom_to_bounds((c.x - 0.02, c.y - 0.02, c.x + 0.02, c.y + 0.02))
    x, y = win.canvas.view.to_screen(c.x + 0.015, c.y + 0.015)
    paper = (BACKGROUND.red(), BACKGROUND.green(), BACKGROUND.blue())
    win.canvas.render_image()
    assert ctl.layer.wait_idle()
    qtbot.waitUntil(lambda: _rgb(win.canvas.render_image(), x, y) != paper)
    assert boxes.calls == []


def test_add_imagery_is_remembered_and_remove_forgets(qtbot, sample_ws, tmp_path, boxes):
    folder = tmp_path / "ws"
    folder.mkdir()
    ws_path = folder / "w.gpkg"
    shutil.copyfile(sample_ws, ws_path)  # without its imagery: said, not a message box
    win = _window(qtbot, ws_path, tmp_path)
    assert boxes.calls == [] and win.imagery.layer.imagery is None
    assert "does not exist" in win.imagery.panel.note.text()
    square = _square(folder / "sq.tif")
    with qtbot.waitSignal(win.imagery.loaded, timeout=LOAD_MS):
        win.imagery.open(square)
    assert workspace_background(Workspace(ws_path)) == square.resolve()
    assert Workspace(ws_path).info_values()["background"] == "sq.tif"
    win.imagery.remove()
    qtbot.waitUntil(lambda: not win.runner.is_busy(), timeout=LOAD_MS)
    assert workspace_background(Workspace(ws_path)) is None
    bad = folder / "nocrs.tif"
    with rasterio.open(bad, "w", driver="GTiff", width=4, height=4, count=1,
                       dtype="uint8", transform=Affine(10, 0, X0, 0, -10, Y0)) as dst:
        dst.write(np.zeros((1, 4, 4), np.uint8))
    with qtbot.waitSignal(win.imagery.failed, timeout=LOAD_MS):
        win.imagery.open(bad)
    assert len(boxes.calls) == 1 and "nocrs.tif" in boxes.calls[0][2]
    assert "no coordinate reference system" in boxes.calls[0][2]
    assert workspace_background(Workspace(ws_path)) is None  # nothing remembered
    assert win.imagery.act_add.text() == "Add &imagery…"


def test_the_app_s_warp_agrees_with_gdal_s(qtbot, tmp_path):
    """The canvas draws the imagery's own pixels through Qt, tile by tile; the printed map
    reprojects with GDAL's warper. On a checkerboard of 120 m squares in UTM the two agree on
    nearly every pixel (they may differ by one pixel along the squares' edges)."""
    data = np.zeros((3, 300, 300), np.uint8)
    yy, xx = np.mgrid[0:300, 0:300]
    checker = ((yy // 12 + xx // 12) % 2 * 200 + 30).astype(np.uint8)
    data[0], data[1], data[2] = checker, 255 - checker, (xx // 12 * 10) % 256
    path = tmp_path / "checker.tif"
    with rasterio.open(path, "w", driver="GTiff", width=300, height=300, count=3,
                       dtype="uint8", crs="EPSG:32648",
                       transform=Affine(10, 0, X0, 0, -10, Y0)) as dst:
        dst.write(data)
    imagery = open_imagery(path)
    layer = BackgroundLayer(synchronous=True)
    lons, lats = _corners_lonlat()
    for span in (0.004, 0.02, 0.06):  # 2 screen pixels a source pixel, about 1, about 1/3
        c = (sum(lons) / 4, sum(lats) / 4)
        view = MapView.for_bounds((c[0] - span, c[1] - span / 1.5, c[0] + span,
                                   c[1] + span / 1.5), 640, 400)
        qt = layer.render_view(view, imagery).convertToFormat(QImage.Format.Format_RGBA8888)
        ours = np.frombuffer(qt.constBits(), np.uint8).reshape(400, 640, 4)
        gdal = imagery.render(view.bounds(), 640, 400)
        same = (ours == gdal).all(axis=-1).mean()
        assert same > 0.97, (span, same)


def test_the_app_draws_tiles_and_mbtiles(qtbot, tmp_path):
    """A folder of XYZ tiles and an MBTiles file through the canvas's own path (read_view,
    then Qt): the colour at a known lon/lat is the tile's."""
    import math

    import rasterio.shutil
    from PIL import Image

    z = 12
    n = 2 ** z
    lon, lat = 106.6, 48.65
    tx = int((lon + 180) / 360 * n)  # the slippy-map formulas
    ty = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            folder = tmp_path / "tiles" / str(z) / str(tx + dx)
            folder.mkdir(parents=True, exist_ok=True)
            colour = MAGENTA if (dx, dy) == (0, 0) else (0, 0, 255)
            Image.new("RGB", (256, 256), colour).save(folder / f"{ty + dy}.png")
    # the middle of that tile
    mid_lon = (tx + 0.5) / n * 360 - 180
    mid_lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (ty + 0.5) / n))))
    layer = BackgroundLayer(synchronous=True)
    d = 0.01
    view = MapView.for_bounds((mid_lon - d, mid_lat - d, mid_lon + d, mid_lat + d), 300, 300)
    image = layer.render_view(view, open_imagery(tmp_path / "tiles"))
    x, y = view.to_screen(mid_lon, mid_lat)
    assert _rgb(image, x, y) == MAGENTA
    # the same picture as an MBTiles file, written by GDAL from a GeoTIFF in Web Mercator
    merc = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    mx, my = merc.transform(mid_lon, mid_lat)
    src = tmp_path / "merc.tif"
    data = np.empty((3, 256, 256), np.uint8)
    for b, v in enumerate(MAGENTA):
        data[b] = v
    with rasterio.open(src, "w", driver="GTiff", width=256, height=256, count=3,
                       dtype="uint8", crs="EPSG:3857",
                       transform=Affine(20, 0, mx - 2560, 0, -20, my + 2560)) as dst:
        dst.write(data)
    rasterio.shutil.copy(src, tmp_path / "o.mbtiles", driver="MBTiles")
    image = layer.render_view(view, open_imagery(tmp_path / "o.mbtiles"))
    assert _rgb(image, x, y) == MAGENTA
