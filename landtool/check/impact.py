"""What a change of rules does to the register: every request checked under two rulesets on the
same date and compared, request by request, soum by soum, with a readable diff of the rules.

The two checks share one :class:`~landtool.check.context.CheckContext` (the layers are read and
indexed once); each is exactly what ``landtool check --ruleset`` gives on its own.

Examples
--------
>>> result = impact(ws.read("requests"), load_ruleset("mn-asm-2022"),          # doctest: +SKIP
...                 load_ruleset("mn-asm-2010"), ctx)
>>> [c.id for c in result.changes if c.eligible_after]                          # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from landtool.check.context import CheckContext, soums_of
from landtool.check.engine import RuleMemo, check_requests, gc_paused
from landtool.check.output import _multi
from landtool.check.result import CheckReport, RequestResult
from landtool.check.ruleset import Rule, Ruleset
from landtool.geodesy import AREA_METHOD, areas_m2
from landtool.validate import polygonal

#: The rule fields a diff compares (besides the parameters, compared one by one).
RULE_FIELDS = ("type", "enabled", "severity", "confidence", "source", "title_en", "title_mn",
               "message_en", "message_mn", "note")
RULESET_FIELDS = ("version", "regulation", "effective_date", "target", "title_en", "title_mn")


def _flat(value: Any, prefix: str) -> dict[str, Any]:
    """Nested parameters as dotted keys: {"where": {"field": "x"}} → {"where.field": "x"}."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flat(v, f"{prefix}.{k}" if prefix else k))
        return out
    if isinstance(value, tuple):
        value = list(value)
    return {prefix: value}


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def rule_changes(before: Rule, after: Rule) -> list[dict]:
    """The fields of one rule that differ: ``{"field", "before", "after"}``, parameters as
    ``params.<name>``."""
    out = []
    for f in RULE_FIELDS:
        a, b = getattr(before, f), getattr(after, f)
        a, b = getattr(a, "value", a), getattr(b, "value", b)
        if a != b:
            out.append({"field": f, "before": a, "after": b})
    pa = _flat(before.params.model_dump(), "params")
    pb = _flat(after.params.model_dump(), "params")
    for key in sorted(pa.keys() | pb.keys()):
        if pa.get(key) != pb.get(key):
            out.append({"field": key, "before": pa.get(key), "after": pb.get(key)})
    return out


def rules_diff(before: Ruleset, after: Ruleset) -> dict:
    """A readable diff of two rulesets: the ruleset's own fields that differ, and per rule
    (by id) whether it was added, removed or changed, with the fields that changed."""
    head = [{"field": f, "before": _jsonable(getattr(before, f)),
             "after": _jsonable(getattr(after, f))}
            for f in RULESET_FIELDS if getattr(before, f) != getattr(after, f)]
    a = {r.id: r for r in before.rules}
    b = {r.id: r for r in after.rules}
    rules = []
    for rid in list(a) + [r for r in b if r not in a]:
        if rid not in b:
            rules.append({"rule": rid, "change": "removed", "title_en": a[rid].title_en,
                          "title_mn": a[rid].title_mn, "fields": []})
        elif rid not in a:
            rules.append({"rule": rid, "change": "added", "title_en": b[rid].title_en,
                          "title_mn": b[rid].title_mn, "fields": []})
        else:
            changed = rule_changes(a[rid], b[rid])
            if changed:
                rules.append({"rule": rid, "change": "changed", "title_en": b[rid].title_en,
                              "title_mn": b[rid].title_mn, "fields": changed})
    return {"ruleset": head, "rules": rules}


def _failing(r: RequestResult) -> list[str]:
    return [x.rule for x in r.results if x.status == "fail"]


@dataclass
class RequestImpact:
    """One request under both rulesets."""

    id: str
    soum: dict  # {"pcode", "name_en", "name_mn"}, empty strings when outside every soum
    area_ha: float
    eligible_before: bool
    eligible_after: bool
    failed_before: list[str]  # the rules that refuse it under the first ruleset
    failed_after: list[str]
    eligible_ha_before: float  # the check's eligible area (the eligible part, whatever the verdict)
    eligible_ha_after: float
    allocatable_ha_before: float  # the eligible area of an eligible request, 0 for a refused one
    allocatable_ha_after: float
    gained: Any  # land allocatable after, not before (lon/lat polygons, possibly empty)
    lost: Any
    gained_ha: float
    lost_ha: float
    geometry: Any

    @property
    def verdict_changed(self) -> bool:
        return self.eligible_before != self.eligible_after

    @property
    def area_changed(self) -> bool:
        return self.gained_ha > 0 or self.lost_ha > 0

    @property
    def responsible(self) -> dict[str, list[str]]:
        """The rules behind a change: those that refuse it only before (no longer refusing),
        and only after (refusing now)."""
        return {"before": [r for r in self.failed_before if r not in self.failed_after],
                "after": [r for r in self.failed_after if r not in self.failed_before]}

    def to_json(self) -> dict:
        return {
            "id": self.id, "soum": self.soum, "area_ha": round(self.area_ha, 6),
            "eligible_before": self.eligible_before, "eligible_after": self.eligible_after,
            "failed_before": self.failed_before, "failed_after": self.failed_after,
            "responsible": self.responsible,
            "eligible_area_ha_before": round(self.eligible_ha_before, 6),
            "eligible_area_ha_after": round(self.eligible_ha_after, 6),
            "allocatable_ha_before": round(self.allocatable_ha_before, 6),
            "allocatable_ha_after": round(self.allocatable_ha_after, 6),
            "allocatable_change_ha": round(self.allocatable_ha_after
                                           - self.allocatable_ha_before, 6),
            "gained_ha": round(self.gained_ha, 6), "lost_ha": round(self.lost_ha, 6),
        }


@dataclass
class Impact:
    before: CheckReport  # under --ruleset
    after: CheckReport  # under --against
    requests: list[RequestImpact]
    diff: dict
    notes: list[str] = field(default_factory=list)

    @property
    def changes(self) -> list[RequestImpact]:
        """The requests whose verdict differs."""
        return [r for r in self.requests if r.verdict_changed]

    def totals(self) -> dict:
        return _totals(self.requests)

    def by_soum(self) -> list[dict]:
        groups: dict[str, list[RequestImpact]] = {}
        for r in self.requests:
            groups.setdefault(r.soum["pcode"], []).append(r)
        return [{"soum": group[0].soum, **_totals(group)}
                for _, group in sorted(groups.items(), key=lambda kv: (kv[0] == "", kv[0]))]

    def to_json(self) -> dict:
        def head(rep: CheckReport) -> dict:
            return rep.to_json_head()["ruleset"]

        return {
            "ruleset": head(self.before), "against": head(self.after),
            "as_of": self.before.as_of.isoformat(),
            "area_method": AREA_METHOD,
            "notes": self.notes,
            "rules_diff": self.diff,
            "totals": self.totals(),
            "by_soum": self.by_soum(),
            "changes": [r.to_json() for r in self.changes],
            "area_changes": [r.to_json() for r in self.requests
                             if r.area_changed and not r.verdict_changed],
        }


def _totals(rs: list[RequestImpact]) -> dict:
    before = sum(r.allocatable_ha_before for r in rs)
    after = sum(r.allocatable_ha_after for r in rs)
    return {
        "requests": len(rs),
        "eligible_before": sum(r.eligible_before for r in rs),
        "eligible_after": sum(r.eligible_after for r in rs),
        "became_eligible": sum(r.eligible_after and not r.eligible_before for r in rs),
        "became_refused": sum(r.eligible_before and not r.eligible_after for r in rs),
        "allocatable_ha_before": round(before, 6), "allocatable_ha_after": round(after, 6),
        "gained_ha": round(sum(r.gained_ha for r in rs), 6),
        "lost_ha": round(sum(r.lost_ha for r in rs), 6),
        "net_ha": round(after - before, 6),
    }


def _difference(a, b):
    part = polygonal(shapely.difference(a, b)) if not a.is_empty else None
    return part if part is not None else shapely.Polygon()


def impact(requests: gpd.GeoDataFrame, before: Ruleset, after: Ruleset,
           ctx: CheckContext) -> Impact:
    """Check ``requests`` under ``before`` and ``after`` with the same context (layers and
    date) and compare them request by request."""
    memo = RuleMemo()  # a rule the two rulesets share is evaluated once
    with gc_paused():
        a = check_requests(requests, before, ctx, memo=memo)
        b = check_requests(requests, after, ctx, memo=memo)
    geoms = np.array([r.geometry for r in a.requests], dtype=object)
    soums = soums_of(geoms, ctx)
    empty = shapely.Polygon()
    # the land that could be allocated: the eligible part of an eligible request, none of a
    # refused one (a request refused for its size keeps an eligible part, but gets no land)
    parts_a = np.array([r.eligible_part if r.eligible else empty for r in a.requests],
                       dtype=object)
    parts_b = np.array([r.eligible_part if r.eligible else empty for r in b.requests],
                       dtype=object)
    same = np.array([(pa.is_empty and pb.is_empty) or shapely.equals(pa, pb)
                     for pa, pb in zip(parts_a, parts_b, strict=True)])
    gained = np.array([empty if s else _difference(pb, pa)
                       for s, pa, pb in zip(same, parts_a, parts_b, strict=True)], dtype=object)
    lost = np.array([empty if s else _difference(pa, pb)
                     for s, pa, pb in zip(same, parts_a, parts_b, strict=True)], dtype=object)
    gained_ha, lost_ha = areas_m2(gained) / 1e4, areas_m2(lost) / 1e4
    rows = []
    for k, (ra, rb) in enumerate(zip(a.requests, b.requests, strict=True)):
        rows.append(RequestImpact(
            id=ra.id, soum=soums[k], area_ha=ra.area_ha,
            eligible_before=ra.eligible, eligible_after=rb.eligible,
            failed_before=_failing(ra), failed_after=_failing(rb),
            eligible_ha_before=ra.eligible_area_ha, eligible_ha_after=rb.eligible_area_ha,
            allocatable_ha_before=ra.eligible_area_ha if ra.eligible else 0.0,
            allocatable_ha_after=rb.eligible_area_ha if rb.eligible else 0.0,
            gained=gained[k], lost=lost[k],
            # slivers below a square metre are the two cuts' rounding, not land
            gained_ha=float(gained_ha[k]) if gained_ha[k] >= 1e-4 else 0.0,
            lost_ha=float(lost_ha[k]) if lost_ha[k] >= 1e-4 else 0.0,
            geometry=ra.geometry))
    notes = [f"{rs.label()}: {n}" for rs, rep in ((before, a), (after, b)) for n in rep.notes]
    return Impact(before=a, after=b, requests=rows, diff=rules_diff(before, after), notes=notes)


def impact_layers(result: Impact) -> dict[str, gpd.GeoDataFrame]:
    """The GeoPackage's layers: ``changed_requests`` (a row per request whose verdict or
    eligible area changes) and ``land_changes`` (the land whose status changes: a row per
    request and direction, ``gained`` or ``lost``)."""
    stamp = {"ruleset": result.before.ruleset.label(), "against": result.after.ruleset.label(),
             "as_of": result.before.as_of.isoformat(), "area_method": AREA_METHOD}
    changed, land = [], []
    for r in result.requests:
        if not (r.verdict_changed or r.area_changed):
            continue
        resp = r.responsible
        verdict = ("became_eligible" if r.eligible_after and not r.eligible_before else
                   "became_refused" if r.eligible_before and not r.eligible_after else
                   "area_only")
        changed.append({"request_id": r.id, "soum": r.soum["pcode"], "change": verdict,
                        "eligible_before": r.eligible_before,
                        "eligible_after": r.eligible_after,
                        "rules_before": ", ".join(resp["before"]),
                        "rules_after": ", ".join(resp["after"]),
                        "eligible_ha_before": r.eligible_ha_before,
                        "eligible_ha_after": r.eligible_ha_after,
                        "allocatable_ha_before": r.allocatable_ha_before,
                        "allocatable_ha_after": r.allocatable_ha_after,
                        "gained_ha": r.gained_ha, "lost_ha": r.lost_ha, **stamp,
                        "geometry": _multi(r.geometry)})
        for direction, geom, ha in (("gained", r.gained, r.gained_ha),
                                    ("lost", r.lost, r.lost_ha)):
            if ha > 0:
                land.append({"request_id": r.id, "soum": r.soum["pcode"],
                             "change": direction, "area_ha": ha, **stamp,
                             "geometry": _multi(geom)})
    cols = ["request_id", "soum", "change", *stamp, "geometry"]
    return {
        "changed_requests": gpd.GeoDataFrame(changed or None, columns=None if changed else cols,
                                             geometry="geometry", crs=4326),
        "land_changes": gpd.GeoDataFrame(land or None, columns=None if land else cols,
                                         geometry="geometry", crs=4326),
    }

