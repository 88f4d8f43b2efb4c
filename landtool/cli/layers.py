"""``landtool area`` and ``landtool convert``: look at a file, or write it in another format."""

from __future__ import annotations

from pathlib import Path

import click

from landtool.cli.options import kind_option, load_kwargs, load_options


def gpx_tolerance_option(f):
    """--gpx-tolerance: the tolerance a GPX track is simplified with."""
    return click.option("--gpx-tolerance", "gpx_tolerance_m", type=click.FloatRange(min=0),
                        default=None, metavar="METRES",
                        help="Simplify a GPX track (a walked boundary) with this tolerance in "
                        "metres (default 2).")(f)


@click.command()
@click.argument("source", type=click.Path(dir_okay=False))
@kind_option()
@load_options
@gpx_tolerance_option
def area(source, kind, gpx_tolerance_m, **opts) -> None:
    """Print the area and perimeter of every feature in SOURCE."""
    from landtool.geodesy import AREA_METHOD, area_ha, perimeter_m
    from landtool.io.load import load_layer

    layer = load_layer(source, kind, **load_kwargs(kind, **opts),
                       gpx_tolerance_m=gpx_tolerance_m)
    for line in layer.report_lines():
        click.echo(line)
    id_field = layer.kind.id_field
    total = 0.0
    click.echo(f"{'feature':<24} {'area (ha)':>12} {'perimeter (m)':>14}")
    for _, row in layer.gdf.iterrows():
        a = area_ha(row.geometry)
        total += a
        fid = str(row.get(id_field, ""))
        click.echo(f"{fid:<24} {a:>12.4f} {perimeter_m(row.geometry):>14.1f}")
    click.echo(f"{'total':<24} {total:>12.4f}")
    click.echo(f"areas and perimeters: {AREA_METHOD}")


@click.command()
@click.argument("source", type=click.Path(dir_okay=False))
@click.argument("dest", type=click.Path(dir_okay=False))
@kind_option()
@click.option("--force", is_flag=True, help="Overwrite DEST if it exists.")
@load_options
@gpx_tolerance_option
def convert(source, dest, kind, force, gpx_tolerance_m, **opts) -> None:
    """Read SOURCE as a layer of --kind and write it to DEST (format from its suffix:
    .gpkg .shp .geojson .kml .kmz .csv, or .txt for an MRPAM corner list).

    Also .gpx: a polygon layer as waypoints numbered 1, 2, 3, ... at its corners and a route
    round each polygon, for a handheld receiver."""
    from landtool.io.formats import write_vector
    from landtool.io.load import load_layer

    if Path(dest).exists() and not force:
        raise click.UsageError(f"{dest} exists; pass --force to overwrite it")
    layer = load_layer(source, kind, **load_kwargs(kind, **opts),
                       gpx_tolerance_m=gpx_tolerance_m)
    for line in layer.report_lines():
        click.echo(line)
    write_vector(layer.gdf, dest)
    click.echo(f"wrote {len(layer.gdf)} features to {dest}")
