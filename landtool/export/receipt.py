"""The applicant's receipt of registration: one A4 page, Mongolian and English, with a QR code.

The page shows what :func:`landtool.witness.receipt` gathered (request, applicant, queue
number, registration time in Mongolian time, geodesic area, the log entry's number and hash,
the log's length at that moment) and a QR code holding the same as JSON, so the applicant, a
Khural member or anyone else can check it against the workspace
(``landtool register verify WS --receipt FILE.json``) or paste it into the published
register page. The QR code is drawn by reportlab's own widget (no extra dependency); its JSON
is ASCII (``\\u`` escapes for Cyrillic), which every QR reader returns unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

from landtool.export.report import FONT, FONT_BOLD, _e, check_lang, register_fonts
from landtool.geodesy import AREA_METHOD, AREA_METHOD_MN

#: The receipt's words; each label is printed in the first language, then the other.
TEXT = {
    "mn": {
        "title": "Хүсэлт бүртгэсний баримт",
        "intro": "Бичил уурхайн газар олгох хүсэлтийг дарааллын бүртгэлд бүртгэв.",
        "request_id": "Хүсэлтийн дугаар", "applicant": "Хүсэлт гаргагч",
        "queue_no": "Дарааллын дугаар", "registered_at": "Бүртгэсэн цаг (Монголын цаг)",
        "area_ha": "Талбай, га", "entry": "Бүртгэлийн бичлэг",
        "entry_hash": "Бичлэгийн хэш (SHA-256)", "log_length": "Тухайн үеийн бичлэгийн тоо",
        "workspace": "Ажлын орчин",
        "keep": "Энэ баримтыг хадгална уу. Бүртгэлд таны бичлэг өөрчлөгдөөгүй эсэхийг хэн ч "
                "шалгаж болно: QR кодын агуулгыг нийтэлсэн бүртгэлийн хуудсанд оруулах, эсвэл "
                "`landtool register verify WS --receipt {json}` ажиллуулна. Бичлэгийг "
                "өөрчилсөн, устгасан, эсвэл бүртгэлийг дахин бичсэн бол шалгалт үүнийг илрүүлнэ.",
        "area_note": f"Талбайг {AREA_METHOD_MN} аргаар тооцов.",
        "qr": "QR код: энэ баримтын JSON",
    },
    "en": {
        "title": "Receipt of registration",
        "intro": "The request for ASM land has been entered in the queue register.",
        "request_id": "Request", "applicant": "Applicant",
        "queue_no": "Queue number", "registered_at": "Registered at (Mongolian time)",
        "area_ha": "Area, ha", "entry": "Log entry",
        "entry_hash": "Entry hash (SHA-256)", "log_length": "Log length at that moment",
        "workspace": "Workspace",
        "keep": "Keep this receipt. Anyone can check that the register still holds your entry "
                "unchanged: paste the QR code's text into the published register page, or run "
                "`landtool register verify WS --receipt {json}`. An entry changed or removed, or "
                "a register rewritten, is then detected.",
        "area_note": f"Areas: {AREA_METHOD}.",
        "qr": "QR code: this receipt as JSON",
    },
}

FIELDS = ("request_id", "applicant", "queue_no", "registered_at", "area_ha", "entry",
          "entry_hash", "log_length", "workspace")


def qr_text(doc: dict) -> str:
    """The text the QR code holds: the receipt as compact, ASCII JSON with sorted keys."""
    return json.dumps(doc, ensure_ascii=True, sort_keys=True, separators=(",", ":"))


def _value(doc: dict, field: str) -> str:
    value = doc.get(field)
    if value is None or value == "":
        return "—"
    if field == "area_ha":
        return f"{float(value):,.4f}".replace(",", " ")
    if field == "registered_at":
        return str(value).replace("T", " ")
    return str(value)


def write_receipt_pdf(doc: dict, out: str | Path, *, lang: str = "mn",
                      json_name: str | None = None) -> Path:
    """Write the receipt ``doc`` (from :func:`landtool.witness.receipt`) as a one-page PDF.

    ``lang`` is printed first, the other language under it. ``json_name`` is the receipt's
    JSON file named on the page (default: ``out`` with ``.json``). Written whole or not at all.
    """
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from landtool.io.formats import atomic_path

    check_lang(lang)
    register_fonts()
    out = Path(out)
    other = "en" if lang == "mn" else "mn"
    first, second = TEXT[lang], TEXT[other]
    json_name = json_name or out.with_suffix(".json").name

    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5, spaceAfter=4)
    small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5,
                           textColor=colors.HexColor("#444444"))
    title = ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=17, leading=21)
    value = ParagraphStyle("value", parent=body, fontName=FONT_BOLD, fontSize=10, leading=13,
                           spaceAfter=0)
    code = ParagraphStyle("code", parent=body, fontName="Courier", fontSize=8, leading=10,
                          spaceAfter=0)

    story = [Paragraph(_e(first["title"]), title),
             Paragraph(_e(second["title"]), ParagraphStyle("t2", parent=title, fontSize=12,
                                                           leading=16, fontName=FONT)),
             Spacer(1, 3 * mm),
             Paragraph(_e(first["intro"]), body), Paragraph(_e(second["intro"]), small),
             Spacer(1, 3 * mm)]
    rows = []
    for field in FIELDS:
        text = _value(doc, field)
        if field == "entry_hash":  # 64 hex digits over two lines
            cell = Paragraph(_e(text[:32]) + "<br/>" + _e(text[32:]), code)
        else:
            cell = Paragraph(_e(text), value)
        rows.append([Paragraph(f"{_e(first[field])}<br/><font size=7.5 color='#555555'>"
                               f"{_e(second[field])}</font>", body), cell])
    table = Table(rows, colWidths=[62 * mm, 112 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
        ("BACKGROUND", (0, 2), (-1, 2), colors.HexColor("#eef2f7")),  # the queue number
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    story += [table, Spacer(1, 6 * mm)]

    qr = QrCodeWidget(qr_text(doc), barLevel="M")
    x0, y0, x1, y1 = qr.getBounds()
    side = 62 * mm
    drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
    drawing.add(qr)
    keep = (_e(first["keep"].format(json=json_name)) + "<br/><br/>"
            + f"<font size=7.5 color='#555555'>{_e(second['keep'].format(json=json_name))}"
            "</font><br/><br/>" + _e(first["area_note"]) + " "
            + f"<font size=7.5 color='#555555'>{_e(second['area_note'])}</font>")
    below = Table([[drawing, Paragraph(keep, body)],
                   [Paragraph(f"{_e(first['qr'])} / {_e(second['qr'])}", small), ""]],
                  colWidths=[side + 6 * mm, 174 * mm - side - 6 * mm], hAlign="LEFT")
    below.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (0, -1), 0)]))
    story.append(below)

    with atomic_path(out) as part:
        pdf = SimpleDocTemplate(str(part), pagesize=A4, leftMargin=18 * mm,
                                rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=16 * mm,
                                title=f"{first['title']} {doc.get('request_id', '')}",
                                author="landtool")
        pdf.build(story)
    return out
