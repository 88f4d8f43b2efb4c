"""The requests table: id, applicant, submission time, queue number, area and verdict, sorted
by any column and filtered by text and verdict. Selecting a row selects the request in the
state (the window zooms to it); a request selected elsewhere is selected here too.
"""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui.check_panel import status_icon
from gui.i18n import Lang, format_ha, tr
from gui.state import AppState
from landtool.register import decision_name

SORT_ROLE = Qt.ItemDataRole.UserRole
ID_ROLE = Qt.ItemDataRole.UserRole + 1
VERDICT_ROLE = Qt.ItemDataRole.UserRole + 2
COLUMNS = ("id", "applicant", "submitted", "queue", "area", "eligible", "decision")
FILTERS = ("all", "eligible", "refused", "unchecked")


def _text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


class RequestsModel(QAbstractTableModel):
    """One row per request of the state, with its current check result."""

    def __init__(self, state: AppState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._rows: list[dict] = []
        for signal in (state.workspaceChanged, state.requestsChanged, state.resultsChanged,
                       state.decisionsChanged):
            signal.connect(self.refresh)
        state.languageChanged.connect(lambda _lang: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        self._rows = []
        for rec in self.state.requests.drop(columns="geometry").to_dict("records"):
            rid = _text(rec.get("request_id"))
            result = self.state.results.get(rid)
            queue = rec.get("queue_no")
            queue = None if queue is None or pd.isna(queue) else int(queue)
            if result is None:
                verdict = "unchecked"
            else:
                verdict = "eligible" if result.eligible else "refused"
            self._rows.append({
                "id": rid, "applicant": _text(rec.get("applicant")),
                "submitted": _text(rec.get("submitted_at")), "queue": queue,
                "area": None if result is None else result.area_ha,
                "eligible_area": None if result is None else result.eligible_area_ha,
                "verdict": verdict, "status": None if result is None else result.status,
                "incomplete": bool(result is not None and result.not_checked),
                "decision": self.state.latest_decision(rid)})
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return tr(f"requests.col.{COLUMNS[section]}", self.state.lang)
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = self._rows[index.row()], COLUMNS[index.column()]
        lang = self.state.lang
        if role == ID_ROLE:
            return row["id"]
        if role == VERDICT_ROLE:
            return row["verdict"]
        if role == SORT_ROLE:
            value = row["verdict"] if column == "eligible" else row[column]
            if column == "decision":
                value = None if value is None else value.seq
            return -1 if value is None else value
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "submitted":
                return row["submitted"][:16].replace("T", " ")
            if column == "queue":
                return "" if row["queue"] is None else str(row["queue"])
            if column == "area":
                return "" if row["area"] is None else format_ha(row["area"], lang)
            if column == "eligible":
                text = tr(f"requests.verdict.{row['verdict']}", lang)
                if row["verdict"] == "eligible":
                    text += " · " + format_ha(row["eligible_area"], lang)
                return text + ("*" if row["incomplete"] else "")
            if column == "decision":
                d = row["decision"]
                return "" if d is None else decision_name(d.action, lang)
            return row[column]
        if role == Qt.ItemDataRole.DecorationRole and column == "eligible" and row["status"]:
            return status_icon("fail" if row["verdict"] == "refused" else row["status"])
        if role == Qt.ItemDataRole.TextAlignmentRole and column in ("queue", "area"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and row["incomplete"]:
            return tr("requests.incomplete", lang)
        return None

    def row_of(self, request_id: str) -> int:
        for k, row in enumerate(self._rows):
            if row["id"] == request_id:
                return k
        return -1


class RequestsFilter(QSortFilterProxyModel):
    """Rows whose id or applicant contains the text, with the chosen verdict."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.text, self.verdict = "", "all"
        self.setSortRole(SORT_ROLE)

    def set_filter(self, text: str | None = None, verdict: str | None = None) -> None:
        modern = hasattr(self, "beginFilterChange")  # Qt 6.10; invalidate* before
        if modern:
            self.beginFilterChange()
        self.text = self.text if text is None else text.strip().casefold()
        self.verdict = self.verdict if verdict is None else verdict
        if modern:
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        model = self.sourceModel()
        row = model._rows[source_row]
        if self.verdict != "all" and row["verdict"] != self.verdict:
            return False
        return not self.text or self.text in f"{row['id']} {row['applicant']}".casefold()


class RequestsPanel(QWidget):
    """The table with its search box and verdict filter."""

    requestChosen = Signal(str)  # the user selected a request in the table

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.model = RequestsModel(state, self)
        self.proxy = RequestsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COLUMNS.index("queue"), Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS.index("applicant"), QHeaderView.ResizeMode.Stretch)
        # the decision column shows once the log holds a decision about some request (until
        # then it would only take room from the applicant's name)
        self.model.modelReset.connect(self._show_decisions)
        self._show_decisions()
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.verdict_combo = QComboBox(self)
        for key in FILTERS:
            self.verdict_combo.addItem("", key)
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.verdict_combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        self.search.textChanged.connect(lambda text: self.proxy.set_filter(text=text))
        self.verdict_combo.currentIndexChanged.connect(
            lambda _i: self.proxy.set_filter(verdict=self.verdict_combo.currentData()))
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection)
        self.model.modelReset.connect(self._show_selected)
        state.selectionChanged.connect(lambda _rid: self._show_selected())
        state.languageChanged.connect(self.retranslate)
        self.retranslate()

    def retranslate(self, _lang: str | None = None) -> None:
        lang = Lang(self.state.lang)
        self.search.setPlaceholderText(tr("requests.search", lang))
        for i, key in enumerate(FILTERS):
            self.verdict_combo.setItemText(i, tr(f"requests.filter.{key}", lang))

    def row_of(self, request_id: str) -> int:
        """The table row (after sorting and filtering) of a request; -1 if not shown."""
        source = self.model.row_of(request_id)
        if source < 0:
            return -1
        return self.proxy.mapFromSource(self.model.index(source, 0)).row()

    def _show_decisions(self) -> None:
        decided = any(row["decision"] is not None for row in self.model._rows)
        self.table.setColumnHidden(COLUMNS.index("decision"), not decided)

    def shown_ids(self) -> list[str]:
        return [self.proxy.index(r, 0).data(ID_ROLE) for r in range(self.proxy.rowCount())]

    def _on_table_selection(self, *_args) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            rid = rows[0].data(ID_ROLE)
            self.state.select(rid)
            self.requestChosen.emit(rid)

    def _show_selected(self) -> None:
        rid = self.state.selected
        row = self.row_of(rid) if rid is not None else -1
        selection = self.table.selectionModel()
        selection.blockSignals(True)
        if row < 0:
            self.table.clearSelection()
        else:
            self.table.selectRow(row)
            self.table.scrollTo(self.proxy.index(row, 0))
        selection.blockSignals(False)
        self.table.viewport().update()
