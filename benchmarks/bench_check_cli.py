"""The national batch as a user runs it (issue 13): the whole `landtool check` process, JSON
written, timed from the outside.

Run:  .venv/bin/python benchmarks/bench_check_cli.py [--requests 10000] [--repeat 5]

The benchmark's 10,000 synthetic requests (bench_check.synthetic_requests, seeded) are written
to a GeoPackage once; then, in fresh processes, each run of

    landtool check N.gpkg --workspace sample --as-of 2026-11-23 --json out.json

(the full default ruleset, mn-asm-2022) is timed with its peak memory (max RSS of the child),
and so are the same with `--json-format full` (the form every run wrote before the change),
and with `--out out.parquet` added. Targets: ≤ 2.0 s and ≤ 400 MB for the compact JSON, and
≤ 1.5 KB of JSON a request.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_check import synthetic_requests

from landtool.sample_workspace import ensure_sample_workspace

LANDTOOL = Path(sys.executable).with_name("landtool")


def run(argv: list[str]) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MB) of one landtool process, measured by a small wrapper
    process whose only child it is (so the peak is that run's own, as GNU time reports it)."""
    code = ("import resource, subprocess, sys, time; t = time.perf_counter();"
            "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL,"
            " stderr=subprocess.PIPE, text=True); wall = time.perf_counter() - t;"
            "sys.exit(done.stderr) if done.returncode else "
            "print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", code, str(LANDTOOL), *argv],
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"landtool {' '.join(argv)} failed:\n{done.stderr}")
    wall, peak_kb = done.stdout.split()
    return float(wall), int(peak_kb) / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    ws = ensure_sample_workspace()
    with tempfile.TemporaryDirectory(prefix="landtool-bench-") as tmp:
        folder = Path(tmp)
        requests = folder / "national.gpkg"
        synthetic_requests(args.requests).to_file(requests, layer="requests")
        base = ["check", str(requests), "--workspace", str(ws), "--as-of", "2026-11-23",
                "--force"]
        out = folder / "out.json"
        cases = [
            ("compact JSON (the default)", [*base, "--json", str(out)]),
            ("compact JSON + GeoParquet", [*base, "--json", str(out),
                                           "--out", str(folder / "out.parquet")]),
            ("full JSON (--json-format full)", [*base, "--json", str(out),
                                                "--json-format", "full"]),
        ]
        print(f"{args.requests:,} requests, whole process, fresh process each run, "
              f"{args.repeat} runs; {os.cpu_count()} cores")
        print(f"{'case':<34} {'median s':>9} {'min s':>7} {'max s':>7} {'peak RSS MB':>12} "
              f"{'JSON KB/request':>16}")
        for name, argv in cases:
            times, peaks = [], []
            for _ in range(args.repeat):
                wall, peak = run(argv)
                times.append(wall)
                peaks.append(peak)
            size = out.stat().st_size / args.requests / 1024
            print(f"{name:<34} {statistics.median(times):>9.2f} {min(times):>7.2f} "
                  f"{max(times):>7.2f} {max(peaks):>12.0f} {size:>16.2f}")
    print("targets: compact JSON ≤ 2.0 s, ≤ 400 MB, ≤ 1.5 KB a request")


if __name__ == "__main__":
    main()
