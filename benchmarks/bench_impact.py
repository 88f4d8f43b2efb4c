"""The ruleset comparison's speed targets (issue 16), measured on this machine.

Run:  .venv/bin/python benchmarks/bench_impact.py [--requests 10000] [--repeat 3]

1. The national batch (bench_check.synthetic_requests, 10,000 requests) under mn-asm-2022 and
   mn-asm-2010: ``impact()`` against one ``check_requests`` with the same context held (in
   process, median of --repeat); target: under 2 × one check. Also the whole ``landtool
   impact`` process (writing impact.json, impact.gpkg and briefing.pdf) beside the whole
   ``landtool check --json`` process.
2. The sample workspace's requests, the context held as the app holds it: ``impact()`` after
   a change of one parameter (what the editor recomputes); target: under 200 ms.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bench_check import synthetic_requests

from landtool.check.context import CheckContext
from landtool.check.engine import check_requests
from landtool.check.impact import impact
from landtool.check.ruleset import Ruleset, load_ruleset
from landtool.sample_workspace import ensure_sample_workspace
from landtool.workspace import Workspace

AS_OF = date(2026, 11, 23)
LANDTOOL = Path(sys.executable).with_name("landtool")


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def wall(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([str(LANDTOOL), *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def stricter(rs: Ruleset, distance_m: float) -> Ruleset:
    """The ruleset with water_regular_zone at another distance (an edit in the editor)."""
    rules = [r.model_dump() for r in rs.rules]
    for r in rules:
        if r["id"] == "water_regular_zone":
            r["params"] = {**r["params"], "distance_m": distance_m}
    return Ruleset.model_validate({**rs.model_dump(), "rules": rules})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    path = ensure_sample_workspace()
    ws = Workspace(path)
    a, b = load_ruleset("mn-asm-2022"), load_ruleset("mn-asm-2010")
    national = synthetic_requests(args.requests)
    ctx = CheckContext.from_workspace(ws, [a, b], AS_OF, also=("soums",))
    check_requests(national, a, ctx)  # warm: the indexes are built once, as the app holds them
    one = median_time(lambda: check_requests(national, a, ctx), args.repeat)
    both = median_time(lambda: impact(national, a, b, ctx), args.repeat)
    print(f"national batch, {args.requests:,} requests, context held, median of {args.repeat}:")
    print(f"  one check (mn-asm-2022)            {one:6.2f} s")
    print(f"  impact (mn-asm-2022 vs mn-asm-2010) {both:6.2f} s = {both / one:.2f} × one check "
          f"(target < 2)")
    with tempfile.TemporaryDirectory(prefix="landtool-bench-") as tmp:
        gpkg = Path(tmp) / "national.gpkg"
        national.to_file(gpkg, layer="requests")
        check_s = wall(["check", str(gpkg), "--workspace", str(path), "--as-of",
                        AS_OF.isoformat(), "--json", str(Path(tmp) / "c.json")])
        impact_s = wall(["impact", "--workspace", str(path), "--requests", str(gpkg),
                         "--ruleset", "mn-asm-2022", "--against", "mn-asm-2010", "--as-of",
                         AS_OF.isoformat(), "--out", str(Path(tmp) / "impact")])
    print(f"  whole processes: landtool check --json {check_s:.2f} s, landtool impact (JSON, "
          f"GeoPackage, briefing PDF) {impact_s:.2f} s = {impact_s / check_s:.2f} ×")

    requests = ws.read("requests")
    ctx = CheckContext.from_workspace(ws, [a], AS_OF, also=("soums",))
    impact(requests, a, stricter(a, 250.0), ctx)  # warm
    times = []
    for k in range(20):
        edited = stricter(a, 200.0 + 10.0 * (k + 1))  # a new value each time, as typed
        t0 = time.perf_counter()
        impact(requests, a, edited, ctx)
        times.append((time.perf_counter() - t0) * 1000)
    print(f"sample workspace ({len(requests)} requests), one parameter changed, context held: "
          f"median {statistics.median(times):.0f} ms, max {max(times):.0f} ms over 20 "
          "(target < 200 ms)")


if __name__ == "__main__":
    main()
