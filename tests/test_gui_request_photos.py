"""A request's photos in the app (issue 17): the map view's "Photos" tab follows the selected
request; "Attach photos…" in a worker (cancel attaches nothing; a viewer cannot attach),
thumbnails with time, position and the "outside the request" flag, photos without GPS placed
inside the request, and the selected request's photos ringed on the map."""

from __future__ import annotations

import os
import re
from datetime import datetime

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import shapely  # noqa: E402
from pyproj import Geod, Transformer  # noqa: E402

from landtool.photos import photos  # noqa: E402
from landtool.sample_photos import make_jpeg  # noqa: E402
from landtool.workspace import Workspace  # noqa: E402

LOAD_TIMEOUT_MS = 60_000
REQUEST = "REQ-2026-013"


@pytest.fixture
def window(sample_window):
    return sample_window()


def _request(win, rid=REQUEST):
    reqs = win.state.requests
    return reqs[reqs["request_id"].astype(str) == rid].geometry.iloc[0]


def _attach(qtbot, panel, files, **kw):
    with qtbot.waitSignal(panel.runner.done, timeout=LOAD_TIMEOUT_MS):
        panel.attach_files(files, **kw)


def _utm_distance_m(lon, lat, polygon) -> float:
    """The distance in UTM zone 48N (the sample's zone; scale error < 0.1 %): independent of
    the library's geodesic measure."""
    to_utm = Transformer.from_crs(4326, 32648, always_xy=True)
    poly = shapely.transform(polygon, to_utm.transform, interleaved=False)
    return poly.distance(shapely.Point(*to_utm.transform(lon, lat)))


def test_attach_to_the_selected_request_and_show_it(window, qtbot, tmp_path):
    panel = window.request_photos
    assert panel.request_id is None and not panel.attach_button.isEnabled()
    window.show_request(REQUEST)
    assert panel.request_id == REQUEST and panel.list.count() == 0
    assert panel.attach_button.isEnabled()
    assert window.docks["request_photos"].windowTitle() == "Photos"
    geom = _request(window)
    c = geom.representative_point()
    # 250 m east of the request's easternmost longitude, at the inner point's latitude
    east_lon = Geod(ellps="WGS84").fwd(geom.bounds[2], c.y, 90, 250)[0]
    files = [tmp_path / f"r{k}.jpg" for k in range(3)]
    make_jpeg(files[0], lon=c.x, lat=c.y, taken=datetime(2026, 8, 20, 9, 30), direction=120.0)
    make_jpeg(files[1], lon=east_lon, lat=c.y, seed=1)
    make_jpeg(files[2], seed=2)  # no GPS
    _attach(qtbot, panel, files)

    assert panel.list.count() == 2
    first, second = (panel.list.item(i) for i in range(2))
    assert not first.icon().isNull()
    lines = first.text().splitlines()
    assert lines[0] == "1 · 2026-08-20 09:30"
    assert lines[1] == f"{c.y:.5f}, {c.x:.5f}" and lines[2] == "in the request"
    shown = float(re.fullmatch(r"OUTSIDE by (\d+) m", second.text().splitlines()[2]).group(1))
    assert abs(shown - _utm_distance_m(east_lon, c.y, geom)) < 1.0
    assert second.foreground().color().name() == "#b00020"
    assert "r2.jpg" in panel.report.text() and "GPS" in panel.report.text()
    assert not panel.place_button.isHidden()
    assert "inside the request" in panel.place_button.text()

    with qtbot.waitSignal(panel.runner.done, timeout=LOAD_TIMEOUT_MS):
        panel.place_unlocated()
    kept = photos(Workspace(window.state.workspace.path), kind="requests")
    assert [(p.file_name, p.subject_id) for p in kept] == [
        ("r0.jpg", REQUEST), ("r1.jpg", REQUEST), ("r2.jpg", REQUEST)]
    assert kept[0].lon == pytest.approx(c.x, abs=1e-6)  # as written into the EXIF
    assert kept[0].lat == pytest.approx(c.y, abs=1e-6)
    assert kept[0].direction_deg == pytest.approx(120.0)
    assert kept[2].position_source == "by hand"
    assert geom.contains(shapely.Point(kept[2].lon, kept[2].lat))
    assert panel.list.count() == 3 and "by hand" in panel.list.item(2).text()
    # the parcels' panel shows none of them
    assert window.rehab_panel.photos.store.of(REQUEST) == []

    # another request: its own (no) photos; in Mongolian
    others = [r for r in window.state.requests["request_id"].astype(str) if r != REQUEST]
    window.state.select(others[0])
    assert panel.request_id == others[0] and panel.list.count() == 0
    window.set_language("mn")
    window.state.select(REQUEST)
    assert panel.list.item(0).text().splitlines()[2] == "хүсэлтийн талбай дотор"
    assert window.docks["request_photos"].windowTitle() == "Гэрэл зураг"


def test_cancelling_attaches_nothing_to_the_request(window, qtbot, tmp_path):
    panel = window.request_photos
    window.show_request(REQUEST)
    c = _request(window).representative_point()
    files = []
    for k in range(40):
        f = tmp_path / f"c{k}.jpg"
        make_jpeg(f, width=1600, height=1200, lon=c.x, lat=c.y, seed=k)
        files.append(f)
    with qtbot.waitSignal(panel.runner.done, timeout=LOAD_TIMEOUT_MS):
        panel.attach_files(files)
        panel.runner.cancel_all()
    assert photos(Workspace(window.state.workspace.path), kind="requests") == []
    assert "no photo was attached" in panel.report.text()
    assert panel.attach_button.isEnabled() and panel.list.count() == 0


def test_a_viewer_cannot_attach(window, qtbot, tmp_path):
    ws = window.state.workspace
    window.state.set_workspace(ws, dict(window.state.layers), user="guest", role="viewer")
    assert window.state.read_only
    panel = window.request_photos
    window.show_request(REQUEST)
    assert panel.request_id == REQUEST and not panel.attach_button.isEnabled()
    c = _request(window).representative_point()
    make_jpeg(tmp_path / "v.jpg", lon=c.x, lat=c.y)
    panel.attach_files([tmp_path / "v.jpg"])
    assert not window.runner.is_busy(panel.task_key)
    assert photos(Workspace(ws.path)) == []


def _dark_in_ring(image, x, y, ratio) -> int:
    """Dark pixels on a ring 7–10 px (logical) around (x, y): the selection ring is drawn
    at 8.5 px in near-black."""
    rgb = np.array([[image.pixelColor(round((x + dx) * ratio), round((y + dy) * ratio))
                     .getRgb()[:3] for dx in range(-11, 12)] for dy in range(-11, 12)])
    dy, dx = np.mgrid[-11:12, -11:12]
    ring = (np.hypot(dx, dy) >= 7) & (np.hypot(dx, dy) <= 10)
    return int(((rgb.max(axis=2) < 90) & ring).sum())


def test_the_selected_requests_photos_are_ringed_on_the_map(window, qtbot, tmp_path):
    from gui.map_canvas import padded
    from gui.photo_markers import PHOTO_COLOR

    panel = window.request_photos
    window.show_request(REQUEST)
    c = _request(window).representative_point()
    make_jpeg(tmp_path / "m.jpg", lon=c.x, lat=c.y)
    _attach(qtbot, panel, [tmp_path / "m.jpg"])
    canvas = window.canvas
    canvas.zoom_to_bounds(padded(tuple(_request(window).bounds), 1.0))
    image = canvas.render_image()
    ratio = image.devicePixelRatio()
    x, y = canvas.view.to_screen(c.x, c.y)
    colour = image.pixelColor(round(x * ratio), round(y * ratio))
    assert np.allclose(colour.getRgb()[:3],
                       [PHOTO_COLOR.red(), PHOTO_COLOR.green(), PHOTO_COLOR.blue()], atol=12)
    ringed = _dark_in_ring(image, x, y, ratio)
    window.state.select(None)  # no request selected: the marker, not ringed
    assert panel.request_id is None
    plain = _dark_in_ring(canvas.render_image(), x, y, ratio)
    # the ring's circumference at 8.5 px is 2π × 8.5 ≈ 53 px
    assert ringed - plain > 20, (ringed, plain)


def test_a_request_only_drawn_is_saved_before_its_photos_are_attached(window, qtbot, tmp_path):
    panel = window.request_photos
    box = shapely.box(106.53, 48.67, 106.532, 48.6712)
    rid = window.state.add_request({"applicant": "Шинэ нөхөрлөл", "members": 6}, box)
    window.state.select(rid)
    assert panel.request_id == rid and panel.attach_button.isEnabled()
    c = box.centroid
    make_jpeg(tmp_path / "n.jpg", lon=c.x, lat=c.y)
    panel.attach_files([tmp_path / "n.jpg"])
    assert not window.runner.is_busy(panel.task_key)
    assert panel.report.text().startswith(f"Save the workspace first: {rid}")
    window.state.save()
    _attach(qtbot, panel, [tmp_path / "n.jpg"])
    kept = photos(Workspace(window.state.workspace.path), kind="requests", subject_id=rid)
    assert [p.file_name for p in kept] == ["n.jpg"] and not kept[0].outside
    assert panel.list.count() == 1
