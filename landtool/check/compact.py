"""The compact JSON of a check: what ``landtool check --json`` writes (format
``landtool-check-compact``, version 1; schema in ``landtool/check/schemas``).

A batch of 10,000 requests under 13 rules would repeat each rule's titles, source and the same
"passed" message 130,000 times. The compact form says them once:

- ``rules``: one entry per rule of the ruleset, in its order, with its type, severity, titles,
  legal source and confidence, and ``default``: the result (status, both messages, whether it
  was checked) of every request that has no finding of its own for that rule. It is the plain
  "passed" for most rules; for a rule whose layer is missing, "not checked".
- ``requests``: one record per request, one request per line in the file: its id, applicant,
  submission time, queue number, overall status, eligibility, area and eligible area, and
  ``findings``: only the results that differ from the rule's default (a refusal, a warning, a
  value missing), each with its status, both messages (already written, for a reader) and its
  conflicts (layer, kind, feature id, overlap in ha or distance in m; a field that does not
  apply is left out, not null).

:func:`expand` rebuilds, from a compact document alone, exactly the full per-request form
(:meth:`landtool.check.result.CheckReport.to_json`, what ``--json-format full`` writes and what
the workspace keeps for each request); :func:`result` gives one rule's result for one request.

Examples
--------
>>> doc = json.loads(Path("results.json").read_text(encoding="utf-8"))  # doctest: +SKIP
>>> [r["id"] for r in doc["requests"] if not r["eligible"]]             # doctest: +SKIP
>>> result(doc, doc["requests"][0], "no_valid_licence")["message_en"]   # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import IO

from landtool.check.result import CheckReport, RuleResult, passed_messages

FORMAT = "landtool-check-compact"
VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("schemas") / "check-compact-1.schema.json"

_RULE_FIELDS = ("type", "severity", "title_en", "title_mn", "source", "confidence")
_CONFLICT_FIELDS = ("layer", "kind", "feature_id", "overlap_ha", "distance_m")


def _outcome(x: RuleResult) -> dict:
    """A rule result without the fields its rule states once (type, severity, titles...)."""
    out = {"status": x.status, "message_en": x.message_en, "message_mn": x.message_mn,
           "checked": not x.layer_missing}
    if x.conflicts:
        out["conflicts"] = [c.to_json(compact=True) for c in x.conflicts]
    return out


def compact(report: CheckReport) -> dict:
    """The report as a compact document (a dict ready for :func:`json.dumps`)."""
    full_head = report.to_json_head()
    n_rules = len(report.requests[0].results) if report.requests else 0
    defaults: list[RuleResult] = []
    for k in range(n_rules):
        # the engine shares one RuleResult object among the requests that passed plainly (or
        # were not checked for the same reason): the most shared one is the default; a rule
        # no two requests share a result of has the plain pass as its default
        counts = Counter(id(r.results[k]) for r in report.requests)
        top, times = counts.most_common(1)[0]
        x = next(r.results[k] for r in report.requests if id(r.results[k]) == top)
        if times < 2 or x.conflicts:
            en, mn = passed_messages(x.title_en, x.title_mn)
            x = replace(x, status="pass", message_en=en, message_mn=mn, conflicts=[],
                        layer_missing=False)
        defaults.append(x)
    rules = []
    for x in defaults:
        entry = {"rule": x.rule, **{f: getattr(x, f) for f in _RULE_FIELDS}}
        entry["default"] = _outcome(x)
        rules.append(entry)
    default_json = [r["default"] for r in rules]
    records = []
    for r in report.requests:
        findings = []
        for x, default, default_out in zip(r.results, defaults, default_json, strict=True):
            if x is default:
                continue
            o = _outcome(x)
            if o != default_out:
                findings.append({"rule": x.rule, **o})
        records.append({
            "id": r.id, "applicant": r.applicant, "submitted_at": r.submitted_at,
            "queue_no": r.queue_no, "status": r.status, "eligible": r.eligible,
            "incomplete": bool(r.not_checked), "area_ha": round(r.area_ha, 6),
            "eligible_area_ha": round(r.eligible_area_ha, 6), "findings": findings,
        })
    summary = {"requests": len(records), "eligible": sum(r["eligible"] for r in records),
               "incomplete": sum(r["incomplete"] for r in records)}
    return {"format": FORMAT, "format_version": VERSION, **full_head, "rules": rules,
            "summary": summary, "requests": records}


def write(report: CheckReport, out: IO[str]) -> None:
    """Write the compact document: the head indented, then one request per line."""
    doc = compact(report)
    records = doc.pop("requests")
    head = json.dumps(doc, ensure_ascii=False, indent=2)
    out.write(head[:-2])  # the head without its closing "\n}"
    out.write(',\n  "requests": [')
    line = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for every line
    out.write(",".join("\n    " + line(rec) for rec in records))
    out.write("\n  ]\n}\n" if records else "]\n}\n")


def result(doc: dict, request: dict, rule_id: str) -> dict:
    """One rule's result for one request of a compact document, in the full form (every
    field of :meth:`RuleResult.to_json`)."""
    for rule in doc["rules"]:
        if rule["rule"] == rule_id:
            break
    else:
        raise KeyError(f"the document has no rule {rule_id!r}")
    found = next((f for f in request["findings"] if f["rule"] == rule_id), None)
    own = found if found is not None else rule["default"]
    conflicts = [{k: c.get(k) for k in _CONFLICT_FIELDS} for c in own.get("conflicts", [])]
    return {"rule": rule_id, "type": rule["type"], "status": own["status"],
            "severity": rule["severity"], "title_en": rule["title_en"],
            "title_mn": rule["title_mn"], "message_en": own["message_en"],
            "message_mn": own["message_mn"], "source": rule["source"],
            "confidence": rule["confidence"], "checked": own["checked"],
            "conflicts": conflicts}


def expand(doc: dict) -> dict:
    """The full form of a compact document: what ``--json-format full`` writes for the same
    check, key for key."""
    if doc.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} document (format: {doc.get('format')!r})")
    head = {k: v for k, v in doc.items()
            if k not in ("format", "format_version", "rules", "summary", "requests")}
    rule_ids = [r["rule"] for r in doc["rules"]]
    requests = []
    for r in doc["requests"]:
        results = [result(doc, r, rid) for rid in rule_ids]
        not_checked = [x["rule"] for x in results if not x["checked"]]
        requests.append({
            "id": r["id"], "applicant": r["applicant"], "submitted_at": r["submitted_at"],
            "queue_no": r["queue_no"], "eligible": r["eligible"],
            "incomplete": bool(not_checked), "not_checked": not_checked, "status": r["status"],
            "area_ha": r["area_ha"], "eligible_area_ha": r["eligible_area_ha"],
            "results": results,
        })
    return {**head, "requests": requests}
