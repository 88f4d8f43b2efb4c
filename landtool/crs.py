"""Coordinate reference systems: resolving a file's CRS, sanity checks on its coordinates, and
reprojection to the workspace CRS (WGS 84 lon/lat, EPSG:4326).

The checks explain the usual mistakes instead of letting them through: a file with no CRS,
latitude and longitude swapped, projected metres labelled as degrees, degrees labelled as a
projected CRS, and data that lands outside Mongolia.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.aoi import AreaOfInterest
from pyproj.exceptions import CRSError as _PyprojCRSError
from pyproj.transformer import TransformerGroup

from landtool.errors import CRSError, OutsideMongoliaError, SwappedAxesError

WORKSPACE_CRS = CRS.from_epsg(4326)

#: Mongolia's extent (domain brief: about 87.7–119.9°E, 41.6–52.2°N) with a margin of ~0.5°.
MONGOLIA_BOUNDS = (87.2, 41.1, 120.4, 52.7)
_AOI = AreaOfInterest(87.7, 41.6, 119.9, 52.2)

CRS_HINT = (
    "say which CRS the coordinates are in with --crs, e.g. --crs EPSG:4326 (WGS 84 degrees), "
    "--crs EPSG:4284 (Pulkovo 1942 degrees) or --crs EPSG:32648 (UTM zone 48N; Mongolia spans "
    "zones 45N–50N, EPSG:32645–32650)"
)


def parse_crs(text: str | int | CRS, *, what: str = "--crs") -> CRS:
    """A CRS from user text ("EPSG:32648", "4326", a PROJ string or WKT)."""
    if isinstance(text, CRS):
        return text
    try:
        return CRS.from_user_input(int(text) if str(text).isdigit() else text)
    except _PyprojCRSError as exc:
        raise CRSError(
            f"{what}: {text!r} is not a coordinate reference system I know",
            hint="give an EPSG code such as EPSG:4326 or EPSG:32648",
        ) from exc


@dataclass(frozen=True)
class Reprojection:
    """How a layer was brought into the workspace CRS, for the load report."""

    source_crs: str
    operation: str | None  # the transformation used, None when no reprojection was needed

    def describe(self) -> str:
        if self.operation is None:
            return f"already in {self.source_crs}"
        return f"reprojected from {self.source_crs} to EPSG:4326 with: {self.operation}"


def crs_label(crs: CRS | None, *, short: bool = False) -> str:
    """``EPSG:4326 (WGS 84)`` (``EPSG:4326`` if ``short``), the CRS name when it has no EPSG
    code, ``none`` for no CRS."""
    if crs is None:
        return "none"
    crs = CRS.from_user_input(crs)
    epsg = crs.to_epsg()
    if not epsg:
        return crs.name
    return f"EPSG:{epsg}" if short else f"EPSG:{epsg} ({crs.name})"


def resolve_crs(file_crs: CRS | None, assumed: str | CRS | None, *, path=None) -> CRS:
    """The CRS to read a layer with: the user's ``--crs`` wins, else the file's own.

    A file with no CRS and no ``--crs`` is refused rather than guessed.
    """
    if assumed is not None:
        return parse_crs(assumed)
    if file_crs is None:
        raise CRSError("the file has no coordinate reference system", path=path, hint=CRS_HINT)
    return CRS.from_user_input(file_crs)


def _looks_like_degrees(bounds) -> bool:
    minx, miny, maxx, maxy = bounds
    return -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90


def _in_box(bounds, box) -> bool:
    minx, miny, maxx, maxy = bounds
    return box[0] <= minx and maxx <= box[2] and box[1] <= miny and maxy <= box[3]


def check_coordinates(gdf: gpd.GeoDataFrame, crs: CRS, *, path=None) -> None:
    """Refuse coordinates that do not fit their CRS, explaining the likely cause.

    Raises
    ------
    CRSError
        projected metres in a file labelled as degrees, or degrees labelled as projected.
    SwappedAxesError
        latitude/longitude swapped (x in 41–53 and y in 87–120 for a geographic CRS).
    """
    bounds = gdf.total_bounds
    if not np.all(np.isfinite(bounds)):
        return
    label = crs_label(crs)
    if crs.is_geographic:
        # Checked first: swapped Mongolian longitudes (87.7–119.9) exceed 90 as latitudes, so
        # the "not degrees" test below would otherwise misreport them as projected metres.
        swapped = (bounds[1], bounds[0], bounds[3], bounds[2])
        if not _in_box(bounds, MONGOLIA_BOUNDS) and _in_box(swapped, MONGOLIA_BOUNDS):
            raise SwappedAxesError(
                f"latitude and longitude look swapped: x runs {bounds[0]:.4f}…{bounds[2]:.4f} "
                f"(latitudes in Mongolia are 41.6–52.2) and y runs {bounds[1]:.4f}…"
                f"{bounds[3]:.4f} (longitudes are 87.7–119.9)",
                path=path,
                hint="swap them with --swap-xy, or fix the column order in the file",
            )
        if not _looks_like_degrees(bounds):
            minx, miny = bounds[0], bounds[1]
            utm_like = 100_000 <= minx <= 900_000 and 4_500_000 <= miny <= 6_000_000
            guess = (
                " They look like UTM metres (easting about "
                f"{minx:,.0f}, northing about {miny:,.0f})." if utm_like else ""
            )
            raise CRSError(
                f"the file is labelled {label}, in degrees, but its coordinates are far outside "
                f"±180/±90 (x {bounds[0]:,.1f}…{bounds[2]:,.1f}, y {bounds[1]:,.1f}…"
                f"{bounds[3]:,.1f}): they are projected coordinates, probably metres.{guess}",
                path=path,
                hint="read it with the projected CRS it was made in, e.g. --crs EPSG:32648 "
                "for UTM zone 48N (Mongolia spans zones 45N–50N, EPSG:32645–32650)",
            )
    elif _looks_like_degrees(bounds) and max(abs(bounds[2]), abs(bounds[3])) > 1:
        raise CRSError(
            f"the file is labelled {label}, a projected CRS in metres, but its coordinates "
            f"look like degrees (x {bounds[0]:.4f}…{bounds[2]:.4f}, y {bounds[1]:.4f}…"
            f"{bounds[3]:.4f})",
            path=path,
            hint="read it as degrees with --crs EPSG:4326 (or EPSG:4284 for Pulkovo 1942)",
        )


def swap_xy(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The same layer with x and y exchanged in every coordinate."""
    out = gdf.copy()
    out.geometry = shapely.transform(gdf.geometry.values, lambda xy: xy[:, ::-1])
    return out


def to_workspace_crs(gdf: gpd.GeoDataFrame, crs: CRS) -> tuple[gpd.GeoDataFrame, Reprojection]:
    """Reproject to EPSG:4326 with the most accurate transformation for Mongolia.

    The transformation is chosen for Mongolia's area (so Pulkovo 1942 gets its datum shift, not
    a bare change of ellipsoid) and its name is returned for the load report.
    """
    label = crs_label(crs)
    if crs.equals(WORKSPACE_CRS, ignore_axis_order=True):
        return gdf.set_crs(WORKSPACE_CRS, allow_override=True), Reprojection(label, None)
    # The best available operation for Mongolia's area, taken explicitly from the candidates:
    # Transformer.from_crs returns a run-time chooser whose description is only "unavailable
    # until proj_trans is called", which would leave the load report without the name.
    group = TransformerGroup(crs, WORKSPACE_CRS, always_xy=True, area_of_interest=_AOI)
    transformer = (group.transformers[0] if group.transformers else
                   Transformer.from_crs(crs, WORKSPACE_CRS, always_xy=True,
                                        area_of_interest=_AOI))
    out = gdf.copy()
    out.geometry = shapely.transform(
        gdf.geometry.values, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    )
    out = out.set_crs(WORKSPACE_CRS, allow_override=True)
    desc = transformer.description
    if transformer.accuracy is not None and transformer.accuracy >= 0:
        desc += f" (accuracy {transformer.accuracy:g} m)"
    return out, Reprojection(label, desc)


@lru_cache(maxsize=1)
def mongolia_outline():
    """Mongolia's outline buffered by 10 km (``layers/reference/mongolia_outline.geojson``)."""
    import json

    from landtool.paths import layers_dir

    path = layers_dir() / "reference" / "mongolia_outline.geojson"
    with open(path, encoding="utf-8") as fh:
        feature = json.load(fh)["features"][0]
    geom = shapely.geometry.shape(feature["geometry"])
    shapely.prepare(geom)
    return geom


def outside_mongolia(geoms) -> np.ndarray:
    """Mask of the lon/lat geometries lying wholly outside Mongolia (its outline plus 10 km);
    missing and empty geometries are not outside. The one test of "outside Mongolia"."""
    geoms = np.asarray(geoms, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    return present & ~np.array(shapely.intersects(geoms, mongolia_outline()), dtype=bool)


def check_in_mongolia(gdf: gpd.GeoDataFrame, ids, *, path=None) -> list[str]:
    """Features of a lon/lat layer lying wholly outside Mongolia (its outline plus 10 km).

    Raises :class:`OutsideMongoliaError` when every feature does; returns the ids of the features
    outside when only some do (the caller reports them as warnings).
    """
    inside = ~outside_mongolia(gdf.geometry.values)
    if inside.all():
        return []
    if not inside.any():
        b = gdf.total_bounds
        raise OutsideMongoliaError(
            f"every feature lies outside Mongolia (data spans {b[0]:.3f}…{b[2]:.3f}°E, "
            f"{b[1]:.3f}…{b[3]:.3f}°N; Mongolia is about 87.7–119.9°E, 41.6–52.2°N)",
            path=path,
            hint="check the CRS (a wrong UTM zone moves data by hundreds of km; use --crs) "
            "or whether latitude and longitude are swapped (--swap-xy)",
        )
    return [str(i) for i, ok in zip(ids, inside, strict=True) if not ok]
