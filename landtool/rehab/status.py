"""Rehabilitation status: the states a parcel passes through, the changes allowed between them,
and the hectares per partnership or soum in each state.

A parcel goes ``disturbed`` → ``technical_in_progress`` → ``technical_done`` →
``biological_done`` → ``accepted`` (by the governor's commission), with the date of each step.
:func:`outstanding_by_partnership` is the one computation of "land not yet rehabilitated"; the
eligibility rule ``rehabilitation_backlog`` and the status summaries both use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from landtool.errors import RehabStatusError
from landtool.geodesy import area_ha, areas_ha

#: The order of rehabilitation states.
STATUSES = ("disturbed", "technical_in_progress", "technical_done", "biological_done", "accepted")
#: The date field recording when a parcel reached each state.
DATE_FIELDS = {
    "disturbed": "disturbed_date",
    "technical_in_progress": "technical_start_date",
    "technical_done": "technical_done_date",
    "biological_done": "biological_done_date",
    "accepted": "accepted_date",
}
#: States in which land counts as not yet rehabilitated, by default.
OUTSTANDING = ("disturbed", "technical_in_progress")
#: Changes allowed: one step forward, or straight to technical_done when the technical work
#: was started and finished between two visits. Acceptance needs biological work first.
ALLOWED = {
    "disturbed": ("technical_in_progress", "technical_done"),
    "technical_in_progress": ("technical_done",),
    "technical_done": ("biological_done",),
    "biological_done": ("accepted",),
    "accepted": (),
}
STATUS_NAMES_MN = {
    "disturbed": "эвдэрсэн",
    "technical_in_progress": "техникийн нөхөн сэргээлт хийгдэж байна",
    "technical_done": "техникийн нөхөн сэргээлт хийгдсэн",
    "biological_done": "биологийн нөхөн сэргээлт хийгдсэн",
    "accepted": "комисс хүлээн авсан",
}


def partnership_key(name) -> str:
    """How partnership names are compared: trimmed, case-folded, spaces collapsed."""
    return " ".join(str(name).split()).casefold() if name is not None else ""


def _day(value) -> date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
        return None
    return date.fromisoformat(str(value)[:10])


def check_history(parcel: Mapping, *, parcel_id: str | None = None, today: date | None = None):
    """Refuse a parcel whose status and dates are impossible.

    The status must be known; every step up to it needs no date after the next one; a step the
    parcel has not reached carries no date (accepted before technical work is refused); no date
    lies in the future.
    """
    pid = parcel_id or parcel.get("parcel_id")
    status = parcel.get("status")
    if status not in STATUSES:
        raise RehabStatusError(f"unknown status {status!r}", feature=pid,
                               hint=f"use one of: {', '.join(STATUSES)}")
    reached = STATUSES.index(status)
    today = today or date.today()
    last, last_step = None, None
    for k, step in enumerate(STATUSES):
        when = _day(parcel.get(DATE_FIELDS[step]))
        if when is None:
            continue
        if k > reached:
            raise RehabStatusError(
                f"has a {DATE_FIELDS[step]} ({when}) but its status is only {status}: "
                f"a parcel cannot be {step.replace('_', ' ')} before it is {status}",
                feature=pid, hint="correct the status or remove the date")
        if when > today:
            raise RehabStatusError(f"{DATE_FIELDS[step]} {when} is in the future", feature=pid,
                                   hint="dates record steps already taken")
        if last is not None and when < last:
            raise RehabStatusError(
                f"{DATE_FIELDS[step]} {when} is before {DATE_FIELDS[last_step]} {last}: "
                "dates must not go backwards", feature=pid, hint="correct the dates")
        last, last_step = when, step
    if status == "accepted" and _day(parcel.get(DATE_FIELDS["technical_done"])) is None:
        raise RehabStatusError("is accepted but has no technical_done_date: acceptance needs "
                               "the technical work first", feature=pid,
                               hint="record when the technical work was done")


def change_status(parcel: Mapping, new_status: str, when: date, *,
                  today: date | None = None) -> dict:
    """The parcel with its status changed to ``new_status`` on ``when``, or RehabStatusError."""
    pid = parcel.get("parcel_id")
    check_history(parcel, today=today)
    current = parcel["status"]
    if new_status not in STATUSES:
        raise RehabStatusError(f"unknown status {new_status!r}", feature=pid,
                               hint=f"use one of: {', '.join(STATUSES)}")
    if new_status not in ALLOWED[current]:
        allowed = ", ".join(ALLOWED[current]) or "none (it is accepted)"
        raise RehabStatusError(f"cannot go from {current} to {new_status}", feature=pid,
                               hint=f"from {current} it can go to: {allowed}")
    updated = dict(parcel)
    updated["status"] = new_status
    if new_status == "technical_done" and current == "disturbed":
        updated[DATE_FIELDS["technical_in_progress"]] = when.isoformat()
    updated[DATE_FIELDS[new_status]] = when.isoformat()
    check_history(updated, today=today)
    return updated


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


def summarize(parcels, by: str = "partnership") -> pd.DataFrame:
    """Hectares in each status per partnership (or soum), with the outstanding hectares (as the
    eligibility rule counts them) and the shares rehabilitated technically and biologically.

    ``parcels`` is a GeoDataFrame of kind rehab_parcels in EPSG:4326; areas are geodesic.
    """
    column = {"partnership": "partnership", "soum": "soum_pcode"}.get(by)
    if column is None:
        raise RehabStatusError(f"cannot summarise by {by!r}", hint="use partnership or soum")
    groups = parcels[column] if column in parcels.columns else pd.Series([None] * len(parcels))
    names = groups.fillna("(none)").astype(str).to_numpy()
    # group as the eligibility rule does (case and spacing ignored), shown by the first spelling
    shown = {}
    for name in names:
        shown.setdefault(partnership_key(name), name.strip())
    df = pd.DataFrame({"group": [shown[partnership_key(n)] for n in names],
                       "status": parcels["status"].to_numpy(),
                       "ha": areas_ha(parcels.geometry.to_numpy())})
    table = df.pivot_table(index="group", columns="status", values="ha", aggfunc="sum",
                           fill_value=0.0)
    table = table.reindex(columns=list(STATUSES), fill_value=0.0)
    table["total_ha"] = table[list(STATUSES)].sum(axis=1)
    backlog = outstanding_by_partnership(
        names, parcels["status"], parcels.geometry,
        parcels.get("parcel_id", pd.Series(range(len(parcels)))))
    table["outstanding_ha"] = [backlog[partnership_key(g)].outstanding_ha
                               if partnership_key(g) in backlog else 0.0 for g in table.index]
    done_t = table[["technical_done", "biological_done", "accepted"]].sum(axis=1)
    done_b = table[["biological_done", "accepted"]].sum(axis=1)
    table["technical_share"] = (done_t / table["total_ha"]).where(table["total_ha"] > 0, 0.0)
    table["biological_share"] = (done_b / table["total_ha"]).where(table["total_ha"] > 0, 0.0)
    table.columns.name = None
    table.index.name = by
    return table.reset_index()
