"""Importing a layer file: which kind of layer it is, its name in the workspace, and, when its
fields do not match the catalog, which of its fields holds each catalog field.

The window calls :func:`ask_import` and :func:`ask_mapping` (tests replace them); the automatic
matching shown first is the library's own (:func:`landtool.fields.resolve_mapping`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from gui.dialogs import ok_cancel
from gui.i18n import Lang, kind_name, tr
from gui.workspace_loader import FileSummary, import_layer, inspect_file
from landtool.catalog import LayerKind, catalog, get_kind
from landtool.errors import FieldMappingError
from landtool.fields import resolve_mapping

_NOT_MAPPED = ""


def layer_name_for(stem: str, taken: Iterable[str]) -> str:
    """A workspace layer name made from a file name (lower case, letters, digits and _)."""
    name = re.sub(r"[^a-z0-9_]+", "_", stem.lower()).strip("_") or "layer"
    if not name[0].isalpha():
        name = f"layer_{name}"
    name = name[:56]
    taken = set(taken)
    candidate, k = name, 2
    while candidate in taken:
        candidate, k = f"{name}_{k}", k + 1
    return candidate


def guess_kind(summary: FileSummary) -> str:
    """The kind whose id or aliases the file name contains, else the one of the right geometry
    whose fields the file matches best."""
    kinds = [k for k in catalog().values() if k.geometry.value == summary.geometry]
    stem = summary.path.stem.lower()
    for kind in kinds:
        if any(name in stem for name in (kind.id, *kind.aliases)):
            return kind.id
    if not kinds:
        return next(iter(catalog()))

    def score(kind: LayerKind) -> int:
        return len(resolve_mapping(kind, summary.columns, require=False))

    return max(kinds, key=score).id


class ImportLayerDialog(QDialog):
    """The kind, name and (optional) CRS of a file being imported."""

    def __init__(self, summary: FileSummary, taken: Iterable[str], lang: str | Lang,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("import.title", lang))
        self.kind_combo = QComboBox(self)
        kinds = sorted(catalog().values(), key=lambda k: kind_name(k, lang))
        for kind in kinds:
            self.kind_combo.addItem(kind_name(kind, lang), kind.id)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(guess_kind(summary)))
        self.name_edit = QLineEdit(layer_name_for(summary.path.stem, taken), self)
        self.crs_edit = QLineEdit(self)
        self.crs_edit.setPlaceholderText(tr("import.crs_placeholder", lang))
        about = QLabel(tr("import.about", lang, file=summary.path.name, count=summary.count,
                          fields=", ".join(summary.columns) or "—"), self)
        about.setWordWrap(True)
        form = QFormLayout()
        form.addRow(tr("import.kind", lang), self.kind_combo)
        form.addRow(tr("import.name", lang), self.name_edit)
        form.addRow(tr("import.crs", lang), self.crs_edit)
        buttons = ok_cancel(self)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def choice(self) -> tuple[str, str, str | None]:
        crs = self.crs_edit.text().strip() or None
        return self.kind_combo.currentData(), self.name_edit.text().strip(), crs


class FieldMappingDialog(QDialog):
    """One row per catalog field: which of the file's fields holds it (required ones first)."""

    def __init__(self, kind: LayerKind, columns: list[str], message: str,
                 initial: Mapping[str, str], lang: str | Lang,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("mapping.title", lang, kind=kind_name(kind, lang)))
        intro = QLabel(tr("mapping.intro", lang, message=message), self)
        intro.setWordWrap(True)
        form = QFormLayout()
        self.combos: dict[str, QComboBox] = {}
        fields = sorted(kind.fields, key=lambda f: not f.required)
        for f in fields:
            combo = QComboBox(self)
            combo.addItem(tr("mapping.none", lang), _NOT_MAPPED)
            for column in columns:
                combo.addItem(column, column)
            chosen = initial.get(f.name)
            if chosen is not None:
                combo.setCurrentIndex(max(0, combo.findData(chosen)))
            title = f.title_mn if Lang(lang) is Lang.MN else f.title_en
            star = " *" if f.required else ""
            form.addRow(f"{title} ({f.name}){star}", combo)
            self.combos[f.name] = combo
        note = QLabel(tr("mapping.required_note", lang), self)
        buttons = ok_cancel(self)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def mapping(self) -> dict[str, str]:
        """Catalog field -> the file's field, for every field given one."""
        return {name: combo.currentData() for name, combo in self.combos.items()
                if combo.currentData() != _NOT_MAPPED}


def ask_import(parent: QWidget | None, summary: FileSummary, taken: Iterable[str],
               lang: str | Lang) -> tuple[str, str, str | None] | None:
    """Ask what ``summary``'s file is; (kind, layer name, CRS or None), or None if cancelled."""
    dialog = ImportLayerDialog(summary, taken, lang, parent)
    return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None


def ask_mapping(parent: QWidget | None, kind_id: str, columns: list[str], message: str,
                lang: str | Lang) -> dict[str, str] | None:
    """Ask which field holds each catalog field; the mapping, or None if cancelled."""
    kind = get_kind(kind_id)
    initial = resolve_mapping(kind, columns, require=False)
    dialog = FieldMappingDialog(kind, columns, message, initial, lang, parent)
    return dialog.mapping() if dialog.exec() == QDialog.DialogCode.Accepted else None


class LayerImporter(QObject):
    """Adds a layer file to the window's workspace: reads it (worker), asks its kind and name,
    loads and stores it (worker), asks for a field mapping when the fields do not match the
    catalog and tries again, then shows the new layer. A file that cannot be read changes
    nothing; its error is shown. The import adds the layer to the workspace file and leaves
    the unsaved edits, and their undo history, as they are.
    """

    imported = Signal(object)  # gui.workspace_loader.ImportedLayer
    failed = Signal(object)  # the exception (shown already)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window, self.state, self.runner = window, window.state, window.runner

    @property
    def lang(self) -> Lang:
        return Lang(self.state.lang)

    def choose_file(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        settings = self.window.settings
        path, _ = QFileDialog.getOpenFileName(self.window, tr("dialog.import", self.lang),
                                              settings.last_dir("import"),
                                              tr("dialog.import_filter", self.lang))
        if path:
            settings.set_last_dir("import", path)
            self.import_file(path)

    def import_file(self, path: str | Path) -> bool:
        from gui import dialogs

        if self.state.workspace is None:
            dialogs.show_message(self.window, tr("dialog.import", self.lang),
                                 tr("import.no_workspace", self.lang))
            return False
        if not self.state.may_add_layers:  # the database would refuse (e.g. a file dropped)
            dialogs.show_message(self.window, tr("dialog.import", self.lang),
                                 tr("import.owner_only", self.lang))
            return False
        self.start(path)
        return True

    def start(self, path: str | Path) -> None:
        self.runner.run(inspect_file, Path(path), message=tr("busy.reading", self.lang),
                        on_done=self._ask, on_error=self._fail)

    def _fail(self, exc: BaseException) -> None:
        self.window.error("error.import", exc)
        self.failed.emit(exc)

    def _show(self, imported) -> None:
        """Show the new layer: the canvas gets the layer prepared in the worker, the model
        adds it (keeping the edits and their undo history)."""
        canvas = self.window.canvas
        canvas.add_layer(imported.graphics)
        self.state.add_layer(imported.name, imported.kind, imported.gdf)
        canvas.zoom_to_layer(imported.name)
        self.window.say(" · ".join(imported.report[:2]), 12000)
        self.imported.emit(imported)

    def _ask(self, summary: FileSummary) -> None:
        import gui.field_mapping_dialog as this  # looked up here, so tests can answer for it

        choice = this.ask_import(self.window, summary, self.state.layers, self.lang)
        if choice is not None:
            kind, name, crs = choice
            self._load(summary, kind, name, crs, None)

    def _load(self, summary: FileSummary, kind: str, name: str, crs: str | None,
              mapping: dict | None) -> None:
        def retry_or_fail(exc: BaseException) -> None:
            import gui.field_mapping_dialog as this

            if isinstance(exc, FieldMappingError):
                from gui.dialogs import error_text

                chosen = this.ask_mapping(self.window, kind, summary.columns,
                                          error_text(exc, self.lang), self.lang)
                if chosen is not None:
                    self._load(summary, kind, name, crs, chosen)
                    return
            self._fail(exc)

        self.runner.run(import_layer, self.state.workspace.path, summary.path, kind, name,
                        mapping=mapping, crs=crs, message=tr("busy.importing", self.lang),
                        on_done=self._show, on_error=retry_or_fail)
