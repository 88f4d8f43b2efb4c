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
    assert ("MV-00017425: valid in degrees, but invalid once projected to a metric CRS (as in a "
            "GIS); landtool repairs it after every projection it makes") in result.output


def test_synthetic_features_are_marked(sample_ws):
    import geopandas as gpd

    for name in SYNTHETIC:
        gdf = gpd.read_file(sample_ws, layer=name)
        assert gdf["synthetic"].astype(bool).all(), name


def test_the_dem_sits_beside_the_workspace(sample_ws):
    with rasterio.open(sample_ws.parent / "mandal_dem.tif") as dem:
        assert dem.crs.to_epsg() == 32648 and dem.res == (5.0, 5.0)


# -- an all-or-nothing build, rebuilt when its generator changes -----------------------------

def _fail_on_third_layer(monkeypatch):
    import landtool.sample_workspace as sw

    calls = []
    real = sw.load_layer

    def failing(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 3:
            raise RuntimeError("interrupted (simulated)")
        return real(*args, **kwargs)

    monkeypatch.setattr(sw, "load_layer", failing)
    return calls


def test_a_failed_build_leaves_no_partial_workspace(tmp_path, monkeypatch):
    import pytest

    from landtool.sample_workspace import build_sample_workspace

    calls = _fail_on_third_layer(monkeypatch)
    target = tmp_path / "sample.gpkg"
    with pytest.raises(RuntimeError, match="simulated"):
        build_sample_workspace(target)
    assert len(calls) == 3  # it failed part-way, after adding two layers
    assert list(tmp_path.iterdir()) == []  # no partial workspace, no temporary file


def test_a_failed_forced_rebuild_keeps_the_good_workspace(tmp_path, monkeypatch):
    import hashlib

    import pytest

    from landtool.sample_workspace import DEM_NAME, build_sample_workspace
    from landtool.workspace import Workspace

    target = tmp_path / "sample.gpkg"
    Workspace.init(target, title="the good one")
    (tmp_path / DEM_NAME).write_bytes(b"the good DEM")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    _fail_on_third_layer(monkeypatch)
    with pytest.raises(RuntimeError, match="simulated"):
        build_sample_workspace(target, overwrite=True)
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    assert after == before
    assert Workspace(target).info_values()["title"] == "the good one"


def test_the_sample_workspace_records_its_generator(sample_ws):
    from landtool.sample_workspace import GENERATOR_KEY, generator_fingerprint
    from landtool.workspace import Workspace

    recorded = Workspace(sample_ws).info_values()[GENERATOR_KEY]
    assert len(recorded) == 64 and recorded == generator_fingerprint()


def test_ensure_rebuilds_when_the_generator_changed(tmp_path, monkeypatch):
    import landtool.sample_workspace as sw
    from landtool.workspace import Workspace

    target = tmp_path / "ws" / "mandal_sample.gpkg"
    builds = []
    monkeypatch.setattr(sw, "sample_workspace_path", lambda: target)
    monkeypatch.setattr(sw, "build_sample_workspace",
                        lambda path, **kw: builds.append((path, kw.get("overwrite"))))
    assert sw.ensure_sample_workspace() == target and builds == [(target, True)]  # missing
    Workspace.init(target, extra={sw.GENERATOR_KEY: "an older generator"})
    (target.parent / sw.DEM_NAME).write_bytes(b"dem")
    (target.parent / sw.IMAGERY_NAME).write_bytes(b"imagery")
    builds.clear()
    sw.ensure_sample_workspace()
    assert builds == [(target, True)]  # built by another generator: rebuilt
    Workspace.init(target, overwrite=True,
                   extra={sw.GENERATOR_KEY: sw.generator_fingerprint()})
    builds.clear()
    sw.ensure_sample_workspace()
    assert builds == []  # current
    (target.parent / sw.DEM_NAME).unlink()
    sw.ensure_sample_workspace()
    assert builds == [(target, True)]  # its DEM is missing
    (target.parent / sw.DEM_NAME).write_bytes(b"dem")
    (target.parent / sw.IMAGERY_NAME).unlink()
    builds.clear()
    sw.ensure_sample_workspace()
    assert builds == [(target, True)]  # its imagery is missing


def test_the_fingerprint_follows_the_generator(tmp_path, monkeypatch):
    import shutil

    import landtool.sample_workspace as sw

    layers = tmp_path / "layers"
    shutil.copytree(sw.layers_dir() / "catalog", layers / "catalog")
    shutil.copytree(sw.layers_dir() / "rulesets", layers / "rulesets")
    monkeypatch.setenv("LANDTOOL_LAYERS_DIR", str(layers))
    first = sw.generator_fingerprint()
    assert sw.generator_fingerprint() == first  # deterministic
    forest = layers / "catalog" / "forest.toml"
    forest.write_text(forest.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    second = sw.generator_fingerprint()
    assert second != first
    # the saved check depends on the default ruleset too
    ruleset = layers / "rulesets" / "mn-asm-2022.toml"
    ruleset.write_text(ruleset.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert sw.generator_fingerprint() != second


def test_soums_get_their_cyrillic_names_from_the_licences(sample_ws):
    import geopandas as gpd

    soums = gpd.read_file(sample_ws, layer="soums").set_index("pcode")
    # Mandal (4322): the EITI portal's name for the soum of its licences
    assert soums.loc["4322", "name_mn"] == "Мандал"
    named = soums["name_mn"].notna().sum()
    # by an independent count: soum codes with a licence whose portal code matches its soum
    lic = pyogrio.read_dataframe(REAL / "licenses_eiti.gpkg", read_geometry=False)
    expected = lic[(lic["soum_code"] == lic["soum_pcode"]) & lic["soum_mn"].notna()][
        "soum_pcode"].nunique()
    assert named == expected == 262
