"""Saving never breaks a workspace: a writer killed (SIGKILL) at random moments, over and over,
leaves a workspace that opens, reads and verifies every time, in its old or its new state."""

from __future__ import annotations

import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pyogrio

from landtool.workspace import Workspace, decisions

WRITER = r"""
import itertools, sys
from landtool.workspace import decisions
from landtool.workspace import Workspace
ws = Workspace(sys.argv[1])
base = ws.read("requests")
print("ready", flush=True)
for k in itertools.count(1):
    layer = base.copy()
    layer["members"] = k                      # every save changes every row the same way
    ws.update("requests", layer, note=f"save {k}")
    decisions.append(ws, "checked", f"save-{k}", {"k": k})
    print(f"saved {k}", flush=True)
"""


def test_killing_a_writer_mid_save_never_breaks_the_workspace(sample_ws, tmp_path):
    path = tmp_path / "ws.gpkg"
    shutil.copyfile(sample_ws, path)
    rng = random.Random(296)
    saves_seen = set()
    for _ in range(8):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)],
                                  stdout=subprocess.PIPE, text=True)
        assert writer.stdout.readline().strip() == "ready"
        # let it finish one save (however loaded the machine is), then kill it at a random
        # moment: in the middle of a later save or log append, or between them
        assert writer.stdout.readline().startswith("saved")
        time.sleep(rng.uniform(0.0, 0.6))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        ws = Workspace(path)  # opens
        with sqlite3.connect(path) as con:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for name in ws.layer_names():  # every layer reads
            pyogrio.read_dataframe(path, layer=name)
        requests = ws.read("requests")
        assert len(requests) == 15
        # old or new state, never a mixture: all rows carry the same save number
        assert requests["members"].nunique() == 1
        saves_seen.add(int(requests["members"].iloc[0]))
        assert decisions.verify(ws).intact
    assert len(saves_seen) > 1  # the writer did get through saves between the kills
    # the next save clears the working copies the killed writers left behind
    ws.update("requests", ws.read("requests"), note="after the kills")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws.gpkg"]


def test_decisions_appended_during_other_saves_are_never_lost(sample_ws, tmp_path):
    # One process saves the requests layer over and over (copy and replace) while this one
    # appends decisions: the write lock makes each wait for the other, so every decision
    # appended is still in the log afterwards and the chain is intact.
    path = tmp_path / "ws.gpkg"
    shutil.copyfile(sample_ws, path)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "ready"
        assert writer.stdout.readline().startswith("saved")
        ws = Workspace(path)
        mine = [decisions.append(ws, "forwarded", f"REQ-{k}", {"k": k}).hash for k in range(15)]
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    log = decisions.entries(Workspace(path))
    assert set(mine) <= {e.hash for e in log}
    assert decisions.verify(Workspace(path)).intact


HALF_WRITE = r"""
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
con.execute("CREATE TABLE IF NOT EXISTS junk (a)")
con.executemany("INSERT INTO junk VALUES (?)", [(b"x" * 1000,) for _ in range(5000)])
print("writing", flush=True)
time.sleep(120)
"""


def test_a_write_cut_off_mid_transaction_is_rolled_back_on_opening(sample_ws, tmp_path):
    # SQLite leaves a "hot" journal; read-only readers (GDAL, the log's) are refused until a
    # connection that may write rolls it back: opening the workspace does that
    path = tmp_path / "ws.gpkg"
    shutil.copyfile(sample_ws, path)
    writer = subprocess.Popen([sys.executable, "-c", HALF_WRITE, str(path)],
                              stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "writing"
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert (tmp_path / "ws.gpkg-journal").exists()
    ws = Workspace(path)
    assert not (tmp_path / "ws.gpkg-journal").exists()
    assert len(ws.read("requests")) == 15 and decisions.verify(ws).intact
    with sqlite3.connect(path) as con:  # the cut-off transaction left nothing behind
        assert con.execute("SELECT 1 FROM sqlite_master WHERE name = 'junk'").fetchone() is None
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
