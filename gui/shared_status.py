"""What the status bar says about a shared workspace: who this user is there, with which role
(a viewer's workspace is read-only) and how many landtool clients are connected, asked of the
server every :data:`REFRESH_MS` and after each save; and the list of them on demand.

Nothing shows for a GeoPackage. The question is one small query on the workspace's own
connection, asked in the GUI thread: that connection is only ever used there once the
workspace is open.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from gui.i18n import tr
from landtool.errors import LandtoolError

REFRESH_MS = 30_000


class _ClickableLabel(QLabel):
    clicked = Signal()

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class SharedStatus(QObject):
    """The status-bar label of a shared workspace (``label``), kept current by a timer."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window, self.state = window, window.state
        self.label = _ClickableLabel(window)
        self.label.setCursor(Qt.CursorShape.PointingHandCursor)
        self.label.hide()
        self.label.clicked.connect(self.show_connected)
        self.connections: list | None = None  # the last answer; None when it failed
        self.timer = QTimer(self, interval=REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        state = self.state
        state.workspaceChanged.connect(self.refresh)
        state.workspaceRenamed.connect(lambda _path: self.refresh())
        state.saved.connect(self.refresh)
        state.languageChanged.connect(lambda _lang: self._show())

    @property
    def shared(self) -> bool:
        ws = self.state.workspace
        return ws is not None and ws.shared

    def refresh(self) -> None:
        """Ask the server who is connected now (nothing to ask for a GeoPackage)."""
        if not self.shared:
            self.timer.stop()
            self.connections = None
            self._show()
            return
        try:
            self.connections = self.state.workspace.connected()
        except LandtoolError:  # the server went away: said in the label
            self.connections = None
            # no more asking by the clock (each try may hold the window up to the connection
            # timeout): clicking the label, or a save, asks again
            self.timer.stop()
            self._show()
            return
        if not self.timer.isActive():
            self.timer.start()
        self._show()

    def text(self) -> str:
        """What the label says ("" for a GeoPackage)."""
        state = self.state
        if not self.shared:
            return ""
        lang = self.window.lang
        role = tr(f"role.{state.role or 'none'}", lang)
        if state.read_only:
            role += f", {tr('shared.read_only', lang)}"
        user = state.user or "?"
        if self.connections is None:
            return tr("shared.offline", lang, user=user, role=role)
        return tr("shared.status", lang, user=user, role=role, n=len(self.connections))

    def _show(self) -> None:
        text = self.text()
        self.label.setText(text)
        self.label.setVisible(bool(text))
        if text:
            bold = "font-weight: bold; " if self.state.read_only else ""
            self.label.setStyleSheet(f"{bold}padding: 0 6px;")
            self.label.setToolTip(tr("shared.tooltip", self.window.lang,
                                     where=self.state.workspace.path))

    def stop(self) -> None:
        self.timer.stop()

    def show_connected(self) -> QWidget | None:
        """Show who is connected now (window-modal, not waited for); the dialog, or None."""
        from gui.shared_dialog import ConnectedDialog

        if not self.shared:
            return None
        ws, lang = self.state.workspace, self.window.lang
        try:
            self.connections = ws.connected()
        except LandtoolError as exc:
            self.connections = None
            self._show()
            self.window.error("error.connected", exc)
            return None
        self._show()
        dialog = ConnectedDialog(self.connections, ws.path.name, lang, self.window)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog
