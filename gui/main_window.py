"""The main window: the map in the middle; the layers and the identify results on the left, the
check results and the rehabilitation view on the right, the requests table below; menus and a
toolbar (:mod:`gui.window_menus`), and a status bar with the cursor position, the scale and
the ruleset, and on a shared workspace who the user is there and how many are connected
(:mod:`gui.shared_status`; a viewer's window is read-only).

The window lays out, connects and asks; the data and every edit live in
:class:`~gui.state.AppState`. Anything slow (reading a workspace, importing a layer, a batch
check, an export, the rehabilitation chart and estimate) runs in a worker, shown in the status
bar with a progress bar and a cancel button. The flows live beside their dialogs: opening and
saving in :mod:`gui.workspace_loader`, importing in :mod:`gui.field_mapping_dialog`,
exporting in :mod:`gui.export_dialog`, request edits in :mod:`gui.attributes_dialog`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLocale, Qt, QTimer, Signal
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QWidget

from gui import dialogs, startup_trace, window_menus, workspace_loader
from gui.check_panel import CheckPanel
from gui.coords import format_position, format_scale
from gui.export_dialog import Exporter
from gui.field_mapping_dialog import LayerImporter
from gui.i18n import Lang, tr
from gui.identify_panel import IdentifyPanel
from gui.imagery_layer import install_imagery
from gui.layer_panel import LayerPanel
from gui.map_canvas import MapCanvas
from gui.photo_panel import RequestPhotosPanel
from gui.rehab_panel import RehabPanel
from gui.requests_panel import RequestsPanel
from gui.settings import Settings
from gui.shared_status import SharedStatus
from gui.state import AppState
from gui.tools import install_editing
from gui.worker import TaskProgressWidget, TaskRunner
from gui.workspace_loader import WorkspaceFiles
from landtool.errors import LandtoolError
from landtool.workspace import open_workspace
from landtool.workspace.lock import set_wait_notice, wait_notice

IDENTIFY_PX = 5  # a click finds the features this many pixels around it
REHAB_WIDTH = 700  # the rehabilitation view's table and chart want room
_AREAS = {"left": Qt.DockWidgetArea.LeftDockWidgetArea,
          "right": Qt.DockWidgetArea.RightDockWidgetArea,
          "bottom": Qt.DockWidgetArea.BottomDockWidgetArea}
#: the docks each view shows (the rehabilitation view gives the map and the parcels the room)
_VIEW_DOCKS = {"map": ("layers", "identify", "requests", "check", "request_photos"),
               "rehab": ("rehab",)}


def default_lang() -> Lang:
    return Lang.MN if QLocale.system().language() == QLocale.Language.Mongolian else Lang.EN


class MainWindow(QMainWindow):
    """The landtool window.

    Parameters
    ----------
    lang
        Interface language, ``"en"`` or ``"mn"``; by default the one remembered, else the
        system's.
    settings
        Where to remember the language, layout and recent workspaces (tests pass their own).
    report_errors
        Show a message box when a workspace cannot be opened (off for unattended runs such
        as ``--screenshot``, which listen to :attr:`loadFailed` instead).
    """

    workspaceLoaded = Signal(str)  # path
    loadFailed = Signal(object)  # the exception
    layerImported = Signal(str)  # the new layer's name
    #: a save of this window (in any thread) waits for another writer of the workspace
    writerWaiting = Signal(str)  # the workspace's path

    def __init__(self, lang: str | Lang | None = None, *, settings: Settings | None = None,
                 report_errors: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings if settings is not None else Settings()
        self.lang = Lang(lang or self.settings.lang or default_lang())
        self.report_errors = report_errors
        self.view_mode = "map"
        self.state = AppState(str(self.lang), self)
        self.runner = TaskRunner(TaskProgressWidget(self), self)
        self.canvas = MapCanvas(self)
        self.canvas.bind(self.state)
        self.setCentralWidget(self.canvas)
        self.layer_panel = LayerPanel(self.state, self)
        self.identify_panel = IdentifyPanel(self.state, self)
        self.requests_panel = RequestsPanel(self.state, self)
        self.check_panel = CheckPanel(self.state, self)
        self.rehab_panel = RehabPanel(self.state, self.runner, self)
        self.request_photos = RequestPhotosPanel(self.state, self.runner, self)
        self.docks: dict[str, QDockWidget] = {}
        for key, widget, area in (("layers", self.layer_panel, "left"),
                                  ("identify", self.identify_panel, "left"),
                                  ("check", self.check_panel, "right"),
                                  ("rehab", self.rehab_panel, "right"),
                                  ("request_photos", self.request_photos, "right"),
                                  ("requests", self.requests_panel, "bottom")):
            self._add_dock(key, widget, area)
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.docks["layers"], self.docks["identify"])
        self.docks["layers"].raise_()
        self.tabifyDockWidget(self.docks["check"], self.docks["request_photos"])
        self.docks["check"].raise_()
        self.files = WorkspaceFiles(self)
        self.importer = LayerImporter(self)
        self.exporter = Exporter(self)
        self.exportFinished, self.exportFailed = self.exporter.finished, self.exporter.failed
        self.editing = install_editing(self, self.state, self.canvas)
        self.shared_status = SharedStatus(self)
        window_menus.install(self)
        self.imagery = install_imagery(self)  # after the menus: it adds to the File menu
        self.check_panel.add_actions([self.act["attributes"], self.act["register"],
                                      self.act["decide"], self.act["export_package"]])
        self._build_status_bar()
        # a save that waits for another writer says so in the status bar (the notice comes
        # from the thread that saves: a queued signal carries it to this one)
        self.writerWaiting.connect(
            lambda path: self.say(tr("status.waiting", self.lang, path=path), 15000),
            Qt.ConnectionType.QueuedConnection)
        set_wait_notice(self._notify_waiting)
        self._connect()
        self.setAcceptDrops(True)
        self.resize(1440, 900)
        self.resizeDocks([self.docks["layers"], self.docks["check"]], [330, 430],
                         Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["requests"]], [210], Qt.Orientation.Vertical)
        self.set_view("map")
        self.settings.restore_window(self)
        self.retranslate()

    # -- construction ---------------------------------------------------------------------
    def _add_dock(self, key: str, widget: QWidget, area: str) -> None:
        dock = QDockWidget(self)
        dock.setObjectName(f"{key}_dock")
        dock.setWidget(widget)
        self.addDockWidget(_AREAS[area], dock)
        self.docks[key] = dock

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.position_label = QLabel(self)
        self.position_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.scale_label = QLabel(self)
        self.scale_label.setMinimumWidth(130)
        self.ruleset_label = QLabel(self)
        bar.addPermanentWidget(self.runner.widget)
        for label in (self.shared_status.label, self.position_label, self.scale_label,
                      self.ruleset_label):
            bar.addPermanentWidget(label)

    def _connect(self) -> None:
        state, canvas = self.state, self.canvas
        canvas.cursorMoved.connect(self._show_position)
        canvas.scaleChanged.connect(self._show_scale)
        canvas.clicked.connect(self.identify)
        self.layer_panel.visibilityChanged.connect(self._set_layer_visible)
        self.layer_panel.zoomRequested.connect(canvas.zoom_to_layer)
        self.layer_panel.orderChanged.connect(canvas.set_layer_order)
        self.requests_panel.requestChosen.connect(lambda _rid: canvas.zoom_to_selection())
        self.identify_panel.requestClicked.connect(state.select)
        self.identify_panel.parcelClicked.connect(self.rehab_panel.select_parcel)
        self.importer.imported.connect(lambda imp: self.layerImported.emit(imp.name))
        self.exporter.finished.connect(lambda r: self.say(tr("status.exported", self.lang,
                                                             what=_written(r))))
        state.dirtyChanged.connect(self.setWindowModified)
        state.languageChanged.connect(lambda _lang: self.retranslate())
        state.resultsChanged.connect(self._show_ruleset)
        state.workspaceRenamed.connect(lambda _path: self._update_title())

    def retranslate(self) -> None:
        lang = self.lang
        for key, dock in self.docks.items():
            dock.setWindowTitle(tr(f"panel.{key}", lang))
        window_menus.retranslate_menus(self)
        self._update_title()
        self._show_scale(self.canvas.scale_denominator())
        self._show_ruleset()
        if self.position_label.text() == "" or self.state.workspace is None:
            self.position_label.setText(tr("status.no_position", lang))
        if self.state.workspace is None and not self.runner.is_busy("workspace"):
            self.canvas.set_message(tr("canvas.empty", lang))
        self.runner.widget.cancel_button.setToolTip(tr("busy.cancel", lang))

    # -- status bar -------------------------------------------------------------------------
    def _notify_waiting(self, path, _what: str) -> None:
        try:
            self.writerWaiting.emit(str(path))
        except RuntimeError:  # this window is gone: the terminal, as without a window
            set_wait_notice(None)
            wait_notice(path, _what)

    def say(self, text: str, ms: int = 8000) -> None:
        self.statusBar().showMessage(text, ms)

    def error(self, title_key: str, exc: BaseException) -> None:
        dialogs.show_error(self, tr(title_key, self.lang), exc, self.lang)

    def _show_position(self, lon: float, lat: float) -> None:
        self.position_label.setText(format_position(lon, lat, self.lang))

    def _show_scale(self, denominator: float) -> None:
        self.scale_label.setText(tr("status.scale", self.lang,
                                    n=format_scale(denominator, self.lang)))

    def _show_ruleset(self) -> None:
        rs = self.state.ruleset
        self.ruleset_label.setText(tr("status.ruleset", self.lang, ruleset=rs.label(),
                                      day=self.state.as_of.isoformat()))
        title = rs.title_mn if self.lang is Lang.MN else rs.title_en
        self.ruleset_label.setToolTip(f"{title}\n{rs.regulation}")

    def _update_title(self) -> None:
        ws = self.state.workspace
        name = f"{ws.path.name}[*] — " if ws is not None else ""
        if ws is not None and self.state.read_only:
            name = f"{ws.path.name} ({tr('shared.read_only', self.lang)})[*] — "
        self.setWindowTitle(name + tr("app.title", self.lang))

    # -- language and views -----------------------------------------------------------------
    def set_language(self, lang: str | Lang) -> None:
        """Switch the interface language (remembered for the next start)."""
        self.lang = Lang(lang)
        self.settings.lang = str(self.lang)
        self.state.set_language(str(self.lang))  # the panels and the window follow

    def set_view(self, view: str) -> None:
        """``"map"`` (requests and their check) or ``"rehab"`` (the rehabilitation view)."""
        self.view_mode = view
        for key, docks in _VIEW_DOCKS.items():
            for dock in docks:
                self.docks[dock].setVisible(key == view)
        if view == "map":
            self.docks["layers"].raise_()
        if view == "rehab":
            self.docks["rehab"].raise_()
            self.resizeDocks([self.docks["rehab"]], [REHAB_WIDTH], Qt.Orientation.Horizontal)
            if self.state.parcels_layer is not None:  # once the docks have their new sizes
                name = self.state.parcels_layer
                QTimer.singleShot(0, self.canvas, lambda: self.canvas.zoom_to_layer(name))
        self.act[f"view_{view}"].setChecked(True)

    def show_request(self, request_id: str) -> None:
        """Select a request and zoom to it (what choosing it in the table does)."""
        self.state.select(request_id)
        self.canvas.zoom_to_selection()

    # -- the map ------------------------------------------------------------------------------
    def _set_layer_visible(self, name: str, visible: bool) -> None:
        try:
            self.canvas.set_layer_visible(name, visible)
        except KeyError:  # a layer with nothing drawn yet (an empty requests layer)
            pass

    def identify(self, lon: float, lat: float) -> dict[str, list[str]]:
        """List the features of the visible layers under a click (top layer first)."""
        tolerance = IDENTIFY_PX / self.canvas.view.px_per_deg
        panel = self.layer_panel
        visible = [n for n in panel.layer_names() if panel.is_checked(n)]
        found = self.identify_panel.identify(lon, lat, tolerance, visible)
        self.docks["identify"].raise_()
        return found

    # -- workspaces (gui.workspace_loader.WorkspaceFiles asks, reads and writes) ----------
    def open_workspace(self, path: str | Path, *, ask: bool = True) -> bool:
        """Read ``path`` in the background; show it when ready, or report why it failed."""
        return self.files.open(path, ask=ask)

    def open_shared_workspace(self, url: str = "") -> bool:
        """Ask a shared workspace's URL and password, and open it."""
        return self.files.choose_shared(url)

    def open_sample_workspace(self) -> None:
        self.files.open_sample()

    def new_workspace(self, path: str | Path | None = None) -> None:
        self.files.new(path)

    def save(self) -> bool:
        """Write the edits and the current check results to the workspace."""
        return self.files.save()

    def save_as(self, path: str | Path | None = None) -> None:
        self.files.save_as(path)

    def maybe_save(self) -> bool:
        """Ask what to do with unsaved changes; True when it is fine to go on."""
        return self.files.maybe_save()

    def is_loading(self) -> bool:
        return self.runner.is_busy("workspace")

    def _on_loaded(self, loaded: workspace_loader.LoadedWorkspace) -> None:
        self.state.set_workspace(loaded.workspace, loaded.frames, user=loaded.user,
                                 role=loaded.role)
        startup_trace.mark("layers-loaded")
        startup_trace.on_first_paint(self.canvas, "layers-drawn")
        self.canvas.set_layers(loaded.layers)
        self.canvas.set_message("")
        self.settings.add_recent(loaded.path)
        window_menus.rebuild_recent(self)
        self._update_title()
        if self.view_mode == "rehab" and self.state.parcels_layer is not None:
            self.canvas.zoom_to_layer(self.state.parcels_layer)
        self.say(tr("status.opened", self.lang, path=loaded.path.name,
                    count=len(loaded.frames)), 5000)
        self.workspaceLoaded.emit(str(loaded.path))

    def _on_load_failed(self, exc: BaseException) -> None:
        if self.state.workspace is None:  # the empty map says why, beside the message box
            first = dialogs.error_text(exc, self.lang).split("\n\n")[0]
            self.canvas.set_message(f"{tr('error.open', self.lang)}\n{first}")
        else:
            self.canvas.set_message("")
        if self.report_errors:
            self.error("error.open", exc)
        self.loadFailed.emit(exc)

    # -- layers (dropping a workspace opens it; another file is imported as a layer) --------
    def import_file(self, path: str | Path) -> bool:
        return self.importer.import_file(path)

    def dragEnterEvent(self, event) -> None:
        if any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            if len(paths) > 1:
                self.say(tr("status.one_file", self.lang, name=paths[0].name))
            if paths[0].suffix.lower() == ".gpkg" and _is_workspace(paths[0]):
                self.open_workspace(paths[0])
            else:
                self.import_file(paths[0])

    # -- closing ----------------------------------------------------------------------------
    def closeEvent(self, event) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.settings.save_window(self)
        self.runner.join_all()  # a file read cannot be interrupted: let it end
        self.shared_status.stop()
        workspace_loader.close(self.state.workspace)  # a shared one's connection
        # the model goes with the window: its undo stack, cleared as it is destroyed, must not
        # call widgets destroyed before it
        self.state.undo_stack.blockSignals(True)
        self.state.blockSignals(True)
        super().closeEvent(event)


def _is_workspace(path: Path) -> bool:
    try:
        open_workspace(path)
    except LandtoolError:
        return False
    return True


def _written(result) -> str:
    return str(getattr(result, "zip", result))
