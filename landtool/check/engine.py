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

import gc
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import replace
from functools import lru_cache
from string import Formatter

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landtool.catalog import get_kind
from landtool.check.context import CheckContext, needed_kinds, require_layers
from landtool.check.frames import Frames
from landtool.check.result import CheckReport, RequestResult, RuleResult, passed_messages
from landtool.check.rules import EMPTY, RULES, Bilingual, Outcome, Requests, missing
from landtool.check.ruleset import Rule, Ruleset
from landtool.errors import CheckError
from landtool.geodesy import AREA_METHOD, DISTANCE_METHOD, areas_ha, areas_m2
from landtool.validate import polygonal

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
        area_ha=areas_ha(geoms),
        exclusions=[[] for _ in geoms],
        clip=[None] * len(geoms),
    )


def _fmt(template: str, values: dict, lang: str) -> str:
    def shown(v):
        if isinstance(v, Bilingual):
            return getattr(v, lang)
        if isinstance(v, tuple | list):  # a list parameter, e.g. the outstanding statuses
            return ", ".join(map(str, v))
        return v

    return template.format_map({k: shown(values[k]) for k in _placeholders(template)})


@lru_cache(maxsize=256)
def _placeholders(template: str) -> tuple[str, ...]:
    """The value names a message template uses ("{nearest_m:.0f} m from {ids}" → nearest_m,
    ids): only those are converted for it."""
    names = (f.split(".")[0].split("[")[0] for _, f, _, _ in Formatter().parse(template) if f)
    return tuple(dict.fromkeys(names))


def _rule_results(rule: Rule, outcomes: list[Outcome]) -> list[RuleResult]:
    """RuleResults for one rule over all requests; passes and not-applicables carry no
    per-request detail, so one shared (never modified) result stands for each."""
    shared: dict[tuple, RuleResult] = {}
    params = rule.params.model_dump()
    out = []
    for o in outcomes:
        if o.status in ("pass", "not_applicable") and not o.conflicts:
            key = (o.status, o.reason_en, o.layer_missing)
            if key not in shared:
                shared[key] = _rule_result(rule, o, params)
            out.append(shared[key])
        else:
            out.append(_rule_result(rule, o, params))
    return out


def _rule_result(rule: Rule, outcome: Outcome, params: dict) -> RuleResult:
    if outcome.reason_en:  # a verdict with its own explanation (not checked, value missing)
        en, mn = outcome.reason_en, outcome.reason_mn
    elif outcome.status == "pass":
        en, mn = passed_messages(rule.title_en, rule.title_mn)
    else:
        values = {**params, **outcome.values}
        en, mn = _fmt(rule.message_en, values, "en"), _fmt(rule.message_mn, values, "mn")
    return RuleResult(rule=rule.id, type=rule.type.value, status=outcome.status,
                      severity=rule.severity, message_en=en, message_mn=mn,
                      title_en=rule.title_en, title_mn=rule.title_mn, source=rule.source,
                      confidence=rule.confidence, conflicts=outcome.conflicts,
                      layer_missing=outcome.layer_missing)


def _eligible_parts(req: Requests) -> tuple[np.ndarray, np.ndarray]:
    """The eligible part of every request (lon/lat) and its geodesic area in ha.

    A request nothing cuts is its own eligible part; one whose clip is empty has none; the
    rest are cut in their local frames and brought back to lon/lat.
    """
    n = len(req)
    parts = np.array(req.geoms, dtype=object)
    hectares = np.array(req.area_ha, dtype=float)
    work = []
    for i in range(n):
        clip, cuts = req.clip[i], req.exclusions[i]
        if clip is None and not cuts:
            continue
        if clip is not None and clip.is_empty:
            parts[i], hectares[i] = EMPTY, 0.0
            continue
        work.append(i)
    if not work:
        return parts, hectares
    cut = []
    for i in work:
        part = req.local[i]
        if req.clip[i] is not None:
            part = shapely.intersection(part, req.clip[i])
        if req.exclusions[i] and not part.is_empty:
            part = shapely.difference(part, shapely.union_all(req.exclusions[i]))
        # snapping to a 0.01 mm grid in the local frame removes the zero-width spikes a
        # difference can leave, moving no vertex measurably (areas change by < 1e-8)
        cut.append(shapely.set_precision(part, 1e-5))
    back = req.frames.to_lonlat(np.array(cut, dtype=object), np.array(work))
    for i, part in zip(work, back, strict=True):
        if not part.is_valid:
            part = shapely.make_valid(part)
        parts[i] = polygonal(part) or EMPTY
    hectares[work] = areas_m2(parts[work]) / 1e4
    return parts, hectares


def check_requests(
    requests: gpd.GeoDataFrame,
    ruleset: Ruleset,
    ctx: CheckContext,
    *,
    progress: Progress | None = None,
    memo: RuleMemo | None = None,
) -> CheckReport:
    """Check every request (a layer of kind ``requests`` in EPSG:4326) against ``ruleset``;
    with a ``memo``, rules already evaluated on the same requests and context are reused."""
    with gc_paused():
        return _check(requests, ruleset, ctx, progress, memo)


@contextmanager
def gc_paused():
    """The cyclic garbage collector off for the block. A batch makes a few hundred thousand
    small objects and no reference cycles: the collector would only walk them again and
    again (a fifth of the engine's time on 10,000 requests). Reference counting still frees
    everything as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class RuleMemo:
    """What checking one set of requests found, rule by rule, for checking the same requests
    with the same context under another ruleset (``landtool impact``): a rule with the same
    type, parameters and severity gives the same verdicts, conflicts and cuts, so it is
    evaluated once. Messages and titles are the second ruleset's own."""

    def __init__(self):
        self._for: tuple[int, int] | None = None
        self._keep: tuple = ()  # the requests and context, so their ids stay theirs
        self.prepared: Requests | None = None  # the requests prepared, before any rule
        self.rules: dict[str, tuple] = {}
        self.results: dict[str, tuple] = {}

    def bind(self, requests, ctx: CheckContext) -> None:
        key = (id(requests), id(ctx))
        if self._for is None:
            self._for, self._keep = key, (requests, ctx)
        elif self._for != key:
            raise ValueError("a RuleMemo serves one set of requests and one context")


def _rule_key(rule: Rule) -> str:
    return f"{rule.type.value}|{rule.severity}|{rule.params.model_dump_json()}"


def _evaluate(rule: Rule, req: Requests, ctx: CheckContext, memo: RuleMemo | None
              ) -> list[Outcome]:
    """The rule's outcomes, and what it cuts from or clips the eligible parts, from the memo
    when the same rule already ran on these requests."""
    if memo is None:
        return RULES[rule.type.value](rule, req, ctx)
    key = _rule_key(rule)
    if key in memo.rules:
        outcomes, added, clips = memo.rules[key]
        for i, items in added.items():
            req.exclusions[i].extend(items)
        for i, clip in clips.items():
            req.clip[i] = clip
        return outcomes
    counts = [len(e) for e in req.exclusions]
    clip_before = list(req.clip)
    outcomes = RULES[rule.type.value](rule, req, ctx)
    added = {i: req.exclusions[i][n:] for i, n in enumerate(counts)
             if len(req.exclusions[i]) > n}
    clips = {i: c for i, (c, b) in enumerate(zip(req.clip, clip_before, strict=True))
             if c is not b}
    memo.rules[key] = (outcomes, added, clips)
    return outcomes


def _results(rule: Rule, outcomes: list[Outcome], memo: RuleMemo | None) -> list[RuleResult]:
    """The rule's results with their messages; from the memo when a rule written the same
    (every field a result carries) already gave these outcomes."""
    if memo is None:
        return _rule_results(rule, outcomes)
    key = rule.model_dump_json(exclude={"note", "enabled"})
    hit = memo.results.get(key)
    if hit is not None and hit[0] is outcomes:
        return hit[1]
    results = _rule_results(rule, outcomes)
    memo.results[key] = (outcomes, results)
    return results


def _fresh(req: Requests) -> Requests:
    """The prepared requests with no exclusion or clip yet (what every check starts from)."""
    return replace(req, exclusions=[[] for _ in req.geoms], clip=[None] * len(req.geoms))


def _check(requests, ruleset: Ruleset, ctx: CheckContext, progress: Progress | None,
           memo: RuleMemo | None = None) -> CheckReport:
    notes = require_layers(ctx, ruleset)
    if ctx.as_of < ruleset.effective_date:
        notes.append(f"the check date {ctx.as_of} is before the ruleset's effective date "
                     f"{ruleset.effective_date}")
    if memo is not None:
        memo.bind(requests, ctx)
    req = memo.prepared if memo is not None and memo.prepared is not None else _prepare(requests)
    if memo is not None:
        memo.prepared = _fresh(req)
    rules = ruleset.active_rules
    outcomes: list[list[Outcome]] = []
    for k, rule in enumerate(rules):
        if progress:
            progress(k, len(rules) + 1, rule.id)
        outcomes.append(_evaluate(rule, req, ctx, memo))
    if progress:
        progress(len(rules), len(rules) + 1, "eligible part")
    parts, part_ha = _eligible_parts(req)
    per_rule = [_results(rule, outcomes[k], memo) for k, rule in enumerate(rules)]
    column = {c: req.attrs[c].tolist() if c in req.attrs.columns else [None] * len(req)
              for c in ("applicant", "submitted_at", "queue_no")}
    results = []
    for i in range(len(req)):
        queue = column["queue_no"][i]
        results.append(RequestResult(
            id=req.ids[i],
            applicant=_text(column["applicant"][i]),
            area_ha=float(req.area_ha[i]),
            geometry=req.geoms[i],
            eligible_part=parts[i],
            eligible_area_ha=float(part_ha[i]),
            results=[r[i] for r in per_rule],
            submitted_at=_text(column["submitted_at"][i]),
            queue_no=None if missing(queue) else int(queue),
        ))
    if ruleset.unconfirmed_rules:
        notes.append("rules relying on values the legal text did not confirm: "
                     + ", ".join(r.id for r in ruleset.unconfirmed_rules))
    return CheckReport(ruleset=ruleset, as_of=ctx.as_of, requests=results,
                       area_method=AREA_METHOD, distance_method=DISTANCE_METHOD,
                       # the layers this ruleset read (a context may hold more: impact
                       # checks two rulesets with one)
                       layers_used={k: ctx.layer_names(k) for k in sorted(ctx.layers)
                                    if k in needed_kinds(ruleset)},
                       notes=notes)


def _text(value) -> str | None:
    if missing(value):
        return None
    return str(value)
