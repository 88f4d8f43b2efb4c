"""The workspace GeoPackage: init, add, info, remove, and that failures change nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner

from landtool.cli import main
from landtool.errors import WorkspaceError
from landtool.io.load import load_layer
from landtool.paths import sample_data_dir
from landtool.workspace import Workspace

REAL = sample_data_dir() / "real"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def requests_file(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"request_id": ["R1", "R2"], "applicant": ["Алтан Шороо", "Bayan"], "members": [7, 4]},
        geometry=[shapely.box(106.6, 48.8, 106.603, 48.802),
                  shapely.box(106.7, 48.8, 106.702, 48.801)],
        crs=4326,
    )
    path = tmp_path / "req.geojson"
    gdf.to_file(path)
    return path


def test_init_add_read_info(tmp_path, requests_file):
    ws = Workspace.init(tmp_path / "ws.gpkg", title="test")
    assert ws.layers() == []
    record = ws.add(load_layer(requests_file, "requests"))
    assert (record.name, record.kind, record.feature_count) == ("requests", "requests", 2)
    got = ws.read("requests")
    assert list(got["request_id"]) == ["R1", "R2"]
    assert got.crs.to_epsg() == 4326
    (info,) = ws.info()
    assert info.feature_count == 2 and info.crs == "EPSG:4326"
    # extent: the union of the two boxes, by hand
    assert info.extent == pytest.approx((106.6, 48.8, 106.702, 48.802))
    assert info.problems == ()


def test_init_refuses_existing_file_unless_forced(tmp_path):
    path = tmp_path / "ws.gpkg"
    Workspace.init(path)
    with pytest.raises(WorkspaceError, match="already exists"):
        Workspace.init(path)
    Workspace.init(path, overwrite=True)


def test_duplicate_layer_name_refused_then_replaced(tmp_path, requests_file):
    ws = Workspace.init(tmp_path / "ws.gpkg")
    ws.add(load_layer(requests_file, "requests"))
    before = _digest(ws.path)
    with pytest.raises(WorkspaceError, match="already has a layer"):
        ws.add(load_layer(requests_file, "requests"))
    assert _digest(ws.path) == before
    ws.add(load_layer(requests_file, "requests"), replace=True)
    assert ws.layer_names() == ["requests"]
    ws.add(load_layer(requests_file, "requests"), name="requests_2")
    ws.remove("requests")
    assert ws.layer_names() == ["requests_2"]
    assert [n for n, _ in pyogrio.list_layers(ws.path) if n == "requests"] == []


def test_a_plain_geopackage_is_not_a_workspace(tmp_path):
    with pytest.raises(WorkspaceError, match="not a landtool workspace"):
        Workspace(REAL / "soums.gpkg")
    garbage = tmp_path / "garbage.gpkg"
    garbage.write_bytes(b"not sqlite at all" * 20)
    with pytest.raises(WorkspaceError, match="not a readable GeoPackage"):
        Workspace(garbage)


def test_info_reports_the_licence_that_breaks_when_projected(tmp_path):
    ws = Workspace.init(tmp_path / "ws.gpkg")
    ws.add(load_layer(REAL / "licenses_eiti.gpkg", "licenses"))
    (info,) = ws.info()
    assert info.feature_count == pyogrio.read_info(REAL / "licenses_eiti.gpkg")["features"]
    assert any(p.startswith("MV-00017425: becomes invalid when projected") for p in info.problems)


def test_cli_init_add_info(tmp_path, requests_file):
    ws = tmp_path / "cli.gpkg"
    runner = CliRunner()
    r = runner.invoke(main, ["workspace", "init", str(ws)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["workspace", "add", str(ws), str(requests_file), "--kind", "requests"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["workspace", "info", str(ws)])
    assert r.exit_code == 0, r.output
    line = next(ln for ln in r.output.splitlines() if ln.startswith("requests"))
    assert line.split()[:3] == ["requests", "requests", "2"]
    assert "EPSG:4326" in line and "106.6000, 48.8000, 106.7020, 48.8020" in line
    r = runner.invoke(main, ["workspace", "init", str(ws)])
    assert r.exit_code == 2 and "already exists" in r.output and "Traceback" not in r.output
