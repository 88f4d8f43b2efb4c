"""``landtool impact`` (issue 16): two rulesets over the register, request by request."""

from __future__ import annotations

import json

import pyogrio
import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from pyproj import Geod
from shapely.geometry import shape

from landtool import sample
from landtool.cli import main
from landtool.paths import sample_data_dir

AS_OF = sample.REFERENCE_DATE
RULESETS = sample_data_dir().parent / "layers" / "rulesets"
GEOD = Geod(ellps="WGS84")


pytestmark = pytest.mark.usefixtures("own_home")  # the CLI writes under ~


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def run_impact(ws, before, after, out):
    result = invoke("impact", "--workspace", ws, "--ruleset", before, "--against", after,
                    "--as-of", AS_OF, "--out", out)
    assert result.exit_code == 0, result.output
    return result, json.loads((out / "impact.json").read_text(encoding="utf-8"))


def check_full(ws, ruleset, path) -> dict:
    """One `landtool check` run of its own, in the full JSON form, by request id."""
    result = invoke("check", "requests", "--workspace", ws, "--as-of", AS_OF, "--ruleset",
                    ruleset, "--json", path, "--json-format", "full")
    assert result.exit_code == 0, result.output
    return {r["id"]: r for r in json.loads(path.read_text(encoding="utf-8"))["requests"]}


def test_a_ruleset_against_itself_changes_nothing(sample_ws, tmp_path):
    _, doc = run_impact(sample_ws, "mn-asm-2022", "mn-asm-2022", tmp_path / "same")
    assert doc["changes"] == [] and doc["area_changes"] == []
    t = doc["totals"]
    assert t["became_eligible"] == t["became_refused"] == 0
    assert t["gained_ha"] == t["lost_ha"] == t["net_ha"] == 0
    assert t["eligible_before"] == t["eligible_after"]
    assert doc["rules_diff"] == {"ruleset": [], "rules": []}
    assert len(pyogrio.read_dataframe(tmp_path / "same" / "impact.gpkg",
                                      layer="changed_requests")) == 0


def test_against_2010_agrees_with_two_separate_checks(sample_ws, tmp_path):
    result, doc = run_impact(sample_ws, "mn-asm-2022", "mn-asm-2010", tmp_path / "imp")
    a = check_full(sample_ws, "mn-asm-2022", tmp_path / "a.json")
    b = check_full(sample_ws, "mn-asm-2010", tmp_path / "b.json")
    failing = {k: {rid: {x["rule"] for x in r["results"] if x["status"] == "fail"}
                   for rid, r in rep.items()} for k, rep in (("a", a), ("b", b))}
    changed = sorted(rid for rid in a if a[rid]["eligible"] != b[rid]["eligible"])
    assert changed, "the sample is meant to differ between the two regulations"
    assert [c["id"] for c in doc["changes"]] == changed
    for c in doc["changes"]:
        rid = c["id"]
        assert (c["eligible_before"], c["eligible_after"]) == (a[rid]["eligible"],
                                                               b[rid]["eligible"])
        assert c["eligible_area_ha_before"] == a[rid]["eligible_area_ha"]
        assert c["eligible_area_ha_after"] == b[rid]["eligible_area_ha"]
        assert set(c["responsible"]["after"]) == failing["b"][rid] - failing["a"][rid]
        assert set(c["responsible"]["before"]) == failing["a"][rid] - failing["b"][rid]
        assert rid in result.output
    # totals from the two checks: eligible counts, and the land an eligible request could get
    t = doc["totals"]
    assert t["eligible_before"] == sum(r["eligible"] for r in a.values())
    assert t["eligible_after"] == sum(r["eligible"] for r in b.values())
    alloc_a = sum(r["eligible_area_ha"] for r in a.values() if r["eligible"])
    alloc_b = sum(r["eligible_area_ha"] for r in b.values() if r["eligible"])
    assert t["allocatable_ha_before"] == pytest.approx(alloc_a, abs=1e-5)
    assert t["allocatable_ha_after"] == pytest.approx(alloc_b, abs=1e-5)
    assert t["net_ha"] == pytest.approx(alloc_b - alloc_a, abs=1e-5)
    # every request of the sample lies in Mandal soum; the soum's line carries the totals
    [soum] = doc["by_soum"]
    assert soum["soum"]["name_en"] == "Mandal" and soum["requests"] == len(a)
    # the GeoPackage: one row per changed request, and the lost land of each
    gpkg = tmp_path / "imp" / "impact.gpkg"
    rows = pyogrio.read_dataframe(gpkg, layer="changed_requests")
    assert sorted(rows["request_id"]) == changed
    assert set(rows["change"]) == {"became_refused"}
    land = pyogrio.read_dataframe(gpkg, layer="land_changes")
    assert set(land["change"]) <= {"lost"}
    # the briefing names both rulesets on every page and the changed requests, in mn and en
    reader = PdfReader(tmp_path / "imp" / "briefing.pdf")
    for page in reader.pages:
        text = page.extract_text()
        assert "mn-asm-2022 1.0.0" in text and "mn-asm-2010 1.0.0" in text
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Дүрмийн өөрчлөлтийн нөлөө" in text and "Impact of a change of rules" in text
    assert all(rid in text for rid in changed)


def _ruleset_with(tmp_path, old: str, new: str, rule: str = "max_area"):
    """mn-asm-2022 with one rule's text changed (a file of its own, another id)."""
    text = (RULESETS / "mn-asm-2022.toml").read_text(encoding="utf-8")
    head, sep, rest = text.partition(f'id = "{rule}"')
    assert sep and old in rest
    changed = head.replace('id = "mn-asm-2022"', 'id = "test-stricter"', 1) + sep + \
        rest.replace(old, new, 1)
    path = tmp_path / "stricter.toml"
    path.write_text(changed, encoding="utf-8")
    return path


def test_a_changed_parameter_changes_what_an_independent_count_says(sample_ws, tmp_path):
    # max_area as a refusal at 4 ha instead of a warning at 5 ha
    path = _ruleset_with(tmp_path, 'severity = "warn"', 'severity = "fail"')
    path.write_text(path.read_text(encoding="utf-8").replace("max_ha = 5.0", "max_ha = 4.0"),
                    encoding="utf-8")
    _, doc = run_impact(sample_ws, "mn-asm-2022", path, tmp_path / "strict")
    a = check_full(sample_ws, "mn-asm-2022", tmp_path / "a.json")
    # independent: each request's geodesic area (pyproj Geod on its polygon), and the
    # eligible requests over 4 ha are those the new rule refuses
    reqs = pyogrio.read_dataframe(sample_ws, layer="requests").set_index("request_id")

    def geod_ha(geom) -> float:
        return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e4

    over = sorted(rid for rid, r in a.items()
                  if r["eligible"] and geod_ha(shape(reqs.geometry[rid].__geo_interface__)) > 4)
    assert over, "some eligible sample request is over 4 ha"
    assert [c["id"] for c in doc["changes"]] == over
    assert all(c["responsible"]["after"] == ["max_area"] for c in doc["changes"])
    assert doc["totals"]["became_refused"] == len(over)
    assert doc["totals"]["lost_ha"] == pytest.approx(
        sum(a[rid]["eligible_area_ha"] for rid in over), abs=1e-5)
    # the diff names exactly what changed: the id, and two fields of one rule
    assert doc["rules_diff"]["rules"] == [{
        "rule": "max_area", "change": "changed", "title_en": "At most 5 ha",
        "title_mn": "5 га-аас ихгүй байх",
        "fields": [{"field": "severity", "before": "warn", "after": "fail"},
                   {"field": "params.max_ha", "before": 5.0, "after": 4.0}]}]


def test_bad_input_exit_2_nothing_written(sample_ws, tmp_path):
    out = tmp_path / "out"
    bad = invoke("impact", "--workspace", sample_ws, "--ruleset", "mn-asm-2022", "--against",
                 "no-such-ruleset", "--out", out)
    assert bad.exit_code == 2 and "unknown ruleset" in bad.output
    other = invoke("impact", "--workspace", sample_ws, "--ruleset", "mn-asm-2022",
                   "--against", "mn-conclusion-2022", "--out", out)
    assert other.exit_code == 2 and "same target" in other.output
    assert not out.exists() or not any(out.iterdir())
    run_impact(sample_ws, "mn-asm-2022", "mn-asm-2010", out)
    again = invoke("impact", "--workspace", sample_ws, "--ruleset", "mn-asm-2022",
                   "--against", "mn-asm-2010", "--out", out)
    assert again.exit_code == 2 and "already exists" in again.output


def test_the_shared_evaluation_gives_each_ruleset_its_own_check(sample_ws):
    # impact() evaluates a rule the two rulesets share once (same type, parameters and
    # severity); each report must still be exactly the check of its ruleset on its own
    from datetime import date

    from landtool.check.context import CheckContext
    from landtool.check.engine import check_requests
    from landtool.check.impact import impact
    from landtool.check.ruleset import load_ruleset
    from landtool.workspace import Workspace

    as_of = date.fromisoformat(str(AS_OF))
    ws = Workspace(sample_ws)
    before, after = load_ruleset("mn-asm-2022"), load_ruleset("mn-asm-2010")
    requests = ws.read("requests")
    result = impact(requests, before, after,
                    CheckContext.from_workspace(ws, [before, after], as_of, also=("soums",)))
    for rs, report in ((before, result.before), (after, result.after)):
        alone = check_requests(requests, rs, CheckContext.from_workspace(ws, rs, as_of))
        assert report.to_json() == alone.to_json()
        assert [r.eligible_part.wkb for r in report.requests] == \
            [r.eligible_part.wkb for r in alone.requests]
