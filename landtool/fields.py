"""Field mapping: from a source file's own field names to the catalog's, and typing the values.

A mapping is resolved in this order for each catalog field: the user's explicit mapping
(``--map catalog_field=SOURCE_FIELD`` or a mapping TOML file), the same name, then the catalog's
aliases (all case-insensitive). A required field that none of these finds is refused with a
message naming the field, the file's fields and the option to use.

A mapping file is TOML with one table per kind (or a flat table)::

    [licenses]
    licence_code = "LIC_NO"
    expiry_date = "END_DT"

Values are typed by :func:`coerce`:

* **date / datetime**: text with the year first (``2024-03-01``, ``2024.03.01``,
  ``2024/03/01``, optionally with a time and a UTC offset), or a date value of the file
  format. A number is not a date (``2030`` would otherwise become a moment of 1970) and is
  refused, except an 8-digit whole number from 19000101 to 21001231, read as YYYYMMDD
  (``20300101`` is 2030-01-01): some DBF exports store dates that way. Day-first text
  (``01/03/2024``) is ambiguous and refused.
* **bool**: true/false, yes/no, y/n, 1/0, тийм/үгүй (any case); anything else is refused.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from landtool.catalog import LayerKind, get_kind
from landtool.errors import CatalogError, FieldMappingError
from landtool.tomlfile import read_toml

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
    data = read_toml(path, CatalogError, "field mapping")
    # The table may be named after the kind's id or one of its aliases (an old id).
    try:
        names = [kind_id, *get_kind(kind_id).aliases, get_kind(kind_id).id]
    except CatalogError:
        names = [kind_id]
    table = next((data[n] for n in names if isinstance(data.get(n), dict)), data)
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
    require: bool = True,
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
    missing = [f for f in kind.required_fields if f not in mapping] if require else []
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
    value = value.item() if isinstance(value, np.generic) else value  # 2030, not np.int64(2030)
    return FieldMappingError(
        f"field {field} has the value {value!r}, which is not {expected}",
        path=path,
        feature=row_id,
        hint=f"correct the value in the file, or map {field} to another field with --map",
    )


_YEAR_FIRST = re.compile(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}([ T].*)?$")
_YEAR_FIRST_DOTS = re.compile(r"^\d{4}\.\d{1,2}\.\d{1,2}")
_YYYYMMDD = (19000101, 21001231)
_DATE_NUMBER_HINT = ("a number is read as a date only when it is 8 digits, YYYYMMDD "
                     f"({_YYYYMMDD[0]}–{_YYYYMMDD[1]}); write dates as YYYY-MM-DD")


def _is_number(value) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool | np.bool_)


def _iso_when(value, field_type: str) -> str | None:
    """ISO 8601 text for a date, or a date-time keeping its UTC offset if it has one
    (a time without an offset is local time, as written); None if it is not a date.

    A number is a date only as an 8-digit YYYYMMDD in 19000101–21001231 (DBF exports);
    any other number is None, never a count of nanoseconds since 1970.
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if _is_number(value):
        if not float(value).is_integer() or not _YYYYMMDD[0] <= value <= _YYYYMMDD[1]:
            return None
        try:
            value = datetime.strptime(str(int(value)), "%Y%m%d")
        except ValueError:  # 20301345: not a day of the calendar
            return None
    elif isinstance(value, str):
        value = value.strip()
        # Year first only (2024-03-01, 2024.03.01, 2024/03/01): 01/03/2024 is ambiguous
        # between the 1st of March and the 3rd of January, so it is refused, not guessed.
        if not _YEAR_FIRST.match(value):
            return None
        value = value.replace(".", "-", 2) if _YEAR_FIRST_DOTS.match(value) else value
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        return None
    if ts is pd.NaT:
        return None
    if field_type == "date":
        return ts.strftime("%Y-%m-%d")
    return ts.isoformat(timespec="seconds")


_TRUTHY = frozenset({"true", "1", "yes", "y", "тийм"})
_FALSY = frozenset({"false", "0", "no", "n", "үгүй"})
BOOL_SPELLINGS = "тийм/үгүй, true/false, yes/no, y/n or 1/0"


def _to_bool(value) -> bool | None:
    """True or False from the accepted spellings; None for an empty or unreadable value."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if _is_number(value):
        return bool(value) if value in (0, 1) else None
    text = str(value).strip().lower()
    return True if text in _TRUTHY else False if text in _FALSY else None


def coerce(
    df: pd.DataFrame, kind: LayerKind, ids: pd.Series, *, path=None, require: bool = True
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
        if f.required and require and empty.any():
            row = ids[empty].iloc[0]
            raise FieldMappingError(
                f"required field {f.name} is empty", path=path, feature=row,
                hint="fill it in the file, or map another field with --map",
            )
        if f.type in ("date", "datetime"):
            parsed = col.where(~empty).map(lambda v, t=f.type: _iso_when(v, t))
            bad = parsed.isna() & ~empty
            if bad.any():
                expected = "a date (YYYY-MM-DD)" if f.type == "date" else (
                    "a date and time (YYYY-MM-DDTHH:MM:SS, optionally with +08:00)")
                value = col[bad].iloc[0]
                value = value.item() if isinstance(value, np.generic) else value
                if _is_number(value):
                    raise FieldMappingError(
                        f"field {f.name} has the number {value!r}, which is not {expected}",
                        path=path, feature=ids[bad].iloc[0],
                        hint=f"{_DATE_NUMBER_HINT}, or map {f.name} to another field "
                        "with --map",
                    )
                raise _bad_value(kind, f.name, ids[bad].iloc[0], value, expected, path)
            out[f.name] = parsed.where(~empty, None).astype(object)
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
            parsed = col.where(~empty).map(_to_bool)
            bad = parsed.isna() & ~empty
            if bad.any():
                raise _bad_value(kind, f.name, ids[bad].iloc[0], col[bad].iloc[0],
                                 f"yes or no ({BOOL_SPELLINGS})", path)
            out[f.name] = parsed.where(~empty, None).astype(object)
        else:
            out[f.name] = col.map(lambda v: None if pd.isna(v) else str(v).strip()).astype(object)
            if f.choices is not None:
                bad = out[f.name].notna() & ~out[f.name].isin(f.choices)
                if bad.any():
                    raise _bad_value(kind, f.name, ids[bad].iloc[0], out[f.name][bad].iloc[0],
                                     f"one of {', '.join(f.choices)}", path)
    return out
