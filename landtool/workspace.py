"""A workspace: one GeoPackage file holding every layer of a project.

Each layer is a GeoPackage table in EPSG:4326; the table ``landtool_layers`` records, for each,
its catalog kind, where it came from, how it was reprojected and what was repaired. Every change
is made on a copy beside the file and moved into place only when complete, so a failed import or
an interruption leaves the workspace exactly as it was.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from landtool.catalog import GeometryKind, get_kind
from landtool.crs import crs_label, outside_mongolia
from landtool.errors import LandtoolError, WorkspaceError
from landtool.geodesy import MONGOLIA_ALBERS
from landtool.io.load import LoadedLayer
from landtool.location import DatabaseLocation, is_database_url
from landtool.validate import PROJECTED_NOTE, invalid_when_projected

META_TABLE = "landtool_layers"
CHECKS_TABLE = "landtool_checks"
INFO_TABLE = "landtool_workspace"
FORMAT_VERSION = "1"
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
#: Layer names that would collide with the workspace's own tables, the GeoPackage's, its
#: spatial indexes (rtree_<table>_<column>), SQLite's, or QGIS's styles (layer_styles).
RESERVED_PREFIXES = ("landtool_", "gpkg_", "rtree_", "sqlite_")
RESERVED_NAMES = ("layer_styles",)
_INFO_KEYS = ("format_version", "created_at", "title")


@dataclass(frozen=True)
class LayerRecord:
    """What the workspace records about one of its layers."""

    name: str
    kind: str
    source: str
    added_at: str
    feature_count: int
    reprojection: str
    problems: tuple[str, ...]
    #: ids of the features valid in degrees but invalid once projected to a metric CRS, as
    #: found when the layer was loaded; None for a layer added before this was recorded
    projected_invalid: tuple[str, ...] | None = None


@dataclass(frozen=True)
class LayerInfo:
    """A description of a layer as it is now, for ``workspace info``."""

    record: LayerRecord
    feature_count: int
    geometry_type: str
    crs: str
    extent: tuple[float, float, float, float]
    problems: tuple[str, ...]


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class BaseWorkspace:
    """What every workspace answers, whether a GeoPackage file (:class:`Workspace`) or a
    shared PostgreSQL database (:class:`landtool.workspace_pg.PgWorkspace`): the layers are
    read and written through ``layers``, ``read``, ``add``, ``update``, ``modify`` and
    ``remove``; the check results through ``checks`` and ``save_checks``."""

    #: a file (Path) or a database (DatabaseLocation), for messages and default folders
    path: Path | DatabaseLocation
    #: True for a shared database workspace
    shared = False

    def layers(self) -> list[LayerRecord]:
        raise NotImplementedError

    def read(self, name: str, *, bbox=None) -> gpd.GeoDataFrame:
        raise NotImplementedError

    def layer_names(self) -> list[str]:
        return [r.name for r in self.layers()]

    def reload(self) -> None:
        """Read the list of layers afresh next time (another program may have added one)."""
        self._records = None

    def close(self) -> None:
        """Give back what the workspace holds open (a shared workspace's connection)."""

    def track(self, name: str) -> None:
        """Take layer ``name`` as this client has it now, as if just read (a shared workspace
        refuses a later save of it if another client saved it in between)."""

    @contextmanager
    def batch(self, doing: str = "save") -> Iterator[None]:
        """Several changes as one save: no other writer comes in between; in a shared
        workspace they also land together or not at all (one transaction). A GeoPackage
        replaces its file at each change, so there an interruption between two changes keeps
        the first."""
        with write_lock(self.path):
            yield

    def record(self, name: str) -> LayerRecord:
        for r in self.layers():
            if r.name == name:
                return r
        raise WorkspaceError(f"the workspace has no layer {name!r}", path=self.path,
                             hint=f"its layers are: {', '.join(self.layer_names()) or '(none)'}")

    def layers_of_kind(self, kind: str) -> list[str]:
        return [r.name for r in self.layers() if r.kind == kind]

    def info(self) -> list[LayerInfo]:
        """Every layer with its kind, feature count, CRS, extent and validity problems now."""
        out = []
        for rec in self.layers():
            gdf = self.read(rec.name)
            out.append(LayerInfo(rec, len(gdf), _geometry_type(gdf),
                                 crs_label(gdf.crs, short=True),
                                 tuple(float(v) for v in gdf.total_bounds),
                                 tuple(_current_problems(gdf, rec))))
        return out

    def _check_new_name(self, name: str, replace: bool) -> list[LayerRecord]:
        """The records that stay when a layer called ``name`` is added."""
        if not _NAME_RE.match(name):
            raise WorkspaceError(
                f"{name!r} is not a usable layer name", path=self.path,
                hint="use lower-case letters, digits and _, starting with a letter",
            )
        if name.startswith(RESERVED_PREFIXES) or name in RESERVED_NAMES:
            raise WorkspaceError(
                f"{name!r} is reserved for the workspace's own tables", path=self.path,
                hint="give another --name; names starting with "
                + ", ".join(RESERVED_PREFIXES) + " and the name "
                + ", ".join(RESERVED_NAMES) + " are reserved",
            )
        records = [r for r in self.layers() if not (replace and r.name == name)]
        if any(r.name == name for r in records):
            raise WorkspaceError(f"the workspace already has a layer {name!r}", path=self.path,
                                 hint="give another --name, or pass --replace to replace it")
        return records

    @staticmethod
    def _new_record(layer: LoadedLayer, name: str) -> LayerRecord:
        return LayerRecord(name, layer.kind.id, str(layer.source), _now(), len(layer.gdf),
                           layer.reprojection.describe(),
                           tuple(str(p) for p in layer.problems),
                           tuple(str(i) for i in layer.projected_invalid))

    @staticmethod
    def _edited_record(old: LayerRecord, count: int, note: str) -> LayerRecord:
        return LayerRecord(old.name, old.kind, old.source, old.added_at, count,
                           old.reprojection, (*old.problems, f"[edit {_now()}] {note}"),
                           old.projected_invalid)


class Workspace(BaseWorkspace):
    """An existing workspace GeoPackage.

    Examples
    --------
    >>> ws = Workspace.init("project.gpkg")                     # doctest: +SKIP
    >>> ws.add(load_layer("licences.shp", "licenses"))          # doctest: +SKIP
    >>> [r.name for r in ws.layers()]                           # doctest: +SKIP
    ['licenses']
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._records: list[LayerRecord] | None = None  # read once; reset by add and remove
        if not self.path.exists():
            raise WorkspaceError("the workspace does not exist", path=self.path,
                                 hint="create it with `landtool workspace init`")
        recover_interrupted_write(self.path)
        try:
            tables = {name for name, _ in pyogrio.list_layers(self.path)}
        except Exception as exc:  # pyogrio raises several kinds for a non-GeoPackage
            raise WorkspaceError(f"not a readable GeoPackage ({exc})", path=self.path,
                                 hint="open a .gpkg made by `landtool workspace init`") from exc
        if META_TABLE not in tables:
            raise WorkspaceError(
                "this GeoPackage is not a landtool workspace (no landtool_layers table)",
                path=self.path,
                hint="create a workspace with `landtool workspace init` and add the "
                "GeoPackage's layers to it with `landtool workspace add`",
            )

    # -- creating -------------------------------------------------------------------------
    @staticmethod
    def check_new_path(path: str | Path, *, overwrite: bool = False) -> Path:
        """Refuse a path a new workspace cannot be created at."""
        path = Path(path)
        if path.suffix.lower() != ".gpkg":
            raise WorkspaceError("a workspace is a GeoPackage: its name must end in .gpkg",
                                 path=path)
        if path.exists() and not overwrite:
            raise WorkspaceError("the file already exists", path=path,
                                 hint="choose another name, or pass --force to replace it")
        return path

    @classmethod
    def init(cls, path: str | Path, *, title: str = "", overwrite: bool = False,
             extra: Mapping[str, str] | None = None) -> Workspace:
        """Create an empty workspace at ``path``.

        ``extra`` key/values are stored in the workspace's info table beside the format
        version, the creation time and the title (the sample workspace keeps the fingerprint
        of its generator there); :meth:`info_values` reads them back.
        """
        path = cls.check_new_path(path, overwrite=overwrite)
        extra = {str(k): str(v) for k, v in (extra or {}).items()}
        taken = [k for k in extra if k in _INFO_KEYS]
        if taken:
            raise WorkspaceError(f"the info key {taken[0]!r} is set by landtool itself",
                                 path=path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"cannot create the folder ({exc.strerror or exc})",
                                 path=path) from exc
        with _atomic_copy(None, path) as tmp:
            info = pd.DataFrame({"key": [*_INFO_KEYS, *extra],
                                 "value": [FORMAT_VERSION, _now(), title, *extra.values()]})
            pyogrio.write_dataframe(info, tmp, layer=INFO_TABLE, driver="GPKG")
            _write_meta(tmp, [])
        return cls(path)

    # -- reading --------------------------------------------------------------------------
    def info_values(self) -> dict[str, str]:
        """The workspace's info table: format_version, created_at, title and any extra keys
        given to :meth:`init`."""
        try:
            df = pyogrio.read_dataframe(self.path, layer=INFO_TABLE, read_geometry=False)
        except Exception as exc:  # pyogrio raises several kinds for a missing table
            raise WorkspaceError(f"cannot read the workspace's info table ({exc})",
                                 path=self.path) from exc
        return {str(k): "" if v is None or v != v else str(v)
                for k, v in zip(df["key"], df["value"], strict=True)}

    def dem(self) -> Path | None:
        """The workspace's DEM for pit volumes: the ``dem`` info value (a path relative to the
        workspace's folder), if it is set and the file exists. Every cost estimate made from a
        workspace uses it unless another DEM is given."""
        name = self.info_values().get("dem")
        path = (self.path.parent / name) if name else None
        return path if path is not None and path.exists() else None

    def layers(self) -> list[LayerRecord]:
        """The records of every layer, in the order they were added (read once per instance;
        :meth:`add` and :meth:`remove` keep them up to date)."""
        if self._records is None:
            self._records = _read_meta(self.path)
        return list(self._records)

    def read(self, name: str, *, bbox=None) -> gpd.GeoDataFrame:
        """One layer as a GeoDataFrame in EPSG:4326."""
        self.record(name)
        recover_interrupted_write(self.path)  # another program may have been cut off since
        return pyogrio.read_dataframe(self.path, layer=name, bbox=bbox)

    # -- changing -------------------------------------------------------------------------
    def add(self, layer: LoadedLayer, *, name: str | None = None,
            replace: bool = False) -> LayerRecord:
        """Store a loaded layer; the workspace is unchanged if anything fails."""
        name = name or layer.kind.id
        records = self._check_new_name(name, replace)
        record = self._new_record(layer, name)
        self._records = None
        with _atomic_copy(self.path, self.path) as tmp:
            pyogrio.write_dataframe(_for_gpkg(layer.gdf), tmp, layer=name, driver="GPKG",
                                    append=False)
            _write_meta(tmp, [*records, record])
        return record

    def update(self, name: str, gdf: gpd.GeoDataFrame, *, note: str,
               then: Callable[[Path], None] | None = None) -> LayerRecord:
        """Replace the features of an existing layer (an edit made in landtool, e.g. a status
        change); its record keeps the kind and source and gains ``note`` in its history.

        ``then(path)`` is called on the working copy before it replaces the workspace, so that
        what it writes there (e.g. the decision logged with the edit) lands together with it.
        """
        old = self.record(name)
        if gdf.crs is None or gdf.crs.to_epsg() != 4326:
            raise WorkspaceError("edited features must be in EPSG:4326", path=self.path)
        record = self._edited_record(old, len(gdf), note)
        records = [record if r.name == name else r for r in self.layers()]
        self._records = None
        with _atomic_copy(self.path, self.path) as tmp:
            pyogrio.write_dataframe(_for_gpkg(gdf), tmp, layer=name, driver="GPKG",
                                    append=False)
            _write_meta(tmp, records)
            if then is not None:
                then(tmp)
        return record

    def modify(self, name: str, change: Callable, *, note: str, user: str | None = None):
        """Read layer ``name``, apply ``change`` and write the result, with no other writer in
        between (under the write lock): ``change(gdf)`` returns ``(new_gdf, decisions, value)``
        where ``decisions`` are ``(action, subject, details, inputs_hash)`` tuples logged with
        the change; returns ``value``. This is how a request is registered: the queue number is
        taken from the layer as it is at that moment."""
        from landtool import decisions as log

        with write_lock(self.path):
            self._records = None
            new, logged, value = change(self.read(name))
            self.update(name, new, note=note,
                        then=(lambda tmp: log.append_many(tmp, logged, user=user))
                        if logged else None)
        return value

    # -- check results ----------------------------------------------------------------------
    def save_checks(self, rows: list[dict], *,
                    then: Callable[[Path], None] | None = None) -> None:
        """Store check results (one row per request: see :mod:`landtool.check.store`),
        replacing earlier results for the same requests; ``then`` as in :meth:`update`."""
        new = pd.DataFrame(rows)
        old = self.checks()
        if old is not None:
            old = old[~old["request_id"].isin(new["request_id"])]
            new = pd.concat([old, new], ignore_index=True)
        with _atomic_copy(self.path, self.path) as tmp:
            pyogrio.write_dataframe(new, tmp, layer=CHECKS_TABLE, driver="GPKG", append=False)
            if then is not None:
                then(tmp)

    def checks(self) -> pd.DataFrame | None:
        """The stored check results, or None if no check was saved yet."""
        if CHECKS_TABLE not in {n for n, _ in pyogrio.list_layers(self.path)}:
            return None
        return pyogrio.read_dataframe(self.path, layer=CHECKS_TABLE, read_geometry=False)

    def remove(self, name: str) -> None:
        """Delete a layer, with its rows in the GeoPackage's own tables."""
        self.record(name)
        keep = [r for r in self.layers() if r.name != name]
        self._records = None
        with _atomic_copy(self.path, self.path) as tmp:
            with closing(sqlite3.connect(tmp)) as con, con:  # commit, then close
                _drop_table(con, name)
            _write_meta(tmp, keep)


def _for_gpkg(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.copy()
    for col in out.columns:
        if col != out.geometry.name and out[col].dtype == object:
            out[col] = out[col].map(lambda v: None if v is None or v is pd.NA else v)
    return out


def _drop_table(con: sqlite3.Connection, name: str) -> None:
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    # The spatial index is rtree_<table>_<geometry column>: named exactly, as a LIKE pattern
    # would take the _ in a name as a wildcard (and drop another layer's index).
    columns = [r[0] for r in con.execute(
        "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (name,))]
    for column in columns:
        con.execute(f'DROP TABLE IF EXISTS "rtree_{name}_{column}"')
    for table, key in (("gpkg_geometry_columns", "table_name"), ("gpkg_contents", "table_name"),
                       ("gpkg_extensions", "table_name"), ("gpkg_ogr_contents", "table_name"),
                       ("layer_styles", "f_table_name")):
        if table in tables:
            con.execute(f'DELETE FROM "{table}" WHERE "{key}" = ?', (name,))
    con.execute(f'DROP TABLE IF EXISTS "{name}"')


def _read_meta(path: Path) -> list[LayerRecord]:
    df = pyogrio.read_dataframe(path, layer=META_TABLE, read_geometry=False)
    projected = (df["projected_invalid"] if "projected_invalid" in df.columns
                 else [None] * len(df))
    return [
        LayerRecord(r.name, r.kind, r.source, r.added_at, int(r.feature_count),
                    r.reprojection, tuple(json.loads(r.problems)),
                    None if p is None or p != p else tuple(json.loads(p)))
        for r, p in zip(df.itertuples(), projected, strict=True)
    ]


def _write_meta(path: Path, records: list[LayerRecord]) -> None:
    df = pd.DataFrame(
        {
            "name": [r.name for r in records],
            "kind": [r.kind for r in records],
            "source": [r.source for r in records],
            "added_at": [r.added_at for r in records],
            "feature_count": np.array([r.feature_count for r in records], dtype="int64"),
            "reprojection": [r.reprojection for r in records],
            "problems": [json.dumps(list(r.problems), ensure_ascii=False) for r in records],
            "projected_invalid": [None if r.projected_invalid is None else
                                  json.dumps(list(r.projected_invalid), ensure_ascii=False)
                                  for r in records],
        }
    )
    pyogrio.write_dataframe(df, path, layer=META_TABLE, driver="GPKG", append=False)


@contextmanager
def _atomic_copy(src: Path | None, dest: Path):
    """Work on a copy of ``src`` (or a new file) and move it onto ``dest`` only on success.

    An interruption at any moment (even ``kill -9``) leaves ``dest`` as it was or as it is
    after the change: ``os.replace`` swaps the whole file at once. The copy carries the writer's
    process id in its name, so copies left by interrupted writers are removed by the next one.
    """
    with write_lock(dest):
        yield from _copy_and_replace(src, dest)


def _copy_and_replace(src: Path | None, dest: Path):
    _remove_orphaned_copies(dest)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.stem}-{os.getpid()}-", suffix=".gpkg",
                               dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        if src is not None:
            # an interrupted SQLite transaction leaves a journal beside the file: reading the
            # file once makes SQLite roll it back, so the copy is of a consistent database
            with closing(sqlite3.connect(src, timeout=30)) as con:
                con.execute("SELECT count(*) FROM sqlite_master").fetchone()
            shutil.copyfile(src, tmp)
        else:
            tmp.unlink()
        yield tmp
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except LandtoolError:
        raise
    except Exception as exc:
        raise WorkspaceError(f"could not write the workspace ({exc}); it is unchanged",
                             path=dest) from exc
    finally:
        tmp.unlink(missing_ok=True)
        for side in (Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
            side.unlink(missing_ok=True)


@contextmanager
def write_lock(path: Path, *, timeout: float = 60.0):
    """Hold the workspace's write lock: saves and log appends take it, so two writers never
    interleave (one waits for the other, up to ``timeout``). The lock file lives in the system's
    temporary folder, named by the workspace's resolved path, so nothing is left beside it."""
    import fcntl
    import hashlib
    import time

    folder = Path(tempfile.gettempdir()) / "landtool-locks"
    folder.mkdir(exist_ok=True)
    key = hashlib.sha256(str(Path(path).resolve()).encode()).hexdigest()[:32]
    held = getattr(_HELD, "keys", None)
    if held is None:
        held = _HELD.keys = set()
    if key in held:  # this thread holds it already (e.g. modify() calling update())
        yield
        return
    lock_path = folder / f"{key}.lock"
    with open(lock_path, "a") as fh:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise WorkspaceError(
                        "another program is still writing this workspace", path=path,
                        hint="wait until it has finished, then try again") from None
                time.sleep(0.05)
        held.add(key)
        try:
            yield
        finally:
            held.discard(key)
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


_HELD = threading.local()  # the write locks this thread holds


_COPY_RE = r"^\.{stem}-(\d+)-[A-Za-z0-9_]+\.gpkg(-wal|-shm|-journal)?$"


def recover_interrupted_write(path: Path) -> None:
    """Finish what SQLite does after a write was cut off (a power cut, ``kill -9`` during a
    log append): a transaction left unfinished leaves a "hot" rollback journal beside the file,
    and only a connection that may write rolls it back. Until then every read-only reader
    (GDAL's, and the log's) is refused with "attempt to write a readonly database". Opening it
    once for writing, under the write lock, restores the last committed state."""
    journal = Path(f"{path}-journal")
    if not journal.exists():
        return
    with write_lock(path), closing(sqlite3.connect(path, timeout=30)) as con:
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()  # rolls the journal back


def _remove_orphaned_copies(dest: Path) -> None:
    """Delete working copies of ``dest`` (``.<stem>-<pid>-<random>.gpkg`` and SQLite's
    sidecars) whose writer process no longer exists."""
    pattern = re.compile(_COPY_RE.format(stem=re.escape(dest.stem)))
    for leftover in dest.parent.iterdir():
        match = pattern.match(leftover.name)
        if match and not _alive(int(match.group(1))):
            leftover.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _geometry_type(gdf: gpd.GeoDataFrame) -> str:
    types = sorted(set(gdf.geom_type.dropna()))
    return "/".join(types) if types else "none"


def _current_problems(gdf: gpd.GeoDataFrame, record: LayerRecord) -> list[str]:
    kind = get_kind(record.kind)
    ids = (gdf[kind.id_field].astype(str).tolist() if kind.id_field in gdf.columns
           else [f"row {i + 1}" for i in range(len(gdf))])
    problems = []
    geoms = gdf.geometry.values
    for i in np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms)):
        problems.append(f"{ids[i]}: no geometry")
    present = ~shapely.is_missing(geoms)
    for i in np.flatnonzero(present & ~shapely.is_valid(geoms)):
        problems.append(f"{ids[i]}: invalid ({shapely.is_valid_reason(geoms[i])})")
    for i in np.flatnonzero(outside_mongolia(geoms)):  # the same test as loading
        problems.append(f"{ids[i]}: outside Mongolia")
    projected = record.projected_invalid
    if projected is None:  # a layer added before loading recorded it: found now
        projected = ([ids[i] for i in np.flatnonzero(invalid_when_projected(geoms,
                                                                            MONGOLIA_ALBERS))]
                     if kind.geometry is GeometryKind.POLYGON else [])
    problems += [f"{fid}: {PROJECTED_NOTE}" for fid in projected]
    return problems


def open_workspace(where: str | Path | DatabaseLocation, *, password: str | None = None,
                   application: str = "landtool") -> BaseWorkspace:
    """The workspace at ``where``: a GeoPackage path, or a ``postgresql://`` URL of a shared
    workspace (``password`` if the URL and ~/.pgpass have none; ``application`` is the name
    the server shows for the connection, e.g. in ``workspace who``)."""
    if is_database_url(where):
        from landtool.workspace_pg import PgWorkspace

        return PgWorkspace(where, password=password, application=application)
    return Workspace(where)


def init_workspace(where: str | Path, *, title: str = "", overwrite: bool = False,
                   extra: Mapping[str, str] | None = None,
                   password: str | None = None) -> BaseWorkspace:
    """Create an empty workspace: a GeoPackage, or the tables of a shared workspace in the
    database a ``postgresql://`` URL names (created if the server lets this user)."""
    if is_database_url(where):
        from landtool.workspace_pg import PgWorkspace

        return PgWorkspace.init(where, title=title, overwrite=overwrite, extra=extra,
                                password=password)
    return Workspace.init(where, title=title, overwrite=overwrite, extra=extra)
