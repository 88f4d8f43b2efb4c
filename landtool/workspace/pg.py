"""A shared workspace in PostgreSQL + PostGIS: the GeoPackage workspace's API on a database.

Several officers of an aimag office (and MRPAM) work on one database at once. What makes that
safe is the database itself (the tables, grants and triggers are in
:mod:`landtool.workspace.pg_schema`):

- every change is one transaction, taken under the workspace's lock (the one row of
  ``landtool_lock``), so two clients registering requests at the same moment are served one
  after the other: the second reads the layer as the first left it, and never gets the same
  queue number;
- a client that edited a layer it read earlier is refused if another client saved that layer
  in between (``revision`` in ``landtool_layers``, moved on by a trigger at any change of the
  layer's rows, by landtool or by hand): nothing is overwritten unseen;
- users and roles are the database's: ``<db>_viewer`` may read everything and change nothing;
  ``<db>_officer`` may also register, decide, save checks and edit the requests and
  rehabilitation parcels; only the owner adds or removes layers and columns. The decisions log
  is append-only for everyone, and an officer's entry must follow the last one, carry the
  officer's name, the server's time and its own hash.

Layers are tables of the ``public`` schema with a ``landtool_fid`` key, the attribute columns
(their pandas types kept in ``landtool_layers.columns`` so a layer reads back as it was written;
see :mod:`landtool.workspace.pg_rows`) and a ``geometry`` column in EPSG:4326 with a GiST index. The
connection is psycopg 3's (see pyproject.toml for why not GDAL's driver or SQLAlchemy).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import psycopg
from psycopg import sql

from landtool.errors import LandtoolError, StaleSaveError, WorkspaceError
from landtool.io.load import LoadedLayer
from landtool.location import DatabaseLocation
from landtool.workspace import decisions as log
from landtool.workspace.base import (
    _INFO_KEYS,
    CHECKS_TABLE,
    FORMAT_VERSION,
    INFO_TABLE,
    META_TABLE,
    BaseWorkspace,
    LayerRecord,
    _now,
)
from landtool.workspace.pg_rows import (
    copy_rows,
    fits,
    plain,
    read_layer,
    record_of,
    record_values,
    sql_columns,
    table_columns,
    widen,
)
from landtool.workspace.pg_schema import (
    CHECK_COLUMNS,
    FILES_TABLE,
    HEAD_TABLE,
    LOCK_TABLE,
    LOCK_TIMEOUT,
    LOG_TABLE,
    REVISION,
    ROLES,
    SCHEMA_VERSION,
    check_names,
    create,
    create_layer_table,
    first_line,
    role_name,
    schema_version,
)
from landtool.workspace.pg_schema import upgrade as upgrade_schema

__all__ = ["ROLES", "Connection", "PgWorkspace", "role_name"]

APPLICATION = "landtool"


@dataclass(frozen=True)
class Connection:
    """A client connected to the workspace's database, as the server sees it."""

    user: str
    application: str
    client: str
    since: str
    me: bool


class PgWorkspace(BaseWorkspace):
    """A shared workspace: the tables of one PostgreSQL database with PostGIS.

    Examples
    --------
    >>> ws = PgWorkspace("postgresql://officer1@aimag-server/mandal")   # doctest: +SKIP
    >>> ws.read("requests")                                           # doctest: +SKIP
    """

    shared = True

    def __init__(self, url: str | DatabaseLocation, *, password: str | None = None,
                 application: str = APPLICATION) -> None:
        self.path = DatabaseLocation(url, password)
        if self.path.problem:
            raise WorkspaceError(self.path.problem, path=self.path)
        self.application = application
        self._conn: psycopg.Connection | None = None
        # one connection, used by one thread at a time (the app reads in worker threads)
        self._lock = threading.RLock()
        self._snapshot = threading.local()  # inside consistent_reads() on this thread
        self._records: list[LayerRecord] | None = None
        self._seen: dict[str, int] = {}  # layer -> the revision this client first read
        with self._errors("open"):
            tables = self._tables()
            #: the database the server connected to (the URL may name none)
            self.database: str = self._query("SELECT current_database()")[0][0]
        if META_TABLE not in tables:
            raise WorkspaceError(
                "this database holds no landtool workspace (no landtool_layers table)",
                path=self.path,
                hint="create one with `landtool workspace init URL` or copy a GeoPackage "
                "workspace into it with `landtool workspace push WS.gpkg URL`")
        with self._lock, self._errors("open"), self.conn.cursor() as cur:
            #: the version of the tables, grants and triggers (landtool.workspace.pg_schema)
            self.schema: int = schema_version(cur)

    def upgrade(self) -> int:
        """Bring a workspace made by an earlier landtool up to this version's schema (the
        owner only; all or nothing); returns the version it had."""
        with self._lock:
            had = upgrade_schema(self.conn, self.path)
        self.schema = SCHEMA_VERSION
        return had

    # -- connection ------------------------------------------------------------------------
    @staticmethod
    def _connect(location: DatabaseLocation, application: str = APPLICATION,
                 dbname: str | None = None) -> psycopg.Connection:
        # a server that vanishes (a cable pulled, a laptop asleep) is noticed within about
        # 20 s rather than hanging the program: TCP keepalives and a bound on unacknowledged
        # sends
        kwargs = {"application_name": application, "connect_timeout": 10, "autocommit": True,
                  "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
                  "keepalives_count": 2, "tcp_user_timeout": 20_000}
        if location.password is not None:
            kwargs["password"] = location.password
        if dbname is not None:
            kwargs["dbname"] = dbname
        try:
            return psycopg.connect(location.conninfo(), **kwargs)
        except psycopg.OperationalError as exc:
            raise _connection_error(location, exc) from exc

    @property
    def conn(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            self._conn = self._connect(self.path, self.application)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __del__(self) -> None:  # a dropped workspace gives its connection back
        try:
            self.close()
        except Exception:  # noqa: BLE001 - at interpreter exit anything may be gone
            pass

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Turn the server's refusals into one clear message (who may do what)."""
        try:
            yield
        except LandtoolError:
            raise
        except psycopg.errors.InsufficientPrivilege as exc:
            raise WorkspaceError(
                f"the database refused to let user {self.path.user or '(default)'} {doing} "
                f"({first_line(exc)})", path=self.path,
                hint=f"a viewer ({self.role_name('viewer')}) may only read; registering, "
                f"deciding and editing need the officer role ({self.role_name('officer')}), "
                "adding or removing layers, columns and users the workspace's owner: ask the "
                "workspace's owner (`landtool workspace user add`)") from exc
        except psycopg.errors.LockNotAvailable as exc:
            raise WorkspaceError(
                f"another client has been writing to the workspace for {LOCK_TIMEOUT}; "
                "nothing was changed", path=self.path,
                hint="try again in a moment; `landtool workspace who URL` shows who is "
                "connected") from exc
        except psycopg.OperationalError as exc:
            self.close()
            raise _connection_error(self.path, exc) from exc
        except psycopg.Error as exc:
            raise WorkspaceError(f"the database refused to {doing}: {first_line(exc)}",
                                 path=self.path) from exc

    def role_name(self, role: str) -> str:
        return role_name(self.database, role)

    @contextmanager
    def transaction(self, doing: str = "change the workspace") -> Iterator[_Transaction]:
        """One write transaction under the workspace's lock: everything done in it lands
        together or not at all, and no other client writes in between. The lock is the one row
        of ``landtool_lock``, locked FOR UPDATE: only officers and the owner may take it, so a
        viewer cannot hold up the writers; a writer waits at most LOCK_TIMEOUT."""
        if self.schema < SCHEMA_VERSION:
            raise WorkspaceError(
                f"this shared workspace was made by an earlier landtool (schema {self.schema}):"
                " it lacks protections this version relies on (layer revisions kept by the "
                "database), so nothing is changed in it", path=self.path,
                hint="its owner runs `landtool workspace upgrade URL` once; reading and "
                "pulling work meanwhile")
        with self._lock, self._errors(doing), self.conn.transaction(), \
                self.conn.cursor() as cur:
            cur.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            cur.execute(sql.SQL("SELECT id FROM {} FOR UPDATE").format(
                sql.Identifier(LOCK_TABLE)))
            yield _Transaction(cur, self.path, self.database)
        self._records = None

    @contextmanager
    def batch(self, doing: str = "save") -> Iterator[None]:
        """Several changes in ONE transaction: all land, or none (e.g. the app's save of the
        requests, the parcels and the check results)."""
        seen = dict(self._seen)
        try:
            with self.transaction(doing):
                yield
        except BaseException:
            self._seen = seen  # the revisions saved inside were rolled back
            raise

    @contextmanager
    def consistent_reads(self) -> Iterator[None]:
        """Every read inside sees the workspace as it was at one moment (a pull's snapshot:
        the log and the layers agree even while others register)."""
        if getattr(self._snapshot, "active", False):  # inside one already: the same moment
            yield
            return
        with self._lock, self._errors("read the workspace"), self.conn.transaction():
            self.conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            self._records = None
            self._snapshot.active = True
            try:
                yield
            finally:
                self._snapshot.active = False

    def _query(self, query, params=None) -> list[tuple]:
        with self._lock, self._errors("read the workspace"), self.conn.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchall()

    def _tables(self) -> set[str]:
        rows = self._query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {r[0] for r in rows}

    # -- creating --------------------------------------------------------------------------
    @classmethod
    def init(cls, url: str | DatabaseLocation, *, title: str = "", overwrite: bool = False,
             extra: Mapping[str, str] | None = None,
             password: str | None = None) -> PgWorkspace:
        """Create the workspace's tables and roles in the database ``url`` names (creating the
        database too if it does not exist and this user may)."""
        extra = {str(k): str(v) for k, v in (extra or {}).items()}
        taken = [k for k in extra if k in _INFO_KEYS]
        if taken:
            raise WorkspaceError(f"the info key {taken[0]!r} is set by landtool itself",
                                 path=DatabaseLocation(url, password))
        info = {"format_version": FORMAT_VERSION, "created_at": _now(), "title": title,
                **extra}
        return cls.create(url, info, overwrite=overwrite, password=password)

    @classmethod
    def create(cls, url: str | DatabaseLocation, info: Mapping[str, str], *,
               overwrite: bool = False, password: str | None = None,
               fill: Callable[[_Transaction], None] | None = None) -> PgWorkspace:
        """Create a workspace with the info values ``info`` and let ``fill(tx)`` write its
        contents, all in ONE transaction: an interruption leaves the database as it was."""
        location = DatabaseLocation(url, password)
        _ensure_database(location)
        with cls._connect(location) as conn:
            create(conn, location, dict(info), overwrite=overwrite, fill=fill,
                   transaction=_Transaction)
        return cls(location)

    # -- reading ---------------------------------------------------------------------------
    def info_values(self) -> dict[str, str]:
        return {k: v or "" for k, v in self._query(
            sql.SQL("SELECT key, value FROM {} ORDER BY ord").format(
                sql.Identifier(INFO_TABLE)))}

    def set_info(self, key: str, value: str | None) -> None:
        """Set (or, with None, remove) one extra info value (the owner only)."""
        if key in _INFO_KEYS:
            raise WorkspaceError(f"the info key {key!r} is set by landtool itself",
                                 path=self.path)
        table = sql.Identifier(INFO_TABLE)
        with self.transaction(f"set the workspace's {key}") as tx:
            tx.cur.execute(sql.SQL("DELETE FROM {} WHERE key = %s").format(table), (key,))
            if value is not None:
                tx.cur.execute(sql.SQL("INSERT INTO {} (key, value) VALUES (%s, %s)").format(
                    table), (key, value))

    def dem(self) -> Path | None:
        """The workspace's DEM (kept in the database): written once to a cache file."""
        name = self.info_values().get("dem")
        if not name:
            return None
        rows = self._query(sql.SQL("SELECT data FROM {} WHERE name = %s").format(
            sql.Identifier(FILES_TABLE)), (name,))
        if not rows:
            return None
        data = bytes(rows[0][0])
        # a folder of this user's own (another user cannot plant a file there), and a file
        # whose content is checked before it is used again
        folder = Path(tempfile.gettempdir()) / f"landtool-dem-cache-{os.getuid()}"
        folder.mkdir(mode=0o700, exist_ok=True)
        digest = hashlib.sha256(data).hexdigest()
        path = folder / f"{digest[:16]}-{Path(name).name}"
        if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            tmp = path.with_suffix(f".{os.getpid()}.part")
            tmp.write_bytes(data)
            tmp.replace(path)
        return path

    def files(self) -> dict[str, bytes]:
        """The files kept in the workspace (the DEM), by name."""
        return {n: bytes(d) for n, d in self._query(
            sql.SQL("SELECT name, data FROM {}").format(sql.Identifier(FILES_TABLE)))}

    def layers(self) -> list[LayerRecord]:
        if self._records is None:
            rows = self._query(sql.SQL(
                "SELECT name, kind, source, added_at, feature_count, reprojection, problems, "
                "projected_invalid FROM {} ORDER BY position").format(
                    sql.Identifier(META_TABLE)))
            self._records = [record_of(r) for r in rows]
        return list(self._records)

    def read(self, name: str, *, bbox=None) -> gpd.GeoDataFrame:
        self.record(name)
        with self._lock, self._errors(f"read layer {name}"), self.conn.cursor() as cur:
            gdf, revision = read_layer(cur, name, bbox)
        self._seen.setdefault(name, revision)
        return gdf

    def track(self, name: str) -> None:
        self._seen.setdefault(name, self.revision(name)[0])

    def revision(self, name: str) -> tuple[int, str, str]:
        """The layer's revision number, who saved it last, and when."""
        rows = self._query(sql.SQL(
            "SELECT revision, revised_by, revised_at FROM {} WHERE name = %s").format(
                sql.Identifier(META_TABLE)), (name,))
        if not rows:
            self.record(name)  # says which layers there are
        return int(rows[0][0]), rows[0][1] or "", rows[0][2] or ""

    def checks(self) -> pd.DataFrame | None:
        with self._lock, self._errors("read the check results"), self.conn.cursor() as cur:
            cur.execute(sql.SQL("SELECT {} FROM {} ORDER BY ord").format(
                sql.SQL(", ").join(map(sql.Identifier, CHECK_COLUMNS)),
                sql.Identifier(CHECKS_TABLE)))
            rows = cur.fetchall()
        if not rows:
            return None
        df = pd.DataFrame(rows, columns=list(CHECK_COLUMNS))
        return df.astype({"eligible": "int64", "area_ha": "float64",
                          "eligible_area_ha": "float64"})

    def log_rows(self) -> list[tuple]:
        return self._query(sql.SQL("SELECT seq, at, \"user\", action, subject, details, "
                                   "inputs_hash, prev_hash, hash FROM {} ORDER BY seq").format(
                                       sql.Identifier(LOG_TABLE)))

    def log_head(self) -> list[tuple]:
        return self._query(sql.SQL("SELECT k, v FROM {}").format(sql.Identifier(HEAD_TABLE)))

    # -- who -------------------------------------------------------------------------------
    def user(self) -> str:
        return self._query("SELECT session_user")[0][0]

    def role(self) -> str:
        """What this user may do here: 'owner', 'officer', 'viewer' or 'none'."""
        owner, officer, viewer = self._query(
            "SELECT pg_has_role(session_user, (SELECT tableowner FROM pg_tables WHERE "
            "schemaname = 'public' AND tablename = %s), 'USAGE'), "
            "pg_has_role(session_user, %s, 'USAGE'), pg_has_role(session_user, %s, 'USAGE')",
            (META_TABLE, self.role_name("officer"), self.role_name("viewer")))[0]
        return "owner" if owner else "officer" if officer else "viewer" if viewer else "none"

    def connected(self) -> list[Connection]:
        """Every landtool client connected to this workspace now (the app shows them)."""
        # the server hides other users' address and start time from non-superusers: '?'
        rows = self._query(
            "SELECT usename, application_name, CASE WHEN backend_start IS NULL THEN '?' "
            "ELSE coalesce(host(client_addr), 'local') END, coalesce(to_char(backend_start "
            "AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '?'), "
            "pid = pg_backend_pid() FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name LIKE 'landtool%%' ORDER BY backend_start")
        return [Connection(*r) for r in rows]

    # -- changing --------------------------------------------------------------------------
    def add(self, layer: LoadedLayer, *, name: str | None = None,
            replace: bool = False) -> LayerRecord:
        """Store a loaded layer as a new table (the owner only); all or nothing."""
        name = name or layer.kind.id
        records = self._check_new_name(name, replace)
        record = self._new_record(layer, name)
        with self.transaction(f"add layer {name}") as tx:
            if replace and name in {r.name for r in self.layers()}:
                tx.drop_layer(name)
            tx.put_layer(record, layer.gdf, position=len(records))
        return record

    def update(self, name: str, gdf: gpd.GeoDataFrame, *, note: str,
               then: Callable | None = None) -> LayerRecord:
        """Replace the features of a layer; refused if another client saved it since this one
        read it. ``then(tx)`` runs in the same transaction (the decisions logged with it)."""
        if gdf.crs is None or gdf.crs.to_epsg() != 4326:
            raise WorkspaceError("edited features must be in EPSG:4326", path=self.path)
        with self.transaction(f"save layer {name}") as tx:
            record = tx.replace_features(name, gdf, note, expect=self._seen.get(name))
            if then is not None:
                then(tx)
        self._seen[name] = tx.revisions[name]
        return record

    def modify(self, name: str, change: Callable, *, note: str, user: str | None = None):
        """Read, change and write layer ``name`` in one transaction (see
        :meth:`Workspace.modify`): two clients registering at once are served in turn."""
        with self.transaction(f"change layer {name}") as tx:
            gdf, revision = read_layer(tx.cur, name, None)
            new, logged, value = change(gdf)
            tx.replace_features(name, new, note, expect=revision)
            if logged:
                log.append_many(tx, logged, user=user)
        self._seen[name] = tx.revisions[name]
        return value

    def save_checks(self, rows: list[dict], *, then: Callable | None = None) -> None:
        with self.transaction("save check results") as tx:
            cur = tx.cur
            cur.execute(sql.SQL("DELETE FROM {} WHERE request_id = ANY(%s)").format(
                sql.Identifier(CHECKS_TABLE)), ([str(r["request_id"]) for r in rows],))
            tx.insert_checks(rows)
            if then is not None:
                then(tx)

    def remove(self, name: str) -> None:
        self.record(name)
        with self.transaction(f"remove layer {name}") as tx:
            tx.drop_layer(name)


class _Transaction:
    """An open write transaction of a :class:`PgWorkspace` (under its lock)."""

    def __init__(self, cur: psycopg.Cursor, location: DatabaseLocation, database: str) -> None:
        self.cur = cur
        self.location = location
        self.database = database
        self.log = _PgLog(cur)
        self.revisions: dict[str, int] = {}

    def put_layer(self, record: LayerRecord, gdf: gpd.GeoDataFrame, *, position: int) -> None:
        """Create the layer's table, fill it and record it (the owner only)."""
        name = record.name
        check_names(name, gdf, self.location)
        columns = sql_columns(gdf)
        create_layer_table(self.cur, self.database, name, record.kind, columns)
        copy_rows(self.cur, name, gdf, columns)
        self.cur.execute(sql.SQL(
            "INSERT INTO {} (position, name, kind, source, added_at, feature_count, "
            "reprojection, problems, projected_invalid, columns, revision, revised_by, "
            "revised_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, {}, session_user, "
            "%s) RETURNING revision").format(sql.Identifier(META_TABLE), sql.SQL(REVISION)),
            (position, *record_values(record), json.dumps([[c, d] for c, _, d in columns]),
             _now()))
        self.revisions[name] = int(self.cur.fetchone()[0])

    def replace_features(self, name: str, gdf: gpd.GeoDataFrame, note: str, *,
                         expect: int | None) -> LayerRecord:
        """Replace every feature of an existing layer, if its revision is still ``expect``."""
        self.cur.execute(sql.SQL(
            "SELECT name, kind, source, added_at, feature_count, reprojection, problems, "
            "projected_invalid, columns, revision, revised_by, revised_at FROM {} "
            "WHERE name = %s FOR UPDATE").format(sql.Identifier(META_TABLE)), (name,))
        row = self.cur.fetchone()
        if row is None:
            raise WorkspaceError(f"the workspace has no layer {name!r}", path=self.location)
        old = record_of(row[:8])
        revision, by, when = int(row[9]), row[10], row[11]
        if expect is not None and revision != expect:
            raise StaleSaveError(
                f"layer {name} was saved by {by} at {when} since you opened it; your changes "
                "were not saved, so as not to overwrite theirs", path=self.location,
                layer=name, by=by, when=when,
                hint="copy your changes aside, reopen the workspace to see theirs, and make "
                "your changes again")
        stored = {c: d for c, d in json.loads(row[8])}
        columns = sql_columns(gdf)
        sqltypes = self._column_types(name)
        new = [(c, t) for c, t, _ in columns if c not in sqltypes]
        # a column of whole numbers with a gap comes as floats: it still fits its column
        wider = [(c, t) for c, t, _ in columns if c in sqltypes
                 and widen(sqltypes[c], t) != sqltypes[c] and not fits(gdf[c], sqltypes[c])]
        if (new or wider) and not self._owns(name):
            changed = ", ".join(c for c, _ in new + wider)
            raise WorkspaceError(
                f"layer {name} of the shared workspace has no column for {changed} (or a "
                "narrower one), and only the workspace's owner may change its columns; "
                "nothing was saved", path=self.location,
                hint="ask the owner to make the same change once (as owner, it adds the "
                "columns), then save again")
        if new:
            check_names(name, gdf[[c for c, _ in new] + [gdf.geometry.name]], self.location)
        for c, t in new:  # e.g. queue_no on a layer that never had one
            self.cur.execute(sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(
                sql.Identifier(name), sql.Identifier(c), sql.SQL(t)))
            sqltypes[c] = t
        for c, t in wider:  # e.g. whole numbers that now hold a fraction
            sqltypes[c] = widen(sqltypes[c], t)
            self.cur.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN {} TYPE {} USING {}::{}")
                             .format(sql.Identifier(name), sql.Identifier(c),
                                     sql.SQL(sqltypes[c]), sql.Identifier(c),
                                     sql.SQL(sqltypes[c])))
        names = {c for c, _, _ in columns}
        self.cur.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(name)))
        copy_rows(self.cur, name, gdf, [(c, sqltypes[c], d) for c, _, d in columns])
        kept = {**{c: d for c, d in stored.items() if c in names},
                **{c: d for c, _, d in columns}}
        order = [c for c in stored if c in kept] + [c for c in kept if c not in stored]
        record = BaseWorkspace._edited_record(old, len(gdf), note)
        # the revision, who, when and the count are the trigger's (landtool.workspace.pg_schema)
        self.cur.execute(sql.SQL(
            "UPDATE {} SET problems = %s, columns = %s WHERE name = %s RETURNING revision")
            .format(sql.Identifier(META_TABLE)),
            (json.dumps(list(record.problems), ensure_ascii=False),
             json.dumps([[c, kept[c]] for c in order]), name))
        self.revisions[name] = int(self.cur.fetchone()[0])
        return record

    def _column_types(self, name: str) -> dict[str, str]:
        out = {c: "timestamptz" if t == "timestamp with time zone" else
               "timestamp" if t == "timestamp without time zone" else t
               for c, t in table_columns(self.cur, name).items()}
        out.pop("landtool_fid", None)
        out.pop("geometry", None)
        return out

    def owner_roles(self) -> tuple[str, str] | None:
        """The workspace's (viewer, officer) database roles when this user owns the
        workspace (may create its tables), else None."""
        if not self._owns(META_TABLE):
            return None
        return role_name(self.database, "viewer"), role_name(self.database, "officer")

    def _owns(self, table: str) -> bool:
        self.cur.execute("SELECT pg_has_role(session_user, tableowner, 'USAGE') FROM pg_tables "
                         "WHERE schemaname = 'public' AND tablename = %s", (table,))
        row = self.cur.fetchone()
        return bool(row and row[0])

    def put_file(self, name: str, data: bytes) -> None:
        self.cur.execute(sql.SQL(
            "INSERT INTO {} (name, data) VALUES (%s, %s) ON CONFLICT (name) DO UPDATE "
            "SET data = EXCLUDED.data").format(sql.Identifier(FILES_TABLE)), (name, data))

    def put_log(self, rows: list[tuple], head: list[tuple]) -> None:
        """Copy log entries and head verbatim (a push): the chain stays as it was."""
        for row in rows:
            self.cur.execute(sql.SQL(
                "INSERT INTO {} (seq, at, \"user\", action, subject, details, inputs_hash, "
                "prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)").format(
                    sql.Identifier(LOG_TABLE)), tuple(row))
        self.cur.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(HEAD_TABLE)))
        for k, v in head:
            self.cur.execute(sql.SQL("INSERT INTO {} (k, v) VALUES (%s, %s)").format(
                sql.Identifier(HEAD_TABLE)), (k, v))

    def drop_layer(self, name: str) -> None:
        self.cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(name)))
        self.cur.execute(sql.SQL("DELETE FROM {} WHERE name = %s").format(
            sql.Identifier(META_TABLE)), (name,))

    def insert_checks(self, rows: list[dict]) -> None:
        cols = list(CHECK_COLUMNS)
        with self.cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(CHECKS_TABLE),
                sql.SQL(", ").join(map(sql.Identifier, cols)))) as copy:
            for r in rows:
                copy.write_row([plain(r.get(c)) for c in cols])


class _PgLog:
    """The decisions log's table within an open transaction (see landtool.workspace.decisions)."""

    def __init__(self, cur: psycopg.Cursor) -> None:
        self.cur = cur

    def last(self) -> tuple[int, str] | None:
        self.cur.execute(sql.SQL("SELECT seq, hash FROM {} ORDER BY seq DESC LIMIT 1").format(
            sql.Identifier(LOG_TABLE)))
        return self.cur.fetchone()

    def insert(self, fields: dict) -> None:
        # the head (count, last hash) is kept by a trigger, beyond the officers' reach
        self.cur.execute(sql.SQL(
            "INSERT INTO {} (seq, at, \"user\", action, subject, details, inputs_hash, "
            "prev_hash, hash) VALUES (%(seq)s, %(at)s, %(user)s, %(action)s, %(subject)s, "
            "%(details)s, %(inputs_hash)s, %(prev_hash)s, %(hash)s)").format(
                sql.Identifier(LOG_TABLE)), fields)

    def now(self):
        """The time of this transaction on the server, to the second: what the database
        requires of an officer's entry (no client's clock decides when a decision was made)."""
        self.cur.execute("SELECT date_trunc('second', transaction_timestamp())")
        return self.cur.fetchone()[0]

    def default_user(self, user: str | None) -> str:
        """The database user who decides; a name given besides it is kept with it."""
        self.cur.execute("SELECT session_user")
        me = self.cur.fetchone()[0]
        return me if not user or user == me else f"{user} (database user {me})"


def _ensure_database(location: DatabaseLocation) -> None:
    """Create the database the URL names if it does not exist (needs CREATEDB)."""
    if not location.database:  # the server's default database for this user
        return
    try:
        PgWorkspace._connect(location).close()
        return
    except WorkspaceError as exc:
        if "does not exist" not in str(exc):
            raise
    with PgWorkspace._connect(location, dbname="postgres") as conn:
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(location.name)))
        except psycopg.Error as exc:
            raise WorkspaceError(
                f"database {location.name} does not exist and cannot be created "
                f"({first_line(exc)})", path=location,
                hint="have the server's administrator create it (createdb) with you as its "
                "owner") from exc


# -- rows -----------------------------------------------------------------------------------
def _connection_error(location: DatabaseLocation, exc: Exception) -> WorkspaceError:
    text = first_line(exc)
    if "password authentication failed" in text or "no password supplied" in text:
        hint = ("check the user name and password: in the app, type it when asked; for a "
                "command, keep it in ~/.pgpass or PGPASSWORD (or, less safely, in the URL)")
    elif "does not exist" in text:
        hint = "check the database name in the URL, or create it with `landtool workspace init`"
    elif "permission denied for database" in text:
        hint = ("this user has no role in this workspace: ask the administrator to give it "
                "one (`landtool workspace user add`)")
    else:
        hint = ("check that the server is running and reachable from here, and the host and "
                "port in the URL")
    return WorkspaceError(f"cannot connect to the shared workspace ({text})", path=location,
                          hint=hint)
