"""Run a ruleset over requests: every rule's verdict with its reason in Mongolian and English,
the conflicting features with overlap areas and distances, and the eligible part.

Examples
--------
>>> ruleset = load_ruleset("mn-asm-2022")                                # doctest: +SKIP
>>> ctx = CheckContext.from_workspace(ws, ruleset, date(2026, 11, 23))  # doctest: +SKIP
>>> report = check_requests(ws.read("requests"), ruleset, ctx)          # doctest: +SKIP
>>> report.requests[0].eligible, report.requests[0].eligible_area_ha    # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landtool.catalog import get_kind
from landtool.check.context import CheckContext, require_layers
from landtool.check.frames import Frames
from landtool.check.result import CheckReport, RequestResult, RuleResult
from landtool.check.rules import RULES, Outcome, Requests
from landtool.check.ruleset import Rule, Ruleset
from landtool.errors import CheckError
from landtool.geodesy import AREA_METHOD, DISTANCE_METHOD, area_ha, area_m2

Progress = Callable[[int, int, str], None]


def _prepare(requests: gpd.GeoDataFrame) -> Requests:
    if requests.crs is None or requests.crs.to_epsg() != 4326:
        raise CheckError("requests must be in EPSG:4326 (load them with load_layer)")
    geoms = requests.geometry.to_numpy()
    if len(geoms) == 0:
        raise CheckError("there are no requests to check")
    id_field = get_kind("requests").id_field
    raw_ids = requests.get(id_field, [None] * len(geoms))
    ids = [str(v) if v is not None and not (isinstance(v, float) and np.isnan(v))
           else f"request {k + 1}" for k, v in enumerate(raw_ids)]
    frames = Frames(geoms)
    which = np.arange(len(geoms))
    return Requests(
        ids=ids,
        geoms=geoms,
        attrs=pd.DataFrame(requests.drop(columns=requests.geometry.name)).reset_index(drop=True),
        frames=frames,
        local=frames.to_local(geoms, which),
        area_ha=np.array([area_ha(g) for g in geoms]),
        exclusions=[[] for _ in geoms],
        clip=[None] * len(geoms),
    )


def _fmt(template: str, values: dict, lang: int) -> str:
    vals = {k: (v[lang] if isinstance(v, tuple) and len(v) == 2 else v) for k, v in values.items()}
    return template.format(**vals)


def _rule_result(rule: Rule, outcome: Outcome) -> RuleResult:
    if outcome.status == "not_applicable":
        en, mn = outcome.reason_en, outcome.reason_mn
    elif outcome.status == "pass":
        en, mn = f"{rule.title_en}: passed.", f"{rule.title_mn}: хангасан."
    else:
        values = {**rule.params.model_dump(), **outcome.values}
        en, mn = _fmt(rule.message_en, values, 0), _fmt(rule.message_mn, values, 1)
    return RuleResult(rule=rule.id, type=rule.type.value, status=outcome.status,
                      severity=rule.severity, message_en=en, message_mn=mn,
                      title_en=rule.title_en, title_mn=rule.title_mn, source=rule.source,
                      confidence=rule.confidence, conflicts=outcome.conflicts)


def _eligible_part(req: Requests, i: int):
    clip, cuts = req.clip[i], req.exclusions[i]
    if clip is None and not cuts:
        return req.geoms[i], float(req.area_ha[i])
    part = req.local[i]
    if clip is not None:
        part = shapely.intersection(part, clip)
    if cuts and not part.is_empty:
        part = shapely.difference(part, shapely.union_all(cuts))
    part = req.frames.to_lonlat(np.array([part]), [i])[0]
    part = shapely.make_valid(part) if not part.is_valid else part
    polys = [g for g in shapely.get_parts(part) if g.geom_type in ("Polygon", "MultiPolygon")]
    part = shapely.union_all(polys) if polys else shapely.Polygon()
    return part, area_m2(part) / 1e4


def check_requests(
    requests: gpd.GeoDataFrame,
    ruleset: Ruleset,
    ctx: CheckContext,
    *,
    progress: Progress | None = None,
) -> CheckReport:
    """Check every request (a layer of kind ``requests`` in EPSG:4326) against ``ruleset``."""
    notes = require_layers(ctx, ruleset)
    if ctx.as_of < ruleset.effective_date:
        notes.append(f"the check date {ctx.as_of} is before the ruleset's effective date "
                     f"{ruleset.effective_date}")
    req = _prepare(requests)
    rules = ruleset.active_rules
    outcomes: list[list[Outcome]] = []
    for k, rule in enumerate(rules):
        if progress:
            progress(k, len(rules) + 1, rule.id)
        outcomes.append(RULES[rule.type.value](rule, req, ctx))
    if progress:
        progress(len(rules), len(rules) + 1, "eligible part")
    results = []
    for i in range(len(req)):
        part, part_ha = _eligible_part(req, i)
        attrs = req.attrs.iloc[i]
        results.append(RequestResult(
            id=req.ids[i],
            applicant=_text(attrs.get("applicant")),
            area_ha=float(req.area_ha[i]),
            geometry=req.geoms[i],
            eligible_part=part,
            eligible_area_ha=part_ha,
            results=[_rule_result(rule, outcomes[k][i]) for k, rule in enumerate(rules)],
            submitted_at=_text(attrs.get("submitted_at")),
            queue_no=None if pd.isna(attrs.get("queue_no", None)) else int(attrs.get("queue_no")),
        ))
    if ruleset.unconfirmed_rules:
        notes.append("rules relying on values the legal text did not confirm: "
                     + ", ".join(r.id for r in ruleset.unconfirmed_rules))
    return CheckReport(ruleset=ruleset, as_of=ctx.as_of, requests=results,
                       area_method=AREA_METHOD, distance_method=DISTANCE_METHOD,
                       layers_used={k: ctx.layer_names(k) for k in sorted(ctx.layers)},
                       notes=notes)


def _text(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(value)
