"""Photographs as evidence (issue 17): EXIF read, kept in the workspace byte for byte
(GeoPackage related tables and PostgreSQL), seen by ogrinfo, flagged outside their parcel,
bad input refused file by file."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
from datetime import datetime

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image
from PIL.TiffImagePlugin import IFDRational
from pyproj import Geod
from system_tools import program

from landtool.cli import main
from landtool.photos import PhotoError, attach, photo_bytes, photos, read_jpeg
from landtool.sample_photos import make_jpeg
from landtool.workspace import Workspace, open_workspace, transfer


def _jpeg(gps: dict | None = None, *, sub: dict | None = None, size=(640, 480)) -> bytes:
    """A JPEG whose EXIF GPS IFD is exactly ``gps`` (written with Pillow's own Exif)."""
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "TestMake", "TestModel"
    if gps:
        exif[0x8825] = gps
    if sub:
        exif[0x8769] = sub
    buf = io.BytesIO()
    rng = np.random.default_rng(1)
    Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)).save(
        buf, "JPEG", quality=85, exif=exif.tobytes())
    return buf.getvalue()


def _r(n, d=1):
    return IFDRational(n, d)


# 48° 41' 13.2" N = 48 + 41/60 + 13.2/3600 = 48 + 0.683333… + 0.003666… = 48.687 exactly;
# 106° 31' 6.6" E = 106 + 31/60 + 6.6/3600 = 106 + 0.516666… + 0.001833… = 106.5185 exactly
NORTH_EAST = {1: "N", 2: (_r(48), _r(41), _r(132, 10)), 3: "E",
              4: (_r(106), _r(31), _r(66, 10)), 16: "M", 17: _r(2705, 10)}
# 33° 15' 0" S = -(33 + 15/60) = -33.25; 70° 30' 36" W = -(70 + 30/60 + 36/3600) = -70.51
SOUTH_WEST = {1: "S", 2: (_r(33), _r(15), _r(0)), 3: "W", 4: (_r(70), _r(30), _r(36))}


def test_exif_position_time_direction_camera_read_as_written():
    info = read_jpeg(_jpeg(NORTH_EAST, sub={0x9003: "2026:06:01 10:20:30",
                                            0x9011: "+08:00"}), "ne.jpg")
    assert info.lat == pytest.approx(48.687, abs=1e-12)
    assert info.lon == pytest.approx(106.5185, abs=1e-12)
    assert info.direction_deg == pytest.approx(270.5) and info.direction_ref == "M"
    assert info.taken_at == "2026-06-01T10:20:30+08:00"
    assert info.camera == "TestMake TestModel"
    assert (info.width, info.height) == (640, 480)
    thumb = Image.open(io.BytesIO(info.thumbnail))
    assert thumb.format == "JPEG" and max(thumb.size) == 320

    sw = read_jpeg(_jpeg(SOUTH_WEST), "sw.jpg")
    assert (sw.lat, sw.lon) == (pytest.approx(-33.25, abs=1e-12), pytest.approx(-70.51, abs=1e-12))
    assert sw.direction_deg is None and sw.taken_at is None

    none = read_jpeg(_jpeg(None), "plain.jpg")
    assert none.lon is None and none.lat is None


@pytest.fixture
def ws(sample_ws, tmp_path):
    dest = tmp_path / "ws.gpkg"
    shutil.copy(sample_ws, dest)
    return Workspace(dest)


def _parcel(ws, pid="RP-001"):
    g = ws.read("rehab_parcels")
    return g[g["parcel_id"] == pid].geometry.iloc[0]


def _inside(ws, pid="RP-001"):
    p = _parcel(ws, pid).representative_point()
    return p.x, p.y


def test_photo_round_trips_through_geopackage_byte_for_byte(ws, tmp_path):
    lon, lat = _inside(ws)
    path = tmp_path / "site.jpg"
    data = make_jpeg(path, lon=lon, lat=lat, taken=datetime(2026, 6, 1, 9, 0, 0),
                     direction=45.0)
    result = attach(ws, [path], kind="rehab_parcels", subject_id="RP-001", user="tester")
    assert [p.photo_id for p in result.added] == [1] and not result.failed

    again = Workspace(ws.path)  # another opener of the file
    (photo,) = photos(again, kind="rehab_parcels", subject_id="RP-001")
    assert hashlib.sha256(photo_bytes(again, 1)).hexdigest() == \
        hashlib.sha256(data).hexdigest() == photo.sha256
    assert photo.size_bytes == len(data) and photo.file_name == "site.jpg"
    # the stored position is the EXIF one (seconds written to 1/10000: 0.00000003° apart)
    assert photo.lon == pytest.approx(lon, abs=1e-7) and photo.lat == pytest.approx(lat, abs=1e-7)
    assert read_jpeg(photo_bytes(again, 1)).lon == photo.lon
    assert photo.position_source == "exif" and photo.added_by == "tester"
    assert photo.direction_deg == pytest.approx(45.0) and not photo.outside
    assert photo.distance_m == 0.0


def test_ogrinfo_sees_the_related_tables_and_the_points(ws, tmp_path):
    lon, lat = _inside(ws)
    paths = [tmp_path / f"{k}.jpg" for k in range(2)]
    for k, p in enumerate(paths):
        make_jpeg(p, lon=lon + k * 1e-5, lat=lat, seed=k)
    attach(ws, paths, kind="rehab_parcels", subject_id="RP-001")
    # the parcels layer written anew (as any status change does): its fids move
    g = ws.read("rehab_parcels")
    ws.update("rehab_parcels", g.iloc[::-1].reset_index(drop=True), note="reordered")

    def ogr(*args):
        out = subprocess.run([program("ogrinfo"), "-ro", "-q", str(ws.path), *args],
                             capture_output=True, text=True, check=True)
        return out.stdout

    listing = subprocess.run([program("ogrinfo"), "-ro", str(ws.path)], capture_output=True,
                             text=True, check=True).stdout
    assert "landtool_photos (Point)" in listing
    assert "landtool_photo_media (None)" in listing
    summary = subprocess.run([program("ogrinfo"), "-ro", "-so", str(ws.path), "landtool_photos"],
                             capture_output=True, text=True, check=True).stdout
    assert "Feature Count: 2" in summary and "EPSG\",4326" in summary
    rel = ogr("-sql", "SELECT base_table_name, base_primary_column, related_table_name, "
              "relation_name, mapping_table_name FROM gpkgext_relations")
    for text in ("base_table_name (String) = rehab_parcels", "base_primary_column (String) = fid",
                 "related_table_name (String) = landtool_photo_media",
                 "relation_name (String) = media",
                 "mapping_table_name (String) = landtool_photo_map_rehab_parcels"):
        assert text in rel
    ext = ogr("-sql", "SELECT table_name FROM gpkg_extensions WHERE extension_name = "
              "'gpkg_related_tables'")
    assert ext.count("table_name (String) = gpkgext_relations") == 1
    assert ext.count("table_name (String) = landtool_photo_map_rehab_parcels") == 1
    # the mapping points at the parcel's fid as it is NOW, and at the media rows
    joined = ogr("-sql", "SELECT count(*) AS n FROM landtool_photo_map_rehab_parcels m JOIN "
                 "rehab_parcels r ON r.fid = m.base_id JOIN landtool_photo_media p ON "
                 "p.id = m.related_id WHERE r.parcel_id = 'RP-001' AND "
                 "p.content_type = 'image/jpeg'")
    assert "n (Integer) = 2" in joined
    media = ogr("-sql", "SELECT length(data) AS n FROM landtool_photo_media ORDER BY id")
    assert f"n (Integer) = {paths[0].stat().st_size}" in media


def _geod_distance_to_boundary(lon, lat, polygon, per_edge=2000) -> float:
    """Independent: the least Geod.inv distance from the point to the boundary densified
    along geodesics (pyproj Geod.npts), not landtool.geodesy."""
    geod = Geod(ellps="WGS84")
    best = np.inf
    for ring in [polygon.exterior, *polygon.interiors] if polygon.geom_type == "Polygon" else \
            [r for p in polygon.geoms for r in (p.exterior, *p.interiors)]:
        xy = list(ring.coords)
        for (x1, y1), (x2, y2) in zip(xy[:-1], xy[1:], strict=True):
            pts = [(x1, y1), *geod.npts(x1, y1, x2, y2, per_edge), (x2, y2)]
            xs, ys = np.array(pts).T
            _, _, d = geod.inv(np.full(len(xs), lon), np.full(len(xs), lat), xs, ys)
            best = min(best, float(d.min()))
    return best


def test_a_photo_outside_its_parcel_is_flagged_with_the_geodesic_distance(ws, tmp_path):
    parcel = _parcel(ws)
    c = parcel.centroid
    geod = Geod(ellps="WGS84")
    minx, miny, maxx, maxy = parcel.bounds
    # 300 m east of the parcel's eastern edge, and 30 m east of it (within 50 m)
    far_lon, _, _ = geod.fwd(maxx, c.y, 90, 300)
    near_lon, _, _ = geod.fwd(maxx, c.y, 90, 30)
    paths = [tmp_path / "far.jpg", tmp_path / "near.jpg"]
    make_jpeg(paths[0], lon=far_lon, lat=c.y)
    make_jpeg(paths[1], lon=near_lon, lat=c.y)
    added = attach(ws, paths, kind="rehab_parcels", subject_id="RP-001").added
    far, near = added
    # EXIF keeps seconds to 1/10000 (3 mm): the expectation uses the stored position
    assert far.distance_m == pytest.approx(
        _geod_distance_to_boundary(far.lon, far.lat, parcel), abs=0.05)
    assert near.distance_m == pytest.approx(
        _geod_distance_to_boundary(near.lon, near.lat, parcel), abs=0.05)
    assert 29.99 < near.distance_m < 50 and far.distance_m > 299.99  # east of every vertex
    assert far.outside and not near.outside
    make_jpeg(tmp_path / "n2.jpg", lon=near_lon, lat=c.y, seed=3)
    tight = attach(ws, [tmp_path / "n2.jpg"], kind="rehab_parcels", subject_id="RP-001",
                   tolerance_m=10).added[0]
    assert tight.outside and tight.tolerance_m == 10


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_bad_files_are_named_and_the_rest_attached(ws, tmp_path):
    lon, lat = _inside(ws)
    good = tmp_path / "good.jpg"
    make_jpeg(good, lon=lon, lat=lat)
    nogps = tmp_path / "nogps.jpg"
    make_jpeg(nogps)
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    png = tmp_path / "map.png"
    Image.new("RGB", (10, 10)).save(png)
    text = tmp_path / "notes.jpg"
    text.write_text("not a photo")
    missing = tmp_path / "gone.jpg"
    earlier = tmp_path / "earlier.jpg"
    make_jpeg(earlier, lon=lon, lat=lat, seed=9)
    assert _cli("photos", "add", ws.path, "--parcel", "RP-001", earlier).exit_code == 0

    res = _cli("photos", "add", ws.path, "--parcel", "RP-001", good, nogps, cut, png, text,
               missing)
    assert res.exit_code == 2
    err = res.stderr if hasattr(res, "stderr") else res.output
    assert f"{nogps}: has no GPS position" in err and "--at LON,LAT" in err
    assert f"{cut}: is a damaged JPEG" in err
    assert f"{png}: is not a JPEG photo" in err and f"{text}: is not a JPEG photo" in err
    assert f"{missing}: cannot be read" in err
    assert "Traceback" not in res.output
    kept = photos(Workspace(ws.path))
    assert [p.file_name for p in kept] == ["earlier.jpg", "good.jpg"]  # nothing lost
    assert photo_bytes(ws, kept[0].photo_id) == earlier.read_bytes()

    # placed by hand: --at for the photo without GPS; a photo with GPS keeps its own
    res = _cli("photos", "add", ws.path, "--parcel", "RP-001", nogps, "--at", f"{lon},{lat}")
    assert res.exit_code == 0, res.output
    placed = photos(ws)[-1]
    assert placed.position_source == "by hand" and (placed.lon, placed.lat) == (lon, lat)

    # the same bytes again: not added twice
    res = _cli("photos", "add", ws.path, "--parcel", "RP-001", good)
    assert res.exit_code == 0 and "already attached to RP-001 as photo 2" in res.output
    assert len(photos(ws)) == 3

    # an unknown parcel: nothing attached, exit 2
    res = _cli("photos", "add", ws.path, "--parcel", "RP-999", good)
    assert res.exit_code == 2 and "no rehabilitation parcel 'RP-999'" in res.output
    assert len(photos(ws)) == 3
    res = _cli("photos", "add", ws.path, "--request", "NOPE", good)
    assert res.exit_code == 2 and "no request 'NOPE'" in res.output
    assert _cli("photos", "add", ws.path, good).exit_code == 2  # neither --parcel nor --request
    assert _cli("photos", "add", ws.path, "--parcel", "RP-001", good, "--at",
                "x").exit_code == 2


def test_cli_list_and_get(ws, tmp_path):
    req = ws.read("requests").iloc[0]
    p = req.geometry.representative_point()
    photo = tmp_path / "req.jpg"
    make_jpeg(photo, lon=p.x, lat=p.y, taken=datetime(2026, 5, 2, 8, 0, 0), offset=None)
    res = _cli("photos", "add", ws.path, "--request", req["request_id"], photo)
    assert res.exit_code == 0, res.output
    listed = json.loads(_cli("photos", "list", ws.path, "--json").output)
    (row,) = listed["photos"]
    assert row["subject_kind"] == "requests" and row["subject_id"] == req["request_id"]
    assert row["taken_at"] == "2026-05-02T08:00:00" and "Geod" in listed["distance_method"]
    assert json.loads(_cli("photos", "list", ws.path, "--parcel", "RP-001",
                           "--json").output)["photos"] == []
    out = tmp_path / "back.jpg"
    assert _cli("photos", "get", ws.path, 1, out).exit_code == 0
    assert out.read_bytes() == photo.read_bytes()
    again = _cli("photos", "get", ws.path, 1, out)
    assert again.exit_code == 2 and "already exists" in again.output
    assert _cli("photos", "get", ws.path, 7, tmp_path / "x.jpg").exit_code == 2
    assert not (tmp_path / "x.jpg").exists()


def test_photos_follow_a_removed_layer_without_being_lost(ws, tmp_path):
    lon, lat = _inside(ws)
    make_jpeg(tmp_path / "a.jpg", lon=lon, lat=lat)
    attach(ws, [tmp_path / "a.jpg"], kind="rehab_parcels", subject_id="RP-001")
    ws.remove("rehab_parcels")
    assert photo_bytes(ws, 1) == (tmp_path / "a.jpg").read_bytes()
    out = subprocess.run([program("ogrinfo"), "-ro", "-q", str(ws.path), "-sql",
                          "SELECT count(*) AS n FROM gpkgext_relations"],
                         capture_output=True, text=True, check=True).stdout
    assert "n (Integer) = 0" in out


def test_photo_round_trips_through_postgresql_and_push_pull(ws, tmp_path, pg_url):
    lon, lat = _inside(ws)
    first = tmp_path / "first.jpg"
    make_jpeg(first, lon=lon, lat=lat, direction=10.0, taken=datetime(2026, 6, 3, 11, 0, 0))
    attach(ws, [first], kind="rehab_parcels", subject_id="RP-001")
    pg = transfer.push(ws.path, pg_url)  # push copies the photo
    (pushed,) = photos(pg)
    assert photo_bytes(pg, 1) == first.read_bytes()

    second = tmp_path / "second.jpg"
    data = make_jpeg(second, lon=lon + 2e-5, lat=lat, seed=5)
    added = attach(pg, [second], kind="rehab_parcels", subject_id="RP-001").added
    assert [p.photo_id for p in added] == [2]
    again = open_workspace(pg_url)
    assert hashlib.sha256(photo_bytes(again, 2)).hexdigest() == hashlib.sha256(data).hexdigest()
    stored = photos(again, ids=[2])[0]
    assert (stored.lon, stored.lat) == (read_jpeg(data).lon, read_jpeg(data).lat)

    back = transfer.pull(pg_url, tmp_path / "pulled.gpkg")
    assert [(p.photo_id, p.sha256, p.lon, p.lat, p.taken_at, p.direction_deg)
            for p in photos(back)] == \
        [(p.photo_id, p.sha256, p.lon, p.lat, p.taken_at, p.direction_deg)
         for p in photos(again)]
    assert photo_bytes(back, 2) == data and photo_bytes(back, 1) == first.read_bytes()
    assert photos(back)[0] == pushed  # every field, the thumbnail too


def test_an_officer_attaches_and_a_viewer_may_not(ws, tmp_path, pg_url):
    from landtool.workspace.users import add_user

    transfer.push(ws.path, pg_url)
    owner = open_workspace(pg_url)
    add_user(owner, "ph_officer", "officer", "po")
    add_user(owner, "ph_viewer", "viewer", "pv")
    rest = pg_url.split("@", 1)[1]
    lon, lat = _inside(ws)
    make_jpeg(tmp_path / "o.jpg", lon=lon, lat=lat)
    officer = open_workspace(f"postgresql://ph_officer:po@{rest}")
    assert len(attach(officer, [tmp_path / "o.jpg"], kind="rehab_parcels",
                      subject_id="RP-001").added) == 1
    viewer = open_workspace(f"postgresql://ph_viewer:pv@{rest}")
    assert photo_bytes(viewer, 1) == (tmp_path / "o.jpg").read_bytes()
    make_jpeg(tmp_path / "v.jpg", lon=lon, lat=lat, seed=2)
    with pytest.raises(Exception) as refused:
        attach(viewer, [tmp_path / "v.jpg"], kind="rehab_parcels", subject_id="RP-001")
    assert "refused" in str(refused.value)
    assert len(photos(owner)) == 1


def test_an_unreadable_gps_position_is_refused_clearly():
    bad = {1: "Q", 2: (_r(48), _r(0), _r(0)), 3: "E", 4: (_r(106), _r(0), _r(0))}
    with pytest.raises(PhotoError, match="GPS position that cannot be read"):
        read_jpeg(_jpeg(bad), "bad.jpg")
    zero = {1: "N", 2: (_r(48), _r(1, 0), _r(0)), 3: "E", 4: (_r(106), _r(0), _r(0))}
    with pytest.raises(PhotoError):
        read_jpeg(_jpeg(zero), "zero.jpg")


def test_a_camera_file_gives_its_own_thumbnail_and_a_cut_one_is_still_refused():
    data = make_jpeg(width=1600, height=1200, lon=106.5185, lat=48.687, camera_thumbnail=True)
    info = read_jpeg(data, "camera.jpg")
    thumb = Image.open(io.BytesIO(info.thumbnail))
    assert thumb.size == (160, 120)  # the EXIF IFD1 thumbnail, not a decoded 320 px one
    assert (info.lon, info.lat) == (pytest.approx(106.5185, abs=1e-7),
                                    pytest.approx(48.687, abs=1e-7))
    with pytest.raises(PhotoError, match="damaged JPEG"):  # no end marker: decoded, refused
        read_jpeg(data[: len(data) * 2 // 3], "cut.jpg")
    # data after the end marker (as some phones append): the picture is decoded instead
    trailer = read_jpeg(data + b"MOTION-PHOTO-TRAILER", "trailer.jpg")
    assert max(Image.open(io.BytesIO(trailer.thumbnail)).size) == 320


def test_a_thumbnail_of_another_shape_is_not_used_the_picture_is_decoded():
    from landtool.sample_photos import picture, thumbnail_of

    # cropped to 1600 × 900 by a program that kept the camera's 4:3 thumbnail
    stale = thumbnail_of(picture(1600, 1200, seed=3))  # 160 × 120
    info = read_jpeg(make_jpeg(width=1600, height=900, lon=106.5, lat=48.7, thumbnail=stale),
                     "cropped.jpg")
    # decoded from the picture itself: 320 px wide, 1600:900 = 320:180
    assert Image.open(io.BytesIO(info.thumbnail)).size == (320, 180)
    # a 3:2 photo's own thumbnail, 160 × 107 (0.3 % off by rounding), is used
    own = thumbnail_of(picture(1500, 1000, seed=4))
    assert Image.open(io.BytesIO(own)).size == (160, 107)
    info = read_jpeg(make_jpeg(width=1500, height=1000, lon=106.5, lat=48.7, thumbnail=own),
                     "camera.jpg")
    assert Image.open(io.BytesIO(info.thumbnail)).size == (160, 107)


def test_a_shared_workspace_made_before_photos_gets_its_tables_from_the_owner(ws, tmp_path,
                                                                               pg_url):
    import psycopg

    from landtool.errors import WorkspaceError
    from landtool.workspace.users import add_user

    assert photos(ws) == []  # a GeoPackage made before photos: none, and nothing written
    transfer.push(ws.path, pg_url)
    with psycopg.connect(pg_url, autocommit=True) as con:  # as an earlier landtool made it
        con.execute("DROP TABLE landtool_photos, landtool_photo_media")
    owner = open_workspace(pg_url)
    add_user(owner, "early_officer", "officer", "pe")
    officer = open_workspace(f"postgresql://early_officer:pe@{pg_url.split('@', 1)[1]}")
    lon, lat = _inside(ws)
    make_jpeg(tmp_path / "a.jpg", lon=lon, lat=lat)
    assert photos(officer) == []
    with pytest.raises(WorkspaceError, match="made before photos") as refused:
        attach(officer, [tmp_path / "a.jpg"], kind="rehab_parcels", subject_id="RP-001")
    assert "workspace upgrade" in str(refused.value)
    assert _cli("workspace", "upgrade", pg_url).exit_code == 0  # the owner, once
    assert len(attach(officer, [tmp_path / "a.jpg"], kind="rehab_parcels",
                      subject_id="RP-001").added) == 1
    assert photo_bytes(owner, 1) == (tmp_path / "a.jpg").read_bytes()
