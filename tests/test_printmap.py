"""The printable maps: every paper size and orientation, as PNG and PDF, with what the issue
asks of them (the request and its conflicts, furniture, corners matching the corner list,
Mongolian and English), and labels that never overlap each other or the legend.

Expected page sizes come from the ISO 216 millimetres (A4 210 × 297, A3 297 × 420), expected
corner numbers and coordinates from :func:`landtool.io.corners.format_corner_list`, and the
corner positions from an independent pyproj projection.
"""

from __future__ import annotations

import re
import subprocess
import sys
from itertools import combinations

import pytest
from PIL import Image
from pypdf import PdfReader
from pyproj import Transformer

from landtool.errors import OutputError
from landtool.export.data import gather
from landtool.export.printmap import map_figure, overview_figure, render_map, render_overview
from landtool.geodesy import AREA_METHOD, AREA_METHOD_MN
from landtool.io.corners import format_corner_list
from landtool.workspace import Workspace

ISO_MM = {("a4", "portrait"): (210, 297), ("a4", "landscape"): (297, 210),
          ("a3", "portrait"): (297, 420), ("a3", "landscape"): (420, 297)}
REQUESTS = [f"REQ-2026-{i:03d}" for i in range(1, 16)]


@pytest.fixture(scope="module")
def ws(sample_ws):
    return Workspace(sample_ws)


@pytest.fixture(scope="module")
def data005(ws):
    return gather(ws, "REQ-2026-005")


def _text(pdf) -> str:
    """The PDF's text with all runs of white space made single spaces."""
    return " ".join(PdfReader(pdf).pages[0].extract_text().split())


def _listed_corners(data) -> list[tuple[str, str, str]]:
    listed = format_corner_list([(data.request_id, data.geometry)])
    return [tuple(line.split("\t")) for line in listed.splitlines() if re.match(r"\d+\t", line)]


@pytest.mark.parametrize(("paper", "orientation"), list(ISO_MM))
def test_every_page_renders_as_png_and_pdf_of_the_paper_size(data005, tmp_path, paper,
                                                             orientation):
    w_mm, h_mm = ISO_MM[paper, orientation]
    png = render_map(data005, tmp_path / "map.png", paper=paper, orientation=orientation)
    with Image.open(png) as im:
        assert abs(im.width - w_mm / 25.4 * 300) <= 2
        assert abs(im.height - h_mm / 25.4 * 300) <= 2
    pdf = render_map(data005, tmp_path / "map.pdf", paper=paper, orientation=orientation)
    box = PdfReader(pdf).pages[0].mediabox
    assert abs(float(box.width) - w_mm / 25.4 * 72) < 0.5
    assert abs(float(box.height) - h_mm / 25.4 * 72) < 0.5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.pdf", "map.png"]  # no leftovers


def test_a4_landscape_png_is_3508_by_2480(data005, tmp_path):
    with Image.open(render_map(data005, tmp_path / "map.png")) as im:
        assert abs(im.width - 3508) <= 2 and abs(im.height - 2480) <= 2


@pytest.mark.parametrize("lang", ["mn", "en"])
def test_pdf_says_what_the_issue_asks(data005, tmp_path, lang):
    text = _text(render_map(data005, tmp_path / "map.pdf", lang=lang))
    assert "REQ-2026-005" in text
    assert "MV-00005082" in text  # the licence in conflict, labelled on the map
    assert "mn-asm-2022" in text and "1.0.0" in text
    assert (AREA_METHOD_MN if lang == "mn" else AREA_METHOD) in text
    assert re.search(r"\d{2,3}°\d\d'\d\d[\"″]", text)  # graticule labels, whole seconds
    assert "2026-11-23" in text  # the sources' dates and the check date
    for number, lon, lat in _listed_corners(data005):  # the corner table, as the list has it
        assert f"{number} {lon} {lat}" in text
    if lang == "mn":
        assert "Тайлбар" in text and "Масштаб" in text and "Булангийн" in text
        assert "Legend" not in text
    else:
        assert "Legend" in text and "Scale" in text and "Corner coordinates" in text
        assert "Тайлбар" not in text


def test_corner_labels_in_the_pdf(data005, tmp_path):
    fig = map_figure(data005)
    numbers = [lbl.text for lbl in fig.landtool_labels if lbl.kind == "corner"]
    assert numbers == [n for n, _, _ in _listed_corners(data005)] == ["1", "2", "3", "4"]
    tokens = _text(render_map(data005, tmp_path / "map.pdf")).split()
    # each number twice: in the corner table and as a label on the map (which must be text in
    # the PDF: a white halo drawn as a path effect would turn it into outlines)
    for number in numbers:
        assert tokens.count(number) >= 2, number


def test_corners_are_numbered_as_the_corner_list_and_sit_on_the_corners(data005):
    fig = map_figure(data005)
    listed = _listed_corners(data005)
    from landtool.io.corners import format_dms

    assert [(n, format_dms(lon), format_dms(lat)) for n, lon, lat in fig.landtool_corners] \
        == listed
    ax = fig.landtool_map_axes
    to_map = Transformer.from_crs(4326, fig.landtool_view.epsg, always_xy=True)
    ring = list(data005.geometry.geoms[0].exterior.coords)[:-1]
    labels = {lbl.text: lbl for lbl in fig.landtool_labels if lbl.kind == "corner"}
    pt = fig.dpi / 72
    for j, (lon, lat) in enumerate(ring, 1):
        x, y = ax.transData.transform(to_map.transform(lon, lat))
        box = labels[str(j)].box
        dx = max(box.x0 - x, 0, x - box.x1)
        dy = max(box.y0 - y, 0, y - box.y1)
        assert (dx * dx + dy * dy) ** 0.5 < 12 * pt  # next to its corner


def _overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.mark.parametrize("request_id", REQUESTS)
def test_labels_overlap_neither_each_other_nor_the_legend(ws, request_id):
    fig = map_figure(gather(ws, request_id))
    renderer = fig.canvas.get_renderer()
    labels = fig.landtool_labels
    assert labels
    frame = fig.landtool_map_axes.get_window_extent(renderer)
    for lbl in labels:
        ext = lbl.artist.get_window_extent(renderer)
        assert lbl.box.x0 <= ext.x0 + 0.5 and ext.x1 - 0.5 <= lbl.box.x1  # box holds the text
        assert lbl.box.y0 <= ext.y0 + 0.5 and ext.y1 - 0.5 <= lbl.box.y1
        assert frame.x0 <= lbl.box.x0 and lbl.box.x1 <= frame.x1  # inside the map frame
        assert frame.y0 <= lbl.box.y0 and lbl.box.y1 <= frame.y1
    for a, b in combinations(labels, 2):
        assert not _overlap(a.box, b.box), (a.text, b.text)
    furniture = fig.landtool_furniture
    assert {"legend", "locator_country", "locator_soum", "scale_bar", "north_arrow"} \
        <= set(furniture)
    for name, thing in furniture.items():
        box = thing if hasattr(thing, "x0") else thing.get_window_extent(renderer)
        for lbl in labels:
            assert not _overlap(lbl.box, box), (lbl.text, name)
    corners = sorted(int(lbl.text) for lbl in labels if lbl.kind == "corner")
    assert corners == list(range(1, len(fig.landtool_corners) + 1))  # none dropped


@pytest.mark.parametrize(("request_id", "expected"), [
    ("REQ-2026-005", ["MV-00005082"]),
    ("REQ-2026-004", ["Хужирт горхи (synthetic)"]),
    ("REQ-2026-014", ["Хар нуур (synthetic)", "Улаан горхи (synthetic)"]),
    ("REQ-2026-003", ["REQ-2026-002"]),
    ("REQ-2026-010", ["БУГ-2025/01"]),
])
def test_every_conflicting_feature_is_labelled(ws, request_id, expected):
    fig = map_figure(gather(ws, request_id), lang="en")
    conflicts = [lbl.text for lbl in fig.landtool_labels if lbl.kind == "conflict"]
    for name in expected:
        assert any(t.startswith(name + ":") for t in conflicts), (name, conflicts)
    assert "REQ-2026-004" != request_id or any(t.endswith("33.1 m") for t in conflicts)


def test_mongolian_and_english_have_the_same_content(data005):
    mn, en = map_figure(data005, lang="mn"), map_figure(data005, lang="en")
    assert len(mn.landtool_furniture["legend"].get_texts()) == \
        len(en.landtool_furniture["legend"].get_texts())
    assert mn.landtool_corners == en.landtool_corners
    assert sorted(lbl.kind for lbl in mn.landtool_labels) == \
        sorted(lbl.kind for lbl in en.landtool_labels)
    assert mn.landtool_view == en.landtool_view


def test_overview_shows_every_request(ws, tmp_path):
    pdf = render_overview(ws, tmp_path / "all.pdf", lang="en")
    text = _text(pdf)
    for rid in REQUESTS:
        assert rid in text
    assert "mn-asm-2022" in text and AREA_METHOD in text
    fig = overview_figure(ws, paper="a3", orientation="portrait")
    renderer = fig.canvas.get_renderer()
    for a, b in combinations(fig.landtool_labels, 2):
        assert not _overlap(a.box, b.box), (a.text, b.text)
    legend = fig.landtool_furniture["legend"].get_window_extent(renderer)
    assert not any(_overlap(lbl.box, legend) for lbl in fig.landtool_labels)
    png = render_overview(ws, tmp_path / "all.png", dpi=100)
    with Image.open(png) as im:
        assert abs(im.width - 297 / 25.4 * 100) <= 2


def test_bad_arguments_are_refused_before_any_work(data005, tmp_path):
    with pytest.raises(ValueError, match="a4, a3"):
        map_figure(data005, paper="letter")
    with pytest.raises(ValueError, match="portrait, landscape"):
        map_figure(data005, orientation="square")
    with pytest.raises(ValueError, match="mn, en"):
        map_figure(data005, lang="ru")
    with pytest.raises(OutputError, match="pdf or .png"):
        render_map(data005, tmp_path / "map.jpg")
    assert not list(tmp_path.iterdir())


def test_rendering_never_imports_qt(sample_ws, tmp_path):
    code = (
        "import sys\n"
        "from landtool.workspace import Workspace\n"
        "from landtool.export.data import gather\n"
        "from landtool.export.printmap import render_map\n"
        f"ws = Workspace({str(sample_ws)!r})\n"
        f"render_map(gather(ws, 'REQ-2026-001'), {str(tmp_path / 'm.pdf')!r})\n"
        f"render_map(gather(ws, 'REQ-2026-001'), {str(tmp_path / 'm.png')!r}, dpi=50)\n"
        "qt = ('PySide6', 'PyQt5', 'PyQt6', 'qtpy', 'shiboken6')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in qt))\n"
        "print(sorted(m for m in sys.modules if m.startswith('matplotlib.pyplot')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "[]"]
