"""Find the land that can be offered: candidate ASM parcels in a soum, an aimag or any area.

The available land is the search area minus what the ruleset's refusing rules exclude on the
check date, read from the rules themselves (no second copy of them):

- ``no_overlap``: the in-force features of its layers (valid licences, protected areas,
  forest, active contracts...), as the check selects them (``where``, validity dates);
- ``min_distance``: those features grown by the rule's distance (water zones, and any distance
  rule a ruleset turns to ``fail``), plus a safety margin of 1 m and 0.1 % of the distance so
  a candidate on the edge still passes the check's geodesic measurement;
- ``within``: everything outside the in-force features of its layer (e.g. valid Land
  Conclusions), shrunk by 0.5 m;
- ``priority``: every request already in the workspace (a new request comes after them all).

Rules that only warn exclude nothing; they are reported on each candidate. ``area``,
``attribute`` and ``rehabilitation_backlog`` rules do not exclude land: the first sizes the
parcels, the other two depend on the applicant.

The work is done in an azimuthal equidistant projection centred on the search area (planar
geometry for the set operations only); every figure reported is geodesic (pyproj Geod).
Slivers narrower than a workable width are removed by a morphological opening; the parcels'
outlines are simplified by 0.3 m (less than every margin) so their corners can be staked. The
land is cut into parcels on a square grid aligned to whole multiples of the cell size
(deterministic: the
same inputs give the same candidates), each cell no larger than the maximum area; the pieces
that are at least the minimum area and compact (isoperimetric quotient 4πA/P² ≥ 0.3, so no long
strips) are the candidates. Every candidate is then checked with the same ruleset and date:
one that would not pass is dropped, and the count is reported. Ranking: the share of land
already disturbed by mining first (the 2022 regulation wants ASM on damaged land), then area,
then the distance to the nearest road.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

from landtool.check.context import CheckContext, soums_of
from landtool.check.engine import check_requests
from landtool.check.ruleset import Ruleset
from landtool.errors import CheckError
from landtool.geodesy import AREA_METHOD, DISTANCE_METHOD, GEOD, areas_m2, local_aeqd
from landtool.validate import polygonal

#: Kinds whose features mark land already disturbed by mining.
DISTURBED_KINDS = ("rehab_parcels",)
COMPACTNESS = 0.3
SIMPLIFY_M = 0.3
DEFAULT_MIN_HA = 1.0


@dataclass
class Exclusion:
    rule: str
    title_en: str
    title_mn: str
    how: str  # what was excluded, in words
    geometry: object  # local metres
    hectares: float = 0.0  # of the search area, geodesic


@dataclass
class Candidate:
    id: str
    geometry: object  # lon/lat
    area_ha: float
    perimeter_m: float
    soum: dict
    disturbed_ha: float
    road_m: float | None
    settlement_m: float | None
    warnings: list[str] = field(default_factory=list)

    @property
    def disturbed_share(self) -> float:
        return self.disturbed_ha / self.area_ha if self.area_ha else 0.0

    def to_json(self) -> dict:
        return {"candidate_id": self.id, "area_ha": round(self.area_ha, 6),
                "perimeter_m": round(self.perimeter_m, 3), "soum": self.soum,
                "disturbed_ha": round(self.disturbed_ha, 6),
                "disturbed_share": round(self.disturbed_share, 4),
                "nearest_road_m": None if self.road_m is None else round(self.road_m, 1),
                "nearest_settlement_m": None if self.settlement_m is None
                else round(self.settlement_m, 1),
                "warnings": self.warnings}


@dataclass
class Proposal:
    ruleset: Ruleset
    as_of: date
    area_name: str
    search_area: object  # lon/lat
    search_ha: float
    available: object  # lon/lat
    available_ha: float
    exclusions: list[Exclusion]
    candidates: list[Candidate]
    min_ha: float
    max_ha: float
    width_m: float
    dropped: int  # cut pieces that did not pass the check
    notes: list[str]

    def to_json(self) -> dict:
        rs = self.ruleset
        return {
            "ruleset": {"id": rs.id, "version": rs.version, "regulation": rs.regulation,
                        "unconfirmed_rules": [r.id for r in rs.unconfirmed_rules]},
            "as_of": self.as_of.isoformat(), "search_area": self.area_name,
            "area_method": AREA_METHOD, "distance_method": DISTANCE_METHOD,
            "sizing": {"min_ha": self.min_ha, "max_ha": self.max_ha,
                       "workable_width_m": self.width_m},
            "search_ha": round(self.search_ha, 4), "available_ha": round(self.available_ha, 4),
            "excluded_by_rule": [{"rule": e.rule, "title_en": e.title_en,
                                  "title_mn": e.title_mn, "how": e.how,
                                  "hectares": round(e.hectares, 4)} for e in self.exclusions],
            "dropped_by_check": self.dropped, "notes": self.notes,
            "candidates": [c.to_json() for c in self.candidates],
        }


def sizing(ruleset: Ruleset, min_ha: float | None, max_ha: float | None) -> tuple[float, float]:
    """The parcel sizes: given, or the ruleset's area rule (any severity), or defaults."""
    rule = next((r for r in ruleset.active_rules if r.type.value == "area"), None)
    if max_ha is None:
        max_ha = rule.params.max_ha if rule is not None and rule.params.max_ha else None
    if min_ha is None:
        min_ha = rule.params.min_ha if rule is not None and rule.params.min_ha else None
    if max_ha is None:
        raise CheckError("the ruleset has no maximum area",
                         hint="give the largest parcel with --max-ha")
    min_ha = DEFAULT_MIN_HA if min_ha is None else min_ha
    min_ha = min(min_ha, max_ha) if min_ha == DEFAULT_MIN_HA else min_ha
    if min_ha <= 0 or max_ha <= 0:
        raise CheckError(f"parcel sizes must be positive (min {min_ha:g} ha, max {max_ha:g} ha)",
                         hint="give --min-ha and --max-ha above 0")
    if min_ha > max_ha:
        raise CheckError(f"the minimum parcel ({min_ha:g} ha) is larger than the maximum "
                         f"({max_ha:g} ha)", hint="give --min-ha no larger than --max-ha")
    return float(min_ha), float(max_ha)


def _to_local(geoms, transformer: Transformer):
    return shapely.transform(np.asarray(geoms, dtype=object),
                             lambda xy: np.column_stack(transformer.transform(xy[:, 0],
                                                                             xy[:, 1])))


def _union(geoms):
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    return shapely.union_all(np.array(geoms, dtype=object)) if geoms else shapely.Polygon()


def exclusions(ruleset: Ruleset, ctx: CheckContext, search_lonlat, fwd: Transformer,
               search_local) -> tuple[list[Exclusion], object | None, list[str]]:
    """What each refusing rule excludes (local metres), the land the ``within`` rules keep
    (None when none applies), and notes on rules that exclude nothing."""
    out, keep, notes = [], None, []
    box = shapely.box(*search_lonlat.bounds)
    for rule in ruleset.active_rules:
        t = rule.type.value
        if rule.severity != "fail":
            continue
        p = rule.params
        if t in ("no_overlap", "min_distance"):
            d = p.distance_m if t == "min_distance" else 0.0
            pad = d / 67_000.0 * 1.3 + 1e-4
            parts = []
            for kind in p.layers:
                if not ctx.has(kind):
                    notes.append(f"{rule.id}: no {kind} layer, so nothing of it was excluded")
                    continue
                fs = ctx.features(kind, p.where)
                if len(fs) == 0:
                    continue
                hits = fs.tree.query(box.buffer(pad), predicate="intersects")
                if len(hits):
                    parts.append(_to_local(fs.geoms[hits], fwd))
            geoms = np.concatenate(parts) if parts else np.array([], dtype=object)
            if t == "min_distance" and len(geoms):
                margin = d + 1.0 + d * 1e-3
                geoms = shapely.buffer(geoms, margin, quad_segs=16)
                how = f"within {d:g} m of {', '.join(p.layers)} (+{margin - d:.1f} m margin)"
            else:
                geoms = shapely.buffer(geoms, 0.5) if len(geoms) else geoms
                how = f"overlapping {', '.join(p.layers)} in force (+0.5 m margin)"
            out.append(Exclusion(rule.id, rule.title_en, rule.title_mn, how,
                                 shapely.intersection(_union(geoms), search_local)))
        elif t == "within":
            if not ctx.has(p.layer):
                notes.append(f"{rule.id}: no {p.layer} layer, so it restricts nothing")
                continue
            fs = ctx.features(p.layer, p.where)
            hits = fs.tree.query(box, predicate="intersects") if len(fs) else []
            inside = _union(shapely.buffer(_to_local(fs.geoms[hits], fwd), -0.5)) \
                if len(hits) else shapely.Polygon()
            keep = inside if keep is None else shapely.intersection(keep, inside)
            out.append(Exclusion(rule.id, rule.title_en, rule.title_mn,
                                 f"outside every {p.layer} in force",
                                 shapely.difference(search_local, inside)))
        elif t == "priority":
            if ctx.has("requests"):
                fs = ctx.features("requests", in_force_only=False)
                hits = fs.tree.query(box, predicate="intersects") if len(fs) else []
                geoms = _to_local(fs.geoms[hits], fwd) if len(hits) else []
                out.append(Exclusion(rule.id, rule.title_en, rule.title_mn,
                                     "requests already in the register (+0.5 m margin)",
                                     shapely.intersection(
                                         _union(shapely.buffer(np.asarray(geoms, dtype=object),
                                                               0.5)), search_local)))
        elif t in ("attribute", "rehabilitation_backlog"):
            notes.append(f"{rule.id}: depends on the applicant, not on the land; check it "
                         "when a partnership applies")
    return out, keep, notes


def _back(geoms, inv: Transformer):
    return _to_local(geoms, inv)


def propose(search_lonlat, area_name: str, ruleset: Ruleset, ctx: CheckContext, *,
            min_ha: float | None = None, max_ha: float | None = None,
            width_m: float = 30.0, progress=None) -> Proposal:
    """Candidate parcels in ``search_lonlat`` (a lon/lat polygon) that pass ``ruleset`` on
    ``ctx.as_of``."""
    lo, hi = sizing(ruleset, min_ha, max_ha)
    if width_m <= 0:
        raise CheckError("the workable width must be positive", hint="give --width-m above 0")
    if not any(r.severity == "fail" and r.type.value in
               ("no_overlap", "min_distance", "within", "priority")
               for r in ruleset.active_rules):
        raise CheckError(f"ruleset {ruleset.label()} has no rule that excludes land",
                         hint="use a ruleset with overlap, distance or within rules that refuse")
    c = search_lonlat.centroid
    crs = local_aeqd(c.x, c.y)
    fwd = Transformer.from_crs(4326, crs, always_xy=True)
    inv = Transformer.from_crs(crs, 4326, always_xy=True)
    search_local = _to_local([search_lonlat], fwd)[0]
    search_ha = float(areas_m2([search_lonlat])[0]) / 1e4
    if progress:
        progress(0, 4, "exclusions")
    excl, keep, notes = exclusions(ruleset, ctx, search_lonlat, fwd, search_local)
    avail = search_local if keep is None else shapely.intersection(search_local, keep)
    avail = shapely.difference(avail, _union([e.geometry for e in excl if e.rule not in
                                              _within_ids(ruleset)]))
    # slivers narrower than the workable width go (an opening: shrink, then grow back)
    avail = polygonal(shapely.buffer(shapely.buffer(avail, -width_m / 2, quad_segs=4),
                                     width_m / 2, quad_segs=4)) or shapely.Polygon()
    avail = shapely.intersection(avail, search_local)
    # each rule's share of the search area, alone (geodesic, through lon/lat)
    for e in excl:
        e.hectares = float(areas_m2([polygonal(_back([e.geometry], inv)[0])
                                     or shapely.Polygon()])[0]) / 1e4
    if progress:
        progress(1, 4, "parcels")
    pieces = _cut(avail, hi, lo)
    lonlat = _back(pieces, inv) if len(pieces) else np.array([], dtype=object)
    if progress:
        progress(2, 4, "check")
    # the check reports each rule: a cancel in the app stops it between them
    cands, dropped = _checked(lonlat, ruleset, ctx,
                              (lambda *_a: progress(2, 4, "check")) if progress else None)
    if progress:
        progress(3, 4, "figures")
    out = _describe(cands, ctx)
    avail_ll = polygonal(_back([avail], inv)[0]) or shapely.Polygon()
    return Proposal(ruleset=ruleset, as_of=ctx.as_of, area_name=area_name,
                    search_area=search_lonlat, search_ha=search_ha, available=avail_ll,
                    available_ha=float(areas_m2([avail_ll])[0]) / 1e4, exclusions=excl,
                    candidates=out, min_ha=lo, max_ha=hi, width_m=width_m, dropped=dropped,
                    notes=notes)


def _within_ids(ruleset: Ruleset) -> set[str]:
    return {r.id for r in ruleset.active_rules if r.type.value == "within"}


def _cut(avail, max_ha: float, min_ha: float) -> np.ndarray:
    """Grid cells (squares of a little less than the maximum area, aligned to multiples of
    their side) intersected with the available land; pieces at least the minimum and compact."""
    if avail.is_empty:
        return np.array([], dtype=object)
    side = math.sqrt(max_ha * 1e4 * 0.995)  # the projection's area differs from Geod's
    # the cells (column i, row j: the square [i, i+1) × [j, j+1) sides) over each part of
    # the land, not over the whole search area (most of an aimag is excluded), in row order
    ij = []
    for x0, y0, x1, y1 in shapely.bounds(shapely.get_parts(avail)):
        gi, gj = np.meshgrid(np.arange(math.floor(x0 / side), math.ceil(x1 / side)),
                             np.arange(math.floor(y0 / side), math.ceil(y1 / side)))
        ij.append(np.stack([gj.ravel(), gi.ravel()], axis=1))
    j, i = np.unique(np.concatenate(ij), axis=0).T
    cells = shapely.box(i * side, j * side, (i + 1) * side, (j + 1) * side)
    # each cell cut by the parts of the land it meets, not by the whole land
    land = shapely.get_parts(avail)
    ci, pj = shapely.STRtree(land).query(cells, predicate="intersects")
    inter = shapely.intersection(cells[ci], land[pj])
    parts = shapely.get_parts(inter)
    parts = parts[shapely.get_type_id(parts) == 3]
    area, perim = shapely.area(parts), shapely.length(parts)
    compact = 4 * math.pi * area / np.maximum(perim, 1e-9) ** 2
    keep = (area >= min_ha * 1e4 * 1.005) & (compact >= COMPACTNESS)
    # corners a surveyor can stake: vertices closer than 0.3 m to the line through their
    # neighbours go (the margins above are wider than that)
    return shapely.set_precision(shapely.simplify(parts[keep], SIMPLIFY_M), 0.01)


def _checked(lonlat: np.ndarray, ruleset: Ruleset, ctx: CheckContext, progress=None):
    """The pieces that pass the check (no rule fails), with their warnings."""
    if len(lonlat) == 0:
        return [], 0
    gdf = gpd.GeoDataFrame({"request_id": [f"piece-{k}" for k in range(len(lonlat))]},
                           geometry=list(lonlat), crs=4326)
    report = check_requests(gdf, ruleset, ctx, progress=progress)
    kept = [(g, r) for g, r in zip(lonlat, report.requests, strict=True) if r.eligible]
    return kept, len(lonlat) - len(kept)


def _nearest_m(geoms, ctx: CheckContext, kind: str) -> list[float | None]:
    if not ctx.has(kind):
        return [None] * len(geoms)
    fs = ctx.features(kind, in_force_only=False)
    if len(fs) == 0 or len(geoms) == 0:
        return [None] * len(geoms)
    from landtool.geodesy import distances_m

    geoms = np.asarray(geoms, dtype=object)
    idx = fs.tree.nearest(geoms)
    return [float(d) for d in distances_m(geoms, fs.geoms[idx])]


def _describe(cands, ctx: CheckContext) -> list[Candidate]:
    if not cands:
        return []
    geoms = np.array([g for g, _ in cands], dtype=object)
    area = areas_m2(geoms) / 1e4
    perim = [GEOD.geometry_area_perimeter(shapely.orient_polygons(g))[1] for g in geoms]
    disturbed = np.zeros(len(geoms))
    for kind in DISTURBED_KINDS:
        if ctx.has(kind):
            fs = ctx.features(kind, in_force_only=False)
            if len(fs):
                ri, fj = fs.tree.query(geoms, predicate="intersects")
                if len(ri):
                    inter = shapely.intersection(geoms[ri], fs.geoms[fj])
                    np.add.at(disturbed, ri, areas_m2(inter) / 1e4)
    disturbed = np.minimum(disturbed, area)
    roads = _nearest_m(geoms, ctx, "roads")
    towns = _nearest_m(geoms, ctx, "settlements")
    soum = soums_of(geoms, ctx)
    warns = [[x.rule for x in r.results if x.status == "warn"] for _, r in cands]
    order = sorted(range(len(geoms)), key=lambda k: (
        -round(disturbed[k] / area[k], 6), -round(area[k], 6),
        roads[k] if roads[k] is not None else math.inf,
        shapely.get_x(shapely.centroid(geoms[k])), shapely.get_y(shapely.centroid(geoms[k]))))
    return [Candidate(id=f"C-{n + 1:03d}", geometry=geoms[k], area_ha=float(area[k]),
                      perimeter_m=float(perim[k]), soum=soum[k],
                      disturbed_ha=float(disturbed[k]), road_m=roads[k],
                      settlement_m=towns[k], warnings=warns[k])
            for n, k in enumerate(order)]
