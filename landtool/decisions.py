"""The decisions log: every decision about a request or parcel, append-only and hash-chained.

Each entry records when, who, what was decided about what, a hash of the inputs it was based on
(the geometry and the ruleset), the hash of the previous entry and its own hash. Changing,
deleting or reordering any entry breaks the chain, and :func:`verify` names the first entry
where it breaks. The workspace also keeps the number of entries and the last hash, so cutting
entries off the end is detected too (unless both are rewritten together, which a copy of the
log kept elsewhere, e.g. the printed register, would reveal).

Entries are appended inside one SQLite transaction, which SQLite makes atomic and durable:
an interruption leaves the log with or without the new entry, never half of it.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import sqlite3
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import shapely

from landtool.errors import LandtoolError
from landtool.workspace import Workspace

TABLE = "landtool_log"
ACTIONS = ("registered", "checked", "forwarded", "approved", "refused", "conclusion_issued",
           "contract_signed", "parcel_status_changed")
GENESIS = "0" * 64


class DecisionLogError(LandtoolError):
    """A decision cannot be recorded (an unknown action, a missing detail)."""


@dataclass(frozen=True)
class Entry:
    seq: int
    at: str  # UTC, ISO 8601
    user: str
    action: str
    subject: str  # a request id or a parcel id
    details: str  # canonical JSON
    inputs_hash: str
    prev_hash: str
    hash: str

    def details_dict(self) -> dict:
        return json.loads(self.details)


@dataclass(frozen=True)
class Verification:
    intact: bool
    entries: int
    first_bad: int | None = None  # seq of the first entry that does not fit
    reason: str = ""

    def __str__(self) -> str:
        if self.intact:
            return f"the chain of {self.entries} entries is intact"
        return f"entry {self.first_bad}: {self.reason}"


def inputs_hash(geometry=None, ruleset: tuple[str, str] | None = None, **more) -> str:
    """SHA-256 of what a decision was based on: the geometry (normalised WKB, so the same
    shape hashes the same whatever its vertex order) and the ruleset (id, version)."""
    h = hashlib.sha256()
    if geometry is not None:
        h.update(shapely.to_wkb(shapely.normalize(geometry), output_dimension=2))
    h.update(json.dumps({"ruleset": ruleset, **more}, sort_keys=True,
                        ensure_ascii=False, default=str).encode())
    return h.hexdigest()


def _entry_hash(fields: dict) -> str:
    body = {k: fields[k] for k in ("seq", "at", "user", "action", "subject", "details",
                                   "inputs_hash", "prev_hash")}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _connect(ws: Workspace) -> sqlite3.Connection:
    con = sqlite3.connect(ws.path, timeout=30, isolation_level=None)  # transactions by hand
    con.execute(f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        seq INTEGER PRIMARY KEY, at TEXT NOT NULL, user TEXT NOT NULL, action TEXT NOT NULL,
        subject TEXT NOT NULL, details TEXT NOT NULL, inputs_hash TEXT NOT NULL,
        prev_hash TEXT NOT NULL, hash TEXT NOT NULL)""")
    # registered as an attributes table, so the GeoPackage stays valid for other programs
    con.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
                "last_change) VALUES (?, 'attributes', ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
                (TABLE, TABLE))
    con.execute("CREATE TABLE IF NOT EXISTS landtool_log_head (k TEXT PRIMARY KEY, v TEXT)")
    con.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
                "last_change) VALUES ('landtool_log_head', 'attributes', 'landtool_log_head', "
                "strftime('%Y-%m-%dT%H:%M:%fZ','now'))")
    return con


def append(ws: Workspace, action: str, subject: str, details: dict | None = None, *,
           user: str | None = None, inputs: str | None = None,
           at: datetime | None = None) -> Entry:
    """Append one decision to the workspace's log (one atomic transaction)."""
    if action not in ACTIONS:
        raise DecisionLogError(f"unknown decision {action!r}", hint="use one of: "
                               + ", ".join(ACTIONS))
    with closing(_connect(ws)) as con:
        con.execute("BEGIN IMMEDIATE")  # one writer at a time appends
        try:
            entry = _append_in(con, action, subject, details, user, inputs, at)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return entry


def _append_in(con, action, subject, details, user, inputs, at) -> Entry:
    """Append within the caller's transaction: the next number, chained to the last hash."""
    last = con.execute(f"SELECT seq, hash FROM {TABLE} ORDER BY seq DESC LIMIT 1").fetchone()
    fields = {
        "seq": (last[0] + 1) if last else 1,
        "at": (at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0).isoformat(),
        "user": user or getpass.getuser(),
        "action": action,
        "subject": str(subject),
        "details": json.dumps(details or {}, sort_keys=True, ensure_ascii=False,
                              default=str),
        "inputs_hash": inputs or inputs_hash(),
        "prev_hash": last[1] if last else GENESIS,
    }
    fields["hash"] = _entry_hash(fields)
    con.execute(f"INSERT INTO {TABLE} VALUES (:seq, :at, :user, :action, :subject, "
                ":details, :inputs_hash, :prev_hash, :hash)", fields)
    con.executemany("INSERT OR REPLACE INTO landtool_log_head VALUES (?, ?)",
                    [("count", str(fields["seq"])), ("last_hash", fields["hash"])])
    return Entry(**fields)


def entries(ws: Workspace) -> list[Entry]:
    """Every entry, in the order they were stored (as the chain must be)."""
    with closing(_connect(ws)) as con:
        rows = con.execute(f"SELECT * FROM {TABLE} ORDER BY rowid").fetchall()
    return [Entry(*row) for row in rows]


def verify(ws: Workspace) -> Verification:
    """The first entry that was changed, removed or moved, or that the chain is intact."""
    log = entries(ws)
    prev = GENESIS
    for expected_seq, entry in enumerate(log, start=1):
        if entry.seq != expected_seq:
            what = "missing" if entry.seq > expected_seq else "out of order"
            return Verification(False, len(log), expected_seq,
                                f"entry {expected_seq} is {what} (found {entry.seq} in its place)")
        if entry.prev_hash != prev:
            return Verification(False, len(log), entry.seq,
                                "does not follow the entry before it (an entry was removed, "
                                "moved or changed before it)")
        if _entry_hash(asdict(entry)) != entry.hash:
            return Verification(False, len(log), entry.seq, "its content was changed")
        prev = entry.hash
    with closing(_connect(ws)) as con:
        head = dict(con.execute("SELECT k, v FROM landtool_log_head").fetchall())
    if head and (int(head.get("count", 0)) != len(log) or head.get("last_hash", prev) != prev):
        return Verification(False, len(log), len(log) + 1,
                            f"the log should hold {head.get('count')} entries: entries after "
                            f"{len(log)} are missing")
    return Verification(True, len(log))
