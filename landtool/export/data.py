"""Everything a submission package says about one request, gathered once from the workspace.

The printed map, the interactive map and the PDF report all draw from one :class:`PackageData`,
so they cannot disagree. It uses the check result saved in the workspace (``landtool check
--save``): the package documents the check that was actually run, with its ruleset and date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from landtool.catalog import get_kind
from landtool.check.store import StoredCheck, stored_check
from landtool.errors import CheckError
from landtool.rehab.rates import RateFile, load_rates
from landtool.workspace import Workspace

#: Layer kinds drawn around the request on maps, bottom to top.
CONTEXT_KINDS = ("soums", "forest", "protected_areas", "water_areas", "water_lines",
                 "water_points", "licenses", "land_conclusions", "asm_contracts",
                 "rehab_parcels", "settlements", "roads", "requests")
#: How far around the request (degrees: about 3 km north-south) context features are taken.
CONTEXT_MARGIN_DEG = 0.03


@dataclass
class Conflict:
    """A feature in the way of the request, as the saved check named it, with its geometry."""

    rule: str
    status: str
    layer: str
    kind: str
    feature_id: str
    overlap_ha: float | None
    distance_m: float | None
    geometry: shapely.Geometry | None  # the whole feature, from its layer (None if not found)


@dataclass
class PackageData:
    workspace: Path
    request_id: str
    request: dict  # the request's attributes (applicant, members, submitted_at, queue_no, ...)
    geometry: shapely.Geometry  # lon/lat
    check: StoredCheck
    soum: dict  # {"pcode", "name_en", "name_mn"} (empty strings when unknown)
    aimag: dict
    conflicts: list[Conflict]
    context: dict[str, gpd.GeoDataFrame]  # kind -> features near the request (EPSG:4326)
    aimags: gpd.GeoDataFrame  # all aimags, for the locator inset
    rehab_parcels: gpd.GeoDataFrame  # the applicant's parcels
    rehab_summary: pd.DataFrame | None  # summarize() rows of the applicant
    estimate: object | None  # landtool.rehab.costs.Estimate for the applicant's open work
    rates: RateFile
    sources: list[str] = field(default_factory=list)  # layer -> source and date lines
    made_on: date = field(default_factory=date.today)
    #: the decisions log's length and last hash when the data was gathered
    #: (:func:`landtool.witness.witness`), carried by the package as ``witness.json``
    witness: dict | None = None
    #: the applicant's parcels with status, its date, evidence and photos
    #: (landtool.rehab.evidence.ParcelStatus)
    parcel_status: list = field(default_factory=list)
    #: photo id -> the photo as printed (landtool.photos.print_image), of those parcels
    #: and of the request
    photo_prints: dict = field(default_factory=dict)
    #: the request's own photos (landtool.photos.Photo), their distance outside the request
    #: measured against it as it is now
    request_photos: list = field(default_factory=list)

    @property
    def eligible_part(self) -> shapely.Geometry:
        return self.check.eligible_part

    @property
    def result(self) -> dict:
        return self.check.result


def _admin(ws: Workspace, kind: str, point) -> dict:
    for name in ws.layers_of_kind(kind):
        gdf = ws.read(name)
        hit = gdf[gdf.geometry.contains(point)]
        if len(hit):
            row = hit.iloc[0]
            return {"pcode": str(row.get("pcode", "") or ""),
                    "name_en": str(row.get("name_en", "") or ""),
                    "name_mn": str(row.get("name_mn", "") or "")}
    return {"pcode": "", "name_en": "", "name_mn": ""}


def _feature_geometry(layer: gpd.GeoDataFrame, conflict: dict, near):
    """The geometry of a conflict's feature: by its id (the nearest one to the request when
    several share it, e.g. rivers with one name), or by row for an unnamed feature, which the
    check names "<layer>:<row>"."""
    id_field = get_kind(conflict["kind"]).id_field
    fid = conflict["feature_id"]
    if id_field in layer.columns:
        hit = layer[layer[id_field].astype(str) == fid]
        if len(hit):
            # nearest in degrees is enough to pick which of a few same-named features
            gaps = shapely.distance(hit.geometry.to_numpy(), near)
            return hit.geometry.iloc[int(gaps.argmin())]
    prefix = f"{conflict['layer']}:"
    if fid.startswith(prefix) and fid[len(prefix):].isdigit():
        row = int(fid[len(prefix):]) - 1
        if 0 <= row < len(layer):
            return layer.geometry.iloc[row]
    return None


def _concat(frames: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return gpd.GeoDataFrame(geometry=[], crs=4326)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=4326)


def gather(ws: Workspace, request_id: str, *, rates: str = "mn-illustrative-2026",
           dem: str | Path | None = None) -> PackageData:
    """Collect a request's package data; CheckError if it is unknown or was never checked."""
    from landtool.photos import photos
    from landtool.rehab.costs import estimate
    from landtool.rehab.evidence import measured, parcel_statuses
    from landtool.rehab.quantities import parcel_quantities
    from landtool.rehab.status import partnership_key, summarize
    from landtool.witness import witness

    rows = [g[g["request_id"].astype(str) == request_id]
            for g in (ws.read(n) for n in ws.layers_of_kind("requests"))]
    rows = [r for r in rows if len(r)]
    if not rows:
        known = sorted({str(i) for n in ws.layers_of_kind("requests")
                        for i in ws.read(n)["request_id"]})
        raise CheckError(f"there is no request {request_id!r} in the workspace", path=ws.path,
                         hint="use one of: " + ", ".join(known[:20])
                         + (" …" if len(known) > 20 else ""))
    req = rows[0].iloc[0]
    check = stored_check(ws, request_id)
    geometry = req.geometry
    if not check.is_of(geometry):
        raise CheckError(
            f"request {request_id!r} was changed after its saved check ({check.checked_at}): "
            "the package would show one shape and the figures of another",
            path=ws.path,
            hint=f"run `landtool check requests --workspace {ws.path} --save` again")
    centre = geometry.representative_point()
    minx, miny, maxx, maxy = geometry.bounds
    m = CONTEXT_MARGIN_DEG
    bbox = (minx - 2 * m, miny - m, maxx + 2 * m, maxy + m)
    context = {}
    for kind in CONTEXT_KINDS:
        names = ws.layers_of_kind(kind)
        frames = []
        for name in names:
            part = ws.read(name, bbox=bbox)
            part["layer"] = name
            frames.append(part)
        context[kind] = _concat(frames)
    by_layer = {}
    conflicts = []
    for res in check.result["results"]:
        for c in res["conflicts"]:
            geom = None
            if c["layer"] in ws.layer_names():
                if c["layer"] not in by_layer:
                    by_layer[c["layer"]] = ws.read(c["layer"])
                geom = _feature_geometry(by_layer[c["layer"]], c, geometry)
            conflicts.append(Conflict(res["rule"], res["status"], c["layer"], c["kind"],
                                      c["feature_id"], c["overlap_ha"], c["distance_m"], geom))
    applicant = req.get("applicant")
    parcels = _concat([ws.read(n) for n in ws.layers_of_kind("rehab_parcels")])
    if len(parcels) and applicant is not None:
        mine = parcels[parcels["partnership"].map(partnership_key) == partnership_key(applicant)]
    else:
        mine = parcels.iloc[0:0]
    summary = summarize(mine) if len(mine) else None
    rate_file = load_rates(rates)
    if dem is None:
        dem = ws.dem()
    est = estimate(parcel_quantities(mine, dem_path=dem), rate_file) if len(mine) else None
    statuses = parcel_statuses(ws, mine) if len(mine) else []
    own = [measured(p, geometry) for p in photos(ws, kind="requests", subject_id=request_id)]
    sources = [f"{r.name}: {Path(r.source).name} (added {r.added_at[:10]})"
               for r in ws.layers()]
    return PackageData(
        workspace=ws.path, request_id=request_id,
        request={k: v for k, v in req.items() if k != "geometry"},
        geometry=geometry, check=check,
        soum=_admin(ws, "soums", centre), aimag=_admin(ws, "aimags", centre),
        conflicts=conflicts, context=context,
        aimags=_concat([ws.read(n) for n in ws.layers_of_kind("aimags")]),
        rehab_parcels=mine, rehab_summary=summary, estimate=est, rates=rate_file,
        sources=sources, witness=witness(ws),
        parcel_status=statuses, photo_prints=_prints(ws, statuses, own), request_photos=own)


def _prints(ws: Workspace, statuses, own=()) -> dict:
    """The photos of the parcels ``statuses`` and the request's own photos ``own`` as printed
    (decoded once, here)."""
    from landtool.photos import PhotoError, photo_bytes, print_image

    out = {}
    for photo in [*(p for s in statuses for p in s.photos), *own]:
        try:
            out[photo.photo_id] = print_image(photo_bytes(ws, photo.photo_id))
        except (PhotoError, OSError, ValueError):  # the report shows the stored thumbnail
            pass
    return out
