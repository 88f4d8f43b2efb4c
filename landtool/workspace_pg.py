"""A shared workspace in PostgreSQL + PostGIS: the GeoPackage workspace's API on a database.

Several officers of an aimag office (and MRPAM) work on one database at once. What makes that
safe is the database itself:

- every change is one transaction, taken under one advisory lock per workspace, so two clients
  registering requests at the same moment are served one after the other: the second reads the
  layer as the first left it, and never gets the same queue number;
- a client that edited a layer it read earlier is refused if another client saved that layer
  in between (``revision`` in ``landtool_layers``): nothing is overwritten unseen;
- users and roles are the database's: ``<db>_viewer`` may read everything and change nothing;
  ``<db>_officer`` may also register, decide, save checks and edit features; only the owner
  adds or removes layers. The decisions log is append-only for everyone: no role is granted
  UPDATE or DELETE on it, and a trigger refuses them even to its owner.

Layers are tables of the ``public`` schema with a ``landtool_fid`` key, the attribute columns
(their pandas types kept in ``landtool_layers.columns`` so a layer reads back as it was written)
and a ``geometry`` column in EPSG:4326 with a GiST index. The connection is psycopg 3's (see
pyproject.toml for why not GDAL's driver or SQLAlchemy).
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import sql

from landtool.errors import LandtoolError, StaleSaveError, WorkspaceError
from landtool.io.load import LoadedLayer
from landtool.location import DatabaseLocation
from landtool.workspace import (
    _INFO_KEYS,
    CHECKS_TABLE,
    FORMAT_VERSION,
    INFO_TABLE,
    META_TABLE,
    BaseWorkspace,
    LayerRecord,
    _now,
)

LOG_TABLE = "landtool_log"  # the same names as in the GeoPackage (landtool.decisions)
HEAD_TABLE = "landtool_log_head"
FILES_TABLE = "landtool_files"
LOCK_TABLE = "landtool_lock"  # one row: every write transaction locks it first
LOCK_TIMEOUT = "30s"
APPLICATION = "landtool"
#: the revision a layer gets when saved: the transaction's id, which only ever grows (so a
#: layer replaced since a client read it never looks unchanged to that client)
_REVISION = "pg_current_xact_id()::text::bigint"
#: the advisory lock creating (or replacing) a workspace takes (the owner's only)
_LOCK_KEY = int.from_bytes(hashlib.sha256(b"landtool-workspace-write").digest()[:8], "big",
                           signed=True)
_CHECK_COLUMNS = {"request_id": "text", "ruleset": "text", "ruleset_version": "text",
                  "as_of": "text", "checked_at": "text", "eligible": "bigint",
                  "status": "text", "area_ha": "double precision",
                  "eligible_area_ha": "double precision", "report_json": "text",
                  "request_wkt": "text", "eligible_wkt": "text"}
ROLES = ("viewer", "officer")


@dataclass(frozen=True)
class Connection:
    """A client connected to the workspace's database, as the server sees it."""

    user: str
    application: str
    client: str
    since: str
    me: bool


def role_name(database: str, role: str) -> str:
    """The database role of a workspace role: ``<database>_viewer`` or ``<database>_officer``
    for a database named in lower-case letters, digits and _; for any other name (capitals,
    Cyrillic, a dash) ``landtool_<hash of the exact name>_<role>``, so that two workspaces
    never share a role."""
    if re.fullmatch(r"[a-z][a-z0-9_]{0,47}", database):
        return f"{database}_{role}"
    return f"landtool_{hashlib.sha256(database.encode()).hexdigest()[:16]}_{role}"


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
                f"({_first_line(exc)})", path=self.path,
                hint=f"a viewer ({self.role_name('viewer')}) may only read; registering, "
                f"deciding and editing need the officer role ({self.role_name('officer')}), "
                "adding or removing layers and columns the workspace's owner: ask the "
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
            raise WorkspaceError(f"the database refused to {doing}: {_first_line(exc)}",
                                 path=self.path) from exc

    def role_name(self, role: str) -> str:
        return role_name(self.database, role)

    @contextmanager
    def transaction(self, doing: str = "change the workspace") -> Iterator[_Transaction]:
        """One write transaction under the workspace's lock: everything done in it lands
        together or not at all, and no other client writes in between. The lock is the one row
        of ``landtool_lock``, locked FOR UPDATE: only officers and the owner may take it, so a
        viewer cannot hold up the writers; a writer waits at most LOCK_TIMEOUT."""
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
        with self._lock, self._errors("read the workspace"), self.conn.transaction():
            self.conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            self._records = None
            yield

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
            _create(conn, location, dict(info), overwrite=overwrite, fill=fill)
        return cls(location)

    # -- reading ---------------------------------------------------------------------------
    def info_values(self) -> dict[str, str]:
        return {k: v or "" for k, v in self._query(
            sql.SQL("SELECT key, value FROM {} ORDER BY ord").format(
                sql.Identifier(INFO_TABLE)))}

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
        folder = Path(tempfile.gettempdir()) / "landtool-dem-cache"
        folder.mkdir(exist_ok=True)
        path = folder / f"{hashlib.sha256(data).hexdigest()[:16]}-{Path(name).name}"
        if not path.exists():
            tmp = path.with_suffix(".part")
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
            self._records = [_record(r) for r in rows]
        return list(self._records)

    def read(self, name: str, *, bbox=None) -> gpd.GeoDataFrame:
        self.record(name)
        with self._lock, self._errors(f"read layer {name}"), self.conn.cursor() as cur:
            gdf, revision = _read_layer(cur, name, bbox)
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
                sql.SQL(", ").join(map(sql.Identifier, _CHECK_COLUMNS)),
                sql.Identifier(CHECKS_TABLE)))
            rows = cur.fetchall()
        if not rows:
            return None
        df = pd.DataFrame(rows, columns=list(_CHECK_COLUMNS))
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
        from landtool import decisions as log

        with self.transaction(f"change layer {name}") as tx:
            gdf, revision = _read_layer(tx.cur, name, None)
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
        columns = _columns(gdf)
        name = record.name
        defs = [sql.SQL("landtool_fid bigint PRIMARY KEY")]
        defs += [sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t, _ in columns]
        defs += [sql.SQL("geometry geometry(Geometry, 4326)")]
        self.cur.execute(sql.SQL("CREATE TABLE {} ({})").format(
            sql.Identifier(name), sql.SQL(", ").join(defs)))
        self.cur.execute(sql.SQL("CREATE INDEX {} ON {} USING gist (geometry)").format(
            sql.Identifier(f"{name}_geometry_idx"), sql.Identifier(name)))
        _grant_layer(self.cur, self.database, name)
        _copy_rows(self.cur, name, gdf, columns)
        self.cur.execute(sql.SQL(
            "INSERT INTO {} (position, name, kind, source, added_at, feature_count, "
            "reprojection, problems, projected_invalid, columns, revision, revised_by, "
            "revised_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, {}, session_user, "
            "%s) RETURNING revision").format(sql.Identifier(META_TABLE), sql.SQL(_REVISION)),
            (position, *_record_values(record), json.dumps([[c, d] for c, _, d in columns]),
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
        old = _record(row[:8])
        revision, by, when = int(row[9]), row[10], row[11]
        if expect is not None and revision != expect:
            raise StaleSaveError(
                f"layer {name} was saved by {by} at {when} since you opened it; your changes "
                "were not saved, so as not to overwrite theirs", path=self.location,
                layer=name, by=by, when=when,
                hint="copy your changes aside, reopen the workspace to see theirs, and make "
                "your changes again")
        stored = {c: d for c, d in json.loads(row[8])}
        columns = _columns(gdf)
        sqltypes = self._column_types(name)
        new = [(c, t) for c, t, _ in columns if c not in sqltypes]
        wider = [(c, t) for c, t, _ in columns
                 if c in sqltypes and _widen(sqltypes[c], t) != sqltypes[c]]
        if (new or wider) and not self._owns(name):
            changed = ", ".join(c for c, _ in new + wider)
            raise WorkspaceError(
                f"layer {name} of the shared workspace has no column for {changed} (or a "
                "narrower one), and only the workspace's owner may change its columns; "
                "nothing was saved", path=self.location,
                hint="ask the owner to make the same change once (as owner, it adds the "
                "columns), then save again")
        for c, t in new:  # e.g. queue_no on a layer that never had one
            self.cur.execute(sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(
                sql.Identifier(name), sql.Identifier(c), sql.SQL(t)))
            sqltypes[c] = t
        for c, t in wider:  # e.g. whole numbers that now hold a fraction
            sqltypes[c] = _widen(sqltypes[c], t)
            self.cur.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN {} TYPE {} USING {}::{}")
                             .format(sql.Identifier(name), sql.Identifier(c),
                                     sql.SQL(sqltypes[c]), sql.Identifier(c),
                                     sql.SQL(sqltypes[c])))
        names = {c for c, _, _ in columns}
        self.cur.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(name)))
        _copy_rows(self.cur, name, gdf, [(c, sqltypes[c], d) for c, _, d in columns])
        kept = {**{c: d for c, d in stored.items() if c in names},
                **{c: d for c, _, d in columns}}
        order = [c for c in stored if c in kept] + [c for c in kept if c not in stored]
        record = BaseWorkspace._edited_record(old, len(gdf), note)
        self.cur.execute(sql.SQL(
            "UPDATE {} SET feature_count = %s, problems = %s, columns = %s, "
            "revision = {}, revised_by = session_user, revised_at = %s "
            "WHERE name = %s RETURNING revision").format(sql.Identifier(META_TABLE),
                                                          sql.SQL(_REVISION)),
            (len(gdf), json.dumps(list(record.problems), ensure_ascii=False),
             json.dumps([[c, kept[c]] for c in order]), _now(), name))
        self.revisions[name] = int(self.cur.fetchone()[0])
        return record

    def _column_types(self, name: str) -> dict[str, str]:
        self.cur.execute("SELECT column_name, data_type FROM information_schema.columns WHERE "
                         "table_schema = 'public' AND table_name = %s", (name,))
        out = {c: "timestamptz" if t == "timestamp with time zone" else
               "timestamp" if t == "timestamp without time zone" else t
               for c, t in self.cur.fetchall()}
        out.pop("landtool_fid", None)
        out.pop("geometry", None)
        return out

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
        cols = list(_CHECK_COLUMNS)
        with self.cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(CHECKS_TABLE),
                sql.SQL(", ").join(map(sql.Identifier, cols)))) as copy:
            for r in rows:
                copy.write_row([_plain(r.get(c)) for c in cols])


class _PgLog:
    """The decisions log's table within an open transaction (see landtool.decisions)."""

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

    def default_user(self, user: str | None) -> str:
        """The database user who decides; a name given besides it is kept with it."""
        self.cur.execute("SELECT session_user")
        me = self.cur.fetchone()[0]
        return me if not user or user == me else f"{user} (database user {me})"


# -- schema ---------------------------------------------------------------------------------
def _create(conn: psycopg.Connection, location: DatabaseLocation, info: dict[str, str], *,
            overwrite: bool, fill: Callable | None = None) -> None:
    db = conn.execute("SELECT current_database()").fetchone()[0]  # the URL may name none
    viewer, officer = role_name(db, "viewer"), role_name(db, "officer")
    try:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            try:
                with conn.transaction():
                    cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            except psycopg.Error as exc:
                raise WorkspaceError(
                    f"PostGIS cannot be enabled in database {db} ({_first_line(exc)})",
                    path=location,
                    hint="install PostGIS on the server (Debian: postgresql-<version>-"
                    "postgis-3) and have a superuser run CREATE EXTENSION postgis in the "
                    "database") from exc
            cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            tables = {r[0] for r in cur.fetchall()}
            if META_TABLE in tables:
                if not overwrite:
                    raise WorkspaceError(
                        "this database already holds a landtool workspace", path=location,
                        hint="open it, or pass --force to replace it (its layers, checks "
                        "and decisions log are deleted)")
                cur.execute(sql.SQL("SELECT name FROM {}").format(sql.Identifier(META_TABLE)))
                for (name,) in cur.fetchall():
                    cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(name)))
                for table in (META_TABLE, INFO_TABLE, CHECKS_TABLE, LOG_TABLE, HEAD_TABLE,
                              FILES_TABLE, LOCK_TABLE):
                    cur.execute(sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(
                        sql.Identifier(table)))
            mark = f"landtool workspace role of database {db}"
            for role in (viewer, officer):
                cur.execute("SELECT shobj_description(oid, 'pg_authid') FROM pg_roles "
                            "WHERE rolname = %s", (role,))
                found = cur.fetchone()
                if found is None:
                    cur.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
                    cur.execute(sql.SQL("COMMENT ON ROLE {} IS {}").format(
                        sql.Identifier(role), sql.Literal(mark)))
                elif found[0] != mark:  # never hand out a role made for something else
                    raise WorkspaceError(
                        f"the server already has a role {role} that landtool did not make for "
                        f"database {db}", path=location,
                        hint="rename or drop that role, or use another database name")
            cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(viewer),
                                                        sql.Identifier(officer)))
            for statement in _SCHEMA:
                cur.execute(sql.SQL(statement).format(
                    info=sql.Identifier(INFO_TABLE), meta=sql.Identifier(META_TABLE),
                    checks=sql.Identifier(CHECKS_TABLE), log=sql.Identifier(LOG_TABLE),
                    head=sql.Identifier(HEAD_TABLE), files=sql.Identifier(FILES_TABLE),
                    lock=sql.Identifier(LOCK_TABLE),
                    checkcols=sql.SQL(", ").join(
                        sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t))
                        for c, t in _CHECK_COLUMNS.items()),
                    viewer=sql.Identifier(viewer), officer=sql.Identifier(officer),
                    db=sql.Identifier(db)))
            for key, value in info.items():
                cur.execute(sql.SQL("INSERT INTO {} (key, value) VALUES (%s, %s)").format(
                    sql.Identifier(INFO_TABLE)), (key, value))
            if fill is not None:
                fill(_Transaction(cur, location, db))
    except psycopg.errors.InsufficientPrivilege as exc:
        raise WorkspaceError(
            f"user {location.user or '(default)'} may not create a workspace in database "
            f"{db} ({_first_line(exc)})", path=location,
            hint="create it as the database's owner, with the CREATEROLE right (see README: "
            "a shared workspace for an aimag office)") from exc


_SCHEMA = (
    "CREATE TABLE {info} (ord serial PRIMARY KEY, key text UNIQUE NOT NULL, value text)",
    "CREATE TABLE {meta} (position integer NOT NULL, name text PRIMARY KEY, kind text NOT NULL,"
    " source text, added_at text, feature_count bigint, reprojection text, problems text,"
    " projected_invalid text, columns text NOT NULL, revision bigint NOT NULL,"
    " revised_by text, revised_at text)",
    "CREATE TABLE {checks} (ord bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, {checkcols})",
    "CREATE TABLE {log} (seq bigint PRIMARY KEY, at text NOT NULL, \"user\" text NOT NULL,"
    " action text NOT NULL, subject text NOT NULL, details text NOT NULL,"
    " inputs_hash text NOT NULL, prev_hash text NOT NULL, hash text NOT NULL)",
    "CREATE TABLE {head} (k text PRIMARY KEY, v text)",
    "CREATE TABLE {files} (name text PRIMARY KEY, data bytea NOT NULL)",
    "CREATE TABLE {lock} (id integer PRIMARY KEY)",
    "INSERT INTO {lock} VALUES (1)",
    # the log is append-only for everyone: its owner too is refused (to change an entry it
    # would have to disable this trigger first, and verify() reveals the changed entry)
    "CREATE OR REPLACE FUNCTION landtool_log_append_only() RETURNS trigger LANGUAGE plpgsql"
    " AS $$ BEGIN RAISE EXCEPTION 'the decisions log is append-only: entries are never changed"
    " or deleted' USING ERRCODE = 'insufficient_privilege'; END $$",
    "CREATE TRIGGER landtool_log_append_only BEFORE UPDATE OR DELETE ON {log}"
    " FOR EACH ROW EXECUTE FUNCTION landtool_log_append_only()",
    "CREATE TRIGGER landtool_log_no_truncate BEFORE TRUNCATE ON {log}"
    " FOR EACH STATEMENT EXECUTE FUNCTION landtool_log_append_only()",
    # an officer's entry must follow the last one and carry the officer's own name (the owner
    # copies logs verbatim when pushing, even a broken one, so that it can be examined)
    "CREATE OR REPLACE FUNCTION landtool_log_follow() RETURNS trigger LANGUAGE plpgsql"
    " SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$"
    " DECLARE last_seq bigint; last_hash text; BEGIN"
    " IF pg_has_role(session_user, (SELECT tableowner FROM pg_tables WHERE schemaname ="
    " 'public' AND tablename = 'landtool_log'), 'USAGE') THEN RETURN NEW; END IF;"
    " SELECT seq, hash INTO last_seq, last_hash FROM public.landtool_log"
    " ORDER BY seq DESC LIMIT 1;"
    " IF NEW.seq IS DISTINCT FROM coalesce(last_seq, 0) + 1 OR NEW.prev_hash IS DISTINCT FROM"
    " coalesce(last_hash, repeat('0', 64)) THEN RAISE EXCEPTION 'a decisions log entry must"
    " follow the last one' USING ERRCODE = 'insufficient_privilege'; END IF;"
    " IF NEW.\"user\" <> session_user AND NEW.\"user\" NOT LIKE"
    " '% (database user ' || session_user || ')' THEN RAISE EXCEPTION 'a decisions log entry"
    " must carry the name of the database user who makes it'"
    " USING ERRCODE = 'insufficient_privilege'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER landtool_log_follow BEFORE INSERT ON {log}"
    " FOR EACH ROW EXECUTE FUNCTION landtool_log_follow()",
    # the head (number of entries, last hash) follows every insert, with the owner's rights
    "CREATE OR REPLACE FUNCTION landtool_log_head_follow() RETURNS trigger LANGUAGE plpgsql"
    " SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$ BEGIN"
    " INSERT INTO public.landtool_log_head VALUES ('count', NEW.seq::text),"
    " ('last_hash', NEW.hash) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v; RETURN NEW; END $$",
    "REVOKE ALL ON FUNCTION landtool_log_head_follow() FROM PUBLIC",
    "REVOKE ALL ON FUNCTION landtool_log_follow() FROM PUBLIC",
    "CREATE TRIGGER landtool_log_head_follow AFTER INSERT ON {log}"
    " FOR EACH ROW EXECUTE FUNCTION landtool_log_head_follow()",
    # who saved a layer last is the database's word, not the client's
    "CREATE OR REPLACE FUNCTION landtool_layers_saved_by() RETURNS trigger LANGUAGE plpgsql"
    " AS $$ BEGIN NEW.revised_by := session_user; RETURN NEW; END $$",
    "CREATE TRIGGER landtool_layers_saved_by BEFORE INSERT OR UPDATE ON {meta}"
    " FOR EACH ROW EXECUTE FUNCTION landtool_layers_saved_by()",
    "REVOKE CONNECT ON DATABASE {db} FROM PUBLIC",
    "GRANT CONNECT ON DATABASE {db} TO {viewer}",
    "GRANT USAGE ON SCHEMA public TO {viewer}",
    "GRANT SELECT ON {info}, {meta}, {checks}, {log}, {head}, {files} TO {viewer}",
    # officers save features: only the columns a save changes (not a layer's name or kind)
    "GRANT UPDATE (feature_count, problems, columns, revision, revised_by, revised_at)"
    " ON {meta} TO {officer}",
    "GRANT SELECT, UPDATE ON {lock} TO {officer}",
    "GRANT INSERT, DELETE ON {checks} TO {officer}",
    "GRANT INSERT ON {log} TO {officer}",
)


def _grant_layer(cur: psycopg.Cursor, db: str, name: str) -> None:
    cur.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(
        sql.Identifier(name), sql.Identifier(role_name(db, "viewer"))))
    cur.execute(sql.SQL("GRANT INSERT, DELETE ON {} TO {}").format(
        sql.Identifier(name), sql.Identifier(role_name(db, "officer"))))


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
                f"({_first_line(exc)})", path=location,
                hint="have the server's administrator create it (createdb) with you as its "
                "owner") from exc


# -- rows -----------------------------------------------------------------------------------
def _columns(gdf: gpd.GeoDataFrame) -> list[tuple[str, str, str]]:
    """(column, SQL type, pandas dtype) of every attribute column."""
    out = []
    for col in gdf.columns:
        if col == gdf.geometry.name:
            continue
        dtype = gdf[col].dtype
        kind = getattr(dtype, "kind", "O")
        if kind == "O":  # Python objects: by what they hold (True/None, 1/None, text)
            kind = {"boolean": "b", "integer": "i", "floating": "f", "mixed-integer-float": "f",
                    "datetime": "M"}.get(pd.api.types.infer_dtype(gdf[col], skipna=True), "O")
        if kind == "b":
            sqltype = "boolean"
        elif kind in "iu":
            sqltype = "bigint"
        elif kind == "f":
            sqltype = "double precision"
        elif kind == "M":
            sqltype = "timestamptz" if getattr(dtype, "tz", None) is not None else "timestamp"
        else:
            sqltype = "text"
        out.append((str(col), sqltype, str(dtype)))
    return out


_ORDER = ("boolean", "bigint", "double precision", "text")


def _widen(have: str, need: str) -> str:
    """The SQL type a column must have to hold values of both types (a whole-number column
    that now holds a fraction becomes double precision; anything mixed with text, text)."""
    if have == need or need not in _ORDER or have not in _ORDER:
        return have if have == need or need not in _ORDER else "text"
    if "text" in (have, need) or "boolean" in (have, need):
        return "text"
    return max(have, need, key=_ORDER.index)


def _to_sql(value, sqltype: str):
    """``value`` for a column of ``sqltype``: whole floats into bigint (a column of whole
    numbers read with a gap comes back as floats), anything into text as text."""
    value = _plain(value)
    if value is None:
        return None
    if sqltype == "bigint" and isinstance(value, float) and value.is_integer():
        return int(value)
    if sqltype == "text" and not isinstance(value, str):
        return str(value)
    return value


def _plain(value):
    """A value psycopg can send: numpy scalars as Python ones, every kind of NA as NULL."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _copy_rows(cur: psycopg.Cursor, name: str, gdf: gpd.GeoDataFrame,
               columns: list[tuple[str, str, str]]) -> None:
    geoms = shapely.set_srid(np.asarray(gdf.geometry.values, dtype=object), 4326)
    wkb = shapely.to_wkb(geoms, hex=True, include_srid=True, output_dimension=2)
    values = [gdf[c].tolist() for c, _, _ in columns]
    types = [t for _, t, _ in columns]
    names = ["landtool_fid", *[c for c, _, _ in columns], "geometry"]
    with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(name), sql.SQL(", ").join(map(sql.Identifier, names)))) as copy:
        for i in range(len(gdf)):
            copy.write_row([i + 1, *[_to_sql(v[i], t) for v, t in zip(values, types,
                                                                        strict=True)],
                            wkb[i]])


def _read_layer(cur: psycopg.Cursor, name: str, bbox) -> tuple[gpd.GeoDataFrame, int]:
    cur.execute(sql.SQL("SELECT columns, revision FROM {} WHERE name = %s").format(
        sql.Identifier(META_TABLE)), (name,))
    row = cur.fetchone()
    columns = json.loads(row[0])
    where = sql.SQL("")
    params: tuple = ()
    if bbox is not None:
        where = sql.SQL(" WHERE geometry && ST_MakeEnvelope(%s, %s, %s, %s, 4326)")
        params = tuple(float(v) for v in bbox)
    cur.execute(sql.SQL("SELECT {}, ST_AsBinary(geometry) FROM {}{} ORDER BY landtool_fid")
                .format(sql.SQL(", ").join(sql.Identifier(c) for c, _ in columns)
                        if columns else sql.SQL("landtool_fid"),
                        sql.Identifier(name), where), params)
    rows = cur.fetchall()
    names = [c for c, _ in columns]
    data = {c: [r[i] for r in rows] for i, c in enumerate(names)}
    frame = pd.DataFrame(data, columns=names)
    for c, dtype in columns:
        frame[c] = _as_dtype(frame[c], dtype)
    geoms = shapely.from_wkb([None if r[-1] is None else bytes(r[-1]) for r in rows])
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"),
                           crs="EPSG:4326")
    return gdf, int(row[1])


def _as_dtype(column: pd.Series, dtype: str) -> pd.Series:
    """A column read from the database in the pandas type it was written with, or, holding
    gaps, the type pyogrio gives such a column of a GeoPackage (float64 for whole numbers,
    object for true/false), so that both kinds of workspace read alike."""
    gaps = column.isna().any()
    kind = np.dtype("O").kind if dtype in ("str", "object", "string") else None
    try:
        kind = pd.api.types.pandas_dtype(dtype).kind
    except TypeError:
        pass
    try:
        if gaps and kind in "iu":
            return column.astype("float64")
        if gaps and kind == "b":
            return column.astype(object)
        return column.astype(dtype)
    except (TypeError, ValueError):  # a type changed since (e.g. text into a number column)
        return column


def _record(row) -> LayerRecord:
    name, kind, source, added_at, count, reprojection, problems, projected = row[:8]
    return LayerRecord(name, kind, source or "", added_at or "", int(count or 0),
                       reprojection or "", tuple(json.loads(problems or "[]")),
                       None if projected is None else tuple(json.loads(projected)))


def _record_values(record: LayerRecord) -> tuple:
    return (record.name, record.kind, record.source, record.added_at, record.feature_count,
            record.reprojection, json.dumps(list(record.problems), ensure_ascii=False),
            None if record.projected_invalid is None else
            json.dumps(list(record.projected_invalid), ensure_ascii=False))


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _connection_error(location: DatabaseLocation, exc: Exception) -> WorkspaceError:
    text = _first_line(exc)
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
