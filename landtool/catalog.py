"""The layer catalog: one declarative definition per layer kind, read from ``layers/catalog``.

Each ``*.toml`` file there defines a kind (land conclusions, licences, water lines, ...): its
Mongolian and English names, geometry type, fields with types and aliases, and a default style.
The files are validated into pydantic models that reject unknown keys, so a typo in a catalog file
is reported with the file and the key instead of being silently ignored.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from landtool.errors import CatalogError
from landtool.paths import layers_dir
from landtool.tomlfile import read_toml


class GeometryKind(StrEnum):
    """The geometry family a layer kind holds."""

    POLYGON = "polygon"
    LINE = "line"
    POINT = "point"


FieldType = Literal["str", "int", "float", "date", "datetime", "bool"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldDef(_Strict):
    """One attribute of a layer kind."""

    name: str = Field(description="The catalog's name for the field.")
    type: FieldType = Field(description="Value type; dates are ISO 8601 text in files.")
    required: bool = Field(False, description="A layer of this kind must have this field.")
    title_en: str = Field(description="English label.")
    title_mn: str = Field(description="Mongolian label.")
    aliases: tuple[str, ...] = Field((), description="Source field names matched automatically.")
    choices: tuple[str, ...] | None = Field(None, description="Allowed values, if restricted.")


class Style(_Strict):
    """Default drawing style of a layer kind (used by the map canvas and the printed maps)."""

    stroke: str = "#333333"
    fill: str | None = None
    fill_opacity: float = Field(0.3, ge=0.0, le=1.0)
    stroke_width: float = Field(1.0, ge=0.0)
    marker_size: float = Field(6.0, ge=0.0)
    dash: bool = False


class Validity(_Strict):
    """Which fields decide whether a feature is in force on a given date."""

    start_field: str | None = Field(None, description="In force from this date (inclusive).")
    end_field: str | None = Field(None, description="In force until this date (inclusive).")
    status_field: str | None = Field(None, description="A status field, if any.")
    inactive_statuses: tuple[str, ...] = Field((), description="Statuses never in force.")


class LayerKind(_Strict):
    """A declarative definition of one kind of layer."""

    id: str
    aliases: tuple[str, ...] = Field((), description="Other ids accepted for this kind.")
    name_en: str
    name_mn: str
    description: str
    geometry: GeometryKind
    id_field: str = Field(description="The field that identifies a feature in messages.")
    label_field: str = Field(description="The field drawn as a label on maps.")
    unique_ids: bool = Field(False, description="No two features may share an id (the "
                             "id_field): a file where two do is refused when it is read.")
    fields: tuple[FieldDef, ...]
    style: Style = Style()
    validity: Validity | None = Field(None, description="How to tell if a feature is in force.")

    def field(self, name: str) -> FieldDef:
        """The definition of field ``name``; KeyError if the kind has no such field."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def required_fields(self) -> list[str]:
        return [f.name for f in self.fields if f.required]

    def name(self, lang: str = "en") -> str:
        return self.name_mn if lang == "mn" else self.name_en


def load_kind(path: Path) -> LayerKind:
    """Read and validate one catalog file."""
    data = read_toml(path, CatalogError, "layer definition")
    try:
        kind = LayerKind.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise CatalogError(
            f"invalid layer definition: {problems}",
            path=path,
            hint="fix the key named above; see another file in layers/catalog for an example",
        ) from exc
    names = [f.name for f in kind.fields]
    for key in ("id_field", "label_field"):
        value = getattr(kind, key)
        if value not in names:
            raise CatalogError(f"{key} names {value!r}, which is not one of its fields", path=path)
    if kind.validity is not None:
        for key in ("start_field", "end_field", "status_field"):
            value = getattr(kind.validity, key)
            if value is not None and value not in names:
                raise CatalogError(f"validity.{key} names {value!r}, which is not one of its "
                                   "fields", path=path)
    if path.stem != kind.id:
        raise CatalogError(f"the file name must be the kind id ({kind.id}.toml)", path=path)
    return kind


@lru_cache(maxsize=4)
def _load_catalog(folder: Path) -> dict[str, LayerKind]:
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise CatalogError("no layer definitions found", path=folder)
    return {k.id: k for k in (load_kind(p) for p in files)}


def catalog() -> dict[str, LayerKind]:
    """Every layer kind, by id."""
    return _load_catalog(layers_dir() / "catalog")


def kind_ids(*, with_aliases: bool = False) -> list[str]:
    """The ids of every layer kind, optionally with their accepted aliases."""
    kinds = catalog()
    ids = list(kinds)
    if with_aliases:
        ids += [a for k in kinds.values() for a in k.aliases]
    return sorted(ids)


def get_kind(kind_id: str) -> LayerKind:
    """The layer kind ``kind_id``, or a CatalogError listing the known kinds."""
    kinds = catalog()
    try:
        return kinds[kind_id]
    except KeyError:
        for kind in kinds.values():
            if kind_id in kind.aliases:
                return kind
        raise CatalogError(
            f"unknown layer kind {kind_id!r}",
            hint=f"use one of: {', '.join(sorted(kinds))}",
        ) from None
