"""Shared fixtures: the sample workspace, built once per test session in a temporary folder."""

from __future__ import annotations

import os

import pyogrio
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def sample_ws(tmp_path_factory):
    """A freshly built sample workspace (real layers + synthetic Mandal layers)."""
    from landtool.sample_workspace import build_sample_workspace

    return build_sample_workspace(tmp_path_factory.mktemp("sample") / "sample.gpkg")


@pytest.fixture
def own_home(tmp_path, monkeypatch):
    """HOME in the test's temporary folder: what the CLI writes under ~ (a crash log under
    ~/.cache, settings) never lands in the real home. Files that run the CLI use it with
    ``pytestmark = pytest.mark.usefixtures("own_home")``."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    return home


@pytest.fixture(scope="module")
def frames(sample_ws):
    """The sample workspace's layers and their map graphics (one set per test module: the
    canvas tests change the graphics they are given)."""
    from gui.layer_graphics import build_workspace_graphics
    from landtool.workspace import Workspace

    ws = Workspace(sample_ws)
    frames = {n: ws.read(n) for n in ws.layer_names()}
    return frames, build_workspace_graphics(ws.layers(), frames)


@pytest.fixture
def fail_writes(monkeypatch):
    """A function that, once called, makes every writer write part of its output (the first
    feature or half the text) where it was told to, then fail as a full disk would; it returns
    the list of paths written to."""

    def apply() -> list:
        from pathlib import Path

        import pandas as pd

        written = []
        real_write, real_csv = pyogrio.write_dataframe, pd.DataFrame.to_csv

        def partial_write(df, path, *args, **kwargs):
            real_write(df.iloc[:1], path, *args, **kwargs)
            written.append(Path(path))
            raise RuntimeError("No space left on device (simulated)")

        def partial_csv(self, path, *args, **kwargs):
            real_csv(self.iloc[:1], path, *args, **kwargs)
            written.append(Path(path))
            raise OSError(28, "No space left on device (simulated)")

        def partial_text(self, text, *args, **kwargs):
            with open(self, "w", encoding="utf-8") as fh:
                fh.write(text[: len(text) // 2])
            written.append(Path(self))
            raise OSError(28, "No space left on device (simulated)")

        monkeypatch.setattr(pyogrio, "write_dataframe", partial_write)
        monkeypatch.setattr(pd.DataFrame, "to_csv", partial_csv)
        monkeypatch.setattr(Path, "write_text", partial_text)
        return written

    return apply


@pytest.fixture(scope="session")
def pg_cluster():
    """A real PostgreSQL + PostGIS server for this test session, on loopback (see
    tests/pg_cluster.py); a missing server is an error, never a skip."""
    import shutil
    import tempfile
    from pathlib import Path

    import pg_cluster as pgc

    # not under pytest's own temporary folder: that one only its owner may enter, and the
    # server runs as the postgres user when the tests run as root
    folder = Path(tempfile.mkdtemp(prefix="landtool-pg-"))
    folder.chmod(0o755)
    try:
        cluster = pgc.start(folder / "cluster")
    except pgc.ClusterUnavailable as exc:
        pytest.fail(f"the shared-workspace tests need PostgreSQL with PostGIS: {exc}")
    import psycopg

    with psycopg.connect(cluster.url(), autocommit=True) as con:  # a template with PostGIS
        con.execute("CREATE DATABASE landtool_template")
    with psycopg.connect(cluster.url(db="landtool_template"), autocommit=True) as con:
        con.execute("CREATE EXTENSION postgis")
    yield cluster
    cluster.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_url(pg_cluster, request):
    """The superuser URL of a new, empty database with PostGIS, for one test."""
    import re

    import psycopg

    name = "t_" + re.sub(r"[^a-z0-9]", "_", request.node.name.lower())[:40] + \
        f"_{os.getpid()}_{next(_DB_COUNTER)}"
    with psycopg.connect(pg_cluster.url(), autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}" TEMPLATE landtool_template')
    return pg_cluster.url(db=name)


def _counter():
    n = 0
    while True:
        n += 1
        yield n


_DB_COUNTER = _counter()


@pytest.fixture
def sample_window(qtbot, sample_ws, tmp_path, monkeypatch):
    """``open(as_of=None)``: the main window in English on a copy of the sample workspace, with
    settings of its own and unsaved changes discarded on close, once its layers are shown and
    its first background work is done (the GUI tests of find-land, GPX, photos share it)."""
    import shutil

    from PySide6.QtWidgets import QMessageBox

    from gui.main_window import MainWindow
    from gui.settings import Settings

    monkeypatch.setenv("LANDTOOL_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *a, **k: QMessageBox.StandardButton.Discard))

    def open_window(as_of=None):
        path = tmp_path / "mandal.gpkg"
        shutil.copyfile(sample_ws, path)
        win = MainWindow(lang="en", settings=Settings(tmp_path / "settings.ini"))
        if as_of is not None:
            win.state.as_of = as_of
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        with qtbot.waitSignal(win.workspaceLoaded, timeout=60_000):
            win.open_workspace(path)
        qtbot.waitUntil(lambda: not win.runner.is_busy(), timeout=60_000)
        return win

    return open_window
