"""The rehabilitation view: the parcels with their status, a status change (refused by the
transition rules, with the reason shown), the status chart per partnership, and the cost
estimate of the work that remains for a partnership or a selection of parcels.

The chart and the estimate are computed by ``landtool.rehab`` in a worker; selecting a parcel
highlights it on the map (as a conflict is).
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui import dialogs
from gui.i18n import Lang, format_ha, format_money, status_name, tr
from gui.photo_panel import ParcelPhotosPanel
from gui.state import AppState
from gui.style import PARCEL_COLORS
from gui.worker import TaskRunner
from landtool.check.result import Conflict
from landtool.errors import LandtoolError
from landtool.rehab.status import STATUSES, partnership_key

COLUMNS = ("parcel", "partnership", "status", "area", "since")
STATUS_COLOURS = PARCEL_COLORS  # as landtool.rehab.chart draws them
DEFAULT_RATES = "mn-illustrative-2026"


def chart_job(parcels, path: str, lang: str, progress=None):
    """Summarise ``parcels`` by partnership and draw the status chart to ``path`` (worker)."""
    from landtool.rehab.chart import status_chart
    from landtool.rehab.status import summarize

    table = summarize(parcels)
    status_chart(table, path, lang=lang)
    return path


def estimate_job(parcels, rates: str, dem: str | None, progress=None):
    """Quantities from the parcels (pit volumes from ``dem``), priced with ``rates`` (worker)."""
    from landtool.rehab.costs import estimate
    from landtool.rehab.quantities import parcel_quantities
    from landtool.rehab.rates import load_rates
    from landtool.rehab.status import check_history

    for row in parcels.drop(columns="geometry").to_dict("records"):
        check_history(row)
    if progress:
        progress("quantities")
    quantities = parcel_quantities(parcels, dem_path=dem)
    if progress:
        progress("prices")
    return estimate(quantities, load_rates(rates))


def _workspace_dem(ws) -> str | None:
    """The workspace's own DEM (``Workspace.dem()``), as every cost estimate uses."""
    dem = ws.dem() if ws is not None else None
    return str(dem) if dem is not None else None


class _ChartView(QLabel):
    """A picture scaled to the width available, keeping its proportions."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(200, 120)
        self._pixmap = QPixmap()

    def set_picture(self, pixmap: QPixmap) -> None:
        self._pixmap = pixmap
        self._fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if not self._pixmap.isNull():
            self.setPixmap(self._pixmap.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                               Qt.TransformationMode.SmoothTransformation))


class RehabPanel(QWidget):
    def __init__(self, state: AppState, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.state, self.runner = state, runner
        self._tmp = tempfile.TemporaryDirectory(prefix="landtool-chart-")  # removed at exit
        self.estimate = None  # the last landtool.rehab.costs.Estimate shown
        self.partnership_combo = QComboBox(self)
        self.change_button = QPushButton(self)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.chart = _ChartView(self)
        self.scope_combo = QComboBox(self)
        self.estimate_button = QPushButton(self)
        self.lines = QTreeWidget(self)
        self.lines.setColumnCount(4)
        self.lines.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.lines.header().setStretchLastSection(False)
        self.totals = QLabel(self)
        self.totals.setWordWrap(True)
        estimate_page = QWidget(self)
        row = QHBoxLayout()
        row.addWidget(self.scope_combo, 1)
        row.addWidget(self.estimate_button)
        page = QVBoxLayout(estimate_page)
        page.setContentsMargins(0, 4, 0, 0)
        page.addLayout(row)
        page.addWidget(self.lines, 1)
        page.addWidget(self.totals)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.chart, "")
        self.tabs.addTab(estimate_page, "")
        self.photos = ParcelPhotosPanel(state, runner, self)
        self.tabs.addTab(self.photos, "")
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(self.tabs)
        split.setSizes([300, 500])
        top = QHBoxLayout()
        top.addWidget(self.partnership_combo, 1)
        top.addWidget(self.change_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self.partnership_combo.currentIndexChanged.connect(lambda _i: self._fill_table())
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.change_button.clicked.connect(self.ask_status_change)
        self.estimate_button.clicked.connect(self.run_estimate)
        state.workspaceChanged.connect(self.refresh)
        state.parcelsChanged.connect(self.refresh)
        state.languageChanged.connect(lambda _lang: self.refresh())
        state.workspaceRenamed.connect(lambda _path: self._enable())
        self.refresh()

    @property
    def lang(self) -> Lang:
        return Lang(self.state.lang)

    # -- the parcels ------------------------------------------------------------------------
    def refresh(self) -> None:
        lang = self.lang
        self.change_button.setText(tr("rehab.change", lang))
        self._enable()
        self.estimate_button.setText(tr("rehab.estimate", lang))
        self.tabs.setTabText(0, tr("rehab.tab.chart", lang))
        self.tabs.setTabText(1, tr("rehab.tab.estimate", lang))
        self.tabs.setTabText(2, tr("rehab.tab.photos", lang))
        self.table.setHorizontalHeaderLabels([tr(f"rehab.col.{c}", lang) for c in COLUMNS])
        self.lines.setHeaderLabels([tr(f"rehab.lines.{c}", lang)
                                    for c in ("item", "quantity", "rate", "cost")])
        if not self.scope_combo.count():
            self.scope_combo.addItems(["", ""])
        for i, key in enumerate(("shown", "selected")):
            self.scope_combo.setItemText(i, tr(f"rehab.scope.{key}", lang))
            self.scope_combo.setItemData(i, key)
        current = self.partnership_combo.currentData()
        self.partnership_combo.blockSignals(True)
        self.partnership_combo.clear()
        self.partnership_combo.addItem(tr("rehab.all_partnerships", lang), None)
        parcels = self.state.parcels
        if parcels is not None and "partnership" in parcels.columns:
            names = {partnership_key(n): str(n).strip() for n in parcels["partnership"].dropna()}
            for key, name in sorted(names.items(), key=lambda kv: kv[1]):
                self.partnership_combo.addItem(name, key)
        self.partnership_combo.setCurrentIndex(max(0, self.partnership_combo.findData(current)))
        self.partnership_combo.blockSignals(False)
        self._fill_table()
        self.draw_chart()
        if self.estimate is not None:
            self._show_estimate(self.estimate)

    def _enable(self) -> None:
        self.change_button.setEnabled(not self.state.read_only)  # a viewer only reads

    def shown_parcels(self) -> pd.DataFrame | None:
        parcels = self.state.parcels
        key = self.partnership_combo.currentData()
        if parcels is None or key is None:
            return parcels
        return parcels[parcels["partnership"].map(partnership_key) == key]

    def _fill_table(self) -> None:
        from landtool.geodesy import areas_ha

        lang = self.lang
        parcels = self.shown_parcels()
        self.table.setSortingEnabled(False)
        self.table.setRowCount(0)
        if parcels is None:
            return
        hectares = areas_ha(parcels.geometry.to_numpy())
        from landtool.rehab.status import DATE_FIELDS

        for k, rec in enumerate(parcels.drop(columns="geometry").to_dict("records")):
            status = rec.get("status")
            since = rec.get(DATE_FIELDS.get(status, ""), "")
            values = [str(rec.get("parcel_id")), str(rec.get("partnership") or ""),
                      status_name(status, lang), format_ha(hectares[k], lang),
                      "" if since is None or pd.isna(since) else str(since)[:10]]
            self.table.insertRow(k)
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                if COLUMNS[col] == "area":
                    item.setData(Qt.ItemDataRole.UserRole, float(hectares[k]))
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                if COLUMNS[col] == "status":
                    item.setBackground(QBrush(QColor(STATUS_COLOURS.get(status, "#ffffff"))))
                    dark = status in ("disturbed", "accepted")
                    item.setForeground(QBrush(QColor("white" if dark else "black")))
                    item.setData(Qt.ItemDataRole.UserRole, STATUSES.index(status)
                                 if status in STATUSES else -1)
                self.table.setItem(k, col, item)
        self.table.setSortingEnabled(True)

    def selected_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [self.table.item(r, 0).text() for r in rows]

    def select_parcel(self, parcel_id: str) -> None:
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).text() == parcel_id:
                self.table.selectRow(r)
                return

    def _on_selection(self) -> None:
        ids = self.selected_ids()
        parcels = self.state.parcels
        self.photos.show_parcel(ids[0] if len(ids) == 1 else None)
        if len(ids) != 1 or parcels is None:
            return
        hit = parcels[parcels["parcel_id"].astype(str) == ids[0]]
        if len(hit):
            self.state.highlight(Conflict(self.state.parcels_layer, "rehab_parcels", ids[0],
                                          geometry=hit.geometry.iloc[0]))

    # -- status changes ---------------------------------------------------------------------
    def ask_status_change(self) -> None:
        ids = self.selected_ids()
        if len(ids) != 1:
            dialogs.show_message(self, tr("rehab.change", self.lang),
                                 tr("rehab.pick_one", self.lang))
            return
        parcels = self.state.parcels
        current = str(parcels.loc[parcels["parcel_id"].astype(str) == ids[0], "status"].iloc[0])
        evidence = self.photos.checked_ids() if self.photos.parcel_id == ids[0] else ()
        answer = dialogs.ask_status_change(self, ids[0], current, self.lang, evidence)
        if answer is not None:
            self.change_status(ids[0], *answer, evidence=evidence)

    def change_status(self, parcel_id: str, status: str, when: date,
                      evidence: tuple[int, ...] = ()) -> bool:
        """Apply a status change citing the photos ``evidence``; a refused one is shown as a
        dialog. True if applied."""
        try:
            self.state.change_parcel_status(parcel_id, status, when, evidence)
        except LandtoolError as exc:
            dialogs.show_error(self, tr("error.status", self.lang, id=parcel_id), exc,
                               self.lang)
            return False
        self.select_parcel(parcel_id)
        return True

    # -- chart and estimate (in a worker) ---------------------------------------------------
    def draw_chart(self) -> None:
        parcels = self.state.parcels
        if parcels is None or len(parcels) == 0:
            self.chart.clear()
            self.chart.setText(tr("rehab.no_parcels", self.lang))
            return
        path = str(Path(self._tmp.name) / f"chart-{self.lang}.png")
        self.runner.run(chart_job, parcels.copy(), path, str(self.lang), key="rehab-chart",
                        message=tr("busy.chart", self.lang),
                        on_done=lambda p: self.chart.set_picture(QPixmap(p)),
                        on_error=lambda exc: dialogs.show_error(
                            self, tr("error.chart", self.lang), exc, self.lang))

    def run_estimate(self) -> None:
        parcels = self.state.parcels
        if parcels is None:
            return
        if self.scope_combo.currentData() == "selected":
            chosen = parcels[parcels["parcel_id"].astype(str).isin(self.selected_ids())]
        else:
            chosen = self.shown_parcels()
        if len(chosen) == 0:
            dialogs.show_message(self, tr("rehab.estimate", self.lang),
                                 tr("rehab.nothing_chosen", self.lang))
            return
        ws = self.state.workspace
        try:
            dem = _workspace_dem(ws)
        except LandtoolError as exc:  # a shared workspace's server gone
            dialogs.show_error(self, tr("error.estimate", self.lang), exc, self.lang)
            return
        self.runner.run(estimate_job, chosen.copy(), DEFAULT_RATES, dem, key="rehab-estimate",
                        message=tr("busy.estimate", self.lang), on_done=self._show_estimate,
                        on_error=lambda exc: dialogs.show_error(
                            self, tr("error.estimate", self.lang), exc, self.lang))

    def _show_estimate(self, est) -> None:
        self.estimate = est
        lang, cur = self.lang, est.currency
        self.lines.clear()
        self.tabs.setCurrentIndex(1)

        def add(parent, label, quantity="", rate="", cost=None):
            item = QTreeWidgetItem([label, quantity, rate,
                                    "" if cost is None else format_money(cost, lang)])
            for col in (1, 2, 3):
                item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)
            (parent.addChild if parent is not None else self.lines.addTopLevelItem)(item)
            return item

        for p in est.parcels:
            q = p.q
            head = add(None, f"{q.parcel_id} · {status_name(q.status, lang)} · "
                       f"{format_ha(q.area_ha, lang)}", cost=p.direct)
            for ln in p.lines:
                add(head, tr(f"costtask.{ln.task}", lang), f"{ln.quantity:,.1f} {ln.unit}",
                    format_money(ln.rate, lang), ln.cost)
        for s in est.sites:
            add(None, tr("rehab.mobilisation", lang, site=s.site or ""), cost=s.direct)
        bold = add(None, tr("rehab.direct", lang), cost=est.direct)
        for x in est.indirect:
            add(None, f"{x.name} ({x.percent:g} %)", cost=x.cost)
        total = add(None, tr("rehab.total", lang, currency=cur), cost=est.total)
        add(None, tr("rehab.deposit", lang, percent=f"{est.deposit_percent:g}"),
            cost=est.deposit)
        for item in (bold, total):
            font = item.font(0)
            font.setBold(True)
            for col in range(4):
                item.setFont(col, font)
        r = est.rates
        notes = [tr("rehab.rates", lang, rates=f"{r.id} {r.version}", day=r.date.isoformat())]
        if r.illustrative:
            notes.append(f"<b>{tr('rehab.illustrative', lang)}</b>")
        notes += [f"<small>{w}</small>" for w in est.warnings[:3]]
        self.totals.setText("<br>".join(notes))
