"""Where a photo lies against its feature as the feature is now, and a feature with nothing
to measure against. Distances expected here come from pyproj Geod, not from landtool."""

from __future__ import annotations

import json
import shutil

import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Geod

from landtool.cli import main
from landtool.photos import PhotoError, attach, photos
from landtool.sample_photos import make_jpeg
from landtool.workspace import Workspace

GEOD = Geod(ellps="WGS84")


@pytest.fixture
def ws(sample_ws, tmp_path):
    dest = tmp_path / "ws.gpkg"
    shutil.copy(sample_ws, dest)
    return Workspace(dest)


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _parcels(ws):
    return ws.read("rehab_parcels")


def test_photos_list_measures_against_the_parcel_as_it_is_now(ws, tmp_path):
    parcels = _parcels(ws)
    rp = parcels[parcels["parcel_id"] == "RP-001"].geometry.iloc[0]
    x0, y0, x1, y1 = rp.bounds
    lon, lat = x1 + 0.004, (y0 + y1) / 2  # ~300 m east of the parcel
    make_jpeg(tmp_path / "east.jpg", lon=lon, lat=lat)
    attach(ws, [tmp_path / "east.jpg"], kind="rehab_parcels", subject_id="RP-001")
    before = json.loads(_cli("photos", "list", ws.path, "--json").output)["photos"][0]
    # at least the distance to the parcel's east edge along the parallel, by Geod
    assert before["outside"] and before["distance_m"] >= GEOD.inv(x1, lat, lon, lat)[2] - 1
    # the parcel redrawn to take the photo in (another program, or the app)
    grown = shapely.box(x0, y0, lon + 0.001, y1)
    parcels.loc[parcels["parcel_id"] == "RP-001", "geometry"] = shapely.MultiPolygon([grown])
    Workspace(ws.path).update("rehab_parcels", parcels, note="redrawn")
    now = json.loads(_cli("photos", "list", ws.path, "--json").output)["photos"][0]
    assert not now["outside"] and now["distance_m"] == 0.0
    table = _cli("photos", "list", ws.path).output
    assert "east.jpg" in table and " !" not in table.split("\n")[1]


def test_a_feature_without_a_polygon_takes_no_photos(ws, tmp_path):
    parcels = _parcels(ws)
    near = parcels[parcels["parcel_id"] == "RP-002"].geometry.iloc[0].representative_point()
    parcels.loc[parcels["parcel_id"] == "RP-002", "geometry"] = None
    ws.update("rehab_parcels", parcels, note="geometry lost")
    make_jpeg(tmp_path / "a.jpg", lon=near.x, lat=near.y)
    with pytest.raises(PhotoError, match="has no polygon"):
        attach(ws, [tmp_path / "a.jpg"], kind="rehab_parcels", subject_id="RP-002")
    res = _cli("photos", "add", ws.path, "--parcel", "RP-002", tmp_path / "a.jpg")
    assert res.exit_code == 2 and "RP-002" in res.output and "Traceback" not in res.output
    assert photos(Workspace(ws.path)) == []
    assert pyogrio.read_info(ws.path, layer="rehab_parcels")["features"] == len(parcels)


def test_a_copy_reads_each_photo_when_it_writes_it(ws, tmp_path):
    # a workspace copy (push, pull, save as) holds one photo's bytes at a time, not all of
    # them: the snapshot keeps a reader per photo, and the copy has every photo byte for byte
    import hashlib

    from landtool.workspace.transfer import copy_workspace, snapshot

    parcels = _parcels(ws)
    p = parcels[parcels["parcel_id"] == "RP-001"].geometry.iloc[0].representative_point()
    files = []
    for k in range(3):
        files.append(tmp_path / f"p{k}.jpg")
        make_jpeg(files[-1], lon=p.x, lat=p.y, seed=k)
    attach(ws, files, kind="rehab_parcels", subject_id="RP-001")
    snap = snapshot(ws)
    assert len(snap.photos) == 3
    assert all(callable(read) and not isinstance(read, bytes) for _, read in snap.photos)
    copy = copy_workspace(ws, tmp_path / "copy.gpkg")
    from landtool.photos import photo_bytes

    assert [hashlib.sha256(photo_bytes(copy, q.photo_id)).hexdigest()
            for q in photos(copy)] == [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]
