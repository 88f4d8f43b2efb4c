"""What the application remembers between runs: the language, the window layout and the
recent workspaces (files, and shared workspaces' URLs without a password), kept with
QSettings.

Tests and unattended runs give a file of their own (``Settings(path)``, or the environment
variable ``LANDTOOL_SETTINGS``), so they never read or change the user's settings.

Examples
--------
>>> s = Settings(tmp_path / "settings.ini")           # doctest: +SKIP
>>> s.add_recent("/data/selenge.gpkg"); s.recent()    # doctest: +SKIP
['/data/selenge.gpkg']
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow

from landtool.location import DatabaseLocation, is_database_url

#: How many recent workspaces the File menu lists.
MAX_RECENT = 8
#: Bumped when the docks change, so an older saved layout is not restored onto new docks.
LAYOUT_VERSION = 2
ENV_VAR = "LANDTOOL_SETTINGS"


class Settings:
    """Typed access to the stored settings.

    Parameters
    ----------
    path
        An INI file to keep the settings in; by default ``$LANDTOOL_SETTINGS`` if set, else
        the platform's place for the application ``landtool``.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        path = path or os.environ.get(ENV_VAR)
        if path:
            self._q = QSettings(str(path), QSettings.Format.IniFormat)
        else:
            self._q = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                                "landtool", "landtool")

    @property
    def path(self) -> str:
        return self._q.fileName()

    def sync(self) -> None:
        self._q.sync()

    # -- language ----------------------------------------------------------------------------
    @property
    def lang(self) -> str | None:
        value = self._q.value("interface/lang")
        return str(value) if value in ("en", "mn") else None

    @lang.setter
    def lang(self, value: str) -> None:
        self._q.setValue("interface/lang", str(value))
        self._q.sync()

    # -- recent workspaces -----------------------------------------------------------------
    def recent(self) -> list[str]:
        """Recent workspaces, latest first (files that no longer exist included: the menu
        says so when one is chosen)."""
        value = self._q.value("recent/workspaces", [])
        if isinstance(value, str):  # QSettings gives a lone string for a one-item list
            value = [value]
        return [str(v) for v in value or [] if v]

    def add_recent(self, path: str | Path) -> None:
        """Put a workspace first in the list: a file's absolute path, or a shared
        workspace's URL without its password (the password is never stored)."""
        text = _recent_text(path)
        items = [text] + [p for p in self.recent() if p != text]
        self._q.setValue("recent/workspaces", items[:MAX_RECENT])
        self._q.sync()

    def remove_recent(self, path: str | Path) -> None:
        text = _recent_text(path)
        self._q.setValue("recent/workspaces", [p for p in self.recent() if p != text])
        self._q.sync()

    def clear_recent(self) -> None:
        self._q.setValue("recent/workspaces", [])
        self._q.sync()

    # -- folders -------------------------------------------------------------------------
    def last_dir(self, key: str) -> str:
        """The folder a file dialog of ``key`` (open, import, export) was last pointed at."""
        return str(self._q.value(f"folders/{key}", "") or "")

    def set_last_dir(self, key: str, path: str | Path) -> None:
        folder = Path(path)
        self._q.setValue(f"folders/{key}", str(folder if folder.is_dir() else folder.parent))

    # -- window layout -------------------------------------------------------------------
    def save_window(self, window: QMainWindow) -> None:
        self._q.setValue("window/geometry", window.saveGeometry())
        self._q.setValue("window/state", window.saveState(LAYOUT_VERSION))
        self._q.sync()

    def restore_window(self, window: QMainWindow) -> bool:
        """Put the window and its docks back where they were; False if nothing was saved."""
        geometry = self._q.value("window/geometry")
        state = self._q.value("window/state")
        restored = False
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            restored = window.restoreGeometry(geometry)
        if isinstance(state, QByteArray) and not state.isEmpty():
            restored = window.restoreState(state, LAYOUT_VERSION) or restored
        return restored


def _recent_text(path) -> str:
    if is_database_url(path):
        return str(DatabaseLocation(path))  # printed without the password
    return str(Path(path).resolve())
