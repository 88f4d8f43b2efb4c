"""File ▸ Export corners as GPX… in the app, on a copy of the sample workspace.

The GPX files are read back with gpxpy (as other GPS tools read them); what a file should hold
comes from the workspace's own layers read here with geopandas and from the live check result,
and areas are compared with pyproj's Geod, not with landtool's area code.
"""

from __future__ import annotations

import os
from datetime import date

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import gpxpy  # noqa: E402
import pytest  # noqa: E402
from pyproj import Geod  # noqa: E402
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox  # noqa: E402

from gui.gpx_export import export_gpx, gpx_choices  # noqa: E402

pytestmark = pytest.mark.gui
GEOD = Geod(ellps="WGS84")


@pytest.fixture
def window(sample_window):
    return sample_window(as_of=date(2026, 11, 23))


def _read(path):
    with open(path, encoding="utf-8") as fh:
        return gpxpy.parse(fh)


def _area(lonlat) -> float:
    area, _ = GEOD.polygon_area_perimeter([p[0] for p in lonlat], [p[1] for p in lonlat])
    return abs(area)


def _same_area(pts, corners) -> None:
    """The polygon of ``pts`` (read from the GPX) has the area of ``corners``, up to what
    writing 8 decimals (at most 5e-9 degrees, under 1 mm, on each corner) can change: the
    perimeter times 1 mm."""
    _, perimeter = GEOD.polygon_area_perimeter([p[0] for p in corners], [p[1] for p in corners])
    assert _area(pts) == pytest.approx(_area(corners), abs=abs(perimeter) * 1e-3)


def _outer(geom) -> list:
    """The outer boundary's corners of a polygon (or of a multipolygon's only part)."""
    if geom.geom_type == "MultiPolygon":
        (geom,) = geom.geoms
    return list(geom.exterior.coords)


def _a_clipped_request(state):
    """A request whose eligible part is a polygon smaller than the request."""
    for rid, result in state.results.items():
        part = result.eligible_part
        if (part is not None and not part.is_empty and part.geom_type == "Polygon"
                and result.eligible_area_ha < 0.99 * result.area_ha):
            return rid, part
    pytest.fail("the sample has no request with a clipped eligible part")


def test_the_selected_request_is_written_one_waypoint_per_corner(window, tmp_path):
    rid = window.state.requests["request_id"].astype(str).iloc[0]
    window.state.select(rid)
    corners = _outer(window.state.row(rid).geometry)[:-1]
    out = export_gpx(window, tmp_path / "req.gpx", choice=0)
    gpx = _read(out)
    assert [w.name for w in gpx.waypoints] == [str(n) for n in range(1, len(corners) + 1)]
    for w, (x, y) in zip(gpx.waypoints, corners, strict=True):
        assert abs(w.longitude - x) < 1e-8 and abs(w.latitude - y) < 1e-8
    (route,) = gpx.routes
    assert route.name == rid and len(route.points) == len(corners)
    pts = [(p.longitude, p.latitude) for p in route.points]
    _same_area(pts, corners)
    assert str(out) in window.statusBar().currentMessage()


def test_the_eligible_part_is_offered_and_written(window, tmp_path):
    rid, part = _a_clipped_request(window.state)
    window.state.select(rid)
    labels = [label for label, _ in gpx_choices(window.state, [])]
    assert labels[0] == f"Request {rid} as drawn"
    assert labels[1].startswith(f"The eligible part of {rid}")
    out = export_gpx(window, tmp_path / "eligible.gpx", choice=1)
    gpx = _read(out)
    corners = list(part.exterior.coords)[:-1]
    assert len(gpx.waypoints) == len(corners)
    assert gpx.routes[0].name == f"{rid} eligible"
    pts = [(p.longitude, p.latitude) for p in gpx.routes[0].points]
    # the eligible part's geodesic area, by Geod, not the request's
    _same_area(pts, corners)
    assert _area(pts) < 0.99 * _area(_outer(window.state.row(rid).geometry))


def test_selected_parcels_are_written_with_their_ids(window, tmp_path, monkeypatch):
    window.set_view("rehab")
    panel = window.rehab_panel
    parcels = window.state.parcels
    first, second = parcels["parcel_id"].astype(str).iloc[:2]
    choices = gpx_choices(window.state, [first, second])
    label, gdf = choices[-1]
    assert label == "The selected rehabilitation parcels (2)"
    window.state.select(None)
    out = tmp_path / "parcels.gpx"
    # the app asks which (one choice here) and where
    asked = []
    monkeypatch.setattr(panel, "selected_ids", lambda: [first, second])
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(
        lambda *a, **k: (asked.append(a[3]) or (a[3][0], True))))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(
        lambda *a, **k: (str(out.with_suffix("")), "GPX (*.gpx)")))
    written = export_gpx(window)
    assert asked == [["The selected rehabilitation parcels (2)"]]
    assert written == out  # the .gpx suffix added
    gpx = _read(out)
    assert [r.name for r in gpx.routes] == [first, second]
    for route, geom in zip(gpx.routes, gdf.geometry, strict=True):
        ring = _outer(geom)
        n = len(ring) - 1
        assert [p.name for p in route.points] == [f"{route.name} {k}" for k in range(1, n + 1)]
        _same_area([(p.longitude, p.latitude) for p in route.points], ring)
    assert len(gpx.waypoints) == sum(len(r.points) for r in gpx.routes)


def test_nothing_selected_says_what_to_select(window, tmp_path, monkeypatch):
    window.state.select(None)
    said = []
    monkeypatch.setattr(QMessageBox, "information", staticmethod(
        lambda parent, title, text, *a: said.append(text)))
    assert export_gpx(window, tmp_path / "x.gpx") is None
    assert said and "Select a request" in said[0]
    assert not (tmp_path / "x.gpx").exists()


def test_an_unwritable_place_shows_an_error_and_writes_nothing(window, tmp_path, monkeypatch):
    rid = window.state.requests["request_id"].astype(str).iloc[0]
    window.state.select(rid)
    shown = []
    monkeypatch.setattr(window, "error", lambda key, exc: shown.append((key, str(exc))))
    (tmp_path / "a-file").write_text("not a folder")
    target = tmp_path / "a-file" / "req.gpx"
    assert export_gpx(window, target, choice=0) is None
    assert shown and shown[0][0] == "error.export"
    assert not target.exists()


def test_the_action_is_in_the_file_menu_in_both_languages(window):
    action = window.act["export_gpx"]
    assert action.isEnabled()
    assert action.text().replace("&", "") == "Export corners as GPX…"
    window.set_language("mn")
    assert "GPX" in action.text() and "гаргах" in action.text()
