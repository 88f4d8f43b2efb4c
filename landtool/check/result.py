"""What a check returns: per request, each rule's status, messages in both languages, and the
conflicts with their overlap areas and distances; the eligible part and its area."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from shapely.geometry.base import BaseGeometry

from landtool.check.ruleset import Ruleset

Status = Literal["pass", "fail", "warn", "not_applicable"]


@dataclass
class Conflict:
    """One feature a rule found in the way."""

    layer: str  # the workspace layer name (e.g. "licenses", "streams")
    kind: str  # the catalog kind
    feature_id: str  # the licence code for licences, the request id for requests, ...
    overlap_ha: float | None = None
    distance_m: float | None = None
    geometry: BaseGeometry | None = None  # the overlap, or the feature's part near the request

    def to_json(self, *, compact: bool = False) -> dict:
        """The conflict as JSON; ``compact`` leaves out the figure that does not apply
        instead of writing it as null."""
        out = {"layer": self.layer, "kind": self.kind, "feature_id": self.feature_id}
        if self.overlap_ha is not None or not compact:
            out["overlap_ha"] = None if self.overlap_ha is None else round(self.overlap_ha, 6)
        if self.distance_m is not None or not compact:
            out["distance_m"] = None if self.distance_m is None else round(self.distance_m, 3)
        return out


def passed_messages(title_en: str, title_mn: str) -> tuple[str, str]:
    """The messages of a plain pass, in English and Mongolian."""
    return f"{title_en}: passed.", f"{title_mn}: хангасан."


@dataclass
class RuleResult:
    rule: str
    type: str
    status: Status
    severity: str
    message_en: str
    message_mn: str
    title_en: str
    title_mn: str
    source: str
    confidence: str
    conflicts: list[Conflict] = field(default_factory=list)
    layer_missing: bool = False  # not checked: a layer the rule reads is absent

    def message(self, lang: str) -> str:
        return self.message_mn if lang == "mn" else self.message_en

    def to_json(self) -> dict:
        return {
            "rule": self.rule,
            "type": self.type,
            "status": self.status,
            "severity": self.severity,
            "title_en": self.title_en,
            "title_mn": self.title_mn,
            "message_en": self.message_en,
            "message_mn": self.message_mn,
            "source": self.source,
            "confidence": self.confidence,
            "checked": not self.layer_missing,
            "conflicts": [c.to_json() for c in self.conflicts],
        }


@dataclass
class RequestResult:
    id: str
    applicant: str | None
    area_ha: float
    geometry: BaseGeometry
    eligible_part: BaseGeometry
    eligible_area_ha: float
    results: list[RuleResult]
    submitted_at: str | None = None
    queue_no: int | None = None

    @property
    def eligible(self) -> bool:
        return not any(r.status == "fail" for r in self.results)

    @property
    def not_checked(self) -> list[str]:
        """Rules that could not run for want of a layer: the verdict is then incomplete."""
        return [r.rule for r in self.results if r.layer_missing]

    @property
    def status(self) -> Status:
        statuses = {r.status for r in self.results}
        return "fail" if "fail" in statuses else "warn" if "warn" in statuses else "pass"

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "applicant": self.applicant,
            "submitted_at": self.submitted_at,
            "queue_no": self.queue_no,
            "eligible": self.eligible,
            "incomplete": bool(self.not_checked),
            "not_checked": self.not_checked,
            "status": self.status,
            "area_ha": round(self.area_ha, 6),
            "eligible_area_ha": round(self.eligible_area_ha, 6),
            "results": [r.to_json() for r in self.results],
        }


@dataclass
class CheckReport:
    ruleset: Ruleset
    as_of: date
    requests: list[RequestResult]
    area_method: str
    distance_method: str
    layers_used: dict[str, list[str]]  # kind -> workspace layer names
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """The full form: every request with every rule's result and all its fields."""
        return {**self.to_json_head(), "requests": [r.to_json() for r in self.requests]}

    def to_json_head(self) -> dict:
        """What the check was: the ruleset (``"status": "draft"`` for a draft), the date, the
        methods, the layers, the notes."""
        rs = self.ruleset
        head = {
            "id": rs.id,
            "version": rs.version,
            "regulation": rs.regulation,
            "effective_date": rs.effective_date.isoformat(),
            "target": rs.target,
            "unconfirmed_rules": [r.id for r in rs.unconfirmed_rules],
        }
        if rs.is_draft:  # released rulesets: the head as it always was
            head["status"] = "draft"
        return {
            "ruleset": head,
            "as_of": self.as_of.isoformat(),
            "area_method": self.area_method,
            "distance_method": self.distance_method,
            "layers_used": self.layers_used,
            "notes": self.notes,
        }
