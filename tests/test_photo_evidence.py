"""Status with evidence (issue 17): a status change cites photos of the parcel, recorded in the
decisions log with their hashes; the rehabilitation report lists each parcel's status, date
and evidence; the package's rehabilitation pages show the photos."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from datetime import date, datetime

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from pyproj import Geod
from system_tools import page_rgb, pdf_images

from landtool.cli import main
from landtool.photos import attach, photos
from landtool.sample_photos import make_jpeg
from landtool.workspace import Workspace, decisions


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def with_photos(sample_ws, tmp_path_factory):
    """The sample workspace with four photos of two parcels of Шар Тал (REQ-2026-013's
    applicant): photo 3 taken 300 m east of RP-012's easternmost point; RP-011 moved to
    technical_done citing photos 1 and 2."""
    folder = tmp_path_factory.mktemp("evidence")
    path = folder / "ws.gpkg"
    shutil.copy(sample_ws, path)
    ws = Workspace(path)
    parcels = ws.read("rehab_parcels").set_index("parcel_id")
    geod = Geod(ellps="WGS84")
    files = {}
    for k, (pid, east_m, direction) in enumerate([("RP-011", 0, 30.0), ("RP-011", 0, 200.0),
                                                  ("RP-012", 300, None), ("RP-012", 0, 90.0)]):
        geom = parcels.loc[pid].geometry
        c = geom.representative_point()
        lon = geod.fwd(geom.bounds[2], c.y, 90, east_m)[0] if east_m else c.x
        f = folder / f"field-{k + 1}.jpg"
        make_jpeg(f, width=1200, height=900, lon=lon, lat=c.y, label=f"photo {k + 1}",
                  taken=datetime(2026, 9, 10 + k, 11, 0, 0), direction=direction, seed=k)
        attach(ws, [f], kind="rehab_parcels", subject_id=pid)
        files[k + 1] = f
    res = _cli("rehab", "advance", path, "RP-011", "technical_done", "--date", "2026-09-15",
               "--evidence", "1", "--evidence", "2")
    assert res.exit_code == 0, res.output
    return path, files


def test_a_status_change_records_its_evidence_with_the_photos_hashes(with_photos):
    path, files = with_photos
    entry = [e for e in decisions.entries(Workspace(path))
             if e.action == "parcel_status_changed"][-1]
    assert entry.subject == "RP-011"
    details = entry.details_dict()
    assert details["to"] == "technical_done" and details["date"] == "2026-09-15"
    assert details["evidence"] == [
        {"photo_id": 1, "sha256": hashlib.sha256(files[1].read_bytes()).hexdigest()},
        {"photo_id": 2, "sha256": hashlib.sha256(files[2].read_bytes()).hexdigest()}]
    assert decisions.verify(Workspace(path)).intact


def test_evidence_that_is_not_the_parcels_is_refused_and_nothing_changes(with_photos, tmp_path):
    src, _ = with_photos
    path = tmp_path / "ws.gpkg"
    shutil.copy(src, path)
    before = path.read_bytes()
    res = _cli("rehab", "advance", path, "RP-012", "technical_in_progress", "--date",
               "2026-09-20", "--evidence", "1")
    assert res.exit_code == 2 and "photo 1 belongs to RP-011, not to RP-012" in res.output
    res = _cli("rehab", "advance", path, "RP-012", "technical_in_progress", "--date",
               "2026-09-20", "--evidence", "3,99")
    assert res.exit_code == 2 and "no photo 99" in res.output
    res = _cli("rehab", "advance", path, "RP-012", "technical_in_progress", "--date",
               "2026-09-20", "--evidence", "x")
    assert res.exit_code == 2
    assert path.read_bytes() == before  # the workspace untouched


def test_the_rehabilitation_report_lists_status_date_and_evidence(with_photos, tmp_path):
    path, _ = with_photos
    out = tmp_path / "evidence.json"
    res = _cli("rehab", "evidence", path, "--partnership", "Шар Тал нөхөрлөл", "--json", out,
               "--csv", tmp_path / "evidence.csv")
    assert res.exit_code == 0, res.output
    line = next(x for x in res.output.splitlines() if x.startswith("RP-011"))
    assert "technical_done" in line and "2026-09-15" in line and " 1 2 " in line
    data = json.loads(out.read_text(encoding="utf-8"))
    rows = {r["parcel_id"]: r for r in data["parcels"]}
    assert rows["RP-011"]["status"] == "technical_done"
    assert rows["RP-011"]["status_date"] == "2026-09-15"
    assert rows["RP-011"]["evidence"] == [1, 2] and rows["RP-011"]["photos"] == [1, 2]
    assert rows["RP-012"]["evidence"] == [] and rows["RP-012"]["photos_outside"] == [3]
    assert rows["RP-013"]["photos"] == [] and rows["RP-013"]["status"] == "disturbed"
    assert "RP-001" not in rows  # another partnership
    csv_text = (tmp_path / "evidence.csv").read_text(encoding="utf-8-sig")
    assert "RP-011,Шар Тал нөхөрлөл,technical_done,2026-09-15,1 2," in csv_text


@pytest.mark.parametrize("lang", ["en", "mn"])
def test_the_package_rehabilitation_pages_show_the_photos(with_photos, tmp_path, lang):
    path, _ = with_photos
    out = tmp_path / "pkg"
    res = _cli("export", "package", "--workspace", path, "--request", "REQ-2026-013",
               "--out", out, "--lang", lang)
    assert res.exit_code == 0, res.output
    pdf = out / "report.pdf"
    pages = [p.extract_text() for p in PdfReader(pdf).pages]
    heading = "Photographs of the parcels" if lang == "en" else "Талбайн гэрэл зургууд"
    first = next(n for n, text in enumerate(pages, 1) if heading in text)
    text = " ".join(pages[first - 1:])
    flat = re.sub(r"\s+", " ", text)
    (outside,) = photos(Workspace(path), ids=[3])
    if lang == "en":
        assert "Status of each parcel and its evidence" in " ".join(pages)
        for n in (1, 2, 3, 4):
            assert f"Photo {n}" in flat
        assert f"OUTSIDE the parcel by {outside.distance_m:.0f} m" in flat
        assert flat.count("evidence of “technical done”") == 2
        assert "Taken: 2026-09-12 11:00:00 (+08:00)" in flat
        assert f"Position: {outside.lat:.6f}, {outside.lon:.6f}" in flat
        assert "Direction: 30° (true north)" in flat
    else:
        assert f"ТАЛБАЙН ГАДНА {outside.distance_m:.0f} м" in flat
    # the four photos, as JPEG 800 × 600 (made from the stored photos: 1200 × 900)
    thumbs = [r for r in pdf_images(pdf) if r[3:5] == ["800", "600"]]
    assert len(thumbs) == 4  # on the photos' page(s)
    assert {int(r[0]) for r in thumbs} <= {first, first + 1}
    assert all(r[8] == "jpeg" for r in thumbs)
    # the page as a picture: the thumbnails are there (not blank): sky blue and ground brown
    rgb = page_rgb(pdf, first, tmp_path).astype(int)
    sky = int(((rgb[..., 2] > 170) & (rgb[..., 2] > rgb[..., 0] + 40)).sum())
    assert sky > 2000, f"page {first} shows no photo"


def test_the_app_cites_evidence_with_an_undoable_status_change(qapp, with_photos, tmp_path):
    from gui.state import AppState
    from landtool.errors import LandtoolError

    src, _ = with_photos
    path = tmp_path / "ws.gpkg"
    shutil.copy(src, path)
    ws = Workspace(path)
    state = AppState(lang="en")
    state.set_workspace(ws, {n: ws.read(n) for n in ws.layer_names()})
    with pytest.raises(LandtoolError, match="belongs to RP-011"):
        state.change_parcel_status("RP-012", "technical_in_progress", date(2026, 9, 20), (1,))
    state.change_parcel_status("RP-012", "technical_in_progress", date(2026, 9, 20), (4,))
    assert state.status_evidence == {"RP-012": (4,)}
    state.undo_stack.undo()
    assert state.status_evidence == {}
    state.undo_stack.redo()
    state.save()
    entry = [e for e in decisions.entries(Workspace(path))
             if e.action == "parcel_status_changed"][-1]
    assert entry.subject == "RP-012" and entry.details_dict()["evidence"] == [
        {"photo_id": 4, "sha256": photos(ws, ids=[4])[0].sha256}]


def test_a_redrawn_parcel_is_measured_again_in_the_report(with_photos, tmp_path):
    import geopandas as gpd

    from landtool.rehab.evidence import parcel_statuses

    src, _ = with_photos
    path = tmp_path / "ws.gpkg"
    shutil.copy(src, path)
    ws = Workspace(path)
    (photo3,) = photos(ws, ids=[3])
    assert photo3.outside  # 300 m east of RP-012 when attached
    parcels = ws.read("rehab_parcels")
    hit = parcels.index[parcels["parcel_id"] == "RP-012"][0]
    # 0.006° of longitude at 48.6° N: 0.006 × 111.3 km × cos(48.6°) ≈ 441 m, beyond the 300 m
    grown = parcels.geometry[hit].buffer(0.006)
    assert grown.contains(gpd.points_from_xy([photo3.lon], [photo3.lat])[0])
    parcels.loc[hit, "geometry"] = grown
    ws.update("rehab_parcels", parcels, note="redrawn")
    rows = {r.parcel_id: r for r in parcel_statuses(ws, ws.read("rehab_parcels"))}
    again = next(p for p in rows["RP-012"].photos if p.photo_id == 3)
    assert again.distance_m == 0.0 and not again.outside and rows["RP-012"].flagged == ()
