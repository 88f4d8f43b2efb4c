"""Deterministic synthetic sample layers around Mandal soum, Selenge aimag (P-code 4322).

Land conclusions, ASM contracts, requests, rehabilitation parcels, a protected area, small
streams, a pond, springs and a forest patch do not exist as open data. This module makes them
from fixed tables of coordinates (no random numbers), so every run gives the same features.
They sit on real ground in Mandal, among the real gold licences of ``licenses_eiti.gpkg``.

Every coordinate below is an offset in metres, in UTM zone 48N (EPSG:32648), from
:data:`ORIGIN` (about 106.548 E, 48.653 N, next to the Gatsuurt gold licences). Rectangles are
``(cx, cy, width, height, angle)``: centre offset, east-west and north-south size in metres and a
counter-clockwise rotation in degrees. Output coordinates are WGS 84 lon/lat rounded to 1e-7
degree (about 1 cm).

Every feature carries ``synthetic = True`` and a ``note`` saying what it is for. The notes of
the requests say which eligibility rule each one is meant to hit; :data:`EXPECTED_FAILURES` is
the same in machine-readable form. States (valid, expired, active) are meant to be read on
:data:`REFERENCE_DATE`. ``sample_data/PROVENANCE.md`` documents the result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from pyproj import Transformer
from rasterio.transform import Affine
from shapely.geometry import LineString, Point, Polygon

from landtool.catalog import get_kind

SOUM_PCODE = "4322"
REFERENCE_DATE = "2026-11-23"
UTM_CRS = "EPSG:32648"
ORIGIN = (614_000.0, 5_390_000.0)
DEM_PIXEL = 5.0
DEM_BOUNDS = (10_100.0, -1_600.0, 12_500.0, -100.0)  # xmin, ymin, xmax, ymax offsets (m)

PARTNERSHIPS: dict[str, int] = {
    "Алтан Шороо нөхөрлөл": 12,
    "Хужирт Эрдэнэ нөхөрлөл": 8,
    "Шар Тал нөхөрлөл": 15,
    "Мөнгөн Ус нөхөрлөл": 3,
    "Гацуурт Хишиг нөхөрлөл": 9,
    "Ногоон Хөндий нөхөрлөл": 6,
    "Эрдэнэ Булаг нөхөрлөл": 7,
    "Дархан Ус нөхөрлөл": 10,
}
"""The synthetic partnerships and their member counts (also each request's ``members``)."""

P1, P2, P3, P4, P5, P6, P7, P8 = PARTNERSHIPS

# fmt: off
# --- hydrography, protected area, forest ----------------------------------------------------

WATER_LINES = [  # name, water_kind, vertices, note
    ("Шаамар гол (synthetic)", "river",
     [(-6300, -550), (-5700, -950), (-5000, -1400), (-4500, -1800), (-3900, -2150),
      (-3250, -2550), (-2850, -3000), (-2550, -3700), (-2250, -4400), (-2050, -5100)],
     "synthetic river along the real valley left out of licences MV-00015618/15619"),
    ("Хужирт горхи (synthetic)", "stream",
     [(-2300, 7300), (-2150, 6500), (-1950, 5600), (-1800, 4700), (-1680, 3900),
      (-1560, 3200), (-1420, 2500), (-1300, 1800), (-1230, 1000), (-1300, 200),
      (-1420, -600), (-1550, -1300), (-1650, -1900), (-1650, -2250), (-2000, -2300),
      (-2500, -2380), (-3250, -2550)],
     "synthetic stream through ДҮ-2023/014; REQ-2026-004 lies within 50 m of it"),
    ("Бургалтай горхи (synthetic)", "stream",
     [(-150, -2750), (-400, -2500), (-800, -2300), (-1200, -2250), (-1650, -2250)],
     "synthetic tributary in the real gap of licences MV-00015617/15618"),
    ("Улаан горхи (synthetic)", "stream",
     [(4200, 6500), (4350, 5800), (4500, 5200), (4800, 4600), (5100, 4080), (5200, 3880),
      (5320, 3820), (5600, 3400), (5950, 2900), (6500, 2350), (7200, 1850), (8000, 1450),
      (8800, 1250), (9400, 1150)],
     "synthetic stream through the pond Хар нуур (synthetic) and ДҮ-2023/027"),
]
POND = ("Хар нуур (synthetic)", "pond", (5200, 3880), (130, 90),
        "synthetic pond; REQ-2026-014 lies 50-200 m from it")
SPRINGS = [  # name, offset, note
    ("Хужирт булаг (synthetic)", (-2300, 7300), "synthetic spring, source of Хужирт горхи"),
    ("Улаан булаг (synthetic)", (4200, 6500), "synthetic spring, source of Улаан горхи"),
]
PROTECTED_AREA = (
    "Synthetic nature reserve — Мандал", "local protected area (synthetic)",
    [(8500, 3000), (11000, 2800), (11600, 4200), (11200, 6000), (9000, 6200), (8450, 4800)],
    "synthetic local protected area, designated 2025, after ДҮ-2024/022 (which it overlaps)",
)
FOREST = (
    "Хужирт ой (synthetic)", "larch forest (synthetic)",
    [(-3600, 5200), (-2700, 5000), (-2450, 6200), (-3000, 7200), (-3800, 6800)],
    "synthetic forest patch at the head of Хужирт горхи",
)

# --- land conclusions -------------------------------------------------------------------------

LAND_CONCLUSIONS = [  # conclusion_no, issue_date, valid_until, status, vertices, note
    ("ДҮ-2023/014", "2023-04-12", "2028-04-11", "valid",
     [(-2450, 2350), (-1330, 2350), (-1290, 2900), (-1350, 3500), (-2450, 3500)],
     "valid; Хужирт горхи (synthetic) runs through its east side"),
    ("ДҮ-2023/027", "2023-07-03", "2028-07-02", "valid",
     [(4700, 4050), (5750, 4020), (5800, 4600), (5650, 5000), (4700, 5000)],
     "valid; north of the pond Хар нуур (synthetic), crossed by Улаан горхи (synthetic)"),
    ("ДҮ-2024/003", "2024-02-19", "2029-02-18", "valid",
     [(650, -2100), (1550, -2100), (1560, -1300), (1500, -950), (650, -950)],
     "valid; its north edge overlaps the valid mining licence MV-00005082 (as happens)"),
    ("ДҮ-2021/041", "2021-07-01", "2026-06-30", "valid",
     [(10200, -1500), (11200, -1500), (11200, -600), (10900, -500), (10200, -500)],
     "expired 2026-06-30 (status still 'valid' in the register): valid on 2026-06-01, "
     "not on 2026-11-23"),
    ("ДҮ-2024/018", "2024-05-20", "2029-05-19", "revoked",
     [(11600, -1200), (12400, -1150), (12400, -200), (11600, -300)],
     "revoked 2025-09-15 (synthetic aimag CRK decision); БУГ-2024/03 was terminated with it"),
    ("ДҮ-2024/022", "2024-06-10", "2029-06-09", "valid",
     [(7600, 3400), (8800, 3350), (8800, 4400), (7700, 4400)],
     "valid; its east part lies in the synthetic protected area designated later (2025)"),
    ("ДҮ-2025/009", "2025-03-17", "2030-03-16", "valid",
     [(2800, 2200), (4000, 2200), (4000, 3200), (2900, 3250)],
     "valid; north of the Gatsuurt licences"),
    ("ДҮ-2026/004", "2026-02-10", "2031-02-09", "valid",
     [(-700, 1500), (300, 1500), (300, 2500), (-700, 2400)],
     "valid; on the old placer of MV-00000114, issued after that licence expired 2025-12-25"),
]

# --- ASM contracts ----------------------------------------------------------------------------

CONTRACTS = [  # contract_id, partnership, start, end, status, rect, note
    ("БУГ-2021/01", P3, "2021-09-01", "2025-10-31", "terminated", (10450, -1305, 380, 250, 0),
     "in ДҮ-2021/041; expired 2025-10-31, pits left open (see the DEM)"),
    ("БУГ-2022/01", P5, "2022-05-01", "2026-03-31", "terminated", (10925, -1305, 350, 250, 0),
     "in ДҮ-2021/041; expired 2026-03-31"),
    ("БУГ-2023/01", P1, "2023-06-01", "2027-05-31", "active", (-2150, 3250, 300, 250, 6),
     "in ДҮ-2023/014; active"),
    ("БУГ-2023/02", P1, "2023-08-01", "2026-07-31", "terminated", (5050, 4850, 300, 200, 0),
     "in ДҮ-2023/027; expired 2026-07-31"),
    ("БУГ-2024/01", P2, "2024-04-01", "2027-03-31", "active", (1300, -1950, 300, 200, 0),
     "in ДҮ-2024/003; active"),
    ("БУГ-2024/02", P6, "2024-05-01", "2027-04-30", "active", (-1925, 2530, 250, 200, -5),
     "in ДҮ-2023/014; active"),
    ("БУГ-2024/03", P5, "2024-07-01", "2027-06-30", "terminated", (11950, -775, 300, 250, 0),
     "in ДҮ-2024/018; terminated early (2025-09-15) when the land conclusion was revoked"),
    ("БУГ-2024/04", P8, "2024-08-01", "2027-07-31", "active", (7900, 3750, 250, 250, -8),
     "in ДҮ-2024/022; active"),
    ("БУГ-2025/01", P2, "2025-05-01", "2028-04-30", "active", (3650, 2425, 300, 250, 0),
     "in ДҮ-2025/009; active; REQ-2026-010 overlaps it"),
    ("БУГ-2025/02", P3, "2025-05-15", "2027-05-14", "active", (3700, 3000, 300, 250, 4),
     "in ДҮ-2025/009; active"),
    ("БУГ-2025/03", P7, "2025-08-01", "2028-06-30", "active", (5450, 4650, 250, 200, 10),
     "in ДҮ-2023/027; active"),
    ("БУГ-2026/01", P6, "2026-04-01", "2029-03-31", "active", (100, 1750, 300, 250, -3),
     "in ДҮ-2026/004; active"),
]

# --- rehabilitation parcels -------------------------------------------------------------------

STEPS = ("disturbed", "technical_in_progress", "technical_done", "biological_done", "accepted")
STEP_DATES = ("disturbed_date", "technical_start_date", "technical_done_date",
              "biological_done_date", "accepted_date")

PARCELS = [  # contract_id, (u, v, width, height) in the contract's frame, dates, pit_depth_m
    # The number of dates gives the status: 1 disturbed ... 5 accepted. pit_depth_m None: the
    # sample DEM covers the parcel (see PITS).
    ("БУГ-2023/01", (-75, 55, 120, 80), ("2023-07-10", "2024-05-15", "2024-09-30"), 0.0),
    ("БУГ-2023/01", (70, 55, 110, 90),
     ("2023-08-01", "2024-06-03", "2024-09-20", "2025-08-28"), 0.0),
    ("БУГ-2023/01", (0, -60, 240, 90),
     ("2023-06-20", "2023-09-05", "2023-10-15", "2024-08-30", "2025-06-18"), 0.0),
    ("БУГ-2024/02", (-55, 0, 120, 160),
     ("2024-05-20", "2024-09-02", "2024-10-10", "2025-08-15", "2026-06-12"), 0.0),
    ("БУГ-2024/02", (70, 20, 90, 120), ("2025-06-01", "2026-05-10", "2026-09-25"), 0.0),
    ("БУГ-2025/03", (-60, 30, 110, 100),
     ("2025-08-20", "2026-04-25", "2026-06-15", "2026-09-10"), 0.0),
    ("БУГ-2025/03", (65, -30, 100, 80), ("2025-09-10", "2026-05-05", "2026-08-20"), 0.0),
    ("БУГ-2024/01", (-90, 20, 100, 140),
     ("2024-04-15", "2024-08-20", "2024-10-01", "2025-07-30", "2026-06-05"), 0.0),
    ("БУГ-2024/01", (20, 30, 100, 110),
     ("2024-06-01", "2025-05-12", "2025-07-20", "2026-08-15"), 0.0),
    ("БУГ-2024/01", (110, -40, 60, 90), ("2025-05-20", "2026-04-28", "2026-07-31"), 0.0),
    ("БУГ-2021/01", (-120, 55, 120, 100), ("2022-06-15",), None),
    ("БУГ-2021/01", (10, 55, 100, 100), ("2023-07-01",), None),
    ("БУГ-2021/01", (130, 45, 90, 90), ("2024-06-20",), None),
    ("БУГ-2021/01", (-50, -75, 150, 60), ("2021-10-01", "2023-09-15"), None),
    ("БУГ-2022/01", (-105, 45, 100, 100), ("2023-06-10",), None),
    ("БУГ-2022/01", (35, 45, 100, 80), ("2022-07-01", "2024-08-20"), None),
    ("БУГ-2022/01", (-25, -80, 150, 40), ("2022-06-01", "2023-05-15", "2023-10-01"), None),
    ("БУГ-2024/03", (-70, -5, 90, 80), ("2024-08-05",), None),
    ("БУГ-2024/03", (70, -5, 100, 50),
     ("2024-07-10", "2024-09-01", "2024-10-05", "2025-07-25", "2026-07-02"), None),
    ("БУГ-2024/04", (-60, 60, 100, 100), ("2025-05-10", "2026-04-20", "2026-08-05"), 0.0),
    ("БУГ-2024/04", (30, -55, 180, 120),
     ("2024-08-20", "2024-09-15", "2024-10-20", "2025-08-10", "2026-06-25"), 0.0),
    ("БУГ-2025/01", (-90, 0, 110, 200),
     ("2025-05-20", "2025-08-15", "2025-10-05", "2026-08-20"), 0.0),
    ("БУГ-2025/01", (30, -60, 100, 100),
     ("2025-05-12", "2025-06-20", "2025-08-10", "2026-07-15", "2026-09-30"), 0.0),
    ("БУГ-2025/02", (-75, 35, 140, 100), ("2025-06-01",), 3.0),
    ("БУГ-2025/02", (80, 50, 120, 90), ("2025-06-10", "2026-05-15", "2026-08-30"), 0.0),
    ("БУГ-2025/02", (20, -70, 200, 80),
     ("2025-05-25", "2025-08-01", "2025-09-30", "2026-08-25"), 0.0),
    ("БУГ-2026/01", (-70, 20, 120, 150), ("2026-04-15", "2026-07-01", "2026-09-20"), 0.0),
    ("БУГ-2026/01", (85, -10, 100, 120), ("2026-05-01", "2026-08-10", "2026-10-15"), 0.0),
    ("БУГ-2023/02", (-55, 0, 160, 125),
     ("2023-08-15", "2024-05-20", "2024-08-30", "2025-08-05", "2026-07-20"), 0.0),
    ("БУГ-2023/02", (90, 10, 100, 120),
     ("2024-06-01", "2025-05-15", "2025-08-10", "2026-08-30"), 0.0),
]

# fmt: on


@dataclass(frozen=True)
class Pit:
    """A pit of known shape dug into the sample DEM, centred on its parcel.

    ``shape`` is ``"box"`` (``size`` = east-west and north-south sides, vertical walls),
    ``"cone"`` (``size`` = radius at the rim) or ``"frustum"`` (an upside-down truncated square
    pyramid, ``size`` = side at the rim and side at the floor). ``depth`` is in metres.
    """

    parcel_id: str
    shape: str
    size: tuple[float, ...]
    depth: float

    @property
    def volume(self) -> float:
        """The exact (analytic) volume of the pit in cubic metres."""
        if self.shape == "box":
            return self.size[0] * self.size[1] * self.depth
        if self.shape == "cone":
            return math.pi * self.size[0] ** 2 * self.depth / 3.0
        top, floor = self.size[0] ** 2, self.size[1] ** 2
        return self.depth / 3.0 * (top + floor + math.sqrt(top * floor))

    @property
    def half_sides(self) -> tuple[float, float]:
        """Half the east-west and north-south extent of the pit's rim (m)."""
        if self.shape == "box":
            return self.size[0] / 2, self.size[1] / 2
        half = self.size[0] if self.shape == "cone" else self.size[0] / 2
        return half, half

    def depth_at(self, dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
        """Depth below the original surface at offsets ``dx, dy`` (m) from the pit centre."""
        if self.shape == "box":
            inside = (np.abs(dx) < self.size[0] / 2) & (np.abs(dy) < self.size[1] / 2)
            return np.where(inside, self.depth, 0.0)
        if self.shape == "cone":
            return self.depth * np.clip(1.0 - np.hypot(dx, dy) / self.size[0], 0.0, None)
        rim, floor = self.size[0] / 2, self.size[1] / 2
        m = np.maximum(np.abs(dx), np.abs(dy))
        return self.depth * np.clip((rim - m) / (rim - floor), 0.0, 1.0)


PITS = [
    Pit("RP-011", "box", (60, 40), 3.0),
    Pit("RP-012", "cone", (30,), 4.0),
    Pit("RP-013", "frustum", (60, 30), 2.5),
    Pit("RP-014", "box", (40, 30), 1.5),
    Pit("RP-015", "cone", (32,), 3.5),
    Pit("RP-016", "box", (50, 30), 2.0),
    Pit("RP-018", "frustum", (60, 20), 3.0),
]
"""The pits dug into the sample DEM. RP-017 and RP-019 are also on the DEM, backfilled (0 m³)."""

# fmt: off
# --- requests ---------------------------------------------------------------------------------

REQUESTS = [  # applicant, submitted_at (Ulaanbaatar time), rect, expected failures, note
    (P1, "2026-01-14T09:20:00", (-2250, 2600, 220, 180, 12), (),
     "expected: pass (inside ДҮ-2023/014, no conflicts)"),
    (P2, "2026-02-03T10:05:00", (850, -1700, 210, 190, 8), (),
     "expected: pass (inside ДҮ-2024/003; it wins the overlap with REQ-2026-003, submitted "
     "earlier the same day)"),
    (P7, "2026-02-03T14:40:00", (960, -1810, 190, 210, -6), ("first_come",),
     "expected: fail first come, first served (overlaps the earlier pending REQ-2026-002, "
     "submitted 10:05 the same day)"),
    (P6, "2026-02-17T14:30:00", (-1680, 3000, 180, 220, -10), ("water_50m", "water_200m"),
     "expected: fail water special zone 50 m (about 33 m from Хужирт горхи (synthetic); "
     "therefore also inside the 200 m zone)"),
    (P8, "2026-03-02T11:10:00", (1000, -1130, 220, 180, 4), ("licence_overlap",),
     "expected: fail no_overlap licences (MV-00005082, mining, gold, valid until 2032-11-04)"),
    (P1, "2026-03-19T09:45:00", (3050, 2400, 300, 220, 7), ("max_area",),
     "expected: fail maximum area 5 ha (about 6.6 ha)"),
    (P7, "2026-04-07T15:00:00", (3000, 3050, 200, 150, 5), (),
     "expected: pass (inside ДҮ-2025/009, no conflicts)"),
    (P2, "2026-04-22T10:30:00", (4250, 2700, 200, 180, -15), ("land_conclusion",),
     "expected: fail inside a valid land conclusion (outside every land conclusion, just east "
     "of ДҮ-2025/009)"),
    (P4, "2026-05-11T09:00:00", (1350, -1500, 180, 200, 10), ("min_members",),
     "expected: fail minimum members 5 (Мөнгөн Ус нөхөрлөл has 3 members)"),
    (P8, "2026-06-08T11:25:00", (3800, 2550, 200, 200, -5), ("contract_overlap",),
     "expected: fail ASM contract overlap (БУГ-2025/01, active until 2028-04-30)"),
    (P1, "2026-06-24T10:00:00", (8650, 3900, 200, 200, 10), ("protected_area",),
     "expected: fail protected area (Synthetic nature reserve — Мандал; inside ДҮ-2024/022)"),
    (P6, "2026-07-20T09:35:00", (10600, -750, 200, 200, 20), ("land_conclusion",),
     "expected: fail inside a valid land conclusion (only inside ДҮ-2021/041, expired "
     "2026-06-30)"),
    (P3, "2026-08-12T13:15:00", (3400, 2850, 240, 170, -8), ("rehab_backlog",),
     "expected: fail rehabilitation backlog (Шар Тал нөхөрлөл has about 5.3 ha disturbed or in "
     "technical rehabilitation)"),
    (P8, "2026-09-03T10:50:00", (5430, 4135, 200, 150, 6), ("water_200m",),
     "expected: fail water regular zone 200 m (about 115 m from the pond Хар нуур (synthetic), "
     "more than 50 m from all water)"),
    (P6, "2026-10-05T09:10:00", (-250, 2000, 160, 240, -4), (),
     "expected: pass (inside ДҮ-2026/004; overlaps only MV-00000114, which expired 2025-12-25)"),
]
# fmt: on
UB_OFFSET = "+08:00"

EXPECTED_FAILURES: dict[str, tuple[str, ...]] = {
    f"REQ-2026-{i:03d}": row[3] for i, row in enumerate(REQUESTS, start=1)
}
"""Request id -> the rules it is meant to fail (empty: meant to pass). Rule tags:
``licence_overlap``, ``protected_area``, ``water_50m``, ``water_200m``, ``land_conclusion``,
``first_come``, ``max_area`` (5 ha, per request), ``min_members`` (5), ``contract_overlap``,
``rehab_backlog`` (more than 2 ha disturbed or in technical rehabilitation)."""


# --- geometry helpers -------------------------------------------------------------------------

_TO_WGS84 = Transformer.from_crs(UTM_CRS, "EPSG:4326", always_xy=True)


def _rect(cx: float, cy: float, w: float, h: float, angle: float = 0.0) -> Polygon:
    """A ``w`` x ``h`` rectangle centred on offset ``(cx, cy)``, rotated ``angle`` degrees."""
    a = math.radians(angle)
    c, s = math.cos(a), math.sin(a)
    corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    return Polygon([(cx + u * c - v * s, cy + u * s + v * c) for u, v in corners])


def _in_frame(rect: tuple, u: float, v: float, w: float, h: float) -> Polygon:
    """A ``w`` x ``h`` rectangle at ``(u, v)`` in the frame of the rotated rectangle ``rect``."""
    cx, cy, _, _, angle = rect
    a = math.radians(angle)
    return _rect(cx + u * math.cos(a) - v * math.sin(a),
                 cy + u * math.sin(a) + v * math.cos(a), w, h, angle)


def _ellipse(centre: tuple, axes: tuple, n: int = 48) -> Polygon:
    """An ellipse of semi-axes ``axes`` (m) around offset ``centre``, as an n-gon."""
    return Polygon([(centre[0] + axes[0] * math.cos(2 * math.pi * k / n),
                     centre[1] + axes[1] * math.sin(2 * math.pi * k / n)) for k in range(n)])


def _to_wgs84(geom):
    """Offsets (m) to absolute UTM 48N, then to WGS 84 lon/lat rounded to 1e-7 degree."""

    def fn(xy: np.ndarray) -> np.ndarray:
        lon, lat = _TO_WGS84.transform(xy[:, 0] + ORIGIN[0], xy[:, 1] + ORIGIN[1])
        return np.round(np.column_stack([lon, lat]), 7)

    return shapely.transform(geom, fn)


def _frame(kind: str, rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    """A GeoDataFrame in EPSG:4326 with the catalog fields of ``kind``, ``synthetic``, ``note``.

    Catalog fields missing from the rows are filled with None; a row key that is not a catalog
    field is an error (the catalog is the schema).
    """
    fields = [f.name for f in get_kind(kind).fields]
    unknown = {k for row in rows for k in row} - set(fields) - {"note"}
    if unknown:
        raise ValueError(f"{kind}: fields not in the catalog: {sorted(unknown)}")
    table = [{**{f: row.get(f) for f in fields}, "synthetic": True, "note": row["note"]}
             for row in rows]
    return gpd.GeoDataFrame(table, columns=[*fields, "synthetic", "note"],
                            geometry=[_to_wgs84(g) for g in geoms], crs="EPSG:4326")


# --- layers -----------------------------------------------------------------------------------

def _land_conclusions() -> gpd.GeoDataFrame:
    rows = [{"conclusion_no": no, "issue_date": issued, "valid_until": until,
             "soum_pcode": SOUM_PCODE, "status": status, "note": note}
            for no, issued, until, status, _, note in LAND_CONCLUSIONS]
    return _frame("land_conclusions", rows, [Polygon(v) for *_, v, _ in LAND_CONCLUSIONS])


def _contracts() -> gpd.GeoDataFrame:
    rows = [{"contract_id": cid, "partnership": who, "soum_pcode": SOUM_PCODE,
             "start_date": start, "end_date": end, "status": status, "note": note}
            for cid, who, start, end, status, _, note in CONTRACTS]
    return _frame("asm_contracts", rows, [_rect(*rect) for *_, rect, _ in CONTRACTS])


def _parcel_geoms() -> list[Polygon]:
    """Every parcel's polygon (offsets), placed in the frame of its contract's rectangle."""
    rects = {c[0]: c[5] for c in CONTRACTS}
    return [_in_frame(rects[cid], *uvwh) for cid, uvwh, _, _ in PARCELS]


def _rehab_parcels() -> gpd.GeoDataFrame:
    contracts = {c[0]: c for c in CONTRACTS}
    pits = {p.parcel_id: p for p in PITS}
    rows, geoms = [], []
    for i, ((cid, _, dates, depth), geom) in enumerate(
            zip(PARCELS, _parcel_geoms(), strict=True), start=1):
        pid = f"RP-{i:03d}"
        row = {"parcel_id": pid, "partnership": contracts[cid][1], "status": STEPS[len(dates) - 1]}
        row.update({k: (dates[j] if j < len(dates) else None) for j, k in enumerate(STEP_DATES)})
        row["pit_depth_m"] = np.nan if depth is None else depth
        row["soum_pcode"] = SOUM_PCODE
        note = f"synthetic parcel mined under {cid}"
        if pid in pits:
            p = pits[pid]
            note += (f"; DEM pit: {p.shape} {' x '.join(f'{s:g}' for s in p.size)} m, "
                     f"{p.depth:g} m deep; true volume {p.volume:.1f} m3")
        elif depth is None:
            note += "; on the sample DEM, backfilled: true volume 0.0 m3"
        row["note"] = note
        rows.append(row)
        geoms.append(geom)
    return _frame("rehab_parcels", rows, geoms)


def _requests() -> gpd.GeoDataFrame:
    rows = [{"request_id": f"REQ-2026-{i:03d}", "applicant": who, "members": PARTNERSHIPS[who],
             "submitted_at": when + UB_OFFSET, "queue_no": i, "soum_pcode": SOUM_PCODE,
             "note": note}
            for i, (who, when, _, _, note) in enumerate(REQUESTS, start=1)]
    return _frame("requests", rows, [_rect(*rect) for _, _, rect, _, _ in REQUESTS])


def _water() -> dict[str, gpd.GeoDataFrame]:
    lines = _frame("water_lines",
                   [{"name": n, "water_kind": k, "note": note} for n, k, _, note in WATER_LINES],
                   [LineString(v) for _, _, v, _ in WATER_LINES])
    name, kind, centre, axes, note = POND
    areas = _frame("water_areas", [{"name": name, "water_kind": kind, "note": note}],
                   [_ellipse(centre, axes)])
    points = _frame("water_points",
                    [{"name": n, "water_kind": "spring", "note": note} for n, _, note in SPRINGS],
                    [Point(xy) for _, xy, _ in SPRINGS])
    return {"water_lines": lines, "water_areas": areas, "water_points": points}


def _named_polygon(kind: str, spec: tuple) -> gpd.GeoDataFrame:
    name, category, vertices, note = spec
    return _frame(kind, [{"name": name, "category": category, "note": note}], [Polygon(vertices)])


def synthetic_layers(real_dir: Path) -> dict[str, gpd.GeoDataFrame]:
    """Make the synthetic sample layers around Mandal soum.

    Parameters
    ----------
    real_dir
        The folder holding the bundled real layers (``sample_data/real``). Its ``soums.gpkg``
        is read to check that every synthetic feature lies inside Mandal soum.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        Keyed by catalog kind id: ``land_conclusions``, ``asm_contracts``, ``requests``,
        ``rehab_parcels``, ``protected_areas``, ``water_lines``, ``water_areas``,
        ``water_points`` and ``forest``. Each is in EPSG:4326 with the catalog's field names,
        plus ``synthetic`` (True on every row) and ``note``. Dates are ISO 8601 text;
        ``submitted_at`` carries the Ulaanbaatar offset (+08:00).

    Raises
    ------
    ValueError
        If a feature falls outside Mandal soum (the real boundary file changed).
    """
    layers = {
        "land_conclusions": _land_conclusions(),
        "asm_contracts": _contracts(),
        "requests": _requests(),
        "rehab_parcels": _rehab_parcels(),
        "protected_areas": _named_polygon("protected_areas", PROTECTED_AREA),
        **_water(),
        "forest": _named_polygon("forest", FOREST),
    }
    soums = gpd.read_file(Path(real_dir) / "soums.gpkg", where=f"pcode = '{SOUM_PCODE}'")
    mandal = soums.union_all()
    for kind, gdf in layers.items():
        outside = ~gdf.within(mandal)
        if outside.any():
            raise ValueError(f"{kind}: {int(outside.sum())} synthetic features outside Mandal soum")
    return layers


# --- DEM --------------------------------------------------------------------------------------

def _terrain(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The undisturbed surface (m): a plane rising 1.5 % to the north and 1 % to the west."""
    cx, cy = (DEM_BOUNDS[0] + DEM_BOUNDS[2]) / 2, (DEM_BOUNDS[1] + DEM_BOUNDS[3]) / 2
    return 1040.0 - 0.010 * (x - cx) + 0.015 * (y - cy)


def pit_volumes() -> dict[str, float]:
    """True volume (m³) of every rehabilitation parcel on the sample DEM (0 if backfilled)."""
    volumes = {p.parcel_id: round(p.volume, 3) for p in PITS}
    xmin, ymin, xmax, ymax = DEM_BOUNDS
    for i, geom in enumerate(_parcel_geoms(), start=1):
        pid = f"RP-{i:03d}"
        if pid not in volumes and shapely.box(xmin, ymin, xmax, ymax).contains(geom):
            volumes[pid] = 0.0
    return dict(sorted(volumes.items()))


def write_sample_dem(path: Path, parcels: gpd.GeoDataFrame) -> dict[str, float]:
    """Write a small synthetic DEM with pits of known shape under some rehabilitation parcels.

    The GeoTIFF is in UTM zone 48N (EPSG:32648), 5 m pixels, float32 metres, 2.4 km x 1.5 km
    (480 x 300 pixels) over the expired land conclusion ДҮ-2021/041 and the revoked
    ДҮ-2024/018. The undisturbed surface is a plane (see ``_terrain``); the pits in
    :data:`PITS` are dug into it, centred on their parcels. Elevations are sampled at pixel
    centres; box pit walls fall on pixel edges.

    Parameters
    ----------
    path
        The GeoTIFF to write (its folder is created).
    parcels
        The ``rehab_parcels`` layer from :func:`synthetic_layers` (any CRS). Every pit's
        footprint is checked to lie inside its parcel.

    Returns
    -------
    dict of str to float
        Parcel id -> true (analytic) pit volume in m³, for every parcel the DEM covers
        (0.0 for backfilled parcels); the same figures are in the parcels' ``note``.

    Raises
    ------
    ValueError
        If a pit's parcel is missing from ``parcels`` or does not contain the pit.
    """
    xmin, ymin, xmax, ymax = DEM_BOUNDS
    width, height = int((xmax - xmin) / DEM_PIXEL), int((ymax - ymin) / DEM_PIXEL)
    x = xmin + (np.arange(width) + 0.5) * DEM_PIXEL
    y = ymax - (np.arange(height) + 0.5) * DEM_PIXEL
    gx, gy = np.meshgrid(x, y)
    z = _terrain(gx, gy)
    by_id = parcels.to_crs(UTM_CRS).set_index("parcel_id").geometry
    centres = {f"RP-{i:03d}": g.centroid for i, g in enumerate(_parcel_geoms(), start=1)}
    for pit in PITS:
        c = centres[pit.parcel_id]
        hx, hy = pit.half_sides
        cx, cy = c.x + ORIGIN[0], c.y + ORIGIN[1]
        footprint = shapely.box(cx - hx, cy - hy, cx + hx, cy + hy)
        if pit.parcel_id not in by_id.index or not by_id[pit.parcel_id].contains(footprint):
            raise ValueError(f"{pit.parcel_id}: parcel missing or does not contain its pit")
        z -= pit.depth_at(gx - c.x, gy - c.y)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    west, north = xmin + ORIGIN[0], ymax + ORIGIN[1]
    profile = {"driver": "GTiff", "width": width, "height": height, "count": 1,
               "dtype": "float32", "crs": UTM_CRS, "nodata": -9999.0, "compress": "deflate",
               "transform": Affine(DEM_PIXEL, 0.0, west, 0.0, -DEM_PIXEL, north)}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(z.astype(np.float32), 1)
        dst.update_tags(synthetic="true", units="metre",
                        description="landtool synthetic sample DEM (landtool/sample.py)")
        dst.set_band_unit(1, "metre")
    return pit_volumes()
