"""A candidate of ``landtool propose`` made a request in one step (issue 15):
``landtool take-candidate`` and :func:`landtool.candidates.take_candidate`, on a GeoPackage and
on a shared PostgreSQL workspace; the new request checks like any other; two officers at once
get two ids; bad input leaves the workspace untouched."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Geod

from landtool import sample
from landtool.cli import main
from landtool.workspace import open_workspace, transfer
from landtool.workspace.users import add_user

AS_OF = str(sample.REFERENCE_DATE)
GEOD = Geod(ellps="WGS84")
ROOT = Path(__file__).resolve().parents[1]
#: the applicant: a partnership with no rehabilitation backlog in the sample
APPLICANT = "Алтан Шороо нөхөрлөл"


pytestmark = pytest.mark.usefixtures("own_home")  # the CLI writes under ~


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def geod_ha(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(geom))[0]) / 1e4


def this_year() -> int:
    return datetime.now(timezone(timedelta(hours=8))).year  # Mongolian time


def expected_next(n_after_sample: int = 1) -> str:
    """The sample's requests are REQ-2026-001 … 015: the next of this year, by hand."""
    year = this_year()
    return f"REQ-{year}-{(15 if year == 2026 else 0) + n_after_sample:03d}"


@pytest.fixture(scope="module")
def proposal(sample_ws, tmp_path_factory):
    out = tmp_path_factory.mktemp("take") / "mandal"
    result = invoke("propose", "--workspace", sample_ws, "--soum", "4322", "--as-of", AS_OF,
                    "--out", out)
    assert result.exit_code == 0, result.output
    return out / "candidates.gpkg"


@pytest.fixture
def ws(sample_ws, tmp_path):
    dest = tmp_path / "ws" / "ws.gpkg"
    dest.parent.mkdir()
    shutil.copy(sample_ws, dest)
    return dest


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_a_candidate_becomes_a_request_that_passes_check(ws, proposal, sample_ws, tmp_path):
    cands = pyogrio.read_dataframe(proposal, layer="candidates")
    pick = cands.iloc[2]
    result = invoke("take-candidate", "--workspace", ws, proposal, pick["candidate_id"],
                    "--applicant", APPLICANT)
    assert result.exit_code == 0, result.output
    rid = expected_next()
    assert f"added {rid}" in result.output
    reqs = pyogrio.read_dataframe(ws, layer="requests")
    assert len(reqs) == 16
    new = reqs[reqs["request_id"] == rid].iloc[0]
    # the candidate's polygon, unchanged; its area by pyproj Geod the candidate's
    assert shapely.equals_exact(new.geometry, pick.geometry, tolerance=0)
    assert geod_ha(new.geometry) == pytest.approx(geod_ha(pick.geometry), rel=1e-12)
    assert geod_ha(new.geometry) == pytest.approx(pick["area_ha"], rel=1e-9)
    # traceable to its proposal
    assert new["candidate_id"] == pick["candidate_id"]
    assert new["candidate_ruleset"] == "mn-asm-2022 1.0.0" == pick["ruleset"]
    assert new["candidate_as_of"] == AS_OF
    assert new["applicant"] == APPLICANT and new["soum_pcode"] == "4322"
    assert pick["candidate_id"] in new["note"]
    assert new["queue_no"] is None or new["queue_no"] != new["queue_no"]  # not registered
    # the other requests are as they were (members and queue numbers still whole numbers)
    sample_reqs = pyogrio.read_dataframe(sample_ws, layer="requests")
    kept = reqs.iloc[:15]
    assert list(kept["request_id"]) == list(sample_reqs["request_id"])
    for col in ("members", "queue_no"):
        assert list(kept[col].astype(int)) == list(sample_reqs[col])
    assert all(shapely.equals_exact(a, b, tolerance=0)
               for a, b in zip(kept.geometry, sample_reqs.geometry, strict=True))
    # and it checks like any other request, under the same ruleset and date
    report = tmp_path / "check.json"
    checked = invoke("check", "requests", "--workspace", ws, "--as-of", AS_OF,
                     "--json", report, "--json-format", "full")
    assert checked.exit_code in (0, 1), checked.output
    doc = json.loads(report.read_text(encoding="utf-8"))
    mine = next(r for r in doc["requests"] if r["id"] == rid)
    assert mine["eligible"], [x for x in mine["results"] if x["status"] == "fail"]
    assert mine["area_ha"] == pytest.approx(pick["area_ha"], abs=5e-7)  # JSON: 6 decimals
    # the sample's own verdicts did not change (the candidate overlaps none of them)
    assert sum(r["eligible"] for r in doc["requests"] if r["id"] != rid) == 6


def test_ids_follow_on_and_the_same_land_is_not_taken_twice(ws, proposal):
    ids = list(pyogrio.read_dataframe(proposal, layer="candidates")["candidate_id"][:2])
    for k, cid in enumerate(ids, start=1):
        result = invoke("take-candidate", "--workspace", ws, proposal, cid)
        assert result.exit_code == 0, result.output
        assert f"added {expected_next(k)}" in result.output
    before = digest(ws)
    again = invoke("take-candidate", "--workspace", ws, proposal, ids[0])
    assert again.exit_code == 2, again.output
    assert f"overlaps request {expected_next(1)}" in again.output
    assert "Traceback" not in again.output and digest(ws) == before


def test_a_deleted_requests_id_is_not_given_again(ws, proposal):
    from landtool.workspace import Workspace, decisions

    # the log remembers REQ-<year>-040 (e.g. registered, then the request was deleted)
    decisions.append(Workspace(ws), "forwarded", f"REQ-{this_year()}-040", {})
    result = invoke("take-candidate", "--workspace", ws, proposal, "C-001")
    assert result.exit_code == 0, result.output
    assert f"added REQ-{this_year()}-041" in result.output


def test_bad_input_exit_2_workspace_untouched(ws, proposal, tmp_path):
    text = tmp_path / "notes.gpkg"
    text.write_text("not a GeoPackage", encoding="utf-8")
    other = tmp_path / "other.gpkg"
    shutil.copy(ws, other)  # a GeoPackage, but no candidates layer
    cases = [
        ((proposal, "C-999"), ["no candidate 'C-999'", "C-001"]),
        ((proposal.parent / "available.gpkg", "C-001"), ["not a candidates file",
                                                         "available"]),
        ((text, "C-001"), ["not a candidates file", str(text)]),
        ((other, "C-001"), ["not a candidates file"]),
        ((tmp_path / "missing.gpkg", "C-001"), ["no such candidates file"]),
    ]
    before = digest(ws)
    for args, words in cases:
        result = invoke("take-candidate", "--workspace", ws, *args)
        assert result.exit_code == 2, (args, result.output)
        for w in words:
            assert w in result.output, (args, result.output)
        assert "Traceback" not in result.output and "What to do" in result.output
        assert digest(ws) == before, args
    ws.chmod(0o444)
    try:
        result = invoke("take-candidate", "--workspace", ws, proposal, "C-001")
        assert result.exit_code == 2, result.output
        assert "read-only" in result.output and str(ws) in result.output
        assert digest(ws) == before
    finally:
        ws.chmod(0o644)


_WORKER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    where, go, cands, ids = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4:]
    from landtool.cli import main
    while not go.exists():
        time.sleep(0.005)
    for cid in ids:  # a refusal is printed ("error: ...") and the next one is taken
        main(["take-candidate", "--workspace", where, cands, cid], standalone_mode=False)
""")


def _race(where: str, proposal: Path, tmp_path: Path, per_process: list[list[str]]):
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, where, str(go), str(proposal),
                               *ids], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for ids in per_process]
    time.sleep(3)  # let both import landtool, then start them at once
    go.touch()
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        outs.append(out + err)
    return outs


def _check_race(reqs, outs, taken: list[str], contested: str, first: int = 1):
    new = reqs[reqs["candidate_id"].notna()]
    # every candidate taken once, each with its own id, following on without a gap
    assert sorted(new["candidate_id"]) == sorted(taken)
    assert sorted(new["request_id"]) == [expected_next(k)
                                         for k in range(first, first + len(taken))]
    # the candidate both tried: one got it, the other was told it is taken
    refused = [o for o in outs if f"candidate {contested} overlaps request" in o]
    assert len(refused) == 1, outs
    assert sum(o.count("error:") for o in outs) == 1, outs


def test_two_officers_at_once_get_different_ids(ws, proposal, tmp_path):
    ids = list(pyogrio.read_dataframe(proposal, layer="candidates")["candidate_id"][:7])
    outs = _race(str(ws), proposal, tmp_path, [ids[0:3] + [ids[6]], ids[3:6] + [ids[6]]])
    _check_race(pyogrio.read_dataframe(ws, layer="requests"), outs, ids, ids[6])


@pytest.fixture
def shared(sample_ws, pg_url):
    transfer.push(sample_ws, pg_url)
    return pg_url


def _as(url: str, user: str, password: str) -> str:
    return f"postgresql://{user}:{password}@{url.split('@', 1)[1]}"


def test_shared_workspace_two_officers_and_a_viewer(shared, proposal, tmp_path):
    owner = open_workspace(shared)
    # database users belong to the whole server, which the test session shares: names of
    # this test's own (test_shared_workspace makes an officer_a too)
    add_user(owner, "take_officer", "officer", "pa")
    add_user(owner, "take_viewer", "viewer", "pb")
    owner.close()
    viewer, officer = _as(shared, "take_viewer", "pb"), _as(shared, "take_officer", "pa")
    refused = invoke("take-candidate", "--workspace", viewer, proposal, "C-001")
    assert refused.exit_code == 2 and "refused" in refused.output, refused.output
    assert "Traceback" not in refused.output
    ids = list(pyogrio.read_dataframe(proposal, layer="candidates")["candidate_id"][:7])
    # the candidate columns are new to the layer and only the owner may add columns: an
    # officer's first candidate goes in all the same, named in the request's note
    first = invoke("take-candidate", "--workspace", officer, proposal, ids[6])
    assert first.exit_code == 0 and f"added {expected_next(1)}" in first.output, first.output
    assert "note only" in first.output
    ws = open_workspace(shared)
    reqs = ws.read("requests")
    ws.close()
    assert "candidate_id" not in reqs.columns and len(reqs) == 16
    assert f"from candidate {ids[6]} of landtool propose" in reqs["note"].iloc[-1]
    done = invoke("take-candidate", "--workspace", shared, proposal, ids[0])  # the owner
    assert done.exit_code == 0 and f"added {expected_next(2)}" in done.output, done.output
    assert "note only" not in done.output  # the owner's adds the columns
    outs = _race(officer, proposal, tmp_path, [ids[1:3] + [ids[5]], ids[3:5] + [ids[5]]])
    ws = open_workspace(shared)
    try:
        reqs = ws.read("requests")
    finally:
        ws.close()
    _check_race(reqs, outs, ids[:6], ids[5], first=2)
    report = tmp_path / "check.json"
    checked = invoke("check", "requests", "--workspace", shared, "--as-of", AS_OF,
                     "--json", report, "--json-format", "full")
    assert checked.exit_code in (0, 1), checked.output
    doc = json.loads(report.read_text(encoding="utf-8"))
    mine = [r for r in doc["requests"] if r["id"] in set(reqs["request_id"][15:])]
    assert len(mine) == 7 and all(r["eligible"] for r in mine)


def test_a_text_value_in_a_number_column_is_kept():
    # a requests layer edited in another program: "members" holds a word in one row; adding
    # a request must not turn it into a gap (nor the column into numbers)
    from landtool.candidates import _appended

    box = shapely.box(106.5, 48.6, 106.51, 48.61)
    reqs = gpd.GeoDataFrame({"request_id": ["A", "B"], "members": ["6", "six"]},
                            geometry=[box, box], crs=4326)
    new = gpd.GeoDataFrame({"request_id": ["C"]}, geometry=[box], crs=4326)
    out = _appended(reqs, new)
    assert list(out["members"][:2]) == ["6", "six"]
    # a column of whole numbers read back as floats (a gap) becomes whole numbers again
    reqs["members"] = [6.0, float("nan")]
    out = _appended(reqs, new)
    assert str(out["members"].dtype) == "Int64" and out["members"].iloc[0] == 6
