"""Photos inside a shared PostgreSQL workspace: the same as in a GeoPackage
(:mod:`landtool.workspace.photos_gpkg`), in two tables.

- ``landtool_photo_media`` (``id``, ``data`` bytea — the JPEG byte for byte, stored without
  compression since a JPEG is already compressed — and ``content_type``);
- ``landtool_photos``: one row per photo with its fields, thumbnail, ``media_id`` and a
  ``geometry(Point, 4326)`` column with a GiST index (QGIS shows it as a point layer).

Viewers read both; officers may add photos (INSERT), never change or delete one. A
workspace created before photos existed gets the tables from its owner: the first photo the
owner attaches, or ``landtool workspace upgrade URL``.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from landtool.errors import WorkspaceError
from landtool.workspace.photo_rows import COLUMNS, Photo

MEDIA = "landtool_photo_media"
POINTS = "landtool_photos"

_TYPES = {"photo_id": "bigint PRIMARY KEY", "size_bytes": "bigint NOT NULL",
          "lon": "double precision NOT NULL", "lat": "double precision NOT NULL",
          "direction_deg": "double precision", "distance_m": "double precision",
          "outside": "boolean NOT NULL", "tolerance_m": "double precision",
          "subject_kind": "text NOT NULL", "subject_id": "text NOT NULL",
          "sha256": "text NOT NULL"}


def create_tables(cur: psycopg.Cursor, viewer: str, officer: str) -> None:
    """The photo tables and their grants (the owner; idempotent)."""
    cols = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c),
                                                      sql.SQL(_TYPES.get(c, "text")))
                              for c in COLUMNS)
    media, points = sql.Identifier(MEDIA), sql.Identifier(POINTS)
    cur.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} (id bigint PRIMARY KEY, data bytea NOT "
                        "NULL, content_type text NOT NULL)").format(media))
    cur.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN data SET STORAGE EXTERNAL").format(media))
    cur.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} ({}, thumbnail bytea, media_id bigint "
                        "NOT NULL REFERENCES {} (id), geometry geometry(Point, 4326) NOT NULL)")
                .format(points, cols, media))
    cur.execute(sql.SQL("CREATE INDEX IF NOT EXISTS landtool_photos_gix ON {} USING gist "
                        "(geometry)").format(points))
    cur.execute(sql.SQL("CREATE INDEX IF NOT EXISTS landtool_photos_subject ON {} "
                        "(subject_kind, subject_id)").format(points))
    for table in (media, points):
        cur.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(table, sql.Identifier(viewer)))
        cur.execute(sql.SQL("GRANT INSERT ON {} TO {}").format(table, sql.Identifier(officer)))


def _exists(cur) -> bool:
    cur.execute("SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL",
                (f"public.{POINTS}", f"public.{MEDIA}"))
    return bool(cur.fetchone()[0])


def ensure(tx) -> None:
    """The photo tables, made by the owner the first time; an officer of a workspace made
    before photos existed is told to ask the owner."""
    if _exists(tx.cur):
        return
    roles = tx.owner_roles()  # (viewer, officer) when the user owns the workspace, else None
    if roles is None:
        raise WorkspaceError(
            "this shared workspace was made before photos could be kept in it, and only its "
            "owner may add the photo tables; nothing was changed", path=tx.location,
            hint="the owner runs `landtool workspace upgrade URL` once (or attaches a first "
            "photo), then try again")
    create_tables(tx.cur, *roles)


def next_id(tx) -> int:
    tx.cur.execute(sql.SQL("SELECT coalesce(max(photo_id), 0) + 1 FROM {}").format(
        sql.Identifier(POINTS)))
    return int(tx.cur.fetchone()[0])


def hashes(tx, kind: str, subject_id: str) -> dict[str, int]:
    tx.cur.execute(sql.SQL("SELECT sha256, photo_id FROM {} WHERE subject_kind = %s AND "
                           "subject_id = %s").format(sql.Identifier(POINTS)),
                   (kind, subject_id))
    return {h: int(i) for h, i in tx.cur.fetchall()}


def insert(tx, photo: Photo, data: bytes) -> None:
    cur = tx.cur
    cur.execute(sql.SQL("SELECT coalesce(max(id), 0) + 1 FROM {}").format(
        sql.Identifier(MEDIA)))
    media_id = int(cur.fetchone()[0])
    cur.execute(sql.SQL("INSERT INTO {} (id, data, content_type) VALUES (%s, %s, %s)").format(
        sql.Identifier(MEDIA)), (media_id, data, photo.content_type), binary=True)
    names = [*COLUMNS, "thumbnail", "media_id"]
    cur.execute(sql.SQL("INSERT INTO {} ({}, geometry) VALUES ({}, ST_SetSRID(ST_MakePoint("
                        "%s, %s), 4326))").format(
        sql.Identifier(POINTS), sql.SQL(", ").join(map(sql.Identifier, names)),
        sql.SQL(", ").join(sql.Placeholder() * len(names))),
        (*(getattr(photo, c) for c in COLUMNS), photo.thumbnail, media_id, photo.lon,
         photo.lat))


def copy_in(tx, photo: Photo, content: bytes) -> None:
    """A photo copied from another workspace (a push), with its id and fields as they were."""
    ensure(tx)
    insert(tx, photo, content)


def _rows(ws, query, params=()) -> list | None:
    if POINTS not in ws._tables():
        return None
    return ws._query(query, params)


def rows(ws) -> list[Photo]:
    found = _rows(ws, sql.SQL("SELECT {}, thumbnail FROM {} ORDER BY photo_id").format(
        sql.SQL(", ").join(map(sql.Identifier, COLUMNS)), sql.Identifier(POINTS)))
    out = []
    for r in found or []:
        values = dict(zip((*COLUMNS, "thumbnail"), r, strict=True))
        values["thumbnail"] = bytes(values["thumbnail"] or b"")
        values["photo_id"] = int(values["photo_id"])
        values["size_bytes"] = int(values["size_bytes"])
        out.append(Photo(**values))
    return out


def data(ws, photo_id: int) -> bytes | None:
    found = _rows(ws, sql.SQL("SELECT m.data FROM {} p JOIN {} m ON m.id = p.media_id WHERE "
                              "p.photo_id = %s").format(sql.Identifier(POINTS),
                                                        sql.Identifier(MEDIA)), (photo_id,))
    return bytes(found[0][0]) if found else None
