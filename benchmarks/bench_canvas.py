"""Benchmark of the map canvas: time per redraw with every licence and soum visible.

Run from the repository root (no display needed)::

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_canvas.py

or on another workspace (all its layers are drawn)::

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_canvas.py path/to/workspace.gpkg

Without a path it builds a workspace in a temporary folder from ``sample_data/real``: the 3,439
EITI licences and the 339 soums. It renders the canvas to a 1600x1000 QImage after each of 20
pans and 20 zooms (wheel notches around off-centre points), at the national view and zoomed on
Mandal soum, with antialiasing (the settled map) and without (while the mouse moves), and prints
the median and maximum milliseconds per redraw. The target is under 50 ms per redraw.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QPointF  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui.map_canvas import MapCanvas  # noqa: E402  (importing gui applies the 6.12.0 guard)
from gui.workspace_loader import load_workspace  # noqa: E402

SIZE = (1600, 1000)
REPEATS = 20
MANDAL = (106.18, 48.55, 107.77, 49.19)  # Mandal soum, Selenge (P-code 4322)


def build_workspace(folder: Path) -> Path:
    from landtool.io.load import load_layer
    from landtool.paths import sample_data_dir
    from landtool.workspace import Workspace

    real = sample_data_dir() / "real"
    ws = Workspace.init(folder / "bench.gpkg")
    ws.add(load_layer(real / "soums.gpkg", "soums"), name="soums")
    ws.add(load_layer(real / "licenses_eiti.gpkg", "licences"), name="licences")
    return ws.path


def _timed(canvas: MapCanvas, antialias: bool) -> float:
    start = time.perf_counter()
    image = canvas.render_image(antialias=antialias)
    elapsed = (time.perf_counter() - start) * 1000
    assert image.width() == SIZE[0]
    return elapsed


def run(canvas: MapCanvas, bounds, antialias: bool) -> dict[str, list[float]]:
    canvas.zoom_to_bounds(bounds) if bounds else canvas.zoom_to_all()
    canvas.render_image(antialias=antialias)  # warm-up
    times: dict[str, list[float]] = {"pan": [], "zoom": []}
    w, h = SIZE
    for i in range(REPEATS):
        sign = 1 if i % 2 == 0 else -1  # back and forth, so the view stays where it was
        canvas.pan_by(sign * w * 0.13, sign * h * 0.07)
        times["pan"].append(_timed(canvas, antialias))
    for i in range(REPEATS):
        factor = 1.25 if i % 2 == 0 else 1 / 1.25
        canvas.zoom_by(factor, QPointF(w * 0.3, h * 0.6))
        times["zoom"].append(_timed(canvas, antialias))
    return times


def main(argv: list[str]) -> int:
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(argv[0]) if argv else build_workspace(Path(tmp))
        t = time.perf_counter()
        loaded = load_workspace(path)
        load_s = time.perf_counter() - t
        canvas = MapCanvas()
        canvas.resize(*SIZE)
        canvas.set_layers(loaded.layers)
        counts = ", ".join(f"{g.name} {len(g)}" for g in loaded.layers)
        print(f"workspace: {path.name} ({counts}); read and prepared in {load_s:.2f} s")
        print(f"canvas {SIZE[0]}x{SIZE[1]}, {REPEATS} redraws each; ms per redraw")
        print(f"{'view':<10}{'antialias':<11}{'action':<7}{'median':>8}{'max':>8}")
        worst = 0.0
        for view_name, bounds in (("national", None), ("Mandal", MANDAL)):
            for antialias in (True, False):
                for action, values in run(canvas, bounds, antialias).items():
                    worst = max(worst, statistics.median(values))
                    print(f"{view_name:<10}{'on' if antialias else 'off':<11}{action:<7}"
                          f"{statistics.median(values):8.1f}{max(values):8.1f}")
        print(f"worst median {worst:.1f} ms: {'within' if worst < 50 else 'OVER'} the 50 ms target")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
