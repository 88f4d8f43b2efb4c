"""The layer list: a visibility checkbox, a style swatch, the kind's name and the feature count."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from gui.i18n import Lang, format_int, kind_name, tr
from gui.layer_graphics import LayerGraphics
from gui.style import swatch

_NAME_ROLE = Qt.ItemDataRole.UserRole
_COUNT_ROLE = Qt.ItemDataRole.UserRole + 1


class LayerPanel(QWidget):
    """Lists the workspace's layers, top layer first, as they are drawn."""

    visibilityChanged = Signal(str, bool)  # layer name, visible

    def __init__(self, lang: str | Lang = Lang.EN, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lang = Lang(lang)
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels([tr("panel.layer", lang), tr("panel.features", lang)])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        self.tree.itemChanged.connect(self._on_item_changed)

    def set_layers(self, layers: Sequence[LayerGraphics]) -> None:
        """Show ``layers`` given in drawing order (bottom first); all start visible."""
        self.tree.blockSignals(True)
        self.tree.clear()
        for layer in reversed(layers):
            self.tree.addTopLevelItem(self._item(layer))
        self.tree.blockSignals(False)

    def _item(self, layer: LayerGraphics) -> QTreeWidgetItem:
        lang = self._lang
        title = kind_name(layer.kind, lang)
        if layer.name not in (layer.kind.id, *getattr(layer.kind, "aliases", ())):
            title += f" · {layer.name}"  # e.g. rivers and streams, both water lines
        if layer.synthetic:
            title += f" ({tr('panel.synthetic', lang)})"
        count = layer.record.feature_count
        item = QTreeWidgetItem([title, format_int(count, lang)])
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(0, Qt.CheckState.Checked)
        item.setIcon(0, swatch(layer.kind))
        item.setData(0, _NAME_ROLE, layer.name)
        item.setData(1, _COUNT_ROLE, count)
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setToolTip(0, title + "\n" + tr("panel.tooltip", lang, name=layer.name,
                                              source=layer.record.source,
                                              problems=len(layer.record.problems)))
        return item

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
