"""Field mapping: from a source file's own field names to the catalog's, and typing the values.

A mapping is resolved in this order for each catalog field: the user's explicit mapping
(``--map catalog_field=SOURCE_FIELD`` or a mapping TOML file), the same name, then the catalog's
aliases (all case-insensitive). A required field that none of these finds is refused with a
message naming the field, the file's fields and the option to use.

A mapping file is TOML with one table per kind (or a flat table)::

    [licences]
    licence_code = "LIC_NO"
    expiry_date = "END_DT"
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from landtool.catalog import LayerKind
from landtool.errors import CatalogError, FieldMappingError

_DBF_NAME_LEN = 10  # the longest field name a shapefile's .dbf can hold


def parse_map_options(items: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``["licence_code=LIC_NO", ...]`` -> ``{"licence_code": "LIC_NO"}``."""
    out = {}
    for item in items:
        field, sep, source = item.partition("=")
        if not sep or not field.strip() or not source.strip():
            raise FieldMappingError(
                f"--map {item!r} is not of the form CATALOG_FIELD=SOURCE_FIELD",
                hint="for example --map licence_code=LIC_NO",
            )
        out[field.strip()] = source.strip()
    return out


def load_mapping_file(path: str | Path, kind_id: str) -> dict[str, str]:
    """Read a mapping TOML file; uses the table named after the kind if there is one."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"cannot read the field mapping: {exc}", path=path) from exc
    table = data.get(kind_id, data)
    if not all(isinstance(v, str) for v in table.values()):
        raise CatalogError(
            "a field mapping maps catalog field names to source field names (text)",
            path=path,
            hint=f'write e.g. [{kind_id}] then a line per field: field = "SOURCE_FIELD"',
        )
    return dict(table)


def resolve_mapping(
    kind: LayerKind,
    columns: list[str],
    explicit: Mapping[str, str] | None = None,
    *,
    path=None,
) -> dict[str, str]:
    """Map catalog field -> source column for every catalog field found in ``columns``."""
    explicit = dict(explicit or {})
    known = {f.name for f in kind.fields}
    by_lower = {c.lower(): c for c in columns}
    mapping: dict[str, str] = {}
    for field, source in explicit.items():
        if field not in known:
            raise FieldMappingError(
                f"the field mapping names {field!r}, which is not a field of {kind.id}",
                path=path,
                hint=f"{kind.id} fields are: {', '.join(sorted(known))}",
            )
        if source not in columns and source.lower() not in by_lower:
            raise FieldMappingError(
                f"the field mapping maps {field} to {source!r}, but the file has no such field",
                path=path,
                hint=f"the file's fields are: {', '.join(columns) or '(none)'}",
            )
        mapping[field] = source if source in columns else by_lower[source.lower()]
    taken = set(mapping.values())
    for f in kind.fields:
        if f.name in mapping:
            continue
        candidates = (f.name, *f.aliases)
        # Shapefiles (DBF) cut field names to 10 characters: licence_code -> licence_co.
        candidates += tuple(c[:_DBF_NAME_LEN] for c in candidates if len(c) > _DBF_NAME_LEN)
        for candidate in candidates:
            col = by_lower.get(candidate.lower())
            if col is not None and col not in taken:
                mapping[f.name] = col
                taken.add(col)
                break
    missing = [f for f in kind.required_fields if f not in mapping]
    if missing:
        field = missing[0]
        raise FieldMappingError(
            f"required field {field!r} of {kind.id} ({kind.field(field).title_en}) is missing",
            path=path,
            hint=f"map it from one of the file's fields with --map {field}=SOURCE_FIELD "
            f"(or a --mapping file); the file's fields are: {', '.join(columns) or '(none)'}",
        )
    return mapping


def _bad_value(kind, field, row_id, value, expected, path):
    return FieldMappingError(
        f"field {field} has the value {value!r}, which is not {expected}",
        path=path,
        feature=row_id,
        hint=f"correct the value in the file, or map {field} to another field with --map",
    )


def coerce(
    df: pd.DataFrame, kind: LayerKind, ids: pd.Series, *, path=None
) -> pd.DataFrame:
    """Type the catalog columns of ``df`` in place of the source text; dates become ISO text.

    Raises FieldMappingError naming the feature for a value of the wrong type, a value not in
    the field's choices, or a required value that is empty.
    """
    out = df.copy()
    for f in kind.fields:
        if f.name not in out.columns:
            continue
        col = out[f.name]
        empty = col.isna() | (col.astype(str).str.strip() == "")
        if f.required and empty.any():
            row = ids[empty].iloc[0]
            raise FieldMappingError(
                f"required field {f.name} is empty", path=path, feature=row,
                hint="fill it in the file, or map another field with --map",
            )
        if f.type in ("date", "datetime"):
            parsed = pd.to_datetime(col.where(~empty), errors="coerce", format="mixed")
            bad = parsed.isna() & ~empty
            if bad.any():
                raise _bad_value(kind, f.name, ids[bad].iloc[0], col[bad].iloc[0],
                                 "a date (YYYY-MM-DD)", path)
            fmt = "%Y-%m-%d" if f.type == "date" else "%Y-%m-%dT%H:%M:%S"
            out[f.name] = parsed.dt.strftime(fmt).where(~empty, None).astype(object)
        elif f.type in ("int", "float"):
            parsed = pd.to_numeric(
                col.where(~empty).astype(str).str.replace(",", ".", regex=False).where(~empty),
                errors="coerce",
            )
            bad = parsed.isna() & ~empty
            if f.type == "int":
                bad |= ~empty & parsed.notna() & (parsed.fillna(0) % 1 != 0)
            if bad.any():
                raise _bad_value(kind, f.name, ids[bad].iloc[0], col[bad].iloc[0],
                                 "a whole number" if f.type == "int" else "a number", path)
            out[f.name] = parsed.astype("Int64" if f.type == "int" else "float64")
        elif f.type == "bool":
            truthy = {"true", "1", "yes", "y", "тийм"}
            out[f.name] = col.map(lambda v: None if pd.isna(v) else str(v).lower() in truthy)
        else:
            out[f.name] = col.map(lambda v: None if pd.isna(v) else str(v).strip()).astype(object)
            if f.choices is not None:
                bad = out[f.name].notna() & ~out[f.name].isin(f.choices)
                if bad.any():
                    raise _bad_value(kind, f.name, ids[bad].iloc[0], out[f.name][bad].iloc[0],
                                     f"one of {', '.join(f.choices)}", path)
    return out
