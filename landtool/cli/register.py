"""``landtool register list | add | decide | verify | print``: the queue and decisions log."""

from __future__ import annotations

import click

from landtool.register import DECISIONS, audit, queue_rows, register_request, requests_layer
from landtool.register import decide as decide_request
from landtool.workspace import decisions, open_workspace

WS = click.argument("workspace", type=click.Path(dir_okay=False))
VERDICTS = {"eligible": "eligible", "incomplete": "eligible*", "refused": "not eligible"}


@click.group()
def register() -> None:
    """The request register (queue) and the append-only, hash-chained decisions log."""


@register.command("list")
@WS
@click.option("--soum", help="Only the requests of this soum P-code.")
def list_cmd(workspace, soum) -> None:
    """The queue: number, submission time, request, applicant, check and latest decision."""
    click.echo(f"{'no':>4} {'submitted':<25} {'request':<14} {'applicant':<24} "
               f"{'check':<40} decision")
    for row in queue_rows(open_workspace(workspace), soum):
        q = "" if row["queue_no"] is None else str(row["queue_no"])
        c, d = row["check"], row["decision"]
        check = "" if c is None else (
            f"{VERDICTS[c['verdict']]} ({c['ruleset']} {c['version']}, {c['as_of']})"
            + ("" if c["current"] else " changed since"))
        doc = None if d is None else d.details_dict().get("resolution")
        decision = "" if d is None else d.action + (f" ({doc})" if doc else "")
        click.echo(f"{q:>4} {row['submitted_at']:<25} {row['request_id']:<14} "
                   f"{row['applicant']:<24.24} {check:<40} {decision}")


@register.command()
@WS
@click.argument("request_id")
@click.option("--user", help="Who registers (default: the login name).")
def add(workspace, request_id, user) -> None:
    """Register REQUEST_ID: the next queue number and the submission time, logged."""
    ws = open_workspace(workspace)
    name = requests_layer(ws)

    def register_it(reqs):  # run on the layer as it is at this moment, with no writer between
        updated, number, stamp = register_request(
            reqs, request_id, above=decisions.highest_registered_number(ws))
        geom = updated[updated["request_id"].astype(str) == request_id].geometry.iloc[0]
        entry = ("registered", request_id, {"queue_no": number, "submitted_at": stamp},
                 decisions.inputs_hash(geom))
        return updated, [entry], (number, stamp)

    number, stamp = ws.modify(name, register_it, note=f"registered {request_id}", user=user)
    click.echo(f"registered {request_id}: number {number}, {stamp}")


@register.command()
@WS
@click.argument("request_id")
@click.option("--decision", type=click.Choice(DECISIONS), required=True,
              help="What was decided; each must follow the one before it: registered → "
              "forwarded → approved or refused; approved → conclusion_issued → "
              "contract_signed.")
@click.option("--resolution", help="The number of the Khural's resolution (approved, refused), "
              "the Land Conclusion or the contract.")
@click.option("--note", default="", help="Free text kept with the decision.")
@click.option("--user", help="Who decides (default: the login name).")
def decide(workspace, request_id, decision, resolution, note, user) -> None:
    """Record a DECISION about the registered request REQUEST_ID in the log. The log is
    append-only: a decision the procedure does not allow now is refused, not recorded."""
    entry = decide_request(open_workspace(workspace), request_id, decision,
                           document=resolution, note=note, user=user)
    click.echo(f"logged #{entry.seq}: {request_id} {decision}"
               + (f" ({resolution})" if resolution else ""))


@register.command()
@WS
def verify(workspace) -> None:
    """Check the log's hash chain (the first changed, removed or moved entry, or intact),
    and the queue against it (queue numbers and submission times that differ from those the
    log recorded at registration, numbers given twice). Exit 0 when all agree, 1 when not."""
    ws = open_workspace(workspace)
    with decisions.reading(ws):  # the log and the queue of one moment
        result = decisions.verify(ws)
        found = audit(ws)
    click.echo(str(result))
    for d in found:
        click.echo(("" if d.serious else "note: ") + d.text())
    serious = [d for d in found if d.serious]
    if result.intact and not serious:
        click.echo("the queue agrees with the log")
    if not result.intact or serious:
        raise SystemExit(1)


@register.command("print")
@WS
@click.option("--soum", help="Only the requests of this soum P-code.")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="An .html file.")
@click.option("--lang", type=click.Choice(["mn", "en"]), default="mn", show_default=True)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def print_cmd(workspace, soum, out, lang, force) -> None:
    """A printable register (HTML, A4 landscape): the queue with each request's check and
    latest decision, the decisions log, and the state of its hash chain."""
    from landtool.export.register_sheet import write_register

    write_register(open_workspace(workspace), out, soum=soum, lang=lang, overwrite=force)
    click.echo(f"wrote {out}")
