"""Check results kept in the workspace (``landtool check --save``), so that later steps (the
submission package, the register) use the check that was actually run, with its ruleset,
version and date, rather than re-running it silently."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import shapely

from landtool.check.result import CheckReport
from landtool.errors import CheckError
from landtool.workspace import Workspace


@dataclass(frozen=True)
class StoredCheck:
    """One request's saved check: the report's JSON for it, and its geometries."""

    request_id: str
    checked_at: str
    report: dict  # {"ruleset", "as_of", "area_method", "distance_method", "notes", "request"}
    request_geometry: shapely.Geometry
    eligible_part: shapely.Geometry

    @property
    def result(self) -> dict:
        return self.report["request"]

    def is_of(self, geometry: shapely.Geometry) -> bool:
        """True if this check was run on ``geometry``: a request changed since its check is
        not what the check describes."""
        return same_shape(geometry, self.request_geometry)


def same_shape(a: shapely.Geometry | None, b: shapely.Geometry | None) -> bool:
    """True if ``a`` and ``b`` are the same shape, whatever the order of their corners (to
    1e-9 degrees, about 0.1 mm)."""
    if a is None or b is None:
        return False
    return bool(shapely.equals_exact(shapely.normalize(a), shapely.normalize(b),
                                     tolerance=1e-9))


def report_rows(report: CheckReport) -> list[dict]:
    """One row per request, as stored in the workspace's ``landtool_checks`` table."""
    head = report.to_json()
    head.pop("requests")
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    rows = []
    for r in report.requests:
        rows.append({
            "request_id": r.id,
            "ruleset": report.ruleset.id,
            "ruleset_version": report.ruleset.version,
            "as_of": report.as_of.isoformat(),
            "checked_at": now,
            "eligible": int(r.eligible),
            "status": r.status,
            "area_ha": r.area_ha,
            "eligible_area_ha": r.eligible_area_ha,
            "report_json": json.dumps({**head, "request": r.to_json()}, ensure_ascii=False),
            "request_wkt": shapely.to_wkt(r.geometry, rounding_precision=-1),
            "eligible_wkt": shapely.to_wkt(r.eligible_part, rounding_precision=-1),
        })
    return rows


def save_report(ws: Workspace, report: CheckReport, *, log: bool = False,
                user: str | None = None) -> None:
    """Keep the report's results in the workspace; with ``log``, also one 'checked' entry per
    request in the decisions log, written in the same save (both land, or neither)."""
    from landtool.workspace import decisions

    then = None
    if log:
        rs = (report.ruleset.id, report.ruleset.version)
        entries = [("checked", r.id,
                    {"ruleset": rs[0], "version": rs[1], "as_of": report.as_of.isoformat(),
                     "eligible": r.eligible, "eligible_area_ha": round(r.eligible_area_ha, 4)},
                    decisions.inputs_hash(r.geometry, rs)) for r in report.requests]

        def then(tx):
            decisions.append_many(tx, entries, user=user)

    ws.save_checks(report_rows(report), then=then)


def stored_check(ws: Workspace, request_id: str) -> StoredCheck:
    """The saved check of ``request_id``, or CheckError saying to run the check."""
    table = ws.checks()
    rows = None if table is None else table[table["request_id"] == request_id]
    if rows is None or rows.empty:
        raise CheckError(
            f"request {request_id!r} has no check result in the workspace yet",
            path=ws.path,
            hint=f"run `landtool check requests --workspace {ws.path} --save` first",
        )
    row = rows.iloc[-1]
    return StoredCheck(str(row["request_id"]), str(row["checked_at"]),
                       json.loads(row["report_json"]), shapely.from_wkt(row["request_wkt"]),
                       shapely.from_wkt(row["eligible_wkt"]))
