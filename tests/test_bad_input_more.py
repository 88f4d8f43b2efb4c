"""More bad input files: a shapefile missing a part or with a wrong .cpg, broken GeoJSON
geometries, duplicate request ids, corner lists with signs or hemisphere letters out of place,
files that ask for the network, and user text that looks like a spreadsheet formula. Each is
refused (or read) with one message naming the file, the feature or line, and what to do; the
CLI exits 2 without a traceback and the user's data is unchanged."""

from __future__ import annotations

import json
import re
import zipfile

import geopandas as gpd
import pyogrio
import pytest
import shapely
from system_tools import program
from test_bad_input import SQUARE, assert_clean_failure, invoke, requests_gdf

from landtool.errors import GeometryError, LayerLoadError
from landtool.io.load import load_layer

# -- shapefiles: a missing part, a .cpg that lies ----------------------------------------------


def _shapefile(tmp_path, name="req", **kwargs):
    gdf = requests_gdf()
    gdf["applicant"] = ["Алтан Шороо"]
    pyogrio.write_dataframe(gdf, tmp_path / f"{name}.shp", **kwargs)
    return tmp_path / f"{name}.shp"


@pytest.mark.parametrize("missing", ["shx", "dbf"])
def test_zipped_shapefile_missing_a_part(tmp_path, missing):
    _shapefile(tmp_path)
    path = tmp_path / "req.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for ext in {"shp", "shx", "dbf", "prj"} - {missing}:
            zf.write(tmp_path / f"req.{ext}", f"layer/req.{ext}")
    before = path.read_bytes()
    with pytest.raises(LayerLoadError, match=rf"\.{missing} file .* no req\.{missing} in the zip"):
        load_layer(path, "requests")
    result = invoke("area", path, "--kind", "requests")
    assert_clean_failure(result, path)
    assert f"req.{missing}" in result.output and "internal error" not in result.output
    assert path.read_bytes() == before


@pytest.mark.parametrize("missing", ["shx", "dbf"])
def test_shapefile_missing_a_part(tmp_path, missing):
    path = _shapefile(tmp_path)
    (tmp_path / f"req.{missing}").unlink()
    files = sorted(p.name for p in tmp_path.iterdir())
    result = invoke("area", path, "--kind", "requests")
    assert_clean_failure(result, path)
    assert f"no req.{missing} beside it" in result.output
    assert "required field" not in result.output  # not mistaken for a missing field
    assert sorted(p.name for p in tmp_path.iterdir()) == files  # no .shx restored by GDAL


def test_shapefile_in_windows_1251_with_a_cpg_saying_utf8(tmp_path):
    path = _shapefile(tmp_path, encoding="cp1251")
    (tmp_path / "req.cpg").write_text("UTF-8")
    assert (tmp_path / "req.dbf").read_bytes().find("Алтан".encode("cp1251")) > 0
    layer = load_layer(path, "requests")
    assert list(layer.gdf["applicant"]) == ["Алтан Шороо"]
    notes = [p.message for p in layer.problems if p.what == "note"]
    assert len(notes) == 1 and "Windows-1251" in notes[0] and ".cpg" in notes[0]
    result = invoke("area", path, "--kind", "requests")
    assert result.exit_code == 0 and "[note]" in result.output, result.output


def test_shapefile_neither_utf8_nor_windows_1251(tmp_path):
    path = _shapefile(tmp_path, encoding="cp1251")
    (tmp_path / "req.cpg").write_text("UTF-8")
    dbf = tmp_path / "req.dbf"
    # 0x98 is the one byte Windows-1251 leaves undefined (and is not UTF-8 on its own)
    dbf.write_bytes(dbf.read_bytes().replace("Алтан".encode("cp1251"), b"\x98\x98\x98\x98\x98"))
    result = invoke("area", path, "--kind", "requests")
    assert_clean_failure(result, path)
    assert ".cpg" in result.output


# -- GeoJSON geometries GEOS cannot use ------------------------------------------------------

_CLOSED = [[106.2, 48.2], [106.21, 48.2], [106.21, 48.21], [106.2, 48.2]]


def _geojson(tmp_path, ring, name="bad.geojson"):
    features = [{"type": "Feature", "properties": {"request_id": f"R-{i + 1}", "applicant": "A"},
                 "geometry": {"type": "Polygon", "coordinates": [r]}}
                for i, r in enumerate([_CLOSED, ring])]
    path = tmp_path / name
    # json writes NaN and Infinity as such, as some programs do
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


@pytest.mark.parametrize("ring, message", [
    ([[106.3, 48.3], [106.31, 48.3], [106.31, 48.31], [106.3, 48.31]], "closed"),
    ([[106.3, 48.3], [float("nan"), 48.3], [106.31, 48.31], [106.3, 48.3]], "not a number"),
    ([[106.3, 48.3], [106.31, float("inf")], [106.31, 48.31], [106.3, 48.3]], "not a number"),
    ([[106.3, 48.3], [106.31, 48.3], [106.31, float("-inf")], [106.3, 48.3]], "not a number"),
], ids=["not-closed", "nan", "infinity", "minus-infinity"])
def test_geojson_geometry_that_geos_cannot_use(tmp_path, recwarn, ring, message):
    path = _geojson(tmp_path, ring)
    with pytest.raises(GeometryError, match=message) as err:
        load_layer(path, "requests")
    assert err.value.feature == "2 (request_id R-2)" and err.value.hint
    assert not [w for w in recwarn if "ring" in str(w.message) or "invalid value" in
                str(w.message)]  # GDAL's and shapely's raw warnings are not shown
    result = invoke("area", path, "--kind", "requests")
    assert_clean_failure(result, path, "2 (request_id R-2)")
    assert "RuntimeWarning" not in result.output and "internal error" not in result.output


def test_workspace_add_unclosed_ring_leaves_workspace_unchanged(tmp_path):
    ws = tmp_path / "project.gpkg"
    assert invoke("workspace", "init", ws).exit_code == 0
    before = ws.read_bytes()
    path = _geojson(tmp_path, [[106.3, 48.3], [106.31, 48.3], [106.31, 48.31], [106.3, 48.31]])
    result = invoke("workspace", "add", ws, path, "--kind", "requests")
    assert_clean_failure(result, path, "2 (request_id R-2)")
    assert ws.read_bytes() == before


def test_csv_wkt_with_nan_names_the_feature(tmp_path):
    path = tmp_path / "nan.csv"
    path.write_text('request_id,applicant,wkt\nR-1,A,"POINT (106.2 48.2)"\n'
                    'R-2,B,"POINT (nan 48.2)"\n')
    with pytest.raises(GeometryError, match="not a number") as err:
        load_layer(path, "requests", crs="EPSG:4326")
    assert err.value.feature == "2 (request_id R-2)"


def test_feature_without_geometry_is_still_left_out(tmp_path):
    # a null geometry is not an unreadable one: it is left out with a note, as before
    path = tmp_path / "some.geojson"
    requests_gdf([SQUARE, None], ["R-1", "R-2"]).to_file(path)
    layer = load_layer(path, "requests")
    assert [(p.feature, p.what) for p in layer.problems] == [("R-2", "dropped")]


# -- two requests with one id ----------------------------------------------------------------

def _duplicate_ids(tmp_path, suffix=".geojson"):
    boxes = [shapely.box(106.2 + k / 10, 48.2, 106.21 + k / 10, 48.21) for k in range(3)]
    path = tmp_path / f"dup{suffix}"
    gdf = requests_gdf(boxes, ["R-1", "R-2", "R-1"])
    if suffix == ".csv":
        gdf.assign(wkt=gdf.geometry.to_wkt()).drop(columns="geometry").to_csv(path, index=False)
    else:
        gdf.to_file(path)
    return path


@pytest.mark.parametrize("suffix, where", [(".geojson", "features 1 and 3"),
                                           (".csv", "features 1 (line 2) and 3 (line 4)")])
def test_two_requests_with_one_id_are_refused(tmp_path, suffix, where):
    path = _duplicate_ids(tmp_path, suffix)
    for require in (True, False):  # the check reads requests without requiring fields
        message = rf"'R-1' is given to 2 features: {re.escape(where)}"
        with pytest.raises(LayerLoadError, match=message) as err:
            load_layer(path, "requests", crs="EPSG:4326", require_fields=require)
        assert err.value.feature == "R-1" and "request_id" in err.value.hint


def test_workspace_add_two_requests_with_one_id_leaves_workspace_unchanged(tmp_path):
    ws = tmp_path / "project.gpkg"
    assert invoke("workspace", "init", ws).exit_code == 0
    good = tmp_path / "good.geojson"
    requests_gdf().to_file(good)
    assert invoke("workspace", "add", ws, good, "--kind", "requests").exit_code == 0
    before = ws.read_bytes()
    path = _duplicate_ids(tmp_path)
    for args in (["--name", "more"], ["--replace"]):
        result = invoke("workspace", "add", ws, path, "--kind", "requests", *args)
        assert_clean_failure(result, path, "R-1")
        assert "features 1 and 3" in result.output
    assert ws.read_bytes() == before


def test_other_kinds_may_repeat_an_id(tmp_path):
    # a licence in several parts shares its code: only requests must have their own ids
    path = tmp_path / "lic.geojson"
    boxes = [shapely.box(107, 47, 107.1, 47.1), shapely.box(107.2, 47, 107.3, 47.1)]
    gpd.GeoDataFrame({"licence_code": ["MV-1", "MV-1"]}, geometry=boxes, crs=4326).to_file(path)
    assert len(load_layer(path, "licenses").gdf) == 2


# -- corner lists: a sign inside a value, hemisphere letters on the wrong axis ----------------

_CORNERS = """\
№  Уртраг  Өргөрөг
1  106°33'00"E  48°12'00"N
2  106°34'00"E  48°12'00"N
3  106°34'00"E  48°13'00"N
4  106°33'00"E  48°13'00"N
"""


@pytest.mark.parametrize("old, new, line, message", [
    ("106°34'00\"E  48°13", "106°-34'00\"E  48°13", 4, "a minus sign after the degrees"),
    ("106°34'00\"E  48°13", "106° -34'00\"E  48°13", 4, "a minus sign after the degrees"),
    ("48°12'00\"N\n2", "48°12'-00\"N\n2", 2, "a minus sign after the minutes"),
    ("106°34'00\"E  48°12'00\"N", "106°34'00\"N  48°12'00\"E", 3, "marked N"),
    ("48°13'00\"N\n4", "48°13'00\"E\n4", 4, "marked E"),
], ids=["minus-minutes", "spaced-minus", "minus-seconds", "both-letters-swapped",
        "latitude-marked-e"])
def test_corner_list_value_out_of_place_names_the_line(tmp_path, old, new, line, message):
    from landtool.errors import CoordinateListError
    from landtool.io.corners import parse_corner_text

    assert parse_corner_text(_CORNERS).polygons  # the list as written is read
    text = _CORNERS.replace(old, new, 1)
    assert text != _CORNERS
    with pytest.raises(CoordinateListError, match=message) as err:
        parse_corner_text(text)
    assert f"(line {line})" in err.value.feature and err.value.hint
    path = tmp_path / "corners.txt"
    path.write_text(text, encoding="utf-8")
    for args in (["corners", "read", path], ["area", path, "--kind", "requests"]):
        result = invoke(*args)
        assert_clean_failure(result, path, f"area 1, point {line - 1} (line {line})")
    assert path.read_text(encoding="utf-8") == text


def test_corner_list_dashes_between_parts_still_read():
    from landtool.io.corners import parse_corner_text, parse_dms

    assert parse_dms("106-33-00") == pytest.approx(106.55)
    text = _CORNERS.replace("106°33'00\"E  48°12'00\"N", "106-33-00  48-12-00")
    first = parse_corner_text(text).polygons[0].corners[0]
    assert (first.lon, first.lat) == pytest.approx((106.55, 48.2))


# -- offline: reading a file never opens a network connection ---------------------------------

@pytest.fixture
def listener():
    """A loopback HTTP listener (127.0.0.1, a free port) in a thread: its address, and the
    list of requests it has received (it answers each with a WGS 84 proj string)."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    received: list[bytes] = []

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:  # closed at the end of the test
                return
            with conn:
                received.append(conn.recv(4096))
                conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                             b"+proj=longlat +datum=WGS84 +no_defs\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", received
    server.shutdown(socket.SHUT_RDWR)  # wakes the thread's accept()
    server.close()
    thread.join(timeout=5)


def _linked_files(tmp_path, address):
    ring = [[106.2, 48.2], [106.21, 48.2], [106.21, 48.21], [106.2, 48.2]]
    files = []
    for kind in ("link", "url"):
        path = tmp_path / f"crs-{kind}.geojson"
        path.write_text(json.dumps({
            "type": "FeatureCollection",
            "crs": {"type": kind, "properties": {"href": f"{address}/crs.proj4",
                                                 "type": "proj4"}},
            "features": [{"type": "Feature",
                          "properties": {"request_id": "R-1", "applicant": "A"},
                          "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))
        files.append(path)
    kml = f"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Style id="s"><IconStyle><Icon><href>{address}/icon.png</href></Icon></IconStyle></Style>
<NetworkLink><name>more</name><Link><href>{address}/more.kml</href></Link></NetworkLink>
<Placemark><name>R-1</name><styleUrl>{address}/styles.kml#s</styleUrl><Polygon><outerBoundaryIs>
<LinearRing><coordinates>106.2,48.2 106.21,48.2 106.21,48.21 106.2,48.2</coordinates>
</LinearRing></outerBoundaryIs></Polygon></Placemark>
</Document></kml>"""
    (tmp_path / "net.kml").write_text(kml)
    with zipfile.ZipFile(tmp_path / "net.kmz", "w") as zf:
        zf.writestr("doc.kml", kml)
    return [*files, tmp_path / "net.kml", tmp_path / "net.kmz"]


def test_reading_a_file_opens_no_network_connection(tmp_path, listener):
    import landtool.io  # noqa: F401  (installs the guards, as every reader does)
    from landtool.io import offline
    from landtool.io.formats import read_raw

    address, received = listener
    assert offline.guarded()  # GDAL's HTTP client is replaced
    assert pyogrio.get_gdal_config_option("PROJ_NETWORK") in (False, "OFF")  # pyogrio: bool
    for path in _linked_files(tmp_path, address):
        assert len(read_raw(path)) == 1
        layer = load_layer(path, "requests", require_fields=False)
        assert len(layer.gdf) == 1
        if path.suffix == ".geojson":  # the address asked for is noted, not fetched
            assert any(address in p.message and "not fetched" in p.message
                       for p in layer.problems)
        result = invoke("area", path, "--kind", "requests")
        assert result.exit_code in (0, 2) and "Traceback" not in result.output
    assert received == []


def test_gdal_alone_would_fetch_the_link(tmp_path, listener):
    # The listener and the files are a real test: GDAL without landtool's guards fetches the
    # GeoJSON's crs link (in a child process, so this process keeps its guards).
    import subprocess
    import sys

    address, received = listener
    path = _linked_files(tmp_path, address)[0]
    subprocess.run([sys.executable, "-c", "import pyogrio, sys; pyogrio.read_info(sys.argv[1])",
                    str(path)], check=True, timeout=60, capture_output=True)
    assert received and b"GET /crs.proj4" in received[0]


# -- user text that looks like a formula stays text in spreadsheets and CSV files -------------

EVIL = {"parcel_id": "=1+2", "partnership": "=HYPERLINK(\"http://127.0.0.1/x\",\"click\")",
        "site": "@SUM(A1:A2)"}
EVIL_CSV = ["+1-1", "-2+3", "=cmd|' /C calc'!A0"]


def _evil_estimate():
    from landtool.rehab.costs import ParcelQuantities, estimate
    from landtool.rehab.rates import load_rates

    q = ParcelQuantities(EVIL["parcel_id"], "disturbed", 2.5, 640.0, 7200.0, "dem", None,
                         EVIL["partnership"], EVIL["site"])
    return estimate([q], load_rates("mn-illustrative-2026"))


def _sheet_cells(path, sheet="xl/worksheets/sheet1.xml"):
    """Every cell of a sheet as stored: reference -> (type attribute, has a formula)."""
    import xml.etree.ElementTree as ET

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(path) as zf:
        root = ET.fromstring(zf.read(sheet))
    return {c.get("r"): (c.get("t"), c.find("m:f", ns) is not None)
            for c in root.iterfind(".//m:c", ns)}


def test_xlsx_cost_lines_write_user_text_as_text(tmp_path):
    import openpyxl

    from landtool.rehab.export import COLUMNS, write_xlsx

    path = tmp_path / "costs.xlsx"
    write_xlsx(_evil_estimate(), path)
    cells = _sheet_cells(path)
    sheet = openpyxl.load_workbook(path)["lines"]
    direct = [r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "direct"]
    assert direct
    for name, text in EVIL.items():
        col = openpyxl.utils.get_column_letter(COLUMNS.index(name) + 1)
        filled = [r for r in direct if sheet[f"{col}{r}"].value is not None]  # a site's line
        assert filled  # has no parcel id
        for r in filled:
            kind, has_formula = cells[f"{col}{r}"]
            assert kind in ("s", "inlineStr") and not has_formula, (col, r)  # text, no <f>
            assert sheet[f"{col}{r}"].value == text  # as written, no quote added
    formula_col = openpyxl.utils.get_column_letter(len(COLUMNS) + 1)
    assert all(cells[f"{formula_col}{r}"][1] for r in direct)  # landtool's own formulas stay
    summary = _sheet_cells(path, "xl/worksheets/sheet2.xml")
    assert sum(has_f for _, has_f in summary.values()) == 1  # only the direct-cost SUM


def test_xlsx_user_text_reads_as_text_in_libreoffice(tmp_path):
    import csv
    import subprocess

    from landtool.rehab.export import COLUMNS, write_xlsx

    path = tmp_path / "costs.xlsx"
    write_xlsx(_evil_estimate(), path)
    subprocess.run([program("soffice"), f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
                    "--convert-to", "csv", "--outdir", str(tmp_path), str(path)],
                   check=True, timeout=180, capture_output=True)
    with open(tmp_path / "costs.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    direct = [r for r in rows if r["kind"] == "direct"]
    assert direct and set(COLUMNS) <= set(rows[0])
    for name, text in EVIL.items():  # shown as typed, not evaluated (3, a link, ...)
        values = [row[name] for row in direct if row[name]]
        assert values and set(values) == {text}, (name, values)


def test_csv_cost_lines_quote_user_text(tmp_path):
    import csv

    from landtool.rehab.export import write_csv

    path = tmp_path / "costs.csv"
    write_csv(_evil_estimate(), path)
    with open(path, encoding="utf-8-sig") as fh:
        rows = [r for r in csv.DictReader(fh) if r["kind"] == "direct"]
    assert rows
    for name, text in EVIL.items():
        values = [row[name] for row in rows if row[name]]
        assert values and set(values) == {"'" + text}, (name, values)
    assert not any(row["cost"].startswith("'") or row["kind"].startswith("'") for row in rows)


def test_csv_output_quotes_user_text_and_reads_back_unchanged(tmp_path):
    import csv

    src = tmp_path / "req.geojson"
    boxes = [shapely.box(106.2 + k / 10, 48.2, 106.21 + k / 10, 48.21) for k in range(3)]
    gdf = requests_gdf(boxes, ["R-1", "R-2", "R-3"])
    gdf["applicant"] = EVIL_CSV
    gdf["members"] = [-1, 2, 3]  # a number is not text: left alone
    gdf.to_file(src)
    before = src.read_bytes()
    out = tmp_path / "out.csv"
    result = invoke("convert", src, out, "--kind", "requests")
    assert result.exit_code == 0, result.output
    with open(out, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["applicant"] for r in rows] == ["'" + t for t in EVIL_CSV]
    assert [r["members"] for r in rows] == ["-1", "2", "3"]
    back = load_layer(out, "requests", crs="EPSG:4326")
    assert list(back.gdf["applicant"]) == EVIL_CSV
    assert src.read_bytes() == before
