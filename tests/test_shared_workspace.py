"""The shared workspace on PostgreSQL + PostGIS, against a real server (tests/pg_cluster.py):
the same API and CLI as a GeoPackage, push and pull, concurrent registration from parallel
processes, roles enforced by the database, the append-only log, stale saves refused."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from datetime import UTC
from pathlib import Path

import geopandas as gpd
import pandas as pd
import psycopg
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from geopandas.testing import assert_geodataframe_equal

from landtool.cli import main
from landtool.errors import WorkspaceError
from landtool.workspace import Workspace, decisions, init_workspace, open_workspace, transfer
from landtool.workspace.pg import PgWorkspace
from landtool.workspace.users import add_user

ROOT = Path(__file__).resolve().parents[1]


def _as(url: str, user: str, password: str) -> str:
    """The same database URL for another user."""
    rest = url.split("@", 1)[1]
    return f"postgresql://{user}:{password}@{rest}"


def _cli(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def gpkg_with_log(sample_ws, tmp_path):
    """A copy of the sample workspace whose decisions log holds entries, with its DEM."""
    dest = tmp_path / "src" / "ws.gpkg"
    dest.parent.mkdir()
    shutil.copy(sample_ws, dest)
    for extra in Path(sample_ws).parent.glob("*.tif"):
        shutil.copy(extra, dest.parent / extra.name)
    ws = Workspace(dest)
    decisions.append(ws, "forwarded", "REQ-2026-001", {"resolution": None, "note": "test"},
                     user="tester")
    decisions.append(ws, "approved", "REQ-2026-001", {"resolution": "12/2026"}, user="tester")
    return dest


@pytest.fixture
def shared(gpkg_with_log, pg_url):
    """The sample workspace pushed into a fresh database; its owner's URL."""
    transfer.push(gpkg_with_log, pg_url)
    return pg_url


def test_push_then_pull_gives_back_every_layer_unchanged(gpkg_with_log, pg_url, tmp_path):
    src = Workspace(gpkg_with_log)
    pg = transfer.push(gpkg_with_log, pg_url)
    back = transfer.pull(pg_url, tmp_path / "pulled" / "ws.gpkg")

    assert back.layers() == src.layers() == pg.layers()  # records: kind, source, load report
    for record in src.layers():
        original = src.read(record.name)
        for copy in (pg.read(record.name), back.read(record.name)):
            assert_geodataframe_equal(original, copy)
            # coordinates bit for bit, not only within a tolerance
            assert list(shapely.to_wkb(original.geometry.values)) == \
                list(shapely.to_wkb(copy.geometry.values))
        a = pyogrio.read_info(gpkg_with_log, layer=record.name)
        b = pyogrio.read_info(back.path, layer=record.name)
        assert list(a["fields"]) == list(b["fields"]), record.name
        assert list(a["dtypes"]) == list(b["dtypes"]), record.name
        assert a["features"] == b["features"] == record.feature_count

    pd.testing.assert_frame_equal(src.checks(), pg.checks())
    pd.testing.assert_frame_equal(src.checks(), back.checks())
    from landtool.workspace.background import BACKGROUND_KEY, workspace_background

    def others(info):
        return {k: v for k, v in info.items() if k != BACKGROUND_KEY}

    assert others(src.info_values()) == others(pg.info_values()) == others(back.info_values())
    # the background raster is referenced, not copied: every copy names the same file
    assert src.info_values()[BACKGROUND_KEY] == "mandal_imagery.tif"
    assert workspace_background(src) == workspace_background(pg) == workspace_background(back)
    assert decisions.raw_log(src) == decisions.raw_log(pg) == decisions.raw_log(back)
    assert len(decisions.entries(pg)) >= 2
    assert decisions.verify(pg).intact and decisions.verify(back).intact
    assert src.dem() is not None
    assert pg.dem().read_bytes() == src.dem().read_bytes() == back.dem().read_bytes()


def test_the_cli_takes_a_database_url_wherever_it_takes_a_workspace(shared, tmp_path):
    info = _cli("workspace", "info", "--json", shared)
    assert info.exit_code == 0, info.output
    assert {x["name"] for x in json.loads(info.output)} >= {"requests", "licenses", "soums"}
    assert "throwaway-test-password" not in info.output  # the password is never printed

    checked = _cli("check", "requests", "--workspace", shared, "--save")
    assert checked.exit_code == 0, checked.output
    ws = open_workspace(shared)
    assert len(ws.checks()) == len(ws.read("requests"))
    assert sum(e.action == "checked" for e in decisions.entries(ws)) == len(ws.checks())

    listed = _cli("register", "list", shared)
    assert listed.exit_code == 0 and "REQ-2026-001" in listed.output
    assert _cli("register", "verify", shared).exit_code == 0

    parcels = ws.read("rehab_parcels")
    disturbed = parcels[parcels["status"] == "disturbed"]["parcel_id"].iloc[0]
    moved = _cli("rehab", "advance", shared, disturbed, "technical_in_progress",
                 "--date", "2026-11-20")
    assert moved.exit_code == 0, moved.output
    after = open_workspace(shared).read("rehab_parcels").set_index("parcel_id")
    assert after.loc[disturbed, "status"] == "technical_in_progress"
    assert decisions.entries(ws)[-1].action == "parcel_status_changed"

    out = tmp_path / "map.png"
    mapped = _cli("export", "map", "--workspace", shared, "--request", "REQ-2026-001",
                  "--out", out)
    assert mapped.exit_code == 0, mapped.output
    assert out.stat().st_size > 10_000


def test_init_creates_the_database_and_refuses_to_replace_without_force(pg_cluster):
    url = pg_cluster.url(db="new_office_ws")
    made = _cli("workspace", "init", url, "--title", "Mandal")
    assert made.exit_code == 0, made.output
    assert open_workspace(url).info_values()["title"] == "Mandal"
    again = _cli("workspace", "init", url)
    assert again.exit_code == 2 and "already holds a landtool workspace" in again.output
    assert init_workspace(url, title="B", overwrite=True).info_values()["title"] == "B"


def _unregistered_requests(url: str, n: int) -> list[str]:
    """Add ``n`` unregistered requests (copies of REQ-2026-001 moved east) as the owner."""
    ws = open_workspace(url)
    reqs = ws.read("requests")
    base = reqs.iloc[[0]]
    new = []
    for i in range(n):
        row = base.copy()
        row["request_id"] = f"NEW-{i:03d}"
        row["queue_no"] = pd.NA
        row["submitted_at"] = None
        row["geometry"] = shapely.affinity.translate(base.geometry.iloc[0], 0.02 * (i + 1))
        new.append(row)
    out = pd.concat([reqs.astype({"queue_no": "Int64"}), *new], ignore_index=True)
    ws.update("requests", gpd.GeoDataFrame(out, crs=reqs.crs), note="test requests")
    return [f"NEW-{i:03d}" for i in range(n)]


_WORKER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    url, go, ids = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
    from landtool.cli import main
    while not go.exists():
        time.sleep(0.01)
    for rid in ids:
        main(["register", "add", url, rid], standalone_mode=False)
""")

_DRAWER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import shapely
    import pandas as pd
    url, go, n = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    from landtool.workspace import open_workspace
    ws = open_workspace(url)
    while not go.exists():
        time.sleep(0.01)
    for i in range(n):
        def add(reqs, i=i):  # a request drawn by another officer, added to the layer
            row = reqs.iloc[[0]].copy()
            row["request_id"] = f"DRAWN-{i:02d}"
            row["queue_no"] = pd.NA
            row["submitted_at"] = None
            row["geometry"] = shapely.affinity.translate(row.geometry.iloc[0], 0, 0.02 * (i + 1))
            out = pd.concat([reqs.astype({"queue_no": "Int64"}), row], ignore_index=True)
            return out.set_crs(reqs.crs, allow_override=True), [], None
        ws.modify("requests", add, note=f"drawn {i}")
""")


def test_concurrent_registration_from_parallel_processes(shared, tmp_path):
    ids = _unregistered_requests(shared, 40)
    before = open_workspace(shared)
    highest = int(pd.to_numeric(before.read("requests")["queue_no"]).max())
    log_before = len(decisions.entries(before))
    add_user(before, "officer_a", "officer", "pa")
    add_user(before, "officer_b", "officer", "pb")
    urls = [_as(shared, "officer_a", "pa"), _as(shared, "officer_b", "pb")]
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, urls[k % 2], str(go),
                               *ids[k::4]], env=env, stderr=subprocess.PIPE, text=True)
             for k in range(4)]
    procs.append(subprocess.Popen([sys.executable, "-c", _DRAWER, urls[0], str(go), "10"],
                                  env=env, stderr=subprocess.PIPE, text=True))
    time.sleep(3)  # let every process import landtool, then start them at once
    go.touch()
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err

    ws = open_workspace(shared)
    reqs = ws.read("requests").set_index("request_id")
    numbers = [int(reqs.loc[r, "queue_no"]) for r in ids]
    # 40 registrations, 40 different numbers, following on from the highest one without gaps
    assert sorted(numbers) == list(range(highest + 1, highest + 41))
    # no request lost: the 15 sample ones, the 40 registered and the 10 drawn meanwhile
    assert len(reqs) == 15 + 40 + 10
    assert {f"DRAWN-{i:02d}" for i in range(10)} <= set(reqs.index)
    log = decisions.entries(ws)[log_before:]
    registered = {e.subject: e for e in log if e.action == "registered"}
    assert len(registered) == 40 == sum(e.action == "registered" for e in log)
    assert all(registered[r].details_dict()["queue_no"] == int(reqs.loc[r, "queue_no"])
               for r in ids)
    assert {e.user for e in registered.values()} == {"officer_a", "officer_b"}
    assert decisions.verify(ws).intact


def test_roles_are_enforced_by_the_database(shared):
    owner = open_workspace(shared)
    add_user(owner, "viewer1", "viewer", "pv")
    add_user(owner, "officer1", "officer", "po")
    viewer_url, officer_url = _as(shared, "viewer1", "pv"), _as(shared, "officer1", "po")
    _unregistered_requests(shared, 2)

    viewer = open_workspace(viewer_url)
    assert viewer.role() == "viewer" and owner.role() == "owner"
    assert len(viewer.read("requests")) == 17  # a viewer reads everything
    refused = _cli("register", "add", viewer_url, "NEW-000")
    assert refused.exit_code == 2
    assert "refused" in refused.output and "officer" in refused.output
    assert "Traceback" not in refused.output
    with pytest.raises(WorkspaceError, match="refused"):
        decisions.append(viewer, "forwarded", "REQ-2026-001", {})
    # the server itself refuses, whatever client connects
    with psycopg.connect(viewer_url) as con, pytest.raises(psycopg.errors.InsufficientPrivilege):
        con.execute("UPDATE requests SET applicant = 'x'")

    officer = open_workspace(officer_url)
    assert officer.role() == "officer"
    ok = _cli("register", "add", officer_url, "NEW-000")
    assert ok.exit_code == 0, ok.output
    checked = _cli("check", "requests", "--workspace", officer_url, "--as-of", "2026-11-23",
                   "--save")
    assert checked.exit_code in (0, 1), checked.output  # officers save checks
    decided = _cli("register", "decide", officer_url, "NEW-000", "--decision", "forwarded")
    assert decided.exit_code == 0, decided.output
    assert decisions.entries(owner)[-1].user == "officer1"
    # an officer cannot rewrite the log, nor add or drop layers
    for statement in ("UPDATE landtool_log SET action = 'approved'",
                      "DELETE FROM landtool_log", "CREATE TABLE extra (a int)",
                      "DROP TABLE requests"):
        with psycopg.connect(officer_url) as con, pytest.raises(psycopg.errors.Error):
            con.execute(statement)
    with pytest.raises(WorkspaceError, match="refused"):
        officer.remove("forest")
    assert "forest" in owner.layer_names()

    # a login with no role in this workspace cannot even connect to it
    with psycopg.connect(shared, autocommit=True) as con:
        con.execute("CREATE ROLE stranger LOGIN PASSWORD 'ps'")
    with pytest.raises(WorkspaceError, match="cannot connect") as err:
        open_workspace(_as(shared, "stranger", "ps"))
    assert "user add" in str(err.value)


def test_the_log_is_append_only_and_tampering_is_detected(shared):
    ws = open_workspace(shared)
    n = len(decisions.entries(ws))
    assert n >= 2
    with psycopg.connect(shared) as con, pytest.raises(psycopg.errors.Error,
                                                        match="append-only"):
        con.execute("UPDATE landtool_log SET \"user\" = 'someone' WHERE seq = 1")
    with psycopg.connect(shared) as con, pytest.raises(psycopg.errors.Error,
                                                        match="append-only"):
        con.execute("DELETE FROM landtool_log WHERE seq = 1")
    assert decisions.verify(ws).intact

    def tamper(statement: str) -> decisions.Verification:
        with psycopg.connect(shared, autocommit=True) as con:  # a superuser going around it
            con.execute("ALTER TABLE landtool_log DISABLE TRIGGER USER")
            con.execute(statement)
            con.execute("ALTER TABLE landtool_log ENABLE TRIGGER USER")
        return decisions.verify(ws)

    edited = tamper("UPDATE landtool_log SET details = '{\"resolution\": \"99/2026\"}' "
                    f"WHERE seq = {n}")
    assert not edited.intact and edited.first_bad == n and "changed" in edited.reason


def test_a_deleted_or_reordered_log_entry_is_detected(shared):
    ws = open_workspace(shared)
    n = len(decisions.entries(ws))
    with psycopg.connect(shared, autocommit=True) as con:
        con.execute("ALTER TABLE landtool_log DISABLE TRIGGER USER")
        con.execute(f"UPDATE landtool_log SET seq = -1 WHERE seq = {n - 1}")  # swap the
        con.execute(f"UPDATE landtool_log SET seq = {n - 1} WHERE seq = {n}")  # last two
        con.execute(f"UPDATE landtool_log SET seq = {n} WHERE seq = -1")
    swapped = decisions.verify(ws)
    assert not swapped.intact and swapped.first_bad == n - 1
    with psycopg.connect(shared, autocommit=True) as con:
        con.execute(f"DELETE FROM landtool_log WHERE seq = {n - 1}")
    deleted = decisions.verify(ws)
    assert not deleted.intact and deleted.first_bad == n - 1 and "missing" in deleted.reason


def test_a_save_over_another_officers_save_is_refused(shared):
    a, b = open_workspace(shared), open_workspace(shared)
    mine, theirs = a.read("requests"), b.read("requests")
    mine.loc[0, "applicant"] = "A's edit"
    a.update("requests", mine, note="A")
    theirs.loc[1, "applicant"] = "B's edit"
    with pytest.raises(WorkspaceError, match="since you opened it"):
        b.update("requests", theirs, note="B")
    now = open_workspace(shared).read("requests")
    assert now.loc[0, "applicant"] == "A's edit" and now.loc[1, "applicant"] != "B's edit"


def test_a_failed_push_leaves_the_database_as_it_was(gpkg_with_log, pg_url, monkeypatch):
    from landtool.workspace import pg as workspace_pg

    transfer.push(gpkg_with_log, pg_url)
    before = open_workspace(pg_url)
    layers, log = before.layers(), decisions.raw_log(before)

    def fail(self, name, data):
        raise RuntimeError("connection lost (simulated)")

    monkeypatch.setattr(workspace_pg._Transaction, "put_file", fail)
    with pytest.raises(RuntimeError):
        transfer.push(gpkg_with_log, pg_url, overwrite=True)
    after = open_workspace(pg_url)
    assert after.layers() == layers and decisions.raw_log(after) == log


def test_who_is_connected(shared):
    here = PgWorkspace(shared, application="landtool-gui")
    there = open_workspace(shared)
    there.read("requests")
    who = here.connected()
    assert len(who) == 2
    assert sorted(c.application for c in who) == ["landtool", "landtool-gui"]
    assert [c.me for c in who].count(True) == 1
    assert next(c for c in who if c.me).application == "landtool-gui"
    there.close()
    # the server ends a closed connection's backend a moment after the client leaves: it
    # must be gone from the list within a few seconds
    deadline = time.monotonic() + 5.0
    while len(here.connected()) != 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(here.connected()) == 1
    shown = _cli("workspace", "who", shared)
    assert shown.exit_code == 0 and "(owner)" in shown.output


def test_bad_urls_and_passwords_get_a_clear_message(shared, pg_cluster):
    wrong = _as(shared, "postgres", "not-the-password")
    out = _cli("workspace", "info", wrong)
    assert out.exit_code == 2 and "password" in out.output
    assert "not-the-password" not in out.output and "Traceback" not in out.output
    closed = f"postgresql://postgres:x@127.0.0.1:{pg_cluster.port + 1}/nothing"
    out = _cli("register", "list", closed)
    assert out.exit_code == 2 and "server is running" in out.output
    with psycopg.connect(pg_cluster.url(), autocommit=True) as con:
        con.execute("CREATE DATABASE plain_db")
    out = _cli("workspace", "info", pg_cluster.url(db="plain_db"))
    assert out.exit_code == 2 and "holds no landtool workspace" in out.output


def test_an_office_set_up_as_the_readme_says(gpkg_with_log, pg_cluster):
    """The README's steps: a server administrator makes an owner login (CREATEROLE, not a
    superuser), its database and PostGIS; the owner pushes the workspace and adds users."""
    with psycopg.connect(pg_cluster.url(), autocommit=True) as con:
        con.execute("CREATE ROLE landadmin LOGIN CREATEROLE PASSWORD 'admin-pw'")
        con.execute("CREATE DATABASE office_ws OWNER landadmin")
    with psycopg.connect(pg_cluster.url(db="office_ws"), autocommit=True) as con:
        con.execute("CREATE EXTENSION postgis")
    owner_url = f"postgresql://landadmin:admin-pw@127.0.0.1:{pg_cluster.port}/office_ws"

    pushed = _cli("workspace", "push", gpkg_with_log, owner_url)
    assert pushed.exit_code == 0, pushed.output
    added = CliRunner().invoke(main, ["workspace", "user", "add", owner_url, "bat",
                                      "--role", "officer"], input="bat-pw\nbat-pw\n")
    assert added.exit_code == 0, added.output
    listed = _cli("workspace", "user", "list", owner_url)
    assert listed.output.split() == ["bat", "officer"]
    officer_url = _as(owner_url, "bat", "bat-pw")
    _unregistered_requests(owner_url, 1)
    done = _cli("register", "add", officer_url, "NEW-000")
    assert done.exit_code == 0, done.output
    assert decisions.entries(open_workspace(owner_url))[-1].user == "bat"
    # bat made a viewer: the officer role goes, registering is refused
    _cli("workspace", "user", "add", owner_url, "bat", "--role", "viewer", "--password", "")
    assert open_workspace(officer_url).role() == "viewer"
    _cli("workspace", "user", "remove", owner_url, "bat")
    with pytest.raises(WorkspaceError, match="cannot connect"):
        open_workspace(officer_url)


_SAVER = textwrap.dedent("""
    import sys
    from landtool.workspace import open_workspace
    from landtool.workspace import decisions
    ws = open_workspace(sys.argv[1])
    print("ready", flush=True)
    k = 0
    while True:  # edit and log, over and over, until killed
        k += 1
        def edit(reqs, k=k):
            reqs = reqs.copy()
            reqs.loc[reqs.index[0], "applicant"] = f"edit {k}"
            return reqs, [("forwarded", "REQ-2026-001", {"note": f"edit {k}"}, None)], None
        ws.modify("requests", edit, note=f"edit {k}")
""")


def test_killing_a_writer_mid_save_leaves_a_valid_shared_workspace(shared):
    """kill -9 of a client at any moment of its saves: the database has the last state
    committed, every layer readable and the log's chain intact, each time."""
    import random
    import signal

    rng = random.Random(7)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    original = open_workspace(shared).read("requests").loc[0, "applicant"]
    for _ in range(4):
        proc = subprocess.Popen([sys.executable, "-c", _SAVER, shared], env=env,
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.3, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        ws = open_workspace(shared)
        reqs = ws.read("requests")
        assert len(reqs) == 15 and reqs.geometry.notna().all()
        log = decisions.entries(ws)
        assert decisions.verify(ws).intact
        notes = [e.details_dict()["note"] for e in log if e.action == "forwarded"]
        edits = [n for n in notes if n.startswith("edit ")]
        # the edit and its log entry land together, or neither does
        assert reqs.loc[0, "applicant"] == (edits[-1] if edits else original)


def test_two_workspaces_never_share_roles(gpkg_with_log, pg_cluster):
    """Database names that differ only in case or in - and _ get roles of their own."""
    urls = [pg_cluster.url(db=name) for name in ("Office-1", "office_1")]
    for url in urls:
        transfer.push(gpkg_with_log, url)
    first, second = (open_workspace(u) for u in urls)
    assert first.role_name("officer") != second.role_name("officer")
    add_user(first, "bat2", "officer", "pb")
    from landtool.workspace.users import list_users

    assert ("bat2", "officer") in list_users(first) and list_users(second) == []
    with pytest.raises(WorkspaceError, match="cannot connect"):
        open_workspace(_as(urls[1], "bat2", "pb"))


def test_officers_cannot_forge_the_log_or_retype_layers(shared):
    owner = open_workspace(shared)
    add_user(owner, "viewer2", "viewer", "pv")
    add_user(owner, "officer2", "officer", "po")
    officer_url = _as(shared, "officer2", "po")
    last = decisions.entries(owner)[-1]
    forged = ("INSERT INTO landtool_log VALUES (%s, '2026-11-23T00:00:00+00:00', %s, 'approved',"
              " 'REQ-2026-002', '{}', 'x', %s, 'y')")
    with psycopg.connect(officer_url) as con:
        with pytest.raises(psycopg.errors.Error, match="name of the database user"):
            con.execute(forged, (last.seq + 1, "director", last.hash))
    with psycopg.connect(officer_url) as con:
        with pytest.raises(psycopg.errors.Error, match="follow the last one"):
            con.execute(forged, (last.seq + 1, "officer2", "0" * 64))
    with psycopg.connect(officer_url) as con:  # kind and name are the owner's to change
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("UPDATE landtool_layers SET kind = 'other' WHERE name = 'licenses'")
    # no temporary table can shadow the log's head (nobody but the owner may make one)
    officer = open_workspace(officer_url)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        officer.conn.execute("CREATE TEMP TABLE landtool_log_head (k text PRIMARY KEY, v text)")
    decisions.append(officer, "forwarded", "REQ-2026-002", {})
    assert decisions.verify(owner).intact
    assert dict(owner.log_head())["count"] == str(last.seq + 1)
    # a viewer cannot take the write lock, so cannot hold up the officers
    with psycopg.connect(_as(shared, "viewer2", "pv")) as con:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("SELECT id FROM landtool_lock FOR UPDATE")


def test_a_layer_replaced_since_it_was_read_is_not_overwritten(shared, tmp_path):
    from landtool.io.load import load_layer

    owner = open_workspace(shared)
    add_user(owner, "officer3", "officer", "po")
    officer = open_workspace(_as(shared, "officer3", "po"))
    stale = officer.read("requests")
    subset = tmp_path / "five.geojson"
    owner.read("requests").iloc[:5].to_file(subset)
    owner.add(load_layer(subset, "requests"), name="requests", replace=True)
    with pytest.raises(WorkspaceError, match="since you opened it"):
        officer.update("requests", stale, note="stale")
    assert len(open_workspace(shared).read("requests")) == 5


def test_columns_that_gain_gaps_fractions_or_flags_are_kept(shared):
    ws = open_workspace(shared)
    reqs = ws.read("requests")
    reqs["members"] = reqs["members"].astype("float64")
    reqs.loc[0, "members"] = float("nan")  # a gap in a column of whole numbers
    reqs["checked_by_hand"] = pd.Series([True, None] + [False] * (len(reqs) - 2), dtype=object)
    ws.update("requests", reqs, note="gap")
    back = open_workspace(shared).read("requests")
    assert pd.isna(back.loc[0, "members"]) and back.loc[1, "members"] == reqs.loc[1, "members"]
    assert back["checked_by_hand"].tolist()[:3] == [True, None, False]
    reqs.loc[1, "members"] = 2.5  # now a fraction: the column widens
    open_workspace(shared).update("requests", reqs, note="fraction")
    assert open_workspace(shared).read("requests").loc[1, "members"] == 2.5

    add_user(ws, "officer4", "officer", "po")
    officer = open_workspace(_as(shared, "officer4", "po"))
    mine = officer.read("requests")
    mine["remark"] = "x"  # a new column: the owner's to add
    with pytest.raises(WorkspaceError, match="only the workspace's owner may change its col"):
        officer.update("requests", mine, note="new column")
    assert "remark" not in open_workspace(shared).read("requests").columns


def test_register_list_with_unregistered_requests(shared):
    _unregistered_requests(shared, 2)
    out = _cli("register", "list", shared)
    assert out.exit_code == 0, out.output
    lines = [line for line in out.output.splitlines() if "NEW-00" in line]
    assert len(lines) == 2 and all(line.split()[0] == "NEW-000" or line.split()[0] ==
                                   "NEW-001" for line in lines)  # no number yet


def test_passwords_are_never_shown(shared):
    rest = shared.split("@", 1)[1]
    in_query = f"postgresql://postgres@{rest}?password=wrong-secret-1"
    out = _cli("workspace", "info", in_query)
    assert out.exit_code == 2 and "wrong-secret-1" not in out.output
    unreadable = f"postgresql://postgres:sec#ret/2@{rest}"
    out = _cli("workspace", "info", unreadable)
    assert out.exit_code == 2 and "%23" in out.output
    assert "sec" not in out.output.replace("second", "") and "internal error" not in out.output


def test_user_add_never_changes_an_existing_password(shared):
    ws = open_workspace(shared)
    add_user(ws, "tuya", "viewer", "first-pw")
    again = _cli("workspace", "user", "add", shared, "tuya", "--role", "officer",
                 "--password", "other-pw")
    assert again.exit_code == 2 and "not changed" in again.output
    ok = _cli("workspace", "user", "add", shared, "tuya", "--role", "officer")
    assert ok.exit_code == 0, ok.output  # no prompt: an existing login keeps its password
    assert open_workspace(_as(shared, "tuya", "first-pw")).role() == "officer"


def test_a_batch_lands_whole_or_not_at_all(shared):
    """The app's save: parcels saved, then a stale requests save refused: neither lands, and
    the next save (after reopening) is not taken for stale."""
    mine, theirs = open_workspace(shared), open_workspace(shared)
    reqs, parcels = mine.read("requests"), mine.read("rehab_parcels")
    other = theirs.read("requests")
    other.loc[0, "applicant"] = "their edit"
    theirs.update("requests", other, note="theirs")
    parcels.loc[0, "partnership"] = "my edit"
    reqs.loc[1, "applicant"] = "my edit"
    with pytest.raises(WorkspaceError, match="since you opened it"):
        with mine.batch():
            mine.update("rehab_parcels", parcels, note="mine")
            mine.update("requests", reqs, note="mine")
    now = open_workspace(shared)
    assert now.read("rehab_parcels").loc[0, "partnership"] != "my edit"
    assert now.read("requests").loc[0, "applicant"] == "their edit"
    mine.update("rehab_parcels", parcels, note="again")  # its own revision was not moved on
    assert open_workspace(shared).read("rehab_parcels").loc[0, "partnership"] == "my edit"


def _entry(last, user: str, at: str, **change) -> dict:
    """A well-chained entry after ``last``, its hash computed as landtool computes it."""
    fields = {"seq": last.seq + 1, "at": at, "user": user, "action": "approved",
              "subject": "REQ-2026-002", "details": json.dumps({"resolution": "1/2026"}),
              "inputs_hash": decisions.inputs_hash(), "prev_hash": last.hash}
    fields["hash"] = decisions._entry_hash(fields)
    return {**fields, **change}


_INSERT = ("INSERT INTO landtool_log VALUES (%(seq)s, %(at)s, %(user)s, %(action)s, "
           "%(subject)s, %(details)s, %(inputs_hash)s, %(prev_hash)s, %(hash)s)")


def test_the_database_refuses_forged_backdated_or_unhashed_entries(shared):
    owner = open_workspace(shared)
    add_user(owner, "b_t", "officer", "p1")  # '_' would match any letter in a LIKE pattern
    url = _as(shared, "b_t", "p1")
    last = decisions.entries(owner)[-1]
    cases = [  # (the entry, given the server's time of the transaction; what the server says)
        (lambda t: _entry(last, "Bat (database user bat)", t), "name of the database user"),
        (lambda t: _entry(last, "b_t", "2026-01-01T00:00:00+00:00"), "time of its transaction"),
        (lambda t: _entry(last, "b_t", t, hash="f" * 64), "hash of its own content"),
    ]

    def insert(make) -> None:
        with psycopg.connect(url) as con:
            now = con.execute("SELECT date_trunc('second', transaction_timestamp())"
                              ).fetchone()[0]
            con.execute(_INSERT, make(now.astimezone(UTC).isoformat()))

    for make, says in cases:
        with pytest.raises(psycopg.errors.Error, match=says):
            insert(make)
    assert decisions.entries(owner)[-1] == last and decisions.verify(owner).intact
    insert(lambda t: _entry(last, "b_t", t))  # the same, made right, is taken
    assert decisions.verify(owner).intact and decisions.entries(owner)[-1].user == "b_t"
    # the trigger's hash is the client's, to the byte, for any text: quotes, backslashes,
    # line breaks, control characters, Cyrillic, emoji
    officer = open_workspace(url)
    tricky = {"note": 'a"b\\c\nd\te\x01f\x7f Жолоо 😀 </script>', "resolution": "ИТХ 1/2026"}
    decisions.append(officer, "forwarded", 'REQ-"2026"\\002', tricky, user="Бат")
    entry = decisions.entries(owner)[-1]
    assert entry.user == "Бат (database user b_t)" and entry.details_dict() == tricky
    assert decisions.verify(owner).intact


def test_officers_edit_only_requests_and_parcels_and_every_edit_leaves_a_trace(shared):
    owner = open_workspace(shared)
    add_user(owner, "officer5", "officer", "po")
    url = _as(shared, "officer5", "po")
    before = owner.revision("requests")
    stale = owner.read("requests")  # read before the edit below
    with psycopg.connect(url) as con:
        for statement in ("DELETE FROM licenses", "DELETE FROM land_conclusions",
                          "UPDATE landtool_layers SET revision = 1 WHERE name = 'requests'",
                          "UPDATE landtool_layers SET revised_by = 'x', revised_at = '1999'"
                          " WHERE name = 'requests'",
                          "UPDATE landtool_layers SET feature_count = 0"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute(statement)
            con.rollback()
        for bad in ("not json", '{"a": 1}'):  # a layer's record must stay readable
            with pytest.raises(psycopg.errors.Error):
                con.execute("UPDATE landtool_layers SET columns = %s WHERE name = 'requests'",
                            (bad,))
            con.rollback()
        # an edit by hand, around landtool: the layer's revision moves on, with who and the
        # new count, so every client that read the layer before is refused its stale save
        con.execute("INSERT INTO requests (landtool_fid, request_id, applicant, geometry) "
                    "SELECT max(landtool_fid) + 1, 'HAND-1', 'by hand', ST_GeomFromText("
                    "'POLYGON((106.53 48.67, 106.531 48.67, 106.531 48.671, 106.53 48.67))', "
                    "4326) FROM requests")
        con.commit()
    revision, by, when = owner.revision("requests")
    assert revision > before[0] and by == "officer5" and when >= before[2]
    assert open_workspace(shared).record("requests").feature_count == 16
    with pytest.raises(WorkspaceError, match="saved by officer5"):
        owner.update("requests", stale, note="stale")
    # a record edited by hand to list a column the table has not cannot break reading
    with psycopg.connect(shared) as con:
        con.execute("UPDATE landtool_layers SET columns = '[[\"x\", \"str\"]]' "
                    "WHERE name = 'rehab_parcels'")
    parcels = open_workspace(shared).read("rehab_parcels")
    assert len(parcels) == 30 and "parcel_id" in parcels.columns


def test_the_database_holds_the_queue_to_the_log(shared):
    """An officer with psql: deleting a registered request, inserting it again with number 0
    and an earlier time, numbering an unregistered request by hand, or dropping a number is
    refused by the database at commit, naming the request; a registration through landtool
    and a save of the whole layer still go through."""
    owner = open_workspace(shared)
    _unregistered_requests(shared, 1)
    add_user(owner, "queue_officer", "officer", "po")
    url = _as(shared, "queue_officer", "po")
    loose = open_workspace(shared).read("requests")
    free = str(loose.loc[loose["queue_no"].isna(), "request_id"].iloc[0])
    attempts = [
        (["DELETE FROM requests WHERE request_id = 'REQ-2026-003'"],
         "REQ-2026-003 is registered (number 3) and is never deleted"),
        (["DELETE FROM requests WHERE request_id = 'REQ-2026-003' RETURNING 1",
          "INSERT INTO requests (landtool_fid, request_id, applicant, queue_no, submitted_at,"
          " geometry) SELECT max(landtool_fid) + 1, 'REQ-2026-003', 'x', 0,"
          " '2026-01-01T08:00:00+08:00', ST_GeomFromText('POLYGON((106.53 48.67, 106.531"
          " 48.67, 106.531 48.671, 106.53 48.67))', 4326) FROM requests"],
         "REQ-2026-003 was registered as number 3, not 0"),
        ([f"DELETE FROM requests WHERE request_id = '{free}' RETURNING 1",
          "INSERT INTO requests (landtool_fid, request_id, applicant, queue_no, submitted_at,"
          f" geometry) SELECT max(landtool_fid) + 1, '{free}', 'x', 99,"
          " '2026-01-01T08:00:00+08:00', ST_GeomFromText('POLYGON((106.53 48.67, 106.531"
          " 48.67, 106.531 48.671, 106.53 48.67))', 4326) FROM requests"],
         f"{free} carries queue number 99 that the decisions log never gave"),
    ]
    for statements, says in attempts:
        with psycopg.connect(url) as con:
            with pytest.raises(psycopg.errors.Error) as err:
                for statement in statements:
                    con.execute(statement)
                con.commit()
            assert isinstance(err.value, psycopg.errors.CheckViolation), err.value
            assert says in str(err.value)
    with psycopg.connect(shared) as con:  # nothing of it landed
        rows = con.execute("SELECT request_id, queue_no FROM requests WHERE queue_no IS NOT "
                           "NULL ORDER BY queue_no").fetchall()
    assert rows == [(f"REQ-2026-{i:03d}", i) for i in range(1, 16)]
    # through landtool, the same officer saves the whole layer and registers
    officer = open_workspace(url)
    reqs = officer.read("requests")
    moved = reqs.copy()
    moved.loc[moved["request_id"] == "REQ-2026-003", "submitted_at"] = "2026-01-01T08:00:00+08:00"
    with pytest.raises(WorkspaceError, match="REQ-2026-003 was registered at"):
        officer.update("requests", moved, note="earlier")
    reqs.loc[0, "applicant"] = "edited"
    officer.update("requests", reqs, note="edit")
    r = _cli("register", "add", url, free)
    assert r.exit_code == 0 and "number 16" in r.output, r.output
    r = _cli("register", "verify", url)
    assert r.exit_code == 0, r.output


def test_an_officer_saves_requests_with_unregistered_ones(shared):
    """A column of whole numbers with a gap (queue_no of an unregistered request) reads as
    floats; an officer's save of it is not taken for a change of column type."""
    owner = open_workspace(shared)
    _unregistered_requests(shared, 1)
    add_user(owner, "officer6", "officer", "po")
    officer = open_workspace(_as(shared, "officer6", "po"))
    reqs = officer.read("requests")
    assert reqs["queue_no"].isna().sum() == 1
    reqs.loc[0, "applicant"] = "edited by an officer"
    officer.update("requests", reqs, note="edit")
    back = open_workspace(shared).read("requests")
    assert back.loc[0, "applicant"] == "edited by an officer"
    with psycopg.connect(shared) as con:  # the column is still one of whole numbers
        kind = con.execute("SELECT data_type FROM information_schema.columns WHERE "
                           "table_name = 'requests' AND column_name = 'queue_no'").fetchone()
    assert kind[0] == "bigint"


@pytest.mark.parametrize("layer, column, says", [
    ("requests", "Хүсэлт гаргагчийн холбоо барих утасны дугаар, хаяг", "bytes long"),
    ("requests", "landtool_fid", "may not be named"),
    ("spatial_ref_sys", None, "database's own tables"),
    ("pg_extra", None, "database's own tables"),
])
def test_names_the_database_would_cut_or_clash_with_are_refused(gpkg_with_log, pg_url,
                                                                layer, column, says):
    ws = Workspace(gpkg_with_log)
    gdf = ws.read("requests")
    if column is not None:
        gdf[column] = "x"
    with pytest.raises(WorkspaceError, match=says) as err:
        from landtool.workspace.pg_schema import check_names

        check_names(layer, gdf, pg_url)
    assert "What to do" in str(err.value)


def test_a_long_layer_name_and_a_pushed_long_column_are_handled(gpkg_with_log, pg_url):
    ws = Workspace(gpkg_with_log)
    reqs = ws.read("forest")
    name = "f" * 63  # the longest name a layer may have
    record = ws.record("forest")
    from dataclasses import replace

    dest = PgWorkspace.init(pg_url, overwrite=True)
    with dest.transaction() as tx:
        tx.put_layer(replace(record, name=name), reqs, position=0)
    assert len(open_workspace(pg_url).read(name)) == len(reqs)
    long = "Хүсэлт гаргагчийн холбоо барих утасны дугаар, хаяг"  # 50 letters, 95 bytes
    ws.update("forest", ws.read("forest").assign(**{long: "x"}), note="long column")
    with pytest.raises(WorkspaceError, match="bytes long") as err:
        transfer.push(gpkg_with_log, pg_url, overwrite=True)
    assert "internal error" not in str(err.value)
    assert name in open_workspace(pg_url).layer_names()  # the failed push changed nothing


def test_a_client_holding_a_lock_makes_init_wait_then_give_up(shared, monkeypatch):
    from landtool.workspace import pg_schema

    monkeypatch.setattr(pg_schema, "LOCK_TIMEOUT", "1s")
    owner = open_workspace(shared)
    add_user(owner, "viewer7", "viewer", "pv")
    with psycopg.connect(_as(shared, "viewer7", "pv")) as con:
        con.execute("SELECT pg_advisory_lock(%s)", (pg_schema.LOCK_KEY,))
        started = time.monotonic()
        with pytest.raises(WorkspaceError, match="kept the workspace busy"):
            init_workspace(shared, overwrite=True)
        assert time.monotonic() - started < 20
    assert "requests" in open_workspace(shared).layer_names()


def test_queue_numbers_swapped_by_hand_are_found_by_verify(shared):
    ids = _unregistered_requests(shared, 2)
    owner = open_workspace(shared)
    add_user(owner, "officer8", "officer", "po")
    url = _as(shared, "officer8", "po")
    for rid in ids:
        assert _cli("register", "add", url, rid).exit_code == 0
    assert _cli("register", "verify", url).exit_code == 0
    def swap(as_url):  # around landtool, with psql: swap the two numbers
        with psycopg.connect(as_url) as con:
            q = dict(con.execute("SELECT request_id, queue_no FROM requests WHERE "
                                 "request_id = ANY(%s)", (ids,)).fetchall())
            rows = con.execute("SELECT * FROM requests WHERE request_id = ANY(%s)",
                               (ids,)).fetchall()
            cols = [d.name for d in con.execute("SELECT * FROM requests LIMIT 0").description]
            con.execute("DELETE FROM requests WHERE request_id = ANY(%s)", (ids,))
            at = cols.index("queue_no")
            for row in rows:
                row = list(row)
                row[at] = q[ids[1]] if row[cols.index("request_id")] == ids[0] else q[ids[0]]
                con.execute(f"INSERT INTO requests VALUES ({', '.join(['%s'] * len(row))})",
                            row)
        return q

    # an officer is refused by the database itself, at commit
    with pytest.raises(psycopg.errors.CheckViolation, match="was registered as number"):
        swap(url)
    assert _cli("register", "verify", url).exit_code == 0
    # the owner (whom the database does not hold: they could drop the trigger anyway) can;
    # verify finds it
    q = swap(shared)
    out = _cli("register", "verify", shared)
    assert out.exit_code == 1, out.output
    assert f"{ids[0]}: the layer gives queue number {q[ids[1]]}" in out.output


def test_a_workspace_of_an_earlier_landtool_is_refused_writes_until_upgraded(shared):
    add_user(open_workspace(shared), "officer9", "officer", "po")
    officer_url = _as(shared, "officer9", "po")
    officer = open_workspace(officer_url)
    with psycopg.connect(shared) as con:  # what a workspace made before schema 2 looks like
        for table in ("requests", "rehab_parcels", "licenses"):
            con.execute(f"DROP TRIGGER landtool_layer_changed ON {table}")
        con.execute("DROP TRIGGER landtool_queue_follows_log ON requests")  # before schema 3
        con.execute("COMMENT ON TABLE landtool_layers IS NULL")
        con.execute(f"GRANT UPDATE ON landtool_layers TO {officer.role_name('officer')}")
        con.execute(f"GRANT INSERT, DELETE ON licenses TO {officer.role_name('officer')}")
    old = open_workspace(officer_url)
    assert old.schema == 1 and len(old.read("requests")) == 15  # reading works
    out = _cli("register", "decide", officer_url, "REQ-2026-001", "--decision", "forwarded")
    assert out.exit_code == 2 and "workspace upgrade" in out.output
    refused = _cli("workspace", "upgrade", officer_url)
    assert refused.exit_code == 2 and "only the workspace's owner" in refused.output
    done = _cli("workspace", "upgrade", shared)
    assert done.exit_code == 0 and "upgraded from schema 1 to 3" in done.output
    assert _cli("workspace", "upgrade", shared).output.strip() == "schema 3 already"
    with psycopg.connect(officer_url) as con:  # the narrower grants hold again
        for statement in ("DELETE FROM licenses",
                          "UPDATE landtool_layers SET revision = 1"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute(statement)
            con.rollback()
        # and the queue is held to the log again (schema 3)
        with pytest.raises(psycopg.errors.CheckViolation, match="never deleted"):
            con.execute("DELETE FROM requests WHERE request_id = 'REQ-2026-002'")
            con.commit()
    a, b = open_workspace(officer_url), open_workspace(shared)  # stale saves refused again
    mine, theirs = a.read("requests"), b.read("requests")
    a.update("requests", mine.assign(applicant="A"), note="A")
    with pytest.raises(WorkspaceError, match="since you opened it"):
        b.update("requests", theirs.assign(applicant="B"), note="B")


def test_a_registration_landing_mid_audit_is_no_false_alarm(shared, monkeypatch):
    from landtool.register import audit

    ids = _unregistered_requests(shared, 1)
    add_user(open_workspace(shared), "officer10", "officer", "po")
    ws = open_workspace(shared)
    real_read = ws.read

    def read_then_register(name, **kw):  # another officer registers right after the read
        out = real_read(name, **kw)
        if name == "requests" and not getattr(read_then_register, "done", False):
            read_then_register.done = True
            assert _cli("register", "add", _as(shared, "officer10", "po"), ids[0]).exit_code == 0
        return out

    monkeypatch.setattr(ws, "read", read_then_register)
    assert audit(ws) == []  # the layer and the log of one moment
    assert read_then_register.done and audit(open_workspace(shared)) == []
