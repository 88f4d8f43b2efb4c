"""The PDF report: its pages, its text in Mongolian and English (read back with pypdf), the
footer on every page, and a missing font refused before anything is written."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
import shapely
from pypdf import PdfReader

from landtool.errors import OutputError
from landtool.export import report
from landtool.export.data import gather
from landtool.workspace import Workspace

LICENCE = "MV-00005082"  # the licence REQ-2026-005 overlaps (sample data notes)
A4 = (595.3, 841.9)  # points


pytestmark = pytest.mark.usefixtures("own_home")  # the CLI writes under ~


def dms(value: float) -> str:
    """Degrees-minutes-seconds to 1/100 second, written out here independently of landtool."""
    hundredths = round(abs(value) * 360_000)
    deg, rest = divmod(hundredths, 360_000)
    minutes, sec = divmod(rest, 6_000)
    return f"{deg}°{minutes:02d}'{sec // 100:02d}.{sec % 100:02d}\""


def corners(geom) -> list[tuple[float, float]]:
    """The corners of each part's outer ring, without the closing repeat."""
    return [xy for part in getattr(geom, "geoms", [geom])
            for xy in list(part.exterior.coords)[:-1]]


def spaced(value: int) -> str:
    """369107813 -> '369 107 813', as the report groups thousands."""
    text = str(value)
    groups = []
    while text:
        groups.insert(0, text[-3:])
        text = text[:-3]
    return " ".join(groups)


@pytest.fixture(scope="module")
def pdfs(sample_ws, tmp_path_factory):
    """Reports of REQ-2026-005 (a licence conflict) and REQ-2026-013 (rehabilitation backlog
    with a cost estimate), in both languages, with the real printed map."""
    folder = tmp_path_factory.mktemp("report")
    ws = Workspace(sample_ws)
    out = {}
    for rid in ("REQ-2026-005", "REQ-2026-013"):
        data = gather(ws, rid)
        for lang in ("mn", "en"):
            path = report.write_report(data, folder / f"{rid}-{lang}.pdf", lang=lang)
            reader = PdfReader(path)
            out[rid, lang] = (data, reader, [p.extract_text() for p in reader.pages])
    return out


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_both_languages_have_the_same_labels():
    assert report.TEXT["mn"].keys() == report.TEXT["en"].keys()
    same = [k for k in report.TEXT["mn"] if report.TEXT["mn"][k] == report.TEXT["en"][k]]
    assert same == [], f"labels not translated: {same}"


@pytest.mark.parametrize("lang", ["mn", "en"])
def test_pages_and_footer(pdfs, lang):
    data, reader, texts = pdfs["REQ-2026-005", lang]
    # cover, map, corners + check, eligible part, rehabilitation + costs, sources + signature
    assert 5 <= len(reader.pages) <= 8
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    assert sizes[0] == pytest.approx(A4, abs=0.5)
    assert sizes[1] == pytest.approx(A4[::-1], abs=0.5), "the map page is landscape"
    assert all(s in (pytest.approx(A4, abs=0.5), pytest.approx(A4[::-1], abs=0.5))
               for s in sizes)
    area = report.area_method(data.check.report, lang)
    page = report.TEXT[lang]["page"]
    for n, text in enumerate(texts, 1):
        flat = squash(text)
        assert "mn-asm-2022 1.0.0" in flat, f"page {n}: no ruleset in the footer"
        assert "mn-illustrative-2026 1.0.0" in flat, f"page {n}: no rate file in the footer"
        assert squash(area) in flat, f"page {n}: no area method in the footer"
        assert page.format(n=n, total=len(texts)) in flat
        assert "REQ-2026-005" in flat


def test_map_page_holds_the_300_dpi_map(pdfs):
    _, reader, _ = pdfs["REQ-2026-005", "mn"]
    images = list(reader.pages[1].images)
    assert len(images) == 1
    width_px = images[0].image.width
    # an A4 landscape map at 300 dpi is 297 mm / 25.4 × 300 ≈ 3508 px wide
    assert width_px >= 0.95 * 297 / 25.4 * 300


@pytest.mark.parametrize("lang", ["mn", "en"])
def test_cover(pdfs, lang):
    data, _, texts = pdfs["REQ-2026-005", lang]
    cover = squash(texts[0])
    t = report.TEXT[lang]
    for key in ("title", "request_id", "applicant", "members", "soum", "aimag", "queue_no",
                "submitted_at", "made_on"):
        assert squash(t[key]) in cover, key
    assert "REQ-2026-005" in cover
    assert "Дархан Ус нөхөрлөл" in cover  # the applicant (sample requests layer)
    assert re.search(r"\b10\b", cover)  # members
    assert re.search(r"\b5\b", cover)  # queue number
    assert "2026-03-02 11:10:00" in cover  # submitted at
    assert ("Сэлэнгэ" if lang == "mn" else "Selenge") in cover
    # the soum's Mongolian name comes from the licences' portal names (sample build)
    assert ("Мандал" if lang == "mn" else "Mandal") in cover
    assert data.made_on.isoformat() in cover
    assert squash(t["refused"]) in cover


@pytest.mark.parametrize("lang", ["mn", "en"])
def test_corners_in_dms(pdfs, lang):
    data, _, texts = pdfs["REQ-2026-005", lang]
    whole = "\n".join(texts)
    head = ("Уртраг", "Өргөрөг") if lang == "mn" else ("Longitude", "Latitude")
    assert all(h in whole for h in head)
    for geom in (data.geometry, data.eligible_part):
        for lon, lat in corners(geom):
            assert dms(lon) in whole and dms(lat) in whole
    # numbered 1..n per part, as landtool corners write numbers them: n corners, then the area
    n = len(corners(data.geometry))
    first = squash(whole).split(dms(corners(data.geometry)[0][0]))[0]
    assert re.search(r"\b1\s*$", first)
    assert n == 4


@pytest.mark.parametrize("lang", ["mn", "en"])
def test_check_results_rule_by_rule(pdfs, lang):
    data, _, texts = pdfs["REQ-2026-005", lang]
    whole = squash("\n".join(texts))
    other = "en" if lang == "mn" else "mn"
    for res in data.result["results"]:
        assert squash(res[f"title_{lang}"]) in whole
        assert squash(res["source"]) in whole
        if res["status"] != "pass":
            assert squash(res[f"message_{lang}"]) in whole
            assert squash(res[f"message_{other}"]) not in whole
    assert LICENCE in whole
    t = report.TEXT[lang]
    for key in ("fail", "pass", "confirmed", "unconfirmed", "s_conflicts", "col_overlap"):
        assert squash(t[key]) in whole, key
    # the overlap, to 4 decimals, from the saved check
    assert f"{data.conflicts[0].overlap_ha:.4f}" in whole
    # the eligible part and its area
    assert f"{data.result['eligible_area_ha']:.4f}" in whole
    assert squash(t["s_eligible"]) in whole
    # the officer's signature block, on the last page
    last = squash(texts[-1])
    assert all(squash(t[k]) in last for k in ("sign_name", "sign_signature", "sign_date"))


@pytest.mark.parametrize("lang", ["mn", "en"])
def test_labels_of_the_other_language_are_absent(pdfs, lang):
    _, _, texts = pdfs["REQ-2026-013", lang]
    whole = squash("\n".join(texts))
    other = report.TEXT["en" if lang == "mn" else "mn"]
    for key in ("s_check", "s_corners", "s_rehab", "s_costs", "sign_signature", "col_cost",
                "direct", "total_ha"):
        assert f" {squash(other[key])} " not in f" {whole} ", key


@pytest.mark.parametrize("lang", ["mn", "en"])
def test_rehabilitation_and_costs(pdfs, lang):
    data, _, texts = pdfs["REQ-2026-013", lang]
    whole = squash("\n".join(texts))
    est = data.estimate
    direct = sum(ln.cost for ln in est.lines)
    indirect = sum(x.cost for x in est.indirect)
    assert est.total == direct + indirect  # the figures the report prints add up
    # the total and the deposit, as independently summed, are printed
    assert spaced(direct + indirect) in whole
    deposit = (Decimal(direct + indirect) * Decimal(str(est.deposit_percent)) / 100).quantize(
        Decimal(1), rounding=ROUND_HALF_UP)  # half up, as the rate file's rounding rule says
    assert spaced(int(deposit)) in whole
    assert spaced(direct) in whole
    for x in est.indirect:
        assert spaced(x.cost) in whole
    # every parcel with a cost line, and the illustrative warning
    for ln in est.lines:
        if ln.parcel_id:
            assert ln.parcel_id in whole
    t = report.TEXT[lang]
    assert squash(t["illustrative"]) in whole
    row = data.rehab_summary.iloc[0]
    assert f"{row['outstanding_ha']:.4f}" in whole
    assert f"{row['total_ha']:.4f}" in whole
    # the backlog rule's message in the chosen language
    res = next(r for r in data.result["results"] if r["rule"] == "rehabilitation_backlog")
    assert squash(res[f"message_{lang}"]) in whole


def test_missing_font_is_refused_before_writing(sample_ws, tmp_path, monkeypatch):
    monkeypatch.setattr(report, "FONT_DIR", tmp_path / "no-fonts")
    data = gather(Workspace(sample_ws), "REQ-2026-005")
    out = tmp_path / "out" / "report.pdf"
    with pytest.raises(OutputError, match="font"):
        report.write_report(data, out)
    assert not out.parent.exists()


def test_unknown_language_is_refused(sample_ws, tmp_path):
    data = gather(Workspace(sample_ws), "REQ-2026-005")
    with pytest.raises(OutputError, match="language"):
        report.write_report(data, tmp_path / "r.pdf", lang="ru")
    assert not (tmp_path / "r.pdf").exists()


def test_corner_blocks_follow_the_geometry():
    square = shapely.MultiPolygon([shapely.box(106.5, 48.6, 106.51, 48.61),
                                   shapely.box(106.6, 48.6, 106.61, 48.61)])
    blocks = report.corner_blocks("X", square, "en")
    assert len(blocks) == 2
    for block, part in zip(blocks, square.geoms, strict=True):
        coords = list(part.exterior.coords)[:-1]
        assert [r[0] for r in block["rows"]] == [str(i) for i in range(1, len(coords) + 1)]
        assert [(r[1], r[2]) for r in block["rows"]] == [(dms(x), dms(y)) for x, y in coords]
