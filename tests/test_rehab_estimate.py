"""`landtool rehab estimate` on the sample workspace: quantities from the parcels and the DEM,
totals that add up exactly, and the JSON, CSV and spreadsheet outputs."""

from __future__ import annotations

import csv
import json
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest
from click.testing import CliRunner
from pyproj import Geod

from landtool.cli import main
from landtool.sample import pit_volumes

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def estimate_files(sample_ws, tmp_path_factory):
    out = tmp_path_factory.mktemp("estimate")
    paths = {k: out / f"est.{k}" for k in ("json", "csv", "xlsx")}
    r = CliRunner().invoke(main, [
        "rehab", "estimate", "--workspace", str(sample_ws),
        "--dem", str(sample_ws.parent / "mandal_dem.tif"),
        "--json", str(paths["json"]), "--csv", str(paths["csv"]), "--xlsx", str(paths["xlsx"])])
    assert r.exit_code == 0, r.output
    return r.output, paths


def test_table_names_rates_file_date_and_methods(estimate_files):
    output, _ = estimate_files
    assert "RP-011" in output and "mobilisation" in output and "deposit" in output
    assert "mn-illustrative-2026" in output and "ILLUSTRATIVE" in output
    assert "geodesic" in output and "plane fitted" in output


def test_json_totals_add_up_exactly(estimate_files):
    _, paths = estimate_files
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert {"rates", "parcels", "direct", "indirect", "total", "deposit", "currency"} <= set(data)
    assert {"id", "version", "date"} <= set(data["rates"])
    parcel_lines = [ln for p in data["parcels"] for ln in p["lines"]]
    site_lines = [ln for s in data["sites"] for ln in s["lines"]]
    for p in data["parcels"]:
        assert p["direct"] == sum(ln["cost"] for ln in p["lines"])
        assert {"id", "status", "area_ha", "perimeter_m", "volume_m3", "volume_method"} <= set(p)
    assert data["direct"] == sum(ln["cost"] for ln in parcel_lines + site_lines)
    assert data["total"] == data["direct"] + sum(x["cost"] for x in data["indirect"])
    # each line: quantity x rate, rounded half up to a whole tugrik (hand arithmetic rule)
    for ln in parcel_lines:
        expected = (Decimal(str(ln["quantity"])) * Decimal(str(ln["rate"]))).quantize(
            Decimal(1), rounding=ROUND_HALF_UP)
        assert ln["cost"] == int(expected), ln


def test_dem_volumes_match_the_true_pits(estimate_files):
    _, paths = estimate_files
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    by_id = {p["id"]: p for p in data["parcels"]}
    for pid, true in pit_volumes().items():
        if true:
            assert by_id[pid]["volume_m3"] == pytest.approx(true, rel=0.02), pid
            assert by_id[pid]["volume_method"].startswith("DEM")


def test_accepted_parcels_cost_nothing_and_disturbed_ones_need_backfill(estimate_files):
    _, paths = estimate_files
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    for p in data["parcels"]:
        tasks = {ln["task"] for ln in p["lines"]}
        if p["status"] == "accepted":
            assert p["direct"] == 0 and not tasks
        if p["status"] == "disturbed" and p["volume_m3"]:
            assert "backfill" in tasks
        if p["status"] == "biological_done":
            assert tasks == {"monitoring"}


def test_area_of_a_parcel_is_geodesic(estimate_files, sample_ws):
    import geopandas as gpd

    _, paths = estimate_files
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    parcels = gpd.read_file(sample_ws, layer="rehab_parcels").set_index("parcel_id")
    geom = parcels.loc["RP-011"].geometry.geoms[0]
    lon, lat = geom.exterior.coords.xy
    ha = abs(GEOD.polygon_area_perimeter(lon, lat)[0]) / 1e4
    assert next(p for p in data["parcels"] if p["id"] == "RP-011")["area_ha"] == pytest.approx(
        ha, rel=1e-9)


def test_csv_and_spreadsheet_hold_the_same_lines(estimate_files):
    _, paths = estimate_files
    with open(paths["csv"], encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    wb = openpyxl.load_workbook(paths["xlsx"])
    sheet = wb["lines"]
    header = [c.value for c in sheet[1]]
    assert header[-1] == "cost (formula)" and len(rows) == sheet.max_row - 1
    for k, row in enumerate(rows, start=2):
        assert str(sheet.cell(k, header.index("cost") + 1).value) == row["cost"]
        if row["kind"] == "direct":
            assert sheet.cell(k, len(header)).value == f"=ROUND(G{k}*I{k},0)"
    assert {"lines", "summary"} <= set(wb.sheetnames)


def test_partnership_filter_and_bad_input(sample_ws, tmp_path):
    runner = CliRunner()
    r = runner.invoke(main, ["rehab", "estimate", "--workspace", str(sample_ws),
                             "--partnership", "шар тал нөхөрлөл"])
    assert r.exit_code == 0, r.output
    assert "RP-011" in r.output and "RP-001" not in r.output
    out = tmp_path / "x.json"
    for args in (["--partnership", "Nobody"], ["--rates", "no-such-rates"]):
        r = runner.invoke(main, ["rehab", "estimate", "--workspace", str(sample_ws),
                                 "--json", str(out), *args])
        assert r.exit_code == 2, r.output
        assert "Traceback" not in r.output and not out.exists()


def test_without_dem_option_the_workspace_dem_is_used(sample_ws):
    # the same DEM as the package uses (Workspace.dem()), so the two cost totals agree
    from landtool.workspace import Workspace

    assert Workspace(sample_ws).dem() == sample_ws.parent / "mandal_dem.tif"
    r = CliRunner().invoke(main, ["rehab", "estimate", "--workspace", str(sample_ws),
                                  "--partnership", "Шар Тал нөхөрлөл"])
    assert r.exit_code == 0, r.output
    line = next(ln for ln in r.output.splitlines() if ln.startswith("RP-011"))
    assert " dem " in line
