"""A layer prepared for drawing: QPainterPaths built once, bounding boxes, label anchors.

Paths are in lon/lat degrees; the canvas maps them to the screen with one transform per redraw.
Each polygon or line layer keeps a few simplified copies (levels of detail), so a national view
does not push every vertex of every soum through the rasteriser.

The paths are built from shapely's coordinate arrays without a Python loop over vertices: the
arrays are written in the documented ``QDataStream`` format of ``QPainterPath`` (element count;
per element its type, x and y; the index of the last move-to; the fill rule) and read back.
Building runs in the loading thread (QPainterPath is not a QObject and may be made there).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely
from PySide6.QtCore import QByteArray, QDataStream
from PySide6.QtGui import QPainterPath

from landtool.catalog import GeometryKind, LayerKind, get_kind
from landtool.workspace import LayerRecord

#: Simplification tolerances (degrees) of the levels of detail, finest first. A level is used
#: when its tolerance is under :data:`LOD_MAX_PX` pixels, so the simplification does not show.
LOD_TOLERANCES = (0.0003, 0.001, 0.003, 0.01, 0.03)
LOD_MAX_PX = 0.75

_ELEMENT = np.dtype([("type", ">i4"), ("x", ">f8"), ("y", ">f8")])
_MOVE_TO, _LINE_TO = 0, 1
_ODD_EVEN_FILL = 0  # Qt.FillRule.OddEvenFill: holes are holes whatever the ring orientation


@dataclass
class LayerGraphics:
    """One workspace layer ready for the canvas."""

    name: str
    kind: LayerKind
    record: LayerRecord
    bboxes: np.ndarray  # (n, 4) min lon, min lat, max lon, max lat; NaN for empty geometries
    labels: list[str]  # the kind's label field as text ("" = no label)
    anchors: np.ndarray  # (n, 2) lon/lat where each label goes (points: the point itself)
    lods: list[list[QPainterPath | None]] = field(default_factory=list)  # raw first, then coarser
    points: np.ndarray | None = None  # (n, 2) for point layers
    synthetic: bool = False
    #: per feature, the check status that colours it ("pass", "warn", "fail"; None: the
    #: catalog style); None for a layer not coloured by status
    status: np.ndarray | None = None
    #: what :attr:`status` holds: ``"check"`` (a request's check status) or ``"rehab"`` (a
    #: rehabilitation parcel's status, coloured as the status chart)
    status_kind: str = "check"

    @property
    def geometry(self) -> GeometryKind:
        return self.kind.geometry

    def __len__(self) -> int:
        return len(self.bboxes)

    def paths_for(self, deg_per_px: float) -> list[QPainterPath | None]:
        """The coarsest level of detail whose simplification stays under LOD_MAX_PX pixels."""
        level = 0
        for i, tol in enumerate(LOD_TOLERANCES, start=1):
            if tol <= LOD_MAX_PX * deg_per_px and i < len(self.lods):
                level = i
        return self.lods[level]

    @property
    def bounds(self) -> tuple[float, float, float, float] | None:
        ok = ~np.isnan(self.bboxes[:, 0])
        if not ok.any():
            return None
        b = self.bboxes[ok]
        return (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()),
                float(b[:, 3].max()))


def build_layer_graphics(record: LayerRecord, kind: LayerKind,
                         gdf: gpd.GeoDataFrame) -> LayerGraphics:
    """Prepare ``gdf`` (EPSG:4326, as read from the workspace) for drawing."""
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    bboxes = shapely.bounds(geoms)
    bboxes[empty] = np.nan
    labels = _label_texts(gdf, kind.label_field)
    graphics = LayerGraphics(record.name, kind, record, bboxes, labels,
                             anchors=_label_anchors(geoms, empty, kind.geometry),
                             synthetic=_is_synthetic(record, gdf))
    if kind.geometry is GeometryKind.POINT:
        graphics.points = graphics.anchors
        return graphics
    polygons = kind.geometry is GeometryKind.POLYGON
    graphics.lods.append(paths_from_geometries(geoms, polygons=polygons))
    for level in simplified_levels(geoms):
        graphics.lods.append(paths_from_geometries(level, polygons=polygons))
    return graphics


def build_workspace_graphics(records: Iterable[LayerRecord],
                             frames: Mapping[str, gpd.GeoDataFrame]) -> list[LayerGraphics]:
    """Every layer of a workspace prepared for drawing, from its records and its features as
    read (run it in the loading thread: the national layers take a fraction of a second)."""
    return [build_layer_graphics(r, get_kind(r.kind), frames[r.name]) for r in records
            if r.name in frames]


def edited_record(name: str, kind: str, count: int) -> LayerRecord:
    """The record of a layer made in the window (a first request drawn in a workspace that
    had no requests layer): it is saved to the workspace with the edits."""
    return LayerRecord(name=name, kind=kind, source="edited in landtool-gui", added_at="",
                       feature_count=count, reprojection="", problems=())


def simplified_levels(geoms: np.ndarray) -> list[np.ndarray]:
    """``geoms`` simplified at each of :data:`LOD_TOLERANCES`, for display only.

    Each level simplifies the previous one (fewer vertices to visit) with plain
    Douglas-Peucker, which is several times faster than the topology-preserving variant; a
    shape it would make vanish keeps its previous level. A ring that crosses itself by less
    than the tolerance cannot be seen at the zoom where the level is used.
    """
    levels = []
    previous = geoms
    for tol in LOD_TOLERANCES:
        simple = shapely.simplify(previous, tol, preserve_topology=False)
        vanished = shapely.is_empty(simple) & ~shapely.is_empty(previous)
        simple[vanished] = previous[vanished]
        levels.append(simple)
        previous = simple
    return levels


def paths_from_geometries(geoms: np.ndarray, *, polygons: bool) -> list[QPainterPath | None]:
    """One QPainterPath per geometry (None where empty); every ring or line a sub-path."""
    n = len(geoms)
    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    type_ids = shapely.get_type_id(parts)
    if polygons:
        keep = type_ids == 3  # a GeometryCollection may hide points or lines
        rings, ring_part = shapely.get_rings(parts[keep], return_index=True)
        ring_owner = part_owner[keep][ring_part]
    else:
        keep = np.isin(type_ids, (1, 2))  # LineString, LinearRing
        rings, ring_owner = parts[keep], part_owner[keep]
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    out: list[QPainterPath | None] = [None] * n
    if len(coords) == 0:
        return out
    elements = np.empty(len(coords), dtype=_ELEMENT)
    elements["x"], elements["y"] = coords[:, 0], coords[:, 1]
    first_of_ring = np.r_[True, coord_ring[1:] != coord_ring[:-1]]
    elements["type"] = np.where(first_of_ring, _MOVE_TO, _LINE_TO)
    coord_owner = ring_owner[coord_ring]
    starts = np.flatnonzero(np.r_[True, coord_owner[1:] != coord_owner[:-1]])
    ends = np.r_[starts[1:], len(coords)]
    ring_starts = np.flatnonzero(first_of_ring)
    raw = elements.tobytes()
    size = _ELEMENT.itemsize
    for start, end in zip(starts, ends, strict=True):
        last_move = ring_starts[np.searchsorted(ring_starts, end, side="left") - 1] - start
        data = (np.array([end - start], ">i4").tobytes() + raw[start * size:end * size]
                + np.array([last_move, _ODD_EVEN_FILL], ">i4").tobytes())
        path = QPainterPath()
        stream = QDataStream(QByteArray(data))
        stream >> path
        out[int(coord_owner[start])] = path
    return out


def _label_texts(gdf: gpd.GeoDataFrame, column: str) -> list[str]:
    if column not in gdf.columns:
        return [""] * len(gdf)
    values = gdf[column].astype(object)
    return ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
            for v in values]


def _label_anchors(geoms: np.ndarray, empty: np.ndarray, geometry: GeometryKind) -> np.ndarray:
    anchors = np.full((len(geoms), 2), np.nan)
    ok = ~empty
    if not ok.any():
        return anchors
    present = geoms[ok]
    if geometry is GeometryKind.POLYGON:
        points = shapely.point_on_surface(present)
    elif geometry is GeometryKind.LINE:
        points = shapely.line_interpolate_point(present, 0.5, normalized=True)
    else:
        points = shapely.centroid(present)  # a point, or the middle of a multipoint
    anchors[ok] = shapely.get_coordinates(points)[:, :2] if len(points) else anchors[ok]
    return anchors


def _is_synthetic(record: LayerRecord, gdf: gpd.GeoDataFrame) -> bool:
    """Whether the layer is generated demonstration data rather than real data.

    The workspace records no flag for this yet; a layer counts as synthetic when its source
    names it so or it carries a true ``synthetic`` column.
    """
    if "synthetic" in record.source.lower():
        return True
    return "synthetic" in gdf.columns and bool(gdf["synthetic"].fillna(False).astype(bool).any())
