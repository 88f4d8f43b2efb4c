"""Options shared by several subcommands (as rasterio's ``rio/options.py``).

Importing this module, as the command modules do, imports no library module that is slow to
import (the catalog, pandas, geopandas): choices and callbacks read them when first needed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence

import click


class LazyChoice(click.Choice):
    """A :class:`click.Choice` whose values are computed the first time they are needed (to
    check a value, or to show the help), not when the command is defined."""

    def __init__(self, load: Callable[[], Sequence[str]], case_sensitive: bool = True) -> None:
        super().__init__((), case_sensitive)
        self._load = load
        self._choices: tuple[str, ...] | None = None  # not read yet

    @property
    def choices(self) -> tuple[str, ...]:
        if self._choices is None:
            self._choices = tuple(self._load())
        return self._choices

    @choices.setter
    def choices(self, value: Sequence[str]) -> None:
        self._choices = tuple(value)


def choice_of(module: str, name: str) -> LazyChoice:
    """The values of ``module.name`` (a tuple of strings), read when first needed."""
    return LazyChoice(lambda: getattr(importlib.import_module(module), name))


def _kind_ids() -> list[str]:
    from landtool.catalog import kind_ids

    return kind_ids(with_aliases=True)


def _kind_id(_ctx, _param, value):
    from landtool.catalog import get_kind

    return get_kind(value).id if value else value


def kind_option(required: bool = True):
    return click.option(
        "--kind", "kind", required=required, type=LazyChoice(_kind_ids), callback=_kind_id,
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
    from landtool.fields import load_mapping_file, parse_map_options

    mapping = load_mapping_file(mapping_file, kind) if mapping_file else {}
    mapping.update(parse_map_options(map_items))
    return mapping


def load_kwargs(kind, source_layer, crs, swap_xy, map_items, mapping_file) -> dict:
    return dict(source_layer=source_layer, crs=crs, swap_axes=swap_xy,
                mapping=mapping_from(kind, map_items, mapping_file))
