"""Which raster file a workspace draws under its maps (its background imagery).

The workspace keeps a path reference, never a copy (a scene can be gigabytes): the info value
``background``. A GeoPackage workspace keeps it relative to its own folder when the raster is
inside that folder (the workspace and its imagery move together), otherwise absolute; a shared
workspace on PostgreSQL keeps an absolute path (say on the office's shared drive), and only its
owner may change it.
"""

from __future__ import annotations

from pathlib import Path

from landtool.workspace.base import BaseWorkspace

#: the info-table key holding the background's path
BACKGROUND_KEY = "background"


def _folder(ws: BaseWorkspace) -> Path | None:
    return None if ws.shared else Path(ws.path).resolve().parent


def workspace_background(ws: BaseWorkspace) -> Path | None:
    """The workspace's background raster (a file or a tile folder), or None if it has none.
    The path is returned whether or not it exists: opening it says what is wrong."""
    value = ws.info_values().get(BACKGROUND_KEY, "")
    if not value:
        return None
    path = Path(value)
    folder = _folder(ws)
    if not path.is_absolute() and folder is not None:
        path = folder / path
    return path


def set_workspace_background(ws: BaseWorkspace, path: str | Path | None) -> None:
    """Make ``path`` the workspace's background (None: no background). The caller checks
    first that it opens (:func:`landtool.imagery.open_imagery`)."""
    if path is None:
        ws.set_info(BACKGROUND_KEY, None)
        return
    ws.set_info(BACKGROUND_KEY, stored_path(ws, Path(path)))


def stored_path(ws: BaseWorkspace, path: Path) -> str:
    """How the workspace records ``path``: relative to a GeoPackage's folder when inside it."""
    path = path.resolve()
    folder = _folder(ws)
    if folder is not None and path.is_relative_to(folder):
        return path.relative_to(folder).as_posix()
    return str(path)


def absolute_info(ws: BaseWorkspace, info: dict[str, str]) -> dict[str, str]:
    """``info`` with a relative background made absolute (for a copy elsewhere, e.g. a push
    into a database, where a path relative to the GeoPackage's folder would mean nothing)."""
    background = workspace_background(ws) if info.get(BACKGROUND_KEY) else None
    if background is None or Path(info[BACKGROUND_KEY]).is_absolute():
        return info
    return {**info, BACKGROUND_KEY: str(background)}
