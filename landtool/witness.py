"""Receipts and witnesses: copies of the decisions log's state kept outside the workspace.

A hash chain kept only inside a file cannot see its own truncation or a rewrite of the whole
chain: whoever can write the file can redo every hash. What an applicant or the public holds
outside the file can. A **receipt** is given to an applicant when their request is registered:
the request, its queue number and time, its geodesic area, the log entry's number and hash,
and the log's length at that moment. A **witness** is the log's length and last hash at a
moment, published on the aimag's notice board, in each Khural package and on the printed
register. Both are plain JSON, "signed" by nothing but their content: anyone can check
them against the workspace (:func:`check_receipt`, :func:`check_witness`) or against the
published register page, and any later truncation or rewrite of the chain before that point
is then detected.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from landtool.errors import LandtoolError, RegisterError

RECEIPT_KIND = "landtool-receipt"
WITNESS_KIND = "landtool-witness"
FORMAT = 1


def _title(ws) -> str:
    try:
        return ws.info_values().get("title", "")
    except LandtoolError:
        return ""


def receipt(ws, request_id: str) -> dict:
    """The receipt of the registered request ``request_id``: read in one snapshot, from the
    log's 'registered' (or 'imported') entry and the requests layer."""
    from landtool.geodesy import AREA_METHOD, area_ha
    from landtool.register import MONGOLIA_TZ, requests_layer
    from landtool.workspace import decisions

    with decisions.reading(ws):
        log = decisions.entries(ws)
        reqs = ws.read(requests_layer(ws))
    entry = next((e for e in log if e.subject == str(request_id)
                  and e.action in decisions.REGISTRATIONS), None)
    if entry is None:
        raise RegisterError(f"request {request_id} is not registered in the log, so it has "
                            "no receipt", path=ws.path,
                            hint=f"register it (`landtool register add WS {request_id}`)")
    hit = reqs[reqs["request_id"].astype(str) == str(request_id)]
    details = entry.details_dict()
    when = datetime.fromisoformat(str(details.get("submitted_at")))
    applicant = "" if hit.empty else str(hit.iloc[0].get("applicant") or "")
    area = None if hit.empty else round(area_ha(hit.geometry.iloc[0]), 4)
    return {
        "kind": RECEIPT_KIND, "format": FORMAT, "workspace": _title(ws),
        "request_id": str(request_id), "applicant": applicant,
        "queue_no": int(details["queue_no"]),
        "registered_at": when.astimezone(MONGOLIA_TZ).isoformat(),
        "area_ha": area, "area_method": AREA_METHOD,
        "entry": entry.seq, "entry_hash": entry.hash,
        # the entry is the log's last at the moment it was appended
        "log_length": entry.seq,
    }


def witness(ws, *, at: datetime | None = None, log: list | None = None) -> dict:
    """The log's length and last hash now (or of ``log``, the entries already read)."""
    from landtool.workspace import decisions

    if log is None:
        with decisions.reading(ws):
            log = decisions.entries(ws)
    return {"kind": WITNESS_KIND, "format": FORMAT, "workspace": _title(ws),
            "made_at": (at or datetime.now(UTC)).replace(microsecond=0).isoformat(),
            "log_length": len(log), "last_hash": log[-1].hash if log else None}


def write_json(doc: dict, path: str | Path) -> Path:
    """Write a receipt or witness (atomically: whole or not at all)."""
    from landtool.io.formats import atomic_path

    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                       encoding="utf-8")
    return path


def read_json(path: str | Path, kind: str) -> dict:
    """A receipt (``kind`` :data:`RECEIPT_KIND`) or witness read back, refused with a message
    naming the file if it is not one."""
    path = Path(path)
    what = "receipt" if kind == RECEIPT_KIND else "witness"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RegisterError(f"cannot read the {what} ({exc})", path=path,
                            hint=f"give the .json {what} landtool wrote") from None
    needed = ("entry", "entry_hash", "request_id", "queue_no") if kind == RECEIPT_KIND \
        else ("log_length", "last_hash")
    if not isinstance(doc, dict) or doc.get("kind") != kind or \
            any(k not in doc for k in needed):
        raise RegisterError(f"this is not a landtool {what}", path=path,
                            hint=f"give the .json {what} landtool wrote")
    return doc


def check_receipt(log: list, doc: dict) -> str | None:
    """What is wrong with the log (a list of entries) against a receipt, or None."""
    seq, want = int(doc["entry"]), str(doc["entry_hash"])
    if len(log) < seq:
        return (f"the log holds {len(log)} entries, but the receipt of {doc['request_id']} "
                f"was given for entry {seq}: entries were cut off")
    entry = log[seq - 1]
    if entry.seq != seq or entry.hash != want:
        return (f"entry {seq} is no longer the registration of {doc['request_id']} the "
                f"receipt was given for (hash {want[:16]}…, now {entry.hash[:16]}…): the log "
                "was rewritten")
    details = entry.details_dict()
    if entry.subject != str(doc["request_id"]) or \
            int(details.get("queue_no", -1)) != int(doc["queue_no"]):
        return f"entry {seq} does not register {doc['request_id']} as number {doc['queue_no']}"
    return None


def check_witness(log: list, doc: dict) -> str | None:
    """What is wrong with the log against a witness, or None."""
    length = int(doc["log_length"])
    if len(log) < length:
        return (f"the log holds {len(log)} entries, fewer than the {length} the witness of "
                f"{doc.get('made_at', '?')} saw: entries were cut off")
    if length == 0:
        return None
    if log[length - 1].hash != doc["last_hash"]:
        return (f"entry {length} is not the one the witness of {doc.get('made_at', '?')} "
                "saw last: the log was rewritten up to there")
    return None
