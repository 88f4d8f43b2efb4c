"""Rate files: dated, versioned unit rates for rehabilitation work, in ``layers/rates``.

A rate file has an id, a version, a date, a currency (MNT) and, for each of the seven tasks, its
unit, its rate, the source of the rate and a justification. It also holds the parameters the
estimate needs besides rates: topsoil thickness, years of monitoring, whether parcels are fenced,
and the deposit (rehabilitation guarantee) as a percentage of the total.

A changed rate needs a written justification (as Queensland requires). "Changed" is known from
``based_on``: a rate file may name the file it was derived from (``based_on =
"mn-illustrative-2026"``), and every task whose rate differs from the base's rate must then carry
a non-empty ``justification``. A file without ``based_on`` is a base in its own right.

Files are validated strictly: an unknown key, an unknown or missing task, a unit other than the
task's, a negative rate or a missing justification is refused with the file, the task and the key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from landtool.errors import RateConfigError
from landtool.paths import layers_dir
from landtool.tomlfile import read_toml


@dataclass(frozen=True)
class TaskDef:
    """One kind of rehabilitation work: its fixed unit and its names."""

    unit: str
    title_en: str
    title_mn: str


#: The tasks a rate file prices, in the order cost lines are listed, with the unit of each.
TASKS: dict[str, TaskDef] = {
    "backfill": TaskDef("m3", "Backfilling pits", "Ухмал, нүх булах"),
    "grading": TaskDef("ha", "Grading and levelling", "Газрын гадаргыг тэгшлэх"),
    "topsoil": TaskDef("m3", "Topsoil spreading", "Шимт хөрс дэвсэх"),
    "seeding": TaskDef("ha", "Seeding and revegetation", "Үр цацах, ургамалжуулах"),
    "fencing": TaskDef("m", "Fencing", "Хашаажуулах"),
    "mobilisation": TaskDef("site", "Mobilisation", "Техник, хүн хүч зөөвөрлөх"),
    "monitoring": TaskDef("year", "Monitoring and maintenance", "Хяналт, арчилгаа"),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TaskRate(_Strict):
    """The unit rate of one task."""

    task: str = Field(description="The task priced; filled from the table name in the file.")
    unit: str = Field(description="The unit the rate is per; fixed by the task (see TASKS).")
    rate: float = Field(ge=0, allow_inf_nan=False, description="Currency units per unit of work.")
    source: str = Field(min_length=1, description="Where the rate comes from.")
    justification: str = Field(
        "", description="Why the rate differs from the rate file it is based on (required then).")
    note: str = Field("", description="How the rate was arrived at (crew, hours, materials).")

    @field_validator("unit")
    @classmethod
    def _unit_of_task(cls, unit, info):
        task = info.data.get("task")
        if task in TASKS and unit != TASKS[task].unit:
            raise ValueError(f"{task} is priced per {TASKS[task].unit!r}, not per {unit!r}")
        return unit


class RateFile(_Strict):
    """A dated, versioned set of unit rates and estimate parameters."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", description="The file name without .toml.")
    version: str
    date: dt.date = Field(description="The date the rates apply to (their price level).")
    currency: str = Field("MNT", pattern=r"^[A-Z]{3}$", description="ISO 4217 code of all rates.")
    illustrative: bool = Field(
        description="True when the rates are not from a published source and must not be used "
                    "as they are for a real guarantee.")
    description: str = Field(min_length=1)
    based_on: str | None = Field(
        None, description="Id of the rate file this one was derived from; every rate that differs "
                          "from it needs a justification.")
    topsoil_thickness_m: float = Field(
        gt=0, le=2, description="Topsoil spread over a parcel when no topsoil volume is given (m).")
    monitoring_years: int = Field(ge=0, le=50, description="Years of monitoring after seeding.")
    fencing: bool = Field(description="Whether parcels needing revegetation are fenced.")
    deposit_percent: float = Field(
        ge=0, le=100, description="The rehabilitation guarantee, as a percentage of the total.")
    deposit_confirmed: bool = Field(
        False, description="Whether the deposit percentage is confirmed from the legal text.")
    deposit_note: str = Field("", description="Where the deposit percentage comes from.")
    tasks: dict[str, TaskRate]

    @model_validator(mode="before")
    @classmethod
    def _task_names_from_keys(cls, data):
        if isinstance(data, dict) and isinstance(data.get("tasks"), dict):
            tasks = {}
            for name, entry in data["tasks"].items():
                if isinstance(entry, dict):
                    if entry.get("task", name) != name:
                        raise ValueError(f"task {name!r}, key 'task': says {entry['task']!r} "
                                         "(leave it out: the table name is the task)")
                    entry = {**entry, "task": name}
                tasks[name] = entry
            data = {**data, "tasks": tasks}
        return data

    @field_validator("tasks")
    @classmethod
    def _known_tasks(cls, tasks):
        known = ", ".join(TASKS)
        for name in tasks:
            if name not in TASKS:
                raise ValueError(f"unknown task {name!r} (the tasks are: {known})")
        missing = [name for name in TASKS if name not in tasks]
        if missing:
            raise ValueError(f"no rate for task(s) {', '.join(map(repr, missing))} "
                             f"(every task needs one: {known})")
        return {name: tasks[name] for name in TASKS}

    def rate(self, task: str) -> TaskRate:
        return self.tasks[task]

    def label(self) -> str:
        return f"{self.id} {self.version}"


def rates_dir() -> Path:
    return layers_dir() / "rates"


def _describe(exc: ValidationError) -> str:
    problems = []
    for err in exc.errors():
        loc = list(err["loc"])
        where = []
        if loc[:1] == ["tasks"] and len(loc) > 1:
            where.append(f"task {loc[1]!r}")
            loc = loc[2:]
        key = ".".join(str(p) for p in loc)
        if key:
            where.append(f"key {key!r}")
        msg = err["msg"].removeprefix("Value error, ")
        problems.append(f"{', '.join(where)}: {msg}" if where else msg)
    return "; ".join(dict.fromkeys(problems))


def _resolve(id_or_path: str | Path, near: Path | None = None) -> Path:
    path = Path(id_or_path)
    if path.suffix == ".toml":
        return path if near is None or path.is_absolute() else near / path
    if near is not None and (near / f"{id_or_path}.toml").exists():
        return near / f"{id_or_path}.toml"
    path = rates_dir() / f"{id_or_path}.toml"
    if not path.exists():
        known = sorted(p.stem for p in rates_dir().glob("*.toml"))
        raise RateConfigError(f"unknown rate file {str(id_or_path)!r}",
                              hint=f"use one of: {', '.join(known) or '(none)'}, "
                                   "or a path to a .toml file")
    return path


def _load(path: Path, seen: tuple[Path, ...]) -> RateFile:
    data = read_toml(path, RateConfigError, "rate file")
    try:
        rates = RateFile.model_validate(data)
    except ValidationError as exc:
        raise RateConfigError(f"invalid rate file: {_describe(exc)}", path=path,
                              hint="compare with layers/rates/mn-illustrative-2026.toml") from exc
    if rates.based_on is not None:
        _check_justifications(rates, path, seen)
    return rates


def _check_justifications(rates: RateFile, path: Path, seen: tuple[Path, ...]) -> None:
    try:
        base_path = _resolve(rates.based_on, near=path.parent)
    except RateConfigError as exc:
        raise RateConfigError(f"key 'based_on': {exc.message}", path=path, hint=exc.hint) from exc
    if base_path.resolve() in seen:
        raise RateConfigError(f"key 'based_on': {rates.based_on!r} leads back to this file",
                              path=path, hint="a rate file cannot be based on itself")
    base = _load(base_path, seen + (base_path.resolve(),))
    if base.currency != rates.currency:
        raise RateConfigError(
            f"key 'currency': {rates.currency} but the base {base.id!r} is in {base.currency}",
            path=path, hint="rates can only be compared with a base in the same currency")
    missing = [
        f"task {name!r}, key 'justification': the rate {entry.rate:,g} differs from "
        f"{base.tasks[name].rate:,g} in {base.id!r} and needs a justification"
        for name, entry in rates.tasks.items()
        if entry.rate != base.tasks[name].rate and not entry.justification.strip()
    ]
    if missing:
        raise RateConfigError("; ".join(missing), path=path,
                              hint="say why each changed rate differs: a quote, a tender, an index")


def load_rates(id_or_path: str | Path) -> RateFile:
    """A rate file by id (a file in ``layers/rates``) or by path.

    Raises
    ------
    RateConfigError
        For an unknown id or a malformed file, naming the file, the task and the key.

    Examples
    --------
    >>> load_rates("mn-illustrative-2026").tasks["backfill"].unit
    'm3'
    """
    path = _resolve(id_or_path)
    return _load(path, (path.resolve(),))


def list_rates() -> list[RateFile]:
    """Every rate file shipped in ``layers/rates``."""
    return [load_rates(p) for p in sorted(rates_dir().glob("*.toml"))]
