"""Editing requests on the map: the modes (navigate, draw a request, edit its corners), the
actions the window puts on its toolbar and Edit menu, and undo and redo.

Every change goes through the model (:class:`~gui.state.AppState`), so each is one undo step:
a drawn request is added with ``add_request`` when it is finished; a dragged corner is shown
with ``preview_geometry`` while it moves (the check re-runs live, no undo step) and committed
with ``edit_geometry`` on release; a corner added or removed is one ``edit_geometry``. An edit
that would make the boundary cross itself is refused with a message in the status bar.

Examples
--------
The window creates the tools once and lays their actions out::

    tools = install_editing(window, state, canvas)
    toolbar.addActions(tools.actions())
"""

from __future__ import annotations

import time
from enum import StrEnum
from functools import partial

import shapely
import shiboken6
from PySide6.QtCore import QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QColor,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPolygonF,
)
from PySide6.QtWidgets import QMainWindow, QStatusBar, QWidget

from gui.map_canvas import CLICK_SLOP, CanvasTool, MapCanvas
from gui.map_view import MapView
from gui.state import AppState
from gui.style import CONFLICT_COLOR, HANDLE_SIZE, SELECTION_COLOR, overlay_pen
from landtool.geodesy import area_ha


class ToolMode(StrEnum):
    """What a click on the map does."""

    NAVIGATE = "navigate"
    DRAW = "draw"
    EDIT = "edit"


_PICK_PX = HANDLE_SIZE  # how near a corner or an edge the mouse must be to take it
_MIN_PREVIEW_S = 0.016  # live re-checks at most about 60 times a second, and never back to back
#: key -> (English, Mongolian): action labels, then status tips and messages
_TEXT = {
    "navigate": ("&Navigate", "&Шилжих"),
    "draw": ("&Draw request", "Хүсэлт &зурах"),
    "edit": ("&Edit corners", "&Цэг засах"),
    "paste": ("&Paste corner list…", "Солбицлын жагсаалт &буулгах…"),
    "delete": ("De&lete request", "Хүсэлт &устгах"),
    "undo": ("&Undo", "&Буцаах"),
    "redo": ("&Redo", "&Дахин хийх"),
    "tip.navigate": ("Drag to pan, turn the wheel to zoom, click a feature to identify it",
                     "Чирж зөөх, дугуйгаар томруулах, объект дээр дарж мэдээлэл харах"),
    "tip.draw": ("Click the corners of a new request; double-click or Enter finishes, Backspace "
                 "removes the last corner, Esc cancels",
                 "Шинэ хүсэлтийн булангуудыг дарж тэмдэглэ; давхар дарах эсвэл Enter дуусгана, "
                 "Backspace сүүлийн цэгийг хасна, Esc цуцална"),
    "tip.edit": ("Drag a corner to move it, double-click an edge to add one, right-click or "
                 "Delete removes one; click another request to edit it",
                 "Цэгийг чирж зөөх, хил дээр давхар дарж цэг нэмэх, баруун товч эсвэл Delete "
                 "цэг хасна; өөр хүсэлт дээр дарж түүнийг засна"),
    "tip.paste": ("Add requests from an MRPAM corner coordinate list",
                  "АМГТГ-ын солбицлын жагсаалтаас хүсэлт нэмэх"),
    "tip.delete": ("Delete the selected request", "Сонгосон хүсэлтийг устгах"),
    "msg.too_few": ("A request needs at least 3 corners", "Хүсэлт дор хаяж 3 цэгтэй байна"),
    "msg.crosses": ("Refused: the boundary would cross itself",
                    "Болохгүй: хил өөрөө өөрийгөө огтолно"),
    "msg.keep_three": ("Refused: a boundary keeps at least 3 corners",
                       "Болохгүй: хил дор хаяж 3 цэгтэй байх ёстой"),
    "msg.select": ("Click a request to edit its corners", "Засах хүсэлт дээрээ дарна уу"),
}


def tool_text(key: str, lang: str) -> str:
    en, mn = _TEXT[key]
    return mn if lang == "mn" else en


# -- corners of a (multi)polygon as nested lists -------------------------------------------------
Rings = list[list[list[tuple[float, float]]]]  # part -> ring (exterior first) -> corners
CornerKey = tuple[int, int, int]  # part, ring, corner


def rings_of(geom) -> Rings:
    """The corners of each ring of each part, without the closing repeat."""
    return [[[(x, y) for x, y, *_ in ring.coords[:-1]] for ring in (p.exterior, *p.interiors)]
            for p in getattr(geom, "geoms", [geom])]


def from_rings(rings: Rings) -> shapely.MultiPolygon:
    return shapely.MultiPolygon([shapely.Polygon(part[0], part[1:]) for part in rings])


def _corners(rings: Rings):
    for p, part in enumerate(rings):
        for r, ring in enumerate(part):
            for i, xy in enumerate(ring):
                yield (p, r, i), xy


class _DrawTool(CanvasTool):
    """Click corners; double-click or Enter adds the request, Esc cancels."""

    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, tools: EditingTools) -> None:
        self.tools, self.canvas = tools, tools.canvas
        self.corners: list[tuple[float, float]] = []
        self.hover_at: tuple[float, float] | None = None

    def _lonlat(self, pos: QPointF) -> tuple[float, float]:
        return self.canvas.view.to_lonlat(pos.x(), pos.y())

    def _add(self, pos: QPointF) -> None:
        if self.corners:
            x, y = self.canvas.view.to_screen(*self.corners[-1])
            if abs(x - pos.x()) <= CLICK_SLOP and abs(y - pos.y()) <= CLICK_SLOP:
                return  # the second click of a double-click
        self.corners.append(self._lonlat(pos))
        self.canvas.update()

    def click(self, pos: QPointF, button: Qt.MouseButton) -> bool:
        if button == Qt.MouseButton.LeftButton:
            self._add(pos)
        return True

    def double_click(self, pos: QPointF) -> bool:
        if self.corners:
            self._add(pos)
            self.finish()
        return True

    def hover(self, pos: QPointF) -> None:
        self.hover_at = self._lonlat(pos)
        if self.corners:
            self.canvas.update()

    def key(self, event: QKeyEvent) -> bool:
        k = event.key()
        if k in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.corners:
            self.finish()
        elif k == Qt.Key.Key_Escape and self.corners:
            self.cancel()
        elif k == Qt.Key.Key_Backspace and self.corners:
            self.corners.pop()
            self.canvas.update()
        else:
            return False
        return True

    def polygon(self):
        """The polygon of the corners clicked, or None (and why in the status bar)."""
        if len(self.corners) < 3:
            self.tools.say("msg.too_few")
            return None
        polygon = shapely.Polygon(self.corners)
        if not polygon.is_valid:
            self.tools.say("msg.crosses")
            return None
        return polygon

    def finish(self) -> None:
        """Add the drawn polygon as a new request (one undo step), if it is one."""
        polygon = self.polygon()
        if polygon is None:
            return
        self.corners = []
        self.canvas.update()
        self.tools.state.add_request({}, polygon)

    def cancel(self) -> None:
        self.corners = []
        self.canvas.update()

    def deactivate(self) -> None:
        self.cancel()

    def paint(self, painter: QPainter, view: MapView) -> None:
        if not self.corners:
            return
        ring = self.corners + ([self.hover_at] if self.hover_at else [])
        points = [QPointF(*view.to_screen(x, y)) for x, y in ring]
        valid = len(ring) < 3 or shapely.Polygon(ring).is_valid
        color = SELECTION_COLOR if valid else CONFLICT_COLOR
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if len(points) >= 3:
            fill = QColor(color)
            fill.setAlphaF(0.15)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawPolygon(QPolygonF(points))
            painter.setPen(overlay_pen(color, 1.5, dash=True))
            painter.drawLine(points[-1], points[0])
        painter.setPen(overlay_pen(color, 2.0))
        painter.drawPolyline(QPolygonF(points))
        _draw_handles(painter, points[:len(self.corners)], None)
        if len(ring) >= 3 and valid:
            painter.setPen(color.darker(130))
            text = f"{area_ha(shapely.Polygon(ring)):.2f} " + ("га" if
                                                                self.tools.lang == "mn" else "ha")
            painter.drawText(points[-1] + QPointF(12, -8), text)
        painter.restore()


class _VertexTool(CanvasTool):
    """Move, add and remove the corners of the selected request."""

    cursor = Qt.CursorShape.ArrowCursor

    def __init__(self, tools: EditingTools) -> None:
        self.tools, self.canvas, self.state = tools, tools.canvas, tools.state
        self.hovered: CornerKey | None = None
        self._drag: CornerKey | None = None
        self._rid: str | None = None
        self._before = None  # the geometry when the drag began
        self._valid = None  # the last valid geometry of the drag
        self._shown = None  # the geometry the model shows now
        self._invalid_ring: list[tuple[float, float]] | None = None
        self._pending = None
        self._ready_at = 0.0
        self._cache: tuple = (None, None, None)  # selected id, requests frame, its rings
        self._timer = QTimer(tools, singleShot=True)
        self._timer.timeout.connect(self._flush)

    # -- where things are ---------------------------------------------------------------
    def _rings(self) -> Rings | None:
        """The corners of the selected request (looked up again only after an edit)."""
        rid, reqs = self.state.selected, self.state.requests
        if self._cache[0] != rid or self._cache[1] is not reqs:  # an edit replaces the frame
            rings = None
            if rid is not None:
                hit = reqs.geometry[reqs["request_id"].astype(str) == rid]
                if len(hit) and hit.iloc[0] is not None and not hit.iloc[0].is_empty:
                    rings = rings_of(hit.iloc[0])
            self._cache = (rid, reqs, rings)
        rings = self._cache[2]
        return None if rings is None else [[list(r) for r in part] for part in rings]

    def _corner_at(self, pos: QPointF) -> CornerKey | None:
        rings, view = self._rings(), self.canvas.view
        best, best_d = None, _PICK_PX
        for key, xy in _corners(rings or []):
            x, y = view.to_screen(*xy)
            d = max(abs(x - pos.x()), abs(y - pos.y()))
            if d <= best_d:
                best, best_d = key, d
        return best

    def _edge_at(self, pos: QPointF) -> tuple[CornerKey, tuple[float, float]] | None:
        """The corner an edge starts from and the point on it nearest ``pos``."""
        rings, view = self._rings(), self.canvas.view
        best, best_d = None, _PICK_PX
        for key, xy in _corners(rings or []):
            ring = rings[key[0]][key[1]]
            ax, ay = view.to_screen(*xy)
            bx, by = view.to_screen(*ring[(key[2] + 1) % len(ring)])
            dx, dy = bx - ax, by - ay
            t = ((pos.x() - ax) * dx + (pos.y() - ay) * dy) / max(dx * dx + dy * dy, 1e-9)
            t = min(1.0, max(0.0, t))
            px, py = ax + t * dx, ay + t * dy
            d = ((pos.x() - px) ** 2 + (pos.y() - py) ** 2) ** 0.5
            if d <= best_d:
                best, best_d = (key, view.to_lonlat(px, py)), d
        return best

    # -- events -----------------------------------------------------------------------------
    def press(self, pos: QPointF, button: Qt.MouseButton) -> bool:
        key = self._corner_at(pos) if button == Qt.MouseButton.LeftButton else None
        if key is None:
            return False
        self._drag, self._rid = key, self.state.selected
        self._before = self._valid = self._shown = self.state.row(self._rid).geometry
        self._invalid_ring = None
        return True

    def drag(self, pos: QPointF) -> None:
        if self._drag is None:
            return
        p, r, i = self._drag
        rings = rings_of(self._valid)
        rings[p][r][i] = self.canvas.view.to_lonlat(pos.x(), pos.y())
        geom = from_rings(rings)
        if geom.is_valid:
            self._valid, self._invalid_ring = geom, None
            self._schedule(geom)
        else:
            if self._invalid_ring is None:
                self.tools.say("msg.crosses")
            self._invalid_ring = rings[p][r]
        self.canvas.update()

    def release(self, pos: QPointF) -> None:
        if self._drag is None:
            return
        self._timer.stop()
        self._pending = None
        rid, before, after = self._rid, self._before, self._valid
        self._drag = self._invalid_ring = None
        if not after.equals_exact(before, 0.0):
            self.state.edit_geometry(rid, after, before=before, text=f"move a corner of {rid}")
        elif not self._shown.equals_exact(before, 0.0):  # dragged back where it was
            self.state.preview_geometry(rid, before)
        self.canvas.update()

    def click(self, pos: QPointF, button: Qt.MouseButton) -> bool:
        if button == Qt.MouseButton.RightButton:
            key = self._corner_at(pos)
            if key is not None:
                self.delete_corner(key)
            return True
        if button == Qt.MouseButton.LeftButton and self._corner_at(pos) is None:
            self._select_at(pos)
        return True

    def double_click(self, pos: QPointF) -> bool:
        if self._corner_at(pos) is not None:
            return True
        edge = self._edge_at(pos)
        if edge is None:
            return False
        (p, r, i), xy = edge
        rings = self._rings()
        rings[p][r].insert(i + 1, xy)
        self._commit(from_rings(rings), "add a corner to")
        return True

    def hover(self, pos: QPointF) -> None:
        key = self._corner_at(pos)
        if key != self.hovered:
            self.hovered = key
            self.canvas.setCursor(Qt.CursorShape.SizeAllCursor if key is not None
                                  else self.cursor)
            self.canvas.update()

    def key(self, event: QKeyEvent) -> bool:
        k = event.key()
        if k == Qt.Key.Key_Escape and self._drag is not None:
            self._timer.stop()
            self._pending, self._drag, self._invalid_ring = None, None, None
            if not self._shown.equals_exact(self._before, 0.0):
                self.state.preview_geometry(self._rid, self._before)
            self.canvas.update()
            return True
        if k in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.hovered is not None:
            self.delete_corner(self.hovered)
            return True
        return False

    def deactivate(self) -> None:
        if self._drag is not None:
            self.release(QPointF())
        self.hovered = None

    # -- edits ------------------------------------------------------------------------------
    def delete_corner(self, key: CornerKey) -> None:
        rings = self._rings()
        p, r, i = key
        if rings is None or len(rings[p][r]) <= 3:
            self.tools.say("msg.keep_three")
            return
        del rings[p][r][i]
        self.hovered = None
        self._commit(from_rings(rings), "remove a corner of")

    def _commit(self, geom, what: str) -> None:
        if not geom.is_valid:
            self.tools.say("msg.crosses")
            return
        rid = self.state.selected
        self.state.edit_geometry(rid, geom, text=f"{what} {rid}")

    def _select_at(self, pos: QPointF) -> None:
        lon, lat = self.canvas.view.to_lonlat(pos.x(), pos.y())
        reqs = self.state.requests
        inside = shapely.contains_xy(reqs.geometry.values, lon, lat)
        if inside.any():
            self.state.select(str(reqs["request_id"].iloc[inside.argmax()]))

    def _schedule(self, geom) -> None:
        """Preview ``geom`` as soon as the last live check has had as long again to paint."""
        self._pending = geom
        if not self._timer.isActive():
            self._timer.start(max(0, round((self._ready_at - time.perf_counter()) * 1000)))

    def _flush(self) -> None:
        if self._pending is None or self._drag is None:
            return
        geom, self._pending = self._pending, None
        start = time.perf_counter()
        self.state.preview_geometry(self._rid, geom)
        self._shown = geom
        took = time.perf_counter() - start
        self._ready_at = time.perf_counter() + max(took, _MIN_PREVIEW_S)

    def paint(self, painter: QPainter, view: MapView) -> None:
        rings = self._rings()
        if rings is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if self._drag is not None:  # the corner follows the mouse before the model does
            outline = self._invalid_ring or rings_of(self._valid)[self._drag[0]][self._drag[1]]
            path = QPainterPath()
            path.addPolygon(QPolygonF([QPointF(*view.to_screen(x, y)) for x, y in outline]))
            path.closeSubpath()
            color = CONFLICT_COLOR if self._invalid_ring else SELECTION_COLOR
            painter.setPen(overlay_pen(color, 2.0, dash=True))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
            rings = rings_of(self._valid)
        points, keys = [], []
        for key, xy in _corners(rings):
            points.append(QPointF(*view.to_screen(*xy)))
            keys.append(key)
        hot = keys.index(self.hovered) if self.hovered in keys else None
        _draw_handles(painter, points, hot, square=True)
        painter.restore()


def _draw_handles(painter: QPainter, points: list[QPointF], hot: int | None, *,
                  square: bool = False) -> None:
    painter.setPen(overlay_pen(SELECTION_COLOR, 1.5))
    for j, pt in enumerate(points):
        half = HANDLE_SIZE / 2 + (2 if j == hot else 0)
        painter.setBrush(SELECTION_COLOR if j == hot else QColor("white"))
        if square:
            painter.drawRect(pt.x() - half, pt.y() - half, 2 * half, 2 * half)
        else:
            painter.drawEllipse(pt, half - 1, half - 1)


class EditingTools(QObject):
    """The editing modes of one canvas and the actions that choose them."""

    message = Signal(str)  # a status-bar message (a refused edit, how to use a mode)
    modeChanged = Signal(str)  # a ToolMode

    def __init__(self, state: AppState, canvas: MapCanvas, parent: QObject | None = None
                 ) -> None:
        super().__init__(parent)
        self.state, self.canvas = state, canvas
        self.lang = state.lang
        self.mode = ToolMode.NAVIGATE
        self._tools = {ToolMode.DRAW: _DrawTool(self), ToolMode.EDIT: _VertexTool(self)}
        self.mode_group = QActionGroup(self)
        self.mode_group.setExclusive(True)
        self.navigate_action = self._action("navigate", lambda: self.set_mode(ToolMode.NAVIGATE),
                                            checkable=True)
        self.draw_action = self._action("draw", lambda: self.set_mode(ToolMode.DRAW),
                                        checkable=True)
        self.edit_action = self._action("edit", lambda: self.set_mode(ToolMode.EDIT),
                                        checkable=True)
        self.navigate_action.setChecked(True)
        self.paste_action = self._action("paste", self.open_paste_dialog)
        self.delete_action = self._action("delete", self.delete_selected)
        self.delete_action.setShortcut(QKeySequence("Shift+Del"))
        self.undo_action = state.undo_stack.createUndoAction(self)
        self.undo_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
        self.redo_action = state.undo_stack.createRedoAction(self)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        state.undo_stack.undoTextChanged.connect(self._undo_text_changed)
        state.undo_stack.redoTextChanged.connect(self._redo_text_changed)
        state.selectionChanged.connect(self._selection_changed)
        state.workspaceChanged.connect(self._workspace_changed)
        state.workspaceRenamed.connect(self._enable)  # a viewer's copy is the user's own
        state.languageChanged.connect(self.retranslate)
        self.paste_dialog = None
        self.retranslate(self.lang)
        self._enable()

    def _action(self, key: str, slot, *, checkable: bool = False) -> QAction:
        action = QAction(self)
        action.setCheckable(checkable)
        if checkable:
            self.mode_group.addAction(action)
        action.setData(key)
        action.triggered.connect(slot)
        return action

    def actions(self) -> list[QAction]:
        """Navigate, Draw request, Edit corners, Paste corner list, Delete request, Undo, Redo."""
        return [self.navigate_action, self.draw_action, self.edit_action, self.paste_action,
                self.delete_action, self.undo_action, self.redo_action]

    def retranslate(self, lang: str) -> None:
        """Label the actions in ``lang`` ("mn" or "en")."""
        self.lang = lang
        for action in self.actions()[:5]:
            key = action.data()
            action.setText(tool_text(key, lang))
            action.setToolTip(tool_text(key, lang).replace("&", "").rstrip("…"))
            action.setStatusTip(tool_text(f"tip.{key}", lang))
        self._label(self.undo_action, "undo", self.state.undo_stack.undoText())
        self._label(self.redo_action, "redo", self.state.undo_stack.redoText())

    def _undo_text_changed(self, command: str) -> None:
        self._label(self.undo_action, "undo", command)

    def _redo_text_changed(self, command: str) -> None:
        self._label(self.redo_action, "redo", command)

    def _label(self, action: QAction, key: str, command: str) -> None:
        """"Undo" and the command it undoes, in the interface language (the text Qt gives
        the action is always English)."""
        if not shiboken6.isValid(action):  # the window closed before the model went
            return
        label = tool_text(key, self.lang)
        action.setText(f"{label} {command}" if command else label)

    def _enable(self, *_args) -> None:
        """The editing modes need a workspace this user may change (not a viewer's)."""
        writable = self.state.workspace is not None and not self.state.read_only
        for action in (self.draw_action, self.edit_action, self.paste_action):
            action.setEnabled(writable)
        self.delete_action.setEnabled(writable and self.state.selected is not None)

    def _selection_changed(self, _rid) -> None:
        self.vertex_tool.hovered = None  # the corners under the mouse were another request's
        self._enable()

    def _workspace_changed(self) -> None:
        self.set_mode(ToolMode.NAVIGATE)
        self._enable()

    # -- modes ------------------------------------------------------------------------------
    def set_mode(self, mode: ToolMode | str) -> None:
        mode = ToolMode(mode)
        {ToolMode.NAVIGATE: self.navigate_action, ToolMode.DRAW: self.draw_action,
         ToolMode.EDIT: self.edit_action}[mode].setChecked(True)
        if mode is self.mode:
            return
        self.mode = mode
        self.canvas.set_tool(self._tools.get(mode))
        if mode is not ToolMode.NAVIGATE:
            self.canvas.setFocus()
        self.message.emit(tool_text("msg.select" if mode is ToolMode.EDIT
                                    and self.state.selected is None else f"tip.{mode}", self.lang))
        self.modeChanged.emit(str(mode))

    @property
    def draw_tool(self) -> _DrawTool:
        return self._tools[ToolMode.DRAW]

    @property
    def vertex_tool(self) -> _VertexTool:
        return self._tools[ToolMode.EDIT]

    def say(self, key: str) -> None:
        self.message.emit(tool_text(key, self.lang))

    # -- plain actions ----------------------------------------------------------------------
    def delete_selected(self) -> None:
        if self.state.selected is not None:
            self.state.delete_request(self.state.selected)

    def open_paste_dialog(self):
        """Show the corner-list dialog (window-modal); the requests it adds are zoomed to."""
        from gui.corner_paste_dialog import CornerPasteDialog

        parent = self.parent() if isinstance(self.parent(), QWidget) else self.canvas
        dialog = CornerPasteDialog(self.state, parent)
        dialog.accepted.connect(self.canvas.zoom_to_selection)
        dialog.finished.connect(dialog.deleteLater)
        self.paste_dialog = dialog
        dialog.open()
        return dialog


def install_editing(window: QWidget, state: AppState, canvas: MapCanvas) -> EditingTools:
    """Create the editing tools of ``canvas`` (bound to ``state`` if it is not yet) and make
    their shortcuts work in ``window``; messages go to its status bar."""
    if canvas.state is None:
        canvas.bind(state)
    tools = EditingTools(state, canvas, window)
    window.addActions(tools.actions())
    if isinstance(window, QMainWindow):
        # not a lambda holding the window: that would make a reference cycle through it,
        # which the garbage collector may then break in a worker thread
        tools.message.connect(partial(_show_status, window.statusBar()))
    return tools


def _show_status(bar: QStatusBar, text: str) -> None:
    if shiboken6.isValid(bar):
        bar.showMessage(text, 8000)
