"""``landtool propose``'s speed targets (issue 15), measured on this machine.

Run:  .venv/bin/python benchmarks/bench_propose.py [--all-aimags] [--conclusions N]

The sample workspace has Land Conclusions only in Mandal soum, so outside it the
``inside_land_conclusion`` rule leaves no land and the parcel and check steps barely run.
``--conclusions N`` adds N synthetic valid Land Conclusions (squares of 100 to 2,500 ha,
seeded, inside Selenge) for a Selenge run where those steps do the work a real aimag gives.

The context (layers read and indexed) is built once, as the app holds it; each figure is the
``propose()`` computation: available land, parcels, the check of every candidate, their figures.
Targets: the sample soum (Mandal) < 1 s; Selenge aimag against all 3,439 real licences and the
lakes < 5 s; all 22 aimags < 60 s. Peak memory (max RSS) printed at the end.
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import date

from landtool.check.context import CheckContext
from landtool.check.ruleset import load_ruleset
from landtool.propose import propose
from landtool.sample_workspace import ensure_sample_workspace
from landtool.workspace import Workspace

AS_OF = date(2026, 11, 23)


def synthetic_conclusions(area, n: int, seed: int = 15):
    """``n`` valid Land Conclusions: squares of 100 to 2,500 ha at seeded random places
    inside ``area`` (degrees; a square's side in degrees of longitude is widened by
    1/cos(latitude) so that it is square on the ground)."""
    import math

    import geopandas as gpd
    import numpy as np
    import shapely

    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = area.bounds
    boxes = []
    while len(boxes) < n:
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if not area.contains(shapely.Point(x, y)):
            continue
        side_m = math.sqrt(rng.uniform(100, 2500) * 1e4)
        dy = side_m / 111_320 / 2
        dx = dy / math.cos(math.radians(y))
        boxes.append(shapely.box(x - dx, y - dy, x + dx, y + dy))
    return gpd.GeoDataFrame(
        {"conclusion_no": [f"SYN-{k:04d}" for k in range(n)], "issue_date": "2024-01-01",
         "valid_until": "2030-01-01", "status": "valid", "synthetic": True},
        geometry=boxes, crs=4326)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--all-aimags", action="store_true", help="also every aimag in turn")
    ap.add_argument("--conclusions", type=int, default=0, metavar="N",
                    help="add N synthetic valid Land Conclusions inside Selenge")
    args = ap.parse_args()
    ws = Workspace(ensure_sample_workspace())
    rs = load_ruleset("mn-asm-2022")
    soums, aimags = ws.read("soums"), ws.read("aimags")
    extra = None
    if args.conclusions:
        selenge = aimags[aimags["pcode"] == "MN43"].geometry.iloc[0]
        extra = {"land_conclusions": [
            ("land_conclusions", ws.read("land_conclusions")),
            ("synthetic", synthetic_conclusions(selenge, args.conclusions))]}
    ctx = CheckContext.from_workspace(ws, rs, AS_OF, extra,
                                      also=("roads", "settlements", "rehab_parcels", "soums"))
    mandal = soums[soums["pcode"] == "4322"].geometry.iloc[0]
    propose(mandal, "warm-up", rs, ctx)  # the indexes are built once

    def timed(geom, name):
        t0 = time.perf_counter()
        result = propose(geom, name, rs, ctx)
        return time.perf_counter() - t0, result

    s, r = timed(mandal, "Mandal")
    print(f"Mandal soum: {s:.2f} s, {len(r.candidates)} candidates, "
          f"{r.available_ha:.1f} ha available (target < 1 s)")
    selenge = aimags[aimags["pcode"] == "MN43"].geometry.iloc[0]
    s, r = timed(selenge, "Selenge")
    print(f"Selenge aimag: {s:.2f} s, {len(r.candidates)} candidates, "
          f"{r.available_ha:.0f} ha available, {args.conclusions} synthetic conclusions "
          f"added (target < 5 s)")
    if args.all_aimags:
        total = 0.0
        for k, row in enumerate(aimags.itertuples()):
            s, r = timed(row.geometry, row.name_en)
            total += s
            print(f"  [{k + 1}/{len(aimags)}] {row.name_en}: {s:.2f} s, "
                  f"{len(r.candidates)} candidates", flush=True)
        print(f"all {len(aimags)} aimags: {total:.1f} s (target < 60 s)")
    print(f"peak memory (max RSS): "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
