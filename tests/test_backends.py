"""One set of tests for the interface both workspace backends share (landtool.workspace.base):
each runs on a GeoPackage file and on a shared PostgreSQL database."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from pyproj import Geod

from landtool.errors import WorkspaceError
from landtool.io.load import load_layer
from landtool.workspace import decisions, init_workspace

A = shapely.box(106.60, 48.80, 106.603, 48.802)
B = shapely.box(106.70, 48.80, 106.702, 48.801)
C = shapely.box(106.65, 48.75, 106.651, 48.751)


@pytest.fixture(params=["gpkg", "pg"])
def ws(request, tmp_path):
    if request.param == "gpkg":
        ws = init_workspace(tmp_path / "ws.gpkg", title="backends")
    else:
        ws = init_workspace(request.getfixturevalue("pg_url"), title="backends")
    yield ws
    ws.close()


@pytest.fixture
def requests_layer(tmp_path):
    gdf = gpd.GeoDataFrame({"request_id": ["R1", "R2"], "applicant": ["Алтан Шороо", "Bayan"]},
                           geometry=[A, B], crs=4326)
    path = tmp_path / "req.geojson"
    gdf.to_file(path)
    return load_layer(path, "requests")


def _ids(ws, name="requests"):
    return sorted(ws.read(name)["request_id"].astype(str))


def test_add_read_and_records(ws, requests_layer):
    record = ws.add(requests_layer)
    assert (record.name, record.kind, record.feature_count) == ("requests", "requests", 2)
    ws.reload()
    assert ws.layer_names() == ["requests"]
    got = ws.read("requests")
    assert got.crs.to_epsg() == 4326 and _ids(ws) == ["R1", "R2"]
    # the geometry comes back as it went in: geodesic area of box A by pyproj's Geod
    geod = Geod(ellps="WGS84")
    want = abs(geod.geometry_area_perimeter(A)[0])
    row = got[got["request_id"] == "R1"].geometry.iloc[0]
    assert abs(geod.geometry_area_perimeter(row)[0]) == pytest.approx(want, rel=1e-9)
    assert got[got["request_id"] == "R1"]["applicant"].iloc[0] == "Алтан Шороо"


def test_names_are_refused_before_anything_is_written(ws, requests_layer):
    ws.add(requests_layer)
    with pytest.raises(WorkspaceError, match="already has a layer"):
        ws.add(requests_layer)
    with pytest.raises(WorkspaceError, match="reserved"):
        ws.add(requests_layer, name="landtool_x")
    ws.reload()
    assert ws.layer_names() == ["requests"]


def test_update_replaces_features_and_notes_the_edit(ws, requests_layer):
    ws.add(requests_layer)
    gdf = ws.read("requests")
    ws.track("requests")
    edited = gdf[gdf["request_id"] == "R1"].copy()
    record = ws.update("requests", edited, note="kept R1 only")
    assert record.feature_count == 1 and record.problems[-1].endswith("kept R1 only")
    ws.reload()
    assert _ids(ws) == ["R1"] and ws.record("requests").feature_count == 1


def test_modify_logs_with_the_change(ws, requests_layer):
    ws.add(requests_layer)

    def change(gdf):
        gdf = gdf.copy()
        gdf["queue_no"] = [1, 2]
        return gdf, [("registered", "R1", {"queue_no": 1}, None),
                     ("registered", "R2", {"queue_no": 2}, None)], "done"

    assert ws.modify("requests", change, note="registered") == "done"
    log = decisions.entries(ws)
    assert [(e.seq, e.subject) for e in log] == [(1, "R1"), (2, "R2")]
    assert decisions.verify(ws).intact
    assert sorted(ws.read("requests")["queue_no"].tolist()) == [1, 2]


def test_a_failed_change_writes_nothing(ws, requests_layer):
    ws.add(requests_layer)
    gdf = ws.read("requests")
    ws.track("requests")
    with pytest.raises(RuntimeError, match="cut off"):
        with ws.transaction("test") as tx:
            ws.update("requests", gdf.iloc[:1], note="half")
            decisions.append_many(tx, [("registered", "R1", {"queue_no": 1}, None)])
            # what was appended inside is seen inside: the next entry would follow it
            assert [e.subject for e in decisions.entries(ws)] == ["R1"]
            raise RuntimeError("cut off")
    ws.reload()
    assert _ids(ws) == ["R1", "R2"] and ws.record("requests").feature_count == 2
    assert decisions.entries(ws) == []


def test_batch_lands_together(ws, requests_layer):
    ws.add(requests_layer)
    ws.add(requests_layer, name="other")
    a, b = ws.read("requests"), ws.read("other")
    ws.track("requests")
    ws.track("other")
    with ws.batch():
        ws.update("requests", a.iloc[:1], note="one")
        ws.update("other", b.iloc[1:], note="two")
        ws.save_checks([{"request_id": "R1", "eligible": 1}])
    ws.reload()
    assert _ids(ws) == ["R1"] and _ids(ws, "other") == ["R2"]
    assert ws.record("requests").problems[-1].endswith("one")
    assert ws.record("other").problems[-1].endswith("two")
    assert ws.checks()["request_id"].tolist() == ["R1"]


def test_save_checks_replaces_only_the_same_requests(ws):
    ws.save_checks([{"request_id": "R1", "eligible": 1}, {"request_id": "R2", "eligible": 0}])
    ws.save_checks([{"request_id": "R2", "eligible": 1}])
    table = ws.checks().sort_values("request_id")
    assert table["request_id"].tolist() == ["R1", "R2"]
    assert table["eligible"].astype(int).tolist() == [1, 1]


def test_remove(ws, requests_layer):
    ws.add(requests_layer)
    ws.add(requests_layer, name="other")
    ws.remove("requests")
    ws.reload()
    assert ws.layer_names() == ["other"]
    with pytest.raises(WorkspaceError, match="no layer"):
        ws.read("requests")
    ws.add(requests_layer)  # the name is free again, with its index and descriptions
    assert _ids(ws) == ["R1", "R2"]


def test_spatial_filter_uses_the_moved_index(ws, requests_layer):
    ws.add(requests_layer)
    # only B lies east of 106.65°
    got = ws.read("requests", bbox=(106.65, 48.7, 106.8, 48.9))
    assert got["request_id"].tolist() == ["R2"]
