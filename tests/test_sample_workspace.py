"""The bundled sample workspace: every layer present with the right count, via the CLI.

Expected counts: the real files' own feature counts read with pyogrio (independent of the
loader), and the synthetic counts the foundation issue asks for (8 land conclusions, 12 ASM
contracts, 30 rehabilitation parcels, 15 requests, 1 protected area).
"""

from __future__ import annotations

import json

import pyogrio
import rasterio
from click.testing import CliRunner

from landtool.cli import main
from landtool.paths import sample_data_dir

REAL = sample_data_dir() / "real"
REAL_FILES = {
    "aimags": ("aimags", "aimags.gpkg"),
    "soums": ("soums", "soums.gpkg"),
    "licenses": ("licenses", "licenses_eiti.gpkg"),
    "settlements": ("settlements", "soum_centers.gpkg"),
    "roads": ("roads", "roads.gpkg"),
    "lakes": ("water_areas", "lakes_alagac.gpkg"),
    "rivers": ("water_lines", "rivers.gpkg"),
}
SYNTHETIC = {
    "land_conclusions": ("land_conclusions", 8),
    "asm_contracts": ("asm_contracts", 12),
    "rehab_parcels": ("rehab_parcels", 30),
    "requests": ("requests", 15),
    "protected_areas": ("protected_areas", 1),
}


def test_workspace_info_lists_every_layer_with_correct_counts(sample_ws):
    result = CliRunner().invoke(main, ["workspace", "info", str(sample_ws), "--json"])
    assert result.exit_code == 0, result.output
    layers = {row["name"]: row for row in json.loads(result.output)}
    for name, (kind, filename) in REAL_FILES.items():
        assert layers[name]["kind"] == kind
        assert layers[name]["features"] == pyogrio.read_info(REAL / filename)["features"], name
    assert layers["licenses"]["features"] == 3439 and layers["soums"]["features"] == 339
    for name, (kind, count) in SYNTHETIC.items():
        assert (layers[name]["kind"], layers[name]["features"]) == (kind, count)
    for kind in ("water_lines", "water_areas", "water_points"):
        assert any(row["kind"] == kind and row["name"] not in REAL_FILES
                   for row in layers.values()), f"no synthetic {kind} layer"
    for row in layers.values():
        assert row["crs"] == "EPSG:4326"
        minx, miny, maxx, maxy = row["extent"]
        assert 87.5 < minx <= maxx < 120.0 and 41.5 < miny <= maxy < 52.3


def test_table_output_is_readable(sample_ws):
    result = CliRunner().invoke(main, ["workspace", "info", str(sample_ws)])
    assert result.exit_code == 0, result.output
    assert "16 layers" in result.output
    assert "MV-00017425: becomes invalid when projected" in result.output


def test_synthetic_features_are_marked(sample_ws):
    import geopandas as gpd

    for name in SYNTHETIC:
        gdf = gpd.read_file(sample_ws, layer=name)
        assert gdf["synthetic"].astype(bool).all(), name


def test_the_dem_sits_beside_the_workspace(sample_ws):
    with rasterio.open(sample_ws.parent / "mandal_dem.tif") as dem:
        assert dem.crs.to_epsg() == 32648 and dem.res == (5.0, 5.0)
