"""The app's start (issue 13): the window is shown first and the workspace's layers are read
afterwards in the background, with the count of layers read on the map; a workspace that
cannot be read leaves a usable window that says why. Not timed: the order of things is
checked (benchmarks/bench_app_start.py times them)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from gui import startup_trace  # noqa: E402
from gui.i18n import tr  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402
from gui.settings import Settings  # noqa: E402
from landtool.workspace import open_workspace  # noqa: E402

LOAD_MS = 60_000
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def boxes(monkeypatch):
    """QMessageBox.critical records its calls instead of blocking."""
    calls = []

    def record(parent, title, text, *args, **kwargs):
        calls.append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "critical", staticmethod(record))
    return calls


def _window(qtbot, tmp_path) -> MainWindow:
    win = MainWindow("en", settings=Settings(tmp_path / "settings.ini"))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def _markers(stderr: str) -> list[str]:
    return [line.split()[2] for line in stderr.splitlines()
            if line.startswith(startup_trace.PREFIX + " ") and len(line.split()) == 3]


def test_the_app_shows_its_window_before_it_reads_the_layers(sample_ws, tmp_path):
    """The real start (``landtool-gui``'s main, in a fresh process): the window's first paint
    comes before the workspace's layers are read, and the map is drawn with them after."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", startup_trace.ENV_VAR: "1",
           "LANDTOOL_SETTINGS": str(tmp_path / "settings.ini")}
    code = ("import sys; from gui.app import main; sys.exit(main(sys.argv[1:]))")
    done = subprocess.run([sys.executable, "-c", code, str(sample_ws), "--screenshot",
                           str(tmp_path / "shot.png")], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = _markers(done.stderr)
    order = ["imported", "window-shown", "layers-read", "layers-loaded", "layers-drawn"]
    assert [m for m in seen if m in order] == order, done.stderr
    for line in done.stderr.splitlines():  # seconds since the process started, rising
        if line.startswith(startup_trace.PREFIX):
            assert 0 <= float(line.split()[1]) < 120


def test_without_the_variable_nothing_is_printed(monkeypatch, capsys):
    monkeypatch.delenv(startup_trace.ENV_VAR, raising=False)
    startup_trace.mark("window-shown")
    assert capsys.readouterr().err == ""
    monkeypatch.setenv(startup_trace.ENV_VAR, "1")
    monkeypatch.setenv(startup_trace.T0_VAR, "0")
    startup_trace.mark("window-shown")
    assert capsys.readouterr().err.startswith(f"{startup_trace.PREFIX} ")


def test_the_layers_fill_in_with_their_count_then_are_all_on_the_map(qtbot, tmp_path,
                                                                    sample_ws):
    win = _window(qtbot, tmp_path)
    shown: list[str] = []
    set_message = win.canvas.set_message
    win.canvas.set_message = lambda text: (shown.append(text), set_message(text))
    names = [r.name for r in open_workspace(sample_ws).layers()]
    with qtbot.waitSignal(win.workspaceLoaded, timeout=LOAD_MS):
        win.open_workspace(sample_ws)
        assert win.is_loading() and win.isVisible()  # the window is there while it reads
    total = len(names)
    counts = [tr("status.loading_layers", "en", done=n, total=total) for n in range(total + 1)]
    assert all(any(c in text for text in shown) for c in counts), shown  # 0/16 … 16/16
    assert shown[-1] == ""  # and the map is clear of it once the layers are there
    assert sorted(win.layer_panel.layer_names()) == sorted(names)
    assert sorted(g.name for g in win.canvas.layers()) == sorted(names)  # each one drawn


def test_a_corrupt_workspace_says_so_in_the_window_which_stays_usable(qtbot, tmp_path,
                                                                     sample_ws, boxes):
    corrupt = tmp_path / "corrupt.gpkg"
    data = bytearray(sample_ws.read_bytes())
    corrupt.write_bytes(bytes(data[:100]) + b"\0" * (len(data) // 3))  # header kept, rest gone
    win = _window(qtbot, tmp_path)
    with qtbot.waitSignal(win.loadFailed, timeout=LOAD_MS):
        win.open_workspace(corrupt)
    assert len(boxes) == 1
    title, text = boxes[0]
    assert title == tr("error.open", "en") and "Traceback" not in text
    assert str(corrupt) in text
    assert win.canvas._message.startswith(tr("error.open", "en"))  # the map says it too
    assert "Traceback" not in win.canvas._message
    assert win.isVisible() and not win.is_loading()
    with qtbot.waitSignal(win.workspaceLoaded, timeout=LOAD_MS):  # and it still opens one
        win.open_workspace(sample_ws)
    assert len(win.layer_panel.layer_names()) == len(open_workspace(sample_ws).layers())
    assert win.canvas._message == ""
