"""The desktop application on a shared workspace (PostgreSQL + PostGIS, a real server from
tests/pg_cluster.py): opened by URL, who is connected in the status bar, a viewer's read-only
window, a refused stale save, and saving a local GeoPackage copy.

The sample workspace is pushed into a fresh database for each test; officers and viewers are
real database logins. What a test expects is read from the database directly, never from the
widgets that show it.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import date
from types import SimpleNamespace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from gui import shared_dialog, shared_status  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402
from gui.settings import Settings  # noqa: E402
from landtool.location import DatabaseLocation  # noqa: E402
from landtool.workspace import (
    Workspace,  # noqa: E402
    transfer,  # noqa: E402
)
from landtool.workspace.pg import PgWorkspace  # noqa: E402
from landtool.workspace.users import add_user, login_exists  # noqa: E402

pytestmark = pytest.mark.gui

LOAD_MS = 120_000
PASSWORD = "gui-test-pw"


@pytest.fixture(autouse=True)
def boxes(monkeypatch, tmp_path):
    """Every QMessageBox static call is recorded (the unsaved-changes question is answered
    Discard); the settings go to a file of the test's own."""
    monkeypatch.setenv("LANDTOOL_SETTINGS", str(tmp_path / "env-settings.ini"))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    calls = []

    def fake(kind):
        def record(parent, title, text, *args, **kwargs):
            calls.append((kind, title, text))
            return (QMessageBox.StandardButton.Discard if kind == "question"
                    else QMessageBox.StandardButton.Ok)
        return staticmethod(record)

    for kind in ("critical", "about", "information", "warning", "question"):
        monkeypatch.setattr(QMessageBox, kind, fake(kind))
    return SimpleNamespace(calls=calls, of=lambda kind: [c for c in calls if c[0] == kind])


def _as(url: str, user: str, password: str = PASSWORD) -> str:
    """The same database URL for another user."""
    return f"postgresql://{user}:{password}@{url.split('@', 1)[1]}"


@pytest.fixture
def shared(sample_ws, pg_url, tmp_path):
    """The sample pushed into a fresh database, with an officer and a viewer: their URLs."""
    folder = tmp_path / "src"
    folder.mkdir()
    shutil.copyfile(sample_ws, folder / "ws.gpkg")
    for dem in sample_ws.parent.glob("*.tif"):
        shutil.copyfile(dem, folder / dem.name)
    owner = transfer.push(folder / "ws.gpkg", pg_url)
    for name, role in (("gui_officer", "officer"), ("gui_officer2", "officer"),
                       ("gui_viewer", "viewer")):  # logins are the server's, made once
        add_user(owner, name, role, None if login_exists(owner, name) else PASSWORD)
    owner.close()
    return SimpleNamespace(owner=pg_url, officer=_as(pg_url, "gui_officer"),
                           officer2=_as(pg_url, "gui_officer2"),
                           viewer=_as(pg_url, "gui_viewer"))


def _window(qtbot, tmp_path) -> MainWindow:
    win = MainWindow(lang="en", settings=Settings(tmp_path / "settings.ini"))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def _open(qtbot, tmp_path, where) -> MainWindow:
    win = _window(qtbot, tmp_path)
    with qtbot.waitSignal(win.workspaceLoaded, timeout=LOAD_MS):
        assert win.open_workspace(where)
    qtbot.waitUntil(lambda: not win.runner.is_busy(), timeout=LOAD_MS)
    return win


def _count(win: MainWindow) -> int:
    found = re.search(r"· (\d+) connected$", win.shared_status.label.text())
    assert found, win.shared_status.label.text()
    return int(found.group(1))


# -- opening --------------------------------------------------------------------------------
def test_an_officer_opens_by_url_and_sees_who_and_how_many(qtbot, tmp_path, shared):
    win = _open(qtbot, tmp_path, shared.officer)
    ws = win.state.workspace
    assert ws.shared and isinstance(ws.path, DatabaseLocation)
    server = PgWorkspace(shared.owner, application="pytest")  # not counted: not landtool
    assert sorted(win.layer_panel.layer_names()) == sorted(server.layer_names())
    label = win.shared_status.label
    assert label.isVisible() and label.text().startswith("gui_officer (officer) · ")
    win.shared_status.refresh()
    clients = server.connected()
    assert [(c.user, c.application) for c in clients
            if c.application == "landtool-gui"] == [("gui_officer", "landtool-gui")]
    assert _count(win) == len(clients) >= 1
    assert win.shared_status.timer.isActive()
    assert win.shared_status.timer.interval() == shared_status.REFRESH_MS
    assert "read-only" not in win.windowTitle() and win.windowTitle().startswith(ws.path.name)
    for key in ("save", "save_as", "connected", "check_all"):
        assert win.act[key].isEnabled(), key
    assert not win.act["import"].isEnabled()  # only the owner adds layers
    # the recent list holds the URL, never the password
    assert win.settings.recent()[0] == str(ws.path) and PASSWORD not in str(ws.path)
    win.settings.sync()
    assert PASSWORD not in (tmp_path / "settings.ini").read_text(encoding="utf-8")
    server.close()


def test_a_second_client_raises_the_count_and_is_listed(qtbot, tmp_path, shared):
    win = _open(qtbot, tmp_path, shared.officer)
    before = _count(win)
    other = PgWorkspace(shared.officer2, application="landtool-gui")
    other.layers()
    win.shared_status.refresh()
    assert _count(win) == before + 1
    dialog = win.shared_status.show_connected()
    rows = dialog.rows()
    users = [r[0] for r in rows]
    assert users.count("gui_officer (you)") == 1 and "gui_officer2" in users
    assert len(rows) == before + 1
    mine = rows[users.index("gui_officer (you)")]
    assert mine[1] == "127.0.0.1" and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", mine[2])
    # the server hides another user's address and start from an officer: shown as dashes
    assert rows[users.index("gui_officer2")][1:3] == ["—", "—"]
    dialog.close()
    other.close()

    def gone() -> bool:  # the server ends the closed session's backend a moment later
        win.shared_status.refresh()
        return _count(win) == before

    qtbot.waitUntil(gone, timeout=10_000)


def test_saving_refreshes_the_count(qtbot, tmp_path, shared):
    win = _open(qtbot, tmp_path, shared.officer)
    before = _count(win)
    other = PgWorkspace(shared.officer2, application="landtool-gui")
    other.layers()
    win.state.edit_attributes("REQ-2026-001", {"members": 13})
    assert win.save()
    assert _count(win) == before + 1  # no waiting for the timer
    saved = PgWorkspace(shared.owner, application="pytest").read("requests")
    assert int(saved.set_index("request_id").loc["REQ-2026-001", "members"]) == 13
    other.close()


def test_a_viewer_gets_a_read_only_window(qtbot, tmp_path, shared):
    win = _open(qtbot, tmp_path, shared.viewer)
    assert win.state.read_only
    assert "(read-only)" in win.windowTitle()
    assert win.shared_status.label.text().startswith("gui_viewer (viewer, read-only) · ")
    win.show_request("REQ-2026-001")
    editing = win.editing
    for action in (win.act["save"], win.act["import"], win.act["register"],
                   win.act["attributes"], editing.draw_action, editing.edit_action,
                   editing.paste_action, editing.delete_action):
        assert not action.isEnabled(), action.text()
    assert not win.rehab_panel.change_button.isEnabled()
    # reading, exporting and taking a copy of one's own stay
    for key in ("save_as", "export_map", "export_package", "check_all", "connected"):
        assert win.act[key].isEnabled(), key


def test_a_viewer_exports_a_map_from_the_database(qtbot, tmp_path, shared):
    from gui.export_dialog import ExportOptions

    win = _open(qtbot, tmp_path, shared.viewer)
    out = tmp_path / "out" / "map.html"
    options = ExportOptions("map", "REQ-2026-005", out, lang="en", fmt="html")
    with qtbot.waitSignal(win.exportFinished, timeout=LOAD_MS):
        assert win.exporter.start("map", options)
    assert "MV-00005082" in out.read_text("utf-8")  # the licence it overlaps, as stored


def test_a_geopackage_shows_nothing_shared(qtbot, tmp_path, sample_ws):
    path = tmp_path / "ws.gpkg"
    shutil.copyfile(sample_ws, path)
    win = _open(qtbot, tmp_path, path)
    assert not win.shared_status.label.isVisible() and win.shared_status.text() == ""
    assert not win.shared_status.timer.isActive()
    assert not win.act["connected"].isEnabled() and win.act["save"].isEnabled()
    assert win.shared_status.show_connected() is None


# -- saving ---------------------------------------------------------------------------------
def test_a_stale_save_is_refused_with_the_reason(qtbot, tmp_path, shared, boxes):
    win = _open(qtbot, tmp_path, shared.officer)
    win.state.edit_attributes("REQ-2026-002", {"members": 21})
    other = PgWorkspace(shared.officer2)  # another officer saves the requests meanwhile
    theirs = other.read("requests")
    theirs.loc[theirs["request_id"] == "REQ-2026-003", "members"] = 33
    other.update("requests", theirs, note="edited elsewhere")
    assert not win.save()
    (kind, title, text), = boxes.of("warning")  # what happened and how to keep the edits
    assert title == "Cannot save the workspace" and "Unexpected" not in title
    assert "gui_officer2 saved layer requests" in text and "Save as" in text
    assert "Traceback" not in text
    assert win.state.dirty
    saved = PgWorkspace(shared.owner).read("requests").set_index("request_id")
    assert int(saved.loc["REQ-2026-003", "members"]) == 33  # theirs kept
    assert int(saved.loc["REQ-2026-002", "members"]) != 21  # ours not written over it
    other.close()


def test_an_import_by_the_owner_keeps_what_the_window_read(qtbot, tmp_path, shared, boxes,
                                                           monkeypatch):
    """A layer imported into the shared workspace lands in the database; a save after it is
    still refused if another officer saved the requests since the window read them."""
    import geopandas as gpd
    import shapely

    from gui import field_mapping_dialog

    win = _open(qtbot, tmp_path, shared.owner)
    assert win.shared_status.text().startswith("postgres (owner)")
    assert win.act["import"].isEnabled()
    other = PgWorkspace(shared.officer2)
    theirs = other.read("requests")
    theirs.loc[theirs["request_id"] == "REQ-2026-003", "members"] = 33
    other.update("requests", theirs, note="edited elsewhere")
    other.close()
    source = tmp_path / "reserve.geojson"
    gpd.GeoDataFrame({"name": ["Хар ус"]}, geometry=[shapely.box(106.30, 48.50, 106.32, 48.51)],
                     crs=4326).to_file(source, driver="GeoJSON")
    monkeypatch.setattr(field_mapping_dialog, "ask_import",
                        lambda parent, summary, taken, lang: ("protected_areas", "reserve", None))
    with qtbot.waitSignal(win.layerImported, timeout=LOAD_MS):
        win.import_file(source)
    assert "reserve" in PgWorkspace(shared.owner, application="pytest").layer_names()
    assert "reserve" in win.state.workspace.layer_names() and win.state.workspace.shared
    win.state.edit_attributes("REQ-2026-002", {"members": 21})
    assert not win.save()
    (_kind, _title, text), = boxes.of("warning")
    assert "gui_officer2 saved layer requests" in text


def test_save_as_from_a_shared_workspace_makes_a_geopackage(qtbot, tmp_path, shared):
    win = _open(qtbot, tmp_path, shared.viewer)
    dest = tmp_path / "copies" / "mandal"
    dest.parent.mkdir()
    assert win.files.save_as(dest)
    copy = Workspace(dest.with_suffix(".gpkg"))
    db = PgWorkspace(shared.owner, application="pytest")
    assert copy.layer_names() == db.layer_names()
    for name in db.layer_names():
        assert len(copy.read(name)) == len(db.read(name)), name
    assert win.state.workspace.path == copy.path and not win.state.workspace.shared
    # the copy is the user's own: no longer read-only, nothing shared shown, connection gone
    assert not win.state.read_only and win.act["save"].isEnabled()
    assert win.editing.draw_action.isEnabled() and "read-only" not in win.windowTitle()
    assert not win.shared_status.label.isVisible() and not win.shared_status.timer.isActive()
    qtbot.waitUntil(lambda: not [c for c in db.connected() if c.user == "gui_viewer"],
                    timeout=10_000)
    db.close()


# -- asking for the workspace and the password -------------------------------------------------
def test_the_dialog_refuses_a_bad_url_and_keeps_the_password_for_connecting(qtbot):
    dialog = shared_dialog.OpenSharedDialog("en")
    qtbot.addWidget(dialog)
    dialog.url_edit.setText("/data/mandal.gpkg")
    dialog._accept()
    assert dialog.error.text() and dialog.result() != dialog.DialogCode.Accepted
    dialog.url_edit.setText("postgresql://gui_officer@server:5432/mandal")
    dialog.password_edit.setText("secret")
    where = dialog.location()
    assert where.password == "secret" and where.name == "mandal" and "secret" not in str(where)


def test_a_wrong_password_is_shown_as_a_sentence(qtbot, tmp_path, shared, boxes, monkeypatch):
    win = _window(qtbot, tmp_path)
    asked = []

    def answer(parent, lang, url=""):
        asked.append(url)
        return DatabaseLocation(url.replace(":" + PASSWORD, ""), "Xq7-not-it")

    monkeypatch.setattr(shared_dialog, "ask_shared", answer)
    with qtbot.waitSignal(win.loadFailed, timeout=LOAD_MS):
        assert win.open_shared_workspace(shared.officer)
    assert asked == [shared.officer]
    (kind, title, text), = boxes.of("critical")
    assert title == "Cannot open the workspace"
    assert "cannot connect" in text and "password" in text and "Traceback" not in text
    assert "Xq7-not-it" not in text and win.state.workspace is None


def test_a_recent_shared_workspace_asks_for_its_password(qtbot, tmp_path, shared, monkeypatch):
    win = _window(qtbot, tmp_path)
    url = str(DatabaseLocation(shared.officer))  # as the recent list keeps it
    asked = []

    def answer(parent, lang, url=""):
        asked.append(url)
        return DatabaseLocation(url, PASSWORD)

    monkeypatch.setattr(shared_dialog, "ask_shared", answer)
    with qtbot.waitSignal(win.workspaceLoaded, timeout=LOAD_MS):
        win.open_workspace(url)
    assert asked == [url]
    assert win.shared_status.text().startswith("gui_officer (officer)")


def test_the_command_line_opens_a_url(qtbot, tmp_path, shared):
    from gui.app import main as app_main

    shot = tmp_path / "shared.png"
    assert app_main([shared.officer, "--lang", "mn", "--screenshot", str(shot)]) == 0
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_save_writes_only_what_was_edited(qtbot, tmp_path, shared, boxes):
    """Save with no edit writes nothing; an edit of the parcels only does not touch the
    requests, so another officer's save of the requests is neither refused nor undone."""
    win = _open(qtbot, tmp_path, shared.officer)
    owner = PgWorkspace(shared.owner, application="pytest")
    before = owner.revision("requests")[0], owner.revision("rehab_parcels")[0]
    other = PgWorkspace(shared.officer2)
    theirs = other.read("requests")
    theirs.loc[theirs["request_id"] == "REQ-2026-003", "members"] = 33
    other.update("requests", theirs, note="edited elsewhere")
    assert win.save() and not boxes.of("warning")  # nothing edited: nothing written
    assert owner.revision("rehab_parcels")[0] == before[1]
    parcels = win.state.parcels
    disturbed = parcels[parcels["status"] == "disturbed"]["parcel_id"].iloc[0]
    win.state.change_parcel_status(str(disturbed), "technical_in_progress", date(2026, 11, 20))
    assert win.save() and not boxes.of("warning") and not boxes.of("critical")
    now = owner.read("rehab_parcels").set_index("parcel_id")
    assert now.loc[disturbed, "status"] == "technical_in_progress"
    saved = owner.read("requests").set_index("request_id")
    assert int(saved.loc["REQ-2026-003", "members"]) == 33  # theirs kept
    other.close()
    owner.close()


def test_a_dropped_file_is_not_imported_by_an_officer(qtbot, tmp_path, shared, boxes):
    win = _open(qtbot, tmp_path, shared.officer)
    source = tmp_path / "area.geojson"
    source.write_text('{"type": "FeatureCollection", "features": []}')
    assert not win.import_file(source)
    (_kind, _title, text), = boxes.of("information")
    assert "Only the owner" in text


def test_a_password_in_a_url_never_shows_in_the_url_field(qtbot, shared):
    from gui.shared_dialog import OpenSharedDialog

    dialog = OpenSharedDialog("en", shared.officer)
    qtbot.addWidget(dialog)
    assert PASSWORD not in dialog.url_edit.text() and "gui_officer@" in dialog.url_edit.text()
    assert dialog.password_edit.text() == PASSWORD
    assert dialog.location().password == PASSWORD


def test_an_officer_registers_and_saves_with_unregistered_requests(qtbot, tmp_path, shared,
                                                                   boxes):
    """The normal state of a register: requests waiting for a number. The column of queue
    numbers has a gap (read as floats); the officer's save is not a change of column type."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    owner = PgWorkspace(shared.owner, application="pytest")
    reqs = owner.read("requests")
    new = reqs.iloc[[0]].copy()
    new["request_id"], new["queue_no"], new["submitted_at"] = "NEW-000", pd.NA, None
    new["geometry"] = shapely.affinity.translate(new.geometry.iloc[0], 0.02)
    owner.update("requests", gpd.GeoDataFrame(pd.concat(
        [reqs.astype({"queue_no": "Int64"}), new], ignore_index=True), crs=4326), note="new")
    win = _open(qtbot, tmp_path, shared.officer)
    number, _stamp = win.state.register("NEW-000")
    assert win.save() and not boxes.of("warning") and not boxes.of("critical")
    saved = PgWorkspace(shared.owner, application="pytest").read("requests")
    assert int(saved.set_index("request_id").loc["NEW-000", "queue_no"]) == number == 16
    from landtool.workspace import decisions

    entry = [e for e in decisions.entries(owner) if e.action == "registered"][-1]
    assert (entry.subject, entry.user) == ("NEW-000", "gui_officer")
    owner.close()
