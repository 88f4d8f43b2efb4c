"""Rehabilitation cost estimates: expected figures are hand arithmetic, written out in comments."""

from __future__ import annotations

import json

import pytest

from landtool.errors import LandtoolError
from landtool.rehab.costs import (
    INDIRECT_PRESETS,
    REMAINING_TASKS,
    CostInputError,
    ParcelQuantities,
    estimate,
    indirect_lines,
)
from landtool.rehab.rates import RateFile, load_rates
from landtool.rehab.status import STATUSES

# Rates of the tests, independent of the shipped (illustrative) file so that re-benchmarking it
# does not change these expectations.
RATES = RateFile.model_validate({
    "id": "test-rates", "version": "1", "date": "2026-01-01", "currency": "MNT",
    "illustrative": True, "description": "Test rates.",
    "topsoil_thickness_m": 0.2, "monitoring_years": 3, "fencing": True,
    "deposit_percent": 50.0, "deposit_confirmed": True,
    "tasks": {
        "backfill": {"unit": "m3", "rate": 3500, "source": "t"},
        "grading": {"unit": "ha", "rate": 1_200_000, "source": "t"},
        "topsoil": {"unit": "m3", "rate": 4500, "source": "t"},
        "seeding": {"unit": "ha", "rate": 1_800_000, "source": "t"},
        "fencing": {"unit": "m", "rate": 12_000, "source": "t"},
        "mobilisation": {"unit": "site", "rate": 2_500_000, "source": "t"},
        "monitoring": {"unit": "year", "rate": 800_000, "source": "t"},
    },
})
NO_FENCE = RATES.model_copy(update={"fencing": False})


def _parcels() -> list[ParcelQuantities]:
    return [
        # A, disturbed: everything remains
        ParcelQuantities("A", "disturbed", 2.5, 640.0, 7200.0, "dem", None, "Altan Gol"),
        # B, technical work done: seeding, fencing, monitoring; same partnership (other spelling)
        ParcelQuantities("B", "technical_done", 1.2, 480.0, 3000.0, "dem", 2400.0, " altan  GOL"),
        # C, accepted: nothing
        ParcelQuantities("C", "accepted", 3.0, 700.0, 9000.0, "dem", None, "Bor Tal"),
        # D, biological work done: monitoring only, and no mobilisation for it
        ParcelQuantities("D", "biological_done", 0.8, 360.0, 0.0, "none", None, "Bor Tal"),
        # E, technical work under way: full quantities; no partnership, so a site of its own
        ParcelQuantities("E", "technical_in_progress", 0.5, 300.0, 1000.25, "depth", 1000.0),
    ]


# Direct costs, fencing on:
# A: backfill   7,200 m³ × 3,500                     = 25,200,000
#    grading    2.5 ha × 1,200,000                   =  3,000,000
#    topsoil    2.5 ha × 10,000 m²/ha × 0.2 m = 5,000 m³ × 4,500 = 22,500,000
#    seeding    2.5 ha × 1,800,000                   =  4,500,000
#    fencing    640 m × 12,000                       =  7,680,000
#    monitoring 3 years × 800,000                    =  2,400,000
#    direct                                          = 65,280,000
# B: seeding    1.2 × 1,800,000 = 2,160,000; fencing 480 × 12,000 = 5,760,000;
#    monitoring 2,400,000                            = 10,320,000
# C: nothing                                         =          0
# D: monitoring 3 × 800,000                          =  2,400,000
# E: backfill   1,000.25 m³ → 1,000.3 m³ (1 decimal, half up) × 3,500 = 3,501,050
#    grading 0.5 × 1,200,000 = 600,000; topsoil (given) 1,000 × 4,500 = 4,500,000
#    seeding 0.5 × 1,800,000 = 900,000; fencing 300 × 12,000 = 3,600,000; monitoring 2,400,000
#    direct                                          = 15,501,050
# Sites: "Altan Gol" (A, B) and "parcel E": 2 × 2,500,000 = 5,000,000 (Bor Tal has only
#    accepted and monitoring-only parcels: no mobilisation)
# Direct: 65,280,000 + 10,320,000 + 0 + 2,400,000 + 15,501,050 + 5,000,000 = 98,501,050
DIRECT = 98_501_050
EXPECTED_LINES = {
    "A": {"backfill": (7200, 25_200_000), "grading": (2.5, 3_000_000),
          "topsoil": (5000, 22_500_000), "seeding": (2.5, 4_500_000),
          "fencing": (640, 7_680_000), "monitoring": (3, 2_400_000)},
    "B": {"seeding": (1.2, 2_160_000), "fencing": (480, 5_760_000),
          "monitoring": (3, 2_400_000)},
    "C": {},
    "D": {"monitoring": (3, 2_400_000)},
    "E": {"backfill": (1000.3, 3_501_050), "grading": (0.5, 600_000),
          "topsoil": (1000, 4_500_000), "seeding": (0.5, 900_000),
          "fencing": (300, 3_600_000), "monitoring": (3, 2_400_000)},
}


def _lines(est) -> dict:
    return {p.q.parcel_id: {ln.task: (ln.quantity, ln.cost) for ln in p.lines}
            for p in est.parcels}


def _assert_adds_up(est):
    for p in est.parcels:
        assert p.direct == sum(ln.cost for ln in p.lines)
        assert all(isinstance(ln.cost, int) for ln in p.lines)
    assert est.direct == sum(ln.cost for ln in est.lines)
    assert est.direct == sum(p.direct for p in est.parcels) + sum(s.direct for s in est.sites)
    assert est.total == est.direct + sum(x.cost for x in est.indirect)
    data = est.to_json()
    assert data["direct"] == sum(p["direct"] for p in data["parcels"]) + \
        sum(s["direct"] for s in data["sites"])
    for p in data["parcels"] + data["sites"]:
        assert p["direct"] == sum(ln["cost"] for ln in p["lines"])
    assert data["total"] == data["direct"] + sum(x["cost"] for x in data["indirect"])
    rows = est.line_rows()
    assert sum(r["cost"] for r in rows if r["kind"] in ("direct", "indirect")) == \
        next(r["cost"] for r in rows if r["kind"] == "total") == est.total


# -- direct costs by status ----------------------------------------------------------------------

def test_direct_lines_by_status():
    est = estimate(_parcels(), RATES)
    assert _lines(est) == EXPECTED_LINES
    assert [(s.site, s.parcel_ids, s.direct) for s in est.sites] == \
        [("Altan Gol", ["A", "B"], 2_500_000), ("parcel E", ["E"], 2_500_000)]
    assert est.direct == DIRECT
    assert est.warnings == []
    _assert_adds_up(est)


def test_the_status_mix_changes_the_lines():
    base = _parcels()[0]  # A: 2.5 ha, 640 m, 7,200 m³
    got = {}
    for status in STATUSES:
        q = ParcelQuantities("A", status, base.area_ha, base.perimeter_m, base.volume_m3,
                             base.volume_method, None, "Altan Gol")
        est = estimate([q], NO_FENCE, indirect=[])
        got[status] = ([ln.task for ln in est.parcels[0].lines], len(est.sites))
    assert got == {
        "disturbed": (["backfill", "grading", "topsoil", "seeding", "monitoring"], 1),
        "technical_in_progress": (["backfill", "grading", "topsoil", "seeding", "monitoring"], 1),
        "technical_done": (["seeding", "monitoring"], 1),
        "biological_done": (["monitoring"], 0),
        "accepted": ([], 0),
    }
    assert set(REMAINING_TASKS) == set(STATUSES)


def test_fencing_off_drops_the_fencing_lines():
    est = estimate(_parcels(), NO_FENCE)
    assert all(ln.task != "fencing" for ln in est.lines)
    # 98,501,050 − fencing (7,680,000 + 5,760,000 + 3,600,000 = 17,040,000) = 81,461,050
    assert est.direct == 81_461_050
    _assert_adds_up(est)


def test_status_spelling_is_normalised():
    q = ParcelQuantities("X", "Technical done", 1.0, 400.0, None, "none", None)
    assert q.status == "technical_done"


def test_each_line_is_rounded_once_half_up():
    rates = RATES.model_copy(update={
        "tasks": {**RATES.tasks,
                  "backfill": RATES.tasks["backfill"].model_copy(update={"rate": 2500.5}),
                  "seeding": RATES.tasks["seeding"].model_copy(update={"rate": 1_234_567.0})}})
    qs = [ParcelQuantities("R", "disturbed", 0.33335, 0.0, 5.0, "dem", 0.0)]
    est = estimate(qs, rates, indirect=[], sites=0)
    lines = {ln.task: (ln.quantity, ln.cost) for ln in est.parcels[0].lines}
    # backfill: 5 m³ × 2,500.5 = 12,502.5 → 12,503 (half up; round-half-even would give 12,502)
    assert lines["backfill"] == (5, 12_503)
    # seeding: 0.33335 ha → 0.3334 ha (4 decimals, half up) × 1,234,567 = 411,604.6378 → 411,605
    assert lines["seeding"] == (0.3334, 411_605)
    # grading: 0.3334 × 1,200,000 = 400,080; topsoil given as 0 and no fence: no lines
    assert lines["grading"] == (0.3334, 400_080)
    assert "topsoil" not in lines and "fencing" not in lines
    _assert_adds_up(est)


def test_unknown_pit_volume_is_a_warning_not_a_silent_zero():
    nan = ParcelQuantities("N0", "disturbed", 1.0, 400.0, float("nan"), "depth", float("nan"))
    assert (nan.volume_m3, nan.topsoil_m3) == (None, None)  # NaN from a data frame: unknown
    qs = [ParcelQuantities("N1", "disturbed", 1.0, 400.0, None, "none", None),
          ParcelQuantities("N2", "disturbed", 1.0, 400.0, 0.0, "none", None),
          ParcelQuantities("N3", "technical_done", 1.0, 400.0, None, "none", None)]
    est = estimate(qs, RATES)
    assert all(ln.task != "backfill" for ln in est.lines)
    assert len(est.warnings) == 2
    assert "N1" in est.warnings[0] and "N2" in est.warnings[1]
    assert est.to_json()["warnings"] == est.warnings


# -- mobilisation --------------------------------------------------------------------------------

def test_sites_given_replace_the_grouping():
    est = estimate(_parcels(), RATES, sites=3)
    assert len(est.sites) == 1
    (line,) = est.sites[0].lines
    # 3 sites × 2,500,000 = 7,500,000
    assert (line.task, line.quantity, line.unit, line.cost) == ("mobilisation", 3, "site",
                                                                7_500_000)
    assert est.sites[0].parcel_ids == ["A", "B", "E"]
    # 98,501,050 − 5,000,000 + 7,500,000 = 101,001,050
    assert est.direct == 101_001_050
    assert estimate(_parcels(), RATES, sites=0).sites == []


def test_an_explicit_site_groups_parcels_across_partnerships():
    qs = [ParcelQuantities("S1", "disturbed", 1.0, 1.0, 1.0, "dem", 1.0, "P1", site="Hill 3"),
          ParcelQuantities("S2", "disturbed", 1.0, 1.0, 1.0, "dem", 1.0, "P2", site="hill 3")]
    assert [(s.site, s.parcel_ids) for s in estimate(qs, RATES).sites] == [("Hill 3",
                                                                            ["S1", "S2"])]


# -- indirect costs ------------------------------------------------------------------------------

def test_queensland_indirects():
    est = estimate(_parcels(), RATES)  # queensland is the default
    # project management 10 % × 98,501,050 = 9,850,105
    # maintenance and monitoring 5 % × 98,501,050 = 4,925,052.5 → 4,925,053 (half up)
    # contingency 10 % × 98,501,050 = 9,850,105
    assert [(x.name, x.percent, x.cost) for x in est.indirect] == [
        ("project management", 10.0, 9_850_105),
        ("maintenance and monitoring", 5.0, 4_925_053),
        ("contingency", 10.0, 9_850_105),
    ]
    # 98,501,050 + 9,850,105 + 4,925,053 + 9,850,105 = 123,126,313
    assert est.total == 123_126_313
    _assert_adds_up(est)


@pytest.mark.parametrize("direct, engineering, contingency", [
    # band 1 (below 3.5 billion MNT): 8 % and 10 %
    # 98,501,050 × 8 % = 7,880,084; × 10 % = 9,850,105
    (98_501_050, (8.0, 7_880_084), (10.0, 9_850_105)),
    (3_499_999_999, (8.0, 280_000_000), (10.0, 350_000_000)),  # 279,999,999.92 → 280,000,000
    # band 2 (3.5 to below 17.5 billion): 6 % and 8 %; the boundary belongs to the upper band
    (3_500_000_000, (6.0, 210_000_000), (8.0, 280_000_000)),
    (5_000_000_000, (6.0, 300_000_000), (8.0, 400_000_000)),
    # 17.5 to below 87.5 billion: engineering 4 %, contingency 6 %
    (20_000_000_000, (4.0, 800_000_000), (6.0, 1_200_000_000)),
    # 87.5 billion and more: 4 % and 4 %
    (100_000_000_000, (4.0, 4_000_000_000), (4.0, 4_000_000_000)),
])
def test_nevada_bands(direct, engineering, contingency):
    eng, cont = indirect_lines(direct, "nevada")
    assert (eng.name, eng.percent, eng.cost) == ("engineering, design and construction plan",
                                                 *engineering)
    assert (cont.name, cont.percent, cont.cost) == ("contingency", *contingency)
    assert "nevada" in eng.note


def test_nevada_in_an_estimate_at_two_totals():
    small = estimate(_parcels(), RATES, indirect="nevada")
    assert [x.percent for x in small.indirect] == [8.0, 10.0]
    # 98,501,050 + 7,880,084 + 9,850,105 = 116,231,239
    assert small.total == 116_231_239
    # one pit of 1,000,000 m³ × 3,500 = 3,500,000,000, nothing else (no area, no monitoring,
    # no site): the second band, 6 % = 210,000,000 and 8 % = 280,000,000
    rates = RATES.model_copy(update={"monitoring_years": 0})
    big = estimate([ParcelQuantities("PIT", "disturbed", 0.0, 0.0, 1_000_000.0, "dem", 0.0)],
                   rates, indirect="nevada", sites=0)
    assert big.direct == 3_500_000_000
    assert [(x.percent, x.cost) for x in big.indirect] == [(6.0, 210_000_000),
                                                           (8.0, 280_000_000)]
    assert big.total == 3_990_000_000
    _assert_adds_up(big)


def test_custom_indirects():
    est = estimate(_parcels(), RATES, indirect=[("supervision", 7.5), ("government", 2)])
    # 7.5 % × 98,501,050 = 7,387,578.75 → 7,387,579; 2 % × 98,501,050 = 1,970,021
    assert [(x.name, x.percent, x.cost) for x in est.indirect] == [
        ("supervision", 7.5, 7_387_579), ("government", 2.0, 1_970_021)]
    # 98,501,050 + 7,387,579 + 1,970,021 = 107,858,650
    assert est.total == 107_858_650
    assert est.indirect_preset == "custom"
    assert estimate(_parcels(), RATES, indirect=[]).total == DIRECT


@pytest.mark.parametrize("bad", ["victoria", [("x", -1)], [("x", 101)], [("", 5)],
                                 [("x", 1), ("x", 2)], [("x",)]])
def test_bad_indirects_are_refused(bad):
    with pytest.raises(CostInputError) as info:
        estimate(_parcels(), RATES, indirect=bad)
    if bad == "victoria":
        for name in INDIRECT_PRESETS:
            assert name in str(info.value)


def test_nevada_needs_mnt():
    usd = RATES.model_copy(update={"currency": "USD"})
    with pytest.raises(CostInputError, match="MNT"):
        estimate(_parcels(), usd, indirect="nevada")


# -- the deposit ---------------------------------------------------------------------------------

def test_deposit_from_the_rate_file_and_given():
    est = estimate(_parcels(), RATES)
    # 50 % × 123,126,313 = 61,563,156.5 → 61,563,157
    assert (est.deposit_percent, est.deposit, est.deposit_confirmed) == (50.0, 61_563_157, True)
    given = estimate(_parcels(), RATES, deposit_percent=10)
    # 10 % × 123,126,313 = 12,312,631.3 → 12,312,631; a given percentage is not confirmed
    assert (given.deposit_percent, given.deposit, given.deposit_confirmed) == \
        (10.0, 12_312_631, False)
    assert given.total == est.total  # the deposit is a guarantee, not part of the total


# -- the JSON ------------------------------------------------------------------------------------

def test_json_keys_and_values():
    data = estimate(_parcels(), RATES).to_json()
    json.dumps(data)  # serialisable as it is
    assert {"rates", "parcels", "direct", "indirect", "total", "deposit", "currency"} <= set(data)
    assert data["rates"]["id"] == "test-rates" and data["rates"]["version"] == "1"
    assert data["rates"]["date"] == "2026-01-01"
    assert data["currency"] == "MNT"
    assert (data["direct"], data["total"], data["deposit"]) == (DIRECT, 123_126_313, 61_563_157)
    parcel = data["parcels"][0]
    assert {"id", "status", "area_ha", "perimeter_m", "volume_m3", "volume_method", "lines",
            "direct"} <= set(parcel)
    assert (parcel["id"], parcel["status"], parcel["volume_method"]) == ("A", "disturbed", "dem")
    assert parcel["topsoil_m3"] == 5000.0 and parcel["direct"] == 65_280_000
    assert parcel["lines"][0] == {"task": "backfill", "quantity": 7200, "unit": "m3",
                                  "rate": 3500, "cost": 25_200_000, "source": "t"}
    assert {"name", "percent", "cost"} <= set(data["indirect"][0])
    _assert_adds_up(estimate(_parcels(), RATES))


def test_line_rows_for_a_spreadsheet():
    rows = estimate(_parcels(), RATES).line_rows()
    assert len({tuple(r) for r in rows}) == 1  # every row has the same columns
    kinds = [r["kind"] for r in rows]
    # 16 parcel lines (A 6, B 3, C 0, D 1, E 6) + 2 mobilisation, 3 indirect, total, deposit
    assert kinds == ["direct"] * 18 + ["indirect"] * 3 + ["total", "deposit"]
    first = rows[0]
    assert (first["parcel_id"], first["partnership"], first["task"], first["cost"]) == \
        ("A", "Altan Gol", "backfill", 25_200_000)
    mob = rows[16]
    assert (mob["parcel_id"], mob["site"], mob["task"]) == (None, "Altan Gol", "mobilisation")


def test_the_shipped_illustrative_rates_price_and_say_so():
    est = estimate(_parcels(), load_rates("mn-illustrative-2026"))
    data = est.to_json()
    assert data["rates"]["illustrative"] is True and data["deposit_confirmed"] is False
    _assert_adds_up(est)


# -- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, named", [
    ({"status": "mined"}, "disturbed"),
    ({"area_ha": -1.0}, "area_ha"),
    ({"perimeter_m": float("nan")}, "perimeter_m"),
    ({"volume_m3": -5.0}, "volume_m3"),
    ({"area_ha": "two"}, "area_ha"),
])
def test_bad_quantities_are_refused(kwargs, named):
    args = {"parcel_id": "Q", "status": "disturbed", "area_ha": 1.0, "perimeter_m": 1.0,
            "volume_m3": 1.0, "volume_method": "dem", "topsoil_m3": None, **kwargs}
    with pytest.raises(CostInputError) as info:
        ParcelQuantities(**args)
    assert named in str(info.value) and info.value.feature == "Q"
    assert isinstance(info.value, LandtoolError)


@pytest.mark.parametrize("kwargs", [{"deposit_percent": 150}, {"deposit_percent": -1},
                                    {"sites": -1}, {"sites": 1.5}])
def test_bad_options_are_refused(kwargs):
    with pytest.raises(CostInputError):
        estimate(_parcels(), RATES, **kwargs)


def test_duplicate_parcel_ids_are_refused():
    a = _parcels()[0]
    with pytest.raises(CostInputError) as info:
        estimate([a, a], RATES)
    assert info.value.feature == "A"
