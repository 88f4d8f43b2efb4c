"""``landtool check``: the table, the JSON and the GeoPackage it writes, corner lists and
``--layer`` inputs, and bad input refused with exit code 2, one message and nothing written."""

from __future__ import annotations

import json
from datetime import date

import jsonschema
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Geod
from shapely import affinity

from landtool import sample
from landtool.check import compact
from landtool.cli import main
from landtool.io.corners import format_corner_list
from landtool.paths import sample_data_dir

GEOD = Geod(ellps="WGS84")
AS_OF = sample.REFERENCE_DATE
REQUEST_IDS = [f"REQ-2026-{i:03d}" for i in range(1, 16)]
EITI = sample_data_dir() / "real" / "licenses_eiti.gpkg"
STATUSES = {"pass", "fail", "warn", "not_applicable"}


pytestmark = pytest.mark.usefixtures("own_home")  # the CLI writes under ~


def invoke(*args):
    return CliRunner().invoke(main, ["check", *[str(a) for a in args]])


def geod_m2(poly) -> float:
    x, y = poly.exterior.coords.xy
    return abs(GEOD.polygon_area_perimeter(list(x), list(y))[0])


@pytest.fixture(scope="module")
def requests_file(sample_ws, tmp_path_factory):
    """The sample requests as a GeoJSON file of their own."""
    path = tmp_path_factory.mktemp("req") / "requests.geojson"
    pyogrio.write_dataframe(pyogrio.read_dataframe(sample_ws, layer="requests"), path)
    return path


def read_report(path) -> dict:
    """The JSON ``check --json`` wrote: compact, valid against its schema; returned in the
    full per-request form (every rule's result with all its fields) the tests read."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(doc, json.loads(compact.SCHEMA_PATH.read_text(encoding="utf-8")),
                        format_checker=jsonschema.FormatChecker())
    return compact.expand(doc)


def _number(x) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def assert_report_schema(data: dict) -> None:
    assert isinstance(data["ruleset"]["id"], str) and data["ruleset"]["id"]
    assert isinstance(data["ruleset"]["version"], str) and data["ruleset"]["version"]
    date.fromisoformat(data["as_of"])
    assert isinstance(data["area_method"], str) and "Geod" in data["area_method"]
    assert isinstance(data["requests"], list) and data["requests"]
    for r in data["requests"]:
        assert isinstance(r["id"], str) and r["id"]
        assert isinstance(r["eligible"], bool)
        assert _number(r["area_ha"]) and _number(r["eligible_area_ha"])
        assert 0 <= r["eligible_area_ha"] <= r["area_ha"] * (1 + 1e-6)
        assert isinstance(r["results"], list) and r["results"]
        for x in r["results"]:
            assert isinstance(x["rule"], str)
            assert x["status"] in STATUSES
            assert isinstance(x["message_en"], str) and x["message_en"]
            assert isinstance(x["message_mn"], str) and x["message_mn"]
            assert "{" not in x["message_en"] + x["message_mn"]
            assert isinstance(x["conflicts"], list)
            for c in x["conflicts"]:
                assert isinstance(c["layer"], str) and isinstance(c["feature_id"], str)
                assert c["overlap_ha"] is None or _number(c["overlap_ha"])
                assert c["distance_m"] is None or _number(c["distance_m"])
        assert r["eligible"] == all(x["status"] != "fail" for x in r["results"])


# -- the sample check ------------------------------------------------------------------------

def test_sample_check_prints_a_table_and_writes_json(sample_ws, tmp_path):
    out = tmp_path / "report.json"
    result = invoke("requests", "--workspace", sample_ws, "--as-of", AS_OF, "--json", out)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "mn-asm-2022" in lines[0] and AS_OF in lines[0]
    for rid in REQUEST_IDS:
        [row] = [ln for ln in lines if rid in ln and ("eligible" in ln or "refused" in ln)]
        meant_to_fail = bool(sample.EXPECTED_FAILURES[rid]) and rid not in (
            "REQ-2026-006", "REQ-2026-009")  # warnings only under mn-asm-2022
        assert ("refused" in row) == meant_to_fail, row
    assert "REQ-2026-005" in result.output and "MV-00005082" in result.output
    data = read_report(out)
    assert_report_schema(data)
    assert (data["ruleset"]["id"], data["ruleset"]["version"]) == ("mn-asm-2022", "1.0.0")
    assert data["as_of"] == AS_OF
    assert [r["id"] for r in data["requests"]] == REQUEST_IDS
    by_id = {r["id"]: r for r in data["requests"]}
    assert not by_id["REQ-2026-005"]["eligible"] and by_id["REQ-2026-001"]["eligible"]
    [lic] = [x for x in by_id["REQ-2026-005"]["results"] if x["rule"] == "no_valid_licence"]
    assert lic["status"] == "fail"
    assert [c["feature_id"] for c in lic["conflicts"]] == ["MV-00005082"]
    assert "Хүчинтэй" in lic["message_mn"]  # written as UTF-8, not escaped


def test_ruleset_and_lang_options(sample_ws, requests_file, tmp_path):
    out = tmp_path / "r2010.json"
    result = invoke(requests_file, "--workspace", sample_ws, "--as-of", AS_OF,
                    "--ruleset", "mn-asm-2010", "--lang", "mn", "--json", out)
    assert result.exit_code == 0, result.output
    data = read_report(out)
    assert data["ruleset"]["id"] == "mn-asm-2010"
    by_id = {r["id"]: r for r in data["requests"]}
    assert not by_id["REQ-2026-006"]["eligible"] and not by_id["REQ-2026-009"]["eligible"]
    assert "Нөхөрлөл 3 гишүүнтэй" in result.output  # the printed messages are in Mongolian


def test_out_writes_a_geopackage_with_three_stamped_layers(sample_ws, tmp_path):
    # needs landtool/check/qgis_style.py (the styles written into the GeoPackage)
    out = tmp_path / "report.gpkg"
    result = invoke("requests", "--workspace", sample_ws, "--as-of", AS_OF, "--out", out)
    assert result.exit_code == 0, result.output
    names = {row[0] for row in pyogrio.list_layers(out)}
    assert {"request_status", "check_results", "eligible_parts"} <= names
    for name, rows in (("request_status", 15), ("eligible_parts", 15), ("check_results", None)):
        gdf = pyogrio.read_dataframe(out, layer=name)
        assert rows is None or len(gdf) == rows
        assert set(gdf["ruleset"]) == {"mn-asm-2022"}
        assert set(gdf["ruleset_version"]) == {"1.0.0"}
        assert {str(v)[:10] for v in gdf["as_of"]} == {AS_OF}
    status = pyogrio.read_dataframe(out, layer="request_status").set_index("request_id")
    assert not status.loc["REQ-2026-005", "eligible"]
    results = pyogrio.read_dataframe(out, layer="check_results")
    assert len(results) == 15 * 13  # one row per request and rule of mn-asm-2022


# -- other inputs -----------------------------------------------------------------------------

def test_corner_list_as_requests(sample_ws, tmp_path):
    # Half the size of REQ-2026-007 around its centre: inside the valid conclusion ДҮ-2025/009,
    # away from water, licences and contracts; written as an MRPAM corner list.
    reqs = pyogrio.read_dataframe(sample_ws, layer="requests").set_index("request_id")
    poly = shapely.get_parts(affinity.scale(reqs.geometry["REQ-2026-007"], 0.5, 0.5,
                                            origin="centroid"))[0]
    conclusions = pyogrio.read_dataframe(sample_ws, layer="land_conclusions")
    lc = conclusions[conclusions["conclusion_no"] == "ДҮ-2025/009"].geometry.iloc[0]
    assert lc.contains(poly)
    path = tmp_path / "corners.txt"
    path.write_text(format_corner_list([("ТЕСТ-1", poly)]), encoding="utf-8")
    out = tmp_path / "corners.json"
    result = invoke(path, "--workspace", sample_ws, "--as-of", AS_OF, "--json", out)
    assert result.exit_code == 0, result.output
    assert "ТЕСТ-1" in result.output
    data = read_report(out)
    assert_report_schema(data)
    [r] = data["requests"]
    # 0.75 ha; the list's seconds have 2 decimals (about 0.3 m), so the area is close, not equal
    assert r["area_ha"] == pytest.approx(geod_m2(poly) / 1e4, rel=5e-3)
    status = {x["rule"]: x["status"] for x in r["results"]}
    assert status["inside_land_conclusion"] == "pass"
    assert status["no_valid_licence"] == "pass"
    assert status["water_regular_zone"] == "pass"
    # a corner list names no applicant, members or submission time
    assert status["min_members"] == "warn"
    assert status["rehabilitation_backlog"] == "not_applicable"
    assert status["first_come_first_served"] == "not_applicable"
    assert r["eligible"]


def test_layer_option_without_a_workspace(requests_file, tmp_path):
    out = tmp_path / "eiti.json"
    result = invoke(requests_file, "--layer", f"licenses={EITI}", "--as-of", AS_OF,
                    "--json", out)
    assert result.exit_code == 0, result.output
    data = read_report(out)
    assert_report_schema(data)
    assert data["layers_used"]["licenses"] == ["licenses_eiti"]
    by_id = {r["id"]: {x["rule"]: x for x in r["results"]} for r in data["requests"]}
    lic = by_id["REQ-2026-005"]["no_valid_licence"]
    assert lic["status"] == "fail"
    assert [c["feature_id"] for c in lic["conflicts"]] == ["MV-00005082"]
    assert lic["conflicts"][0]["layer"] == "licenses_eiti"
    assert by_id["REQ-2026-015"]["no_valid_licence"]["status"] == "pass"  # expired licence
    # layers not given: those rules are not applied, and the notes say so
    assert by_id["REQ-2026-001"]["inside_land_conclusion"]["status"] == "not_applicable"
    assert by_id["REQ-2026-004"]["water_special_zone"]["status"] == "not_applicable"
    assert any("land_conclusions" in n for n in data["notes"])
    # the requests compete among themselves even without a workspace
    assert by_id["REQ-2026-003"]["first_come_first_served"]["status"] == "fail"


def test_layer_option_replaces_the_workspace_layer(sample_ws, tmp_path):
    # the workspace's licences without MV-00005082, given for this run only
    only_other = tmp_path / "other_licences.geojson"
    sub = pyogrio.read_dataframe(sample_ws, layer="licenses")
    sub = sub[sub["licence_code"] != "MV-00005082"]
    pyogrio.write_dataframe(sub, only_other)
    out = tmp_path / "replaced.json"
    result = invoke("requests", "--workspace", sample_ws, "--as-of", AS_OF,
                    "--layer", f"licenses={only_other}", "--json", out)
    assert result.exit_code == 0, result.output
    data = read_report(out)
    assert data["layers_used"]["licenses"] == ["other_licences"]
    r5 = next(r for r in data["requests"] if r["id"] == "REQ-2026-005")
    assert next(x for x in r5["results"] if x["rule"] == "no_valid_licence")["status"] == "pass"


# -- bad input: exit 2, one message, no traceback, nothing written ----------------------------

BAD_TOML = 'id = "x"\n[[rules]\nid = "y"\n'


def _bad_cases():
    def unknown_ruleset(ws, req, tmp):
        return [req, "--workspace", ws, "--ruleset", "mn-asm-1999"]

    def malformed_ruleset(ws, req, tmp):
        path = tmp / "broken.toml"
        path.write_text(BAD_TOML, encoding="utf-8")
        return [req, "--workspace", ws, "--ruleset", path]

    def ruleset_with_unknown_key(ws, req, tmp):
        text = (sample_data_dir().parent / "layers" / "rulesets" / "mn-asm-2022.toml").read_text(
            encoding="utf-8")
        path = tmp / "typo.toml"
        path.write_text(text.replace("tolerance_m2 = 10.0", "tolerance_m3 = 10.0"),
                        encoding="utf-8")
        return [req, "--workspace", ws, "--ruleset", path]

    def missing_requests(ws, req, tmp):
        return [tmp / "no_such_requests.geojson", "--workspace", ws]

    def bad_date(ws, req, tmp):
        return [req, "--workspace", ws, "--as-of", "2026-13-45"]

    def not_a_date(ws, req, tmp):
        return [req, "--workspace", ws, "--as-of", "yesterday"]

    def corrupt_layer(ws, req, tmp):
        path = tmp / "corrupt.gpkg"  # a GeoPackage cut short, as by a failed download
        path.write_bytes(EITI.read_bytes()[:3000])
        return [req, "--layer", f"licenses={path}"]

    def layer_without_kind(ws, req, tmp):
        return [req, "--layer", str(EITI)]

    def layer_of_unknown_kind(ws, req, tmp):
        return [req, "--layer", f"oil_wells={EITI}"]

    def no_workspace_no_layer(ws, req, tmp):
        return [req]

    def missing_workspace(ws, req, tmp):
        return [req, "--workspace", tmp / "no_such_workspace.gpkg"]

    return [unknown_ruleset, malformed_ruleset, ruleset_with_unknown_key, missing_requests,
            bad_date, not_a_date, corrupt_layer, layer_without_kind, layer_of_unknown_kind,
            no_workspace_no_layer, missing_workspace]


def assert_one_clean_error(result):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    errors = [ln for ln in result.output.splitlines() if ln.lower().startswith("error")]
    assert len(errors) == 1, result.output


@pytest.mark.parametrize("case", _bad_cases(), ids=lambda f: f.__name__)
def test_bad_input_exits_2_and_writes_nothing(case, sample_ws, requests_file, tmp_path):
    args = case(sample_ws, requests_file, tmp_path)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    json_out, gpkg_out = tmp_path / "out.json", tmp_path / "out.gpkg"
    result = invoke(*args, "--json", json_out, "--out", gpkg_out)
    assert_one_clean_error(result)
    assert not json_out.exists() and not gpkg_out.exists()
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_existing_json_is_not_overwritten_without_force(sample_ws, tmp_path):
    out = tmp_path / "report.json"
    out.write_text("earlier report", encoding="utf-8")
    result = invoke("requests", "--workspace", sample_ws, "--as-of", AS_OF, "--json", out)
    assert_one_clean_error(result)
    assert "--force" in result.output
    assert out.read_text(encoding="utf-8") == "earlier report"
    again = invoke("requests", "--workspace", sample_ws, "--as-of", AS_OF, "--json", out,
                   "--force")
    assert again.exit_code == 0, again.output
    assert_report_schema(read_report(out))


@pytest.mark.parametrize("target", ["--json", "--out"])
def test_unwritable_output_exits_2_and_writes_nothing(sample_ws, tmp_path, target):
    # the folder of the output is a file: it cannot be written; the other output, valid, must
    # not be left behind either (all or nothing)
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    bad = blocker / "report.json" if target == "--json" else blocker / "report.gpkg"
    other = ("--out", tmp_path / "ok.gpkg") if target == "--json" else (
        "--json", tmp_path / "ok.json")
    result = invoke("requests", "--workspace", sample_ws, "--as-of", AS_OF, target, bad, *other)
    assert_one_clean_error(result)
    assert not other[1].exists()
    assert {p.name for p in tmp_path.iterdir()} - {"home"} == {"not_a_folder"}


def test_save_keeps_each_requests_result_in_the_workspace(sample_ws, tmp_path):
    import shutil

    from landtool.check.store import stored_check
    from landtool.errors import CheckError
    from landtool.workspace import Workspace

    ws_path = tmp_path / "ws.gpkg"
    shutil.copyfile(sample_ws, ws_path)
    r = CliRunner().invoke(main, ["check", "requests", "--workspace", str(ws_path),
                                  "--as-of", "2026-11-23", "--save"])
    assert r.exit_code == 0, r.output
    ws = Workspace(ws_path)
    saved = stored_check(ws, "REQ-2026-005")
    assert saved.report["ruleset"]["id"] == "mn-asm-2022" and saved.report["as_of"] == "2026-11-23"
    failed = [x["rule"] for x in saved.result["results"] if x["status"] == "fail"]
    assert failed == ["no_valid_licence"]
    assert saved.eligible_part.area < saved.request_geometry.area
    with pytest.raises(CheckError, match="no check result"):
        stored_check(ws, "REQ-2099-001")
    r = CliRunner().invoke(main, ["check", "requests", "--layer",
                                  f"licenses={ws_path}", "--save"])
    assert r.exit_code == 2 and "--workspace" in r.output


# -- the console command: it ends the process at once, with everything written -----------------

def test_console_command_writes_everything_before_it_ends(sample_ws, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    landtool = Path(sys.executable).with_name("landtool")
    out, table = tmp_path / "report.json", tmp_path / "table.txt"
    with open(table, "w", encoding="utf-8") as f:
        done = subprocess.run([landtool, "check", "requests", "--workspace", sample_ws,
                               "--as-of", AS_OF, "--json", out], stdout=f,
                              stderr=subprocess.PIPE, text=True)
    assert done.returncode == 0, done.stderr
    lines = table.read_text(encoding="utf-8").splitlines()
    # the last line printed is there (stdout flushed before the process left), and the file
    # it names is whole
    assert lines[-1] == f"wrote {out}"
    assert [r["id"] for r in read_report(out)["requests"]] == REQUEST_IDS
    # an error still exits 2 with its message; a reader that stops early is not an error
    bad = subprocess.run([landtool, "check", tmp_path / "missing.gpkg", "--workspace",
                          sample_ws], capture_output=True, text=True)
    assert bad.returncode == 2 and "does not exist" in bad.stderr
    head = subprocess.run(f"'{landtool}' check requests --workspace '{sample_ws}' "
                          f"--as-of {AS_OF} | head -1", shell=True, capture_output=True,
                          text=True)
    assert head.stdout.startswith("ruleset mn-asm-2022") and "Traceback" not in head.stderr
