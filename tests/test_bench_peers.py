"""benchmarks/bench_check.py --peers: landtool, PostGIS (a real server, tests/pg_cluster.py) and
a plain shapely STRtree loop find the same request × licence overlaps and request × lake pairs
on a small batch. A correctness test of the comparison, not a timing test."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from landtool.check.context import CheckContext
from landtool.check.ruleset import load_ruleset
from landtool.workspace import Workspace

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import bench_check as bench  # noqa: E402

#: distances (m) of the requests placed west of a lake; a negative one lies inside it
LAKE_OFFSETS = (-100.0, 60.0, 150.0, 185.0, 215.0, 260.0)


def _box_west_of(geom, offset_m: float, size_m: float = 120.0):
    """A square whose east side lies ``offset_m`` west of the westernmost vertex of ``geom``
    (centred on its latitude), so that it is about ``offset_m`` from ``geom``."""
    xy = shapely.get_coordinates(geom)
    lon, lat = xy[np.argmin(xy[:, 0])]
    kx, ky = 111_320 * np.cos(np.radians(lat)), 110_950
    east = lon - offset_m / kx
    return shapely.box(east - size_m / kx, lat - size_m / 2 / ky, east, lat + size_m / 2 / ky)


def _requests(layers) -> tuple[gpd.GeoDataFrame, dict]:
    """300 synthetic requests, and more aimed at the thresholds: around lakes at the offsets,
    and on the western corner of licences of every type and state (so the selection counts)."""
    lakes = bench.feature_table(layers["water_areas"], "water_areas")
    lakes = lakes[~lakes["fid"].duplicated(keep=False)]  # names lakes share would blur it
    lic = bench.feature_table(layers["licenses"], "licenses")
    aimed, expect = [], {}
    for k in (0, 1, 2, 3, 5, 8, 13, 21, 34, 55):
        lake = lakes.iloc[k]
        for off in LAKE_OFFSETS:
            rid = f"L-{k}-{off:+.0f}"
            geom = _box_west_of(lake.geometry, max(off, 0.0))
            if off < 0:  # inside: a box around a point well within the lake
                c = shapely.point_on_surface(lake.geometry)
                geom = shapely.box(c.x - 1e-4, c.y - 1e-4, c.x + 1e-4, c.y + 1e-4)
            aimed.append((rid, geom))
            expect[(rid, lake["layer"], lake["fid"])] = off < 200
    picks = pd.concat([lic[lic["licence_type"] == t].iloc[:8]
                       for t in ("exploration", "mining", "petroleum")])
    picks = pd.concat([picks, lic[lic["expiry_date"].astype(str) < "2026-11-23"].iloc[:8]])
    picks = picks[~picks["fid"].duplicated()]
    for code, geom in zip(picks["fid"], picks.geometry, strict=True):
        aimed.append((f"C-{code}", _box_west_of(geom, -60.0)))  # over the corner
    base = bench.synthetic_requests(300)
    extra = gpd.GeoDataFrame({"request_id": [r for r, _ in aimed], "applicant": "test",
                              "members": 6, "submitted_at": None,
                              "queue_no": np.arange(len(aimed)) + len(base)},
                             geometry=[g for _, g in aimed], crs=4326)
    return gpd.GeoDataFrame(pd.concat([base, extra], ignore_index=True), crs=4326), expect


@pytest.fixture(scope="module")
def layers(sample_ws):
    """The sample workspace's licences and lakes, as the benchmark reads them."""
    ws = Workspace(sample_ws)
    return {k: [(n, ws.read(n)) for n in ws.layers_of_kind(k)]
            for k in ("licenses", "water_areas")}


def test_the_three_methods_find_the_same_conflicts(layers, pg_url):
    ruleset = load_ruleset("mn-asm-2022")
    requests, expect = _requests(layers)

    results = bench.compare(requests, layers, ruleset, pg_url, repeat=1)

    assert set(results) == {"landtool", "PostGIS load", "PostGIS", "STRtree loop"}
    pairs = {m: p for m, (_, p) in results.items() if p}
    for rule in (bench.LICENCE_RULE, bench.WATER_RULE):
        assert pairs["PostGIS"][rule] == pairs["landtool"][rule], rule
        assert pairs["STRtree loop"][rule] == pairs["landtool"][rule], rule
    assert bench.disagreements(results) == {bench.LICENCE_RULE: {}, bench.WATER_RULE: {}}

    found = pairs["landtool"]
    for pair, near in expect.items():  # the aimed requests, from the geometry alone
        assert (found[bench.WATER_RULE][pair] > 0) == near, pair
    lic = bench.feature_table(layers["licenses"], "licenses").set_index("fid")
    corners = {(rid, code) for rid, _, code in found[bench.LICENCE_RULE]
               if rid == f"C-{code}"}
    valid = {c for c in lic.index
             if lic.at[c, "licence_type"] in ("exploration", "mining")
             and str(lic.at[c, "issue_date"]) <= "2026-11-23" <= str(lic.at[c, "expiry_date"])}
    aimed = {rid[2:] for rid in requests["request_id"] if rid.startswith("C-")}
    assert {code for _, code in corners} == aimed & valid
    assert aimed - valid and aimed & valid  # both kinds were aimed at
    assert sum(found[bench.LICENCE_RULE].values()) > len(aimed & valid)  # the random ones too


def test_the_peers_select_the_licences_landtool_selects(layers):
    rule = {r.id: r for r in load_ruleset("mn-asm-2022").rules}[bench.LICENCE_RULE]
    mine = bench.valid_licences(bench.feature_table(layers["licenses"], "licenses"), rule,
                                bench.AS_OF)
    theirs = CheckContext(layers, bench.AS_OF).features("licenses", rule.params.where)
    assert sorted(mine["fid"]) == sorted(theirs.ids)
    assert 0 < len(mine) < sum(len(g) for _, g in layers["licenses"])


def test_a_disagreement_is_shown_with_what_each_side_measures(layers, pg_url, capsys):
    requests, expect = _requests(layers)
    results = bench.compare(requests, layers, load_ruleset("mn-asm-2022"), pg_url, repeat=1)
    near = next(p for p, is_near in expect.items() if is_near and "+185" in p[0])
    results["STRtree loop"][1][bench.WATER_RULE] -= Counter([near])  # as if it missed one
    odd = bench.disagreements(results)
    assert odd == {bench.LICENCE_RULE: {},
                   bench.WATER_RULE: {near: ["landtool ×1", "PostGIS ×1"]}}
    bench.explain(odd, requests, layers, pg_url)
    out = capsys.readouterr().out
    assert near[0] in out and "found by landtool ×1, PostGIS ×1" in out
    shown = out.split("STRtree loop measures [")[1].split("]")[0]
    assert 180 < float(shown) < 190
