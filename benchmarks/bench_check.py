"""The check's speed targets (issue 3), measured on this machine.

Run:  .venv/bin/python benchmarks/bench_check.py [--requests 10000] [--naive-sample N]
      .venv/bin/python benchmarks/bench_check.py --peers [--requests 10000] [--repeat 3]

1. National batch: N synthetic requests of 1–50 ha spread over Mongolia (seeded, reproducible)
   checked against all 3,439 real licences, the lakes and rivers with their 50 m and 200 m
   zones, protected areas and land conclusions (the sample workspace's layers), with the
   default ruleset. Target: under 2 s, and at least 20× faster than a straightforward
   per-request geopandas loop doing the same checks (measured in the same run, on all
   requests unless --naive-sample limits it, in which case its time is scaled up linearly).
2. One request against the national layers, the context already built (as the app holds it):
   target under 30 ms.
3. Peak memory (max RSS) of the batch: target under 1 GB.

With --peers (issue 13) it times instead, in one run and on the same work, landtool's engine,
a PostGIS database and a plain shapely STRtree loop: the N requests against the valid licences
(the default ruleset's rule no_valid_licence: exploration or mining, in force on the check date,
overlap over its sliver_m2 of geodesic area) and against the lakes (water_areas) within 200 m
(its rule water_regular_zone, geodesic distance), and checks that the three find the same
request × licence and request × lake pairs. landtool runs a two-rule ruleset made of those two
rules, the water rule reading lakes only; the layers are read from the workspace once, before
any timing. PostGIS is a throw-away cluster on loopback (tests/pg_cluster.py); its loading is
timed apart from the query. Each method's time is the median of --repeat runs.
"""

from __future__ import annotations

import argparse
import math
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod
from shapely import affinity, ops

from landtool.catalog import get_kind
from landtool.check.context import CheckContext
from landtool.check.engine import check_requests
from landtool.check.ruleset import Ruleset, load_ruleset
from landtool.geodesy import MONGOLIA_ALBERS
from landtool.paths import sample_data_dir
from landtool.sample_workspace import ensure_sample_workspace
from landtool.workspace import Workspace

AS_OF = date(2026, 11, 23)
KINDS = ("licenses", "water_lines", "water_areas", "protected_areas", "land_conclusions")
ROOT = Path(__file__).resolve().parents[1]
LICENCE_RULE, WATER_RULE = "no_valid_licence", "water_regular_zone"


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


# --- peers (issue 13): the same licence and lake checks in landtool, PostGIS and a STRtree loop


def peers_ruleset(ruleset: Ruleset) -> Ruleset:
    """The ruleset's rules no_valid_licence and water_regular_zone, the water rule reading lakes
    (water_areas) only: the work the peers are given too."""
    rules = {r.id: r.model_dump() for r in ruleset.rules}
    water = rules[WATER_RULE]
    water["params"] = {**water["params"], "layers": ["water_areas"]}
    return Ruleset.model_validate({**ruleset.model_dump(),
                                   "rules": [rules[LICENCE_RULE], water]})


def feature_table(items: list[tuple[str, gpd.GeoDataFrame]], kind: str) -> gpd.GeoDataFrame:
    """A kind's layers as one table with each feature's layer and id (``fid``), named as
    landtool's conflicts name them ("layer:row" for a feature with no id); features with no
    geometry left out, as landtool leaves them out."""
    id_field = get_kind(kind).id_field
    parts = []
    for name, gdf in items:
        values = gdf[id_field] if id_field in gdf.columns else pd.Series([None] * len(gdf))
        fid = [str(v) if v is not None and (isinstance(v, str) or not pd.isna(v))
               and str(v).strip() else f"{name}:{i + 1}" for i, v in enumerate(values)]
        part = gdf.assign(layer=name, fid=fid)
        parts.append(part[~part.geometry.isna() & ~part.geometry.is_empty])
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=4326)


def _text(column: pd.Series) -> pd.Series:
    return column.astype(object).where(column.notna(), "").astype(str)


def valid_licences(lic: gpd.GeoDataFrame, rule, as_of: date) -> gpd.GeoDataFrame:
    """The licences the rule checks, selected as landtool selects them: the rule's ``where``
    (a blank type kept, so an unknown type hides nothing) and in force on ``as_of`` by the
    kind's validity fields (a missing date kept)."""
    where, validity, day = rule.params.where, get_kind("licenses").validity, as_of.isoformat()
    kind = lic[where.field]
    keep = kind.isin(where.values) | (_text(kind).str.strip() == "")
    start, end = (_text(lic[f]).str[:10] for f in (validity.start_field, validity.end_field))
    keep &= ((start == "") | (start <= day)) & ((end == "") | (end >= day))
    return lic[keep.to_numpy()]


def landtool_pairs(report) -> dict[str, Counter]:
    """(request, layer, feature) of every conflict landtool reports, by rule."""
    pairs = {LICENCE_RULE: Counter(), WATER_RULE: Counter()}
    for r in report.requests:
        for x in r.results:
            pairs[x.rule].update((r.id, c.layer, c.feature_id) for c in x.conflicts)
    return pairs


GEOD = Geod(ellps="WGS84")


def geodesic_area(geom) -> float:
    """m² of the polygons in ``geom`` (lines and points where an intersection only touches
    have none)."""
    return sum(abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(p))[0])
               for p in shapely.get_parts(geom) if p.geom_type == "Polygon")


def geodesic_distance(a, b) -> float:
    """m between the nearest points of ``a`` and ``b``, found with a degree of longitude scaled
    by cos(latitude) at ``a`` (so that the frame is near metric there) and measured on the
    ellipsoid; 0 when they meet."""
    if a.intersects(b):
        return 0.0
    c = math.cos(math.radians(a.centroid.y))
    pa, pb = ops.nearest_points(affinity.scale(a, c, 1, origin=(0, 0)),
                                affinity.scale(b, c, 1, origin=(0, 0)))
    return GEOD.inv(pa.x / c, pa.y, pb.x / c, pb.y)[2]


def _found(request_ids, features: gpd.GeoDataFrame) -> Counter:
    return Counter(zip(request_ids, features["layer"], features["fid"], strict=True))


def strtree_pairs(requests: gpd.GeoDataFrame, layers: dict, ruleset: Ruleset,
                  as_of: date) -> dict[str, Counter]:
    """The lean script a user would write: select the valid licences, an STRtree over them and
    one over the lakes, every request queried at once, geodesic areas and distances with Geod."""
    rules = {r.id: r for r in ruleset.rules}
    sliver, dist = rules[LICENCE_RULE].params.sliver_m2, rules[WATER_RULE].params.distance_m
    lic = valid_licences(feature_table(layers["licenses"], "licenses"), rules[LICENCE_RULE],
                         as_of)
    lakes = feature_table(layers["water_areas"], "water_areas")
    rid, rg = requests["request_id"].to_numpy(), requests.geometry.to_numpy()
    lg = lic.geometry.to_numpy()
    ri, fj = shapely.STRtree(lg).query(rg, predicate="intersects")
    area = np.array([geodesic_area(g) for g in shapely.intersection(rg[ri], lg[fj])])
    hit = area > sliver
    out = {LICENCE_RULE: _found(rid[ri[hit]], lic.iloc[fj[hit]])}
    wg = lakes.geometry.to_numpy()
    # dwithin in degrees: 200 m is under 0.0034° of longitude anywhere in Mongolia
    ri, fj = shapely.STRtree(wg).query(rg, predicate="dwithin", distance=dist / 60_000)
    near = np.array([geodesic_distance(a, b) for a, b in zip(rg[ri], wg[fj], strict=True)])
    hit = near < dist
    out[WATER_RULE] = _found(rid[ri[hit]], lakes.iloc[fj[hit]])
    return out


_TABLES = """
DROP TABLE IF EXISTS requests, licences, lakes;
CREATE TABLE requests (id text, geom geometry(Geometry, 4326));
CREATE TABLE licences (layer text, fid text, licence_type text, issue_date text,
                       expiry_date text, geom geometry(Geometry, 4326));
CREATE TABLE lakes (layer text, fid text, geom geometry(Geometry, 4326));
"""
_INDEXES = """
ALTER TABLE requests ADD COLUMN geog geography;
UPDATE requests SET geog = geom::geography;
ALTER TABLE lakes ADD COLUMN geog geography;
UPDATE lakes SET geog = geom::geography;
CREATE INDEX ON requests USING gist (geom);
CREATE INDEX ON requests USING gist (geog);
CREATE INDEX ON licences USING gist (geom);
CREATE INDEX ON lakes USING gist (geog);
ANALYZE requests;
ANALYZE licences;
ANALYZE lakes;
"""
#: the same selection as landtool's (see valid_licences), in SQL
LICENCE_SQL = """
SELECT r.id, l.layer, l.fid FROM requests r JOIN licences l ON ST_Intersects(r.geom, l.geom)
WHERE (l.licence_type = ANY(%(types)s) OR coalesce(btrim(l.licence_type), '') = '')
  AND (coalesce(l.issue_date, '') = '' OR left(l.issue_date, 10) <= %(day)s)
  AND (coalesce(l.expiry_date, '') = '' OR left(l.expiry_date, 10) >= %(day)s)
  AND ST_Area(ST_Intersection(r.geom, l.geom)::geography) > %(sliver)s
"""
WATER_SQL = """
SELECT r.id, w.layer, w.fid FROM requests r JOIN lakes w ON ST_DWithin(r.geog, w.geog, %(dist)s)
"""


def _ewkb(geoms) -> list[str]:
    return list(shapely.to_wkb(shapely.set_srid(np.asarray(geoms), 4326), hex=True,
                               include_srid=True))


def postgis_load(con, requests: gpd.GeoDataFrame, lic: gpd.GeoDataFrame,
                 lakes: gpd.GeoDataFrame) -> None:
    """Every licence (with the fields the selection reads), the lakes and the requests, in
    tables with GiST indexes, analysed."""
    validity, where = get_kind("licenses").validity, "licence_type"
    rows = {
        "requests (id, geom)": zip(requests["request_id"], _ewkb(requests.geometry),
                                   strict=True),
        "licences (layer, fid, licence_type, issue_date, expiry_date, geom)": zip(
            lic["layer"], lic["fid"], lic[where].astype(object).where(lic[where].notna(), None),
            *(_text(lic[f]) for f in (validity.start_field, validity.end_field)),
            _ewkb(lic.geometry), strict=True),
        "lakes (layer, fid, geom)": zip(lakes["layer"], lakes["fid"], _ewkb(lakes.geometry),
                                        strict=True),
    }
    with con.transaction():
        con.execute(_TABLES)
        for table, values in rows.items():
            with con.cursor().copy(f"COPY {table} FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        con.execute(_INDEXES)


def postgis_pairs(con, ruleset: Ruleset, as_of: date) -> dict[str, Counter]:
    """The pairs, by the two queries."""
    rules = {r.id: r for r in ruleset.rules}
    lic = rules[LICENCE_RULE].params
    found = con.execute(LICENCE_SQL, {"types": list(lic.where.values), "day": as_of.isoformat(),
                                      "sliver": lic.sliver_m2}).fetchall()
    near = con.execute(WATER_SQL, {"dist": rules[WATER_RULE].params.distance_m}).fetchall()
    return {LICENCE_RULE: Counter(map(tuple, found)), WATER_RULE: Counter(map(tuple, near))}


def _timed(fn, repeat: int):
    """(median seconds over ``repeat`` runs, the last run's result)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def compare(requests: gpd.GeoDataFrame, layers: dict, ruleset: Ruleset, pg_url: str | None,
            repeat: int = 3) -> dict[str, tuple[float, dict[str, Counter]]]:
    """{method: (median seconds, pairs by rule)} for landtool, the STRtree loop and, given the
    URL of a database with PostGIS, the PostGIS query (also "PostGIS load": its seconds)."""
    two = peers_ruleset(ruleset)
    own = {k: layers[k] for k in ("licenses", "water_areas")}
    took, report = _timed(lambda: check_requests(requests, two, CheckContext(own, AS_OF)), repeat)
    out = {"landtool": (took, landtool_pairs(report))}
    if pg_url is not None:
        import psycopg

        with psycopg.connect(pg_url, autocommit=True) as con:
            t0 = time.perf_counter()
            postgis_load(con, requests, feature_table(layers["licenses"], "licenses"),
                         feature_table(layers["water_areas"], "water_areas"))
            out["PostGIS load"] = (time.perf_counter() - t0, {})
            postgis_pairs(con, two, AS_OF)  # warm-up, untimed
            out["PostGIS"] = _timed(lambda: postgis_pairs(con, two, AS_OF), repeat)
    out["STRtree loop"] = _timed(lambda: strtree_pairs(requests, layers, two, AS_OF), repeat)
    return out


def disagreements(results: dict) -> dict[str, dict[tuple, list[str]]]:
    """Per rule, every pair not found (as many times) by every method, with the methods that
    found it."""
    found = {m: pairs for m, (_, pairs) in results.items() if pairs}
    out = {}
    for rule in (LICENCE_RULE, WATER_RULE):
        every = set().union(*(pairs[rule] for pairs in found.values()))
        out[rule] = {pair: [f"{m} ×{pairs[rule][pair]}" for m, pairs in found.items()
                            if pairs[rule][pair]]
                     for pair in sorted(every)
                     if len({pairs[rule][pair] for pairs in found.values()}) > 1}
    return out


_MEASURE_SQL = {
    LICENCE_RULE: "SELECT ST_Area(ST_Intersection(r.geom, f.geom)::geography) FROM requests r, "
                  "licences f WHERE r.id = %s AND f.layer = %s AND f.fid = %s",
    WATER_RULE: "SELECT ST_Distance(r.geog, f.geog), ST_Distance(r.geog, f.geog, false) FROM "
                "requests r, lakes f WHERE r.id = %s AND f.layer = %s AND f.fid = %s",
}


def explain(odd: dict, requests: gpd.GeoDataFrame, layers: dict, pg_url: str | None) -> None:
    """Print what each side measures for the pairs the methods disagree on: the STRtree loop's
    geodesic area or distance, and PostGIS's (spheroid, and for distances also the sphere)."""
    import psycopg

    con = psycopg.connect(pg_url, autocommit=True) if pg_url else None
    by_id = dict(zip(requests["request_id"], requests.geometry, strict=True))
    for rule, pairs in odd.items():
        kind = "licenses" if rule == LICENCE_RULE else "water_areas"
        table = feature_table(layers[kind], kind)
        for (rid, layer, fid), who in pairs.items():
            req = by_id[rid]
            feats = table[(table["layer"] == layer) & (table["fid"] == fid)].geometry
            mine = [geodesic_area(shapely.intersection(req, g)) if rule == LICENCE_RULE
                    else geodesic_distance(req, g) for g in feats]
            pg = con.execute(_MEASURE_SQL[rule], (rid, layer, fid)).fetchall() if con else []
            print(f"  {rule} {rid} × {layer}/{fid}: found by {', '.join(who)}; "
                  f"STRtree loop measures {[round(v, 3) for v in mine]}, "
                  f"PostGIS {[tuple(round(v, 3) for v in row) for row in pg]}")
    if con:
        con.close()


def peers(requests: gpd.GeoDataFrame, layers: dict, ruleset: Ruleset, repeat: int,
          read_s: float) -> None:
    """The --peers mode: the three methods on the same work, a table, and their agreement."""
    sys.path.insert(0, str(ROOT / "tests"))
    import pg_cluster
    import psycopg

    tmp = Path(tempfile.mkdtemp(prefix="landtool-bench-"))
    tmp.chmod(0o755)  # the server runs as the postgres user when this runs as root
    cluster, pg_url = None, None
    try:
        cluster = pg_cluster.start(tmp / "pg")
        with psycopg.connect(cluster.url(), autocommit=True) as con:
            con.execute("CREATE DATABASE bench_peers")
        pg_url = cluster.url(db="bench_peers")
        with psycopg.connect(pg_url, autocommit=True) as con:
            con.execute("CREATE EXTENSION postgis")
            version = con.execute("SELECT postgis_full_version()").fetchone()[0]
        print(f"PostGIS: {version.split(' PROJ=')[0]}")
    except pg_cluster.ClusterUnavailable as exc:
        print(f"PostGIS NOT TIMED: the throw-away PostgreSQL + PostGIS cluster did not start "
              f"({exc})")
    try:
        two = {r.id: r for r in peers_ruleset(ruleset).rules}
        lic = feature_table(layers["licenses"], "licenses")
        valid = valid_licences(lic, two[LICENCE_RULE], AS_OF)
        two = {k: r.params for k, r in two.items()}
        print(f"work: {len(requests):,} requests vs {len(valid):,} valid licences (of "
              f"{len(lic):,}: {', '.join(two[LICENCE_RULE].where.values)}, in force on "
              f"{AS_OF}), overlap > {two[LICENCE_RULE].sliver_m2:g} m² geodesic; and "
              f"{sum(len(g) for _, g in layers['water_areas'])} lakes and ponds (water_areas) "
              f"within {two[WATER_RULE].distance_m:g} m geodesic; median of {repeat} runs each")
        results = compare(requests, layers, ruleset, pg_url, repeat)
        load = results.pop("PostGIS load", None)
        base = results["landtool"][0]
        print(f"{'method':<40} {'time (s)':>9} {'ratio to landtool':>18} "
              f"{'licence pairs':>14} {'lake pairs':>11}")
        label = {"landtool": "landtool (CheckContext + check_requests)",
                 "PostGIS": "PostGIS (the two queries, data loaded)",
                 "STRtree loop": "shapely STRtree + pyproj Geod loop"}
        for method, (took, pairs) in results.items():
            print(f"{label[method]:<40} {took:>9.3f} {took / base:>17.2f}× "
                  f"{sum(pairs[LICENCE_RULE].values()):>14,} "
                  f"{sum(pairs[WATER_RULE].values()):>11,}")
        whole = {"landtool": results["landtool"][0], "STRtree loop": results["STRtree loop"][0]}
        if load is not None:
            whole["PostGIS"] = load[0] + results["PostGIS"][0]
        print(f"whole process from the workspace file: reading the layers {read_s:.2f} s (the "
              f"same for each)"
              + (f", loading PostGIS (COPY, geography, GiST indexes, ANALYZE) {load[0]:.2f} s"
                 if load else "") + "; in all: "
              + ", ".join(f"{m} {read_s + t:.2f} s" for m, t in whole.items()))
        odd = disagreements(results)
        if any(odd.values()):
            print("THE METHODS DISAGREE on these pairs:")
            explain(odd, requests, layers, pg_url)
        else:
            print(f"agreement: the {len(results)} methods found the same request × licence "
                  f"and request × lake pairs")
        assert not any(odd.values()), "the methods found different conflicts"
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--naive-sample", type=int, default=0,
                    help="time the naive loop on this many requests and scale up (0 = all)")
    ap.add_argument("--peers", action="store_true",
                    help="time landtool, PostGIS and an STRtree loop on the licence and lake "
                         "checks instead (issue 13)")
    ap.add_argument("--repeat", type=int, default=3, help="--peers: runs of each (the median)")
    args = ap.parse_args()

    ws = Workspace(ensure_sample_workspace())
    ruleset = load_ruleset("mn-asm-2022")
    t0 = time.perf_counter()
    layers = {k: [(n, ws.read(n)) for n in ws.layers_of_kind(k)]
              for k in (("licenses", "water_areas") if args.peers else KINDS)}
    read_s = time.perf_counter() - t0
    requests = synthetic_requests(args.requests)
    if args.peers:
        peers(requests, layers, ruleset, args.repeat, read_s)
        return

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
