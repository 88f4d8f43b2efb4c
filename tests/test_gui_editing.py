"""Editing requests on the canvas, driven by simulated mouse and keys over a real model.

Each test builds its own AppState and MapCanvas in a plain QMainWindow (not the application
window) on a copy of the sample workspace. Positions are clicked at the screen point of a
lon/lat computed here from the view's parameters; expected geometries and areas are computed
here with shapely and pyproj, not by the code under test.
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
from pyproj import Geod  # noqa: E402
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow  # noqa: E402

from gui.layer_graphics import build_workspace_graphics  # noqa: E402
from gui.map_canvas import MapCanvas, padded  # noqa: E402
from gui.state import AppState  # noqa: E402
from gui.tools import ToolMode, install_editing  # noqa: E402
from landtool.io.corners import format_corner_list  # noqa: E402
from landtool.workspace import Workspace  # noqa: E402

pytestmark = pytest.mark.gui

LEFT, RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton
#: a box inside licence MV-00005082, north of REQ-2026-005, touching no request
OVER_LICENCE = (106.5600, 48.6436, 106.5624, 48.6450)
#: a free box in Mandal soum, away from every licence and request (for the pasted list)
FREE = (106.5285, 48.6700, 106.5305, 48.6712)


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
    canvas.set_layers(frames[1])
    state.set_workspace(ws, frames[0])
    tools = install_editing(window, state, canvas)
    window.show()
    qtbot.waitExposed(window)
    yield SimpleNamespace(state=state, canvas=canvas, tools=tools, window=window)
    state.undo_stack.clear()  # while every listener is still alive


def _at(canvas: MapCanvas, lon: float, lat: float) -> QPoint:
    """The widget pixel of (lon, lat), from the view's parameters (equirectangular)."""
    v = canvas.view
    x_scale = v.px_per_deg * math.cos(math.radians(v.ref_lat))
    return QPoint(round(v.width / 2 + (lon - v.center_lon) * x_scale),
                  round(v.height / 2 - (lat - v.center_lat) * v.px_per_deg))


def _lonlat(canvas: MapCanvas, p: QPoint) -> tuple[float, float]:
    v = canvas.view
    x_scale = v.px_per_deg * math.cos(math.radians(v.ref_lat))
    return (v.center_lon + (p.x() - v.width / 2) / x_scale,
            v.center_lat - (p.y() - v.height / 2) / v.px_per_deg)


def _hover(canvas: MapCanvas, p: QPoint) -> None:
    """Move the mouse with no button down. (QTest moves the platform cursor for this, which
    the offscreen platform places some pixels off; a drag's moves are sent directly.)"""
    event = QMouseEvent(QEvent.Type.MouseMove, QPointF(p), QPointF(canvas.mapToGlobal(p)),
                        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(canvas, event)


def _failing(state, rid):
    return {r.rule for r in state.results[rid].results if r.status == "fail"}


def _corners(geom) -> list[tuple[float, float]]:
    (poly,) = getattr(geom, "geoms", [geom])
    return list(poly.exterior.coords[:-1])


def _near(a, b, tol=1e-9) -> bool:
    return np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=0, atol=tol)


def _geodesic_ha(polygon) -> float:
    area, _ = Geod(ellps="WGS84").geometry_area_perimeter(shapely.geometry.polygon.orient(polygon))
    return abs(area) / 10_000


# -- drawing a new request ------------------------------------------------------------------
def test_drawing_a_request_over_a_licence_fails_live_and_undo_removes_it(app, qtbot):
    state, canvas, tools = app.state, app.canvas, app.tools
    canvas.zoom_to_bounds(padded(OVER_LICENCE, 1.0))
    before = set(state.requests["request_id"])
    tools.draw_action.trigger()
    assert tools.mode is ToolMode.DRAW and canvas.tool is tools.draw_tool
    west, south, east, north = OVER_LICENCE
    corners = [(west, south), (east, south), (east, north), (west, north)]
    clicks = [_at(canvas, *c) for c in corners]
    for p in clicks[:3]:
        qtbot.mouseClick(canvas, LEFT, pos=p)
    assert len(tools.draw_tool.corners) == 3
    with qtbot.waitSignal(state.requestsChanged):
        qtbot.mouseDClick(canvas, LEFT, pos=clicks[3])
    (rid,) = set(state.requests["request_id"]) - before
    assert state.selected == rid and tools.draw_tool.corners == []
    expected = [_lonlat(canvas, p) for p in clicks]
    assert _near(_corners(state.row(rid).geometry), expected)
    assert "no_valid_licence" in _failing(state, rid)
    conflicts = canvas.overlays.conflicts
    assert any(c.layer == "licenses" and c.feature_id == "MV-00005082" for c, _ in conflicts)
    assert canvas.layer("requests").status[list(state.requests["request_id"]).index(rid)] \
        == "fail"
    assert state.undo_stack.count() == 1
    tools.undo_action.trigger()
    assert rid not in set(state.requests["request_id"]) and rid not in state.results
    assert canvas.overlays.conflicts == [] and state.selected is None
    tools.redo_action.trigger()
    assert rid in state.results


def test_escape_cancels_drawing_and_enter_finishes(app, qtbot):
    state, canvas, tools = app.state, app.canvas, app.tools
    canvas.zoom_to_bounds(padded(OVER_LICENCE, 1.0))
    tools.set_mode(ToolMode.DRAW)
    west, south, east, north = OVER_LICENCE
    for c in [(west, south), (east, south)]:
        qtbot.mouseClick(canvas, LEFT, pos=_at(canvas, *c))
    assert len(tools.draw_tool.corners) == 2
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    assert tools.draw_tool.corners == [] and state.undo_stack.count() == 0
    messages = []
    tools.message.connect(messages.append)
    for c in [(west, south), (east, south)]:
        qtbot.mouseClick(canvas, LEFT, pos=_at(canvas, *c))
    qtbot.keyClick(canvas, Qt.Key.Key_Return)  # two corners are not a polygon
    assert messages == ["A request needs at least 3 corners"] and state.undo_stack.count() == 0
    qtbot.mouseClick(canvas, LEFT, pos=_at(canvas, east, north))
    qtbot.keyClick(canvas, Qt.Key.Key_Backspace)
    assert len(tools.draw_tool.corners) == 2
    qtbot.mouseClick(canvas, LEFT, pos=_at(canvas, west, north))
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    assert state.undo_stack.count() == 1 and len(_corners(state.row(state.selected).geometry)) == 3


def test_a_crossing_boundary_is_not_added(app, qtbot):
    state, canvas, tools = app.state, app.canvas, app.tools
    canvas.zoom_to_bounds(padded(OVER_LICENCE, 1.0))
    tools.set_mode(ToolMode.DRAW)
    west, south, east, north = OVER_LICENCE
    messages = []
    tools.message.connect(messages.append)
    for c in [(west, south), (east, north), (east, south), (west, north)]:  # a bow tie
        qtbot.mouseClick(canvas, LEFT, pos=_at(canvas, *c))
    qtbot.keyClick(canvas, Qt.Key.Key_Enter)
    assert messages == ["Refused: the boundary would cross itself"]
    assert state.undo_stack.count() == 0 and len(tools.draw_tool.corners) == 4


# -- editing corners --------------------------------------------------------------------------
def _edit(app, rid="REQ-2026-001"):
    app.state.select(rid)
    app.canvas.zoom_to_selection()
    app.tools.edit_action.trigger()
    assert app.canvas.tool is app.tools.vertex_tool
    return _corners(app.state.row(rid).geometry)


def test_dragging_a_corner_rechecks_live_and_is_one_undo_step(app, qtbot):
    state, canvas = app.state, app.canvas
    corners = _edit(app)
    original = state.row("REQ-2026-001").geometry
    start = _at(canvas, *corners[2])
    path = [start + QPoint(6 * k, -4 * k) for k in range(1, 6)]
    qtbot.mousePress(canvas, LEFT, pos=start)
    previews = []
    state.resultsChanged.connect(lambda: previews.append(state.row("REQ-2026-001").geometry))
    for p in path:
        with qtbot.waitSignal(state.resultsChanged, timeout=2000):
            qtbot.mouseMove(canvas, p)
    assert len(previews) == len(path) and state.undo_stack.count() == 0  # live, no undo step
    assert _near(_corners(previews[-1])[2], _lonlat(canvas, path[-1]))
    with qtbot.waitSignal(state.resultsChanged):
        qtbot.mouseRelease(canvas, LEFT, pos=path[-1])
    assert state.undo_stack.count() == 1
    moved = _corners(state.row("REQ-2026-001").geometry)
    assert _near(moved[2], _lonlat(canvas, path[-1]))
    assert moved[:2] + moved[3:] == corners[:2] + corners[3:]
    assert state.results["REQ-2026-001"].area_ha > _geodesic_ha(shapely.Polygon(corners))
    state.undo_stack.undo()
    assert state.row("REQ-2026-001").geometry.equals_exact(original, 0.0)


def test_a_drag_that_would_cross_the_boundary_is_refused(app, qtbot):
    state, canvas, tools = app.state, app.canvas, app.tools
    corners = _edit(app)
    original = state.row("REQ-2026-001").geometry
    messages = []
    tools.message.connect(messages.append)
    # corner 0 dragged beyond the opposite edge (corners 1-2): the ring would cross itself
    (x0, y0), (x1, y1), (x2, y2) = corners[0], corners[1], corners[2]
    beyond = (x1 + x2) / 2 + (x1 + x2 - 2 * x0) * 0.3, (y1 + y2) / 2 + (y1 + y2 - 2 * y0) * 0.3
    assert not shapely.Polygon([beyond, *corners[1:]]).is_valid
    qtbot.mousePress(canvas, LEFT, pos=_at(canvas, *corners[0]))
    qtbot.mouseMove(canvas, _at(canvas, *beyond))
    qtbot.mouseRelease(canvas, LEFT, pos=_at(canvas, *beyond))
    assert messages == ["Refused: the boundary would cross itself"]
    assert state.undo_stack.count() == 0
    assert state.row("REQ-2026-001").geometry.equals_exact(original, 0.0)


def test_deleting_and_adding_corners(app, qtbot):
    state, canvas, tools = app.state, app.canvas, app.tools
    corners = _edit(app)
    assert len(corners) == 4
    qtbot.mouseClick(canvas, RIGHT, pos=_at(canvas, *corners[1]))
    assert _corners(state.row("REQ-2026-001").geometry) == [corners[0], *corners[2:]]
    assert state.undo_stack.count() == 1
    messages = []
    tools.message.connect(messages.append)
    _hover(canvas, _at(canvas, *corners[2]))  # then the Delete key
    assert tools.vertex_tool.hovered == (0, 0, 1)
    qtbot.keyClick(canvas, Qt.Key.Key_Delete)
    assert messages == ["Refused: a boundary keeps at least 3 corners"]
    assert len(_corners(state.row("REQ-2026-001").geometry)) == 3
    state.undo_stack.undo()
    # a double-click on the middle of the edge from corner 0 to 1 adds a corner there
    middle = ((corners[0][0] + corners[1][0]) / 2, (corners[0][1] + corners[1][1]) / 2)
    click = _at(canvas, *middle)
    with qtbot.waitSignal(state.resultsChanged):
        qtbot.mouseDClick(canvas, LEFT, pos=click)
    now = _corners(state.row("REQ-2026-001").geometry)
    assert len(now) == 5 and now[0] == corners[0] and now[2:] == corners[1:]
    px_per_deg = canvas.view.px_per_deg
    assert math.dist(now[1], middle) * px_per_deg < 2  # within a pixel or so of the click
    assert state.undo_stack.count() == 1  # the addition replaced the undone deletion
    state.undo_stack.undo()
    assert _corners(state.row("REQ-2026-001").geometry) == corners


def test_delete_request_action(app):
    state, tools = app.state, app.tools
    assert not tools.delete_action.isEnabled()
    state.select("REQ-2026-007")
    assert tools.delete_action.isEnabled()
    tools.delete_action.trigger()
    assert "REQ-2026-007" not in set(state.requests["request_id"])
    tools.undo_action.trigger()
    assert "REQ-2026-007" in set(state.requests["request_id"])


# -- pasting a corner list ---------------------------------------------------------------------
def test_pasting_a_corner_list_adds_a_request(app, qtbot):
    state, canvas, tools = app.state, app.canvas, app.tools
    box = shapely.box(*FREE)
    text = format_corner_list([("Шинэ талбай", box)], lang="mn")
    tools.paste_action.trigger()
    dialog = tools.paste_dialog
    qtbot.waitExposed(dialog)
    assert dialog.isModal() or dialog.windowModality() != Qt.WindowModality.NonModal
    assert not dialog.ok_button.isEnabled()
    dialog.set_text("1\t106°31'42\"\n2\t106 31 48")  # a corner without its latitude
    assert not dialog.ok_button.isEnabled() and "Cannot read the list" in dialog.error_label.text()
    dialog.set_text(text)
    assert dialog.ok_button.isEnabled() and dialog.error_label.text() == ""
    expected_ha = _geodesic_ha(box)
    assert "1 polygon(s): Шинэ талбай: 4 corners" in dialog.preview.text()
    shown = float(dialog.preview.text().split("corners, ")[1].split(" ha")[0])
    assert shown == pytest.approx(expected_ha, abs=0.01)
    before = set(state.requests["request_id"])
    with qtbot.waitSignal(dialog.finished):
        qtbot.mouseClick(dialog.ok_button, LEFT)
    (rid,) = set(state.requests["request_id"]) - before
    assert dialog.added == [rid] and state.selected == rid and state.undo_stack.count() == 1
    got = state.row(rid).geometry
    assert got.symmetric_difference(box).area < 1e-4 * box.area  # DMS to 0.01" is ~0.3 m
    assert rid in state.results
    west, south, east, north = canvas.view.bounds()
    assert west < FREE[0] and east > FREE[2] and south < FREE[1] and north > FREE[3]
    tools.undo_action.trigger()
    assert rid not in set(state.requests["request_id"])


def test_a_list_file_naming_pulkovo_is_read_as_pulkovo(app, qtbot, tmp_path):
    box = shapely.box(*FREE)
    text = "Солбицлын систем: Пулково 1942\n" + format_corner_list([("A", box)], lang="en")
    path = tmp_path / "list.txt"
    path.write_bytes(text.encode("utf-16"))  # as Excel saves "Unicode text"
    dialog = app.tools.open_paste_dialog()
    dialog.read_file(path)
    assert dialog.text_edit.toPlainText() == text
    assert dialog.datum_box.currentText() == "Pulkovo 1942"
    ((_name, polygon),) = dialog.polygons
    shift = math.dist(polygon.exterior.coords[0], box.exterior.coords[0]) * 111_000
    assert 20 < shift < 200  # the datum shift, tens of metres
    dialog.reject()


# -- actions -------------------------------------------------------------------------------------
def test_actions_shortcuts_and_languages(app):
    tools = app.tools
    actions = tools.actions()
    assert actions[:5] == [tools.navigate_action, tools.draw_action, tools.edit_action,
                           tools.paste_action, tools.delete_action]
    assert actions[5:] == [tools.undo_action, tools.redo_action]
    assert [s.toString() for s in tools.undo_action.shortcuts()] == ["Ctrl+Z"]
    assert [s.toString() for s in tools.redo_action.shortcuts()] == ["Ctrl+Shift+Z", "Ctrl+Y"]
    assert tools.navigate_action.isChecked()
    tools.edit_action.trigger()
    assert tools.edit_action.isChecked() and not tools.navigate_action.isChecked()
    tools.retranslate("mn")
    assert tools.draw_action.text() == "Хүсэлт &зурах" and tools.undo_action.text() == "&Буцаах"
    app.state.select("REQ-2026-007")
    app.state.delete_request("REQ-2026-007")
    assert tools.undo_action.text() == "&Буцаах delete REQ-2026-007"
    tools.retranslate("en")
    assert tools.undo_action.text() == "&Undo delete REQ-2026-007"


def test_the_first_request_of_a_workspace_without_requests_gets_a_layer(qtbot, tmp_path):
    from landtool.io.load import load_layer
    from landtool.paths import sample_data_dir

    ws = Workspace.init(tmp_path / "licences.gpkg")
    ws.add(load_layer(sample_data_dir() / "real" / "licenses_eiti.gpkg", "licences"),
           name="licences")
    frames = {"licences": ws.read("licences")}
    state = AppState(lang="en")
    window = QMainWindow()
    canvas = MapCanvas()
    window.setCentralWidget(canvas)
    window.resize(800, 600)
    qtbot.addWidget(window)
    canvas.set_layers(build_workspace_graphics(ws.layers(), frames))
    state.set_workspace(ws, frames)
    tools = install_editing(window, state, canvas)
    assert [g.name for g in canvas.layers()] == ["licences"] and state.requests_layer is None
    canvas.zoom_to_bounds(padded(FREE, 1.0))
    tools.set_mode(ToolMode.DRAW)
    west, south, east, north = FREE
    for c in [(west, south), (east, south), (east, north)]:
        qtbot.mouseClick(canvas, LEFT, pos=_at(canvas, *c))
    with qtbot.waitSignal(canvas.layersChanged):
        qtbot.keyClick(canvas, Qt.Key.Key_Return)
    assert [g.name for g in canvas.layers()] == ["licences", "requests"]
    assert len(canvas.layer("requests")) == 1 and state.selected in state.results
    state.undo_stack.undo()
    assert len(canvas.layer("requests")) == 0
    state.undo_stack.clear()
