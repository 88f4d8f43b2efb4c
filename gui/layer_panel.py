"""The layer list: every layer of the workspace with a visibility box, its style swatch, the
kind's name and the feature count, top layer first as drawn. Drag a layer, or use the arrows,
to change the drawing order; double-click to zoom to it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QStyle,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.i18n import Lang, format_int, kind_name, tr
from gui.state import AppState
from gui.style import merge_order
from landtool.catalog import get_kind

_NAME_ROLE = Qt.ItemDataRole.UserRole
_COUNT_ROLE = Qt.ItemDataRole.UserRole + 1


def _draw_rank(kind):
    try:
        from gui.style import draw_rank
    except ImportError:  # the style module is being reworked: keep the workspace's order
        return (0,)
    return draw_rank(kind)


def _swatch(kind):
    try:
        from gui.style import swatch
    except ImportError:
        return None
    return swatch(kind)


def _is_synthetic(source: str, gdf) -> bool:
    """Generated demonstration data: its source says so, or a true ``synthetic`` column."""
    if "synthetic" in source.lower():
        return True
    return "synthetic" in gdf.columns and bool(gdf["synthetic"].fillna(False).astype(bool).any())


class _LayerTree(QTreeWidget):
    moved = Signal()

    def dropEvent(self, event) -> None:
        super().dropEvent(event)
        self.moved.emit()


class LayerPanel(QWidget):
    """Lists the state's layers; emits what the user changes for the canvas to follow."""

    visibilityChanged = Signal(str, bool)  # layer name, visible
    orderChanged = Signal(list)  # layer names, top first
    zoomRequested = Signal(str)  # layer name

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._session_order: list[str] = []  # the order the user chose (top first), by name
        self.tree = _LayerTree(self)
        self.tree.setColumnCount(2)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.up_button = QToolButton(self)
        self.up_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowUp))
        self.down_button = QToolButton(self)
        self.down_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowDown))
        buttons = QHBoxLayout()
        buttons.addWidget(self.up_button)
        buttons.addWidget(self.down_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        layout.addLayout(buttons)
        self.tree.itemChanged.connect(self._on_item_changed)
        self.tree.itemDoubleClicked.connect(
            lambda item, _col: self.zoomRequested.emit(item.data(0, _NAME_ROLE)))
        self.tree.moved.connect(self._order_chosen)
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button.clicked.connect(lambda: self.move_current(1))
        state.workspaceChanged.connect(lambda: self.rebuild(keep=False))
        state.layerAdded.connect(lambda _name: self.rebuild())
        state.requestsChanged.connect(self.update_counts)
        state.parcelsChanged.connect(self.update_counts)
        state.languageChanged.connect(lambda _lang: self.rebuild())
        self.rebuild()

    @property
    def lang(self) -> Lang:
        return Lang(self.state.lang)

    # -- building -----------------------------------------------------------------------------
    def rebuild(self, keep: bool = True) -> None:
        """List the state's layers; ``keep`` the visibility the user chose. The order is the
        one the user chose this session (:meth:`move_current`, a drag), a layer not placed
        yet going where its kind is drawn."""
        lang = self.lang
        self.up_button.setToolTip(tr("layers.up", lang))
        self.down_button.setToolTip(tr("layers.down", lang))
        self.tree.setHeaderLabels([tr("panel.layer", lang), tr("panel.features", lang)])
        previous = self.layer_names() if keep else []
        hidden = {n for n in previous if not self.is_checked(n)}
        names = list(self.state.layers)
        order = merge_order(self._session_order or previous, names,
                            lambda n: _draw_rank(get_kind(self.state.kinds[n])))
        self.tree.blockSignals(True)
        self.tree.clear()
        for name in order:
            self.tree.addTopLevelItem(self._item(name, name not in hidden))
        self.tree.blockSignals(False)

    def _item(self, name: str, visible: bool) -> QTreeWidgetItem:
        lang, state = self.lang, self.state
        kind = get_kind(state.kinds[name])
        gdf = state.layers[name]
        record = state.workspace.record(name) if state.workspace is not None else None
        source = record.source if record is not None else ""
        title = kind_name(kind, lang)
        if name not in (kind.id, *kind.aliases):
            title += f" · {name}"  # e.g. rivers and streams, both water lines
        if _is_synthetic(source, gdf):
            title += f" ({tr('panel.synthetic', lang)})"
        item = QTreeWidgetItem([title, format_int(len(gdf), lang)])
        flags = (item.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsDragEnabled)
        item.setFlags(flags & ~Qt.ItemFlag.ItemIsDropEnabled)  # no layer inside another
        item.setCheckState(0, Qt.CheckState.Checked if visible else Qt.CheckState.Unchecked)
        icon = _swatch(kind)
        if icon is not None:
            item.setIcon(0, icon)
        item.setData(0, _NAME_ROLE, name)
        item.setData(1, _COUNT_ROLE, len(gdf))
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        problems = len(record.problems) if record is not None else 0
        item.setToolTip(0, title + "\n" + tr("panel.tooltip", lang, name=name, source=source,
                                              problems=problems))
        return item

    def update_counts(self) -> None:
        for name in self.layer_names():
            if name in self.state.layers:
                count = len(self.state.layers[name])
                item = self.item_for(name)
                item.setData(1, _COUNT_ROLE, count)
                item.setText(1, format_int(count, self.lang))
        if set(self.layer_names()) != set(self.state.layers):  # a requests layer was created
            self.rebuild()

    def set_reorderable(self, allowed: bool) -> None:
        """Whether the user may change the order (the canvas may draw by kind only)."""
        self.up_button.setVisible(allowed)
        self.down_button.setVisible(allowed)
        mode = QAbstractItemView.DragDropMode
        self.tree.setDragDropMode(mode.InternalMove if allowed else mode.NoDragDrop)

    # -- order ------------------------------------------------------------------------------
    def move_current(self, step: int) -> None:
        """Move the current layer up (-1) or down (+1) the list."""
        item = self.tree.currentItem()
        if item is None:
            return
        row = self.tree.indexOfTopLevelItem(item)
        target = row + step
        if not 0 <= target < self.tree.topLevelItemCount():
            return
        self.tree.blockSignals(True)
        self.tree.takeTopLevelItem(row)
        self.tree.insertTopLevelItem(target, item)
        self.tree.blockSignals(False)
        self.tree.setCurrentItem(item)
        self._order_chosen()

    def _order_chosen(self) -> None:
        names = self.layer_names()
        self._session_order = names + [n for n in self._session_order if n not in names]
        self.orderChanged.emit(names)

    # -- queries (used by the window and the tests) ---------------------------------------
    def layer_names(self) -> list[str]:
        """Layer names as listed, top first."""
        return [self.tree.topLevelItem(i).data(0, _NAME_ROLE)
                for i in range(self.tree.topLevelItemCount())]

    def item_for(self, name: str) -> QTreeWidgetItem:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.data(0, _NAME_ROLE) == name:
                return item
        raise KeyError(name)

    def count_of(self, name: str) -> int:
        return int(self.item_for(name).data(1, _COUNT_ROLE))

    def is_checked(self, name: str) -> bool:
        return self.item_for(name).checkState(0) == Qt.CheckState.Checked

    def set_checked(self, name: str, checked: bool) -> None:
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        self.item_for(name).setCheckState(0, state)  # emits visibilityChanged

    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if column == 0:
            visible = item.checkState(0) == Qt.CheckState.Checked
            self.visibilityChanged.emit(item.data(0, _NAME_ROLE), visible)
