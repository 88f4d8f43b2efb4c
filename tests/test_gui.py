"""The desktop window, driven offscreen with pytest-qt over a real workspace.

The workspace is built from the real files in ``sample_data/real`` (soums, licences, soum
centres, rivers). Expected counts are read from those files directly, and expected positions
are computed here from the view's parameters, not by the code under test.
"""

from __future__ import annotations

import math
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sys  # noqa: E402

import numpy as np  # noqa: E402
import pyogrio  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QPainterPath, QWheelEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402
from shapely.geometry import MultiLineString, MultiPolygon, Polygon  # noqa: E402

from gui.app import main as app_main  # noqa: E402
from gui.coords import format_dms, format_scale  # noqa: E402
from gui.i18n import STRINGS, tr  # noqa: E402
from gui.layer_graphics import paths_from_geometries  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402
from gui.settings import MAX_RECENT, Settings  # noqa: E402
from gui.style import draw_rank  # noqa: E402
from gui.worker import BackgroundTask  # noqa: E402
from landtool.catalog import get_kind  # noqa: E402
from landtool.errors import WorkspaceError  # noqa: E402
from landtool.paths import sample_data_dir  # noqa: E402

pytestmark = pytest.mark.gui

REAL = sample_data_dir() / "real"
#: layer name -> (kind, file in sample_data/real)
LAYERS = {
    "soums": ("soums", "soums.gpkg"),
    "licences": ("licences", "licenses_eiti.gpkg"),
    "settlements": ("settlements", "soum_centers.gpkg"),
    "rivers": ("water_lines", "rivers.gpkg"),
}
LOAD_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def small_ws(tmp_path_factory):
    from landtool.io.load import load_layer
    from landtool.workspace import Workspace

    ws = Workspace.init(tmp_path_factory.mktemp("gui") / "ws.gpkg")
    for name, (kind, filename) in LAYERS.items():
        ws.add(load_layer(REAL / filename, kind), name=name)
    return ws.path


@pytest.fixture(autouse=True)
def own_settings(monkeypatch, tmp_path):
    """Never the user's settings; close without asking."""
    monkeypatch.setenv("LANDTOOL_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *a, **k: QMessageBox.StandardButton.Discard))


@pytest.fixture
def window(qtbot, small_ws):
    win = MainWindow(lang="en")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    with qtbot.waitSignal(win.workspaceLoaded, timeout=LOAD_TIMEOUT_MS):
        win.open_workspace(small_ws)
    return win


@pytest.fixture
def captured_boxes(monkeypatch):
    """QMessageBox.critical/about record their calls instead of blocking."""
    calls = []

    def fake(kind):
        def record(parent, title, text, *args, **kwargs):
            calls.append((kind, title, text))
            return QMessageBox.StandardButton.Ok
        return staticmethod(record)

    for kind in ("critical", "about", "information", "warning"):
        monkeypatch.setattr(QMessageBox, kind, fake(kind))
    return calls


def _expected_lonlat(view, x, y):
    """The inverse of the equirectangular view, written out independently."""
    x_scale = view.px_per_deg * math.cos(math.radians(view.ref_lat))
    return (view.center_lon + (x - view.width / 2) / x_scale,
            view.center_lat - (y - view.height / 2) / view.px_per_deg)


# -- the layer panel ----------------------------------------------------------------------
def test_layer_panel_lists_each_layer_with_its_count(window):
    panel = window.layer_panel
    assert sorted(panel.layer_names()) == sorted(LAYERS)
    for name, (kind_id, filename) in LAYERS.items():
        expected = len(pyogrio.read_dataframe(REAL / filename, read_geometry=False))
        item = panel.item_for(name)
        assert panel.count_of(name) == expected
        assert item.text(1) == f"{expected:,}"
        assert item.text(0).startswith(get_kind(kind_id).name_en)
        assert panel.is_checked(name)
    names = panel.layer_names()  # top first, as drawn
    assert names.index("licences") < names.index("soums")
    assert names.index("settlements") < names.index("soums")


def test_unchecking_a_layer_hides_it_on_the_canvas(window, qtbot):
    panel, canvas = window.layer_panel, window.canvas
    before = canvas.render_image()
    assert canvas.is_layer_visible("licences")
    panel.tree.setFocus()
    panel.tree.setCurrentItem(panel.item_for("licences"))
    with qtbot.waitSignal(panel.visibilityChanged) as blocker:
        qtbot.keyClick(panel.tree, Qt.Key.Key_Space)  # what a click on the box does
    assert blocker.args == ["licences", False]
    assert not canvas.is_layer_visible("licences")
    assert canvas.is_layer_visible("soums")
    assert canvas.render_image() != before
    panel.set_checked("licences", True)
    assert canvas.is_layer_visible("licences")
    assert canvas.render_image() == before


# -- the canvas -----------------------------------------------------------------------------
def _wheel(widget, pos: QPointF, notches: int) -> None:
    global_pos = widget.mapToGlobal(pos)
    event = QWheelEvent(pos, global_pos, QPoint(0, 0), QPoint(0, 120 * notches),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_wheel_zoom_changes_the_scale_around_the_cursor(window, qtbot):
    canvas = window.canvas
    before = canvas.scale_denominator()
    label_before = window.scale_label.text()
    pos = QPointF(canvas.width() * 0.3, canvas.height() * 0.6)
    lonlat_before = _expected_lonlat(canvas.view, pos.x(), pos.y())
    with qtbot.waitSignal(canvas.scaleChanged) as blocker:
        _wheel(canvas, pos, 1)
    assert blocker.args[0] == pytest.approx(before / 1.25)
    assert window.scale_label.text() != label_before
    assert window.scale_label.text().startswith("Scale 1:")
    lonlat_after = _expected_lonlat(canvas.view, pos.x(), pos.y())
    assert lonlat_after == pytest.approx(lonlat_before, abs=1e-9)  # the point stayed put
    with qtbot.waitSignal(canvas.scaleChanged) as blocker:
        _wheel(canvas, pos, -2)
    assert blocker.args[0] == pytest.approx(before * 1.25)


def test_mouse_move_reports_the_position_in_degrees_and_dms(window, qtbot):
    canvas = window.canvas
    x, y = 123, 77
    lon, lat = _expected_lonlat(canvas.view, x, y)
    with qtbot.waitSignal(canvas.cursorMoved) as blocker:
        qtbot.mouseMove(canvas, QPoint(x, y))
    got_lon, got_lat = blocker.args
    assert abs(got_lon - lon) < 1e-6 and abs(got_lat - lat) < 1e-6
    text = window.position_label.text()
    assert f"{lat:.6f}°" in text and f"{lon:.6f}°" in text
    seconds = lat * 3600
    deg, minutes = int(seconds // 3600), int(seconds % 3600 // 60)
    assert f"{deg}°{minutes:02d}'" in text and '" N' in text and '" E' in text


def test_dragging_pans_the_map(window, qtbot):
    canvas = window.canvas
    view = canvas.view
    start, end = QPoint(200, 200), QPoint(260, 170)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(canvas, end)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=end)
    moved = canvas.view
    # what was under the press is now under the release point
    assert _expected_lonlat(moved, end.x(), end.y()) == pytest.approx(
        _expected_lonlat(view, start.x(), start.y()), abs=1e-9)
    qtbot.waitUntil(lambda: not canvas._interacting)


def test_zoom_to_all_shows_every_layer(window):
    canvas = window.canvas
    canvas.zoom_by(8.0)
    window.zoom_all_action.trigger()
    west, south, east, north = canvas.view.bounds()
    for _kind, filename in LAYERS.values():
        b = pyogrio.read_info(REAL / filename)["total_bounds"]
        assert west <= b[0] and south <= b[1] and east >= b[2] and north >= b[3]


# -- opening --------------------------------------------------------------------------------
def test_a_bad_file_shows_an_error_and_keeps_the_open_workspace(window, qtbot, tmp_path,
                                                                 captured_boxes):
    bad = tmp_path / "notes.gpkg"
    bad.write_text("these are my notes, not a GeoPackage\n")
    shown = window.state.workspace
    names = window.layer_panel.layer_names()
    with qtbot.waitSignal(window.loadFailed, timeout=LOAD_TIMEOUT_MS) as blocker:
        window.open_workspace(bad)
    assert isinstance(blocker.args[0], WorkspaceError)
    assert len(captured_boxes) == 1
    kind, title, text = captured_boxes[0]
    assert kind == "critical" and title == tr("error.open", "en")
    assert str(bad) in text and "What to do:" in text and "Traceback" not in text
    assert window.state.workspace is shown
    assert window.layer_panel.layer_names() == names
    assert {g.name for g in window.canvas.layers()} == set(LAYERS)


def test_the_sample_workspace_is_built_with_progress(qtbot, small_ws, monkeypatch):
    import landtool.sample_workspace as sample

    def fake_ensure(progress=None):
        progress("adding soums (real: soums.gpkg)")
        return small_ws

    monkeypatch.setattr(sample, "ensure_sample_workspace", fake_ensure)
    win = MainWindow(lang="mn")
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.workspaceLoaded, timeout=LOAD_TIMEOUT_MS):
        win.open_sample_workspace()
    assert sorted(win.layer_panel.layer_names()) == sorted(LAYERS)


def test_screenshot_option_writes_a_png(qtbot, small_ws, tmp_path):
    shot = tmp_path / "shot.png"
    assert app_main([str(small_ws), "--lang", "mn", "--screenshot", str(shot)]) == 0
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_screenshot_of_a_missing_workspace_exits_with_a_message(qtbot, tmp_path, capsys):
    missing = tmp_path / "nowhere.gpkg"
    assert app_main([str(missing), "--screenshot", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and "Traceback" not in err


# -- menus, language, about -----------------------------------------------------------------
def test_menus_in_mongolian(qtbot):
    win = MainWindow(lang="mn")
    qtbot.addWidget(win)
    titles = [a.text().replace("&", "") for a in win.menuBar().actions()]
    assert titles == ["Файл", "Засвар", "Харагдац", "Хэрэгсэл", "Тусламж"]
    assert win.docks["layers"].windowTitle() == "Давхаргууд"
    assert win.scale_label.text().startswith("Масштаб 1:")
    shortcuts = {key: win.act[key].shortcut().toString() for key in
                 ("new", "open", "save", "save_as", "quit", "import", "zoom_all", "register")}
    assert shortcuts == {"new": "Ctrl+N", "open": "Ctrl+O", "save": "Ctrl+S",
                         "save_as": "Ctrl+Shift+S", "quit": "Ctrl+Q", "import": "Ctrl+I",
                         "zoom_all": "Ctrl+0", "register": "Ctrl+R"}
    assert win.editing.undo_action.shortcut().toString() == "Ctrl+Z"


def test_about_names_the_sources_and_their_licences(window, captured_boxes):
    window.about_action.trigger()
    ((kind, _title, text),) = captured_boxes
    assert kind == "about"
    for needle in ("CC BY-IGO 3.0", "EITI Mongolia", "February 2020", "ALAGAC",
                   "Natural Earth", "public domain", "synthetic", "licence not stated"):
        assert needle in text


def test_every_string_has_both_languages():
    for key, (en, mn) in STRINGS.items():
        assert en.strip() and mn.strip(), key


def test_every_key_the_interface_asks_for_exists():
    """Literal keys in the source, and the keys the f-strings make from fixed lists."""
    import re
    from pathlib import Path

    import gui
    from gui.check_panel import _LOOK
    from gui.export_dialog import FORMATS, ORIENTATIONS, PAPERS
    from gui.requests_panel import COLUMNS, FILTERS
    from landtool.rehab.costs import REMAINING_TASKS

    used = set()
    key = re.compile(r"""\btr\((["'])([a-z_.]+)\1\s*[,)]""")  # tr("a.b", …) or tr('a.b', …)
    for path in Path(gui.__file__).parent.glob("*.py"):
        used |= {m[1] for m in key.findall(path.read_text(encoding="utf-8"))}
    used |= {f"requests.col.{c}" for c in COLUMNS} | {f"requests.filter.{f}" for f in FILTERS}
    used |= {f"rulestatus.{s}" for s in _LOOK} | {f"export.format.{f}" for f in FORMATS}
    used |= {f"export.paper.{p}" for p in PAPERS}
    used |= {f"export.orientation.{o}" for o in ORIENTATIONS}
    used |= {f"costtask.{t}" for tasks in REMAINING_TASKS.values() for t in tasks}
    used |= {f"{k}.{kind}" for k in ("export.title", "export.out", "export.note",
                                      "busy.export") for kind in ("map", "package")}
    from gui.shared_dialog import COLUMNS as CONNECTED_COLUMNS

    used |= {f"role.{r}" for r in ("owner", "officer", "viewer", "none")}
    used |= {f"connected.col.{c}" for c in CONNECTED_COLUMNS}
    assert not used - set(STRINGS)


def test_settings_keep_the_latest_recent_workspaces(tmp_path):
    settings = Settings(tmp_path / "s.ini")
    for k in range(MAX_RECENT + 2):
        settings.add_recent(tmp_path / f"ws{k}.gpkg")
    settings.add_recent(tmp_path / "ws3.gpkg")
    again = Settings(tmp_path / "s.ini").recent()
    assert len(again) == MAX_RECENT and again[0] == str(tmp_path / "ws3.gpkg")
    assert again[1] == str(tmp_path / f"ws{MAX_RECENT + 1}.gpkg")
    settings.lang = "mn"
    assert Settings(tmp_path / "s.ini").lang == "mn"


@pytest.mark.parametrize(("value", "axis", "expected"), [
    (48.85, "lat", "48°51'00.0\" N"),
    (106.7125, "lon", "106°42'45.0\" E"),
    (-0.5, "lat", "0°30'00.0\" S"),
    (-107.25, "lon", "107°15'00.0\" W"),
    (47.999999, "lat", "48°00'00.0\" N"),  # 59.9964" rounds up to the next degree
])
def test_format_dms(value, axis, expected):
    assert format_dms(value, axis) == expected


def test_format_scale_rounds_to_three_digits():
    assert format_scale(10_712_345.6) == "1:10,700,000"
    assert format_scale(512.4) == "1:512"


# -- drawing helpers ------------------------------------------------------------------------
def test_paths_are_built_vertex_for_vertex():
    square = Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (2, 1), (2, 2), (1, 1)]])
    multi = MultiPolygon([square, Polygon([(10, 10), (11, 10), (11, 11)])])
    paths = paths_from_geometries(np.array([square, None, multi, Polygon()], dtype=object),
                                  polygons=True)
    assert paths[1] is None and paths[3] is None
    expected = QPainterPath()
    expected.setFillRule(Qt.FillRule.OddEvenFill)
    for ring in ([(0, 0), (4, 0), (4, 4), (0, 4), (0, 0)], [(1, 1), (2, 1), (2, 2), (1, 1)]):
        expected.moveTo(*ring[0])
        for xy in ring[1:]:
            expected.lineTo(*xy)
    assert paths[0] == expected
    assert paths[2].elementCount() == 9 + 4
    assert paths[2].contains(QPointF(0.5, 0.5)) and not paths[2].contains(QPointF(1.4, 1.2))
    (line,) = paths_from_geometries(
        np.array([MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 3), (4, 4)]])]),
        polygons=False)
    types = [line.elementAt(i).type for i in range(line.elementCount())]
    assert types == [QPainterPath.ElementType.MoveToElement,
                     QPainterPath.ElementType.LineToElement,
                     QPainterPath.ElementType.MoveToElement,
                     QPainterPath.ElementType.LineToElement,
                     QPainterPath.ElementType.LineToElement]


def test_drawing_order_puts_admin_at_the_bottom_and_requests_on_top():
    order = ["soums", "aimags", "forest", "water_lines", "licences", "land_conclusions",
             "asm_contracts", "rehab_parcels", "requests"]
    ranks = [draw_rank(get_kind(k)) for k in order]
    assert ranks == sorted(ranks)


def test_background_task_runs_off_the_gui_thread(qtbot):
    import threading

    def work(factor, progress):
        progress("half way")
        return threading.get_ident() * factor

    messages = []
    task = BackgroundTask(work, 1)
    task.progress.connect(lambda _task, text: messages.append(text))
    with qtbot.waitSignal(task.finished, timeout=10_000) as blocker:
        task.start()
    assert blocker.args[0] is task
    assert blocker.args[1] != threading.get_ident()
    assert messages == ["half way"]
    assert not task.is_running()


def test_background_task_reports_steps_like_the_check_engine(qtbot):
    def work(progress):
        progress(1, 4, "rule one")
        return "done"

    task = BackgroundTask(work)
    steps = []
    task.stepped.connect(lambda _task, done, total: steps.append((done, total)))
    with qtbot.waitSignal(task.finished, timeout=10_000):
        task.start()
    assert steps == [(1, 4)]


def test_background_task_reports_an_exception(qtbot):
    def fail(progress):
        raise WorkspaceError("broken", hint="fix it")

    task = BackgroundTask(fail)
    with qtbot.waitSignal(task.failed, timeout=10_000) as blocker:
        task.start()
    exc = blocker.args[1]
    assert isinstance(exc, WorkspaceError) and "Traceback" in exc.__traceback_text__


def test_qt_calls_do_not_leak_references_to_none(qapp):
    # PySide6 6.12.0 under Python 3.11 took a reference from None on every void call until
    # the interpreter aborted (pyproject.toml excludes it). 2,000 calls would drop ~2,000.
    from PySide6.QtGui import QColor, QImage

    image, white = QImage(4, 4, QImage.Format.Format_RGB32), QColor("white")
    before = sys.getrefcount(None)
    for _ in range(2000):
        image.fill(white)
    assert sys.getrefcount(None) - before > -100


def test_a_save_waiting_for_another_writer_says_so(window, qtbot, small_ws, tmp_path):
    """Another program holds a workspace's write lock for 4.5 s: a save from the app's
    process waits (it does not fail and loses nothing), and the status bar says it waits."""
    import shutil
    import subprocess
    import textwrap
    import time

    from landtool.workspace import Workspace

    small_ws = shutil.copyfile(small_ws, tmp_path / "copy.gpkg")

    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from landtool.workspace.lock import write_lock
        with write_lock({str(small_ws)!r}):
            print("held", flush=True)
            time.sleep(4.5)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        start = time.monotonic()
        ws = Workspace(small_ws)  # reading waits too: no half-written change is read
        name = ws.layer_names()[0]
        ws.update(name, ws.read(name), note="saved after waiting")
        assert time.monotonic() - start > 3  # it waited for the other writer
        qtbot.waitUntil(lambda: "Waiting for another program" in
                        window.statusBar().currentMessage(), timeout=2000)
        assert str(small_ws) in window.statusBar().currentMessage()
        ws.reload()
        assert ws.record(name).problems[-1].endswith("saved after waiting")
    finally:
        holder.wait(timeout=30)
