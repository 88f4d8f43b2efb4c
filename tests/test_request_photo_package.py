"""The request's own photographs in its submission package (issue 17): a short "Photographs
of the request area" part in the report, both languages, with the thumbnail, time, position,
direction and the OUTSIDE flag; no such part when the request has no photos."""

from __future__ import annotations

import re
import shutil
from datetime import datetime

import pytest
import shapely
from click.testing import CliRunner
from pypdf import PdfReader
from pyproj import Geod, Transformer
from system_tools import page_rgb, pdf_images

from landtool.cli import main
from landtool.photos import attach
from landtool.sample_photos import make_jpeg
from landtool.workspace import Workspace

REQUEST = "REQ-2026-013"
HEADING = {"en": "Photographs of the request area", "mn": "Хүсэлтийн талбайн гэрэл зургууд"}


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def with_request_photos(sample_ws, tmp_path_factory):
    """The sample with two photos of REQ-2026-013: one at its inner point looking 120° (true
    north), one 400 m east of its easternmost longitude; (path, the photos' positions, the
    request's polygon)."""
    folder = tmp_path_factory.mktemp("reqphotos")
    path = folder / "ws.gpkg"
    shutil.copy(sample_ws, path)
    ws = Workspace(path)
    reqs = ws.read(ws.layers_of_kind("requests")[0])
    geom = reqs[reqs["request_id"].astype(str) == REQUEST].geometry.iloc[0]
    c = geom.representative_point()
    east = Geod(ellps="WGS84").fwd(geom.bounds[2], c.y, 90, 400)[0]
    where = [(c.x, c.y), (east, c.y)]
    files = []
    for k, (lon, lat) in enumerate(where):
        f = folder / f"site-{k + 1}.jpg"
        make_jpeg(f, width=1200, height=900, lon=lon, lat=lat, label=f"site {k + 1}",
                  taken=datetime(2026, 8, 20 + k, 9, 30, 0),
                  direction=120.0 if k == 0 else None, seed=k)
        files.append(f)
    result = attach(ws, files, kind="requests", subject_id=REQUEST)
    assert [p.photo_id for p in result.added] == [1, 2]
    return path, where, geom


def _utm_distance_m(lon, lat, polygon) -> float:
    """In UTM zone 48N (scale error < 0.1 %), independent of the library's geodesic measure."""
    to_utm = Transformer.from_crs(4326, 32648, always_xy=True)
    poly = shapely.transform(polygon, to_utm.transform, interleaved=False)
    return poly.distance(shapely.Point(*to_utm.transform(lon, lat)))


def _package(path, out, lang):
    res = _cli("export", "package", "--workspace", path, "--request", REQUEST, "--out", out,
               "--lang", lang)
    assert res.exit_code == 0, res.output
    return out / "report.pdf"


@pytest.mark.parametrize("lang", ["en", "mn"])
def test_the_report_shows_the_requests_photos(with_request_photos, tmp_path, lang):
    path, where, geom = with_request_photos
    pdf = _package(path, tmp_path / "pkg", lang)
    pages = [p.extract_text() for p in PdfReader(pdf).pages]
    first = next(n for n, text in enumerate(pages, 1) if HEADING[lang] in text)
    flat = re.sub(r"\s+", " ", " ".join(pages[first - 1:first + 1]))
    (lon0, lat0), (lon1, lat1) = where
    if lang == "en":
        assert "Photo 1 · request REQ-2026-013" in flat
        assert "Taken: 2026-08-20 09:30:00" in flat and "Taken: 2026-08-21 09:30:00" in flat
        assert f"Position: {lat0:.6f}, {lon0:.6f}" in flat
        assert f"Position: {lat1:.6f}, {lon1:.6f}" in flat
        assert "Direction: 120° (true north)" in flat
        assert "Inside the request" in flat
        shown = re.search(r"OUTSIDE the request by (\d+) m \(tolerance 50 m\)", flat)
    else:
        assert "Зураг 1 · хүсэлт REQ-2026-013" in flat and "Хүсэлтийн талбай дотор" in flat
        assert "Чиглэл: 120° (жинхэнэ хойд)" in flat
        shown = re.search(r"ХҮСЭЛТИЙН ТАЛБАЙН ГАДНА (\d+) м", flat)
    assert shown is not None, flat
    assert abs(int(shown.group(1)) - _utm_distance_m(lon1, lat1, geom)) < 1.5
    # the two photos as pictures: JPEG 800 × 600 (print size, from the 1200 × 900 stored)
    thumbs = [r for r in pdf_images(pdf) if r[3:5] == ["800", "600"]]
    assert len(thumbs) == 2 and {int(r[0]) for r in thumbs} <= {first, first + 1}
    # the page as a picture: the photos' sky blue is on it
    rgb = page_rgb(pdf, first, tmp_path).astype(int)
    sky = int(((rgb[..., 2] > 170) & (rgb[..., 2] > rgb[..., 0] + 40)).sum())
    assert sky > 2000, f"page {first} shows no photo"


def test_no_part_when_the_request_has_no_photos(with_request_photos, tmp_path):
    path, _, _ = with_request_photos
    pdf = _package(path, tmp_path / "pkg", "en")  # another request of the same workspace
    text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert HEADING["en"] in text  # REQ-2026-013 has them ...
    res = _cli("export", "package", "--workspace", path, "--request", "REQ-2026-012",
               "--out", tmp_path / "other", "--lang", "en")
    assert res.exit_code == 0, res.output
    other = tmp_path / "other" / "report.pdf"
    text = " ".join(p.extract_text() for p in PdfReader(other).pages)
    assert HEADING["en"] not in text and "request REQ-2026" not in text  # ... this one none
    assert not [r for r in pdf_images(other) if r[3:5] == ["800", "600"]]
