"""The application model: live re-checks, undoable edits, registration, status changes."""

from __future__ import annotations

import os
from datetime import date

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pyogrio  # noqa: E402
import pytest  # noqa: E402
import shapely  # noqa: E402

from gui.state import AppState  # noqa: E402
from landtool.workspace import Workspace  # noqa: E402


@pytest.fixture
def state(qapp, sample_ws, tmp_path):
    import shutil

    path = tmp_path / "ws.gpkg"
    shutil.copyfile(sample_ws, path)
    ws = Workspace(path)
    s = AppState(lang="en")
    s.as_of = date(2026, 11, 23)
    s.set_workspace(ws, {n: ws.read(n) for n in ws.layer_names()})
    return s


def _failing(state, rid):
    return {r.rule for r in state.results[rid].results if r.status == "fail"}


def test_sample_results_on_open(state):
    assert len(state.results) == 15
    assert _failing(state, "REQ-2026-005") == {"no_valid_licence"}
    assert _failing(state, "REQ-2026-001") == set()


def test_drawing_over_a_licence_fails_live_and_undo_restores(state, qtbot):
    # REQ-2026-001 moved onto the corner of REQ-2026-005 (which overlaps MV-00005082)
    target = state.row("REQ-2026-005").geometry
    old = state.row("REQ-2026-001").geometry
    with qtbot.waitSignal(state.resultsChanged):
        state.edit_geometry("REQ-2026-001", target.buffer(0))
    assert "no_valid_licence" in _failing(state, "REQ-2026-001")
    assert state.dirty
    state.undo_stack.undo()
    assert state.row("REQ-2026-001").geometry.equals(old)
    assert _failing(state, "REQ-2026-001") == set() and not state.dirty


def test_add_delete_register_and_save(state):
    box = shapely.box(106.5285, 48.6700, 106.5295, 48.6706)
    rid = state.add_request({"applicant": "Шинэ нөхөрлөл", "members": 6}, box)
    assert rid in state.results and state.selected == rid
    number, stamp = state.register(rid)
    assert number == 16 and stamp.endswith("+08:00")
    state.save()
    saved = pyogrio.read_dataframe(state.workspace.path, layer="requests")
    assert rid in set(saved["request_id"]) and not state.dirty
    state.delete_request(rid)
    assert rid not in set(state.requests["request_id"])
    state.undo_stack.undo()
    assert rid in set(state.requests["request_id"])


def test_a_registration_made_elsewhere_meanwhile_is_not_overwritten(state):
    """The window numbers a request; before it saves, another program registers another
    request with the same next number. The window's save must not overwrite the layer (the
    other registration would be lost and number 16 given twice): it is refused, and the
    file and the log keep the other program's registration alone."""
    import geopandas as gpd
    import pandas as pd

    from landtool.errors import StaleSaveError
    from landtool.register import register
    from landtool.workspace import decisions

    path = state.workspace.path
    other = Workspace(path)  # another program (the CLI) with a request of its own
    reqs = other.read("requests")
    new = gpd.GeoDataFrame({"request_id": ["CLI-1"]}, geometry=[shapely.MultiPolygon(
        [shapely.box(106.54, 48.67, 106.541, 48.6706)])], crs=4326)
    other.update("requests", gpd.GeoDataFrame(pd.concat([reqs, new], ignore_index=True),
                                              crs=4326), note="added by another program")
    box = shapely.box(106.5285, 48.6700, 106.5295, 48.6706)
    rid = state.add_request({"applicant": "Шинэ нөхөрлөл", "members": 6}, box)
    assert state.register(rid)[0] == 16  # the sample holds 1..15
    assert register(Workspace(path), "CLI-1")[0] == 16  # the log's next number, as well
    with pytest.raises(StaleSaveError, match="layer requests was changed by another"):
        state.save()
    saved = pyogrio.read_dataframe(path, layer="requests").set_index("request_id")
    assert saved.loc["CLI-1", "queue_no"] == 16 and rid not in saved.index
    numbers = [e.details_dict()["queue_no"] for e in decisions.entries(Workspace(path))
               if e.action == "registered"]
    assert numbers.count(16) == 1
    assert state.dirty  # the window's edits are still there, to save elsewhere


def test_parcel_status_change_is_checked_and_undoable(state):
    from landtool.errors import RehabStatusError

    with pytest.raises(RehabStatusError):
        state.change_parcel_status("RP-011", "accepted", date(2026, 7, 1))
    state.change_parcel_status("RP-011", "technical_in_progress", date(2026, 6, 1))
    parcels = state.parcels.set_index("parcel_id")
    assert parcels.loc["RP-011", "status"] == "technical_in_progress"
    state.undo_stack.undo()
    assert state.parcels.set_index("parcel_id").loc["RP-011", "status"] == "disturbed"


# -- what the window asks of the model ---------------------------------------------------------
def test_set_results_replaces_the_results_with_a_batch_check(state, qtbot):
    from landtool.check.engine import check_requests

    only = state.requests[state.requests["request_id"] == "REQ-2026-005"]
    report = check_requests(only, state.ruleset, state.context())
    with qtbot.waitSignal(state.resultsChanged):
        state.set_results(report)
    assert list(state.results) == ["REQ-2026-005"]
    assert _failing(state, "REQ-2026-005") == {"no_valid_licence"}


def test_save_as_copies_switches_and_saves_keeping_the_undo_history(state, qtbot, tmp_path):
    original = state.workspace.path
    before = original.read_bytes()
    state.edit_attributes("REQ-2026-001", {"members": 13})
    dest = tmp_path / "copy" / "saved.gpkg"
    dest.parent.mkdir()
    with qtbot.waitSignal(state.workspaceRenamed) as blocker:
        state.save_as(dest)
    assert blocker.args == [str(dest)] and state.workspace.path == dest
    assert not state.dirty and state.undo_stack.count() == 1  # clean, the history kept
    saved = pyogrio.read_dataframe(dest, layer="requests", read_geometry=False)
    assert int(saved.set_index("request_id").loc["REQ-2026-001", "members"]) == 13
    assert original.read_bytes() == before  # the file it came from is untouched
    assert sorted(Workspace(dest).layer_names()) == sorted(state.layers)
    left = [p.name for p in dest.parent.iterdir() if not p.name.endswith(".lock")]
    assert left == ["saved.gpkg"]  # no temporary copy left (a workspace's write lock may be)


def test_add_layer_keeps_the_edits_and_their_undo_history(state, qtbot, tmp_path):
    import geopandas as gpd

    from landtool.io.load import load_layer

    state.edit_attributes("REQ-2026-001", {"members": 13})
    source = tmp_path / "reserve.geojson"
    gpd.GeoDataFrame({"name": ["Хар ус"]}, geometry=[shapely.box(106.30, 48.50, 106.32, 48.51)],
                     crs=4326).to_file(source, driver="GeoJSON")
    record = Workspace(state.workspace.path).add(load_layer(source, "protected_areas"),
                                                 name="reserve")  # what the import worker does
    gdf = Workspace(state.workspace.path).read(record.name)
    with qtbot.waitSignal(state.layerAdded) as blocker:
        state.add_layer("reserve", "protected_areas", gdf)
    assert blocker.args == ["reserve"]
    assert state.kinds["reserve"] == "protected_areas" and len(state.layers["reserve"]) == 1
    assert state.workspace.record("reserve").kind == "protected_areas"
    assert state.dirty and state.undo_stack.count() == 1
    assert int(state.row("REQ-2026-001")["members"]) == 13
    state.undo_stack.undo()
    assert int(state.row("REQ-2026-001")["members"]) == 12 and not state.dirty


def test_saving_logs_the_decisions_made_in_the_window(state):
    from landtool.workspace import decisions

    box = shapely.box(106.5285, 48.6700, 106.5295, 48.6706)
    rid = state.add_request({"applicant": "Шинэ нөхөрлөл", "members": 6}, box)
    number, _ = state.register(rid)
    state.change_parcel_status("RP-011", "technical_in_progress", date(2026, 6, 1))
    state.save()
    log = decisions.entries(state.workspace)
    assert ("registered", rid) in {(e.action, e.subject) for e in log}
    assert ("parcel_status_changed", "RP-011") in {(e.action, e.subject) for e in log}
    assert sum(e.action == "checked" for e in log) == len(state.requests)
    assert decisions.verify(state.workspace).intact
    # the number stays given even if its request is deleted: the next one is number + 1
    state.delete_request(rid)
    state.save()
    other = state.add_request({"applicant": "Дараагийн"}, box)
    assert state.register(other)[0] == number + 1
