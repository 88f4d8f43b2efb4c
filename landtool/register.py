"""Registering requests: the queue number and submission time that decide priority.

Registration is what makes "first come, first served" transparent: the queue number is the
next integer after every number already given, the submission time is when it was registered,
and neither is ever changed afterwards.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import geopandas as gpd
import pandas as pd

from landtool.errors import RegisterError

#: Mongolian time (Ulaanbaatar, UTC+8, no daylight saving since 2017).
MONGOLIA_TZ = timezone(timedelta(hours=8))


def next_queue_number(requests: gpd.GeoDataFrame) -> int:
    """One more than the highest queue number given so far (1 for the first)."""
    if "queue_no" not in requests.columns:
        return 1
    numbers = pd.to_numeric(requests["queue_no"], errors="coerce").dropna()
    return int(numbers.max()) + 1 if len(numbers) else 1


def register_request(requests: gpd.GeoDataFrame, request_id: str, *,
                     when: datetime | None = None,
                     above: int = 0) -> tuple[gpd.GeoDataFrame, int, str]:
    """A copy of ``requests`` with ``request_id`` given the next queue number and its
    submission time (now, Mongolian time, unless ``when``); returns (layer, number, time).

    ``above``: the highest number given before (from the decisions log), so that a number
    stays given even if its request was deleted since."""
    ids = requests["request_id"].astype(str)
    hit = requests.index[ids == str(request_id)]
    if len(hit) == 0:
        raise RegisterError(f"there is no request {request_id!r}")
    row = requests.loc[hit[0]]
    queue = row.get("queue_no")
    if queue is not None and not pd.isna(queue):
        raise RegisterError(
            f"request {request_id} is registered already, as number {int(queue)} at "
            f"{row.get('submitted_at')}",
            hint="a registration is never changed; draw a new request instead")
    number = max(next_queue_number(requests), above + 1)
    stamp = (when or datetime.now(MONGOLIA_TZ)).replace(microsecond=0)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=MONGOLIA_TZ)
    out = requests.copy()
    if "queue_no" not in out.columns:
        out["queue_no"] = pd.array([None] * len(out), dtype="Int64")
    if "submitted_at" not in out.columns:
        out["submitted_at"] = None
    out["queue_no"] = pd.array(out["queue_no"], dtype="Int64")
    out["submitted_at"] = out["submitted_at"].astype(object)
    out.loc[hit[0], "queue_no"] = number
    out.loc[hit[0], "submitted_at"] = stamp.isoformat()
    return out, number, stamp.isoformat()
