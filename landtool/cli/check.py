"""``landtool check``: check requests against a ruleset, print a table, write JSON/GeoPackage."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from landtool.cli.options import load_kwargs, load_options
from landtool.errors import CheckError

if TYPE_CHECKING:
    from landtool.workspace import BaseWorkspace

# the geodata libraries are imported inside the command: `landtool check --help` needs none


def _write_gpkg(report, path) -> None:
    from landtool.check.output import write_report_gpkg

    write_report_gpkg(report, path, atomic=False)


def _write_parquet(report, path) -> None:
    from landtool.check.output import write_report_parquet

    write_report_parquet(report, path)


WRITERS = {".gpkg": _write_gpkg, ".parquet": _write_parquet}

STATUS_MARK = {"pass": "ok", "fail": "FAIL", "warn": "warn", "not_applicable": "n/a"}


def _as_of(_ctx, _param, value):
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD") from None


def _layer_items(items) -> list[tuple[str, str]]:
    out = []
    for item in items:
        kind, sep, path = item.partition("=")
        if not sep or not kind or not path:
            raise click.BadParameter(f"{item!r} is not KIND=PATH", param_hint="--layer")
        out.append((kind.strip(), path.strip()))
    return out


def load_requests(source: str, ws: BaseWorkspace | None, **opts):
    """REQUESTS: a file of any supported format, or the name of a layer in the workspace."""
    from landtool.io.load import load_layer

    if not Path(source).exists() and ws is not None and source in ws.layer_names():
        return ws.read(source)
    layer = load_layer(source, "requests", require_fields=False, **opts)
    _report(layer)
    return layer.gdf


def _report(layer) -> None:
    """What loading did (CRS, field mapping, repairs, features left out), before the table."""
    for line in layer.report_lines():
        click.echo(line)


@click.command()
@click.argument("requests")
@click.option("--workspace", "ws_path", type=click.Path(dir_okay=False),
              help="The workspace holding the layers the rules need.")
@click.option("--layer", "layer_items", multiple=True, metavar="KIND=PATH",
              help="Add (or replace the workspace's layers of) a KIND for this run; repeatable.")
@click.option("--ruleset", default="mn-asm-2022", show_default=True, metavar="ID_OR_PATH",
              help="A ruleset id in layers/rulesets or a path to a ruleset .toml.")
@click.option("--as-of", "as_of", callback=_as_of, metavar="YYYY-MM-DD",
              help="The check date: which licences, contracts and conclusions are in force "
              "[default: today].")
@click.option("--json", "json_out", type=click.Path(dir_okay=False),
              help="Write the results as JSON here (compact unless --json-format full).")
@click.option("--json-format", "json_format", type=click.Choice(["compact", "full"]),
              default="compact", show_default=True,
              help="compact: each rule described once, each request on one line with only "
              "what differs from its rule's default (schema landtool-check-compact 1); full: "
              "every rule's result written out in every request.")
@click.option("--out", "outs", multiple=True, type=click.Path(dir_okay=False),
              help="Write the results as a GeoPackage (.gpkg, styled for QGIS) or as "
              "GeoParquet (.parquet, one row per request, for big batches); repeatable.")
@click.option("--lang", type=click.Choice(["mn", "en"]), default="en", show_default=True,
              help="The language of the printed messages (the files hold both).")
@click.option("--save", is_flag=True,
              help="Keep the results in the workspace (the submission package uses them).")
@click.option("--force", is_flag=True, help="Overwrite --json/--out files that exist.")
@load_options
def check(requests, ws_path, layer_items, ruleset, as_of, json_out, json_format, outs, lang,
          save, force, **opts) -> None:
    """Check REQUESTS (a file, e.g. an MRPAM corner list, or a workspace layer name) against
    the eligibility rules. Exits 0 when the check ran, whatever it found."""
    from landtool.check.context import CheckContext
    from landtool.check.engine import check_requests, gc_paused
    from landtool.check.ruleset import load_ruleset
    from landtool.io.formats import check_writable
    from landtool.io.load import load_layer
    from landtool.workspace import open_workspace

    for out in outs:
        if Path(out).suffix.lower() not in WRITERS:
            raise click.BadParameter(f"{out}: write a .gpkg or a .parquet file",
                                     param_hint="--out")
    outputs = [p for p in (json_out, *outs) if p]
    for out in outputs:
        check_writable(out, overwrite=force)
    if save and not ws_path:
        raise click.UsageError("--save keeps the results in a workspace: give --workspace")
    rs = load_ruleset(ruleset)
    ws = open_workspace(ws_path) if ws_path else None
    extra: dict[str, list] = {}
    for kind, path in _layer_items(layer_items):
        loaded = load_layer(path, kind)
        _report(loaded)
        extra.setdefault(loaded.kind.id, []).append((Path(path).stem, loaded.gdf))
    if ws is None and not extra:
        raise CheckError("no layers to check against",
                         hint="give a workspace with --workspace, or layers with --layer")
    gdf = load_requests(requests, ws, **load_kwargs("requests", **opts))
    ctx = CheckContext.from_workspace(ws, rs, as_of, extra)
    with gc_paused():  # the report's JSON and table are as many small objects again
        report = check_requests(gdf, rs, ctx)
        _finish(report, ws, lang, save, json_out, json_format, outs, outputs)


def _finish(report, ws, lang, save, json_out, json_format, outs, outputs) -> None:
    """Print the table, keep the results if asked, and write the files."""
    from landtool.io.formats import atomic_paths

    _print(report, lang)
    if save:
        from landtool.check.store import save_report

        save_report(ws, report, log=True)
        click.echo(f"saved the results of {len(report.requests)} request(s) in {ws.path}, "
                   "and logged each check")
    if not outputs:
        return
    with atomic_paths(*outputs) as temps:  # all the files appear together, or none
        written = dict(zip(outputs, temps, strict=True))
        if json_out:
            with open(written[json_out], "w", encoding="utf-8") as f:
                if json_format == "full":
                    json.dump(report.to_json(), f, ensure_ascii=False, indent=2)
                else:
                    from landtool.check import compact

                    compact.write(report, f)
        for out in outs:
            WRITERS[Path(out).suffix.lower()](report, written[out])
    for out in outputs:
        click.echo(f"wrote {out}")


def _print(report, lang: str) -> None:
    """The table and the reasons, written at once (10,000 requests: one write, not 20,000)."""
    lines: list[str] = []
    echo = lines.append
    rs = report.ruleset
    draft = ""
    if rs.is_draft:
        made = f", made from {rs.based_on.id} {rs.based_on.version}" if rs.based_on else ""
        draft = f"DRAFT ruleset (not a released regulation{made}): "
    echo(f"{draft}ruleset {rs.id} {rs.version} ({rs.regulation}); check date {report.as_of}")
    echo(f"{'queue':>5} {'submitted':<19} {'request':<14} {'applicant':<24} {'area ha':>8} "
         f"{'eligible ha':>11}  {'result':<8} rules not passed")
    for r in report.requests:
        bad = [f"{x.rule}:{STATUS_MARK[x.status]}" for x in r.results
               if x.status in ("fail", "warn")]
        verdict = "refused" if not r.eligible else "eligible*" if r.not_checked else "eligible"
        queue = "" if r.queue_no is None else str(r.queue_no)
        when = (r.submitted_at or "")[:19]
        echo(f"{queue:>5} {when:<19} {r.id:<14} {str(r.applicant or ''):<24.24} "
             f"{r.area_ha:>8.3f} {r.eligible_area_ha:>11.3f}  {verdict:<8} {', '.join(bad)}")
    for r in report.requests:
        shown = [x for x in r.results if x.status != "pass"]
        if not shown:
            continue
        echo(f"\n{r.id}:")
        for x in shown:
            flag = " [unconfirmed]" if x.confidence == "unconfirmed" else ""
            echo(f"  {STATUS_MARK[x.status]:<4} {x.rule}{flag}: {x.message(lang)}")
    if any(r.eligible and r.not_checked for r in report.requests):
        echo("\n* eligible as far as checked: some rules could not run for want of a "
             "layer (see the notes); give the missing layers for a complete check")
    echo(f"\nareas: {report.area_method}\ndistances: {report.distance_method}")
    for note in report.notes:
        echo(f"note: {note}")
    click.echo("\n".join(lines))
