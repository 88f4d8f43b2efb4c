"""What ``landtool propose`` writes: the candidates as GIS files and corner lists, the available
land, and the proposal PDF for the Khural (Mongolian and English): a map of the search area
with the available land and the numbered candidates, a table of the candidates, the corner list
of each, the ruleset and date, how areas were computed and the values the legal text did not
confirm."""

from __future__ import annotations

import io
import json
from pathlib import Path

import geopandas as gpd

from landtool.check.output import _multi
from landtool.export._bilingual_pdf import BilingualPdf, figure_png
from landtool.export.report import _e, number
from landtool.geodesy import AREA_METHOD, AREA_METHOD_MN, DISTANCE_METHOD, MONGOLIA_ALBERS

TEXT = {
    "mn": {
        "title": "Бичил уурхайд олгож болох газрын санал",
        "area": "Хайсан нутаг", "ruleset": "Дүрэм", "as_of": "Шалгасан өдөр",
        "sizing": "Талбайн хэмжээ", "searched": "Хайсан талбай, га",
        "available": "Олгож болох газар, га", "count": "Санал болгох талбай",
        "map": "Газрын зураг: олгож болох газар (ногоон) ба санал болгох талбайнууд",
        "table": "Санал болгох талбайнууд", "id": "№", "ha": "Талбай, га",
        "disturbed": "Эвдэрсэн газар, га (хувь)", "road": "Зам хүртэл, км",
        "town": "Суурин хүртэл, км", "warns": "Анхааруулга",
        "excluded": "Дүрэм тус бүрийн хассан газар (тус тусдаа, хайсан нутгийн га)",
        "rule": "Дүрэм", "how": "Юуг хассан",
        "corners": "Талбай бүрийн булангийн цэгийн солбицол (градус, минут, секунд)",
        "none": "Энэ нутагт олгож болох газар алга: хамгийн их газрыг {rule} дүрэм хассан "
                "({ha} га).",
        "method": "Талбайг {method} аргаар, зайг геодезийн аргаар тооцов. Бүх талбай "
                  "`landtool check`-ээр ижил дүрэм, өдрөөр шалгагдаж тэнцсэн.",
        "unconfirmed": "Хуулийн бичвэрээр батлагдаагүй утгатай дүрмүүд: {rules}.",
        "page": "Хуудас {n}",
    },
    "en": {
        "title": "Proposal of land that can be offered for ASM",
        "area": "Area searched", "ruleset": "Ruleset", "as_of": "Check date",
        "sizing": "Parcel size", "searched": "Area searched, ha",
        "available": "Available land, ha", "count": "Candidate parcels",
        "map": "Map: the available land (green) and the candidate parcels",
        "table": "Candidate parcels", "id": "No.", "ha": "Area, ha",
        "disturbed": "Disturbed land, ha (share)", "road": "To a road, km",
        "town": "To a settlement, km", "warns": "Warnings",
        "excluded": "Land each rule excludes (each alone, ha of the area searched)",
        "rule": "Rule", "how": "What it excludes",
        "corners": "The corner coordinates of each parcel (degrees, minutes, seconds)",
        "none": "No land is available here: the rule {rule} took the most ({ha} ha).",
        "method": "Areas: {method}; distances: geodesic. Every parcel was checked with "
                  "`landtool check` under the same ruleset and date, and passed.",
        "unconfirmed": "Rules relying on values the legal text did not confirm: {rules}.",
        "page": "Page {n}",
    },
}


def candidate_frame(result) -> gpd.GeoDataFrame:
    """One row per candidate (``candidate_id``, ``area_ha``, ``disturbed_ha``, ...)."""
    rows = []
    for c in result.candidates:
        j = c.to_json()
        rows.append({"candidate_id": c.id, "area_ha": c.area_ha, "perimeter_m": c.perimeter_m,
                     "disturbed_ha": c.disturbed_ha, "disturbed_share": c.disturbed_share,
                     "on_disturbed": "yes" if c.disturbed_ha > 0 else "no",
                     "nearest_road_m": j["nearest_road_m"],
                     "nearest_settlement_m": j["nearest_settlement_m"],
                     "soum": c.soum["pcode"], "warnings": ", ".join(c.warnings),
                     "ruleset": result.ruleset.label(), "as_of": result.as_of.isoformat(),
                     "area_method": AREA_METHOD, "geometry": _multi(c.geometry)})
    cols = ["candidate_id", "area_ha", "disturbed_ha", "ruleset", "as_of", "geometry"]
    return gpd.GeoDataFrame(rows or None, columns=None if rows else cols, geometry="geometry",
                            crs=4326)


#: the files of a proposal in its folder (``landtool propose --out DIR``, the app's export)
FILES = ("candidates.gpkg", "available.gpkg", "candidates.json", "candidates.geojson",
         "candidates.kml", "candidates.gpx", "corners.txt", "proposal.pdf")


def folder_paths(out: str | Path, *, force: bool = False) -> list[Path]:
    """The paths of a proposal's files in folder ``out``; refused (before any work) when
    one exists already, unless ``force``."""
    from landtool.io.formats import check_writable

    paths = [Path(out) / name for name in FILES]
    for path in paths:
        check_writable(path, overwrite=force)
    return paths


def write_folder(result, out: str | Path, *, ws=None, lang: str = "mn",
                 force: bool = False) -> list[Path]:
    """Every file of a proposal into folder ``out``: all of them, or none (each written to a
    temporary file first and all moved into place together)."""
    from landtool.io.formats import atomic_paths

    paths = folder_paths(out, force=force)
    with atomic_paths(*paths) as temps:
        write_outputs(result, dict(zip(FILES, temps, strict=True)), ws=ws, lang=lang)
    return paths


def write_outputs(result, files: dict[str, Path], *, ws=None, lang: str = "mn") -> None:
    """Every file of a proposal, to the (temporary) paths given by name."""
    from landtool.check.output import write_layers
    from landtool.io.corners import write_corner_list
    from landtool.io.formats import write_vector
    from landtool.io.gpx_write import gpx_text

    cands = candidate_frame(result)
    stamp = f"landtool propose, {result.ruleset.label()}, {result.as_of.isoformat()}"
    write_layers({"candidates": cands}, files["candidates.gpkg"],
                 styles={"candidates": "candidates"}, description=stamp)
    avail = gpd.GeoDataFrame(
        {"name": ["available"], "area_ha": [result.available_ha],
         "ruleset": [result.ruleset.label()], "as_of": [result.as_of.isoformat()],
         "area_method": [AREA_METHOD]},
        geometry=[_multi(result.available)], crs=4326)
    search = gpd.GeoDataFrame({"name": [result.area_name], "area_ha": [result.search_ha]},
                              geometry=[_multi(result.search_area)], crs=4326)
    write_layers({"available": avail, "search_area": search}, files["available.gpkg"],
                 styles={"available": "available_land", "search_area": "search_area"},
                 description=stamp)
    files["candidates.json"].write_text(json.dumps(result.to_json(), ensure_ascii=False,
                                                   indent=2), encoding="utf-8")
    for name in ("candidates.geojson", "candidates.kml"):
        write_vector(cands, files[name], layer="candidates")
    files["candidates.gpx"].write_bytes(gpx_text(cands, id_field="candidate_id",
                                                 title="landtool candidates"))
    if len(cands):
        write_corner_list(cands.rename(columns={"candidate_id": "name"}),
                          files["corners.txt"], name_field="name", lang=lang)
    else:
        files["corners.txt"].write_text("", encoding="utf-8")
    write_proposal(result, files["proposal.pdf"], ws=ws, lang=lang)


def _map_png(result) -> bytes:
    """Two panels: the whole search area with the frame of the detail, and the detail (the
    available land and the numbered candidates)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.patches import Rectangle

    def albers(geoms):
        return gpd.GeoSeries(list(geoms), crs=4326).to_crs(MONGOLIA_ALBERS)

    search = albers([result.search_area])
    avail = albers([result.available]) if not result.available.is_empty else None
    cands = albers([c.geometry for c in result.candidates]) if result.candidates else None
    fig, (ov, ax) = plt.subplots(1, 2, figsize=(6.8, 4.2), dpi=150,
                                 gridspec_kw={"width_ratios": [1, 1.9]})
    focus = (cands if cands is not None else avail if avail is not None else search)
    x0, y0, x1, y1 = focus.total_bounds
    pad = max(x1 - x0, y1 - y0) * 0.08 + 300.0
    frame = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    for axis, detail in ((ov, False), (ax, True)):
        search.boundary.plot(ax=axis, color="#333333", linewidth=0.7)
        if avail is not None:
            avail.plot(ax=axis, facecolor="#a6dba0", edgecolor="none")
        if cands is not None:
            cands.plot(ax=axis, facecolor="#1b7837", edgecolor="#00441b",
                       linewidth=0.3 if detail else 0.1)
        axis.set_aspect("equal")
        axis.set_xticks([])
        axis.set_yticks([])
        axis.set_xlabel("")
        axis.set_ylabel("")
    ov.add_patch(Rectangle((frame[0], frame[1]), frame[2] - frame[0], frame[3] - frame[1],
                           fill=False, edgecolor="#d7301f", linewidth=0.8))
    w, h = frame[2] - frame[0], frame[3] - frame[1]
    cx, cy = (frame[0] + frame[2]) / 2, (frame[1] + frame[3]) / 2
    w, h = max(w, h / 1.2), max(h, w * 1.2)  # the detail panel's shape
    ax.set_xlim(cx - w / 2, cx + w / 2)
    ax.set_ylim(cy - h / 2, cy + h / 2)
    if cands is not None:
        for k in range(min(len(cands), 60)):  # beyond that the numbers would cover the map
            p = cands.iloc[k].representative_point()
            ax.annotate(str(k + 1), (p.x, p.y), fontsize=4.5, ha="center", va="center",
                        color="white", fontweight="bold")
    ax.add_artist(matplotlib.offsetbox.AnchoredText(
        f"{w / 1000:.1f} km", loc="lower right", prop={"fontsize": 5}, frameon=True))
    return figure_png(fig)


def write_proposal(result, out: str | Path, *, ws=None, lang: str = "mn") -> Path:
    """The proposal PDF (not atomic: the caller gives a temporary path)."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, KeepTogether, Paragraph, Spacer, Table, TableStyle

    from landtool.io.corners import format_corner_list

    doc = BilingualPdf(TEXT, lang)
    t, o = doc.t, doc.o
    rs = result.ruleset
    body, small, h2, mono = doc.body, doc.small, doc.h2, doc.mono
    both, table = doc.both, doc.table

    story = doc.heading()
    head = [[both("area"), _e(result.area_name)],
            [both("ruleset"), _e(f"{rs.label()} — {rs.regulation}")],
            [both("as_of"), result.as_of.isoformat()],
            [both("sizing"), f"{number(result.min_ha, 1)}–{number(result.max_ha, 1)} ha; "
                             f"≥ {number(result.width_m, 0)} m"],
            [both("searched"), number(result.search_ha, 1)],
            [both("available"), number(result.available_ha, 2)],
            [both("count"), str(len(result.candidates))]]
    story.append(table(head, [55, 119], header=False))
    if not result.candidates:
        top = max(result.exclusions, key=lambda e: e.hectares, default=None)
        if top is not None:
            story.append(Paragraph(both("none", rule=top.rule, ha=number(top.hectares, 1)),
                                   body))
    story += [Paragraph(both("map"), h2),
              Image(io.BytesIO(_map_png(result)), width=170 * mm, height=130 * mm)]

    rows = [[both("rule"), "ha", both("how")]]
    rows += [[_e(e.rule) + f"<br/><font size=6.5 color='#555555'>{_e(e.title_mn)}</font>",
              number(e.hectares, 1), _e(e.how)] for e in result.exclusions]
    story += [Paragraph(both("excluded"), h2), table(rows, [60, 25, 89])]

    if result.candidates:
        rows = [[both("id"), both("ha"), both("disturbed"), both("road"), both("town"),
                 both("warns")]]
        for c in result.candidates:
            rows.append([c.id, number(c.area_ha, 3),
                         f"{number(c.disturbed_ha, 2)} ({c.disturbed_share:.0%})",
                         "—" if c.road_m is None else number(c.road_m / 1000, 1),
                         "—" if c.settlement_m is None else number(c.settlement_m / 1000, 1),
                         _e(", ".join(c.warnings))])
        story += [Paragraph(both("table"), h2), table(rows, [18, 20, 34, 24, 26, 52])]
        story.append(Paragraph(both("corners"), h2))
        blocks = []
        for c in result.candidates:
            lines = format_corner_list([(c.id, c.geometry)], lang=lang).strip().splitlines()
            rows = [[Paragraph(f"<b>{_e(c.id)}</b> {number(c.area_ha, 2)} ha", mono), "", ""]]
            rows += [[Paragraph(_e(x), mono) for x in ln.split("\t")]
                     for ln in lines[1:] if "\t" in ln]
            block = Table(rows, colWidths=[8 * mm, 24 * mm, 24 * mm], hAlign="LEFT")
            block.setStyle(TableStyle([("SPAN", (0, 0), (-1, 0)),
                                       ("TOPPADDING", (0, 0), (-1, -1), 0),
                                       ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                                       ("LINEBELOW", (0, 0), (-1, 0), 0.3, colors.grey)]))
            blocks.append(block)
        grid = [blocks[k:k + 3] + [""] * (3 - len(blocks[k:k + 3]))
                for k in range(0, len(blocks), 3)]
        layout = Table(grid, colWidths=[58 * mm] * 3, hAlign="LEFT")
        layout.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
        story.append(layout)

    method = t["method"].format(method=AREA_METHOD_MN if lang == "mn" else AREA_METHOD)
    method_o = o["method"].format(method=AREA_METHOD if lang == "mn" else AREA_METHOD_MN)
    notes = [Paragraph(_e(method), small), Paragraph(_e(method_o), small),
             Paragraph(_e(DISTANCE_METHOD), small)]
    if rs.unconfirmed_rules:
        ids = ", ".join(r.id for r in rs.unconfirmed_rules)
        notes.append(Paragraph(both("unconfirmed", rules=ids), small))
    notes += [Paragraph(_e(n), small) for n in result.notes]
    story.append(KeepTogether([Spacer(1, 3 * mm), *notes]))

    footer = (f"landtool propose: {result.area_name}; {rs.label()}; {t['as_of']} "
              f"{result.as_of.isoformat()}")
    return doc.build(story, out, footer)
