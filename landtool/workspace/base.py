"""What every workspace is and answers, whatever stores it.

A workspace holds the layers of one project (each in EPSG:4326, with a record of its catalog
kind, where it came from, how it was reprojected and what was repaired), the saved check
results and the decisions log. :class:`BaseWorkspace` is the interface both backends share:
:class:`landtool.workspace.gpkg.Workspace` (one GeoPackage file) and
:class:`landtool.workspace.pg.PgWorkspace` (a shared PostgreSQL database). This module imports
neither backend.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from landtool.catalog import GeometryKind, get_kind
from landtool.crs import crs_label, outside_mongolia
from landtool.errors import WorkspaceError
from landtool.geodesy import MONGOLIA_ALBERS
from landtool.io.load import LoadedLayer
from landtool.location import DatabaseLocation
from landtool.validate import PROJECTED_NOTE, invalid_when_projected

META_TABLE = "landtool_layers"
CHECKS_TABLE = "landtool_checks"
INFO_TABLE = "landtool_workspace"
FORMAT_VERSION = "1"
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
#: Layer names that would collide with the workspace's own tables, the GeoPackage's, its
#: spatial indexes (rtree_<table>_<column>), SQLite's, or QGIS's styles (layer_styles).
RESERVED_PREFIXES = ("landtool_", "gpkg_", "rtree_", "sqlite_")
RESERVED_NAMES = ("layer_styles",)
_INFO_KEYS = ("format_version", "created_at", "title")


@dataclass(frozen=True)
class LayerRecord:
    """What the workspace records about one of its layers."""

    name: str
    kind: str
    source: str
    added_at: str
    feature_count: int
    reprojection: str
    problems: tuple[str, ...]
    #: ids of the features valid in degrees but invalid once projected to a metric CRS, as
    #: found when the layer was loaded; None for a layer added before this was recorded
    projected_invalid: tuple[str, ...] | None = None


@dataclass(frozen=True)
class LayerInfo:
    """A description of a layer as it is now, for ``workspace info``."""

    record: LayerRecord
    feature_count: int
    geometry_type: str
    crs: str
    extent: tuple[float, float, float, float]
    problems: tuple[str, ...]


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class BaseWorkspace:
    """What every workspace answers, whether a GeoPackage file or a shared PostgreSQL
    database: the layers are read and written through ``layers``, ``read``, ``add``,
    ``update``, ``modify`` and ``remove``; the check results through ``checks`` and
    ``save_checks``; ``transaction`` is one change, all or nothing, with no other writer in
    between (its ``log`` is what :func:`landtool.workspace.decisions.append_many` appends to).
    """

    #: a file (Path) or a database (DatabaseLocation), for messages and default folders
    path: Path | DatabaseLocation
    #: True for a shared database workspace
    shared = False

    def layers(self) -> list[LayerRecord]:
        raise NotImplementedError

    def read(self, name: str, *, bbox=None) -> gpd.GeoDataFrame:
        raise NotImplementedError

    @contextmanager
    def transaction(self, doing: str = "change the workspace") -> Iterator:
        raise NotImplementedError
        yield

    def layer_names(self) -> list[str]:
        return [r.name for r in self.layers()]

    def reload(self) -> None:
        """Read the list of layers afresh next time (another program may have added one)."""
        self._records = None

    def close(self) -> None:
        """Give back what the workspace holds open (a shared workspace's connection)."""

    def track(self, name: str) -> None:
        """Take layer ``name`` as this client has it now, as if just read (a shared workspace
        refuses a later save of it if another client saved it in between)."""

    @contextmanager
    def batch(self, doing: str = "save") -> Iterator[None]:
        """Several changes as one: no other writer comes in between, and they land together
        or not at all (one transaction)."""
        with self.transaction(doing):
            yield

    def record(self, name: str) -> LayerRecord:
        for r in self.layers():
            if r.name == name:
                return r
        raise WorkspaceError(f"the workspace has no layer {name!r}", path=self.path,
                             hint=f"its layers are: {', '.join(self.layer_names()) or '(none)'}")

    def layers_of_kind(self, kind: str) -> list[str]:
        return [r.name for r in self.layers() if r.kind == kind]

    def info(self) -> list[LayerInfo]:
        """Every layer with its kind, feature count, CRS, extent and validity problems now."""
        out = []
        for rec in self.layers():
            gdf = self.read(rec.name)
            out.append(LayerInfo(rec, len(gdf), _geometry_type(gdf),
                                 crs_label(gdf.crs, short=True),
                                 tuple(float(v) for v in gdf.total_bounds),
                                 tuple(_current_problems(gdf, rec))))
        return out

    def _check_new_name(self, name: str, replace: bool) -> list[LayerRecord]:
        """The records that stay when a layer called ``name`` is added (call it inside the
        transaction that adds it: the list it checks against is the one the write changes)."""
        check_layer_name(name, self.path)
        records = [r for r in self.layers() if not (replace and r.name == name)]
        if any(r.name == name for r in records):
            raise WorkspaceError(f"the workspace already has a layer {name!r}", path=self.path,
                                 hint="give another --name, or pass --replace to replace it")
        return records

    @staticmethod
    def _new_record(layer: LoadedLayer, name: str) -> LayerRecord:
        return LayerRecord(name, layer.kind.id, str(layer.source), _now(), len(layer.gdf),
                           layer.reprojection.describe(),
                           tuple(str(p) for p in layer.problems),
                           tuple(str(i) for i in layer.projected_invalid))

    @staticmethod
    def _edited_record(old: LayerRecord, count: int, note: str) -> LayerRecord:
        return LayerRecord(old.name, old.kind, old.source, old.added_at, count,
                           old.reprojection, (*old.problems, f"[edit {_now()}] {note}"),
                           old.projected_invalid)


def check_layer_name(name: str, where) -> None:
    """Refuse a name a layer cannot have (before anything is written)."""
    if not _NAME_RE.match(name):
        raise WorkspaceError(
            f"{name!r} is not a usable layer name", path=where,
            hint="use lower-case letters, digits and _, starting with a letter",
        )
    if name.startswith(RESERVED_PREFIXES) or name in RESERVED_NAMES:
        raise WorkspaceError(
            f"{name!r} is reserved for the workspace's own tables", path=where,
            hint="give another --name; names starting with "
            + ", ".join(RESERVED_PREFIXES) + " and the name "
            + ", ".join(RESERVED_NAMES) + " are reserved",
        )


def _geometry_type(gdf: gpd.GeoDataFrame) -> str:
    types = sorted(set(gdf.geom_type.dropna()))
    return "/".join(types) if types else "none"


def _current_problems(gdf: gpd.GeoDataFrame, record: LayerRecord) -> list[str]:
    kind = get_kind(record.kind)
    ids = (gdf[kind.id_field].astype(str).tolist() if kind.id_field in gdf.columns
           else [f"row {i + 1}" for i in range(len(gdf))])
    problems = []
    geoms = gdf.geometry.values
    for i in np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms)):
        problems.append(f"{ids[i]}: no geometry")
    present = ~shapely.is_missing(geoms)
    for i in np.flatnonzero(present & ~shapely.is_valid(geoms)):
        problems.append(f"{ids[i]}: invalid ({shapely.is_valid_reason(geoms[i])})")
    for i in np.flatnonzero(outside_mongolia(geoms)):  # the same test as loading
        problems.append(f"{ids[i]}: outside Mongolia")
    projected = record.projected_invalid
    if projected is None:  # a layer added before loading recorded it: found now
        projected = ([ids[i] for i in np.flatnonzero(invalid_when_projected(geoms,
                                                                            MONGOLIA_ALBERS))]
                     if kind.geometry is GeometryKind.POLYGON else [])
    problems += [f"{fid}: {PROJECTED_NOTE}" for fid in projected]
    return problems
