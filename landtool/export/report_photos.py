"""The rehabilitation section's status-with-evidence pages of the package report: a table of
the applicant's parcels (status, the date it was reached, the photos cited as its evidence),
then the parcels' photographs, each with its thumbnail, parcel, position, time, direction, and
a flag when it was taken outside the parcel (:mod:`landtool.photos`). And, in the eligible
part's section, the photographs of the request's own area (:func:`request_photos`), when it
has any: the same cards, flagged when taken outside the request.
"""

from __future__ import annotations

import io

TEXT = {
    "mn": {
        "s_status": "Талбай тус бүрийн төлөв ба нотлох зураг",
        "col_parcel": "Талбай", "col_status": "Төлөв", "col_date": "Огноо",
        "col_evidence": "Нотлох зураг", "col_photos": "Бүх зураг",
        "status_note": "Нотлох зураг: төлөвийг бүртгэхэд иш татсан зургийн дугаар (шийдвэрийн "
                       "бүртгэлд SHA-256 хэштэйгээ хадгалагдсан); ! = талбайн гадна авсан зураг.",
        "s_photos": "Талбайн гэрэл зургууд",
        "photo": "Зураг {id}", "parcel": "талбай {parcel}",
        "taken": "Авсан: {when}", "taken_unknown": "Авсан огноо тодорхойгүй",
        "position": "Байршил: {lat}, {lon}", "by_hand": " (гараар байршуулсан)",
        "direction": "Чиглэл: {deg:.0f}° ({ref})", "true": "жинхэнэ хойд",
        "magnetic": "соронзон хойд",
        "outside": "ТАЛБАЙН ГАДНА {d} м (хүлцэл {t:g} м)",
        "inside": "Талбай дотор", "near": "Талбайн гадна {d} м (хүлцэлд багтсан)",
        "evidence_of": "«{status}» төлөвийн нотолгоо",
        "none": "Хүсэлт гаргагчийн талбайд хавсаргасан зураг байхгүй.",
        "method": "Зай: {method}",
        "s_request_photos": "Хүсэлтийн талбайн гэрэл зургууд",
        "request_intro": "Хүсэлтийн талбайд хавсаргасан гэрэл зураг: авсан цаг, байршил, "
                         "камерын чиглэл (бүртгэсэн бол).",
        "request": "хүсэлт {parcel}",
        "outside_request": "ХҮСЭЛТИЙН ТАЛБАЙН ГАДНА {d} м (хүлцэл {t:g} м)",
        "inside_request": "Хүсэлтийн талбай дотор",
        "near_request": "Хүсэлтийн талбайн гадна {d} м (хүлцэлд багтсан)",
    },
    "en": {
        "s_status": "Status of each parcel and its evidence",
        "col_parcel": "Parcel", "col_status": "Status", "col_date": "Date",
        "col_evidence": "Evidence (photos)", "col_photos": "All photos",
        "status_note": "Evidence: the photos cited when the status was recorded (kept in the "
                       "decisions log with their SHA-256 hashes); ! = a photo taken outside the "
                       "parcel.",
        "s_photos": "Photographs of the parcels",
        "photo": "Photo {id}", "parcel": "parcel {parcel}",
        "taken": "Taken: {when}", "taken_unknown": "Time taken unknown",
        "position": "Position: {lat}, {lon}", "by_hand": " (placed by hand)",
        "direction": "Direction: {deg:.0f}° ({ref})", "true": "true north",
        "magnetic": "magnetic north",
        "outside": "OUTSIDE the parcel by {d} m (tolerance {t:g} m)",
        "inside": "Inside the parcel", "near": "{d} m outside the parcel (within tolerance)",
        "evidence_of": "evidence of “{status}”",
        "none": "No photographs are attached to the applicant's parcels.",
        "method": "Distances: {method}",
        "s_request_photos": "Photographs of the request area",
        "request_intro": "The photographs attached to the request: when and where each was "
                         "taken, and the way the camera looked where it recorded it.",
        "request": "request {parcel}",
        "outside_request": "OUTSIDE the request by {d} m (tolerance {t:g} m)",
        "inside_request": "Inside the request",
        "near_request": "{d} m outside the request (within tolerance)",
    },
}
_COLUMNS = 3


#: the caption's texts that name what the photo belongs to, by its kind
_WHERE = {"rehab_parcels": {k: k for k in ("parcel", "outside", "inside", "near")},
          "requests": {"parcel": "request", "outside": "outside_request",
                       "inside": "inside_request", "near": "near_request"}}


def _caption(t: dict, p, evidence_of: str | None, esc) -> str:
    from landtool.export.report import _when

    w = _WHERE.get(p.subject_kind, _WHERE["rehab_parcels"])
    lines = [f"<b>{esc(t['photo'].format(id=p.photo_id))}</b> · "
             f"{esc(t[w['parcel']].format(parcel=p.subject_id))}",
             esc(t["taken"].format(when=_when(p.taken_at)) if p.taken_at
                 else t["taken_unknown"]),
             esc(t["position"].format(lat=f"{p.lat:.6f}", lon=f"{p.lon:.6f}"))
             + (esc(t["by_hand"]) if p.position_source == "by hand" else "")]
    if p.direction_deg is not None:
        ref = t["magnetic"] if p.direction_ref == "M" else t["true"]
        lines.append(esc(t["direction"].format(deg=p.direction_deg, ref=ref)))
    if p.outside:
        lines.append("<font color='#b00020'><b>"
                     + esc(t[w["outside"]].format(d=f"{p.distance_m:.0f}", t=p.tolerance_m))
                     + "</b></font>")
    elif p.distance_m is not None and p.distance_m > 0:
        lines.append(esc(t[w["near"]].format(d=f"{p.distance_m:.0f}")))
    else:
        lines.append(esc(t[w["inside"]]))
    if evidence_of:
        lines.append(f"<b>{esc(t['evidence_of'].format(status=evidence_of))}</b>")
    return "<br/>".join(lines)


def status_with_evidence(report) -> list:
    """The flowables, for the report builder ``report`` (landtool.export.report._Report)."""
    from landtool.export.report import _e, _table, status_name

    rows_in = report.data.parcel_status
    if not rows_in:
        return []
    t, mm, lang, p = TEXT[report.lang], report.mm, report.lang, report.p
    rows = [[p(_e(t[k]), "cellb") for k in
             ("col_parcel", "col_status", "col_date", "col_evidence", "col_photos")]]
    for r in rows_in:
        rows.append([p(_e(r.parcel_id)), p(_e(status_name(r.status, lang))),
                     p(_e(r.status_date or "—")),
                     p(_e(", ".join(map(str, r.evidence)) or "—")),
                     p(_e(", ".join(str(x.photo_id) + ("!" if x.outside else "")
                                    for x in r.photos) or "—"))])
    out = [p(_e(t["s_status"]), "h2"),
           _table(rows, [22 * mm, report.width - 112 * mm, 24 * mm, 36 * mm, 30 * mm]),
           p(_e(t["status_note"]), "small")]
    cards = []
    width = _card_width(report)
    for r in rows_in:
        cited = set(r.evidence)
        cards += [_card(report, photo, width, status_name(r.status, lang)
                        if photo.photo_id in cited else None) for photo in r.photos]
    if not cards:
        return out + [p(_e(t["s_photos"]), "h2"), p(_e(t["none"]), "body")]
    return out + _grid(report, cards, [p(_e(t["s_photos"]), "h2")])


def request_photos(report) -> list:
    """The photographs of the request's own area (none: no flowables at all)."""
    from landtool.export.report import _e

    shown = report.data.request_photos
    if not shown:
        return []
    t, p = TEXT[report.lang], report.p
    width = _card_width(report)
    cards = [_card(report, photo, width, None) for photo in shown]
    return _grid(report, cards, [p(_e(t["s_request_photos"]), "h2"),
                                 p(_e(t["request_intro"]), "body")])


def _card_width(report) -> float:
    return (report.width - (_COLUMNS - 1) * 4 * report.mm) / _COLUMNS


def _card(report, photo, width: float, evidence_of: str | None):
    """A photo's card: its picture (as printed, else the thumbnail) over its caption, framed
    in red when it was taken outside its feature."""
    from reportlab.lib import colors
    from reportlab.platypus import Image, Table, TableStyle

    from landtool.export.report import _e

    mm = report.mm
    image = []
    picture = report.data.photo_prints.get(photo.photo_id) or photo.thumbnail
    if picture:
        from reportlab.lib.utils import ImageReader

        w, h = ImageReader(io.BytesIO(picture)).getSize()
        scale = min(width / w, 48 * mm / h)
        image = [Image(io.BytesIO(picture), w * scale, h * scale)]
    caption = _caption(TEXT[report.lang], photo, evidence_of, _e)
    card = Table([[x] for x in (*image, report.p(caption, "small"))], colWidths=[width])
    border = "#b00020" if photo.outside else "#bbbbbb"
    card.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 1.2 if photo.outside else 0.4, colors.HexColor(border)),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]))
    return card


def _grid(report, cards: list, heading: list) -> list:
    """The cards in rows of three under ``heading`` (kept with the first row), then how the
    distances were measured."""
    from reportlab.platypus import KeepTogether, Table, TableStyle

    from landtool.export.report import _e
    from landtool.photos import DISTANCE_METHOD, DISTANCE_METHOD_MN

    mm, width = report.mm, _card_width(report)
    out = []
    grid = [cards[i:i + _COLUMNS] + [""] * (_COLUMNS - len(cards[i:i + _COLUMNS]))
            for i in range(0, len(cards), _COLUMNS)]
    for n, line in enumerate(grid):
        row = Table([line], colWidths=[width + 4 * mm] * (_COLUMNS - 1) + [width])
        row.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                 ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                 ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm)]))
        out.append(KeepTogether([*heading, row] if n == 0 else [row]))  # no lone heading
    method = DISTANCE_METHOD_MN if report.lang == "mn" else DISTANCE_METHOD
    out.append(report.p(_e(TEXT[report.lang]["method"].format(method=method)), "small"))
    return out
