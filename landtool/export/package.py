"""The submission package of a request: a folder (and a zip of it) for the Khural and MRPAM.

What a package folder holds (:data:`PACKAGE_FILES`):

===============  ==============================================================================
report.pdf       the report (:mod:`landtool.export.report`), Mongolian by default
map.png          the printed map the report shows (A4 landscape, 300 dpi)
map.html         the interactive map (opens offline in a browser)
request.gpkg     the request and its eligible part (layer ``request``; field ``part``)
request.kml      the same for Google Earth (``Name`` labels each polygon)
corners.csv      the corners, numbered as in the report: DMS and decimal degrees
corners.txt      the same as an MRPAM corner list (``landtool corners read`` reads it back)
check.json       the saved check result the package documents
witness.json     the decisions log's length and last hash when the package was made
                 (``landtool register verify WS --witness witness.json`` checks the log
                 against it later)
costs.xlsx       the rehabilitation cost lines (only when the applicant has parcels to price)
===============  ==============================================================================

A package is never half-written: it is built in a temporary folder beside the target and moved
into place only when complete; the zip appears with it. An existing folder or zip is refused
unless ``force`` is given, and bad input (an unknown request, no saved check, a missing font) is
refused before anything is written.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from landtool.errors import LandtoolError, OutputError
from landtool.export._background import background_imagery
from landtool.io.formats import check_parent_writable
from landtool.workspace import Workspace

PACKAGE_FILES = ("report.pdf", "map.png", "map.html", "request.gpkg", "request.kml",
                 "corners.csv", "corners.txt", "check.json", "witness.json",
                 "costs.xlsx")
CORNER_COLUMNS = ("polygon", "part", "no", "longitude_dms", "latitude_dms", "longitude",
                  "latitude")
MapFormat = Literal["pdf", "png", "html"]
Paper = Literal["a4", "a3"]
Orientation = Literal["landscape", "portrait"]
#: the steps of :func:`build_package`, in order, as its ``progress`` callback names them
PACKAGE_STEPS = ("map", "report", "files", "zip")


class Cancelled(LandtoolError):
    """Raised by a ``progress`` callback to stop building a package (nothing is written)."""


_PART_NAMES = {"mn": "олгох боломжтой хэсэг", "en": "eligible part"}


@dataclass
class Package:
    """A package written: its folder, its zip and the files in the folder."""

    request_id: str
    folder: Path
    zip: Path
    files: list[str] = field(default_factory=list)


def zip_path(folder: str | Path) -> Path:
    """Where the zip of a package folder goes: beside it, ``<folder>.zip``."""
    folder = Path(folder)
    return folder.with_name(folder.name + ".zip")


def folder_name(request_id: str) -> str:
    """A request id as a folder name (characters other than letters, digits, ``.-_`` -> _)."""
    return re.sub(r"[^\w.-]+", "_", str(request_id)).strip("._") or "request"


def check_target(folder: str | Path, *, force: bool = False) -> Path:
    """Refuse, before any work, a package folder (or its zip) that cannot be written."""
    folder = Path(folder)
    for path in (folder, zip_path(folder)):
        if path.exists() and not force:
            what = "folder" if path.is_dir() else "file"
            raise OutputError(f"the {what} already exists", path=path,
                              hint="choose another --out, or pass --force to replace it")
    if folder.exists() and not folder.is_dir():
        raise OutputError("a file is in the way of the package folder", path=folder,
                          hint="choose another --out")
    if zip_path(folder).is_dir():
        raise OutputError("a folder is in the way of the package's zip", path=zip_path(folder),
                          hint="choose another --out")
    check_parent_writable(folder)
    return folder


def request_ids(ws: Workspace) -> list[str]:
    """Every request id in the workspace's request layers, in queue order where known."""
    rows = []
    for name in ws.layers_of_kind("requests"):
        gdf = ws.read(name)
        queue = gdf["queue_no"] if "queue_no" in gdf.columns else [None] * len(gdf)
        rows += [(q, str(rid)) for q, rid in zip(queue, gdf["request_id"], strict=True)]
    seen, out = set(), []
    for _, rid in sorted(rows, key=lambda r: (r[0] is None or r[0] != r[0], r[0] or 0, r[1])):
        if rid not in seen:
            seen.add(rid)
            out.append(rid)
    return out


# -- the files ----------------------------------------------------------------------------------

def request_frame(data, lang: str):
    """The request and its eligible part (if any) as MultiPolygons in EPSG:4326."""
    import geopandas as gpd
    import shapely

    from landtool.export.report import TEXT

    t = TEXT[lang]
    result = data.result
    rows = [("request", data.request_id, data.geometry, result["area_ha"])]
    if data.eligible_part is not None and not data.eligible_part.is_empty:
        rows.append(("eligible_part", f"{data.request_id} ({_PART_NAMES[lang]})",
                     data.eligible_part, result["eligible_area_ha"]))
    applicant = data.request.get("applicant")
    return gpd.GeoDataFrame({
        "Name": [r[1] for r in rows],
        "request_id": data.request_id,
        "part": [r[0] for r in rows],
        "applicant": None if applicant is None else str(applicant),
        "area_ha": [round(float(r[3]), 6) for r in rows],
        "status": result["status"],
        "Description": [f"{data.request_id}: {t['area' if r[0] == 'request' else 'eligible_area']}"
                        f" {r[3]:.4f} {t['u_ha']}" for r in rows],
    }, geometry=[_multi(r[2], shapely) for r in rows], crs=4326)


def _multi(geom, shapely):
    if isinstance(geom, shapely.MultiPolygon):
        return geom
    if isinstance(geom, shapely.Polygon):
        return shapely.MultiPolygon([geom])
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, shapely.Polygon)]
    return shapely.MultiPolygon(parts)


def write_corners_csv(data, path: Path, lang: str) -> None:
    """The corners of the request and its eligible part, numbered as in the report."""
    from landtool.export.report import corner_blocks

    shapes = [("request", data.request_id, data.geometry)]
    if data.eligible_part is not None and not data.eligible_part.is_empty:
        shapes.append(("eligible_part", data.request_id, data.eligible_part))
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:  # BOM: Excel reads UTF-8
        writer = csv.writer(fh)
        writer.writerow(CORNER_COLUMNS)
        for polygon, name, geom in shapes:
            for part, block in enumerate(corner_blocks(name, geom, lang), 1):
                for (no, lon_dms, lat_dms), (lon, lat) in zip(block["rows"], block["coords"],
                                                              strict=True):
                    writer.writerow([polygon, part, no, lon_dms, lat_dms, f"{lon:.9f}",
                                     f"{lat:.9f}"])


def _write_files(data, folder: Path, lang: str, paper: str = "a4",
                 orientation: str = "landscape", step=lambda _name: None,
                 background=None) -> None:
    from landtool.export.printmap import render_map
    from landtool.export.report import write_report
    from landtool.export.webmap import write_web_map
    from landtool.io.corners import format_corner_list
    from landtool.io.formats import write_vector

    step("map")
    map_png = render_map(data, folder / "map.png", paper=paper, orientation=orientation,
                         lang=lang, dpi=300, background=background)
    step("report")
    write_report(data, folder / "report.pdf", lang=lang, map_png=map_png)
    step("files")
    write_web_map(data, folder / "map.html", lang=lang)
    frame = request_frame(data, lang)
    write_vector(frame, folder / "request.gpkg", layer="request")
    write_vector(frame, folder / "request.kml", layer="request")
    write_corners_csv(data, folder / "corners.csv", lang)
    shapes = [(n, g) for n, g in zip(frame["Name"], frame.geometry, strict=True)]
    (folder / "corners.txt").write_text(format_corner_list(shapes, lang=lang), encoding="utf-8")
    check = {"request_id": data.request_id, "checked_at": data.check.checked_at,
             **data.check.report}
    (folder / "check.json").write_text(json.dumps(check, ensure_ascii=False, indent=2),
                                       encoding="utf-8")
    if data.witness is not None:
        from landtool.witness import write_json

        write_json(data.witness, folder / "witness.json")
    if data.estimate is not None:
        from landtool.rehab.export import write_xlsx

        write_xlsx(data.estimate, folder / "costs.xlsx")


def _zip(folder: Path, target: Path, arcname: str) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, f"{arcname}/{path.name}")


def _place(built: Path, built_zip: Path, folder: Path, zipped: Path) -> None:
    """Move a finished package into place, replacing an old one (``force``) only now."""
    old = None
    try:
        if folder.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}-old-", dir=folder.parent))
            os.replace(folder, old / folder.name)
        os.replace(built, folder)
        os.replace(built_zip, zipped)
    except OSError as exc:
        raise OutputError(f"cannot put the package in place ({exc.strerror or exc})",
                          path=folder, hint="check that no file of it is open in another "
                          "program and that the folder can be written to") from exc
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def build_package(ws: Workspace, request_id: str, out: str | Path, *, lang: str = "mn",
                  rates: str = "mn-illustrative-2026", dem: str | Path | None = None,
                  force: bool = False, paper: str = "a4", orientation: str = "landscape",
                  progress: Callable[[str], None] | None = None,
                  background: str | Path | bool | None = None) -> Package:
    """Write the submission package of ``request_id`` to the folder ``out`` and ``out.zip``.

    Parameters
    ----------
    ws
        The workspace, with the request's check saved (``landtool check --save``).
    request_id
        The request.
    out
        The package folder to create (with its zip beside it, ``<out>.zip``).
    lang
        ``"mn"`` (default) or ``"en"``: the report, the maps and the corner lists.
    rates
        The rate file (id or path) pricing the applicant's remaining rehabilitation.
    dem
        A DEM for pit volumes (default: ``mandal_dem.tif`` beside the workspace, if any).
    force
        Replace an existing package folder and zip (only once the new one is complete).
    paper, orientation
        The printed map's paper (``"a4"`` or ``"a3"``) and orientation (``"landscape"`` or
        ``"portrait"``).
    background
        The imagery under the map (a file or tile folder); None: the workspace's background
        imagery, if it has one; False: none.
    progress
        Called with the name of each step before it starts (:data:`PACKAGE_STEPS`: ``"map"``,
        ``"report"``, ``"files"``, ``"zip"``). If it raises :class:`Cancelled`, the build
        stops and nothing is written (the temporary folder is removed).

    Raises
    ------
    CheckError
        The request is unknown or has no saved check.
    OutputError
        The folder or zip exists (without ``force``), cannot be written, or the report font is
        missing. Nothing is written in any of these cases.
    Cancelled
        ``progress`` raised it; nothing is written.
    """
    from landtool.export.data import gather
    from landtool.export.report import check_lang, register_fonts

    check_lang(lang)
    _choice(paper, Paper, "paper size")
    _choice(orientation, Orientation, "orientation")
    step = progress or (lambda _name: None)
    folder = check_target(out, force=force)
    register_fonts()
    data = gather(ws, request_id, rates=rates, dem=dem)
    imagery = background_imagery(ws, background)
    made = [p for p in (folder.parent, *folder.parent.parents) if not p.exists()]
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        building = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    except OSError as exc:
        raise OutputError(f"cannot write in the folder {folder.parent} ({exc.strerror or exc})",
                          path=folder, hint="choose a folder you can write to") from exc
    try:
        inner = building / folder.name
        built_zip = building / "package.zip"
        try:
            inner.mkdir()
            _write_files(data, inner, lang, paper, orientation, step, background=imagery)
            step("zip")
            _zip(inner, built_zip, folder.name)
        except Cancelled:
            raise
        except OSError as exc:  # a full disk, a folder gone: say so; nothing is left behind
            raise OutputError(f"cannot write the package ({exc.strerror or exc}); nothing was "
                              "written", path=folder, hint="check that the disk is not full "
                              "and that the folder can be written to") from exc
        except LandtoolError as exc:  # name the package, not the temporary folder
            what = f"{exc.path.name} of the package" if exc.path else "the package"
            raise type(exc)(f"cannot write {what}: {exc.message}", path=folder,
                            feature=exc.feature, hint=exc.hint) from exc
        files = sorted(p.name for p in inner.iterdir())
        _place(inner, built_zip, folder, zip_path(folder))
    except Cancelled:
        shutil.rmtree(building, ignore_errors=True)
        for parent in made:  # the folders made for it, innermost first, if still empty
            try:
                parent.rmdir()
            except OSError:
                break
        raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return Package(request_id, folder, zip_path(folder), files)


def iter_packages(ws: Workspace, request_ids: Sequence[str], out_root: str | Path, *,
                  lang: str = "mn", rates: str = "mn-illustrative-2026",
                  dem: str | Path | None = None, force: bool = False,
                  background: str | Path | bool | None = None,
                  ) -> Iterator[tuple[str, Package | LandtoolError]]:
    """Write one package per request in ``out_root/<request id>/`` (and ``.zip``).

    Yields ``(request_id, Package)`` for each package written and ``(request_id, error)`` for
    each request refused (unknown, not checked, its folder exists, ...), going on with the
    rest. What concerns every request (the language, the report font, an ``out_root`` that is a
    file) is checked first and raised before anything is written.
    """
    from landtool.export.report import check_lang, register_fonts

    check_lang(lang)
    out_root = Path(out_root)
    if out_root.exists() and not out_root.is_dir():
        raise OutputError("this is a file; give a folder to put the packages in", path=out_root,
                          hint="choose another --out")
    register_fonts()
    for rid in dict.fromkeys(request_ids):
        try:
            yield rid, build_package(ws, rid, out_root / folder_name(rid), lang=lang,
                                     rates=rates, dem=dem, force=force,
                                     background=background)
        except LandtoolError as exc:
            yield rid, exc


# -- maps on their own --------------------------------------------------------------------------

def _choice(value: str, allowed, what: str) -> str:
    if value not in get_args(allowed):
        raise OutputError(f"unknown {what} {value!r}",
                          hint=f"use one of: {', '.join(get_args(allowed))}")
    return value


def map_format(out: str | Path, fmt: str | None) -> tuple[Path, str]:
    """The output path and format of a map: from ``fmt`` or else the suffix of ``out``."""
    out = Path(out)
    suffix = out.suffix.lower().lstrip(".")
    if fmt is None:
        if not suffix:
            raise OutputError("the map's format is unknown", path=out,
                              hint="end the file name in .pdf, .png or .html, or give --format")
        fmt = suffix
    _choice(fmt, MapFormat, "map format")
    if not suffix:
        return out.with_name(f"{out.name}.{fmt}"), fmt
    if suffix != fmt:
        raise OutputError(f"the file name ends in .{suffix} but the format is {fmt}", path=out,
                          hint=f"end the file name in .{fmt}, or give --format {suffix}")
    return out, fmt


def write_map(ws: Workspace, out: str | Path, *, request_id: str | None = None,
              fmt: str | None = None, paper: str = "a4", orientation: str = "landscape",
              lang: str = "mn", dpi: int = 300, rates: str = "mn-illustrative-2026",
              force: bool = False, background: str | Path | bool | None = None) -> Path:
    """Write the map of one request (or, without ``request_id``, of the whole workspace).

    ``fmt`` is ``pdf`` or ``png`` (a printed map on ``paper``) or ``html`` (an interactive
    map); by default the suffix of ``out``. The file appears whole or not at all.
    ``background`` is as for :func:`build_package` (a printed map only; the HTML map has
    none).
    """
    from landtool.export.report import check_lang
    from landtool.io.formats import atomic_path, check_writable

    out, fmt = map_format(out, fmt)
    _choice(paper, Paper, "paper size")
    _choice(orientation, Orientation, "orientation")
    check_lang(lang)
    check_writable(out, overwrite=force)
    data = None
    if request_id is not None:
        from landtool.export.data import gather

        data = gather(ws, request_id, rates=rates)
    imagery = background_imagery(ws, background) if fmt != "html" else None
    with atomic_path(out) as tmp:
        if fmt == "html" and data is not None:
            from landtool.export.webmap import write_web_map

            write_web_map(data, tmp, lang=lang)
        elif fmt == "html":
            from landtool.export.webmap import overview_web_map

            tmp.write_text(overview_web_map(ws, lang=lang), encoding="utf-8")
        elif data is not None:
            from landtool.export.printmap import render_map

            render_map(data, tmp, paper=paper, orientation=orientation, lang=lang, dpi=dpi,
                       background=imagery)
        else:
            from landtool.export.printmap import render_overview

            render_overview(ws, tmp, paper=paper, orientation=orientation, lang=lang, dpi=dpi,
                            background=imagery)
    return out
