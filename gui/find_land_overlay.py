"""What "Find available land" draws over the map: the area searched (a dashed outline), the
available land (shaded green), the candidate parcels (darker green, each with its number) and
the selected candidate (a thick outline). The geometries are turned into painter paths once
per proposal and mapped to the screen on each paint, as :mod:`gui.overlays` does.
"""

from __future__ import annotations

import numpy as np
import shapely
from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from gui.layer_graphics import paths_from_geometries
from gui.map_renderer import HALO, view_transform
from gui.map_view import MapView
from gui.style import SELECTION_COLOR, overlay_pen

#: the colours of the proposal PDF's map (landtool.export.proposal)
AVAILABLE_FILL = QColor(166, 219, 160, 170)  # #a6dba0
CANDIDATE_FILL = QColor(27, 120, 55, 150)  # #1b7837
CANDIDATE_EDGE = QColor("#00441b")
SEARCH_EDGE = QColor("#333333")
_MIN_NUMBER_PX = 14.0  # a candidate is numbered when it is this wide on screen
_MAX_NUMBERS = 300


class FindLandOverlay(QObject):
    """The overlay of one proposal (:meth:`show`), cleared with ``show(None)``;
    :attr:`changed` asks the canvas for a repaint."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.visible = True  # off while the panel is closed (the proposal is kept)
        self.clear()

    def set_visible(self, visible: bool) -> None:
        if visible != self.visible:
            self.visible = visible
            self.changed.emit()

    def clear(self) -> None:
        self.search = self.available = None
        self.candidates: list = []  # QPainterPath per candidate, in rank order
        self.anchors: list[tuple[float, float]] = []  # where each number goes (lon, lat)
        self.selected: int | None = None

    def show(self, proposal) -> None:
        """Draw ``proposal`` (a :class:`landtool.propose.Proposal`), or nothing for None."""
        self.clear()
        if proposal is not None:
            (self.search,) = paths_from_geometries(np.array([proposal.search_area]),
                                                   polygons=True)
            (self.available,) = paths_from_geometries(np.array([proposal.available]),
                                                      polygons=True)
            geoms = np.array([c.geometry for c in proposal.candidates], dtype=object)
            if len(geoms):
                self.candidates = paths_from_geometries(geoms, polygons=True)
                points = shapely.point_on_surface(geoms)
                self.anchors = list(zip(shapely.get_x(points), shapely.get_y(points),
                                        strict=True))
        self.changed.emit()

    def select(self, index: int | None) -> None:
        """Outline candidate ``index`` (its rank, from 0), or none."""
        if index != self.selected:
            self.selected = index
            self.changed.emit()

    @property
    def empty(self) -> bool:
        return self.search is None

    def paint(self, painter: QPainter, view: MapView, *, font: QFont | None = None) -> None:
        if self.search is None or not self.visible:
            return
        to_screen = view_transform(view).map
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if self.available is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(AVAILABLE_FILL)
            painter.drawPath(to_screen(self.available))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(overlay_pen(SEARCH_EDGE, 1.5, dash=True))
        painter.drawPath(to_screen(self.search))
        screen = [to_screen(p) if p is not None else None for p in self.candidates]
        painter.setPen(overlay_pen(CANDIDATE_EDGE, 1.0))
        painter.setBrush(CANDIDATE_FILL)
        for path in screen:
            if path is not None:
                painter.drawPath(path)
        if self.selected is not None and self.selected < len(screen) \
                and screen[self.selected] is not None:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(overlay_pen(QColor(255, 255, 255, 230), 6.0))
            painter.drawPath(screen[self.selected])
            painter.setPen(overlay_pen(SELECTION_COLOR, 3.0))
            painter.drawPath(screen[self.selected])
        self._paint_numbers(painter, view, screen, font or QFont())
        painter.restore()

    def _paint_numbers(self, painter: QPainter, view: MapView, screen, font: QFont) -> None:
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(bold)
        metrics = QFontMetricsF(bold)
        shown = 0
        for k, path in enumerate(screen):
            if path is None or path.boundingRect().width() < _MIN_NUMBER_PX:
                continue
            at = QPointF(*view.to_screen(*self.anchors[k]))
            if not (0 <= at.x() <= view.width and 0 <= at.y() <= view.height):
                continue
            text = str(k + 1)
            w, h = metrics.horizontalAdvance(text), metrics.height()
            rect = QRectF(at.x() - w / 2, at.y() - h / 2, w, h)
            painter.setPen(QPen(HALO))
            for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                painter.drawText(rect.translated(dx, dy), Qt.AlignmentFlag.AlignCenter, text)
            painter.setPen(QPen(CANDIDATE_EDGE))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
            shown += 1
            if shown >= _MAX_NUMBERS:
                break

    def index_at(self, lon: float, lat: float, geoms) -> int | None:
        """The rank of the candidate under ``lon, lat`` (``geoms``: the candidates' polygons),
        None when there is none."""
        if not len(geoms):
            return None
        inside = shapely.contains_xy(np.asarray(geoms, dtype=object), lon, lat)
        return int(inside.argmax()) if inside.any() else None
