"""The map canvas: the workspace's layers drawn natively with QPainter; pan, zoom, cursor.

Drag to pan, turn the wheel to zoom around the cursor, click to identify (:attr:`clicked`).
The map is rendered into a back buffer only when the view, the layers or their visibility
change; while panning or zooming it is drawn without antialiasing and redrawn smoothly once
the mouse settles. Bound to the application model (:meth:`MapCanvas.bind`), the canvas redraws
the edited requests and parcels, colours requests by their check status and draws the overlays
of :mod:`gui.overlays` over the buffer. An editing mode (:class:`CanvasTool`, see
:mod:`gui.tools`) takes the clicks, drags and keys it wants; the rest pans the map.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QWheelEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from gui.layer_graphics import LayerGraphics, build_layer_graphics, edited_record
from gui.map_renderer import BACKGROUND, render_map
from gui.map_view import MapView
from gui.style import draw_rank, merge_order
from landtool.catalog import get_kind

if TYPE_CHECKING:
    from gui.overlays import MapOverlays
    from gui.state import AppState

#: zoom factor of one wheel notch (120 eighths of a degree)
WHEEL_STEP = 1.25
_SETTLE_MS = 180  # after the last wheel turn, redraw with antialiasing
_DEFAULT_BOUNDS = (87.7, 41.5, 120.0, 52.2)  # Mongolia, before any workspace is open
CLICK_SLOP = 4.0  # pixels the mouse may move between press and release in a click
_MIN_SPAN_DEG = 0.002  # zooming to a selection shows at least about 150 m


class CanvasTool:
    """How an editing mode handles the mouse and the keys (navigating needs none).

    Positions are widget pixels; the canvas's :attr:`~MapCanvas.view` turns them into
    degrees. A handler returns True when it used the event; the canvas does the rest (a drag
    pans the map, a click in navigation mode is emitted as :attr:`MapCanvas.clicked`).
    """

    cursor = Qt.CursorShape.CrossCursor

    def press(self, pos: QPointF, button: Qt.MouseButton) -> bool:
        """A button went down; True when the tool drags (the map then does not pan)."""
        return False

    def drag(self, pos: QPointF) -> None:
        """The mouse moved during a drag the tool took."""

    def release(self, pos: QPointF) -> None:
        """The button of a drag the tool took went up (moved or not)."""

    def click(self, pos: QPointF, button: Qt.MouseButton) -> bool:
        """A press and release without a drag."""
        return False

    def double_click(self, pos: QPointF) -> bool:
        return False

    def hover(self, pos: QPointF) -> None:
        """The mouse moved with no button down."""

    def key(self, event: QKeyEvent) -> bool:
        return False

    def paint(self, painter: QPainter, view: MapView) -> None:
        """Draw over the map and the overlays (a rubber band, vertex handles)."""

    def deactivate(self) -> None:
        """Another mode was chosen: drop what is under way."""


class MapCanvas(QWidget):
    """Draws :class:`~gui.layer_graphics.LayerGraphics` layers; emits where the cursor is."""

    cursorMoved = Signal(float, float)  # lon, lat
    scaleChanged = Signal(float)  # N of 1:N
    viewChanged = Signal()
    clicked = Signal(float, float)  # lon, lat of a click (not a drag) in navigation mode
    layersChanged = Signal()  # add_layer, or the first request drawn in a new workspace

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.WheelFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._layers: list[LayerGraphics] = []
        self._hidden: set[str] = set()
        self._order: list[str] = []  # the order chosen this session (top first), by name
        self._view = MapView.for_bounds(_DEFAULT_BOUNDS, self.width(), self.height())
        self._auto_fit = True  # refit on resize until the user moves the map
        self._drag_from: QPointF | None = None  # where the last pan step ended
        self._press: tuple[QPointF, Qt.MouseButton] | None = None
        self._moved = False  # the mouse left CLICK_SLOP since the press: a drag, not a click
        self._tool_drag = False  # the press went to the tool
        self._interacting = False
        self._buffer: QImage | None = None
        self._message = ""
        self._settle = QTimer(self, singleShot=True, interval=_SETTLE_MS)
        self._settle.timeout.connect(self._end_interaction)
        self._state: AppState | None = None
        self._overlays: MapOverlays | None = None
        self.photo_markers = None  # gui.photo_markers.PhotoMarkers, once bound
        self._tool: CanvasTool | None = None
        self._extra: list = []  # more overlays (add_overlay), drawn over the model's
        self._underlay = None  # view -> QImage | None: the background imagery (set_underlay)

    # -- layers ---------------------------------------------------------------------------
    def set_layers(self, layers: Sequence[LayerGraphics]) -> None:
        """Show ``layers`` (any order: they are drawn by kind, or in the order chosen with
        :meth:`set_layer_order`) and zoom to all of them."""
        self._layers = self._ordered(layers)
        self._hidden = set()
        if self._state is not None:
            self._sync_all()
        bounds = self.full_bounds()
        if bounds is not None:  # the reference latitude is the middle of the workspace
            self._view = MapView.for_bounds(bounds, self.width(), self.height())
        self._auto_fit = True
        self._invalidate()
        self.viewChanged.emit()
        self.scaleChanged.emit(self.scale_denominator())

    def add_layer(self, graphics: LayerGraphics) -> None:
        """Show one more layer (or replace the one of that name), keeping the view and what
        is hidden; emits :attr:`layersChanged`."""
        others = [g for g in self._layers if g.name != graphics.name]
        self._layers = self._ordered([*others, graphics])
        self._invalidate()
        self.layersChanged.emit()

    def set_layer_order(self, names: Sequence[str]) -> None:
        """Draw the layers in the order ``names`` lists them, top first (what the layer list
        shows). A layer not named goes where its kind is drawn. The order holds for the
        session: for layers added later and workspaces opened later (it is not saved)."""
        names = list(names)
        self._order = names + [n for n in self._order if n not in names]
        self._layers = self._ordered(self._layers)
        self._invalidate()

    def layer_order(self) -> list[str]:
        """The names of the layers drawn, top first."""
        return [g.name for g in reversed(self._layers)]

    def _ordered(self, layers: Sequence[LayerGraphics]) -> list[LayerGraphics]:
        """``layers`` bottom first: in the chosen order, the others by their kind."""
        by_name = {g.name: g for g in layers}
        ranked = sorted(layers, key=lambda g: draw_rank(g.kind))  # stable within a rank
        if not self._order:
            return ranked
        rank = {g.name: draw_rank(g.kind) for g in layers}
        top_first = merge_order(self._order, [g.name for g in ranked], rank.__getitem__)
        return [by_name[n] for n in reversed(top_first)]

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

    def layer(self, name: str) -> LayerGraphics:
        """The layer called ``name`` (KeyError if none)."""
        for g in self._layers:
            if g.name == name:
                return g
        raise KeyError(name)

    def set_underlay(self, underlay) -> None:
        """Draw ``underlay(view)`` (a picture of the view, or None) under the layers: the
        background imagery (:mod:`gui.imagery_layer`)."""
        self._underlay = underlay
        self._invalidate()

    def refresh_underlay(self) -> None:
        """The underlay has a new picture: draw again."""
        self._invalidate()

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

    def zoom_to_layer(self, name: str) -> None:
        """Show the whole of layer ``name`` (KeyError if there is none; nothing if empty)."""
        bounds = self.layer(name).bounds
        if bounds is not None:
            self.zoom_to_bounds(bounds)

    def zoom_to_selection(self) -> bool:
        """Show the selected request with as much around it again on each side (its
        neighbours and conflicts); False when nothing is selected."""
        state = self._state
        if state is None or state.selected is None:
            return False
        reqs = state.requests
        hit = reqs.geometry[reqs["request_id"].astype(str) == state.selected]
        if len(hit) == 0 or hit.iloc[0] is None or hit.iloc[0].is_empty:
            return False
        self.zoom_to_bounds(padded(hit.iloc[0].bounds, 1.0))
        return True

    def ensure_visible(self, bounds: tuple[float, float, float, float]) -> None:
        """Pan (or zoom out) just enough that ``bounds`` is in view."""
        west, south, east, north = self._view.bounds()
        if bounds[0] >= west and bounds[1] >= south and bounds[2] <= east and bounds[3] <= north:
            return
        if bounds[2] - bounds[0] < 0.9 * (east - west) and bounds[3] - bounds[1] < 0.9 * (
                north - south):
            x, y = self._view.to_screen((bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2)
            self.pan_by(self.width() / 2 - x, self.height() / 2 - y)
        else:
            self.zoom_to_bounds(padded(bounds, 0.5))

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
    def render_image(self, *, antialias: bool = True, overlays: bool = True) -> QImage:
        """The map as it is now, at the widget's size and device pixel ratio, with the
        overlays and what the editing mode draws (unless ``overlays`` is False)."""
        ratio = self.devicePixelRatioF()
        size = QSize(round(self._view.width * ratio), round(self._view.height * ratio))
        image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(ratio)
        painter = QPainter(image)
        visible = [g for g in self._layers if g.name not in self._hidden]
        under = self._underlay(self._view) if self._underlay is not None else None
        render_map(painter, self._view, visible, antialias=antialias, font=self.font(),
                   underlay=under)
        if overlays:
            self._paint_overlays(painter)
        painter.end()
        return image

    def add_overlay(self, overlay) -> None:
        """Draw ``overlay`` over the map too (it has ``paint(painter, view, font=)`` and a
        ``changed`` signal), e.g. the candidates of Find available land."""
        self._extra.append(overlay)
        overlay.changed.connect(self.update)
        self.update()

    def _paint_overlays(self, painter: QPainter) -> None:
        for extra in self._extra:
            extra.paint(painter, self._view, font=self.font())
        if self._overlays is not None:
            self._overlays.paint(painter, self._view, font=self.font())
        if self.photo_markers is not None:
            self.photo_markers.paint(painter, self._view)
        if self._tool is not None:
            self._tool.paint(painter, self._view)

    def _invalidate(self) -> None:
        self._buffer = None
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._buffer is None:
            self._buffer = self.render_image(antialias=not self._interacting, overlays=False)
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        painter.drawImage(0, 0, self._buffer)
        self._paint_overlays(painter)
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

    def set_tool(self, tool: CanvasTool | None) -> None:
        """Hand the mouse and keys to ``tool`` (None: navigate, clicks are :attr:`clicked`)."""
        if tool is self._tool:
            return
        if self._tool is not None:
            self._tool.deactivate()
        self._tool = tool
        self._press = None
        if tool is None:
            self.unsetCursor()
        else:
            self.setCursor(tool.cursor)
        self.update()

    @property
    def tool(self) -> CanvasTool | None:
        return self._tool

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos, button = event.position(), event.button()
        if self._press is None:
            self._press, self._moved = (pos, button), False
            self._tool_drag = self._tool is not None and self._tool.press(pos, button)
            if button == Qt.MouseButton.LeftButton and not self._tool_drag:
                self._drag_from = pos  # a pan if it moves
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._press is not None and not self._moved:
            start = self._press[0]
            self._moved = max(abs(pos.x() - start.x()), abs(pos.y() - start.y())) > CLICK_SLOP
            if self._moved and self._drag_from is not None:
                self._interacting = True
                self.setCursor(Qt.CursorShape.ClosedHandCursor)
        if self._press is None:
            if self._tool is not None:
                self._tool.hover(pos)
        elif self._moved and self._tool_drag:
            self._tool.drag(pos)
        elif self._moved and self._drag_from is not None:
            delta = pos - self._drag_from
            self._drag_from = pos
            self.pan_by(delta.x(), delta.y())
        lon, lat = self._view.to_lonlat(pos.x(), pos.y())
        self.cursorMoved.emit(lon, lat)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._press is None or event.button() != self._press[1]:
            return
        pos, button = event.position(), self._press[1]
        tool_drag, moved, panned = self._tool_drag, self._moved, self._drag_from is not None
        self._press, self._drag_from, self._tool_drag = None, None, False
        if tool_drag:
            self._tool.release(pos)
        elif moved:
            if panned:
                if self._tool is not None:
                    self.setCursor(self._tool.cursor)
                else:
                    self.unsetCursor()
                self._end_interaction()
        elif self._tool is None or not self._tool.click(pos, button):
            if self._tool is None and button == Qt.MouseButton.LeftButton:
                self.clicked.emit(*self._view.to_lonlat(pos.x(), pos.y()))
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self._tool is not None and event.button() == Qt.MouseButton.LeftButton \
                and self._tool.double_click(event.position()):
            self._press = None  # the release that follows is not a click
            event.accept()
            return
        self.mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._tool is not None and self._tool.key(event):
            event.accept()
            return
        super().keyPressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        notches = event.angleDelta().y() / 120
        if notches:
            self._begin_interaction()
            self.zoom_by(WHEEL_STEP ** notches, event.position())
        event.accept()

    # -- the application model ------------------------------------------------------------
    def bind(self, state: AppState) -> None:
        """Follow ``state``: redraw the requests and parcels when they are edited, colour the
        requests by their check status, and draw the selection, the eligible part and the
        conflicts over the map (:class:`~gui.overlays.MapOverlays`)."""
        from gui.overlays import MapOverlays

        if self._state is not None:
            raise RuntimeError("the canvas is already bound to a model")
        self._state = state
        self._overlays = MapOverlays(state, self)
        self._overlays.changed.connect(self.update)
        from gui.photo_markers import PhotoMarkers

        self.photo_markers = PhotoMarkers(state, self)
        self.photo_markers.changed.connect(self.update)
        state.workspaceChanged.connect(self._sync_all)
        state.requestsChanged.connect(self._requests_edited)
        state.parcelsChanged.connect(self._parcels_edited)
        state.resultsChanged.connect(self._sync_status)
        state.conflictHighlighted.connect(self._show_conflict)
        self._sync_all()

    @property
    def state(self) -> AppState | None:
        return self._state

    @property
    def overlays(self) -> MapOverlays | None:
        return self._overlays

    def _sync_all(self) -> None:
        """A workspace was opened (its layers come with :meth:`set_layers`, in either order)."""
        self._sync_requests(add=False)
        self._sync_parcels(add=False)

    def _requests_edited(self) -> None:
        self._sync_requests(add=True)

    def _parcels_edited(self) -> None:
        self._sync_parcels(add=True)

    def _sync_requests(self, *, add: bool) -> None:
        state = self._state
        if state.requests_layer is not None and self._replace_layer(
                state.requests_layer, state.kinds.get(state.requests_layer, "requests"),
                state.requests, add=add):
            self._sync_status()

    def _sync_parcels(self, *, add: bool) -> None:
        state = self._state
        if state.parcels_layer is not None and state.parcels is not None:
            parcels = state.parcels
            if self._replace_layer(state.parcels_layer,
                                   state.kinds.get(state.parcels_layer, "rehab_parcels"),
                                   parcels, add=add) and "status" in parcels.columns:
                graphics = self.layer(state.parcels_layer)
                graphics.status = parcels["status"].astype(object).to_numpy()
                graphics.status_kind = "rehab"

    def _replace_layer(self, name: str, kind_id: str, gdf, *, add: bool) -> bool:
        """Rebuild the graphics of one layer from the model (milliseconds for a few hundred
        features). A layer the canvas lacks is added when ``add`` (an edit made it: the first
        request drawn in a workspace without requests). False when nothing was drawn."""
        where = next((i for i, g in enumerate(self._layers) if g.name == name), None)
        if where is None and not (add and self._layers):
            return False
        if where is None:
            self.add_layer(build_layer_graphics(edited_record(name, kind_id, len(gdf)),
                                                get_kind(kind_id), gdf))
        else:
            old = self._layers[where]
            self._layers[where] = build_layer_graphics(old.record, old.kind, gdf)
        self._invalidate()
        return True

    def _sync_status(self) -> None:
        state = self._state
        try:
            graphics = self.layer(state.requests_layer or "")
        except KeyError:
            return
        ids = state.requests["request_id"].astype(str).tolist()
        if len(ids) != len(graphics):  # the model moved on; requestsChanged follows
            return
        results = state.results
        graphics.status = np.array([results[i].status if i in results else None for i in ids],
                                   dtype=object)
        self._invalidate()

    def _show_conflict(self, conflict) -> None:
        geom = getattr(conflict, "geometry", None)
        if geom is not None and not geom.is_empty:
            self.ensure_visible(geom.bounds)


def padded(bounds: tuple[float, float, float, float], fraction: float
           ) -> tuple[float, float, float, float]:
    """``bounds`` grown by ``fraction`` of its size on each side (at least a few hundred
    metres across)."""
    west, south, east, north = bounds
    cx, cy = (west + east) / 2, (south + north) / 2
    half_w = max(east - west, _MIN_SPAN_DEG) * (0.5 + fraction)
    half_h = max(north - south, _MIN_SPAN_DEG) * (0.5 + fraction)
    return cx - half_w, cy - half_h, cx + half_w, cy + half_h
