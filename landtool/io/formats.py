"""Raw reading and writing of vector files, by format, before any catalog logic.

Formats: GeoPackage, Shapefile (also zipped), GeoJSON, KML and KMZ, CSV (a WKT column, or
lon/lat columns), MRPAM corner coordinate lists (``.txt``, or a CSV with a point-number
column), and GPX from handheld receivers (:mod:`landtool.io.gpx`, :mod:`landtool.io.gpx_write`).
All GDAL I/O goes through pyogrio; writes go to a temporary file that is moved into place only
when complete, so a failed write never leaves a half-written file.
"""

from __future__ import annotations

import csv
import errno
import os
import shutil
import tempfile
import warnings
import zipfile
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError, FieldError, GeometryError

from landtool.errors import EmptyLayerError, LandtoolError, LayerLoadError, OutputError
from landtool.io import offline
from landtool.io.cells import csv_text, csv_untext
from landtool.io.geometries import check_finite, read_frame

_OGR_ERRORS = (DataSourceError, DataLayerError, FieldError, GeometryError, RuntimeError)

SUFFIX_FORMATS = {
    ".gpkg": "GeoPackage",
    ".shp": "Shapefile",
    ".zip": "zipped Shapefile",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".kml": "KML",
    ".kmz": "KMZ",
    ".csv": "CSV",
    ".txt": "corner coordinate list",
    ".gpx": "GPX",
}

WRITE_DRIVERS = {
    ".gpkg": "GPKG",
    ".shp": "ESRI Shapefile",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".kml": "KML",
    ".kmz": "LIBKML",
    ".csv": "CSV",
}

#: Formats landtool writes itself, not through a GDAL driver: suffix -> "module:function".
OWN_WRITERS = {
    ".txt": "landtool.io.corners:write_corner_list",
    ".gpx": "landtool.io.gpx_write:write_gpx",
}

_LON_NAMES = ("lon", "lng", "long", "longitude", "уртраг")
_LAT_NAMES = ("lat", "latitude", "өргөрөг")
_XY_NAMES = (("x", "y"), ("easting", "northing"))
_WKT_NAMES = ("wkt", "geometry", "geom", "the_geom", "shape")
_NUMBER_NAMES = ("№", "no", "no.", "n", "point", "цэг", "дугаар", "point_no")


def file_format(path: Path) -> str:
    """The format name of ``path`` from its suffix, or a LayerLoadError listing the known ones."""
    fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise LayerLoadError(
            f"unknown file type {path.suffix!r}",
            path=path,
            hint="landtool reads " + ", ".join(f"{s} ({f})" for s, f in SUFFIX_FORMATS.items()),
        )
    return fmt


def _check_exists(path: Path) -> None:
    if not path.exists():
        raise LayerLoadError("the file does not exist", path=path,
                             hint="check the path and the file name")
    if path.is_dir():
        raise LayerLoadError("this is a folder, not a file", path=path,
                             hint="name the .gpkg, .shp, .geojson, .kml or .csv file itself")
    if path.stat().st_size == 0:
        raise EmptyLayerError("the file is empty (0 bytes)", path=path,
                              hint="export the layer again from the program that made it")


def _ogr_path(path: Path) -> str:
    if path.suffix.lower() == ".zip":
        if not zipfile.is_zipfile(path):
            raise LayerLoadError("not a valid zip archive (corrupt or truncated)", path=path,
                                 hint="make the zip again from the shapefile's files")
        names = zipfile.ZipFile(path).namelist()
        shps = [n for n in names if n.lower().endswith(".shp")
                and not n.startswith("__MACOSX/") and not n.rsplit("/", 1)[-1].startswith("._")]
        if not shps:
            raise LayerLoadError("the zip archive holds no .shp file", path=path,
                                 hint="zip the .shp together with its .shx, .dbf and .prj")
        try:
            with zipfile.ZipFile(path) as zf, zf.open(shps[0]) as shp:
                head = shp.read(4)
        except (zipfile.BadZipFile, RuntimeError, OSError):  # damaged or encrypted: GDAL says
            head = b""
        if _is_shp(head):
            _check_shapefile_parts(path, shps[0], names)
        # GDAL only looks at the top of the archive; zipping a folder puts the files in it.
        folder = shps[0].rsplit("/", 1)[0] if "/" in shps[0] else ""
        return f"/vsizip/{path}/{folder}" if folder else f"/vsizip/{path}"
    if path.suffix.lower() == ".shp" and path.is_file():
        with path.open("rb") as shp:
            if _is_shp(shp.read(4)):
                _check_shapefile_parts(path, path.name, [p.name for p in path.parent.iterdir()])
    return str(path)


#: The files a shapefile cannot be read without, and what each one holds.
_SHAPEFILE_PARTS = {".shx": "its index of the shapes", ".dbf": "its table of attributes"}


def _is_shp(head: bytes) -> bool:
    """Whether ``head`` opens a .shp file (its file code, 9994 big-endian); anything else is
    left to GDAL, which calls it corrupt."""
    return head == (9994).to_bytes(4, "big")


def _check_shapefile_parts(path: Path, shp: str, names: list[str]) -> None:
    """Refuse a shapefile ``shp`` (a name among ``names``, the files beside it or in its zip
    archive ``path``) whose .shx or .dbf is missing, naming the missing file: GDAL would read
    no table at all (no .dbf), or fail deep inside pyogrio (no .shx in a zip)."""
    stem = shp[: -len(".shp")].lower()
    present = {n.lower() for n in names}
    for suffix, holds in _SHAPEFILE_PARTS.items():
        if stem + suffix in present:
            continue
        part = shp.rsplit("/", 1)[-1][: -len(".shp")] + suffix
        where = "in the zip archive" if path.suffix.lower() == ".zip" else "beside it"
        raise LayerLoadError(
            f"the shapefile's {suffix} file ({holds}) is missing: there is no {part} {where}",
            path=path,
            hint=f"a shapefile is several files; copy {part} from where the shapefile was made "
            f"and put it {'in the zip' if where.startswith('in') else 'in the same folder'}, "
            "or export the layer again (a GeoPackage is one file)",
        )


def list_layers(path: Path) -> list[str]:
    """The layer names in a file (one for most formats)."""
    try:
        return [str(name) for name, _ in pyogrio.list_layers(_ogr_path(path))]
    except _OGR_ERRORS as exc:
        raise LayerLoadError(
            f"cannot read this {file_format(path)} file: it is corrupt or not a "
            f"{file_format(path)} ({exc})",
            path=path,
            hint="open it in QGIS to check it, or export it again",
        ) from exc


def _read_ogr(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    ogr_path = _ogr_path(path)
    layers = list_layers(path)
    fmt = file_format(path)
    if layer is not None and layer not in layers:
        raise LayerLoadError(f"there is no layer {layer!r} in the file", path=path,
                             hint=f"its layers are: {', '.join(layers)}")
    try:
        if layer is None and fmt in ("KML", "KMZ") and len(layers) > 1:
            # Google Earth files keep features in folders, which GDAL reads as layers.
            parts = [_read_frame(path, ogr_path, layer=name) for name in layers]
            parts = [p for p in parts if len(p)]
            if not parts:
                return _read_frame(path, ogr_path, layer=layers[0], max_features=0)
            return pd.concat(parts, ignore_index=True)
        if layer is None and len(layers) > 1:
            raise LayerLoadError(
                f"the file has {len(layers)} layers and I cannot tell which one to read",
                path=path,
                hint=f"name one with --source-layer; its layers are: {', '.join(layers)}",
            )
        return _read_frame(path, ogr_path, layer=layer)
    except _OGR_ERRORS as exc:
        raise LayerLoadError(f"cannot read this {fmt} file: {exc}", path=path,
                             hint="open it in QGIS to check it, or export it again") from exc


def _read_frame(path: Path, ogr_path: str, **kwargs) -> gpd.GeoDataFrame:
    """One layer through pyogrio; a shapefile whose .cpg says UTF-8 but whose text is not is
    read as Windows-1251 (the encoding of Mongolian shapefiles made by older programs), with a
    note saying so."""
    try:
        gdf, messages = read_frame(path, ogr_path, **kwargs)
    except UnicodeDecodeError as exc:
        if file_format(path) not in ("Shapefile", "zipped Shapefile"):
            raise LayerLoadError(
                f"its text is not UTF-8, as a {file_format(path)} file's must be ({exc.reason} "
                f"at byte {exc.start})", path=path,
                hint="save it again as UTF-8 (in QGIS: Export > Save Features As, "
                "encoding UTF-8)",
            ) from exc
        gdf, messages = read_frame(path, ogr_path, encoding="cp1251", **kwargs)
        if any("converted" in str(w.message) for w in messages):  # GDAL put '?' for some bytes
            raise LayerLoadError(
                "its .cpg file says the text is UTF-8, but it is not (nor Windows-1251)",
                path=path,
                hint="write the encoding the shapefile was made with in its .cpg file (for "
                "example CP1251 or CP866), or export it again as UTF-8",
            ) from exc
        gdf.attrs.setdefault("notes", []).append(
            "its .cpg file says the text is UTF-8, but it is not: read as Windows-1251 "
            "(Cyrillic); if names look wrong, write the right encoding in the .cpg file")
    for w in messages:  # GDAL's other warnings, shown as they came (from pyogrio)
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return gdf


def _read_text(path: Path) -> str:
    from landtool.io.corners import decode_text

    return decode_text(path.read_bytes(), path)[0]


def _find(columns, names) -> str | None:
    lower = {str(c).strip().lower(): c for c in columns}
    for n in names:
        if n in lower:
            return lower[n]
    return None


def _read_csv(path: Path, *, polygons: bool | None) -> gpd.GeoDataFrame:
    """CSV with a WKT column, lon/lat (or x/y) columns, or a corner list with point numbers."""
    from io import StringIO

    text = _read_text(path)
    try:
        df = pd.read_csv(StringIO(text), sep=None, engine="python", dtype=str)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        raise LayerLoadError(f"cannot read this CSV file: {exc}", path=path,
                             hint="check the separators and quotes on the line named") from exc
    if df.empty:
        raise EmptyLayerError("the CSV file has a header but no rows", path=path)
    df = df.map(csv_untext)  # a quoted '=... from landtool's own CSV outputs
    wkt = _find(df.columns, _WKT_NAMES)
    if wkt is not None:
        geoms = []
        for i, value in enumerate(df[wkt]):
            if not isinstance(value, str) or not value.strip():
                raise LayerLoadError(
                    f"row {i + 2} has no geometry: its {wkt} cell is empty", path=path,
                    feature=f"row {i + 2}",
                    hint="fill in the geometry as WKT (e.g. POLYGON ((106.1 48.2, ...))) or "
                    "delete the row",
                )
            try:
                geoms.append(shapely.from_wkt(value))
            except shapely.errors.GEOSException as exc:
                raise LayerLoadError(
                    f"column {wkt} does not hold valid WKT ({exc})", path=path,
                    feature=f"row {i + 2}", hint="fix the geometry text on that row",
                ) from exc
        return gpd.GeoDataFrame(df.drop(columns=[wkt]), geometry=geoms, crs=None)
    lon, lat = _find(df.columns, _LON_NAMES), _find(df.columns, _LAT_NAMES)
    number = _find(df.columns, _NUMBER_NAMES)
    if lon is not None and lat is not None and number is not None and polygons is not False:
        return read_corners(path)
    if lon is not None and lat is not None:
        crs = "EPSG:4326"  # the header says degrees: WGS 84 unless --crs says otherwise
        xcol, ycol = lon, lat
        names = ("longitude", "latitude")
    else:
        for xn, yn in _XY_NAMES:
            xcol, ycol = _find(df.columns, (xn,)), _find(df.columns, (yn,))
            if xcol is not None and ycol is not None:
                break
        else:
            raise LayerLoadError(
                "the CSV has no geometry: no WKT column and no lon/lat or x/y columns",
                path=path,
                hint="name the columns lon and lat (or wkt); its columns are: "
                + ", ".join(map(str, df.columns)),
            )
        crs = None
        names = ("x", "y")
    from landtool.io.corners import parse_dms  # DMS and comma decimals in point files too

    coords = []
    for i, (xv, yv) in enumerate(zip(df[xcol], df[ycol], strict=True)):
        empty = [(name, col) for name, col, v in zip(names, (xcol, ycol), (xv, yv), strict=True)
                 if not isinstance(v, str) or not v.strip()]
        if empty:
            what = " or ".join(name for name, _ in empty)
            raise LayerLoadError(
                f"row {i + 2} has no {what}: its {' and '.join(c for _, c in empty)} "
                f"{'cell is' if len(empty) == 1 else 'cells are'} empty",
                path=path, feature=f"row {i + 2}",
                hint="fill in the coordinate, or delete the row",
            )
        try:
            coords.append((parse_dms(str(xv)), parse_dms(str(yv))))
        except LayerLoadError as exc:
            raise LayerLoadError(exc.message, path=path, feature=f"row {i + 2}",
                                 hint=exc.hint) from exc
    geoms = [shapely.Point(x, y) for x, y in coords]
    return gpd.GeoDataFrame(df.drop(columns=[xcol, ycol]), geometry=geoms, crs=crs)


def read_corners(path: Path) -> gpd.GeoDataFrame:
    """An MRPAM corner list (``.txt``, or a CSV with point numbers) as polygons in WGS 84
    degrees, with its notes and named datums in ``attrs``: see
    :func:`landtool.io.corners.read_corner_list`, the one reader of corner lists."""
    from landtool.io.corners import read_corner_list

    return read_corner_list(path)


def read_raw(path: str | Path, *, layer: str | None = None,
             polygons: bool | None = None,
             gpx_tolerance_m: float | None = None) -> gpd.GeoDataFrame:
    """Read a vector file as it is: its own fields, its own CRS (None if it has none).

    ``polygons`` tells a CSV with point numbers and lon/lat whether it is a corner list
    (True), a table of points (False), or to decide by its columns (None); a GPX file is read
    as polygons unless it is False (then as points or lines). A corner list carries its notes
    in ``attrs["notes"]`` and the datums it names in ``attrs["datums"]``; a GPX file its notes.
    ``gpx_tolerance_m`` is the tolerance a GPX track is simplified with (by default
    :data:`landtool.io.gpx.DEFAULT_TOLERANCE_M`).
    """
    path = Path(path)
    fmt = file_format(path)
    _check_exists(path)
    mark = offline.refused()
    if fmt == "CSV":
        gdf = _read_csv(path, polygons=polygons)
    elif fmt == "corner coordinate list":
        gdf = read_corners(path)
    elif fmt == "GPX":
        from landtool.io.gpx import DEFAULT_TOLERANCE_M, read_gpx

        tolerance = DEFAULT_TOLERANCE_M if gpx_tolerance_m is None else gpx_tolerance_m
        gdf = read_gpx(path, layer=layer, polygons=polygons, tolerance_m=tolerance)
    else:
        gdf = _read_ogr(path, layer)
    check_finite(gdf, path)
    for url in dict.fromkeys(offline.refused_since(mark)):
        gdf.attrs.setdefault("notes", []).append(
            f"the file asks for {url} over the network; landtool reads files offline, so it "
            "was not fetched (a coordinate system given by a link is taken as WGS 84: give "
            "--crs if it is another)")
    attrs = dict(gdf.attrs)  # a corner list's notes and datums, kept through the steps below
    if len(gdf) == 0:
        raise EmptyLayerError(f"the {fmt} file holds no features", path=path,
                              hint="check that you exported the right layer")
    if gdf.geometry.name != "geometry":
        gdf = gdf.rename_geometry("geometry")
    if fmt in ("KML", "KMZ"):
        gdf = _drop_empty_kml_columns(gdf)
    if shapely.has_z(gdf.geometry.values).any():
        gdf = gdf.set_geometry(shapely.force_2d(gdf.geometry.values), crs=gdf.crs)
    gdf.attrs.update(attrs)
    return gdf


# Columns GDAL's KML drivers add to every layer; dropped when the file leaves them empty, so
# they cannot be mistaken for real attributes (e.g. an empty ``id`` for a request id).
_KML_BOOKKEEPING = ("id", "timestamp", "begin", "end", "altitudeMode", "tessellate", "extrude",
                    "visibility", "drawOrder", "icon")


def _drop_empty_kml_columns(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    empty = [c for c in _KML_BOOKKEEPING if c in gdf.columns
             and (gdf[c].isna() | (gdf[c].astype(str).str.strip() == "")).all()]
    # GDAL fills tessellate/extrude/visibility/drawOrder with defaults (-1, 0) when unset
    defaults = [c for c in ("tessellate", "extrude", "visibility", "drawOrder")
                if c in gdf.columns and c not in empty
                and gdf[c].astype(str).isin(["-1", "0", "1", "None", "nan"]).all()]
    return gdf.drop(columns=empty + defaults)


def check_writable(path: str | Path, *, overwrite: bool = False) -> Path:
    """Refuse, before any work is done, an output path that cannot be written."""
    path = Path(path)
    if path.is_dir():
        raise OutputError("this is a folder; give a file name", path=path)
    if path.exists() and not overwrite:
        raise OutputError("the file already exists", path=path,
                          hint="choose another name, or pass --force to overwrite it")
    check_parent_writable(path)
    return path


def check_parent_writable(path: Path) -> None:
    """Refuse an output whose folder cannot be made or written: the nearest existing
    ancestor must be a folder this process can write in."""
    parent = path.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(f"{parent} is a file, so no folder can be made there", path=path,
                          hint="choose an output place inside a folder")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"no permission to write in {parent}", path=path,
                          hint="choose a folder you can write to")


@contextmanager
def atomic_paths(*paths: str | Path):
    """Temporary paths beside each of ``paths``; all moved into place only if the block
    succeeds, so several outputs appear together or not at all (short of a failure between
    the final moves, which are each atomic).

    Raises
    ------
    OutputError
        Two of ``paths`` are the same file, a folder cannot be made, a temporary file cannot
        be created, or a file cannot be moved into place; the message names the file.
    """
    from contextlib import ExitStack

    finals = [Path(p) for p in paths]
    seen: dict[Path, Path] = {}
    for final in finals:
        key = final.resolve()
        if key in seen:
            raise OutputError(
                "two outputs are given the same file" + (
                    f" ({seen[key]} and {final})" if seen[key] != final else ""),
                path=final, hint="give each output its own file name",
            )
        seen[key] = final
    with ExitStack() as stack:
        temps = [stack.enter_context(_temp_beside(p)) for p in finals]
        try:
            yield temps
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
                raise
            raise OutputError("the disk is full, so nothing was written", path=finals[0],
                              hint="free some space on that disk, or write elsewhere") from exc
        for tmp, final in zip(temps, finals, strict=True):
            try:
                os.replace(tmp, final)
            except OSError as exc:
                raise OutputError(
                    f"cannot put the file in place ({exc.strerror or exc})", path=final,
                    hint="check that the name is not a folder and that the folder can be "
                    "written to",
                ) from exc


@contextmanager
def _temp_beside(path: Path):
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    except OSError as exc:
        raise OutputError(
            f"cannot write in the folder {path.parent} ({exc.strerror or exc})", path=path,
            hint="check that the folder exists or can be created, that it is not a file, and "
            "that you can write to it",
        ) from exc
    os.close(fd)
    os.unlink(tmp)  # GDAL wants to create the file itself
    tmp = Path(tmp)
    try:
        yield tmp
    finally:
        for leftover in tmp.parent.glob(f"{tmp.stem}.*"):
            leftover.unlink(missing_ok=True)


@contextmanager
def atomic_path(path: str | Path):
    """Yield a temporary path beside ``path``; move it into place only if the block succeeds."""
    with atomic_paths(path) as (tmp,):
        yield tmp


def write_vector(gdf: gpd.GeoDataFrame, path: str | Path, *, layer: str | None = None) -> None:
    """Write a layer to any supported format by suffix, atomically: all or nothing (for a
    shapefile, all or nothing per set of files up to the final moves; see
    :func:`_write_shapefile`)."""
    path = Path(path)
    suffix = path.suffix.lower()
    driver = WRITE_DRIVERS.get(suffix)
    if driver is None and suffix not in OWN_WRITERS:
        raise LayerLoadError(f"cannot write {suffix!r} files", path=path,
                             hint="write one of: " + ", ".join(sorted([*WRITE_DRIVERS,
                                                                       *OWN_WRITERS])))
    try:
        if suffix in OWN_WRITERS:
            import importlib

            module, name = OWN_WRITERS[suffix].split(":")
            getattr(importlib.import_module(module), name)(gdf, path)
        else:
            _write(gdf, path, suffix, driver, layer)
    except (OSError, *_OGR_ERRORS) as exc:  # a folder that cannot be made, no permission, ...
        raise LandtoolError(
            f"cannot write the file ({exc}); it was not written", path=path,
            hint="check that the folder can be created and written to, and that the disk "
            "is not full",
        ) from exc


def _write(gdf: gpd.GeoDataFrame, path: Path, suffix: str, driver: str,
           layer: str | None) -> None:
    if driver == "CSV":
        # a text starting with = + - @ gets a quote, never a live formula; _read_csv takes
        # it off again (landtool.io.cells)
        out = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).map(csv_text)
        # Full precision: to_wkt() rounds to 6 decimals by default (~0.1 m in degrees, more
        # in metres), which would make a CSV round trip change areas and validity.
        out["wkt"] = gdf.geometry.to_wkt(rounding_precision=-1)
        with atomic_path(path) as tmp:
            out.to_csv(tmp, index=False)
        return
    if driver in ("KML", "LIBKML"):
        gdf = gdf.to_crs(4326)
    if suffix == ".shp":
        _write_shapefile(gdf, path, driver)
        return
    with atomic_path(path) as tmp:
        pyogrio.write_dataframe(gdf, tmp, driver=driver, layer=layer or path.stem)


#: Every file that belongs to a shapefile ``name.shp``, by the ending after ``name``.
SHAPEFILE_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".shp.xml")


def _sidecars(path: Path) -> list[Path]:
    """The files of the shapefile ``path`` that exist (endings in any case)."""
    stem = path.name[: -len(path.suffix)]
    if not path.parent.is_dir():
        return []
    return [f for f in path.parent.iterdir()
            if f.name.startswith(stem) and f.name[len(stem):].lower() in SHAPEFILE_SIDECARS]


def _write_shapefile(gdf: gpd.GeoDataFrame, path: Path, driver: str) -> None:
    """Write a shapefile as one set of files, all or nothing up to the final moves.

    The whole set (.shp, .shx, .dbf, .prj, .cpg) is written in a temporary folder beside
    ``path``; a failure there leaves the target's files untouched. Only then are ALL the
    target's existing files removed (.shp .shx .dbf .prj .cpg .qix .sbn .sbx .shp.xml: a
    spatial index or metadata left from an earlier file would describe other data) and the
    new ones moved in. Each move is atomic, but the set is not: an interruption between the
    moves can leave an incomplete set.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmpdir = tempfile.mkdtemp(prefix=f".{path.stem}-", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write in the folder {path.parent} ({exc.strerror or exc})",
                          path=path, hint="check that the folder can be created and written "
                          "to") from exc
    try:
        tmp = Path(tmpdir) / path.name
        pyogrio.write_dataframe(gdf, tmp, driver=driver, encoding="UTF-8")
        new = _sidecars(tmp)
        try:
            for old in _sidecars(path):
                old.unlink()
            for part in new:
                os.replace(part, path.parent / (path.stem + part.name[len(tmp.stem):]))
        except OSError as exc:
            raise OutputError(f"cannot put the shapefile's files in place ({exc})", path=path,
                              hint="check that the files are not open in another program "
                              "and that the folder can be written to") from exc
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
