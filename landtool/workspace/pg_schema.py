"""The tables, roles, grants and triggers of a shared workspace (:mod:`landtool.workspace.pg`):
what the database itself enforces, whatever program connects.

- ``<db>_viewer`` reads every table and writes nothing (not even temporary tables).
- ``<db>_officer`` may also take the write lock, insert decisions into the log, save check
  results, and replace the features of the layers officers edit (requests and rehabilitation
  parcels); every other layer is the owner's to change.
- The decisions log is append-only for everyone (a trigger refuses UPDATE, DELETE and
  TRUNCATE, to its owner too). An officer's entry must follow the last one, carry the
  officer's own database user name, the time of its transaction on the server, and the hash of
  its own content: an officer can neither forge, backdate nor break the chain.
- Any change to a layer's rows, by landtool or by hand, gives the layer a new revision with
  who and when, and its feature count, from a trigger running with the owner's rights: no save
  goes unnoticed by another client, and who saved a layer last is the database's word.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import geopandas as gpd
import psycopg
from psycopg import sql

from landtool.errors import WorkspaceError
from landtool.location import DatabaseLocation
from landtool.workspace.base import CHECKS_TABLE, INFO_TABLE, META_TABLE

LOG_TABLE = "landtool_log"  # the same names as in the GeoPackage (landtool.workspace.decisions)
HEAD_TABLE = "landtool_log_head"
FILES_TABLE = "landtool_files"
LOCK_TABLE = "landtool_lock"  # one row: every write transaction locks it first
#: how long a writer waits for another client's lock before giving up with a message
LOCK_TIMEOUT = "30s"
#: the revision a layer gets when saved: the transaction's id, which only ever grows (so a
#: layer replaced since a client read it never looks unchanged to that client)
REVISION = "pg_current_xact_id()::text::bigint"
#: the advisory lock creating (or replacing) a workspace takes (the owner's only)
LOCK_KEY = int.from_bytes(hashlib.sha256(b"landtool-workspace-write").digest()[:8], "big",
                          signed=True)
CHECK_COLUMNS = {"request_id": "text", "ruleset": "text", "ruleset_version": "text",
                 "as_of": "text", "checked_at": "text", "eligible": "bigint",
                 "status": "text", "area_ha": "double precision",
                 "eligible_area_ha": "double precision", "report_json": "text",
                 "request_wkt": "text", "eligible_wkt": "text"}
ROLES = ("viewer", "officer")
#: the layer kinds officers edit (in the app and the CLI); other layers are the owner's
OFFICER_KINDS = ("requests", "rehab_parcels")
#: the version of what this module creates; a workspace made by an earlier landtool has an
#: older one (or none: 1) and is upgraded by its owner (:func:`upgrade`)
SCHEMA_VERSION = 3
SCHEMA_MARK = "landtool shared workspace schema "
#: PostgreSQL keeps names of at most this many bytes (longer ones are cut, silently)
MAX_NAME_BYTES = 63
#: relations of PostGIS in the public schema, and the columns landtool adds to every layer
_POSTGIS_RELATIONS = ("spatial_ref_sys", "geometry_columns", "geography_columns",
                      "raster_columns", "raster_overviews")
_OWN_COLUMNS = ("landtool_fid", "geometry")


def role_name(database: str, role: str) -> str:
    """The database role of a workspace role: ``<database>_viewer`` or ``<database>_officer``
    for a database named in lower-case letters, digits and _; for any other name (capitals,
    Cyrillic, a dash) ``landtool_<hash of the exact name>_<role>``, so that two workspaces
    never share a role."""
    if re.fullmatch(r"[a-z][a-z0-9_]{0,47}", database):
        return f"{database}_{role}"
    return f"landtool_{hashlib.sha256(database.encode()).hexdigest()[:16]}_{role}"


def check_names(name: str, gdf: gpd.GeoDataFrame, location: DatabaseLocation) -> None:
    """Refuse a layer or column name the database would cut, or that is its own: before
    anything is written, naming the layer and the column and saying what to do."""
    if name.startswith("pg_") or name in _POSTGIS_RELATIONS:
        raise WorkspaceError(f"{name!r} is the name of one of the database's own tables",
                             path=location, hint="give the layer another name (--name)")
    for column in gdf.columns:
        if column == gdf.geometry.name:
            continue
        size = len(str(column).encode())
        if size > MAX_NAME_BYTES:
            raise WorkspaceError(
                f"layer {name}: the column name {column!r} is {size} bytes long; PostgreSQL "
                f"keeps at most {MAX_NAME_BYTES} (about 31 Cyrillic letters) and would cut it",
                path=location, hint="rename the column (in the source file, or "
                "`--map SHORT=LONG` when importing) and try again")
        if column in _OWN_COLUMNS:
            raise WorkspaceError(
                f"layer {name}: a column may not be named {column!r} (landtool's own column "
                "of every layer in a shared workspace)", path=location,
                hint="rename the column and try again")


def _object_name(prefix: str, table: str) -> str:
    """An index or constraint name of ``table`` that no layer can take (layer names never
    start with landtool_) and that is never cut, however long the table's name."""
    return f"landtool_{prefix}_{hashlib.sha256(table.encode()).hexdigest()[:16]}"


def create_layer_table(cur: psycopg.Cursor, db: str, name: str, kind: str,
                       columns: list[tuple[str, str, str]]) -> None:
    """The layer's table, its spatial index, grants and the trigger that records its
    revisions (the owner only)."""
    defs = [sql.SQL("landtool_fid bigint CONSTRAINT {} PRIMARY KEY").format(
        sql.Identifier(_object_name("pk", name)))]
    defs += [sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t, _ in columns]
    defs += [sql.SQL("geometry geometry(Geometry, 4326)")]
    cur.execute(sql.SQL("CREATE TABLE {} ({})").format(sql.Identifier(name),
                                                       sql.SQL(", ").join(defs)))
    cur.execute(sql.SQL("CREATE INDEX {} ON {} USING gist (geometry)").format(
        sql.Identifier(_object_name("gix", name)), sql.Identifier(name)))
    _guard_layer(cur, db, name, kind)


def _guard_layer(cur: psycopg.Cursor, db: str, name: str, kind: str) -> None:
    """The trigger that records a layer's revisions, and who may read and write it: viewers
    read; officers replace the features of :data:`OFFICER_KINDS` only."""
    table, officer = sql.Identifier(name), sql.Identifier(role_name(db, "officer"))
    cur.execute(sql.SQL("DROP TRIGGER IF EXISTS landtool_layer_changed ON {}").format(table))
    cur.execute(sql.SQL("CREATE TRIGGER landtool_layer_changed AFTER INSERT OR UPDATE OR "
                        "DELETE OR TRUNCATE ON {} FOR EACH STATEMENT EXECUTE FUNCTION "
                        "landtool_layer_changed()").format(table))
    cur.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(
        table, sql.Identifier(role_name(db, "viewer"))))
    cur.execute(sql.SQL("REVOKE INSERT, UPDATE, DELETE ON {} FROM {}").format(table, officer))
    if kind in OFFICER_KINDS:
        cur.execute(sql.SQL("GRANT INSERT, DELETE ON {} TO {}").format(table, officer))
    cur.execute(sql.SQL("DROP TRIGGER IF EXISTS landtool_queue_follows_log ON {}").format(table))
    cur.execute("SELECT array_agg(column_name::text) FROM information_schema.columns WHERE "
                "table_schema = 'public' AND table_name = %s", (name,))
    columns = set(cur.fetchone()[0] or ())
    if kind == "requests" and {"request_id", "queue_no", "submitted_at"} <= columns:
        # checked at commit, so a save that replaces every row is judged on what it leaves
        cur.execute(sql.SQL("CREATE CONSTRAINT TRIGGER landtool_queue_follows_log AFTER "
                            "INSERT OR UPDATE OR DELETE ON {} DEFERRABLE INITIALLY DEFERRED "
                            "FOR EACH ROW EXECUTE FUNCTION landtool_queue_follows_log()")
                    .format(table))
        cur.execute(sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} ((request_id::text))").format(
            sql.Identifier(_object_name("rid", name)), table))


@contextmanager
def _owner_transaction(conn: psycopg.Connection, location: DatabaseLocation,
                       refused: Callable[[Exception], WorkspaceError]) -> Iterator:
    """ONE transaction under the creation lock, waiting at most LOCK_TIMEOUT for other
    clients' locks (even a viewer's open read): the owner's creating, replacing, upgrading.
    ``refused(exc)`` says what a user who is not the owner is told."""
    try:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            yield cur
    except psycopg.errors.InsufficientPrivilege as exc:
        raise refused(exc) from exc
    except psycopg.errors.LockNotAvailable as exc:
        raise WorkspaceError(
            f"another client kept the workspace busy for {LOCK_TIMEOUT}; nothing was changed",
            path=location, hint="ask the others to close landtool (`landtool workspace who "
            "URL` lists them), then try again") from exc


def create(conn: psycopg.Connection, location: DatabaseLocation, info: dict[str, str], *,
           overwrite: bool, fill: Callable | None = None, transaction=None) -> None:
    """Create the workspace's tables, roles, grants and triggers in ONE transaction, under the
    creation lock, and let ``fill(transaction(cur, location, db))`` write its contents."""
    db = conn.execute("SELECT current_database()").fetchone()[0]  # the URL may name none
    viewer, officer = role_name(db, "viewer"), role_name(db, "officer")

    def refused(exc: Exception) -> WorkspaceError:
        return WorkspaceError(
            f"user {location.user or '(default)'} may not create a workspace in database "
            f"{db} ({first_line(exc)})", path=location,
            hint="create it as the database's owner, with the CREATEROLE right (see README: "
            "a shared workspace for an aimag office)")

    with _owner_transaction(conn, location, refused) as cur:
        _enable_postgis(conn, cur, db, location)
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = {r[0] for r in cur.fetchall()}
        if META_TABLE in tables:
            if not overwrite:
                raise WorkspaceError(
                    "this database already holds a landtool workspace", path=location,
                    hint="open it, or pass --force to replace it (its layers, checks "
                    "and decisions log are deleted)")
            _drop_all(cur)
        _make_roles(cur, db, viewer, officer, location)
        for statement in SCHEMA:
            cur.execute(sql.SQL(statement).format(
                info=sql.Identifier(INFO_TABLE), meta=sql.Identifier(META_TABLE),
                checks=sql.Identifier(CHECKS_TABLE), log=sql.Identifier(LOG_TABLE),
                head=sql.Identifier(HEAD_TABLE), files=sql.Identifier(FILES_TABLE),
                lock=sql.Identifier(LOCK_TABLE),
                checkcols=sql.SQL(", ").join(
                    sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t))
                    for c, t in CHECK_COLUMNS.items()),
                viewer=sql.Identifier(viewer), officer=sql.Identifier(officer),
                db=sql.Identifier(db)))
        from landtool.workspace.photos_pg import create_tables as photo_tables

        photo_tables(cur, viewer, officer)
        for key, value in info.items():
            cur.execute(sql.SQL("INSERT INTO {} (key, value) VALUES (%s, %s)").format(
                sql.Identifier(INFO_TABLE)), (key, value))
        if fill is not None:
            fill(transaction(cur, location, db))


def _enable_postgis(conn, cur, db: str, location: DatabaseLocation) -> None:
    try:
        with conn.transaction():
            cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    except psycopg.errors.LockNotAvailable:
        raise
    except psycopg.Error as exc:
        raise WorkspaceError(
            f"PostGIS cannot be enabled in database {db} ({first_line(exc)})", path=location,
            hint="install PostGIS on the server (Debian: postgresql-<version>-postgis-3) and "
            "have a superuser run CREATE EXTENSION postgis in the database") from exc


def _drop_all(cur: psycopg.Cursor) -> None:
    """Drop the workspace's layers and tables (replacing it)."""
    cur.execute(sql.SQL("SELECT name FROM {}").format(sql.Identifier(META_TABLE)))
    for (name,) in cur.fetchall():
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(name)))
    for table in (META_TABLE, INFO_TABLE, CHECKS_TABLE, LOG_TABLE, HEAD_TABLE, FILES_TABLE,
                  LOCK_TABLE, "landtool_photos", "landtool_photo_media"):
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(sql.Identifier(table)))


def _make_roles(cur: psycopg.Cursor, db: str, viewer: str, officer: str,
                location: DatabaseLocation) -> None:
    """The workspace's two roles (made once, marked as landtool's for this database)."""
    mark = f"landtool workspace role of database {db}"
    for role in (viewer, officer):
        cur.execute("SELECT shobj_description(oid, 'pg_authid') FROM pg_roles "
                    "WHERE rolname = %s", (role,))
        found = cur.fetchone()
        if found is None:
            cur.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
            cur.execute(sql.SQL("COMMENT ON ROLE {} IS {}").format(sql.Identifier(role),
                                                                  sql.Literal(mark)))
        elif found[0] != mark:  # never hand out a role made for something else
            raise WorkspaceError(
                f"the server already has a role {role} that landtool did not make for "
                f"database {db}", path=location,
                hint="rename or drop that role, or use another database name")
    cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(viewer),
                                                sql.Identifier(officer)))


def first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


#: the one test of "is this session the log's owner" (the owner copies logs verbatim when
#: pushing, even a broken one, so that it can be examined)
_IS_OWNER = ("pg_has_role(session_user, (SELECT tableowner FROM pg_tables WHERE schemaname ="
             " 'public' AND tablename = 'landtool_log'), 'USAGE')")
#: an entry's hash as landtool.workspace.decisions._entry_hash computes it: SHA-256 of the
#: JSON of its fields with sorted keys and ", " / ": " separators (to_json escapes text as
#: Python's json does with ensure_ascii=False)
_ENTRY_JSON = (
    "'{{\"action\": ' || to_json(NEW.action)::text || ', \"at\": ' || to_json(NEW.at)::text"
    " || ', \"details\": ' || to_json(NEW.details)::text || ', \"inputs_hash\": '"
    " || to_json(NEW.inputs_hash)::text || ', \"prev_hash\": ' || to_json(NEW.prev_hash)::text"
    " || ', \"seq\": ' || NEW.seq::text || ', \"subject\": ' || to_json(NEW.subject)::text"
    " || ', \"user\": ' || to_json(NEW.\"user\")::text || '}}'")

#: an officer's entry must follow the last one, carry the officer's own name (or another
#: name followed by " (database user <own name>)"), the server's time of the transaction
#: and the hash of its own content
LOG_FOLLOW_FUNCTION = (
    "CREATE OR REPLACE FUNCTION landtool_log_follow() RETURNS trigger LANGUAGE plpgsql"
    " SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$"
    " DECLARE last_seq bigint; last_hash text; suffix text; BEGIN"
    f" IF {_IS_OWNER} THEN RETURN NEW; END IF;"
    " SELECT seq, hash INTO last_seq, last_hash FROM public.landtool_log"
    " ORDER BY seq DESC LIMIT 1;"
    " IF NEW.seq IS DISTINCT FROM coalesce(last_seq, 0) + 1 OR NEW.prev_hash IS DISTINCT FROM"
    " coalesce(last_hash, repeat('0', 64)) THEN RAISE EXCEPTION 'a decisions log entry must"
    " follow the last one' USING ERRCODE = 'insufficient_privilege'; END IF;"
    " suffix := ' (database user ' || session_user || ')';"
    " IF NEW.\"user\" IS DISTINCT FROM session_user::text AND (length(NEW.\"user\") <="
    " length(suffix) OR right(NEW.\"user\", length(suffix)) IS DISTINCT FROM suffix) THEN"
    " RAISE EXCEPTION 'a decisions log entry must carry the name of the database user who"
    " makes it' USING ERRCODE = 'insufficient_privilege'; END IF;"
    " IF NEW.at::timestamptz IS DISTINCT FROM date_trunc('second', transaction_timestamp())"
    " THEN RAISE EXCEPTION 'a decisions log entry must carry the time of its transaction on"
    " the server' USING ERRCODE = 'insufficient_privilege'; END IF;"
    f" IF NEW.hash IS DISTINCT FROM encode(sha256(convert_to({_ENTRY_JSON}, 'UTF8')), 'hex')"
    " THEN RAISE EXCEPTION 'a decisions log entry must carry the hash of its own content'"
    " USING ERRCODE = 'insufficient_privilege'; END IF; RETURN NEW; END $$"
)

#: the queue is the log's: checked when a change to a requests layer is committed (deferred,
#: so that a save replacing every row is judged on what it leaves). A queue number and a
#: submission time must be those the log's registration of the request recorded; a request
#: the log registered keeps its number and is never deleted (it is withdrawn by a logged
#: decision). The owner (who pushes, seals and may disable triggers anyway) is not held.
_REGISTRATION = ("SELECT details::jsonb FROM public.landtool_log WHERE subject = $1"
                 " AND action IN ('registered', 'imported') ORDER BY seq LIMIT 1")


def _sql_text(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


QUEUE_FUNCTION = (
    "CREATE OR REPLACE FUNCTION landtool_queue_follows_log() RETURNS trigger LANGUAGE plpgsql"
    " SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$"
    " DECLARE d jsonb; rid text; same boolean; still boolean; BEGIN"
    f" IF {_IS_OWNER} THEN RETURN NULL; END IF;"
    " IF TG_OP = 'DELETE' THEN rid := OLD.request_id::text;"
    f" EXECUTE {_sql_text(_REGISTRATION)} INTO d USING rid;"
    " IF d IS NULL THEN RETURN NULL; END IF;"
    " EXECUTE format('SELECT EXISTS (SELECT 1 FROM public.%I WHERE request_id::text = $1)',"
    " TG_TABLE_NAME) INTO still USING rid;"
    " IF NOT still THEN RAISE EXCEPTION 'request % is registered (number %) and is never"
    " deleted: record the decision \"withdrawn\" instead (landtool register decide WS % --decision"
    " withdrawn); nothing was saved', rid, d->>'queue_no', rid USING ERRCODE = 'check_violation';"
    " END IF; RETURN NULL; END IF;"
    " rid := NEW.request_id::text;"
    f" EXECUTE {_sql_text(_REGISTRATION)} INTO d USING rid;"
    " IF NEW.queue_no IS NULL THEN"
    " IF d IS NOT NULL THEN RAISE EXCEPTION 'request % is registered as number % in the decisions"
    " log: a registration is never undone; nothing was saved', rid, d->>'queue_no'"
    " USING ERRCODE = 'check_violation'; END IF; RETURN NULL; END IF;"
    " IF d IS NULL THEN RAISE EXCEPTION 'request % carries queue number % that the decisions log"
    " never gave: numbers come only from registering (landtool register add), or, for numbers"
    " given in another program, from the owner sealing them once (landtool register seal);"
    " nothing was saved', rid, NEW.queue_no USING ERRCODE = 'check_violation'; END IF;"
    " IF (d->>'queue_no')::numeric IS DISTINCT FROM NEW.queue_no::numeric THEN RAISE EXCEPTION"
    " 'request % was registered as number %, not %: a queue number never changes; nothing was"
    " saved', rid, d->>'queue_no', NEW.queue_no USING ERRCODE = 'check_violation'; END IF;"
    " BEGIN same := (d->>'submitted_at')::timestamptz = NEW.submitted_at::text::timestamptz;"
    " EXCEPTION WHEN others THEN same := (d->>'submitted_at') = NEW.submitted_at::text; END;"
    " IF NOT coalesce(same, false) THEN RAISE EXCEPTION 'request % was registered at %, not at"
    " %: a submission time never changes; nothing was saved', rid, d->>'submitted_at',"
    " coalesce(NEW.submitted_at::text, '(none)') USING ERRCODE = 'check_violation'; END IF;"
    " RETURN NULL; END $$"
)

#: any change to a layer's rows (landtool's save, or by hand) moves its revision on, with
#: the time and the feature count (see create_layer_table)
LAYER_CHANGED_FUNCTION = (
    "CREATE OR REPLACE FUNCTION landtool_layer_changed() RETURNS trigger LANGUAGE plpgsql"
    " SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$"
    " DECLARE n bigint; BEGIN"
    " EXECUTE format('SELECT count(*) FROM public.%I', TG_TABLE_NAME) INTO n;"
    f" UPDATE public.landtool_layers SET revision = {REVISION}, feature_count = n,"
    " revised_at = to_char(transaction_timestamp() AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"') WHERE name = TG_TABLE_NAME;"
    " RETURN NULL; END $$"
)

#: a layer's record holds JSON lists: a hand-made edit that is not one is refused
RECORD_CHECKS = {"problems": "problems IS NULL OR jsonb_typeof(problems::jsonb) = 'array'",
                 "columns": "jsonb_typeof(columns::jsonb) = 'array'"}
#: what marks the schema's version (:func:`schema_version`)
SCHEMA_COMMENT = f"COMMENT ON TABLE {{meta}} IS '{SCHEMA_MARK}{SCHEMA_VERSION}'"

SCHEMA = (
    "CREATE TABLE {info} (ord serial PRIMARY KEY, key text UNIQUE NOT NULL, value text)",
    "CREATE TABLE {meta} (position integer NOT NULL, name text PRIMARY KEY, kind text NOT NULL,"
    " source text, added_at text, feature_count bigint, reprojection text,"
    f" problems text CHECK ({RECORD_CHECKS['problems']}),"
    " projected_invalid text,"
    f" columns text NOT NULL CHECK ({RECORD_CHECKS['columns']}),"
    " revision bigint NOT NULL, revised_by text, revised_at text)",
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
    # an officer's entry must follow the last one, carry the officer's own name (or another
    # name followed by " (database user <own name>)"), the server's time of the transaction
    # and the hash of its own content
    LOG_FOLLOW_FUNCTION,
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
    # any change to a layer's rows (landtool's save, or by hand) moves its revision on, with
    # the time and the feature count (see create_layer_table)
    LAYER_CHANGED_FUNCTION,
    "REVOKE ALL ON FUNCTION landtool_layer_changed() FROM PUBLIC",
    # the queue is the log's (see _guard_layer): a registration is looked up by request
    QUEUE_FUNCTION,
    "REVOKE ALL ON FUNCTION landtool_queue_follows_log() FROM PUBLIC",
    "CREATE INDEX IF NOT EXISTS landtool_log_subject ON {log} (subject)",
    "REVOKE CONNECT, TEMPORARY ON DATABASE {db} FROM PUBLIC",
    "GRANT CONNECT ON DATABASE {db} TO {viewer}",
    "GRANT USAGE ON SCHEMA public TO {viewer}",
    "GRANT SELECT ON {info}, {meta}, {checks}, {log}, {head}, {files} TO {viewer}",
    # officers save features: only the columns of a save's record that are not the
    # database's to keep (revision, who, when and the count follow from the trigger)
    "GRANT UPDATE (problems, columns) ON {meta} TO {officer}",
    "GRANT SELECT, UPDATE ON {lock} TO {officer}",
    "GRANT INSERT, DELETE ON {checks} TO {officer}",
    "GRANT INSERT ON {log} TO {officer}",
    SCHEMA_COMMENT,
)


def schema_version(cur: psycopg.Cursor) -> int:
    """The schema version of the workspace in this database (1: made before versions)."""
    cur.execute("SELECT obj_description(c.oid, 'pg_class') FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relname = %s",
                (META_TABLE,))
    row = cur.fetchone()
    text = (row[0] if row else None) or ""
    return int(text[len(SCHEMA_MARK):]) if text.startswith(SCHEMA_MARK) and \
        text[len(SCHEMA_MARK):].isdigit() else 1


def upgrade(conn: psycopg.Connection, location: DatabaseLocation) -> int:
    """Give a workspace made by an earlier landtool what this version enforces (the owner,
    once, in one transaction): the log's and the layers' triggers, the officers' narrower
    grants, no temporary tables, the record's JSON checks. Returns the version it had."""
    db = conn.execute("SELECT current_database()").fetchone()[0]
    viewer, officer = role_name(db, "viewer"), role_name(db, "officer")
    names = {"meta": sql.Identifier(META_TABLE), "log": sql.Identifier(LOG_TABLE),
             "officer": sql.Identifier(officer),
             "viewer": sql.Identifier(viewer), "db": sql.Identifier(db)}

    def refused(exc: Exception) -> WorkspaceError:
        return WorkspaceError(f"only the workspace's owner may upgrade it ({first_line(exc)})",
                              path=location,
                              hint="connect as the owner (the user who pushed or created it)")

    with _owner_transaction(conn, location, refused) as cur:
        had = schema_version(cur)
        from landtool.workspace.photos_pg import create_tables as photo_tables

        photo_tables(cur, viewer, officer)  # made before photos existed: their tables
        if had >= SCHEMA_VERSION:
            return had
        for statement in (LOG_FOLLOW_FUNCTION, LAYER_CHANGED_FUNCTION, QUEUE_FUNCTION,
                          "REVOKE ALL ON FUNCTION landtool_log_follow() FROM PUBLIC",
                          "REVOKE ALL ON FUNCTION landtool_layer_changed() FROM PUBLIC",
                          "REVOKE ALL ON FUNCTION landtool_queue_follows_log() FROM PUBLIC",
                          "CREATE INDEX IF NOT EXISTS landtool_log_subject ON {log} "
                          "(subject)",
                          "REVOKE CONNECT, TEMPORARY ON DATABASE {db} FROM PUBLIC",
                          "GRANT CONNECT ON DATABASE {db} TO {viewer}",
                          "REVOKE UPDATE ON {meta} FROM {officer}",
                          "GRANT UPDATE (problems, columns) ON {meta} TO {officer}",
                          SCHEMA_COMMENT):
            cur.execute(sql.SQL(statement).format(**names))
        for column, check in RECORD_CHECKS.items():  # the names CREATE TABLE gives them
            constraint = sql.Identifier(f"{META_TABLE}_{column}_check")
            cur.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}").format(
                names["meta"], constraint))
            cur.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} CHECK ({})").format(
                names["meta"], constraint, sql.SQL(check)))
        cur.execute(sql.SQL("SELECT name, kind FROM {}").format(names["meta"]))
        for name, kind in cur.fetchall():
            _guard_layer(cur, db, name, kind)
        return had
