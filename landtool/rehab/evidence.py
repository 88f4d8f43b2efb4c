"""Status with evidence: each parcel's rehabilitation status, the date it was reached, and the
photographs cited when the status was recorded.

A status change (``landtool rehab advance … --evidence ID``, or the app's) records in the
decisions log (hash-chained) which photos show it, each with the SHA-256 of its bytes: the
evidence of a status is the ``parcel_status_changed`` entry that gave the parcel its present
status. The photos themselves are kept in the workspace (:mod:`landtool.photos`); their distance
outside the parcel is measured again against the parcel as it is now (it may have been redrawn
since a photo was attached).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from landtool.photos import DISTANCE_METHOD, Photo, check_evidence, photos
from landtool.rehab.status import DATE_FIELDS


@dataclass(frozen=True)
class ParcelStatus:
    parcel_id: str
    partnership: str
    status: str
    status_date: str | None  # the date field of the present status
    evidence: tuple[int, ...]  # photo ids cited when the present status was recorded
    recorded_at: str | None  # when that change was logged, and by whom
    recorded_by: str | None
    photos: tuple[Photo, ...] = field(default=(), repr=False)  # every photo of the parcel

    @property
    def flagged(self) -> tuple[int, ...]:
        return tuple(p.photo_id for p in self.photos if p.outside)

    def to_json(self) -> dict:
        return {"parcel_id": self.parcel_id, "partnership": self.partnership,
                "status": self.status, "status_date": self.status_date,
                "evidence": list(self.evidence), "recorded_at": self.recorded_at,
                "recorded_by": self.recorded_by,
                "photos": [p.photo_id for p in self.photos], "photos_outside": list(self.flagged)}


def evidence_details(ws, ids: Iterable[int], parcel_id: str) -> list[dict]:
    """What a status change records about the photos it cites: id and SHA-256 of each
    (PhotoError if one does not exist or belongs to another parcel)."""
    return [{"photo_id": p.photo_id, "sha256": p.sha256}
            for p in check_evidence(ws, ids, kind="rehab_parcels", subject_id=parcel_id)]


def parcel_statuses(ws, parcels) -> list[ParcelStatus]:
    """One :class:`ParcelStatus` per row of ``parcels`` (a rehab_parcels GeoDataFrame read
    from ``ws``), in its order."""
    from landtool.workspace import decisions

    last: dict[str, decisions.Entry] = {}
    for entry in decisions.entries(ws):
        if entry.action == "parcel_status_changed":
            last[entry.subject] = entry
    by_parcel: dict[str, list[Photo]] = {}
    for p in photos(ws, kind="rehab_parcels"):
        by_parcel.setdefault(p.subject_id, []).append(p)
    out = []
    for row in parcels.to_dict("records"):
        pid, status = str(row.get("parcel_id")), str(row.get("status"))
        geom = row.get(parcels.geometry.name)
        if geom is not None and not geom.is_empty:  # the parcel as it is now (redrawn?)
            by_parcel[pid] = [measured(p, geom) for p in by_parcel.get(pid, [])]
        entry = last.get(pid)
        details = entry.details_dict() if entry is not None else {}
        if details.get("to") != status:  # the status was not given by a logged change
            entry, details = None, {}
        when = row.get(DATE_FIELDS.get(status, ""))
        when = None if when is None or when != when or when == "" else str(when)[:10]
        out.append(ParcelStatus(
            pid, str(row.get("partnership") or ""), status, when,
            tuple(int(e["photo_id"]) for e in details.get("evidence", [])),
            entry.at if entry else None, entry.user if entry else None,
            tuple(by_parcel.get(pid, ()))))
    return out


def measured(photo: Photo, parcel) -> Photo:
    """``photo`` with its distance outside ``parcel`` (and the flag) measured again."""
    from dataclasses import replace

    from landtool.photos import distance_outside_m

    d = distance_outside_m(photo.lon, photo.lat, parcel)
    if d == photo.distance_m:
        return photo
    return replace(photo, distance_m=d, outside=bool(d > photo.tolerance_m))


def measured_now(ws, photos: list[Photo]) -> list[Photo]:
    """``photos`` each measured again against its feature as the workspace holds it now (a
    parcel or request redrawn since a photo was attached); a photo whose feature is gone or
    has no polygon keeps what was stored."""
    from landtool.photos import SUBJECT_KINDS

    shapes = {}
    for kind, id_field in SUBJECT_KINDS.items():
        for name in ws.layers_of_kind(kind):
            gdf = ws.read(name)
            if id_field in gdf.columns:
                shapes.update({(kind, str(i)): g for i, g in
                               zip(gdf[id_field].astype(str), gdf.geometry, strict=True)
                               if g is not None and not g.is_empty})
    return [measured(p, shapes[(p.subject_kind, p.subject_id)])
            if (p.subject_kind, p.subject_id) in shapes else p for p in photos]


COLUMNS = ["parcel_id", "partnership", "status", "status_date", "evidence", "recorded_at",
           "recorded_by", "photos", "photos_outside"]


def write_json(rows: list[ParcelStatus], path: Path) -> None:
    data = {"parcels": [r.to_json() for r in rows],
            "photos": [p.to_json() for r in rows for p in r.photos],
            "distance_method": DISTANCE_METHOD}
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def write_csv(rows: list[ParcelStatus], path: Path) -> None:
    from landtool.io.cells import csv_text

    with open(path, "w", newline="", encoding="utf-8-sig") as fh:  # BOM: Excel reads UTF-8
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        for r in rows:
            d = r.to_json()
            d = {k: " ".join(map(str, v)) if isinstance(v, list) else v for k, v in d.items()}
            writer.writerow({k: csv_text(d.get(k)) for k in COLUMNS})
