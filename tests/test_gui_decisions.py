"""Decisions and the printed register in the desktop app: the real window on a copy of the
sample workspace; what is expected is read from the workspace file directly (sqlite3)."""

from __future__ import annotations

import json
import os
import sqlite3

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from test_gui_app import _open, boxes, ws_path  # noqa: E402,F401 (its fixtures)

from gui import decision_dialog  # noqa: E402
from gui.decision_dialog import DecisionDialog  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, ws_path, tmp_path):  # noqa: F811
    return _open(qtbot, ws_path, tmp_path / "settings.ini")


def _log(path) -> list[tuple]:
    """The log's rows after the sample's 15 registrations (entries 1..15)."""
    with sqlite3.connect(path) as con:
        return con.execute("SELECT seq, action, subject, details FROM landtool_log "
                           "WHERE seq > 15 ORDER BY seq").fetchall()


def test_the_dialog_offers_only_what_may_follow(window):
    dialog = DecisionDialog(window.state, "REQ-2026-001", window)
    assert dialog.allowed == ("forwarded", "withdrawn")
    assert [dialog.choice.itemData(i) for i in range(dialog.choice.count())] == [
        "forwarded", "withdrawn"]
    assert not dialog.document.isEnabled()  # forwarding needs no document number


def test_record_decisions_from_the_window(window, ws_path, monkeypatch, boxes):  # noqa: F811
    window.show_request("REQ-2026-003")
    answers = iter([("forwarded", None, ""), ("refused", "ИТХ 13/2026", "overlap")])
    monkeypatch.setattr(decision_dialog, "ask_decision", lambda *a: next(answers))
    assert window.act["decide"].isEnabled()
    window.act["decide"].trigger()
    window.act["decide"].trigger()
    rows = _log(ws_path)
    assert [(r[1], r[2]) for r in rows] == [("forwarded", "REQ-2026-003"),
                                            ("refused", "REQ-2026-003")]
    details = json.loads(rows[1][3])
    assert (details["resolution"], details["note"]) == ("ИТХ 13/2026", "overlap")
    assert not boxes.of("critical")
    # the table and the check panel show it
    model = window.requests_panel.table.model()
    column = [model.headerData(c, Qt.Orientation.Horizontal)
              for c in range(model.columnCount())].index("Decision")
    row = window.requests_panel.row_of("REQ-2026-003")
    assert model.index(row, column).data() == "refused by the Khural"
    assert "Latest decision: refused by the Khural № ИТХ 13/2026" in \
        window.check_panel.header.text()
    # the procedure has ended: the dialog offers nothing, and says so
    dialog = DecisionDialog(window.state, "REQ-2026-003", window)
    assert dialog.allowed == () and "ended" in dialog.error.text()
    assert not dialog.note.isEnabled() and not dialog.choice.isEnabled()


def test_a_decision_is_refused_while_edits_are_unsaved(
        window, ws_path, monkeypatch, boxes):  # noqa: F811
    window.show_request("REQ-2026-002")
    window.state.edit_attributes("REQ-2026-002", {"members": 9})
    monkeypatch.setattr(decision_dialog, "ask_decision", lambda *a: ("forwarded", None, ""))
    window.act["decide"].trigger()
    assert _log(ws_path) == []
    (kind, title, text), = boxes.of("critical")
    assert title == "Cannot record the decision" and "save first" in text


def test_print_the_register(window, ws_path, tmp_path, monkeypatch):  # noqa: F811
    out = tmp_path / "register"
    monkeypatch.setattr(decision_dialog, "ask_register_path", lambda *a: str(out))
    assert window.act["print_register"].isEnabled()
    window.act["print_register"].trigger()
    page = (tmp_path / "register.html").read_text(encoding="utf-8")
    assert "Register of requests for ASM land" in page  # the window's language (English)
    with sqlite3.connect(ws_path) as con:
        ids = [r[0] for r in con.execute("SELECT request_id FROM requests ORDER BY queue_no")]
    positions = [page.index(f">{i}<") for i in ids]
    assert positions == sorted(positions)


def test_a_new_request_never_takes_an_id_the_log_has_seen(window, ws_path, qtbot):  # noqa: F811
    from landtool.workspace import Workspace, decisions

    year = window.state.as_of.year
    decisions.append(Workspace(ws_path), "registered", f"NEW-{year}-001", {"queue_no": 16})
    with qtbot.waitSignal(window.workspaceLoaded, timeout=60_000):
        window.open_workspace(ws_path)
    assert window.state._new_id() == f"NEW-{year}-002"


def test_a_saved_registration_cannot_be_undone_and_saved(window, ws_path, boxes):  # noqa: F811
    import shapely as shp

    state = window.state
    rid = state.add_request({}, shp.box(106.53, 48.67, 106.531, 48.6706))
    state.register(rid)
    assert window.save()
    state.undo_stack.undo()  # the registration
    assert not window.save()
    (kind, title, text), = [c for c in boxes.calls if c[0] in ("critical", "warning")]
    assert "never undone" in text
    with sqlite3.connect(ws_path) as con:
        assert con.execute("SELECT queue_no FROM requests WHERE request_id = ?",
                           (rid,)).fetchone()[0] == 16


def test_the_history_shows_names_and_numbers_as_text(window):
    from gui.decision_dialog import history_text
    from landtool.workspace.decisions import Entry

    e = Entry(1, "2026-12-02T08:00:00+00:00", "bat <ops>", "approved", "R",
              json.dumps({"resolution": "12<13 & <b>x"}), "", "", "")
    assert "bat &lt;ops&gt;" in history_text([e], "en") and "12&lt;13 &amp; &lt;b&gt;x" in \
        history_text([e], "en")


def test_print_a_receipt_from_the_register_action(
        window, ws_path, tmp_path, monkeypatch, boxes):  # noqa: F811 (its fixtures)
    """Registering in the window, then Edit ▸ Print the applicant's receipt: the registration
    is saved into the log first, and the receipt (PDF and JSON) holds that log entry, read
    here straight from the file."""
    import shapely
    from pypdf import PdfReader

    rid = window.state.add_request({"applicant": "Шинэ нөхөрлөл", "members": 6},
                                   shapely.box(106.5285, 48.6700, 106.5295, 48.6706))
    window.act["register"].trigger()
    assert "Print the applicant's receipt" in window.statusBar().currentMessage()
    assert window.act["print_receipt"].isEnabled()
    out = tmp_path / "receipts" / "new"
    out.parent.mkdir()
    monkeypatch.setattr(decision_dialog, "ask_receipt_path", lambda *a: str(out))
    window.act["print_receipt"].trigger()
    assert not boxes.of("critical"), boxes.of("critical")
    assert not window.state.dirty  # saved first
    with sqlite3.connect(ws_path) as con:
        seq, details, digest = con.execute(
            "SELECT seq, details, hash FROM landtool_log WHERE action = 'registered' AND "
            "subject = ?", (rid,)).fetchone()
    doc = json.loads((tmp_path / "receipts" / "new.json").read_text(encoding="utf-8"))
    assert (doc["request_id"], doc["entry"], doc["entry_hash"]) == (rid, seq, digest)
    assert doc["queue_no"] == json.loads(details)["queue_no"] == 16
    text = PdfReader(tmp_path / "receipts" / "new.pdf").pages[0].extract_text()
    assert rid in text and "Receipt of registration" in text
    # a request never registered has no receipt: said, nothing written
    window.show_request(window.state.add_request({"applicant": "X", "members": 5},
                                                 shapely.box(106.53, 48.671, 106.531, 48.6715)))
    monkeypatch.setattr(decision_dialog, "ask_receipt_path",
                        lambda *a: str(tmp_path / "none.pdf"))
    window.act["print_receipt"].trigger()
    ((_kind, title, text),) = boxes.of("critical")
    assert title == "Cannot print the receipt" and "not registered" in text
    assert not (tmp_path / "none.pdf").exists()
