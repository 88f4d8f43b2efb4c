"""Rehabilitation status: the outstanding hectares per partnership.

:func:`outstanding_by_partnership` is the one computation of "land not yet rehabilitated"; the
eligibility rule ``rehabilitation_backlog`` and the status reports both use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from landtool.geodesy import area_ha

#: The order of rehabilitation states.
STATUSES = ("disturbed", "technical_in_progress", "technical_done", "biological_done", "accepted")
#: States in which land counts as not yet rehabilitated, by default.
OUTSTANDING = ("disturbed", "technical_in_progress")


def partnership_key(name) -> str:
    """How partnership names are compared: trimmed, case-folded, spaces collapsed."""
    return " ".join(str(name).split()).casefold() if name is not None else ""


@dataclass
class Backlog:
    partnership: str
    outstanding_ha: float = 0.0
    parcels: list[str] = field(default_factory=list)


def outstanding_by_partnership(
    partnerships: Iterable, statuses: Iterable, geometries: Iterable, parcel_ids: Iterable,
    outstanding: Iterable[str] = OUTSTANDING,
) -> dict[str, Backlog]:
    """Hectares (geodesic) of parcels in an outstanding status, per partnership key.

    Parameters are parallel sequences describing the parcels (lon/lat geometries).
    """
    wanted = set(outstanding)
    out: dict[str, Backlog] = {}
    for name, status, geom, pid in zip(partnerships, statuses, geometries, parcel_ids,
                                       strict=True):
        if status not in wanted or geom is None:
            continue
        backlog = out.setdefault(partnership_key(name), Backlog(str(name)))
        backlog.outstanding_ha += area_ha(geom)
        backlog.parcels.append(str(pid))
    return out
