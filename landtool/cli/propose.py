"""``landtool propose``: candidate land for ASM in a soum, an aimag or any area."""

from __future__ import annotations

from pathlib import Path

import click

from landtool.cli.check import _as_of, _layer_items, _report
from landtool.errors import CheckError


def _unit(ws, kind: str, key: str):
    """A soum or aimag by P-code or by name (English or Mongolian, any case)."""
    want = key.strip().casefold()
    for name in ws.layers_of_kind(kind):
        gdf = ws.read(name)
        for _, row in gdf.iterrows():
            names = {str(row.get(f, "") or "").strip().casefold()
                     for f in ("pcode", "name_en", "name_mn")}
            if want in names and row.geometry is not None and not row.geometry.is_empty:
                label = f"{row.get('name_en') or row.get('pcode')} ({row.get('pcode')})"
                return row.geometry, label
    raise CheckError(f"no {kind[:-1]} {key!r} in the workspace",
                     hint=f"give a P-code or a name from the workspace's {kind} layer")


@click.command()
@click.option("--workspace", "ws_path", required=True, type=click.Path(dir_okay=False),
              help="The workspace with the layers the rules read.")
@click.option("--soum", help="Search a soum, by P-code or name.")
@click.option("--aimag", help="Search an aimag, by P-code or name.")
@click.option("--area", "area_file", type=click.Path(dir_okay=False),
              help="Search the polygon(s) in this file.")
@click.option("--ruleset", default="mn-asm-2022", show_default=True, metavar="ID_OR_PATH")
@click.option("--as-of", "as_of", callback=_as_of, metavar="YYYY-MM-DD",
              help="The check date [default: today].")
@click.option("--min-ha", type=float, help="Smallest parcel [default: 1 ha, or the ruleset's].")
@click.option("--max-ha", type=float, help="Largest parcel [default: the ruleset's maximum].")
@click.option("--width-m", type=float, default=30.0, show_default=True,
              help="Workable width: narrower slivers of land are dropped.")
@click.option("--layer", "layer_items", multiple=True, metavar="KIND=PATH",
              help="Add (or replace the workspace's layers of) a KIND for this run; repeatable.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="Folder for the candidates (GeoPackage, GeoJSON, KML, JSON, corner lists) "
              "and proposal.pdf.")
@click.option("--lang", type=click.Choice(["mn", "en"]), default="mn", show_default=True,
              help="The proposal's first language (it carries both).")
@click.option("--force", is_flag=True, help="Overwrite the files in --out if they exist.")
def propose(ws_path, soum, aimag, area_file, ruleset, as_of, min_ha, max_ha, width_m,
            layer_items, out, lang, force) -> None:
    """Find land that can be offered for ASM: candidate parcels that pass the rules.

    The search area (a soum, an aimag or a polygon file) minus what the ruleset's refusing
    rules exclude on the date, cut into compact parcels no larger than the maximum; every
    candidate passes `landtool check`. Land already disturbed by mining ranks first.
    """
    from landtool.check.context import CheckContext
    from landtool.check.ruleset import load_ruleset
    from landtool.export.proposal import folder_paths, write_folder
    from landtool.io.load import load_layer
    from landtool.propose import propose as find
    from landtool.propose import sizing
    from landtool.workspace import open_workspace

    given = [x for x in (soum, aimag, area_file) if x]
    if len(given) != 1:
        raise click.UsageError("give one search area: --soum, --aimag or --area")
    paths = folder_paths(out, force=force)  # refused before any work
    rs = load_ruleset(ruleset)
    sizing(rs, min_ha, max_ha)  # bad sizes are refused before any work
    ws = open_workspace(ws_path)
    if soum:
        area, name = _unit(ws, "soums", soum)
    elif aimag:
        area, name = _unit(ws, "aimags", aimag)
    else:
        loaded = load_layer(area_file, "requests", require_fields=False)
        _report(loaded)
        area = _search_area(loaded.gdf, area_file)
        name = Path(area_file).name
    extra: dict[str, list] = {}
    for kind, path in _layer_items(layer_items):
        loaded = load_layer(path, kind)
        _report(loaded)
        extra.setdefault(loaded.kind.id, []).append((Path(path).stem, loaded.gdf))
    ctx = CheckContext.from_workspace(ws, rs, as_of, extra,
                                      also=("roads", "settlements", "rehab_parcels", "soums"))
    result = find(area, name, rs, ctx, min_ha=min_ha, max_ha=max_ha, width_m=width_m)
    _print(result)
    write_folder(result, out, ws=ws, lang=lang, force=force)  # all the files, or none
    for path in paths:
        click.echo(f"wrote {path}")


def _search_area(gdf, path):
    import shapely

    from landtool.validate import polygonal

    geoms = [g for g in gdf.geometry if g is not None and not g.is_empty]
    area = polygonal(shapely.union_all(geoms)) if geoms else None
    if area is None or area.is_empty:
        raise CheckError("the search area has no polygon", path=path,
                         hint="give a file with the area to search as a polygon")
    return area


def _print(result) -> None:
    lines = [f"{result.area_name}: {result.search_ha:,.1f} ha searched, "
             f"{result.available_ha:,.2f} ha available under {result.ruleset.label()} on "
             f"{result.as_of}; {len(result.candidates)} candidate parcel(s) of "
             f"{result.min_ha:g}–{result.max_ha:g} ha"]
    if not result.candidates:
        top = max(result.exclusions, key=lambda e: e.hectares, default=None)
        lines.append("no land is available here" + (
            f": {top.rule} took the most ({top.hectares:,.1f} ha)" if top else ""))
    lines.append("excluded by rule (each alone, ha of the search area):")
    lines += [f"  {e.rule:<26} {e.hectares:>14,.2f}  {e.how}" for e in result.exclusions]
    for c in result.candidates[:20]:
        lines.append(f"  {c.id} {c.area_ha:7.3f} ha, disturbed {c.disturbed_ha:6.3f} ha, "
                     f"road {'-' if c.road_m is None else f'{c.road_m / 1000:.1f} km'}"
                     + (f", warns: {', '.join(c.warnings)}" if c.warnings else ""))
    if len(result.candidates) > 20:
        lines.append(f"  … and {len(result.candidates) - 20} more (see candidates.json)")
    if result.dropped:
        lines.append(f"{result.dropped} cut piece(s) did not pass the check and were dropped")
    lines += [f"note: {n}" for n in result.notes]
    click.echo("\n".join(lines))


@click.command("take-candidate")
@click.option("--workspace", "ws_path", required=True, type=click.Path(dir_okay=False),
              help="The workspace (a GeoPackage or a postgresql:// URL) to add the request to.")
@click.argument("candidates", type=click.Path(dir_okay=False))
@click.argument("candidate_id")
@click.option("--applicant", help="The partnership applying (else set it later, e.g. in the "
              "app with Edit attributes).")
def take_candidate(ws_path, candidates, candidate_id, applicant) -> None:
    """Make a request of one candidate of `landtool propose`, in the workspace's requests.

    CANDIDATES is the candidates.gpkg `landtool propose --out DIR` wrote; the new request
    gets the candidate's polygon unchanged, the next free id REQ-<year>-<n> (chosen in the
    same transaction as the write) and the candidate's id, ruleset and date as attributes.
    It is not registered: `landtool register add` gives it its queue number.
    """
    from landtool.candidates import take_candidate as take
    from landtool.workspace import open_workspace

    ws = open_workspace(ws_path)
    taken = take(ws, candidates, candidate_id, applicant=applicant)
    click.echo(f"added {taken.request_id} to layer {taken.layer} from candidate "
               f"{taken.candidate_id} ({taken.area_ha:.4f} ha, geodesic on WGS 84); "
               f"register it with `landtool register add {ws_path} {taken.request_id}`")
    if taken.in_note_only:
        click.echo(f"note: the candidate is named in {taken.request_id}'s note only: this "
                   "shared workspace's requests have no candidate columns yet, and only its "
                   "owner can add columns (the owner's next candidate adds them)")
