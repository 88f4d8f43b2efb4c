"""A workspace in one GeoPackage file, changed in place.

Every change (an import, a saved edit, a registration, a decision, saved check results) is ONE
SQLite transaction on the file itself (``BEGIN IMMEDIATE`` … ``COMMIT``): the layer's rows, the
layer records, the saved checks and the log entries land together or not at all, also on
``kill -9`` or a power cut (SQLite's rollback journal with ``synchronous=FULL``; the next
opener rolls an interrupted change back). GDAL (through pyogrio) encodes a layer's new contents
into a scratch GeoPackage in the temporary folder, and the transaction moves them into the
workspace: the table, its rows, its spatial index and triggers and the ``gpkg_*`` rows that
describe it. So the cost of a change grows with the change, not with the workspace, and the
file is written, never replaced: symbolic and hard links, owner and mode stay as they were.

landtool's writers of one file are served one after the other (:mod:`landtool.workspace.lock`)
and its readers never see half a change; other programs meet SQLite's own locks, waited on in
the same way. A file or folder that may not be written, a full disk or a file another program
holds: :class:`~landtool.errors.WorkspaceError` naming the file, the workspace unchanged.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from landtool.errors import LandtoolError, StaleSaveError, WorkspaceError
from landtool.io.load import LoadedLayer
from landtool.workspace import decisions, photos_gpkg
from landtool.workspace.base import (
    _INFO_KEYS,
    CHECKS_TABLE,
    FORMAT_VERSION,
    INFO_TABLE,
    META_TABLE,
    BaseWorkspace,
    LayerRecord,
    _now,
    check_layer_name,
)
from landtool.workspace.lock import (
    holds_write_lock,
    lock_timeout,
    read_lock,
    recover_interrupted_write,
    wait_while_held,
    while_held,
    write_lock,
)

#: the tables describing a GeoPackage's layers, each with the column naming the layer
_GPKG_TABLES = (("gpkg_contents", "table_name"), ("gpkg_geometry_columns", "table_name"),
                ("gpkg_extensions", "table_name"), ("gpkg_ogr_contents", "table_name"))


class GpkgTransaction:
    """One open change of a GeoPackage workspace (under its write lock, inside
    ``BEGIN IMMEDIATE``). Reads through the workspace inside it see the file as it was when the
    change began; the log (``log``) and the layer records see what was written inside too."""

    def __init__(self, ws: Workspace, con: sqlite3.Connection, scratch: Path) -> None:
        self.ws = ws
        self.path = ws.path
        self.con = con
        self.log = decisions.SqliteLog(con)
        self._scratch = scratch
        self._count = 0
        self._records: list[LayerRecord] | None = None
        self._records_changed = False
        #: the check results as written inside this change (None: as in the file)
        self.checks: pd.DataFrame | None = None

    # -- what is written ----------------------------------------------------------------
    def records(self) -> list[LayerRecord]:
        if self._records is None:
            self._records = _read_meta(self.ws.path)
        return list(self._records)

    def set_records(self, records: list[LayerRecord]) -> None:
        self._records = list(records)
        self._records_changed = True

    def encode(self, name: str, frame: pd.DataFrame) -> Path:
        """``frame`` as table ``name`` of a scratch GeoPackage, written by GDAL."""
        self._count += 1
        return encode(frame, name, self._scratch / f"{self._count}.gpkg", self.path)

    def put_table(self, name: str, frame: pd.DataFrame | Path) -> None:
        """Replace table ``name`` (a layer, or an attribute table) by ``frame`` (or by the
        table of that name in a scratch GeoPackage from :meth:`encode`)."""
        scratch = frame if isinstance(frame, Path) else self.encode(name, frame)
        _transplant(self.con, scratch, name)
        photos_gpkg.follow(self.con, name)  # the photos' links to the layer's new fids

    def drop_table(self, name: str) -> None:
        _drop_table(self.con, name)
        photos_gpkg.follow(self.con, name)

    def finish(self) -> None:
        """What is written once, at the end: the layer records."""
        if self._records_changed:
            self.put_table(META_TABLE, _meta_frame(self._records or []))


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
        self._records: list[LayerRecord] | None = None  # read once; reset by every change
        self._local = threading.local()  # the transaction open in this thread, if any
        #: layer -> its record when this instance first read it: a later save of the layer is
        #: refused if another program changed it since (every landtool change of a layer
        #: changes its record: feature count, or an "[edit time] note" in its history)
        self._seen: dict[str, LayerRecord] = {}
        if not self.path.exists():
            raise WorkspaceError("the workspace does not exist", path=self.path,
                                 hint="create it with `landtool workspace init`")
        recover_interrupted_write(self.path)
        try:
            with read_lock(self.path):
                wait_while_held(self.path)  # another program may hold it (GDAL would not wait)
                tables = {name for name, _ in pyogrio.list_layers(self.path)}
        except LandtoolError:
            raise
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
             extra: Mapping[str, str] | None = None,
             fill: Callable[[GpkgTransaction], None] | None = None) -> Workspace:
        """Create an empty workspace at ``path``.

        ``extra`` key/values are stored in the workspace's info table beside the format
        version, the creation time and the title (the sample workspace keeps the fingerprint
        of its generator there); :meth:`info_values` reads them back. ``fill(tx)`` writes
        the new workspace's first contents: the file appears at ``path`` only once complete
        (it is made beside it and moved there, a new file: nothing existing is copied).
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
        _refuse_unwritable(path, new=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.stem}-new-", suffix=".gpkg",
                                    dir=path.parent)
        os.close(fd)
        tmp = Path(name)
        try:
            with _storage_errors(path, "create the workspace"):
                tmp.unlink()
                info = pd.DataFrame({"key": [*_INFO_KEYS, *extra],
                                     "value": [FORMAT_VERSION, _now(), title, *extra.values()]})
                pyogrio.write_dataframe(info, tmp, layer=INFO_TABLE, driver="GPKG")
                pyogrio.write_dataframe(_meta_frame([]), tmp, layer=META_TABLE, driver="GPKG")
                if fill is not None:
                    with cls(tmp).transaction("write the new workspace") as tx:
                        fill(tx)
                os.replace(tmp, path)
        finally:
            for leftover in (tmp, Path(f"{tmp}-journal")):
                leftover.unlink(missing_ok=True)
        return cls(path)

    # -- reading --------------------------------------------------------------------------
    def _tx(self) -> GpkgTransaction | None:
        return getattr(self._local, "tx", None)

    def info_values(self) -> dict[str, str]:
        """The workspace's info table: format_version, created_at, title and any extra keys
        given to :meth:`init`."""
        try:
            with read_lock(self.path):
                df = pyogrio.read_dataframe(self.path, layer=INFO_TABLE, read_geometry=False)
        except LandtoolError:
            raise
        except Exception as exc:  # pyogrio raises several kinds for a missing table
            raise WorkspaceError(f"cannot read the workspace's info table ({exc})",
                                 path=self.path) from exc
        return {str(k): "" if v is None or v != v else str(v)
                for k, v in zip(df["key"], df["value"], strict=True)}

    def set_info(self, key: str, value: str | None) -> None:
        """Set (or, with None, remove) one extra info value, in one change."""
        if key in _INFO_KEYS:
            raise WorkspaceError(f"the info key {key!r} is set by landtool itself",
                                 path=self.path)
        with self.transaction(f"set the workspace's {key}") as tx:
            table = f'"{INFO_TABLE}"'
            tx.con.execute(f"DELETE FROM {table} WHERE key = ?", (key,))
            if value is not None:
                tx.con.execute(f"INSERT INTO {table} (key, value) VALUES (?, ?)", (key, value))

    def dem(self) -> Path | None:
        """The workspace's DEM for pit volumes: the ``dem`` info value (a path relative to the
        workspace's folder), if it is set and the file exists. Every cost estimate made from a
        workspace uses it unless another DEM is given."""
        name = self.info_values().get("dem")
        path = (self.path.parent / name) if name else None
        return path if path is not None and path.exists() else None

    def layers(self) -> list[LayerRecord]:
        """The records of every layer, in the order they were added (read once per instance
        and again after every change; inside a change, as that change has them)."""
        tx = self._tx()
        if tx is not None:
            return tx.records()
        if self._records is None:
            self._records = _read_meta(self.path)
        return list(self._records)

    def read(self, name: str, *, bbox=None) -> gpd.GeoDataFrame:
        """One layer as a GeoDataFrame in EPSG:4326."""
        # the record was read before the features: if another program changed the layer in
        # between, a later save is refused (never the other way round)
        self._seen.setdefault(name, self.record(name))
        if not holds_write_lock(self.path):
            recover_interrupted_write(self.path)  # another program may have been cut off
        with read_lock(self.path):
            return pyogrio.read_dataframe(self.path, layer=name, bbox=bbox)

    def track(self, name: str) -> None:
        self._seen.setdefault(name, self.record(name))

    def checks(self) -> pd.DataFrame | None:
        """The stored check results, or None if no check was saved yet."""
        tx = self._tx()
        if tx is not None and tx.checks is not None:
            return tx.checks.copy()
        with read_lock(self.path):
            if CHECKS_TABLE not in {n for n, _ in pyogrio.list_layers(self.path)}:
                return None
            return pyogrio.read_dataframe(self.path, layer=CHECKS_TABLE, read_geometry=False)

    # -- changing -------------------------------------------------------------------------
    @contextmanager
    def transaction(self, doing: str = "change the workspace") -> Iterator[GpkgTransaction]:
        """One change: everything written inside lands together when the block ends, or
        nothing does (an exception, ``kill -9``, a power cut). No other writer comes in
        between; a change begun inside an open one joins it."""
        open_tx = self._tx()
        if open_tx is not None:
            yield open_tx
            return
        _refuse_unwritable(self.path)
        seen = dict(self._seen)  # put back if the change rolls back: its records never landed
        with write_lock(self.path), \
                tempfile.TemporaryDirectory(prefix="landtool-change-") as scratch:
            with _storage_errors(self.path, doing):
                recover_interrupted_write(self.path)
                con = _begin(self.path)
            try:
                tx = GpkgTransaction(self, con, Path(scratch))
                self._local.tx = tx
                try:
                    with _storage_errors(self.path, doing, only=sqlite3.Error):
                        yield tx  # the caller's own failures pass through as they are
                    with _storage_errors(self.path, doing):
                        tx.finish()
                        con.execute("COMMIT")
                finally:
                    self._local.tx = None
            except BaseException:
                self._seen = seen
                if con.in_transaction:
                    try:
                        con.execute("ROLLBACK")
                    except sqlite3.Error:  # closing the connection rolls back as well
                        pass
                raise
            finally:
                con.close()
                self._records = None

    def add(self, layer: LoadedLayer, *, name: str | None = None,
            replace: bool = False) -> LayerRecord:
        """Store a loaded layer; the workspace is unchanged if anything fails."""
        name = name or layer.kind.id
        check_layer_name(name, self.path)
        record = self._new_record(layer, name)
        with tempfile.TemporaryDirectory(prefix="landtool-add-") as scratch:
            # encoded before the lock is taken: other writers wait only for the move
            encoded = encode(_for_gpkg(layer.gdf), name, Path(scratch) / "layer.gpkg",
                             self.path)
            with self.transaction(f"add layer {name}") as tx:
                records = self._check_new_name(name, replace)  # the list the write changes
                tx.put_table(name, encoded)
                tx.set_records([*records, record])
        self._seen[name] = record
        return record

    def update(self, name: str, gdf: gpd.GeoDataFrame, *, note: str,
               then: Callable[[GpkgTransaction], None] | None = None) -> LayerRecord:
        """Replace the features of an existing layer (an edit made in landtool, e.g. a status
        change); its record keeps the kind and source and gains ``note`` in its history.
        ``then(tx)`` runs in the same transaction (e.g. the decision logged with the edit)."""
        if gdf.crs is None or gdf.crs.to_epsg() != 4326:
            raise WorkspaceError("edited features must be in EPSG:4326", path=self.path)
        with self.transaction(f"save layer {name}") as tx:
            current = self.record(name)
            seen = self._seen.get(name)
            if seen is not None and seen != current:
                raise _stale(self.path, current)
            record = self._edited_record(current, len(gdf), note)
            tx.put_table(name, _for_gpkg(gdf))
            tx.set_records([record if r.name == name else r for r in self.layers()])
            if then is not None:
                then(tx)
        self._seen[name] = record
        return record

    def modify(self, name: str, change: Callable, *, note: str, user: str | None = None):
        """Read layer ``name``, apply ``change`` and write the result in one transaction, with
        no other writer in between: ``change(gdf)`` returns ``(new_gdf, decisions, value)``
        where ``decisions`` are ``(action, subject, details, inputs_hash)`` tuples logged with
        the change; returns ``value``. This is how a request is registered: the queue number is
        taken from the layer as it is at that moment."""
        with self.transaction(f"change layer {name}") as tx:
            gdf = self.read(name)
            self._seen[name] = self.record(name)  # read inside the change: not stale
            new, logged, value = change(gdf)
            self.update(name, new, note=note)
            if logged:
                decisions.append_many(tx, logged, user=user)
        return value

    def save_checks(self, rows: list[dict], *,
                    then: Callable[[GpkgTransaction], None] | None = None) -> None:
        """Store check results (one row per request: see :mod:`landtool.check.store`),
        replacing earlier results for the same requests; ``then`` as in :meth:`update`."""
        new = pd.DataFrame(rows)
        with self.transaction("save check results") as tx:
            old = self.checks()  # read inside the change: no other save comes in between
            if old is not None:
                old = old[~old["request_id"].isin(new["request_id"])]
                new = pd.concat([old, new], ignore_index=True)
            tx.put_table(CHECKS_TABLE, new)
            tx.checks = new
            if then is not None:
                then(tx)

    def remove(self, name: str) -> None:
        """Delete a layer, with its rows in the GeoPackage's own tables."""
        with self.transaction(f"remove layer {name}") as tx:
            self.record(name)
            tx.drop_table(name)
            tx.set_records([r for r in self.layers() if r.name != name])
        self._seen.pop(name, None)


def _stale(path: Path, current: LayerRecord) -> StaleSaveError:
    """The refusal of a save of a layer another program changed since this one read it."""
    edits = [p for p in current.problems if p.startswith("[edit ")]
    when = edits[-1][len("[edit "):].split("]")[0] if edits else current.added_at
    return StaleSaveError(
        f"layer {current.name} was changed by another program or window at {when}, after "
        "you read it; your changes were not saved, so as not to overwrite theirs",
        path=path, layer=current.name, by="another program or window", when=when,
        hint="copy your changes aside (in the app: File ▸ Save as…), reopen the workspace to "
        "see the other changes, and make yours again")


# -- SQLite ---------------------------------------------------------------------------------
def _begin(path: Path) -> sqlite3.Connection:
    """A connection to ``path`` inside ``BEGIN IMMEDIATE``: waits while another program holds
    the file (saying so after a few seconds), up to the lock timeout."""
    con = sqlite3.connect(Path(path).resolve(), timeout=0.25, isolation_level=None)
    try:
        con.execute("PRAGMA cache_spill = OFF")  # readers keep reading until the commit
        while_held(path, lambda: con.execute("BEGIN IMMEDIATE"))
        con.execute(f"PRAGMA busy_timeout = {int(lock_timeout() * 1000)}")  # for the commit
        return con
    except BaseException:
        con.close()
        raise


def _refuse_unwritable(path: Path, *, new: bool = False) -> None:
    """Refuse to change a file or folder marked read-only (even for root, who could)."""
    real = Path(path).resolve()
    folder = real.parent
    if not new:
        mode = real.stat().st_mode
        if not (mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) or \
                not os.access(real, os.W_OK):
            raise WorkspaceError(
                "the workspace file is read-only, so nothing was changed", path=path,
                hint="make it writable (e.g. `chmod u+w` it) or work on a copy, then try again")
    fmode = folder.stat().st_mode
    if not (fmode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) or \
            not os.access(folder, os.W_OK):
        raise WorkspaceError(
            f"the folder {folder} is read-only: SQLite writes its journal beside the "
            "workspace while it changes it, so nothing was changed", path=path,
            hint="make the folder writable, or copy the workspace to a folder you may "
            "write, then try again")


@contextmanager
def _storage_errors(path: Path, doing: str,
                    only: type[BaseException] = Exception) -> Iterator[None]:
    """SQLite's, GDAL's and the system's failures while writing (or only those of type
    ``only``), as one clear message."""
    try:
        yield
    except LandtoolError:
        raise
    except only as exc:  # sqlite3's, the system's, and GDAL's several kinds
        raise storage_error(exc, path, doing) from exc


def storage_error(exc: BaseException, path: Path, doing: str) -> WorkspaceError:
    text = str(exc).lower()
    code = getattr(exc, "errno", None)
    unchanged = f" ({exc}); the workspace is unchanged"
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or "full" in text \
            or "no space" in text:
        return WorkspaceError(f"the disk is full: could not {doing}{unchanged}", path=path,
                              hint="free some space on the disk holding the workspace (and "
                              "the temporary folder), then try again")
    if code in (errno.EACCES, errno.EPERM, errno.EROFS) or "readonly" in text \
            or "read-only" in text or "permission denied" in text:
        return WorkspaceError(f"the workspace may not be written: could not {doing}"
                              f"{unchanged}", path=path,
                              hint="make the file and its folder writable (or work on a "
                              "copy), then try again")
    if "locked" in text or "busy" in text:
        return WorkspaceError(f"another program holds the workspace file: could not {doing}"
                              f"{unchanged}", path=path,
                              hint="close it in that program, then try again")
    if "malformed" in text or "not a database" in text:
        return WorkspaceError(f"the workspace file is damaged: could not {doing} ({exc})",
                              path=path, hint="restore it from a backup or a pulled copy")
    return WorkspaceError(f"could not {doing}{unchanged}", path=path)


def encode(frame: pd.DataFrame, name: str, scratch: Path, where: Path) -> Path:
    """Write ``frame`` as table ``name`` of a new GeoPackage ``scratch`` (GDAL encodes the
    geometries, the spatial index and the layer's description)."""
    with _storage_errors(where, f"prepare layer {name}"):
        pyogrio.write_dataframe(frame, scratch, layer=name, driver="GPKG")
    return scratch


def _transplant(con: sqlite3.Connection, scratch: Path, name: str) -> None:
    """Replace table ``name`` in the workspace (``con``, in its transaction) by the table of
    that name in the GeoPackage ``scratch``: schema, rows, spatial index, indexes, triggers and
    the gpkg_* rows that describe it. SQL only, so it is part of the one transaction."""
    with closing(sqlite3.connect(f"file:{scratch}?mode=ro", uri=True)) as src:
        objects = src.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                              "WHERE sql IS NOT NULL").fetchall()
        sql_of = {n: s for _t, n, _tb, s in objects}
        src_tables = {n for t, n, _tb, _s in objects if t == "table"}
        if name not in sql_of:
            raise WorkspaceError(f"the prepared layer {name} is missing", path=scratch)
        columns = ([r[0] for r in src.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (name,))]
            if "gpkg_geometry_columns" in src_tables else [])
        rtrees = [f"rtree_{name}_{c}" for c in columns if f"rtree_{name}_{c}" in sql_of]
        _drop_table(con, name)
        main_tables = {r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table in ("gpkg_spatial_ref_sys", *(t for t, _ in _GPKG_TABLES)):
            if table in src_tables and table not in main_tables:
                con.execute(sql_of[table])
        con.execute(sql_of[name])
        _copy_rows(src, con, name)
        for rtree in rtrees:
            con.execute(sql_of[rtree])
            _copy_rows(src, con, rtree)
        # after the rows: GDAL's triggers call its own SQL functions, which SQLite lacks here
        for kind, _name, table, sql in objects:
            if kind in ("index", "trigger") and table in (name, *rtrees):
                con.execute(sql)
        if "gpkg_spatial_ref_sys" in src_tables and "gpkg_contents" in src_tables:
            _copy_where(src, con, "gpkg_spatial_ref_sys",
                        "srs_id IN (SELECT srs_id FROM gpkg_contents WHERE table_name = ?)",
                        (name,), "INSERT OR IGNORE")
        for table, key in _GPKG_TABLES:
            if table in src_tables:
                _copy_where(src, con, table, f"{key} = ?", (name,), "INSERT OR REPLACE")


def _copy_rows(src: sqlite3.Connection, con: sqlite3.Connection, table: str) -> None:
    cur = src.execute(f'SELECT * FROM "{table}"')
    marks = ", ".join("?" * len(cur.description))
    insert = f'INSERT INTO "{table}" VALUES ({marks})'
    while rows := cur.fetchmany(5000):
        con.executemany(insert, rows)


def _copy_where(src, con, table: str, where: str, params: tuple, verb: str) -> None:
    cur = src.execute(f'SELECT * FROM "{table}" WHERE {where}', params)
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    if rows:
        con.executemany(f'{verb} INTO "{table}" ({", ".join(names)}) '
                        f'VALUES ({", ".join("?" * len(names))})', rows)


def _drop_table(con: sqlite3.Connection, name: str) -> None:
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "gpkg_geometry_columns" in tables:
        # The spatial index is rtree_<table>_<geometry column>: named exactly, as a LIKE
        # pattern would take the _ in a name as a wildcard (and drop another layer's index).
        columns = [r[0] for r in con.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (name,))]
        for column in columns:
            con.execute(f'DROP TABLE IF EXISTS "rtree_{name}_{column}"')
    for table, key in (*_GPKG_TABLES, ("layer_styles", "f_table_name")):
        if table in tables:
            con.execute(f'DELETE FROM "{table}" WHERE "{key}" = ?', (name,))
    con.execute(f'DROP TABLE IF EXISTS "{name}"')


# -- the layer records ------------------------------------------------------------------------
def _for_gpkg(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.copy()
    for col in out.columns:
        if col != out.geometry.name and out[col].dtype == object:
            out[col] = out[col].map(lambda v: None if v is None or v is pd.NA else v)
    return out


def _read_meta(path: Path) -> list[LayerRecord]:
    with read_lock(path):
        df = pyogrio.read_dataframe(path, layer=META_TABLE, read_geometry=False)
    projected = (df["projected_invalid"] if "projected_invalid" in df.columns
                 else [None] * len(df))
    return [
        LayerRecord(r.name, r.kind, r.source, r.added_at, int(r.feature_count),
                    r.reprojection, tuple(json.loads(r.problems)),
                    None if p is None or p != p else tuple(json.loads(p)))
        for r, p in zip(df.itertuples(), projected, strict=True)
    ]


def _meta_frame(records: list[LayerRecord]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": pd.Series([r.name for r in records], dtype=object),
            "kind": pd.Series([r.kind for r in records], dtype=object),
            "source": pd.Series([r.source for r in records], dtype=object),
            "added_at": pd.Series([r.added_at for r in records], dtype=object),
            "feature_count": np.array([r.feature_count for r in records], dtype="int64"),
            "reprojection": pd.Series([r.reprojection for r in records], dtype=object),
            "problems": pd.Series([json.dumps(list(r.problems), ensure_ascii=False)
                                   for r in records], dtype=object),
            "projected_invalid": pd.Series(
                [None if r.projected_invalid is None else
                 json.dumps(list(r.projected_invalid), ensure_ascii=False) for r in records],
                dtype=object),
        }
    )
