"""Rows of a shared workspace's layer tables: the SQL type of each attribute column (and
when a column must widen), values as the database takes them, COPY in, and reading a layer
back in the pandas types it was written with (:mod:`landtool.workspace.pg`)."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import sql

from landtool.workspace.base import META_TABLE, LayerRecord


def sql_columns(gdf: gpd.GeoDataFrame) -> list[tuple[str, str, str]]:
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


def widen(have: str, need: str) -> str:
    """The SQL type a column must have to hold values of both types (a whole-number column
    that now holds a fraction becomes double precision; anything mixed with text, text)."""
    if have == need or need not in _ORDER or have not in _ORDER:
        return have if have == need or need not in _ORDER else "text"
    if "text" in (have, need) or "boolean" in (have, need):
        return "text"
    return max(have, need, key=_ORDER.index)


def fits(column: pd.Series, sqltype: str) -> bool:
    """True if every value of ``column`` can be stored as it is in a column of ``sqltype``
    although its dtype is wider: floats that are all whole numbers, in a bigint column (a
    column of whole numbers read with a gap comes back as floats)."""
    if sqltype != "bigint" or pd.api.types.infer_dtype(column, skipna=True) not in (
            "floating", "integer", "mixed-integer-float", "empty"):
        return False
    values = column.dropna().astype("float64").to_numpy()
    return bool(np.all(np.isfinite(values)) and np.all(values == np.floor(values))
                and np.all(np.abs(values) < 2.0**63))


def to_sql(value, sqltype: str):
    """``value`` for a column of ``sqltype``: whole floats into bigint (a column of whole
    numbers read with a gap comes back as floats), anything into text as text."""
    value = plain(value)
    if value is None:
        return None
    if sqltype == "bigint" and isinstance(value, float) and value.is_integer():
        return int(value)
    if sqltype == "text" and not isinstance(value, str):
        return str(value)
    return value


def plain(value):
    """A value psycopg can send: numpy scalars as Python ones, every kind of NA as NULL."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def copy_rows(cur: psycopg.Cursor, name: str, gdf: gpd.GeoDataFrame,
               columns: list[tuple[str, str, str]]) -> None:
    geoms = shapely.set_srid(np.asarray(gdf.geometry.values, dtype=object), 4326)
    wkb = shapely.to_wkb(geoms, hex=True, include_srid=True, output_dimension=2)
    values = [gdf[c].tolist() for c, _, _ in columns]
    types = [t for _, t, _ in columns]
    names = ["landtool_fid", *[c for c, _, _ in columns], "geometry"]
    with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(name), sql.SQL(", ").join(map(sql.Identifier, names)))) as copy:
        for i in range(len(gdf)):
            copy.write_row([i + 1, *[to_sql(v[i], t) for v, t in zip(values, types,
                                                                        strict=True)],
                            wkb[i]])


def read_layer(cur: psycopg.Cursor, name: str, bbox) -> tuple[gpd.GeoDataFrame, int]:
    cur.execute(sql.SQL("SELECT columns, revision FROM {} WHERE name = %s").format(
        sql.Identifier(META_TABLE)), (name,))
    row = cur.fetchone()
    columns = _stored_columns(cur, name, row[0])
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
        frame[c] = as_dtype(frame[c], dtype)
    geoms = shapely.from_wkb([None if r[-1] is None else bytes(r[-1]) for r in rows])
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"),
                           crs="EPSG:4326")
    return gdf, int(row[1])


def table_columns(cur: psycopg.Cursor, name: str) -> dict[str, str]:
    """The columns of the public table ``name`` and their SQL types, in order (from the
    catalog: information_schema is many times slower)."""
    cur.execute("SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = "
                "c.relnamespace WHERE n.nspname = 'public' AND c.relname = %s AND a.attnum > 0 "
                "AND NOT a.attisdropped ORDER BY a.attnum", (name,))
    return dict(cur.fetchall())


def _stored_columns(cur: psycopg.Cursor, name: str, recorded: str) -> list[tuple[str, str]]:
    """(column, pandas dtype) of the layer's attribute columns: as its record lists them,
    keeping only those its table has (a record edited by hand cannot make a layer
    unreadable); the table's other columns, if any, as plain objects."""
    actual = [c for c in table_columns(cur, name) if c not in ("landtool_fid", "geometry")]
    try:
        listed = [(str(c), str(d)) for c, d in json.loads(recorded)]
    except (TypeError, ValueError):
        listed = []
    out = [(c, d) for c, d in listed if c in actual]
    known = {c for c, _ in out}
    return out + [(c, "object") for c in actual if c not in known]


def as_dtype(column: pd.Series, dtype: str) -> pd.Series:
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


def record_of(row) -> LayerRecord:
    name, kind, source, added_at, count, reprojection, problems, projected = row[:8]
    return LayerRecord(name, kind, source or "", added_at or "", int(count or 0),
                       reprojection or "", tuple(json.loads(problems or "[]")),
                       None if projected is None else tuple(json.loads(projected)))


def record_values(record: LayerRecord) -> tuple:
    return (record.name, record.kind, record.source, record.added_at, record.feature_count,
            record.reprojection, json.dumps(list(record.problems), ensure_ascii=False),
            None if record.projected_invalid is None else
            json.dumps(list(record.projected_invalid), ensure_ascii=False))
