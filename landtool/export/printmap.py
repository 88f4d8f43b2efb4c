"""Printable maps of a request (and of all requests of a workspace) as PNG or PDF, on A4 or A3,
portrait or landscape, in Mongolian (the default) or English.

The map frame is drawn in the UTM zone of the request at a round scale (1:5 000, 1:10 000, ...)
that holds when the page is printed at 100 %: shapes, distances and the scale bar are true to
within the UTM scale factor (under 0.1 % in Mongolia). Beside the frame: a locator of Mongolia
with the aimag and one of the soum, the legend, the check result and the corner coordinates
(numbered as the corner list numbers them); below it the sources, ruleset, area method and
date. Labels are placed greedily in priority order without overlapping; those that do not fit
are listed under the map instead.

Drawn with matplotlib's ``Figure`` and its Agg and PDF canvases directly (never pyplot), so no
GUI toolkit is ever loaded.

Examples
--------
>>> from landtool.export.data import gather                              # doctest: +SKIP
>>> render_map(gather(ws, "REQ-2026-005"), "REQ-2026-005.pdf", paper="a3")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import FigureCanvasPdf
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import Bbox

from landtool.catalog import get_kind
from landtool.errors import OutputError
from landtool.export._background import draw_background, source_line
from landtool.export._mapparts import (
    MM,
    TEXT,
    TXT,
    Column,
    LabelPlacer,
    LabelSpec,
    View,
    add_lines,
    add_polygons,
    corner_table,
    draw_legend,
    fit_view,
    graticule,
    label_anchors,
    layers_in,
    locators,
    north_arrow,
    scale_bar,
    thousands,
    to_map,
)
from landtool.export.data import CONTEXT_KINDS, PackageData
from landtool.geodesy import AREA_METHOD, AREA_METHOD_MN, utm_epsg
from landtool.io.formats import atomic_path
from landtool.rehab.chart import COLOURS as REHAB_COLOURS
from landtool.rehab.status import STATUS_NAMES_MN, STATUSES

PAPER = {"a4": (210, 297), "a3": (297, 420)}  # mm, portrait
ORIENTATIONS = ("portrait", "landscape")
LANGS = ("mn", "en")
#: matplotlib settings while a map is built and saved: DejaVu Sans (it has Cyrillic), and
#: TrueType fonts in the PDF so its text can be searched and copied.
_RC = {"font.family": "DejaVu Sans", "pdf.fonttype": 42, "svg.fonttype": "none",
       "axes.unicode_minus": False}
_STATUS_COLOURS = {"pass": "#1a9850", "warn": "#e08214", "fail": "#d7301f", "none": "#737373"}
_CONFLICT = "#ae017e"
_LABELLED = {"requests": 3, "licenses": 4, "land_conclusions": 5, "asm_contracts": 6,
             "protected_areas": 7, "water_areas": 8, "water_lines": 8, "water_points": 8,
             "rehab_parcels": 9, "settlements": 10, "forest": 11}
#: A request map shows at least this much ground across (metres).
_MIN_GROUND_M = 700.0


def _check(paper: str, orientation: str, lang: str) -> None:
    for name, value, allowed in (("paper", paper, tuple(PAPER)),
                                 ("orientation", orientation, ORIENTATIONS),
                                 ("lang", lang, LANGS)):
        if value not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")


# -- the page ---------------------------------------------------------------------------------

class _Page:
    """A figure of the paper size with the map frame, side panel and footer laid out in mm."""

    def __init__(self, paper: str, orientation: str, lang: str) -> None:
        _check(paper, orientation, lang)
        short, long_ = PAPER[paper]
        self.landscape = orientation == "landscape"
        self.W, self.H = (long_, short) if self.landscape else (short, long_)
        self.lang, self.T = lang, TEXT[lang]
        self.k = 1.0 if paper == "a4" else 1.2  # type sizes grow a little on A3
        # laid out at 300 dpi: text extents measured there match the PNG and the PDF closely
        self.fig = Figure(figsize=(self.W * MM, self.H * MM), dpi=300)
        FigureCanvasAgg(self.fig)
        self.renderer = self.fig.canvas.get_renderer()
        m, foot_h = 9.0, 13.0 * self.k
        title_h = (15.0 if self.landscape else 18.5) * self.k  # portrait: two subtitle lines
        self.margin, self.foot_h = m, foot_h
        top = self.H - m - title_h
        if self.landscape:
            panel_w = 80.0 if paper == "a4" else 96.0
            self.map_rect = (m + 5, m + foot_h + 4, self.W - 2 * m - panel_w - 5 - 9,
                             top - 4 - (m + foot_h + 4))
            self.panel = (self.W - m - panel_w, m + foot_h, panel_w, top - 4 - (m + foot_h))
        else:
            panel_h = 80.0 if paper == "a4" else 100.0
            y0 = m + foot_h + panel_h + 8
            self.map_rect = (m + 5, y0, self.W - 2 * m - 10, top - 4 - y0)
            self.panel = (m, m + foot_h + 1, self.W - 2 * m, panel_h)
        self.title_top = self.H - m
        self.legend_items: dict[str, tuple[float, object]] = {}
        self.labels: list[LabelSpec] = []
        self.clear_lines: list[list[tuple[float, float]]] = []  # labels keep off these
        self.furniture: dict[str, object] = {}

    def frac(self, x: float, y: float, w: float = 0.0, h: float = 0.0) -> list[float]:
        return [x / self.W, y / self.H, w / self.W, h / self.H]

    def map_axes(self, view: View):
        ax = self.fig.add_axes(self.frac(*self.map_rect))
        ax.set_xlim(view.x0, view.x1)
        ax.set_ylim(view.y0, view.y1)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_linewidth(0.8)
            spine.set_zorder(50)
        ax.set_facecolor("white")
        return ax

    def legend_entry(self, label: str, handle, rank: float) -> None:
        """Add a legend entry once; entries are listed by rank, then in the order added."""
        if label not in self.legend_items:
            self.legend_items[label] = (rank + len(self.legend_items) * 1e-3, handle)

    def legend_order(self) -> list[tuple[str, object]]:
        return [(lbl, h) for lbl, (_, h) in sorted(self.legend_items.items(),
                                                   key=lambda kv: kv[1][0])]

    # text measured with the renderer, wrapped at word boundaries to a width in mm
    def wrap(self, text: str, width_mm: float, size: float, **kw) -> str:
        prop = FontProperties(family=kw.get("family", "DejaVu Sans"), size=size,
                              weight=kw.get("weight", "normal"))
        limit = 0.96 * width_mm * MM * self.fig.dpi  # hinting at a low PNG dpi widens text
        out = []
        for para in text.split("\n"):
            line = ""
            for word in para.split(" "):
                trial = f"{line} {word}" if line else word
                wide = self.renderer.get_text_width_height_descent(trial, prop, ismath=False)[0]
                if line and wide > limit:
                    out.append(line)
                    line = word
                else:
                    line = trial
            out.append(line)
        return "\n".join(out)

    def title(self, title: str, parts: list[str]) -> None:
        """The title, and under it the parts of the subtitle joined by dots, on as many lines
        as the page width needs (two at most fit above a portrait map)."""
        x = self.margin / self.W
        self.fig.text(x, self.title_top / self.H, title, ha="left", va="top",
                      fontsize=14 * self.k, fontweight="bold", **TXT)
        size = 8.5 * self.k
        lines = self.wrap(" · ".join(p.replace(" ", "\u00a0") for p in parts if p),
                          self.W - 2 * self.margin, size).replace("\u00a0", " ")
        self.fig.text(x, (self.title_top - 7.5 * self.k) / self.H, lines, ha="left",
                      va="top", fontsize=size, color="#252525", linespacing=1.3, **TXT)

    def draft_band(self) -> None:
        """A red band in the top margin, in both languages: the map was checked with a draft
        ruleset."""
        from matplotlib.patches import Rectangle

        from landtool.check.ruleset import DRAFT_FLAG

        h, y = 5.0, self.H - self.margin + 0.6
        self.fig.add_artist(Rectangle(self.frac(self.margin, y)[:2],
                                      (self.W - 2 * self.margin) / self.W, h / self.H,
                                      transform=self.fig.transFigure, facecolor="#c62828",
                                      edgecolor="none", zorder=90))
        self.fig.text(0.5, (y + h / 2) / self.H, f"{DRAFT_FLAG['mn']}   ·   {DRAFT_FLAG['en']}",
                      ha="center", va="center", fontsize=7.5 * self.k, fontweight="bold",
                      color="white", zorder=91, **TXT)

    def footer(self, paragraphs: list[str]) -> None:
        width = self.W - 2 * self.margin
        size = 5.4 * self.k
        text = "\n".join(self.wrap(p, width, size) for p in paragraphs)
        self.fig.add_artist(Line2D([self.margin / self.W, 1 - self.margin / self.W],
                                   [(self.margin + self.foot_h) / self.H] * 2,
                                   color="#969696", linewidth=0.5))
        self.fig.text(self.margin / self.W, (self.margin + self.foot_h - 1.2) / self.H, text,
                      ha="left", va="top", fontsize=size, color="#404040", linespacing=1.3,
                      **TXT)


# -- data in the map's projection -------------------------------------------------------------

def _mode(kind: str) -> str:
    geometry = get_kind(kind).geometry.value
    return {"polygon": "area", "line": "line", "point": "point"}[geometry]


def _label_style(page: _Page, colour: str, size: float = 6.0, weight: str = "normal") -> dict:
    return {"fontsize": size * page.k, "color": colour, "fontweight": weight,
            "zorder": 70, **TXT}  # above every feature; furniture is kept clear


def _in_force(gdf: gpd.GeoDataFrame, kind: str, as_of: date | None) -> np.ndarray:
    from landtool.check.context import in_force

    if as_of is None or len(gdf) == 0:
        return np.ones(len(gdf), dtype=bool)
    return in_force(gdf, kind, as_of)


def _status_name(status: str, lang: str) -> str:
    return STATUS_NAMES_MN.get(status, status) if lang == "mn" else status.replace("_", " ")


# -- drawing ----------------------------------------------------------------------------------

def _draw_context(page: _Page, ax, view: View, layers: dict[str, gpd.GeoDataFrame], *,
                  as_of: date | None, skip_labels: set[tuple[str, str]],
                  request_colours: dict[str, str] | None = None) -> None:
    """Every context layer, bottom to top, with legend entries and label candidates."""
    lang, T = page.lang, page.T
    lw = 0.6  # catalog widths are for the screen; printed lines are thinner
    for z, kind in enumerate(CONTEXT_KINDS, start=2):
        gdf = layers.get(kind)
        if gdf is not None and len(gdf):  # drawn a little beyond the frame, listed if seen
            gdf = gdf[shapely.intersects(gdf.geometry.to_numpy(), view.box)]
        if gdf is None or len(gdf) == 0:
            continue
        spec, style = get_kind(kind), get_kind(kind).style
        name = spec.name(lang)
        geoms = gdf.geometry.to_numpy()
        if kind == "soums":
            add_lines(ax, geoms, colors=style.stroke, linewidths=1.4, linestyles=(0, (6, 2, 1, 2)),
                      zorder=z)
            page.legend_entry(T["soum_line"], Line2D([], [], color=style.stroke, linewidth=1.4,
                                                     linestyle=(0, (6, 2, 1, 2))), 100 - z)
            continue
        if kind == "requests" and request_colours is not None:
            status = gdf["request_id"].astype(str).map(request_colours).fillna("none")
            for st in ("pass", "warn", "fail", "none"):
                sel = geoms[(status == st).to_numpy()]
                if len(sel):
                    c = _STATUS_COLOURS[st]
                    add_polygons(ax, sel, facecolor=to_rgba(c, 0.35), edgecolor=c,
                                 linewidth=1.1, zorder=z + 20)
                    page.legend_entry(T["requests_status"].format(status=T["status"][st]),
                                      Patch(facecolor=to_rgba(c, 0.35), edgecolor=c), 10)
            _queue_labels(page, gdf, kind, view, skip_labels, by_status=status)
            continue
        if kind == "rehab_parcels" and "status" in gdf.columns:
            for st in STATUSES:
                sel = geoms[(gdf["status"] == st).to_numpy()]
                if len(sel):
                    c = REHAB_COLOURS[st]
                    add_polygons(ax, sel, facecolor=to_rgba(c, 0.75), edgecolor=style.stroke,
                                 linewidth=0.5, zorder=z)
                    page.legend_entry(T["rehab"].format(status=_status_name(st, lang)),
                                      Patch(facecolor=to_rgba(c, 0.75), edgecolor=style.stroke,
                                            linewidth=0.5), 100 - z)
            _queue_labels(page, gdf, kind, view, skip_labels)
            continue
        live = _in_force(gdf, kind, as_of)
        dash = (0, (4, 2)) if style.dash else "solid"
        colour = "#e6550d" if kind == "requests" else style.stroke
        for alive in (True, False):
            sel = geoms[live == alive]
            if not len(sel):
                continue
            label = name if alive else T["lapsed"].format(name=name)
            if kind == "requests":
                label = T["others"]
            if spec.geometry.value == "polygon":
                fill = to_rgba(style.fill, style.fill_opacity) if style.fill and alive else "none"
                edge = to_rgba(colour, 1.0 if alive else 0.6)
                ls = dash if alive else (0, (1.5, 1.5))
                add_polygons(ax, sel, facecolor=fill, edgecolor=edge,
                             linewidth=max(style.stroke_width * lw, 0.5), linestyle=ls,
                             zorder=z)
                page.legend_entry(label, Patch(facecolor=fill, edgecolor=edge, linestyle=ls,
                                               linewidth=0.8), 100 - z)
            elif spec.geometry.value == "line":
                width = style.stroke_width * (0.9 if kind == "water_lines" else lw)
                add_lines(ax, sel, colors=style.stroke, linewidths=width, zorder=z)
                page.legend_entry(label, Line2D([], [], color=style.stroke, linewidth=width),
                                  100 - z)
            else:
                xy = np.array([(p.x, p.y) for g in sel for p in shapely.get_parts(g)
                               if p.geom_type == "Point"]).reshape(-1, 2)
                ax.plot(xy[:, 0], xy[:, 1], linestyle="none", marker="o",
                        markersize=style.marker_size * 0.6, markerfacecolor=style.fill or "white",
                        markeredgecolor=style.stroke, markeredgewidth=0.6, zorder=z + 20)
                page.legend_entry(label, Line2D([], [], linestyle="none", marker="o",
                                                markersize=style.marker_size * 0.6,
                                                markerfacecolor=style.fill or "white",
                                                markeredgecolor=style.stroke), 100 - z)
        _queue_labels(page, gdf, kind, view, skip_labels)


def _queue_labels(page: _Page, gdf, kind: str, view: View, skip: set[tuple[str, str]], *,
                  by_status: pd.Series | None = None) -> None:
    if kind not in _LABELLED:
        return
    spec = get_kind(kind)
    field = spec.label_field if spec.label_field in gdf.columns else spec.id_field
    if field not in gdf.columns:
        return
    ids = gdf[spec.id_field].astype(str) if spec.id_field in gdf.columns else gdf[field]
    colour = {"requests": "#a63603"}.get(kind, spec.style.stroke)
    if kind == "rehab_parcels":
        colour = "#3f007d"
    mode = _mode(kind)
    for i, (text, fid, geom) in enumerate(zip(gdf[field], ids, gdf.geometry, strict=True)):
        if text is None or (isinstance(text, float) and np.isnan(text)) or str(text) == "":
            continue
        if (kind, str(fid)) in skip:
            continue
        anchors = label_anchors(geom, view, mode)
        if not anchors:
            continue
        c = _STATUS_COLOURS[by_status.iloc[i]] if by_status is not None else colour
        size = 6.5 if kind == "requests" else 5.8
        page.labels.append(LabelSpec(str(text), kind, anchors, mode, _LABELLED[kind],
                                     _label_style(page, c, size, "bold" if kind == "requests"
                                                  else "normal")))


def _draw_request(page: _Page, ax, view: View, data: PackageData):
    """The request, its eligible and ineligible parts, its corners (numbered as the corner
    list numbers them) and its id; returns the projected request and the corner rows."""
    T = page.T
    req = to_map(data.geometry, view)
    eligible = to_map(data.eligible_part, view)
    if eligible is not None and not eligible.is_empty:
        page.legend_entry(T["eligible"], _hatched(ax, eligible, "#1a9850", 0.22, "////"), 1)
    rest = req.difference(eligible) if eligible is not None else req
    rest = shapely.make_valid(rest) if not rest.is_valid else rest
    if rest.area > 1.0:
        page.legend_entry(T["ineligible"], _hatched(ax, rest, "#d7301f", 0.18, "xxxx"), 2)
    add_polygons(ax, [req], facecolor="none", edgecolor="#b30000", linewidth=1.8, zorder=62)
    page.legend_entry(T["request"], Patch(facecolor="none", edgecolor="#b30000",
                                          linewidth=1.8), 0)
    # corners: exactly format_corner_list's numbering (per part, stored order, no closing point)
    fwd = view.from_lonlat()
    parts = list(getattr(data.geometry, "geoms", [data.geometry]))
    rows, xy = [], []
    for k, poly in enumerate(parts, 1):
        ring = np.asarray(poly.exterior.coords)[:-1, :2]
        px, py = fwd.transform(ring[:, 0], ring[:, 1])
        cx, cy = fwd.transform(*poly.centroid.coords[0])
        for j, (lon, lat) in enumerate(ring, 1):
            number = str(j) if len(parts) == 1 else f"{k}.{j}"
            rows.append((number, float(lon), float(lat)))
            x, y = px[j - 1], py[j - 1]
            xy.append((x, y))
            out = np.array([x - cx, y - cy])
            out = out / (np.hypot(*out) or 1.0)
            page.labels.append(LabelSpec(number, "corner", [(x, y)], "point", 0,
                                         _label_style(page, "black", 6.5, "bold"),
                                         _directions(out), may_cover_request=True))
    xy = np.array(xy)
    ax.plot(xy[:, 0], xy[:, 1], linestyle="none", marker="o", markersize=3.2,
            markerfacecolor="black", markeredgecolor="white", markeredgewidth=0.6, zorder=64)
    page.legend_entry(T["corner"], Line2D([], [], linestyle="none", marker="o", markersize=3.2,
                                          markerfacecolor="black", markeredgecolor="white"), 3)
    page.labels.append(LabelSpec(data.request_id, "request", label_anchors(req, view, "area"),
                                 "area", 1, _label_style(page, "#99000d", 7.0, "bold"),
                                 may_cover_request=True))
    return req, rows


def _hatched(ax, geom, colour: str, alpha: float, hatch: str) -> tuple[Patch, Patch]:
    """A pale fill and, as a separate patch, its hatching: a hatched patch with a translucent
    fill has its hatching made translucent too in a PDF (not in a PNG). Returns the legend
    handle."""
    fill = dict(facecolor=to_rgba(colour, alpha), edgecolor="none", linewidth=0.0)
    lines = dict(facecolor="none", edgecolor=colour, linewidth=0.4, hatch=hatch)
    add_polygons(ax, [geom], zorder=60, **fill)
    add_polygons(ax, [geom], zorder=60, **lines)
    return Patch(**fill), Patch(**lines)


def _directions(out: np.ndarray) -> list[tuple[float, float]]:
    """The eight directions around a corner, those pointing away from the polygon first."""
    dirs = [(1, 1), (1, 0), (1, -1), (0, -1), (-1, -1), (-1, 0), (-1, 1), (0, 1)]
    return sorted(dirs, key=lambda d: -(d[0] * out[0] + d[1] * out[1]) / np.hypot(*d))


def _draw_conflicts(page: _Page, ax, view: View, data: PackageData, req) -> set:
    """Conflicting features outlined and labelled with what is wrong (overlap or distance);
    returns their (kind, id) so the context does not label them again."""
    T, merged, handles = page.T, {}, {}
    for c in data.conflicts:
        if c.geometry is None:
            continue
        key = (c.kind, c.feature_id)
        prev = merged.get(key)
        if prev is None or (c.distance_m is not None and prev.distance_m is None):
            merged[key] = c
    for (_, fid), c in merged.items():
        geom = to_map(c.geometry, view)
        if geom is None:
            continue
        seen = geom.intersection(view.box.buffer(view.width * 0.03))
        if c.distance_m is not None:
            text = T["away"].format(id=fid, m=c.distance_m)
            gap = shapely.shortest_line(req, geom)
            (x0, y0), (x1, y1) = gap.coords
            ax.plot([x0, x1], [y0, y1], color=_CONFLICT, linewidth=0.9, linestyle=(0, (3, 1.5)),
                    marker="|", markersize=4, zorder=63)
            page.clear_lines.append([(x0, y0), (x1, y1)])
            page.legend_entry(T["gap"], Line2D([], [], color=_CONFLICT, linewidth=0.9,
                                               linestyle=(0, (3, 1.5))), 5)
            anchors, mode = [(x1, y1)], "point"
        else:
            text = T["overlap"].format(id=fid, ha=c.overlap_ha or 0.0)
            mode = {"Polygon": "area", "MultiPolygon": "area", "Point": "point",
                    "MultiPoint": "point"}.get(seen.geom_type, "line")
            anchors = label_anchors(geom, view, mode)
        if seen.geom_type in ("Polygon", "MultiPolygon"):
            add_polygons(ax, [seen], facecolor="none", edgecolor=_CONFLICT, linewidth=1.6,
                         linestyle=(0, (5, 2)), zorder=61)
            handles["area"] = Patch(facecolor="none", edgecolor=_CONFLICT, linewidth=1.6,
                                    linestyle=(0, (5, 2)))
        elif seen.geom_type in ("Point", "MultiPoint"):
            xy = shapely.get_coordinates(seen)
            ax.plot(xy[:, 0], xy[:, 1], linestyle="none", marker="o", markersize=8,
                    markerfacecolor="none", markeredgecolor=_CONFLICT, markeredgewidth=1.4,
                    zorder=61)
            handles["point"] = Line2D([], [], linestyle="none", marker="o", markersize=8,
                                      markerfacecolor="none", markeredgecolor=_CONFLICT)
        elif not seen.is_empty:  # a wide pale band under the line, which keeps its colour
            add_lines(ax, [seen], colors=_CONFLICT, linewidths=4.0, zorder=3, alpha=0.35)
            handles["line"] = Line2D([], [], color=_CONFLICT, linewidth=4.0, alpha=0.35)
        if anchors:
            page.labels.append(LabelSpec(text, "conflict", anchors, mode, 2,
                                         _label_style(page, _CONFLICT, 6.8, "bold")))
    if handles:
        page.legend_entry(T["conflict"], tuple(handles.values()), 4)
    return set(merged)


# -- the request map --------------------------------------------------------------------------

def _soum_name(data_soum: dict, context: dict, lang: str) -> str:
    """The soum's name in the language; in Mongolian, when the soum layer has none, the
    ``soum_mn`` other layers give for the same ``soum_pcode`` (the licence register has it)."""
    if lang == "en" or data_soum.get("name_mn"):
        return data_soum.get(f"name_{lang}") or data_soum.get("name_en") or "?"
    for gdf in context.values():
        if {"soum_pcode", "soum_mn"} <= set(gdf.columns):
            hit = gdf.loc[gdf["soum_pcode"].astype(str) == data_soum.get("pcode"), "soum_mn"]
            hit = hit.dropna()
            if len(hit):
                return str(hit.iloc[0])
    return data_soum.get("name_en") or "?"


def _with_imagery(sources: list[str], imagery, lang: str) -> list[str]:
    line = source_line(imagery, lang)
    return [*sources, line] if line else sources


def _sources(lines: list[str], T: dict) -> str:
    items = [re.sub(r"\(added ([^)]*)\)", rf"({T['added']} \1)", s) for s in lines]
    return T["sources"].format(items="; ".join(items))


def _method(sentence: str | None, lang: str) -> str:
    sentence = sentence or AREA_METHOD
    return AREA_METHOD_MN if lang == "mn" and sentence == AREA_METHOD else sentence


def _footer_lines(page: _Page, view: View, sources: list[str], rulesets: list[dict],
                  as_of: str, area_method: str | None) -> list[str]:
    from landtool.check.ruleset import DRAFT_FLAG, is_draft_head

    T = page.T
    rules = " ".join(T["ruleset"].format(
        id=r.get("id", "?"), regulation=r.get("regulation", ""), as_of=as_of,
        version=r.get("version", "?") + (f" ({DRAFT_FLAG[page.lang]})" if is_draft_head(r)
                                          else "")) for r in rulesets)
    if any(is_draft_head(r) for r in rulesets):
        page.draft_band()
    zone = view.epsg % 100
    return [_sources(sources, T),
            " ".join([rules, T["area_method"].format(method=_method(area_method, page.lang)),
                      T["crs"].format(zone=zone, epsg=view.epsg, scale=thousands(view.scale)),
                      T["made"].format(day=date.today().isoformat())])]


def _request_view(data: PackageData, page: _Page) -> View:
    centre = data.geometry.centroid
    epsg = utm_epsg(centre.x, centre.y)
    probe = View(epsg, 0, 0, 1, 1, 1)
    req = to_map(data.geometry, probe)
    minx, miny, maxx, maxy = req.bounds
    margin = max(120.0, 0.45 * max(maxx - minx, maxy - miny))
    box = [minx - margin, miny - margin, maxx + margin, maxy + margin]
    grow = max(0.0, _MIN_GROUND_M - (box[2] - box[0])) / 2  # some surroundings on A3 too
    box = [box[0] - grow, box[1], box[2] + grow, box[3]]
    for c in data.conflicts:
        if c.geometry is None or c.distance_m is None:
            continue
        geom = to_map(c.geometry, probe)
        p = shapely.shortest_line(req, geom).coords[1]
        box = [min(box[0], p[0] - 60), min(box[1], p[1] - 60), max(box[2], p[0] + 60),
               max(box[3], p[1] + 60)]
    return fit_view(epsg, box, page.map_rect[2:])


def map_figure(data: PackageData, *, paper: str = "a4", orientation: str = "landscape",
               lang: str = "mn", background=None) -> Figure:
    """The printable map of one request as a matplotlib figure of the paper size.

    Parameters
    ----------
    data
        The request's package data (:func:`landtool.export.data.gather`).
    paper, orientation, lang
        ``"a4"`` or ``"a3"``; ``"landscape"`` or ``"portrait"``; ``"mn"`` or ``"en"``.
    background
        An open :class:`~landtool.imagery.Imagery` drawn under the features (see
        :func:`landtool.export._background.background_imagery`), or None.

    Returns
    -------
    Figure
        With ``landtool_labels`` (the placed labels: text, kind, artist and padded box in
        display pixels), ``landtool_dropped`` (texts of the labels that did not fit, listed on
        the page), ``landtool_corners`` (number, lon, lat as on the map), ``landtool_furniture``
        (legend, locator axes, scale bar and north arrow boxes) and ``landtool_view``.
    """
    with matplotlib.rc_context(_RC):
        page = _Page(paper, orientation, lang)
        T = page.T
        view = _request_view(data, page)
        ax = page.map_axes(view)
        draw_background(ax, view, background)
        as_of = date.fromisoformat(str(data.check.report.get("as_of"))[:10]) \
            if data.check.report.get("as_of") else None
        layers = layers_in(data.context, view)
        if len(layers.get("requests", [])):
            r = layers["requests"]
            layers["requests"] = r[r["request_id"].astype(str) != data.request_id]
        req = to_map(data.geometry, view)
        skip = _draw_conflicts(page, ax, view, data, req)
        _draw_context(page, ax, view, layers, as_of=as_of, skip_labels=skip)
        req, corners = _draw_request(page, ax, view, data)
        status = data.result.get("status", "none")
        soum_name = _soum_name(data.soum, data.context, lang)
        aimag_name = data.aimag.get(f"name_{lang}") or data.aimag.get("name_en") or "?"
        when = str(data.request.get("submitted_at", ""))[:16].replace("T", " ")
        sub = [
            str(data.request.get("applicant") or ""),
            T["place"].format(aimag=aimag_name, soum=soum_name),
            T["submitted"].format(when=when, queue=data.request.get("queue_no", "?")),
            T["scale"].format(scale=thousands(view.scale)),
            T["result"].format(status=T["status"].get(status, status))]
        page.title(T["title"].format(id=data.request_id), sub)
        report = data.check.report
        page.footer(_footer_lines(page, view, _with_imagery(data.sources, background, lang),
                                  [report.get("ruleset", {})],
                                  str(report.get("as_of", "?")), report.get("area_method")))

        def info(col: Column) -> None:
            col.add(T["result"].format(status=T["status"].get(status, status)), 7.0,
                    fontweight="bold", color=_STATUS_COLOURS.get(status, "black"))
            for res in data.result.get("results", []):
                if res.get("status") in ("fail", "warn"):
                    col.add("– " + str(res.get(f"message_{lang}") or res.get("message_en")),
                            6.0, gap=0.6)
            col.add(T["corners"], 6.6, fontweight="bold", gap=0.6)
            corner_table(col, corners, T)
            col.add(T["area"].format(ha=float(data.result.get("area_ha") or 0.0),
                                     eha=float(data.result.get("eligible_area_ha") or 0.0)),
                    6.0)

        fig = _finish(page, ax, view, info, req, data.aimags, data.aimag,
                      data.context.get("soums"), data.soum, soum_name, aimag_name,
                      data.geometry.representative_point())
        fig.landtool_corners = corners
    return fig


def _finish(page: _Page, ax, view: View, info, request_geom, aimags, aimag, soums, soum,
            soum_name, aimag_name, point) -> Figure:
    """The furniture, the panel and the labels; the same for the request map and the
    overview."""
    T, k = page.T, page.k
    fig = page.fig
    graticule(ax, view, fontsize=5.6 * k)
    page.furniture["scale_bar"] = scale_bar(ax, view, T, fontsize=6.5 * k, k=k)
    page.furniture["north_arrow"] = north_arrow(ax, view, T, fontsize=9 * k, k=k)
    px, py, pw, ph = page.panel
    soums = soums if soums is not None else gpd.GeoDataFrame(geometry=[], crs=4326)
    where = dict(view=view, aimags=aimags, aimag=aimag, soums=soums, soum=soum,
                 names=(soum_name, aimag_name), point=point)
    if page.landscape:
        top = locators(page, px, py + ph, pw, py, stacked=False, **where) - 5
        cols = [(px, pw)]
    else:
        loc_w = 0.30 * pw
        locators(page, px, py + ph, loc_w, py, stacked=True, **where)
        top = py + ph
        rest = pw - loc_w - 12
        cols = [(px + loc_w + 6, 0.46 * rest), (px + loc_w + 12 + 0.46 * rest, 0.54 * rest)]
    for scale in (1.0, 0.9, 0.8, 0.7):
        legend, legend_bottom = draw_legend(page, cols[0][0], top, cols[0][1], py, scale)
        if page.landscape:
            col = Column(page, px, legend_bottom - 3, pw, py + 6, scale)
        else:
            col = Column(page, cols[1][0], top, cols[1][1], py + 6, scale)
        info(col)
        if not col.full and legend_bottom >= py:
            break
        legend.axes.remove()
        for art in col.artists:
            art.remove()
    placer = LabelPlacer(ax, page.renderer, request=request_geom,
                         obstacles=_obstacles(page))
    for b in _corner_boxes(page, ax):
        placer.add_obstacle(b)
    for line in page.clear_lines:
        placer.keep_clear(line)
    placed, dropped = placer.place(page.labels)
    if dropped:
        names = ", ".join(dict.fromkeys(s.text for s in dropped))
        col.add(T["also"].format(names=names), 5.6, color="#404040")
    fig.landtool_labels = placed
    fig.landtool_dropped = [s.text for s in dropped]
    fig.landtool_furniture = page.furniture
    fig.landtool_view = view
    fig.landtool_map_axes = ax
    return fig


def _obstacles(page: _Page) -> list[Bbox]:
    """The boxes of the furniture (some are kept as boxes, some as artists)."""
    return [thing if isinstance(thing, Bbox) else thing.get_window_extent(page.renderer)
            for thing in page.furniture.values()]


def _corner_boxes(page: _Page, ax) -> list[Bbox]:
    """Small boxes around the corner dots, which labels must not cover."""
    r = 2.0 * page.fig.dpi / 72
    out = []
    for spec in page.labels:
        if spec.kind == "corner":
            x, y = ax.transData.transform(spec.anchors[0])
            out.append(Bbox.from_extents(x - r, y - r, x + r, y + r))
    return out


# -- the overview of all requests -------------------------------------------------------------

def _overview_inputs(ws) -> SimpleNamespace:
    from landtool.export.data import _admin, _concat

    frames = []
    for name in ws.layers_of_kind("requests"):
        part = ws.read(name)
        part["layer"] = name
        frames.append(part)
    requests = _concat(frames)
    if not len(requests):
        raise OutputError("the workspace has no requests to map", path=ws.path,
                          hint="add a requests layer with `landtool workspace add`")
    checks = ws.checks()
    statuses, rulesets, as_of, method = {}, {}, "?", None
    if checks is not None and len(checks):
        last = checks.groupby("request_id").tail(1)
        statuses = dict(zip(last["request_id"].astype(str), last["status"], strict=True))
        for rep in last["report_json"]:
            head = json.loads(rep)
            rs = head.get("ruleset", {})
            rulesets.setdefault((rs.get("id"), rs.get("version")), rs)
            as_of, method = head.get("as_of", as_of), head.get("area_method", method)
    hull = shapely.union_all(requests.geometry.to_numpy())
    centre = hull.representative_point()
    return SimpleNamespace(
        requests=requests, statuses=statuses, rulesets=list(rulesets.values()), as_of=as_of,
        area_method=method, hull=hull, centre=centre,
        soum=_admin(ws, "soums", centre), aimag=_admin(ws, "aimags", centre),
        aimags=_concat([ws.read(n) for n in ws.layers_of_kind("aimags")]),
        sources=[f"{r.name}: {Path(r.source).name} (added {r.added_at[:10]})"
                 for r in ws.layers()])


def _read_context(ws, view: View) -> dict[str, gpd.GeoDataFrame]:
    """Every context layer's features within the map frame (lon/lat)."""
    from landtool.export.data import _concat

    x = np.linspace(view.x0, view.x1, 21)
    y = np.linspace(view.y0, view.y1, 21)
    lon, lat = view.to_lonlat().transform(np.r_[x, x, np.full(21, view.x0), np.full(21, view.x1)],
                                          np.r_[np.full(21, view.y0), np.full(21, view.y1), y, y])
    bbox = (lon.min(), lat.min(), lon.max(), lat.max())
    context = {}
    for kind in CONTEXT_KINDS:
        parts = []
        for name in ws.layers_of_kind(kind):
            part = ws.read(name, bbox=bbox)
            part["layer"] = name
            parts.append(part)
        context[kind] = _concat(parts)
    return context


def overview_figure(ws, *, paper: str = "a4", orientation: str = "landscape",
                    lang: str = "mn", background=None) -> Figure:
    """A printable map of every request of the workspace coloured by its saved check status,
    with land conclusions, licences, water and soum boundaries and the same furniture as
    :func:`map_figure` (a table of the requests takes the place of the corner table)."""
    _check(paper, orientation, lang)
    d = _overview_inputs(ws)
    with matplotlib.rc_context(_RC):
        page = _Page(paper, orientation, lang)
        T = page.T
        epsg = utm_epsg(d.centre.x, d.centre.y)
        probe = View(epsg, 0, 0, 1, 1, 1)
        hull = to_map(d.hull, probe)
        minx, miny, maxx, maxy = hull.bounds
        margin = max(200.0, 0.08 * max(maxx - minx, maxy - miny))
        view = fit_view(epsg, (minx - margin, miny - margin, maxx + margin, maxy + margin),
                        page.map_rect[2:])
        ax = page.map_axes(view)
        draw_background(ax, view, background)
        kinds = ("soums", "protected_areas", "water_areas", "water_lines", "water_points",
                 "licenses", "land_conclusions", "asm_contracts", "settlements", "requests")
        context = _read_context(ws, view)
        context["requests"] = d.requests  # all of them: their labels and the register agree
        layers = layers_in(context, view, kinds)
        as_of = date.fromisoformat(d.as_of[:10]) if d.as_of not in ("?", None) else None
        _draw_context(page, ax, view, layers, as_of=as_of, skip_labels=set(),
                      request_colours={k: v for k, v in d.statuses.items()})
        soum_name = _soum_name(d.soum, context, lang)
        aimag_name = d.aimag.get(f"name_{lang}") or d.aimag.get("name_en") or "?"
        page.title(T["title_all"], [T["place"].format(aimag=aimag_name, soum=soum_name),
                                    T["scale"].format(scale=thousands(view.scale))])
        page.footer(_footer_lines(page, view, _with_imagery(d.sources, background, lang),
                                  d.rulesets or [{}], d.as_of, d.area_method))
        req = d.requests.sort_values("request_id")

        def info(col: Column) -> None:
            from landtool.geodesy import areas_ha

            col.add(T["register"].format(n=len(req)), 6.6, fontweight="bold", gap=0.6)
            areas = areas_ha(req.geometry.to_numpy())
            ids = req["request_id"].astype(str).tolist()
            wid = max(len(i) for i in ids)
            h1, h2, h3 = T["register_head"]
            rows = [f"{h1:<{wid}}  {h2:>6}  {h3}"]
            rows += [f"{rid:<{wid}}  {a:6.2f}  {T['status'][d.statuses.get(rid, 'none')]}"
                     for rid, a in zip(ids, areas, strict=True)]
            col.add("\n".join(rows), 5.8, wrap=False, family="DejaVu Sans Mono")

        fig = _finish(page, ax, view, info, None, d.aimags, d.aimag, context.get("soums"),
                      d.soum, soum_name, aimag_name, d.centre)
    return fig


# -- writing ----------------------------------------------------------------------------------

def _format(out: Path) -> str:
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "png"):
        raise OutputError(f"cannot write a map as {out.suffix or 'a file without a suffix'!r}",
                          path=out, hint="name the file .pdf or .png")
    return fmt


def _save(fig: Figure, out: Path, fmt: str, dpi: int, title: str) -> Path:
    meta = {"Title": title, "Creator": "landtool"} if fmt == "pdf" else \
        {"Title": title, "Software": "landtool"}
    with matplotlib.rc_context(_RC), atomic_path(out) as tmp:
        canvas = FigureCanvasPdf(fig) if fmt == "pdf" else FigureCanvasAgg(fig)
        canvas.print_figure(tmp, format=fmt, dpi=dpi, metadata=meta)
    return out


def render_map(data: PackageData, out: str | Path, *, paper: str = "a4",
               orientation: str = "landscape", lang: str = "mn", dpi: int = 300,
               background=None) -> Path:
    """Write the printable map of a request to ``out`` (PDF or PNG, by its suffix).

    The file appears whole or not at all. ``dpi`` sets the PNG resolution (the PDF is vector).
    """
    out = Path(out)
    fmt = _format(out)
    fig = map_figure(data, paper=paper, orientation=orientation, lang=lang,
                     background=background)
    return _save(fig, out, fmt, dpi, TEXT[lang]["title"].format(id=data.request_id))


def render_overview(ws, out: str | Path, *, paper: str = "a4", orientation: str = "landscape",
                    lang: str = "mn", dpi: int = 300, background=None) -> Path:
    """Write the overview map of all requests of a workspace to ``out`` (PDF or PNG)."""
    out = Path(out)
    fmt = _format(out)
    fig = overview_figure(ws, paper=paper, orientation=orientation, lang=lang,
                          background=background)
    return _save(fig, out, fmt, dpi, TEXT[lang]["title_all"])
