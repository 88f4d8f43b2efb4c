"""Loading a file as a layer of a catalog kind: the one entry point every reader goes through.

:func:`load_layer` reads the file, resolves its CRS, checks its coordinates, maps and types its
fields, repairs invalid geometries (before and after reprojection), reprojects to WGS 84 and
reports everything it did or found, including a corner list's notes and any geometry that is
valid in degrees but invalid once projected to a metric CRS. It either returns a clean layer or
raises a :class:`~landtool.errors.LandtoolError` naming the file, the feature and what to do;
it never writes anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import shapely

from landtool.catalog import LayerKind, get_kind
from landtool.crs import (
    Reprojection,
    check_coordinates,
    check_in_mongolia,
    resolve_crs,
    swap_xy,
    to_workspace_crs,
)
from landtool.errors import EmptyLayerError, LayerLoadError
from landtool.fields import coerce, resolve_mapping
from landtool.geodesy import MONGOLIA_ALBERS
from landtool.io.formats import read_raw
from landtool.validate import (
    PROJECTED_NOTE,
    Problem,
    family_mismatch,
    invalid_when_projected,
    repair,
    to_multi,
)


@dataclass
class LoadedLayer:
    """A layer ready for the workspace, with the report of how it was loaded."""

    gdf: gpd.GeoDataFrame
    kind: LayerKind
    source: Path
    reprojection: Reprojection
    mapping: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    #: ids of the features valid in degrees but invalid once projected to a metric CRS
    #: (found once, at load; the workspace records them)
    projected_invalid: list[str] = field(default_factory=list)

    def report_lines(self) -> list[str]:
        lines = [
            f"{self.source}: {len(self.gdf)} {self.kind.name_en.lower()} "
            f"({self.kind.name_mn})",
            f"  CRS: {self.reprojection.describe()}",
        ]
        renamed = {k: v for k, v in self.mapping.items() if k != v}
        if renamed:
            lines.append("  fields: " + ", ".join(f"{k} ← {v}" for k, v in renamed.items()))
        lines += [f"  {p}" for p in self.problems]
        return lines


def _feature_ids(gdf: gpd.GeoDataFrame, kind: LayerKind, mapping: Mapping[str, str]) -> list:
    col = mapping.get(kind.id_field)
    if col is not None:
        values = gdf[col].astype(object)
        return [str(v) if v is not None and str(v) != "nan" else f"row {i + 1}"
                for i, v in enumerate(values)]
    return [f"row {i + 1}" for i in range(len(gdf))]


def _refuse_duplicate_ids(gdf: gpd.GeoDataFrame, kind: LayerKind,
                          mapping: Mapping[str, str], path: Path) -> None:
    """Refuse two features sharing an id, naming the id and every feature that has it (by
    position in the file; for a CSV also by line)."""
    col = mapping.get(kind.id_field)
    if col is None:
        return
    seen: dict[str, list[int]] = {}
    for i, value in enumerate(gdf[col].astype(object)):
        text = "" if value is None else str(value).strip()
        if text and text != "nan":
            seen.setdefault(text, []).append(i)
    twice = {fid: where for fid, where in seen.items() if len(where) > 1}
    if not twice:
        return
    fid, where = next(iter(twice.items()))
    csv = path.suffix.lower() == ".csv"
    places = [f"{i + 1}" + (f" (line {i + 2})" if csv else "") for i in where]
    listed = ", ".join(places[:-1]) + " and " + places[-1]
    more = f"; {len(twice) - 1} other id(s) are given twice too" if len(twice) > 1 else ""
    raise LayerLoadError(
        f"{kind.field(kind.id_field).title_en.lower()} {fid!r} is given to {len(where)} "
        f"features: features {listed} of the file{more}",
        path=path, feature=fid,
        hint=f"give each of the {kind.name_en} its own {col} in the file, then load it again",
    )


def load_layer(
    path: str | Path,
    kind: str | LayerKind,
    *,
    source_layer: str | None = None,
    crs: str | None = None,
    mapping: Mapping[str, str] | None = None,
    swap_axes: bool = False,
    require_fields: bool = True,
    gpx_tolerance_m: float | None = None,
) -> LoadedLayer:
    """Read ``path`` as a layer of ``kind`` and bring it into the workspace CRS (EPSG:4326).

    Parameters
    ----------
    path
        Any supported file: .gpkg, .shp, .zip, .geojson, .kml, .kmz, .csv, .txt (corner list),
        .gpx (waypoints, routes or tracks; see :mod:`landtool.io.gpx`).
    kind
        A catalog kind id such as ``"licenses"``, or a :class:`LayerKind`.
    source_layer
        The layer to read in a file with several.
    crs
        The CRS to assume; required for a file that has none, and overrides the file's own.
    mapping
        Catalog field -> source field, for fields the automatic matching does not find.
    swap_axes
        Exchange x and y (for files with latitude and longitude swapped).
    require_fields
        Refuse a file lacking a required catalog field (default). The check passes False for
        requests, so a bare corner list can be checked; rules needing a field it lacks say so.
    gpx_tolerance_m
        The tolerance in metres a GPX track is simplified with (default 2 m).

    Examples
    --------
    >>> layer = load_layer("requests.geojson", "requests")  # doctest: +SKIP
    >>> layer.gdf.crs.to_epsg(), layer.problems               # doctest: +SKIP
    (4326, [])
    """
    path = Path(path)
    kind = get_kind(kind) if isinstance(kind, str) else kind
    raw = read_raw(path, layer=source_layer, polygons=kind.geometry.value == "polygon",
                   gpx_tolerance_m=gpx_tolerance_m)
    # A corner list's notes (a declared area that disagrees, guessed column order, ...) and
    # the datum it names, which is honoured or refused here.
    notes = list(raw.attrs.get("notes", []))
    if raw.attrs.get("datums"):
        from landtool.io.corners import check_named_datum

        notes += check_named_datum(raw.attrs["datums"], crs, path=path)
    src_crs = resolve_crs(raw.crs, crs, path=path)
    if swap_axes:
        raw = swap_xy(raw)
    problems: list[Problem] = [Problem(None, "note", n) for n in notes]

    # Drop features with no geometry, reporting each.
    columns = [c for c in raw.columns if c != "geometry"]
    resolved = resolve_mapping(kind, columns, mapping, path=path, require=require_fields)
    ids = _feature_ids(raw, kind, resolved)
    if kind.unique_ids:
        _refuse_duplicate_ids(raw, kind, resolved, path)
    missing = shapely.is_missing(raw.geometry.values) | shapely.is_empty(raw.geometry.values)
    for i in missing.nonzero()[0]:
        problems.append(Problem(ids[i], "dropped", "has no geometry; left out"))
    if missing.any():
        raw = raw[~missing].reset_index(drop=True)
        ids = [i for i, m in zip(ids, missing, strict=True) if not m]
    if len(raw) == 0:
        raise EmptyLayerError("no feature has a geometry", path=path,
                              hint="check the export; the file holds attributes only")

    wrong = family_mismatch(raw.geometry, kind.geometry)
    if wrong.any():
        i = int(wrong.nonzero()[0][0])
        raise LayerLoadError(
            f"{kind.name_en} are {kind.geometry.value}s, but this feature is a "
            f"{raw.geometry.iloc[i].geom_type}",
            path=path, feature=ids[i],
            hint="choose the layer kind that matches the file (--kind), or fix the file",
        )
    check_coordinates(raw, src_crs, path=path)

    # Catalog fields under their catalog names, typed; other source fields kept as they are.
    rename = {src: name for name, src in resolved.items()}
    clash = {c: f"src_{c}" for c in columns if c not in rename and c in resolved}
    gdf = raw.rename(columns={**clash, **rename})
    gdf = gpd.GeoDataFrame(coerce(gdf, kind, gpd.pd.Series(ids), path=path,
                                        require=require_fields),
                           geometry="geometry", crs=src_crs)

    fixed, found = repair(gdf.geometry, ids, kind.geometry)
    problems += found
    gdf = gdf.set_geometry(fixed)
    gdf, reprojection = to_workspace_crs(gdf, src_crs)
    if reprojection.operation is not None:
        fixed, found = repair(gdf.geometry, ids, kind.geometry, stage="after reprojection")
        problems += found
        gdf = gdf.set_geometry(fixed)

    keep = ~shapely.is_missing(gdf.geometry.values)
    gdf, ids = gdf[keep].reset_index(drop=True), [i for i, k in zip(ids, keep, strict=True) if k]
    for fid in check_in_mongolia(gdf, ids, path=path):
        problems.append(Problem(fid, "outside", "lies outside Mongolia"))
    # Found once here and recorded by the workspace; the check engine repairs geometries after
    # projecting them to its own metric frames, so this is a report, not a repair.
    projected = [ids[i] for i in invalid_when_projected(gdf.geometry.values,
                                                         MONGOLIA_ALBERS).nonzero()[0]]
    problems += [Problem(fid, "note", PROJECTED_NOTE) for fid in projected]
    gdf = gdf.set_geometry(to_multi(gdf.geometry, kind.geometry))
    return LoadedLayer(gdf, kind, path, reprojection, resolved, problems, projected)
