"""Drawing prepared layers with a QPainter: geometry bottom to top, then labels that fit.

The function works on any paint device (the canvas's back buffer, a QImage for the benchmark
or an export), so rendering is testable without a window.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPen,
    QStaticText,
    QTransform,
)

from gui.layer_graphics import LayerGraphics
from gui.map_view import MapView
from gui.style import (
    PARCEL_COLORS,
    brush_for,
    label_color,
    parcel_style,
    pen_for,
    status_style,
)
from landtool.catalog import GeometryKind

BACKGROUND = QColor("#fbfaf6")
HALO = QColor(255, 255, 255, 220)
MAX_LABELS = 400  # per redraw; beyond this the map is unreadable anyway
MAX_POINT_LABELS = 80  # a point layer is labelled only when at most this many are in view
MIN_POINT_LABEL_PX_PER_DEG = 150.0  # and only from about 1:2,800,000 (not on the national view)
_MIN_LABEL_PX = 16.0  # a polygon narrower than this on screen gets no label
_CELL = 64  # label-collision grid cell, in pixels


def view_transform(view: MapView) -> QTransform:
    """The transform from lon/lat degrees to the pixels of ``view``."""
    t = QTransform()
    t.translate(view.width / 2, view.height / 2)
    t.scale(view.x_scale, -view.px_per_deg)
    t.translate(-view.center_lon, -view.center_lat)
    return t


def visible_indices(bboxes: np.ndarray, bounds: tuple[float, float, float, float]) -> np.ndarray:
    """Indices of the features whose bounding box meets ``bounds`` (empty ones never do)."""
    west, south, east, north = bounds
    with np.errstate(invalid="ignore"):
        hit = ((bboxes[:, 0] <= east) & (bboxes[:, 2] >= west)
               & (bboxes[:, 1] <= north) & (bboxes[:, 3] >= south))
    return np.flatnonzero(hit)


def render_map(painter: QPainter, view: MapView, layers: Sequence[LayerGraphics], *,
               antialias: bool = True, labels: bool = True, font: QFont | None = None,
               underlay: QImage | None = None) -> None:
    """Draw ``layers`` (bottom first) into ``painter``, which covers ``view``'s pixels, over
    ``underlay`` (the background imagery's picture of ``view``), if any."""
    painter.fillRect(QRectF(0, 0, view.width, view.height), BACKGROUND)
    if underlay is not None:
        painter.drawImage(QRectF(0, 0, view.width, view.height), underlay)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, antialias)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    transform = view_transform(view)
    bounds = view.bounds()
    in_view = [visible_indices(layer.bboxes, bounds) for layer in layers]
    for layer, idx in zip(layers, in_view, strict=True):
        if len(idx) == 0:
            continue
        if layer.geometry is GeometryKind.POINT:
            _draw_points(painter, view, layer, idx)
        else:
            _draw_paths(painter, transform, view, layer, idx)
    if labels:
        _draw_labels(painter, view, layers, in_view, font or QFont())


def _draw_paths(painter: QPainter, transform: QTransform, view: MapView, layer: LayerGraphics,
                idx: np.ndarray) -> None:
    painter.setTransform(transform)
    paths = layer.paths_for(1.0 / view.px_per_deg)
    draw = painter.drawPath
    for style, group in _style_groups(layer, idx):
        painter.setPen(pen_for(style))
        painter.setBrush(brush_for(style, layer.geometry))
        for i in group.tolist():
            path = paths[i]
            if path is not None:
                draw(path)
    painter.resetTransform()


def _style_groups(layer: LayerGraphics, idx: np.ndarray):
    """(style, indices) to draw: one group in the catalog style, or one per status: a
    request's check (unchecked first, failing last so a red outline is never hidden under a
    green one) or a rehabilitation parcel's (disturbed to accepted)."""
    style = layer.kind.style
    if layer.status is None:
        yield style, idx
        return
    if layer.status_kind == "rehab":
        keys, restyle = tuple(PARCEL_COLORS), parcel_style
    else:
        keys, restyle = ("pass", "warn", "fail"), status_style
    status = np.array([s if s in keys else "" for s in layer.status[idx].tolist()], dtype=object)
    for key in ("", *keys):
        group = idx[status == key]
        if len(group):
            yield (restyle(style, key) if key else style), group


def _screen_xy(view: MapView, lonlat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    xs = view.width / 2 + (lonlat[:, 0] - view.center_lon) * view.x_scale
    ys = view.height / 2 - (lonlat[:, 1] - view.center_lat) * view.px_per_deg
    return xs, ys


def _draw_points(painter: QPainter, view: MapView, layer: LayerGraphics,
                 idx: np.ndarray) -> None:
    style = layer.kind.style
    painter.setPen(pen_for(style))
    painter.setBrush(brush_for(style, layer.geometry))
    r = style.marker_size / 2
    xs, ys = _screen_xy(view, layer.points[idx])
    for x, y in zip(xs.tolist(), ys.tolist(), strict=True):
        painter.drawEllipse(QPointF(x, y), r, r)


class _Occupancy:
    """Screen rectangles already taken by labels, bucketed in a coarse grid."""

    def __init__(self) -> None:
        self._cells: dict[tuple[int, int], list[QRectF]] = {}

    def _keys(self, rect: QRectF):
        for cx in range(int(rect.left()) // _CELL, int(rect.right()) // _CELL + 1):
            for cy in range(int(rect.top()) // _CELL, int(rect.bottom()) // _CELL + 1):
                yield cx, cy

    def try_take(self, rect: QRectF) -> bool:
        keys = list(self._keys(rect))
        if any(rect.intersects(r) for k in keys for r in self._cells.get(k, ())):
            return False
        for k in keys:
            self._cells.setdefault(k, []).append(rect)
        return True


_MAX_STATIC = 20_000
_local = threading.local()  # each thread its own laid-out labels (an export may draw too)


def _static_text(text: str, font: QFont, key: str) -> QStaticText:
    """``text`` laid out once in ``font`` (drawn five times per label, halo and text, and
    again on every redraw: a third faster than ``drawText`` for the national soums)."""
    cache: dict[tuple[str, str], QStaticText] = _local.__dict__.setdefault("labels", {})
    static = cache.get((key, text))
    if static is None:
        if len(cache) >= _MAX_STATIC:
            cache.clear()
        static = QStaticText(text)
        static.setTextFormat(Qt.TextFormat.PlainText)
        static.prepare(QTransform(), font)
        cache[key, text] = static
    return static


def _draw_labels(painter: QPainter, view: MapView, layers: Sequence[LayerGraphics],
                 in_view: list[np.ndarray], font: QFont) -> None:
    painter.setFont(font)
    metrics = QFontMetricsF(font)
    height = metrics.height()
    font_key = font.key()
    taken = _Occupancy()
    screen = QRectF(0, 0, view.width, view.height)
    drawn = 0
    # the top layer labels first: a request's number matters more than a soum's name
    for layer, idx in reversed(list(zip(layers, in_view, strict=True))):
        idx = np.array([i for i in idx.tolist() if layer.labels[i]], dtype=int)
        if len(idx) == 0:
            continue
        geometry = layer.geometry
        if geometry is GeometryKind.POINT and (len(idx) > MAX_POINT_LABELS
                                               or view.px_per_deg < MIN_POINT_LABEL_PX_PER_DEG):
            continue
        b = layer.bboxes[idx]
        widths = (b[:, 2] - b[:, 0]) * view.x_scale
        heights = (b[:, 3] - b[:, 1]) * view.px_per_deg
        if geometry is GeometryKind.POLYGON:
            room = (widths >= _MIN_LABEL_PX) & (heights >= height)
            idx, widths, heights = idx[room], widths[room], heights[room]
            order = np.argsort(-(widths * heights), kind="stable")  # big features first
        else:
            order = np.arange(len(idx))
        xs, ys = _screen_xy(view, layer.anchors[idx])
        pen = QPen(label_color(layer.kind.style))
        r = layer.kind.style.marker_size / 2
        for j in order.tolist():
            static = _static_text(layer.labels[idx[j]], font, font_key)
            tw = static.size().width()
            if geometry is GeometryKind.POLYGON:
                if tw > 0.9 * widths[j] or height > 0.9 * heights[j]:
                    continue
                rect = QRectF(xs[j] - tw / 2, ys[j] - height / 2, tw, height)
            elif geometry is GeometryKind.LINE:
                if tw > 0.8 * max(widths[j], heights[j]):
                    continue
                rect = QRectF(xs[j] - tw / 2, ys[j] - height / 2, tw, height)
            else:
                rect = QRectF(xs[j] + r + 3, ys[j] - height / 2, tw, height)
            if not screen.contains(rect) or not taken.try_take(rect.adjusted(-2, -1, 2, 1)):
                continue
            _draw_text(painter, rect, static, pen)
            drawn += 1
            if drawn >= MAX_LABELS:
                return


def _draw_text(painter: QPainter, rect: QRectF, static: QStaticText, pen: QPen) -> None:
    top_left = QPointF(rect.left(), rect.top() + (rect.height() - static.size().height()) / 2)
    painter.setPen(HALO)
    for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        painter.drawStaticText(top_left + QPointF(dx, dy), static)
    painter.setPen(pen)
    painter.drawStaticText(top_left, static)
