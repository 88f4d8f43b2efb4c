"""QGIS layer styles: the QML files in ``layers/styles``, stored in a GeoPackage as QGIS does it.

QGIS keeps the styles of a GeoPackage's layers in a ``layer_styles`` table inside the file and
applies the row marked ``useAsDefault`` when the layer is opened, so an officer who opens a check
result in QGIS sees it coloured by status at once, with nothing to install.
:func:`write_layer_style` writes that table with plain ``sqlite3`` exactly as QGIS's OGR
provider creates it through GDAL (the same columns, widths, defaults, and ``gpkg_contents``
registration as an ``attributes`` table), so the GeoPackage stays valid and QGIS, GDAL and
pyogrio read it as if QGIS had saved the style.

Never imports Qt: the QML is text, checked only to be well-formed XML with a ``<qgis>`` root.
"""

from __future__ import annotations

import re
import sqlite3
import xml.etree.ElementTree as ET
from contextlib import closing
from datetime import datetime
from pathlib import Path

from landtool.errors import CatalogError, WorkspaceError
from landtool.paths import layers_dir

STYLES_TABLE = "layer_styles"

#: The table as QGIS creates it: QgsOgrProviderMetadata::saveStyle asks GDAL for a layer with
#: FID "id" and these fields (widths 256/30, useAsDefault an OFSTBoolean integer, update_time a
#: DateTime defaulting to CURRENT_TIMESTAMP), which the GDAL GeoPackage driver writes as follows.
LAYER_STYLES_DDL = (
    'CREATE TABLE "layer_styles" ( "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
    '"f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256), '
    '"f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT, '
    '"useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30), '
    "\"update_time\" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
)

#: Every column QGIS reads or writes; an existing table lacking one is not QGIS's.
COLUMNS = ("id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column",
           "styleName", "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui",
           "update_time")

#: GDAL's timestamp format (ISO 8601 with milliseconds and Z), for update_time and last_change.
_NOW_SQL = "strftime('%Y-%m-%dT%H:%M:%fZ','now')"

#: The triggers GDAL (>= 3.5) leaves on a table so other writers keep gpkg_ogr_contents right.
_COUNT_TRIGGERS = {
    "trigger_insert_feature_count_layer_styles":
        'CREATE TRIGGER "trigger_insert_feature_count_layer_styles" AFTER INSERT ON '
        '"layer_styles" BEGIN UPDATE gpkg_ogr_contents SET feature_count = feature_count + 1 '
        "WHERE lower(table_name) = lower('layer_styles'); END",
    "trigger_delete_feature_count_layer_styles":
        'CREATE TRIGGER "trigger_delete_feature_count_layer_styles" AFTER DELETE ON '
        '"layer_styles" BEGIN UPDATE gpkg_ogr_contents SET feature_count = feature_count - 1 '
        "WHERE lower(table_name) = lower('layer_styles'); END",
}

_STYLE_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def styles_dir() -> Path:
    """The folder holding the shipped QML styles."""
    return layers_dir() / "styles"


def list_styles() -> list[str]:
    """The names of the shipped styles (``layers/styles/*.qml``)."""
    return sorted(p.stem for p in styles_dir().glob("*.qml"))


def load_style(name: str) -> str:
    """The text of the shipped style ``layers/styles/{name}.qml``."""
    path = styles_dir() / f"{name}.qml"
    if not _STYLE_NAME_RE.match(name) or not path.is_file():
        raise CatalogError(f"no layer style {name!r}", path=styles_dir(),
                           hint=f"use one of: {', '.join(list_styles()) or '(none)'}")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"cannot read the layer style ({exc})", path=path) from exc


def write_layer_style(
    gpkg_path: str | Path,
    layer_name: str,
    qml_text: str,
    *,
    name: str | None = None,
    description: str = "",
    use_as_default: bool = True,
) -> int:
    """Store ``qml_text`` as a style of ``layer_name`` in the GeoPackage, as QGIS saves it.

    Creates the ``layer_styles`` table if needed (QGIS's schema, registered in
    ``gpkg_contents`` as an ``attributes`` table), then inserts the style or replaces the one
    with the same name for that layer. As in QGIS: the style name defaults to the layer name, an
    empty description becomes the current date and time, and the default style replaces any
    earlier default of the layer, so QGIS applies it when the layer is opened. All in one
    transaction: on any error the file is unchanged. Returns the row's ``id``.
    """
    path = Path(gpkg_path)
    root = _parse_qml(qml_text)
    if root is None:
        raise WorkspaceError("the style is not QGIS QML (well-formed XML with a <qgis> root)",
                             path=path, hint="pass the text of a .qml file saved by QGIS")
    if not path.is_file():
        raise WorkspaceError("the GeoPackage does not exist", path=path)
    try:
        con = sqlite3.connect(path, isolation_level=None)
    except sqlite3.Error as exc:
        raise WorkspaceError(f"cannot open the GeoPackage ({exc})", path=path) from exc
    with closing(con):
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                row_id = _write(con, path, layer_name, qml_text, name, description,
                                use_as_default)
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise WorkspaceError(f"could not write the style ({exc}); the file is unchanged",
                                 path=path) from exc
    return row_id


def _parse_qml(text: str) -> ET.Element | None:
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return None
    return root if root.tag == "qgis" else None


def _write(con: sqlite3.Connection, path: Path, layer_name: str, qml: str, name: str | None,
           description: str, use_as_default: bool) -> int:
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "gpkg_contents" not in tables:
        raise WorkspaceError("not a GeoPackage (no gpkg_contents table)", path=path)
    found = con.execute(
        "SELECT table_name FROM gpkg_contents WHERE lower(table_name) = lower(?) "
        "AND table_name <> ?", (layer_name, STYLES_TABLE)).fetchone()
    if found is None:
        known = [r[0] for r in con.execute(
            "SELECT table_name FROM gpkg_contents WHERE table_name <> ? ORDER BY table_name",
            (STYLES_TABLE,))]
        raise WorkspaceError(f"the GeoPackage has no layer {layer_name!r}", path=path,
                             hint=f"its layers are: {', '.join(known) or '(none)'}")
    table = found[0]
    geom = ""
    if "gpkg_geometry_columns" in tables:
        g = con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?",
                        (table,)).fetchone()
        geom = g[0] if g else ""

    _ensure_table(con, path, tables)

    style_name = name or table
    if not description:
        description = _qt_text_date(datetime.now())
    where = "f_table_schema = '' AND f_table_name = ? AND f_geometry_column = ?"
    if use_as_default:
        con.execute(f"UPDATE layer_styles SET useAsDefault = 0 WHERE useAsDefault = 1 AND {where}"
                    " AND styleName <> ?", (table, geom, style_name))
    existing = con.execute(f"SELECT id FROM layer_styles WHERE {where} AND styleName = ? "
                           "ORDER BY id LIMIT 1", (table, geom, style_name)).fetchone()
    if existing:
        row_id = existing[0]
        con.execute(
            f"UPDATE layer_styles SET styleQML = ?, styleSLD = '', useAsDefault = ?, "
            f"description = ?, owner = '', update_time = {_NOW_SQL} WHERE id = ?",
            (qml, int(use_as_default), description, row_id))
    else:
        cur = con.execute(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, owner) "
            "VALUES ('', '', ?, ?, ?, ?, '', ?, ?, '')",
            (table, geom, style_name, qml, int(use_as_default), description))
        row_id = cur.lastrowid
    con.execute(f"UPDATE gpkg_contents SET last_change = {_NOW_SQL} WHERE table_name = ?",
                (STYLES_TABLE,))
    if "gpkg_ogr_contents" in tables:
        con.execute("UPDATE gpkg_ogr_contents SET feature_count = "
                    "(SELECT count(*) FROM layer_styles) WHERE table_name = ?", (STYLES_TABLE,))
    return int(row_id)


def _ensure_table(con: sqlite3.Connection, path: Path, tables: set[str]) -> None:
    """Create and register ``layer_styles`` as GDAL does when QGIS saves a first style."""
    if STYLES_TABLE in tables:
        have = {r[1] for r in con.execute(f'PRAGMA table_info("{STYLES_TABLE}")')}
        missing = [c for c in COLUMNS if c not in have]
        if missing:
            raise WorkspaceError(
                f"the GeoPackage has a layer_styles table that is not QGIS's (no "
                f"{', '.join(missing)})", path=path,
                hint="rename or remove that table, then store the style again")
    else:
        con.execute(LAYER_STYLES_DDL)
    if con.execute("SELECT 1 FROM gpkg_contents WHERE table_name = ?",
                   (STYLES_TABLE,)).fetchone() is None:
        has_srs0 = "gpkg_spatial_ref_sys" in tables and con.execute(
            "SELECT 1 FROM gpkg_spatial_ref_sys WHERE srs_id = 0").fetchone() is not None
        con.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
            f"last_change, srs_id) VALUES (?, 'attributes', ?, '', {_NOW_SQL}, ?)",
            (STYLES_TABLE, STYLES_TABLE, 0 if has_srs0 else None))
    if "gpkg_ogr_contents" in tables:
        con.execute("INSERT OR IGNORE INTO gpkg_ogr_contents (table_name, feature_count) "
                    "VALUES (?, NULL)", (STYLES_TABLE,))
        triggers = {r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        for trigger, sql in _COUNT_TRIGGERS.items():
            if trigger not in triggers:
                con.execute(sql)


def _qt_text_date(now: datetime) -> str:
    """``QDateTime::currentDateTime().toString()``, QGIS's description for an unnamed save."""
    return f"{now:%a %b} {now.day} {now:%H:%M:%S %Y}"
