"""What the canvas draws over the layers from the application model.

The selected request (a thick outline), its eligible part (hatched green, labelled with its
area), its conflicts (red), and the conflict picked in the results panel (flashing a moment,
then drawn thick, with the outline of the whole feature in the way). The geometries come from
the check results; they are turned into painter paths once per change and mapped to the screen
on each paint (a handful of polygons, well under a millisecond).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import shapely
from PySide6.QtCore import QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from shapely.ops import polylabel

from gui.layer_graphics import paths_from_geometries
from gui.map_renderer import HALO, view_transform
from gui.map_view import MapView
from gui.style import (
    CONFLICT_COLOR,
    ELIGIBLE_COLOR,
    FLASH_COLOR,
    SELECTION_COLOR,
    overlay_pen,
)
from landtool.catalog import get_kind
from landtool.check.result import Conflict

if TYPE_CHECKING:
    from gui.state import AppState

FLASHES = 6  # on/off phases of a newly highlighted conflict
FLASH_MS = 200
_MIN_LABEL_PX = 24.0  # the eligible area is labelled when the request is this wide on screen
_TEXT = {
    "eligible": ("eligible part {area} ha", "Олгох боломжтой хэсэг {area} га"),
}


def overlay_text(key: str, lang: str, **values: object) -> str:
    en, mn = _TEXT[key]
    return (mn if lang == "mn" else en).format(**values)


def _path(geom) -> QPainterPath | None:
    """A painter path in degrees for one (multi)polygon, None when there is none."""
    if geom is None or geom.is_empty:
        return None
    polygons = shapely.get_parts(shapely.get_parts(np.array([geom], dtype=object)))
    polygons = polygons[shapely.get_type_id(polygons) == 3]  # drop lines and points
    if len(polygons) == 0:
        return None
    (path,) = paths_from_geometries(np.array([shapely.multipolygons(polygons)]), polygons=True)
    return path


def _key(conflict: Conflict) -> tuple[str, str]:
    return conflict.layer, str(conflict.feature_id)


class MapOverlays(QObject):
    """The overlays of one :class:`~gui.state.AppState`; :attr:`changed` asks for a repaint."""

    changed = Signal()

    def __init__(self, state: AppState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.selected: QPainterPath | None = None
        self.eligible: QPainterPath | None = None
        self.eligible_label: tuple[str, float, float] | None = None  # text, lon, lat
        self.request_anchor: tuple[float, float] | None = None  # where the id label is
        self.conflicts: list[tuple[Conflict, QPainterPath]] = []
        self.highlighted: Conflict | None = None
        self.highlight_paths: tuple[QPainterPath | None, QPainterPath | None] = (None, None)
        self.flash_on = False
        self._flashes_left = 0
        self._timer = QTimer(self, interval=FLASH_MS)
        self._timer.timeout.connect(self._tick)
        for signal in (state.selectionChanged, state.resultsChanged, state.requestsChanged,
                       state.workspaceChanged):
            signal.connect(self.rebuild)
        state.conflictHighlighted.connect(self.highlight)
        state.languageChanged.connect(self.rebuild)
        self.rebuild()

    # -- what to draw -----------------------------------------------------------------------
    def rebuild(self, *_args) -> None:
        """Read the selected request, its result and its conflicts from the model."""
        state = self.state
        self.selected = self.eligible = self.eligible_label = self.request_anchor = None
        self.conflicts = []
        rid = state.selected
        reqs = state.requests
        hit = reqs.geometry[reqs["request_id"].astype(str) == rid] if rid is not None else []
        if len(hit):
            self.selected = _path(hit.iloc[0])
            if self.selected is not None:  # as gui.layer_graphics places the request's label
                anchor = shapely.point_on_surface(hit.iloc[0])
                self.request_anchor = (anchor.x, anchor.y)
        result = state.results.get(rid) if rid is not None else None
        if self.selected is not None and result is not None:
            self.eligible = _path(result.eligible_part)
            area = f"{result.eligible_area_ha:.2f}"
            # none eligible: "eligible part 0.00 ha" under the request's id
            anchor = (_label_point(result.eligible_part) if self.eligible is not None
                      else shapely.Point(self.request_anchor))
            self.eligible_label = (overlay_text("eligible", state.lang, area=area),
                                   anchor.x, anchor.y)
            for rule in result.results:
                if rule.status not in ("fail", "warn"):
                    continue
                for conflict in rule.conflicts:
                    path = _path(conflict.geometry)
                    if path is not None:
                        self.conflicts.append((conflict, path))
        if self.highlighted is not None:  # follow the highlighted conflict through re-checks
            now = [c for c, _ in self.conflicts if _key(c) == _key(self.highlighted)]
            self._set_highlight(now[0] if now else None)
        self.changed.emit()

    def highlight(self, conflict: Conflict | None) -> None:
        """Draw ``conflict`` thick, flashing a moment (None: no conflict highlighted)."""
        self._set_highlight(conflict)
        self._flashes_left = FLASHES if conflict is not None else 0
        self.flash_on = conflict is not None
        if conflict is not None:
            self._timer.start()
        else:
            self._timer.stop()
        self.changed.emit()

    def _set_highlight(self, conflict: Conflict | None) -> None:
        self.highlighted = conflict
        if conflict is None:
            self.highlight_paths = (None, None)
            return
        self.highlight_paths = (_path(conflict.geometry),
                                _path(self._feature_geometry(conflict)))

    def _feature_geometry(self, conflict: Conflict):
        """The whole feature in the way (the licence, the other request), if it is found."""
        gdf = self.state.layers.get(conflict.layer)
        kind_id = self.state.kinds.get(conflict.layer)
        if gdf is None or kind_id is None:
            return None
        id_field = get_kind(kind_id).id_field
        if id_field not in gdf.columns:
            return None
        hit = gdf.geometry[gdf[id_field].astype(str) == str(conflict.feature_id)]
        return hit.iloc[0] if len(hit) else None

    def _tick(self) -> None:
        self._flashes_left -= 1
        self.flash_on = self._flashes_left > 0 and not self.flash_on
        if self._flashes_left <= 0:
            self._timer.stop()
        self.changed.emit()

    # -- drawing ----------------------------------------------------------------------------
    def paint(self, painter: QPainter, view: MapView, *, font: QFont | None = None) -> None:
        """Draw the overlays over ``view``'s pixels (the painter has no transform)."""
        if self.selected is None and self.highlighted is None:
            return
        to_screen = view_transform(view).map
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        red_fill = QColor(CONFLICT_COLOR)
        red_fill.setAlphaF(0.3)
        painter.setPen(overlay_pen(CONFLICT_COLOR, 1.5))
        painter.setBrush(red_fill)
        for _conflict, path in self.conflicts:
            painter.drawPath(to_screen(path))
        if self.eligible is not None:
            painter.setPen(overlay_pen(ELIGIBLE_COLOR, 1.5, dash=True))
            painter.setBrush(QBrush(ELIGIBLE_COLOR, Qt.BrushStyle.BDiagPattern))
            painter.drawPath(to_screen(self.eligible))
        screen_selected = None
        if self.selected is not None:
            screen_selected = to_screen(self.selected)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(overlay_pen(QColor(255, 255, 255, 230), 6.0))
            painter.drawPath(screen_selected)
            painter.setPen(overlay_pen(SELECTION_COLOR, 3.0))
            painter.drawPath(screen_selected)
        self._paint_highlight(painter, to_screen)
        if self.eligible_label is not None and screen_selected is not None \
                and screen_selected.boundingRect().width() >= _MIN_LABEL_PX:
            text, lon, lat = self.eligible_label
            at = QPointF(*view.to_screen(lon, lat))
            color = ELIGIBLE_COLOR.darker(130) if self.eligible else CONFLICT_COLOR.darker(120)
            _halo_text(painter, font or QFont(), at, text, color,
                       avoid=QPointF(*view.to_screen(*self.request_anchor)))
        painter.restore()

    def _paint_highlight(self, painter: QPainter, to_screen) -> None:
        overlap, feature = self.highlight_paths
        if feature is not None:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(overlay_pen(CONFLICT_COLOR.darker(140), 2.0, dash=True))
            painter.drawPath(to_screen(feature))
        if overlap is not None:
            color = FLASH_COLOR if self.flash_on else CONFLICT_COLOR
            fill = QColor(color)
            fill.setAlphaF(0.45)
            painter.setBrush(fill)
            painter.setPen(overlay_pen(color, 4.0))
            painter.drawPath(to_screen(overlap))


def _label_point(geom):
    """Deep inside the largest part of ``geom`` (point_on_surface may give a corner of a
    polygon with a zero-width spike)."""
    parts = shapely.get_parts(geom)
    largest = parts[int(np.argmax(shapely.area(parts)))]
    if largest.geom_type != "Polygon":
        return shapely.point_on_surface(largest)
    minx, miny, maxx, maxy = largest.bounds
    pole = polylabel(largest, tolerance=max(min(maxx - minx, maxy - miny) / 50, 1e-9))
    centre = largest.centroid  # the middle of a long strip, where the pole may be anywhere
    room = largest.exterior.distance(pole)
    return centre if largest.contains(centre) and largest.exterior.distance(centre) >= \
        room / 2 else pole


def _halo_text(painter: QPainter, font: QFont, at: QPointF, text: str, color: QColor, *,
               avoid: QPointF) -> None:
    """``text`` centred on ``at`` on a halo, or one line lower if the request's own label at
    ``avoid`` is in the way."""
    bold = QFont(font)
    bold.setBold(True)
    painter.setFont(bold)
    metrics = QFontMetricsF(bold)
    width, height = metrics.horizontalAdvance(text), metrics.height()
    y = at.y() - height / 2
    if abs(at.y() - avoid.y()) < 1.2 * height and abs(at.x() - avoid.x()) < width:
        y = avoid.y() + 0.6 * height
    rect = QRectF(at.x() - width / 2, y, width, height)
    painter.setPen(QPen(HALO))
    for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (1, 1), (-1, 1), (1, -1)):
        painter.drawText(rect.translated(dx, dy), Qt.AlignmentFlag.AlignCenter, text)
    painter.setPen(QPen(color))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
