"""File ▸ Export as GPX…: a polygon as GPX waypoints (one per corner, named by its number) and a
route, so that a partnership can load it into a handheld receiver and stake the corners.

What can be written depends on what is selected: the selected request as drawn (unsaved edits
included), its eligible part from the live check, or the parcels selected in the
rehabilitation view. The file is written whole or not at all by
:func:`landtool.io.gpx_write.write_gpx`.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from gui.i18n import tr
from gui.state import AppState


def gpx_choices(state: AppState, parcel_ids: list[str]) -> list[tuple[str, gpd.GeoDataFrame]]:
    """What can be written as GPX now: ``(label, polygons)`` pairs, in the order offered.

    The selected request (its current geometry), its eligible part when the check found one,
    and the parcels ``parcel_ids`` of the rehabilitation view.
    """
    lang, out = state.lang, []
    rid = state.selected
    if rid is not None and state.requests_layer is not None:
        geom = state.row(rid).geometry
        if geom is not None and not geom.is_empty:
            out.append((tr("gpx.request", lang, id=rid),
                        gpd.GeoDataFrame({"request_id": [rid]}, geometry=[geom], crs=4326)))
        result = state.results.get(rid)
        part = None if result is None else result.eligible_part
        if part is not None and not part.is_empty and part.geom_type.endswith("Polygon"):
            out.append((tr("gpx.eligible", lang, id=rid, ha=f"{result.eligible_area_ha:.2f}"),
                        gpd.GeoDataFrame({"request_id": [f"{rid} eligible"]}, geometry=[part],
                                         crs=4326)))
    parcels = state.parcels
    if parcels is not None and parcel_ids:
        chosen = parcels[parcels["parcel_id"].astype(str).isin(parcel_ids)]
        chosen = chosen[~chosen.geometry.is_empty & chosen.geometry.notna()]
        if len(chosen):
            out.append((tr("gpx.parcels", lang, n=len(chosen)),
                        gpd.GeoDataFrame({"parcel_id": chosen["parcel_id"].astype(str).values},
                                         geometry=chosen.geometry.values, crs=parcels.crs)))
    return out


def export_gpx(window, path: str | Path | None = None, choice: int | None = None) -> Path | None:
    """Ask what to write and where (unless given), write it, and say so in the status bar;
    returns the file written, or None when there was nothing to write or the user cancelled."""
    from landtool.errors import LandtoolError
    from landtool.io.gpx_write import write_gpx

    state, lang = window.state, window.lang
    choices = gpx_choices(state, window.rehab_panel.selected_ids())
    if not choices:
        QMessageBox.information(window, tr("gpx.title", lang), tr("gpx.nothing", lang))
        return None
    if choice is None:
        labels = [label for label, _ in choices]
        label, ok = QInputDialog.getItem(window, tr("gpx.title", lang), tr("gpx.what", lang),
                                         labels, 0, False)
        if not ok:
            return None
        choice = labels.index(label)
    label, gdf = choices[choice]
    if path is None:
        name = "".join(c if c.isalnum() or c in "-_" else "_" for c in str(gdf.iloc[0, 0]))
        path, _ = QFileDialog.getSaveFileName(window, tr("gpx.title", lang),
                                              str(Path.home() / f"{name}.gpx"),
                                              "GPX (*.gpx)")
        if not path:
            return None
    path = Path(path)
    if path.suffix.lower() != ".gpx":
        path = path.with_suffix(path.suffix + ".gpx")
    try:
        write_gpx(gdf, path)
    except (LandtoolError, OSError) as exc:
        window.error("error.export", exc)
        return None
    corners = sum(len(p.exterior.coords) - 1 for g in gdf.geometry
                  for p in getattr(g, "geoms", [g]))
    window.say(tr("gpx.written", lang, path=str(path), n=corners))
    return path
