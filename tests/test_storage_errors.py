"""Storage that cannot be written: a full disk during a decision or `register print`, a file
marked read-only. Exit 2, one message naming the file and what to do, nothing changed.
(The same on a real nearly-full filesystem and with other programs holding the file is in
tests/test_workspace_inplace.py.)"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from landtool.cli import main


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def ws(sample_ws, tmp_path):
    path = tmp_path / "ws.gpkg"
    shutil.copyfile(sample_ws, path)
    return path


def _clean(result, path):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert str(path) in result.output and "What to do" in result.output


def test_register_print_on_a_full_disk(ws, tmp_path, monkeypatch):
    out = tmp_path / "register.html"

    def full(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full)
    result = invoke("register", "print", ws, "--out", out)
    _clean(result, out)
    assert "disk is full" in result.output
    assert not out.exists() and list(tmp_path.glob(".register*")) == []


def test_a_decision_on_a_full_disk_leaves_the_workspace_as_it_was(ws, monkeypatch):
    """SQLite says 'database or disk is full' at the commit: the transaction is rolled back."""
    before = _sha(ws)
    real_connect = sqlite3.connect

    class FullAtCommit(sqlite3.Connection):
        def execute(self, sql, *args):
            if sql.strip().upper() == "COMMIT":
                raise sqlite3.OperationalError("database or disk is full")
            return super().execute(sql, *args)

    monkeypatch.setattr(sqlite3, "connect",
                        lambda *a, **k: real_connect(*a, **{**k, "factory": FullAtCommit}))
    result = invoke("register", "decide", ws, "REQ-2026-001", "--decision", "forwarded")
    monkeypatch.undo()
    _clean(result, ws)
    assert "disk is full" in result.output and "unchanged" in result.output
    assert _sha(ws) == before
    assert invoke("register", "verify", ws).exit_code == 0


@pytest.mark.parametrize("target", ["file", "folder"])
def test_read_only_workspace_is_refused_before_anything_is_written(ws, target):
    place = ws if target == "file" else ws.parent
    mode, file_mode = place.stat().st_mode, ws.stat().st_mode
    place.chmod(0o444 if target == "file" else 0o555)
    try:
        before = _sha(ws)
        result = invoke("register", "decide", ws, "REQ-2026-001", "--decision", "forwarded")
        _clean(result, ws)
        assert "read-only" in result.output
        assert _sha(ws) == before and ws.stat().st_mode & 0o777 == (
            0o444 if target == "file" else file_mode & 0o777)
    finally:
        place.chmod(mode)
