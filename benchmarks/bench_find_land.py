"""Benchmark of the app's Find available land: from pressing Find to the candidates on screen.

Run from the repository root (no display needed)::

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_find_land.py [WORKSPACE]

On the sample workspace (default; built if missing) as of 2026-11-23 under ``mn-asm-2022``, the
panel searches Mandal soum and Selenge aimag (about 41,000 km², the 3,439 real licences and the
lakes) N times
each, timing from ``find()`` to the moment the panel has filled its table and the map overlay
(its ``proposalShown`` signal). The search runs in a worker thread over a copy of the app's
layers, building its own check context each time (the indexes of the layers included), so the
figure is what a user waits for, not only ``propose()``'s share (see bench_propose.py). The
map's redraw after the panel zooms to the candidates follows the signal; it is let finish
before the next run (else it would compete with that run's worker) and timed on its own.
Prints the median and the maximum seconds, and the peak memory of the process.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

N = 5
AS_OF = date(2026, 11, 23)


def _find(panel, kind: str, text: str, timeout_s: float = 120.0) -> tuple[float, int]:
    """Search ``text`` of ``kind``; seconds until the candidates are shown, and how many."""
    assert panel.choose_area(kind, text), text
    loop = QEventLoop()
    shown: list = []

    def done(proposal) -> None:
        if proposal is not None:
            shown.append((time.perf_counter(), proposal))
            loop.quit()

    panel.proposalShown.connect(done)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    start = time.perf_counter()
    panel.find()
    loop.exec()
    panel.proposalShown.disconnect(done)
    if not shown:
        raise SystemExit(f"no result for {text} within {timeout_s} s")
    return shown[0][0] - start, len(shown[0][1].candidates)


def _redraw(app, canvas) -> float:
    """Seconds the map takes to redraw once (what follows a zoom to the candidates)."""
    start = time.perf_counter()
    canvas.repaint()
    app.processEvents()
    return time.perf_counter() - start


def main() -> None:
    from gui.find_land_panel import FindLandPanel
    from gui.map_canvas import MapCanvas
    from gui.state import AppState
    from gui.worker import TaskProgressWidget, TaskRunner
    from landtool.sample_workspace import ensure_sample_workspace
    from landtool.workspace import Workspace

    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ensure_sample_workspace()
    app = QApplication.instance() or QApplication([])
    ws = Workspace(path)
    state = AppState(lang="en")
    state.as_of = AS_OF
    state.set_workspace(ws, {n: ws.read(n) for n in ws.layer_names()})
    canvas = MapCanvas()
    canvas.bind(state)
    canvas.resize(900, 650)
    panel = FindLandPanel(state, TaskRunner(TaskProgressWidget()), canvas)
    panel.show()
    canvas.show()
    app.processEvents()
    for label, kind, text in (("Mandal soum", "soums", "(4322)"),
                              ("Selenge aimag", "aimags", "(MN43)")):
        times, redraws, count = [], [], 0
        for _ in range(N):
            seconds, count = _find(panel, kind, text)
            times.append(seconds)
            redraws.append(_redraw(app, canvas))
        print(f"{label}: {count} candidates; find to shown median {statistics.median(times):.3f} s"
              f", max {max(times):.3f} s; then the map redrawn in "
              f"{statistics.median(redraws):.3f} s (N={N})")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
