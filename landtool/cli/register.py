"""``landtool register list | add | seal | witness | decide | verify | publish | print``: the
queue and the decisions log."""

from __future__ import annotations

import click

from landtool.cli.options import choice_of

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
    from landtool.register import queue_rows
    from landtool.workspace import open_workspace

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
@click.option("--receipt", "receipt_pdf", type=click.Path(dir_okay=False),
              help="Write the applicant's receipt here (PDF, mn/en, with a QR code), and the "
              "same as JSON beside it (FILE.json).")
@click.option("--lang", type=click.Choice(["mn", "en"]), default="mn", show_default=True,
              help="The receipt's first language (both are printed).")
def add(workspace, request_id, user, receipt_pdf, lang) -> None:
    """Register REQUEST_ID: the next queue number and the submission time, logged."""
    from pathlib import Path

    from landtool import witness
    from landtool.register import register as register_it
    from landtool.workspace import open_workspace

    ws = open_workspace(workspace)
    if receipt_pdf:  # refused before anything is registered
        from landtool.io.formats import check_writable

        check_writable(Path(receipt_pdf))
    number, stamp, entry = register_it(ws, request_id, user=user)
    click.echo(f"registered {request_id}: number {number}, {stamp} (log entry {entry.seq})")
    if receipt_pdf:
        doc = witness.receipt(ws, request_id)
        pdf = Path(receipt_pdf)
        json_path = witness.write_json(doc, pdf.with_suffix(".json"))
        from landtool.export.receipt import write_receipt_pdf

        write_receipt_pdf(doc, pdf, lang=lang)
        click.echo(f"receipt: {pdf} and {json_path}")


@register.command()
@WS
@click.option("--user", help="Who seals (default: the login name).")
def seal(workspace, user) -> None:
    """Seal registrations made elsewhere (queue numbers the log does not back yet) into the
    log, once, on purpose: an 'imported' entry for each, in queue order, with who and when."""
    from landtool.register import seal as seal_queue
    from landtool.workspace import open_workspace

    entries = seal_queue(open_workspace(workspace), user=user)
    for e in entries:
        click.echo(f"sealed #{e.seq}: {e.subject} as number {e.details_dict()['queue_no']}")
    click.echo(f"{len(entries)} registration(s) sealed" if entries else
               "nothing to seal: every queue number is backed by the log")


@register.command("witness")
@WS
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="The witness file (JSON) to publish.")
def witness_cmd(workspace, out) -> None:
    """Write the log's length and last hash now (a witness for the notice board, the Khural
    package and the printed register): any later cut or rewrite of the log before that point
    is detected by `register verify --witness`."""
    from landtool import witness
    from landtool.workspace import open_workspace

    doc = witness.witness(open_workspace(workspace))
    witness.write_json(doc, out)
    click.echo(f"witness: {doc['log_length']} entries, last hash {doc['last_hash']} -> {out}")


@register.command()
@WS
@click.argument("request_id")
@click.option("--decision", type=choice_of("landtool.register", "DECISIONS"), required=True,
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
    from landtool.register import decide as decide_request
    from landtool.workspace import open_workspace

    entry = decide_request(open_workspace(workspace), request_id, decision,
                           document=resolution, note=note, user=user)
    click.echo(f"logged #{entry.seq}: {request_id} {decision}"
               + (f" ({resolution})" if resolution else ""))


@register.command()
@WS
@click.option("--receipt", "receipts", multiple=True, type=click.Path(dir_okay=False),
              help="An applicant's receipt (JSON) the log must still hold; repeatable.")
@click.option("--witness", "witnesses", multiple=True, type=click.Path(dir_okay=False),
              help="A published witness (JSON) the log must still agree with; repeatable.")
def verify(workspace, receipts, witnesses) -> None:
    """Check the log's hash chain (the first changed, removed or moved entry, or intact),
    the queue against it (queue numbers and submission times that differ from those the
    log recorded at registration, numbers the log never gave, numbers given twice,
    registered requests gone), and the log against receipts and witnesses kept outside the
    workspace (cut or rewritten since). Exit 0 when all agree, 1 when not."""
    from landtool import witness
    from landtool.register import audit
    from landtool.workspace import decisions, open_workspace

    docs = [(p, witness.read_json(p, witness.RECEIPT_KIND)) for p in receipts]
    docs += [(p, witness.read_json(p, witness.WITNESS_KIND)) for p in witnesses]
    ws = open_workspace(workspace)
    with decisions.reading(ws):  # the log and the queue of one moment
        result = decisions.verify(ws)
        found = audit(ws)
        log = decisions.entries(ws)
    click.echo(str(result))
    for d in found:
        click.echo(("" if d.serious else "note: ") + d.text())
    outside = []
    for path, doc in docs:
        check = (witness.check_receipt if doc["kind"] == witness.RECEIPT_KIND
                 else witness.check_witness)
        problem = check(log, doc)
        if problem:
            outside.append(f"{path}: {problem}")
        else:
            click.echo(f"{path}: agrees with the log")
    for line in outside:
        click.echo(line)
    serious = [d for d in found if d.serious]
    if result.intact and not serious:
        click.echo("the queue agrees with the log")
    if not result.intact or serious or outside:
        raise SystemExit(1)


@register.command()
@WS
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="The folder to write the page to (index.html and witness.json).")
@click.option("--soum", help="Only the queue of this soum P-code (the log is always whole).")
@click.option("--force", is_flag=True, help="Overwrite an existing page.")
def publish(workspace, out, soum, force) -> None:
    """A public register page (static, offline, Mongolian and English): the queue and the
    decisions log, checked in the visitor's browser (the SHA-256 hash chain recomputed with
    Web Crypto; nothing is loaded or sent), with a box to paste a receipt or a witness and
    see it confirmed. Copy the folder to any web server, a USB stick or a notice-board PC."""
    from landtool.export.register_page import publish as publish_page
    from landtool.workspace import open_workspace

    page = publish_page(open_workspace(workspace), out, soum=soum, force=force)
    click.echo(f"wrote {page} and {page.parent / 'witness.json'}")


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
    from landtool.workspace import open_workspace

    write_register(open_workspace(workspace), out, soum=soum, lang=lang, overwrite=force)
    click.echo(f"wrote {out}")
