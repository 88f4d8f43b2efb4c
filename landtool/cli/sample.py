"""``landtool sample build`` and ``landtool demo`` (the headless demonstration)."""

from __future__ import annotations

import click

from landtool.paths import sample_workspace_path


@click.group()
def sample() -> None:
    """The bundled sample workspace (Mandal soum, Selenge aimag)."""


@sample.command()
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help=f"Where to write it (default {sample_workspace_path()}).")
@click.option("--force", is_flag=True, help="Replace an existing workspace.")
def build(out, force) -> None:
    """Build the sample workspace from sample_data/ (deterministic)."""
    from landtool.sample_workspace import build_sample_workspace

    path = build_sample_workspace(out, overwrite=force, progress=click.echo)
    click.echo(f"built {path}")


@click.command()
@click.option("--workspace", "ws_path", type=click.Path(dir_okay=False), default=None,
              help="The workspace to show (default: the sample workspace, built if missing).")
def demo(ws_path) -> None:
    """A headless tour: the sample workspace's layers, the requests' areas, their nearest
    stream, and the first request's corners in MRPAM style."""
    from landtool.geodesy import AREA_METHOD, DISTANCE_METHOD, area_ha, distance_m
    from landtool.sample_workspace import ensure_sample_workspace
    from landtool.workspace import open_workspace

    ws = open_workspace(ws_path or ensure_sample_workspace(progress=click.echo))
    click.echo(f"workspace {ws.path}")
    for info in ws.info():
        click.echo(f"  {info.record.name:<18} {info.record.kind:<17} {info.feature_count:>6}"
                   f"  {info.crs}")
    requests = ws.read("requests")
    water = ws.read("streams") if "streams" in ws.layer_names() else None
    click.echo("\nrequests:")
    click.echo(f"  {'request':<14} {'applicant':<28} {'area (ha)':>9}  nearest stream (m)")
    for _, r in requests.iterrows():
        near = min(distance_m(r.geometry, w) for w in water.geometry) if water is not None else 0
        click.echo(f"  {r.request_id:<14} {str(r.applicant):<28} {area_ha(r.geometry):>9.3f}"
                   f"  {near:>10.1f}")
    click.echo(f"\n  areas: {AREA_METHOD}\n  distances: {DISTANCE_METHOD}")
    from landtool.io.corners import format_corner_list

    first = requests.iloc[0]
    click.echo(f"\ncorners of {first.request_id}:\n")
    click.echo(format_corner_list([(first.request_id, first.geometry)], lang="mn"))
