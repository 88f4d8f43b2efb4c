"""``landtool export package | map``: submission packages and maps for the Khural."""

from __future__ import annotations

import click

_LANG = click.option("--lang", type=click.Choice(["mn", "en"]), default="mn", show_default=True,
                     help="The language of the report and the maps.")
_RATES = click.option("--rates", "rates_id", default="mn-illustrative-2026", show_default=True,
                      metavar="ID_OR_PATH",
                      help="The rate file pricing the applicant's remaining rehabilitation.")
_BACKGROUND = click.option(
    "--background", type=click.Path(), metavar="FILE",
    help="Imagery under the printed map: a GeoTIFF/COG, an MBTiles file or a folder of XYZ "
    "tiles [default: the workspace's background imagery, if it has one].")
_NO_BACKGROUND = click.option("--no-background", is_flag=True,
                              help="No imagery under the printed map.")
_WORKSPACE = click.option("--workspace", "ws_path", required=True,
                          type=click.Path(dir_okay=False),
                          help="The workspace (.gpkg, or the postgresql:// URL of a shared one).")


@click.group()
def export() -> None:
    """Submission packages (report, maps, GIS files) and maps for the Khural."""


@export.command()
@_WORKSPACE
@click.option("--request", "requests", multiple=True, metavar="ID",
              help="The request; repeat for several (one package each).")
@click.option("--all", "all_requests", is_flag=True, help="A package for every request.")
@_LANG
@_RATES
@click.option("--dem", type=click.Path(dir_okay=False),
              help="A DEM GeoTIFF for pit volumes [default: the workspace's DEM, if it has "
              "one].")
@click.option("--out", required=True, type=click.Path(),
              help="The package folder (its zip goes beside it); with several requests, the "
              "folder to put one package per request in.")
@click.option("--force", is_flag=True, help="Replace packages that exist.")
@_BACKGROUND
@_NO_BACKGROUND
def package(ws_path, requests, all_requests, lang, rates_id, dem, out, force, background,
            no_background) -> None:
    """Write the submission package of a request: report.pdf, maps, GeoPackage, KML, corners
    (CSV and MRPAM list), the check (JSON) and the cost lines (xlsx), and a zip of it all."""
    from landtool.export.package import build_package, iter_packages, request_ids
    from landtool.workspace import open_workspace

    if all_requests and requests:
        raise click.UsageError("give --request or --all, not both")
    if not all_requests and not requests:
        raise click.UsageError("give the request with --request ID (repeatable), or --all")
    background = _background(background, no_background)
    ws = open_workspace(ws_path)
    if len(requests) == 1 and not all_requests:
        pkg = build_package(ws, requests[0], out, lang=lang, rates=rates_id, dem=dem,
                            force=force, background=background)
        click.echo(f"wrote {pkg.folder} ({len(pkg.files)} files: {', '.join(pkg.files)}) "
                   f"and {pkg.zip}")
        return
    ids = request_ids(ws) if all_requests else list(dict.fromkeys(requests))
    outcomes = []
    with click.progressbar(length=len(ids), label="packages", show_pos=True,
                           item_show_func=lambda rid: rid) as bar:
        for rid, outcome in iter_packages(ws, ids, out, lang=lang, rates=rates_id, dem=dem,
                                          force=force, background=background):
            outcomes.append((rid, outcome))
            bar.update(1, rid)
    failed = 0
    for rid, outcome in outcomes:
        if isinstance(outcome, Exception):
            failed += 1
            click.echo(f"{rid}: error: {outcome}", err=True)
        else:
            click.echo(f"{rid}: wrote {outcome.folder} and {outcome.zip}")
    if failed:
        rest = ("none was written" if failed == len(outcomes)
                else f"the other {len(outcomes) - failed} were written")
        click.echo(f"error: {failed} of {len(outcomes)} package(s) failed; {rest}", err=True)
        raise click.exceptions.Exit(2)
    click.echo(f"wrote {len(outcomes)} package(s) in {out}")


@export.command("map")
@_WORKSPACE
@click.option("--request", "request_id", metavar="ID",
              help="The request to map [default: every request of the workspace].")
@click.option("--format", "fmt", type=click.Choice(["pdf", "png", "html"]),
              help="The format [default: from the --out suffix].")
@click.option("--paper", type=click.Choice(["a4", "a3"]), default="a4", show_default=True,
              help="The paper of a PDF or PNG map.")
@click.option("--orientation", type=click.Choice(["landscape", "portrait"]),
              default="landscape", show_default=True, help="The paper's orientation.")
@click.option("--dpi", type=click.IntRange(72, 600), default=300, show_default=True,
              help="The resolution of a PNG map.")
@_LANG
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="The map file.")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@_BACKGROUND
@_NO_BACKGROUND
def map_cmd(ws_path, request_id, fmt, paper, orientation, dpi, lang, out, force, background,
            no_background) -> None:
    """Write a printable map (PDF, PNG) or an interactive map (HTML) of a request, or of the
    whole workspace."""
    from landtool.export.package import map_format, write_map
    from landtool.workspace import open_workspace

    map_format(out, fmt)  # refuse a format that does not fit the name before opening anything
    background = _background(background, no_background)
    ws = open_workspace(ws_path)
    path = write_map(ws, out, request_id=request_id, fmt=fmt, paper=paper,
                     orientation=orientation, lang=lang, dpi=dpi, force=force,
                     background=background)
    click.echo(f"wrote {path}")


def _background(background, no_background):
    if background and no_background:
        raise click.UsageError("give --background FILE or --no-background, not both")
    return False if no_background else background
