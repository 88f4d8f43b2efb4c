"""The shared workspace: push, pull, and registering requests, one client and several at once.

Run:  .venv/bin/python benchmarks/bench_shared.py

Starts a throw-away PostgreSQL + PostGIS cluster on loopback (tests/pg_cluster.py: needs
Debian's postgresql and postgis, as `python3 run.py test` installs them) and measures, wall-clock
on this machine: pushing and pulling the sample workspace (16 layers, 3,439 licences), one
registration (read the requests layer, number, write, log: one transaction) in the database and
in a GeoPackage, and 4 processes registering 25 requests each at the same moment.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import pg_cluster  # noqa: E402

from landtool.register import register_request  # noqa: E402
from landtool.sample_workspace import build_sample_workspace  # noqa: E402
from landtool.workspace import decisions, open_workspace, transfer  # noqa: E402


def add_unregistered(ws, n: int) -> list[str]:
    reqs = ws.read("requests")
    rows = []
    for i in range(n):
        row = reqs.iloc[[0]].copy()
        row["request_id"], row["queue_no"], row["submitted_at"] = f"B-{i:04d}", pd.NA, None
        row["geometry"] = shapely.affinity.translate(row.geometry.iloc[0], 0.01 * (i % 50))
        rows.append(row)
    out = pd.concat([reqs.astype({"queue_no": "Int64"}), *rows], ignore_index=True)
    ws.update("requests", out.set_crs(reqs.crs, allow_override=True), note="bench")
    return [f"B-{i:04d}" for i in range(n)]


def register(ws, rid: str) -> None:
    def change(reqs):
        out, number, stamp = register_request(
            reqs, rid, above=decisions.highest_registered_number(ws))
        return out, [("registered", rid, {"queue_no": number, "submitted_at": stamp},
                      None)], number

    ws.modify("requests", change, note=f"registered {rid}")


def per_registration(ws, ids: list[str]) -> tuple[float, float]:
    times = []
    for rid in ids:
        t0 = time.perf_counter()
        register(ws, rid)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), max(times)


_WORKER = """
import sys, time
sys.path.insert(0, sys.argv[3])
from bench_shared import register
from landtool.workspace import open_workspace
from pathlib import Path
ws = open_workspace(sys.argv[1])
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.005)
for rid in sys.argv[4:]:
    register(ws, rid)
"""


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="landtool-bench-"))
    tmp.chmod(0o755)
    cluster = pg_cluster.start(tmp / "pg")
    try:
        gpkg = build_sample_workspace(tmp / "ws" / "sample.gpkg")
        url = cluster.url(db="bench")
        t0 = time.perf_counter()
        transfer.push(gpkg, url)
        print(f"push the sample workspace (16 layers):  {time.perf_counter() - t0:6.2f} s")
        t0 = time.perf_counter()
        transfer.pull(url, tmp / "pulled" / "ws.gpkg")
        print(f"pull it back:                           {time.perf_counter() - t0:6.2f} s")

        pg = open_workspace(url)
        ids = add_unregistered(pg, 130)
        med, worst = per_registration(pg, ids[:30])
        print(f"one registration, database:   median {med * 1000:6.1f} ms, "
              f"max {worst * 1000:6.1f} ms")
        local = tmp / "ws" / "copy.gpkg"
        shutil.copy(gpkg, local)
        gp = open_workspace(local)
        gids = add_unregistered(gp, 30)
        med, worst = per_registration(gp, gids)
        print(f"one registration, GeoPackage: median {med * 1000:6.1f} ms, "
              f"max {worst * 1000:6.1f} ms")

        go = tmp / "go"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        rest = ids[30:]
        procs = [subprocess.Popen([sys.executable, "-c", _WORKER, url, str(go),
                                   str(ROOT / "benchmarks"), *rest[k::4]], env=env)
                 for k in range(4)]
        time.sleep(4)
        t0 = time.perf_counter()
        go.touch()
        for p in procs:
            p.wait()
        took = time.perf_counter() - t0
        numbers = pd.to_numeric(open_workspace(url).read("requests")["queue_no"])
        print(f"4 processes x 25 registrations at once: {took:6.2f} s "
              f"({len(rest) / took:5.1f} per second); numbers unique: "
              f"{numbers.is_unique}; log intact: {decisions.verify(pg).intact}")
    finally:
        cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
