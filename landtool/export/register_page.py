"""The public register page: the queue and the decisions log as one static, offline HTML page
that checks the log's hash chain in the visitor's browser.

``landtool register publish WS --out DIR`` writes ``DIR/index.html`` and ``DIR/witness.json``.
The page loads nothing and sends nothing (its Content-Security-Policy forbids any request): it
holds the queue (numbers, registration times, requests, applicants, geodesic areas, latest
decisions: what the printed register shows, no more), every log entry with the fields its hash
covers, and the log's recorded length and last hash. On opening, the browser recomputes each
entry's SHA-256 with Web Crypto exactly as :func:`landtool.workspace.decisions._entry_hash`
does (Python's ``json.dumps(sort_keys=True, ensure_ascii=False)`` of the entry's fields),
checks each entry's link to the one before it, the recorded length and last hash, and each
queue number and time against the registration the log recorded; any difference is shown in
red with the entries it concerns. A visitor can paste a receipt's or a witness's JSON (or put
it in the address: ``index.html#check=<JSON>``) to see it confirmed against the page.

Each entry's details are published as logged (they are what its hash covers), so a decision's
note is public too: the register's notes are for the record, not for personal data.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from landtool.errors import OutputError

TEMPLATE = "register_page.html"
PAGE = "index.html"
WITNESS = "witness.json"


def _details_text(details: str) -> str:
    try:
        doc = json.loads(details)
    except json.JSONDecodeError:
        return details
    if not isinstance(doc, dict):
        return details
    return ", ".join(f"{k}: {v}" for k, v in doc.items() if v not in (None, ""))


def page_data(ws, *, soum: str | None = None, now: datetime | None = None) -> dict:
    """What the page shows and checks, read in one snapshot of ``ws``."""
    from landtool.export.register_sheet import _place
    from landtool.geodesy import AREA_METHOD, AREA_METHOD_MN
    from landtool.register import DECISION_NAMES, decision_name, mongolian_time, queue_rows
    from landtool.witness import witness
    from landtool.workspace import decisions

    with decisions.reading(ws):  # the queue, the log and its head of one moment
        rows = queue_rows(ws, soum)
        log = decisions.entries(ws)
        head = decisions.log_head(ws)
        place = {lang: _place(ws, soum, lang) for lang in ("mn", "en")}
    seen = witness(ws, at=now, log=log)
    when = (now or datetime.now(UTC)).astimezone(UTC)
    queue = []
    for r in rows:
        d = r["decision"]
        doc = None if d is None else d.details_dict().get("resolution")
        queue.append({
            "queue_no": r["queue_no"], "submitted_at": r["submitted_at"],
            "submitted_mn": mongolian_time(r["submitted_at"]) if r["submitted_at"] else "",
            "request_id": r["request_id"], "applicant": r["applicant"],
            "area_ha": f"{r['area_ha']:.2f}",
            "decision": None if d is None else {
                lang: decision_name(d.action, lang) + (f" (№ {doc})" if doc else "")
                + f", {mongolian_time(d.at)}" for lang in ("mn", "en")},
        })
    title = seen.get("workspace") or ""
    return {
        "workspace": f"{title} ({ws.path.name})" if title else ws.path.name, "place": place,
        "published_at": when.replace(microsecond=0).isoformat(),
        "published_mn": mongolian_time(when.isoformat()),
        "area_method": {"mn": f"Талбайг {AREA_METHOD_MN} аргаар тооцов.",
                        "en": f"Areas: {AREA_METHOD}."},
        "actions": {a: {"mn": n[1], "en": n[0]} for a, n in DECISION_NAMES.items()},
        "queue": queue,
        "log": [{"seq": e.seq, "at": e.at, "user": e.user, "action": e.action,
                 "subject": e.subject, "details": e.details, "inputs_hash": e.inputs_hash,
                 "prev_hash": e.prev_hash, "hash": e.hash, "at_mn": mongolian_time(e.at),
                 "details_text": _details_text(e.details)} for e in log],
        "head": {"count": int(head.get("count", 0)), "last_hash": head.get("last_hash")},
        "witness": seen,
    }


def page_html(data: dict) -> str:
    """The page for :func:`page_data`: the template with the data in a JSON script block
    (``<``, ``>`` and ``&`` escaped, so no text from the workspace can close the block)."""
    template = resources.files("landtool.export").joinpath("templates", TEMPLATE)
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return template.read_text(encoding="utf-8").replace("__DATA__", text, 1)


def publish(ws, out: str | Path, *, soum: str | None = None, force: bool = False,
            now: datetime | None = None) -> Path:
    """Write the public register page of ``ws`` to the folder ``out`` (``index.html`` and
    ``witness.json``); an existing page is refused unless ``force``. Returns the page's path."""
    from landtool.io.formats import atomic_paths, check_writable

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError("this is a file; give a folder for the register page", path=out,
                          hint="choose another --out")
    page, seen = out / PAGE, out / WITNESS
    check_writable(page, overwrite=force)
    check_writable(seen, overwrite=force)
    data = page_data(ws, soum=soum, now=now)
    with atomic_paths(page, seen) as (tmp_page, tmp_seen):  # both or neither
        tmp_page.write_text(page_html(data), encoding="utf-8")
        tmp_seen.write_text(json.dumps(data["witness"], ensure_ascii=False, indent=2,
                                       sort_keys=True) + "\n", encoding="utf-8")
    return page
