"""Tools ▸ Find available land… in the app (issue 15), on a copy of the sample workspace.

What the panel should show comes from :func:`landtool.propose.propose` called here directly
with a context read from the workspace file (as ``landtool propose`` does), and from pyproj's
Geod; the map's shading is read from the pixels of the rendered canvas.
"""

from __future__ import annotations

import os
from datetime import date

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pyogrio  # noqa: E402
import pytest  # noqa: E402
import shapely  # noqa: E402
from pyproj import Geod  # noqa: E402
from PySide6.QtCore import QPointF, Qt  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402

from gui import find_land_panel  # noqa: E402
from gui.find_land_overlay import AVAILABLE_FILL, CANDIDATE_FILL  # noqa: E402
from gui.i18n import STRINGS  # noqa: E402
from gui.map_canvas import padded  # noqa: E402

pytestmark = pytest.mark.gui
AS_OF = date(2026, 11, 23)
GEOD = Geod(ellps="WGS84")
WAIT_MS = 60_000


def geod_ha(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(geom))[0]) / 1e4


@pytest.fixture
def window(sample_window):
    return sample_window(as_of=AS_OF)


@pytest.fixture(scope="module")
def direct(sample_ws):
    """Mandal's proposal from propose() itself, with the CLI's context."""
    from landtool.check.context import CheckContext
    from landtool.check.ruleset import load_ruleset
    from landtool.propose import propose
    from landtool.workspace import Workspace

    ws = Workspace(sample_ws)
    rs = load_ruleset("mn-asm-2022")
    soums = ws.read("soums")
    area = soums[soums["pcode"] == "4322"].geometry.iloc[0]
    ctx = CheckContext.from_workspace(ws, rs, AS_OF, also=("roads", "settlements",
                                                            "rehab_parcels", "soums"))
    return propose(area, "Mandal", rs, ctx)


def open_panel(win):
    win.act["find_land"].trigger()
    panel = win.docks["find_land"].widget()
    assert win.docks["find_land"].isVisible()
    return panel


def run_mandal(qtbot, panel):
    assert panel.choose_area("soums", "(4322)")
    assert "Mandal" in panel.area_combo.currentText()
    with qtbot.waitSignal(panel.proposalShown, timeout=WAIT_MS,
                          check_params_cb=lambda p: p is not None) as blocker:
        assert panel.find()
    return blocker.args[0]


def test_the_panel_finds_what_propose_finds(qtbot, window, direct):
    panel = open_panel(window)
    # the sizes follow the ruleset's area rule (mn-asm-2022: at most 5 ha) and the 1 ha default
    assert (panel.min_box.value(), panel.max_box.value(), panel.width_box.value()) == \
        (1.0, 5.0, 30.0)
    assert "mn-asm-2022 1.0.0" in panel.ruleset_label.text() and "2026-11-23" in \
        panel.ruleset_label.text()
    shown = run_mandal(qtbot, panel)
    assert len(shown.candidates) == len(direct.candidates) > 10
    for a, b in zip(shown.candidates, direct.candidates, strict=True):
        assert a.to_json() == b.to_json()
        assert shapely.equals_exact(a.geometry, b.geometry, tolerance=0)
    assert shown.available_ha == pytest.approx(direct.available_ha, rel=1e-12)
    # the table lists them in rank order with their figures
    assert panel.table.rowCount() == len(direct.candidates)
    first = direct.candidates[0]
    cells = [panel.table.item(0, k).text() for k in range(panel.table.columnCount())]
    assert cells[0] == first.id == "C-001"
    assert float(cells[1]) == pytest.approx(geod_ha(first.geometry), abs=5e-4)
    assert cells[3] == "Mandal (4322)"
    assert f"{len(direct.candidates)} candidate parcels" in panel.message.text()
    # a click on the map selects a candidate and shows its figures
    pick = direct.candidates[4]
    inside = pick.geometry.representative_point()
    with qtbot.waitSignal(panel.candidateSelected, timeout=5000) as blocker:
        window.canvas.clicked.emit(inside.x, inside.y)
    assert blocker.args[0].id == pick.id and panel.selected == 4
    assert panel.table.selectedItems()[0].row() == 4
    assert pick.id in panel.figures.text() and f"{pick.area_ha:.3f}" in panel.figures.text()
    # and so does a row of the table
    panel.table.selectRow(2)
    assert panel.selected == 2 and direct.candidates[2].id in panel.figures.text()


def test_cancel_leaves_nothing(qtbot, window, direct):
    panel = open_panel(window)
    before = window.state.requests.copy()
    undo_index = window.state.undo_stack.index()
    assert panel.choose_area("soums", "(4322)")
    shown = []
    panel.proposalShown.connect(lambda p: shown.append(p))
    with qtbot.waitSignal(window.runner.cancelled, timeout=WAIT_MS):
        assert panel.find()
        assert panel.cancel_button.isEnabled() and not panel.find_button.isEnabled()
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.runner.is_busy("find_land"), timeout=WAIT_MS)
    assert [p for p in shown if p is not None] == []
    assert panel.proposal is None and panel.table.rowCount() == 0
    assert panel.overlay.empty and panel.overlay.candidates == []
    assert not panel.make_button.isEnabled() and not panel.export_button.isEnabled()
    assert panel.find_button.isEnabled() and not panel.cancel_button.isEnabled()
    assert "Cancelled" in panel.message.text()
    assert window.state.undo_stack.index() == undo_index
    assert window.state.requests.equals(before)
    # it runs again afterwards
    assert len(run_mandal(qtbot, panel).candidates) == len(direct.candidates)


def test_make_a_request_from_a_candidate_and_undo(qtbot, window, direct):
    panel = open_panel(window)
    run_mandal(qtbot, panel)
    state = window.state
    n = len(state.requests)
    panel.select(1)
    pick = direct.candidates[1]
    qtbot.mouseClick(panel.make_button, Qt.MouseButton.LeftButton)
    assert len(state.requests) == n + 1
    new = state.requests.iloc[-1]
    rid = str(new["request_id"])
    assert rid not in set(pyogrio.read_dataframe(state.workspace.path,
                                                 layer="requests")["request_id"])
    assert shapely.equals_exact(shapely.get_parts(new.geometry)[0], pick.geometry, tolerance=0)
    assert geod_ha(new.geometry) == pytest.approx(geod_ha(pick.geometry), rel=1e-12)
    assert new["candidate_id"] == pick.id and new["candidate_ruleset"] == "mn-asm-2022 1.0.0"
    assert new["candidate_as_of"] == "2026-11-23" and new["soum_pcode"] == "4322"
    # the live check shows it passing, and the panel says so
    assert state.results[rid].eligible and state.selected == rid
    assert f"Added {rid} from {pick.id}" in panel.message.text()
    assert "it passes the check" in panel.message.text()
    # the same candidate again: its land is that request's now
    panel.select(1)
    assert panel.make_request() is None and rid in panel.message.text()
    assert len(state.requests) == n + 1
    # one undo step removes it
    state.undo_stack.undo()
    assert len(state.requests) == n and rid not in set(state.requests["request_id"])
    assert rid not in state.results
    state.undo_stack.redo()
    assert len(state.requests) == n + 1


def test_the_map_shows_the_land_shaded(qtbot, window, direct):
    panel = open_panel(window)
    canvas = window.canvas
    run_mandal(qtbot, panel)
    # available land no candidate covers (a piece too small or too thin to be one), shown
    # large; a pixel in it and one in a candidate beside it, away from edges and numbers
    cands = shapely.union_all([c.geometry for c in direct.candidates])
    spare = shapely.get_parts(shapely.difference(direct.available, cands.buffer(1e-4)))
    part = spare[int(shapely.area(spare).argmax())]
    canvas.zoom_to_bounds(padded(part.bounds, 1.0))
    px = 1 / min(canvas.view.px_per_deg, canvas.view.x_scale)  # a pixel, in degrees
    spare_point = shapely.difference(part, cands.buffer(6 * px)).buffer(-3 * px) \
        .representative_point()
    near = min(direct.candidates, key=lambda c: c.geometry.distance(part))
    inner = near.geometry.buffer(-5 * px)
    label = shapely.point_on_surface(near.geometry)  # where its number is drawn
    in_cand = max((shapely.Point(xy) for xy in inner.exterior.coords), key=label.distance)
    assert not spare_point.is_empty and not inner.is_empty
    image = canvas.render_image()
    ratio = image.devicePixelRatio()

    def pixel(lon, lat) -> QColor:
        x, y = canvas.view.to_screen(lon, lat)
        return image.pixelColor(round(x * ratio), round(y * ratio))

    points = {"candidate": (in_cand.x, in_cand.y), "available": (spare_point.x, spare_point.y)}
    shaded = {k: pixel(*v) for k, v in points.items()}
    # the same pixels without the proposal, and what the translucent fills make of them,
    # blended here by hand: out = fill·α + under·(1 − α), channel by channel
    panel._show_proposal(None)
    image = canvas.render_image()
    bare = {k: pixel(*v) for k, v in points.items()}

    def over(fill: QColor, under: tuple) -> tuple:
        a = fill.alpha() / 255
        return tuple(f * a + u * (1 - a) for f, u in zip(
            (fill.red(), fill.green(), fill.blue()), under, strict=True))

    def rgb(c: QColor) -> tuple:
        return c.red(), c.green(), c.blue()

    expected = {"available": over(AVAILABLE_FILL, rgb(bare["available"])),
                "candidate": over(CANDIDATE_FILL, over(AVAILABLE_FILL, rgb(bare["candidate"])))}
    for key, want in expected.items():
        got = rgb(shaded[key])
        assert all(abs(g - w) <= 3 for g, w in zip(got, want, strict=True)), (key, got, want)
        assert got != rgb(bare[key])
    assert rgb(shaded["candidate"])[1] > rgb(shaded["candidate"])[0] + 40  # green


def test_export_writes_the_cli_outputs(qtbot, window, direct, tmp_path, monkeypatch):
    from landtool.export.proposal import FILES

    panel = open_panel(window)
    run_mandal(qtbot, panel)
    out = tmp_path / "proposal"
    out.mkdir()
    monkeypatch.setattr(find_land_panel, "ask_folder", lambda *a: str(out))
    with qtbot.waitSignal(panel.exported, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)
    assert sorted(p.name for p in blocker.args[0]) == sorted(FILES)
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    cands = pyogrio.read_dataframe(out / "candidates.gpkg", layer="candidates")
    assert list(cands["candidate_id"]) == [c.id for c in direct.candidates]
    assert f"{len(FILES)} files" in panel.message.text()


def test_draw_an_area_and_search_it(qtbot, window, direct):
    panel = open_panel(window)
    canvas = window.canvas
    # a square around the first three candidates, drawn by clicking its corners
    box = shapely.box(*shapely.GeometryCollection(
        [c.geometry for c in direct.candidates[:3]]).bounds).buffer(0.002, join_style=2)
    canvas.zoom_to_bounds(box.buffer(0.002).bounds)
    window.editing.set_mode("draw")  # drawing a request: set aside for the search area
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    assert canvas.tool is panel.area_tool
    assert window.editing.mode == "navigate" and window.editing.navigate_action.isChecked()
    xy = [canvas.view.to_screen(x, y) for x, y in list(box.exterior.coords)[:4]]
    for x, y in xy:
        qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPointF(x, y).toPoint())
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    assert canvas.tool is None and panel.drawn is not None
    assert panel.kind_combo.currentData() == "drawn"
    assert geod_ha(panel.drawn) == pytest.approx(geod_ha(box), rel=0.01)  # pixel rounding
    with qtbot.waitSignal(panel.proposalShown, timeout=WAIT_MS,
                          check_params_cb=lambda p: p is not None) as blocker:
        assert panel.find()
    found = blocker.args[0]
    assert found.candidates
    # nothing outside the drawn area, and each candidate passes the check (propose's contract)
    assert all(panel.drawn.buffer(1e-7).contains(c.geometry) for c in found.candidates)


def test_no_area_chosen_says_so_and_both_languages(qtbot, window):
    panel = open_panel(window)
    panel.kind_combo.setCurrentIndex(2)  # a drawn area, none drawn yet
    assert not panel.find()
    assert "draw an area" in panel.message.text()
    window.set_language("mn")
    assert panel.find_button.text() == STRINGS["findland.find"][1]
    assert window.docks["find_land"].windowTitle() == STRINGS["panel.find_land"][1]
    assert all(mn.strip() and en.strip() for k, (en, mn) in STRINGS.items()
               if k.startswith("findland."))


def test_a_cancel_stops_the_check_between_rules(sample_ws, direct):
    """The worker's cancel raises at the next progress report: propose reports inside the
    check of the parcels (each rule), not only between its four steps."""
    from landtool.check.context import CheckContext
    from landtool.propose import propose

    calls = []

    class Stop(Exception):
        pass

    def progress(done, total, text):
        calls.append(text)
        if calls.count("check") == 3:
            raise Stop

    from landtool.workspace import Workspace

    ws = Workspace(sample_ws)
    ctx = CheckContext.from_workspace(ws, direct.ruleset, AS_OF, also=("roads", "settlements",
                                                                       "rehab_parcels",
                                                                       "soums"))
    with pytest.raises(Stop):
        propose(direct.search_area, "Mandal", direct.ruleset, ctx, progress=progress)
    assert calls[:2] == ["exclusions", "parcels"] and calls.count("check") == 3
    assert "figures" not in calls


def test_a_viewer_cannot_make_a_request(qtbot, window):
    panel = open_panel(window)
    run_mandal(qtbot, panel)
    window.state.role = "viewer"  # as a shared workspace's viewer (see test_gui_shared)
    panel.select(0)
    assert not panel.make_button.isEnabled()
    n = len(window.state.requests)
    assert panel.make_request() is None and len(window.state.requests) == n
    assert "read-only" in panel.message.text()


def test_an_officer_of_a_shared_workspace_makes_a_request_named_in_its_note(
        qtbot, window, monkeypatch):
    # only a shared workspace's owner may add columns: an officer's request from a candidate
    # goes in without the candidate columns the requests have not got, the note naming it
    panel = open_panel(window)
    run_mandal(qtbot, panel)
    monkeypatch.setattr(type(window.state.workspace), "shared", True)
    window.state.role = "officer"
    assert "candidate_id" not in window.state.requests.columns
    panel.select(0)
    rid = panel.make_request()
    row = window.state.row(rid)
    assert "candidate_id" not in window.state.requests.columns
    assert f"from candidate {panel.proposal.candidates[0].id} of landtool propose" in row["note"]
    window.state.undo_stack.undo()
    window.state.role = "owner"  # the owner's request carries the columns
    rid = panel.make_request()
    assert window.state.row(rid)["candidate_id"] == panel.proposal.candidates[0].id


def test_closing_the_panel_takes_its_land_off_the_map(qtbot, window):
    panel = open_panel(window)
    run_mandal(qtbot, panel)
    dock = window.docks["find_land"]
    window.docks["check"].raise_()  # behind another tab: still drawn
    assert panel.overlay.visible
    dock.close()
    assert not panel.overlay.visible and panel.proposal is not None
    window.act["find_land"].trigger()
    assert panel.overlay.visible and dock.isVisible()


def test_a_request_made_in_the_app_saved_passes_landtool_check(qtbot, window, tmp_path):
    import json

    from click.testing import CliRunner

    from landtool.cli import main

    panel = open_panel(window)
    run_mandal(qtbot, panel)
    panel.select(3)
    rid = panel.make_request()
    assert rid is not None
    assert window.save()
    saved = pyogrio.read_dataframe(window.state.workspace.path, layer="requests")
    row = saved[saved["request_id"] == rid].iloc[0]
    assert row["candidate_id"] == panel.proposal.candidates[3].id
    report = tmp_path / "check.json"
    result = CliRunner().invoke(main, ["check", "requests", "--workspace",
                                       str(window.state.workspace.path), "--as-of",
                                       "2026-11-23", "--json", str(report), "--json-format",
                                       "full"])
    assert result.exit_code in (0, 1), result.output
    mine = next(r for r in json.loads(report.read_text(encoding="utf-8"))["requests"]
                if r["id"] == rid)
    assert mine["eligible"]
    assert mine["area_ha"] == pytest.approx(geod_ha(row.geometry), abs=5e-7)
