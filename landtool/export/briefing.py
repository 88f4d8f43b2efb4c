"""The briefing on a change of rules (``landtool impact``): A4 pages in Mongolian and English
for officers and policy makers: the two rulesets, the totals, a map of the requests whose
verdict or land changes, those requests with the rules responsible, the soums, and the rules
that differ. Every page names both rulesets and the check date.
"""

from __future__ import annotations

import io
from pathlib import Path

from landtool.export._bilingual_pdf import BilingualPdf, figure_png
from landtool.export.report import _e, number
from landtool.geodesy import AREA_METHOD, AREA_METHOD_MN, MONGOLIA_ALBERS

TEXT = {
    "mn": {
        "title": "Дүрмийн өөрчлөлтийн нөлөө: бичил уурхайн газрын хүсэлтүүд",
        "before": "Одоогийн дүрэм", "after": "Харьцуулсан дүрэм", "as_of": "Шалгасан өдөр",
        "draft": "ТӨСӨЛ (батлагдаагүй)",
        "totals": "Нийт дүн", "requests": "Хүсэлт", "eligible": "Шаардлага хангасан",
        "became_eligible": "Шаардлага хангах болсон", "became_refused": "Татгалзах болсон",
        "allocatable": "Олгож болох газар, га", "gained": "Нэмэгдсэн, га", "lost": "Хасагдсан, га",
        "net": "Цэвэр өөрчлөлт, га",
        "map": "Газрын зураг: шийдвэр буюу газар нь өөрчлөгдөх хүсэлтүүд",
        "legend_eligible": "шаардлага хангах болсон", "legend_refused": "татгалзах болсон",
        "legend_area": "зөвхөн газар өөрчлөгдсөн", "legend_same": "өөрчлөгдөөгүй",
        "changes": "Шийдвэр нь өөрчлөгдөх хүсэлтүүд", "none": "Шийдвэр өөрчлөгдөх хүсэлт алга.",
        "request": "Хүсэлт", "soum": "Сум", "verdict": "Шийдвэр", "why": "Шалтгаан болсон дүрэм",
        "yes": "хангасан", "no": "татгалзсан",
        "by_soum": "Сумаар", "no_soum": "(сумын хилээс гадна)",
        "diff": "Дүрмийн ялгаа", "rule": "Дүрэм", "change": "Өөрчлөлт", "field": "Талбар",
        "was": "Өмнө", "now": "Одоо", "added": "нэмэгдсэн", "removed": "хасагдсан",
        "changed": "өөрчлөгдсөн", "no_diff": "Хоёр дүрмийн дүрмүүд ижил.",
        "wording": "Нэр, мэдэгдлийн бичвэрийн өөрчлөлтийг impact.json-д бүрэн бичсэн.",
        "method": "Талбайг {method} аргаар тооцов. Олгож болох газар: шаардлага хангасан "
                  "хүсэлтийн шаардлага хангах хэсэг (татгалзсан хүсэлтэд 0).",
        "page": "Хуудас {n}",
    },
    "en": {
        "title": "Impact of a change of rules: ASM land requests",
        "before": "Ruleset in force", "after": "Compared with", "as_of": "Check date",
        "draft": "DRAFT (not a released regulation)",
        "totals": "Totals", "requests": "Requests", "eligible": "Eligible",
        "became_eligible": "Became eligible", "became_refused": "Became refused",
        "allocatable": "Allocatable land, ha", "gained": "Gained, ha", "lost": "Lost, ha",
        "net": "Net change, ha",
        "map": "Map: the requests whose verdict or land changes",
        "legend_eligible": "became eligible", "legend_refused": "became refused",
        "legend_area": "land changed only", "legend_same": "unchanged",
        "changes": "Requests whose verdict changes", "none": "No request changes its verdict.",
        "request": "Request", "soum": "Soum", "verdict": "Verdict", "why": "Rules responsible",
        "yes": "eligible", "no": "refused",
        "by_soum": "By soum", "no_soum": "(outside every soum)",
        "diff": "What differs between the rulesets", "rule": "Rule", "change": "Change",
        "field": "Field", "was": "Before", "now": "After", "added": "added",
        "removed": "removed", "changed": "changed", "no_diff": "The two rulesets' rules are "
        "the same.",
        "wording": "Changes of titles and message wording are listed in full in impact.json.",
        "method": "Areas: {method}. Allocatable land: the eligible part of an eligible request "
                  "(0 for a refused one).",
        "page": "Page {n}",
    },
}

#: Changes of wording only (titles, messages), in impact.json but not in the briefing's table.
WORDING = {"title_en", "title_mn", "message_en", "message_mn"}

COLOURS = {"became_eligible": "#2e9e3e", "became_refused": "#d7301f", "area_only": "#f39c12",
           "same": "#b0b0b0"}


def _change(r) -> str:
    if r.eligible_after and not r.eligible_before:
        return "became_eligible"
    if r.eligible_before and not r.eligible_after:
        return "became_refused"
    return "area_only" if r.area_changed else "same"


def _map_png(result, ws, t: dict, other: dict) -> bytes:
    """The requests coloured by their change over the soums they lie in (Albers)."""
    import geopandas as gpd
    import matplotlib
    import shapely

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.patches import Patch

    reqs = gpd.GeoDataFrame({"change": [_change(r) for r in result.requests]},
                            geometry=[r.geometry for r in result.requests], crs=4326)
    shown = reqs[reqs["change"] != "same"]
    focus = shown if len(shown) else reqs
    minx, miny, maxx, maxy = focus.total_bounds
    pad = max(maxx - minx, maxy - miny) * 0.25 + 0.02
    box = (minx - pad, miny - pad, maxx + pad, maxy + pad)
    fig, ax = plt.subplots(figsize=(6.8, 4.6), dpi=150)
    if ws is not None:
        for name in ws.layers_of_kind("soums"):
            soums = ws.read(name, bbox=box)
            if len(soums):
                soums.to_crs(MONGOLIA_ALBERS).boundary.plot(ax=ax, color="#555555",
                                                            linewidth=0.6)
    view = reqs.cx[box[0]:box[2], box[1]:box[3]].to_crs(MONGOLIA_ALBERS)
    for change, colour in COLOURS.items():
        part = view[view["change"] == change]
        if change == "same" and len(part) > 500:
            # a national register: the unchanged requests as dots (too small to see as
            # shapes at this scale, and thousands of shapes take seconds to draw)
            c = part.geometry.centroid
            ax.scatter(c.x, c.y, s=1.5, color=colour, linewidths=0)
        elif len(part):
            part.plot(ax=ax, facecolor=colour, edgecolor="#222222", linewidth=0.4,
                      alpha=0.85 if change != "same" else 0.5)
    # the box in the map's metres, widened to the figure's shape
    x0, y0, x1, y1 = gpd.GeoSeries([shapely.box(*box)], crs=4326).to_crs(
        MONGOLIA_ALBERS).total_bounds
    cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
    w, h = max(w, h * 6.8 / 4.6), max(h, w * 4.6 / 6.8)
    ax.set_xlim(cx - w / 2, cx + w / 2)
    ax.set_ylim(cy - h / 2, cy + h / 2)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    handles = [Patch(facecolor=COLOURS[k], edgecolor="#222222",
                     label=f"{t['legend_' + w]} / {other['legend_' + w]}")
               for k, w in (("became_eligible", "eligible"), ("became_refused", "refused"),
                            ("area_only", "area"), ("same", "same"))]
    ax.legend(handles=handles, loc="lower left", fontsize=6.5, framealpha=0.9)
    return figure_png(fig)


def write_briefing(result, out: str | Path, *, ws=None, lang: str = "mn") -> Path:
    """Write the briefing PDF for an :class:`~landtool.check.impact.Impact`. Not atomic:
    the caller gives a temporary path (``landtool impact`` writes all its files together)."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, KeepTogether, Paragraph, Spacer

    doc = BilingualPdf(TEXT, lang)
    t, o = doc.t, doc.o
    before, after = result.before.ruleset, result.after.ruleset
    as_of = result.before.as_of.isoformat()
    body, small, h2, warn = doc.body, doc.small, doc.h2, doc.warn
    both, table = doc.both, doc.table

    story = doc.heading()
    head = [[both("before"), _e(before.label()) + "<br/>" + _e(before.regulation)],
            [both("after"), _e(after.label()) + "<br/>" + _e(after.regulation)],
            [both("as_of"), _e(as_of)]]
    story.append(table(head, [45, 129], header=False))
    for rs in (before, after):
        if rs.is_draft:
            story.append(Paragraph(_e(f"{rs.label()}: {t['draft']} / {o['draft']}"), warn))

    tot = result.totals()
    rows = [[both("requests"), str(tot["requests"])],
            [both("eligible"), f"{tot['eligible_before']} → {tot['eligible_after']}"],
            [both("became_eligible"), str(tot["became_eligible"])],
            [both("became_refused"), str(tot["became_refused"])],
            [both("allocatable"), f"{number(tot['allocatable_ha_before'], 2)} → "
                                  f"{number(tot['allocatable_ha_after'], 2)}"],
            [both("gained"), number(tot["gained_ha"], 2)],
            [both("lost"), number(tot["lost_ha"], 2)],
            [both("net"), number(tot["net_ha"], 2)]]
    story += [Paragraph(both("totals"), h2), table(rows, [75, 99], header=False)]

    png = _map_png(result, ws, t, o)
    story += [Paragraph(both("map"), h2), Image(io.BytesIO(png), width=170 * mm,
                                                 height=170 * mm * 4.6 / 6.8)]

    def soum_name(soum: dict) -> str:
        if not soum["pcode"]:
            return t["no_soum"]
        return soum[f"name_{lang}"] or soum["name_en"] or soum["pcode"]

    story.append(Paragraph(both("changes"), h2))
    if result.changes:
        rows = [[both("request"), both("soum"), both("verdict"), both("why"),
                 both("allocatable")]]
        for r in result.changes:
            resp = r.responsible
            why = ", ".join(resp["after"] if not r.eligible_after else resp["before"])
            rows.append([_e(r.id), _e(soum_name(r.soum)),
                         f"{t['yes'] if r.eligible_before else t['no']} → "
                         f"{t['yes'] if r.eligible_after else t['no']}",
                         _e(why), f"{number(r.allocatable_ha_before, 2)} → "
                                  f"{number(r.allocatable_ha_after, 2)}"])
        story.append(table(rows, [28, 28, 38, 50, 30]))
    else:
        story.append(Paragraph(both("none"), body))

    rows = [[both("soum"), both("requests"), both("became_eligible"), both("became_refused"),
             both("gained"), both("lost")]]
    for s in result.by_soum():
        rows.append([_e(soum_name(s["soum"])), str(s["requests"]), str(s["became_eligible"]),
                     str(s["became_refused"]), number(s["gained_ha"], 2),
                     number(s["lost_ha"], 2)])
    story += [Paragraph(both("by_soum"), h2), table(rows, [44, 22, 30, 30, 24, 24])]

    story.append(Paragraph(both("diff"), h2))
    diff_rows = [[both("rule"), both("change"), both("field"), both("was"), both("now")]]
    for d in result.diff["ruleset"]:
        if d["field"] in WORDING:
            continue
        diff_rows.append(["(ruleset)", _e(t["changed"]), _e(d["field"]), _e(_short(d["before"])),
                          _e(_short(d["after"]))])
    for d in result.diff["rules"]:
        title = _e(d["rule"]) + f"<br/><font size=6.5 color='#555555'>{_e(d['title_' + lang])}"
        title += "</font>"
        fields = [f for f in d["fields"] if f["field"] not in WORDING]
        if not fields:
            diff_rows.append([title, _e(t[d["change"]]), "", "", ""])
        for k, f in enumerate(fields):
            diff_rows.append([title if k == 0 else "", _e(t[d["change"]]) if k == 0 else "",
                              _e(f["field"]), _e(_short(f["before"])), _e(_short(f["after"]))])
    if len(diff_rows) > 1:
        story += [table(diff_rows, [40, 24, 28, 41, 41]), Paragraph(both("wording"), small)]
    else:
        story.append(Paragraph(both("no_diff"), body))

    method = t["method"].format(method=AREA_METHOD_MN if lang == "mn" else AREA_METHOD)
    method_o = o["method"].format(method=AREA_METHOD if lang == "mn" else AREA_METHOD_MN)
    notes = [Paragraph(_e(method), small), Paragraph(_e(method_o), small)]
    notes += [Paragraph(_e(n), small) for n in result.notes]
    story.append(KeepTogether([Spacer(1, 3 * mm), *notes]))

    footer = f"landtool impact: {before.label()} → {after.label()}; {t['as_of']} {as_of}"
    return doc.build(story, out, footer)


def _short(value, limit: int = 90) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        value = ", ".join(map(str, value))
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
