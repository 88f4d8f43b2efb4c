"""Receipts, witnesses and sealing: the queue checked from outside the workspace file."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Geod
from system_tools import program

from landtool.cli import main
from landtool.workspace import Workspace, decisions


@pytest.fixture
def ws(sample_ws, tmp_path):
    path = tmp_path / "ws.gpkg"
    shutil.copyfile(sample_ws, path)
    w = Workspace(path)
    reqs = w.read("requests")
    new = gpd.GeoDataFrame({"request_id": ["NEW-1"], "applicant": ["Алтан Шороо нөхөрлөл"]},
                           geometry=[shapely.MultiPolygon([shapely.box(106.53, 48.67, 106.535,
                                                                        48.673)])], crs=4326)
    w.update("requests", gpd.GeoDataFrame(pd.concat([reqs, new], ignore_index=True), crs=4326),
             note="test")
    return w


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_the_receipt_pdf_and_its_qr_code(ws, tmp_path):
    import zxingcpp  # dev dependency (pyproject.toml)
    from PIL import Image

    pdf = tmp_path / "receipt.pdf"
    r = run("register", "add", ws.path, "NEW-1", "--receipt", pdf)
    assert r.exit_code == 0, r.output
    doc = json.loads(pdf.with_suffix(".json").read_text("utf-8"))
    # the sample's 15 registrations come first: NEW-1 is number 16, entry 16
    assert (doc["queue_no"], doc["entry"], doc["log_length"]) == (16, 16, 16)
    with sqlite3.connect(ws.path) as con:
        (h,) = con.execute("SELECT hash FROM landtool_log WHERE seq = 16").fetchone()
    assert doc["entry_hash"] == h and doc["applicant"] == "Алтан Шороо нөхөрлөл"
    area, _ = Geod(ellps="WGS84").polygon_area_perimeter(
        [106.53, 106.535, 106.535, 106.53], [48.67, 48.67, 48.673, 48.673])
    assert doc["area_ha"] == pytest.approx(abs(area) / 1e4, abs=1e-4)
    assert doc["registered_at"].endswith("+08:00")
    subprocess.run([program("pdftoppm"), "-r", "200", "-png", str(pdf), str(tmp_path / "page")],
                   check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1  # one page
    codes = zxingcpp.read_barcodes(Image.open(pages[0]))
    assert len(codes) == 1 and json.loads(codes[0].text) == doc


def test_a_cut_and_a_rewrite_are_found_with_a_receipt_or_witness(ws, tmp_path):
    assert run("register", "add", ws.path, "NEW-1", "--receipt",
               tmp_path / "r.pdf").exit_code == 0
    w = tmp_path / "w.json"
    assert run("register", "witness", ws.path, "--out", w).exit_code == 0
    ok = run("register", "verify", ws.path, "--receipt", tmp_path / "r.json", "--witness", w)
    assert ok.exit_code == 0 and "agrees with the log" in ok.output, ok.output
    # cut the last entry and fix the head record: the chain alone looks intact
    with sqlite3.connect(ws.path) as con:
        con.execute("DELETE FROM landtool_log WHERE seq = 16")
        (last,) = con.execute("SELECT hash FROM landtool_log WHERE seq = 15").fetchone()
        con.execute("UPDATE landtool_log_head SET v = '15' WHERE k = 'count'")
        con.execute("UPDATE landtool_log_head SET v = ? WHERE k = 'last_hash'", (last,))
    # the chain alone looks intact (the layer's number 16, now unbacked, still shows)
    assert "the chain of 15 entries is intact" in run("register", "verify", ws.path).output
    con.close()
    r = run("register", "verify", ws.path, "--witness", w)
    assert r.exit_code == 1 and "cut off" in r.output and str(w) in r.output, r.output
    r = run("register", "verify", ws.path, "--receipt", tmp_path / "r.json")
    assert r.exit_code == 1 and "cut off" in r.output


def test_a_rewritten_chain_is_found_with_a_witness(ws, tmp_path):
    w = tmp_path / "w.json"
    assert run("register", "witness", ws.path, "--out", w).exit_code == 0
    # rewrite the whole chain from entry 1 with its hashes recomputed
    log = decisions.entries(ws)
    prev = decisions.GENESIS
    with sqlite3.connect(ws.path) as con:
        for e in log:
            fields = {**e.__dict__, "prev_hash": prev}
            if e.seq == 1:
                fields["user"] = "someone else"
            fields["hash"] = decisions._entry_hash(fields)
            con.execute("UPDATE landtool_log SET user = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                        (fields["user"], prev, fields["hash"], e.seq))
            prev = fields["hash"]
        con.execute("UPDATE landtool_log_head SET v = ? WHERE k = 'last_hash'", (prev,))
    con.close()
    r = run("register", "verify", ws.path, "--witness", w)
    assert r.exit_code == 1 and "rewritten" in r.output, r.output


def test_unbacked_numbers_fail_until_sealed(ws):
    # a queue number written into the layer by hand, with no log entry
    reqs = ws.read("requests")
    reqs.loc[reqs["request_id"] == "NEW-1", "queue_no"] = 16
    reqs.loc[reqs["request_id"] == "NEW-1", "submitted_at"] = "2026-06-01T10:00:00+08:00"
    ws.update("requests", reqs, note="by hand")
    r = run("register", "verify", ws.path)
    assert r.exit_code == 1 and "NEW-1" in r.output and "never gave" in r.output, r.output
    r = run("register", "seal", ws.path, "--user", "officer")
    assert r.exit_code == 0 and "sealed #16: NEW-1 as number 16" in r.output, r.output
    with sqlite3.connect(ws.path) as con:
        row = con.execute("SELECT action, subject, user FROM landtool_log WHERE seq = 16"
                          ).fetchone()
    assert row == ("imported", "NEW-1", "officer")
    assert run("register", "verify", ws.path).exit_code == 0
    assert "nothing to seal" in run("register", "seal", ws.path).output


def test_swapped_numbers_in_the_sample_are_found(ws):
    reqs = ws.read("requests").set_index("request_id")
    a, b = reqs.loc["REQ-2026-002", "queue_no"], reqs.loc["REQ-2026-003", "queue_no"]
    reqs.loc["REQ-2026-002", "queue_no"], reqs.loc["REQ-2026-003", "queue_no"] = b, a
    ws.update("requests", reqs.reset_index(), note="swap")
    r = run("register", "verify", ws.path)
    assert r.exit_code == 1 and "REQ-2026-002" in r.output and "REQ-2026-003" in r.output
