"""Who may write a GeoPackage workspace, and when.

landtool's writers of one file take its write lock (an exclusive ``flock`` on a lock file in
the system's temporary folder, named by the workspace's resolved path, so nothing is left
beside it) and its readers the same lock shared: a reader never sees half a change, and two
writers are served one after the other. Programs other than landtool (QGIS, sqlite3) meet
SQLite's own locks, which the GeoPackage backend waits on in the same way.

A writer that has waited :data:`NOTICE_AFTER` seconds says so (:func:`set_wait_notice`
chooses where: the terminal by default, the app's status bar in the app), and gives up after
``LANDTOOL_LOCK_TIMEOUT`` seconds (default 60) with a message naming the file.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TypeVar

from landtool.errors import WorkspaceError

T = TypeVar("T")

#: seconds a writer waits before it says it is waiting
NOTICE_AFTER = 3.0


def lock_timeout() -> float:
    """Seconds a writer waits for another before giving up (``LANDTOOL_LOCK_TIMEOUT``)."""
    try:
        return max(0.0, float(os.environ.get("LANDTOOL_LOCK_TIMEOUT", "60")))
    except ValueError:
        return 60.0


def _default_notice(path: Path, what: str) -> None:
    print(f"landtool: waiting for {what} to finish with {path} …", file=sys.stderr,
          flush=True)


_notice: Callable[[Path, str], None] = _default_notice


def set_wait_notice(notice: Callable[[Path, str], None] | None) -> None:
    """Where a waiting writer says so: ``notice(path, what)`` (None: the terminal)."""
    global _notice
    _notice = notice or _default_notice


def wait_notice(path: Path, what: str) -> None:
    _notice(Path(path), what)


class _Held(threading.local):
    def __init__(self) -> None:
        self.keys: dict[str, str] = {}  # lock key -> "ex" or "sh", held by this thread


_HELD = _Held()


def _key(path: Path) -> str:
    return hashlib.sha256(str(Path(path).resolve()).encode()).hexdigest()[:32]


def holds_write_lock(path: Path) -> bool:
    return _HELD.keys.get(_key(path)) == "ex"


@contextmanager
def write_lock(path: Path, *, timeout: float | None = None) -> Iterator[None]:
    """Hold the workspace's write lock (re-entrant within a thread)."""
    with _flock(path, exclusive=True, timeout=timeout):
        yield


@contextmanager
def read_lock(path: Path, *, timeout: float | None = None) -> Iterator[None]:
    """Hold the workspace's lock shared: no landtool writer changes it meanwhile."""
    with _flock(path, exclusive=False, timeout=timeout):
        yield


@contextmanager
def _flock(path: Path, *, exclusive: bool, timeout: float | None) -> Iterator[None]:
    import fcntl

    key = _key(path)
    held = _HELD.keys.get(key)
    if held == "ex" or (held == "sh" and not exclusive):
        yield  # this thread holds it already (e.g. modify() calling update())
        return
    if held == "sh":
        raise RuntimeError("a read lock cannot be turned into a write lock")
    folder = Path(tempfile.gettempdir()) / "landtool-locks"
    folder.mkdir(exist_ok=True)
    timeout = lock_timeout() if timeout is None else timeout
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    with open(folder / f"{key}.lock", "a") as fh:
        start = time.monotonic()
        said = False
        while True:
            try:
                fcntl.flock(fh.fileno(), mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - start
                if waited > timeout:
                    raise WorkspaceError(
                        f"another landtool is still writing this workspace (waited "
                        f"{waited:.0f} s)", path=path,
                        hint="wait until it has finished, then try again") from None
                if not said and waited >= NOTICE_AFTER:
                    wait_notice(path, "another landtool writing")
                    said = True
                time.sleep(0.05)
        _HELD.keys[key] = "ex" if exclusive else "sh"
        try:
            yield
        finally:
            del _HELD.keys[key]
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def recover_interrupted_write(path: Path) -> None:
    """Finish what SQLite does after a write was cut off (a power cut, ``kill -9``): a
    transaction left unfinished leaves a "hot" rollback journal beside the file, and only a
    connection that may write rolls it back. Until then every read-only reader (GDAL's, and
    the log's) is refused with "attempt to write a readonly database". Opening it once for
    writing, under the write lock, restores the last committed state."""
    journal = Path(f"{Path(path).resolve()}-journal")
    if not journal.exists() or _HELD.keys.get(_key(path)) == "sh":
        return
    try:
        # the journal may also be another program's change in progress (then it is not hot):
        # wait for it as for any program holding the file
        with write_lock(path):
            wait_while_held(path, writable=True)  # rolls a hot journal back
    except sqlite3.Error as exc:
        raise WorkspaceError(f"the workspace's last change was cut off and cannot be rolled "
                             f"back ({exc})", path=path,
                             hint="make the file and its folder writable, then open it "
                             "again: SQLite then restores the last complete change") from exc


def while_held(path: Path, attempt: Callable[[], T]) -> T:
    """``attempt()`` until SQLite stops saying the file is locked or busy: saying so after
    :data:`NOTICE_AFTER` seconds, giving up after ``LANDTOOL_LOCK_TIMEOUT`` seconds with a
    message naming the file; any other error is raised at once."""
    start = time.monotonic()
    said = False
    while True:
        try:
            return attempt()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            waited = time.monotonic() - start
            if waited > lock_timeout():
                raise WorkspaceError(
                    f"another program holds the workspace file (waited {waited:.0f} s)",
                    path=path, hint="close the workspace in that program (e.g. end the edit "
                    "session in QGIS) or wait until it has finished, then try again") from None
            if not said and waited >= NOTICE_AFTER:
                wait_notice(path, "another program holding the file")
                said = True
            time.sleep(0.1)


def wait_while_held(path: Path, *, writable: bool = False) -> None:
    """Open ``path`` with SQLite and read its schema, waiting while another program (QGIS,
    sqlite3) holds it locked (:func:`while_held`). ``writable``: open it as a connection that
    may write (which rolls back an interrupted change)."""
    from urllib.parse import quote

    real = Path(path).resolve()

    def read_schema() -> None:
        con = (sqlite3.connect(real, timeout=0.25) if writable else
               sqlite3.connect(f"file:{quote(str(real))}?mode=ro", uri=True, timeout=0.25))
        with closing(con):
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()

    while_held(path, read_schema)
