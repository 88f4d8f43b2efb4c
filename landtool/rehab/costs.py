"""Rehabilitation cost estimates: the work that remains on each parcel, priced from a rate file.

Quantities arrive already computed (areas and perimeters geodesically, pit volumes from a DEM or
a depth); this module only prices them, keeping every cost line linked to its parcel.

What remains, by status (``REMAINING_TASKS``)

=======================  ==========================================================  ============
status                   direct cost lines                                           mobilisation
=======================  ==========================================================  ============
disturbed                backfill, grading, topsoil, seeding, fencing*, monitoring   yes
technical_in_progress    the same, at full quantities (see below)                    yes
technical_done           seeding, fencing*, monitoring                               yes
biological_done          monitoring                                                  no
accepted                 nothing                                                     no
=======================  ==========================================================  ============

\\* fencing only when the rate file says ``fencing = true``.

- ``technical_in_progress`` is priced at full quantities: the parcel records no share of the work
  done, and the pit volume from a current DEM already is what remains to backfill. An estimate of
  what a third-party contractor would charge to finish errs on the safe side.
- Quantities: backfill = the pit volume (m³); grading and seeding = the area (ha); topsoil = the
  topsoil volume given, else area × the rate file's ``topsoil_thickness_m``; fencing = the
  perimeter (m); monitoring = the rate file's ``monitoring_years``, per parcel. A line whose
  quantity is zero is left out; a parcel needing backfill without a pit volume gets no backfill
  line and a warning, never a silent zero.
- Mobilisation is one lump sum per site: a site is the group of parcels sharing ``site``, else
  ``partnership`` (names compared trimmed and case-folded); a parcel with neither is a site of its
  own. A site is charged when at least one of its parcels still needs field work (technical or
  biological); monitoring alone needs none. Given ``sites=n``, the estimate carries one
  mobilisation line of n sites instead.

Rounding, so that totals add up exactly: each quantity is rounded (half up) to the precision it is
shown with (ha to 4 decimals, m³ and m to 1, sites and years whole); each line's cost is then
quantity × rate rounded once, half up, to a whole MNT, in decimal arithmetic. Every sum (parcel,
direct, total) adds those integers without further rounding. An indirect line is direct × percent
rounded once the same way; the deposit is total × percent rounded once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from landtool.errors import LandtoolError
from landtool.rehab.rates import TASKS, RateFile
from landtool.rehab.status import STATUSES, partnership_key


class CostInputError(LandtoolError):
    """The quantities or options given to an estimate are unusable."""


_FULL = ("backfill", "grading", "topsoil", "seeding", "fencing", "monitoring")

#: The tasks that remain for a parcel in each status (fencing only if the rate file fences).
REMAINING_TASKS: dict[str, tuple[str, ...]] = {
    "disturbed": _FULL,
    "technical_in_progress": _FULL,
    "technical_done": ("seeding", "fencing", "monitoring"),
    "biological_done": ("monitoring",),
    "accepted": (),
}
#: Statuses whose parcels need a crew on site (and so mobilisation).
FIELD_WORK_STATUSES = ("disturbed", "technical_in_progress", "technical_done")
#: Decimals each unit's quantities are rounded to before pricing.
QUANTITY_DECIMALS = {"m3": 1, "ha": 4, "m": 1, "site": 0, "year": 0}

#: Indirect presets: for each line, bands of (direct cost below which the percent applies, or
#: None for "and above"; percent). The band is chosen by the whole direct cost, not marginally.
#: Nevada's SRCE bands are in USD; the MNT thresholds are illustrative conversions at 3,500 MNT
#: per USD of 1, 5 and 25 million USD (3.5, 17.5 and 87.5 billion MNT).
INDIRECT_PRESETS: dict[str, tuple[tuple[str, tuple[tuple[int | None, float], ...]], ...]] = {
    "queensland": (
        ("project management", ((None, 10.0),)),
        ("maintenance and monitoring", ((None, 5.0),)),
        ("contingency", ((None, 10.0),)),
    ),
    "nevada": (
        ("engineering, design and construction plan",
         ((3_500_000_000, 8.0), (17_500_000_000, 6.0), (None, 4.0))),
        ("contingency",
         ((3_500_000_000, 10.0), (17_500_000_000, 8.0), (87_500_000_000, 6.0), (None, 4.0))),
    ),
}


def _dec(value) -> Decimal:
    return Decimal(value) if isinstance(value, int | Decimal) else Decimal(repr(float(value)))


def _round(value: Decimal, places: int = 0) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _num(value: float) -> int | float:
    """A quantity or rate as JSON shows it: whole numbers without ``.0``."""
    return int(value) if float(value).is_integer() else float(value)


@dataclass
class ParcelQuantities:
    """What one parcel needs priced; quantities are computed by the caller."""

    parcel_id: str
    status: str
    area_ha: float
    perimeter_m: float
    volume_m3: float | None
    volume_method: str
    topsoil_m3: float | None
    partnership: str | None = None
    site: str | None = None

    def __post_init__(self) -> None:
        self.parcel_id = str(self.parcel_id)
        status = "_".join(str(self.status).strip().lower().replace("-", " ").split())
        if status not in STATUSES:
            raise CostInputError(f"status {self.status!r} is not a rehabilitation status",
                                 feature=self.parcel_id, hint=f"use one of: {', '.join(STATUSES)}")
        self.status = status
        for name in ("area_ha", "perimeter_m", "volume_m3", "topsoil_m3"):
            value = getattr(self, name)
            if value is None and name in ("volume_m3", "topsoil_m3"):
                continue
            if value is None or not math.isfinite(value) or value < 0:
                raise CostInputError(f"{name} is {value!r}; it must be a number of 0 or more",
                                     feature=self.parcel_id)


@dataclass
class CostLine:
    """One direct cost: quantity × rate, for a parcel (or a site, for mobilisation)."""

    parcel_id: str | None
    task: str
    quantity: float
    unit: str
    rate: float
    cost: int
    site: str | None = None
    source: str = ""

    def to_json(self) -> dict:
        return {"task": self.task, "quantity": _num(self.quantity), "unit": self.unit,
                "rate": _num(self.rate), "cost": self.cost, "source": self.source}


@dataclass
class IndirectLine:
    """An indirect cost: a percentage of the direct cost."""

    name: str
    percent: float
    cost: int
    note: str = ""

    def to_json(self) -> dict:
        return {"name": self.name, "percent": _num(self.percent), "cost": self.cost,
                "note": self.note}


@dataclass
class ParcelEstimate:
    q: ParcelQuantities
    lines: list[CostLine]
    direct: int
    tasks: tuple[str, ...] = ()
    topsoil_m3: float | None = None
    topsoil_method: str = ""


@dataclass
class SiteEstimate:
    """Mobilisation of one site (or of ``sites`` sites given by the caller)."""

    site: str | None
    parcel_ids: list[str]
    lines: list[CostLine]
    direct: int


def _line(rates: RateFile, task: str, quantity: float, parcel_id: str | None,
          site: str | None = None) -> CostLine:
    entry = rates.tasks[task]
    qty = _round(_dec(quantity), QUANTITY_DECIMALS[entry.unit])
    cost = int(_round(qty * _dec(entry.rate)))
    return CostLine(parcel_id, task, float(qty), entry.unit, entry.rate, cost, site, entry.source)


def _percent_of(amount: int, percent: float) -> int:
    return int(_round(Decimal(amount) * _dec(percent) / 100))


def _band_note(preset: str, bands, i: int) -> str:
    if len(bands) == 1:
        return preset
    if i == 0:
        return f"{preset}: direct below {bands[0][0]:,} MNT"
    if bands[i][0] is None:
        return f"{preset}: direct of {bands[i - 1][0]:,} MNT or more"
    return f"{preset}: direct from {bands[i - 1][0]:,} to below {bands[i][0]:,} MNT"


def indirect_lines(direct: int, preset: str | Sequence[tuple[str, float]]) -> list[IndirectLine]:
    """Indirect costs as separate lines, each a percentage of ``direct`` rounded once.

    Parameters
    ----------
    direct
        The direct cost, in whole currency units.
    preset
        ``"queensland"`` (project management 10 %, maintenance and monitoring 5 %, contingency
        10 %), ``"nevada"`` (engineering 8/6/4 % and contingency 10/8/6/4 % by band of the direct
        cost, see ``INDIRECT_PRESETS``), or a list of ``(name, percent)`` pairs.

    Examples
    --------
    >>> [(x.name, x.cost) for x in indirect_lines(1_000_000, [("supervision", 7.5)])]
    [('supervision', 75000)]
    """
    if isinstance(preset, str):
        if preset not in INDIRECT_PRESETS:
            raise CostInputError(f"unknown indirect preset {preset!r}",
                                 hint=f"use one of: {', '.join(INDIRECT_PRESETS)}, "
                                      "or a list of (name, percent) pairs")
        out = []
        for name, bands in INDIRECT_PRESETS[preset]:
            i = next(i for i, (below, _) in enumerate(bands) if below is None or direct < below)
            percent = bands[i][1]
            out.append(IndirectLine(name, percent, _percent_of(direct, percent),
                                    _band_note(preset, bands, i)))
        return out
    out, seen = [], set()
    for item in preset:
        try:
            name, percent = item
            percent = float(percent)
        except (TypeError, ValueError) as exc:
            raise CostInputError(f"custom indirect {item!r} is not a (name, percent) pair") from exc
        if not str(name).strip() or str(name) in seen:
            raise CostInputError(f"custom indirect name {name!r} is empty or repeated")
        if not math.isfinite(percent) or not 0 <= percent <= 100:
            raise CostInputError(f"custom indirect {name!r}: percent {percent} is not in 0-100")
        seen.add(str(name))
        out.append(IndirectLine(str(name), percent, _percent_of(direct, percent), "custom"))
    return out
