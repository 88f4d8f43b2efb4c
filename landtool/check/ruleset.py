"""Rulesets: versioned TOML files in ``layers/rulesets`` encoding a regulation's rules as data.

A ruleset has an id, a version, the regulation it encodes, an effective date, and rules. Each rule
has an id, titles and messages in Mongolian and English, a type with its own parameters, a
severity (``fail`` or ``warn``), its legal source and a confidence (``confirmed`` or
``unconfirmed``). Files are validated strictly: an unknown key, a wrong type, a parameter another
rule type takes, or a message placeholder the rule type does not provide is refused with the
file, the rule and the key.

A ruleset is ``released`` (the files shipped in ``layers/rulesets``) or a ``draft``: an
officer's edit of one, saved by :func:`landtool.check.drafts.save_draft` as a new file in the
drafts folder (:func:`landtool.check.drafts.drafts_dir`) with the ruleset it was made from
(``based_on``) and a required note of what changed and why (``change_note``). A draft loads and
checks like any ruleset, by id or path, and says it is a draft wherever it is named.
"""

from __future__ import annotations

import logging
import os
import re
import string
from datetime import date, datetime
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


class BasedOn(_Strict):
    """The ruleset a draft was made from."""

    id: str
    version: str


class Ruleset(_Strict):
    """A versioned set of rules for one regulation: released (shipped) or a draft."""

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
    status: Literal["released", "draft"] = Field(
        "released", description="released: a shipped ruleset; draft: an edit not in force.")
    based_on: BasedOn | None = Field(None, description="The ruleset a draft was made from.")
    change_note: str = Field("", description="What a draft changed and why (required).")
    created_at: datetime | None = None
    created_by: str = ""
    rules: tuple[Rule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _draft_noted(self):
        if self.status == "draft" and not self.change_note.strip():
            raise ValueError("a draft ruleset needs a change_note: what changed and why")
        return self

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

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    def label(self) -> str:
        """``id version``, with `` (DRAFT)`` after a draft's."""
        return f"{self.id} {self.version}" + (" (DRAFT)" if self.is_draft else "")


#: what every page of a report, map or package made with a draft ruleset says, in both languages
DRAFT_FLAG = {"mn": "ТӨСӨЛ ДҮРЭМ — БАТЛАГДААГҮЙ ЖУРАМ",
              "en": "DRAFT RULESET — NOT A RELEASED REGULATION"}


def is_draft_head(head: dict) -> bool:
    """True if the ruleset part of a check's JSON (``{"id", "version", …}``) is a draft's."""
    return head.get("status") == "draft"


def head_name(head: dict, lang: str) -> str:
    """``id version`` of the ruleset part of a check's JSON, with the draft flag in ``lang``
    (``"mn"`` or ``"en"``) after a draft's."""
    name = f"{head.get('id', '?')} {head.get('version', '?')}"
    return f"{name} ({DRAFT_FLAG[lang]})" if is_draft_head(head) else name


def rulesets_dir() -> Path:
    """The shipped (released) rulesets: ``layers/rulesets``."""
    return layers_dir() / "rulesets"


#: the environment variable that moves the drafts folder (tests point it at a temporary one)
DRAFTS_ENV = "LANDTOOL_RULESETS_DIR"


def drafts_dir() -> Path:
    """Where draft rulesets are saved, one file per version: ``<folder>/<id>/<version>.toml``.

    ``$LANDTOOL_RULESETS_DIR`` when set (an office can share one folder), else the user's data
    folder: ``$XDG_DATA_HOME/landtool/rulesets`` (``~/.local/share/landtool/rulesets``), or
    ``%APPDATA%\\landtool\\rulesets`` on Windows.
    """
    env = os.environ.get(DRAFTS_ENV)
    if env:
        return Path(env)
    if os.name == "nt" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "landtool" / "rulesets"
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "landtool" / "rulesets"


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


def _version_key(version: str) -> tuple:
    """Orders versions as numbers where they are numbers: 1.10.0 after 1.9.0."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p)
                 for p in re.split(r"[.+-]", version))


def _draft_files(ruleset_id: str | None = None) -> list[Path]:
    """The draft files of ``ruleset_id`` (every draft when None), oldest version first."""
    folder = drafts_dir()
    files = folder.glob(f"{ruleset_id}/*.toml" if ruleset_id else "*/*.toml")
    return sorted(files, key=lambda p: (p.parent.name, _version_key(p.stem)))


def _shipped_ids() -> set[str]:
    return {p.stem for p in rulesets_dir().glob("*.toml")}


def load_ruleset(id_or_path: str | Path, version: str | None = None) -> Ruleset:
    """A ruleset by path, or by id: a shipped file in ``layers/rulesets`` first, then a draft
    in :func:`drafts_dir` (its newest version, or ``version``).

    Raises RuleConfigError naming the file, the rule and the key for a malformed file.
    """
    path = Path(id_or_path)
    if path.suffix != ".toml":
        path = rulesets_dir() / f"{id_or_path}.toml"
        if not path.exists():
            drafts = _draft_files(str(id_or_path)) if _ID.match(str(id_or_path)) else []
            if version is not None:
                drafts = [p for p in drafts if p.stem == version]
            if not drafts:
                known = sorted(_shipped_ids() | {p.parent.name for p in _draft_files()})
                what = f"{id_or_path!s} version {version}" if version else str(id_or_path)
                raise RuleConfigError(
                    f"unknown ruleset {what!r}",
                    hint=f"use one of: {', '.join(known)}, or a path to a .toml file")
            loaded = _load_file(drafts[-1])
            if (loaded.id, loaded.version) != (drafts[-1].parent.name, drafts[-1].stem):
                raise RuleConfigError(
                    f"the draft file holds ruleset {loaded.id} {loaded.version}", path=drafts[-1],
                    hint="a draft lives at <drafts folder>/<id>/<version>.toml: rename it")
            return loaded
    return _load_file(path)


def _load_file(path: Path) -> Ruleset:
    data = read_toml(path, RuleConfigError, "ruleset")
    try:
        return Ruleset.model_validate(data)
    except ValidationError as exc:
        raise RuleConfigError(f"invalid ruleset: {_describe(exc, data)}", path=path,
                              hint="compare with layers/rulesets/mn-asm-2022.toml") from exc


def list_rulesets(*, drafts: bool = True) -> list[Ruleset]:
    """Every ruleset shipped in ``layers/rulesets``, then (with ``drafts``) every draft
    version in :func:`drafts_dir` (``is_draft`` flags them). A malformed draft file is left
    out and logged (a shipped one raises RuleConfigError)."""
    out = [_load_file(p) for p in sorted(rulesets_dir().glob("*.toml"))]
    for path in _draft_files() if drafts else []:
        try:
            out.append(_load_file(path))
        except RuleConfigError as exc:
            _log.warning("draft ruleset left out: %s", exc)
    return out


# -- saving drafts ------------------------------------------------------------------------------

_log = logging.getLogger(__name__)
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+-]*$")


def save_draft(ruleset: Ruleset, *, id: str, version: str, change_note: str,
               folder: str | Path | None = None, user: str | None = None) -> Path:
    """Save ``ruleset`` (e.g. a shipped one with parameters changed, ``model_copy(update=…)``
    or ``Ruleset.model_validate(edited_dict)``) as a draft: a new TOML file, never over one.

    The draft is ``ruleset`` with ``id`` and ``version``, ``status = "draft"``, ``based_on``
    the id and version of ``ruleset``, the ``change_note``, ``created_at`` (UTC) and
    ``created_by`` (``user``, else the login name). It is validated with :class:`Ruleset`
    (the model ``landtool check`` loads rulesets with) before anything is written, and
    written whole or not at all to ``<folder>/<id>/<version>.toml`` (``folder``: default
    :func:`drafts_dir`), where ``load_ruleset(id)`` finds it.

    Raises
    ------
    RuleConfigError
        An empty change note; an id or version that is not a plain name; the id of a
        shipped ruleset; a draft of that id and version that exists already (also when
        another process saved it a moment before: exactly one of two saves wins); a
        ruleset the model refuses.

    Examples
    --------
    >>> base = load_ruleset("mn-asm-2022")                                  # doctest: +SKIP
    >>> save_draft(base, id="mn-asm-2022-water300", version="1.1.0",        # doctest: +SKIP
    ...            change_note="Water protection zone 200 m -> 300 m (draft amendment)")
    """
    if not change_note or not change_note.strip():
        raise RuleConfigError("a draft ruleset needs a note of what changed and why",
                              hint="write the change note (it is printed with the draft)")
    if not _ID.match(id):
        raise RuleConfigError(f"{id!r} cannot be a ruleset id",
                              hint="use lower-case letters, digits and . _ - (e.g. "
                              "mn-asm-2022-water300)")
    if not _VERSION.match(version):
        raise RuleConfigError(f"{version!r} cannot be a ruleset version",
                              hint="use letters, digits and . + - (e.g. 1.1.0)")
    if id in _shipped_ids() | {r.id for r in list_rulesets(drafts=False)}:
        raise RuleConfigError(f"{id!r} is the id of a released ruleset; a draft cannot "
                              "replace it", hint="give the draft an id of its own, e.g. "
                              f"{id}-draft")
    data = _draft_data(ruleset, id, version, change_note, user)
    try:
        draft = Ruleset.model_validate(data)
    except ValidationError as exc:
        raise RuleConfigError(f"invalid draft ruleset: {_describe(exc, data)}") from exc
    target = Path(folder) if folder is not None else drafts_dir()
    path = target / id / f"{version}.toml"
    _write_new(path, _toml(draft), f"a draft {id!r} version {version!r}")
    return path


def _draft_data(ruleset: Ruleset, id: str, version: str, change_note: str,
                user: str | None) -> dict:
    import getpass
    from datetime import UTC

    if user is None:
        try:
            user = getpass.getuser()
        except (OSError, KeyError):
            user = ""
    data = ruleset.model_dump()
    data.update(id=id, version=version, status="draft", change_note=change_note.strip(),
                based_on={"id": ruleset.id, "version": ruleset.version},
                created_at=datetime.now(UTC).replace(microsecond=0), created_by=user)
    return data


def _toml(ruleset: Ruleset) -> str:
    try:
        import tomli_w
    except ImportError as exc:  # a dependency: only a broken install lacks it
        raise RuleConfigError("saving a ruleset needs the tomli-w package",
                              hint="pip install tomli-w") from exc
    data = ruleset.model_dump(mode="python", exclude_none=True)
    for rule in data["rules"]:
        rule["type"] = str(rule["type"])
    header = (f"# Draft ruleset {ruleset.id} {ruleset.version}, made from "
              f"{ruleset.based_on.id} {ruleset.based_on.version} by landtool; NOT a "
              "released regulation.\n")
    return header + tomli_w.dumps(data)


def _write_new(path: Path, text: str, what: str) -> None:
    """Write ``text`` to ``path``, which must not exist: written in full to a temporary file
    beside it, then hard-linked into place (the link fails if the name exists, so of two
    writers exactly one wins, and a reader never sees half a file)."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    exists = RuleConfigError(f"{what} exists already ({path}); nothing was overwritten",
                             path=path, hint="save it under a new version")
    if path.exists():
        raise exists
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise exists from None
        except OSError:  # no hard links on this file system: an exclusive create instead
            try:
                with open(path, "x", encoding="utf-8", newline="\n") as fh:
                    fh.write(text)
            except FileExistsError:
                raise exists from None
    finally:
        os.unlink(tmp)
