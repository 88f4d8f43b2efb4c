"""``landtool rehab status | estimate``: rehabilitation status and cost estimates."""

from __future__ import annotations

from pathlib import Path

import click

from landtool.geodesy import AREA_METHOD
from landtool.io.load import load_layer
from landtool.rehab.status import STATUSES, check_history, summarize
from landtool.workspace import Workspace


def load_parcels(source: str | None, ws: Workspace | None):
    """PARCELS: a file, or the name of a workspace layer (default: the workspace's
    rehab_parcels layers)."""
    import pandas as pd

    if source and Path(source).exists():
        return load_layer(source, "rehab_parcels").gdf
    if ws is None:
        raise click.UsageError("give a parcels file, or --workspace")
    names = [source] if source else ws.layers_of_kind("rehab_parcels")
    if not names:
        from landtool.errors import WorkspaceError

        raise WorkspaceError("the workspace has no rehabilitation parcels layer", path=ws.path,
                             hint="add one with `landtool workspace add WS FILE "
                             "--kind rehab_parcels`")
    return pd.concat([ws.read(n) for n in names], ignore_index=True)


def validate_all(parcels) -> None:
    for row in parcels.to_dict("records"):
        check_history(row)


@click.group()
def rehab() -> None:
    """Rehabilitation status of mined land, and cost estimates derived from the parcels."""


@rehab.command()
@click.argument("parcels", required=False)
@click.option("--workspace", "ws_path", type=click.Path(dir_okay=False))
@click.option("--by", type=click.Choice(["partnership", "soum"]), default="partnership",
              show_default=True)
@click.option("--chart", type=click.Path(dir_okay=False), help="Also draw the chart (PNG).")
@click.option("--lang", type=click.Choice(["mn", "en"]), default="en", show_default=True)
def status(parcels, ws_path, by, chart, lang) -> None:
    """Hectares in each status per partnership or soum, outstanding hectares and shares
    rehabilitated."""
    ws = Workspace(ws_path) if ws_path else None
    gdf = load_parcels(parcels, ws)
    validate_all(gdf)
    table = summarize(gdf, by)
    short = {"disturbed": "disturbed", "technical_in_progress": "tech.prog",
             "technical_done": "tech.done", "biological_done": "bio.done",
             "accepted": "accepted"}
    click.echo(f"{by:<26}" + "".join(f"{short[s]:>10}" for s in STATUSES)
               + f"{'total':>9}{'outstand.':>10}{'tech %':>8}{'bio %':>7}")
    for row in table.itertuples(index=False):
        d = row._asdict()
        click.echo(f"{str(d[by]):<26.26}" + "".join(f"{d[s]:>10.2f}" for s in STATUSES)
                   + f"{d['total_ha']:>9.2f}{d['outstanding_ha']:>10.2f}"
                   f"{100 * d['technical_share']:>8.0f}{100 * d['biological_share']:>7.0f}")
    click.echo("hectares; outstanding = disturbed + technical in progress (as the eligibility "
               "rule counts it)")
    click.echo(f"areas: {AREA_METHOD}")
    if chart:
        from landtool.rehab.chart import status_chart

        status_chart(table, chart, lang=lang)
        click.echo(f"wrote {chart}")
