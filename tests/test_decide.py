"""Decisions after registration follow the procedure (the log is append-only, so a decision
out of order is refused, never recorded), and the printable register shows the queue, the
checks, the decisions and the chain as the workspace holds them."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from landtool.cli import main
from landtool.errors import RegisterError
from landtool.export.register_sheet import register_html
from landtool.register import allowed_decisions, decide, queue_rows
from landtool.workspace import Workspace, decisions


@pytest.fixture
def ws(sample_ws, tmp_path):
    path = tmp_path / "ws.gpkg"
    shutil.copyfile(sample_ws, path)
    return Workspace(path)


#: The sample's log opens with one 'registered' entry per request, in queue order.
SAMPLE_ENTRIES = 15


def _log(ws) -> list[tuple]:
    """The log's rows after the sample's registrations, read straight from the file."""
    with sqlite3.connect(ws.path) as con:
        return con.execute("SELECT seq, action, subject, details, inputs_hash, user "
                           "FROM landtool_log WHERE seq > ? ORDER BY seq",
                           (SAMPLE_ENTRIES,)).fetchall()


def test_the_sample_log_registers_every_request_in_queue_order(ws):
    with sqlite3.connect(ws.path) as con:
        rows = con.execute("SELECT seq, action, subject, details FROM landtool_log "
                           "ORDER BY seq").fetchall()
    reqs = ws.read("requests").sort_values("queue_no")
    assert [r[0] for r in rows] == list(range(1, SAMPLE_ENTRIES + 1))
    assert {r[1] for r in rows} == {"registered"}
    assert [r[2] for r in rows] == list(reqs["request_id"])
    assert [json.loads(r[3])["queue_no"] for r in rows] == list(range(1, 16))
    assert [json.loads(r[3])["submitted_at"] for r in rows] == list(reqs["submitted_at"])


def test_the_procedure_in_order(ws):
    # the sample's REQ-2026-001 is registered (queue 1) and has a saved check
    decide(ws, "REQ-2026-001", "forwarded", user="bat")
    decide(ws, "REQ-2026-001", "approved", document="ИТХ 12/2026", user="bat")
    decide(ws, "REQ-2026-001", "conclusion_issued", document="Д-2026/044", user="saraa")
    decide(ws, "REQ-2026-001", "contract_signed", document="Г-2026/7", user="bat")
    rows = _log(ws)
    assert [r[1] for r in rows] == ["forwarded", "approved", "conclusion_issued",
                                    "contract_signed"]
    assert [json.loads(r[3])["resolution"] for r in rows] == [None, "ИТХ 12/2026",
                                                              "Д-2026/044", "Г-2026/7"]
    assert [r[5] for r in rows] == ["bat", "bat", "saraa", "bat"]
    # the inputs hash is the request's shape and the ruleset of its saved check, computed
    # here by hand as decisions.inputs_hash documents it: normalised 2-D WKB, then the JSON
    # {"ruleset": [id, version]}
    geom = ws.read("requests").set_index("request_id").geometry["REQ-2026-001"]
    h = hashlib.sha256(shapely.to_wkb(shapely.normalize(geom), output_dimension=2))
    h.update(json.dumps({"ruleset": ["mn-asm-2022", "1.0.0"]}).encode())
    assert {r[4] for r in rows} == {h.hexdigest()}
    assert allowed_decisions(decisions.entries(ws), "REQ-2026-001") == ()
    assert decisions.verify(ws).intact


@pytest.mark.parametrize("done, decision, says", [
    ([], "approved", "it is registered"),
    ([], "conclusion_issued", "it is registered"),
    (["forwarded"], "forwarded", "last decision is 'forwarded'"),
    (["forwarded"], "conclusion_issued", "last decision is 'forwarded'"),
    (["forwarded", "refused"], "forwarded", "procedure has ended"),
    (["forwarded", "refused"], "approved", "procedure has ended"),
    (["forwarded", "approved"], "contract_signed", "what may follow: conclusion_issued"),
])
def test_a_decision_out_of_order_is_refused_and_nothing_is_written(ws, done, decision, says):
    for d in done:
        decide(ws, "REQ-2026-002", d, document="X-1")
    before = _log(ws)
    with pytest.raises(RegisterError, match=says):
        decide(ws, "REQ-2026-002", decision, document="X-2")
    assert _log(ws) == before


def test_what_a_decision_needs(ws):
    with pytest.raises(RegisterError, match="needs the number of the Khural's resolution"):
        decide(ws, "REQ-2026-001", "approved", document="  ")
    with pytest.raises(RegisterError, match="no request 'REQ-9'"):
        decide(ws, "REQ-9", "forwarded")
    with pytest.raises(RegisterError, match="unknown decision"):
        decide(ws, "REQ-2026-001", "bribed")
    # an unregistered request: nothing can be decided
    reqs = ws.read("requests")
    new = gpd.GeoDataFrame({"request_id": ["REQ-NEW"]}, geometry=[shapely.MultiPolygon(
        [shapely.box(106.53, 48.67, 106.531, 48.6706)])], crs=4326)
    ws.update("requests", gpd.GeoDataFrame(pd.concat([reqs, new], ignore_index=True),
                                           crs=4326), note="test")
    with pytest.raises(RegisterError, match="not registered"):
        decide(ws, "REQ-NEW", "forwarded")
    assert _log(ws) == []


def test_forwarding_needs_a_check_of_the_request_as_it_is(ws):
    reqs = ws.read("requests")
    i = reqs.index[reqs["request_id"] == "REQ-2026-004"][0]
    reqs.loc[i, "geometry"] = shapely.affinity.translate(reqs.geometry[i], xoff=0.0001)
    ws.update("requests", reqs, note="moved")
    with pytest.raises(RegisterError, match="changed after its saved check"):
        decide(ws, "REQ-2026-004", "forwarded")
    with sqlite3.connect(ws.path) as con:
        con.execute("DELETE FROM landtool_checks WHERE request_id = 'REQ-2026-005'")
    with pytest.raises(RegisterError, match="no saved check"):
        decide(ws, "REQ-2026-005", "forwarded")
    assert _log(ws) == []


def test_the_cli_says_what_may_follow(ws):
    run = CliRunner().invoke
    r = run(main, ["register", "decide", str(ws.path), "REQ-2026-003", "--decision",
                   "refused", "--resolution", "ИТХ 13/2026"])
    assert r.exit_code == 2 and "what may follow: forwarded" in r.output
    assert "Traceback" not in r.output
    r = run(main, ["register", "decide", str(ws.path), "REQ-2026-003", "--decision",
                   "forwarded"])
    assert r.exit_code == 0 and f"logged #{SAMPLE_ENTRIES + 1}" in r.output


def test_queue_rows_follow_the_workspace(ws):
    decide(ws, "REQ-2026-003", "forwarded")
    decide(ws, "REQ-2026-003", "refused", document="ИТХ 13/2026")
    rows = queue_rows(ws)
    with sqlite3.connect(ws.path) as con:
        eligible = dict(con.execute("SELECT request_id, eligible FROM landtool_checks"))
    # the sample's requests carry queue numbers 1..15 in the order of their ids
    assert [r["queue_no"] for r in rows] == list(range(1, 16))
    assert [r["request_id"] for r in rows] == [f"REQ-2026-{k:03d}" for k in range(1, 16)]
    assert all((r["check"]["verdict"] != "refused") == bool(eligible[r["request_id"]])
               for r in rows)
    by_id = {r["request_id"]: r for r in rows}
    assert by_id["REQ-2026-003"]["decision"].action == "refused"
    assert [e.action for e in by_id["REQ-2026-003"]["history"]] == ["registered", "forwarded",
                                                                  "refused"]
    assert by_id["REQ-2026-001"]["decision"] is None
    # geodesic area, independently: pyproj Geod on the exterior ring
    from pyproj import Geod

    geom = ws.read("requests").set_index("request_id").geometry["REQ-2026-001"]
    ring = geom.geoms[0].exterior
    area, _ = Geod(ellps="WGS84").polygon_area_perimeter(*ring.xy)
    assert by_id["REQ-2026-001"]["area_ha"] == pytest.approx(abs(area) / 1e4, rel=1e-9)


def test_the_printed_register(ws):
    decide(ws, "REQ-2026-003", "forwarded", user="bat")
    decide(ws, "REQ-2026-003", "refused", document="ИТХ 13/2026", user="bat")
    page = register_html(ws, soum="4322", lang="mn", user="bat")
    assert "Сэлэнгэ аймаг, Мандал сум" in page
    positions = [page.index(f">REQ-2026-{k:03d}<") for k in range(1, 16)]
    assert positions == sorted(positions)  # queue order
    assert "Хурал татгалзсан № ИТХ 13/2026" in page
    with sqlite3.connect(ws.path) as con:
        last = con.execute("SELECT hash FROM landtool_log ORDER BY seq DESC").fetchone()[0]
    assert f"<code>{last}</code>" in page and "17 бичлэгийн гинж бүрэн бүтэн" in page
    english = register_html(ws, lang="en")
    assert "refused by the Khural no. ИТХ 13/2026" in english
    assert "The chain of 17 entries is intact" in english  # 15 registrations, 2 decisions
    # tampering shows on the page, in both languages
    with sqlite3.connect(ws.path) as con:
        con.execute("UPDATE landtool_log SET user = 'someone' WHERE seq = 1")
    assert "ГИНЖ ТАСАРСАН: 1-р бичлэгийн агуулга өөрчлөгдсөн" in register_html(ws)
    assert "THE CHAIN IS BROKEN: entry 1: its content was changed" in register_html(
        ws, lang="en")


def test_print_cli_writes_once_and_refuses_to_overwrite(ws, tmp_path):
    out = tmp_path / "register.html"
    run = CliRunner().invoke
    r = run(main, ["register", "print", str(ws.path), "--out", str(out), "--lang", "en"])
    assert r.exit_code == 0 and "Register of requests for ASM land" in out.read_text("utf-8")
    r = run(main, ["register", "print", str(ws.path), "--out", str(out)])
    assert r.exit_code == 2 and "already exists" in r.output
    r = run(main, ["register", "print", str(ws.path), "--out", str(out), "--force"])
    assert r.exit_code == 0  # now in Mongolian, the default
    assert "Бичил уурхайн газар олгох хүсэлтийн бүртгэл" in out.read_text("utf-8")


def _with_new_requests(ws, ids):
    reqs = ws.read("requests")
    new = gpd.GeoDataFrame({"request_id": ids}, geometry=[shapely.MultiPolygon(
        [shapely.box(106.53 + k * 0.01, 48.67, 106.531 + k * 0.01, 48.6706)])
        for k in range(len(ids))], crs=4326)
    ws.update("requests", gpd.GeoDataFrame(pd.concat([reqs, new], ignore_index=True),
                                           crs=4326), note="test")


def test_verify_finds_a_queue_edited_around_the_log(ws):
    from landtool.register import audit

    _with_new_requests(ws, ["NEW-1", "NEW-2"])
    run = CliRunner().invoke
    for rid in ("NEW-1", "NEW-2"):
        assert run(main, ["register", "add", str(ws.path), rid]).exit_code == 0
    r = run(main, ["register", "verify", str(ws.path)])
    assert r.exit_code == 0 and "the queue agrees with the log" in r.output
    assert audit(ws) == []
    # swap the two numbers (16 and 17: the sample holds 1..15), backdate one and give a
    # number twice, writing the layer with no log entry (as any GIS program could); a
    # program of its own, opened after the registrations (the first `ws` read the layer
    # before them, and would be refused as stale)
    ws = Workspace(ws.path)
    reqs = ws.read("requests").set_index("request_id")
    reqs.loc["NEW-1", "queue_no"], reqs.loc["NEW-2", "queue_no"] = 17, 16
    reqs.loc["NEW-1", "submitted_at"] = "2026-01-01T08:00:00+08:00"
    reqs.loc["REQ-2026-005", "queue_no"] = 1
    ws.update("requests", reqs.reset_index(), note="by hand")
    found = {(d.request_id, d.kind): d for d in audit(ws)}
    assert found[("NEW-1", "number")].layer == "17" and found[("NEW-1", "number")].log == "16"
    assert found[("NEW-2", "number")].layer == "16"
    assert found[("NEW-1", "time")].layer == "2026-01-01T08:00:00+08:00"
    assert found[("REQ-2026-001", "duplicate")].log == "REQ-2026-001, REQ-2026-005"
    r = run(main, ["register", "verify", str(ws.path)])
    assert r.exit_code == 1 and "the log registered it as 16" in r.output
    assert "the chain of 17 entries is intact" in r.output  # the log itself is untouched
    page = register_html(ws)
    assert "NEW-1: давхаргад дарааллын дугаар 17, бүртгэлд 16 гэж бүртгэсэн" in page


def test_a_registered_request_deleted_fails_verification(ws):
    _with_new_requests(ws, ["NEW-1"])
    run = CliRunner().invoke
    assert run(main, ["register", "add", str(ws.path), "NEW-1"]).exit_code == 0
    ws = Workspace(ws.path)  # another program, opened after the registration
    reqs = ws.read("requests")
    ws.update("requests", reqs[reqs["request_id"] != "NEW-1"], note="withdrawn")
    r = run(main, ["register", "verify", str(ws.path)])
    # a registered request may leave the queue only by a logged withdrawal
    assert r.exit_code == 1 and "NEW-1" in r.output, r.output


def test_a_request_reshaped_after_forwarding_cannot_be_decided(ws):
    decide(ws, "REQ-2026-002", "forwarded")
    reqs = ws.read("requests")
    i = reqs.index[reqs["request_id"] == "REQ-2026-002"][0]
    original = reqs.geometry[i]
    reqs.loc[i, "geometry"] = shapely.affinity.scale(original, 1.7, 1.7)
    ws.update("requests", reqs, note="reshaped")
    with pytest.raises(RegisterError, match="changed after it was forwarded"):
        decide(ws, "REQ-2026-002", "approved", document="ИТХ 1/2026")
    reqs.loc[i, "geometry"] = original  # put back: the Khural's decision can be recorded
    ws.update("requests", reqs, note="put back")
    assert decide(ws, "REQ-2026-002", "approved", document="ИТХ 1/2026").action == "approved"


def test_text_that_is_not_unicode_gets_a_message(ws):
    r = CliRunner().invoke(main, ["register", "decide", str(ws.path), "REQ-2026-001",
                                  "--decision", "forwarded", "--note", "caf\udce9"])
    assert r.exit_code == 2 and "not valid Unicode" in r.output and "Traceback" not in r.output
    assert _log(ws) == []


def test_a_time_without_offset_is_mongolian_time():
    from landtool.register import _same_time

    assert _same_time("2026-01-14 09:20:00", "2026-01-14T09:20:00+08:00")
    assert _same_time("2026-01-14T01:20:00Z", "2026-01-14T09:20:00+08:00")
    assert not _same_time("2026-01-14T09:20:00+00:00", "2026-01-14T09:20:00+08:00")
