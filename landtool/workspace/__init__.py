"""Storage: where a project's layers, check results and decisions log are kept.

- :mod:`~landtool.workspace.base`: what every workspace is (:class:`BaseWorkspace`, the layer
  records), importing no backend;
- :mod:`~landtool.workspace.gpkg`: one GeoPackage file, changed in place, one SQLite
  transaction per change; :mod:`~landtool.workspace.lock`: its writers one after another;
- :mod:`~landtool.workspace.pg` (with :mod:`~landtool.workspace.pg_schema` and
  :mod:`~landtool.workspace.pg_rows`): a shared PostgreSQL + PostGIS database;
- :mod:`~landtool.workspace.decisions`: the hash-chained decisions log, in either;
- :mod:`~landtool.workspace.transfer`: copying a workspace between the two (push, pull);
- :mod:`~landtool.workspace.users`: a shared workspace's users and roles.

The PostgreSQL modules are imported only when a ``postgresql://`` workspace is opened.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from landtool.location import DatabaseLocation, is_database_url
from landtool.workspace.base import (
    CHECKS_TABLE,
    FORMAT_VERSION,
    INFO_TABLE,
    META_TABLE,
    RESERVED_NAMES,
    RESERVED_PREFIXES,
    BaseWorkspace,
    LayerInfo,
    LayerRecord,
)
from landtool.workspace.gpkg import Workspace
from landtool.workspace.lock import recover_interrupted_write, write_lock

__all__ = ["CHECKS_TABLE", "FORMAT_VERSION", "INFO_TABLE", "META_TABLE", "RESERVED_NAMES",
           "RESERVED_PREFIXES", "BaseWorkspace", "LayerInfo", "LayerRecord", "Workspace",
           "init_workspace", "open_workspace", "recover_interrupted_write", "write_lock"]


def open_workspace(where: str | Path | DatabaseLocation, *, password: str | None = None,
                   application: str = "landtool") -> BaseWorkspace:
    """The workspace at ``where``: a GeoPackage path, or a ``postgresql://`` URL of a shared
    workspace (``password`` if the URL and ~/.pgpass have none; ``application`` is the name
    the server shows for the connection, e.g. in ``workspace who``)."""
    if is_database_url(where):
        from landtool.workspace.pg import PgWorkspace

        return PgWorkspace(where, password=password, application=application)
    return Workspace(where)


def init_workspace(where: str | Path, *, title: str = "", overwrite: bool = False,
                   extra: Mapping[str, str] | None = None,
                   password: str | None = None) -> BaseWorkspace:
    """Create an empty workspace: a GeoPackage, or the tables of a shared workspace in the
    database a ``postgresql://`` URL names (created if the server lets this user)."""
    if is_database_url(where):
        from landtool.workspace.pg import PgWorkspace

        return PgWorkspace.init(where, title=title, overwrite=overwrite, extra=extra,
                                password=password)
    return Workspace.init(where, title=title, overwrite=overwrite, extra=extra)
