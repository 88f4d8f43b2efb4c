"""Workspace files: the work that runs in a worker thread (reading a workspace, inspecting and
importing a layer file, copying a workspace, a batch check) as plain functions taking a
``progress`` callback that only call ``landtool`` and never touch a widget; and
:class:`WorkspaceFiles`, which asks the user and runs them for the window.

A workspace is a GeoPackage path or, shared, a ``postgresql://`` URL (a
:class:`~landtool.location.DatabaseLocation`, which carries the password given in the window
for connecting and never prints it): :func:`open_any` opens either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
from PySide6.QtCore import QObject

from landtool.location import DatabaseLocation, as_location, is_database_url
from landtool.workspace import BaseWorkspace, Workspace, open_workspace

Progress = Callable[..., None]
#: how the window's connections are named on the server (what "Who is connected" lists)
APPLICATION = "landtool-gui"


def _quiet(*_args) -> None:
    pass


def open_any(where: str | Path | DatabaseLocation) -> BaseWorkspace:
    """The workspace at ``where``: a GeoPackage, or a shared workspace (connected as
    :data:`APPLICATION`, with the password ``where`` carries)."""
    return open_workspace(where, application=APPLICATION)


@dataclass
class LoadedWorkspace:
    """A workspace's layers as read from the file, in the order the workspace lists them."""

    path: Path | DatabaseLocation
    workspace: BaseWorkspace
    frames: dict[str, gpd.GeoDataFrame]
    #: the layers prepared for a canvas that draws prepared layers (``set_layers``)
    layers: list = field(default_factory=list)
    #: a shared workspace's database user and its role there ('owner', 'officer', 'viewer')
    user: str | None = None
    role: str | None = None


def load_workspace(path: str | Path | DatabaseLocation, progress: Progress | None = None, *,
                   graphics: bool = False) -> LoadedWorkspace:
    """Open the workspace at ``path`` (a file or a database URL) and read every layer
    (EPSG:4326); for a shared workspace also who this user is there.

    Raises the :class:`~landtool.errors.LandtoolError` of the library when the file is not a
    workspace, the database cannot be reached or a layer cannot be read; nothing is shown
    until every layer is ready. ``graphics`` also prepares the drawing paths (for a canvas
    fed with prepared layers).
    """
    say = progress or _quiet
    ws = open_any(path)
    frames, prepared = {}, []
    try:
        records = ws.layers()
        for done, record in enumerate(records):
            say(done, len(records), f"{done}/{len(records)} {record.name}")  # status bar
            frames[record.name] = ws.read(record.name)
            if graphics:
                from gui.layer_graphics import build_layer_graphics
                from landtool.catalog import get_kind

                prepared.append(build_layer_graphics(record, get_kind(record.kind),
                                                     frames[record.name]))
        say(len(records), len(records), "")
        from gui import startup_trace

        startup_trace.mark("layers-read")
        if ws.shared:
            return LoadedWorkspace(ws.path, ws, frames, prepared, ws.user(), ws.role())
    except BaseException:  # a failed or cancelled read gives its connection back at once
        close(ws)
        raise
    return LoadedWorkspace(ws.path, ws, frames, prepared)


def load_sample_workspace(progress: Progress | None = None, *,
                          graphics: bool = False) -> LoadedWorkspace:
    """The bundled sample workspace, built first if missing (takes some seconds)."""
    from landtool.sample_workspace import ensure_sample_workspace

    return load_workspace(ensure_sample_workspace(progress=progress), progress,
                          graphics=graphics)


def new_workspace(path: str | Path, progress: Progress | None = None) -> LoadedWorkspace:
    """Create an empty workspace at ``path`` (replacing a file the user agreed to replace)."""
    Workspace.check_new_path(path, overwrite=True)
    ws = Workspace.init(path, overwrite=True)
    return LoadedWorkspace(ws.path, ws, {})


@dataclass
class FileSummary:
    """What a layer file holds, read before asking which kind of layer it is."""

    path: Path
    columns: list[str]
    geometry: str  # "polygon", "line" or "point" (the catalog's geometry kinds)
    count: int


def inspect_file(path: str | Path, progress: Progress | None = None, *,
                 source_layer: str | None = None) -> FileSummary:
    """Read ``path`` as it is (any supported format) and describe it; a LandtoolError names
    what is wrong with a file that cannot be read."""
    from landtool.io.formats import read_raw

    (progress or _quiet)(Path(path).name)
    raw = read_raw(path, layer=source_layer)
    types = set(raw.geometry.dropna().geom_type)
    if types & {"Polygon", "MultiPolygon"}:
        geometry = "polygon"
    elif types & {"LineString", "MultiLineString"}:
        geometry = "line"
    else:
        geometry = "point"
    return FileSummary(Path(path), [c for c in raw.columns if c != "geometry"], geometry,
                       len(raw))


@dataclass
class ImportedLayer:
    name: str
    kind: str
    gdf: gpd.GeoDataFrame  # as stored in the workspace
    report: list[str]  # what loading did (CRS, field mapping, repairs)
    graphics: object = None  # the layer prepared for the canvas


def import_layer(ws_path: str | Path | DatabaseLocation, source: str | Path, kind: str, name: str,
                 progress: Progress | None = None, *, mapping: Mapping[str, str] | None = None,
                 crs: str | None = None, replace: bool = False,
                 graphics: bool = True) -> ImportedLayer:
    """Load ``source`` as a layer of ``kind`` and add it to the workspace as ``name``.

    Raises :class:`~landtool.errors.FieldMappingError` when a required field is not found (the
    window then asks for a mapping and calls again); the workspace is unchanged on any error.
    """
    from landtool.io.load import load_layer

    say = progress or _quiet
    say(Path(source).name)
    layer = load_layer(source, kind, mapping=dict(mapping or {}), crs=crs)
    ws = open_any(ws_path)
    try:
        say(name)
        record = ws.add(layer, name=name, replace=replace)
        gdf = ws.read(record.name)
    finally:
        close(ws)
    prepared = None
    if graphics:
        from gui.layer_graphics import build_layer_graphics

        prepared = build_layer_graphics(record, layer.kind, gdf)
    return ImportedLayer(record.name, record.kind, gdf, layer.report_lines(), prepared)


def close(ws: BaseWorkspace | None) -> None:
    """Give a shared workspace's connection back (a GeoPackage holds none open)."""
    if ws is not None and ws.shared:
        ws.close()


def check_all(layers: Mapping[str, gpd.GeoDataFrame], kinds: Mapping[str, str],
              requests_layer: str, ruleset, as_of, progress: Progress | None = None):
    """Check every request of ``layers[requests_layer]`` against ``ruleset`` on ``as_of``,
    from a copy of the layers (the window keeps editing meanwhile); a CheckReport."""
    from landtool.check.context import CheckContext
    from landtool.check.engine import check_requests

    by_kind: dict[str, list] = {}
    for name, gdf in layers.items():
        by_kind.setdefault(kinds.get(name, ""), []).append((name, gdf))
    ctx = CheckContext(by_kind, as_of)
    return check_requests(layers[requests_layer], ruleset, ctx, progress=progress)


class WorkspaceFiles(QObject):
    """Opening, creating and saving the window's workspace: asks (a file, what to do with
    unsaved changes), reads in a worker (only the latest read may replace the workspace
    shown) and hands what was read to the window (``_on_loaded`` / ``_on_load_failed``)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window, self.state, self.runner = window, window.state, window.runner

    @property
    def lang(self):
        return self.window.lang

    def maybe_save(self) -> bool:
        """Ask what to do with unsaved changes; True when it is fine to go on."""
        from gui import dialogs

        if not self.state.dirty:
            return True
        answer = dialogs.ask_unsaved(self.window, self.lang, self.state.workspace.path.name)
        return answer == "discard" or (answer == "save" and self.save())

    def _ask_path(self, title_key: str, folder: str, *, save: bool) -> str:
        from PySide6.QtWidgets import QFileDialog

        from gui.i18n import tr

        ask = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
        path, _ = ask(self.window, tr(title_key, self.lang), folder,
                      tr("dialog.open_filter", self.lang))
        return path

    def choose(self) -> None:
        path = self._ask_path("dialog.open", self.window.settings.last_dir("open"), save=False)
        if path:
            self.open(path)

    def open(self, path: str | Path | DatabaseLocation, *, ask: bool = True) -> bool:
        """Open a GeoPackage, or a shared workspace's URL: one with no password (none in the
        URL nor in PGPASSWORD) is asked for first, unless the window runs unattended."""
        import os

        from gui.i18n import tr

        where = as_location(path)
        if isinstance(where, DatabaseLocation):
            if where.password is None and self.window.report_errors \
                    and not os.environ.get("PGPASSWORD"):
                return self.choose_shared(str(where), ask=ask)
        if ask and not self.maybe_save():
            return False
        if isinstance(where, Path):
            self.window.settings.set_last_dir("open", where)
        self._load(load_workspace, where, tr("status.opening", self.lang, path=where.name))
        return True

    def choose_shared(self, url: str = "", *, ask: bool = True) -> bool:
        """Ask a shared workspace's URL (``url``, else the last one opened) and the password
        (kept in memory only), then open it."""
        from gui import shared_dialog

        if not url:
            url = next((p for p in self.window.settings.recent() if is_database_url(p)), "")
        where = shared_dialog.ask_shared(self.window, self.lang, url)
        if where is None:
            return False
        if ask and not self.maybe_save():
            return False
        from gui.i18n import tr

        self._load(load_workspace, where, tr("status.opening", self.lang, path=where.name))
        return True

    def open_sample(self) -> None:
        """Open the bundled sample workspace, building it first if needed."""
        from gui.i18n import tr
        from landtool.paths import sample_workspace_path

        if not self.maybe_save():
            return
        key = "status.opening" if sample_workspace_path().exists() else "status.building_sample"
        self._load(load_sample_workspace, None,
                   tr(key, self.lang, path=sample_workspace_path().name))

    def new(self, path: str | Path | None = None) -> None:
        from gui.i18n import tr

        if not self.maybe_save():
            return
        if path is None:
            path = self._ask_path("dialog.new", self.window.settings.last_dir("open"),
                                  save=True)
            if not path:
                return
        path = Path(path)
        path = path if path.suffix.lower() == ".gpkg" else path.with_name(path.name + ".gpkg")
        self._load(new_workspace, path, tr("status.creating", self.lang, path=path.name))

    def _load(self, fn, path: Path | None, message: str) -> None:
        if self.state.workspace is None:
            self.window.canvas.set_message(message)
        args = () if path is None else (path,)
        extra = {} if fn is new_workspace else {"graphics": True}
        task = self.runner.run(fn, *args, key="workspace", message=message,
                               on_done=self.window._on_loaded,
                               on_error=self.window._on_load_failed, **extra)
        task.stepped.connect(self._show_loading)

    def _show_loading(self, task, done: int, total: int) -> None:
        """The empty map says how far the reading is: "Loading layers… 5/16"."""
        from gui.i18n import tr

        if self.state.workspace is None and self.runner.tasks()[-1:] == [task]:
            count = tr("status.loading_layers", self.lang, done=done, total=total)
            self.window.canvas.set_message(f"{task.context[1]}\n{count}")

    def save(self) -> bool:
        """Write the edits and the current check results to the workspace."""
        from gui.i18n import tr
        from landtool.errors import LandtoolError, StaleSaveError

        if self.state.workspace is None:
            return False
        try:
            self.state.save()
        except StaleSaveError as exc:  # another officer saved first: say how to go on
            from gui import dialogs

            dialogs.show_warning(self.window, tr("error.save", self.lang),
                                 tr("save.stale", self.lang, layer=exc.layer, by=exc.by,
                                    when=exc.when))
            return False
        except LandtoolError as exc:
            self.window.error("error.save", exc)
            return False
        self.window.say(tr("status.saved", self.lang, path=self.state.workspace.path.name))
        return True

    def save_as(self, path: str | Path | None = None) -> bool:
        """Save the workspace, with the edits, as ``path`` (asked for when not given) and go
        on in that file (:meth:`~gui.state.AppState.save_as`)."""
        from gui.i18n import tr
        from landtool.errors import LandtoolError

        ws = self.state.workspace
        if ws is None:
            return False
        if path is None:
            path = self._ask_path("dialog.save_as", str(ws.path.parent), save=True)
            if not path:
                return False
        path = Path(path)
        path = path if path.suffix.lower() == ".gpkg" else path.with_name(path.name + ".gpkg")
        try:
            new_ws = self.state.save_as(path)
        except (LandtoolError, OSError) as exc:
            self.window.error("error.save", exc)
            return False
        self.window.settings.add_recent(new_ws.path)
        from gui import window_menus

        window_menus.rebuild_recent(self.window)
        self.window.say(tr("status.saved", self.lang, path=new_ws.path.name))
        return True
