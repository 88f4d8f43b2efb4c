"""How a GeoPackage workspace behaves as a file (issue 12, "What it must show"): eight
processes changing one file at the same moment, ``kill -9`` at random moments of every kind of
write, links, owner and mode kept, a read-only file refused, and a file another program holds
locked. Every change goes through the ``landtool`` command (in a subprocess, or its ``main``
in one) as an officer would run it."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner

from landtool.cli import main
from landtool.workspace import Workspace, decisions

ROOT = Path(__file__).resolve().parents[1]
LANDTOOL = Path(sys.executable).parent / "landtool"  # the installed entry point


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def ws(sample_ws, tmp_path):
    path = tmp_path / "ws.gpkg"
    shutil.copyfile(sample_ws, path)
    return path


def _geojson(path: Path, k: int) -> Path:
    """A small point layer (2 settlements) of its own."""
    feats = [{"type": "Feature", "properties": {"name": f"place {k}-{j}"},
              "geometry": {"type": "Point", "coordinates": [106.5 + 0.01 * k, 48.6 + 0.01 * j]}}
             for j in range(2)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), "utf-8")
    return path


def _with_new_requests(path: Path, ids: list[str]) -> None:
    """Add unregistered requests (small boxes east of the sample's) to the requests layer."""
    w = Workspace(path)
    reqs = w.read("requests")
    new = gpd.GeoDataFrame(
        {"request_id": ids, "applicant": [f"Шинэ {i}" for i in range(len(ids))]},
        geometry=[shapely.MultiPolygon([shapely.box(106.53 + k * 0.003, 48.67,
                                                    106.531 + k * 0.003, 48.6706)])
                  for k in range(len(ids))], crs=4326)
    w.update("requests", gpd.GeoDataFrame(pd.concat([reqs, new], ignore_index=True), crs=4326),
             note="test requests")


def _registered_in_log(path: Path) -> dict[str, int]:
    return {e.subject: e.details_dict()["queue_no"] for e in decisions.entries(Workspace(path))
            if e.action in decisions.REGISTRATIONS}


def _queue(path: Path) -> dict[str, int]:
    reqs = Workspace(path).read("requests")
    return {str(r): int(q) for r, q in zip(reqs["request_id"], reqs["queue_no"], strict=True)
            if not pd.isna(q)}


def _integrity_ok(path: Path) -> None:
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _layers_whole(path: Path) -> Workspace:
    """The workspace opens; every layer it records is there with as many rows as recorded and
    reads; no feature table is there without a record (no half import)."""
    w = Workspace(path)
    _integrity_ok(path)
    records = {r.name: r for r in w.layers()}
    with sqlite3.connect(path) as con:
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM gpkg_contents WHERE data_type = 'features'")}
        for name, rec in records.items():
            n = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            assert n == rec.feature_count, (name, n, rec.feature_count)
    assert tables == set(records), tables ^ set(records)
    for name in records:
        pyogrio.read_dataframe(path, layer=name)
    return w


def _verify_ok(path: Path) -> None:
    assert decisions.verify(Workspace(path)).intact
    r = invoke("register", "verify", path)
    assert r.exit_code == 0 and "the queue agrees with the log" in r.output, r.output


# -- 1. eight processes at the same moment ---------------------------------------------------
AT_ONCE = r"""
import sys, time
from pathlib import Path
from landtool.cli import main
ws, go, source, name, rid = sys.argv[1:6]
print("ready", flush=True)
while not Path(go).exists():
    time.sleep(0.002)
codes = [main(["workspace", "add", ws, source, "--kind", "settlements", "--name", name],
              standalone_mode=False),
         main(["register", "add", ws, rid], standalone_mode=False)]
print("codes", *[c or 0 for c in codes], flush=True)
"""


def test_eight_processes_adding_and_registering_at_once(ws, tmp_path):
    n = 8
    ids = [f"NEW-{k}" for k in range(n)]
    _with_new_requests(ws, ids)
    sources = [_geojson(tmp_path / f"extra{k}.geojson", k) for k in range(n)]
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", AT_ONCE, str(ws), str(go), str(sources[k]),
                               f"extra_{k}", ids[k]], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for k in range(n)]
    try:
        for p in procs:  # all imported and waiting: then they start at the same moment
            assert p.stdout.readline().strip() == "ready"
        go.touch()
        outs = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0 and "codes 0 0" in out, (out, err)
    w = _layers_whole(ws)
    info = json.loads(invoke("workspace", "info", ws, "--json").output)
    listed = {i["name"]: i["features"] for i in info}
    assert all(listed.get(f"extra_{k}") == 2 for k in range(n)), listed
    assert len(w.layers()) == 16 + n
    queue, logged = _queue(ws), _registered_in_log(ws)
    numbers = sorted(queue[rid] for rid in ids)
    assert numbers == list(range(16, 16 + n))  # unique and consecutive after the sample's 15
    assert {rid: logged[rid] for rid in ids} == {rid: queue[rid] for rid in ids}
    assert len(queue) == 15 + n and len(set(queue.values())) == 15 + n
    _verify_ok(ws)


# -- 2. kill -9 at random moments of each kind of write ----------------------------------------
KILL_WRITER = r"""
import sys
from landtool.cli import main
ws, kind, *items = sys.argv[1:]
print("ready", flush=True)
for item in items:
    if kind == "import":
        name, source = item.split("=")
        args = ["workspace", "add", ws, source, "--kind", "settlements", "--name", name]
    elif kind == "registration":
        args = ["register", "add", ws, item]
    elif kind == "decision":
        rid, what, doc = item.split("|")
        args = ["register", "decide", ws, rid, "--decision", what] + (
            ["--resolution", doc] if doc else [])
    else:  # a saved edit: a parcel's status changed, with its log entry
        pid, status, day = item.split("/")
        args = ["rehab", "advance", ws, pid, status, "--date", day]
    code = main(args, standalone_mode=False)
    if code:
        sys.exit(code)
    print("done", item, flush=True)
"""

CHAIN = (("forwarded", ""), ("approved", "ИТХ-1/2026"), ("conclusion_issued", "ГД-7/2026"),
         ("contract_signed", "Г-3/2026"))
STATUS_DAYS = (("technical_in_progress", "2026-11-01"), ("technical_done", "2026-11-02"),
               ("biological_done", "2026-11-03"), ("accepted", "2026-11-04"))


def _todo(kind: str, path: Path, tmp: Path, it: int) -> list[str]:
    """What the writer is given in iteration ``it``: what is not done yet, in order."""
    if kind == "import":
        return [f"imp{it}_{j}={_geojson(tmp / f'imp{it}_{j}.geojson', j)}" for j in range(40)]
    if kind == "registration":
        queue = _queue(path)
        return [f"KILL-{k:03d}" for k in range(60) if f"KILL-{k:03d}" not in queue]
    log = decisions.entries(Workspace(path))
    if kind == "decision":
        last = {}
        for e in log:
            if e.action in dict(CHAIN):
                last[e.subject] = e.action
        steps = [a for a, _ in CHAIN]
        return [f"REQ-2026-{r:03d}|{a}|{d}" for r in range(1, 16)
                for k, (a, d) in enumerate(CHAIN)
                if k > (steps.index(last[f"REQ-2026-{r:03d}"])
                        if f"REQ-2026-{r:03d}" in last else -1)]
    return _edits_todo(path)


def _edits_todo(path: Path) -> list[str]:
    parcels = Workspace(path).read("rehab_parcels")
    statuses = ["disturbed", *[s for s, _ in STATUS_DAYS]]
    out = []
    for pid, status in zip(parcels["parcel_id"], parcels["status"], strict=True):
        out += [f"{pid}/{s}/{d}" for s, d in STATUS_DAYS
                if statuses.index(s) > statuses.index(status)]
    return out


def _check_after_kill(kind: str, path: Path, done: set[str], original: pd.DataFrame | None):
    w = _layers_whole(path)
    _verify_ok(path)
    log = decisions.entries(w)
    if kind == "import":
        names = set(w.layer_names())
        assert {d.split("=")[0] for d in done} <= names
        for name in names - {n for n in original}:
            assert w.record(name).feature_count == 2 and len(w.read(name)) == 2
    elif kind == "registration":
        queue, logged = _queue(path), _registered_in_log(path)
        assert queue == logged  # a number in the layer if and only if its log entry
        assert done <= set(queue)
        assert sorted(queue.values()) == list(range(1, len(queue) + 1))
    elif kind == "decision":
        decided = {f"{e.subject}/{e.action}" for e in log}
        assert {"/".join(d.split("|")[:2]) for d in done} <= decided
    else:
        parcels = w.read("rehab_parcels").set_index("parcel_id")["status"]
        last = dict(original.set_index("parcel_id")["status"])
        for e in log:
            if e.action == "parcel_status_changed":
                last[e.subject] = e.details_dict()["to"]
        assert dict(parcels) == last  # each edit in the layer if and only if its log entry
        changed = {f"{e.subject}/{e.details_dict()['to']}" for e in log
                   if e.action == "parcel_status_changed"}
        assert {d.rsplit("/", 1)[0] for d in done} <= changed


@pytest.mark.parametrize("kind", ["import", "edit", "registration", "decision"])
def test_kill_9_at_random_moments_of_each_kind_of_write(ws, tmp_path, kind):
    rng = random.Random(f"storage-{kind}")
    if kind == "registration":
        _with_new_requests(ws, [f"KILL-{k:03d}" for k in range(60)])
    original = (Workspace(ws).layer_names() if kind == "import" else
                Workspace(ws).read("rehab_parcels") if kind == "edit" else None)
    scratch = tmp_path / "scratch"  # the killed writers' leftover scratch files go here
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    done_all: set[str] = set()
    for it in range(6):
        items = _todo(kind, ws, tmp_path, it)
        assert items, "nothing left to write"
        writer = subprocess.Popen([sys.executable, "-c", KILL_WRITER, str(ws), kind, *items],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=env)
        assert writer.stdout.readline().strip() == "ready"
        # at a random moment: after a random number of writes (0 to 4) and a random time
        # more, so before, in the middle of or between writes, however fast they are
        seen, wanted = [], rng.randint(0, 4)
        while len(seen) < wanted:
            line = writer.stdout.readline()
            assert line, ("the writer ended early", writer.communicate())
            if line.startswith("done "):
                seen.append(line)
        time.sleep(rng.uniform(0.0, 0.6 if wanted == 0 else 0.15))
        writer.send_signal(signal.SIGKILL)
        out, err = writer.communicate()
        assert writer.returncode == -signal.SIGKILL, (out, err)
        done = {line.split(" ", 1)[1].strip() for line in [*seen, *out.splitlines()]
                if line.startswith("done ")}
        done_all |= done
        _check_after_kill(kind, ws, done_all, original)
    assert done_all, "the writer never finished a write between the kills"


# -- 3. links, owner and mode; a read-only file -----------------------------------------------
def _change(kind: str, path: Path, tmp: Path):
    """One change through the CLI: a registration or a layer import."""
    if kind == "registration":
        return invoke("register", "add", path, "NEW-1")
    return invoke("workspace", "add", path, _geojson(tmp / "one.geojson", 1), "--kind",
                  "settlements", "--name", "extra_1")


def _has_change(kind: str, path: Path) -> bool:
    if kind == "registration":
        return _queue(path).get("NEW-1") == 16 and _registered_in_log(path).get("NEW-1") == 16
    return "extra_1" in Workspace(path).layer_names()


@pytest.fixture
def ws_new(ws):
    _with_new_requests(ws, ["NEW-1"])
    return ws


@pytest.mark.parametrize("kind", ["registration", "import"])
def test_a_workspace_reached_through_a_symlink_stays_a_symlink(ws_new, tmp_path, kind):
    link = tmp_path / "elsewhere" / "link.gpkg"
    link.parent.mkdir()
    link.symlink_to(ws_new)
    r = _change(kind, link, tmp_path)
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and Path(os.readlink(link)) == ws_new
    assert _has_change(kind, ws_new)
    assert sorted(p.name for p in link.parent.iterdir()) == ["link.gpkg"]  # nothing beside it
    _verify_ok(ws_new)


@pytest.mark.parametrize("kind", ["registration", "import"])
def test_a_hard_linked_workspace_keeps_its_links(ws_new, tmp_path, kind):
    other = tmp_path / "other.gpkg"
    os.link(ws_new, other)
    r = _change(kind, ws_new, tmp_path)
    assert r.exit_code == 0, r.output
    a, b = ws_new.stat(), other.stat()
    assert a.st_ino == b.st_ino and a.st_nlink == b.st_nlink == 2
    assert _has_change(kind, other) and _has_change(kind, ws_new)


@pytest.mark.parametrize("kind", ["registration", "import"])
def test_mode_and_owner_are_kept(ws_new, tmp_path, kind):
    ws_new.chmod(0o600)
    owner = (ws_new.stat().st_uid, ws_new.stat().st_gid)
    if os.geteuid() == 0:  # root may write another user's file: that owner must stay
        os.chown(ws_new, 65534, 65534)
        owner = (65534, 65534)
    r = _change(kind, ws_new, tmp_path)
    assert r.exit_code == 0, r.output
    st = ws_new.stat()
    assert st.st_mode & 0o7777 == 0o600 and (st.st_uid, st.st_gid) == owner
    assert _has_change(kind, ws_new)


@pytest.mark.parametrize("kind", ["registration", "import"])
def test_a_read_only_workspace_is_refused_for_imports_and_registrations(ws_new, tmp_path,
                                                                         kind):
    # (a decision on a read-only file or folder: tests/test_storage_errors.py)
    ws_new.chmod(0o444)
    try:
        before = _sha(ws_new)
        r = _change(kind, ws_new, tmp_path)
        assert r.exit_code == 2, r.output
        assert str(ws_new) in r.output and "read-only" in r.output and "What to do" in r.output
        assert "Traceback" not in r.output
        assert _sha(ws_new) == before and ws_new.stat().st_mode & 0o777 == 0o444
        assert sorted(p.name for p in ws_new.parent.iterdir() if p.suffix != ".geojson") == \
            ["ws.gpkg"]
    finally:
        ws_new.chmod(0o644)
    assert not _has_change(kind, ws_new)


# -- 4. a file another program holds ----------------------------------------------------------
HOLDER = r"""
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN EXCLUSIVE")
if sys.argv[2] == "writing":  # in the middle of its own change: a journal beside the file
    con.execute("CREATE TABLE other_program (a)")
    con.executemany("INSERT INTO other_program VALUES (?)", [(b"x" * 100,)] * 100)
print("held", flush=True)
sys.stdin.readline()
con.execute("ROLLBACK")
con.close()
print("released", flush=True)
"""


@pytest.mark.parametrize("holder, command, timeout", [
    ("exclusive", "decide", 5),  # long enough to say it is waiting (after 3 s)
    ("writing", "import", 3),
])
def test_a_file_another_program_holds_locked(ws, tmp_path, holder, command, timeout):
    source = _geojson(tmp_path / "one.geojson", 1)
    before = _sha(ws)
    hold = subprocess.Popen([sys.executable, "-c", HOLDER, str(ws), holder],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert hold.stdout.readline().strip() == "held"
        args = (["register", "decide", str(ws), "REQ-2026-001", "--decision", "forwarded"]
                if command == "decide" else
                ["workspace", "add", str(ws), str(source), "--kind", "settlements", "--name",
                 "extra_1"])
        t0 = time.monotonic()
        r = subprocess.run([str(LANDTOOL), *args], capture_output=True, text=True, timeout=90,
                           env={**os.environ, "LANDTOOL_LOCK_TIMEOUT": str(timeout)})
        took = time.monotonic() - t0
        assert r.returncode == 2, (r.stdout, r.stderr)
        assert str(ws) in r.stderr and "another program holds the workspace file" in r.stderr
        assert "What to do: close the workspace in that program" in r.stderr
        assert "Traceback" not in r.stderr and "internal error" not in r.stderr
        assert timeout <= took < timeout + 6, took  # gave up after the timeout, not later
        if timeout > 3:
            assert f"waiting for another program holding the file to finish with {ws}" \
                in r.stderr
        hold.stdin.write("\n")
        hold.stdin.flush()
        assert hold.stdout.readline().strip() == "released"
    finally:
        hold.kill()
        hold.wait()
    assert _sha(ws) == before  # unchanged
    w = _layers_whole(ws)
    assert "extra_1" not in w.layer_names() and len(decisions.entries(w)) == 15
    _verify_ok(ws)
