"""Tests of the synthetic sample layers and DEM (landtool/sample.py).

Every intended property of the sample is checked here with independent computations: shapely
in UTM zone 48N (EPSG:32648) for overlaps and distances, pyproj ``Geod`` for areas, and the
raster itself (with a plane fitted to undisturbed pixels) for pit volumes.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import rasterio.features
from geopandas.testing import assert_geodataframe_equal
from pyproj import Geod

from landtool import sample
from landtool.catalog import get_kind
from landtool.paths import sample_data_dir

REAL = sample_data_dir() / "real"
UTM = "EPSG:32648"
ON = "2026-11-23"  # the date the sample's states are meant for
GEOD = Geod(ellps="WGS84")

# What each request is meant to hit, written out here independently of the module.
EXPECTED = {
    "REQ-2026-001": set(),
    "REQ-2026-002": set(),
    "REQ-2026-003": {"first_come"},
    "REQ-2026-004": {"water_50m", "water_200m"},
    "REQ-2026-005": {"licence_overlap"},
    "REQ-2026-006": {"max_area"},
    "REQ-2026-007": set(),
    "REQ-2026-008": {"land_conclusion"},
    "REQ-2026-009": {"min_members"},
    "REQ-2026-010": {"contract_overlap"},
    "REQ-2026-011": {"protected_area"},
    "REQ-2026-012": {"land_conclusion"},
    "REQ-2026-013": {"rehab_backlog"},
    "REQ-2026-014": {"water_200m"},
    "REQ-2026-015": set(),
}
KINDS = {"land_conclusions": 8, "asm_contracts": 12, "rehab_parcels": 30, "requests": 15,
         "protected_areas": 1, "water_areas": 1, "water_points": 2, "forest": 1}
REAL_FILES = ["aimags", "soums", "country", "licenses_eiti", "soum_centers", "roads",
              "lakes_alagac", "lakes", "rivers"]


@pytest.fixture(scope="module")
def layers() -> dict[str, gpd.GeoDataFrame]:
    return sample.synthetic_layers(REAL)


@pytest.fixture(scope="module")
def utm(layers) -> dict[str, gpd.GeoDataFrame]:
    return {k: v.to_crs(UTM) for k, v in layers.items()}


@pytest.fixture(scope="module")
def mandal() -> gpd.GeoSeries:
    soums = gpd.read_file(REAL / "soums.gpkg")
    return soums[soums["pcode"] == "4322"].geometry


@pytest.fixture(scope="module")
def licences(mandal) -> gpd.GeoDataFrame:
    lic = gpd.read_file(REAL / "licenses_eiti.gpkg", bbox=tuple(mandal.total_bounds))
    lic = lic.to_crs(UTM)
    lic["geometry"] = lic.geometry.make_valid()  # MV-00017425 is invalid once projected
    return lic


@pytest.fixture(scope="module")
def water(utm, mandal) -> gpd.GeoDataFrame:
    """Every water feature near Mandal, synthetic and real, in UTM 48N."""
    parts = [utm[k][["name", "geometry"]] for k in ("water_lines", "water_areas", "water_points")]
    bbox = tuple(mandal.total_bounds + np.array([-0.05, -0.05, 0.05, 0.05]))
    for name in ("rivers", "lakes", "lakes_alagac"):
        real = gpd.read_file(REAL / f"{name}.gpkg", bbox=bbox)
        parts.append(gpd.GeoDataFrame({"name": [name] * len(real)}, geometry=real.geometry
                                      ).to_crs(UTM))
    return pd.concat(parts, ignore_index=True)


def ha(geom) -> float:
    """Geodesic area in hectares of a lon/lat polygon."""
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e4


def overlaps(gdf: gpd.GeoDataFrame, geom) -> gpd.GeoDataFrame:
    """Rows of ``gdf`` that share more than 1 m² with ``geom``."""
    return gdf[gdf.intersection(geom).area > 1.0]


def in_force(gdf, start: str, end: str, on: str) -> pd.Series:
    return (gdf[start] <= on) & (gdf[end] >= on)


def failures(layers, utm, licences, water, on: str = ON) -> dict[str, set[str]]:
    """Evaluate every eligibility rule on every request, independently of the module."""
    req, lc, con = utm["requests"], utm["land_conclusions"], utm["asm_contracts"]
    valid_lic = licences[in_force(licences, "issue_date", "expiry_date", on)]
    valid_lc = lc[(lc["status"] == "valid") & in_force(lc, "issue_date", "valid_until", on)]
    active = con[(con["status"] == "active") & in_force(con, "start_date", "end_date", on)]
    parcels = layers["rehab_parcels"]
    open_parcels = parcels[parcels["status"].isin(["disturbed", "technical_in_progress"])]
    backlog = open_parcels.groupby("partnership").geometry.agg(lambda s: sum(map(ha, s)))
    submitted = req["submitted_at"].map(datetime.fromisoformat)
    out = {}
    for i, r in req.iterrows():
        g, hits = r.geometry, set()
        if len(overlaps(valid_lic, g)):
            hits.add("licence_overlap")
        if len(overlaps(utm["protected_areas"], g)):
            hits.add("protected_area")
        dist = water.distance(g).min()
        if dist < 50:
            hits.add("water_50m")
        if dist < 200:
            hits.add("water_200m")
        if not valid_lc.contains(g).any():
            hits.add("land_conclusion")
        if len(overlaps(req[submitted < submitted[i]], g)):
            hits.add("first_come")
        if ha(layers["requests"].geometry[i]) > 5.0:
            hits.add("max_area")
        if r["members"] < 5:
            hits.add("min_members")
        if len(overlaps(active, g)):
            hits.add("contract_overlap")
        if backlog.get(r["applicant"], 0.0) > 2.0:
            hits.add("rehab_backlog")
        out[r["request_id"]] = hits
    return out


# --- real data --------------------------------------------------------------------------------

def test_real_layers_are_bundled():
    for name in REAL_FILES:
        assert (REAL / f"{name}.gpkg").is_file(), name
    assert "CC BY-IGO 3.0" in (REAL / "PROVENANCE.md").read_text(encoding="utf-8")
    assert (sample_data_dir() / "PROVENANCE.md").is_file()


@pytest.mark.slow
def test_real_layers_are_complete():
    counts = {"aimags": 22, "soums": 339, "country": 1, "licenses_eiti": 3439,
              "soum_centers": 333, "roads": 2171, "lakes_alagac": 310, "lakes": 18, "rivers": 7}
    for name, n in counts.items():
        assert len(gpd.read_file(REAL / f"{name}.gpkg")) == n, name


# --- schema, determinism, counts ----------------------------------------------------------

def test_deterministic(layers):
    again = sample.synthetic_layers(REAL)
    assert again.keys() == layers.keys()
    for kind in layers:
        assert_geodataframe_equal(again[kind], layers[kind], check_less_precise=False)


def test_counts(layers):
    for kind, n in KINDS.items():
        assert len(layers[kind]) == n, kind
    assert len(layers["water_lines"]) >= 3
    assert len(sample.PARTNERSHIPS) == 8
    assert set(layers["requests"]["applicant"]) <= set(sample.PARTNERSHIPS)


def test_catalog_fields_crs_and_synthetic_flag(layers):
    for kind, gdf in layers.items():
        k = get_kind(kind)
        assert list(gdf.columns) == [f.name for f in k.fields] + ["synthetic", "note", "geometry"]
        assert gdf.crs.to_epsg() == 4326
        assert gdf["synthetic"].map(lambda v: v is True or v is np.True_).all(), kind
        assert gdf["note"].str.len().gt(10).all(), kind
        for f in k.fields:
            if f.required:
                assert gdf[f.name].notna().all(), (kind, f.name)
            if f.choices:
                assert set(gdf[f.name].dropna()) <= set(f.choices), (kind, f.name)
            if f.type == "date":
                for v in gdf[f.name].dropna():
                    date.fromisoformat(v)
        geom = {"polygon": "Polygon", "line": "LineString", "point": "Point"}[k.geometry]
        assert (gdf.geom_type == geom).all(), kind
    for kind in ("land_conclusions", "asm_contracts", "requests", "rehab_parcels"):
        assert (layers[kind]["soum_pcode"] == "4322").all()


def test_geometries_valid_and_inside_mandal(layers, mandal):
    polygon = mandal.union_all()
    for kind, gdf in layers.items():
        assert gdf.is_valid.all() and not gdf.is_empty.any(), kind
        assert gdf.within(polygon).all(), kind


def test_outside_mandal_is_refused(tmp_path):
    small = gpd.GeoDataFrame({"pcode": ["4322"]}, geometry=gpd.points_from_xy([106.5], [48.7])
                             .buffer(0.01), crs="EPSG:4326")
    small.to_file(tmp_path / "soums.gpkg")
    with pytest.raises(ValueError, match="outside Mandal"):
        sample.synthetic_layers(tmp_path)


def test_ids_unique(layers):
    for kind in ("land_conclusions", "asm_contracts", "requests", "rehab_parcels"):
        k = get_kind(kind)
        assert layers[kind][k.id_field].is_unique, kind


def test_plausible_sizes(layers):
    bounds = {"requests": (1, 8), "asm_contracts": (2, 10), "land_conclusions": (20, 150),
              "rehab_parcels": (0.2, 3), "water_areas": (0.5, 20)}
    for kind, (lo, hi) in bounds.items():
        areas = layers[kind].geometry.map(ha)
        assert areas.between(lo, hi).all(), (kind, areas.round(2).tolist())


# --- dates and states ---------------------------------------------------------------------

def test_parcel_steps_never_go_backwards(layers):
    parcels = layers["rehab_parcels"]
    for _, p in parcels.iterrows():
        dates = [p[c] for c in sample.STEP_DATES]
        reached = sample.STEPS.index(p["status"]) + 1
        assert all(pd.notna(d) for d in dates[:reached]), p["parcel_id"]
        assert all(pd.isna(d) for d in dates[reached:]), p["parcel_id"]
        assert dates[:reached] == sorted(dates[:reached]), p["parcel_id"]
        assert dates[reached - 1] <= ON
    assert set(parcels["status"]) == set(sample.STEPS)


def test_dates_are_consistent(layers):
    lc, con, req = layers["land_conclusions"], layers["asm_contracts"], layers["requests"]
    assert (lc["issue_date"] < lc["valid_until"]).all()
    assert (con["start_date"] < con["end_date"]).all()
    assert (lc["status"] == "revoked").sum() == 1
    expired = lc[(lc["status"] == "valid") & (lc["valid_until"] < ON)]
    assert len(expired) == 1 and expired["valid_until"].iloc[0] > "2026-01-01"
    submitted = req["submitted_at"].map(datetime.fromisoformat)
    assert submitted.is_monotonic_increasing and submitted.is_unique
    assert submitted.map(lambda t: t.year == 2026 and t.utcoffset() is not None).all()
    assert list(req["queue_no"]) == list(range(1, 16))
    assert list(req["request_id"]) == [f"REQ-2026-{i:03d}" for i in range(1, 16)]
    active = (con["status"] == "active") & (con["end_date"] >= ON)
    assert active.sum() >= 6 and (con["end_date"] < ON).sum() >= 2


def test_contracts_in_conclusions_and_parcels_in_contracts(utm):
    lc, con, parcels = utm["land_conclusions"], utm["asm_contracts"], utm["rehab_parcels"]
    for g in con.geometry:
        assert lc.contains(g).sum() == 1
    assert not any(len(overlaps(con.drop(index=i), g)) for i, g in con.geometry.items())
    for i, g in parcels.geometry.items():
        holder = con[con.contains(g)]
        assert len(holder) == 1
        assert holder["partnership"].iloc[0] == parcels.loc[i, "partnership"]
        assert len(overlaps(parcels.drop(index=i), g)) == 0


def test_conclusions_mostly_avoid_valid_licences(utm, licences):
    valid = licences[in_force(licences, "issue_date", "expiry_date", ON)]
    touching = [(r.conclusion_no, overlaps(valid, r.geometry)) for r in utm["land_conclusions"]
                .itertuples()]
    touching = [(no, o) for no, o in touching if len(o)]
    assert len(touching) == 1
    no, hit = touching[0]
    g = utm["land_conclusions"].set_index("conclusion_no").geometry[no]
    assert 0 < hit.intersection(g).area.sum() < 0.5 * g.area  # partial overlap only


def test_backlogs(layers):
    parcels = layers["rehab_parcels"]
    parcels = parcels.assign(ha=parcels.geometry.map(ha))
    open_ = parcels[parcels["status"].isin(["disturbed", "technical_in_progress"])]
    backlog = open_.groupby("partnership")["ha"].sum()
    assert (backlog > 2.0).sum() >= 2
    assert set(sample.PARTNERSHIPS) - set(backlog.index)  # some partnerships are clean


# --- requests -----------------------------------------------------------------------------

def test_expectations_are_documented(layers):
    assert {k: set(v) for k, v in sample.EXPECTED_FAILURES.items()} == EXPECTED
    for r in layers["requests"].itertuples():
        assert r.note.startswith("expected: pass" if not EXPECTED[r.request_id]
                                 else "expected: fail"), r.request_id


def test_each_request_hits_what_it_is_meant_to(layers, utm, licences, water):
    assert failures(layers, utm, licences, water) == EXPECTED
    assert set().union(*EXPECTED.values()) == {
        "licence_overlap", "protected_area", "water_50m", "water_200m", "land_conclusion",
        "first_come", "max_area", "min_members", "contract_overlap", "rehab_backlog"}
    assert sum(1 for v in EXPECTED.values() if not v) >= 3


def test_validity_on_a_date_matters(layers, utm, licences, water):
    # Before the conclusion ДҮ-2021/041 expired, REQ-2026-012 was inside a valid one.
    assert "land_conclusion" not in failures(layers, utm, licences, water, "2026-06-01")[
        "REQ-2026-012"]
    # While MV-00000114 was valid (until 2025-12-25), REQ-2026-015 overlapped it.
    assert "licence_overlap" in failures(layers, utm, licences, water, "2025-06-01")[
        "REQ-2026-015"]


def test_licence_overlaps_are_named_in_notes(utm, licences):
    for r in utm["requests"].itertuples():
        for code in overlaps(licences, r.geometry)["licence_code"]:
            assert code in r.note, (r.request_id, code)
    r = utm["requests"].set_index("request_id").loc["REQ-2026-005"]
    hit = overlaps(licences, r.geometry).set_index("licence_code").loc["MV-00005082"]
    assert hit["licence_type"] == "mining" and hit["mineral_en"] == "Gold"
    assert hit["expiry_date"] > ON


def test_water_distances(utm, water):
    req = utm["requests"].set_index("request_id")
    lines = utm["water_lines"].set_index("name").geometry
    near = req.geometry["REQ-2026-004"].distance(lines["Хужирт горхи (synthetic)"])
    assert 10 < near < 50
    pond = utm["water_areas"].geometry.iloc[0]
    mid = req.geometry["REQ-2026-014"]
    assert 50 < mid.distance(pond) < 200
    assert water.distance(mid).min() > 50
    for rid, g in req.geometry.items():
        if not EXPECTED[rid] & {"water_50m", "water_200m"}:
            assert water.distance(g).min() > 200, rid
    # the approximate distances quoted in the notes are right to within 2 m
    for rid, d in (("REQ-2026-004", near), ("REQ-2026-014", mid.distance(pond))):
        quoted = float(re.search(r"about (\d+) m", req.loc[rid, "note"]).group(1))
        assert abs(quoted - d) < 2, rid


def test_competing_requests(utm):
    req = utm["requests"].set_index("request_id")
    a, b = req.loc["REQ-2026-002"], req.loc["REQ-2026-003"]
    assert a.geometry.intersection(b.geometry).area > 5000
    assert datetime.fromisoformat(a.submitted_at) < datetime.fromisoformat(b.submitted_at)
    assert a.applicant != b.applicant
    others = req.drop(index=["REQ-2026-002", "REQ-2026-003"]).geometry
    assert not any(len(overlaps(gpd.GeoDataFrame(geometry=others.drop(index=i), crs=UTM), g))
                   for i, g in others.items())


# --- DEM ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dem(tmp_path_factory, layers):
    path = tmp_path_factory.mktemp("dem") / "sample_dem.tif"
    volumes = sample.write_sample_dem(path, layers["rehab_parcels"])
    return path, volumes


def test_dem_format(dem, utm):
    path, volumes = dem
    with rasterio.open(path) as ds:
        assert ds.crs.to_epsg() == 32648
        assert ds.res == (5.0, 5.0) and ds.dtypes[0] == "float32"
        assert 1000 <= ds.width * 5 <= 5000 and 1000 <= ds.height * 5 <= 5000
        z = ds.read(1)
        box = ds.bounds
    assert np.isfinite(z).all() and 900 < z.min() and z.max() < 1200
    parcels = utm["rehab_parcels"].set_index("parcel_id")
    covered = parcels[parcels.within(gpd.GeoSeries.from_wkt(
        [f"POLYGON(({box.left} {box.bottom},{box.right} {box.bottom},{box.right} {box.top},"
         f"{box.left} {box.top},{box.left} {box.bottom}))"], crs=UTM).iloc[0])]
    assert set(covered.index) == set(volumes)
    assert covered["pit_depth_m"].isna().all()
    assert parcels.drop(index=covered.index)["pit_depth_m"].notna().all()
    assert sum(1 for v in volumes.values() if v > 0) >= 2


def test_dem_pit_volumes(dem, utm, layers):
    path, volumes = dem
    with rasterio.open(path) as ds:
        z = ds.read(1).astype(float)
        transform = ds.transform
    parcels = utm["rehab_parcels"].set_index("parcel_id")
    rows, cols = np.indices(z.shape)
    xs, ys = rasterio.transform.xy(transform, rows.ravel(), cols.ravel())
    xs = np.reshape(xs, z.shape) - np.mean(xs)
    ys = np.reshape(ys, z.shape) - np.mean(ys)
    # reference surface: a plane fitted to every pixel outside the parcels
    undisturbed = rasterio.features.geometry_mask(parcels.geometry, z.shape, transform)
    a = np.column_stack([np.ones(undisturbed.sum()), xs[undisturbed], ys[undisturbed]])
    coef, *_ = np.linalg.lstsq(a, z[undisturbed], rcond=None)
    reference = coef[0] + coef[1] * xs + coef[2] * ys
    assert np.abs(reference - z)[undisturbed].max() < 0.01
    notes = layers["rehab_parcels"].set_index("parcel_id")["note"]
    for pid, true in volumes.items():
        inside = ~rasterio.features.geometry_mask([parcels.geometry[pid]], z.shape, transform)
        measured = np.clip(reference - z, 0, None)[inside].sum() * 25.0
        stated = float(re.search(r"true volume ([\d.]+) m3", notes[pid]).group(1))
        assert stated == pytest.approx(true, abs=0.1), pid
        if true == 0:
            assert measured < 5.0, pid
        else:
            assert measured == pytest.approx(true, rel=0.02), pid


def test_dem_is_deterministic(dem, layers, tmp_path):
    path, _ = dem
    sample.write_sample_dem(tmp_path / "again.tif", layers["rehab_parcels"])
    with rasterio.open(path) as a, rasterio.open(tmp_path / "again.tif") as b:
        assert np.array_equal(a.read(1), b.read(1)) and a.transform == b.transform


def test_dem_refuses_parcels_without_their_pits(layers, tmp_path):
    parcels = layers["rehab_parcels"]
    with pytest.raises(ValueError, match="RP-011"):
        sample.write_sample_dem(tmp_path / "x.tif", parcels[parcels["parcel_id"] != "RP-011"])
