"""Catalog styles as Qt pens and brushes, the layer swatches, and the drawing order of kinds."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPen, QPixmap

from landtool.catalog import GeometryKind, LayerKind, Style

#: Drawing order, bottom first: administrative units, land cover and water and
#: infrastructure, licences, decisions on land, then the requests being examined.
DRAW_GROUPS: tuple[tuple[str, ...], ...] = (
    ("soums", "aimags"),
    ("forest", "protected_areas", "water_areas", "roads", "water_lines", "water_points",
     "settlements"),
    ("licenses", "licences"),
    ("land_conclusions", "asm_contracts", "rehab_parcels"),
    ("requests",),
)
_GEOMETRY_ORDER = {GeometryKind.POLYGON: 0, GeometryKind.LINE: 1, GeometryKind.POINT: 2}
_DASH = [5.0, 3.0]


def draw_rank(kind: LayerKind) -> tuple[int, int, int]:
    """Sort key of a layer kind: its group, then polygons before lines before points.

    A kind not named in :data:`DRAW_GROUPS` goes with land cover (group 1), so a new catalog
    kind is drawn above the administrative units and below the licences.
    """
    names = [kind.id, *getattr(kind, "aliases", ())]  # a renamed kind keeps its old id
    for group, ids in enumerate(DRAW_GROUPS):
        for name in names:
            if name in ids:
                return group, _GEOMETRY_ORDER[kind.geometry], ids.index(name)
    return 1, _GEOMETRY_ORDER[kind.geometry], len(DRAW_GROUPS[1])


def merge_order(chosen: list[str], names: list[str], rank: Callable[[str], tuple]
                ) -> list[str]:
    """``names`` top first: those in ``chosen`` in that order, each other one above the
    first listed layer drawn below its kind (``rank``: the drawing-order key, bottom first)."""
    out = [n for n in chosen if n in names]
    for name in sorted((n for n in names if n not in out), key=rank, reverse=True):
        below = next((i for i, n in enumerate(out) if rank(n) < rank(name)), len(out))
        out.insert(below, name)
    return out


def pen_for(style: Style, *, width_factor: float = 1.0) -> QPen:
    """A cosmetic pen (its width is in pixels at every zoom) for ``style``."""
    if style.stroke_width <= 0:
        return QPen(Qt.PenStyle.NoPen)
    pen = QPen(QColor(style.stroke), style.stroke_width * width_factor)
    pen.setCosmetic(True)
    # round joins make Qt's stroker (used for lines wider than 1 px) about twice as slow;
    # at 2 px a bevel looks the same
    pen.setJoinStyle(Qt.PenJoinStyle.BevelJoin)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    if style.dash:
        pen.setDashPattern(_DASH)
    return pen


def brush_for(style: Style, geometry: GeometryKind) -> QBrush:
    """The fill of ``style``: none for lines and for a missing or fully transparent fill.

    Points are markers and get an opaque fill; polygons use the style's opacity.
    """
    if geometry is GeometryKind.LINE or style.fill is None:
        return QBrush(Qt.BrushStyle.NoBrush)
    color = QColor(style.fill)
    if geometry is GeometryKind.POLYGON:
        if style.fill_opacity <= 0:
            return QBrush(Qt.BrushStyle.NoBrush)
        color.setAlphaF(style.fill_opacity)
    return QBrush(color)


def label_color(style: Style) -> QColor:
    return QColor(style.stroke).darker(160)


def swatch(kind: LayerKind, size: int = 18) -> QIcon:
    """A small picture of how ``kind`` is drawn, for the layer list."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    style = kind.style
    pen = pen_for(style, width_factor=1.0)
    if pen.style() != Qt.PenStyle.NoPen:
        pen.setWidthF(max(1.0, min(style.stroke_width, 2.5)))
    painter.setPen(pen)
    m = 2.5
    if kind.geometry is GeometryKind.POLYGON:
        brush = brush_for(style, kind.geometry)
        if brush.style() != Qt.BrushStyle.NoBrush:
            color = brush.color()
            color.setAlphaF(max(color.alphaF(), 0.45))  # faint fills vanish at this size
            brush = QBrush(color)
        painter.setBrush(brush)
        painter.drawRect(QRectF(m, m, size - 2 * m, size - 2 * m))
    elif kind.geometry is GeometryKind.LINE:
        painter.drawLine(QPointF(m, size - m), QPointF(size - m, m))
    else:
        painter.setBrush(brush_for(style, kind.geometry))
        r = min(style.marker_size, size - 2 * m) / 2
        painter.drawEllipse(QPointF(size / 2, size / 2), r, r)
    painter.end()
    return QIcon(pixmap)


# -- the check status of requests and the overlays --------------------------------------------
#: outline colour of a request by its check status (landtool.check.result.Status)
STATUS_COLORS = {"pass": "#1a9641", "warn": "#f08c00", "fail": "#d7191c"}
SELECTION_COLOR = QColor("#1f4e9c")
ELIGIBLE_COLOR = QColor("#1a7f37")
CONFLICT_COLOR = QColor("#d7191c")
FLASH_COLOR = QColor("#ffd400")
HANDLE_SIZE = 8.0  # pixels, the side of a vertex handle


def status_style(style: Style, status: str | None) -> Style:
    """``style`` with its stroke (and fill) in the colour of a check ``status``; a request not
    checked yet (``None``) keeps the catalog style."""
    color = STATUS_COLORS.get(status or "")
    if color is None:
        return style
    return style.model_copy(update={"stroke": color, "fill": color,
                                    "fill_opacity": min(style.fill_opacity, 0.2)})


#: fill of a rehabilitation parcel by its status, as :mod:`landtool.rehab.chart` draws them
#: (disturbed dark red ... accepted dark green)
PARCEL_COLORS = {"disturbed": "#b2182b", "technical_in_progress": "#ef8a62",
                 "technical_done": "#fddbc7", "biological_done": "#a6dba0",
                 "accepted": "#1b7837"}
_PARCEL_FILL_OPACITY = 0.6


def parcel_style(style: Style, status: str | None) -> Style:
    """``style`` filled in the colour of a rehabilitation ``status`` (outlined a shade darker);
    an unknown status keeps the catalog style."""
    color = PARCEL_COLORS.get(status or "")
    if color is None:
        return style
    return style.model_copy(update={"stroke": QColor(color).darker(140).name(), "fill": color,
                                    "fill_opacity": _PARCEL_FILL_OPACITY})


def overlay_pen(color: QColor, width: float, *, dash: bool = False) -> QPen:
    """A pen for overlays drawn in screen pixels (round joins: they are few and thick)."""
    pen = QPen(color, width)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    if dash:
        pen.setDashPattern([4.0, 3.0])
    return pen
