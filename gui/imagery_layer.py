"""The background imagery under the map: rendered off the GUI thread, shown while panning.

:class:`BackgroundLayer` holds the open :class:`~landtool.imagery.Imagery`, its opacity and
whether it is shown. The canvas asks it for the picture of a view (:meth:`image_for`): the
picture of exactly that view once rendered, else at once the last picture moved and scaled to
where it lies in the new view, while a thread of its own renders the new one (only the latest
view asked for: panning never queues renders up); :attr:`BackgroundLayer.changed` then tells
the canvas to draw again. :meth:`BackgroundLayer.render_view` is that thread's work, the code
path ``benchmarks/bench_imagery.py`` times. Opacity is applied when the picture is drawn, so
moving the slider renders nothing again.

:class:`ImageryController` gives the window File ▸ Add imagery… and Add a folder of tiles…,
the background's row under the layer list (:class:`BackgroundPanel`: on/off, opacity, remove)
and the workspace's memory of it (:mod:`landtool.workspace.background`).
"""

from __future__ import annotations

import html
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

import numpy as np
from pyproj import CRS, Transformer
from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QImage, QPainter, QTransform
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.i18n import tr
from gui.map_view import MapView

_CACHE = 6  # pictures of recent views kept (back and forth over the same places)
TILE = 128  # screen pixels a side of the tiles drawn each with its own affine map


@lru_cache(maxsize=16)
def _to_crs(wkt: str) -> Transformer:
    return Transformer.from_crs("EPSG:4326", CRS.from_wkt(wkt), always_xy=True)


class BackgroundLayer(QObject):
    """The background imagery of the map (none until :meth:`set_imagery`).

    ``synchronous`` renders in the caller's thread (screenshots, the benchmark's canvas run).
    """

    changed = Signal()
    failed = Signal(object)  # an exception raised while rendering

    def __init__(self, parent: QObject | None = None, *, synchronous: bool = False) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        self.imagery = None
        self.opacity = 1.0
        self.visible = True
        self._images: OrderedDict[tuple, QImage] = OrderedDict()
        self._last: tuple[MapView, QImage] | None = None
        self._cond = threading.Condition()
        self._wanted: tuple | None = None
        self._busy = False
        self._thread: threading.Thread | None = None
        self._stop = False

    # -- what is shown ----------------------------------------------------------------------
    def set_imagery(self, imagery) -> None:
        """Show ``imagery`` (None: no background); the one shown before is closed."""
        with self._cond:
            old, self.imagery = self.imagery, imagery
            self._images.clear()
            self._last = None
            self._wanted = None
        if old is not None and old is not imagery:
            old.close()
        self.changed.emit()

    def set_opacity(self, opacity: float) -> None:
        self.opacity = min(1.0, max(0.0, float(opacity)))
        self.changed.emit()

    def set_visible(self, visible: bool) -> None:
        self.visible = bool(visible)
        self.changed.emit()

    # -- rendering --------------------------------------------------------------------------
    def render_view(self, view: MapView, imagery=None) -> QImage:
        """The imagery under ``view`` at full opacity (what the rendering thread does): the
        imagery's own pixels under the view (an overview at small scales), drawn by Qt tile
        by tile, each tile of :data:`TILE` pixels with the affine map its corners give
        (pyproj, from the view's lon/lat to the imagery's CRS): a third of the time of
        GDAL's warper, within a hundredth of a pixel of the exact map."""
        imagery = imagery if imagery is not None else self.imagery
        out = QImage(view.width, view.height, QImage.Format.Format_ARGB32_Premultiplied)
        out.fill(Qt.GlobalColor.transparent)
        src = imagery.read_view(view.bounds(), view.width, view.height)
        if src is None:
            return out
        h, w = src.packed.shape
        # alpha is 0 or 255 and transparent pixels are all zero: already premultiplied
        picture = QImage(src.packed.data, w, h, 4 * w,
                         QImage.Format.Format_RGBA8888_Premultiplied)
        xs = np.arange(0, view.width + TILE, TILE, dtype=np.float64)
        ys = np.arange(0, view.height + TILE, TILE, dtype=np.float64)
        gx, gy = np.meshgrid(xs, ys)
        lon = view.center_lon + (gx - view.width / 2) / view.x_scale
        lat = view.center_lat - (gy - view.height / 2) / view.px_per_deg
        sx, sy = _to_crs(src.crs.to_wkt()).transform(lon, lat)
        inv = ~src.transform
        col = inv.a * sx + inv.b * sy + inv.c
        row = inv.d * sx + inv.e * sy + inv.f
        painter = QPainter(out)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        for j in range(len(ys) - 1):
            for i in range(len(xs) - 1):
                # screen -> source on this tile, from its corners, inverted for Qt
                dcx, dcy = (col[j, i + 1] - col[j, i]) / TILE, (col[j + 1, i] - col[j, i]) / TILE
                drx, dry = (row[j, i + 1] - row[j, i]) / TILE, (row[j + 1, i] - row[j, i]) / TILE
                det = dcx * dry - dcy * drx
                if not np.isfinite(det) or det == 0:
                    continue
                a, b, c, d = dry / det, -dcy / det, -drx / det, dcx / det  # inverse 2x2
                c0, r0 = col[j, i], row[j, i]
                x0, y0 = xs[i], ys[j]
                transform = QTransform(a, c, b, d, x0 - (a * c0 + b * r0),
                                       y0 - (c * c0 + d * r0))
                painter.resetTransform()  # the clip is in screen pixels
                painter.setClipRect(QRectF(x0, y0, TILE, TILE))
                painter.setTransform(transform)
                painter.drawImage(0, 0, picture)
        painter.end()
        return out

    def image_for(self, view: MapView) -> QImage | None:
        """The picture to draw under the layers of ``view`` (None: nothing to draw)."""
        imagery = self.imagery
        if imagery is None or not self.visible or self.opacity <= 0:
            return None
        key = (id(imagery), view)
        with self._cond:
            image = self._images.get(key)
            if image is not None:
                self._images.move_to_end(key)
            last = self._last
        if image is None and self.synchronous:
            try:
                image = self.render_view(view, imagery)
            except Exception as exc:  # noqa: BLE001 - shown, never raised into painting
                self.failed.emit(exc)
                return None
            with self._cond:
                self._keep(key, view, image)
        if image is not None:
            return self._compose(view, [(view, image)])
        self._ask(key, view, imagery)
        return self._compose(view, [last] if last is not None else [])

    def _compose(self, view: MapView, pictures) -> QImage | None:
        if not pictures:
            return None
        if len(pictures) == 1 and pictures[0][0] == view and self.opacity >= 1:
            return pictures[0][1]
        out = QImage(view.width, view.height, QImage.Format.Format_ARGB32_Premultiplied)
        out.fill(Qt.GlobalColor.transparent)
        painter = QPainter(out)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.setOpacity(self.opacity)
        for old, image in pictures:
            west, south, east, north = old.bounds()
            x0, y0 = view.to_screen(west, north)
            x1, y1 = view.to_screen(east, south)
            painter.drawImage(QRectF(x0, y0, x1 - x0, y1 - y0), image)
        painter.end()
        return out

    def _keep(self, key, view: MapView, image: QImage) -> None:
        self._images[key] = image
        while len(self._images) > _CACHE:
            self._images.popitem(last=False)
        self._last = (view, image)

    def _ask(self, key, view: MapView, imagery) -> None:
        with self._cond:
            if self._wanted is not None and self._wanted[0] == key:
                return
            self._wanted = (key, view, imagery)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="landtool-imagery",
                                                daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._wanted is None and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
                key, view, imagery = self._wanted
                self._busy = True
            try:
                image = self.render_view(view, imagery)
                error = None
            except Exception as exc:  # noqa: BLE001 - reported to the window
                image, error = None, exc
            with self._cond:
                self._busy = False
                current = imagery is self.imagery
                if self._wanted is not None and self._wanted[0] == key:
                    self._wanted = None
                if image is not None and current:
                    self._keep(key, view, image)
                self._cond.notify_all()
            if error is not None and current:
                self.failed.emit(error)
            elif current:
                self.changed.emit()  # queued to the GUI thread

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no render is asked for or running (tests); False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._wanted is None and not self._busy,
                                       timeout)

    def shutdown(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()


class BackgroundPanel(QGroupBox):
    """The background's row under the layer list: shown or not, opacity, remove."""

    def __init__(self, layer: BackgroundLayer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layer = layer
        self.shown = QCheckBox(self)
        self.shown.setChecked(True)
        self.opacity = QSlider(Qt.Orientation.Horizontal, self)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(100)
        self.opacity_label = QLabel(self)
        self.add_button = QToolButton(self)
        self.remove_button = QToolButton(self)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)  # it names the user's file
        row = QHBoxLayout()
        row.addWidget(self.opacity_label)
        row.addWidget(self.opacity, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.shown)
        layout.addLayout(row)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        self.shown.toggled.connect(layer.set_visible)
        self.opacity.valueChanged.connect(lambda v: layer.set_opacity(v / 100))

    def show_state(self, lang: str, name: str | None, info: str, note: str = "") -> None:
        self.setTitle(tr("imagery.panel", lang))
        self.opacity_label.setText(tr("imagery.opacity", lang))
        self.add_button.setText(tr("imagery.add_button", lang))
        self.remove_button.setText(tr("imagery.remove", lang))
        self.shown.setText(name or tr("imagery.none", lang))
        self.shown.setEnabled(name is not None)
        self.opacity.setEnabled(name is not None)
        self.remove_button.setEnabled(name is not None)
        # the description comes partly from the raster's own tags: shown as text, never HTML
        self.shown.setToolTip("<p style='white-space:pre-wrap'>" + html.escape(info) + "</p>"
                              if info else "")
        self.note.setText(note)
        self.note.setVisible(bool(note))


def _open_and_remember(ws, path: Path, remember: bool, progress=None):
    """Open the imagery (in a worker) and, if ``remember``, make it the workspace's
    background; returns the imagery and why it could not be remembered (or None)."""
    from landtool.errors import LandtoolError
    from landtool.imagery import open_imagery
    from landtool.workspace.background import set_workspace_background

    imagery = open_imagery(path)
    why = None
    if remember and ws is not None:
        try:
            set_workspace_background(ws, path)
        except LandtoolError as exc:
            why = exc
    return imagery, why


def _forget(ws, progress=None) -> None:
    from landtool.workspace.background import set_workspace_background

    set_workspace_background(ws, None)


class ImageryController(QObject):
    """The window's background imagery: actions, the panel, the workspace's memory of it."""

    loaded = Signal(str)  # the imagery's path
    failed = Signal(object)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.layer = BackgroundLayer(self)
        self.panel = BackgroundPanel(self.layer, window.layer_panel)
        window.layer_panel.layout().insertWidget(1, self.panel)
        self.path: Path | None = None
        self._note = ""
        self.act_add = QAction(window)
        self.act_add_tiles = QAction(window)
        self.act_add.triggered.connect(lambda: self.choose(folder=False))
        self.act_add_tiles.triggered.connect(lambda: self.choose(folder=True))
        self.panel.add_button.clicked.connect(lambda: self.choose(folder=False))
        self.panel.remove_button.clicked.connect(self.remove)
        window.canvas.set_underlay(self.layer.image_for)
        self.layer.changed.connect(window.canvas.refresh_underlay)
        self.layer.failed.connect(self._render_failed)
        state = window.state
        state.workspaceChanged.connect(self._workspace_opened)
        state.languageChanged.connect(lambda _lang: self.retranslate())
        file_menu = next(m for m, key in window.menu_titles if key == "menu.file")
        file_menu.insertActions(window.act["export_map"], [self.act_add, self.act_add_tiles])
        file_menu.insertSeparator(window.act["export_map"])
        window.destroyed.connect(lambda *_: self.layer.shutdown())
        self.retranslate()

    @property
    def lang(self) -> str:
        return str(self.window.lang)

    def retranslate(self) -> None:
        lang = self.lang
        self.act_add.setText(tr("imagery.add", lang))
        self.act_add_tiles.setText(tr("imagery.add_tiles", lang))
        img = self.layer.imagery
        self.panel.show_state(lang, self.path.name if img is not None and self.path else None,
                              img.describe(lang) if img is not None else "", self._note)

    # -- opening ----------------------------------------------------------------------------
    def _workspace_opened(self) -> None:
        from landtool.errors import LandtoolError
        from landtool.workspace.background import workspace_background

        self.layer.set_imagery(None)
        self.path, self._note = None, ""
        ws = self.window.state.workspace
        try:
            path = workspace_background(ws) if ws is not None else None
        except LandtoolError as exc:
            self._fail(exc, modal=False)
            return
        self.retranslate()
        if path is not None:
            self.open(path, remember=False)

    def choose(self, *, folder: bool) -> None:
        from PySide6.QtWidgets import QFileDialog

        settings, lang = self.window.settings, self.lang
        if folder:
            path = QFileDialog.getExistingDirectory(self.window, tr("imagery.add_tiles", lang),
                                                    settings.last_dir("imagery"))
        else:
            path, _ = QFileDialog.getOpenFileName(self.window, tr("imagery.add", lang),
                                                  settings.last_dir("imagery"),
                                                  tr("imagery.filter", lang))
        if path:
            settings.set_last_dir("imagery", path)
            self.open(Path(path), remember=True)

    def open(self, path: str | Path, *, remember: bool = True) -> None:
        """Open ``path`` in the background and show it; ``remember`` it as the workspace's
        background (what File ▸ Add imagery… does)."""
        path = Path(path)
        ws = self.window.state.workspace
        remember = remember and ws is not None and not self.window.state.read_only
        # the user's choice failing gets a message box; the workspace's own background
        # failing (moved, a drive not connected) is said in the panel and the status bar
        self.window.runner.run(_open_and_remember, ws, path, remember, key="imagery",
                               message=tr("imagery.busy", self.lang, name=path.name),
                               on_done=lambda r: self._show(path, *r),
                               on_error=lambda exc: self._fail(exc, modal=remember))

    def _show(self, path: Path, imagery, why) -> None:
        self.path = path
        self._note = ""
        if why is not None:
            from gui.dialogs import error_text

            self._note = tr("imagery.not_remembered", self.lang,
                            why=error_text(why, self.lang).split("\n")[0])
        self.layer.set_imagery(imagery)
        self.retranslate()
        self.window.say(tr("imagery.shown", self.lang, name=path.name), 6000)
        self.loaded.emit(str(path))

    def _fail(self, exc: BaseException, *, modal: bool = True) -> None:
        from gui.dialogs import error_text

        self._note = error_text(exc, self.lang)
        self.retranslate()
        if modal and self.window.report_errors:
            self.window.error("imagery.error", exc)
        else:
            self.window.say(f"{tr('imagery.error', self.lang)}: "
                            f"{self._note.splitlines()[0]}", 15000)
        self.failed.emit(exc)

    def _render_failed(self, exc: BaseException) -> None:
        from gui.dialogs import error_text

        self._note = error_text(exc, self.lang)
        self.retranslate()

    def remove(self) -> None:
        """No background any more (and the workspace forgets it)."""
        self.layer.set_imagery(None)
        self.path, self._note = None, ""
        ws = self.window.state.workspace
        self.retranslate()
        if ws is not None and not self.window.state.read_only:
            self.window.runner.run(_forget, ws, key="imagery",
                                   message=tr("imagery.busy_forget", self.lang),
                                   on_error=self._fail)


def install_imagery(window) -> ImageryController:
    """Give ``window`` its background imagery (menu actions, panel, canvas underlay)."""
    return ImageryController(window)
