"""``landtool corners read | write``: MRPAM-style corner coordinate lists."""

from __future__ import annotations

import click

from landtool.cli.options import kind_option, load_kwargs, load_options
from landtool.errors import LayerLoadError


@click.group()
def corners() -> None:
    """Read and write MRPAM corner coordinate lists (degrees-minutes-seconds)."""


@corners.command("read")
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("--crs", default=None, metavar="CRS",
              help="The datum of the list, e.g. EPSG:4284 for Pulkovo 1942 (default WGS 84).")
@click.option("--out", type=click.Path(dir_okay=False),
              help="Also write the polygons (.gpkg, .geojson, .kml, .shp, .csv).")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
def read_cmd(source, crs, out, force) -> None:
    """Parse a corner list and print each polygon's corners count and area."""
    from pathlib import Path

    from landtool.crs import check_in_mongolia, parse_crs, to_workspace_crs
    from landtool.geodesy import AREA_METHOD, area_ha
    from landtool.io.corners import check_named_datum
    from landtool.io.formats import read_raw, write_vector

    if out and Path(out).exists() and not force:
        raise click.UsageError(f"{out} exists; pass --force to overwrite it")
    raw = read_raw(source, polygons=True)
    if "n_corners" not in raw.columns:
        raise LayerLoadError("this is not a corner coordinate list", path=source,
                             hint="give a .txt or .csv list of numbered corners with "
                             "longitude (Уртраг) and latitude (Өргөрөг)")
    # the list's own notes (a declared area that disagrees, a guessed column order, ...), and
    # the datum it names: honoured, or refused when it is Pulkovo 1942 and --crs is missing
    notes = [*raw.attrs.get("notes", []),
             *check_named_datum(raw.attrs.get("datums", []), crs, path=source)]
    gdf, reprojection = to_workspace_crs(raw, parse_crs(crs or "EPSG:4326"))
    outside = check_in_mongolia(gdf, list(gdf["name"]), path=source)
    click.echo(f"{source}: {len(gdf)} polygon(s); CRS: {reprojection.describe()}")
    for note in notes:
        click.echo(f"  [note] {note}")
    for name in outside:
        click.echo(f"  [outside] {name} lies outside Mongolia")
    for _, row in gdf.iterrows():
        declared = row["declared_area_ha"]
        extra = f" (declared {declared:.4f} ha)" if declared == declared and declared else ""
        click.echo(f"  {row['name']}: {int(row['n_corners'])} corners, "
                   f"{area_ha(row.geometry):.4f} ha{extra}")
    click.echo(f"areas: {AREA_METHOD}")
    if out:
        write_vector(gdf, out)
        click.echo(f"wrote {len(gdf)} polygons to {out}")


@corners.command("write")
@click.argument("source", type=click.Path(dir_okay=False))
@click.argument("dest", type=click.Path(dir_okay=False))
@kind_option()
@click.option("--lang", type=click.Choice(["mn", "en"]), default="mn", show_default=True)
@click.option("--force", is_flag=True, help="Overwrite DEST if it exists.")
@load_options
def write_cmd(source, dest, kind, lang, force, **opts) -> None:
    """Write every polygon of SOURCE as an MRPAM corner list (DMS) to DEST."""
    from pathlib import Path

    from landtool.io.corners import write_corner_list
    from landtool.io.load import load_layer

    if Path(dest).exists() and not force:
        raise click.UsageError(f"{dest} exists; pass --force to overwrite it")
    layer = load_layer(source, kind, **load_kwargs(kind, **opts))
    write_corner_list(layer.gdf, dest, name_field=layer.kind.id_field, lang=lang)
    click.echo(f"wrote the corners of {len(layer.gdf)} polygons to {dest}")
