"""Copying a workspace between a GeoPackage and a shared PostgreSQL database.

``landtool workspace push WS.gpkg URL`` and ``pull URL WS.gpkg`` copy everything a workspace
holds: its info values, every layer with its record (kind, source, load report), the check
results, the decisions log verbatim (so the copy's chain verifies exactly as the original's),
the DEM and the photographs (byte for byte, with their fields and ids). The copy is written
whole or not at all: one database transaction, or one working copy moved into place.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import geopandas as gpd
import pandas as pd

from landtool.errors import WorkspaceError
from landtool.location import DatabaseLocation, is_database_url
from landtool.workspace import decisions, open_workspace
from landtool.workspace.background import absolute_info
from landtool.workspace.base import (
    _INFO_KEYS,
    CHECKS_TABLE,
    INFO_TABLE,
    BaseWorkspace,
    LayerRecord,
)
from landtool.workspace.gpkg import Workspace, _for_gpkg
from landtool.workspace.lock import read_lock

Progress = Callable[[str], None]


@dataclass
class Snapshot:
    """Everything a workspace holds, read once."""

    info: dict[str, str]
    layers: list[tuple[LayerRecord, gpd.GeoDataFrame]]
    checks: pd.DataFrame | None
    log_rows: list[tuple]
    log_head: list[tuple]
    files: dict[str, bytes] = field(default_factory=dict)
    #: the photographs (landtool.photos), each with a function reading its bytes when the
    #: copy writes it: one photo in memory at a time, not all (a stored photo never changes)
    photos: list[tuple] = field(default_factory=list)


def snapshot(ws: BaseWorkspace, progress: Progress | None = None) -> Snapshot:
    """Everything ``ws`` holds; from a shared workspace, as it was at one moment (the log and
    the layers agree even while others register)."""
    if ws.shared:
        with ws.consistent_reads():
            return _snapshot(ws, progress)
    with read_lock(ws.path):  # no writer of this GeoPackage in between
        return _snapshot(ws, progress)


def _snapshot(ws: BaseWorkspace, progress: Progress | None) -> Snapshot:
    say = progress or (lambda _m: None)
    layers = []
    for record in ws.layers():
        say(f"reading layer {record.name} ({record.feature_count} features)")
        layers.append((record, ws.read(record.name)))
    rows, head = decisions.raw_log(ws)
    # the background raster is not copied: a path relative to the source's folder becomes
    # absolute, so the copy still finds it
    info = absolute_info(ws, ws.info_values())
    if ws.shared:
        files = ws.files()
    else:
        dem = ws.dem()
        files = {info["dem"]: dem.read_bytes()} if dem is not None else {}
    from landtool.photos import photo_bytes, photos

    kept = photos(ws)
    if kept:
        say(f"reading {len(kept)} photos")
    return Snapshot(info, layers, ws.checks(), rows, head, files,
                    [(p, partial(photo_bytes, ws, p.photo_id)) for p in kept])


def copy_workspace(src: BaseWorkspace, dest: str | Path | DatabaseLocation, *,
                   overwrite: bool = False, password: str | None = None,
                   progress: Progress | None = None,
                   replace_files: bool | None = None) -> BaseWorkspace:
    """Copy ``src`` to ``dest`` (a .gpkg path or a ``postgresql://`` URL). ``overwrite``
    replaces an existing workspace there; ``replace_files`` (default: as ``overwrite``) also a
    different file of the same name as the DEM beside a GeoPackage."""
    say = progress or (lambda _m: None)
    snap = snapshot(src, say)
    if is_database_url(dest):
        return _to_database(snap, dest, overwrite=overwrite, password=password, say=say)
    return _to_geopackage(snap, Path(dest), overwrite=overwrite, say=say,
                          replace_files=overwrite if replace_files is None else replace_files)


def push(gpkg: str | Path, url: str, *, overwrite: bool = False, password: str | None = None,
         progress: Progress | None = None) -> BaseWorkspace:
    """Copy the GeoPackage workspace ``gpkg`` into the database ``url``."""
    if not is_database_url(url):
        raise WorkspaceError("push copies a GeoPackage workspace INTO a database: the second "
                             "argument must be a postgresql:// URL", path=url)
    return copy_workspace(Workspace(gpkg), url, overwrite=overwrite, password=password,
                          progress=progress)


def pull(url: str, gpkg: str | Path, *, overwrite: bool = False, password: str | None = None,
         progress: Progress | None = None) -> BaseWorkspace:
    """Copy the shared workspace at ``url`` into the GeoPackage ``gpkg``."""
    if not is_database_url(url):
        raise WorkspaceError("pull copies a shared workspace out of a database: the first "
                             "argument must be a postgresql:// URL", path=url)
    if is_database_url(gpkg):
        raise WorkspaceError("pull writes a GeoPackage: the second argument must be a .gpkg "
                             "path", path=gpkg)
    return copy_workspace(open_workspace(url, password=password), gpkg, overwrite=overwrite,
                          progress=progress)


def _to_database(snap: Snapshot, url, *, overwrite, password, say) -> BaseWorkspace:
    from landtool.workspace.pg import PgWorkspace

    def fill(tx) -> None:
        for position, (record, gdf) in enumerate(snap.layers):
            say(f"writing layer {record.name}")
            tx.put_layer(record, gdf, position=position)
        if snap.checks is not None:
            tx.insert_checks(snap.checks.to_dict("records"))
        tx.put_log(snap.log_rows, snap.log_head)
        for name, data in snap.files.items():
            tx.put_file(name, data)
        from landtool.workspace import photos_pg

        for photo, read in snap.photos:
            photos_pg.copy_in(tx, photo, read())

    return PgWorkspace.create(url, snap.info, overwrite=overwrite, password=password,
                              fill=fill)


def _to_geopackage(snap: Snapshot, dest: Path, *, overwrite, say, replace_files) -> Workspace:
    dest = Workspace.check_new_path(dest, overwrite=overwrite)
    for name in snap.files:  # the DEM goes beside the workspace, where its info points
        target = dest.parent / name
        if target.exists() and not replace_files and target.read_bytes() != snap.files[name]:
            raise WorkspaceError(f"{target.name} already exists beside the workspace and is a "
                                 "different file", path=target,
                                 hint="choose another folder, or pass --force to replace it")
    dest.parent.mkdir(parents=True, exist_ok=True)
    info = {k: v for k, v in snap.info.items() if k not in _INFO_KEYS}

    def fill(tx) -> None:
        tx.put_table(INFO_TABLE, pd.DataFrame({"key": list(snap.info),
                                                         "value": list(snap.info.values())}))
        for record, gdf in snap.layers:
            say(f"writing layer {record.name}")
            tx.put_table(record.name, _for_gpkg(gdf))
        tx.set_records([r for r, _ in snap.layers])
        if snap.checks is not None:
            tx.put_table(CHECKS_TABLE, snap.checks)
        if snap.log_rows or snap.log_head:
            decisions.write_raw_log(tx, snap.log_rows, snap.log_head)
        from landtool.workspace import photos_gpkg

        for photo, read in snap.photos:
            photos_gpkg.copy_in(tx, photo, read())

    # the new file appears at dest only once complete; the DEM is moved in after it
    ws = Workspace.init(dest, overwrite=overwrite, extra=info, fill=fill)
    for name, data in snap.files.items():
        part = dest.parent / f".{name}.{os.getpid()}.part"
        part.write_bytes(data)
        os.replace(part, dest.parent / name)
    return ws
