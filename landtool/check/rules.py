"""The rule types. Each evaluates one rule for every request at once (vectorized over request ×
feature pairs found with a spatial index) and returns, per request, its status, the values its
messages need, its conflicts, and what it removes from (or clips) the eligible part."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import NamedTuple

import numpy as np
import pandas as pd
import shapely

from landtool.catalog import get_kind
from landtool.check.context import CheckContext, FeatureSet
from landtool.check.frames import MIN_M_PER_DEG, Frames, search_boxes
from landtool.check.result import Conflict
from landtool.check.ruleset import Rule
from landtool.geodesy import areas_m2
from landtool.rehab.status import outstanding_by_partnership, partnership_key
from landtool.validate import polygonal


@dataclass
class Outcome:
    """One rule's verdict on one request, before messages are written."""

    status: str  # pass / fail / warn / not_applicable
    values: dict = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    reason_en: str = ""  # an explanation replacing the rule's message (e.g. not checked)
    reason_mn: str = ""
    layer_missing: bool = False  # not checked because a layer it reads is absent


@dataclass
class Requests:
    """The requests being checked, with what every rule needs precomputed."""

    ids: list[str]
    geoms: np.ndarray  # lon/lat
    attrs: pd.DataFrame
    frames: Frames
    local: np.ndarray  # each request in its own frame
    area_ha: np.ndarray
    exclusions: list[list]  # per request: local geometries removed from the eligible part
    clip: list  # per request: local geometry the eligible part must lie in (None = no clip)

    def __len__(self) -> int:
        return len(self.geoms)


class Bilingual(NamedTuple):
    """A message value that differs by language."""

    en: str
    mn: str


def _kind_names(kinds) -> Bilingual:
    """The kinds' names for the {layer_name} placeholder."""
    defs = [get_kind(k) for k in kinds]
    return Bilingual(", ".join(k.name_en.lower() for k in defs), ", ".join(k.name_mn for k in defs))


def cuts(rule: Rule) -> bool:
    """Whether the rule's exclusions shape the eligible part: only rules that refuse do; a
    rule that warns (e.g. a distance with no legal figure) is reported but cuts nothing."""
    return rule.severity == "fail"


#: One empty polygon, shared (shapely geometries are immutable; making one costs a WKT parse).
EMPTY = shapely.Polygon()


def missing(value) -> bool:
    """Whether an attribute value is absent (None, NaN, NaT, pd.NA): ``pd.isna`` for one
    value, without its cost on the common cases."""
    if value is None:
        return True
    if isinstance(value, str | int | np.integer):
        return False
    if isinstance(value, float | np.floating):
        return value != value
    return bool(pd.isna(value))


def _passed() -> Outcome:
    """A plain pass: its message is the rule's title and "passed", so it carries no values
    and one (never modified) Outcome stands for every request that passed."""
    return Outcome("pass")


def _verdict(rule: Rule, failed: bool) -> str:
    return rule.severity if failed else "pass"


def _not_applicable(n: int, en: str, mn: str, *, layer_missing: bool = False) -> list[Outcome]:
    # one shared Outcome for every request: never modified
    return [Outcome("not_applicable", reason_en=en, reason_mn=mn,
                    layer_missing=layer_missing)] * n


def _missing_layer(rule: Rule, kinds, n: int) -> list[Outcome]:
    names = _kind_names(kinds)
    return _not_applicable(n, f"Not checked: the workspace has no layer of {names.en}.",
                           f"Шалгаагүй: ажлын талбарт {names.mn} давхарга алга.",
                           layer_missing=True)


def _groups(ri: np.ndarray, fj: np.ndarray, n: int) -> list[np.ndarray]:
    """The feature indices paired with each request (pairs as returned by a tree query)."""
    order = np.argsort(ri, kind="stable")
    bounds = np.searchsorted(ri[order], np.arange(n + 1))
    return [fj[order[bounds[i]:bounds[i + 1]]] for i in range(n)]


def _pairs(fs: FeatureSet, geoms: np.ndarray, predicate: str, **kw) -> tuple[np.ndarray, ...]:
    if len(fs) == 0 or len(geoms) == 0:
        return np.array([], dtype=int), np.array([], dtype=int)
    ri, fj = fs.tree.query(geoms, predicate=predicate, **kw)
    return ri, fj


def _overlaps(req: Requests, fs: FeatureSet, sliver_m2: float, other_geoms=None):
    """Request × feature pairs overlapping by more than ``sliver_m2`` (geodesic area)."""
    ri, fj = _pairs(fs, req.geoms, "intersects")
    geoms = fs.geoms if other_geoms is None else other_geoms
    if len(ri) == 0:
        return ri, fj, np.array([]), np.array([], dtype=object)
    inter = shapely.intersection(req.geoms[ri], geoms[fj])
    # a quick planar estimate in the request's frame drops obvious slivers before Geod
    approx = shapely.area(req.frames.to_local(inter, ri))
    keep = approx > sliver_m2 * 0.5
    ri, fj, inter = ri[keep], fj[keep], inter[keep]
    exact = areas_m2(inter)
    keep = exact > sliver_m2
    return ri[keep], fj[keep], exact[keep], inter[keep]


def within(rule: Rule, req: Requests, ctx: CheckContext) -> list[Outcome]:
    p = rule.params
    if not ctx.has(p.layer):
        return _missing_layer(rule, [p.layer], len(req))
    fs = ctx.features(p.layer, p.where)
    ri, fj = _pairs(fs, req.geoms, "intersects")
    kind = get_kind(p.layer)
    n = len(req)
    counts = np.bincount(ri, minlength=n)
    groups = _groups(ri, fj, n)
    cover = np.full(n, None, dtype=object)
    single = counts[ri] == 1
    cover[ri[single]] = fs.geoms[fj[single]]
    for i in np.flatnonzero(counts > 1):
        cover[i] = shapely.union_all(fs.geoms[groups[i]])
    outside = np.array(req.geoms, dtype=object)
    has = counts > 0
    outside[has] = shapely.difference(req.geoms[has], cover[has])
    # a request no feature touches lies wholly outside: its own area, already measured
    outside_m2 = np.asarray(req.area_ha, dtype=float) * 1e4
    outside_m2[has] = areas_m2(outside[has])
    failed = outside_m2 > p.tolerance_m2
    # where it fails, the eligible part must lie in the in-force features (or is empty);
    # a rule that only warns never cuts the eligible part
    for i in np.flatnonzero(failed if cuts(rule) else []):
        req.clip[i] = (req.frames.to_local(np.array([cover[i]]), [i])[0]
                       if cover[i] is not None else EMPTY)
    layer_names = ", ".join(ctx.layer_names(p.layer))
    name = Bilingual(kind.name_en.lower(), kind.name_mn)
    out = [_passed()] * n
    for i in np.flatnonzero(failed):
        inside = ", ".join(fs.ids[groups[i]]) if counts[i] else ""
        conflict = Conflict(layer_names, p.layer,
                            f"outside {inside}" if inside else "outside all",
                            overlap_ha=outside_m2[i] / 1e4, geometry=polygonal(outside[i]))
        out[i] = Outcome(rule.severity, {"outside_ha": outside_m2[i] / 1e4, "layer_name": name},
                         [conflict])
    return out


def no_overlap(rule: Rule, req: Requests, ctx: CheckContext) -> list[Outcome]:
    p = rule.params
    present = [k for k in p.layers if ctx.has(k)]
    if not present:
        return _missing_layer(rule, p.layers, len(req))
    conflicts: dict[int, list[Conflict]] = {}  # only the requests in conflict
    for kind in present:
        fs = ctx.features(kind, p.where)
        ri, fj, area, inter = _overlaps(req, fs, p.sliver_m2)
        local = req.frames.to_local(inter, ri)
        for i, j, a, g, loc in zip(ri, fj, area, inter, local, strict=True):
            conflicts.setdefault(i, []).append(Conflict(
                fs.layers[j], kind, fs.ids[j], overlap_ha=a / 1e4, geometry=polygonal(g)))
            if cuts(rule):
                req.exclusions[i].append(loc)
    layer_name = _kind_names(p.layers)
    out = [_passed()] * len(req)
    for i, c in conflicts.items():
        out[i] = Outcome(rule.severity,
                         {"count": len(c), "ids": ", ".join(x.feature_id for x in c),
                          "overlap_ha": sum(x.overlap_ha for x in c), "layer_name": layer_name},
                         c)
    return out


def min_distance(rule: Rule, req: Requests, ctx: CheckContext) -> list[Outcome]:
    p = rule.params
    present = [k for k in p.layers if ctx.has(k)]
    if not present:
        return _missing_layer(rule, p.layers, len(req))
    d = p.distance_m
    boxes = search_boxes(req.geoms, d)
    conflicts: dict[int, list[Conflict]] = {}  # only the requests in conflict
    for kind in present:
        fs = ctx.features(kind, p.where)
        ri, fj = _pairs(fs, req.geoms, "dwithin", distance=d / MIN_M_PER_DEG * 1.2)
        if len(ri) == 0:
            continue
        near = shapely.intersection(fs.geoms[fj], boxes[ri])  # only the part near the request
        near_local = req.frames.to_local(near, ri)
        approx = shapely.distance(req.local[ri], near_local)
        keep = approx < d * 1.01 + 1.0
        ri, fj, near, near_local = ri[keep], fj[keep], near[keep], near_local[keep]
        exact = req.frames.geodesic_distance(req.local[ri], near_local, ri)
        exact[shapely.intersects(req.local[ri], near_local)] = 0.0
        keep = exact < d
        ri, fj, exact = ri[keep], fj[keep], exact[keep]
        buffers = shapely.buffer(near_local[keep], d, quad_segs=16)
        # the conflict is the part of the request inside the feature's zone
        zones = req.frames.to_lonlat(shapely.intersection(req.local[ri], buffers), ri)
        for i, j, dist, zone, buf in zip(ri, fj, exact, zones, buffers, strict=True):
            conflicts.setdefault(i, []).append(Conflict(
                fs.layers[j], kind, fs.ids[j], distance_m=float(dist), geometry=polygonal(zone)))
            if cuts(rule):
                req.exclusions[i].append(buf)
    layer_name = _kind_names(p.layers)
    out = [_passed()] * len(req)
    for i, c in conflicts.items():
        out[i] = Outcome(rule.severity,
                         {"count": len(c), "ids": ", ".join(dict.fromkeys(x.feature_id for x in c)),
                          "nearest_m": min(x.distance_m for x in c), "layer_name": layer_name},
                         sorted(c, key=lambda x: x.distance_m))
    return out


def area(rule: Rule, req: Requests, ctx: CheckContext) -> list[Outcome]:
    p = rule.params
    a = np.asarray(req.area_ha, dtype=float)
    failed = np.zeros(len(a), dtype=bool)
    if p.max_ha is not None:
        failed |= a > p.max_ha
    if p.min_ha is not None:
        failed |= a < p.min_ha
    out = [_passed()] * len(a)
    for i in np.flatnonzero(failed):
        out[i] = Outcome(rule.severity, {"area_ha": float(a[i])})
    return out


_OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
        "==": operator.eq, "!=": operator.ne}


def attribute(rule: Rule, req: Requests, ctx: CheckContext) -> list[Outcome]:
    p = rule.params
    values = req.attrs[p.field] if p.field in req.attrs.columns else pd.Series([None] * len(req))
    out = []
    for v in values:
        if missing(v):
            en, mn = (f"The request does not state {p.field}.",
                      f"Хүсэлтэд {p.field} утга заагаагүй байна.")
            if p.if_missing == "not_applicable":
                en, mn = f"Not checked: {en[0].lower()}{en[1:]}", f"Шалгаагүй: {mn}"
            out.append(Outcome(p.if_missing, reason_en=en, reason_mn=mn))
            continue
        actual = v
        if isinstance(p.value, float | int) and not isinstance(v, float | int):
            try:
                actual = float(str(v).replace(",", "."))
            except ValueError:
                out.append(Outcome(rule.severity, {"actual": v}))
                continue
        ok = _OPS[p.op](actual, p.value)
        shown = int(actual) if isinstance(actual, float) and actual.is_integer() else actual
        out.append(Outcome(_verdict(rule, not ok), {"actual": shown}))
    return out


def rehabilitation_backlog(rule: Rule, req: Requests, ctx: CheckContext) -> list[Outcome]:
    p = rule.params
    if not ctx.has(p.layer):
        return _missing_layer(rule, [p.layer], len(req))
    fs = ctx.features(p.layer, in_force_only=False)
    a = fs.attrs
    backlog = outstanding_by_partnership(
        a.get("partnership", pd.Series([None] * len(fs))), a.get("status", [None] * len(fs)),
        fs.geoms, fs.ids, p.outstanding_statuses)
    out = []
    applicants = req.attrs.get("applicant", pd.Series([None] * len(req)))
    for name in applicants:
        if missing(name):
            out.append(Outcome("not_applicable",
                               reason_en="Not checked: the request names no applicant.",
                               reason_mn="Шалгаагүй: хүсэлт гаргагч тодорхойгүй."))
            continue
        b = backlog.get(partnership_key(name))
        ha = b.outstanding_ha if b else 0.0
        out.append(Outcome(_verdict(rule, ha > p.threshold_ha),
                           {"outstanding_ha": ha, "applicant": name,
                            "parcels": ", ".join(b.parcels) if b else ""}))
    return out


_MONGOLIA = timezone(timedelta(hours=8))


def _earlier(a: tuple, b: tuple) -> bool:
    """Whether the request keyed ``a`` came before ``b``. Two registered requests are ordered
    by their queue numbers alone (the register hands them out in order); otherwise by the
    submission time, then the number."""
    if a[1] != _NO_QUEUE and b[1] != _NO_QUEUE:
        return a[1] < b[1]
    return a < b


_NO_QUEUE = 10**12


def _order_key(submitted, queue) -> tuple | None:
    """Earlier first: the submission time (a time without offset is Mongolian time, UTC+8),
    then the queue number. None when a request has neither."""
    ts = None
    if submitted is not None and not (isinstance(submitted, float) and np.isnan(submitted)):
        try:
            ts = datetime.fromisoformat(str(submitted))
        except ValueError:
            ts = None
        if ts is not None and ts.tzinfo is None:
            ts = ts.replace(tzinfo=_MONGOLIA)
    q = None if missing(queue) else int(queue)
    if ts is None and q is None:
        return None
    return (ts or datetime.max.replace(tzinfo=UTC), q if q is not None else _NO_QUEUE)


def priority(rule: Rule, req: Requests, ctx: CheckContext) -> list[Outcome]:
    p = rule.params
    # the competition: the requests being checked, and the workspace's other pending requests
    others = ctx.features("requests", in_force_only=False) if ctx.has("requests") else None
    ids = list(req.ids)
    geoms = list(req.geoms)
    sub = list(req.attrs.get("submitted_at", pd.Series([None] * len(req))))
    queue = list(req.attrs.get("queue_no", pd.Series([None] * len(req))))
    layer = ["(checked)"] * len(req)
    if others is not None:
        seen = set(ids)
        for k in range(len(others)):
            if others.ids[k] in seen:
                continue
            ids.append(others.ids[k])
            geoms.append(others.geoms[k])
            sub.append(others.attrs["submitted_at"].iloc[k]
                       if "submitted_at" in others.attrs else None)
            queue.append(others.attrs["queue_no"].iloc[k] if "queue_no" in others.attrs else None)
            layer.append(others.layers[k])
    keys = [_order_key(s, q) for s, q in zip(sub, queue, strict=True)]
    all_geoms = np.array(geoms, dtype=object)
    tree = shapely.STRtree(all_geoms)
    ri, fj = tree.query(req.geoms, predicate="intersects")
    out = [Outcome("pass", {"count": 0, "ids": "", "overlap_ha": 0.0}) for _ in range(len(req))]
    conflicts: list[list[Conflict]] = [[] for _ in range(len(req))]
    for i in range(len(req)):
        if keys[i] is None:
            out[i] = Outcome(
                "not_applicable",
                reason_en="Not checked: the request has no submission time or queue number "
                          "(register it first).",
                reason_mn="Шалгаагүй: хүсэлтийн ирүүлсэн огноо, дарааллын дугаар алга "
                          "(эхлээд бүртгэнэ үү).")
    mask = np.array([ri_ != fj_ and keys[ri_] is not None and keys[fj_] is not None
                     and _earlier(keys[fj_], keys[ri_]) for ri_, fj_ in zip(ri, fj, strict=True)],
                    dtype=bool)
    ri, fj = ri[mask], fj[mask]
    if len(ri):
        inter = shapely.intersection(req.geoms[ri], all_geoms[fj])
        area_ = areas_m2(inter)
        keep = area_ > p.sliver_m2
        for i, j, a, g in zip(ri[keep], fj[keep], area_[keep], inter[keep], strict=True):
            conflicts[i].append(Conflict(layer[j] if layer[j] != "(checked)" else "requests",
                                         "requests", ids[j], overlap_ha=a / 1e4,
                                         geometry=polygonal(g)))
            if cuts(rule):
                req.exclusions[i].append(req.frames.to_local(np.array([g]), [i])[0])
    for i, c in enumerate(conflicts):
        if out[i].status == "not_applicable":
            continue
        out[i] = Outcome(_verdict(rule, bool(c)),
                         {"count": len(c), "ids": ", ".join(x.feature_id for x in c),
                          "overlap_ha": sum(x.overlap_ha for x in c)}, c)
    return out


RULES = {
    "within": within,
    "no_overlap": no_overlap,
    "min_distance": min_distance,
    "area": area,
    "attribute": attribute,
    "rehabilitation_backlog": rehabilitation_backlog,
    "priority": priority,
}
