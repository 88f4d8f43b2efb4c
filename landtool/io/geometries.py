"""Geometries as a file holds them, before any repair: the ones no repair can make usable are
refused here, naming the feature.

Two kinds reach GEOS today and end in its exception deep inside a later step:

* a ring that is not closed (its last point is not its first), or has too few points: GDAL
  accepts it with a warning, and its WKB cannot be made into a geometry;
* a coordinate that is NaN or infinite (``NaN``/``Infinity`` in a GeoJSON file, ``nan`` in a
  CSV's WKT): a geometry is made, but nothing can be computed on it.

:func:`read_frame` reads a layer through pyogrio and refuses the first; :func:`check_finite`
refuses the second, for any format.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from landtool.errors import GeometryError

#: Columns whose value names a feature better than its position alone.
_ID_NAMES = ("request_id", "licence_code", "license_code", "id", "code", "name")

# GDAL's and shapely's own warnings about the geometries refused here: not shown, since the
# refusal says it better (matched only to silence them, never to decide anything).
_HANDLED = ("Non closed ring detected", "invalid value encountered in from_wkb")

_RING_HINT = ("a polygon's ring must end at its first point and have at least 4 points; fix "
              "the feature in QGIS (Vector > Geometry Tools > Check Validity) or in the program "
              "that made the file, then load it again")


def feature_label(gdf, i: int) -> str:
    """The ``i``-th feature (from 0) as the user can find it: its position in the file, and
    its id when a column looks like one (``2 (request_id R-2)``)."""
    for column in gdf.columns:
        if str(column).lower() in _ID_NAMES:
            value = gdf[column].iloc[i]
            if value is not None and str(value).strip() and str(value) != "nan":
                return f"{i + 1} ({column} {value})"
    return str(i + 1)


def read_frame(path: Path, ogr_path: str,
               **kwargs) -> tuple[gpd.GeoDataFrame, list[warnings.WarningMessage]]:
    """A layer through pyogrio, refusing a geometry that cannot be read (a ring not closed, or
    with too few points) and naming its feature.

    Returns the frame and the warnings GDAL gave that are not about those geometries (for
    the caller to judge or show).

    Raises
    ------
    GeometryError
        A feature's geometry cannot be made from its coordinates.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gdf = pyogrio.read_dataframe(ogr_path, on_invalid="ignore", **kwargs)
    if len(gdf) and gdf.geometry.isna().any():
        _refuse_unreadable(path, ogr_path, gdf, kwargs)
    return gdf, [w for w in caught if not str(w.message).startswith(_HANDLED)]


def _refuse_unreadable(path: Path, ogr_path: str, gdf: gpd.GeoDataFrame, kwargs) -> None:
    """Tell a feature with no geometry (left out later, with a note) from one whose geometry
    GDAL read but shapely cannot make (refused): read the raw WKB of the layer again."""
    raw_kwargs = {k: v for k, v in kwargs.items() if k in ("layer", "encoding", "max_features")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wkb = pyogrio.raw.read(ogr_path, columns=[], **raw_kwargs)[2]
    for i in np.flatnonzero(gdf.geometry.isna().to_numpy()):
        if wkb[i] is None:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                shapely.from_wkb(wkb[i])
        except shapely.errors.GEOSException as exc:
            reason = str(exc).split(": ", 1)[-1]
            raise GeometryError(f"its geometry cannot be read: {reason}", path=path,
                                feature=feature_label(gdf, i), hint=_RING_HINT) from exc


def check_finite(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Refuse a feature with a coordinate that is NaN or infinite, naming it and the value.

    Raises
    ------
    GeometryError
        The first such feature.
    """
    coords, index = shapely.get_coordinates(gdf.geometry.values, return_index=True)
    bad = ~np.isfinite(coords).all(axis=1)
    if not bad.any():
        return
    i = int(index[bad][0])
    x, y = coords[bad][0]
    raise GeometryError(
        f"a point of its geometry has a coordinate that is not a number ({x}, {y})",
        path=path, feature=feature_label(gdf, i),
        hint="every coordinate must be a number: correct or delete that point (NaN or Infinity "
        "often stands for an empty cell in the program that made the file), then load it again",
    )
