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
  quantity is zero is left out. A parcel needing backfill whose pit volume is unknown
  (``volume_m3=None``, or ``volume_method="none"`` as :mod:`landtool.rehab.volume` codes it) gets
  no backfill line and a warning in the estimate, never a silent zero.
- Mobilisation is one lump sum per site: a site is the group of parcels sharing ``site``, else
  ``partnership`` (names compared trimmed and case-folded); a parcel with neither is a site of its
  own. A site is charged when at least one of its parcels still has technical or biological
  work to do (``FIELD_WORK_STATUSES``); monitoring alone needs none. Given ``sites=n``, the
  estimate carries one mobilisation line of n sites instead.

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

from landtool.errors import CostInputError
from landtool.rehab.rates import RateFile
from landtool.rehab.status import STATUSES, partnership_key

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
    """What one parcel needs priced; quantities are computed by the caller.

    ``volume_m3`` and ``topsoil_m3`` may be None (or NaN) when unknown: an unknown topsoil volume
    is area × the rate file's thickness; an unknown pit volume leaves backfilling unpriced, with a
    warning. ``status`` is one of :data:`landtool.rehab.status.STATUSES` (spaces, hyphens and
    capitals are accepted: ``"Technical done"``).
    """

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
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = math.nan
            if name in ("volume_m3", "topsoil_m3") and (value is None or math.isnan(number)):
                setattr(self, name, None)  # unknown (None, or NaN from a data frame)
                continue
            if not math.isfinite(number) or number < 0:
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


@dataclass
class Estimate:
    """A priced estimate: direct lines per parcel and site, indirect lines, total and deposit."""

    rates: RateFile
    parcels: list[ParcelEstimate]
    direct: int
    indirect: list[IndirectLine]
    total: int
    deposit_percent: float
    deposit: int
    currency: str
    sites: list[SiteEstimate] = field(default_factory=list)
    indirect_preset: str = "custom"
    deposit_confirmed: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[CostLine]:
        """Every direct cost line: parcels' first, then mobilisation."""
        return [ln for p in self.parcels for ln in p.lines] + \
            [ln for s in self.sites for ln in s.lines]

    def to_json(self) -> dict:
        """The estimate as JSON-ready data; every figure in whole currency units."""
        r = self.rates
        return {
            "rates": {"id": r.id, "version": r.version, "date": r.date.isoformat(),
                      "currency": r.currency, "illustrative": r.illustrative,
                      "description": r.description},
            "currency": self.currency,
            "parcels": [{
                "id": p.q.parcel_id, "status": p.q.status, "partnership": p.q.partnership,
                "site": p.q.site, "area_ha": p.q.area_ha, "perimeter_m": p.q.perimeter_m,
                "volume_m3": p.q.volume_m3, "volume_method": p.q.volume_method,
                "topsoil_m3": p.topsoil_m3, "topsoil_method": p.topsoil_method,
                "tasks": list(p.tasks), "lines": [ln.to_json() for ln in p.lines],
                "direct": p.direct,
            } for p in self.parcels],
            "sites": [{"site": s.site, "parcels": s.parcel_ids,
                       "lines": [ln.to_json() for ln in s.lines], "direct": s.direct}
                      for s in self.sites],
            "direct": self.direct,
            "indirect_preset": self.indirect_preset,
            "indirect": [x.to_json() for x in self.indirect],
            "total": self.total,
            "deposit_percent": _num(self.deposit_percent),
            "deposit_confirmed": self.deposit_confirmed,
            "deposit": self.deposit,
            "warnings": list(self.warnings),
            "rounding": "quantities rounded to their shown precision; each line's cost rounded "
                        "once, half up, to a whole unit; sums are exact",
        }

    def line_rows(self) -> list[dict]:
        """One row per line for CSV or XLSX: direct lines, indirect lines, total and deposit.

        The ``kind`` column tells them apart (``direct``, ``indirect``, ``total``, ``deposit``):
        the direct and indirect costs add up to the total.
        """
        by_id = {p.q.parcel_id: p.q for p in self.parcels}
        blank = dict.fromkeys(("parcel_id", "partnership", "site", "status", "task", "quantity",
                               "unit", "rate", "percent", "cost", "source"))
        rows = []
        for ln in self.lines:
            q = by_id.get(ln.parcel_id)
            rows.append({**blank, "kind": "direct", "parcel_id": ln.parcel_id,
                         "partnership": q.partnership if q else None,
                         "site": (q.site if q else None) or ln.site,
                         "status": q.status if q else None, "task": ln.task,
                         "quantity": _num(ln.quantity), "unit": ln.unit, "rate": _num(ln.rate),
                         "cost": ln.cost, "source": ln.source})
        for x in self.indirect:
            rows.append({**blank, "kind": "indirect", "task": x.name,
                         "percent": _num(x.percent), "cost": x.cost, "source": x.note})
        rows.append({**blank, "kind": "total", "task": "total", "cost": self.total})
        rows.append({**blank, "kind": "deposit", "task": "deposit",
                     "percent": _num(self.deposit_percent), "cost": self.deposit,
                     "source": "confirmed" if self.deposit_confirmed else "unconfirmed"})
        return [{"kind": row.pop("kind"), **row} for row in rows]


def _price_parcel(q: ParcelQuantities, rates: RateFile, warnings: list[str]) -> ParcelEstimate:
    tasks = tuple(t for t in REMAINING_TASKS[q.status] if t != "fencing" or rates.fencing)
    if q.topsoil_m3 is not None:
        topsoil, method = q.topsoil_m3, "given"
    else:
        topsoil = float(_round(_dec(q.area_ha) * 10_000 * _dec(rates.topsoil_thickness_m), 1))
        method = f"area × {rates.topsoil_thickness_m:g} m"
    quantities = {"backfill": q.volume_m3, "grading": q.area_ha, "topsoil": topsoil,
                  "seeding": q.area_ha, "fencing": q.perimeter_m,
                  "monitoring": rates.monitoring_years}
    lines = []
    for task in tasks:
        if task == "backfill" and (q.volume_m3 is None or q.volume_method == "none"):
            warnings.append(f"parcel {q.parcel_id}: no pit volume (volume_method "
                            f"{q.volume_method!r}), so backfilling is not priced")
            continue
        line = _line(rates, task, quantities[task], q.parcel_id)
        if line.quantity > 0:
            lines.append(line)
    return ParcelEstimate(q, lines, sum(ln.cost for ln in lines), tasks, topsoil, method)


def _price_sites(quantities: Sequence[ParcelQuantities], rates: RateFile,
                 sites: int | None) -> list[SiteEstimate]:
    working = [q for q in quantities if q.status in FIELD_WORK_STATUSES]
    if sites is not None:
        if sites == 0:
            return []
        line = _line(rates, "mobilisation", sites, None)
        return [SiteEstimate(None, [q.parcel_id for q in working], [line], line.cost)]
    groups: dict[str, tuple[str, list[str]]] = {}
    for q in working:
        name = q.site or q.partnership
        key = partnership_key(name) if name else f"\0parcel {q.parcel_id}"
        label = str(name) if name else f"parcel {q.parcel_id}"
        groups.setdefault(key, (label, []))[1].append(q.parcel_id)
    out = []
    for label, ids in groups.values():
        line = _line(rates, "mobilisation", 1, None, site=label)
        out.append(SiteEstimate(label, ids, [line], line.cost))
    return out


def estimate(
    quantities: Sequence[ParcelQuantities],
    rates: RateFile,
    *,
    indirect: str | Sequence[tuple[str, float]] = "queensland",
    deposit_percent: float | None = None,
    sites: int | None = None,
) -> Estimate:
    """Price the rehabilitation work that remains on ``quantities`` with ``rates``.

    Parameters
    ----------
    quantities
        One entry per parcel, quantities already computed.
    rates
        The rate file (see :func:`landtool.rehab.rates.load_rates`).
    indirect
        A preset (``"queensland"`` or ``"nevada"``) or a list of ``(name, percent)`` pairs.
    deposit_percent
        The guarantee as a percentage of the total; by default the rate file's. A percentage given
        here is reported as unconfirmed.
    sites
        The number of sites to mobilise to; by default one per site or partnership with field work.

    Returns
    -------
    Estimate
        Direct lines per parcel and site, indirect lines, the total and the deposit, all in whole
        currency units; the module docstring says what remains by status and how lines are rounded.
    """
    if isinstance(indirect, str) and indirect not in INDIRECT_PRESETS:
        raise CostInputError(f"unknown indirect preset {indirect!r}",
                             hint=f"use one of: {', '.join(INDIRECT_PRESETS)}, "
                                  "or a list of (name, percent) pairs")
    if indirect == "nevada" and rates.currency != "MNT":
        raise CostInputError(f"the nevada preset's bands are in MNT, the rates in {rates.currency}",
                             hint="use the queensland preset or custom percentages")
    if deposit_percent is not None and not (math.isfinite(deposit_percent)
                                            and 0 <= deposit_percent <= 100):
        raise CostInputError(f"deposit percent {deposit_percent} is not in 0-100")
    if sites is not None and (isinstance(sites, bool) or not isinstance(sites, int) or sites < 0):
        raise CostInputError(f"sites must be a whole number of 0 or more, not {sites!r}")
    seen: set[str] = set()
    for q in quantities:
        if q.parcel_id in seen:
            raise CostInputError("two parcels have this id", feature=q.parcel_id,
                                 hint="give every parcel its own id, so each line names one")
        seen.add(q.parcel_id)

    warnings: list[str] = []
    parcels = [_price_parcel(q, rates, warnings) for q in quantities]
    site_estimates = _price_sites(quantities, rates, sites)
    direct = sum(p.direct for p in parcels) + sum(s.direct for s in site_estimates)
    indirect_out = indirect_lines(direct, indirect)
    total = direct + sum(x.cost for x in indirect_out)
    percent = rates.deposit_percent if deposit_percent is None else float(deposit_percent)
    return Estimate(
        rates=rates, parcels=parcels, direct=direct, indirect=indirect_out, total=total,
        deposit_percent=percent, deposit=_percent_of(total, percent), currency=rates.currency,
        sites=site_estimates,
        indirect_preset=indirect if isinstance(indirect, str) else "custom",
        deposit_confirmed=rates.deposit_confirmed and deposit_percent is None,
        warnings=warnings,
    )
