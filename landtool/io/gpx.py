"""GPX files from handheld receivers: waypoints, routes and tracks as polygons (or points and
lines), read through GDAL's GPX driver; :mod:`landtool.io.gpx_write` writes them.

Reading goes through pyogrio, like every other format of :mod:`landtool.io.formats`: its GDAL has
the GPX driver (GPX 1.0 and 1.1, with the ``route_points`` and ``track_points`` layers that give
each point's order and time), and so the offline guard of :mod:`landtool.io.offline` covers it
too. gpxpy would be a second parser of the same files for no gain; the tests use it to check
what landtool writes.

How a GPX becomes polygons (:func:`read_gpx`):

* **Which part of the file**: its routes if it has any, else its waypoints (if at least 3: a
  ``START`` waypoint beside a walked track does not hide the track), else its tracks
  (``--source-layer waypoints|routes|tracks`` chooses); what is left out is noted.
* **Waypoints** are corners. When every name holds a corner number (``1``, ``002``, ``C3``,
  ``Corner 4``, ``Цэг 5``) they are joined in the order of the numbers, and grouped into one
  polygon per prefix (``A1 A2 A3 B1 B2 B3``: polygons A and B; ``REQ-7 1``, ``REQ-7 2``, ... as
  landtool writes several polygons); otherwise they are joined in the order of the file, as one
  polygon. The load report says which. A polygon is named by the prefix, or by the
  waypoints' common description (landtool writes the feature's id there), else by the file.
* **A route** is one polygon, its points the corners in order.
* **A track** (a walked boundary) is one polygon: its segments joined, closed with a straight
  line from its end to its start, and simplified (Douglas-Peucker) with a tolerance in metres
  (``tolerance_m``, default 2 m) in a transverse Mercator projection centred on the track; the
  report gives the tolerance and how many points were dropped.
* Elevations are ignored. Times are kept as ``gps_time_start`` and ``gps_time_end`` (the first
  and last time, UTC, ISO 8601), or ``gps_time`` per waypoint when points are read.
* A polygon with fewer than 3 distinct corners, or whose boundary crosses itself, is refused,
  naming the file, the route/track/waypoints and the place.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import Transformer

from landtool.errors import EmptyLayerError, GeometryError, LayerLoadError

#: The Douglas-Peucker tolerance a walked track is simplified with, in metres.
DEFAULT_TOLERANCE_M = 2.0

#: The layers GDAL's GPX driver gives that hold the features (the *_points ones hold their
#: points, in order, with their times).
PARTS = ("waypoints", "routes", "tracks")

#: Words that say "corner" or "point" before a waypoint's number: no group of their own.
_CORNER_WORDS = {"", "c", "corner", "p", "pt", "point", "wp", "wpt", "no", "n", "№", "#",
                 "цэг", "булан", "к", "т"}
_NUMBERED = re.compile(r"(?P<prefix>.*?)[\s\-_#:.№]*(?P<num>\d+)\s*", re.S)
_CROSS_HINT = ("a walked boundary that crosses itself has no one shape, so landtool does not "
               "guess one: remove the stray part of the track where it crosses (on the receiver, "
               "in BaseCamp or in QGIS), or mark the corners as waypoints named 1, 2, 3, ... and "
               "load those")


def _error(cls, message: str, path: Path, feature: str | None = None, hint: str | None = None):
    return cls(message, path=path, feature=feature, hint=hint)


def _read(path: Path, layer: str) -> gpd.GeoDataFrame:
    """One layer, with GDAL's feature ids as its index (the ``route_fid`` and ``track_fid``
    of the points)."""
    from landtool.io.geometries import read_frame

    gdf, _ = read_frame(path, str(path), layer=layer, fid_as_index=True)
    return gdf


def _layers(path: Path) -> dict[str, gpd.GeoDataFrame]:
    """The GPX layers of ``path`` by name; refuses a file GDAL cannot read as GPX."""
    try:
        driver = pyogrio.read_info(str(path), layer=0)["driver"]
        if driver != "GPX":
            raise _error(LayerLoadError, f"this is not a GPX file (GDAL reads it as {driver})",
                         path, hint="save the track or waypoints as GPX from the receiver or "
                         "BaseCamp, or name the file by its real format")
        return {name: _read(path, name) for name in (*PARTS, "route_points", "track_points")}
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, RuntimeError) as exc:
        raise _error(LayerLoadError, f"cannot read this GPX file: it is corrupt, cut short or not "
                     f"a GPX ({exc})", path, hint="copy it from the receiver again, or open it "
                     "in BaseCamp or QGIS to check it") from exc


def _iso(times) -> list[str | None]:
    out = []
    for t in times:
        out.append(None if pd.isna(t) else pd.Timestamp(t).tz_convert("UTC")
                   .strftime("%Y-%m-%dT%H:%M:%SZ"))
    return out


def _span(times) -> tuple[str | None, str | None]:
    known = pd.Series(times).dropna()
    if known.empty:
        return None, None
    first, last = _iso([known.min(), known.max()])
    return first, last


def _same_points(layers: dict) -> bool:
    """Whether every waypoint is a point of a route (as in the GPX files landtool writes)."""
    corners = {tuple(c) for c in shapely.get_coordinates(layers["route_points"].geometry.values)}
    return all(tuple(c) in corners
               for c in shapely.get_coordinates(layers["waypoints"].geometry.values))


def _choose(layers: dict, layer: str | None, path: Path, notes: list[str]) -> str:
    count = {name: len(layers[name]) for name in PARTS}
    if layer is not None:
        if layer not in PARTS:
            raise _error(LayerLoadError, f"a GPX file has no layer {layer!r} to read", path,
                         hint="name waypoints, routes or tracks")
        if not count[layer]:
            raise _error(EmptyLayerError, f"the GPX file holds no {layer}", path,
                         hint="its " + ", ".join(f"{n}: {c}" for n, c in count.items()))
        return layer
    # routes, else waypoints (unless too few for a polygon beside a track), else tracks
    order = ("routes", "waypoints", "tracks") if count["waypoints"] >= 3 else \
        ("routes", "tracks", "waypoints")
    chosen = next((name for name in order if count[name]), None)
    if chosen is None:
        raise _error(EmptyLayerError, "the GPX file holds no waypoints, routes or tracks", path,
                     hint="copy the waypoints or the track from the receiver again")
    if chosen == "routes" and count["waypoints"] and _same_points(layers):
        count["waypoints"] = 0
        notes.append("its waypoints are the routes' corners")
    left = [f"{count[n]} {n}" for n in PARTS if n != chosen and count[n]]
    if left:
        notes.append(f"read its {chosen}; left out its {' and '.join(left)} (choose them with "
                     "--source-layer)")
    return chosen


def corner_number(name) -> tuple[str, int] | None:
    """A waypoint name as (group prefix, corner number), or None if it holds no number.

    Examples
    --------
    >>> corner_number("Corner 4"), corner_number("C3"), corner_number("A12")
    (('', 4), ('', 3), ('A', 12))
    >>> corner_number("REQ-2026-016 3"), corner_number("camp")
    (('REQ-2026-016', 3), None)
    """
    if name is None or pd.isna(name):
        return None
    m = _NUMBERED.fullmatch(str(name).strip())
    if m is None:
        return None
    prefix = m["prefix"].strip()
    return ("" if prefix.lower() in _CORNER_WORDS else prefix), int(m["num"])


def _metric(lon: np.ndarray, lat: np.ndarray) -> Transformer:
    """A transverse Mercator projection centred on the points (metres; scale error under
    1e-6 within 15 km of the centre)."""
    lon0, lat0 = float(np.mean(lon)), float(np.mean(lat))
    return Transformer.from_crs(
        "EPSG:4326", f"+proj=tmerc +lat_0={lat0} +lon_0={lon0} +k=1 +x_0=0 +y_0=0 "
        "+ellps=WGS84 +units=m", always_xy=True)


def _crossings(ring: np.ndarray) -> list[tuple[int, int, shapely.Point]]:
    """Where the closed ring ``ring`` (n+1 coordinates) crosses itself: (edge i, edge j, point)
    for each pair of edges that are not neighbours and meet."""
    edges = [shapely.LineString(ring[i:i + 2]) for i in range(len(ring) - 1)]
    tree = shapely.STRtree(edges)
    found = []
    n = len(edges)
    for i, j in zip(*tree.query(edges, predicate="intersects"), strict=True):
        if j <= i + 1 or (i == 0 and j == n - 1):
            continue
        found.append((int(i), int(j), shapely.intersection(edges[i], edges[j])))
    return found


def _corners(lonlat: np.ndarray, path: Path, what: str, hint: str,
             labels: list[str] | None = None) -> shapely.Polygon:
    """The polygon of corners ``lonlat`` in order (closed here), refusing too few or crossing
    corners; ``what`` names them in messages, ``labels`` (by default 1, 2, ...) each corner."""
    if len(lonlat) > 1 and np.allclose(lonlat[0], lonlat[-1], atol=1e-9, rtol=0):
        lonlat = lonlat[:-1]
    labels = labels or [str(i + 1) for i in range(len(lonlat))]
    distinct = len({(float(x), float(y)) for x, y in lonlat})
    if distinct < 3:
        raise _error(GeometryError, f"it has {distinct} distinct "
                     f"{'corner' if distinct == 1 else 'corners'}; a polygon needs at least 3",
                     path, what, "mark every corner of the boundary (at least 3) and load the "
                     "file again")
    poly = shapely.Polygon(lonlat)
    if poly.convex_hull.area < 1e-10:  # about 1 m²: on one line, up to rounding
        raise _error(GeometryError, "its corners lie on one line", path, what,
                     "check that every corner was marked")
    if not poly.is_valid:
        ring = np.vstack([lonlat, lonlat[:1]])
        n = len(lonlat)
        places = [f"the edges {labels[i]}-{labels[(i + 1) % n]} and {labels[j]}-"
                  f"{labels[(j + 1) % n]} cross near {p.centroid.x:.6f}, {p.centroid.y:.6f}"
                  for i, j, p in _crossings(ring)[:3]] or [shapely.is_valid_reason(poly)]
        raise _error(GeometryError, "the corners cross: joined in this order the "
                     f"boundary crosses itself ({'; '.join(places)})", path, what, hint)
    return poly


def _waypoint_polygons(wpt: gpd.GeoDataFrame, path: Path, notes: list[str]) -> list[dict]:
    numbers = [corner_number(n) for n in wpt["name"]]
    lonlat = shapely.get_coordinates(wpt.geometry.values)
    if all(numbers):
        groups: dict[str, list[int]] = {}
        for i, (prefix, _) in enumerate(numbers):
            groups.setdefault(prefix, []).append(i)
        how = "in the order of the numbers in their names"
    else:
        groups = {"": list(range(len(wpt)))}
        odd = next(str(n) for n, k in zip(wpt["name"], numbers, strict=True) if not k)
        how = (f"in the order of the waypoints in the file (not every name is a corner number, "
               f"e.g. {odd!r})")
    out = []
    for prefix, rows in groups.items():
        what = f"waypoints {prefix!r}" if prefix else "the waypoints"
        if all(numbers):
            rows = sorted(rows, key=lambda i: numbers[i][1])
            seen: dict[int, int] = {}
            for i in rows:
                number = numbers[i][1]
                if number in seen:
                    first = seen[number]
                    raise _error(LayerLoadError, f"corner {number} is given twice (waypoints "
                                 f"{first + 1} and {i + 1} of the file, named "
                                 f"{wpt['name'].iloc[first]!r} and {wpt['name'].iloc[i]!r})",
                                 path, what, "give each corner its own number, then load the "
                                 "file again")
                seen[number] = i
            hint = ("they are joined in the order of their numbers: check that the numbers go "
                    "round the boundary (1, 2, 3, ... as on the map)")
        else:
            hint = ("name the waypoints by corner number (1, 2, 3, ... in order round the "
                    "boundary) and load the file again; landtool then joins them in that order")
        poly = _corners(lonlat[rows], path, what, hint,
                        [str(wpt["name"].iloc[i]) for i in rows])
        desc = wpt["desc"].iloc[rows].dropna().unique() if "desc" in wpt else []
        name = prefix or (str(desc[0]) if len(desc) == 1 else None)
        start, end = _span(wpt["time"].iloc[rows]) if "time" in wpt else (None, None)
        label = f"{len(rows)} corners" + (f" of {prefix!r}" if prefix else "")
        notes.append(f"waypoints: {label} joined {how}")
        out.append(dict(name=name, gpx_source="waypoints", n_corners=len(rows),
                        gps_time_start=start, gps_time_end=end, geometry=poly))
    return out


def _points_of(layers: dict, part: str) -> list[pd.DataFrame]:
    """The points of each route or track (in the order of the features), in order; an empty
    frame for a route or track without points."""
    pts = layers["route_points" if part == "routes" else "track_points"]
    fid = "route_fid" if part == "routes" else "track_fid"
    order = [fid, "route_point_id"] if part == "routes" else \
        [fid, "track_seg_id", "track_seg_point_id"]
    pts = pts.sort_values(order, kind="stable")
    by_fid = {k: g for k, g in pts.groupby(fid, sort=True)}
    return [by_fid.get(k, pts.iloc[:0]) for k in layers[part].index]


def _nearest_on_edge(ring: np.ndarray, kept: np.ndarray, k: int, place) -> int:
    """The point of the track ``ring`` nearest ``place`` among those the simplified edge ``k``
    (from ``kept[k]`` to ``kept[k + 1]``, vertices of ``ring``) stands for."""
    start = int(np.flatnonzero((ring == kept[k]).all(axis=1))[0])
    ends = np.flatnonzero((ring == kept[k + 1]).all(axis=1))
    end = int(ends[ends >= start][0]) if (ends >= start).any() else len(ring) - 1
    span = ring[start:end + 1]
    c = place.centroid
    return min(start + int(np.argmin(np.hypot(span[:, 0] - c.x, span[:, 1] - c.y))),
               len(ring) - 2)


def _track_polygon(pts: pd.DataFrame, what: str, path: Path, tolerance_m: float,
                   notes: list[str]) -> shapely.Polygon:
    lonlat = shapely.get_coordinates(pts.geometry.values)
    keep = np.r_[True, (np.diff(lonlat, axis=0) != 0).any(axis=1)]
    lonlat, times = lonlat[keep], list(pts["time"].iloc[keep]) if "time" in pts else None
    if len({(float(x), float(y)) for x, y in lonlat}) < 3:
        return _corners(lonlat, path, what, "")  # refuses, naming the track
    to_m = _metric(lonlat[:, 0], lonlat[:, 1])
    xy = np.column_stack(to_m.transform(lonlat[:, 0], lonlat[:, 1]))
    closed = np.allclose(xy[0], xy[-1], atol=1e-3, rtol=0)
    gap = float(np.hypot(*(xy[-1] - xy[0])))
    ring = xy if closed else np.vstack([xy, xy[:1]])
    simple = shapely.simplify(shapely.LineString(ring), tolerance_m, preserve_topology=False)
    kept = np.asarray(simple.coords)
    if len(kept) < 4 or not shapely.Polygon(kept).is_valid:
        crossing = _crossings(kept) if len(kept) >= 4 else []
        if shapely.Polygon(ring).is_valid or not crossing:  # simplification made it invalid
            kept = np.asarray(shapely.simplify(shapely.Polygon(ring), tolerance_m,
                                               preserve_topology=True).exterior.coords)
        else:
            i, j, place = crossing[0]
            lon, lat = to_m.transform(place.centroid.x, place.centroid.y, direction="INVERSE")
            near = [_nearest_on_edge(ring, kept, k, place) for k in (i, j)]
            when = [_iso([times[k]])[0] if times is not None else None for k in near]
            seen = " and ".join(f"{k + 1}" + (f" ({t})" if t else "") for k, t in
                                zip(near, when, strict=True))
            raise _error(GeometryError, f"the track crosses itself near {lon:.6f}, {lat:.6f} "
                         f"(between its points {seen}), also after closing it and simplifying "
                         f"it with a tolerance of {tolerance_m:g} m", path, what, _CROSS_HINT)
    n_points = len(xy) - (1 if closed else 0)
    dropped = n_points - (len(kept) - 1)
    how = "closed" if closed else f"closed with a straight line from its end to its start " \
        f"({gap:.1f} m)"
    notes.append(f"{what}: {n_points} points {how} and simplified with a tolerance of "
                 f"{tolerance_m:g} m (in a local metric projection): {dropped} points dropped, "
                 f"{len(kept) - 1} corners kept")
    lon, lat = to_m.transform(kept[:, 0], kept[:, 1], direction="INVERSE")
    return shapely.Polygon(np.column_stack([lon, lat]))


def _line_polygons(layers: dict, part: str, path: Path, tolerance_m: float,
                   notes: list[str]) -> list[dict]:
    feats, out = layers[part], []
    for k, pts in enumerate(_points_of(layers, part)):
        name = feats["name"].iloc[k] if "name" in feats else None
        name = None if name is None or pd.isna(name) else str(name)
        what = f"{part[:-1]} {k + 1}" + (f" ({name})" if name else "")
        if pts.empty:
            notes.append(f"{what} has no points: left out")
            continue
        if part == "tracks":
            poly = _track_polygon(pts, what, path, tolerance_m, notes)
        else:
            poly = _corners(shapely.get_coordinates(pts.geometry.values), path, what,
                            "put the route's points in order round the boundary, or name "
                            "waypoints by corner number and load those")
            notes.append(f"{what}: {len(poly.exterior.coords) - 1} corners in the route's order")
        start, end = _span(pts["time"]) if "time" in pts else (None, None)
        out.append(dict(name=name, gpx_source=part[:-1], n_corners=len(poly.exterior.coords) - 1,
                        gps_time_start=start, gps_time_end=end, geometry=poly))
    return out


def _as_is(layers: dict, part: str) -> gpd.GeoDataFrame:
    """Waypoints as points (with ``gps_time`` each) or routes and tracks as lines."""
    gdf = layers[part]
    if part == "waypoints":
        out = gpd.GeoDataFrame({"name": gdf["name"], "desc": gdf["desc"],
                                "gps_time": _iso(gdf["time"])}, geometry=gdf.geometry.values)
    else:
        spans = [_span(p["time"]) for p in _points_of(layers, part)]
        out = gpd.GeoDataFrame({"name": gdf["name"], "desc": gdf["desc"],
                                "gps_time_start": [s for s, _ in spans],
                                "gps_time_end": [e for _, e in spans]},
                               geometry=gdf.geometry.values)
    out = out.reset_index(drop=True)
    return out.set_geometry(shapely.force_2d(out.geometry.values), crs="EPSG:4326")


def read_gpx(path: str | Path, *, layer: str | None = None, polygons: bool | None = True,
             tolerance_m: float = DEFAULT_TOLERANCE_M) -> gpd.GeoDataFrame:
    """Read a GPX file as polygons (or, with ``polygons=False``, as points or lines).

    Parameters
    ----------
    path
        The GPX file.
    layer
        ``"waypoints"``, ``"routes"`` or ``"tracks"``; by default routes, else waypoints, else
        tracks (see the module docstring).
    polygons
        True or None: polygons; False: waypoints as points, routes and tracks as lines.
    tolerance_m
        The tolerance, in metres, a track is simplified with (not used for waypoints or
        routes, whose points are corners).

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326: ``name``, ``gpx_source`` (waypoints, route or track), ``n_corners``,
        ``gps_time_start``, ``gps_time_end`` and the polygons; the notes for the load report
        (which order the corners were joined in, the tolerance, the points dropped) in
        ``attrs["notes"]``.

    Raises
    ------
    LayerLoadError
        The file is not a readable GPX, holds nothing, or a polygon cannot be made from it
        (fewer than 3 corners, crossing corners, a corner number given twice).
    """
    path = Path(path)
    if not tolerance_m >= 0:
        raise ValueError(f"tolerance_m must be 0 or more metres, not {tolerance_m!r}")
    layers = _layers(path)
    notes: list[str] = []
    part = _choose(layers, layer, path, notes)
    if polygons is False:
        gdf = _as_is(layers, part)
    else:
        rows = (_waypoint_polygons(layers[part], path, notes) if part == "waypoints"
                else _line_polygons(layers, part, path, tolerance_m, notes))
        if not rows:
            raise _error(EmptyLayerError, f"the GPX file's {part} have no points", path,
                         hint="copy the track or route from the receiver again")
        unnamed = [r for r in rows if not r["name"]]
        for k, row in enumerate(unnamed, 1):
            row["name"] = path.stem + (f" {k}" if len(unnamed) > 1 else "")
        if unnamed:
            notes.append(f"{len(unnamed)} polygon(s) without a name in the file are named after "
                         f"the file ({unnamed[0]['name']!r})")
        gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    notes.append("GPS elevations are ignored")
    gdf.attrs["notes"] = notes
    return gdf
