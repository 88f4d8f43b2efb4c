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


def test_parcel_status_change_is_checked_and_undoable(state):
    from landtool.errors import RehabStatusError

    with pytest.raises(RehabStatusError):
        state.change_parcel_status("RP-011", "accepted", date(2026, 7, 1))
    state.change_parcel_status("RP-011", "technical_in_progress", date(2026, 6, 1))
    parcels = state.parcels.set_index("parcel_id")
    assert parcels.loc["RP-011", "status"] == "technical_in_progress"
    state.undo_stack.undo()
    assert state.parcels.set_index("parcel_id").loc["RP-011", "status"] == "disturbed"
