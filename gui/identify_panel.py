"""Identify: the features under a click on the map, top layer first, with their attributes.

The window calls :meth:`IdentifyPanel.identify` with the clicked position, a tolerance in
degrees (a few pixels at the current zoom) and the visible layers in drawing order, top first.
"""

from __future__ import annotations

import math

import pandas as pd
import shapely
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from gui.coords import format_position
from gui.i18n import Lang, kind_name, tr
from gui.state import AppState
from landtool.catalog import get_kind

#: At most this many features of one layer are listed (a click on a national layer).
MAX_PER_LAYER = 20
FEATURE_ROLE = Qt.ItemDataRole.UserRole  # (layer name, feature id)


def _value_text(value) -> str:
    if value is None or (not isinstance(value, (str, list, dict)) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    return str(value)


def features_at(gdf, lon: float, lat: float, tolerance_deg: float):
    """Rows of ``gdf`` within ``tolerance_deg`` of the point (polygons: containing it)."""
    if len(gdf) == 0:
        return gdf
    point = shapely.Point(lon, lat)
    # a degree of longitude is shorter than one of latitude: widen the box east-west
    cos = max(math.cos(math.radians(lat)), 0.1)
    box = shapely.box(lon - tolerance_deg / cos, lat - tolerance_deg,
                      lon + tolerance_deg / cos, lat + tolerance_deg)
    hits = gdf.iloc[gdf.sindex.query(box, predicate="intersects")]
    polygons = hits.geometry.geom_type.isin(["Polygon", "MultiPolygon"])
    inside = hits.geometry.intersects(point)
    return hits[~polygons | inside]


class IdentifyPanel(QWidget):
    """Lists what was found; emits the request or parcel clicked, for the window to select."""

    requestClicked = Signal(str)
    parcelClicked = Signal(str)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.where = QLabel(self)
        self.where.setWordWrap(True)
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(2)
        self.tree.setAlternatingRowColors(True)
        self.tree.setColumnWidth(0, 160)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.where)
        layout.addWidget(self.tree, 1)
        self._last: tuple | None = None
        state.languageChanged.connect(lambda _lang: self._redo())
        state.workspaceChanged.connect(self.clear)
        self.clear()

    def clear(self) -> None:
        self._last = None
        lang = Lang(self.state.lang)
        self.tree.clear()
        self.tree.setHeaderLabels([tr("identify.col.field", lang), tr("identify.col.value", lang)])
        self.where.setText(tr("identify.hint", lang))

    def _redo(self) -> None:
        if self._last is None:
            self.clear()
        else:
            self.identify(*self._last)

    def identify(self, lon: float, lat: float, tolerance_deg: float,
                 layers: list[str]) -> dict[str, list[str]]:
        """List the features of ``layers`` (top first) at the position; returns the ids found
        per layer."""
        self._last = (lon, lat, tolerance_deg, layers)
        lang = Lang(self.state.lang)
        self.tree.clear()
        self.tree.setHeaderLabels([tr("identify.col.field", lang), tr("identify.col.value", lang)])
        found: dict[str, list[str]] = {}
        for name in layers:
            gdf = self.state.layers.get(name)
            if gdf is None:
                continue
            hits = features_at(gdf, lon, lat, tolerance_deg)
            if len(hits) == 0:
                continue
            kind = get_kind(self.state.kinds[name])
            layer_item = QTreeWidgetItem([f"{kind_name(kind, lang)} · {name}",
                                          tr("identify.count", lang, n=len(hits))])
            font = layer_item.font(0)
            font.setBold(True)
            layer_item.setFont(0, font)
            self.tree.addTopLevelItem(layer_item)
            ids = []
            for k, (_, row) in enumerate(hits.head(MAX_PER_LAYER).iterrows()):
                fid = _value_text(row.get(kind.id_field)) or f"#{k + 1}"
                ids.append(fid)
                feature = QTreeWidgetItem([fid, _value_text(row.get(kind.label_field))])
                feature.setData(0, FEATURE_ROLE, (name, fid))
                for column, value in row.drop(labels="geometry").items():
                    title = column
                    if column in {f.name for f in kind.fields}:
                        f = kind.field(column)
                        title = f.title_mn if lang is Lang.MN else f.title_en
                    child = QTreeWidgetItem([title, _value_text(value)])
                    child.setToolTip(0, column)
                    child.setToolTip(1, _value_text(value))
                    feature.addChild(child)
                layer_item.addChild(feature)
                feature.setExpanded(not found and k == 0)
            layer_item.setExpanded(True)
            found[name] = ids
        where = format_position(lon, lat, lang)
        self.where.setText(where if found else f"{where}\n{tr('identify.nothing', lang)}")
        for name, ids in found.items():
            kind = self.state.kinds.get(name)
            if kind == "requests" and ids:
                self.requestClicked.emit(ids[0])
                break
            if kind == "rehab_parcels" and ids:
                self.parcelClicked.emit(ids[0])
                break
        return found
