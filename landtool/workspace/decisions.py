"""The decisions log: every decision about a request or parcel, append-only and hash-chained.

Each entry records when, who, what was decided about what, a hash of the inputs it was based on
(the geometry and the ruleset), the hash of the previous entry and its own hash. Changing,
deleting or reordering any entry breaks the chain, and :func:`verify` names the first entry
where it breaks. The workspace also keeps the number of entries and the last hash, so cutting
entries off the end is detected too (unless both are rewritten together, which a copy of the
log kept elsewhere, e.g. the printed register, would reveal).

Entries are appended inside one transaction (SQLite's in a GeoPackage, PostgreSQL's in a shared
workspace), which is atomic and durable: an interruption leaves the log with or without the new
entry, never half of it. In a shared workspace the database itself refuses to change or delete
an entry (see :mod:`landtool.workspace.pg`), and the user is the database user.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import shapely

from landtool.errors import LandtoolError
from landtool.workspace.base import BaseWorkspace as Workspace
from landtool.workspace.lock import read_lock, recover_interrupted_write

TABLE = "landtool_log"
HEAD = "landtool_log_head"  # the number of entries and the last hash, kept apart
ACTIONS = ("registered", "imported", "checked", "forwarded", "approved", "refused",
           "withdrawn", "conclusion_issued", "contract_signed", "parcel_status_changed")
#: the entries that give a request its queue number: registered through landtool, or a
#: registration made elsewhere and sealed into the log (``landtool register seal``)
REGISTRATIONS = ("registered", "imported")
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


#: What :func:`verify` found, in Mongolian (the English is :attr:`Verification.reason`).
_FINDINGS_MN = {
    "missing": "{first_bad}-р бичлэг алга болсон",
    "out_of_chain": "{first_bad}-р бичлэг өмнөх бичлэгээ дагахгүй байна (өмнө нь бичлэг "
                    "устгагдсан, зөөгдсөн эсвэл өөрчлөгдсөн)",
    "changed": "{first_bad}-р бичлэгийн агуулга өөрчлөгдсөн",
    "head_removed": "бүртгэлийн урт, сүүлийн хэшийн тэмдэглэл устгагдсан тул төгсгөлөөс "
                    "бичлэг хасагдсан байж болзошгүй",
    "cut": "бүртгэлд {count} бичлэг байх ёстой: {entries}-аас хойшхи бичлэгүүд алга",
    "replaced": "{first_bad}-р бичлэг сүүлийн бичлэгээр тэмдэглэгдсэн бичлэг биш (бүртгэлийн "
                "төгсгөлийг сольсон)",
}


@dataclass(frozen=True)
class Verification:
    intact: bool
    entries: int
    first_bad: int | None = None  # seq of the first entry that does not fit
    reason: str = ""
    #: what was found: '' (intact), 'missing', 'out_of_chain', 'changed', 'head_removed',
    #: 'cut', 'replaced'
    finding: str = ""
    expected: int | None = None  # for 'cut': how many entries the log should hold

    def __str__(self) -> str:
        if self.intact:
            return f"the chain of {self.entries} entries is intact"
        return f"entry {self.first_bad}: {self.reason}"

    def text(self, lang: str = "en") -> str:
        """The finding as a sentence in ``lang`` ('mn' or 'en')."""
        if lang != "mn":
            return str(self)
        if self.intact:
            return f"{self.entries} бичлэгийн гинж бүрэн бүтэн"
        return _FINDINGS_MN[self.finding].format(first_bad=self.first_bad, count=self.expected,
                                                 entries=self.entries)


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


def ensure_log_tables(con: sqlite3.Connection) -> None:
    """Create the log's tables in a GeoPackage the first time (inside the caller's
    transaction), registered as attributes tables so the GeoPackage stays valid."""
    con.execute(f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        seq INTEGER PRIMARY KEY, at TEXT NOT NULL, user TEXT NOT NULL, action TEXT NOT NULL,
        subject TEXT NOT NULL, details TEXT NOT NULL, inputs_hash TEXT NOT NULL,
        prev_hash TEXT NOT NULL, hash TEXT NOT NULL)""")
    con.execute(f"CREATE TABLE IF NOT EXISTS {HEAD} (k TEXT PRIMARY KEY, v TEXT)")
    for table in (TABLE, HEAD):
        con.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
                    "last_change) VALUES (?, 'attributes', ?, "
                    "strftime('%Y-%m-%dT%H:%M:%fZ','now'))", (table, table))


class SqliteLog:
    """The log's table in a GeoPackage, within the caller's SQLite transaction (a
    :class:`landtool.workspace.gpkg.GpkgTransaction`'s ``log``)."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con
        self._ready = False

    def _ensure(self) -> None:
        if not self._ready:
            ensure_log_tables(self.con)
            self._ready = True

    def rows(self, sql: str) -> list | None:
        """A query's rows as this transaction sees them (None: no log yet)."""
        try:
            return self.con.execute(sql).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return None
            raise

    def last(self) -> tuple[int, str] | None:
        self._ensure()
        return self.con.execute(
            f"SELECT seq, hash FROM {TABLE} ORDER BY seq DESC LIMIT 1").fetchone()

    def insert(self, fields: dict) -> None:
        self._ensure()
        self.con.execute(f"INSERT INTO {TABLE} VALUES (:seq, :at, :user, :action, :subject, "
                         ":details, :inputs_hash, :prev_hash, :hash)", fields)
        self.con.executemany(f"INSERT OR REPLACE INTO {HEAD} VALUES (?, ?)",
                             [("count", str(fields["seq"])), ("last_hash", fields["hash"])])

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    @staticmethod
    def default_user(user: str | None) -> str:
        return user or getpass.getuser()


def _read(path: Path, sql: str) -> list | None:
    """Rows of a read-only query; None when the log was never written (no table)."""
    recover_interrupted_write(Path(path))  # a read-only reader cannot roll a write back
    uri = f"file:{Path(path).resolve()}?mode=ro"
    try:
        with read_lock(Path(path)), closing(sqlite3.connect(uri, uri=True, timeout=30)) as con:
            return con.execute(sql).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None
        raise LandtoolError(f"cannot read the decisions log ({exc})", path=path) from exc


@contextmanager
def writing(ws: Workspace, doing: str = "record a decision") -> Iterator:
    """Open one change of ``ws`` and yield it, the target :func:`append_many` writes to: what
    is read from ``ws`` inside is what the entries appended inside follow (no other writer in
    between), and they land together with any other change made inside."""
    with ws.transaction(doing) as tx:
        yield tx


@contextmanager
def reading(ws: Workspace) -> Iterator[None]:
    """Everything read from ``ws`` inside is of one moment: the requests layer and the log
    agree (no registration lands between reading one and the other). A shared workspace's
    snapshot, or a GeoPackage's lock held shared (writers wait; readers do not)."""
    if ws.shared:
        with ws.consistent_reads():
            yield
    else:
        with read_lock(ws.path):
            yield


def append(ws: Workspace, action: str, subject: str, details: dict | None = None, *,
           user: str | None = None, inputs: str | None = None,
           at: datetime | None = None) -> Entry:
    """Append one decision to the workspace's log (one atomic transaction, under the
    workspace's write lock)."""
    with writing(ws, f"record the decision '{action}'") as target:
        return append_many(target, [(action, subject, details, inputs)], user=user, at=at)[0]


def append_many(target, decisions: list[tuple], *, user: str | None = None,
                at: datetime | None = None) -> list[Entry]:
    """Append ``(action, subject, details, inputs_hash)`` decisions within the open
    transaction ``target`` (from ``ws.transaction()`` of either backend, or the ``tx`` an
    ``update``'s ``then`` is given), so that they land together with the edit they record."""
    for action, *_ in decisions:
        if action not in ACTIONS:
            raise DecisionLogError(f"unknown decision {action!r}", hint="use one of: "
                                   + ", ".join(ACTIONS))
    return [_append_in(target.log, a, s, d, user, i, at) for a, s, d, i in decisions]


def _append_in(log, action, subject, details, user, inputs, at) -> Entry:
    """Append within the caller's transaction: the next number, chained to the last hash."""
    last = log.last()
    fields = {
        "seq": (last[0] + 1) if last else 1,
        "at": (at or log.now()).astimezone(UTC).replace(microsecond=0).isoformat(),
        "user": log.default_user(user),
        "action": action,
        "subject": str(subject),
        "details": json.dumps(details or {}, sort_keys=True, ensure_ascii=False,
                              default=str),
        "inputs_hash": inputs or inputs_hash(),
        "prev_hash": last[1] if last else GENESIS,
    }
    try:
        fields["hash"] = _entry_hash(fields)
    except UnicodeEncodeError:  # e.g. a command-line argument in another encoding
        raise DecisionLogError(
            f"the decision about {subject} holds text that is not valid Unicode",
            hint="type the names and notes again (the terminal's encoding must be UTF-8)"
        ) from None
    log.insert(fields)
    return Entry(**fields)


def entries(ws: Workspace) -> list[Entry]:
    """Every entry, in sequence (reads only: the workspace file is not touched)."""
    rows = (ws.log_rows() if ws.shared else
            _gpkg_rows(ws, f"SELECT * FROM {TABLE} ORDER BY seq"))
    return [Entry(*row) for row in rows or []]


def highest_registered_number(ws: Workspace) -> int:
    """The highest queue number the log has ever given (0 if none): a number is never given
    twice, even after its request was deleted."""
    return highest_number(entries(ws))


def highest_number(log: list[Entry]) -> int:
    """The highest queue number given by the entries ``log`` (0 if none)."""
    numbers = [e.details_dict().get("queue_no") for e in log if e.action in REGISTRATIONS]
    return max((int(n) for n in numbers if n is not None), default=0)


def verify(ws: Workspace) -> Verification:
    """The first entry that was changed, removed or moved, or that the chain is intact."""
    log = entries(ws)
    prev = GENESIS
    for expected_seq, entry in enumerate(log, start=1):
        if entry.seq != expected_seq:  # entries are read in sequence: a gap is a removal
            return Verification(False, len(log), expected_seq,
                                f"entry {expected_seq} is missing (the next one is {entry.seq})",
                                "missing")
        if entry.prev_hash != prev:
            return Verification(False, len(log), entry.seq,
                                "does not follow the entry before it (an entry was removed, "
                                "moved or changed before it)", "out_of_chain")
        if _entry_hash(asdict(entry)) != entry.hash:
            return Verification(False, len(log), entry.seq, "its content was changed",
                                "changed")
        prev = entry.hash
    head = log_head(ws)
    if log and not head:
        return Verification(False, len(log), len(log),
                            "the record of the log's length and last hash was removed, so "
                            "entries may have been cut off the end", "head_removed")
    count = int(head.get("count", 0)) if head else 0
    if head and count != len(log):
        return Verification(False, len(log), len(log) + 1,
                            f"the log should hold {count} entries: entries after "
                            f"{len(log)} are missing", "cut", count)
    if head and head.get("last_hash") != prev:
        return Verification(False, len(log), len(log),
                            "it is not the entry recorded as the last one (the end of the "
                            "log was replaced)", "replaced")
    return Verification(True, len(log))


def log_head(ws: Workspace) -> dict:
    """The log's head record as stored ({'count': ..., 'last_hash': ...}; empty if none)."""
    return dict((ws.log_head() if ws.shared else _gpkg_rows(ws, f"SELECT k, v FROM {HEAD}"))
                or [])


def raw_log(ws: Workspace) -> tuple[list[tuple], list[tuple]]:
    """The log's rows and head exactly as stored, for copying a workspace (push and pull
    copy them verbatim, so a copy verifies as the original does)."""
    if ws.shared:
        return ws.log_rows(), ws.log_head()
    rows = _gpkg_rows(ws, f"SELECT * FROM {TABLE} ORDER BY seq") or []
    head = _gpkg_rows(ws, f"SELECT k, v FROM {HEAD}") or []
    return [tuple(r) for r in rows], [tuple(r) for r in head]


def write_raw_log(tx, rows: list[tuple], head: list[tuple]) -> None:
    """Write rows and head verbatim, within the GeoPackage transaction ``tx`` (a pull)."""
    tx.log._ensure()
    tx.con.executemany(f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    tx.con.executemany(f"INSERT OR REPLACE INTO {HEAD} VALUES (?, ?)", head)


def _gpkg_rows(ws: Workspace, sql: str) -> list | None:
    """Rows of a query on a GeoPackage's log: inside a change of ``ws`` as that change sees
    them (with what it appended), otherwise as committed."""
    tx = ws._tx()
    if tx is not None:
        return tx.log.rows(sql)
    return _read(ws.path, sql)
