"""``landtool impact``: what a change of rules does to the requests in the register."""

from __future__ import annotations

import json
from pathlib import Path

import click

from landtool.cli.check import _as_of, _layer_items, _report, load_requests
from landtool.errors import CheckError

FILES = ("impact.json", "impact.gpkg", "briefing.pdf")
STYLES = {"changed_requests": "impact_changes", "land_changes": "impact_changes"}


@click.command()
@click.option("--workspace", "ws_path", required=True, type=click.Path(dir_okay=False),
              help="The workspace whose requests (and layers) are compared.")
@click.option("--ruleset", required=True, metavar="ID_OR_PATH",
              help="The ruleset in force (before), an id or a .toml path.")
@click.option("--against", required=True, metavar="ID_OR_PATH",
              help="The ruleset to compare with (after), e.g. a draft.")
@click.option("--as-of", "as_of", callback=_as_of, metavar="YYYY-MM-DD",
              help="The check date for both [default: today].")
@click.option("--requests", "requests", default="requests", show_default=True,
              metavar="LAYER_OR_FILE", help="The requests: a workspace layer or a file.")
@click.option("--layer", "layer_items", multiple=True, metavar="KIND=PATH",
              help="Add (or replace the workspace's layers of) a KIND for this run; repeatable.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="Folder for impact.json, impact.gpkg and briefing.pdf.")
@click.option("--lang", type=click.Choice(["mn", "en"]), default="mn", show_default=True,
              help="The briefing's first language (it carries both).")
@click.option("--force", is_flag=True, help="Overwrite the files in --out if they exist.")
def impact(ws_path, ruleset, against, as_of, requests, layer_items, out, lang, force) -> None:
    """Compare two rulesets over every request of a workspace: verdicts and land that change.

    Each request is checked under --ruleset and under --against on the same date, with the
    same layers; the briefing, the JSON and the GeoPackage give the requests whose verdict
    changes with the rules responsible, the allocatable land gained or lost per request, soum
    and in total, and a readable diff of the two rulesets.
    """
    from landtool.check.context import CheckContext
    from landtool.check.impact import impact as compare
    from landtool.check.impact import impact_layers
    from landtool.check.output import write_layers
    from landtool.check.ruleset import load_ruleset
    from landtool.export.briefing import write_briefing
    from landtool.io.formats import atomic_paths, check_writable
    from landtool.io.load import load_layer
    from landtool.workspace import open_workspace

    folder = Path(out)
    paths = [folder / name for name in FILES]
    for path in paths:
        check_writable(path, overwrite=force)
    before, after = load_ruleset(ruleset), load_ruleset(against)
    if before.target != after.target:
        raise CheckError(f"{before.label()} checks {before.target}s but {after.label()} checks "
                         f"{after.target}s", hint="compare two rulesets with the same target")
    ws = open_workspace(ws_path)
    extra: dict[str, list] = {}
    for kind, path in _layer_items(layer_items):
        loaded = load_layer(path, kind)
        _report(loaded)
        extra.setdefault(loaded.kind.id, []).append((Path(path).stem, loaded.gdf))
    gdf = load_requests(requests, ws)
    ctx = CheckContext.from_workspace(ws, [before, after], as_of, extra, also=("soums",))
    result = compare(gdf, before, after, ctx)
    t = result.totals()
    click.echo(f"{before.label()} → {after.label()}, check date {as_of}: "
               f"{t['requests']} requests, eligible {t['eligible_before']} → "
               f"{t['eligible_after']} ({t['became_eligible']} became eligible, "
               f"{t['became_refused']} refused); allocatable land {t['allocatable_ha_before']:.2f}"
               f" → {t['allocatable_ha_after']:.2f} ha (gained {t['gained_ha']:.2f}, lost "
               f"{t['lost_ha']:.2f})")
    for r in result.changes:
        resp = r.responsible
        why = (f"no longer refused by {', '.join(resp['before'])}" if r.eligible_after
               else f"refused by {', '.join(resp['after'])}")
        click.echo(f"  {r.id}: {'eligible' if r.eligible_before else 'refused'} → "
                   f"{'eligible' if r.eligible_after else 'refused'} ({why})")
    diff = result.diff["rules"]
    click.echo(f"rules: {sum(d['change'] == 'added' for d in diff)} added, "
               f"{sum(d['change'] == 'removed' for d in diff)} removed, "
               f"{sum(d['change'] == 'changed' for d in diff)} changed")
    with atomic_paths(*paths) as (tmp_json, tmp_gpkg, tmp_pdf):  # all three, or none
        tmp_json.write_text(json.dumps(result.to_json(), ensure_ascii=False, indent=2),
                            encoding="utf-8")
        write_layers(impact_layers(result), tmp_gpkg, styles=STYLES,
                     description=f"landtool impact {before.label()} → {after.label()}")
        write_briefing(result, tmp_pdf, ws=ws, lang=lang)
    for path in paths:
        click.echo(f"wrote {path}")
