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
    assert ("MV-00017425: valid in degrees, but invalid once projected to a metric CRS (as in a "
            "GIS); landtool repairs it after every projection it makes") in info.problems


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


# -- reserved names, the records cache, removing cleanly -------------------------------------

@pytest.mark.parametrize("name", ["landtool_layers", "landtool_workspace", "landtool_x",
                                  "gpkg_contents", "gpkg_ogr_contents", "rtree_requests_geom",
                                  "sqlite_sequence", "layer_styles"])
def test_reserved_layer_names_are_refused(tmp_path, requests_file, name):
    ws = Workspace.init(tmp_path / "ws.gpkg")
    ws.add(load_layer(requests_file, "requests"))
    before = _digest(ws.path)
    with pytest.raises(WorkspaceError, match="reserved") as err:
        ws.add(load_layer(requests_file, "requests"), name=name)
    assert "--name" in err.value.hint
    assert _digest(ws.path) == before
    fresh = Workspace(ws.path)
    assert fresh.layer_names() == ["requests"] and len(fresh.read("requests")) == 2
    r = CliRunner().invoke(main, ["workspace", "add", str(ws.path), str(requests_file),
                                  "--kind", "requests", "--name", name])
    assert r.exit_code == 2 and "reserved" in r.output and "Traceback" not in r.output
    assert _digest(ws.path) == before


def _count_meta_reads(monkeypatch) -> list:
    import landtool.workspace.gpkg as module

    calls = []
    real = module.pyogrio.read_dataframe

    def counting(path, *args, **kwargs):
        if kwargs.get("layer") == module.META_TABLE:
            calls.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(module.pyogrio, "read_dataframe", counting)
    return calls


def test_records_are_read_once_per_instance(tmp_path, requests_file, monkeypatch):
    path = tmp_path / "ws.gpkg"
    Workspace.init(path).add(load_layer(requests_file, "requests"))
    calls = _count_meta_reads(monkeypatch)
    ws = Workspace(path)
    for _ in range(5):
        ws.read("requests")
        ws.record("requests")
    ws.layers_of_kind("requests")
    ws.info()
    assert len(calls) == 1
    # add and remove keep the records current
    ws.add(load_layer(requests_file, "requests"), name="more")
    assert ws.layer_names() == ["requests", "more"]
    ws.remove("requests")
    assert ws.layer_names() == ["more"]
    assert Workspace(path).layer_names() == ["more"]


def test_a_save_over_another_programs_change_is_refused(tmp_path, requests_file):
    from landtool.errors import StaleSaveError

    path = tmp_path / "ws.gpkg"
    Workspace.init(path).add(load_layer(requests_file, "requests"))
    mine, theirs = Workspace(path), Workspace(path)
    held = mine.read("requests")
    theirs.update("requests", theirs.read("requests").iloc[:1], note="theirs")
    with pytest.raises(StaleSaveError) as caught:
        mine.update("requests", held, note="mine")
    assert caught.value.layer == "requests" and "reopen the workspace" in str(caught.value)
    assert len(Workspace(path).read("requests")) == 1  # theirs kept, nothing of mine
    # a change that reads inside its own transaction is never stale
    assert mine.modify("requests", lambda gdf: (gdf, [], len(gdf)), note="re-read") == 1
    # and after its own save, the same instance saves again
    mine.update("requests", held, note="mine, after reading theirs")
    mine.update("requests", held.iloc[:2], note="mine again")
    assert len(Workspace(path).read("requests")) == 2


def test_a_save_refused_part_way_leaves_the_other_layers_saveable(tmp_path, requests_file):
    # one save of two layers (a batch) is refused on the second, which another program
    # changed; the first layer's save rolled back with it, so saving it again alone is not
    # "stale": nobody else changed it
    from landtool.errors import StaleSaveError

    path = tmp_path / "ws.gpkg"
    ws = Workspace.init(path)
    ws.add(load_layer(requests_file, "requests"))
    ws.add(load_layer(requests_file, "requests"), name="more")
    mine, theirs = Workspace(path), Workspace(path)
    reqs, more = mine.read("requests"), mine.read("more")
    theirs.update("more", theirs.read("more").iloc[:1], note="theirs")
    with pytest.raises(StaleSaveError), mine.batch("save"):
        mine.update("requests", reqs.iloc[:2], note="mine")
        mine.update("more", more, note="mine")
    assert len(Workspace(path).read("requests")) == len(reqs)  # rolled back
    mine.update("requests", reqs.iloc[:2], note="mine, alone")
    assert len(Workspace(path).read("requests")) == 2


def test_remove_deletes_every_row_and_closes_its_connection(tmp_path, requests_file,
                                                            monkeypatch):
    import sqlite3

    import landtool.workspace.gpkg as module

    ws = Workspace.init(tmp_path / "ws.gpkg")
    ws.add(load_layer(requests_file, "requests"))
    ws.add(load_layer(requests_file, "requests"), name="requests_b")

    def rows(table, name):
        con = sqlite3.connect(ws.path)
        try:
            return con.execute(f"SELECT count(*) FROM {table} WHERE table_name = ?",
                               (name,)).fetchone()[0]
        finally:
            con.close()

    assert rows("gpkg_ogr_contents", "requests") == 1  # GDAL's feature-count cache
    opened = []
    real_connect = sqlite3.connect
    monkeypatch.setattr(module.sqlite3, "connect",
                        lambda *a, **k: opened.append(real_connect(*a, **k)) or opened[-1])
    ws.remove("requests")
    assert opened
    for con in opened:  # closed: a closed connection refuses to run anything
        with pytest.raises(sqlite3.ProgrammingError):
            con.execute("SELECT 1")
    for table in ("gpkg_ogr_contents", "gpkg_contents", "gpkg_geometry_columns",
                  "gpkg_extensions"):
        assert rows(table, "requests") == 0, table
    # the other layer, whose name starts the same way, keeps its spatial index and its rows
    con = real_connect(ws.path)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    con.close()
    assert "requests" not in tables and "rtree_requests_geom" not in tables
    assert "rtree_requests_b_geom" in tables and rows("gpkg_ogr_contents", "requests_b") == 1
    assert len(Workspace(ws.path).read("requests_b", bbox=(106.59, 48.79, 106.61, 48.81))) == 1


# -- info: the same outside-Mongolia test as loading, the projection note found once --------

def test_info_outside_mongolia_uses_the_country_outline(tmp_path):
    # (119.0, 42.0) is in Inner Mongolia, China: inside Mongolia's bounding box
    # (87.7-119.9E, 41.6-52.2N) but some 500 km from the border (at 119E it runs near 46.5N).
    gdf = gpd.GeoDataFrame(
        {"request_id": ["R-IN", "R-CN"], "applicant": ["A", "B"]},
        geometry=[shapely.box(106.6, 48.8, 106.603, 48.802), shapely.box(119.0, 42.0, 119.003,
                                                                         42.002)],
        crs=4326)
    src = tmp_path / "req.geojson"
    gdf.to_file(src)
    layer = load_layer(src, "requests")
    assert [(p.feature, p.what) for p in layer.problems] == [("R-CN", "outside")]
    ws = Workspace.init(tmp_path / "ws.gpkg")
    ws.add(layer)
    (info,) = ws.info()
    assert info.problems == ("R-CN: outside Mongolia",)


def test_projection_note_is_found_once_per_load(tmp_path, monkeypatch):
    import landtool.io.load
    import landtool.validate

    calls = []
    real = landtool.validate.invalid_when_projected

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(landtool.io.load, "invalid_when_projected", counting)
    monkeypatch.setattr("landtool.workspace.base.invalid_when_projected", counting)
    gdf = pyogrio.read_dataframe(REAL / "licenses_eiti.gpkg",
                                 where="licence_code IN ('MV-00017425', 'XV-00020535', "
                                 "'MV-00017424')")
    src = tmp_path / "lic.gpkg"
    pyogrio.write_dataframe(gdf, src)
    ws = Workspace.init(tmp_path / "ws.gpkg")
    layer = load_layer(src, "licenses")
    ws.add(layer)
    assert len(calls) == 1
    note = ("valid in degrees, but invalid once projected to a metric CRS (as in a GIS); "
            "landtool repairs it after every projection it makes")
    # independently: valid as read, invalid after geopandas' to_crs to an Albers projection
    albers = gdf.to_crs("+proj=aea +lat_0=47 +lon_0=104 +lat_1=43.5 +lat_2=50.5 +datum=WGS84 "
                        "+units=m +no_defs")
    expected = list(gdf["licence_code"][gdf.is_valid & ~albers.is_valid])
    assert len(gdf) == 3 and "MV-00017425" in expected
    assert sorted(f"{p.feature}: {p.message}" for p in layer.problems if p.what == "note") == [
        f"{fid}: {note}" for fid in sorted(expected)]
    (info,) = Workspace(ws.path).info()
    assert len(calls) == 1  # info reads what loading found
    assert sorted(p for p in info.problems if note in p) == [f"{fid}: {note}"
                                                              for fid in sorted(expected)]


def test_init_stores_extra_info_values(tmp_path):
    ws = Workspace.init(tmp_path / "ws.gpkg", title="Мандал", extra={"generator": "abc123"})
    values = Workspace(ws.path).info_values()
    assert values["title"] == "Мандал" and values["generator"] == "abc123"
    assert values["format_version"] == "1" and values["created_at"]
    with pytest.raises(WorkspaceError, match="title"):
        Workspace.init(tmp_path / "other.gpkg", extra={"title": "x"})
