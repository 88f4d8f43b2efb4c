"""``landtool workspace init | add | info | remove``."""

from __future__ import annotations

import json

import click

from landtool.cli.options import kind_option, load_kwargs, load_options
from landtool.io.load import load_layer
from landtool.workspace import Workspace

WS = click.argument("workspace", type=click.Path(dir_okay=False))


@click.group()
def workspace() -> None:
    """Create and describe workspaces (one GeoPackage holding every layer of a project)."""


@workspace.command()
@WS
@click.option("--title", default="", help="A title for the project.")
@click.option("--force", is_flag=True, help="Replace an existing file.")
def init(workspace: str, title: str, force: bool) -> None:
    """Create an empty workspace."""
    Workspace.init(workspace, title=title, overwrite=force)
    click.echo(f"created workspace {workspace}")


@workspace.command()
@WS
@click.argument("source", type=click.Path(dir_okay=False))
@kind_option()
@click.option("--name", help="Name of the layer in the workspace (default: the kind).")
@click.option("--replace", is_flag=True, help="Replace a layer of the same name.")
@load_options
def add(workspace, source, kind, name, replace, **opts) -> None:
    """Add the layer in SOURCE to the workspace, as a layer of --kind."""
    ws = Workspace(workspace)
    layer = load_layer(source, kind, **load_kwargs(kind, **opts))
    record = ws.add(layer, name=name, replace=replace)
    for line in layer.report_lines():
        click.echo(line)
    click.echo(f"added layer {record.name} ({record.feature_count} features) to {workspace}")


@workspace.command()
@WS
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def info(workspace: str, as_json: bool) -> None:
    """List every layer with its kind, feature count, CRS, extent and validity problems."""
    layers = Workspace(workspace).info()
    if as_json:
        click.echo(json.dumps([
            {"name": i.record.name, "kind": i.record.kind, "features": i.feature_count,
             "geometry": i.geometry_type, "crs": i.crs, "extent": list(i.extent),
             "source": i.record.source, "reprojection": i.record.reprojection,
             "load_problems": list(i.record.problems), "problems": list(i.problems)}
            for i in layers], ensure_ascii=False, indent=2))
        return
    click.echo(f"{workspace}: {len(layers)} layers")
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
    Workspace(workspace).remove(name)
    click.echo(f"removed layer {name}")
