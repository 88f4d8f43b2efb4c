"""``landtool propose`` (issue 15): candidate ASM land that passes the rules."""

from __future__ import annotations

import json
from datetime import date

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from pypdf import PdfReader
from pyproj import CRS, Geod

from landtool import sample
from landtool.cli import main
from landtool.io.corners import read_corner_list

AS_OF = str(sample.REFERENCE_DATE)
GEOD = Geod(ellps="WGS84")


pytestmark = pytest.mark.usefixtures("own_home")  # the CLI writes under ~


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def geod_ha(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(geom))[0]) / 1e4


@pytest.fixture(scope="module")
def mandal(sample_ws, tmp_path_factory):
    out = tmp_path_factory.mktemp("propose") / "mandal"
    result = invoke("propose", "--workspace", sample_ws, "--soum", "4322", "--as-of", AS_OF,
                    "--out", out)
    assert result.exit_code == 0, result.output
    return out, result.output


def _valid(gdf, start, end, day):
    s, e = gdf[start].astype(str).str[:10], gdf[end].astype(str).str[:10]
    blank = {"", "None", "nan", "NaT", "<NA>"}
    return (s.isin(blank) | (s <= day)) & (e.isin(blank) | (e >= day))


def independent_available(ws):
    """Mandal's available land computed here, from the layers, without landtool's code: the
    soum ∩ the Land Conclusions valid on the date, minus valid exploration/mining licences,
    protected areas, forest, contracts in force, every request, and 200 m around water; in a
    Lambert azimuthal equal-area projection centred on the soum."""
    read = lambda name: pyogrio.read_dataframe(ws, layer=name)  # noqa: E731
    soums = read("soums")
    soum = soums[soums["pcode"] == "4322"].geometry.iloc[0]
    c = soum.centroid
    laea = CRS.from_proj4(f"+proj=laea +lat_0={c.y} +lon_0={c.x} +datum=WGS84 +units=m")
    day = AS_OF

    def local(gdf):
        return gpd.GeoSeries(gdf.geometry.values, crs=4326).to_crs(laea)

    lc = read("land_conclusions")
    lc = lc[(_valid(lc, "issue_date", "valid_until", day) &
             (lc["status"] != "revoked")).to_numpy()]
    lic = read("licenses")
    lic = lic[(lic["licence_type"].isin(["exploration", "mining"]) &
               _valid(lic, "issue_date", "expiry_date", day)).to_numpy()]
    contracts = read("asm_contracts")
    contracts = contracts[(_valid(contracts, "start_date", "end_date", day) &
                           (contracts["status"] != "terminated")).to_numpy()]
    waters = [local(read(n)) for n in ("rivers", "streams", "lakes", "ponds", "springs")]
    out = [local(lic), local(read("protected_areas")), local(read("forest")),
           local(contracts), local(read("requests"))]
    out += [w.buffer(200, quad_segs=32) for w in waters]
    soum_local = shapely.make_valid(local(gpd.GeoDataFrame(geometry=[soum], crs=4326)).iloc[0])
    keep = shapely.intersection(soum_local, shapely.union_all(shapely.make_valid(
        local(lc).values)))
    excluded = shapely.union_all(shapely.make_valid(np.concatenate([s.values for s in out])))
    return keep, excluded, laea


def test_sample_soum_available_land_and_candidates(mandal, sample_ws):
    out, printed = mandal
    doc = json.loads((out / "candidates.json").read_text(encoding="utf-8"))
    cands = pyogrio.read_dataframe(out / "candidates.gpkg", layer="candidates")
    avail = pyogrio.read_dataframe(out / "available.gpkg", layer="available").geometry.iloc[0]
    assert len(cands) == len(doc["candidates"]) > 10
    assert list(cands["candidate_id"]) == [c["candidate_id"] for c in doc["candidates"]]
    # the available land's area as reported is pyproj Geod's area of the land written
    assert doc["available_ha"] == pytest.approx(geod_ha(avail), rel=1e-6)
    keep, excluded, laea = independent_available(sample_ws)
    expected = shapely.difference(keep, excluded)
    avail_local = gpd.GeoSeries([avail], crs=4326).to_crs(laea).iloc[0]
    # equal up to what the method adds on purpose: the margins (0.5–1.2 m) and the removal
    # of slivers narrower than 30 m
    assert avail_local.area == pytest.approx(expected.area, rel=0.03)
    assert avail_local.area <= expected.area
    assert shapely.intersection(avail_local, excluded).area < 1.0  # m²
    assert shapely.difference(avail_local, keep).area < 1.0
    for geom, row in zip(cands.geometry, doc["candidates"], strict=True):
        g = gpd.GeoSeries([geom], crs=4326).to_crs(laea).iloc[0]
        # no candidate overlaps a valid licence, lies within 200 m of water, or leaves the
        # available land; none exceeds the maximum (5 ha) nor falls below the minimum (1 ha)
        assert shapely.intersection(g, excluded).area < 0.01
        assert 1.0 <= geod_ha(geom) <= 5.0
        assert row["area_ha"] == pytest.approx(geod_ha(geom), rel=1e-6)
    # disturbed land first: the candidates are ranked by the share on disturbed land
    shares = [c["disturbed_share"] for c in doc["candidates"]]
    assert shares == sorted(shares, reverse=True) and shares[0] > 0
    # the rehabilitation parcels hold the disturbed hectares, measured with Geod
    rehab = shapely.union_all(pyogrio.read_dataframe(sample_ws, layer="rehab_parcels")
                              .geometry.values)
    first = cands.geometry.iloc[0]
    assert doc["candidates"][0]["disturbed_ha"] == pytest.approx(
        geod_ha(shapely.intersection(first, rehab)), rel=1e-3)
    assert "mn-asm-2022" in printed and "inside_land_conclusion" in printed


def test_every_candidate_passes_check(mandal, sample_ws, tmp_path):
    out, _ = mandal
    cands = pyogrio.read_dataframe(out / "candidates.gpkg", layer="candidates")
    as_requests = tmp_path / "as_requests.gpkg"
    pyogrio.write_dataframe(cands.rename(columns={"candidate_id": "request_id"}), as_requests,
                            layer="requests")
    report = tmp_path / "check.json"
    result = invoke("check", as_requests, "--workspace", sample_ws, "--as-of", AS_OF,
                    "--json", report, "--json-format", "full")
    assert result.exit_code == 0, result.output
    checked = json.loads(report.read_text(encoding="utf-8"))["requests"]
    assert len(checked) == len(cands)
    assert all(r["eligible"] for r in checked), [r["id"] for r in checked if not r["eligible"]]


def test_corner_lists_read_back_to_the_same_polygons(mandal):
    out, _ = mandal
    cands = pyogrio.read_dataframe(out / "candidates.gpkg", layer="candidates")
    back = read_corner_list(out / "corners.txt")
    assert len(back) == len(cands)
    for geom, again in zip(cands.geometry, back.geometry, strict=True):
        # seconds with 2 decimals: corners move up to about 0.15 m, so a 1-2 ha parcel's
        # area by up to about 600 m × 0.15 m = 90 m², 0.5 %
        assert shapely.hausdorff_distance(geom, again) < 1e-5
        assert geod_ha(again) == pytest.approx(geod_ha(geom), rel=1e-2)


def test_candidates_gpx_has_a_route_and_numbered_waypoints_per_candidate(mandal):
    import gpxpy

    out, _ = mandal
    cands = pyogrio.read_dataframe(out / "candidates.gpkg", layer="candidates")
    with open(out / "candidates.gpx", encoding="utf-8") as fh:
        gpx = gpxpy.parse(fh)
    assert [r.name for r in gpx.routes] == list(cands["candidate_id"])
    for route, geom in zip(gpx.routes, cands.geometry, strict=True):
        (poly,) = geom.geoms  # a candidate is one compact parcel
        ring = list(poly.exterior.coords)[:-1]
        assert [p.name for p in route.points] == [f"{route.name} {k}"
                                                  for k in range(1, len(ring) + 1)]
        # 8 decimals: every corner within 5e-9 degrees of the candidate's
        assert max(max(abs(p.longitude - x), abs(p.latitude - y))
                   for p, (x, y) in zip(route.points, ring, strict=True)) <= 5.1e-9
    assert len(gpx.waypoints) == sum(len(r.points) for r in gpx.routes)


def test_the_geopackages_carry_their_qgis_styles(mandal):
    import sqlite3
    import xml.etree.ElementTree as ET

    out, _ = mandal

    def styles(path):
        with sqlite3.connect(path) as con:
            return {t: (ET.fromstring(q), d) for t, q, d in con.execute(
                "SELECT f_table_name, styleQML, useAsDefault FROM layer_styles")}

    cands = styles(out / "candidates.gpkg")
    qml, default = cands["candidates"]
    assert default == 1  # QGIS applies it when the layer is opened
    renderer = qml.find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "on_disturbed"
    assert {c.get("value") for c in renderer.iter("category")} == {"yes", "no"}
    assert qml.find("labeling/settings/text-style").get("fieldName") == "candidate_id"
    # the field the style reads is there, and says what disturbed_ha says
    gdf = pyogrio.read_dataframe(out / "candidates.gpkg", layer="candidates")
    assert list(gdf["on_disturbed"]) == ["yes" if d > 0 else "no" for d in gdf["disturbed_ha"]]
    assert "yes" in set(gdf["on_disturbed"])  # the sample soum has candidates on mined land
    assert set(styles(out / "available.gpkg")) == {"available", "search_area"}


def test_outputs_open_and_the_proposal_is_bilingual(mandal):
    out, _ = mandal
    for name in ("candidates.geojson", "candidates.kml"):
        gdf = pyogrio.read_dataframe(out / name)
        assert len(gdf) == len(pyogrio.read_dataframe(out / "candidates.gpkg",
                                                         layer="candidates"))
    reader = PdfReader(out / "proposal.pdf")
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Бичил уурхайд олгож болох газрын санал" in text
    assert "Proposal of land that can be offered for ASM" in text
    assert "mn-asm-2022 1.0.0" in text and "2026-11-23" in text
    assert "C-001" in text and "Karney" in text
    assert "no_valid_licence" in text  # the unconfirmed values are named


def test_same_inputs_same_candidates(mandal, sample_ws, tmp_path):
    out, _ = mandal
    again = tmp_path / "again"
    result = invoke("propose", "--workspace", sample_ws, "--soum", "Mandal", "--as-of", AS_OF,
                    "--out", again)
    assert result.exit_code == 0, result.output
    a = json.loads((out / "candidates.json").read_text(encoding="utf-8"))["candidates"]
    b = json.loads((again / "candidates.json").read_text(encoding="utf-8"))["candidates"]
    assert a == b


def test_no_available_land_says_which_rule_took_it(sample_ws, tmp_path):
    # a square inside a valid licence
    lic = pyogrio.read_dataframe(sample_ws, layer="licenses")
    lic = lic[lic["licence_type"].isin(["mining"]) &
              (lic["expiry_date"].astype(str).str[:10] > AS_OF) &
              (lic["issue_date"].astype(str).str[:10] <= AS_OF)]
    # the largest in square degrees: only to pick one, no area is measured with it
    big = lic.geometry.iloc[int(np.argmax(shapely.area(lic.geometry.to_numpy())))]
    inside = shapely.buffer(big.representative_point(), 0.001, cap_style=3)
    assert big.contains(inside)
    area = tmp_path / "area.geojson"
    gpd.GeoDataFrame({"name": ["x"]}, geometry=[inside], crs=4326).to_file(area)
    out = tmp_path / "none"
    result = invoke("propose", "--workspace", sample_ws, "--area", area, "--as-of", AS_OF,
                    "--out", out)
    assert result.exit_code == 0, result.output
    assert "no land is available here" in result.output
    doc = json.loads((out / "candidates.json").read_text(encoding="utf-8"))
    assert doc["candidates"] == [] and doc["available_ha"] == 0
    import gpxpy

    with open(out / "candidates.gpx", encoding="utf-8") as fh:  # a valid GPX with nothing in it
        gpx = gpxpy.parse(fh)
    assert gpx.routes == [] and gpx.waypoints == []
    by_rule = {e["rule"]: e["hectares"] for e in doc["excluded_by_rule"]}
    assert by_rule["no_valid_licence"] == pytest.approx(geod_ha(inside), rel=1e-3)


def test_bad_input_exit_2_nothing_written(sample_ws, tmp_path):
    out = tmp_path / "out"
    base = ("propose", "--workspace", sample_ws, "--as-of", AS_OF, "--out", out)
    cases = [
        (("--soum", "9999"), "no soum '9999'"),
        (("--soum", "4322", "--min-ha", 6, "--max-ha", 5), "larger than the maximum"),
        (("--soum", "4322", "--max-ha", 0), "positive"),
    ]
    outside = tmp_path / "outside.geojson"
    gpd.GeoDataFrame({"name": ["kz"]}, geometry=[shapely.box(70, 45, 70.1, 45.1)],
                     crs=4326).to_file(outside)
    cases.append((("--area", outside), "outside Mongolia"))
    empty = tmp_path / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    cases.append((("--area", empty), ""))
    lines = tmp_path / "lines.geojson"
    gpd.GeoDataFrame({"name": ["l"]}, geometry=[shapely.LineString([(106.6, 48.7),
                                                                     (106.7, 48.7)])],
                     crs=4326).to_file(lines)
    cases.append((("--area", lines), ""))
    only_area = tmp_path / "only-area.toml"
    only_area.write_text(
        'id = "only-area"\nversion = "1"\ntitle_en = "t"\ntitle_mn = "t"\nregulation = "r"\n'
        'effective_date = 2022-01-01\n[[rules]]\nid = "max_area"\ntype = "area"\n'
        'severity = "fail"\ntitle_en = "a"\ntitle_mn = "a"\nmessage_en = "m"\n'
        'message_mn = "m"\nsource = "s"\nconfidence = "confirmed"\n[rules.params]\n'
        'max_ha = 5.0\n', encoding="utf-8")
    cases.append((("--soum", "4322", "--ruleset", only_area), "no rule that excludes land"))
    for args, words in cases:
        result = invoke(*base, *args)
        assert result.exit_code == 2, (args, result.output)
        assert words in result.output, (args, result.output)
        assert "Traceback" not in result.output
        assert not out.exists() or not any(out.iterdir()), args


def test_selenge_aimag_against_the_real_licences(sample_ws, tmp_path):
    # a whole aimag (about 41,000 km²) against the 3,439 real licences and the lakes; every
    # candidate passes the check
    from landtool.check.context import CheckContext
    from landtool.check.engine import check_requests
    from landtool.check.ruleset import load_ruleset
    from landtool.propose import propose
    from landtool.workspace import Workspace

    ws = Workspace(sample_ws)
    rs = load_ruleset("mn-asm-2022")
    aimags = ws.read("aimags")
    area = aimags[aimags["pcode"] == "MN43"].geometry.iloc[0]
    ctx = CheckContext.from_workspace(ws, rs, date.fromisoformat(AS_OF),
                                      also=("roads", "settlements", "rehab_parcels"))
    result = propose(area, "Selenge", rs, ctx)
    assert result.candidates
    gdf = gpd.GeoDataFrame({"request_id": [c.id for c in result.candidates]},
                           geometry=[c.geometry for c in result.candidates], crs=4326)
    fresh = CheckContext.from_workspace(ws, rs, date.fromisoformat(AS_OF))
    assert all(r.eligible for r in check_requests(gdf, rs, fresh).requests)
