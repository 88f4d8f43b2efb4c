"""Reading and writing every supported vector format, and round trips through them.

Inputs are made in ``tmp_path`` with pyogrio / plain text (not with landtool's own writer), so a
read test does not depend on the code it checks. Geometries are compared with shapely's
``equals_exact`` after ``normalize`` (a shapefile stores outer rings clockwise, so the vertex
order changes but not the geometry), with a tolerance per format:

* GeoPackage, Shapefile, GeoJSON, CSV (WKT): 1e-12 degrees. The first two store binary doubles;
  GDAL's GeoJSON writer and landtool's CSV writer print enough digits to give back the same
  double (checked here with a coordinate that has 17 significant digits).
* KML, KMZ: 1e-9 degrees (about 0.1 mm). KML is text and GDAL writes 15 significant digits,
  i.e. 12 decimals for a longitude of three digits; the KML standard itself promises no
  precision, so this is GDAL's and not a guarantee of the format.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner

from landtool.cli import main
from landtool.errors import LandtoolError, LayerLoadError
from landtool.io.formats import read_raw, write_vector
from landtool.io.load import load_layer

# A shapefile cuts licence_code to licence_co; GDAL says so in a RuntimeWarning.
pytestmark = pytest.mark.filterwarnings("ignore:Normalized/laundered field name")

TOL = {"gpkg": 1e-12, "shp": 1e-12, "zip": 1e-12, "geojson": 1e-12, "csv": 1e-12,
       "kml": 1e-9, "kmz": 1e-9}
OGR_DRIVERS = {"gpkg": "GPKG", "shp": "ESRI Shapefile", "geojson": "GeoJSON",
               "kml": "LIBKML", "kmz": "LIBKML"}
WRITE_FORMATS = ["gpkg", "shp", "geojson", "kml", "kmz", "csv"]

# Two licences near Mandal soum (Selenge): a square with a hole, and a two-part multipolygon
# with a vertex given to 17 significant digits (107.12345678912345) to catch rounding.
_HOLED = shapely.Polygon(
    [(106.20, 48.20), (106.25, 48.20), (106.25, 48.24), (106.20, 48.24)],
    [[(106.21, 48.21), (106.22, 48.21), (106.22, 48.22), (106.21, 48.22)]],
)
_PARTS = shapely.MultiPolygon([
    shapely.Polygon([(106.30, 48.30), (106.31234567891234, 48.30), (106.31, 48.3123456789)]),
    shapely.Polygon([(106.40, 48.40), (106.41, 48.40), (106.41, 48.41), (106.40, 48.41)]),
])
GEOMS = [shapely.MultiPolygon([_HOLED]), _PARTS]
CODES = ["XV-000123", "MV-004567"]


def licences() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"licence_code": CODES, "holder": ["Altan Shoroo LLC", "Мөнх Ус ХХК"]},
        geometry=GEOMS, crs="EPSG:4326",
    )


def _multi(g):
    return shapely.MultiPolygon([g]) if g.geom_type == "Polygon" else g


def same(a, b, tol: float) -> bool:
    """Equal within ``tol`` degrees per coordinate, ignoring ring start/direction and
    Polygon vs one-part MultiPolygon (formats differ in both)."""
    return shapely.normalize(_multi(a)).equals_exact(shapely.normalize(_multi(b)), tol)


def assert_same_geometries(gdf: gpd.GeoDataFrame, expected, tol: float) -> None:
    assert len(gdf) == len(expected)
    for got, want in zip(gdf.geometry, expected, strict=True):
        assert same(got, want, tol), f"{got.wkt} != {want.wkt}"


def make_file(tmp_path: Path, fmt: str, gdf: gpd.GeoDataFrame) -> Path:
    """``gdf`` written as ``fmt`` with pyogrio or by hand (independent of write_vector)."""
    if fmt == "zip":
        shp = make_file(tmp_path / "parts", "shp", gdf)
        path = tmp_path / "licences.zip"
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("__MACOSX/licences/._licences.shp", b"\x00\x05\x16\x07")  # macOS junk
            for part in shp.parent.iterdir():
                zf.write(part, f"licences/{part.name}")  # a folder inside the zip, as is common
        return path
    if fmt == "csv":
        path = tmp_path / "licences.csv"
        lines = ["licence_code;holder;WKT"]
        lines += [f'{c};{h};"{g.wkt}"' for c, h, g in zip(gdf.licence_code, gdf.holder,
                                                          gdf.geometry, strict=True)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / f"licences.{fmt}"
    pyogrio.write_dataframe(gdf, path, driver=OGR_DRIVERS[fmt])
    return path


@pytest.mark.parametrize("fmt", ["gpkg", "shp", "zip", "geojson", "kml", "kmz", "csv"])
def test_read_each_format(tmp_path, fmt):
    path = make_file(tmp_path, fmt, licences())
    layer = load_layer(path, "licenses", crs="EPSG:4326" if fmt == "csv" else None)
    assert layer.gdf.crs.to_epsg() == 4326
    assert list(layer.gdf["licence_code"]) == CODES
    assert list(layer.gdf["holder"]) == ["Altan Shoroo LLC", "Мөнх Ус ХХК"]
    assert_same_geometries(layer.gdf, GEOMS, TOL[fmt])
    assert layer.problems == []


def test_csv_wkt_polygon_is_kept_as_drawn(tmp_path):
    # A comma-separated file with lower-case "wkt" header and Cyrillic text.
    path = tmp_path / "requests.csv"
    path.write_text('request_id,applicant,wkt\nR-1,Алтан шороо,'
                    '"POLYGON ((106.2 48.2, 106.21 48.2, 106.21 48.21, 106.2 48.2))"\n',
                    encoding="utf-8")
    layer = load_layer(path, "requests", crs="EPSG:4326")
    want = shapely.MultiPolygon([shapely.Polygon([(106.2, 48.2), (106.21, 48.2),
                                                  (106.21, 48.21)])])
    assert_same_geometries(layer.gdf, [want], 1e-12)
    assert layer.gdf.loc[0, "applicant"] == "Алтан шороо"


@pytest.mark.parametrize(
    "text",
    [
        "name,lon,lat\nMandal,106.2,48.5\nZuunkharaa,106.45,48.86\n",
        "name;longitude;latitude\nMandal;106.2;48.5\nZuunkharaa;106.45;48.86\n",
        "Latitude,Longitude,name\n48.5,106.2,Mandal\n48.86,106.45,Zuunkharaa\n",
    ],
    ids=["lon-lat", "semicolons", "lat-first-columns"],
)
def test_csv_lon_lat_points(tmp_path, text):
    # Needs landtool.io.corners.parse_dms (values may be decimal or DMS).
    path = tmp_path / "centres.csv"
    path.write_text(text, encoding="utf-8")
    layer = load_layer(path, "settlements")  # lon/lat headers mean WGS 84 degrees
    assert layer.reprojection.operation is None
    assert list(layer.gdf["name"]) == ["Mandal", "Zuunkharaa"]
    assert_same_geometries(layer.gdf, [shapely.Point(106.2, 48.5),
                                       shapely.Point(106.45, 48.86)], 1e-12)


def test_kml_folders_are_all_read(tmp_path):
    # Google Earth keeps placemarks in folders, which GDAL reads as separate layers.
    path = tmp_path / "springs.kml"
    placemark = ("<Placemark><name>{n}</name><Point><coordinates>{x},{y},1250"
                 "</coordinates></Point></Placemark>")
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">'
        "<Document>"
        f"<Folder><name>north</name>{placemark.format(n='Bulag 1', x=106.3, y=48.7)}</Folder>"
        f"<Folder><name>south</name>{placemark.format(n='Bulag 2', x=106.4, y=48.6)}</Folder>"
        "</Document></kml>",
        encoding="utf-8",
    )
    layer = load_layer(path, "water_points")
    assert sorted(layer.gdf["name"]) == ["Bulag 1", "Bulag 2"]
    # Altitudes (the ",1250") are dropped: the workspace is 2D.
    assert not shapely.has_z(layer.gdf.geometry.values).any()
    got = {n: g for n, g in zip(layer.gdf["name"], layer.gdf.geometry, strict=True)}
    assert same(got["Bulag 1"], shapely.Point(106.3, 48.7), 1e-9)
    assert same(got["Bulag 2"], shapely.Point(106.4, 48.6), 1e-9)


def test_gpkg_with_several_layers_needs_source_layer(tmp_path):
    path = tmp_path / "two.gpkg"
    pyogrio.write_dataframe(licences(), path, layer="a")
    pyogrio.write_dataframe(licences().iloc[:1], path, layer="b")
    with pytest.raises(LayerLoadError, match="2 layers") as err:
        load_layer(path, "licenses")
    assert "--source-layer" in err.value.hint and "a, b" in err.value.hint
    assert len(load_layer(path, "licenses", source_layer="b").gdf) == 1


@pytest.mark.parametrize("fmt", WRITE_FORMATS)
def test_write_vector_round_trip(tmp_path, fmt):
    path = tmp_path / f"out.{fmt}"
    write_vector(licences(), path)
    assert path.exists()
    if fmt != "csv":  # the file really is of the format its suffix names
        assert pyogrio.read_info(path)["driver"] == OGR_DRIVERS[fmt]
    # nothing else was left beside it (temporary files), apart from a shapefile's sidecars
    others = {p.name for p in tmp_path.iterdir()} - {path.name}
    if fmt == "shp":
        assert others <= {"out.shx", "out.dbf", "out.prj", "out.cpg"}
    else:
        assert others == set()
    layer = load_layer(path, "licenses", crs="EPSG:4326" if fmt == "csv" else None)
    assert list(layer.gdf["licence_code"]) == CODES
    assert_same_geometries(layer.gdf, GEOMS, TOL[fmt])


@pytest.mark.parametrize("fmt", ["kml", "kmz"])
def test_write_kml_reprojects_to_wgs84(tmp_path, fmt):
    # KML is WGS 84 by definition: a UTM layer must be written in degrees.
    utm = licences().to_crs("EPSG:32648")
    path = tmp_path / f"out.{fmt}"
    write_vector(utm, path)
    back = read_raw(path)
    assert back.crs.to_epsg() == 4326
    # to_crs there and back again: within 1e-9 deg (PROJ's round trip is far better than that)
    assert_same_geometries(back, GEOMS, 1e-9)


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder`` (hidden ones too) with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("fmt", [*WRITE_FORMATS, "txt"])
def test_write_vector_overwrites_atomically(tmp_path, fail_writes, fmt):
    path = tmp_path / f"out.{fmt}"
    write_vector(licences(), path)
    write_vector(licences().iloc[:1], path)  # a plain overwrite works
    before = _snapshot(tmp_path)
    assert sorted(before) == sorted(p.name for p in tmp_path.iterdir()
                                    if not p.name.startswith("."))  # no temporary left
    written = fail_writes()
    with pytest.raises(LandtoolError, match="simulated|the disk is full"):
        write_vector(licences(), path)
    assert written and all(w != path for w in written)  # it did write, but not on the target
    assert all(not w.exists() for w in written)
    assert _snapshot(tmp_path) == before  # the previous file byte for byte, nothing left


def test_shapefile_output_replaces_every_sidecar(tmp_path):
    path = tmp_path / "out.shp"
    write_vector(licences(), path)
    # files an earlier shapefile of the same name had: a spatial index, ESRI's indexes and
    # metadata, which would describe the old data
    for ending in (".qix", ".sbn", ".sbx", ".shp.xml", ".SBN"):
        (tmp_path / f"out{ending}").write_bytes(b"stale")
    (tmp_path / "out.cpg").write_text("1251")
    (tmp_path / "outer.qix").write_bytes(b"another file's")  # not a sidecar of out.shp
    write_vector(licences().iloc[:1], path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["out.cpg", "out.dbf", "out.prj", "out.shp", "out.shx", "outer.qix"]
    assert (tmp_path / "out.cpg").read_text().strip() == "UTF-8"
    back = pyogrio.read_dataframe(path)
    assert list(back["licence_co"]) == CODES[:1]  # a .dbf keeps 10 characters of a name


def test_atomic_paths_refuses_the_same_file_twice(tmp_path):
    from landtool.errors import OutputError
    from landtool.io.formats import atomic_paths

    (tmp_path / "sub").mkdir()
    ran = []
    for a, b in [(tmp_path / "r.json", tmp_path / "r.json"),
                 (tmp_path / "r.json", tmp_path / "sub" / ".." / "r.json")]:
        with pytest.raises(OutputError, match="same file"):
            with atomic_paths(a, tmp_path / "other.gpkg", b):
                ran.append(True)
    assert ran == [] and sorted(p.name for p in tmp_path.iterdir()) == ["sub"]


def test_atomic_paths_names_the_file_when_the_system_refuses(tmp_path):
    from landtool.errors import OutputError
    from landtool.io.formats import atomic_path

    (tmp_path / "afile").write_text("a file, not a folder")
    target = tmp_path / "afile" / "deeper" / "out.json"
    with pytest.raises(OutputError) as err:  # mkdir under a file
        with atomic_path(target):
            pass
    assert err.value.path == target
    folder = tmp_path / "taken.json"
    folder.mkdir()
    with pytest.raises(OutputError, match="cannot put the file in place") as err:
        with atomic_path(folder) as tmp:  # the final name is a folder: os.replace fails
            tmp.write_bytes(b"{}")
    assert err.value.path == folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "taken.json"]


@pytest.mark.parametrize("fmt", WRITE_FORMATS)
def test_cli_convert_round_trip(tmp_path, fmt):
    src = make_file(tmp_path / "src", "gpkg", licences())
    dest = tmp_path / "out" / f"converted.{fmt}"  # the folder does not exist yet
    result = CliRunner().invoke(main, ["convert", str(src), str(dest), "--kind", "licenses"])
    assert result.exit_code == 0, result.output
    assert f"wrote 2 features to {dest}" in result.output
    layer = load_layer(dest, "licenses", crs="EPSG:4326" if fmt == "csv" else None)
    assert list(layer.gdf["licence_code"]) == CODES
    assert_same_geometries(layer.gdf, GEOMS, TOL[fmt])


def test_cli_convert_from_utm_writes_degrees(tmp_path):
    src = tmp_path / "utm.gpkg"
    pyogrio.write_dataframe(licences().to_crs("EPSG:32648"), src)
    dest = tmp_path / "out.geojson"
    result = CliRunner().invoke(main, ["convert", str(src), str(dest), "--kind", "licenses"])
    assert result.exit_code == 0, result.output
    assert "UTM zone 48N" in result.output
    back = pyogrio.read_dataframe(dest)
    assert back.crs.to_epsg() == 4326
    assert_same_geometries(back, GEOMS, 1e-9)


def test_cli_convert_refuses_to_overwrite(tmp_path):
    src = make_file(tmp_path, "gpkg", licences())
    dest = tmp_path / "out.geojson"
    dest.write_text("keep me")
    runner = CliRunner()
    result = runner.invoke(main, ["convert", str(src), str(dest), "--kind", "licenses"])
    assert result.exit_code == 2
    assert "--force" in result.output
    assert dest.read_text() == "keep me"
    result = runner.invoke(main, ["convert", str(src), str(dest), "--kind", "licenses",
                                  "--force"])
    assert result.exit_code == 0, result.output
    assert len(pyogrio.read_dataframe(dest)) == 2
