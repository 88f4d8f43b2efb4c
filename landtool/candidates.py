"""Turning a candidate of ``landtool propose`` into a request, in one step.

A candidate (a row of the ``candidates`` layer of ``candidates.gpkg``) becomes a new request of
the workspace's requests layer with the candidate's geometry, unchanged, and the candidate's
id, ruleset and check date kept as attributes (``candidate_id``, ``candidate_ruleset``,
``candidate_as_of``) so the request can be traced to the proposal it came from. The request is
not registered: it gets a queue number with ``landtool register add`` like any other.

The new request id (``REQ-<year>-<n>``, the next number of the year after every id of that year
in the layer and in the decisions log) and the refusal of a candidate whose land another
request has taken meanwhile are both decided from the layer as it is INSIDE the transaction
that writes it (:meth:`~landtool.workspace.base.BaseWorkspace.modify`): two officers taking
candidates at once get two different ids, and of two taking the same candidate one is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from landtool.errors import CheckError, RegisterError
from landtool.geodesy import areas_m2

#: the columns ``landtool propose`` writes that mark a file as a candidates file
CANDIDATE_COLUMNS = ("candidate_id", "area_ha", "ruleset", "as_of")
LAYER = "candidates"
#: overlap with an existing request above this (m², geodesic) means the land is taken
TAKEN_M2 = 1.0


@dataclass(frozen=True)
class Taken:
    """A candidate added as a request."""

    request_id: str
    candidate_id: str
    area_ha: float  # geodesic (pyproj Geod), of the request as written
    layer: str  # the requests layer it was added to
    #: the candidate is named in the request's note only (see :func:`fit_attributes`)
    in_note_only: bool = False


#: the columns that trace a request to its candidate
TRACE_COLUMNS = ("candidate_id", "candidate_ruleset", "candidate_as_of")


def fit_attributes(attrs: dict, columns, may_add_columns: bool) -> tuple[dict, bool]:
    """The attributes of :func:`request_attributes` that a requests layer with ``columns``
    takes: all of them, unless the user may not add columns (an officer of a shared
    workspace: only its owner may) and the layer has no candidate columns yet — then the
    request goes in without those, the candidate named in its ``note`` alone. Returns the
    attributes and whether the trace is in the note only."""
    missing = [c for c in TRACE_COLUMNS if c not in columns]
    if not missing or may_add_columns or "note" not in columns:
        return attrs, False
    return {k: v for k, v in attrs.items() if k not in missing}, True


def read_candidates(path: str | Path) -> gpd.GeoDataFrame:
    """The ``candidates`` layer of a ``candidates.gpkg`` written by ``landtool propose``;
    anything else is refused with a message naming the file."""
    import pyogrio

    path = Path(path)
    hint = "give the candidates.gpkg that `landtool propose --out DIR` wrote in DIR"
    if not path.is_file():
        raise CheckError("there is no such candidates file", path=path, hint=hint)
    try:
        layers = {str(n) for n, _ in pyogrio.list_layers(path)}
    except Exception as exc:  # pyogrio raises several kinds for a file it cannot open
        raise CheckError(f"this is not a candidates file (it cannot be read as a GeoPackage: "
                         f"{exc})", path=path, hint=hint) from exc
    if LAYER not in layers:
        raise CheckError(f"this is not a candidates file: it has no layer {LAYER!r} "
                         f"(its layers: {', '.join(sorted(layers)) or 'none'})",
                         path=path, hint=hint)
    try:
        gdf = pyogrio.read_dataframe(path, layer=LAYER)
    except Exception as exc:
        raise CheckError(f"the candidates layer cannot be read ({exc})", path=path,
                         hint=hint) from exc
    missing = [c for c in CANDIDATE_COLUMNS if c not in gdf.columns]
    if missing:
        raise CheckError(f"this is not a candidates file: the layer {LAYER!r} has no "
                         f"{', '.join(missing)}", path=path, hint=hint)
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise CheckError("the candidates are not in WGS 84 lon/lat (EPSG:4326) as "
                         "`landtool propose` writes them", path=path, hint=hint)
    return gdf


def candidate_row(candidates: gpd.GeoDataFrame, candidate_id: str, *, path=None) -> pd.Series:
    """The row of ``candidate_id`` (refused with the ids there are when it is not there)."""
    ids = candidates["candidate_id"].astype(str)
    hit = candidates[ids == str(candidate_id).strip()]
    if len(hit) == 0:
        listed = ", ".join(ids.head(8)) + (" …" if len(ids) > 8 else "")
        raise CheckError(f"there is no candidate {candidate_id!r}", path=path,
                         hint=f"give one of the file's candidates ({listed or 'it has none'})")
    geom = hit.geometry.iloc[0]
    if geom is None or geom.is_empty or not geom.is_valid:
        raise CheckError("the candidate has no valid polygon", path=path,
                         feature=str(candidate_id), hint="run `landtool propose` again")
    return hit.iloc[0]


def request_attributes(candidate_id: str, ruleset: str, as_of: str, soum_pcode: str = "",
                       applicant: str | None = None) -> dict:
    """The attributes of a request made from a candidate (the request id aside): where it
    came from, so it can be traced to its proposal."""
    return {"applicant": applicant or None, "soum_pcode": soum_pcode or None,
            "candidate_id": str(candidate_id), "candidate_ruleset": str(ruleset),
            "candidate_as_of": str(as_of)[:10],
            "note": f"from candidate {candidate_id} of landtool propose ({ruleset}, "
                    f"{str(as_of)[:10]})"}


def next_request_id(ids, year: int) -> str:
    """``REQ-<year>-<n>``: one more than the highest number of ``year`` among ``ids`` (the
    layer's request ids and the subjects of the decisions log: a deleted request's id is not
    given again), three digits at least."""
    pattern = re.compile(rf"^REQ-{year}-(\d+)$")
    numbers = [int(m.group(1)) for m in (pattern.match(str(i).strip()) for i in ids) if m]
    return f"REQ-{year}-{max(numbers, default=0) + 1:03d}"


def take_candidate(ws, candidates_path: str | Path, candidate_id: str, *,
                   applicant: str | None = None, year: int | None = None) -> Taken:
    """Add candidate ``candidate_id`` of ``candidates_path`` to the workspace's requests layer
    as a new, unregistered request; returns what was added. ``year`` of the id: this year in
    Mongolian time unless given.

    Everything that decides the write (the next id, whether the land is still free) is read
    inside the same transaction as the write; on any refusal nothing is written."""
    from landtool.check.output import _multi
    from landtool.register import MONGOLIA_TZ, requests_layer
    from landtool.workspace import decisions

    path = Path(candidates_path)
    row = candidate_row(read_candidates(path), candidate_id, path=path)
    geom = _multi(row.geometry)
    attrs = request_attributes(row["candidate_id"], row["ruleset"], row["as_of"],
                               str(row.get("soum") or ""), applicant)
    year = year or datetime.now(MONGOLIA_TZ).year
    name = requests_layer(ws)
    in_note = []

    def add(reqs: gpd.GeoDataFrame):
        # inside the transaction: the layer and the log as they are at this moment
        log_ids = [e.subject for e in decisions.entries(ws)]
        _refuse_taken(reqs, geom, str(row["candidate_id"]), ws)
        rid = next_request_id([*reqs["request_id"].astype(str), *log_ids], year)
        # whether this user may add columns, asked inside the change that adds them
        may_add = not ws.shared or ws.role() == "owner"
        fitted, only_note = fit_attributes(attrs, reqs.columns, may_add)
        in_note.append(only_note)
        new = gpd.GeoDataFrame([{"request_id": rid, **fitted}], geometry=[geom], crs=4326)
        return _appended(reqs, new), [], rid

    rid = ws.modify(name, add, note=f"added from candidate {row['candidate_id']} of {path.name}")
    return Taken(rid, str(row["candidate_id"]), float(areas_m2([geom])[0]) / 1e4, name,
                 in_note_only=in_note[-1])


def _appended(reqs: gpd.GeoDataFrame, new: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``reqs`` with the row ``new`` after them; the layer's integer and boolean columns stay
    integer and boolean (nullable: the new request has no queue number, members, ...)."""
    from landtool.catalog import get_kind

    base = reqs.copy()
    ints = {f.name for f in get_kind("requests").fields if f.type == "int"}
    kinds = {}
    for col in base.columns:
        if col == base.geometry.name:
            continue
        if pd.api.types.is_bool_dtype(base[col]):
            kinds[col] = "boolean"
        elif pd.api.types.is_integer_dtype(base[col]) or col in ints:
            # read back with a missing value, an integer column comes as floats; a column
            # holding text that is not a number is left as it is (never turned into gaps)
            numbers = pd.to_numeric(base[col], errors="coerce")
            if numbers.notna().sum() == base[col].notna().sum() and \
                    (numbers.dropna() % 1 == 0).all():
                base[col] = numbers
                kinds[col] = "Int64"
    base = base.astype(kinds)
    if new.geometry.name != base.geometry.name:
        new = new.rename_geometry(base.geometry.name)
    out = pd.concat([base, new], ignore_index=True)
    out = out.astype({c: t for c, t in kinds.items() if c in out.columns})
    return gpd.GeoDataFrame(out, geometry=base.geometry.name, crs=4326)


def overlapping_requests(reqs: gpd.GeoDataFrame, geom) -> list[str]:
    """The ids of the requests of ``reqs`` that overlap ``geom`` by more than
    :data:`TAKEN_M2` (geodesic): the land is theirs already."""
    geoms = reqs.geometry.values
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    hits = [k for k in range(len(reqs)) if present[k] and shapely.intersects(geoms[k], geom)]
    if not hits:
        return []
    overlap = areas_m2(shapely.intersection(geoms[hits], geom))
    return [str(reqs["request_id"].iloc[k]) for k, a in zip(hits, overlap, strict=True)
            if a > TAKEN_M2]


def _refuse_taken(reqs: gpd.GeoDataFrame, geom, candidate_id: str, ws) -> None:
    """Refuse a candidate whose land a request of the layer holds already (another officer
    took it, or the layer changed since the proposal)."""
    taken = overlapping_requests(reqs, geom)
    if taken:
        raise RegisterError(
            f"candidate {candidate_id} overlaps request {', '.join(taken)} already in the "
            "workspace, so it was not added", path=ws.path, feature=candidate_id,
            hint="run `landtool propose` again for land that is still free")
