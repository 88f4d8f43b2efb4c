"""Rehabilitation status: allowed and refused changes, and the per-partnership summary."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Geod

from landtool.cli import main
from landtool.errors import RehabStatusError
from landtool.rehab.status import change_status, check_history, summarize

GEOD = Geod(ellps="WGS84")
TODAY = date(2026, 11, 23)


def geod_ha(poly) -> float:
    lon, lat = poly.exterior.coords.xy
    return abs(GEOD.polygon_area_perimeter(lon, lat)[0]) / 1e4


def parcel(status="disturbed", **dates):
    return {"parcel_id": "P1", "partnership": "Алтан Шороо", "status": status, **dates}


def test_forward_steps_record_their_dates():
    p = parcel(disturbed_date="2024-05-01")
    p = change_status(p, "technical_in_progress", date(2025, 6, 1), today=TODAY)
    p = change_status(p, "technical_done", date(2025, 9, 1), today=TODAY)
    p = change_status(p, "biological_done", date(2026, 7, 1), today=TODAY)
    p = change_status(p, "accepted", date(2026, 9, 15), today=TODAY)
    assert p["status"] == "accepted"
    assert (p["technical_start_date"], p["technical_done_date"], p["accepted_date"]) == (
        "2025-06-01", "2025-09-01", "2026-09-15")


@pytest.mark.parametrize("start,new", [
    ("disturbed", "accepted"),           # acceptance before any technical work
    ("disturbed", "biological_done"),    # biological before technical
    ("technical_done", "accepted"),      # acceptance skips biological work
    ("biological_done", "disturbed"),    # backwards
    ("accepted", "technical_done"),
])
def test_impossible_transitions_are_refused(start, new):
    dates = {"disturbed_date": "2024-01-01", "technical_start_date": "2024-06-01",
             "technical_done_date": "2024-09-01", "biological_done_date": "2025-07-01",
             "accepted_date": "2025-09-01"}
    order = ["disturbed", "technical_in_progress", "technical_done", "biological_done",
             "accepted"]
    keep = order[: order.index(start) + 1]
    fields = ["disturbed_date", "technical_start_date", "technical_done_date",
              "biological_done_date", "accepted_date"]
    p = parcel(start, **{f: dates[f] for f, s in zip(fields, order, strict=True) if s in keep})
    with pytest.raises(RehabStatusError, match=f"cannot go from {start} to {new}") as err:
        change_status(p, new, date(2026, 1, 1), today=TODAY)
    assert "P1" in str(err.value) and "What to do" in str(err.value)


def test_dates_going_backwards_are_refused():
    p = parcel("technical_in_progress", disturbed_date="2025-05-01",
               technical_start_date="2025-06-01")
    with pytest.raises(RehabStatusError, match="before technical_start_date"):
        change_status(p, "technical_done", date(2025, 5, 20), today=TODAY)


def test_a_date_in_the_future_is_refused():
    with pytest.raises(RehabStatusError, match="in the future"):
        change_status(parcel(disturbed_date="2025-01-01"), "technical_in_progress",
                      date(2027, 1, 1), today=TODAY)


def test_accepted_before_technical_work_in_a_file_is_refused():
    with pytest.raises(RehabStatusError, match="accepted_date .* but its status is only"):
        check_history(parcel("disturbed", accepted_date="2025-01-01"), today=TODAY)
    with pytest.raises(RehabStatusError, match="no technical_done_date"):
        check_history(parcel("accepted", accepted_date="2025-01-01"), today=TODAY)


def _parcels():
    a = shapely.box(106.60, 48.80, 106.602, 48.801)      # ~1.5 ha
    b = shapely.box(106.61, 48.80, 106.613, 48.801)      # ~2.2 ha
    c = shapely.box(106.62, 48.80, 106.621, 48.8015)     # ~1.1 ha
    d = shapely.box(106.63, 48.80, 106.6315, 48.801)     # ~1.1 ha
    gdf = gpd.GeoDataFrame(
        {"parcel_id": ["A", "B", "C", "D"],
         "partnership": ["Алтан Шороо", "алтан  шороо ", "Шар Тал", "Шар Тал"],
         "status": ["disturbed", "technical_in_progress", "accepted", "biological_done"],
         "soum_pcode": ["4322", "4322", "4322", "4301"]},
        geometry=[a, b, c, d], crs=4326)
    return gdf, [geod_ha(g) for g in (a, b, c, d)]


def test_summary_by_partnership_against_geod():
    gdf, ha = _parcels()
    table = summarize(gdf).set_index("partnership")
    # A and B belong to the same partnership (case and spaces differ): one row, grouped
    # exactly as the eligibility rule groups them.
    assert len(table) == 2
    shar = table.loc["Шар Тал"]
    assert shar["accepted"] == pytest.approx(ha[2], rel=1e-9)
    assert shar["biological_done"] == pytest.approx(ha[3], rel=1e-9)
    assert shar["outstanding_ha"] == 0.0
    assert shar["biological_share"] == pytest.approx(1.0)
    altan = table.loc["Алтан Шороо"]
    assert altan["disturbed"] == pytest.approx(ha[0], rel=1e-9)
    assert altan["technical_in_progress"] == pytest.approx(ha[1], rel=1e-9)
    assert altan["outstanding_ha"] == pytest.approx(ha[0] + ha[1], rel=1e-9)


def test_summary_by_soum():
    gdf, ha = _parcels()
    table = summarize(gdf, "soum").set_index("soum")
    assert table.loc["4322", "total_ha"] == pytest.approx(ha[0] + ha[1] + ha[2], rel=1e-9)
    assert table.loc["4301", "total_ha"] == pytest.approx(ha[3], rel=1e-9)
    # technical share for 4322: only C (accepted) is past technical work
    assert table.loc["4322", "technical_share"] == pytest.approx(
        ha[2] / (ha[0] + ha[1] + ha[2]), rel=1e-9)


def test_cli_status_on_the_sample(sample_ws, tmp_path):
    chart = tmp_path / "chart.png"
    r = CliRunner().invoke(main, ["rehab", "status", "--workspace", str(sample_ws),
                                  "--chart", str(chart)])
    assert r.exit_code == 0, r.output
    assert "Шар Тал нөхөрлөл" in r.output and "geodesic" in r.output
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_advance_records_the_change_and_refuses_impossible_ones(sample_ws, tmp_path):
    import hashlib
    import shutil

    import geopandas as gpd

    ws = tmp_path / "ws.gpkg"
    shutil.copyfile(sample_ws, ws)
    runner = CliRunner()
    r = runner.invoke(main, ["rehab", "advance", str(ws), "RP-011", "technical_in_progress",
                             "--date", "2026-06-01"])
    assert r.exit_code == 0, r.output
    row = gpd.read_file(ws, layer="rehab_parcels").set_index("parcel_id").loc["RP-011"]
    assert (row["status"], row["technical_start_date"]) == ("technical_in_progress", "2026-06-01")
    before = hashlib.sha256(ws.read_bytes()).hexdigest()
    for args in (["RP-011", "accepted", "--date", "2026-07-01"],        # skips two steps
                 ["RP-011", "technical_done", "--date", "2026-05-01"],  # before the start
                 ["RP-999", "technical_done", "--date", "2026-07-01"]):  # no such parcel
        r = runner.invoke(main, ["rehab", "advance", str(ws), *args])
        assert r.exit_code == 2 and "Traceback" not in r.output, r.output
    assert hashlib.sha256(ws.read_bytes()).hexdigest() == before
