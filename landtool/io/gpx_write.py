"""Writing polygons as GPX 1.1 for a handheld receiver: one waypoint per corner and the polygon
as a route of those corners, so a partnership can load it into a Garmin and stake the corners.

Corners are numbered as in an MRPAM corner list (:func:`landtool.io.corners.format_corner_list`):
1, 2, 3, ... along each polygon part's outer boundary in its stored order, the closing corner not
repeated. A layer of one polygon names its waypoints ``1`` … ``n``; with several polygons (or
parts) the names carry the feature's id, ``REQ-2026-016 1`` …, so that no two waypoints share a
name (a receiver replaces a waypoint by another of the same name). Each waypoint's description is
the feature's id; each route is named by it. Holes cannot be staked as a route: only the outer
boundary is written, and the route's description says so. Coordinates are WGS 84 with 8 decimals
(about 1 mm).

The file is written here with the standard library's XML writer rather than GDAL's GPX driver,
which writes one layer at a time and cannot name a route's points.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from landtool.errors import CRSError, EmptyLayerError, GeometryError

NS = "http://www.topografix.com/GPX/1/1"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMA = "http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd"
#: Columns that hold a feature's id, by preference (the catalog kinds' id fields first).
ID_COLUMNS = ("request_id", "parcel_id", "licence_code", "contract_id", "conclusion_no",
              "pcode", "name", "id")


def _id_column(gdf: gpd.GeoDataFrame, id_field: str | None) -> str | None:
    if id_field is not None and id_field in gdf.columns:
        return id_field
    return next((c for c in ID_COLUMNS if c in gdf.columns), None)


def _blocks(gdf: gpd.GeoDataFrame, column: str | None, path: Path) -> list[tuple]:
    """(feature id, route name, outer boundary corners, holes) for every polygon part."""
    blocks = []
    for i, geom in enumerate(gdf.geometry):
        value = gdf[column].iloc[i] if column else None
        fid = str(i + 1) if value is None or pd.isna(value) or not str(value).strip() \
            else " ".join(str(value).split())
        if not isinstance(geom, shapely.Polygon | shapely.MultiPolygon) or geom.is_empty:
            kind = "an empty geometry" if geom is None or geom.is_empty else geom.geom_type
            raise GeometryError(f"a GPX of corners needs polygons, and this is {kind}",
                                path=path, feature=fid,
                                hint="write only polygon layers (requests, parcels, licences, "
                                "...) as GPX")
        parts = list(getattr(geom, "geoms", [geom]))
        for k, poly in enumerate(parts, 1):
            name = fid + (f" part {k}" if len(parts) > 1 else "")
            blocks.append((fid, name, list(poly.exterior.coords)[:-1], len(poly.interiors)))
    return blocks


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrib) -> ET.Element:
    el = ET.SubElement(parent, f"{{{NS}}}{tag}", attrib)
    if text is not None:
        el.text = text
    return el


def _point(parent: ET.Element, tag: str, lon: float, lat: float, name: str,
           desc: str) -> None:
    pt = _sub(parent, tag, lat=f"{lat:.8f}", lon=f"{lon:.8f}")
    _sub(pt, "name", name)
    _sub(pt, "desc", desc)


def gpx_text(gdf: gpd.GeoDataFrame, *, id_field: str | None = None, path: Path | None = None,
             title: str | None = None) -> bytes:
    """The GPX 1.1 document of the polygons of ``gdf`` (EPSG:4326), as UTF-8 bytes."""
    from landtool import __version__

    blocks = _blocks(gdf, _id_column(gdf, id_field), path)
    single = len(blocks) == 1
    ET.register_namespace("", NS)
    ET.register_namespace("xsi", _XSI)
    root = ET.Element(f"{{{NS}}}gpx", {"version": "1.1", "creator": f"landtool {__version__}",
                                       f"{{{_XSI}}}schemaLocation": _SCHEMA})
    meta = _sub(root, "metadata")
    _sub(meta, "name", title or "landtool corners")
    _sub(meta, "desc", "corners numbered 1, 2, 3, ... as in an MRPAM corner list; each "
         "polygon as a route; WGS 84")
    if blocks:  # a document of no polygons (a proposal with no candidates) has no bounds
        x0, y0, x1, y1 = gdf.total_bounds
        _sub(meta, "bounds", minlat=f"{y0:.8f}", minlon=f"{x0:.8f}", maxlat=f"{y1:.8f}",
             maxlon=f"{x1:.8f}")
    label = (lambda name, n: str(n)) if single else (lambda name, n: f"{name} {n}")
    for fid, name, corners, _ in blocks:  # every wpt comes before any rte (GPX 1.1)
        for n, (x, y, *_) in enumerate(corners, 1):
            _point(root, "wpt", x, y, label(name, n), fid)
    for fid, name, corners, holes in blocks:
        rte = _sub(root, "rte")
        _sub(rte, "name", name)
        desc = f"{fid}: {len(corners)} corners"
        if holes:
            desc += (f"; the polygon has {holes} hole(s) a route cannot show: only its outer "
                     "boundary is here")
        _sub(rte, "desc", desc)
        for n, (x, y, *_) in enumerate(corners, 1):
            _point(rte, "rtept", x, y, label(name, n), fid)
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


def write_gpx(gdf: gpd.GeoDataFrame, path: str | Path, *, id_field: str | None = None) -> None:
    """Write the polygons of ``gdf`` as GPX 1.1 waypoints and routes (see the module
    docstring), whole or not at all.

    Parameters
    ----------
    gdf
        Polygons in any CRS (reprojected to EPSG:4326).
    path
        The ``.gpx`` file.
    id_field
        The column holding each feature's id; by default the first of :data:`ID_COLUMNS`
        present, else the features are numbered 1, 2, ...

    Raises
    ------
    CRSError, EmptyLayerError, GeometryError
        No CRS, no features, or a feature that is not a polygon; nothing is written.
    """
    path = Path(path)
    if gdf.crs is None:
        raise CRSError("the layer has no coordinate reference system", path=path,
                       hint="set the CRS of the layer before writing it as GPX")
    if len(gdf) == 0:
        raise EmptyLayerError("the layer has no polygons to write", path=path)
    gdf = gdf if gdf.crs.to_epsg() == 4326 else gdf.to_crs(4326)
    data = gpx_text(gdf, id_field=id_field, path=path, title=path.stem)
    from landtool.io.formats import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
