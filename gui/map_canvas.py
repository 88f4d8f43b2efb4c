"""The map canvas: the workspace's layers drawn natively with QPainter; pan, zoom, cursor.

Drag to pan, turn the wheel to zoom around the cursor. The map is rendered into a back buffer
only when the view, the layers or their visibility change; while panning or zooming it is drawn
without antialiasing and redrawn smoothly once the mouse settles.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QMouseEvent, QPainter, QPaintEvent, QWheelEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from gui.layer_graphics import LayerGraphics
from gui.map_renderer import BACKGROUND, render_map
from gui.map_view import MapView
from gui.style import draw_rank

#: zoom factor of one wheel notch (120 eighths of a degree)
WHEEL_STEP = 1.25
_SETTLE_MS = 180  # after the last wheel turn, redraw with antialiasing
_DEFAULT_BOUNDS = (87.7, 41.5, 120.0, 52.2)  # Mongolia, before any workspace is open


class MapCanvas(QWidget):
    """Draws :class:`~gui.layer_graphics.LayerGraphics` layers; emits where the cursor is."""

    cursorMoved = Signal(float, float)  # lon, lat
    scaleChanged = Signal(float)  # N of 1:N
    viewChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.WheelFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._layers: list[LayerGraphics] = []
        self._hidden: set[str] = set()
        self._view = MapView.for_bounds(_DEFAULT_BOUNDS, self.width(), self.height())
        self._auto_fit = True  # refit on resize until the user moves the map
        self._drag_from: QPointF | None = None
        self._interacting = False
        self._buffer: QImage | None = None
        self._message = ""
        self._settle = QTimer(self, singleShot=True, interval=_SETTLE_MS)
        self._settle.timeout.connect(self._end_interaction)

    # -- layers ---------------------------------------------------------------------------
    def set_layers(self, layers: Sequence[LayerGraphics]) -> None:
        """Show ``layers`` (any order: they are drawn by kind) and zoom to all of them."""
        self._layers = sorted(layers, key=lambda g: draw_rank(g.kind))  # stable within a rank
        self._hidden = set()
        bounds = self.full_bounds()
        if bounds is not None:  # the reference latitude is the middle of the workspace
            self._view = MapView.for_bounds(bounds, self.width(), self.height())
        self._auto_fit = True
        self._invalidate()
        self.viewChanged.emit()
        self.scaleChanged.emit(self.scale_denominator())

    def layers(self) -> list[LayerGraphics]:
        """The layers in drawing order, bottom first."""
        return list(self._layers)

    def set_layer_visible(self, name: str, visible: bool) -> None:
        if visible == self.is_layer_visible(name):
            return
        (self._hidden.discard if visible else self._hidden.add)(name)
        self._invalidate()

    def is_layer_visible(self, name: str) -> bool:
        if name not in {g.name for g in self._layers}:
            raise KeyError(name)
        return name not in self._hidden

    def set_message(self, text: str) -> None:
        """A line of text drawn over the map (loading...), or "" for none."""
        self._message = text
        self.update()

    # -- view -----------------------------------------------------------------------------
    @property
    def view(self) -> MapView:
        return self._view

    def set_view(self, view: MapView) -> None:
        old = self._view
        self._view = view.resized(self.width(), self.height())
        self._invalidate()
        self.viewChanged.emit()
        if self._view.px_per_deg != old.px_per_deg:
            self.scaleChanged.emit(self.scale_denominator())

    def full_bounds(self) -> tuple[float, float, float, float] | None:
        boxes = [b for b in (g.bounds for g in self._layers) if b is not None]
        if not boxes:
            return None
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))

    def zoom_to_all(self) -> None:
        bounds = self.full_bounds()
        if bounds is not None:
            self.zoom_to_bounds(bounds)
        self._auto_fit = True

    def zoom_to_bounds(self, bounds: tuple[float, float, float, float]) -> None:
        self._auto_fit = False
        self.set_view(self._view.resized(self.width(), self.height()).fitted(bounds))

    def zoom_by(self, factor: float, at: QPointF | None = None) -> None:
        at = at if at is not None else QPointF(self.width() / 2, self.height() / 2)
        self._auto_fit = False
        self.set_view(self._view.zoomed(factor, at.x(), at.y()))

    def pan_by(self, dx: float, dy: float) -> None:
        self._auto_fit = False
        self.set_view(self._view.panned(dx, dy))

    def scale_denominator(self) -> float:
        """N of the scale 1:N at the centre of the map on this screen."""
        return self._view.scale_denominator(self.logicalDpiY() or 96)

    # -- rendering ------------------------------------------------------------------------
    def render_image(self, *, antialias: bool = True) -> QImage:
        """The map as it is now, at the widget's size and device pixel ratio."""
        ratio = self.devicePixelRatioF()
        size = QSize(round(self._view.width * ratio), round(self._view.height * ratio))
        image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(ratio)
        painter = QPainter(image)
        visible = [g for g in self._layers if g.name not in self._hidden]
        render_map(painter, self._view, visible, antialias=antialias, font=self.font())
        painter.end()
        return image

    def _invalidate(self) -> None:
        self._buffer = None
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._buffer is None:
            self._buffer = self.render_image(antialias=not self._interacting)
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        painter.drawImage(0, 0, self._buffer)
        if self._message:
            painter.setPen(Qt.GlobalColor.darkGray)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._message)
        painter.end()

    def resizeEvent(self, event) -> None:
        self._view = self._view.resized(self.width(), self.height())
        if self._auto_fit and self._layers:
            self.zoom_to_all()
        self._invalidate()
        super().resizeEvent(event)

    def sizeHint(self) -> QSize:
        return QSize(900, 650)

    # -- interaction ----------------------------------------------------------------------
    def _begin_interaction(self) -> None:
        self._interacting = True
        self._settle.start()

    def _end_interaction(self) -> None:
        if self._drag_from is not None:  # still dragging: wait for the release
            return
        self._interacting = False
        self._invalidate()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = event.position()
            self._interacting = True
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._drag_from is not None:
            delta = pos - self._drag_from
            self._drag_from = pos
            self.pan_by(delta.x(), delta.y())
        lon, lat = self._view.to_lonlat(pos.x(), pos.y())
        self.cursorMoved.emit(lon, lat)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._drag_from is not None:
            self._drag_from = None
            self.unsetCursor()
            self._end_interaction()
        super().mouseReleaseEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        notches = event.angleDelta().y() / 120
        if notches:
            self._begin_interaction()
            self.zoom_by(WHEEL_STEP ** notches, event.position())
        event.accept()
