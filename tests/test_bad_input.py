"""Bad input files: each is refused (or repaired) with one message naming the file, the feature
where there is one, and what to do; the CLI exits 2 without a traceback and writes nothing."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile

import geopandas as gpd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Geod

from landtool.cli import main
from landtool.errors import EmptyLayerError, LandtoolError, LayerLoadError
from landtool.io.load import load_layer
from landtool.paths import sample_data_dir

REAL = sample_data_dir() / "real"
SQUARE = shapely.box(106.20, 48.20, 106.21, 48.21)


def requests_gdf(geoms=(SQUARE,), ids=("R-1",)) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"request_id": list(ids), "applicant": ["Altan Shoroo"] * len(ids)},
                            geometry=list(geoms), crs="EPSG:4326")


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_clean_failure(result, path, feature=None):
    """Exit 2, one error message naming the file (and the feature), a hint, no traceback."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.output.count("error:") == 1, result.output
    assert str(path) in result.output
    assert "What to do:" in result.output
    if feature is not None:
        assert f"feature {feature}" in result.output


# -- empty, corrupt and unreadable files -----------------------------------------------------

@pytest.mark.parametrize("suffix", [".gpkg", ".shp", ".geojson", ".kml", ".kmz", ".csv", ".zip"])
def test_zero_byte_file(tmp_path, suffix):
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    with pytest.raises(EmptyLayerError, match=r"empty \(0 bytes\)") as err:
        load_layer(path, "requests")
    assert err.value.path == path and err.value.hint


def test_geopackage_layer_with_no_features(tmp_path):
    path = tmp_path / "none.gpkg"
    pyogrio.write_dataframe(requests_gdf().iloc[:0], path)
    assert pyogrio.read_info(path)["features"] == 0
    with pytest.raises(EmptyLayerError, match="holds no features"):
        load_layer(path, "requests")


def test_geojson_with_no_features(tmp_path):
    path = tmp_path / "none.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(EmptyLayerError, match="holds no features"):
        load_layer(path, "requests")


def test_csv_with_header_only(tmp_path):
    path = tmp_path / "none.csv"
    path.write_text("request_id,applicant,wkt\n")
    with pytest.raises(EmptyLayerError, match="no rows"):
        load_layer(path, "requests", crs="EPSG:4326")


def test_features_without_geometry_only(tmp_path):
    path = tmp_path / "attrs.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"request_id": "R-1", "applicant": "A"},
         "geometry": None}]}))
    with pytest.raises(EmptyLayerError, match="no feature has a geometry"):
        load_layer(path, "requests")


def test_feature_without_geometry_is_dropped_and_reported(tmp_path):
    path = tmp_path / "some.geojson"
    gdf = requests_gdf([SQUARE, None], ["R-1", "R-2"])
    gdf.to_file(path)
    layer = load_layer(path, "requests")
    assert list(layer.gdf["request_id"]) == ["R-1"]
    assert [(p.feature, p.what) for p in layer.problems] == [("R-2", "dropped")]


@pytest.mark.parametrize("suffix", [".gpkg", ".shp", ".geojson", ".kml", ".kmz", ".zip"])
def test_garbage_bytes(tmp_path, suffix):
    path = tmp_path / f"garbage{suffix}"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(LayerLoadError, match="corrupt") as err:
        load_layer(path, "requests")
    assert err.value.path == path and err.value.hint


def test_truncated_geopackage(tmp_path):
    good = tmp_path / "good.gpkg"
    pyogrio.write_dataframe(requests_gdf(), good)
    path = tmp_path / "cut.gpkg"
    path.write_bytes(good.read_bytes()[:1000])
    with pytest.raises(LayerLoadError, match="corrupt"):
        load_layer(path, "requests")


def _zipped(tmp_path):
    pyogrio.write_dataframe(requests_gdf(), tmp_path / "req.shp")
    path = tmp_path / "req.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for ext in ("shp", "shx", "dbf", "prj"):
            zf.write(tmp_path / f"req.{ext}", f"req.{ext}")
    return path


def test_truncated_zip(tmp_path):
    path = _zipped(tmp_path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(LayerLoadError, match="corrupt or truncated"):
        load_layer(path, "requests")


def test_zip_without_shapefile(tmp_path):
    path = tmp_path / "docs.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "the shapefile is on the other disk")
    with pytest.raises(LayerLoadError, match="no .shp") as err:
        load_layer(path, "requests")
    assert ".dbf" in err.value.hint


@pytest.mark.parametrize("name, message", [
    ("missing.gpkg", "does not exist"),
    ("folder.gpkg", "folder"),
    ("drawing.dwg", "unknown file type"),
])
def test_missing_folder_or_unknown_type(tmp_path, name, message):
    (tmp_path / "folder.gpkg").mkdir()
    (tmp_path / "drawing.dwg").write_bytes(b"AC1032")
    with pytest.raises(LayerLoadError, match=message):
        load_layer(tmp_path / name, "requests")


def test_csv_with_bad_wkt_names_the_row(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text('request_id,applicant,wkt\nR-1,A,"POLYGON ((106.2 48.2, 106.21 48.2, '
                    '106.21 48.21, 106.2 48.2))"\nR-2,B,"POLYGON ((106.3 48.3, 106.31"\n')
    with pytest.raises(LayerLoadError, match="valid WKT") as err:
        load_layer(path, "requests", crs="EPSG:4326")
    assert err.value.feature == "row 3"  # line 3 of the file (line 1 is the header)


def test_csv_with_an_empty_wkt_cell_names_the_row(tmp_path):
    path = tmp_path / "gap.csv"
    path.write_text('request_id,applicant,wkt\nR-1,A,"POLYGON ((106.2 48.2, 106.21 48.2, '
                    '106.21 48.21, 106.2 48.2))"\nR-2,B,\n')
    with pytest.raises(LayerLoadError, match="row 3 has no geometry: its wkt cell is empty") as e:
        load_layer(path, "requests", crs="EPSG:4326")
    assert e.value.feature == "row 3" and e.value.hint
    assert_clean_failure(invoke("area", path, "--kind", "requests", "--crs", "EPSG:4326"),
                         path, "row 3")


@pytest.mark.parametrize("row, missing", [("S2,,48.81", "longitude"), ("S2,106.61,", "latitude"),
                                          ("S2, ,", "longitude or latitude")])
def test_csv_with_an_empty_coordinate_names_the_row(tmp_path, row, missing):
    path = tmp_path / "points.csv"
    path.write_text(f"name,lon,lat\nS1,106.60,48.80\n{row}\n")
    with pytest.raises(LayerLoadError, match=f"row 3 has no {missing}") as e:
        load_layer(path, "settlements")
    assert e.value.feature == "row 3"
    result = invoke("area", path, "--kind", "settlements")
    assert_clean_failure(result, path, "row 3")
    assert "nan" not in result.output and "unexpected character" not in result.output


def test_polygonal_takes_the_polygons_of_any_geometry():
    from landtool.validate import polygonal

    a, b = shapely.box(106.0, 48.0, 106.1, 48.1), shapely.box(106.2, 48.0, 106.3, 48.1)
    line = shapely.LineString([(106.0, 48.0), (107.0, 49.0)])
    assert polygonal(a) is a and polygonal(shapely.MultiPolygon([a, b])).equals(
        shapely.MultiPolygon([a, b]))
    nested = shapely.GeometryCollection([line, shapely.GeometryCollection(
        [shapely.MultiPolygon([a]), shapely.Point(106.5, 48.5)]), b])
    got = polygonal(nested)
    assert got.geom_type == "MultiPolygon" and got.equals(shapely.MultiPolygon([a, b]))
    for nothing in (None, shapely.Polygon(), line, shapely.GeometryCollection([line]),
                    shapely.MultiPoint([(1, 1), (2, 2)])):
        assert polygonal(nothing) is None


def test_csv_without_geometry_columns(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("request_id,applicant\nR-1,A\n")
    with pytest.raises(LayerLoadError, match="no geometry") as err:
        load_layer(path, "requests")
    assert "request_id, applicant" in err.value.hint


# -- geometries ------------------------------------------------------------------------------

def test_points_given_as_licences(tmp_path):
    path = tmp_path / "points.geojson"
    gpd.GeoDataFrame({"licence_code": ["MV-1", "MV-2"]},
                     geometry=[SQUARE, shapely.Point(106.3, 48.3)], crs=4326).to_file(path)
    with pytest.raises(LayerLoadError, match="are polygons, but this feature is a Point") as err:
        load_layer(path, "licenses")
    assert err.value.feature == "MV-2" and "--kind" in err.value.hint


def test_bow_tie_is_repaired_and_reported(tmp_path):
    # A bow tie crossing itself at (106.05, 48.05): two triangles meeting at that point.
    bow = shapely.Polygon([(106.0, 48.0), (106.1, 48.1), (106.1, 48.0), (106.0, 48.1)])
    assert not bow.is_valid
    path = tmp_path / "bow.gpkg"
    pyogrio.write_dataframe(requests_gdf([SQUARE, bow], ["R-1", "R-BOW"]), path)
    layer = load_layer(path, "requests")
    assert [(p.feature, p.what) for p in layer.problems] == [("R-BOW", "repaired")]
    assert "R-BOW" in str(layer.problems[0])
    fixed = layer.gdf.geometry.iloc[1]
    assert fixed.is_valid and fixed.geom_type == "MultiPolygon"
    # Its area is that of the two triangles, each geodesic (pyproj Geod).
    geod = Geod(ellps="WGS84")
    left = [(106.0, 48.0), (106.05, 48.05), (106.0, 48.1)]
    right = [(106.1, 48.0), (106.1, 48.1), (106.05, 48.05)]
    want = sum(abs(geod.polygon_area_perimeter(*zip(*t, strict=True))[0]) for t in (left, right))
    got = abs(geod.geometry_area_perimeter(fixed)[0])
    assert got == pytest.approx(want, rel=1e-9)


def test_licence_invalid_only_when_projected_is_noted(tmp_path):
    # MV-00017425 (real EITI data) is valid in degrees but self-intersects once projected.
    # Only that licence is read from the national file (fast, so not marked slow).
    gdf = pyogrio.read_dataframe(REAL / "licenses_eiti.gpkg",
                                 where="licence_code = 'MV-00017425'")
    assert len(gdf) == 1 and gdf.geometry.iloc[0].is_valid
    assert not gdf.to_crs("EPSG:32649").geometry.iloc[0].is_valid  # independent check
    path = tmp_path / "mv.gpkg"
    pyogrio.write_dataframe(gdf, path)
    layer = load_layer(path, "licenses")
    notes = [p for p in layer.problems if p.what == "note"]
    assert [p.feature for p in notes] == ["MV-00017425"]
    assert notes[0].message == ("valid in degrees, but invalid once projected to a metric CRS "
                                "(as in a GIS); landtool repairs it after every projection it "
                                "makes")
    result = invoke("area", path, "--kind", "licenses")
    assert result.exit_code == 0 and "MV-00017425" in result.output and "[note]" in result.output


# -- the CLI: clear message, exit 2, nothing half-written -----------------------------------

def _garbage(tmp_path):
    path = tmp_path / "garbage.gpkg"
    path.write_bytes(os.urandom(2048))
    return path, None


def _points_as_requests(tmp_path):
    path = tmp_path / "points.geojson"
    requests_gdf([SQUARE, shapely.Point(106.3, 48.3)], ["R-1", "R-PT"]).to_file(path)
    return path, "R-PT"


def _no_crs(tmp_path):
    path = tmp_path / "nocrs.csv"
    path.write_text("request_id,applicant,wkt\nR-1,A,\"" + SQUARE.wkt + "\"\n")
    return path, None


def _bad_date(tmp_path):
    path = tmp_path / "dates.geojson"
    gdf = requests_gdf([SQUARE, SQUARE], ["R-1", "R-2"])
    gdf["submitted"] = ["2024-03-01 09:30", "yesterday"]
    gdf.to_file(path)
    return path, "R-2"


def _empty(tmp_path):
    path = tmp_path / "empty.shp"
    path.write_bytes(b"")
    return path, None


BAD = [_garbage, _points_as_requests, _no_crs, _bad_date, _empty]


@pytest.mark.parametrize("make", BAD)
def test_cli_area_bad_file(tmp_path, make):
    path, feature = make(tmp_path)
    assert_clean_failure(invoke("area", path, "--kind", "requests"), path, feature)


@pytest.mark.parametrize("suffix", [".gpkg", ".shp", ".geojson", ".kml", ".csv"])
@pytest.mark.parametrize("make", BAD)
def test_cli_convert_failure_writes_nothing(tmp_path, make, suffix):
    path, feature = make(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    dest = out / f"converted{suffix}"
    assert_clean_failure(invoke("convert", path, dest, "--kind", "requests"), path, feature)
    assert not dest.exists()
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("suffix", [".gpkg", ".shp", ".geojson", ".kml", ".csv", ".txt"])
def test_cli_convert_failing_write_leaves_the_previous_file(tmp_path, fail_writes, suffix):
    src = tmp_path / "ok.geojson"
    requests_gdf([SQUARE, shapely.box(106.3, 48.3, 106.31, 48.31)], ["R-1", "R-2"]).to_file(src)
    out = tmp_path / "out"
    out.mkdir()
    dest = out / f"converted{suffix}"
    assert invoke("convert", src, dest, "--kind", "requests").exit_code == 0
    before = _snapshot(out)
    written = fail_writes()
    result = invoke("convert", src, dest, "--kind", "requests", "--force")
    assert_clean_failure(result, dest)
    # pyogrio's failure is passed on as it came; a full disk on a text write is named as one
    assert ("simulated" in result.output or "the disk is full" in result.output)
    assert "internal error" not in result.output
    assert written  # part of the new file was written, beside the target
    assert _snapshot(out) == before  # the previous file byte for byte; no temporary left


def test_cli_convert_unwritable_destination(tmp_path):
    src = tmp_path / "ok.geojson"
    requests_gdf().to_file(src)
    (tmp_path / "afile").write_text("a file, not a folder")
    dest = tmp_path / "afile" / "out.gpkg"
    result = invoke("convert", src, dest, "--kind", "requests")
    assert_clean_failure(result, dest)
    assert "internal error" not in result.output
    assert (tmp_path / "afile").read_text() == "a file, not a folder"


def test_cli_convert_unknown_destination_type(tmp_path):
    src = tmp_path / "ok.geojson"
    requests_gdf().to_file(src)
    dest = tmp_path / "out.dwg"
    assert_clean_failure(invoke("convert", src, dest, "--kind", "requests"), dest)
    assert not dest.exists()


def _snapshot(folder):
    """Every file in ``folder`` (hidden ones too) with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _info(ws):
    result = invoke("workspace", "info", ws, "--json")
    assert result.exit_code == 0, result.output
    return [(x["name"], x["kind"], x["features"]) for x in json.loads(result.output)]


@pytest.mark.parametrize("make", BAD)
def test_cli_workspace_add_bad_file_leaves_workspace_unchanged(tmp_path, make):
    ws = tmp_path / "project.gpkg"
    assert invoke("workspace", "init", ws).exit_code == 0
    good = tmp_path / "good.geojson"
    requests_gdf().to_file(good)
    assert invoke("workspace", "add", ws, good, "--kind", "requests").exit_code == 0
    before, layers = _sha256(ws), _info(ws)
    assert layers == [("requests", "requests", 1)]

    path, feature = make(tmp_path)
    result = invoke("workspace", "add", ws, path, "--kind", "requests", "--name", "more")
    assert_clean_failure(result, path, feature)
    assert _sha256(ws) == before
    assert _info(ws) == layers
    assert sorted(p.name for p in tmp_path.glob(".project*")) == []  # no temporary copies


def test_cli_workspace_add_failing_write_leaves_workspace_unchanged(tmp_path, monkeypatch,
                                                                    fail_writes):
    ws = tmp_path / "project.gpkg"
    assert invoke("workspace", "init", ws).exit_code == 0
    good = tmp_path / "good.geojson"
    requests_gdf([SQUARE, shapely.box(106.3, 48.3, 106.31, 48.31)], ["R-1", "R-2"]).to_file(good)
    assert invoke("workspace", "add", ws, good, "--kind", "requests").exit_code == 0
    before, layers, files = _sha256(ws), _info(ws), _snapshot(tmp_path)
    written = fail_writes()
    for args in (["--name", "more"], ["--replace"]):
        result = invoke("workspace", "add", ws, good, "--kind", "requests", *args)
        assert result.exit_code == 2 and "simulated" in result.output, result.output
        assert "Traceback" not in result.output and "unchanged" in result.output
    assert len(written) == 2 and all(w != ws for w in written)  # it wrote into copies
    monkeypatch.undo()
    assert _sha256(ws) == before and _info(ws) == layers
    assert _snapshot(tmp_path) == files  # no temporary copy left beside it


def test_check_refuses_one_file_for_two_outputs(tmp_path):
    src = tmp_path / "req.geojson"
    requests_gdf().to_file(src)
    lic = tmp_path / "lic.geojson"
    gpd.GeoDataFrame({"licence_code": ["MV-1"]}, geometry=[shapely.box(107, 47, 107.1, 47.1)],
                     crs=4326).to_file(lic)
    out = tmp_path / "out" / "result.gpkg"
    result = invoke("check", src, "--layer", f"licenses={lic}", "--json", out, "--out", out)
    assert_clean_failure(result, out)
    assert "same file" in result.output
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


def test_every_error_is_a_landtool_error(tmp_path):
    # The library raises its own errors only, so callers never see GDAL's or pandas'.
    for make in BAD:
        path, _ = make(tmp_path)
        with pytest.raises(LandtoolError):
            load_layer(path, "requests")
