"""The check's speed targets (issue 3), measured on this machine.

Run:  .venv/bin/python benchmarks/bench_check.py [--requests 10000] [--naive-sample N]

1. National batch: N synthetic requests of 1–50 ha spread over Mongolia (seeded, reproducible)
   checked against all 3,439 real licences, the lakes and rivers with their 50 m and 200 m
   zones, protected areas and land conclusions (the sample workspace's layers), with the
   default ruleset. Target: under 2 s, and at least 20× faster than a straightforward
   per-request geopandas loop doing the same checks (measured in the same run, on all
   requests unless --naive-sample limits it, in which case its time is scaled up linearly).
2. One request against the national layers, the context already built (as the app holds it):
   target under 30 ms.
3. Peak memory (max RSS) of the batch: target under 1 GB.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landtool.check.context import CheckContext
from landtool.check.engine import check_requests
from landtool.check.ruleset import Ruleset, load_ruleset
from landtool.geodesy import MONGOLIA_ALBERS
from landtool.paths import sample_data_dir
from landtool.sample_workspace import ensure_sample_workspace
from landtool.workspace import Workspace

AS_OF = date(2026, 11, 23)
KINDS = ("licenses", "water_lines", "water_areas", "protected_areas", "land_conclusions")


def synthetic_requests(n: int, seed: int = 296) -> gpd.GeoDataFrame:
    """n rectangles of 1–50 ha at random places inside Mongolia's outline."""
    rng = np.random.default_rng(seed)
    country = gpd.read_file(sample_data_dir() / "real" / "country.gpkg").geometry.iloc[0]
    minx, miny, maxx, maxy = country.bounds
    pts = []
    while len(pts) < n:
        x = rng.uniform(minx, maxx, 4 * n)
        y = rng.uniform(miny, maxy, 4 * n)
        inside = shapely.contains_xy(country, x, y)
        pts += list(zip(x[inside], y[inside], strict=True))
    pts = np.array(pts[:n])
    area_m2 = rng.uniform(1, 50, n) * 10_000
    ratio = rng.uniform(0.5, 2.0, n)
    w, h = np.sqrt(area_m2 * ratio), np.sqrt(area_m2 / ratio)
    kx = 111_320 * np.cos(np.radians(pts[:, 1]))
    dx, dy = w / kx / 2, h / 110_950 / 2
    geoms = shapely.box(pts[:, 0] - dx, pts[:, 1] - dy, pts[:, 0] + dx, pts[:, 1] + dy)
    return gpd.GeoDataFrame(
        {"request_id": [f"N-{i:05d}" for i in range(n)], "applicant": "benchmark",
         "members": 6, "submitted_at": None, "queue_no": np.arange(n)},
        geometry=geoms, crs=4326)


def naive_check(requests: gpd.GeoDataFrame, layers: dict[str, gpd.GeoDataFrame]) -> list[dict]:
    """The straightforward way: a loop over requests, each tested against whole layers with
    geopandas (no spatial index), metric work in the national Albers projection."""
    proj = {k: v.to_crs(MONGOLIA_ALBERS) for k, v in layers.items()}
    mineral = proj["licenses"][proj["licenses"]["licence_type"].isin(["exploration", "mining"])]
    water = gpd.GeoSeries(list(proj["water_lines"].geometry) + list(proj["water_areas"].geometry),
                          crs=MONGOLIA_ALBERS)
    reqs = requests.to_crs(MONGOLIA_ALBERS)
    out = []
    for geom in reqs.geometry:
        concl = proj["land_conclusions"]
        cover = concl[concl.intersects(geom)].union_all()
        outside = geom.difference(cover) if cover is not None else geom
        lic = mineral[mineral.intersects(geom)]
        lic_ha = lic.intersection(geom).area.sum() / 1e4
        pa = proj["protected_areas"]
        pa_ha = pa[pa.intersects(geom)].intersection(geom).area.sum() / 1e4
        dist = water.distance(geom)
        eligible = geom.difference(lic.union_all()) if len(lic) else geom
        for d in (50.0, 200.0):
            near = water[dist < d]
            if len(near):
                eligible = eligible.difference(near.buffer(d).union_all())
        out.append({"outside_ha": outside.area / 1e4, "licence_ha": lic_ha, "pa_ha": pa_ha,
                    "within_200": bool((dist < 200).any()), "eligible_ha": eligible.area / 1e4})
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--naive-sample", type=int, default=0,
                    help="time the naive loop on this many requests and scale up (0 = all)")
    args = ap.parse_args()

    ws = Workspace(ensure_sample_workspace())
    ruleset = load_ruleset("mn-asm-2022")
    layers = {k: [(n, ws.read(n)) for n in ws.layers_of_kind(k)] for k in KINDS}
    requests = synthetic_requests(args.requests)

    t0 = time.perf_counter()
    ctx = CheckContext(layers, AS_OF)
    report = check_requests(requests, ruleset, ctx)
    batch = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    refused = sum(not r.eligible for r in report.requests)
    lic = sum(any(x.rule == "no_valid_licence" and x.status == "fail" for x in r.results)
              for r in report.requests)
    water = sum(any(x.rule == "water_regular_zone" and x.status == "fail" for x in r.results)
                for r in report.requests)
    print(f"batch: {len(requests):,} requests in {batch:.2f} s (context built inside); "
          f"{lic} overlap a valid licence, {water} within 200 m of water, {refused} refused")
    print(f"peak memory (max RSS) after the batch: {peak_mb:.0f} MB")

    no_clip = Ruleset.model_validate({
        **ruleset.model_dump(), "rules": [r.model_dump() for r in ruleset.rules
                                          if r.type != "within"]})
    t0 = time.perf_counter()
    check_requests(requests, no_clip, CheckContext(layers, AS_OF))
    print(f"same batch without the land-conclusion rule (every eligible part cut): "
          f"{time.perf_counter() - t0:.2f} s")

    times = []
    for i in range(50):
        one = requests.iloc[[i]]
        t = time.perf_counter()
        check_requests(one, ruleset, ctx)
        times.append((time.perf_counter() - t) * 1000)
    print(f"one request (context held): median {statistics.median(times):.1f} ms, "
          f"max {max(times):.1f} ms over 50 requests")

    flat = {k: pd.concat([g for _, g in items], ignore_index=True)
            for k, items in layers.items()}
    sample = requests if not args.naive_sample else requests.iloc[: args.naive_sample]
    t0 = time.perf_counter()
    naive_check(sample, flat)
    naive = (time.perf_counter() - t0) * len(requests) / len(sample)
    scaled = "" if len(sample) == len(requests) else f" (timed on {len(sample):,}, scaled)"
    print(f"naive per-request geopandas loop: {naive:.1f} s{scaled}; "
          f"speed-up {naive / batch:.0f}×")


if __name__ == "__main__":
    main()
