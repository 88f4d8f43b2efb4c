"""``landtool workspace init | add | info | remove | background | push | pull | user | who``.

A workspace is a GeoPackage path or, shared by an office, a ``postgresql://`` URL: every
command taking a workspace takes either.
"""

from __future__ import annotations

import json

import click

from landtool.cli.options import kind_option, load_kwargs, load_options
from landtool.errors import WorkspaceError
from landtool.location import DatabaseLocation, is_database_url

WS = click.argument("workspace", type=click.Path(dir_okay=False))
URL = click.argument("url")


@click.group()
def workspace() -> None:
    """Create, describe and share workspaces: one GeoPackage, or one PostgreSQL + PostGIS
    database shared by an office (a postgresql://user@host/database URL)."""


@workspace.command()
@WS
@click.option("--title", default="", help="A title for the project.")
@click.option("--force", is_flag=True, help="Replace an existing file.")
def init(workspace: str, title: str, force: bool) -> None:
    """Create an empty workspace (a .gpkg, or a postgresql:// URL: its tables and roles)."""
    from landtool.workspace import init_workspace

    ws = init_workspace(workspace, title=title, overwrite=force)
    click.echo(f"created workspace {ws.path}")


@workspace.command()
@WS
@click.argument("source", type=click.Path(dir_okay=False))
@kind_option()
@click.option("--name", help="Name of the layer in the workspace (default: the kind).")
@click.option("--replace", is_flag=True, help="Replace a layer of the same name.")
@load_options
def add(workspace, source, kind, name, replace, **opts) -> None:
    """Add the layer in SOURCE to the workspace, as a layer of --kind."""
    from landtool.io.load import load_layer
    from landtool.workspace import open_workspace

    ws = open_workspace(workspace)
    layer = load_layer(source, kind, **load_kwargs(kind, **opts))
    record = ws.add(layer, name=name, replace=replace)
    for line in layer.report_lines():
        click.echo(line)
    click.echo(f"added layer {record.name} ({record.feature_count} features) to {ws.path}")


@workspace.command()
@WS
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def info(workspace: str, as_json: bool) -> None:
    """List every layer with its kind, feature count, CRS, extent and validity problems."""
    from landtool.workspace import open_workspace

    layers = open_workspace(workspace).info()
    if as_json:
        click.echo(json.dumps([
            {"name": i.record.name, "kind": i.record.kind, "features": i.feature_count,
             "geometry": i.geometry_type, "crs": i.crs, "extent": list(i.extent),
             "source": i.record.source, "reprojection": i.record.reprojection,
             "load_problems": list(i.record.problems), "problems": list(i.problems)}
            for i in layers], ensure_ascii=False, indent=2))
        return
    click.echo(f"{_shown(workspace)}: {len(layers)} layers")
    click.echo(f"{'layer':<18} {'kind':<17} {'features':>8}  {'geometry':<15} {'crs':<10} "
               "extent (lon min, lat min, lon max, lat max)")
    for i in layers:
        ext = ", ".join(f"{v:.4f}" for v in i.extent)
        click.echo(f"{i.record.name:<18} {i.record.kind:<17} {i.feature_count:>8}  "
                   f"{i.geometry_type:<15} {i.crs:<10} {ext}")
    for i in layers:
        if i.problems:
            click.echo(f"\n{i.record.name}: {len(i.problems)} validity problem(s)")
            for p in i.problems:
                click.echo(f"  {p}")
    if not any(i.problems for i in layers):
        click.echo("\nno validity problems")


@workspace.command()
@WS
@click.argument("name")
def remove(workspace: str, name: str) -> None:
    """Delete layer NAME from the workspace."""
    from landtool.workspace import open_workspace

    open_workspace(workspace).remove(name)
    click.echo(f"removed layer {name}")


@workspace.command()
@WS
@click.argument("imagery", required=False, type=click.Path())
@click.option("--clear", is_flag=True, help="The workspace has no background any more.")
def background(workspace: str, imagery: str | None, clear: bool) -> None:
    """Show or set the workspace's background imagery (a GeoTIFF/COG, an MBTiles file or a
    folder of XYZ tiles), drawn under its maps in the app and on printed maps: a path
    reference, not a copy."""
    from landtool.workspace import open_workspace
    from landtool.workspace.background import set_workspace_background, workspace_background

    if imagery and clear:
        raise click.UsageError("give IMAGERY or --clear, not both")
    ws = open_workspace(workspace)
    if clear:
        set_workspace_background(ws, None)
        click.echo("the workspace has no background imagery")
        return
    if imagery is None:
        path = workspace_background(ws)
        click.echo(f"{path}" if path is not None else "(no background imagery)")
        if path is not None:
            from landtool.imagery import open_imagery

            click.echo(open_imagery(path).describe())
        return
    from landtool.imagery import open_imagery

    img = open_imagery(imagery)  # refused here, with what to do, before it is remembered
    set_workspace_background(ws, imagery)
    click.echo(f"background imagery: {workspace_background(ws)}\n{img.describe()}")


def _shown(where: str) -> str:
    """A workspace as it may be printed: a URL without its password."""
    return str(DatabaseLocation(where)) if is_database_url(where) else where


@workspace.command()
@WS
@URL
@click.option("--force", is_flag=True,
              help="Replace a workspace the database holds already.")
def push(workspace: str, url: str, force: bool) -> None:
    """Copy the GeoPackage WORKSPACE into the database URL, whole or not at all: every
    layer, the check results, the decisions log (verbatim) and the DEM."""
    from landtool.workspace import decisions, transfer

    ws = transfer.push(workspace, url, overwrite=force, progress=click.echo)
    click.echo(f"pushed {workspace} to {ws.path}: {len(ws.layers())} layers; "
               f"decisions log: {decisions.verify(ws)}")


@workspace.command()
@URL
@WS
@click.option("--force", is_flag=True, help="Replace an existing file.")
def pull(url: str, workspace: str, force: bool) -> None:
    """Copy the shared workspace at URL into the GeoPackage WORKSPACE (e.g. to take it to
    the field, or to keep a dated copy)."""
    from landtool.workspace import decisions, transfer

    ws = transfer.pull(url, workspace, overwrite=force, progress=click.echo)
    click.echo(f"pulled {_shown(url)} to {ws.path}: {len(ws.layers())} layers; "
               f"decisions log: {decisions.verify(ws)}")


def _shared(url: str):
    if not is_database_url(url):
        raise WorkspaceError("users and connections belong to a shared workspace: give its "
                             "postgresql:// URL", path=url)
    from landtool.workspace import open_workspace

    return open_workspace(url)


@workspace.group()
def user() -> None:
    """The database users of a shared workspace and their roles (viewer, officer)."""


@user.command("add")
@URL
@click.argument("name")
@click.option("--role", type=click.Choice(["viewer", "officer"]), required=True,
              help="viewer: reads only; officer: also registers, decides and edits.")
@click.option("--password", help="A new user's password (asked for when not given; an "
              "existing user keeps theirs).")
def user_add(url: str, name: str, role: str, password: str | None) -> None:
    """Give NAME the ROLE in the shared workspace at URL, creating the login if it is new.
    Run it as the workspace's owner."""
    from landtool.workspace.users import add_user, login_exists

    ws = _shared(url)
    if password is None and not login_exists(ws, name):
        password = click.prompt(f"password for the new user {name}", hide_input=True,
                                confirmation_prompt=True)
    add_user(ws, name, role, password)
    click.echo(f"{name} is now {role} of {ws.path}")


@user.command("list")
@URL
def user_list(url: str) -> None:
    """Every user with a role in the shared workspace at URL."""
    from landtool.workspace.users import list_users

    for name, role in list_users(_shared(url)):
        click.echo(f"{name:<24} {role}")


@user.command("remove")
@URL
@click.argument("name")
def user_remove(url: str, name: str) -> None:
    """Take NAME's roles in the shared workspace at URL away (the login itself stays)."""
    from landtool.workspace.users import remove_user

    remove_user(_shared(url), name)
    click.echo(f"{name} has no role in {_shown(url)} any more")


@workspace.command()
@URL
def upgrade(url: str) -> None:
    """Bring the shared workspace at URL, made by an earlier landtool, up to this version's
    tables, grants and triggers (its owner, once; all or nothing)."""
    from landtool.workspace.pg_schema import SCHEMA_VERSION

    had = _shared(url).upgrade()
    click.echo(f"schema {SCHEMA_VERSION} already" if had >= SCHEMA_VERSION
               else f"upgraded from schema {had} to {SCHEMA_VERSION}")


@workspace.command()
@URL
def who(url: str) -> None:
    """Who is connected to the shared workspace at URL now, and as what."""
    ws = _shared(url)
    click.echo(f"you are {ws.user()} ({ws.role()})")
    for c in ws.connected():
        click.echo(f"{c.user:<20} {c.application:<14} {c.client:<16} since {c.since}"
                   + ("  (this command)" if c.me else ""))
