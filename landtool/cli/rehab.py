"""``landtool rehab status | estimate``: rehabilitation status and cost estimates."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from landtool.cli.options import choice_of

if TYPE_CHECKING:
    from landtool.workspace import BaseWorkspace


def load_parcels(source: str | None, ws: BaseWorkspace | None):
    """PARCELS: a file, or the name of a workspace layer (default: the workspace's
    rehab_parcels layers)."""
    import pandas as pd

    from landtool.io.load import load_layer

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
    from landtool.rehab.status import check_history

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
    from landtool.geodesy import AREA_METHOD
    from landtool.rehab.status import STATUSES, summarize
    from landtool.workspace import open_workspace

    ws = open_workspace(ws_path) if ws_path else None
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


@rehab.command()
@click.argument("parcels", required=False)
@click.option("--workspace", "ws_path", type=click.Path(dir_okay=False))
@click.option("--rates", "rates_id", default="mn-illustrative-2026", show_default=True,
              metavar="ID_OR_PATH", help="A rate file id in layers/rates or a path to one.")
@click.option("--dem", type=click.Path(dir_okay=False),
              help="A DEM GeoTIFF for pit volumes [default: the workspace's DEM, if it has "
              "one]; parcels it does not cover use pit_depth_m.")
@click.option("--partnership", help="Only this partnership's parcels.")
@click.option("--indirect", default="queensland", show_default=True,
              type=click.Choice(["queensland", "nevada"]), help="The indirect-cost preset.")
@click.option("--deposit-percent", type=float, help="Override the rate file's deposit rate.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False))
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False))
@click.option("--xlsx", "xlsx_out", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite output files that exist.")
def estimate(parcels, ws_path, rates_id, dem, partnership, indirect, deposit_percent,
             json_out, csv_out, xlsx_out, force) -> None:
    """Estimate the cost of the rehabilitation work that remains on PARCELS (a file, or a
    workspace layer; default: the workspace's parcels), quantities derived from the parcels."""
    from landtool.errors import LandtoolError
    from landtool.io.formats import atomic_paths, check_writable
    from landtool.rehab import export
    from landtool.rehab.costs import estimate as price
    from landtool.rehab.quantities import parcel_quantities
    from landtool.rehab.rates import load_rates
    from landtool.rehab.status import partnership_key
    from landtool.workspace import open_workspace

    outputs = {k: v for k, v in (("json", json_out), ("csv", csv_out), ("xlsx", xlsx_out)) if v}
    for path in outputs.values():
        check_writable(path, overwrite=force)
    rates = load_rates(rates_id)
    ws = open_workspace(ws_path) if ws_path else None
    gdf = load_parcels(parcels, ws)
    if partnership:
        gdf = gdf[gdf["partnership"].map(partnership_key) == partnership_key(partnership)]
        if gdf.empty:
            raise LandtoolError(f"no parcels of the partnership {partnership!r}",
                                hint="check the name (`landtool rehab status` lists them)")
    validate_all(gdf)
    if dem is None and ws is not None:
        dem = ws.dem()  # the workspace's own DEM, as every other estimate uses
    est = price(parcel_quantities(gdf, dem_path=dem), rates, indirect=indirect,
                deposit_percent=deposit_percent)
    _print_estimate(est)
    if outputs:
        writers = {"json": export.write_json, "csv": export.write_csv,
                   "xlsx": export.write_xlsx}
        with atomic_paths(*outputs.values()) as temps:
            for (kind, _), tmp in zip(outputs.items(), temps, strict=True):
                writers[kind](est, tmp)
        for path in outputs.values():
            click.echo(f"wrote {path}")


def _money(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _print_estimate(est) -> None:
    from landtool.geodesy import AREA_METHOD

    cur = est.currency
    click.echo(f"{'parcel':<8} {'partnership':<24} {'status':<22} {'ha':>6} {'perim. m':>9} "
               f"{'pit m³':>9} {'vol.':<5} {'direct ' + cur:>16}")
    for p in est.parcels:
        q = p.q
        vol = "" if q.volume_m3 is None else f"{q.volume_m3:,.0f}"
        code = "dem" if q.volume_method.startswith("DEM") else (
            "depth" if "depth" in q.volume_method else "-")
        click.echo(f"{q.parcel_id:<8} {str(q.partnership or ''):<24.24} {q.status:<22} "
                   f"{q.area_ha:>6.2f} {q.perimeter_m:>9.0f} {vol:>9} {code:<5} "
                   f"{_money(p.direct):>16}")
    for s in est.sites:
        click.echo(f"{'':<8} {'mobilisation: ' + str(s.site):<57.57} {'':>26} "
                   f"{_money(s.direct):>16}")
    click.echo(f"{'direct cost':>92} {_money(est.direct):>16}")
    for x in est.indirect:
        click.echo(f"{x.name + f' ({x.percent:g} %)':>92} {_money(x.cost):>16}")
    click.echo(f"{'total':>92} {_money(est.total):>16}")
    state = "confirmed" if est.deposit_confirmed else "unconfirmed"
    click.echo(f"{f'deposit ({est.deposit_percent:g} % of the total, {state})':>92} "
               f"{_money(est.deposit):>16}")
    r = est.rates
    click.echo(f"\nrates: {r.id} {r.version} of {r.date.isoformat()}"
               + (" — ILLUSTRATIVE rates, not published Mongolian unit rates" if r.illustrative
                  else ""))
    click.echo(f"areas and perimeters: {AREA_METHOD}")
    click.echo("pit volumes: dem = terrain below a plane fitted to the ring around the parcel; "
               "depth = pit_depth_m × area; - = not computed")
    for w in est.warnings:
        click.echo(f"note: {w}")


@rehab.command()
@click.argument("workspace", type=click.Path(dir_okay=False))
@click.argument("parcel_id")
@click.argument("new_status", type=choice_of("landtool.rehab.status", "STATUSES"))
@click.option("--date", "when", required=True, metavar="YYYY-MM-DD",
              help="The date the parcel reached the new status.")
@click.option("--layer", "layer_name", help="The parcels layer (default: the one holding it).")
@click.option("--evidence", "evidence", multiple=True, metavar="PHOTO_ID",
              help="A photo of the parcel that shows it (repeat, or give ids separated by "
              "commas): recorded with the change (`landtool photos list WS --parcel ID`).")
def advance(workspace, parcel_id, new_status, when, layer_name, evidence) -> None:
    """Record that PARCEL_ID reached NEW_STATUS on --date (refused if impossible)."""
    from datetime import date

    import geopandas as gpd

    from landtool.errors import RehabStatusError
    from landtool.rehab.status import change_status
    from landtool.workspace import open_workspace

    try:
        day = date.fromisoformat(when)
    except ValueError:
        raise click.BadParameter(f"{when!r} is not a date; write YYYY-MM-DD",
                                 param_hint="--date") from None
    try:
        photo_ids = [int(v) for item in evidence for v in item.split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter(f"{' '.join(evidence)!r}: photo ids are whole numbers",
                                 param_hint="--evidence") from None
    ws = open_workspace(workspace)
    if layer_name and ws.record(layer_name).kind != "rehab_parcels":
        raise RehabStatusError(f"layer {layer_name!r} is not a rehabilitation parcels layer",
                               path=ws.path, hint="name a layer of kind rehab_parcels")
    names = [layer_name] if layer_name else ws.layers_of_kind("rehab_parcels")
    from landtool.workspace import decisions

    # the parcel is read, changed and written in one change: no other save comes in between
    with ws.transaction(f"record the status of parcel {parcel_id}"):
        for name in names:
            gdf = ws.read(name)
            hit = gdf.index[gdf["parcel_id"].astype(str) == parcel_id]
            if len(hit) == 0:
                continue
            row = gdf.loc[hit[0]].drop(labels="geometry").to_dict()
            updated = change_status(row, new_status, day)
            edited = gdf.copy()
            for key, value in updated.items():
                if key not in edited.columns:
                    edited[key] = None
                edited.at[hit[0], key] = value
            details = {"from": row["status"], "to": new_status, "date": day.isoformat()}
            if photo_ids:  # read in the same change: the photos cited are those kept now
                from landtool.rehab.evidence import evidence_details

                details["evidence"] = evidence_details(ws, photo_ids, parcel_id)
            entry = ("parcel_status_changed", parcel_id, details,
                     decisions.inputs_hash(gdf.loc[hit[0]].geometry))
            ws.update(name, gpd.GeoDataFrame(edited, geometry="geometry", crs=gdf.crs),
                      note=f"{parcel_id}: {row['status']} -> {new_status} on {day}",
                      then=lambda tx, entry=entry: decisions.append_many(tx, [entry]))
            cited = (f", evidence: photo {', '.join(map(str, photo_ids))}" if photo_ids
                     else "")
            click.echo(f"{parcel_id}: {row['status']} → {new_status} on {day} (layer {name})"
                       f"{cited}")
            return
    raise RehabStatusError(f"no parcel {parcel_id!r} in the workspace", path=ws.path,
                           hint="`landtool rehab estimate --workspace WS` lists the parcels")


@rehab.command()
@click.argument("workspace", type=click.Path(dir_okay=False))
@click.option("--partnership", help="Only this partnership's parcels.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False))
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite output files that exist.")
def evidence(workspace, partnership, json_out, csv_out, force) -> None:
    """List every parcel's status, the date it was reached and the photos cited as its
    evidence, with the parcel's photos and those taken outside it."""
    from landtool.io.formats import atomic_paths, check_writable
    from landtool.rehab import evidence as ev
    from landtool.rehab.status import partnership_key
    from landtool.workspace import open_workspace

    outputs = {k: v for k, v in (("json", json_out), ("csv", csv_out)) if v}
    for path in outputs.values():
        check_writable(path, overwrite=force)
    ws = open_workspace(workspace)
    gdf = load_parcels(None, ws)
    if partnership:
        gdf = gdf[gdf["partnership"].map(partnership_key) == partnership_key(partnership)]
    rows = ev.parcel_statuses(ws, gdf)
    click.echo(f"{'parcel':<8} {'partnership':<24} {'status':<22} {'date':<10}  "
               f"{'evidence':<14} {'photos':>6} {'outside':>7}")
    for r in rows:
        click.echo(f"{r.parcel_id:<8} {r.partnership:<24.24} {r.status:<22} "
                   f"{r.status_date or '':<10}  {' '.join(map(str, r.evidence)) or '-':<14} "
                   f"{len(r.photos):>6} {len(r.flagged):>7}")
    click.echo("evidence = photo ids cited when the present status was recorded; outside = "
               "photos farther than their tolerance outside the parcel")
    if outputs:
        with atomic_paths(*outputs.values()) as temps:
            for (kind, _), tmp in zip(outputs.items(), temps, strict=True):
                (ev.write_json if kind == "json" else ev.write_csv)(rows, tmp)
        for path in outputs.values():
            click.echo(f"wrote {path}")
