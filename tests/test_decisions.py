"""The decisions log: append-only, hash-chained; tampering of any kind is found."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from click.testing import CliRunner

from landtool.cli import main
from landtool.workspace import Workspace, decisions


def _without_log(sample_ws, path):
    """A copy of the sample as it was before anything was registered: no log tables (the
    sample itself opens its log with its 15 registrations)."""
    shutil.copyfile(sample_ws, path)
    with sqlite3.connect(path) as con:
        con.execute("DROP TABLE landtool_log")
        con.execute("DROP TABLE landtool_log_head")
        con.execute("DELETE FROM gpkg_contents WHERE table_name IN ('landtool_log', "
                    "'landtool_log_head')")
    con.close()
    return path


@pytest.fixture
def ws(sample_ws, tmp_path):
    w = Workspace(_without_log(sample_ws, tmp_path / "ws.gpkg"))
    for k in range(1, 6):
        decisions.append(w, "registered", f"REQ-{k}", {"queue_no": k}, user="officer")
    return w


def _sql(ws, statement, *args):
    with sqlite3.connect(ws.path) as con:
        con.execute(statement, args)


def test_intact_chain(ws):
    result = decisions.verify(ws)
    assert result.intact and result.entries == 5
    log = decisions.entries(ws)
    assert log[0].prev_hash == decisions.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(log, log[1:], strict=False))


def test_an_edited_entry_is_found(ws):
    _sql(ws, "UPDATE landtool_log SET details = ? WHERE seq = 3", json.dumps({"queue_no": 1}))
    result = decisions.verify(ws)
    assert (result.intact, result.first_bad) == (False, 3) and "changed" in result.reason


def test_an_edit_with_its_hash_recomputed_breaks_the_next_link(ws):
    entry = decisions.entries(ws)[2]
    fields = {**entry.__dict__, "user": "someone else"}
    fields["hash"] = decisions._entry_hash(fields)
    _sql(ws, "UPDATE landtool_log SET user = ?, hash = ? WHERE seq = 3", fields["user"],
         fields["hash"])
    result = decisions.verify(ws)
    assert (result.intact, result.first_bad) == (False, 4)


def test_a_deleted_entry_is_found(ws):
    _sql(ws, "DELETE FROM landtool_log WHERE seq = 2")
    result = decisions.verify(ws)
    assert (result.intact, result.first_bad) == (False, 2) and "missing" in result.reason


def test_reordered_entries_are_found(ws):
    # swap the places of entries 2 and 3 (seq is the row's key, so a reorder renumbers them)
    with sqlite3.connect(ws.path) as con:
        con.execute("UPDATE landtool_log SET seq = 99 WHERE seq = 2")
        con.execute("UPDATE landtool_log SET seq = 2 WHERE seq = 3")
        con.execute("UPDATE landtool_log SET seq = 3 WHERE seq = 99")
    result = decisions.verify(ws)
    assert not result.intact and result.first_bad == 2


def test_entries_cut_off_the_end_are_found(ws):
    _sql(ws, "DELETE FROM landtool_log WHERE seq = 5")
    result = decisions.verify(ws)
    assert (result.intact, result.first_bad) == (False, 5) and "missing" in result.reason


def test_unknown_decision_is_refused(ws):
    from landtool.errors import LandtoolError

    with pytest.raises(LandtoolError, match="unknown decision"):
        decisions.append(ws, "bribed", "REQ-1")


def test_inputs_hash_ignores_vertex_order_but_not_shape_or_ruleset():
    import shapely

    a = shapely.Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
    b = shapely.Polygon([(1, 1), (0, 1), (0, 0), (1, 0)])  # same square, other start
    c = shapely.box(0, 0, 1, 1.01)
    h = decisions.inputs_hash
    assert h(a, ("mn-asm-2022", "1.0.0")) == h(b, ("mn-asm-2022", "1.0.0"))
    assert h(a, ("mn-asm-2022", "1.0.0")) != h(c, ("mn-asm-2022", "1.0.0"))
    assert h(a, ("mn-asm-2022", "1.0.0")) != h(a, ("mn-asm-2010", "1.0.0"))


def test_cli_register_decide_verify_print(sample_ws, tmp_path):
    import geopandas as gpd
    import pandas as pd
    import shapely

    path = tmp_path / "ws.gpkg"
    shutil.copyfile(sample_ws, path)
    w = Workspace(path)
    reqs = w.read("requests")
    new = gpd.GeoDataFrame({"request_id": ["REQ-2026-016"], "applicant": ["Шинэ"]},
                           geometry=[shapely.MultiPolygon([shapely.box(106.53, 48.67, 106.531,
                                                                       48.6706)])], crs=4326)
    w.update("requests", gpd.GeoDataFrame(pd.concat([reqs, new], ignore_index=True), crs=4326),
             note="test")
    run = CliRunner().invoke
    r = run(main, ["register", "add", str(path), "REQ-2026-016", "--user", "bat"])
    assert r.exit_code == 0 and "number 16" in r.output, r.output
    r = run(main, ["register", "add", str(path), "REQ-2026-016"])
    assert r.exit_code == 2 and "registered already" in r.output
    r = run(main, ["register", "decide", str(path), "REQ-2026-001", "--decision", "approved"])
    assert r.exit_code == 2 and "--resolution" in r.output
    r = run(main, ["register", "decide", str(path), "REQ-2026-001", "--decision", "forwarded"])
    assert r.exit_code == 0, r.output
    r = run(main, ["register", "decide", str(path), "REQ-2026-001", "--decision", "approved",
                   "--resolution", "ИТХ-2026/12"])
    assert r.exit_code == 0, r.output
    r = run(main, ["register", "list", str(path)])
    assert "approved (ИТХ-2026/12)" in r.output and "REQ-2026-016" in r.output
    assert run(main, ["register", "verify", str(path)]).exit_code == 0
    out = tmp_path / "register.html"
    r = run(main, ["register", "print", str(path), "--out", str(out)])
    page = out.read_text(encoding="utf-8")
    assert "REQ-2026-016" in page and "гинж бүрэн бүтэн" in page
    # the printed page carries the witness as JSON: copied from the paper, verify takes it
    import html
    import re

    printed = json.loads(html.unescape(re.search(r'<code>(\{[^<]*landtool-witness[^<]*\})</code>',
                                                 page).group(1)))
    with sqlite3.connect(path) as con:
        count, last = con.execute("SELECT count(*), max(seq) FROM landtool_log").fetchone()
        last_hash = con.execute("SELECT hash FROM landtool_log WHERE seq = ?",
                                (last,)).fetchone()[0]
    assert (printed["log_length"], printed["last_hash"]) == (count, last_hash)
    (tmp_path / "printed.json").write_text(json.dumps(printed), encoding="utf-8")
    r = run(main, ["register", "verify", str(path), "--witness", str(tmp_path / "printed.json")])
    assert r.exit_code == 0 and "agrees with the log" in r.output, r.output
    _sql(w, "UPDATE landtool_log SET user = 'x' WHERE seq = 1")
    r = run(main, ["register", "verify", str(path)])
    assert r.exit_code == 1 and "entry 1" in r.output


def test_emptying_the_head_record_does_not_hide_a_cut(ws):
    _sql(ws, "DELETE FROM landtool_log WHERE seq = 5")
    _sql(ws, "DELETE FROM landtool_log_head")
    result = decisions.verify(ws)
    assert not result.intact and "cut off" in result.reason


def test_reading_the_log_changes_nothing_in_the_file(ws, sample_ws, tmp_path):
    import hashlib

    before = hashlib.sha256(ws.path.read_bytes()).hexdigest()
    decisions.verify(ws)
    decisions.entries(ws)
    assert hashlib.sha256(ws.path.read_bytes()).hexdigest() == before
    # a workspace that never logged anything: an empty, intact log, and still untouched
    fresh = _without_log(sample_ws, tmp_path / "fresh.gpkg")
    before = hashlib.sha256(fresh.read_bytes()).hexdigest()
    assert decisions.verify(Workspace(fresh)).intact and decisions.entries(Workspace(fresh)) == []
    assert hashlib.sha256(fresh.read_bytes()).hexdigest() == before


def test_a_replaced_last_entry_is_found(ws):
    # entry 5 deleted and a new, well-chained entry 5 written in its place (its hash
    # recomputed, the head's count unchanged): only the head's last hash gives it away
    last = decisions.entries(ws)[3]
    _sql(ws, "DELETE FROM landtool_log WHERE seq = 5")
    fields = {"seq": 5, "at": "2026-11-30T00:00:00+00:00", "user": "officer",
              "action": "registered", "subject": "REQ-99", "details": "{}",
              "inputs_hash": decisions.inputs_hash(), "prev_hash": last.hash}
    fields["hash"] = decisions._entry_hash(fields)
    _sql(ws, "INSERT INTO landtool_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", *fields.values())
    result = decisions.verify(ws)
    assert (result.intact, result.first_bad, result.finding) == (False, 5, "replaced")
    assert result.text("mn").startswith("5-р бичлэг")


@pytest.mark.parametrize("statement, finding, mn", [
    ("UPDATE landtool_log SET user = 'x' WHERE seq = 2", "changed", "2-р бичлэгийн агуулга"),
    ("DELETE FROM landtool_log WHERE seq = 3", "missing", "3-р бичлэг алга"),
    ("DELETE FROM landtool_log WHERE seq = 5", "cut", "5 бичлэг байх ёстой"),
])
def test_findings_are_told_in_mongolian(ws, statement, finding, mn):
    _sql(ws, statement)
    result = decisions.verify(ws)
    assert result.finding == finding and mn in result.text("mn")
