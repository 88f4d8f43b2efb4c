"""Options shared by several subcommands (as rasterio's ``rio/options.py``)."""

from __future__ import annotations

import click

from landtool.catalog import get_kind, kind_ids
from landtool.fields import load_mapping_file, parse_map_options


def kind_option(required: bool = True):
    return click.option(
        "--kind", "kind", required=required,
        type=click.Choice(kind_ids(with_aliases=True)),
        callback=lambda _ctx, _param, value: get_kind(value).id if value else value,
        help="The layer kind in the catalog (layers/catalog).",
    )


def load_options(f):
    """--source-layer, --crs, --swap-xy, --map and --mapping, for commands that read a layer."""
    f = click.option("--mapping", "mapping_file", type=click.Path(dir_okay=False),
                     help="A TOML file mapping catalog fields to the file's own fields.")(f)
    f = click.option("--map", "map_items", multiple=True, metavar="FIELD=SOURCE",
                     help="Map a catalog field to a field of the file; repeat as needed.")(f)
    f = click.option("--swap-xy", is_flag=True,
                     help="The file has latitude and longitude swapped: exchange them.")(f)
    f = click.option("--crs", metavar="CRS",
                     help="The CRS of the coordinates (e.g. EPSG:4284, EPSG:32648); required "
                     "for a file with none, and overrides the file's own.")(f)
    f = click.option("--source-layer", metavar="NAME",
                     help="The layer to read in a file holding several.")(f)
    return f


def mapping_from(kind: str, map_items, mapping_file) -> dict[str, str]:
    mapping = load_mapping_file(mapping_file, kind) if mapping_file else {}
    mapping.update(parse_map_options(map_items))
    return mapping


def load_kwargs(kind, source_layer, crs, swap_xy, map_items, mapping_file) -> dict:
    return dict(source_layer=source_layer, crs=crs, swap_axes=swap_xy,
                mapping=mapping_from(kind, map_items, mapping_file))
