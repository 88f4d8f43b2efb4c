"""``landtool photos add | list | get``: photographs kept in the workspace as evidence."""

from __future__ import annotations

import json

import click

WS = click.argument("workspace", type=click.Path(dir_okay=False))


def _lon_lat(_ctx, _param, value):
    if value is None:
        return None
    try:
        lon, lat = (float(v) for v in value.split(","))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not LON,LAT (e.g. 106.52,48.68)") from None
    return lon, lat


@click.group()
def photos() -> None:
    """Photographs kept in the workspace as evidence (rehabilitation parcels, requests)."""


@photos.command()
@WS
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--parcel", "parcel_id", metavar="ID", help="The rehabilitation parcel.")
@click.option("--request", "request_id", metavar="ID", help="The request.")
@click.option("--at", callback=_lon_lat, metavar="LON,LAT",
              help="Where photos without a GPS position were taken (degrees, WGS 84); photos "
              "with one keep their own.")
@click.option("--tolerance-m", type=float, default=50.0, show_default=True,
              help="A photo farther than this outside its parcel or request is flagged "
              "(geodesic distance).")
@click.option("--user", help="Who attaches them [default: this login].")
def add(workspace, files, parcel_id, request_id, at, tolerance_m, user) -> None:
    """Attach JPEG FILES to a parcel or request: kept in the workspace byte for byte with their
    GPS position, time, direction and camera."""
    from landtool.photos import DISTANCE_METHOD, attach
    from landtool.workspace import open_workspace

    if (parcel_id is None) == (request_id is None):
        raise click.UsageError("give either --parcel ID or --request ID")
    kind, subject = (("rehab_parcels", parcel_id) if parcel_id is not None
                     else ("requests", request_id))
    ws = open_workspace(workspace)
    result = attach(ws, files, kind=kind, subject_id=subject, at=at, tolerance_m=tolerance_m,
                    user=user)
    for p in result.added:
        flag = (f"  OUTSIDE by {p.distance_m:.0f} m (tolerance {p.tolerance_m:g} m)"
                if p.outside else "")
        click.echo(f"photo {p.photo_id}: {p.file_name} at {p.lon:.6f}, {p.lat:.6f} "
                   f"({p.position_source}), taken {p.taken_at or 'unknown'}{flag}")
    for path, photo_id in result.duplicates:
        click.echo(f"{path}: already attached to {subject} as photo {photo_id}; not added again")
    for _path, message in result.failed:
        click.echo(f"error: {message}", err=True)
    click.echo(f"attached {len(result.added)} of {len(files)} photos to {subject} in {ws.path}"
               + (f"; {len(result.failed)} not attached (see above)" if result.failed else ""))
    if any(p.outside for p in result.added):
        click.echo(f"distances: {DISTANCE_METHOD}")
    if result.failed:
        raise click.exceptions.Exit(2)


@photos.command("list")
@WS
@click.option("--parcel", "parcel_id", metavar="ID", help="Only the photos of this parcel.")
@click.option("--request", "request_id", metavar="ID", help="Only the photos of this request.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_(workspace, parcel_id, request_id, as_json) -> None:
    """List the photos of the workspace (of one parcel or request)."""
    from landtool.photos import DISTANCE_METHOD
    from landtool.photos import photos as kept
    from landtool.rehab.evidence import measured_now
    from landtool.workspace import open_workspace

    ws = open_workspace(workspace)
    kind = "rehab_parcels" if parcel_id else "requests" if request_id else None
    # measured against each feature as it is now, as the report and the app do
    found = measured_now(ws, kept(ws, kind=kind, subject_id=parcel_id or request_id))
    if as_json:
        click.echo(json.dumps({"distance_method": DISTANCE_METHOD,
                               "photos": [p.to_json() for p in found]},
                              ensure_ascii=False, indent=2))
        return
    click.echo(f"{'id':>4}  {'feature':<14} {'file':<24} {'lon':>11} {'lat':>10} {'taken':<25} "
               f"{'dir.':>6}  {'outside m':>9}")
    for p in found:
        direction = "" if p.direction_deg is None else \
            f"{p.direction_deg:.0f}°{p.direction_ref or ''}"
        known = p.distance_m is not None and p.distance_m == p.distance_m  # not NaN
        outside = "—" if not known else f"{p.distance_m:.0f}" + (" !" if p.outside else "")
        click.echo(f"{p.photo_id:>4}  {p.subject_id:<14.14} {p.file_name:<24.24} "
                   f"{p.lon:>11.6f} {p.lat:>10.6f} {p.taken_at or '':<25} {direction:>6}  "
                   f"{outside:>9}")
    click.echo(f"{len(found)} photos; ! = outside its feature by more than the tolerance; "
               f"distances: {DISTANCE_METHOD}")


@photos.command()
@WS
@click.argument("photo_id", type=int)
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
def get(workspace, photo_id, out, force) -> None:
    """Write photo PHOTO_ID to OUT, exactly as it was attached."""
    from landtool.io.formats import atomic_paths, check_writable
    from landtool.photos import photo_bytes
    from landtool.workspace import open_workspace

    check_writable(out, overwrite=force)
    data = photo_bytes(open_workspace(workspace), photo_id)
    with atomic_paths(out) as (tmp,):
        tmp.write_bytes(data)
    click.echo(f"wrote {out} ({len(data)} bytes)")
