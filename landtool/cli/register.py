"""``landtool register list | add | decide | verify | print``: the queue and decisions log."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

import click
import pandas as pd

from landtool import decisions
from landtool.errors import RegisterError
from landtool.register import register_request
from landtool.workspace import BaseWorkspace, open_workspace

WS = click.argument("workspace", type=click.Path(dir_okay=False))
DECISIONS = ("forwarded", "approved", "refused", "conclusion_issued", "contract_signed")


def _requests_layer(ws: BaseWorkspace) -> str:
    names = ws.layers_of_kind("requests")
    if not names:
        raise RegisterError("the workspace has no requests layer", path=ws.path)
    return names[0]


def queue_rows(ws: BaseWorkspace, soum: str | None = None) -> list[dict]:
    """The register: requests in queue order, each with its latest decision and check."""
    reqs = ws.read(_requests_layer(ws))
    if soum:
        if "soum_pcode" not in reqs.columns:
            raise RegisterError("the requests have no soum_pcode field to select a soum by",
                                path=ws.path, hint="list without --soum")
        reqs = reqs[reqs["soum_pcode"].astype(str) == soum]
    latest: dict[str, decisions.Entry] = {}
    for entry in decisions.entries(ws):
        if entry.action != "checked":
            latest[entry.subject] = entry
    checks = ws.checks()
    checked = {} if checks is None else {r.request_id: r for r in checks.itertuples()}
    rows = []
    for r in reqs.itertuples():
        rid = str(r.request_id)
        q = getattr(r, "queue_no", None)
        c = checked.get(rid)
        d = latest.get(rid)
        rows.append({
            "queue_no": None if q is None or pd.isna(q) else int(q),
            "submitted_at": _text(getattr(r, "submitted_at", None)),
            "request_id": rid, "applicant": _text(getattr(r, "applicant", None)),
            "check": "" if c is None else
            f"{'eligible' if c.eligible else 'refused'} ({c.ruleset} {c.ruleset_version}, "
            f"{c.as_of})",
            "decision": "" if d is None else d.action + (
                f" ({d.details_dict().get('resolution')})"
                if d.details_dict().get("resolution") else ""),
        })
    return sorted(rows, key=lambda x: (x["queue_no"] is None, x["queue_no"] or 0, x["request_id"]))


def _text(value) -> str:
    """A field as text; empty for a missing value (None, NaN, NA)."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) \
        else str(value)


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
        click.echo(f"{q:>4} {row['submitted_at']:<25} {row['request_id']:<14} "
                   f"{row['applicant']:<24.24} {row['check']:<40} {row['decision']}")


@register.command()
@WS
@click.argument("request_id")
@click.option("--user", help="Who registers (default: the login name).")
def add(workspace, request_id, user) -> None:
    """Register REQUEST_ID: the next queue number and the submission time, logged."""
    ws = open_workspace(workspace)
    name = _requests_layer(ws)

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
@click.argument("subject")
@click.option("--decision", type=click.Choice(DECISIONS), required=True)
@click.option("--resolution", help="The council's resolution (or conclusion, contract) number.")
@click.option("--note", default="", help="Free text kept with the decision.")
@click.option("--user", help="Who decides (default: the login name).")
def decide(workspace, subject, decision, resolution, note, user) -> None:
    """Record a DECISION about SUBJECT (a request id) in the log."""
    if decision in ("approved", "refused", "conclusion_issued", "contract_signed") \
            and not resolution:
        raise click.UsageError(f"--decision {decision} needs the --resolution number")
    ws = open_workspace(workspace)
    reqs = ws.read(_requests_layer(ws))
    hit = reqs[reqs["request_id"].astype(str) == subject]
    if hit.empty:
        raise RegisterError(f"there is no request {subject!r}", path=ws.path)
    checks = ws.checks()
    last = None if checks is None else checks[checks["request_id"] == subject]
    ruleset = None if last is None or last.empty else (
        str(last.iloc[-1]["ruleset"]), str(last.iloc[-1]["ruleset_version"]))
    entry = decisions.append(
        ws, decision, subject, {"resolution": resolution, "note": note}, user=user,
        inputs=decisions.inputs_hash(hit.geometry.iloc[0], ruleset))
    click.echo(f"logged #{entry.seq}: {subject} {decision}"
               + (f" ({resolution})" if resolution else ""))


@register.command()
@WS
def verify(workspace) -> None:
    """Check the log's hash chain: the first changed, removed or moved entry, or intact.
    Exit 0 when intact, 1 when not."""
    result = decisions.verify(open_workspace(workspace))
    click.echo(str(result))
    if not result.intact:
        raise SystemExit(1)


@register.command("print")
@WS
@click.option("--soum", help="Only the requests of this soum P-code.")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="An .html file.")
@click.option("--force", is_flag=True)
def print_cmd(workspace, soum, out, force) -> None:
    """A printable register (HTML) of the queue, with the state of the log's chain."""
    from landtool.io.formats import atomic_path, check_writable

    check_writable(out, overwrite=force)
    ws = open_workspace(workspace)
    rows = queue_rows(ws, soum)
    state = decisions.verify(ws)
    log = decisions.entries(ws)
    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(r[k] if r[k] is not None else ''))}</td>"
                         for k in ("queue_no", "submitted_at", "request_id", "applicant",
                                   "check", "decision")) + "</tr>" for r in rows)
    page = f"""<!doctype html><html lang="mn"><meta charset="utf-8">
<title>Хүсэлтийн бүртгэл / Request register</title>
<style>body{{font-family:DejaVu Sans,Arial,sans-serif;margin:2em}}table{{border-collapse:collapse;
width:100%}}td,th{{border:1px solid #888;padding:4px 6px;font-size:10pt}}th{{background:#eee}}
@media print{{body{{margin:0}}}}</style>
<h1>Хүсэлтийн бүртгэл / Request register</h1>
<p>{html.escape(str(ws.path.name))}{' — ' + html.escape(soum) if soum else ''};
{date.today().isoformat()}</p>
<table><tr><th>№</th><th>Ирүүлсэн / submitted</th><th>Хүсэлт / request</th>
<th>Хүсэлт гаргагч / applicant</th><th>Шалгалт / check</th><th>Шийдвэр / decision</th></tr>
{cells}</table>
<p>Шийдвэрийн бүртгэл / decisions log: {len(log)} entries; last hash
<code>{log[-1].hash if log else '-'}</code>; {html.escape(str(state))}.</p>
</html>"""
    with atomic_path(Path(out)) as tmp:
        tmp.write_text(page, encoding="utf-8")
    click.echo(f"wrote {out}")
