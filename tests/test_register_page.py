"""``landtool register publish``: the public register page checks the log's hash chain in a
real browser (headless Chromium, offline), flags a tampered log or a tampered page, and
confirms or refuses a pasted receipt or witness.

The page recomputes SHA-256 in JavaScript; the hashes it compares with were computed by Python
(``hashlib``) when the entries were appended, so a page that says "intact" on an untouched log
full of awkward text shows the two canonical forms agree."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
import subprocess
import urllib.parse
from pathlib import Path

import pytest
from click.testing import CliRunner

from landtool.cli import main
from landtool.workspace import Workspace

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("own_home")]


@pytest.fixture
def ws(sample_ws, tmp_path):
    path = tmp_path / "ws.gpkg"
    shutil.copy(sample_ws, path)
    return path


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def browser() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:  # `python3 run.py test` installs it; a missing browser is a failure
        pytest.fail("chromium is not installed (apt-get install chromium, or run the tests "
                    "through `python3 run.py test`)")
    return found


def chromium_args(tmp_path: Path) -> list[str]:
    return [browser(), "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
            "--host-resolver-rules=MAP * ~NOTFOUND",  # as if offline: no name resolves
            "--virtual-time-budget=5000", "--window-size=1280,1500"]


def open_page(page: Path, tmp_path: Path, fragment: str = "") -> str:
    """The page's DOM after its scripts ran, in headless Chromium."""
    url = page.as_uri() + (f"#{fragment}" if fragment else "")
    return subprocess.run([*chromium_args(tmp_path), "--dump-dom", url], capture_output=True,
                          text=True, timeout=120, check=True).stdout


def status(dom: str, box: str) -> tuple[str, str]:
    """(data-state, text) of the status box ``box`` ('chain-status' or 'receipt-status')."""
    m = re.search(rf'<div class="status" id="{box}"[^>]*?data-state="(\w+)"[^>]*>(.*?)</div>',
                  dom, re.S)
    assert m, f"no {box} in the page"
    return m.group(1), re.sub(r"<[^>]+>", " ", m.group(2))


def publish(ws: Path, out: Path, *more) -> Path:
    result = cli("register", "publish", ws, "--out", out, *more)
    assert result.exit_code == 0, result.output
    return out / "index.html"


def entry_hash(row: dict) -> str:
    """An entry's hash computed here, independently: SHA-256 of the canonical JSON of its
    fields (the format the log documents)."""
    body = {k: row[k] for k in ("seq", "at", "user", "action", "subject", "details",
                                "inputs_hash", "prev_hash")}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False)
                          .encode()).hexdigest()


def log_rows(ws: Path) -> list[dict]:
    with sqlite3.connect(ws) as con:
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute("SELECT * FROM landtool_log ORDER BY seq")]


def test_the_page_verifies_the_sample_and_confirms_a_receipt(ws, tmp_path):
    page = publish(ws, tmp_path / "site")
    dom = open_page(page, tmp_path)
    state, text = status(dom, "chain-status")
    assert state == "ok", text
    n = len(log_rows(ws))
    assert f"{n} бичлэгийн гинжийг" in text  # Mongolian first
    assert 'data-verified="ok"' in dom
    # the 15 queue rows, in order
    assert re.findall(r"<td>(REQ-2026-\d{3})</td>", dom)[:15] == \
        [f"REQ-2026-{i:03d}" for i in range(1, 16)]
    witness = json.loads((tmp_path / "site" / "witness.json").read_text(encoding="utf-8"))
    assert witness["log_length"] == n and witness["last_hash"] == log_rows(ws)[-1]["hash"]

    # a receipt checked in English, given through the page's address
    rows = log_rows(ws)
    first = rows[0]  # the receipt of the first registration, built by hand from the row
    receipt = {"kind": "landtool-receipt", "format": 1, "request_id": first["subject"],
               "queue_no": 1, "entry": first["seq"], "entry_hash": first["hash"]}
    dom = open_page(page, tmp_path, "lang=en&check=" + urllib.parse.quote(json.dumps(receipt)))
    state, text = status(dom, "receipt-status")
    assert state == "ok", text
    assert "Confirmed: entry 1 registers request REQ-2026-001 as number 1" in text
    # the same receipt with another hash, or for a number the entry does not give: refused
    for wrong, why in ((dict(receipt, entry_hash="0" * 64), "the log was rewritten"),
                       (dict(receipt, queue_no=2), "does not register request REQ-2026-001"),
                       (dict(receipt, entry=len(rows) + 5), "entries were cut off")):
        dom = open_page(page, tmp_path, "lang=en&check=" + urllib.parse.quote(json.dumps(wrong)))
        state, text = status(dom, "receipt-status")
        assert state == "bad" and why in text, text
    dom = open_page(page, tmp_path, "lang=en&check=" + urllib.parse.quote("{not json"))
    assert status(dom, "receipt-status")[0] == "bad"


def test_awkward_text_in_the_log_hashes_the_same_in_the_browser(ws, tmp_path):
    """Quotes, backslashes, a newline, a tab, a control character, Cyrillic, an emoji and a
    closing script tag in a decision's note: the browser's canonical JSON must be Python's."""
    note = 'он "2026" \\ мөр\nдоош\tтаб \x01 ✓ 🐎 </script><b>x</b> & ’'
    assert cli("register", "decide", ws, "REQ-2026-001", "--decision", "withdrawn",
               "--note", note, "--user", "Бат-Эрдэнэ \"officer\"").exit_code == 0
    rows = log_rows(ws)
    assert json.loads(rows[-1]["details"])["note"] == note
    assert all(entry_hash(r) == r["hash"] for r in rows)  # the log is intact to Python
    page = publish(ws, tmp_path / "site")
    html = page.read_text(encoding="utf-8")
    assert "</script><b>" not in html  # the note cannot close the data block
    dom = open_page(page, tmp_path)
    state, text = status(dom, "chain-status")
    assert state == "ok", text
    assert "<b>x</b>" not in dom  # shown as text, never as markup


def test_a_changed_entry_is_flagged_in_the_browser(ws, tmp_path):
    # entry 3's registration time changed in the file, as any SQLite tool could
    with sqlite3.connect(ws) as con:
        con.execute("UPDATE landtool_log SET details = replace(details, '14:40', '08:00') "
                    "WHERE seq = 3")
    dom = open_page(publish(ws, tmp_path / "site"), tmp_path, "lang=en")
    state, text = status(dom, "chain-status")
    assert state == "bad" and "THE CHAIN IS BROKEN" in text
    assert "the content of entry 3 was changed" in text
    assert 'data-verified="bad"' in dom


def test_a_tampered_page_is_flagged(ws, tmp_path):
    """The page itself edited after publishing: two requests' queue numbers swapped in its
    data, and separately an entry's user renamed."""
    page = publish(ws, tmp_path / "site")
    html = page.read_text(encoding="utf-8")
    swapped = html.replace('"queue_no": 1, "request_id": "REQ-2026-001"', "\0") \
        .replace('"queue_no": 2, "request_id": "REQ-2026-002"',
                 '"queue_no": 1, "request_id": "REQ-2026-002"') \
        .replace("\0", '"queue_no": 2, "request_id": "REQ-2026-001"')
    assert swapped != html
    page.write_text(swapped, encoding="utf-8")
    state, text = status(open_page(page, tmp_path, "lang=en"), "chain-status")
    assert state == "bad"
    assert "request REQ-2026-001: its number and time" in text
    assert "request REQ-2026-002: its number and time" in text

    renamed = html.replace('"user": "officer (sample)"', '"user": "someone else"', 1)
    assert renamed != html
    page.write_text(renamed, encoding="utf-8")
    state, text = status(open_page(page, tmp_path, "lang=en"), "chain-status")
    assert state == "bad" and "the content of entry 1 was changed" in text


def test_a_rewritten_chain_passes_alone_but_an_earlier_witness_catches_it(ws, tmp_path):
    """Whoever can write the file can rewrite the whole chain with fresh hashes: the page
    alone cannot tell, but a witness published before the rewrite can."""
    rows = log_rows(ws)
    before = {"kind": "landtool-witness", "format": 1, "log_length": len(rows),
              "last_hash": rows[-1]["hash"], "made_at": "2026-12-01T00:00:00+00:00"}
    prev = "0" * 64
    with sqlite3.connect(ws) as con:  # entry 3 given to another officer, every hash redone
        for r in rows:
            if r["seq"] == 3:
                r["user"] = "someone else"
            r["prev_hash"] = prev
            r["hash"] = prev = entry_hash(r)
            con.execute("UPDATE landtool_log SET user = ?, prev_hash = ?, hash = ? "
                        "WHERE seq = ?", (r["user"], r["prev_hash"], r["hash"], r["seq"]))
        con.execute("UPDATE landtool_log_head SET v = ? WHERE k = 'last_hash'", (prev,))
    page = publish(ws, tmp_path / "site")
    fragment = "lang=en&check=" + urllib.parse.quote(json.dumps(before))
    dom = open_page(page, tmp_path, fragment)
    assert status(dom, "chain-status")[0] == "ok"  # consistent in itself
    state, text = status(dom, "receipt-status")
    assert state == "bad" and "is not the one the witness saw" in text


def test_the_page_is_offline_and_in_both_languages(ws, tmp_path):
    page = publish(ws, tmp_path / "site")
    html = page.read_text(encoding="utf-8")
    assert "default-src 'none'" in html  # the browser refuses any request the page would make
    assert not re.search(r"""\s(src|href)\s*=""", html)
    dom_en = open_page(page, tmp_path, "lang=en")
    assert "Register of requests for ASM land" in dom_en
    assert status(dom_en, "chain-status")[1].strip().startswith("This browser recomputed")
    dom_mn = open_page(page, tmp_path)
    assert "Бичил уурхайн газар олгох хүсэлтийн бүртгэл" in dom_mn


def test_publish_refuses_to_overwrite_or_to_write_into_a_file(ws, tmp_path):
    publish(ws, tmp_path / "site")
    before = (tmp_path / "site" / "index.html").read_bytes()
    result = cli("register", "publish", ws, "--out", tmp_path / "site")
    assert result.exit_code == 2 and "already exists" in result.output
    assert (tmp_path / "site" / "index.html").read_bytes() == before
    (tmp_path / "afile").write_text("x")
    result = cli("register", "publish", ws, "--out", tmp_path / "afile")
    assert result.exit_code == 2, result.output
    assert (tmp_path / "afile").read_text() == "x"
    assert Workspace(ws).layer_names()  # the workspace is untouched and still opens
