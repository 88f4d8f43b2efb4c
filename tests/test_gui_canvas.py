"""The map canvas bound to the application model: layers redrawn on edits, requests coloured
by their check, the overlays (selection, eligible part, conflicts), clicks and zooms.

Each test builds an AppState and a MapCanvas in a plain QMainWindow over a copy of the sample
workspace. Screen positions are computed here from the view's parameters.
"""

from __future__ import annotations

import math
import os
import shutil
from datetime import date
from types import SimpleNamespace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import shapely  # noqa: E402
from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtGui import QColor, QImage  # noqa: E402
from PySide6.QtWidgets import QMainWindow  # noqa: E402

from gui.map_canvas import MapCanvas  # noqa: E402
from gui.overlays import FLASHES  # noqa: E402
from gui.state import AppState  # noqa: E402
from gui.style import STATUS_COLORS  # noqa: E402
from gui.tools import ToolMode, install_editing  # noqa: E402
from landtool.workspace import Workspace  # noqa: E402

pytestmark = pytest.mark.gui

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def app(qtbot, sample_ws, frames, tmp_path):
    path = tmp_path / "ws.gpkg"
    shutil.copyfile(sample_ws, path)
    ws = Workspace(path)
    state = AppState(lang="en")
    state.as_of = date(2026, 11, 23)
    window = QMainWindow()
    canvas = MapCanvas()
    window.setCentralWidget(canvas)
    window.resize(1000, 700)
    qtbot.addWidget(window)
    canvas.bind(state)
    canvas.set_layers(frames[1])
    state.set_workspace(ws, frames[0])
    window.show()
    qtbot.waitExposed(window)
    yield SimpleNamespace(state=state, canvas=canvas, window=window)
    state.undo_stack.clear()  # while every listener is still alive


def _at(canvas: MapCanvas, lon: float, lat: float) -> QPoint:
    v = canvas.view
    x_scale = v.px_per_deg * math.cos(math.radians(v.ref_lat))
    return QPoint(round(v.width / 2 + (lon - v.center_lon) * x_scale),
                  round(v.height / 2 - (lat - v.center_lat) * v.px_per_deg))


def _lonlat(canvas: MapCanvas, p: QPoint) -> tuple[float, float]:
    v = canvas.view
    x_scale = v.px_per_deg * math.cos(math.radians(v.ref_lat))
    return (v.center_lon + (p.x() - v.width / 2) / x_scale,
            v.center_lat - (p.y() - v.height / 2) / v.px_per_deg)


def _pixels(image: QImage, canvas: MapCanvas, geom, n: int = 40) -> np.ndarray:
    """RGB of ``n`` points inside ``geom`` at least 4 pixels from its edges."""
    inner = geom.buffer(-4 / canvas.view.px_per_deg)
    rng = np.random.default_rng(0)
    west, south, east, north = inner.bounds
    out = []
    while len(out) < n:
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if inner.contains(shapely.Point(lon, lat)):
            p = _at(canvas, lon, lat)
            c = QColor(image.pixel(p.x(), p.y()))
            out.append((c.red(), c.green(), c.blue()))
    return np.array(out, dtype=float)


def _conflict(state, rid="REQ-2026-005"):
    ((conflict,),) = [r.conflicts for r in state.results[rid].results if r.status == "fail"]
    return conflict


# -- bound to the model -----------------------------------------------------------------------
def test_requests_are_coloured_by_their_check(app):
    state, canvas = app.state, app.canvas
    graphics = canvas.layer("requests")
    ids = list(state.requests["request_id"])
    assert list(graphics.status) == [state.results[i].status for i in ids]
    assert {"pass", "warn", "fail"} <= set(graphics.status)
    state.select("REQ-2026-001")  # passes
    canvas.zoom_to_selection()
    image = canvas.render_image(overlays=False)
    geom = state.row("REQ-2026-001").geometry
    x, y = _at(canvas, *geom.geoms[0].exterior.coords[0]).toTuple()
    green = QColor(STATUS_COLORS["pass"])
    near = [QColor(image.pixel(x + dx, y + dy)) for dx in range(-2, 3) for dy in range(-2, 3)]
    assert any(abs(c.red() - green.red()) + abs(c.green() - green.green())
               + abs(c.blue() - green.blue()) < 60 for c in near)


def test_an_edit_rebuilds_only_the_requests_layer(app, qtbot):
    state, canvas = app.state, app.canvas
    before = {g.name: g for g in canvas.layers()}
    geom = state.row("REQ-2026-001").geometry
    moved = shapely.affinity.translate(geom, 0.01, 0.0)
    with qtbot.waitSignal(state.resultsChanged):
        state.edit_geometry("REQ-2026-001", moved)
    after = {g.name: g for g in canvas.layers()}
    assert [n for n in after if after[n] is not before[n]] == ["requests"]
    row = list(state.requests["request_id"]).index("REQ-2026-001")
    assert after["requests"].bboxes[row] == pytest.approx(moved.bounds)
    state.undo_stack.undo()
    assert canvas.layer("requests").bboxes[row] == pytest.approx(geom.bounds)


def test_selected_request_with_its_eligible_part_and_conflict(app, qtbot, tmp_path):
    state, canvas = app.state, app.canvas
    overlays = canvas.overlays
    assert overlays.selected is None
    state.select("REQ-2026-005")
    result = state.results["REQ-2026-005"]
    assert overlays.selected is not None and overlays.eligible is not None
    assert overlays.eligible_label[0] == f"eligible part {result.eligible_area_ha:.2f} ha"
    assert overlays.eligible_label[0] == "eligible part 1.68 ha"
    conflict = _conflict(state)
    assert [(c.layer, c.feature_id) for c, _ in overlays.conflicts] == [
        ("licenses", "MV-00005082")]
    assert canvas.zoom_to_selection()
    plain = canvas.render_image(overlays=False)
    image = canvas.render_image()
    image.save(str(tmp_path / "req005.png"))
    in_conflict = _pixels(image, canvas, conflict.geometry)
    assert (in_conflict[:, 0] > in_conflict[:, 1] + 40).mean() > 0.9  # red over the licence
    eligible = result.eligible_part.buffer(0)
    hatched = _pixels(image, canvas, eligible, n=200)
    under = _pixels(plain, canvas, eligible, n=200)
    assert (np.abs(hatched - under).sum(axis=1) > 30).mean() > 0.05  # the hatch lines
    state.set_language("mn")
    assert overlays.eligible_label[0] == "Олгох боломжтой хэсэг 1.68 га"
    state.select(None)
    assert overlays.selected is None and overlays.conflicts == []
    assert canvas.render_image() == plain  # nothing drawn over the map now


def test_a_highlighted_conflict_flashes_is_brought_into_view_and_follows_rechecks(app, qtbot):
    state, canvas = app.state, app.canvas
    overlays = canvas.overlays
    state.select("REQ-2026-005")
    conflict = _conflict(state)
    canvas.zoom_to_all()
    canvas.zoom_to_bounds((116.0, 46.0, 117.0, 47.0))  # far away, in the east
    changes = []
    overlays.changed.connect(lambda: changes.append(overlays.flash_on))
    state.highlight(conflict)
    west, south, east, north = canvas.view.bounds()
    b = conflict.geometry.bounds
    assert west <= b[0] and south <= b[1] and east >= b[2] and north >= b[3]
    overlap, feature = overlays.highlight_paths
    assert overlap is not None and feature is not None  # the whole licence is outlined
    qtbot.waitUntil(lambda: not overlays._timer.isActive(), timeout=5000)
    assert changes.count(True) >= FLASHES // 2 and changes[-1] is False
    # a re-check makes new result objects: the highlight follows the same licence
    with qtbot.waitSignal(state.resultsChanged):
        state.recheck(["REQ-2026-005"])
    assert overlays.highlighted is not conflict
    assert (overlays.highlighted.layer, overlays.highlighted.feature_id) == (
        "licenses", "MV-00005082")
    state.highlight(None)
    assert overlays.highlighted is None and overlays.highlight_paths == (None, None)


# -- mouse ------------------------------------------------------------------------------------
def test_a_click_is_reported_and_a_drag_is_not(app, qtbot):
    canvas = app.canvas
    p = QPoint(321, 234)
    expected = _lonlat(canvas, p)
    with qtbot.waitSignal(canvas.clicked) as blocker:
        qtbot.mouseClick(canvas, LEFT, pos=p)
    assert blocker.args == pytest.approx(list(expected), abs=1e-9)
    got = []
    canvas.clicked.connect(lambda lon, lat: got.append((lon, lat)))
    view = canvas.view
    qtbot.mousePress(canvas, LEFT, pos=p)
    qtbot.mouseMove(canvas, p + QPoint(40, 25))
    qtbot.mouseRelease(canvas, LEFT, pos=p + QPoint(40, 25))
    assert got == [] and canvas.view != view
    qtbot.mousePress(canvas, LEFT, pos=p)  # a jitter of two pixels is still a click
    qtbot.mouseRelease(canvas, LEFT, pos=p + QPoint(2, 1))
    assert len(got) == 1


def test_no_click_is_reported_while_drawing(app, qtbot):
    state, canvas = app.state, app.canvas
    tools = install_editing(app.window, state, canvas)
    got = []
    canvas.clicked.connect(lambda lon, lat: got.append((lon, lat)))
    tools.set_mode(ToolMode.DRAW)
    qtbot.mouseClick(canvas, LEFT, pos=QPoint(300, 300))
    assert got == [] and len(tools.draw_tool.corners) == 1
    tools.set_mode(ToolMode.NAVIGATE)
    assert tools.draw_tool.corners == [] and canvas.tool is None
    qtbot.mouseClick(canvas, LEFT, pos=QPoint(300, 300))
    assert len(got) == 1


# -- zooming ----------------------------------------------------------------------------------
def test_zoom_to_layer(app):
    canvas = app.canvas
    canvas.zoom_to_layer("requests")
    bounds = app.state.requests.total_bounds
    west, south, east, north = canvas.view.bounds()
    assert west <= bounds[0] and south <= bounds[1] and east >= bounds[2] and north >= bounds[3]
    # fitted: the layer fills the view in one direction, less the 4 % margins
    assert max((bounds[2] - bounds[0]) / (east - west),
               (bounds[3] - bounds[1]) / (north - south)) == pytest.approx(0.92, abs=0.01)
    with pytest.raises(KeyError):
        canvas.zoom_to_layer("no such layer")


def test_zoom_to_selection(app):
    state, canvas = app.state, app.canvas
    assert canvas.zoom_to_selection() is False
    state.select("REQ-2026-005")
    assert canvas.zoom_to_selection() is True
    b = state.row("REQ-2026-005").geometry.bounds
    west, south, east, north = canvas.view.bounds()
    assert west < b[0] and south < b[1] and east > b[2] and north > b[3]
    # the request with as much again on each side: about a third of the view
    share = max((b[2] - b[0]) / (east - west), (b[3] - b[1]) / (north - south))
    assert 0.2 < share <= 0.92 / 3


def test_add_layer_keeps_the_view_and_what_is_hidden(app, qtbot, frames):
    canvas = app.canvas
    (streams,) = [g for g in frames[1] if g.name == "streams"]
    canvas.set_layers([g for g in frames[1] if g.name != "streams"])
    canvas.zoom_to_layer("requests")
    canvas.set_layer_visible("soums", False)
    view = canvas.view
    with qtbot.waitSignal(canvas.layersChanged):
        canvas.add_layer(streams)
    assert canvas.view == view and not canvas.is_layer_visible("soums")
    names = [g.name for g in canvas.layers()]
    assert names.index("streams") < names.index("licenses")  # drawn under the licences


# -- rehabilitation parcels ---------------------------------------------------------------------
def test_parcels_are_drawn_by_status_and_redrawn_when_it_changes(app, qtbot):
    from datetime import date

    from gui.map_canvas import padded
    from gui.style import PARCEL_COLORS
    from landtool.rehab.chart import COLOURS

    assert PARCEL_COLORS == COLOURS  # the map's colours are the status chart's
    state, canvas = app.state, app.canvas
    parcels = state.parcels.set_index("parcel_id")
    geom = parcels.loc["RP-011", "geometry"]
    canvas.zoom_to_bounds(padded(geom.bounds, 0.3))
    graphics = canvas.layer(state.parcels_layer)
    assert list(graphics.status) == list(state.parcels["status"])

    def mean_rgb() -> np.ndarray:
        return _pixels(canvas.render_image(overlays=False), canvas, geom).mean(axis=0)

    disturbed = mean_rgb()  # dark red, #b2182b over the background
    assert disturbed[0] > disturbed[1] + 60 and disturbed[0] > disturbed[2] + 40
    with qtbot.waitSignal(state.parcelsChanged):
        state.change_parcel_status("RP-011", "technical_in_progress", date(2026, 6, 1))
    in_progress = mean_rgb()  # #ef8a62: lighter and more orange
    assert in_progress[1] > disturbed[1] + 40 and in_progress[0] > disturbed[0]
    with qtbot.waitSignal(state.parcelsChanged):
        state.undo_stack.undo()
    assert np.allclose(mean_rgb(), disturbed, atol=1)
