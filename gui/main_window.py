"""The main window: the map in the middle, the layer list docked beside it, position and scale
in the status bar. Workspaces are read in a worker thread; a failure leaves the open one shown.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QWidget

from gui.coords import format_position, format_scale
from gui.dialogs import show_about, show_error
from gui.i18n import Lang, tr
from gui.layer_panel import LayerPanel
from gui.map_canvas import MapCanvas
from gui.worker import BackgroundTask
from gui.workspace_loader import LoadedWorkspace, load_sample_workspace, load_workspace


class MainWindow(QMainWindow):
    """The landtool window.

    Parameters
    ----------
    lang
        Interface language, ``"en"`` or ``"mn"``.
    report_errors
        Show a message box when a workspace cannot be opened (off for unattended runs such
        as ``--screenshot``, which listen to :attr:`loadFailed` instead).
    """

    workspaceLoaded = Signal(str)  # path
    loadFailed = Signal(object)  # the exception

    def __init__(self, lang: str | Lang = Lang.EN, *, report_errors: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = Lang(lang)
        self.report_errors = report_errors
        self.workspace: LoadedWorkspace | None = None
        self._tasks: set[BackgroundTask] = set()
        self._generation = 0  # only the latest open request may replace the workspace

        self.canvas = MapCanvas(self)
        self.canvas.set_message(tr("canvas.empty", lang))
        self.setCentralWidget(self.canvas)
        self.layer_panel = LayerPanel(lang, self)
        self.layer_dock = QDockWidget(tr("panel.layers", lang), self)
        self.layer_dock.setObjectName("layer_dock")
        self.layer_dock.setWidget(self.layer_panel)
        self.layer_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                                    | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.layer_dock)
        self.resizeDocks([self.layer_dock], [360], Qt.Orientation.Horizontal)
        self._build_menus()
        self._build_status_bar()

        self.layer_panel.visibilityChanged.connect(self.canvas.set_layer_visible)
        self.canvas.cursorMoved.connect(self._show_position)
        self.canvas.scaleChanged.connect(self._show_scale)
        self.setWindowTitle(tr("app.title", lang))
        self.resize(1280, 800)

    # -- construction ---------------------------------------------------------------------
    def _action(self, key: str, slot, shortcut=None) -> QAction:
        action = QAction(tr(key, self.lang), self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(tr("menu.file", self.lang))
        self.open_action = self._action("action.open", self.choose_workspace,
                                        QKeySequence.StandardKey.Open)
        self.quit_action = self._action("action.quit", self.close, QKeySequence("Ctrl+Q"))
        file_menu.addAction(self.open_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = bar.addMenu(tr("menu.view", self.lang))
        self.zoom_all_action = self._action("action.zoom_all", self.canvas.zoom_to_all,
                                            QKeySequence("Ctrl+0"))
        view_menu.addAction(self.zoom_all_action)
        view_menu.addSeparator()
        view_menu.addAction(self.layer_dock.toggleViewAction())
        help_menu = bar.addMenu(tr("menu.help", self.lang))
        self.about_action = self._action("action.about", lambda: show_about(self, self.lang))
        help_menu.addAction(self.about_action)

    def _build_status_bar(self) -> None:
        self.position_label = QLabel(tr("status.no_position", self.lang))
        self.position_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.scale_label = QLabel()
        self.scale_label.setMinimumWidth(150)
        self.statusBar().addPermanentWidget(self.position_label)
        self.statusBar().addPermanentWidget(self.scale_label)
        self._show_scale(self.canvas.scale_denominator())

    # -- status bar -----------------------------------------------------------------------
    def _show_position(self, lon: float, lat: float) -> None:
        self.position_label.setText(format_position(lon, lat, self.lang))

    def _show_scale(self, denominator: float) -> None:
        self.scale_label.setText(tr("status.scale", self.lang,
                                    n=format_scale(denominator, self.lang)))

    def closeEvent(self, event) -> None:
        for task in list(self._tasks):  # a file read cannot be interrupted: let it end
            task.join()
        super().closeEvent(event)

    # -- opening --------------------------------------------------------------------------
    def choose_workspace(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("dialog.open", self.lang), "",
                                              tr("dialog.open_filter", self.lang))
        if path:
            self.open_workspace(path)

    def open_workspace(self, path: str | Path) -> None:
        """Read ``path`` in the background; show it when ready, or report why it failed."""
        path = Path(path)
        self._start(BackgroundTask(load_workspace, path, parent=self),
                    tr("status.opening", self.lang, path=path.name))

    def open_sample_workspace(self) -> None:
        """Open the bundled sample workspace, building it first if needed."""
        from landtool.paths import sample_workspace_path

        if sample_workspace_path().exists():
            message = tr("status.opening", self.lang, path=sample_workspace_path().name)
        else:
            message = tr("status.building_sample", self.lang)
        self._start(BackgroundTask(load_sample_workspace, parent=self), message)

    def is_loading(self) -> bool:
        return bool(self._tasks)

    def _start(self, task: BackgroundTask, message: str) -> None:
        self._generation += 1
        task.context = (self._generation, message)
        self.statusBar().showMessage(message)
        if self.workspace is None:
            self.canvas.set_message(message)
        task.progress.connect(self._on_progress)
        task.finished.connect(self._on_loaded)
        task.failed.connect(self._on_failed)
        self._tasks.add(task)
        task.start()

    def _done(self, task: BackgroundTask) -> None:
        self._tasks.discard(task)
        task.deleteLater()  # its thread has ended (the task joins it before reporting)

    def _is_current(self, task: BackgroundTask) -> bool:
        return task.context[0] == self._generation

    def _on_progress(self, task: BackgroundTask, text: str) -> None:
        if self._is_current(task):
            self.statusBar().showMessage(f"{task.context[1]} {text}")

    def _on_loaded(self, task: BackgroundTask, loaded: LoadedWorkspace) -> None:
        self._done(task)
        if not self._is_current(task):
            return
        self.workspace = loaded
        self.canvas.set_layers(loaded.layers)
        self.layer_panel.set_layers(self.canvas.layers())
        self.canvas.set_message("")
        self.setWindowTitle(f"{loaded.path.name} — {tr('app.title', self.lang)}")
        self.statusBar().showMessage(
            tr("status.opened", self.lang, path=loaded.path.name, count=len(loaded.layers)),
            5000)
        self.workspaceLoaded.emit(str(loaded.path))

    def _on_failed(self, task: BackgroundTask, exc: BaseException) -> None:
        self._done(task)
        if not self._is_current(task):
            return
        self.statusBar().clearMessage()
        self.canvas.set_message("" if self.workspace else tr("canvas.empty", self.lang))
        if self.report_errors:
            show_error(self, tr("error.open", self.lang), exc, self.lang)
        self.loadFailed.emit(exc)
