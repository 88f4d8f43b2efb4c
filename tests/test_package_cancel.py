"""``build_package``'s paper and orientation, its progress steps, and a cancel raised from the
progress callback leaving nothing written."""

from __future__ import annotations

import shutil
import struct

import pytest

from landtool.errors import LandtoolError, OutputError
from landtool.export.package import PACKAGE_STEPS, Cancelled, build_package
from landtool.workspace import Workspace

RID = "REQ-2026-005"


pytestmark = pytest.mark.usefixtures("own_home")  # the CLI writes under ~


@pytest.fixture
def ws(sample_ws, tmp_path):
    folder = tmp_path / "ws"
    folder.mkdir()
    shutil.copyfile(sample_ws, folder / "mandal.gpkg")
    return Workspace(folder / "mandal.gpkg")


def _png_size(path) -> tuple[int, int]:
    head = path.read_bytes()[:24]  # the signature, then the IHDR chunk: width, height
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_progress_names_each_step_and_the_map_is_on_the_paper_asked(ws, tmp_path):
    steps = []
    package = build_package(ws, RID, tmp_path / "out" / RID, lang="en", paper="a3",
                            orientation="portrait", progress=steps.append)
    assert steps == ["map", "report", "files", "zip"] == list(PACKAGE_STEPS)
    width, height = _png_size(package.folder / "map.png")
    assert height / width == pytest.approx(420 / 297, rel=0.01)  # A3 portrait (ISO 216)
    assert width == pytest.approx(297 / 25.4 * 300, rel=0.01)  # at 300 dpi


@pytest.mark.parametrize("at", PACKAGE_STEPS)
def test_a_cancel_from_progress_stops_and_leaves_nothing(ws, tmp_path, at):
    assert issubclass(Cancelled, LandtoolError)
    seen = []

    def progress(step: str) -> None:
        seen.append(step)
        if step == at:
            raise Cancelled("cancelled by the user")

    out = tmp_path / "new" / "deeper" / RID
    with pytest.raises(Cancelled):
        build_package(ws, RID, out, lang="en", progress=progress)
    assert seen[-1] == at
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws"]  # no folder, zip or temporary


def test_a_cancel_keeps_the_package_it_would_have_replaced(ws, tmp_path):
    out = tmp_path / "out" / RID
    build_package(ws, RID, out, lang="en")
    before = sorted(p.name for p in out.iterdir())

    def cancel(step: str) -> None:
        if step == "zip":
            raise Cancelled("cancelled by the user")

    with pytest.raises(Cancelled):
        build_package(ws, RID, out, lang="en", force=True, progress=cancel)
    assert sorted(p.name for p in out.iterdir()) == before
    assert sorted(p.name for p in out.parent.iterdir()) == [RID, f"{RID}.zip"]


@pytest.mark.parametrize("option", [{"paper": "a5"}, {"orientation": "sideways"}])
def test_an_unknown_paper_or_orientation_is_refused_first(ws, tmp_path, option):
    with pytest.raises(OutputError, match="use one of"):
        build_package(ws, RID, tmp_path / "out" / RID, **option)
    assert not (tmp_path / "out").exists()
