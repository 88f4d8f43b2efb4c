"""Each rule type on tiny hand-built layers near 106.6°E 48.8°N.

Every expected number is computed here independently of landtool: areas with pyproj ``Geod`` on
polygons whose vertices are written out by hand, distances with ``Geod.fwd``/``Geod.inv``, and
thresholds by hand arithmetic (stated in the comments). The code under test is only run through
its public API: a one-rule :class:`Ruleset`, a :class:`CheckContext` and ``check_requests``.
"""

from __future__ import annotations

from datetime import date, timedelta

import geopandas as gpd
import pytest
import shapely
from pydantic import ValidationError
from pyproj import Geod

from landtool.check.context import CheckContext
from landtool.check.engine import check_requests
from landtool.check.ruleset import Ruleset, load_ruleset
from landtool.errors import CheckError

GEOD = Geod(ellps="WGS84")
AS_OF = date(2026, 11, 23)
DAY = timedelta(days=1)

# The request used throughout: 0.003° x 0.002°, i.e. about 220.4 m (east-west) x 222.4 m
# (north-south) at 48.8°N, 4.9017 ha.
W, S, E, N = 106.600, 48.800, 106.603, 48.802
REQ_BOX = (W, S, E, N)


# -- independent measures ---------------------------------------------------------------------

def ring_m2(lons, lats) -> float:
    """Geodesic area (m²) of the ring given vertex by vertex (pyproj Geod)."""
    return abs(GEOD.polygon_area_perimeter(list(lons), list(lats))[0])


def box_m2(w, s, e, n) -> float:
    return ring_m2([w, e, e, w], [s, s, n, n])


def dist_m(lon1, lat1, lon2, lat2) -> float:
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


def east_of(lon, lat, metres) -> float:
    """The longitude ``metres`` due east (negative: west) of (lon, lat), on the ellipsoid."""
    az = 90.0 if metres >= 0 else 270.0
    return GEOD.fwd(lon, lat, az, abs(metres))[0]


def rel(a, b) -> float:
    return abs(a - b) / abs(b)


# -- building inputs ----------------------------------------------------------------------------

def gdf(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")


def requests(*specs) -> gpd.GeoDataFrame:
    """Requests from ``(id, geometry, attrs)`` triples; applicant and members by default."""
    rows, geoms = [], []
    for rid, geom, attrs in specs:
        rows.append({"request_id": rid, "applicant": "Алтан Шороо нөхөрлөл", "members": 12,
                     **attrs})
        geoms.append(geom)
    return gdf(rows, geoms)


def one_request(geom=None, **attrs) -> gpd.GeoDataFrame:
    return requests(("R-1", geom if geom is not None else shapely.box(*REQ_BOX), attrs))


MESSAGES = {  # every placeholder each type provides, in both languages
    "within": ("{outside_ha:.6f} ha outside {layer_name} (tolerance {tolerance_m2:g} m2)",
               "{layer_name}-аас гадна {outside_ha:.6f} га"),
    "no_overlap": ("{count} overlap(s) with {layer_name}: {ids} ({overlap_ha:.6f} ha)",
                   "{layer_name}: {count} давхцал {ids} ({overlap_ha:.6f} га)"),
    "min_distance": ("{nearest_m:.3f} m from {ids} ({count}), under {distance_m:g} m",
                     "{ids}-аас {nearest_m:.3f} м ({count}), {distance_m:g} м-ээс ойр"),
    "area": ("{area_ha:.6f} ha (min {min_ha}, max {max_ha})",
             "{area_ha:.6f} га"),
    "attribute": ("{field} is {actual}, not {op} {value:g}",
                  "{field} = {actual}, {op} {value:g} биш"),
    "rehabilitation_backlog": ("{applicant}: {outstanding_ha:.6f} ha ({parcels}) > {threshold_ha}",
                               "{applicant}: {outstanding_ha:.6f} га ({parcels})"),
    "priority": ("{count} earlier: {ids} ({overlap_ha:.6f} ha)",
                 "{count} өмнөх хүсэлт: {ids} ({overlap_ha:.6f} га)"),
}


def rule(rule_type: str, params: dict, *, rid: str | None = None, severity: str = "fail",
         message_en: str | None = None, message_mn: str | None = None) -> dict:
    en, mn = MESSAGES[rule_type]
    return {
        "id": rid or rule_type, "type": rule_type, "severity": severity,
        "title_en": f"Test {rule_type}", "title_mn": f"Туршилт {rule_type}",
        "message_en": message_en or en, "message_mn": message_mn or mn,
        "source": "test", "confidence": "confirmed", "params": params,
    }


def ruleset(*rules: dict) -> Ruleset:
    return Ruleset.model_validate({
        "id": "test-rules", "version": "0.1.0", "title_en": "Test", "title_mn": "Туршилт",
        "regulation": "none", "effective_date": "2022-01-01", "rules": list(rules),
    })


def run(reqs, rules, layers=None, as_of=AS_OF):
    rs = rules if isinstance(rules, Ruleset) else ruleset(*([rules] if isinstance(rules, dict)
                                                           else rules))
    return check_requests(reqs, rs, CheckContext(layers or {}, as_of))


def result(report, rule_id, request_id="R-1"):
    req = next(r for r in report.requests if r.id == request_id)
    return next(x for x in req.results if x.rule == rule_id)


def request_result(report, request_id="R-1"):
    return next(r for r in report.requests if r.id == request_id)


def assert_filled(res):
    """Both messages written out: no leftover placeholder braces."""
    for text in (res.message_en, res.message_mn):
        assert text and "{" not in text and "}" not in text, text


# -- within ------------------------------------------------------------------------------------

def conclusions(*specs) -> gpd.GeoDataFrame:
    """Land conclusions from ``(number, box, issue_date, valid_until, status)``."""
    rows = [{"conclusion_no": no, "issue_date": issued, "valid_until": until,
             "soum_pcode": "4322", "status": status} for no, _, issued, until, status in specs]
    return gdf(rows, [shapely.box(*b) for _, b, *_ in specs])


WITHIN = rule("within", {"layer": "land_conclusions", "tolerance_m2": 10.0})


def lc_layers(*specs):
    return {"land_conclusions": [("land_conclusions", conclusions(*specs))]}


def test_within_inside_passes():
    layers = lc_layers(("ДҮ-1", (106.59, 48.79, 106.61, 48.81), "2024-01-01", "2029-01-01",
                        "valid"))
    report = run(one_request(), WITHIN, layers)
    res = result(report, "within")
    assert res.status == "pass" and res.conflicts == []
    assert_filled(res)
    req = request_result(report)
    assert req.eligible
    assert rel(req.area_ha, box_m2(*REQ_BOX) / 1e4) < 1e-9
    assert rel(req.eligible_area_ha, box_m2(*REQ_BOX) / 1e4) < 1e-9


def test_within_half_outside_fails_with_the_outside_area_and_clips_the_eligible_part():
    # The conclusion stops at 106.6015°E, half way across the request: the part outside is the
    # box 106.6015-106.603 x 48.800-48.802 and the eligible part the box 106.600-106.6015.
    cut = 106.6015
    layers = lc_layers(("ДҮ-1", (106.59, 48.79, cut, 48.81), "2024-01-01", "2029-01-01", "valid"))
    report = run(one_request(), WITHIN, layers)
    res = result(report, "within")
    outside_m2 = box_m2(cut, S, E, N)
    inside_m2 = box_m2(W, S, cut, N)
    assert 2.4e4 < outside_m2 < 2.5e4  # hand check: 110.2 m x 222.4 m = 24,508 m²
    assert res.status == "fail"
    assert len(res.conflicts) == 1
    assert rel(res.conflicts[0].overlap_ha, outside_m2 / 1e4) < 1e-6
    assert f"{outside_m2 / 1e4:.6f} ha outside land conclusions" in res.message_en
    assert f"{outside_m2 / 1e4:.6f} га" in res.message_mn
    assert_filled(res)
    req = request_result(report)
    assert not req.eligible
    assert rel(req.eligible_area_ha, inside_m2 / 1e4) < 1e-6
    assert rel(req.eligible_part.area, shapely.box(W, S, cut, N).area) < 1e-6
    assert req.eligible_part.symmetric_difference(shapely.box(W, S, cut, N)).area < 1e-12


@pytest.mark.parametrize("valid_until, status", [
    (AS_OF.isoformat(), "pass"),  # in force on its last day
    ((AS_OF - DAY).isoformat(), "fail"),  # expired the day before the check
])
def test_within_conclusion_expiry(valid_until, status):
    layers = lc_layers(("ДҮ-1", (106.59, 48.79, 106.61, 48.81), "2021-07-01", valid_until,
                        "valid"))
    report = run(one_request(), WITHIN, layers)
    res = result(report, "within")
    assert res.status == status
    if status == "fail":  # nothing valid covers it: all of it is outside, nothing eligible
        assert rel(res.conflicts[0].overlap_ha, box_m2(*REQ_BOX) / 1e4) < 1e-6
        assert request_result(report).eligible_area_ha == 0.0


@pytest.mark.parametrize("column", ["issue_date", "valid_until"])
@pytest.mark.parametrize("missing", [None, ""])
def test_within_missing_date_does_not_exclude(column, missing):
    # in_force: "A missing start or end date does not exclude a feature". An empty text date
    # (as in a layer drawn or typed in, before coercion) is missing too.
    lc = conclusions(("ДҮ-1", (106.59, 48.79, 106.61, 48.81), "2024-01-01", "2029-01-01",
                      "valid"))
    lc[column] = [missing]
    res = result(run(one_request(), WITHIN, {"land_conclusions": [("lc", lc)]}), "within")
    assert res.status == "pass"


def test_within_revoked_conclusion_fails():
    layers = lc_layers(("ДҮ-1", (106.59, 48.79, 106.61, 48.81), "2024-01-01", "2029-01-01",
                        "revoked"))
    res = result(run(one_request(), WITHIN, layers), "within")
    assert res.status == "fail"
    assert rel(res.conflicts[0].overlap_ha, box_m2(*REQ_BOX) / 1e4) < 1e-6


@pytest.mark.parametrize("issued, status", [
    (AS_OF.isoformat(), "pass"),  # in force from its issue date
    ((AS_OF + DAY).isoformat(), "fail"),  # issued after the check date: not in force yet
])
def test_within_conclusion_issued_after_the_check_date(issued, status):
    layers = lc_layers(("ДҮ-1", (106.59, 48.79, 106.61, 48.81), issued, "2031-01-01", "valid"))
    assert result(run(one_request(), WITHIN, layers), "within").status == status


def test_within_ignores_a_valid_conclusion_beside_an_expired_one():
    # Two conclusions, each covering half: the eastern one expired, so the eastern half is out.
    cut = 106.6015
    layers = lc_layers(
        ("ДҮ-W", (106.59, 48.79, cut, 48.81), "2024-01-01", "2029-01-01", "valid"),
        ("ДҮ-E", (cut, 48.79, 106.61, 48.81), "2021-01-01", "2026-06-30", "valid"),
    )
    report = run(one_request(), WITHIN, layers)
    res = result(report, "within")
    assert res.status == "fail"
    assert rel(res.conflicts[0].overlap_ha, box_m2(cut, S, E, N) / 1e4) < 1e-6
    on_june_1 = run(one_request(), WITHIN, layers, as_of=date(2026, 6, 1))
    assert result(on_june_1, "within").status == "pass"


@pytest.mark.parametrize("factor, status", [(0.5, "fail"), (2.0, "pass")])
def test_within_tolerance(factor, status):
    # The conclusion stops 4e-7° (about 3 cm) short of the request's east edge: a sliver of
    # about 0.0294 m x 222.4 m ≈ 6.5 m² lies outside.
    cut = E - 4e-7
    sliver = box_m2(cut, S, E, N)
    assert 5 < sliver < 8
    rs = rule("within", {"layer": "land_conclusions", "tolerance_m2": sliver * factor})
    layers = lc_layers(("ДҮ-1", (106.59, 48.79, cut, 48.81), "2024-01-01", "2029-01-01", "valid"))
    res = result(run(one_request(), rs, layers), "within")
    assert res.status == status
    if status == "fail":
        assert rel(res.conflicts[0].overlap_ha * 1e4, sliver) < 1e-4


def test_within_where_filter_and_load_from_toml(tmp_path):
    # the same rule, written as a TOML file and loaded with load_ruleset
    path = tmp_path / "within.toml"
    path.write_text("""
id = "t-within"
version = "2.3.4"
title_en = "t"
title_mn = "t"
regulation = "none"
effective_date = 2022-01-01

[[rules]]
id = "inside"
type = "within"
severity = "fail"
title_en = "Inside"
title_mn = "Дотор"
message_en = "{outside_ha:.3f} ha outside"
message_mn = "{outside_ha:.3f} га гадна"
source = "test"
confidence = "confirmed"
[rules.params]
layer = "land_conclusions"
where = { field = "soum_pcode", values = ["4322"] }
""", encoding="utf-8")
    rs = load_ruleset(path)
    other_soum = conclusions(("ДҮ-X", (106.59, 48.79, 106.61, 48.81), "2024-01-01",
                              "2029-01-01", "valid"))
    other_soum["soum_pcode"] = "4301"
    report = check_requests(one_request(), rs,
                            CheckContext({"land_conclusions": [("lc", other_soum)]}, AS_OF))
    res = result(report, "inside")
    assert res.status == "fail"
    assert res.message_en == f"{box_m2(*REQ_BOX) / 1e4:.3f} ha outside"
    assert report.to_json()["ruleset"]["version"] == "2.3.4"


# -- no_overlap --------------------------------------------------------------------------------

def licences(*specs) -> gpd.GeoDataFrame:
    """Licences from ``(code, box, type, issue_date, expiry_date)``."""
    rows = [{"licence_code": code, "licence_type": kind, "holder": "Test LLC",
             "issue_date": issued, "expiry_date": expiry}
            for code, _, kind, issued, expiry in specs]
    return gdf(rows, [shapely.box(*b) for _, b, *_ in specs])


NO_LICENCE = rule("no_overlap", {
    "layers": ["licenses"], "sliver_m2": 10.0,
    "where": {"field": "licence_type", "values": ["exploration", "mining"]}})

# A licence over the request's north-east corner: the overlap is the box
# 106.602-106.603 x 48.801-48.802 (about 73.5 m x 111.2 m ≈ 8,170 m²).
LIC_BOX = (106.602, 48.801, 106.610, 48.810)
OVERLAP = (106.602, 48.801, E, N)
# What is left of the request: an L-shaped hexagon, its vertices written out by hand.
L_SHAPE = ([W, E, E, 106.602, 106.602, W], [S, S, 48.801, 48.801, N, N])


def test_no_overlap_area_feature_id_and_eligible_part():
    layers = {"licenses": [("licences_test", licences(
        ("MV-000123", LIC_BOX, "mining", "2020-01-01", "2032-11-04")))]}
    report = run(one_request(), NO_LICENCE, layers)
    res = result(report, "no_overlap")
    overlap_m2 = box_m2(*OVERLAP)
    assert 8.0e3 < overlap_m2 < 8.4e3
    assert res.status == "fail"
    [c] = res.conflicts
    assert c.feature_id == "MV-000123"
    assert c.layer == "licences_test"
    assert rel(c.overlap_ha, overlap_m2 / 1e4) < 1e-6
    assert f"MV-000123 ({overlap_m2 / 1e4:.6f} ha)" in res.message_en
    assert "1 overlap(s) with exploration and mining licences" in res.message_en
    assert_filled(res)
    req = request_result(report)
    assert rel(req.eligible_area_ha, ring_m2(*L_SHAPE) / 1e4) < 1e-6
    assert req.eligible_part.symmetric_difference(
        shapely.Polygon(list(zip(*L_SHAPE, strict=True)))).area < 1e-12


@pytest.mark.parametrize("sliver_m2, status", [(10.0, "fail"), (40.0, "pass")])
def test_no_overlap_sliver(sliver_m2, status):
    # The licence reaches 1e-6° (7.3 cm) into the request: 0.0735 m x 222.4 m ≈ 16.3 m².
    west = E - 1e-6
    sliver = box_m2(west, S, E, N)
    assert 15 < sliver < 18
    rs = rule("no_overlap", {"layers": ["licenses"], "sliver_m2": sliver_m2})
    layers = {"licenses": [("licenses", licences(
        ("XV-000001", (west, 48.79, 106.61, 48.81), "exploration", "2020-01-01", "2030-01-01")))]}
    report = run(one_request(), rs, layers)
    res = result(report, "no_overlap")
    assert res.status == status
    if status == "fail":
        assert rel(res.conflicts[0].overlap_ha * 1e4, sliver) < 1e-4
    else:
        assert res.conflicts == []
        assert request_result(report).eligible_area_ha == pytest.approx(
            box_m2(*REQ_BOX) / 1e4, rel=1e-9)


@pytest.mark.parametrize("licence_type, status", [
    ("petroleum", "pass"), ("mining", "fail"), ("exploration", "fail")])
def test_no_overlap_where_filter(licence_type, status):
    layers = {"licenses": [("licenses", licences(
        ("L-1", LIC_BOX, licence_type, "2020-01-01", "2032-01-01")))]}
    assert result(run(one_request(), NO_LICENCE, layers), "no_overlap").status == status


@pytest.mark.parametrize("as_of, status", [
    (AS_OF, "pass"),  # expired the day before: ignored
    (AS_OF - DAY, "fail"),  # on its expiry date it is still in force
])
def test_no_overlap_licence_expiry(as_of, status):
    layers = {"licenses": [("licenses", licences(
        ("MV-000114", LIC_BOX, "mining", "2005-01-01", (AS_OF - DAY).isoformat())))]}
    res = result(run(one_request(), NO_LICENCE, layers, as_of=as_of), "no_overlap")
    assert res.status == status
    if status == "fail":
        assert [c.feature_id for c in res.conflicts] == ["MV-000114"]


def test_no_overlap_several_layers_and_features():
    # Two licence layers (e.g. the cadastre and a newer extract): the corner licence in one, a
    # licence over the south-west corner in the other; the overlaps add up.
    sw_overlap = (W, S, 106.601, 48.8005)
    layers = {"licenses": [
        ("cadastre", licences(("MV-1", LIC_BOX, "mining", "2020-01-01", "2032-01-01"))),
        ("extract", licences(("XV-2", (106.59, 48.79, 106.601, 48.8005), "exploration",
                              "2020-01-01", "2032-01-01"))),
    ]}
    res = result(run(one_request(), NO_LICENCE, layers), "no_overlap")
    assert res.status == "fail"
    got = {c.feature_id: (c.layer, c.overlap_ha) for c in res.conflicts}
    assert set(got) == {"MV-1", "XV-2"}
    assert got["MV-1"][0] == "cadastre" and got["XV-2"][0] == "extract"
    assert rel(got["MV-1"][1], box_m2(*OVERLAP) / 1e4) < 1e-6
    assert rel(got["XV-2"][1], box_m2(*sw_overlap) / 1e4) < 1e-6
    total = (box_m2(*OVERLAP) + box_m2(*sw_overlap)) / 1e4
    assert f"({total:.6f} ha)" in res.message_en


# -- min_distance ------------------------------------------------------------------------------

MID_LAT = (S + N) / 2


def water(kind: str, geoms: list, names: list[str], water_kind: str):
    return {kind: [(kind, gdf([{"name": n, "water_kind": water_kind} for n in names], geoms))]}


def stream_east(metres: float):
    """A north-south stream ``metres`` due east of the request's east edge, reaching well past
    its north and south ends, and the independent distance to it."""
    lon = east_of(E, MID_LAT, metres)
    line = shapely.LineString([(lon, S - 0.01), (lon, N + 0.01)])
    # nearest at the north edge, where a degree of longitude is shortest
    expected = min(dist_m(E, S, lon, S), dist_m(E, N, lon, N))
    return lon, line, expected


def distance_rule(metres, layers=("water_lines", "water_areas", "water_points")):
    return rule("min_distance", {"layers": list(layers), "distance_m": metres})


@pytest.mark.parametrize("rule_m, status", [(50.0, "pass"), (200.0, "fail")])
def test_min_distance_to_a_stream(rule_m, status):
    _, line, expected = stream_east(120.0)
    assert 119.9 < expected < 120.01
    layers = water("water_lines", [line], ["Хужирт горхи"], "stream")
    report = run(one_request(), distance_rule(rule_m), layers)
    res = result(report, "min_distance")
    assert res.status == status
    if status == "fail":
        [c] = res.conflicts
        assert c.feature_id == "Хужирт горхи" and c.layer == "water_lines"
        assert rel(c.distance_m, expected) < 1e-3
        assert "Хужирт горхи" in res.message_en and "Хужирт горхи" in res.message_mn
        assert "under 200 m" in res.message_en
        assert_filled(res)
    else:
        assert res.conflicts == []
        assert request_result(report).eligible_area_ha == pytest.approx(
            box_m2(*REQ_BOX) / 1e4, rel=1e-9)


def test_min_distance_eligible_part_excludes_the_buffer():
    # The stream is 120 m east of the request; a 200 m zone takes the 80 m strip along the
    # request's east edge: by hand 80 m x 222.4 m ≈ 17,790 m², leaving about
    # (220.4 - 80) m x 222.4 m ≈ 31,230 m².
    stream_lon, line, _ = stream_east(120.0)
    cut = east_of(stream_lon, MID_LAT, -200.0)  # 200 m west of the stream
    left = box_m2(W, S, cut, N)
    assert 31_000 < left < 31_500
    strip = box_m2(cut, S, E, N)
    assert 17_600 < strip < 18_000
    layers = water("water_lines", [line], ["Хужирт горхи"], "stream")
    req = request_result(run(one_request(), distance_rule(200.0), layers))
    # the zone edge is a straight offset of the stream, so the remaining part is the box
    # west of ``cut`` to within the local frame's accuracy (better than 0.5 %)
    assert rel(req.eligible_area_ha * 1e4, left) < 5e-3
    assert rel((req.area_ha - req.eligible_area_ha) * 1e4, strip) < 1e-2
    assert req.eligible_part.bounds[2] < E
    assert abs(req.eligible_part.bounds[2] - cut) < 0.005 * (E - W)


def test_min_distance_to_a_spring_point():
    # A spring 100 m due north of the middle of the request's north edge.
    mid_lon = (W + E) / 2
    lon, lat, _ = GEOD.fwd(mid_lon, N, 0.0, 100.0)
    expected = dist_m(mid_lon, N, lon, lat)
    assert expected == pytest.approx(100.0, abs=1e-6)
    layers = water("water_points", [shapely.Point(lon, lat)], ["Булаг"], "spring")
    near = result(run(one_request(), distance_rule(200.0), layers), "min_distance")
    assert near.status == "fail"
    assert rel(near.conflicts[0].distance_m, expected) < 1e-3
    assert f"{expected:.0f}" in near.message_en
    far = result(run(one_request(), distance_rule(50.0), layers), "min_distance")
    assert far.status == "pass"


def test_min_distance_to_a_lake_polygon():
    # A lake whose east shore is 150 m due west of the request's west edge.
    shore = east_of(W, MID_LAT, -150.0)
    lake = shapely.box(shore - 0.004, 48.798, shore, 48.804)
    expected = min(dist_m(shore, S, W, S), dist_m(shore, N, W, N))
    layers = water("water_areas", [lake], ["Хар нуур"], "pond")
    res = result(run(one_request(), distance_rule(200.0), layers), "min_distance")
    assert res.status == "fail"
    assert [c.feature_id for c in res.conflicts] == ["Хар нуур"]
    assert rel(res.conflicts[0].distance_m, expected) < 1e-3
    assert result(run(one_request(), distance_rule(140.0), layers), "min_distance").status \
        == "pass"


def test_min_distance_crossing_stream_is_zero_and_nearest_is_reported():
    crossing = shapely.LineString([(106.6012, 48.79), (106.6012, 48.81)])
    _, east_line, east_m = stream_east(120.0)
    layers = water("water_lines", [east_line, crossing], ["Зүүн горхи", "Дунд горхи"], "stream")
    res = result(run(one_request(), distance_rule(200.0), layers), "min_distance")
    assert res.status == "fail"
    got = {c.feature_id: c.distance_m for c in res.conflicts}
    assert got["Дунд горхи"] == 0.0
    assert rel(got["Зүүн горхи"], east_m) < 1e-3
    assert res.message_en.startswith("0.000 m from")


def test_min_distance_message_names_the_layer_kind():
    # min_distance declares {layer_name} among its placeholders (ruleset.PLACEHOLDERS), so a
    # message using it must get the kind's name, as within and no_overlap messages do.
    _, line, _ = stream_east(120.0)
    rs = distance_rule(200.0, layers=("water_lines",))
    rs["message_en"] = "Too close to {layer_name}: {ids}"
    rs["message_mn"] = "{layer_name}-д ойр: {ids}"
    layers = water("water_lines", [line], ["Хужирт горхи"], "stream")
    res = result(run(one_request(), rs, layers), "min_distance")
    assert res.status == "fail"
    assert res.message_en == "Too close to rivers and streams: Хужирт горхи"
    assert res.message_mn == "Гол, горхи-д ойр: Хужирт горхи"


# -- area --------------------------------------------------------------------------------------

AREA_HA = box_m2(*REQ_BOX) / 1e4  # 4.9017 ha: 220.4 m x 222.4 m by hand ≈ 49,020 m²


@pytest.mark.parametrize("params, status", [
    ({"max_ha": 5.0}, "pass"),
    ({"max_ha": round(AREA_HA + 0.001, 4)}, "pass"),
    ({"max_ha": round(AREA_HA - 0.001, 4)}, "fail"),
    ({"min_ha": round(AREA_HA - 0.001, 4)}, "pass"),
    ({"min_ha": round(AREA_HA + 0.001, 4)}, "fail"),
    ({"min_ha": 1.0, "max_ha": 4.0}, "fail"),
    ({"min_ha": 1.0, "max_ha": 6.0}, "pass"),
])
def test_area_limits(params, status):
    assert 4.90 < AREA_HA < 4.91
    report = run(one_request(), rule("area", params))
    res = result(report, "area")
    assert res.status == status
    assert rel(request_result(report).area_ha, AREA_HA) < 1e-9
    if status == "fail":
        assert res.message_en.startswith(f"{AREA_HA:.6f} ha")
        assert_filled(res)


def test_area_warn_severity():
    report = run(one_request(), rule("area", {"max_ha": 4.0}, severity="warn"))
    assert result(report, "area").status == "warn"
    assert request_result(report).eligible  # a warning does not refuse the request


# -- attribute ---------------------------------------------------------------------------------

MEMBERS = {"field": "members", "op": ">=", "value": 5}


@pytest.mark.parametrize("members, status", [(4, "fail"), (5, "pass"), (12, "pass"),
                                             ("4", "fail"), ("5", "pass")])
def test_attribute_members(members, status):
    res = result(run(one_request(members=members), rule("attribute", MEMBERS)), "attribute")
    assert res.status == status
    if status == "fail":
        assert res.message_en == "members is 4, not >= 5"
        assert_filled(res)


@pytest.mark.parametrize("if_missing", ["fail", "warn", "not_applicable"])
def test_attribute_missing_value(if_missing):
    reqs = requests(("R-1", shapely.box(*REQ_BOX), {"members": None}),
                    ("R-2", shapely.box(106.62, 48.80, 106.623, 48.802), {"members": 7}))
    report = run(reqs, rule("attribute", {**MEMBERS, "if_missing": if_missing}))
    res = result(report, "attribute", "R-1")
    assert res.status == if_missing
    assert_filled(res)
    assert result(report, "attribute", "R-2").status == "pass"


def test_attribute_text_value_with_an_ordering_operator_does_not_crash():
    # members >= "five": either the ruleset is refused when loaded, or the check runs and gives
    # a verdict; it must not raise TypeError (the CLI would report an internal error).
    try:
        rs = ruleset(rule("attribute", {"field": "members", "op": ">=", "value": "five"},
                          message_en="{actual}", message_mn="{actual}"))
    except ValidationError:
        return
    res = result(run(one_request(members=4), rs), "attribute")
    assert res.status in ("pass", "fail", "warn", "not_applicable")


def test_attribute_field_absent_from_the_requests():
    reqs = one_request().drop(columns=["members"])
    res = result(run(reqs, rule("attribute", {**MEMBERS, "if_missing": "not_applicable"})),
                 "attribute")
    assert res.status == "not_applicable"
    assert_filled(res)


# -- rehabilitation_backlog --------------------------------------------------------------------

# Parcels of about 73.5 m x 55.6 m (0.001° x 0.0005°) east of the request.
P_A = (106.620, 48.800, 106.621, 48.8005)  # Алтан Шороо, disturbed
P_B = (106.622, 48.800, 106.6235, 48.8005)  # Алтан Шороо, technical_in_progress
P_C = (106.624, 48.800, 106.626, 48.801)  # Алтан Шороо, accepted: done
P_D = (106.627, 48.800, 106.629, 48.801)  # Шар Тал, disturbed: another partnership


def parcels():
    specs = [("RP-A", P_A, "Алтан Шороо нөхөрлөл", "disturbed"),
             ("RP-B", P_B, "Алтан Шороо нөхөрлөл", "technical_in_progress"),
             ("RP-C", P_C, "Алтан Шороо нөхөрлөл", "accepted"),
             ("RP-D", P_D, "Шар Тал нөхөрлөл", "disturbed")]
    frame = gdf([{"parcel_id": pid, "partnership": who, "status": st} for pid, _, who, st in specs],
                [shapely.box(*b) for _, b, _, _ in specs])
    return {"rehab_parcels": [("rehab_parcels", frame)]}


OUTSTANDING_HA = (box_m2(*P_A) + box_m2(*P_B)) / 1e4  # by hand 0.41 + 0.61 ≈ 1.02 ha


@pytest.mark.parametrize("threshold, status", [
    (round(OUTSTANDING_HA - 0.001, 4), "fail"), (round(OUTSTANDING_HA + 0.001, 4), "pass")])
def test_backlog_sums_outstanding_parcels(threshold, status):
    assert 1.0 < OUTSTANDING_HA < 1.05
    rs = rule("rehabilitation_backlog", {"threshold_ha": threshold})
    res = result(run(one_request(), rs, parcels()), "rehabilitation_backlog")
    assert res.status == status
    if status == "fail":
        assert f"{OUTSTANDING_HA:.6f} ha" in res.message_en
        assert "RP-A" in res.message_en and "RP-B" in res.message_en
        assert "RP-C" not in res.message_en and "RP-D" not in res.message_en
        assert_filled(res)


@pytest.mark.parametrize("applicant", ["  алтан   ШОРОО нөхөрлөл ", "АЛТАН ШОРОО НӨХӨРЛӨЛ"])
def test_backlog_matches_names_ignoring_case_and_spaces(applicant):
    rs = rule("rehabilitation_backlog", {"threshold_ha": 1.0})
    res = result(run(one_request(applicant=applicant), rs, parcels()), "rehabilitation_backlog")
    assert res.status == "fail"
    assert f"{OUTSTANDING_HA:.6f} ha" in res.message_en


def test_backlog_of_another_partnership_is_ignored():
    # Шар Тал has only RP-D (0.0010° x 0.0010°: 147 m x 111 m ≈ 1.63 ha) outstanding
    rs = rule("rehabilitation_backlog", {"threshold_ha": 1.0})
    report = run(requests(
        ("R-1", shapely.box(*REQ_BOX), {"applicant": "Эрдэнэ Булаг нөхөрлөл"}),
        ("R-2", shapely.box(106.63, 48.80, 106.633, 48.802), {"applicant": "Шар Тал нөхөрлөл"})),
        rs, parcels())
    assert result(report, "rehabilitation_backlog", "R-1").status == "pass"
    r2 = result(report, "rehabilitation_backlog", "R-2")
    assert r2.status == "fail"
    assert f"{box_m2(*P_D) / 1e4:.6f} ha (RP-D)" in r2.message_en


def test_backlog_custom_statuses():
    # counting only "disturbed" leaves RP-A alone
    rs = rule("rehabilitation_backlog", {"threshold_ha": 0.1,
                                         "outstanding_statuses": ["disturbed"]})
    res = result(run(one_request(), rs, parcels()), "rehabilitation_backlog")
    assert res.status == "fail"
    assert f"{box_m2(*P_A) / 1e4:.6f} ha (RP-A)" in res.message_en


# -- priority ----------------------------------------------------------------------------------

PRIORITY = rule("priority", {"sliver_m2": 10.0})
# R-2 is shifted north-east: its overlap with R-1 is the box 106.602-106.603 x 48.801-48.802.
R2_BOX = (106.602, 48.801, 106.605, 48.803)
PAIR_OVERLAP_M2 = box_m2(*OVERLAP)


def pair(first: dict, second: dict) -> gpd.GeoDataFrame:
    return requests(("R-1", shapely.box(*REQ_BOX), first), ("R-2", shapely.box(*R2_BOX), second))


def test_priority_later_submission_fails_naming_the_earlier():
    reqs = pair({"submitted_at": "2026-02-03T10:05:00+08:00", "queue_no": 2},
                {"submitted_at": "2026-02-03T14:40:00+08:00", "queue_no": 3})
    report = run(reqs, PRIORITY)
    assert result(report, "priority", "R-1").status == "pass"
    res = result(report, "priority", "R-2")
    assert res.status == "fail"
    [c] = res.conflicts
    assert c.feature_id == "R-1"
    assert rel(c.overlap_ha, PAIR_OVERLAP_M2 / 1e4) < 1e-6
    assert res.message_en == f"1 earlier: R-1 ({PAIR_OVERLAP_M2 / 1e4:.6f} ha)"
    assert_filled(res)
    # the eligible part of R-2 is R-2 without the overlap: an L-shape written out by hand
    left = ([106.603, 106.605, 106.605, 106.602, 106.602, 106.603],
            [48.801, 48.801, 48.803, 48.803, N, N])
    r2 = request_result(report, "R-2")
    assert rel(r2.eligible_area_ha, ring_m2(*left) / 1e4) < 1e-6


def test_priority_tie_is_broken_by_queue_number():
    same = "2026-02-03T10:05:00+08:00"
    report = run(pair({"submitted_at": same, "queue_no": 7}, {"submitted_at": same, "queue_no": 3}),
                 PRIORITY)
    assert result(report, "priority", "R-2").status == "pass"
    res = result(report, "priority", "R-1")
    assert res.status == "fail" and [c.feature_id for c in res.conflicts] == ["R-2"]


@pytest.mark.parametrize("first, second, loser", [
    # naive 09:00 is Mongolian time (01:00 UTC), before 05:00 UTC (13:00 in Ulaanbaatar);
    # read as UTC it would wrongly be after it
    ("2026-02-03T09:00:00", "2026-02-03T05:00:00+00:00", "R-2"),
    # naive 14:00 Mongolian time is 06:00 UTC, after 05:00 UTC
    ("2026-02-03T14:00:00", "2026-02-03T05:00:00+00:00", "R-1"),
    # the same instant written with and without the offset: a tie, which neither wins
    ("2026-02-03T10:00:00", "2026-02-03T10:00:00+08:00", None),
    # "Z" for UTC: 01:30Z is 09:30 in Ulaanbaatar, after a naive 09:15
    ("2026-02-03T09:15:00", "2026-02-03T01:30:00Z", "R-2"),
    # another offset: 2026-02-03T09:00+09:00 is 08:00 in Ulaanbaatar
    ("2026-02-03T08:30:00+08:00", "2026-02-03T09:00:00+09:00", "R-1"),
])
def test_priority_time_zones(first, second, loser):
    # requests not registered yet (imported with their submission times): time decides
    report = run(pair({"submitted_at": first, "queue_no": None},
                      {"submitted_at": second, "queue_no": None}), PRIORITY)
    if loser is None:
        assert {result(report, "priority", r).status for r in ("R-1", "R-2")} == {"pass"}
        return
    winner = "R-2" if loser == "R-1" else "R-1"
    assert result(report, "priority", loser).status == "fail"
    assert result(report, "priority", winner).status == "pass"


def test_priority_between_registered_requests_is_the_queue_alone():
    # issue 7: the queue is the only input once both are registered; here the times say the
    # opposite (as a typed-in time could), and the queue number still decides
    report = run(pair({"submitted_at": "2026-02-03T14:00:00+08:00", "queue_no": 1},
                      {"submitted_at": "2026-02-03T09:00:00+08:00", "queue_no": 2}), PRIORITY)
    assert result(report, "priority", "R-2").status == "fail"
    assert result(report, "priority", "R-1").status == "pass"


def test_priority_without_time_or_queue_is_not_applicable():
    report = run(pair({"submitted_at": None, "queue_no": None},
                      {"submitted_at": "2026-02-03T14:40:00+08:00", "queue_no": 3}), PRIORITY)
    res = result(report, "priority", "R-1")
    assert res.status == "not_applicable"
    assert_filled(res)
    assert result(report, "priority", "R-2").status == "pass"


def test_priority_queue_number_alone_orders():
    report = run(pair({"queue_no": 5}, {"queue_no": 4}), PRIORITY)
    assert result(report, "priority", "R-1").status == "fail"
    assert result(report, "priority", "R-2").status == "pass"


def test_priority_counts_earlier_pending_requests_of_the_workspace():
    # The workspace holds REQ-OLD (earlier, over R-1's north-east corner), REQ-NEW (later, over
    # its south-west corner) and R-1 itself (which must not compete with itself).
    old_box = (106.602, 48.801, 106.605, 48.803)
    new_box = (106.598, 48.799, 106.601, 48.8005)
    ws_requests = gdf(
        [{"request_id": "REQ-OLD", "applicant": "Хужирт Эрдэнэ нөхөрлөл",
          "submitted_at": "2026-01-05T09:00:00+08:00", "queue_no": 1},
         {"request_id": "REQ-NEW", "applicant": "Дархан Ус нөхөрлөл",
          "submitted_at": "2026-03-05T09:00:00+08:00", "queue_no": 9},
         {"request_id": "R-1", "applicant": "Алтан Шороо нөхөрлөл",
          "submitted_at": "2026-02-03T10:05:00+08:00", "queue_no": 4}],
        [shapely.box(*old_box), shapely.box(*new_box), shapely.box(*REQ_BOX)])
    reqs = one_request(submitted_at="2026-02-03T10:05:00+08:00", queue_no=4)
    report = run(reqs, PRIORITY, {"requests": [("pending_requests", ws_requests)]})
    res = result(report, "priority")
    assert res.status == "fail"
    [c] = res.conflicts
    assert (c.feature_id, c.layer) == ("REQ-OLD", "pending_requests")
    assert rel(c.overlap_ha, box_m2(*OVERLAP) / 1e4) < 1e-6


def test_priority_sliver_overlap_is_ignored():
    # R-2 reaches 1e-6° (7 cm) into R-1: about 16 m² (see test_no_overlap_sliver)
    reqs = requests(
        ("R-1", shapely.box(*REQ_BOX), {"submitted_at": "2026-02-03T10:00:00+08:00"}),
        ("R-2", shapely.box(E - 1e-6, S, 106.606, N),
         {"submitted_at": "2026-02-04T10:00:00+08:00"}))
    assert result(run(reqs, rule("priority", {"sliver_m2": 40.0})), "priority", "R-2").status \
        == "pass"
    assert result(run(reqs, rule("priority", {"sliver_m2": 10.0})), "priority", "R-2").status \
        == "fail"


# -- missing layers, messages ------------------------------------------------------------------

def test_rules_whose_layer_is_missing_are_not_applicable():
    rules = [
        rule("within", {"layer": "land_conclusions"}),
        rule("no_overlap", {"layers": ["licenses", "asm_contracts"]}),
        rule("min_distance", {"layers": ["water_lines", "water_points"], "distance_m": 200}),
        rule("rehabilitation_backlog", {"threshold_ha": 2.0}),
        rule("area", {"max_ha": 5.0}),
    ]
    layers = lc_layers(("ДҮ-1", (106.59, 48.79, 106.61, 48.81), "2024-01-01", "2029-01-01",
                        "valid"))
    report = run(one_request(), rules, layers)
    assert result(report, "within").status == "pass"
    assert result(report, "area").status == "pass"
    for rid in ("no_overlap", "min_distance", "rehabilitation_backlog"):
        res = result(report, rid)
        assert res.status == "not_applicable", rid
        assert res.conflicts == []
        assert_filled(res)
        assert res.message_en != res.message_mn
    assert request_result(report).eligible
    notes = " ".join(report.notes)
    for kind in ("licenses", "asm_contracts", "water_lines", "water_points", "rehab_parcels"):
        assert kind in notes


def test_no_layer_at_all_is_an_error():
    with pytest.raises(CheckError):
        run(one_request(), rule("within", {"layer": "land_conclusions"}))


def test_every_message_filled_in_both_languages():
    # one request failing every rule type at once
    _, line, _ = stream_east(30.0)
    layers = {
        **lc_layers(("ДҮ-1", (106.59, 48.79, 106.6015, 48.81), "2024-01-01", "2029-01-01",
                     "valid")),
        "licenses": [("licenses", licences(("MV-1", LIC_BOX, "mining", "2020-01-01",
                                            "2032-01-01")))],
        **water("water_lines", [line], ["Хужирт горхи"], "stream"),
        **parcels(),
    }
    rules = [
        rule("within", {"layer": "land_conclusions"}),
        rule("no_overlap", {"layers": ["licenses"]}),
        rule("min_distance", {"layers": ["water_lines"], "distance_m": 50}),
        rule("area", {"max_ha": 4.0}),
        rule("attribute", MEMBERS),
        rule("rehabilitation_backlog", {"threshold_ha": 0.5}),
        rule("priority", {}),
    ]
    reqs = pair({"submitted_at": "2026-02-04T10:00:00+08:00", "members": 3},
                {"submitted_at": "2026-02-03T10:00:00+08:00"})
    report = run(reqs, rules, layers)
    r1 = request_result(report, "R-1")
    assert {x.rule: x.status for x in r1.results} == {x["id"]: "fail" for x in rules}
    for x in r1.results:
        assert_filled(x)
        assert x.message_en != x.message_mn
    for r in report.requests:
        for x in r.results:
            assert_filled(x)
            j = x.to_json()
            assert j["status"] in ("pass", "fail", "warn", "not_applicable")


def test_list_parameters_in_messages_are_not_split_between_languages():
    # {outstanding_statuses} is a parameter of the rule, so messages may use it. It is a list of
    # two statuses; both must appear in each language (not the first in English and the second
    # in Mongolian, as a (en, mn) pair would be).
    rs = rule("rehabilitation_backlog", {"threshold_ha": 0.5},
              message_en="{applicant}: {outstanding_ha:.2f} ha in {outstanding_statuses}",
              message_mn="{applicant}: {outstanding_ha:.2f} га ({outstanding_statuses})")
    res = result(run(one_request(), rs, parcels()), "rehabilitation_backlog")
    assert res.status == "fail"
    for text in (res.message_en, res.message_mn):
        assert "disturbed" in text and "technical_in_progress" in text, text


def test_feature_without_an_id_gets_a_readable_name():
    # A stream with no name: its conflict must still say where it comes from (layer and row),
    # never the text "nan" or "None".
    _, line, _ = stream_east(30.0)
    layers = {"water_lines": [("streams", gdf([{"name": None, "water_kind": "stream"}], [line]))]}
    res = result(run(one_request(), distance_rule(50.0, layers=("water_lines",)), layers),
                 "min_distance")
    assert res.status == "fail"
    [c] = res.conflicts
    assert c.feature_id not in ("nan", "None", "")
    assert "streams" in c.feature_id
    assert "nan" not in res.message_en


# --- review findings: filters, warnings and incomplete checks -------------------------------

def test_a_licence_with_no_type_is_not_hidden_by_the_type_filter():
    # An MV- licence over the request's corner whose licence_type is blank: the rule must see
    # it (a missing value must not make a valid licence disappear from the check).
    for blank in (None, ""):
        layers = {"licenses": [("licenses", licences(
            ("MV-1", LIC_BOX, blank, "2020-01-01", "2032-01-01")))]}
        res = result(run(one_request(), NO_LICENCE, layers), "no_overlap")
        assert res.status == "fail" and [c.feature_id for c in res.conflicts] == ["MV-1"]


def test_a_rule_that_only_warns_does_not_cut_the_eligible_part():
    # The same 200 m zone as above, as a warning: reported, but the eligible part stays the
    # whole request (its geodesic area by hand: box_m2 of the request).
    _, line, _ = stream_east(120.0)
    layers = water("water_lines", [line], ["Хужирт горхи"], "stream")
    warn = rule("min_distance", {"layers": ["water_lines"], "distance_m": 200.0},
                severity="warn")
    report = run(one_request(), warn, layers)
    res, req = result(report, "min_distance"), request_result(report)
    assert res.status == "warn" and len(res.conflicts) == 1
    assert req.eligible and req.eligible_area_ha == pytest.approx(
        box_m2(*REQ_BOX) / 1e4, rel=1e-9)


def test_a_warning_overlap_does_not_cut_either():
    layers = {"licenses": [("licenses", licences(
        ("MV-1", LIC_BOX, "mining", "2020-01-01", "2032-01-01")))]}
    warn = rule("no_overlap", {"layers": ["licenses"], "sliver_m2": 10.0}, severity="warn")
    req = request_result(run(one_request(), warn, layers))
    assert req.eligible_area_ha == pytest.approx(box_m2(*REQ_BOX) / 1e4, rel=1e-9)


def test_rules_that_could_not_run_make_the_verdict_incomplete():
    # licences present, land conclusions absent: the within rule cannot run
    layers = {"licenses": [("licenses", licences(
        ("MV-1", (106.7, 48.9, 106.71, 48.91), "mining", "2020-01-01", "2032-01-01")))]}
    within = rule("within", {"layer": "land_conclusions"}, rid="inside")
    report = run(one_request(), [NO_LICENCE, within], layers)
    req = request_result(report)
    assert req.eligible and req.not_checked == ["inside"]
    data = req.to_json()
    assert data["incomplete"] is True and data["not_checked"] == ["inside"]
    checked = {r["rule"]: r["checked"] for r in data["results"]}
    assert checked == {"no_overlap": True, "inside": False}
