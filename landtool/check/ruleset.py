"""Rulesets: versioned TOML files in ``layers/rulesets`` encoding a regulation's rules as data.

A ruleset has an id, a version, the regulation it encodes, an effective date, and rules. Each rule
has an id, titles and messages in Mongolian and English, a type with its own parameters, a
severity (``fail`` or ``warn``), its legal source and a confidence (``confirmed`` or
``unconfirmed``). Files are validated strictly: an unknown key, a wrong type, a parameter another
rule type takes, or a message placeholder the rule type does not provide is refused with the
file, the rule and the key.
"""

from __future__ import annotations

import string
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from landtool.errors import RuleConfigError
from landtool.paths import layers_dir
from landtool.tomlfile import read_toml


class RuleType(StrEnum):
    WITHIN = "within"
    NO_OVERLAP = "no_overlap"
    MIN_DISTANCE = "min_distance"
    AREA = "area"
    ATTRIBUTE = "attribute"
    REHABILITATION_BACKLOG = "rehabilitation_backlog"
    PRIORITY = "priority"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Filter(_Strict):
    """Keep only features whose ``field`` has one of ``values`` (in layers that have the field)."""

    field: str
    values: tuple[str, ...] = Field(min_length=1)


class WithinParams(_Strict):
    layer: str = Field(description="Kind whose in-force features must contain the request.")
    tolerance_m2: float = Field(1.0, ge=0, description="Area outside that is ignored (m²).")
    where: Filter | None = None


class NoOverlapParams(_Strict):
    layers: tuple[str, ...] = Field(min_length=1, description="Kinds the request must not overlap.")
    sliver_m2: float = Field(1.0, ge=0, description="Overlaps below this area are ignored (m²).")
    where: Filter | None = None


class MinDistanceParams(_Strict):
    layers: tuple[str, ...] = Field(min_length=1)
    distance_m: float = Field(gt=0, description="Minimum distance from the features (m).")
    where: Filter | None = None


class AreaParams(_Strict):
    min_ha: float | None = Field(None, ge=0)
    max_ha: float | None = Field(None, gt=0)


class AttributeParams(_Strict):
    field: str = Field(description="A field of the request, e.g. members.")
    op: Literal[">=", ">", "<=", "<", "==", "!="]
    value: float | str
    if_missing: Literal["fail", "warn", "not_applicable"] = "warn"

    @model_validator(mode="after")
    def _comparable(self):
        if self.op not in ("==", "!=") and isinstance(self.value, str):
            raise ValueError(f"op {self.op!r} compares numbers, but value is the text "
                             f"{self.value!r}: give a number, or use == or !=")
        return self


class BacklogParams(_Strict):
    layer: str = "rehab_parcels"
    threshold_ha: float = Field(ge=0, description="Outstanding hectares above which it fails.")
    outstanding_statuses: tuple[str, ...] = ("disturbed", "technical_in_progress")


class PriorityParams(_Strict):
    sliver_m2: float = Field(1.0, ge=0)


PARAMS: dict[RuleType, type[_Strict]] = {
    RuleType.WITHIN: WithinParams,
    RuleType.NO_OVERLAP: NoOverlapParams,
    RuleType.MIN_DISTANCE: MinDistanceParams,
    RuleType.AREA: AreaParams,
    RuleType.ATTRIBUTE: AttributeParams,
    RuleType.REHABILITATION_BACKLOG: BacklogParams,
    RuleType.PRIORITY: PriorityParams,
}

#: Placeholders each rule type fills in its messages (besides the rule's own parameters).
PLACEHOLDERS: dict[RuleType, set[str]] = {
    RuleType.WITHIN: {"outside_ha", "layer_name"},
    RuleType.NO_OVERLAP: {"count", "ids", "overlap_ha", "layer_name"},
    RuleType.MIN_DISTANCE: {"count", "ids", "nearest_m", "layer_name"},
    RuleType.AREA: {"area_ha"},
    RuleType.ATTRIBUTE: {"actual"},
    RuleType.REHABILITATION_BACKLOG: {"outstanding_ha", "applicant", "parcels"},
    RuleType.PRIORITY: {"count", "ids", "overlap_ha"},
}


class Rule(_Strict):
    """One rule of a ruleset."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    type: RuleType
    enabled: bool = True
    severity: Literal["fail", "warn"]
    title_en: str
    title_mn: str
    message_en: str = Field(
        description="Shown when the rule fails or warns; may use {placeholders}.")
    message_mn: str
    source: str = Field(description="The legal source (or practice) the rule encodes.")
    confidence: Literal["confirmed", "unconfirmed"]
    note: str = ""
    params: WithinParams | NoOverlapParams | MinDistanceParams | AreaParams | AttributeParams | \
        BacklogParams | PriorityParams

    @model_validator(mode="before")
    @classmethod
    def _typed_params(cls, data):
        if isinstance(data, dict) and "type" in data:
            try:
                model = PARAMS[RuleType(data["type"])]
            except ValueError:
                return data  # the type field's own validation reports it
            data = dict(data)
            data["params"] = model.model_validate(data.get("params", {}))
        return data

    @model_validator(mode="after")
    def _check_messages(self):
        allowed = PLACEHOLDERS[self.type] | set(type(self.params).model_fields)
        for key in ("message_en", "message_mn"):
            for _, name, _, _ in string.Formatter().parse(getattr(self, key)):
                if name is not None and name.split(".")[0].split("[")[0] not in allowed:
                    raise ValueError(
                        f"{key} uses {{{name}}}, which a {self.type.value} rule does not provide "
                        f"(it provides: {', '.join(sorted(allowed))})")
        return self

    def title(self, lang: str) -> str:
        return self.title_mn if lang == "mn" else self.title_en


class Ruleset(_Strict):
    """A versioned set of rules for one regulation."""

    id: str
    version: str
    title_en: str
    title_mn: str
    regulation: str
    effective_date: date
    effective_date_note: str = Field(
        "", description="How sure the effective date is, and where it comes from.")
    target: Literal["request", "conclusion"] = Field(
        "request", description="What it checks: ASM land requests, or proposed Land Conclusions.")
    description: str = ""
    rules: tuple[Rule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self):
        seen = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"two rules have the id {rule.id!r}")
            seen.add(rule.id)
        return self

    @property
    def active_rules(self) -> list[Rule]:
        return [r for r in self.rules if r.enabled]

    @property
    def unconfirmed_rules(self) -> list[Rule]:
        return [r for r in self.active_rules if r.confidence == "unconfirmed"]

    def label(self) -> str:
        return f"{self.id} {self.version}"


def rulesets_dir() -> Path:
    return layers_dir() / "rulesets"


def _describe(exc: ValidationError, data: dict) -> str:
    problems = []
    for err in exc.errors():
        loc = list(err["loc"])
        where = []
        if loc[:1] == ["rules"] and len(loc) > 1 and isinstance(loc[1], int):
            idx = loc[1]
            rules = data.get("rules", [])
            rid = rules[idx].get("id", f"#{idx + 1}") if idx < len(rules) else f"#{idx + 1}"
            where.append(f"rule {rid!r}")
            loc = loc[2:]
            loc = [p for p in loc if not (isinstance(p, str) and p.endswith("Params"))]
        key = ".".join(str(p) for p in loc)
        if key:
            where.append(f"key {key!r}")
        msg = err["msg"].removeprefix("Value error, ")
        problems.append(f"{', '.join(where) or 'file'}: {msg}")
    return "; ".join(dict.fromkeys(problems))


def load_ruleset(id_or_path: str | Path) -> Ruleset:
    """A ruleset by id (a file in ``layers/rulesets``) or by path.

    Raises RuleConfigError naming the file, the rule and the key for a malformed file.
    """
    path = Path(id_or_path)
    if path.suffix != ".toml":
        path = rulesets_dir() / f"{id_or_path}.toml"
        if not path.exists():
            known = sorted(p.stem for p in rulesets_dir().glob("*.toml"))
            raise RuleConfigError(f"unknown ruleset {str(id_or_path)!r}",
                                  hint=f"use one of: {', '.join(known)}, or a path to a .toml file")
    data = read_toml(path, RuleConfigError, "ruleset")
    try:
        return Ruleset.model_validate(data)
    except ValidationError as exc:
        raise RuleConfigError(f"invalid ruleset: {_describe(exc, data)}", path=path,
                              hint="compare with layers/rulesets/mn-asm-2022.toml") from exc


def list_rulesets() -> list[Ruleset]:
    """Every ruleset shipped in ``layers/rulesets``."""
    return [load_ruleset(p) for p in sorted(rulesets_dir().glob("*.toml"))]
