"""The PDF report of a submission package, in Mongolian (default) or English.

Pages, in order: the cover (applicant, members, soum, aimag, request id, queue number and
submission time, the verdict), the map (a landscape page), the corner coordinates in MRPAM style,
the eligibility results rule by rule with their legal sources, confidences and conflicts, the
eligible part, the rehabilitation of the applicant's earlier land with the cost estimate, the
data sources and the officer's signature block. Every page's footer names the ruleset, the rate
file and how areas were computed, and numbers the page ("3 / 8").

Both languages carry the same content: every label comes from :data:`TEXT`, the messages from
the saved check in the chosen language. The legal sources are cited as the ruleset writes them
(in English). The notes of the check are written from its data (unconfirmed rules, rules not
checked, a check date before the ruleset's) in the chosen language; ``check.json`` of the
package keeps them as the check recorded them.

Text is set in DejaVu Sans (regular and bold), which has Cyrillic; it ships with matplotlib.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

from landtool.errors import OutputError

#: The folder holding DejaVuSans.ttf and DejaVuSans-Bold.ttf (None: matplotlib's fonts).
FONT_DIR: Path | None = None
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
LANGS = ("mn", "en")

TEXT: dict[str, dict[str, str]] = {
    "mn": {
        "title": "Бичил уурхайн газар олгох хүсэлтийн материал",
        "subtitle": "Иргэдийн Төлөөлөгчдийн Хуралд өргөн мэдүүлэх",
        "request_id": "Хүсэлтийн дугаар", "applicant": "Хүсэлт гаргагч нөхөрлөл",
        "members": "Гишүүдийн тоо", "soum": "Сум", "aimag": "Аймаг",
        "queue_no": "Дарааллын дугаар", "submitted_at": "Хүсэлт ирүүлсэн огноо, цаг",
        "area": "Хүсэлтийн талбай", "eligible_area": "Шаардлага хангасан хэсгийн талбай",
        "verdict": "Шалгалтын дүн", "ruleset": "Дүрмийн багц", "regulation": "Эрх зүйн үндэс",
        "as_of": "Хүчинтэй байдлыг тогтоосон өдөр", "checked_at": "Шалгалт хийсэн",
        "made_on": "Тайлан үйлдсэн огноо", "rates": "Нэгж үнийн файл",
        "witness": "Шийдвэрийн бүртгэл (гэрч)",
        "witness_v": "{count} бичлэг, сүүлийн хэш {hash} (witness.json)",
        "eligible": "шаардлага хангасан", "refused": "шаардлага хангаагүй",
        "incomplete": "шалгасан хэмжээнд шаардлага хангасан (зарим дүрмийг шалгаагүй)",
        "counts": "{fail} шаардлага хангаагүй, {warn} анхааруулга, {ok} хангасан",
        "contents": "Агуулга",
        "s_map": "Байршлын зураг", "s_corners": "Талбайн булангийн цэгүүдийн солбицол",
        "s_check": "Шаардлагын шалгалтын дүн", "s_conflicts": "Давхцал, зөрчил",
        "s_eligible": "Олгох боломжтой хэсэг",
        "s_rehab": "Өмнө олгосон газрын нөхөн сэргээлт",
        "s_costs": "Нөхөн сэргээлтийн зардлын тооцоо",
        "s_sources": "Мэдээллийн эх сурвалж, аргачлал", "s_sign": "Хянаж, баталгаажуулсан",
        "map_caption": "Хүсэлтийн талбай, түүний олгох боломжтой хэсэг, ойр орчны давхаргууд.",
        "map_scaled": "Энд зургийг бодит хэмжээнийх нь {pct:.0f} %-иар багасгаж хэвлэсэн тул "
                      "зайг масштабын шугамаар хэмжинэ үү; зураг дээрх 1:N масштаб нь "
                      "багц дахь map.png-г 100 %-иар хэвлэхэд хүчинтэй.",
        "corners_intro": "WGS 84 солбицлын систем, градус-минут-секунд. Цэгүүдийг Ашигт "
                         "малтмал, газрын тосны газрын (АМГТГ) зарын хэлбэрээр дугаарлав.",
        "col_rule": "Шаардлага", "col_result": "Дүн", "col_confidence": "Баталгаажсан эсэх",
        "source": "Эх сурвалж", "not_checked": "шалгаагүй (давхарга байхгүй)",
        "pass": "хангасан", "fail": "хангаагүй", "warn": "анхааруулга",
        "not_applicable": "хамаарахгүй",
        "confirmed": "батлагдсан", "unconfirmed": "батлагдаагүй",
        "col_layer": "Давхарга", "col_feature": "Объект", "col_overlap": "Давхцал (гадна), га",
        "col_distance": "Зай, м", "no_conflicts": "Давхцал, зөрчил илрээгүй.",
        "outside_all": "гадна үлдсэн хэсэг (хамрах объект байхгүй)",
        "outside_of": "гадна үлдсэн хэсэг (хэсэгчлэн хамрах: {ids})",
        "notes": "Шалгалтын тэмдэглэл",
        "note_unconfirmed": "Хуулийн эх бичвэрээр батлагдаагүй утгад тулгуурласан дүрэм: {rules}.",
        "note_before": "Шалгасан өдөр ({as_of}) дүрмийн багц хүчин төгөлдөр болох өдрөөс "
                       "({effective}) өмнө байна.",
        "note_layers": "Давхарга байхгүйн улмаас шалгаагүй дүрэм: {rules}.",
        "eligible_text": "Олгох боломжтой хэсэг нь {part:.4f} га, хүсэлтийн талбайн "
                         "{share:.1f} %.",
        "eligible_same": "Хүсэлтийн талбайгаас юу ч хасагдаагүй тул олгох боломжтой хэсэг нь "
                         "хүсэлтийн талбайтай адил (булангийн цэгүүдийг 2-р хэсгээс үзнэ үү).",
        "eligible_def": "Олгох боломжтой хэсэг нь газрын байршилтай холбоотой шаардлагуудаар "
                        "хасагдаагүй үлдсэн талбай; хүсэлтийг олгох эсэх нь бүх шаардлагаас "
                        "(3-р хэсэг) хамаарна.",
        "eligible_but": "Анхаар: хүсэлт бүх шаардлагыг хангаагүй (3-р хэсэг) тул энэ хэсгийг "
                        "тэдгээрийг хангасны дараа л олгох боломжтой.",
        "eligible_none": "Хүсэлтийн талбайн аль ч хэсэг шаардлага хангаагүй.",
        "eligible_corners": "Шаардлага хангасан хэсгийн булангийн цэгүүд:",
        "rehab_none": "Хүсэлт гаргагч нөхөрлөлд өмнө олгосон газрын нөхөн сэргээлтийн бүртгэл "
                      "байхгүй.",
        "rehab_intro": "Хүсэлт гаргагчийн ({who}) өмнө олгосон газрын талбай, нөхөн "
                       "сэргээлтийн төлөвөөр:",
        "col_status": "Төлөв", "col_ha": "Талбай, га",
        "total_ha": "Нийт", "outstanding_ha": "Нөхөн сэргээгээгүй (эвдэрсэн ба техникийн "
                                              "нөхөн сэргээлт хийгдэж байгаа)",
        "technical_share": "Техникийн нөхөн сэргээлт хийгдсэн хувь",
        "biological_share": "Биологийн нөхөн сэргээлт хийгдсэн хувь",
        "col_parcel": "Талбай", "col_task": "Ажил", "col_qty": "Тоо хэмжээ", "col_unit": "Нэгж",
        "col_rate": "Нэгж үнэ", "col_cost": "Өртөг", "site": "байршил",
        "direct": "Шууд зардал", "total": "Нийт зардал",
        "deposit": "Нөхөн сэргээлтийн баталгаа ({pct:g} %, {state})",
        "costs_intro": "Үлдсэн ажлын тоо хэмжээг талбайн зураглалаас тооцов (талбай, периметр, "
                       "нүхний эзлэхүүн); өртөг = тоо хэмжээ × нэгж үнэ, валют: {cur}.",
        "illustrative": "Анхааруулга: энэ нэгж үнийн файл нь жишээ (албан ёсоор нийтлэгдсэн "
                        "үнэ биш). Бодит баталгааны дүнд ашиглахын өмнө орон нутгийн үнээр солино.",
        "no_volume": "{parcel} талбайн нүхний эзлэхүүн тодорхойгүй тул нүх булах ажлыг "
                     "үнэлээгүй.",
        "cost_none": "Үлдсэн нөхөн сэргээлтийн ажил байхгүй тул зардал тооцоогүй.",
        "areas": "Талбайн тооцоо", "distances": "Зайн тооцоо",
        "distance_method": "хоёр объектын хамгийн ойр цэгүүдийн хоорондох WGS 84 эллипсоид "
                           "дээрх геодезийн зай (pyproj Geod)",
        "layers": "Ажлын орчны давхаргууд (давхарга: файл, нэмсэн огноо)",
        "sign_intro": "Энэхүү материалыг хянаж, Иргэдийн Төлөөлөгчдийн Хуралд оруулахаар "
                      "бэлтгэсэн:",
        "sign_officer": "Газрын даамал / мэргэжилтэн", "sign_name": "Овог, нэр",
        "sign_position": "Албан тушаал", "sign_signature": "Гарын үсэг", "sign_date": "Огноо",
        "sign_stamp": "Тамга", "footer_ruleset": "Дүрмийн багц", "footer_rates": "Нэгж үнэ",
        "footer_areas": "Талбай", "page": "Хуудас {n} / {total}", "illustrative_short": "жишээ",
        "unknown": "тодорхойгүй",
        "deposit_confirmed": "батлагдсан", "deposit_unconfirmed": "батлагдаагүй",
        "u_m3": "м³", "u_ha": "га", "u_m": "м", "u_site": "байршил", "u_year": "жил",
        "i_project management": "Төслийн удирдлага",
        "i_maintenance and monitoring": "Арчилгаа, хяналт",
        "i_contingency": "Урьдчилан тооцоогүй зардал",
        "i_engineering, design and construction plan": "Инженерийн зураг төсөл, гүйцэтгэлийн "
                                                       "төлөвлөгөө",
    },
    "en": {
        "title": "ASM land request: submission package",
        "subtitle": "For the Citizens' Representative Khural",
        "request_id": "Request ID", "applicant": "Applicant partnership",
        "members": "Members", "soum": "Soum", "aimag": "Aimag",
        "queue_no": "Queue number", "submitted_at": "Submitted at",
        "area": "Area of the request", "eligible_area": "Area of the eligible part",
        "verdict": "Result of the check", "ruleset": "Ruleset", "regulation": "Regulation",
        "as_of": "Validity as of", "checked_at": "Checked at",
        "made_on": "Report date", "rates": "Rate file",
        "witness": "Decisions log (witness)",
        "witness_v": "{count} entries, last hash {hash} (witness.json)",
        "eligible": "eligible", "refused": "not eligible",
        "incomplete": "eligible as far as checked (some rules were not checked)",
        "counts": "{fail} failed, {warn} warning(s), {ok} passed",
        "contents": "Contents",
        "s_map": "Map", "s_corners": "Corner coordinates",
        "s_check": "Eligibility check", "s_conflicts": "Conflicts",
        "s_eligible": "Eligible part",
        "s_rehab": "Rehabilitation of earlier land", "s_costs": "Rehabilitation cost estimate",
        "s_sources": "Data sources and methods", "s_sign": "Review and sign-off",
        "map_caption": "The request, its eligible part and the layers around it.",
        "map_scaled": "The map is shown here at {pct:.0f} % of its size: measure with the "
                      "scale bar. Its stated 1:N scale holds for map.png of the package "
                      "printed at 100 %.",
        "corners_intro": "WGS 84, degrees-minutes-seconds. Corners numbered as in MRPAM "
                         "notices.",
        "col_rule": "Requirement", "col_result": "Result", "col_confidence": "Confidence",
        "source": "Source", "not_checked": "not checked (layer missing)",
        "pass": "passed", "fail": "failed", "warn": "warning",
        "not_applicable": "not applicable",
        "confirmed": "confirmed", "unconfirmed": "unconfirmed",
        "col_layer": "Layer", "col_feature": "Feature", "col_overlap": "Overlap (outside), ha",
        "col_distance": "Distance, m", "no_conflicts": "No conflicts were found.",
        "outside_all": "part outside (nothing covers it)",
        "outside_of": "part outside (partly covered by {ids})",
        "notes": "Notes of the check",
        "note_unconfirmed": "Rules relying on values the legal text did not confirm: {rules}.",
        "note_before": "The check date ({as_of}) is before the ruleset's effective date "
                       "({effective}).",
        "note_layers": "Rules not checked for want of a layer: {rules}.",
        "eligible_text": "The eligible part is {part:.4f} ha, {share:.1f} % of the request.",
        "eligible_same": "Nothing is cut from the request: the eligible part is the request "
                         "itself (its corners are in section 2).",
        "eligible_def": "The eligible part is the land of the request the rules about location "
                        "leave free; whether the request can be granted depends on all the rules "
                        "(section 3).",
        "eligible_but": "Note: the request does not meet every requirement (section 3), so this "
                        "part can be granted only once they are met.",
        "eligible_none": "No part of the request is eligible.",
        "eligible_corners": "Corners of the eligible part:",
        "rehab_none": "The applicant partnership has no recorded earlier land "
                      "(rehabilitation parcels).",
        "rehab_intro": "Earlier land of {who}, by rehabilitation status:",
        "col_status": "Status", "col_ha": "Area, ha",
        "total_ha": "Total", "outstanding_ha": "Outstanding (disturbed and technical "
                                              "rehabilitation in progress)",
        "technical_share": "Share technically rehabilitated",
        "biological_share": "Share biologically rehabilitated",
        "col_parcel": "Parcel", "col_task": "Task", "col_qty": "Quantity", "col_unit": "Unit",
        "col_rate": "Rate", "col_cost": "Cost", "site": "site",
        "direct": "Direct cost", "total": "Total",
        "deposit": "Rehabilitation guarantee ({pct:g} %, {state})",
        "costs_intro": "Quantities of the remaining work derived from the mapped parcels (areas, "
                       "perimeters, pit volumes); cost = quantity × rate, currency {cur}.",
        "illustrative": "Warning: this rate file is ILLUSTRATIVE (not published rates). Replace "
                        "the rates with local quotes before relying on a figure.",
        "no_volume": "Parcel {parcel}: pit volume unknown, so backfilling is not priced.",
        "cost_none": "No rehabilitation work remains, so nothing is priced.",
        "areas": "Areas", "distances": "Distances",
        "distance_method": "geodesic distance on the WGS 84 ellipsoid (pyproj Geod) between "
                           "the nearest points of the two features",
        "layers": "Workspace layers (layer: file, date added)",
        "sign_intro": "Reviewed and prepared for the Citizens' Representative Khural by:",
        "sign_officer": "Land officer", "sign_name": "Name",
        "sign_position": "Position", "sign_signature": "Signature", "sign_date": "Date",
        "sign_stamp": "Stamp", "footer_ruleset": "Ruleset", "footer_rates": "Rates",
        "footer_areas": "Areas", "page": "Page {n} / {total}",
        "illustrative_short": "illustrative", "unknown": "unknown",
        "deposit_confirmed": "confirmed", "deposit_unconfirmed": "unconfirmed",
        "u_m3": "m³", "u_ha": "ha", "u_m": "m", "u_site": "site", "u_year": "year",
        "i_project management": "Project management",
        "i_maintenance and monitoring": "Maintenance and monitoring",
        "i_contingency": "Contingency",
        "i_engineering, design and construction plan": "Engineering, design and construction "
                                                       "plan",
    },
}
_DECIMALS = {"m3": 1, "ha": 4, "m": 1, "site": 0, "year": 0}
_STATUS_COLOUR = {"pass": "#d9f0d3", "fail": "#f4c7c3", "warn": "#fde9b8",
                  "not_applicable": "#eeeeee"}


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise OutputError(f"unknown language {lang!r}", hint=f"use one of: {', '.join(LANGS)}")
    return lang


def font_files() -> tuple[Path, Path]:
    """The regular and bold DejaVu Sans files the report is set in."""
    folder = FONT_DIR
    if folder is None:
        import matplotlib

        folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return Path(folder) / "DejaVuSans.ttf", Path(folder) / "DejaVuSans-Bold.ttf"


def register_fonts() -> None:
    """Register DejaVu Sans (regular and bold) with reportlab; OutputError if a file is missing.

    Called before anything is written, so a missing font leaves nothing behind.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    regular, bold = font_files()
    for path in (regular, bold):
        if not path.is_file():
            raise OutputError(
                "the font for the report (DejaVu Sans, which has Cyrillic) is missing",
                path=path, hint="reinstall matplotlib (it ships the font), or put "
                "DejaVuSans.ttf and DejaVuSans-Bold.ttf in that folder")
    try:
        for name, path in ((FONT, regular), (FONT_BOLD, bold)):
            pdfmetrics.registerFont(TTFont(name, str(path)))
    except (TTFError, OSError) as exc:
        raise OutputError(f"the report font cannot be read ({exc})", path=regular,
                          hint="reinstall matplotlib, which ships DejaVu Sans") from exc
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT,
                                  boldItalic=FONT_BOLD)


# -- formatting -------------------------------------------------------------------------------

def _e(value) -> str:
    return escape(str(value))


def number(value: float, decimals: int = 0) -> str:
    """``1234567.5`` -> ``1 234 567.50``: spaces between thousands, a dot for decimals."""
    return f"{value:,.{decimals}f}".replace(",", " ")


def _text_or(value, default: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return default
    text = str(value).strip()
    return text if text and text.lower() not in ("nan", "none", "<na>") else default


def _when(value) -> str:
    """An ISO timestamp as ``2026-03-02 11:10:00 (+08:00)``."""
    text = _text_or(value, "")
    m = re.fullmatch(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d(?::\d\d)?)(?:\.\d+)?(.*)", text)
    if not m:
        return text
    zone = m[3].strip()
    return f"{m[1]} {m[2]}" + (f" ({'UTC' if zone == 'Z' else zone})" if zone else "")


def admin_name(unit: dict, lang: str) -> str:
    """The name of a soum or aimag in ``lang``, else in the other language, else its P-code."""
    first, second = ("name_mn", "name_en") if lang == "mn" else ("name_en", "name_mn")
    return unit.get(first) or unit.get(second) or unit.get("pcode") or ""


def corner_blocks(name: str, geom, lang: str) -> list[dict]:
    """The corners of ``geom`` as :func:`~landtool.io.corners.format_corner_list` writes and
    numbers them: per polygon part, its title, column header, rows ``(no, lon, lat)`` in DMS
    and the closing lines (area, holes); ``coords`` holds the same corners in decimal degrees.
    """
    import shapely

    from landtool.io.corners import format_corner_list

    text = format_corner_list([(name, geom)], lang=lang)
    parts = list(getattr(geom, "geoms", [geom]))
    blocks = []
    for part, block in zip(parts, text.strip().split("\n\n"), strict=True):
        lines = block.split("\n")
        rows = [tuple(ln.split("\t")) for ln in lines[2:] if "\t" in ln]
        coords = list(shapely.get_exterior_ring(part).coords)[:-1]
        blocks.append({"title": lines[0], "header": tuple(lines[1].split("\t")), "rows": rows,
                       "coords": coords[:len(rows)],
                       "notes": [ln for ln in lines[2:] if "\t" not in ln]})
    return blocks


def conflict_feature(res: dict, conflict: dict, lang: str) -> str:
    """What a conflict names: the feature's id (a licence code, ...), or for a rule that wants
    the request inside a layer (``within``), the part left outside it."""
    fid = str(conflict["feature_id"])
    if res.get("type") != "within" or not fid.startswith("outside"):
        return fid
    inside = fid.removeprefix("outside").strip()
    t = TEXT[lang]
    return t["outside_all"] if inside in ("", "all") else t["outside_of"].format(ids=inside)


def source_line(line: str, lang: str) -> str:
    """A line of :attr:`PackageData.sources` (``layer: file (added YYYY-MM-DD)``) in ``lang``."""
    if lang == "mn":
        return re.sub(r"\(added (\S+)\)$", r"(нэмсэн: \1)", line)
    return line


def _fit(cells, minimum: float) -> float:
    """A column width that fits the longest word of ``cells`` (Paragraphs) unbroken."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    widest = minimum
    for cell in cells:
        style = cell.style
        font = FONT_BOLD if style.fontName == FONT_BOLD else FONT
        for word in cell.getPlainText().split():
            widest = max(widest, stringWidth(word, font, style.fontSize) + 9)
    return widest


def indirect_name(name: str, lang: str) -> str:
    return TEXT[lang].get(f"i_{name}", name)


def task_name(task: str, lang: str) -> str:
    from landtool.rehab.rates import TASKS

    if task not in TASKS:
        return task
    return TASKS[task].title_mn if lang == "mn" else TASKS[task].title_en


def status_name(status: str, lang: str) -> str:
    from landtool.rehab.status import STATUS_NAMES_MN

    return STATUS_NAMES_MN.get(status, status) if lang == "mn" else status.replace("_", " ")


def ruleset_title(report: dict, lang: str) -> str:
    """The ruleset's title in ``lang`` when its file is at hand, else the regulation."""
    from landtool.check.ruleset import load_ruleset
    from landtool.errors import LandtoolError

    rs = report["ruleset"]
    try:
        loaded = load_ruleset(rs["id"], version=rs.get("version"))
    except (LandtoolError, OSError):
        return rs.get("regulation", "")
    if loaded.version != rs.get("version"):
        return rs.get("regulation", "")
    return loaded.title_mn if lang == "mn" else loaded.title_en


def area_method(report: dict, lang: str) -> str:
    from landtool.geodesy import AREA_METHOD, AREA_METHOD_MN

    method = report.get("area_method") or AREA_METHOD
    return AREA_METHOD_MN if lang == "mn" and method == AREA_METHOD else method


def check_notes(report: dict, lang: str) -> list[str]:
    """The notes of the check, written from its data in ``lang``."""
    t = TEXT[lang]
    out = []
    results = {r["rule"]: r for r in report["request"]["results"]}

    def titled(ids: Iterable[str]) -> str:
        return "; ".join(f"{results[i]['title_' + lang]} ({i})" if i in results else i
                         for i in ids)

    unconfirmed = report["ruleset"].get("unconfirmed_rules") or []
    if unconfirmed:
        out.append(t["note_unconfirmed"].format(rules=titled(unconfirmed)))
    effective, as_of = report["ruleset"].get("effective_date"), report.get("as_of")
    if effective and as_of and as_of < effective:
        out.append(t["note_before"].format(as_of=as_of, effective=effective))
    missing = [r["rule"] for r in report["request"]["results"] if not r.get("checked", True)]
    if missing:
        out.append(t["note_layers"].format(rules=titled(missing)))
    return out


def footer_lines(data, lang: str) -> tuple[str, str]:
    """The two footer lines: ruleset, rates and area method; request id and applicant."""
    from landtool.check.ruleset import head_name

    t = TEXT[lang]
    rs, r = data.check.report["ruleset"], data.rates
    rates = f"{r.id} {r.version} ({r.date.isoformat()}" + (
        f", {t['illustrative_short']})" if r.illustrative else ")")
    first = (f"{t['footer_ruleset']}: {head_name(rs, lang)}  ·  {t['footer_rates']}: "
             f"{rates}  ·  {t['footer_areas']}: {area_method(data.check.report, lang)}")
    applicant = _text_or(data.request.get("applicant"), "")
    return first, f"{data.request_id}" + (f"  ·  {applicant}" if applicant else "")


def write_report(data, out: str | Path, *, lang: str = "mn",
                 map_png: str | Path | None = None) -> Path:
    """Write the PDF report of one request to ``out``.

    Parameters
    ----------
    data
        The request's :class:`~landtool.export.data.PackageData`.
    out
        The PDF to write (written whole or not at all).
    lang
        ``"mn"`` (default) or ``"en"``.
    map_png
        The map to show, a PNG at 300 dpi; drawn with
        :func:`landtool.export.printmap.render_map` (A4 landscape) when not given.

    Returns
    -------
    Path
        ``out``.
    """
    import tempfile

    from landtool.io.formats import atomic_path

    check_lang(lang)
    register_fonts()
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="landtool-report-") as tmp:
        if map_png is None:
            from landtool.export.printmap import render_map

            map_png = render_map(data, Path(tmp) / "map.png", paper="a4",
                                 orientation="landscape", lang=lang, dpi=300)
        with atomic_path(out) as part:
            _build(data, part, lang, Path(map_png))
    return out


# -- layout -------------------------------------------------------------------------------------

_MARGIN_MM, _TOP_MM, _BOTTOM_MM = 18, 15, 22
_MAP_MARGIN_MM, _MAP_TOP_MM = 12, 8  # the landscape map page: narrower margins


_BAND_TOP_MM, _BAND_MM = 4, 8  # a draft ruleset's band: from 4 mm below the top, 8 mm high


def _map_top(draft: bool) -> float:
    """The landscape map page's top margin: as the portrait pages' under a draft's band."""
    return _TOP_MM if draft else _MAP_TOP_MM


def _map_frame(draft: bool = False) -> tuple[float, float]:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm

    w, h = landscape(A4)
    return w - 2 * _MAP_MARGIN_MM * mm, h - (_map_top(draft) + _BOTTOM_MM) * mm


_MAP_FRAME = _map_frame()


def _draw_draft_band(canvas, width: float, height: float) -> None:
    """The red band across the top of a page checked with a draft ruleset, in both languages."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm

    from landtool.check.ruleset import DRAFT_FLAG

    y = height - (_BAND_TOP_MM + _BAND_MM) * mm
    canvas.saveState()
    canvas.setFillColor(colors.HexColor("#c62828"))
    canvas.rect(_MARGIN_MM * mm, y, width - 2 * _MARGIN_MM * mm, _BAND_MM * mm, stroke=0,
                fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont(FONT_BOLD, 9)
    canvas.drawCentredString(width / 2, y + 2.9 * mm,
                             f"{DRAFT_FLAG['mn']}   ·   {DRAFT_FLAG['en']}")
    canvas.restoreState()


def _styles() -> dict:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5, spaceAfter=4)
    cell = ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5, spaceAfter=0)
    return {
        "body": body,
        "cell": cell,
        "cellb": ParagraphStyle("cellb", parent=cell, fontName=FONT_BOLD),
        "num": ParagraphStyle("num", parent=cell, alignment=TA_RIGHT),
        "numb": ParagraphStyle("numb", parent=cell, alignment=TA_RIGHT, fontName=FONT_BOLD),
        "small": ParagraphStyle("small", parent=cell, fontSize=7.5, leading=9.5,
                                textColor=colors.HexColor("#444444")),
        "title": ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=19,
                                leading=24, alignment=TA_CENTER, spaceAfter=6),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=12, leading=16,
                                   alignment=TA_CENTER, spaceAfter=18),
        "h1": ParagraphStyle("h1", parent=body, fontName=FONT_BOLD, fontSize=13, leading=17,
                             spaceBefore=10, spaceAfter=8, keepWithNext=1),
        "h2": ParagraphStyle("h2", parent=body, fontName=FONT_BOLD, fontSize=10.5, leading=14,
                             spaceBefore=8, spaceAfter=5, keepWithNext=1),
        "footer": ParagraphStyle("footer", parent=body, fontSize=7, leading=8.5,
                                 textColor=colors.HexColor("#333333")),
    }


def _table(rows, widths, *, header: bool = True, extra=(), repeat: bool = True, heights=None):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    style = [("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 8.5),
             ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
             ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
             ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4e8ee")))
    table = Table(rows, colWidths=widths, rowHeights=heights,
                  repeatRows=1 if header and repeat else 0, hAlign="LEFT")
    table.setStyle(TableStyle(style + list(extra)))
    return table


class _Report:
    """Builds the story (the flowables) of one report."""

    def __init__(self, data, lang: str, map_png: Path) -> None:
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.units import mm

        from landtool.check.ruleset import is_draft_head

        self.data, self.lang, self.t, self.map_png = data, lang, TEXT[lang], map_png
        self.s = _styles()
        self.mm = mm
        self.width = A4[0] - 2 * _MARGIN_MM * mm  # of a portrait frame
        self.report = data.check.report
        self.result = data.result
        self.draft = is_draft_head(self.report["ruleset"])

    def p(self, text: str, style: str = "cell"):
        from reportlab.platypus import Paragraph

        return Paragraph(text, self.s[style])

    def h1(self, n: int, key: str):
        return self.p(f"{n}. {_e(self.t[key])}", "h1")

    # -- pages ------------------------------------------------------------------------------

    def story(self) -> list:
        from reportlab.platypus import CondPageBreak, NextPageTemplate, PageBreak

        room = CondPageBreak(70 * self.mm)  # a section starts on a new page unless room is left
        return [*self.cover(), NextPageTemplate("landscape"), PageBreak(), *self.map(),
                NextPageTemplate("portrait"), PageBreak(), *self.corners(), room,
                *self.check(), room, *self.eligible_and_photos(), room, *self.rehab(), room,
                *self.sources(), *self.signature()]

    def cover(self) -> list:
        from reportlab.lib import colors
        from reportlab.platypus import Spacer

        from landtool.check.ruleset import head_name

        t, d, r, mm = self.t, self.data, self.result, self.mm
        req = d.request
        members = req.get("members")
        members = _text_or(members if members is None else
                           (int(members) if _text_or(members, "").isdigit() else members),
                           t["unknown"])
        queue = _text_or(req.get("queue_no", r.get("queue_no")), t["unknown"])
        verdict = (t["refused"] if not r["eligible"] else
                   t["incomplete"] if r.get("incomplete") else t["eligible"])
        statuses = [x["status"] for x in r["results"]]
        counts = t["counts"].format(fail=statuses.count("fail"), warn=statuses.count("warn"),
                                    ok=statuses.count("pass"))
        rates = d.rates
        rows = [
            ("request_id", d.request_id),
            ("applicant", _text_or(req.get("applicant"), t["unknown"])),
            ("members", members),
            ("soum", admin_name(d.soum, self.lang) or t["unknown"]),
            ("aimag", admin_name(d.aimag, self.lang) or t["unknown"]),
            ("queue_no", queue),
            ("submitted_at", _when(req.get("submitted_at", r.get("submitted_at")))
             or t["unknown"]),
            ("area", f"{number(r['area_ha'], 4)} {t['u_ha']}"),
            ("eligible_area", f"{number(r['eligible_area_ha'], 4)} {t['u_ha']}"),
            ("verdict", f"<b>{_e(verdict)}</b> ({_e(counts)})"),
            ("ruleset", f"{head_name(self.report['ruleset'], self.lang)}: "
                        f"{ruleset_title(self.report, self.lang)}"),
            ("as_of", self.report.get("as_of", "")),
            ("checked_at", _when(d.check.checked_at)),
            ("rates", f"{rates.id} {rates.version} ({rates.date.isoformat()})"
             + (f", {t['illustrative_short']}" if rates.illustrative else "")),
            ("made_on", d.made_on.isoformat()),
        ]
        if d.witness is not None:
            rows.append(("witness", t["witness_v"].format(
                count=d.witness["log_length"], hash=d.witness["last_hash"] or "—")))
        cells = [[self.p(_e(t[k]), "cellb"),
                  self.p(v if k == "verdict" else _e(v), "cell")] for k, v in rows]
        colour = "#f4c7c3" if not r["eligible"] else "#d9f0d3"
        i = [k for k, _ in rows].index("verdict")
        table = _table(cells, [62 * mm, self.width - 62 * mm], header=False,
                       extra=[("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f4f7")),
                              ("BACKGROUND", (1, i), (1, i), colors.HexColor(colour))])
        sections = ["s_map", "s_corners", "s_check", "s_eligible", "s_rehab", "s_sources",
                    "s_sign"]
        contents = "<br/>".join(f"{n}. {_e(t[k])}" for n, k in enumerate(sections, 1))
        return [Spacer(1, 14 * mm), self.p(_e(t["title"]), "title"),
                self.p(_e(t["subtitle"]), "subtitle"), table, Spacer(1, 10 * mm),
                self.p(_e(t["contents"]), "h2"), self.p(contents, "body")]

    def map(self) -> list:
        from reportlab.lib.utils import ImageReader
        from reportlab.platypus import Image

        mm, t = self.mm, self.t
        box_w, box_h = _map_frame(self.draft)
        box_h -= 13 * mm  # the caption below
        px_w, px_h = ImageReader(str(self.map_png)).getSize()
        scale = min(box_w / px_w, box_h / px_h)
        image = Image(str(self.map_png), px_w * scale, px_h * scale)
        # the map's own scale (1:N) holds when it is printed at its full size (at 300 dpi)
        shown = 100 * scale * 300 / 72
        caption = (f"<b>1. {_e(t['s_map'])}.</b> {_e(t['map_caption'])} "
                   f"{_e(t['map_scaled'].format(pct=shown))}")
        return [image, self.p(caption, "small")]

    def corner_tables(self, name: str, geom) -> list:
        from reportlab.platypus import KeepTogether, Spacer

        mm, out = self.mm, []
        for block in corner_blocks(name, geom, self.lang):
            rows = [[self.p(_e(h), "cellb") for h in block["header"]]]
            rows += [[self.p(_e(no), "num"), self.p(_e(lon), "num"), self.p(_e(lat), "num")]
                     for no, lon, lat in block["rows"]]
            head = [self.p(_e(block["title"]), "h2")]
            table = _table(rows, [14 * mm, 42 * mm, 42 * mm])
            notes = [self.p(_e(n), "body") for n in block["notes"]]
            out += [KeepTogether(head + [table]) if len(rows) < 30 else head[0], *(
                [] if len(rows) < 30 else [table]), Spacer(1, 2 * mm), *notes]
        return out

    def corners(self) -> list:
        return [self.h1(2, "s_corners"), self.p(_e(self.t["corners_intro"]), "body"),
                *self.corner_tables(self.data.request_id, self.data.geometry)]

    def status_text(self, res: dict) -> str:
        if not res.get("checked", True):
            return self.t["not_checked"]
        return self.t.get(res["status"], res["status"])

    def check(self) -> list:
        from reportlab.lib import colors

        t, mm, lang = self.t, self.mm, self.lang
        rows = [[self.p("№", "cellb"), self.p(_e(t["col_rule"]), "cellb"),
                 self.p(_e(t["col_result"]), "cellb"), self.p(_e(t["col_confidence"]), "cellb")]]
        extra = []
        for n, res in enumerate(self.result["results"], 1):
            # a passed rule's message only repeats its title; the result column says it
            message = "" if res["status"] == "pass" and res.get("checked", True) else \
                f"<br/>{_e(res['message_' + lang])}"
            text = (f"<b>{_e(res['title_' + lang])}</b>{message}"
                    f"<br/><font size='7.5' color='#444444'>{_e(t['source'])}: "
                    f"{_e(res['source'])}</font>")
            rows.append([self.p(str(n)), self.p(text), self.p(_e(self.status_text(res))),
                         self.p(_e(t.get(res["confidence"], res["confidence"])))])
            colour = _STATUS_COLOUR.get(res["status"], "#ffffff")
            if not res.get("checked", True):
                colour = _STATUS_COLOUR["warn"]
            extra.append(("BACKGROUND", (2, n), (2, n), colors.HexColor(colour)))
        result_w = _fit([r[2] for r in rows], 22 * mm)
        conf_w = _fit([r[3] for r in rows], 22 * mm)
        table = _table(rows, [9 * mm, self.width - 9 * mm - result_w - conf_w, result_w, conf_w],
                       extra=extra)
        r = self.result
        verdict = (t["refused"] if not r["eligible"] else
                   t["incomplete"] if r.get("incomplete") else t["eligible"])
        out = [self.h1(3, "s_check"),
               self.p(f"{_e(t['verdict'])}: <b>{_e(verdict)}</b>", "body"), table,
               self.p(_e(t["s_conflicts"]), "h2")]
        titles = {x["rule"]: x["title_" + lang] for x in r["results"]}
        conflicts = [(res, c) for res in r["results"] for c in res["conflicts"]]
        if conflicts:
            from landtool.catalog import get_kind
            from landtool.errors import CatalogError

            rows = [[self.p(_e(t[k]), "cellb") for k in
                     ("col_rule", "col_layer", "col_feature", "col_overlap", "col_distance")]]
            for res, c in conflicts:
                rule = res["rule"]
                try:
                    kind = get_kind(c["kind"]).name(lang)
                except (CatalogError, KeyError):
                    kind = c["kind"]
                layer = kind if c["layer"] == c["kind"] else f"{kind} ({c['layer']})"
                rows.append([self.p(_e(titles.get(rule, rule))), self.p(_e(layer)),
                             self.p(_e(conflict_feature(res, c, lang)), "cellb"),
                             self.p("" if c["overlap_ha"] is None else
                                    number(c["overlap_ha"], 4), "num"),
                             self.p("" if c["distance_m"] is None else
                                    number(c["distance_m"], 1), "num")])
            out.append(_table(rows, [self.width - 110 * mm, 34 * mm, 32 * mm, 22 * mm, 22 * mm]))
        else:
            out.append(self.p(_e(t["no_conflicts"]), "body"))
        notes = check_notes(self.report, lang)
        if notes:
            out.append(self.p(_e(t["notes"]), "h2"))
            out += [self.p(f"• {_e(n)}", "body") for n in notes]
        return out

    def eligible(self) -> list:
        t, d = self.t, self.data
        out = [self.h1(4, "s_eligible")]
        part, whole = self.result["eligible_area_ha"], self.result["area_ha"]
        if d.eligible_part is None or d.eligible_part.is_empty or part <= 0:
            return out + [self.p(_e(t["eligible_none"]), "body")]
        share = 100.0 * part / whole if whole else 0.0
        out += [self.p(_e(t["eligible_text"].format(part=part, share=share)), "body"),
                self.p(_e(t["eligible_def"]), "body")]
        if not self.result["eligible"]:
            out.append(self.p(f"<b>{_e(t['eligible_but'])}</b>", "body"))
        if d.eligible_part.equals(d.geometry):
            return out + [self.p(_e(t["eligible_same"]), "body")]
        name = f"{d.request_id} ({t['s_eligible'].lower()})"
        return out + [self.p(_e(t["eligible_corners"]), "body"),
                      *self.corner_tables(name, d.eligible_part)]

    def eligible_and_photos(self) -> list:
        """The eligible part, then the photographs of the request's area (when it has any)."""
        from landtool.export.report_photos import request_photos

        return self.eligible() + request_photos(self)

    def rehab(self) -> list:
        from reportlab.platypus import KeepTogether

        t, d, mm = self.t, self.data, self.mm
        out = [self.h1(5, "s_rehab")]
        summary = d.rehab_summary
        if summary is None or len(summary) == 0:
            return out + [self.p(_e(t["rehab_none"]), "body")]
        from landtool.rehab.status import STATUSES

        row = summary.iloc[0]
        who = _text_or(d.request.get("applicant"), t["unknown"])
        rows = [[self.p(_e(t["col_status"]), "cellb"), self.p(_e(t["col_ha"]), "cellb")]]
        rows += [[self.p(_e(status_name(s, self.lang))), self.p(number(row[s], 4), "num")]
                 for s in STATUSES]
        rows += [[self.p(_e(t["total_ha"]), "cellb"), self.p(number(row["total_ha"], 4),
                                                              "numb")],
                 [self.p(_e(t["outstanding_ha"]), "cellb"),
                  self.p(number(row["outstanding_ha"], 4), "numb")],
                 [self.p(_e(t["technical_share"])),
                  self.p(f"{100 * row['technical_share']:.1f} %", "num")],
                 [self.p(_e(t["biological_share"])),
                  self.p(f"{100 * row['biological_share']:.1f} %", "num")]]
        out = [KeepTogether([*out, self.p(_e(t["rehab_intro"].format(who=who)), "body"),
                             _table(rows, [110 * mm, 30 * mm])])]
        from landtool.export.report_photos import status_with_evidence

        return out + self.costs() + status_with_evidence(self)

    def costs(self) -> list:
        from reportlab.platypus import KeepTogether, Spacer

        t, d, mm, lang = self.t, self.data, self.mm, self.lang
        est = d.estimate
        out = [self.p(_e(t["s_costs"]), "h2")]
        if est is None or not est.lines:
            return out + [self.p(_e(t["cost_none"]), "body")]
        out.append(self.p(_e(t["costs_intro"].format(cur=est.currency)), "body"))
        rows = [[self.p(_e(t[k]), "cellb" if k in ("col_parcel", "col_task") else "numb")
                 for k in ("col_parcel", "col_task", "col_qty", "col_unit", "col_rate",
                           "col_cost")]]
        rows[0][3] = self.p(_e(t["col_unit"]), "cellb")
        for ln in est.lines:
            task = task_name(ln.task, lang)
            if ln.parcel_id is None and ln.site:
                task += f" ({t['site']}: {ln.site})"
            rows.append([self.p(_e(ln.parcel_id or "—")), self.p(_e(task)),
                         self.p(number(ln.quantity, _DECIMALS.get(ln.unit, 2)), "num"),
                         self.p(_e(t.get(f"u_{ln.unit}", ln.unit))),
                         self.p(number(ln.rate, 0 if float(ln.rate).is_integer() else 2), "num"),
                         self.p(number(ln.cost), "num")])
        widths = [20 * mm, self.width - 114 * mm, 26 * mm, 18 * mm, 24 * mm, 26 * mm]
        out.append(_table(rows, widths))
        cur = est.currency
        state = t["deposit_confirmed"] if est.deposit_confirmed else t["deposit_unconfirmed"]
        sums = [(t["direct"], est.direct, False)]
        sums += [(f"{indirect_name(x.name, lang)} ({x.percent:g} %)", x.cost, False)
                 for x in est.indirect]
        sums += [(t["total"], est.total, True),
                 (t["deposit"].format(pct=est.deposit_percent, state=state), est.deposit, True)]
        rows = [[self.p(_e(label), "cellb" if bold else "cell"),
                 self.p(f"{number(value)} {cur}", "numb" if bold else "num")]
                for label, value, bold in sums]
        out += [Spacer(1, 3 * mm),
                KeepTogether(_table(rows, [self.width - 50 * mm, 50 * mm], header=False)),
                Spacer(1, 2 * mm)]
        for p in est.parcels:
            priced = {ln.task for ln in p.lines}
            if "backfill" in p.tasks and "backfill" not in priced and (
                    p.q.volume_m3 is None or p.q.volume_method == "none"):
                out.append(self.p(_e(t["no_volume"].format(parcel=p.q.parcel_id)), "small"))
        r = est.rates
        out.append(self.p(f"{_e(t['rates'])}: {_e(r.id)} {_e(r.version)} "
                          f"({r.date.isoformat()})", "small"))
        if r.illustrative:
            out.append(self.p(f"<b>{_e(t['illustrative'])}</b>", "body"))
        return out

    def sources(self) -> list:
        t = self.t
        out = [self.h1(6, "s_sources"),
               self.p(f"<b>{_e(t['areas'])}:</b> {_e(area_method(self.report, self.lang))}",
                      "body"),
               self.p(f"<b>{_e(t['distances'])}:</b> {_e(t['distance_method'])}", "body"),
               self.p(f"<b>{_e(t['regulation'])}:</b> "
                      f"{_e(ruleset_title(self.report, self.lang))}", "body"),
               self.p(_e(t["layers"]), "h2")]
        return out + [self.p(_e(source_line(line, self.lang)), "small")
                      for line in self.data.sources]

    def signature(self) -> list:
        from reportlab.lib import colors
        from reportlab.platypus import KeepTogether, Spacer

        t, mm = self.t, self.mm
        rows = [[self.p(_e(t[k]), "cellb"), ""] for k in
                ("sign_name", "sign_position", "sign_signature", "sign_date")]
        lines = _table(rows, [45 * mm, 95 * mm], header=False, heights=[13 * mm] * 4, extra=[
            ("GRID", (0, 0), (-1, -1), 0, colors.white), ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black)])
        stamp = _table([[self.p(_e(t["sign_stamp"]), "cellb"), ""]], [45 * mm, 45 * mm],
                       header=False, heights=[40 * mm], extra=[
                           ("GRID", (0, 0), (-1, -1), 0, colors.white),
                           ("BOX", (1, 0), (1, 0), 0.6, colors.black)])
        return [KeepTogether([self.h1(7, "s_sign"), self.p(_e(t["sign_intro"]), "body"),
                              self.p(_e(t["sign_officer"]), "h2"), lines, Spacer(1, 8 * mm),
                              stamp])]


def _numbered_canvas(page_text: str):
    """A canvas class that writes "page n / total" on every page once the total is known."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._states: list[dict] = []

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._states.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._states)
            for state in self._states:
                self.__dict__.update(state)
                self.setFont(FONT, 7)
                self.setFillGray(0.2)
                self.drawRightString(self._pagesize[0] - _MARGIN_MM * mm,
                                     (_BOTTOM_MM - 13) * mm,
                                     page_text.format(n=self._pageNumber, total=total))
                super().showPage()
            super().save()

    return NumberedCanvas


def _build(data, path: Path, lang: str, map_png: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

    builder = _Report(data, lang, map_png)
    first, second = footer_lines(data, lang)
    style = builder.s["footer"]

    def footer(canvas, _doc) -> None:
        width = canvas._pagesize[0]
        inner = width - 2 * _MARGIN_MM * mm
        canvas.saveState()
        canvas.setStrokeColor(colors.HexColor("#999999"))
        canvas.setLineWidth(0.4)
        canvas.line(_MARGIN_MM * mm, (_BOTTOM_MM - 3) * mm, width - _MARGIN_MM * mm,
                    (_BOTTOM_MM - 3) * mm)
        para = Paragraph(_e(first), style)
        _, h = para.wrap(inner, 20 * mm)
        para.drawOn(canvas, _MARGIN_MM * mm, (_BOTTOM_MM - 4) * mm - h)
        canvas.setFont(FONT, 7)
        canvas.setFillGray(0.2)
        canvas.drawString(_MARGIN_MM * mm, (_BOTTOM_MM - 13) * mm, second)
        canvas.restoreState()
        if builder.draft:
            _draw_draft_band(canvas, width, canvas._pagesize[1])

    def frame(size, fid, margin=_MARGIN_MM, top=_TOP_MM):
        return Frame(margin * mm, _BOTTOM_MM * mm, size[0] - 2 * margin * mm,
                     size[1] - (top + _BOTTOM_MM) * mm, id=fid, leftPadding=0,
                     rightPadding=0, topPadding=0, bottomPadding=0)

    t = TEXT[lang]
    doc = BaseDocTemplate(
        str(path), pagesize=A4, title=f"{t['title']}: {data.request_id}", author="landtool",
        subject=t["subtitle"], creator="landtool",
        pageTemplates=[
            PageTemplate("portrait", [frame(A4, "portrait")], onPage=footer, pagesize=A4),
            PageTemplate("landscape", [frame(landscape(A4), "landscape", _MAP_MARGIN_MM,
                                             _map_top(builder.draft))],
                         onPage=footer, pagesize=landscape(A4)),
        ])
    doc.build(builder.story(), canvasmaker=_numbered_canvas(t["page"]))
