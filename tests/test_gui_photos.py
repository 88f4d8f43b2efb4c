"""Photos in the app (issue 17): the parcel's thumbnails, "Attach photos…" in a worker (bad
files listed, cancel attaches nothing), photos without GPS placed inside the parcel, evidence
ticked for a status change, and the photos as points on the map."""

from __future__ import annotations

import os
from datetime import date, datetime

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from landtool.photos import photos  # noqa: E402
from landtool.sample_photos import make_jpeg  # noqa: E402
from landtool.workspace import Workspace, decisions  # noqa: E402

LOAD_TIMEOUT_MS = 60_000


@pytest.fixture
def window(sample_window):
    return sample_window()


def _inside(win, pid):
    parcels = win.state.parcels
    p = parcels[parcels["parcel_id"] == pid].geometry.iloc[0].representative_point()
    return p.x, p.y


def _attach(qtbot, panel, files, **kw):
    with qtbot.waitSignal(panel.runner.done, timeout=LOAD_TIMEOUT_MS):
        panel.attach_files(files, **kw)


def test_attach_show_thumbnails_flag_and_cite_as_evidence(window, qtbot, tmp_path):
    panel = window.rehab_panel
    window.set_view("rehab")
    panel.select_parcel("RP-011")
    photos_tab = panel.photos
    assert photos_tab.parcel_id == "RP-011" and photos_tab.list.count() == 0
    lon, lat = _inside(window, "RP-011")
    files = [tmp_path / f"p{k}.jpg" for k in range(3)]
    make_jpeg(files[0], lon=lon, lat=lat, taken=datetime(2026, 9, 1, 10, 0), direction=45.0)
    make_jpeg(files[1], lon=lon + 0.01, lat=lat, seed=1)  # ~730 m east: outside
    make_jpeg(files[2], seed=2)  # no GPS
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(files[0].read_bytes()[:3000])
    _attach(qtbot, photos_tab, [*files, bad])

    assert photos_tab.list.count() == 2
    first, second = (photos_tab.list.item(i) for i in range(2))
    assert not first.icon().isNull() and "2026-09-01 10:00" in first.text()
    assert "in the parcel" in first.text()
    assert "OUTSIDE by" in second.text()
    assert second.foreground().color().name() == "#b00020"
    report = photos_tab.report.text()
    assert "broken.jpg" in report and "damaged JPEG" in report and "p2.jpg" in report
    assert not photos_tab.place_button.isHidden()  # shown (in its tab)

    # placed inside the parcel by hand
    with qtbot.waitSignal(photos_tab.runner.done, timeout=LOAD_TIMEOUT_MS):
        photos_tab.place_unlocated()
    kept = photos(window.state.workspace, subject_id="RP-011")
    assert [p.file_name for p in kept] == ["p0.jpg", "p1.jpg", "p2.jpg"]
    assert kept[2].position_source == "by hand" and not kept[2].outside
    assert photos_tab.list.count() == 3

    # tick photo 1 as evidence; the status change cites it, logged at the save
    photos_tab.list.item(0).setCheckState(Qt.CheckState.Checked)
    assert photos_tab.checked_ids() == (1,)
    assert panel.change_status("RP-011", "technical_in_progress", date(2026, 9, 2),
                               evidence=photos_tab.checked_ids())
    window.state.save()
    entry = [e for e in decisions.entries(Workspace(window.state.workspace.path))
             if e.action == "parcel_status_changed"][-1]
    assert entry.subject == "RP-011"
    assert [e["photo_id"] for e in entry.details_dict()["evidence"]] == [1]


def test_cancelling_an_attach_attaches_nothing(window, qtbot, tmp_path):
    panel = window.rehab_panel.photos
    window.rehab_panel.select_parcel("RP-012")
    lon, lat = _inside(window, "RP-012")
    files = []
    for k in range(40):
        f = tmp_path / f"c{k}.jpg"
        make_jpeg(f, width=1600, height=1200, lon=lon, lat=lat, seed=k)
        files.append(f)
    with qtbot.waitSignal(panel.runner.done, timeout=LOAD_TIMEOUT_MS):
        panel.attach_files(files)
        panel.runner.cancel_all()
    assert photos(window.state.workspace) == []
    assert "no photo was attached" in panel.report.text()
    assert panel.attach_button.isEnabled()


def test_photos_are_points_on_the_map(window, qtbot, tmp_path):
    from gui.map_canvas import padded
    from gui.photo_markers import PHOTO_COLOR

    panel = window.rehab_panel.photos
    window.rehab_panel.select_parcel("RP-013")
    lon, lat = _inside(window, "RP-013")
    make_jpeg(tmp_path / "m.jpg", lon=lon, lat=lat)
    _attach(qtbot, panel, [tmp_path / "m.jpg"])
    canvas = window.canvas
    parcels = window.state.parcels
    hit = parcels[parcels["parcel_id"] == "RP-013"]
    canvas.zoom_to_bounds(padded(tuple(hit.total_bounds), 1.0))
    image = canvas.render_image()
    ratio = image.devicePixelRatio()
    x, y = canvas.view.to_screen(lon, lat)
    colour = image.pixelColor(round(x * ratio), round(y * ratio))
    assert np.allclose([colour.red(), colour.green(), colour.blue()],
                       [PHOTO_COLOR.red(), PHOTO_COLOR.green(), PHOTO_COLOR.blue()], atol=12)
    without = canvas.render_image(overlays=False).pixelColor(round(x * ratio),
                                                             round(y * ratio))
    assert without != colour  # the marker is the photo's, not the map's


def test_the_status_dialog_shows_the_ticked_photos_as_evidence(window, qtbot, tmp_path,
                                                              monkeypatch):
    from PySide6.QtWidgets import QLabel

    from gui import dialogs

    panel = window.rehab_panel
    panel.select_parcel("RP-014")
    lon, lat = _inside(window, "RP-014")
    make_jpeg(tmp_path / "e.jpg", lon=lon, lat=lat)
    _attach(qtbot, panel.photos, [tmp_path / "e.jpg"])
    panel.photos.list.item(0).setCheckState(Qt.CheckState.Checked)
    asked = []

    def answer(parent, parcel_id, current, lang, evidence=()):
        asked.append((parcel_id, current, evidence))
        return "technical_done", date(2026, 9, 3)

    monkeypatch.setattr(dialogs, "ask_status_change", answer)
    panel.ask_status_change()
    assert asked == [("RP-014", "technical_in_progress", (1,))]
    assert window.state.status_evidence == {"RP-014": (1,)}
    dialog = dialogs.StatusChangeDialog("RP-014", "technical_in_progress", "mn",
                                        evidence=(1, 3))
    qtbot.addWidget(dialog)
    texts = [w.text() for w in dialog.findChildren(QLabel)]
    assert "Нотлох зураг" in texts and "1, 3" in texts


def test_a_file_name_is_shown_as_text_not_markup(window, qtbot, tmp_path):
    # a file called "<b>x <img src=q>.jpg" that is not a JPEG: listed with its name as
    # written, not as bold text and an image
    panel = window.rehab_panel.photos
    window.rehab_panel.select_parcel("RP-012")
    bad = tmp_path / "<b>x <img src=q>.jpg"
    bad.write_bytes(b"not a photo")
    _attach(qtbot, panel, [bad])
    text = panel.report.text()
    assert "&lt;b&gt;x &lt;img src=q&gt;.jpg" in text
    assert "<b>x" not in text and "<img" not in text
    assert photos(window.state.workspace) == []
