"""GPX in and out (issue 17): corners written for a handheld receiver and read back, walked
tracks read as simplified polygons with their times, and bad GPX files refused cleanly.

Expected areas come from pyproj Geod on the corners themselves, distances from a UTM projection
made here; GPX files written by landtool are parsed with gpxpy and the system's ogrinfo."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import gpxpy
import numpy as np
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Geod, Transformer
from system_tools import program

from landtool.cli import main
from landtool.geodesy import area_ha
from landtool.io.corners import read_corner_list, write_corner_list
from landtool.io.formats import SUFFIX_FORMATS, write_vector
from landtool.io.load import load_layer

GEOD = Geod(ellps="WGS84")
NS = "{http://www.topografix.com/GPX/1/1}"
T0 = datetime(2026, 6, 1, 3, 0, 0, tzinfo=UTC)
#: A UTM zone 48N frame for distances in the tests (not the reader's own projection).
TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32648", always_xy=True)


pytestmark = pytest.mark.usefixtures("own_home")  # the CLI writes under ~


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def geod_m2(poly) -> float:
    x, y = poly.exterior.coords.xy
    return abs(GEOD.polygon_area_perimeter(list(x), list(y))[0])


def gpx(body: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="test" '
            f'xmlns="http://www.topografix.com/GPX/1/1">\n{body}\n</gpx>\n')


def wpt(lon, lat, name=None, time=None, ele=1350.0) -> str:
    inner = f"<ele>{ele}</ele>"
    inner += f"<time>{time:%Y-%m-%dT%H:%M:%SZ}</time>" if time else ""
    inner += f"<name>{name}</name>" if name is not None else ""
    return f'<wpt lat="{lat:.9f}" lon="{lon:.9f}">{inner}</wpt>'


def track(lonlat, times=None, name="ACTIVE LOG") -> str:
    pts = "".join(
        f'<trkpt lat="{y:.9f}" lon="{x:.9f}"><ele>{1350 + i % 7}</ele>'
        + (f"<time>{times[i]:%Y-%m-%dT%H:%M:%SZ}</time>" if times else "") + "</trkpt>"
        for i, (x, y) in enumerate(lonlat))
    return f"<trk><name>{name}</name><trkseg>{pts}</trkseg></trk>"


#: A square of about 100 m at the middle of REQ-2026-007 of the sample workspace.
SQUARE = [(106.5890, 48.6791), (106.5903, 48.6791), (106.5903, 48.6800), (106.5890, 48.6800)]


@pytest.fixture(scope="module")
def held(sample_ws, tmp_path_factory):
    """The held corner list: REQ-2026-007 written as an MRPAM corner list and read back."""
    reqs = pyogrio.read_dataframe(sample_ws, layer="requests")
    path = tmp_path_factory.mktemp("held") / "held.txt"
    write_corner_list(reqs[reqs["request_id"] == "REQ-2026-007"], path, name_field="request_id")
    return read_corner_list(path)


# -- (1) the held corner list through GPX and back --------------------------------------------

@pytest.mark.parametrize("part", ["waypoints", "routes", None])
def test_held_corner_list_reads_back_to_the_same_polygon(held, tmp_path, part):
    out = tmp_path / "held.gpx"
    write_vector(held, out)
    layer = load_layer(out, "requests", source_layer=part, require_fields=False)
    [back] = shapely.get_parts(layer.gdf.geometry.iloc[0])
    [poly] = held.geometry
    assert layer.gdf["request_id"].iloc[0] == "REQ-2026-007"
    np.testing.assert_allclose(np.asarray(back.exterior.coords),
                               np.asarray(poly.exterior.coords), atol=1e-7, rtol=0)
    # the GPX keeps 8 decimals (about 1 mm): the area of the corners within 1e-5
    assert area_ha(back) * 1e4 == pytest.approx(geod_m2(poly), rel=1e-5)
    assert any("joined in the order of the numbers" in str(p) or "route's order" in str(p)
               for p in layer.problems)


# -- (2) what landtool writes: gpxpy, ogrinfo, GPX 1.1 order ----------------------------------

def test_written_gpx_parses_with_gpxpy_one_waypoint_per_corner(held, tmp_path):
    out = tmp_path / "held.gpx"
    write_vector(held, out)
    doc = gpxpy.parse(out.read_text(encoding="utf-8"))
    corners = list(held.geometry.iloc[0].exterior.coords)[:-1]
    assert doc.version == "1.1"
    assert [w.name for w in doc.waypoints] == [str(i) for i in range(1, len(corners) + 1)]
    assert all(w.description == "REQ-2026-007" for w in doc.waypoints)
    for w, (x, y) in zip(doc.waypoints, corners, strict=True):
        assert (w.longitude, w.latitude) == pytest.approx((x, y), abs=1e-8)
    [route] = doc.routes
    assert route.name == "REQ-2026-007"
    assert [(p.name, p.longitude, p.latitude) for p in route.points] == \
        [(w.name, w.longitude, w.latitude) for w in doc.waypoints]
    assert not doc.tracks
    text = out.read_text(encoding="utf-8")
    assert all(len(d) >= 7 for d in re.findall(r'l(?:at|on)="\d+\.(\d+)"', text))
    # the element order of the GPX 1.1 schema (gpx.xsd: gpxType, metadataType, wptType, rteType)
    root = ET.parse(out).getroot()
    assert root.tag == f"{NS}gpx" and root.get("version") == "1.1" and root.get("creator")

    def tags(el):
        return [child.tag.removeprefix(NS) for child in el]

    assert tags(root) == ["metadata", *["wpt"] * len(corners), "rte"]
    assert tags(root.find(f"{NS}metadata")) == ["name", "desc", "bounds"]
    assert all(tags(w) == ["name", "desc"] for w in root.iter(f"{NS}wpt"))
    assert tags(root.find(f"{NS}rte")) == ["name", "desc", *["rtept"] * len(corners)]


def test_written_gpx_opens_in_the_system_gdal(held, tmp_path):
    out = tmp_path / "held.gpx"
    write_vector(held, out)
    info = subprocess.run([program("ogrinfo"), "-ro", "-al", "-so", str(out)],
                          capture_output=True, text=True, check=True).stdout
    assert "using driver `GPX' successful" in info
    counts = dict(re.findall(r"Layer name: (\w+)\n(?:.*\n)*?Feature Count: (\d+)", info))
    assert counts["waypoints"] == str(len(held.geometry.iloc[0].exterior.coords) - 1)
    assert counts["routes"] == "1"


def test_several_polygons_get_waypoint_names_of_their_own(sample_ws, tmp_path):
    out = tmp_path / "all.gpx"
    reqs = pyogrio.read_dataframe(sample_ws, layer="requests")
    write_vector(reqs, out)
    doc = gpxpy.parse(out.read_text(encoding="utf-8"))
    names = [w.name for w in doc.waypoints]
    assert len(names) == len(set(names))  # a receiver replaces a waypoint of the same name
    assert names[0] == "REQ-2026-001 1"
    assert len(doc.routes) == 15
    # read back from the waypoints alone: grouped by their names' prefix
    layer = load_layer(out, "requests", source_layer="waypoints", require_fields=False)
    assert sorted(layer.gdf["request_id"]) == sorted(reqs["request_id"])


def test_numbered_waypoints_are_joined_in_the_order_of_their_numbers(tmp_path):
    order = [2, 0, 3, 1]  # in the file: C3, 1, Corner 4, 2
    labels = ["1", "2", "C3", "Corner 4"]
    path = tmp_path / "shuffled.gpx"
    path.write_text(gpx("\n".join(wpt(*SQUARE[i], labels[i], T0 + timedelta(minutes=i))
                                  for i in order)), encoding="utf-8")
    layer = load_layer(path, "requests", require_fields=False)
    [poly] = shapely.get_parts(layer.gdf.geometry.iloc[0])
    np.testing.assert_allclose(np.asarray(poly.exterior.coords)[:-1], SQUARE, atol=1e-9)
    assert any("in the order of the numbers in their names" in str(p) for p in layer.problems)
    assert layer.gdf["gps_time_start"].iloc[0] == "2026-06-01T03:00:00Z"
    assert layer.gdf["gps_time_end"].iloc[0] == "2026-06-01T03:03:00Z"


def test_waypoints_read_as_points_keep_their_times(tmp_path):
    path = tmp_path / "springs.gpx"
    path.write_text(gpx(wpt(*SQUARE[0], "Булаг", T0)), encoding="utf-8")
    layer = load_layer(path, "water_points", require_fields=False)
    assert layer.gdf["gps_time"].tolist() == ["2026-06-01T03:00:00Z"]
    assert not shapely.has_z(layer.gdf.geometry.values).any()


# -- (3) a walked track -----------------------------------------------------------------------

def walked(step_m=1.5, jitter_m=0.4, stop_short_m=6.0, seed=17):
    """A walk round a 180 m × 120 m rectangle (UTM 48N), with GPS jitter, ending short of the
    start; returns the lon/lat points, their times and the rectangle's corners in UTM."""
    x0, y0 = TO_UTM.transform(106.5890, 48.6791)
    corners = np.array([(x0, y0), (x0 + 180, y0), (x0 + 180, y0 + 120), (x0, y0 + 120)])
    ring = np.vstack([corners, corners[:1]])
    line = shapely.LineString(ring)
    dist = np.arange(0, line.length - stop_short_m, step_m)
    pts = np.array([line.interpolate(d).coords[0] for d in dist])
    pts += np.random.default_rng(seed).uniform(-jitter_m, jitter_m, pts.shape)
    lon, lat = TO_UTM.transform(pts[:, 0], pts[:, 1], direction="INVERSE")
    times = [T0 + timedelta(seconds=2 * i) for i in range(len(pts))]
    return np.column_stack([lon, lat]), times, corners


def test_a_walked_track_reads_as_a_closed_simplified_polygon(tmp_path):
    lonlat, times, corners = walked()
    path = tmp_path / "walk.gpx"
    path.write_text(gpx(track(lonlat, times)), encoding="utf-8")
    layer = load_layer(path, "requests", require_fields=False)
    [poly] = shapely.get_parts(layer.gdf.geometry.iloc[0])
    assert poly.is_valid and poly.exterior.is_closed
    n = len(poly.exterior.coords) - 1
    assert 4 <= n <= 8, n
    # every walked point lies within the tolerance (2 m) of the polygon's boundary
    ux, uy = TO_UTM.transform(*np.asarray(poly.exterior.coords).T)
    boundary = shapely.LinearRing(np.column_stack([ux, uy]))
    walked_utm = np.column_stack(TO_UTM.transform(lonlat[:, 0], lonlat[:, 1]))
    dist = shapely.distance(boundary, shapely.points(walked_utm))
    assert dist.max() <= 2.0 + 1e-6
    assert geod_m2(poly) == pytest.approx(180 * 120, rel=0.02)
    row = layer.gdf.iloc[0]
    assert row["request_id"] == "ACTIVE LOG"
    assert row["gps_time_start"] == f"{times[0]:%Y-%m-%dT%H:%M:%SZ}"
    assert row["gps_time_end"] == f"{times[-1]:%Y-%m-%dT%H:%M:%SZ}"
    note = next(str(p) for p in layer.problems if "simplified" in str(p))
    assert "tolerance of 2 m" in note
    assert f"{len(lonlat) - n} points dropped" in note
    assert "closed with a straight line" in note


def test_the_tolerance_is_a_parameter_of_the_command(tmp_path):
    lonlat, times, _ = walked()
    path = tmp_path / "walk.gpx"
    path.write_text(gpx(track(lonlat, times)), encoding="utf-8")
    finer = invoke("area", path, "--kind", "water_areas", "--gpx-tolerance", "0.5")
    coarser = invoke("area", path, "--kind", "water_areas")
    assert finer.exit_code == coarser.exit_code == 0, finer.output + coarser.output
    assert "tolerance of 0.5 m" in finer.output and "tolerance of 2 m" in coarser.output
    kept = [int(re.search(r"(\d+) corners kept", r.output)[1]) for r in (finer, coarser)]
    assert kept[0] > kept[1]


def test_two_tracks_are_two_polygons(tmp_path):
    a, ta, _ = walked(seed=1)
    b = a + [0.01, 0]
    path = tmp_path / "two.gpx"
    path.write_text(gpx(track(a, ta, "A") + track(b, ta, "B")), encoding="utf-8")
    layer = load_layer(path, "requests", require_fields=False)
    assert layer.gdf["request_id"].tolist() == ["A", "B"]


def test_a_track_without_points_is_left_out_with_a_note(tmp_path):
    a, ta, _ = walked()
    path = tmp_path / "garmin.gpx"
    path.write_text(gpx("<trk><name>EMPTY</name></trk>" + track(a, ta, "WALK")), encoding="utf-8")
    layer = load_layer(path, "requests", require_fields=False)
    assert layer.gdf["request_id"].tolist() == ["WALK"]  # names follow their own points
    assert layer.gdf["gps_time_start"].iloc[0] == f"{ta[0]:%Y-%m-%dT%H:%M:%SZ}"
    assert any("track 1 (EMPTY) has no points: left out" in str(p) for p in layer.problems)


def test_a_waypoint_beside_a_track_does_not_hide_it(tmp_path):
    a, ta, _ = walked()
    path = tmp_path / "start.gpx"
    path.write_text(gpx(wpt(*a[0], "START", ta[0]) + track(a, ta, "WALK")), encoding="utf-8")
    layer = load_layer(path, "requests", require_fields=False)
    assert layer.gdf["request_id"].tolist() == ["WALK"]
    assert any("left out its 1 waypoints" in str(p) for p in layer.problems)


# -- (4) the commands -------------------------------------------------------------------------

def test_check_reads_a_gpx_and_convert_writes_one(sample_ws, tmp_path):
    out = tmp_path / "requests.gpx"
    result = invoke("convert", sample_ws, out, "--kind", "requests", "--source-layer",
                    "requests")
    assert result.exit_code == 0, result.output
    assert len(gpxpy.parse(out.read_text(encoding="utf-8")).routes) == 15
    result = invoke("check", out, "--workspace", sample_ws, "--as-of", "2026-11-23")
    assert result.exit_code == 0, result.output
    assert "REQ-2026-007" in result.output
    result = invoke("area", out, "--kind", "requests", "--map", "applicant=gpx_source")
    assert result.exit_code == 0, result.output
    assert "REQ-2026-015" in result.output


# -- (5) bad input ----------------------------------------------------------------------------

def _bowtie():
    a, b, c, d = SQUARE
    return gpx("\n".join(wpt(*p, n) for p, n in [(a, "camp"), (b, "x"), (d, "y"), (c, "z")]))


def _crossing_track():
    # a figure eight: round the square, then back across it
    x0, y0 = TO_UTM.transform(*SQUARE[0])
    path = [(0, 0), (100, 0), (100, 100), (0, 100), (0, 50), (150, 50), (150, -30), (10, -30)]
    line = shapely.LineString([(x0 + x, y0 + y) for x, y in path])
    pts = np.array([line.interpolate(d).coords[0] for d in np.arange(0, line.length, 3.0)])
    lon, lat = TO_UTM.transform(pts[:, 0], pts[:, 1], direction="INVERSE")
    return gpx(track(np.column_stack([lon, lat]),
                     [T0 + timedelta(seconds=3 * i) for i in range(len(pts))]))


BAD = {
    "one waypoint": (gpx(wpt(*SQUARE[0], "1")), "1 distinct corner; a polygon needs at least 3"),
    "two waypoints": (gpx(wpt(*SQUARE[0], "1") + wpt(*SQUARE[1], "2")),
                      "2 distinct corners; a polygon needs at least 3"),
    "bow-tie": (_bowtie(), "the corners cross"),
    "crossing track": (_crossing_track(), "crosses itself near"),
    "no features": (gpx(""), "holds no waypoints, routes or tracks"),
    "cut short": (gpx("\n".join(wpt(*p, str(i)) for i, p in enumerate(SQUARE, 1)))[:-40],
                  "cut short"),
    "not xml": ("this is not a GPX file\n", "cannot read this GPX file"),
    "outside Mongolia": (gpx("\n".join(wpt(x - 20, y, str(i))
                                        for i, (x, y) in enumerate(SQUARE, 1))),
                         "outside Mongolia"),
    "a number twice": (gpx("\n".join(wpt(*p, n) for p, n in zip(SQUARE, "1232", strict=True))),
                       "corner 2 is given twice"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_gpx_is_refused_cleanly_and_nothing_is_written(case, sample_ws, tmp_path):
    text, message = BAD[case]
    path = tmp_path / "bad.gpx"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out.gpkg"
    for args in (("convert", path, out, "--kind", "requests", "--map", "applicant=gpx_source"),
                 ("check", path, "--workspace", sample_ws, "--json", tmp_path / "c.json")):
        result = invoke(*args)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert str(path) in result.output
        assert message in result.output, result.output
        assert "What to do:" in result.output
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "home") == ["bad.gpx"]


def test_bow_tie_message_suggests_numbering_the_waypoints(tmp_path):
    path = tmp_path / "bowtie.gpx"
    path.write_text(_bowtie(), encoding="utf-8")
    result = invoke("convert", path, tmp_path / "o.gpkg", "--kind", "requests")
    assert "name the waypoints by corner number" in result.output
    assert "the edges x-y and z-camp cross near 106.58965" in result.output


def test_a_crossing_track_names_the_place_and_the_points(tmp_path):
    path = tmp_path / "eight.gpx"
    path.write_text(_crossing_track(), encoding="utf-8")
    result = invoke("convert", path, tmp_path / "o.gpkg", "--kind", "requests")
    assert result.exit_code == 2
    assert re.search(r"near 106\.\d{6}, 48\.\d{6} \(between its points \d+ \(2026-06-01T",
                     result.output), result.output
    assert "track 1 (ACTIVE LOG)" in result.output


def test_writing_a_point_layer_as_gpx_is_refused(tmp_path):
    import geopandas as gpd

    pts = gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.Point(SQUARE[0])], crs=4326)
    out = tmp_path / "p.gpx"
    with pytest.raises(Exception, match="needs polygons"):
        write_vector(pts, out)
    assert not out.exists()


# -- the app ----------------------------------------------------------------------------------

def test_the_apps_import_filter_offers_every_format_read():
    # the filter is a string of gui/i18n.py, not built from the registry: keep them equal
    from gui.i18n import Lang, tr

    for lang in Lang:
        text = tr("dialog.import_filter", lang)
        assert {s for s in SUFFIX_FORMATS if f"*{s}" not in text} == set(), lang


def test_the_app_imports_a_walked_track(sample_ws, tmp_path):
    # the window's import goes through these two functions (gui/workspace_loader.py)
    pytest.importorskip("PySide6")
    from gui.workspace_loader import import_layer, inspect_file

    lonlat, times, _ = walked()
    path = tmp_path / "walk.gpx"
    path.write_text(gpx(track(lonlat, times)), encoding="utf-8")
    summary = inspect_file(path)
    assert summary.geometry == "polygon" and summary.count == 1
    assert {"gps_time_start", "gps_time_end"} <= set(summary.columns)
    ws = tmp_path / "ws.gpkg"
    shutil.copy(sample_ws, ws)
    imported = import_layer(ws, path, "water_areas", "walked", graphics=False)
    assert len(imported.gdf) == 1
    assert any("tolerance of 2 m" in line for line in imported.report)
