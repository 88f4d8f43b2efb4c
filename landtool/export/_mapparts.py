"""Pieces of the printed maps (:mod:`landtool.export.printmap`): the words in both languages,
geometries as matplotlib paths, the map view at a round scale, features in the map's projection
and where their labels may go, the graticule, scale bar and north arrow, the panel beside the
map (locator maps, legend, text columns, corner table) and the label placement.

The map axes' data coordinates are metres of a local projected CRS (the UTM zone of the map),
with limits set so that the printed scale is exact.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrow, FancyBboxPatch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.patheffects import Stroke
from matplotlib.text import Text
from matplotlib.transforms import Bbox, offset_copy
from pyproj import Transformer
from shapely.ops import polylabel

from landtool.export.data import CONTEXT_KINDS
from landtool.geodesy import MONGOLIA_ALBERS
from landtool.io.corners import format_dms

if TYPE_CHECKING:
    from landtool.export.printmap import _Page as Page

MM = 1 / 25.4  # inches per millimetre
#: Map scales a printed map may have (the denominators), smallest first.
NICE_SCALES = (500, 1000, 2000, 2500, 5000, 10_000, 20_000, 25_000, 50_000, 100_000,
               200_000, 250_000, 500_000, 1_000_000, 2_000_000, 5_000_000)
_BAR_LENGTHS = (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000,
                20_000, 25_000, 50_000, 100_000)
_GRID_STEPS_S = (1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200)
#: The white outline behind map labels. It is drawn by a second, white text under the label:
#: text with a path effect is written to a PDF as outlines, which could not be searched.
HALO = [Stroke(linewidth=2.0, foreground="white")]
TXT = {"parse_math": False}  # names from the data are never read as mathtext

TEXT = {
    "mn": {
        "title": "Бичил уурхайн газар олгох хүсэлт {id}",
        "title_all": "Бичил уурхайн газар олгох хүсэлтүүд",
        "place": "{aimag} аймаг, {soum} сум",
        "scale": "Масштаб 1:{scale}",
        "submitted": "Ирүүлсэн {when}, дараалал №{queue}",
        "status": {"pass": "тэнцсэн", "warn": "анхааруулгатай", "fail": "тэнцээгүй",
                   "none": "шалгаагүй"},
        "result": "Шалгалтын дүн: {status}",
        "legend": "Тайлбар",
        "request": "Хүсэлтийн талбай",
        "eligible": "Олгох боломжтой хэсэг",
        "ineligible": "Олгох боломжгүй хэсэг",
        "conflict": "Зөрчилтэй объект",
        "gap": "Зай (хамгийн ойр цэгүүдийн хооронд)",
        "corner": "Булангийн цэг ба дугаар",
        "others": "Бусад хүсэлт",
        "requests_status": "Хүсэлт: {status}",
        "lapsed": "{name} (хүчингүй)",
        "soum_line": "Сумын хил",
        "rehab": "Нөхөн сэргээлт: {status}",
        "corners": "Булангийн цэгүүдийн солбицол (WGS 84)",
        "corner_head": ("№", "Уртраг", "Өргөрөг"),
        "area": "Талбай {ha:.2f} га, үүнээс тэнцэх {eha:.2f} га",
        "more": "… бусад {n} цэгийг булангийн жагсаалтаас үзнэ үү",
        "also": "Мөн (зураг дээр багтаагүй шошго): {names}",
        "overlap": "{id}: {ha:.2f} га давхцал",
        "away": "{id}: {m:.1f} м",
        "register": "Хүсэлтүүд ({n})",
        "register_head": ("Хүсэлт", "га", "Дүн"),
        "sources": "Эх сурвалж, огноо: {items}.",
        "added": "нэмсэн",
        "ruleset": "Дүрмийн багц {id}, хувилбар {version} ({regulation}); {as_of}-ны "
                   "байдлаар шалгасан.",
        "area_method": "Талбайн тооцоо: {method}.",
        "crs": "Солбицол WGS 84 (EPSG:4326); зураглал UTM {zone}N бүс (EPSG:{epsg}); "
               "1:{scale} масштаб нь 100% хэмжээгээр хэвлэхэд хүчинтэй.",
        "made": "Зураг үйлдсэн огноо: {day}.",
        "north": "N: жинхэнэ хойд\nмеридианы ойртолт\n{angle}",
        "m": "м", "km": "км", "east": "зүүн тийш", "west": "баруун тийш",
        "mongolia": "Монгол Улс", "aimag": "{name} аймаг", "soum": "{name} сум",
    },
    "en": {
        "title": "ASM land request {id}",
        "title_all": "ASM land requests",
        "place": "{aimag} aimag, {soum} soum",
        "scale": "Scale 1:{scale}",
        "submitted": "Submitted {when}, queue no. {queue}",
        "status": {"pass": "passes", "warn": "passes with warnings", "fail": "fails",
                   "none": "not checked"},
        "result": "Check result: {status}",
        "legend": "Legend",
        "request": "Requested area",
        "eligible": "Eligible part",
        "ineligible": "Ineligible part",
        "conflict": "Conflicting feature",
        "gap": "Distance (between the nearest points)",
        "corner": "Corner point and its number",
        "others": "Other requests",
        "requests_status": "Request: {status}",
        "lapsed": "{name} (not in force)",
        "soum_line": "Soum boundary",
        "rehab": "Rehabilitation: {status}",
        "corners": "Corner coordinates (WGS 84)",
        "corner_head": ("No.", "Longitude", "Latitude"),
        "area": "Area {ha:.2f} ha, of which {eha:.2f} ha eligible",
        "more": "… {n} more corners: see the corner list",
        "also": "Also (labels that did not fit on the map): {names}",
        "overlap": "{id}: {ha:.2f} ha overlap",
        "away": "{id}: {m:.1f} m",
        "register": "Requests ({n})",
        "register_head": ("Request", "ha", "Result"),
        "sources": "Data sources and dates: {items}.",
        "added": "added",
        "ruleset": "Ruleset {id}, version {version} ({regulation}); checked as of {as_of}.",
        "area_method": "Areas: {method}.",
        "crs": "Coordinates WGS 84 (EPSG:4326); projection UTM zone {zone}N (EPSG:{epsg}); "
               "the scale 1:{scale} holds when printed at 100%.",
        "made": "Map made on {day}.",
        "north": "N: true north\nmeridian convergence\n{angle}",
        "m": "m", "km": "km", "east": "east", "west": "west",
        "mongolia": "Mongolia", "aimag": "{name} aimag", "soum": "{name} soum",
    },
}


def thousands(n: int) -> str:
    """``25000`` as ``25 000`` (a thin space is not in every PDF viewer's search, so a space)."""
    return f"{n:,}".replace(",", " ")


# -- geometries as matplotlib artists ---------------------------------------------------------

def polygon_path(geoms: Iterable) -> MplPath | None:
    """One compound path of every polygon in ``geoms`` (holes as holes), or None if there is
    none."""
    verts, codes = [], []
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        for poly in shapely.get_parts(geom):
            if isinstance(poly, shapely.GeometryCollection | shapely.MultiPolygon):
                sub = polygon_path(shapely.get_parts(poly))
                if sub is not None:
                    verts.append(sub.vertices)
                    codes.append(sub.codes)
                continue
            if not isinstance(poly, shapely.Polygon) or poly.is_empty:
                continue
            poly = shapely.orient_polygons(poly)
            for ring in (poly.exterior, *poly.interiors):
                xy = np.asarray(ring.coords)[:, :2]
                c = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
                c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
                verts.append(xy)
                codes.append(c)
    if not verts:
        return None
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def add_polygons(ax, geoms: Iterable, **kw) -> PathPatch | None:
    """Draw polygons as one patch; None if there is nothing to draw."""
    path = polygon_path(geoms)
    if path is None:
        return None
    return ax.add_patch(PathPatch(path, **kw))


def line_parts(geoms: Iterable) -> list[np.ndarray]:
    """The coordinate arrays of every line in ``geoms`` (polygon boundaries included)."""
    out = []
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            geom = geom.boundary
        for part in shapely.get_parts(geom):
            if part.geom_type == "LineString" and not part.is_empty:
                out.append(np.asarray(part.coords)[:, :2])
            elif part.geom_type in ("MultiLineString", "GeometryCollection", "LinearRing"):
                out.extend(line_parts([part] if part.geom_type == "LinearRing"
                                      else list(part.geoms)))
    return out


def add_lines(ax, geoms: Iterable, **kw) -> LineCollection | None:
    parts = line_parts(geoms)
    if not parts:
        return None
    return ax.add_collection(LineCollection(parts, **kw))


# -- map view ---------------------------------------------------------------------------------

@dataclass
class View:
    """What the map frame shows: a projected CRS, its limits and the printed scale."""

    epsg: int
    x0: float
    y0: float
    x1: float
    y1: float
    scale: int

    @property
    def box(self) -> shapely.Polygon:
        return shapely.box(self.x0, self.y0, self.x1, self.y1)

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    def to_lonlat(self) -> Transformer:
        return Transformer.from_crs(self.epsg, 4326, always_xy=True)

    def from_lonlat(self) -> Transformer:
        return Transformer.from_crs(4326, self.epsg, always_xy=True)


def fit_view(epsg: int, bounds: Sequence[float], frame_mm: tuple[float, float]) -> View:
    """The smallest nice scale at which ``bounds`` (metres) fit the frame, centred on them."""
    minx, miny, maxx, maxy = bounds
    need = max((maxx - minx) * 1000 / frame_mm[0], (maxy - miny) * 1000 / frame_mm[1])
    scale = next((s for s in NICE_SCALES if s >= need), None)
    if scale is None:
        scale = int(10 ** math.ceil(math.log10(need)))
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    hw, hh = frame_mm[0] * scale / 2000, frame_mm[1] * scale / 2000
    return View(epsg, cx - hw, cy - hh, cx + hw, cy + hh, scale)


# -- features in the map's projection ---------------------------------------------------------

def project(gdf: gpd.GeoDataFrame, view: View, pad: float = 0.03) -> gpd.GeoDataFrame:
    """Features in the map CRS, repaired if projecting made them invalid, clipped to a little
    more than the frame; those outside are dropped."""
    if gdf is None or len(gdf) == 0:
        return gpd.GeoDataFrame(geometry=[], crs=view.epsg)
    out = gdf.to_crs(view.epsg)
    geoms = out.geometry.to_numpy()
    bad = ~shapely.is_valid(geoms)
    if bad.any():
        geoms[bad] = shapely.make_valid(geoms[bad])
    grow = pad * view.width
    clip = shapely.box(view.x0 - grow, view.y0 - grow, view.x1 + grow, view.y1 + grow)
    geoms = shapely.intersection(geoms, clip)
    out = out.set_geometry(geoms)
    return out[~shapely.is_empty(geoms)]


def layers_in(context: dict[str, gpd.GeoDataFrame], view: View,
              kinds=CONTEXT_KINDS) -> dict[str, gpd.GeoDataFrame]:
    """The context layers in the map CRS; soums as their boundary lines (a clipped polygon's
    outline would draw the clipping box)."""
    out = {}
    for kind in kinds:
        gdf = context.get(kind)
        if gdf is not None and len(gdf) and kind == "soums":
            gdf = gdf.set_geometry(gdf.boundary)
        out[kind] = project(gdf, view)
    return out


def to_map(geom, view: View):
    """One lon/lat geometry in the map CRS (repaired if projecting made it invalid)."""
    if geom is None or geom.is_empty:
        return None
    g = gpd.GeoSeries([geom], crs=4326).to_crs(view.epsg).iloc[0]
    return g if g.is_valid else shapely.make_valid(g)


def label_anchors(geom, view: View, mode: str) -> list[tuple[float, float]]:
    """Where a label of ``geom`` may go: interior points of its visible part, points along its
    visible line, or the point itself."""
    seen = geom.intersection(view.box) if geom is not None else None
    if seen is None or seen.is_empty:
        return []
    parts = list(shapely.get_parts(seen))
    if mode == "area":
        polys = [p for p in parts if p.geom_type == "Polygon"]
        if not polys:
            return []
        poly = max(polys, key=lambda p: p.area)
        first = polylabel(poly, tolerance=view.width / 400)
        minx, miny, maxx, maxy = poly.bounds
        grid = [shapely.Point(x, y) for x in np.linspace(minx, maxx, 7)[1:-1]
                for y in np.linspace(miny, maxy, 7)[1:-1]]
        inner = [g for g in grid if poly.contains(g)]
        inner.sort(key=lambda g: g.distance(first))
        return [(first.x, first.y)] + [(g.x, g.y) for g in inner[:10]]
    if mode == "line":
        lines = [p for p in parts if p.geom_type == "LineString"]
        if not lines:
            return []
        line = max(lines, key=lambda p: p.length)
        return [(pt.x, pt.y) for pt in (line.interpolate(f, normalized=True)
                                        for f in (0.5, 0.35, 0.65, 0.2, 0.8))]
    return [(p.x, p.y) for p in parts if p.geom_type == "Point"][:1]


# -- graticule, scale bar, north arrow --------------------------------------------------------

def _step(span_deg: float, most: int = 5) -> float:
    """A graticule interval in degrees giving at most ``most`` lines over ``span_deg``."""
    for s in _GRID_STEPS_S:
        if span_deg * 3600 / s <= most:
            return s / 3600
    return _GRID_STEPS_S[-1] / 3600 * math.ceil(span_deg * 3600 / _GRID_STEPS_S[-1] / most)


def graticule(ax, view: View, *, fontsize: float = 6.0) -> list[Text]:
    """Meridians and parallels as projected curves, labelled in DMS outside the frame edges
    (longitudes below and above, latitudes left and right). Returns the labels."""
    inv, fwd = view.to_lonlat(), view.from_lonlat()
    edge_x = np.linspace(view.x0, view.x1, 41)
    edge_y = np.linspace(view.y0, view.y1, 41)
    ring_x = np.concatenate([edge_x, np.full(41, view.x1), edge_x[::-1], np.full(41, view.x0)])
    ring_y = np.concatenate([np.full(41, view.y0), edge_y, np.full(41, view.y1), edge_y[::-1]])
    lons, lats = inv.transform(ring_x, ring_y)
    lon0, lon1, lat0, lat1 = min(lons), max(lons), min(lats), max(lats)
    frame = view.box
    edges = {"bottom": shapely.LineString([(view.x0, view.y0), (view.x1, view.y0)]),
             "top": shapely.LineString([(view.x0, view.y1), (view.x1, view.y1)]),
             "left": shapely.LineString([(view.x0, view.y0), (view.x0, view.y1)]),
             "right": shapely.LineString([(view.x1, view.y0), (view.x1, view.y1)])}
    style = dict(color="#8c8c8c", linewidth=0.3, alpha=0.8, zorder=9)  # solid: dashes are
    # for boundaries and features no longer in force
    labels = []
    for axis, (lo, hi) in (("lon", (lon0, lon1)), ("lat", (lat0, lat1))):
        step = _step(hi - lo)
        k0, k1 = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
        for k in range(k0, k1 + 1):
            value = k * step
            t = np.linspace(lat0 - 0.01, lat1 + 0.01, 60) if axis == "lon" else \
                np.linspace(lon0 - 0.01, lon1 + 0.01, 60)
            xs, ys = (fwd.transform(np.full_like(t, value), t) if axis == "lon"
                      else fwd.transform(t, np.full_like(t, value)))
            curve = shapely.LineString(np.column_stack([xs, ys]))
            inside = curve.intersection(frame)
            if inside.is_empty:
                continue
            ax.add_collection(LineCollection(line_parts([inside]), **style))
            text = format_dms(value, decimals=0)
            for side in (("bottom", "top") if axis == "lon" else ("left", "right")):
                hit = curve.intersection(edges[side])
                if hit.is_empty:
                    continue
                p = shapely.get_parts(hit)[0]
                f = ((p.x - view.x0) / view.width if axis == "lon"
                     else (p.y - view.y0) / (view.y1 - view.y0))
                if not 0.03 < f < 0.97:  # a label at a corner would meet the other edge's
                    continue
                labels.append(_edge_label(ax, view, side, p.x, p.y, text, fontsize))
    return labels


def _edge_label(ax, view, side, x, y, text, fontsize) -> Text:
    fx = (x - view.x0) / view.width
    fy = (y - view.y0) / (view.y1 - view.y0)
    d = 2.0  # points from the frame
    px, py, dx, dy, va, rot = {"bottom": (fx, 0, 0, -d, "top", 0),
                               "top": (fx, 1, 0, d, "bottom", 0),
                               "left": (0, fy, -d, 0, "bottom", 90),
                               "right": (1, fy, d, 0, "top", 90)}[side]
    where = offset_copy(ax.transAxes, ax.figure, x=dx, y=dy, units="points")
    return ax.text(px, py, text, transform=where, ha="center", va=va, rotation=rot,
                   rotation_mode="anchor", fontsize=fontsize, color="#404040", clip_on=False)


def bar_length(ground_width_m: float) -> float:
    """A round scale bar length near a fifth of the map width."""
    target = ground_width_m / 5
    return max((b for b in _BAR_LENGTHS if b <= target), default=_BAR_LENGTHS[0])


def scale_bar(ax, view: View, words: dict, *, fontsize: float = 6.5, k: float = 1.0) -> Bbox:
    """A scale bar of a round length in four alternating segments, with the scale as text, in
    the lower left corner of the frame on a white box; returns the box (display pixels)."""
    length = bar_length(view.width)
    unit, div = (words["km"], 1000) if length >= 1000 else (words["m"], 1)
    mm = view.scale / 1000 * k  # ground metres per (type-scaled) millimetre of paper
    x, y = view.x0 + 6 * mm, view.y0 + 6.5 * mm
    bar_h = 1.3 * mm
    background = FancyBboxPatch((x - 3.5 * mm, y - 4.5 * mm), length + 10 * mm, 12.5 * mm,
                                boxstyle="square,pad=0", facecolor="white", edgecolor="#7f7f7f",
                                linewidth=0.4, alpha=0.92, zorder=30)
    ax.add_patch(background)
    seg = length / 4
    for i in range(4):
        ax.add_patch(Rectangle((x + i * seg, y), seg, bar_h, facecolor="black" if i % 2 == 0
                               else "white", edgecolor="black", linewidth=0.5, zorder=31))
    for val in (0, length / 2, length):
        ax.text(x + val, y - 0.8 * mm, f"{val / div:g}", ha="center", va="top",
                fontsize=fontsize - 0.5, zorder=32)
    ax.text(x + length + 1.2 * mm, y + bar_h / 2, unit, ha="left", va="center",
            fontsize=fontsize - 0.5, zorder=32)
    ax.text(x, y + bar_h + 1.6 * mm, words["scale"].format(scale=thousands(view.scale)),
            ha="left", va="bottom", fontsize=fontsize, fontweight="bold", zorder=32)
    return background.get_window_extent()


def convergence_deg(view: View) -> float:
    """Angle (degrees, clockwise) from grid north to true north at the centre of the map."""
    cx, cy = (view.x0 + view.x1) / 2, (view.y0 + view.y1) / 2
    lon, lat = view.to_lonlat().transform(cx, cy)
    x1, y1 = view.from_lonlat().transform(lon, lat + 0.01)
    return math.degrees(math.atan2(x1 - cx, y1 - cy))


def north_arrow(ax, view: View, words: dict, *, fontsize: float = 9.0, k: float = 1.0) -> Bbox:
    """An arrow to true north (grid north turned by the meridian convergence) in the upper
    right corner of the frame, with the angle written under it; returns its box (pixels)."""
    gamma = convergence_deg(view)
    fig_w, fig_h = ax.figure.get_size_inches()
    pos = ax.get_position()
    w_in, h_in = pos.width * fig_w, pos.height * fig_h
    cx_in, cy_in = w_in - 0.42 * k, h_in - 0.62 * k  # arrow foot, inches from the lower left
    length = 0.38 * k
    dx, dy = math.sin(math.radians(gamma)) * length, math.cos(math.radians(gamma)) * length

    def to_axes(x: float, y: float) -> tuple[float, float]:  # inches to axes fractions
        return x / w_in, y / h_in

    x0, y0 = to_axes(cx_in, cy_in)
    background = FancyBboxPatch(to_axes(cx_in - 0.40 * k, cy_in - 0.34 * k), 0.80 * k / w_in,
                                0.90 * k / h_in,
                                boxstyle="round,pad=0,rounding_size=0", transform=ax.transAxes,
                                facecolor="white", edgecolor="#7f7f7f", linewidth=0.4,
                                alpha=0.92, zorder=30)
    ax.add_patch(background)
    arrow = FancyArrow(x0, y0, dx / w_in, dy / h_in, width=0.05 * k / w_in,
                       head_width=0.14 * k / w_in, head_length=0.14 * k / h_in,
                       length_includes_head=True,
                       transform=ax.transAxes, color="black", zorder=31)
    ax.add_patch(arrow)
    tip = to_axes(cx_in + dx * 1.3, cy_in + dy * 1.3)
    ax.text(*tip, "N", transform=ax.transAxes, ha="center", va="center", fontsize=fontsize,
            fontweight="bold", zorder=32)
    deg = abs(gamma)
    minutes = round(deg * 60)
    angle = f"{minutes // 60}°{minutes % 60:02d}′ " + words["east" if gamma > 0 else "west"]
    ax.text(*to_axes(cx_in, cy_in - 0.07 * k), words["north"].format(angle=angle),
            transform=ax.transAxes, ha="center", va="top", fontsize=4.6 * k, linespacing=1.2,
            zorder=32)
    return background.get_window_extent()


# -- the panel beside (or under) the map --------------------------------------------------

class Column:
    """Text blocks stacked downwards in a column of the panel, wrapped to its width."""

    def __init__(self, page: Page, x: float, top: float, width: float, bottom: float,
                 scale: float = 1.0) -> None:
        self.page, self.x, self.y, self.width, self.bottom = page, x, top, width, bottom
        self.scale = scale
        self.artists: list = []

    @property
    def full(self) -> bool:
        return self.y < self.bottom

    def add(self, text: str, size: float, *, gap: float = 1.0, wrap: bool = True, **kw):
        p = self.page
        size = size * p.k * self.scale
        if wrap:
            text = p.wrap(text, self.width, size, weight=kw.get("fontweight", "normal"),
                          family=kw.get("family", "DejaVu Sans"))
        art = p.fig.text(self.x / p.W, self.y / p.H, text, ha="left", va="top", fontsize=size,
                         linespacing=1.25, **TXT, **kw)
        height = art.get_window_extent(p.renderer).height / p.fig.dpi / MM
        self.y -= height + gap * self.scale
        self.artists.append(art)
        return art

    def line_height(self, size: float) -> float:
        return size * self.page.k * self.scale * 1.25 / 72 / MM


def locators(page: Page, x: float, top: float, width: float, bottom: float, *,
             stacked: bool, view: View, aimags: gpd.GeoDataFrame, aimag: dict,
             soums: gpd.GeoDataFrame, soum: dict, names: tuple[str, str], point) -> float:
    """Two small maps, side by side or one above the other: Mongolia with the aimag shaded and
    the place marked, and the soum with the map frame outlined. Returns their bottom (mm)."""
    T, size = page.T, 6.0 * page.k
    title_h, gap = 4.0 * page.k, 4.0
    national = aimags.to_crs(MONGOLIA_ALBERS) if len(aimags) else None
    if national is not None:
        national = national.set_geometry(national.geometry.simplify(2500))
        minx, miny, maxx, maxy = national.total_bounds
        aspect = (maxx - minx) / (maxy - miny)
    else:
        aspect = 2.0
    w1 = width if stacked else 0.56 * width
    h1 = w1 / aspect
    w2 = width if stacked else width - w1 - gap
    h2 = min(0.8 * w2, top - bottom - 2 * title_h - h1 - gap) if stacked else h1
    y1 = top - title_h - h1
    y2 = y1 - gap - title_h - h2 if stacked else y1
    x2 = x if stacked else x + w1 + gap
    lowest = top
    if national is not None:
        ax = page.fig.add_axes(page.frac(x, y1, w1, h1))
        here = national["pcode"].astype(str) == aimag.get("pcode", "")
        add_polygons(ax, national.geometry[~here], facecolor="#f0f0f0", edgecolor="#969696",
                     linewidth=0.3)
        add_polygons(ax, national.geometry[here], facecolor="#fdae6b", edgecolor="#636363",
                     linewidth=0.5)
        px, py = gpd.GeoSeries([point], crs=4326).to_crs(MONGOLIA_ALBERS).iloc[0].coords[0]
        ax.plot([px], [py], marker="s", markersize=3.5, color="#b30000", zorder=5)
        _locator_frame(ax, national.total_bounds, w1, h1)
        ax.set_title(f"{T['mongolia']}: {T['aimag'].format(name=names[1])}", fontsize=size,
                     loc="left", pad=2, **TXT)
        page.furniture["locator_country"] = ax
        lowest = y1
    if len(soums) and h2 > 10:
        ax = page.fig.add_axes(page.frac(x2, y2, w2, h2))
        local = soums.to_crs(view.epsg)
        here = (local["pcode"].astype(str) == soum.get("pcode", "")).to_numpy() \
            if "pcode" in local.columns else np.zeros(len(local), dtype=bool)
        add_polygons(ax, local.geometry[~here], facecolor="#f7f7f7", edgecolor="#969696",
                     linewidth=0.3)
        add_polygons(ax, local.geometry[here], facecolor="#fee6ce", edgecolor="#636363",
                     linewidth=0.5)
        cx, cy = (view.x0 + view.x1) / 2, (view.y0 + view.y1) / 2
        ax.add_patch(Rectangle((view.x0, view.y0), view.width, view.y1 - view.y0,
                               facecolor="none", edgecolor="#b30000", linewidth=0.8, zorder=5))
        ax.plot([cx], [cy], marker="s", markersize=3.0, color="#b30000", zorder=5)
        shown = local.geometry[here] if here.any() else local.geometry
        _locator_frame(ax, shown.total_bounds, w2, h2)
        ax.set_title(T["soum"].format(name=names[0]), fontsize=size, loc="left", pad=2, **TXT)
        page.furniture["locator_soum"] = ax
        lowest = min(lowest, y2)
    return lowest


def _locator_frame(ax, bounds, w: float, h: float) -> None:
    """Limits showing ``bounds`` with a margin, widened to the axes' shape (so the map is not
    distorted and the axes keep their size)."""
    minx, miny, maxx, maxy = bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    half_w, half_h = (maxx - minx) * 0.54, (maxy - miny) * 0.54
    if half_w / half_h < w / h:
        half_w = half_h * w / h
    else:
        half_h = half_w * h / w
    ax.set_xlim(cx - half_w, cx + half_w)
    ax.set_ylim(cy - half_h, cy + half_h)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_linewidth(0.5)
        spine.set_color("#636363")


def draw_legend(page: Page, x: float, top: float, width: float, bottom: float, scale: float):
    """The legend at the top left of a panel column; returns it and its bottom (mm)."""
    ax = page.fig.add_axes(page.frac(x, bottom, width, top - bottom))
    ax.set_axis_off()
    size = 6.2 * page.k * scale
    chars = int(width / (size * 0.55 / 72 / MM)) - 8
    entries = page.legend_order()
    labels = [textwrap.fill(lbl, max(chars, 20), break_on_hyphens=False) for lbl, _ in entries]
    legend = ax.legend([h for _, h in entries], labels, loc="upper left",
                       frameon=False, fontsize=size, title=page.T["legend"],
                       title_fontsize=size + 1, alignment="left", handlelength=2.4,
                       handleheight=1.1, borderaxespad=0.0, borderpad=0.0, labelspacing=0.45)
    legend.get_title().set_fontweight("bold")
    for t in legend.get_texts():
        t.set_parse_math(False)
    box = legend.get_window_extent(page.renderer)
    page.furniture["legend"] = legend
    return legend, box.y0 / page.fig.dpi / MM


def corner_table(col: Column, rows: list[tuple[str, float, float]], T: dict) -> None:
    """The corners as numbered on the map, in DMS as the corner list writes them; as many rows
    as the column has room for, then a note that the list has the rest."""
    head = T["corner_head"]
    body = [(n, format_dms(lon), format_dms(lat)) for n, lon, lat in rows]
    wn = max(len(head[0]), *(len(r[0]) for r in body))
    wl = max(len(head[1]), *(len(r[1]) for r in body))
    lines = [f"{head[0]:>{wn}}  {head[1]:<{wl}}  {head[2]}"]
    lines += [f"{n:>{wn}}  {lon:<{wl}}  {lat}" for n, lon, lat in body]
    room = int((col.y - col.bottom - 2 * col.line_height(6.0)) / col.line_height(5.8))
    if len(lines) > room:
        keep = max(room - 1, 2)
        lines = lines[:keep] + [T["more"].format(n=len(lines) - keep)]
    col.add("\n".join(lines), 5.8, wrap=False, family="DejaVu Sans Mono", gap=0.8)


# -- labels -----------------------------------------------------------------------------------

#: Directions tried around a point, best first (unit steps; diagonals touch at a corner).
_AROUND = ((1, 1), (1, 0), (1, -1), (-1, 1), (-1, 0), (-1, -1), (0, 1), (0, -1))


@dataclass
class LabelSpec:
    """A label to place: its text, where it belongs (data coordinates) and how to draw it.

    ``mode`` is ``point`` (never cover the anchor, try around it), ``area`` (try the interior
    anchors centred, then around the first) or ``line`` (try on each anchor, then around).
    """

    text: str
    kind: str
    anchors: list[tuple[float, float]]
    mode: str = "area"
    priority: int = 10
    style: dict = field(default_factory=dict)
    directions: Sequence[tuple[float, float]] = _AROUND
    may_cover_request: bool = False
    halo: bool = True


@dataclass
class PlacedLabel:
    """A label on the map; ``box`` is its padded extent in display pixels at the figure dpi."""

    text: str
    kind: str
    artist: Text
    box: Bbox
    moved: bool
    leader: Line2D | None = None
    halo: Text | None = None
    anchor: tuple[float, float] | None = None  # display pixels of the point labelled


class LabelPlacer:
    """Greedy placement in priority order.

    Each label takes the first candidate position whose box stays inside the frame and
    overlaps no placed label, no obstacle box, no line to keep clear (distance lines, leader
    lines) and, unless allowed, not the request; when it is moved off its anchor, the leader
    line to it must not cross a placed label or an obstacle either. A label with no such
    position is dropped.
    """

    def __init__(self, ax, renderer, *, obstacles: Sequence[Bbox] = (),
                 request: shapely.Geometry | None = None, pad_pt: float = 1.2) -> None:
        self.ax, self.renderer = ax, renderer
        self.px = ax.figure.dpi / 72
        self.pad = pad_pt * self.px
        f = ax.get_window_extent(renderer)
        m = 2 * self.px
        self.frame = (f.x0 + m, f.y0 + m, f.x1 - m, f.y1 - m)
        self.boxes = np.empty((0, 4))
        self.hard = np.empty((0, 4))
        self.clear: list[shapely.Geometry] = []  # lines (display pixels) labels keep off
        for b in obstacles:
            self.add_obstacle(b)
        self.cover = self.hard.copy()  # furniture: a label cannot point at what it hides
        self.request = None
        if request is not None and not request.is_empty:
            self.request = shapely.transform(request, ax.transData.transform)
            shapely.prepare(self.request)

    def add_obstacle(self, box: Bbox) -> None:
        self.hard = np.vstack([self.hard, [box.x0, box.y0, box.x1, box.y1]])

    def keep_clear(self, xy_data: Sequence[tuple[float, float]]) -> None:
        """Keep labels off a line given in data coordinates."""
        line = shapely.LineString(self.ax.transData.transform(np.asarray(xy_data, float)))
        line = line.buffer(1.5 * self.px)
        shapely.prepare(line)
        self.clear.append(line)

    def _leader_crosses(self, anchor, end) -> bool:
        """Whether a leader line crosses a placed label or an obstacle (other than one around
        its own anchor, such as the corner's dot)."""
        arr = np.vstack([self.boxes, self.hard])
        if not len(arr):
            return False
        geom = shapely.LineString([anchor, end])
        lo, hi = geom.bounds[:2], geom.bounds[2:]
        own = (anchor[0] >= arr[:, 0]) & (anchor[0] <= arr[:, 2]) & (anchor[1] >= arr[:, 1]) & \
            (anchor[1] <= arr[:, 3])
        near = (lo[0] < arr[:, 2]) & (hi[0] > arr[:, 0]) & (lo[1] < arr[:, 3]) & \
            (hi[1] > arr[:, 1]) & ~own
        if not near.any():
            return False
        boxes = shapely.box(*arr[near].T)
        return bool(shapely.intersects(geom, boxes).any())

    def _free(self, b: tuple[float, float, float, float], spec: LabelSpec) -> bool:
        x0, y0, x1, y1 = b
        fx0, fy0, fx1, fy1 = self.frame
        if x0 < fx0 or y0 < fy0 or x1 > fx1 or y1 > fy1:
            return False
        for arr in (self.boxes, self.hard):
            if len(arr) and np.any((x0 < arr[:, 2]) & (x1 > arr[:, 0]) & (y0 < arr[:, 3])
                                   & (y1 > arr[:, 1])):
                return False
        box = shapely.box(x0, y0, x1, y1)
        if any(line.intersects(box) for line in self.clear):
            return False
        if self.request is not None and not spec.may_cover_request:
            return not self.request.intersects(box)
        return True

    def _inside_obstacle(self, x: float, y: float) -> bool:
        arr = self.cover
        return bool(len(arr) and np.any((x > arr[:, 0]) & (x < arr[:, 2]) & (y > arr[:, 1])
                                        & (y < arr[:, 3])))

    def _candidates(self, spec: LabelSpec, anchors_px: np.ndarray, w: float, h: float):
        """(centre x, centre y, anchor) in display pixels, best first; ``anchor`` is the
        anchor the label was moved away from (None when it sits on its anchor)."""
        pt = self.px
        if spec.mode in ("area", "line"):
            for ax_, ay in anchors_px:
                yield ax_, ay, None
            if spec.mode == "line":
                for ax_, ay in anchors_px:
                    for sy in (1, -1):
                        yield ax_, ay + sy * (h / 2 + 2 * pt), None
        gaps = (3.5, 9, 17, 28, 40) if spec.mode == "point" else (6, 16, 28, 40, 56)
        for k, gap in enumerate(gaps):
            for anchor in anchors_px[:3] if spec.mode != "point" else anchors_px[:1]:
                for dx, dy in spec.directions:
                    g = gap * pt
                    nx, ny = dx * (g + w / 2), dy * (g + h / 2)
                    if dx and dy:
                        nx, ny = dx * (g * 0.75 + w / 2), dy * (g * 0.75 + h / 2)
                    moved = spec.mode != "point" or k > 0
                    yield anchor[0] + nx, anchor[1] + ny, (anchor if moved else None)

    def _leader_end(self, anchor, box) -> tuple[float, float]:
        return (min(max(anchor[0], box[0]), box[2]), min(max(anchor[1], box[1]), box[3]))

    def place(self, specs: Sequence[LabelSpec]) -> tuple[list[PlacedLabel], list[LabelSpec]]:
        placed, dropped = [], []
        to_data = self.ax.transData.inverted()
        for spec in sorted(specs, key=lambda s: s.priority):
            anchors_px = self.ax.transData.transform(np.asarray(spec.anchors, dtype=float))
            keep = [not self._inside_obstacle(x, y) for x, y in anchors_px]
            anchors_px = anchors_px[np.asarray(keep, dtype=bool)]
            if not len(anchors_px):
                dropped.append(spec)
                continue
            x, y = to_data.transform(anchors_px[0])
            art = self.ax.text(x, y, spec.text, ha="center", va="center", **spec.style)
            ext = art.get_window_extent(self.renderer)
            w, h = ext.width + 2 * self.pad, ext.height + 2 * self.pad
            slack = self.px  # room for the pixel rounding of the final position
            chosen = None
            for cx, cy, anchor in self._candidates(spec, anchors_px, w, h):
                b = (cx - w / 2 - slack, cy - h / 2 - slack, cx + w / 2 + slack,
                     cy + h / 2 + slack)
                if not self._free(b, spec):
                    continue
                if anchor is not None:
                    end = self._leader_end(anchor, b)
                    if math.hypot(end[0] - anchor[0], end[1] - anchor[1]) > 3 * self.px:
                        if self._leader_crosses(anchor, end):
                            continue
                chosen = (cx, cy, anchor)
                break
            if chosen is None:
                art.remove()
                dropped.append(spec)
                continue
            cx, cy, anchor = chosen
            art.set_position(to_data.transform((cx, cy)))
            halo = None
            if spec.halo:
                halo = self.ax.text(*to_data.transform((cx, cy)), spec.text, ha="center",
                                    va="center", **{**spec.style, "color": "white",
                                                    "path_effects": HALO,
                                                    "zorder": art.get_zorder() - 0.5})
            ext = art.get_window_extent(self.renderer)
            box = Bbox.from_extents(ext.x0 - self.pad, ext.y0 - self.pad, ext.x1 + self.pad,
                                    ext.y1 + self.pad)
            self.boxes = np.vstack([self.boxes, [box.x0, box.y0, box.x1, box.y1]])
            leader = None
            if anchor is not None:
                leader = self._leader(anchor, box, to_data, spec)
            placed.append(PlacedLabel(spec.text, spec.kind, art, box, anchor is not None,
                                      leader, halo, tuple(anchors_px[0])))
        return placed, dropped

    def _leader(self, anchor, box: Bbox, to_data, spec: LabelSpec) -> Line2D | None:
        ex, ey = self._leader_end(anchor, (box.x0, box.y0, box.x1, box.y1))
        if math.hypot(ex - anchor[0], ey - anchor[1]) < 3 * self.px:
            return None
        self.clear.append(shapely.LineString([anchor, (ex, ey)]))
        (x0, y0), (x1, y1) = to_data.transform([anchor, (ex, ey)])
        colour = spec.style.get("color", "#333333")
        line = Line2D([x0, x1], [y0, y1], color=colour, linewidth=0.5, zorder=68)
        self.ax.add_line(line)
        self.ax.plot([x0], [y0], marker="o", markersize=1.6, color=colour, zorder=68)
        return line
