"""The background imagery on the printed map sheet (PDF, looked at through pdftoppm) and the
CLI's --background / --no-background, and a workspace whose imagery has gone missing.

Where the imagery must land on the page is computed here from the map frame's position on the
figure and the frame's UTM limits (matplotlib's layout and the view, not the imagery code).
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import rasterio
from PIL import Image
from rasterio.transform import Affine
from system_tools import page_rgb

from landtool.cli import main as cli
from landtool.export.data import gather
from landtool.export.printmap import map_figure
from landtool.workspace import Workspace

REQUEST = "REQ-2026-005"


def main(args):
    """Run the CLI as a user would (click's CliRunner); the exit code."""
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, [str(a) for a in args])
    main.err = result.stderr if result.stderr_bytes is not None else result.output
    return result.exit_code
MAGENTA = (230, 20, 200)
DPI = 50


@pytest.fixture(scope="module")
def ws_copy(sample_ws, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ws")
    for name in (sample_ws.name, "mandal_dem.tif", "mandal_imagery.tif"):
        shutil.copyfile(sample_ws.parent / name, folder / name)
    return folder / sample_ws.name


@pytest.fixture(scope="module")
def frame(ws_copy):
    """The request map's frame: its UTM view and where it sits on the page (fractions)."""
    fig = map_figure(gather(Workspace(ws_copy), REQUEST), lang="en")
    return fig.landtool_view, fig.landtool_map_axes.get_position(), fig.get_size_inches()


def _west_half_raster(path, view):
    """Magenta over the west half of the frame (and beyond it north, south and west)."""
    mid = (view.x0 + view.x1) / 2
    pixel = 2.0
    w = int((mid - (view.x0 - 200)) / pixel)
    h = int((view.y1 - view.y0 + 400) / pixel)
    data = np.empty((3, h, w), np.uint8)
    for b, v in enumerate(MAGENTA):
        data[b] = v
    with rasterio.open(path, "w", driver="GTiff", width=w, height=h, count=3, dtype="uint8",
                       crs=f"EPSG:{view.epsg}", tiled=True,
                       transform=Affine(pixel, 0, view.x0 - 200, 0, -pixel, view.y1 + 200)) as d:
        d.write(data)
    return path


def _magenta(pixels: np.ndarray) -> np.ndarray:
    r, g, b = (pixels[..., i].astype(int) for i in range(3))
    return (r > 150) & (g < 110) & (b > 130) & (r - g > 80)


def _halves(pdf, frame, tmp_path):
    """Share of magenta pixels in the west and east halves of the map frame of page 1."""
    view, pos, (w_in, h_in) = frame
    page = page_rgb(pdf, 1, tmp_path, DPI)
    H, W = page.shape[:2]
    assert abs(W - w_in * DPI) <= 2 and abs(H - h_in * DPI) <= 2
    x0, x1 = pos.x0 * W, pos.x1 * W
    top, bottom = (1 - pos.y1) * H, (1 - pos.y0) * H
    mid = (x0 + x1) / 2
    m = 4  # keep off the frame's line and the half's edge
    west = page[int(top) + m:int(bottom) - m, int(x0) + m:int(mid) - m]
    east = page[int(top) + m:int(bottom) - m, int(mid) + m:int(x1) - m]
    return _magenta(west).mean(), _magenta(east).mean()


def test_the_pdf_sheet_shows_the_background_under_the_features(ws_copy, frame, tmp_path):
    view = frame[0]
    raster = _west_half_raster(tmp_path / "west.tif", view)
    out = tmp_path / "map.pdf"
    assert main(["export", "map", "--workspace", str(ws_copy), "--request", REQUEST,
                 "--lang", "en", "--background", str(raster), "--out", str(out)]) == 0
    west, east = _halves(out, frame, tmp_path)
    # the west half is the imagery where no feature covers it (the request and its
    # surroundings are drawn over it), the east half none
    assert west > 0.25, west
    assert east < 0.01, east
    from pypdf import PdfReader

    text = PdfReader(out).pages[0].extract_text()
    assert "west.tif" in text.replace("\n", "")


def test_no_background_and_the_workspace_s_own(ws_copy, frame, tmp_path):
    out = tmp_path / "none.pdf"
    assert main(["export", "map", "--workspace", str(ws_copy), "--request", REQUEST,
                 "--lang", "en", "--no-background", "--out", str(out)]) == 0
    sub = tmp_path / "pages"
    sub.mkdir()
    west, east = _halves(out, frame, sub)
    assert west < 0.01 and east < 0.01  # a dashed purple conflict line is no imagery
    own = tmp_path / "own.pdf"  # the sample's synthetic imagery, said to be synthetic
    assert main(["export", "map", "--workspace", str(ws_copy), "--request", REQUEST,
                 "--lang", "en", "--out", str(own)]) == 0
    from pypdf import PdfReader

    text = PdfReader(own).pages[0].extract_text().replace("\n", " ")
    assert "mandal_imagery.tif (SYNTHETIC" in text


def test_a_missing_background_is_named_on_the_sheet_and_a_bad_one_refused(ws_copy, tmp_path):
    folder = tmp_path / "moved"
    folder.mkdir()
    shutil.copyfile(ws_copy, folder / ws_copy.name)  # the imagery stayed behind
    out = tmp_path / "m.pdf"
    assert main(["export", "map", "--workspace", str(folder / ws_copy.name), "--request",
                 REQUEST, "--lang", "en", "--out", str(out)]) == 0
    from pypdf import PdfReader

    text = PdfReader(out).pages[0].extract_text().replace("\n", " ")
    assert "mandal_imagery.tif (not drawn: the file does not exist)" in text
    out.unlink()
    bad = tmp_path / "x.tif"
    bad.write_text("not a raster")
    code = main(["export", "map", "--workspace", str(ws_copy), "--request", REQUEST,
                 "--background", str(bad), "--out", str(out)])
    err = main.err
    assert code == 2 and "x.tif" in err and "not a raster" in err and not out.exists()
    assert "Traceback" not in err


def test_the_package_map_shows_the_background(ws_copy, frame, tmp_path):
    from landtool.export.package import build_package

    raster = _west_half_raster(tmp_path / "west.tif", frame[0])
    pkg = build_package(Workspace(ws_copy), REQUEST, tmp_path / "pkg", lang="en",
                        background=raster)
    png = np.asarray(Image.open(pkg.folder / "map.png").convert("RGB"))
    assert _magenta(png).mean() > 0.05


def test_workspace_background_command(ws_copy, tmp_path):
    from landtool.workspace.background import workspace_background

    folder = tmp_path / "w"
    folder.mkdir()
    ws = folder / "w.gpkg"
    shutil.copyfile(ws_copy, ws)
    assert main(["workspace", "background", ws]) == 2  # its imagery stayed behind: said
    assert "mandal_imagery.tif" in main.err and "does not exist" in main.err
    bad = folder / "plain.txt"
    bad.write_text("hello")
    assert main(["workspace", "background", ws, bad]) == 2
    assert "plain.txt" in main.err and "What to do" in main.err
    assert workspace_background(Workspace(ws)) == folder / "mandal_imagery.tif"  # unchanged
    shutil.copyfile(ws_copy.parent / "mandal_imagery.tif", folder / "img.tif")
    assert main(["workspace", "background", ws, folder / "img.tif"]) == 0
    assert Workspace(ws).info_values()["background"] == "img.tif"
    assert main(["workspace", "background", ws, "--clear"]) == 0
    assert workspace_background(Workspace(ws)) is None
