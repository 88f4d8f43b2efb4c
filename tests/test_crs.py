"""Every input CRS ends in EPSG:4326; files whose CRS is missing or does not fit are explained.

Expected coordinates come from pyproj transformations built here from published parameters
(not from landtool), distances from pyproj ``Geod``.
"""

from __future__ import annotations

import shutil

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from pyproj import CRS, Geod, Transformer

from landtool.cli import main
from landtool.errors import CRSError, OutsideMongoliaError, SwappedAxesError
from landtool.io.load import load_layer

GEOD = Geod(ellps="WGS84")

# "Pulkovo 1942 to WGS 84 (20)" (EPSG:5044), a 7-parameter Helmert (coordinate frame), as
# published in the EPSG dataset: tx 23.57 m, ty -140.95 m, tz -79.8 m, rx 0", ry -0.35",
# rz -0.79", ds -0.22 ppm, Krassovsky 1940 -> WGS 84 ellipsoid.
PULKOVO_20 = (
    "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=push +v_3 "
    "+step +proj=cart +ellps=krass +step +proj=helmert +x=23.57 +y=-140.95 +z=-79.8 +rx=0 "
    "+ry=-0.35 +rz=-0.79 +s=-0.22 +convention=coordinate_frame +step +inv +proj=cart "
    "+ellps=WGS84 +step +proj=pop +v_3 +step +proj=unitconvert +xy_in=rad +xy_out=deg"
)

# Towns (approximate positions) in each UTM zone Mongolia spans; zone n covers
# 6n-186 .. 6n-180 degrees east (45N: 84-90E, ..., 50N: 114-120E).
TOWNS_BY_ZONE = {
    45: [("Tsengel", 89.14, 48.94), ("Ulgii", 89.96, 48.97)],
    46: [("Khovd", 91.64, 48.00), ("Altai", 95.99, 46.37)],
    47: [("Uliastai", 96.85, 47.74), ("Tosontsengel", 98.10, 48.76)],
    48: [("Ulaanbaatar", 106.92, 47.92), ("Zuunkharaa", 106.45, 48.86)],
    49: [("Sainshand", 110.14, 44.89), ("Baruun-Urt", 113.28, 46.68)],
    50: [("Choibalsan", 114.53, 48.07), ("Ereentsav", 115.72, 49.88)],
}


def points(rows, crs="EPSG:4326") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": [r[0] for r in rows]},
                            geometry=[shapely.Point(x, y) for _, x, y in rows], crs=crs)


def xy(gdf):
    return shapely.get_coordinates(gdf.geometry.values)


@pytest.mark.parametrize("fmt", ["gpkg", "shp", "geojson"])
@pytest.mark.parametrize("zone", sorted(TOWNS_BY_ZONE))
def test_utm_zones_45_to_50(tmp_path, zone, fmt):
    towns = TOWNS_BY_ZONE[zone]
    to_utm = Transformer.from_crs("EPSG:4326", f"EPSG:{32600 + zone}", always_xy=True)
    e, n = to_utm.transform([t[1] for t in towns], [t[2] for t in towns])
    utm = points([(t[0], x, y) for t, x, y in zip(towns, e, n, strict=True)],
                 crs=f"EPSG:{32600 + zone}")
    path = tmp_path / f"towns.{fmt}"
    pyogrio.write_dataframe(utm, path)

    layer = load_layer(path, "settlements")
    assert layer.gdf.crs.to_epsg() == 4326
    assert f"UTM zone {zone}N" in layer.reprojection.describe()
    np.testing.assert_allclose(xy(layer.gdf), [(t[1], t[2]) for t in towns], rtol=0, atol=1e-7)
    assert layer.problems == []


def _pulkovo_file(tmp_path):
    rows = [("A", 106.92, 47.92), ("B", 91.64, 48.00), ("C", 114.53, 48.07)]
    path = tmp_path / "pulkovo.gpkg"
    pyogrio.write_dataframe(points(rows, crs="EPSG:4284"), path)
    return path, np.array([(x, y) for _, x, y in rows])


def test_pulkovo_1942_gets_its_datum_shift(tmp_path):
    path, src = _pulkovo_file(tmp_path)
    layer = load_layer(path, "settlements")
    text = layer.reprojection.describe()
    assert "EPSG:4284 (Pulkovo 1942)" in text
    assert "Pulkovo 1942 to WGS 84 (20)" in text  # the operation whose parameters are above
    got = xy(layer.gdf)

    lon, lat = Transformer.from_pipeline(PULKOVO_20).transform(src[:, 0], src[:, 1])
    np.testing.assert_allclose(got, np.column_stack([lon, lat]), rtol=0, atol=1e-9)

    # Not a bare relabelling (or an ellipsoid change only): the datum shift in Mongolia is
    # tens of metres. Geodesic distance between the file's numbers taken as WGS 84 and the
    # result:
    _, _, dist = GEOD.inv(src[:, 0], src[:, 1], got[:, 0], got[:, 1])
    assert (dist > 30).all(), dist
    assert (dist < 200).all(), dist


def test_pulkovo_via_crs_option_on_a_csv(tmp_path):
    path = tmp_path / "old.csv"
    path.write_text("name,wkt\nA,POINT (106.92 47.92)\n", encoding="utf-8")
    layer = load_layer(path, "settlements", crs="EPSG:4284")
    lon, lat = Transformer.from_pipeline(PULKOVO_20).transform(106.92, 47.92)
    np.testing.assert_allclose(xy(layer.gdf), [(lon, lat)], rtol=0, atol=1e-9)


def test_cli_area_names_the_pulkovo_transformation(tmp_path):
    path, _ = _pulkovo_file(tmp_path)
    result = CliRunner().invoke(main, ["area", str(path), "--kind", "settlements"])
    assert result.exit_code == 0, result.output
    assert "Pulkovo 1942 to WGS 84 (20)" in result.output


def test_crs_option_overrides_the_files_own(tmp_path):
    # A file wrongly labelled WGS 84 whose numbers are really Pulkovo 1942.
    path = tmp_path / "labelled.geojson"
    points([("A", 106.92, 47.92)]).to_file(path)
    layer = load_layer(path, "settlements", crs="EPSG:4284")
    lon, lat = Transformer.from_pipeline(PULKOVO_20).transform(106.92, 47.92)
    np.testing.assert_allclose(xy(layer.gdf), [(lon, lat)], rtol=0, atol=1e-9)


def test_wgs84_is_not_reprojected(tmp_path):
    path = tmp_path / "wgs.gpkg"
    pyogrio.write_dataframe(points([("A", 106.92, 47.92)]), path)
    layer = load_layer(path, "settlements")
    assert layer.reprojection.operation is None
    assert layer.reprojection.describe() == "already in EPSG:4326 (WGS 84)"
    assert xy(layer.gdf).tolist() == [[106.92, 47.92]]


# -- files with no CRS -----------------------------------------------------------------------


# Ulaanbaatar (106.92E, 47.92N) in UTM 48N, as the file holds it.
UB_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32648", always_xy=True).transform(106.92, 47.92)


def _csv_wkt(tmp_path):
    path = tmp_path / "nocrs.csv"
    path.write_text(f"name,wkt\nA,POINT ({UB_UTM[0]!r} {UB_UTM[1]!r})\n", encoding="utf-8")
    return path


def _shp_without_prj(tmp_path):
    pyogrio.write_dataframe(points([("A", *UB_UTM)], crs="EPSG:32648"), tmp_path / "nocrs.shp")
    (tmp_path / "nocrs.prj").unlink()
    return tmp_path / "nocrs.shp"


@pytest.mark.parametrize("make", [_csv_wkt, _shp_without_prj], ids=["csv-wkt", "shp-no-prj"])
def test_no_crs_is_refused_unless_given(tmp_path, make):
    path = make(tmp_path)
    with pytest.raises(CRSError, match="no coordinate reference system") as err:
        load_layer(path, "settlements")
    assert err.value.path == path
    assert "--crs" in err.value.hint

    runner = CliRunner()
    result = runner.invoke(main, ["area", str(path), "--kind", "settlements"])
    assert result.exit_code == 2
    assert str(path) in result.output and "--crs" in result.output
    assert "Traceback" not in result.output

    result = runner.invoke(main, ["area", str(path), "--kind", "settlements",
                                  "--crs", "EPSG:32648"])
    assert result.exit_code == 0, result.output
    layer = load_layer(path, "settlements", crs="EPSG:32648")
    np.testing.assert_allclose(xy(layer.gdf), [(106.92, 47.92)], rtol=0, atol=1e-7)


def test_unknown_crs_text(tmp_path):
    with pytest.raises(CRSError, match="not a coordinate reference system"):
        load_layer(_csv_wkt(tmp_path), "settlements", crs="EPSG:999999")


# -- coordinates that do not fit their CRS ---------------------------------------------------

MANDAL = [("Mandal", 106.20, 48.50), ("Zuunkharaa", 106.45, 48.86)]


def test_swapped_lat_lon_is_detected_and_fixed(tmp_path):
    path = tmp_path / "swapped.geojson"
    points([(n, y, x) for n, x, y in MANDAL]).to_file(path)
    with pytest.raises(SwappedAxesError, match="swapped") as err:
        load_layer(path, "settlements")
    assert "--swap-xy" in err.value.hint
    layer = load_layer(path, "settlements", swap_axes=True)
    assert xy(layer.gdf).tolist() == [[x, y] for _, x, y in MANDAL]

    runner = CliRunner()
    result = runner.invoke(main, ["area", str(path), "--kind", "settlements"])
    assert result.exit_code == 2 and "--swap-xy" in result.output
    result = runner.invoke(main, ["area", str(path), "--kind", "settlements", "--swap-xy"])
    assert result.exit_code == 0, result.output


def test_swapped_columns_in_a_lon_lat_csv(tmp_path):
    path = tmp_path / "swapped.csv"
    path.write_text("name,lon,lat\n" + "".join(f"{n},{y},{x}\n" for n, x, y in MANDAL),
                    encoding="utf-8")
    with pytest.raises(SwappedAxesError):
        load_layer(path, "settlements")
    layer = load_layer(path, "settlements", swap_axes=True)
    assert xy(layer.gdf).tolist() == [[x, y] for _, x, y in MANDAL]


def test_utm_metres_labelled_as_degrees(tmp_path):
    # A UTM 48N shapefile whose .prj was replaced by a WGS 84 one.
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32648", always_xy=True)
    e, n = to_utm.transform([x for _, x, _ in MANDAL], [y for _, _, y in MANDAL])
    pyogrio.write_dataframe(points([(m[0], a, b) for m, a, b in zip(MANDAL, e, n, strict=True)],
                                   crs="EPSG:32648"), tmp_path / "utm.shp")
    pyogrio.write_dataframe(points(MANDAL), tmp_path / "wgs.shp")
    shutil.copyfile(tmp_path / "wgs.prj", tmp_path / "utm.prj")
    path = tmp_path / "utm.shp"
    with pytest.raises(CRSError, match="look like UTM metres") as err:
        load_layer(path, "settlements")
    assert "EPSG:4326" in err.value.message and "--crs" in err.value.hint
    layer = load_layer(path, "settlements", crs="EPSG:32648")
    np.testing.assert_allclose(xy(layer.gdf), [(x, y) for _, x, y in MANDAL], atol=1e-7)


def test_degrees_labelled_as_utm(tmp_path):
    path = tmp_path / "deg.gpkg"
    pyogrio.write_dataframe(points(MANDAL).set_crs("EPSG:32648", allow_override=True), path)
    with pytest.raises(CRSError, match="look like degrees") as err:
        load_layer(path, "settlements")
    assert "--crs EPSG:4326" in err.value.hint
    layer = load_layer(path, "settlements", crs="EPSG:4326")
    assert xy(layer.gdf).tolist() == [[x, y] for _, x, y in MANDAL]


def test_all_outside_mongolia_is_refused(tmp_path):
    path = tmp_path / "europe.geojson"
    points([("Paris", 2.35, 48.85), ("Berlin", 13.40, 52.52)]).to_file(path)
    with pytest.raises(OutsideMongoliaError, match="every feature lies outside Mongolia"):
        load_layer(path, "settlements")


def test_some_outside_mongolia_is_reported(tmp_path):
    path = tmp_path / "mixed.geojson"
    # Beijing (116.40E, 39.90N) is south of Mongolia's 41.6N.
    points([*MANDAL, ("Beijing", 116.40, 39.90)]).to_file(path)
    layer = load_layer(path, "settlements")
    outside = [p for p in layer.problems if p.what == "outside"]
    assert [p.feature for p in outside] == ["Beijing"]
    assert len(layer.gdf) == 3  # kept, but reported


def test_one_crs_label_for_reports_and_workspace_info():
    import landtool.workspace
    from landtool.crs import crs_label

    assert crs_label(CRS.from_epsg(4326)) == "EPSG:4326 (WGS 84)"
    assert crs_label(CRS.from_epsg(32648), short=True) == "EPSG:32648"
    assert crs_label(None) == "none"
    albers = CRS.from_proj4("+proj=aea +lat_1=43.5 +lat_2=50.5 +lon_0=104 +datum=WGS84")
    assert crs_label(albers) == albers.name  # no EPSG code: its name
    assert not hasattr(landtool.workspace, "_crs_label")


def test_outside_mongolia_mask_is_the_outline_not_the_box():
    from landtool.crs import MONGOLIA_BOUNDS, outside_mongolia

    # Inner Mongolia (China) at 119E 42N lies inside the bounding box but outside the country.
    china = shapely.Point(119.0, 42.0)
    assert shapely.box(*MONGOLIA_BOUNDS).contains(china)
    got = outside_mongolia([shapely.Point(106.9, 47.9), china, None, shapely.Point(2.35, 48.85)])
    assert got.tolist() == [False, True, False, True]
