"""Attaching many photos at once (issue 17, the import speed): files are read and decoded a
few ahead in threads, and what is stored is exactly what attaching them one by one stores —
same rows, same bytes, same thumbnails, same ids in the same order, the same files refused
with the same messages; a cancel in the middle attaches nothing and leaves no thread behind;
no lock is held while the files are read, and a file changed in between is refused."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import threading

import pytest
from PIL import Image

from landtool.photos import attach, photo_bytes, photos
from landtool.sample_photos import make_jpeg
from landtool.workspace import Workspace

PARCEL = "RP-001"


@pytest.fixture
def two_ws(sample_ws, tmp_path):
    out = []
    for name in ("batch.gpkg", "single.gpkg"):
        shutil.copy(sample_ws, tmp_path / name)
        out.append(Workspace(tmp_path / name))
    return out


def _inside(ws):
    g = ws.read("rehab_parcels")
    p = g[g["parcel_id"] == PARCEL].geometry.iloc[0].representative_point()
    return p.x, p.y


def _files(folder, lon, lat):
    """12 files: 8 good photos (one a copy of another's bytes, one far outside the parcel),
    and bad ones in between: cut short, a PNG, text named .jpg, no GPS, one missing."""
    folder.mkdir()
    files = []
    for k in range(8):
        f = folder / f"IMG_{k:02d}.jpg"
        make_jpeg(f, width=640 + 16 * k, height=480, lon=lon + (0.05 if k == 5 else 0),
                  lat=lat, direction=10.0 * k, seed=k, camera_thumbnail=k % 2 == 0)
        files.append(f)
    cut = folder / "cut.jpg"
    cut.write_bytes(files[1].read_bytes()[:9000])
    png = folder / "map.png"
    Image.new("RGB", (10, 10)).save(png)
    text = folder / "notes.jpg"
    text.write_text("not a photo")
    nogps = folder / "nogps.jpg"
    make_jpeg(nogps, seed=20)
    copy = folder / "copy_of_03.jpg"
    copy.write_bytes(files[3].read_bytes())
    missing = folder / "gone.jpg"
    order = [files[0], cut, files[1], png, files[2], files[3], text, nogps, files[4], copy,
             missing, files[5], files[6], files[7]]
    return order


def _stored(ws):
    """Every stored row (the time it was added left out: it is the clock's) with the sha256
    of the bytes kept and of the thumbnail."""
    out = []
    for p in photos(ws):
        row = dataclasses.asdict(p)
        row.pop("added_at")
        row["thumbnail"] = hashlib.sha256(p.thumbnail).hexdigest()
        row["bytes_sha256"] = hashlib.sha256(photo_bytes(ws, p.photo_id)).hexdigest()
        out.append(row)
    return out


def test_many_at_once_store_exactly_what_one_by_one_stores(two_ws, tmp_path):
    batch_ws, single_ws = two_ws
    lon, lat = _inside(batch_ws)
    files = _files(tmp_path / "in", lon, lat)
    assert len(files) == 14

    seen = []
    batch = attach(batch_ws, files, kind="rehab_parcels", subject_id=PARCEL, user="officer",
                   progress=lambda done, total, name: seen.append((done, total, name)))
    singles = [attach(single_ws, [f], kind="rehab_parcels", subject_id=PARCEL, user="officer")
               for f in files]

    # progress before each file, in order, then once at the end
    assert seen == [(i, 14, str(f)) for i, f in enumerate(files)] + [(14, 14, "")]
    assert [p.photo_id for p in batch.added] == [1, 2, 3, 4, 5, 6, 7, 8]
    good = [f for f in files if f.name.startswith("IMG_")]
    assert [p.file_name for p in batch.added] == [f.name for f in good]
    assert batch.failed == [pair for r in singles for pair in r.failed]
    assert [name for name, _ in batch.failed] == [str(files[i]) for i in (1, 3, 6, 7, 10)]
    assert batch.no_position == [str(files[7])]
    assert batch.duplicates == [(str(files[9]), 4)] == [d for r in singles for d in r.duplicates]

    stored = _stored(batch_ws)
    assert stored == _stored(single_ws)
    # the bytes are the files' own, and the rows say so
    for row, f in zip(stored, good, strict=True):
        digest = hashlib.sha256(f.read_bytes()).hexdigest()
        assert row["bytes_sha256"] == row["sha256"] == digest
        assert row["size_bytes"] == f.stat().st_size
    assert [r["outside"] for r in stored] == [False] * 5 + [True] + [False] * 2


def test_a_cancel_in_the_middle_attaches_nothing_and_stops_the_readers(two_ws, tmp_path):
    ws = two_ws[0]
    lon, lat = _inside(ws)
    files = _files(tmp_path / "in", lon, lat)
    earlier = tmp_path / "earlier.jpg"
    make_jpeg(earlier, lon=lon, lat=lat, seed=30)
    attach(ws, [earlier], kind="rehab_parcels", subject_id=PARCEL)
    before = _stored(ws)

    class Cancelled(Exception):
        pass

    def progress(done, total, name):
        if done == 6:
            raise Cancelled

    with pytest.raises(Cancelled) as raised:
        attach(ws, files, kind="rehab_parcels", subject_id=PARCEL, progress=progress)
    # the exception (and so the attach's frame) is still held here: the reading threads are
    # gone all the same, not left waiting until it is dropped
    assert raised.value is not None
    assert not [t for t in threading.enumerate() if t.name.startswith("landtool-photo")]
    assert _stored(Workspace(ws.path)) == before
    # and the workspace takes the same files afterwards
    done = attach(ws, files, kind="rehab_parcels", subject_id=PARCEL)
    assert [p.photo_id for p in done.added] == list(range(2, 10))


def test_others_can_save_while_the_files_are_read(two_ws, tmp_path, monkeypatch):
    """The files are read and decoded with no lock on the workspace: someone else attaching
    photos to another parcel meanwhile (not waiting a moment for the lock) gets in, and the
    first attach stores its own after theirs."""
    ws, _ = two_ws
    monkeypatch.setenv("LANDTOOL_LOCK_TIMEOUT", "0")  # a held lock would refuse at once
    lon, lat = _inside(ws)
    files = _files(tmp_path / "in", lon, lat)
    g = ws.read("rehab_parcels")
    other = g[g["parcel_id"] == "RP-002"].geometry.iloc[0].representative_point()
    theirs = make_jpeg(tmp_path / "theirs.jpg", lon=other.x, lat=other.y, seed=40)
    meanwhile = []

    def progress(done, total, name):
        if done == 3 and not meanwhile:  # in the middle of reading the files
            meanwhile.append(attach(Workspace(ws.path), [tmp_path / "theirs.jpg"],
                                    kind="rehab_parcels", subject_id="RP-002"))

    mine = attach(ws, files, kind="rehab_parcels", subject_id=PARCEL, progress=progress)
    assert [p.photo_id for p in meanwhile[0].added] == [1]
    assert [p.photo_id for p in mine.added] == list(range(2, 10))  # ids decided when stored
    back = {p.photo_id: p for p in photos(Workspace(ws.path))}
    assert back[1].subject_id == "RP-002" and photo_bytes(ws, 1) == theirs
    assert {back[i].subject_id for i in range(2, 10)} == {PARCEL}


def test_a_file_changed_after_it_was_read_is_refused_not_stored_half_known(two_ws, tmp_path):
    """A file rewritten between its reading and its storing (its row would describe other
    bytes) is refused with a message; the others are attached."""
    ws, _ = two_ws
    lon, lat = _inside(ws)
    files = _files(tmp_path / "in", lon, lat)

    def progress(done, total, name):
        if done == total - 1:  # every file has been read by now (threads read ahead)
            make_jpeg(files[0], lon=lon, lat=lat, seed=99)  # another picture, same name

    res = attach(ws, files, kind="rehab_parcels", subject_id=PARCEL, progress=progress)
    assert [p.file_name for p in res.added] == [f.name for f in files
                                                if f.name.startswith("IMG_")][1:]
    (message,) = [m for name, m in res.failed if name == str(files[0])]
    assert "changed while it was being attached" in message and "IMG_00.jpg" in message
    for p in res.added:  # what is kept is what its row says
        assert hashlib.sha256(photo_bytes(ws, p.photo_id)).hexdigest() == p.sha256
