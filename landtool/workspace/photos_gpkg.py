"""Photos inside a GeoPackage workspace, as the GeoPackage Related Tables Extension keeps media.

- ``landtool_photo_media``: the media table of the extension (``id``, ``data`` BLOB — the JPEG
  byte for byte — and ``content_type``), registered in ``gpkg_contents`` as attributes;
- ``landtool_photos``: a point feature table (EPSG:4326) with one row per photo — its position,
  time, direction, camera, the feature it belongs to, its distance outside that feature, a
  thumbnail, and ``media_id`` — so QGIS and ``ogrinfo`` show the photos as points;
- ``landtool_photo_map_<layer>``: one mapping table per base table (the parcels or requests
  layer the photos belong to): ``base_id`` (the feature's fid), ``related_id`` (the media row)
  and ``subject_id`` (the parcel or request id), described in ``gpkgext_relations``
  (relation ``media``) and registered in ``gpkg_extensions`` (``gpkg_related_tables``).

A layer's fids change when landtool saves the layer (it is written anew), so the mapping
table is rebuilt from ``landtool_photos`` (by parcel or request id) within the same
transaction whenever its base layer is written or removed (:func:`follow`). Everything here
runs inside the workspace's transaction (``tx.con``), so photos land with it or not at all.
Workspaces made before photos existed get the tables the first time a photo is attached.
"""

from __future__ import annotations

import sqlite3
import struct
from contextlib import closing
from pathlib import Path

from landtool.workspace.lock import read_lock, recover_interrupted_write
from landtool.workspace.photo_rows import COLUMNS, SUBJECT_KINDS, Photo

MEDIA = "landtool_photo_media"
POINTS = "landtool_photos"
MAP_PREFIX = "landtool_photo_map_"
RELATIONS = "gpkgext_relations"
EXTENSION = "gpkg_related_tables"
DEFINITION = "http://www.geopackage.org/18-000.html"

_SQL_TYPES = {"photo_id": "INTEGER NOT NULL UNIQUE", "size_bytes": "INTEGER NOT NULL",
              "lon": "REAL NOT NULL", "lat": "REAL NOT NULL", "direction_deg": "REAL",
              "distance_m": "REAL", "outside": "BOOLEAN NOT NULL", "tolerance_m": "REAL"}


def _now_sql() -> str:
    return "strftime('%Y-%m-%dT%H:%M:%fZ','now')"


def _tables(con: sqlite3.Connection) -> set[str]:
    return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def ensure(tx) -> None:
    """The media table, the photos' point table, the relations table and the extension's
    registration, created the first time (inside the caller's transaction)."""
    con = tx.con
    tables = _tables(con)
    if POINTS in tables and MEDIA in tables and RELATIONS in tables:
        return
    con.execute(f"CREATE TABLE IF NOT EXISTS {MEDIA} (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                "data BLOB NOT NULL, content_type TEXT NOT NULL)")
    cols = ", ".join(f"{c} {_SQL_TYPES.get(c, 'TEXT')}" for c in COLUMNS)
    con.execute(f"CREATE TABLE IF NOT EXISTS {POINTS} (fid INTEGER PRIMARY KEY "
                f"AUTOINCREMENT, geom POINT, {cols}, thumbnail BLOB, media_id INTEGER NOT NULL "
                f"REFERENCES {MEDIA}(id))")
    con.execute(f"CREATE TABLE IF NOT EXISTS {RELATIONS} (id INTEGER PRIMARY KEY "
                "AUTOINCREMENT, base_table_name TEXT NOT NULL, base_primary_column TEXT NOT "
                "NULL DEFAULT 'id', related_table_name TEXT NOT NULL, related_primary_column "
                "TEXT NOT NULL DEFAULT 'id', relation_name TEXT NOT NULL, mapping_table_name "
                "TEXT NOT NULL UNIQUE)")
    con.execute("CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name "
                "TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT "
                "NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))")
    con.execute("INSERT OR IGNORE INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, "
                "organization_coordsys_id, definition) VALUES ('WGS 84 geodetic', 4326, "
                "'EPSG', 4326, 'GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\","
                "6378137,298.257223563]],PRIMEM[\"Greenwich\",0],UNIT[\"degree\","
                "0.0174532925199433]]')")
    con.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
                f"description, last_change) VALUES (?, 'attributes', ?, ?, {_now_sql()})",
                (MEDIA, MEDIA, "photographs kept as evidence (JPEG files, byte for byte)"))
    con.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
                f"description, last_change, srs_id) VALUES (?, 'features', ?, ?, {_now_sql()},"
                " 4326)", (POINTS, POINTS, "where each photograph was taken"))
    con.execute("INSERT OR IGNORE INTO gpkg_geometry_columns (table_name, column_name, "
                "geometry_type_name, srs_id, z, m) VALUES (?, 'geom', 'POINT', 4326, 0, 0)",
                (POINTS,))
    _register(con, RELATIONS)


def _register(con, table: str) -> None:
    """The extension's row for ``table`` in gpkg_extensions, once (its UNIQUE constraint
    does not catch a second row whose column_name is NULL)."""
    con.execute("INSERT INTO gpkg_extensions (table_name, column_name, extension_name, "
                "definition, scope) SELECT ?1, NULL, ?2, ?3, 'read-write' WHERE NOT EXISTS ("
                "SELECT 1 FROM gpkg_extensions WHERE table_name = ?1 AND column_name IS NULL "
                "AND extension_name = ?2)", (table, EXTENSION, DEFINITION))


def next_id(tx) -> int:
    return int(tx.con.execute(f"SELECT coalesce(max(photo_id), 0) + 1 FROM {POINTS}")
               .fetchone()[0])


def hashes(tx, kind: str, subject_id: str) -> dict[str, int]:
    """sha256 -> photo id of the photos already attached to one feature."""
    return dict(tx.con.execute(f"SELECT sha256, photo_id FROM {POINTS} WHERE subject_kind = ? "
                               "AND subject_id = ?", (kind, subject_id)))


def point_blob(lon: float, lat: float) -> bytes:
    """A GeoPackage geometry: the 8-byte header (magic GP, version 0, flags 1 = little-endian,
    no envelope; srs 4326) followed by the point's WKB."""
    return b"GP\x00\x01" + struct.pack("<i", 4326) + struct.pack("<BIdd", 1, 1, lon, lat)


def insert(tx, photo: Photo, data: bytes) -> None:
    """One photo: its bytes into the media table, its row into the point table; the mapping
    table of its layer follows."""
    con = tx.con
    media_id = con.execute(f"INSERT INTO {MEDIA} (data, content_type) VALUES (?, ?)",
                           (data, photo.content_type)).lastrowid
    _insert_row(con, photo, media_id)
    _link(con, photo.layer, photo.subject_kind, photo.subject_id, media_id)


def _insert_row(con, photo: Photo, media_id: int) -> None:
    values = [getattr(photo, c) for c in COLUMNS]
    con.execute(f"INSERT INTO {POINTS} (geom, {', '.join(COLUMNS)}, thumbnail, media_id) "
                f"VALUES ({', '.join('?' * (len(COLUMNS) + 3))})",
                (point_blob(photo.lon, photo.lat), *values, photo.thumbnail, media_id))
    _grow_extent(con, photo.lon, photo.lat)


def _grow_extent(con, lon: float, lat: float) -> None:
    con.execute("UPDATE gpkg_contents SET min_x = min(coalesce(min_x, ?1), ?1), "
                "max_x = max(coalesce(max_x, ?1), ?1), min_y = min(coalesce(min_y, ?2), ?2), "
                f"max_y = max(coalesce(max_y, ?2), ?2), last_change = {_now_sql()} "
                "WHERE table_name = ?3", (lon, lat, POINTS))


def _mapping(layer: str) -> str:
    return f"{MAP_PREFIX}{layer}"


def _fid_column(con, layer: str) -> str | None:
    pk = [r[1] for r in con.execute(f'PRAGMA table_info("{layer}")') if r[5]]
    return pk[0] if len(pk) == 1 else None


def _ensure_mapping(con, layer: str) -> str | None:
    """The mapping table of ``layer``, described in gpkgext_relations (None if the layer
    has no single-column primary key)."""
    fid = _fid_column(con, layer)
    if fid is None:
        return None
    table = _mapping(layer)
    con.execute(f'CREATE TABLE IF NOT EXISTS "{table}" (base_id INTEGER NOT NULL, related_id '
                "INTEGER NOT NULL, subject_id TEXT NOT NULL)")
    con.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
                f"last_change) VALUES (?, 'attributes', ?, {_now_sql()})", (table, table))
    _register(con, table)
    con.execute(f"DELETE FROM {RELATIONS} WHERE mapping_table_name = ?", (table,))
    con.execute(f"INSERT INTO {RELATIONS} (base_table_name, base_primary_column, "
                "related_table_name, related_primary_column, relation_name, "
                "mapping_table_name) VALUES (?, ?, ?, 'id', 'media', ?)",
                (layer, fid, MEDIA, table))
    return table


def _link(con, layer: str, kind: str, subject_id: str, media_id: int) -> None:
    table = _ensure_mapping(con, layer)
    if table is None:
        return
    fid = _fid_column(con, layer)
    con.execute(f'INSERT INTO "{table}" (base_id, related_id, subject_id) SELECT "{fid}", ?, ? '
                f'FROM "{layer}" WHERE CAST("{SUBJECT_KINDS[kind]}" AS TEXT) = ?',
                (media_id, subject_id, subject_id))


def follow(con: sqlite3.Connection, layer: str) -> None:
    """After layer ``layer`` was written anew or removed (in the open transaction): its
    mapping table rebuilt from the photos' rows, matched by parcel or request id; the photos
    themselves are never touched."""
    tables = _tables(con)
    if POINTS not in tables:
        return
    table = _mapping(layer)
    if layer not in tables:  # removed: the relation goes, the photos stay
        if table in tables:
            con.execute(f'DROP TABLE "{table}"')
            for meta in ("gpkg_contents", "gpkg_extensions"):
                con.execute(f"DELETE FROM {meta} WHERE table_name = ?", (table,))
            con.execute(f"DELETE FROM {RELATIONS} WHERE mapping_table_name = ?", (table,))
        return
    rows = con.execute(f"SELECT DISTINCT subject_kind FROM {POINTS} WHERE layer = ?",
                       (layer,)).fetchall()
    if not rows and table not in tables:
        return
    if _ensure_mapping(con, layer) is None:
        return
    con.execute(f'DELETE FROM "{table}"')
    fid = _fid_column(con, layer)
    columns = {r[1] for r in con.execute(f'PRAGMA table_info("{layer}")')}
    for (kind,) in rows:
        id_field = SUBJECT_KINDS.get(kind)
        if id_field not in columns:
            continue
        con.execute(f'INSERT INTO "{table}" (base_id, related_id, subject_id) SELECT l."{fid}", '
                    f'p.media_id, p.subject_id FROM {POINTS} p JOIN "{layer}" l ON '
                    f'CAST(l."{id_field}" AS TEXT) = p.subject_id WHERE p.layer = ? AND '
                    "p.subject_kind = ?", (layer, kind))


# -- reading ------------------------------------------------------------------------------------
def _query(ws, sql: str, params: tuple = ()) -> list | None:
    """Rows of a query, inside the open change of ``ws`` if there is one, else read-only
    (None when the workspace has no photos table yet)."""
    tx = ws._tx()
    try:
        if tx is not None:
            return tx.con.execute(sql, params).fetchall()
        recover_interrupted_write(Path(ws.path))
        uri = f"file:{Path(ws.path).resolve()}?mode=ro"
        with read_lock(Path(ws.path)), \
                closing(sqlite3.connect(uri, uri=True, timeout=30)) as con:
            return con.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None
        raise


def rows(ws) -> list[Photo]:
    found = _query(ws, f"SELECT {', '.join(COLUMNS)}, thumbnail FROM {POINTS} "
                   "ORDER BY photo_id")
    return [_photo(r) for r in found or []]


def _photo(r) -> Photo:
    values = dict(zip((*COLUMNS, "thumbnail"), r, strict=True))
    values["outside"] = bool(values["outside"])
    values["thumbnail"] = bytes(values["thumbnail"] or b"")
    return Photo(**values)


def data(ws, photo_id: int) -> bytes | None:
    found = _query(ws, f"SELECT m.data FROM {POINTS} p JOIN {MEDIA} m ON m.id = p.media_id "
                   "WHERE p.photo_id = ?", (photo_id,))
    return bytes(found[0][0]) if found else None


def copy_in(tx, photo: Photo, content: bytes) -> None:
    """A photo copied from another workspace (a pull), with its id and fields as they were."""
    ensure(tx)
    insert(tx, photo, content)
