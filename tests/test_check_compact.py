"""The compact check JSON (issue 13): valid against its schema, small, and the same results as
before the change. The references in tests/data were written by landtool at commit 2bff02c,
before the engine and the JSON were changed, with ``--json`` in the full form of that time:

- ``sample_check_2bff02c.json.gz``, ``sample_mn_asm_2010_check_2bff02c.json.gz``: the whole
  JSON of ``landtool check requests --workspace sample --as-of 2026-11-23`` (mn-asm-2022, and
  ``--ruleset mn-asm-2010``);
- ``national_check_2bff02c.json.gz``: for the 10,000 requests of the national benchmark
  (benchmarks/bench_check.py ``synthetic_requests(10000)``), each request's status,
  eligibility, area, eligible area and, for every rule that did not pass plainly, its status
  and conflicts (layer, feature, overlap ha, distance m) as that JSON rounded them.
"""

from __future__ import annotations

import copy
import gzip
import json
import sys
from pathlib import Path

import geopandas as gpd
import jsonschema
import pyarrow.parquet as pq
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Geod

from landtool import sample
from landtool.check import compact
from landtool.cli import main

DATA = Path(__file__).parent / "data"
AS_OF = sample.REFERENCE_DATE
SCHEMA = json.loads(compact.SCHEMA_PATH.read_text(encoding="utf-8"))
GEOD = Geod(ellps="WGS84")


pytestmark = pytest.mark.usefixtures("own_home")  # the CLI writes under ~


def check(*args) -> None:
    result = CliRunner().invoke(main, ["check", *[str(a) for a in args]])
    assert result.exit_code == 0, result.output


def validate(doc: dict) -> None:
    jsonschema.validate(doc, SCHEMA, format_checker=jsonschema.FormatChecker())


def reference(name: str) -> dict:
    with gzip.open(DATA / name, "rt", encoding="utf-8") as f:
        return json.load(f)


def fingerprint(full: dict) -> dict:
    """What the national reference keeps of a full-form report (see the module's docstring)."""
    return {r["id"]: [r["status"], r["eligible"], r["area_ha"], r["eligible_area_ha"],
                      [[x["rule"], x["status"],
                        [[c["layer"], c["feature_id"], c["overlap_ha"], c["distance_m"]]
                         for c in x["conflicts"]]]
                       for x in r["results"] if x["status"] != "pass" or x["conflicts"]]]
            for r in full["requests"]}


def test_the_schema_is_a_valid_json_schema_and_refuses_a_broken_document(sample_ws, tmp_path):
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    out = tmp_path / "c.json"
    check("requests", "--workspace", sample_ws, "--as-of", AS_OF, "--json", out)
    doc = json.loads(out.read_text(encoding="utf-8"))
    validate(doc)
    # the schema holds something: each of these breaks it
    finding = next(f for r in doc["requests"] for f in r["findings"])
    for damage in (lambda d: d["requests"][0].pop("eligible"),
                   lambda d: d["rules"][0]["default"].update(status="passed"),
                   lambda d: d.update(format_version=2),
                   lambda d: d["requests"][0]["findings"].append({**finding, "status": None}),
                   lambda d: d["requests"][0].update(area_ha="12 ha")):
        bad = copy.deepcopy(doc)
        damage(bad)
        with pytest.raises(jsonschema.ValidationError):
            validate(bad)


@pytest.mark.parametrize(("ruleset", "ref"), [
    ("mn-asm-2022", "sample_check_2bff02c.json.gz"),
    ("mn-asm-2010", "sample_mn_asm_2010_check_2bff02c.json.gz")])
def test_sample_results_are_the_same_as_before_in_both_forms(sample_ws, tmp_path, ruleset, ref):
    small, full = tmp_path / "compact.json", tmp_path / "full.json"
    common = ("requests", "--workspace", sample_ws, "--as-of", AS_OF, "--ruleset", ruleset)
    check(*common, "--json", small)
    check(*common, "--json", full, "--json-format", "full")
    before = reference(ref)
    doc = json.loads(small.read_text(encoding="utf-8"))
    validate(doc)
    # the full form is what it was, key for key and value for value; and the compact form
    # holds exactly the same (expand() rebuilds the full form from it alone)
    assert json.loads(full.read_text(encoding="utf-8")) == before
    assert compact.expand(doc) == before
    # each rule is described once, and a request lists only what differs from the default
    assert [r["rule"] for r in doc["rules"]] == [x["rule"] for x in
                                                 before["requests"][0]["results"]]
    for r, old in zip(doc["requests"], before["requests"], strict=True):
        plain = {x["rule"] for x in old["results"] if x["status"] == "pass"}
        assert not plain & {f["rule"] for f in r["findings"]}
        assert (r["status"], r["eligible"]) == (old["status"], old["eligible"])


def test_single_request_json_keeps_every_field(sample_ws, tmp_path):
    # the full per-request form, as the workspace keeps it for each checked request and as
    # `--json-format full` writes it: the fields it had before the change, none dropped
    before = reference("sample_check_2bff02c.json.gz")
    request_keys = set(before["requests"][0])
    result_keys = set(before["requests"][0]["results"][0])
    assert {"id", "applicant", "submitted_at", "queue_no", "eligible", "incomplete",
            "not_checked", "status", "area_ha", "eligible_area_ha", "results"} == request_keys
    one = tmp_path / "one.gpkg"
    reqs = gpd.read_file(sample_ws, layer="requests")
    reqs[reqs["request_id"] == "REQ-2026-005"].to_file(one, layer="requests")
    out = tmp_path / "one.json"
    check(one, "--workspace", sample_ws, "--as-of", AS_OF, "--json", out, "--json-format", "full")
    [r] = json.loads(out.read_text(encoding="utf-8"))["requests"]
    assert set(r) == request_keys
    assert all(set(x) == result_keys for x in r["results"])
    [lic] = [x for x in r["results"] if x["rule"] == "no_valid_licence"]
    assert set(lic["conflicts"][0]) == {"layer", "kind", "feature_id", "overlap_ha",
                                        "distance_m"}
    # and result() gives the same record for one rule from the compact form
    small = tmp_path / "one-compact.json"
    check(one, "--workspace", sample_ws, "--as-of", AS_OF, "--json", small)
    doc = json.loads(small.read_text(encoding="utf-8"))
    assert compact.result(doc, doc["requests"][0], "no_valid_licence") == lic


@pytest.fixture(scope="module")
def national(sample_ws, tmp_path_factory):
    """The national benchmark's 10,000 requests checked once: JSON and GeoParquet."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    from bench_check import synthetic_requests

    folder = tmp_path_factory.mktemp("national")
    requests = folder / "national.gpkg"
    synthetic_requests(10_000).to_file(requests, layer="requests")
    out, parquet = folder / "results.json", folder / "results.parquet"
    check(requests, "--workspace", sample_ws, "--as-of", AS_OF, "--json", out, "--out", parquet)
    return requests, out, parquet


def test_national_batch_same_results_as_before_and_compact(national):
    _, out, _ = national
    doc = json.loads(out.read_text(encoding="utf-8"))
    validate(doc)
    before = reference("national_check_2bff02c.json.gz")
    assert [doc["ruleset"]["id"], doc["ruleset"]["version"]] == before["ruleset"]
    now = fingerprint(compact.expand(doc))
    assert now.keys() == before["requests"].keys()
    changed = [k for k in now if now[k] != before["requests"][k]]
    assert not changed, (changed[:5], [now[k] for k in changed[:2]],
                         [before["requests"][k] for k in changed[:2]])
    # the budget: at most 1.5 KB a request (the old form took about 10 KB)
    per_request = out.stat().st_size / len(doc["requests"])
    assert per_request <= 1536, per_request
    # one request per line: a reader can grep a request and read its line
    lines = out.read_text(encoding="utf-8").splitlines()
    line = next(ln for ln in lines if '"id": "N-00042"' in ln)
    assert json.loads(line.rstrip(","))["id"] == "N-00042"


def test_geoparquet_one_row_per_request(national):
    requests, out, parquet = national
    doc = json.loads(out.read_text(encoding="utf-8"))
    meta = json.loads(pq.read_schema(parquet).metadata[b"geo"])
    assert meta["primary_column"] == "geometry"
    assert meta["version"].startswith("1.1")
    assert {"geometry", "eligible_part"} <= set(meta["columns"])
    gdf = gpd.read_parquet(parquet)
    assert len(gdf) == 10_000 and gdf.crs.to_epsg() == 4326
    by_id = {r["id"]: r for r in doc["requests"]}
    assert list(gdf["request_id"]) == list(by_id)
    assert list(gdf["eligible"]) == [r["eligible"] for r in doc["requests"]]
    assert list(gdf["status"]) == [r["status"] for r in doc["requests"]]
    assert set(gdf["ruleset"]) == {"mn-asm-2022"} and set(gdf["as_of"]) == {AS_OF}
    # the geometry is the request as given; its geodesic area as pyproj Geod measures it
    src = gpd.read_file(requests, layer="requests").set_index("request_id")
    for rid in ("N-00000", "N-05000", "N-09999"):
        row = gdf.set_index("request_id").loc[rid]
        assert shapely.equals_exact(row.geometry, src.geometry[rid], tolerance=1e-12) or \
            shapely.equals(row.geometry, src.geometry[rid])
        geod = abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(src.geometry[rid]))[0])
        assert row["area_ha"] == pytest.approx(geod / 1e4, rel=1e-9)
    # refused requests' rules are named; the failing licence overlaps are in words
    lic = gdf[gdf["rules_failed"].str.contains("no_valid_licence")]
    assert len(lic) == sum(any(f["rule"] == "no_valid_licence" and f["status"] == "fail"
                               for f in r["findings"]) for r in doc["requests"])
    assert lic["conflicts"].str.contains("licenses:").all()


def test_geoparquet_reads_in_duckdb(national):
    import duckdb

    requests, _, parquet = national
    con = duckdb.connect()
    n, refused = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE NOT eligible) FROM read_parquet(?)",
        [str(parquet)]).fetchone()
    assert n == 10_000
    assert refused == int((~gpd.read_parquet(parquet)["eligible"]).sum())
    # DuckDB reads the column as a GEOMETRY (GeoParquet metadata understood), the same shape
    rows = con.execute("SELECT request_id, ST_AsText(geometry) FROM read_parquet(?) "
                       "WHERE request_id IN ('N-00007', 'N-07777') ORDER BY request_id",
                       [str(parquet)]).fetchall()
    src = gpd.read_file(requests, layer="requests").set_index("request_id")
    assert [r[0] for r in rows] == ["N-00007", "N-07777"]
    for rid, wkt in rows:
        assert shapely.equals(shapely.from_wkt(wkt), src.geometry[rid])
