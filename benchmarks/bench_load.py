"""How long the foundation's heavy operations take on the national layers.

Run:  .venv/bin/python benchmarks/bench_load.py

Measures (median of 5 runs, wall-clock, this machine): loading all 3,439 licences through the
full loader (read, map fields, validate, repair, check projection), the geodesic areas of all
of them, adding them to a workspace, and `workspace info` on the built sample workspace.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from landtool.geodesy import areas_ha
from landtool.io.load import load_layer
from landtool.paths import sample_data_dir
from landtool.workspace import Workspace


def report(label: str, med: float, worst: float) -> None:
    print(f"{label:<32} median {med * 1000:8.1f} ms, max {worst * 1000:8.1f} ms")


def timed(fn, runs=5):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), max(times), result


def main() -> None:
    licences = sample_data_dir() / "real" / "licenses_eiti.gpkg"
    med, worst, layer = timed(lambda: load_layer(licences, "licences"))
    report("load 3,439 licences:", med, worst)
    med, worst, _ = timed(lambda: areas_ha(layer.gdf.geometry))
    report("geodesic areas of all licences:", med, worst)
    with tempfile.TemporaryDirectory() as tmp:
        def add():
            ws = Workspace.init(Path(tmp) / "bench.gpkg", overwrite=True)
            ws.add(layer)
            return ws
        med, worst, ws = timed(add)
        report("add licences to a workspace:", med, worst)
        med, worst, _ = timed(ws.info)
        report("workspace info (licences):", med, worst)


if __name__ == "__main__":
    main()
