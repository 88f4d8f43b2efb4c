"""Write a check report as a GeoPackage that opens styled in QGIS.

Layers: ``request_status`` (one row per request, coloured by its overall status),
``check_results`` (one row per request × rule; its geometry is the part of the request in
conflict: the overlap, the part inside a water zone, the part outside the conclusions) and
``eligible_parts``. Each carries the ruleset, its version and status (``released`` or
``draft``), the check date and the area method.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

from landtool.check.result import CheckReport
from landtool.io.formats import atomic_path
from landtool.validate import polygonal

STYLES = {"request_status": "check_results", "check_results": "conflicts",
          "eligible_parts": "eligible_part"}


def _stamp(report: CheckReport) -> dict:
    rs = report.ruleset
    return {"ruleset": rs.id, "ruleset_version": rs.version, "ruleset_status": rs.status,
            "as_of": report.as_of.isoformat(), "area_method": report.area_method}


def report_layers(report: CheckReport) -> dict[str, gpd.GeoDataFrame]:
    """The three output layers as GeoDataFrames (EPSG:4326)."""
    stamp = _stamp(report)
    status_rows, rule_rows, part_rows = [], [], []
    for r in report.requests:
        failing = [x.rule for x in r.results if x.status in ("fail", "warn")]
        status_rows.append({"request_id": r.id, "applicant": r.applicant, "status": r.status,
                            "eligible": r.eligible, "area_ha": r.area_ha,
                            "eligible_area_ha": r.eligible_area_ha,
                            "rules_failed_or_warned": ", ".join(failing), **stamp,
                            "geometry": r.geometry})
        part_rows.append({"request_id": r.id, "eligible": r.eligible,
                          "eligible_area_ha": r.eligible_area_ha, **stamp,
                          "geometry": r.eligible_part if not r.eligible_part.is_empty else None})
        for x in r.results:
            geoms = [c.geometry for c in x.conflicts if c.geometry is not None]
            rule_rows.append({
                "request_id": r.id, "rule": x.rule, "rule_type": x.type, "status": x.status,
                "severity": x.severity, "confidence": x.confidence, "source": x.source,
                "message_en": x.message_en, "message_mn": x.message_mn,
                "conflicts": "; ".join(_conflict_text(c) for c in x.conflicts),
                "n_conflicts": len(x.conflicts), **stamp,
                "geometry": shapely.union_all(geoms) if geoms else None,
            })
    return {
        "request_status": gpd.GeoDataFrame(status_rows, geometry="geometry", crs=4326),
        "check_results": gpd.GeoDataFrame(rule_rows, geometry="geometry", crs=4326),
        "eligible_parts": gpd.GeoDataFrame(part_rows, geometry="geometry", crs=4326),
    }


def _multi(geom):
    """The geometry's polygonal parts as a MultiPolygon (one geometry type per layer)."""
    poly = polygonal(geom)
    if poly is None or poly.is_empty:
        return None
    return shapely.MultiPolygon([poly]) if poly.geom_type == "Polygon" else poly


def write_report_gpkg(report: CheckReport, path: str | Path, *, atomic: bool = True) -> None:
    """Write the report's layers, with their QGIS styles, to a new GeoPackage: atomically,
    unless the caller is already writing to a temporary path (``atomic=False``)."""
    if atomic:
        with atomic_path(Path(path)) as tmp:
            _write_layers(report, tmp)
    else:
        _write_layers(report, Path(path))


def _write_layers(report: CheckReport, path: Path) -> None:
    write_layers(report_layers(report), path, styles=STYLES,
                 description=f"landtool {report.ruleset.label()}")


def write_layers(layers: dict[str, gpd.GeoDataFrame], path: str | Path, *,
                 styles: dict[str, str] | None = None, description: str = "") -> None:
    """Polygon layers (EPSG:4326) into one GeoPackage as MultiPolygons, each with its QGIS
    style from ``layers/styles`` where ``styles`` names one. Not atomic: give a temporary
    path (the callers do)."""
    from landtool.check.qgis_style import load_style, write_layer_style

    for name, gdf in layers.items():
        gdf = gdf.set_geometry(gdf.geometry.apply(_multi))
        pyogrio.write_dataframe(gdf, path, layer=name, driver="GPKG",
                                geometry_type="MultiPolygon")
        if styles and name in styles:
            write_layer_style(path, name, load_style(styles[name]), description=description)


def request_rows(report: CheckReport) -> gpd.GeoDataFrame:
    """One row per request: its verdict, areas, the rules it failed, warned on or could not
    run, its conflicts in words, the check's stamp, the request (``geometry``) and its
    eligible part (``eligible_part``, a second geometry column)."""
    stamp = _stamp(report)
    rows, parts = [], []
    for r in report.requests:
        by = {"fail": [], "warn": []}
        conflicts = []
        for x in r.results:
            if x.status in by:
                by[x.status].append(x.rule)
            conflicts += [f"{x.rule} {_conflict_text(c)}" for c in x.conflicts]
        rows.append({"request_id": r.id, "applicant": r.applicant,
                     "submitted_at": r.submitted_at, "queue_no": r.queue_no,
                     "status": r.status, "eligible": r.eligible,
                     "incomplete": bool(r.not_checked), "area_ha": r.area_ha,
                     "eligible_area_ha": r.eligible_area_ha,
                     "rules_failed": ", ".join(by["fail"]), "rules_warned": ", ".join(by["warn"]),
                     "not_checked": ", ".join(r.not_checked), "n_conflicts": len(conflicts),
                     "conflicts": "; ".join(conflicts), **stamp})
        parts.append(_multi(r.eligible_part))
    gdf = gpd.GeoDataFrame(rows, geometry=[r.geometry for r in report.requests], crs=4326)
    gdf["queue_no"] = gdf["queue_no"].astype("Int64")
    gdf["eligible_part"] = gpd.GeoSeries(parts, crs=4326)
    return gdf


def _conflict_text(c) -> str:
    return (f"{c.layer}:{c.feature_id}"
            + (f" {c.overlap_ha:.4f} ha" if c.overlap_ha is not None else "")
            + (f" {c.distance_m:.1f} m" if c.distance_m is not None else ""))


def write_report_parquet(report: CheckReport, path: str | Path) -> None:
    """Write one row per request (:func:`request_rows`) as GeoParquet 1.1 (WKB geometries in
    EPSG:4326, with a bounding-box column for spatial filtering), readable by geopandas, GDAL
    and DuckDB. The caller makes it atomic (the CLI writes to a temporary path)."""
    gdf = request_rows(report)
    gdf.to_parquet(path, index=False, compression="zstd", schema_version="1.1.0",
                   write_covering_bbox=True)
