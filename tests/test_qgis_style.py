"""Layer styles: the shipped QML is what QGIS 3 reads; storing it keeps the GeoPackage intact."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import box

from landtool.check.qgis_style import (
    COLUMNS,
    LAYER_STYLES_DDL,
    list_styles,
    load_style,
    write_layer_style,
)
from landtool.errors import CatalogError, WorkspaceError

STATUSES = ["pass", "warn", "fail", "not_applicable"]


@pytest.fixture
def gpkg(tmp_path):
    """A tiny check-result GeoPackage, written as landtool writes layers (geopandas/pyogrio)."""
    path = tmp_path / "results.gpkg"
    gdf = gpd.GeoDataFrame(
        {"request_id": ["R-001", "R-002", "R-003", "R-004"], "status": STATUSES},
        geometry=[box(106.0 + i * 0.01, 48.0, 106.005 + i * 0.01, 48.005) for i in range(4)],
        crs="EPSG:4326",
    )
    gdf.to_file(path, layer="check_results", driver="GPKG")
    gdf.iloc[:2].to_file(path, layer="eligible_part", driver="GPKG")
    return path


def _rows(path, sql, args=()):
    with sqlite3.connect(path) as con:
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute(sql, args)]


# -- the shipped QML -----------------------------------------------------------------------------

def test_shipped_styles():
    assert {"check_results", "eligible_part", "conflicts"} <= set(list_styles())
    for name in list_styles():
        root = ET.fromstring(load_style(name))
        assert root.tag == "qgis" and root.get("version", "").startswith("3.")
        assert root.find("renderer-v2") is not None
        assert root.findtext("layerGeometryType") == "2"  # polygons


def _fill_layers(symbol):
    """{class: {key: value}} of a symbol's layers, from the <Option> map QGIS >= 3.18 reads,
    checked against the legacy <prop> elements QGIS <= 3.16 reads."""
    out = {}
    for layer in symbol.findall("layer"):
        opts = {o.get("name"): o.get("value") for o in layer.find("Option").findall("Option")}
        legacy = {p.get("k"): p.get("v") for p in layer.findall("prop")}
        assert opts == legacy
        out[layer.get("class")] = opts
    return out


def _alpha(rgba):
    return int(rgba.split(",")[3])


def test_check_results_style_is_categorized_on_status_with_labels():
    root = ET.fromstring(load_style("check_results"))
    renderer = root.find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "status"
    cats = renderer.find("categories").findall("category")
    assert [c.get("value") for c in cats] == STATUSES
    symbols = {s.get("name"): s for s in renderer.find("symbols").findall("symbol")}
    colours = {}
    for cat in cats:
        symbol = symbols[cat.get("symbol")]
        assert symbol.get("type") == "fill" and cat.get("render") == "true"
        fill = _fill_layers(symbol)["SimpleFill"]
        assert fill["style"] == "solid" and 0 < _alpha(fill["color"]) < 255  # semi-transparent
        colours[cat.get("value")] = tuple(int(v) for v in fill["color"].split(",")[:3])
    r, g, b = colours["pass"]
    assert g > r and g > b  # green
    r, g, b = colours["fail"]
    assert r > 200 and g < 60 and b < 60  # red
    r, g, b = colours["warn"]
    assert r > 200 and 100 < g < 200 and b < 60  # orange
    r, g, b = colours["not_applicable"]
    assert r == g == b  # grey

    assert root.get("labelsEnabled") == "1"
    labeling = root.find("labeling")
    assert labeling.get("type") == "simple"
    style = labeling.find("settings/text-style")
    assert style.get("fieldName") == "request_id" and style.get("isExpression") == "0"


def test_eligible_part_style_is_a_hatched_green_single_symbol():
    renderer = ET.fromstring(load_style("eligible_part")).find("renderer-v2")
    assert renderer.get("type") == "singleSymbol"
    layers = _fill_layers(renderer.find("symbols/symbol"))
    hatch = layers["LinePatternFill"]
    r, g, b, _ = (int(v) for v in hatch["color"].split(","))
    assert g > r and g > b
    sub = renderer.find("symbols/symbol/layer[@class='LinePatternFill']/symbol")
    assert sub is not None and sub.get("type") == "line"  # the hatch lines' own symbol


def test_conflicts_style_is_a_red_outline_categorized_on_status():
    renderer = ET.fromstring(load_style("conflicts")).find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "status"
    symbols = {s.get("name"): s for s in renderer.find("symbols").findall("symbol")}
    cats = renderer.find("categories").findall("category")
    assert {"fail", "warn"} <= {c.get("value") for c in cats}
    for cat in cats:
        fill = _fill_layers(symbols[cat.get("symbol")])["SimpleFill"]
        assert fill["style"] == "no"  # outline only
        r, g, b, _ = (int(v) for v in fill["outline_color"].split(","))
        assert r > 200 and g < 60 and b < 60


def test_unknown_style_name():
    with pytest.raises(CatalogError) as info:
        load_style("../rulesets/mn-asm-2022")
    assert "check_results" in str(info.value)
    with pytest.raises(CatalogError):
        load_style("no_such_style")


# -- storing a style in a GeoPackage -------------------------------------------------------------

def test_write_layer_style_as_qgis_does(gpkg):
    qml = load_style("check_results")
    row_id = write_layer_style(gpkg, "check_results", qml)

    rows = _rows(gpkg, "SELECT * FROM layer_styles")
    assert len(rows) == 1
    row = rows[0]
    assert row["id"] == row_id
    assert tuple(row) == COLUMNS
    assert row["useAsDefault"] == 1
    assert (row["f_table_catalog"], row["f_table_schema"]) == ("", "")
    assert (row["f_table_name"], row["f_geometry_column"]) == ("check_results", "geom")
    assert row["styleName"] == "check_results"  # QGIS names an unnamed style after the layer
    assert row["description"] and row["owner"] == "" and row["styleSLD"] == ""
    assert row["update_time"].endswith("Z") and "T" in row["update_time"]
    assert row["styleQML"] == qml

    root = ET.fromstring(row["styleQML"])
    renderer = root.find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "status"

    # the table is QGIS's (as GDAL creates it for QGIS) and registered as an attributes table
    ddl = _rows(gpkg, "SELECT sql FROM sqlite_master WHERE name = 'layer_styles'")[0]["sql"]
    assert ddl == LAYER_STYLES_DDL
    contents = _rows(gpkg, "SELECT * FROM gpkg_contents WHERE table_name = 'layer_styles'")
    assert len(contents) == 1
    assert contents[0]["data_type"] == "attributes"
    assert contents[0]["identifier"] == "layer_styles"
    assert _rows(gpkg, "SELECT feature_count FROM gpkg_ogr_contents "
                       "WHERE table_name = 'layer_styles'") == [{"feature_count": 1}]


def test_the_geopackage_is_not_damaged(gpkg):
    before = pyogrio.read_dataframe(gpkg, layer="check_results")
    write_layer_style(gpkg, "check_results", load_style("check_results"))
    write_layer_style(gpkg, "eligible_part", load_style("eligible_part"))

    layers = {name: geom for name, geom in pyogrio.list_layers(gpkg)}
    assert layers["check_results"] == "Polygon" and layers["eligible_part"] == "Polygon"
    after = pyogrio.read_dataframe(gpkg, layer="check_results")
    assert after.equals(before)
    assert pyogrio.read_info(gpkg, layer="check_results")["crs"] == "EPSG:4326"

    # GDAL reads the style table too, with its real count
    styles = pyogrio.read_dataframe(gpkg, layer="layer_styles")
    assert sorted(styles["f_table_name"]) == ["check_results", "eligible_part"]
    assert pyogrio.read_info(gpkg, layer="layer_styles")["features"] == 2

    with sqlite3.connect(gpkg) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # "GPKG"

    # and a layer can still be written after the style was stored
    extra = before.iloc[:1].copy()
    pyogrio.write_dataframe(extra, gpkg, layer="check_results", append=True)
    assert len(pyogrio.read_dataframe(gpkg, layer="check_results")) == len(before) + 1
    assert len(pyogrio.read_dataframe(gpkg, layer="layer_styles")) == 2


def test_writing_again_replaces_the_row_and_keeps_one_default(gpkg):
    first = write_layer_style(gpkg, "check_results", load_style("check_results"))
    again = write_layer_style(gpkg, "check_results", load_style("conflicts"),
                              description="second")
    assert again == first
    rows = _rows(gpkg, "SELECT * FROM layer_styles")
    assert len(rows) == 1 and rows[0]["description"] == "second"
    assert 'attr="status"' in rows[0]["styleQML"] and "SimpleFill" in rows[0]["styleQML"]
    assert "labeling" not in rows[0]["styleQML"]  # the conflicts QML replaced it

    other = write_layer_style(gpkg, "check_results", load_style("check_results"),
                              name="with labels")
    assert other != first
    rows = {r["styleName"]: r["useAsDefault"]
            for r in _rows(gpkg, "SELECT * FROM layer_styles")}
    assert rows == {"check_results": 0, "with labels": 1}

    write_layer_style(gpkg, "check_results", load_style("check_results"), name="spare",
                      use_as_default=False)
    rows = {r["styleName"]: r["useAsDefault"]
            for r in _rows(gpkg, "SELECT * FROM layer_styles")}
    assert rows == {"check_results": 0, "with labels": 1, "spare": 0}
    assert _rows(gpkg, "SELECT feature_count FROM gpkg_ogr_contents "
                       "WHERE table_name = 'layer_styles'") == [{"feature_count": 3}]
    assert pyogrio.read_info(gpkg, layer="layer_styles")["features"] == 3


def test_refusals_leave_the_file_unchanged(gpkg, tmp_path):
    data = gpkg.read_bytes()
    with pytest.raises(WorkspaceError) as info:
        write_layer_style(gpkg, "requests", load_style("check_results"))
    assert "check_results" in str(info.value)  # names the layers it has
    with pytest.raises(WorkspaceError):
        write_layer_style(gpkg, "check_results", "<not-qgis/>")
    with pytest.raises(WorkspaceError):
        write_layer_style(gpkg, "check_results", "<qgis>")
    assert gpkg.read_bytes() == data

    with pytest.raises(WorkspaceError):
        write_layer_style(tmp_path / "missing.gpkg", "check_results", load_style("conflicts"))
    plain = tmp_path / "plain.sqlite"
    sqlite3.connect(plain).close()
    with pytest.raises(WorkspaceError):
        write_layer_style(plain, "check_results", load_style("conflicts"))


def test_a_foreign_layer_styles_table_is_not_overwritten(gpkg):
    with sqlite3.connect(gpkg) as con:
        con.execute("CREATE TABLE layer_styles (id INTEGER PRIMARY KEY, styleName TEXT)")
    with pytest.raises(WorkspaceError) as info:
        write_layer_style(gpkg, "check_results", load_style("check_results"))
    assert "styleQML" in str(info.value)
