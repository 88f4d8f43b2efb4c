"""What one write costs on a small and on a big GeoPackage workspace: it must not grow with the
workspace (each change is one SQLite transaction in place, no whole-file copy).

Run:  .venv/bin/python benchmarks/bench_write_cost.py [--size-mb 500] [--repeat 5]

Builds the sample workspace (about 10 MB) and a copy padded to ``--size-mb`` with a table of
random 1 MB blobs (as imagery tiles would fill it; random, so nothing compresses it away), and
times on each, in this process, wall-clock, the median of ``--repeat`` runs of: an import (a
3-feature GeoJSON added as a layer), a saved edit (the requests layer written back with one
applicant changed), a registration (number, time, log entry) and a decision (``withdrawn``,
logged). Prints a table with the ratio big / small per operation; the target is at most 1.5.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_shared import add_unregistered, register  # noqa: E402

from landtool.io.load import load_layer  # noqa: E402
from landtool.register import decide  # noqa: E402
from landtool.sample_workspace import build_sample_workspace  # noqa: E402
from landtool.workspace import open_workspace  # noqa: E402


def pad(path: Path, size_mb: int) -> None:
    """Grow the file to about ``size_mb`` MB with a table of random blobs."""
    need = size_mb - path.stat().st_size // 2**20
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE bench_padding (id INTEGER PRIMARY KEY, data BLOB)")
        for i in range(max(need, 0)):
            con.execute("INSERT INTO bench_padding (data) VALUES (?)", (os.urandom(2**20),))
            if i % 50 == 49:
                con.commit()


def layer_file(folder: Path, i: int) -> Path:
    path = folder / f"extra_{i}.geojson"
    features = [{"type": "Feature", "properties": {"name": f"p{i}-{k}"},
                 "geometry": shapely.geometry.mapping(shapely.Point(106.5 + k / 100, 48.6))}
                for k in range(3)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def measure(path: Path, repeat: int, folder: Path) -> dict[str, float]:
    ws = open_workspace(path)
    ids = add_unregistered(ws, repeat)
    runs: dict[str, list[float]] = {"import": [], "saved edit": [], "registration": [],
                                    "decision": []}
    for i in range(repeat):
        layer = load_layer(layer_file(folder, i), "settlements")
        runs["import"].append(timed(lambda lay=layer, n=f"extra_{i}": ws.add(lay, name=n)))
        reqs = ws.read("requests")
        reqs.loc[0, "applicant"] = f"edit {i}"
        runs["saved edit"].append(timed(lambda r=reqs: ws.update("requests", r, note="bench")))
        runs["registration"].append(timed(lambda r=ids[i]: register(ws, r)))
        rid = f"REQ-2026-{i + 1:03d}"
        runs["decision"].append(timed(lambda r=rid: decide(ws, r, "withdrawn", note="bench")))
    return {k: statistics.median(v) for k, v in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        small = build_sample_workspace(tmp / "small" / "ws.gpkg")
        small = Path(getattr(small, "path", small))
        big = tmp / "big" / "ws.gpkg"
        big.parent.mkdir()
        for extra in small.parent.iterdir():
            shutil.copy(extra, big.parent / extra.name)
        t0 = time.perf_counter()
        pad(big, args.size_mb)
        print(f"padded a copy to {big.stat().st_size / 2**20:.0f} MB in "
              f"{time.perf_counter() - t0:.0f} s; small: {small.stat().st_size / 2**20:.1f} MB")
        a = measure(small, args.repeat, tmp)
        b = measure(big, args.repeat, tmp)
        print(f"{'operation':<14}{'small, ms':>11}{'big, ms':>10}{'ratio':>8}  "
              f"(median of {args.repeat}, wall-clock, in process)")
        for op in a:
            print(f"{op:<14}{a[op] * 1000:>11.1f}{b[op] * 1000:>10.1f}{b[op] / a[op]:>8.2f}")
        worst = max(b[op] / a[op] for op in a)
        print(f"worst ratio {worst:.2f} (target <= 1.5): {'met' if worst <= 1.5 else 'NOT met'}")


if __name__ == "__main__":
    main()
