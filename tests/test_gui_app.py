"""The whole desktop application on the sample workspace: the real MainWindow, driven offscreen
with pytest-qt over a copy of the sample workspace (Mandal soum, Selenge).

What a test expects comes from the sample's own description (each request's ``note`` says
which rule it fails and why) or from the library read directly, never from the widgets.
Message boxes are replaced by recorders; waits are on signals, never on time.
"""

from __future__ import annotations

import os
import shutil
import threading
from datetime import date
from types import SimpleNamespace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import geopandas as gpd  # noqa: E402
import pyogrio  # noqa: E402
import pytest  # noqa: E402
import shapely  # noqa: E402
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDragEnterEvent, QDropEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from gui import attributes_dialog, dialogs, export_dialog, field_mapping_dialog  # noqa: E402
from gui.export_dialog import ExportDialog, ExportOptions  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402
from gui.settings import Settings  # noqa: E402
from landtool.workspace import Workspace  # noqa: E402

pytestmark = pytest.mark.gui

LOAD_MS = 60_000
EXPORT_MS = 180_000
AS_OF = date(2026, 11, 23)  # the date the sample's expectations are written for


@pytest.fixture(autouse=True)
def boxes(monkeypatch, tmp_path):
    """Every QMessageBox static call is recorded; ``answers[kind]`` is what it returns (the
    unsaved-changes question is answered Discard unless a test says otherwise). The settings
    go to a file of the test's own."""
    monkeypatch.setenv("LANDTOOL_SETTINGS", str(tmp_path / "env-settings.ini"))
    calls, answers = [], {"question": QMessageBox.StandardButton.Discard}

    def fake(kind):
        def record(parent, title, text, *args, **kwargs):
            calls.append((kind, title, text))
            return answers.get(kind, QMessageBox.StandardButton.Ok)
        return staticmethod(record)

    for kind in ("critical", "about", "information", "warning", "question"):
        monkeypatch.setattr(QMessageBox, kind, fake(kind))
    return SimpleNamespace(calls=calls, answers=answers,
                           of=lambda kind: [c for c in calls if c[0] == kind])


@pytest.fixture
def ws_path(sample_ws, tmp_path):
    folder = tmp_path / "ws"
    folder.mkdir()
    path = folder / "mandal.gpkg"
    shutil.copyfile(sample_ws, path)
    dem = sample_ws.parent / "mandal_dem.tif"
    if dem.exists():
        shutil.copyfile(dem, folder / dem.name)
    return path


def _open(qtbot, path, settings_path, lang="en") -> MainWindow:
    win = MainWindow(lang=lang, settings=Settings(settings_path))
    win.state.as_of = AS_OF
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    with qtbot.waitSignal(win.workspaceLoaded, timeout=LOAD_MS):
        win.open_workspace(path)
    qtbot.waitUntil(lambda: not win.runner.is_busy(), timeout=LOAD_MS)  # the status chart
    return win


@pytest.fixture
def window(qtbot, ws_path, tmp_path):
    return _open(qtbot, ws_path, tmp_path / "settings.ini")


def _click_row(qtbot, panel, request_id):
    index = panel.proxy.index(panel.row_of(request_id), 0)
    panel.table.scrollTo(index)
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.table.visualRect(index).center())


# -- opening, layers ----------------------------------------------------------------------------
def test_open_lists_every_layer_and_request(window, ws_path):
    ws = Workspace(ws_path)
    panel = window.layer_panel
    assert sorted(panel.layer_names()) == sorted(ws.layer_names())
    for record in ws.layers():
        assert panel.count_of(record.name) == record.feature_count
        assert panel.is_checked(record.name)
    assert panel.layer_names()[0] == "requests"  # drawn on top, listed first
    requests = pyogrio.read_dataframe(ws_path, layer="requests", read_geometry=False)
    assert window.requests_panel.shown_ids() == list(requests.sort_values("queue_no")
                                                     ["request_id"])
    assert window.windowTitle().startswith("mandal.gpkg")
    assert "mn-asm-2022" in window.ruleset_label.text()


def test_toggling_a_layer_hides_it(window, qtbot):
    panel, canvas = window.layer_panel, window.canvas
    before = canvas.render_image()
    with qtbot.waitSignal(panel.visibilityChanged) as blocker:
        panel.set_checked("licenses", False)
    assert blocker.args == ["licenses", False]
    assert not canvas.is_layer_visible("licenses") and canvas.is_layer_visible("soums")
    assert canvas.render_image() != before
    panel.set_checked("licenses", True)
    assert canvas.is_layer_visible("licenses")


# -- requests and their check -----------------------------------------------------------------
def test_selecting_a_request_shows_its_check_and_zooms_to_it(window, qtbot):
    with qtbot.waitSignal(window.state.selectionChanged):
        _click_row(qtbot, window.requests_panel, "REQ-2026-005")
    assert window.state.selected == "REQ-2026-005"
    panel = window.check_panel
    assert "REQ-2026-005" in panel.header.text() and "Not eligible" in panel.header.text()
    item = panel.rule_item("no_valid_licence")
    assert item.text(1).startswith("Overlaps 1 valid licence") and item.isExpanded()
    conflicts = [item.child(k).text(0) for k in range(item.childCount())]
    assert "MV-00005082" in conflicts
    assert panel.tree.topLevelItem(0) is item  # failures first
    assert "unconfirmed" in item.toolTip(0) and "ardcapital.mn" in item.toolTip(0)
    ok = panel.rule_item("inside_land_conclusion")
    assert ok.text(1).endswith("passed.") and not ok.isExpanded()
    west, south, east, north = window.canvas.view.bounds()
    b = window.state.row("REQ-2026-005").geometry.bounds
    assert west < b[0] and south < b[1] and east > b[2] and north > b[3]
    assert (east - west) < 0.05  # zoomed in, not the whole workspace


def test_clicking_a_conflict_highlights_it(window, qtbot):
    window.show_request("REQ-2026-005")
    tree = window.check_panel.tree
    (item,) = window.check_panel.conflict_items()
    tree.scrollToItem(item)
    with qtbot.waitSignal(window.state.conflictHighlighted) as blocker:
        qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton,
                         pos=tree.visualItemRect(item).center())
    conflict = blocker.args[0]
    assert conflict.feature_id == "MV-00005082" and conflict.kind == "licenses"


def test_the_table_sorts_and_filters(window, qtbot):
    panel = window.requests_panel
    panel.search.setText("Дархан Ус")
    assert panel.shown_ids() == ["REQ-2026-005", "REQ-2026-010", "REQ-2026-014"]
    panel.search.setText("")
    panel.verdict_combo.setCurrentIndex(panel.verdict_combo.findData("eligible"))
    shown = panel.shown_ids()
    assert shown and all(window.state.results[i].eligible for i in shown)
    assert "REQ-2026-005" not in shown and "REQ-2026-001" in shown
    panel.verdict_combo.setCurrentIndex(0)
    panel.table.sortByColumn(4, Qt.SortOrder.DescendingOrder)  # area
    areas = [window.state.results[i].area_ha for i in panel.shown_ids()]
    assert areas == sorted(areas, reverse=True)


def test_identify_lists_the_features_under_a_click(window, qtbot):
    window.show_request("REQ-2026-001")
    window.state.select(None)
    point = window.state.row("REQ-2026-001").geometry.representative_point()
    x, y = window.canvas.view.to_screen(point.x, point.y)
    with qtbot.waitSignal(window.canvas.clicked):
        qtbot.mouseClick(window.canvas, Qt.MouseButton.LeftButton, pos=QPoint(round(x), round(y)))
    tree = window.identify_panel.tree
    layers = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert layers[0].endswith("· requests")
    assert tree.topLevelItem(0).child(0).text(0) == "REQ-2026-001"
    assert window.state.selected == "REQ-2026-001"  # a request clicked is selected


def test_edit_attributes_is_undoable(window, monkeypatch):
    window.show_request("REQ-2026-001")
    monkeypatch.setattr(attributes_dialog, "ask_attributes", lambda *a: {"members": 3})
    window.act["attributes"].trigger()
    status = {r.rule: r.status for r in window.state.results["REQ-2026-001"].results}
    assert status["min_members"] == "warn" and window.state.dirty  # a warning under 2022
    assert window.check_panel.tree.topLevelItem(0).text(0).startswith("At least 5 members")
    window.state.undo_stack.undo()
    assert int(window.state.row("REQ-2026-001")["members"]) == 12 and not window.state.dirty


def test_the_attributes_dialog_refuses_a_bad_number(window):
    dialog = attributes_dialog.AttributesDialog(window.state, "REQ-2026-001", window)
    dialog.set_value("members", "twelve")
    with pytest.raises(ValueError, match="members"):
        dialog.changes()
    dialog.set_value("members", "14")
    assert dialog.changes() == {"members": 14}


def test_registering_a_new_request(window, qtbot, boxes):
    box = shapely.box(106.5285, 48.6700, 106.5295, 48.6706)
    rid = window.state.add_request({"applicant": "Шинэ нөхөрлөл", "members": 6}, box)
    assert window.state.selected == rid and "Not registered" in window.check_panel.header.text()
    assert window.act["register"].isEnabled()
    window.act["register"].trigger()
    row = window.state.row(rid)
    assert int(row["queue_no"]) == 16 and str(row["submitted_at"]).endswith("+08:00")
    assert "Queue number 16" in window.check_panel.header.text()
    window.act["register"].trigger()  # a second time: refused, with the reason
    ((_kind, title, text),) = boxes.of("critical")
    assert title == "Cannot register the request" and "registered already" in text


# -- rehabilitation ---------------------------------------------------------------------------
def _status_of(window, parcel_id):
    parcels = window.state.parcels
    return parcels.loc[parcels["parcel_id"] == parcel_id, "status"].iloc[0]


def test_changing_a_parcel_status(window, qtbot, monkeypatch, boxes):
    window.set_view("rehab")
    panel = window.rehab_panel
    panel.select_parcel("RP-011")
    monkeypatch.setattr(dialogs, "ask_status_change",
                        lambda *a: ("technical_in_progress", date(2026, 6, 1)))
    panel.change_button.click()
    assert _status_of(window, "RP-011") == "technical_in_progress"
    row = [r for r in range(panel.table.rowCount()) if panel.table.item(r, 0).text() == "RP-011"]
    assert panel.table.item(row[0], 2).text() == "technical in progress"
    assert window.state.dirty and not boxes.calls


def test_a_refused_status_change_shows_why(window, qtbot, monkeypatch, boxes):
    panel = window.rehab_panel
    panel.select_parcel("RP-011")
    monkeypatch.setattr(dialogs, "ask_status_change", lambda *a: ("accepted", date(2026, 7, 1)))
    panel.change_button.click()
    ((kind, title, text),) = boxes.calls
    assert kind == "critical" and "RP-011" in title
    assert "cannot go from disturbed to accepted" in text and "What to do" in text
    assert _status_of(window, "RP-011") == "disturbed" and not window.state.dirty


def test_estimate_for_a_partnership(window, qtbot):
    panel = window.rehab_panel
    combo = panel.partnership_combo
    combo.setCurrentIndex(combo.findText("Шар Тал нөхөрлөл"))
    shown = {panel.table.item(r, 1).text() for r in range(panel.table.rowCount())}
    assert shown == {"Шар Тал нөхөрлөл"}
    with qtbot.waitSignal(window.runner.done, timeout=LOAD_MS):
        panel.estimate_button.click()
    est = panel.estimate
    parcels = {p.q.parcel_id for p in est.parcels}
    expected = set(window.state.parcels.query("partnership == 'Шар Тал нөхөрлөл'")["parcel_id"])
    assert parcels == expected
    assert est.total == est.direct + sum(x.cost for x in est.indirect)
    texts = [panel.lines.topLevelItem(i).text(3) for i in range(panel.lines.topLevelItemCount())]
    assert f"{est.total:,}".replace(",", "\u202f") in texts
    assert "Illustrative" in panel.totals.text()


# -- language and settings --------------------------------------------------------------------
def test_switching_language_retitles_and_is_remembered(window, qtbot, tmp_path):
    window.show_request("REQ-2026-005")
    window.act["lang_mn"].trigger()
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles == ["Файл", "Засвар", "Харагдац", "Хэрэгсэл", "Тусламж"]
    assert window.docks["requests"].windowTitle() == "Хүсэлтүүд"
    assert window.act["save"].text().replace("&", "") == "Хадгалах"
    rule = next(r for r in window.state.results["REQ-2026-005"].results
                if r.rule == "no_valid_licence")
    assert window.check_panel.rule_item("no_valid_licence").text(1) == rule.message_mn
    assert window.scale_label.text().startswith("Масштаб")
    again = MainWindow(settings=Settings(tmp_path / "settings.ini"))
    qtbot.addWidget(again)
    assert again.lang == "mn" and again.menuBar().actions()[0].text() == "&Файл"


def test_recent_workspaces_are_remembered(window, qtbot, ws_path, tmp_path):
    window.close()
    assert Settings(tmp_path / "settings.ini").recent()[0] == str(ws_path.resolve())
    again = MainWindow(lang="en", settings=Settings(tmp_path / "settings.ini"))
    qtbot.addWidget(again)
    first = again.recent_menu.actions()[0]
    assert ws_path.name in first.text()
    with qtbot.waitSignal(again.workspaceLoaded, timeout=LOAD_MS) as blocker:
        first.trigger()
    assert blocker.args == [str(ws_path.resolve())]


def test_unsaved_changes_prompt_on_close(window, qtbot, boxes, ws_path):
    window.show_request("REQ-2026-001")
    window.state.edit_attributes("REQ-2026-001", {"members": 13})
    boxes.answers["question"] = QMessageBox.StandardButton.Cancel
    assert not window.close() and window.isVisible()
    ((kind, title, _text),) = boxes.calls
    assert kind == "question" and title == "Unsaved changes"
    boxes.answers["question"] = QMessageBox.StandardButton.Save
    assert window.close()
    saved = pyogrio.read_dataframe(ws_path, layer="requests", read_geometry=False)
    assert int(saved.set_index("request_id").loc["REQ-2026-001", "members"]) == 13


# -- files dropped on the window ----------------------------------------------------------------
def _drop(window, path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(QPoint(300, 300), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(300, 300), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)


def test_a_bad_file_dropped_changes_nothing(window, qtbot, boxes, ws_path, tmp_path):
    bad = tmp_path / "notes.geojson"
    bad.write_text("these are my notes, not GeoJSON\n")
    before, layers = ws_path.read_bytes(), list(window.state.layers)
    _drop(window, bad)
    qtbot.waitUntil(lambda: bool(boxes.of("critical")), timeout=LOAD_MS)
    ((_kind, title, text),) = boxes.calls
    assert title == "Cannot import the layer" and str(bad) in text and "Traceback" not in text
    assert list(window.state.layers) == layers and window.layer_panel.layer_names()
    assert ws_path.read_bytes() == before and not window.state.dirty


def test_a_dropped_layer_with_other_field_names_is_mapped(window, qtbot, monkeypatch,
                                                          tmp_path, ws_path):
    source = tmp_path / "reserve.geojson"
    gpd.GeoDataFrame({"title": ["Хар ус"], "kind": ["local"]},
                     geometry=[shapely.box(106.30, 48.50, 106.32, 48.51)], crs=4326
                     ).to_file(source, driver="GeoJSON")
    asked = {}
    monkeypatch.setattr(field_mapping_dialog, "ask_import",
                        lambda parent, summary, taken, lang: ("protected_areas", "reserve", None))

    def mapping(parent, kind, columns, message, lang):
        asked.update(kind=kind, columns=columns, message=message)
        return {"name": "title"}

    monkeypatch.setattr(field_mapping_dialog, "ask_mapping", mapping)
    with qtbot.waitSignal(window.layerImported, timeout=LOAD_MS) as blocker:
        _drop(window, source)
    assert blocker.args == ["reserve"]
    assert asked["kind"] == "protected_areas" and asked["columns"] == ["title", "kind"]
    assert "'name'" in asked["message"]
    assert "reserve" in window.layer_panel.layer_names() and window.layer_panel.count_of(
        "reserve") == 1
    stored = pyogrio.read_dataframe(ws_path, layer="reserve")
    assert list(stored["name"]) == ["Хар ус"]


# -- work in the background ---------------------------------------------------------------------
def test_export_a_package_in_a_worker(window, qtbot, tmp_path):
    out = tmp_path / "out" / "REQ-2026-005"
    options = ExportOptions("package", "REQ-2026-005", out, lang="en")
    with qtbot.waitSignal(window.exportFinished, timeout=EXPORT_MS) as blocker:
        assert window.exporter.start("package", options)
        assert window.runner.widget.isVisible()  # the progress bar and its cancel button
    package = blocker.args[0]
    assert package.folder == out and package.zip.exists()
    assert {"report.pdf", "map.png", "check.json"} <= set(package.files)
    assert not window.runner.widget.isVisible()


def test_export_a_web_map_from_the_dialog(window, qtbot, tmp_path, monkeypatch):
    window.show_request("REQ-2026-005")
    dialog = ExportDialog("map", window.state, tmp_path)
    assert dialog.options().request_id == "REQ-2026-005"
    assert dialog.options().out.name == "REQ-2026-005-map.pdf"
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("html"))
    options = dialog.options()
    assert options.out.suffix == ".html" and not dialog.paper_combo.isEnabled()
    monkeypatch.setattr(export_dialog, "ask_export", lambda *a: options)
    with qtbot.waitSignal(window.exportFinished, timeout=EXPORT_MS) as blocker:
        window.act["export_map"].trigger()
    assert blocker.args[0] == options.out and "MV-00005082" in options.out.read_text("utf-8")


def test_a_task_can_be_cancelled(window, qtbot):
    started = threading.Event()

    def endless(progress):
        started.set()
        while True:
            progress("working")
            threading.Event().wait(0.01)

    results = []
    window.runner.run(endless, message="test", on_done=results.append)
    qtbot.waitUntil(started.is_set)
    with qtbot.waitSignal(window.runner.cancelled, timeout=10_000):
        window.runner.widget.cancel_button.click()
    assert results == [] and not window.runner.is_busy()


def test_check_all_requests_in_a_worker(window, qtbot):
    with qtbot.waitSignal(window.runner.done, timeout=LOAD_MS):
        window.act["check_all"].trigger()
    assert "15 requests checked" in window.statusBar().currentMessage()
    assert len(window.state.results) == 15


def test_switching_ruleset_rechecks(window, qtbot):
    action = next(a for a in window.rulesets.actions() if "(mn-asm-2010)" in a.text())
    with qtbot.waitSignal(window.state.resultsChanged):
        action.trigger()
    assert window.state.ruleset.id == "mn-asm-2010" and "mn-asm-2010" in \
        window.ruleset_label.text()


def test_the_window_layout_is_remembered(window, qtbot, tmp_path):
    window.docks["requests"].hide()
    window.set_view("rehab")
    window.close()
    again = MainWindow(lang="en", settings=Settings(tmp_path / "settings.ini"))
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.docks["rehab"].isVisible() and not again.docks["requests"].isVisible()


def test_screenshot_of_a_request_and_of_the_rehabilitation_view(qtbot, ws_path, tmp_path):
    from gui.app import main as app_main

    for args, name in ((["--request", "REQ-2026-005"], "main.png"),
                       (["--view", "rehab", "--lang", "mn"], "rehab.png")):
        shot = tmp_path / name
        assert app_main(["--workspace", str(ws_path), *args, "--screenshot", str(shot)]) == 0
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- what the window asks of the model (gui.state) ----------------------------------------------
def test_saving_as_goes_on_in_the_copy(window, qtbot, ws_path, tmp_path):
    window.state.edit_attributes("REQ-2026-001", {"members": 13})
    dest = tmp_path / "copies" / "saved"
    dest.parent.mkdir()
    before = ws_path.read_bytes()
    assert window.files.save_as(dest)
    assert window.state.workspace.path == dest.with_suffix(".gpkg")
    assert window.windowTitle().startswith("saved.gpkg") and not window.state.dirty
    assert window.state.undo_stack.count() == 1 and ws_path.read_bytes() == before
    assert "saved.gpkg" in window.recent_menu.actions()[0].text()


def test_importing_keeps_unsaved_edits_without_asking(window, qtbot, monkeypatch, boxes,
                                                     tmp_path):
    window.state.edit_attributes("REQ-2026-001", {"members": 13})
    source = tmp_path / "reserve.geojson"
    gpd.GeoDataFrame({"name": ["Хар ус"]}, geometry=[shapely.box(106.30, 48.50, 106.32, 48.51)],
                     crs=4326).to_file(source, driver="GeoJSON")
    monkeypatch.setattr(field_mapping_dialog, "ask_import",
                        lambda parent, summary, taken, lang: ("protected_areas", "reserve", None))
    order = window.layer_panel.layer_names()
    with qtbot.waitSignal(window.layerImported, timeout=LOAD_MS):
        window.import_file(source)
    assert not boxes.calls  # nothing asked
    assert window.state.dirty and window.state.undo_stack.count() == 1
    assert int(window.state.row("REQ-2026-001")["members"]) == 13
    names = window.layer_panel.layer_names()
    assert [n for n in names if n != "reserve"] == order and "reserve" in names
    assert window.canvas.layer("reserve") and window.state.kinds["reserve"] == "protected_areas"
    window.state.undo_stack.undo()
    assert int(window.state.row("REQ-2026-001")["members"]) == 12


# -- layer order ---------------------------------------------------------------------------------
def test_the_layer_order_is_chosen_in_the_panel_and_kept_for_the_session(window, qtbot,
                                                                        ws_path):
    panel, canvas = window.layer_panel, window.canvas
    assert panel.up_button.isVisible() and canvas.layer_order()[-1] == "soums"
    soums_drawn = canvas.render_image(overlays=False)
    panel.tree.setCurrentItem(panel.item_for("soums"))  # the bottom layer...
    with qtbot.waitSignal(panel.orderChanged) as blocker:
        panel.up_button.click()
    assert blocker.args[0].index("soums") == len(blocker.args[0]) - 2
    while panel.layer_names()[0] != "soums":  # ...brought to the top
        panel.up_button.click()
    assert canvas.layer_order() == panel.layer_names()
    assert canvas.layer_order()[0] == "soums"
    assert canvas.render_image(overlays=False) != soums_drawn
    chosen = panel.layer_names()
    with qtbot.waitSignal(window.workspaceLoaded, timeout=LOAD_MS):
        window.open_workspace(ws_path)
    assert panel.layer_names() == chosen and canvas.layer_order() == chosen


# -- the package: paper, orientation, cancel -----------------------------------------------------
def test_the_package_dialog_asks_paper_and_orientation(window, tmp_path):
    window.show_request("REQ-2026-005")
    dialog = ExportDialog("package", window.state, tmp_path)
    assert dialog.paper_combo.isEnabled() and dialog.orientation_combo.isEnabled()
    dialog.paper_combo.setCurrentIndex(dialog.paper_combo.findData("a3"))
    dialog.orientation_combo.setCurrentIndex(dialog.orientation_combo.findData("portrait"))
    options = dialog.options()
    assert (options.kind, options.paper, options.orientation) == ("package", "a3", "portrait")


def test_cancelling_a_package_export_writes_nothing(window, qtbot, monkeypatch, boxes,
                                                    tmp_path):
    import landtool.export.printmap as printmap

    real, asked = printmap.render_map, {}
    drawn, go_on = threading.Event(), threading.Event()

    def render_map(data, path, **kwargs):  # the map is drawn; the user cancels meanwhile
        asked.update(kwargs)
        out = real(data, path, **kwargs)
        drawn.set()
        go_on.wait(60)
        return out

    monkeypatch.setattr(printmap, "render_map", render_map)
    out = tmp_path / "out" / "REQ-2026-005"
    options = ExportOptions("package", "REQ-2026-005", out, lang="en", paper="a3",
                            orientation="portrait")
    finished = []
    window.exportFinished.connect(finished.append)
    with qtbot.waitSignal(window.runner.cancelled, timeout=EXPORT_MS):
        assert window.exporter.start("package", options)
        qtbot.waitUntil(drawn.is_set, timeout=EXPORT_MS)
        window.runner.widget.cancel_button.click()
        go_on.set()
    assert asked["paper"] == "a3" and asked["orientation"] == "portrait"
    assert not finished and not boxes.calls and not window.runner.is_busy()
    assert not out.exists() and not out.with_name(out.name + ".zip").exists()
    assert not (tmp_path / "out").exists()  # not even the folder made for it
