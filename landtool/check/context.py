"""The layers a check runs against: features in force on the check date, indexed once.

A :class:`CheckContext` is built from a workspace (plus layers given for this run only) and can
check any number of requests; the desktop app keeps one to re-check a request while it is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import STRtree

from landtool.catalog import get_kind
from landtool.check.ruleset import Filter, Ruleset
from landtool.errors import CheckError
from landtool.workspace import Workspace


@dataclass
class FeatureSet:
    """The in-force features of one kind, from one or several layers, with a spatial index."""

    kind: str
    layers: np.ndarray  # workspace layer name of each feature
    ids: np.ndarray  # feature id (the kind's id field) of each feature
    geoms: np.ndarray  # lon/lat geometries
    attrs: pd.DataFrame  # the features' attributes, same order
    tree: STRtree

    def __len__(self) -> int:
        return len(self.geoms)


def in_force(gdf: gpd.GeoDataFrame, kind_id: str, as_of: date) -> np.ndarray:
    """Which features of a layer are in force on ``as_of``, from the kind's validity fields.

    A missing start or end date does not exclude a feature (it is taken as in force).
    """
    validity = get_kind(kind_id).validity
    keep = np.ones(len(gdf), dtype=bool)
    if validity is None:
        return keep
    day = as_of.isoformat()

    def dates(field):  # ISO text, "" where missing (empty text counts as missing too)
        return gdf[field].astype(object).where(gdf[field].notna(), "").astype(str).str[:10]

    if validity.start_field and validity.start_field in gdf.columns:
        start = dates(validity.start_field)
        keep &= ~np.array((start != "") & (start > day), dtype=bool)
    if validity.end_field and validity.end_field in gdf.columns:
        end = dates(validity.end_field)
        keep &= ~np.array((end != "") & (end < day), dtype=bool)
    if validity.status_field and validity.status_field in gdf.columns:
        status = gdf[validity.status_field].astype(object).where(
            gdf[validity.status_field].notna(), "").astype(str).str.strip().str.lower()
        inactive = [s.lower() for s in validity.inactive_statuses]
        keep &= ~np.array(status.isin(inactive), dtype=bool)
    return keep


def _matches(gdf: gpd.GeoDataFrame, where: Filter | None) -> np.ndarray:
    """Features a rule's filter keeps. A feature whose value is missing is kept: an unknown
    licence type must not hide a licence from the check."""
    if where is None or where.field not in gdf.columns:
        return np.ones(len(gdf), dtype=bool)
    values = gdf[where.field].astype(object)
    blank = values.isna() | (values.astype(str).str.strip() == "")
    return np.array(values.isin(where.values) | blank, dtype=bool)


class CheckContext:
    """Layers by kind (``{kind: [(layer name, GeoDataFrame), ...]}``) and a check date."""

    def __init__(self, layers: dict[str, list[tuple[str, gpd.GeoDataFrame]]], as_of: date):
        self.layers = layers
        self.as_of = as_of
        self._cache: dict[tuple, FeatureSet] = {}

    @classmethod
    def from_workspace(
        cls,
        workspace: Workspace | None,
        ruleset: Ruleset | Sequence[Ruleset],
        as_of: date,
        extra: dict[str, list[tuple[str, gpd.GeoDataFrame]]] | None = None,
        *,
        also: Sequence[str] = (),
    ) -> CheckContext:
        """The layers ``ruleset`` needs (or any of several rulesets, checked with the same
        context), and the kinds in ``also``, from ``workspace``; ``extra`` layers replace the
        workspace's layers of the same kind for this check."""
        extra = extra or {}
        rulesets = [ruleset] if isinstance(ruleset, Ruleset) else list(ruleset)
        kinds = set(also).union(*(needed_kinds(r) for r in rulesets))
        layers: dict[str, list[tuple[str, gpd.GeoDataFrame]]] = {}
        for kind in sorted(kinds):
            if kind in extra:
                layers[kind] = list(extra[kind])
            elif workspace is not None:
                layers[kind] = [(name, workspace.read(name))
                                for name in workspace.layers_of_kind(kind)]
        for kind, items in extra.items():
            layers.setdefault(kind, list(items))
        return cls(layers, as_of)

    def set_layer(self, kind: str, items: list[tuple[str, gpd.GeoDataFrame]]) -> None:
        """Replace the layers of ``kind`` (e.g. requests being edited); its index is rebuilt
        when next used."""
        self.layers[kind] = list(items)
        self._cache = {k: v for k, v in self._cache.items() if k[0] != kind}

    def has(self, kind: str) -> bool:
        return bool(self.layers.get(kind))

    def layer_names(self, kind: str) -> list[str]:
        return [name for name, _ in self.layers.get(kind, [])]

    def features(self, kind: str, where: Filter | None = None, *,
                 in_force_only: bool = True) -> FeatureSet:
        """The features of ``kind`` in force on the check date (and matching ``where``)."""
        key = (kind, where, in_force_only)
        if key not in self._cache:
            self._cache[key] = self._build(kind, where, in_force_only)
        return self._cache[key]

    def _build(self, kind: str, where: Filter | None, in_force_only: bool) -> FeatureSet:
        kind_def = get_kind(kind)
        names, ids, geoms, attrs = [], [], [], []
        for name, gdf in self.layers.get(kind, []):
            keep = _matches(gdf, where)
            if in_force_only:
                keep = keep & in_force(gdf, kind, self.as_of)
            keep = keep & ~shapely.is_missing(gdf.geometry.values) & ~shapely.is_empty(
                gdf.geometry.values)
            part = gdf[keep]
            values = (part[kind_def.id_field].tolist() if kind_def.id_field in part.columns
                      else [None] * len(part))
            # a feature with no id is named by its layer and row: "streams:3"
            fid = [f"{name}:{i + 1}" if v is None or (not isinstance(v, str) and pd.isna(v))
                   or str(v).strip() == "" else str(v)
                   for i, v in zip(np.flatnonzero(keep), values, strict=True)]
            names += [name] * len(part)
            ids += fid
            geoms.append(part.geometry.to_numpy())
            attrs.append(pd.DataFrame(part.drop(columns=part.geometry.name)))
        geom_arr = np.concatenate(geoms) if geoms else np.array([], dtype=object)
        return FeatureSet(
            kind=kind,
            layers=np.array(names, dtype=object),
            ids=np.array(ids, dtype=object),
            geoms=geom_arr,
            attrs=pd.concat(attrs, ignore_index=True) if attrs else pd.DataFrame(),
            tree=STRtree(geom_arr),
        )


def needed_kinds(ruleset: Ruleset) -> set[str]:
    """Every layer kind the ruleset's active rules read."""
    kinds: set[str] = set()
    for rule in ruleset.active_rules:
        p = rule.params
        kinds.update(getattr(p, "layers", ()) or ())
        if getattr(p, "layer", None):
            kinds.add(p.layer)
        if rule.type == "priority":
            kinds.add("requests")
    for kind in kinds:
        get_kind(kind)  # an unknown kind in a ruleset is a configuration error
    return kinds


def require_layers(ctx: CheckContext, ruleset: Ruleset) -> list[str]:
    """Notes for kinds the ruleset reads but the context lacks (those rules are not applied)."""
    missing = [k for k in sorted(needed_kinds(ruleset)) if k != "requests" and not ctx.has(k)]
    if len(missing) == len(needed_kinds(ruleset) - {"requests"}) and missing:
        raise CheckError(
            "none of the layers the rules need is available: " + ", ".join(missing),
            hint="give a workspace with --workspace, or layers with --layer KIND=PATH",
        )
    return [f"no {k} layer: the rules that read it were not applied" for k in missing]


_NO_SOUM = {"pcode": "", "name_en": "", "name_mn": ""}


def soums_of(geoms: np.ndarray, ctx: CheckContext) -> list[dict]:
    """The soum each geometry lies in (by a point inside it), from the context's soums:
    ``{"pcode", "name_en", "name_mn"}``, empty strings when outside every soum."""
    out = [_NO_SOUM] * len(geoms)
    if not ctx.has("soums"):
        return out
    names, shapes = [], []
    for _, gdf in ctx.layers["soums"]:
        cols = {k: gdf[k].tolist() if k in gdf.columns else [None] * len(gdf)
                for k in ("pcode", "name_en", "name_mn")}
        names += [{k: "" if cols[k][i] is None else str(cols[k][i]) for k in cols}
                  for i in range(len(gdf))]
        shapes += list(gdf.geometry.values)
    if not shapes:
        return out
    tree = shapely.STRtree(np.array(shapes, dtype=object))
    ri, sj = tree.query(shapely.point_on_surface(geoms), predicate="within")
    for i, j in zip(ri[::-1], sj[::-1], strict=True):  # the first soum found wins
        out[i] = names[j]
    return out
