"""Exporting a request: its map (printed PDF or PNG on A4 or A3, or an interactive HTML map)
or its submission package (a folder and a zip for the Khural, its printed map on A4 or A3),
in Mongolian or English. Cancelling a package export stops it between its steps, with nothing
written.

:class:`ExportDialog` gathers the options; :func:`run_export` does the work in a worker thread
through ``landtool.export.package`` (``write_map``, ``build_package``), which writes every
file whole or not at all. Exports use the workspace as saved, with the check saved in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.dialogs import ok_cancel
from gui.i18n import Lang, tr
from gui.state import AppState

ExportKind = Literal["map", "package"]
FORMATS = ("pdf", "png", "html")
PAPERS = ("a4", "a3")
ORIENTATIONS = ("landscape", "portrait")
ALL_REQUESTS = ""  # the map of every request (the overview)


@dataclass
class ExportOptions:
    kind: ExportKind
    request_id: str | None  # None: the overview map of every request
    out: Path  # the map file, or the package folder (its zip goes beside it)
    lang: str = "mn"
    fmt: str = "pdf"
    paper: str = "a4"
    orientation: str = "landscape"
    replace: bool = False


def run_export(ws_path, options: ExportOptions, progress=None):
    """Write what ``options`` ask for from the workspace at ``ws_path`` (a file, or a shared
    workspace's location, read on a connection of the export's own); returns the map's path
    or the package written."""
    from gui.workspace_loader import close, open_any
    from landtool.export.package import build_package, write_map

    if progress:
        progress(options.out.name)
    ws = open_any(ws_path)
    try:
        if options.kind == "package":
            return build_package(ws, options.request_id, options.out, lang=options.lang,
                                 force=options.replace, paper=options.paper,
                                 orientation=options.orientation,
                                 progress=_package_steps(progress, options.lang))
        return write_map(ws, options.out, request_id=options.request_id, fmt=options.fmt,
                         paper=options.paper, orientation=options.orientation,
                         lang=options.lang, force=options.replace)
    finally:
        close(ws)


def _package_steps(progress, lang: str):
    """The package's ``progress``: each step shown through the worker's ``progress``; the
    worker's cancel (raised by ``progress``) becomes the package's :class:`Cancelled`, which
    stops it with nothing written."""
    from gui.worker import TaskCancelled
    from landtool.export.package import Cancelled

    if progress is None:
        return None

    def step(name: str) -> None:
        try:
            progress(tr(f"export.step.{name}", lang))
        except TaskCancelled as exc:
            raise Cancelled("the export was cancelled") from exc

    return step


def default_out(kind: ExportKind, request_id: str | None, folder: str | Path, fmt: str) -> Path:
    from landtool.export.package import folder_name

    name = folder_name(request_id) if request_id else "requests"
    if kind == "package":
        return Path(folder) / name
    return Path(folder) / f"{name}-map.{fmt}"


class ExportDialog(QDialog):
    def __init__(self, kind: ExportKind, state: AppState, folder: str | Path,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lang = Lang(state.lang)
        self.kind, self.lang, self.folder = kind, lang, Path(folder)
        self.setWindowTitle(tr(f"export.title.{kind}", lang))
        self.request_combo = QComboBox(self)
        if kind == "map":
            self.request_combo.addItem(tr("export.all_requests", lang), ALL_REQUESTS)
        for rid in state.requests["request_id"].astype(str):
            self.request_combo.addItem(rid, rid)
        if state.selected is not None:
            self.request_combo.setCurrentIndex(max(0, self.request_combo.findData(
                state.selected)))
        self.format_combo = self._combo("export.format", FORMATS)
        self.paper_combo = self._combo("export.paper", PAPERS)
        self.orientation_combo = self._combo("export.orientation", ORIENTATIONS)
        self.lang_combo = QComboBox(self)
        self.lang_combo.addItem("Монгол", "mn")
        self.lang_combo.addItem("English", "en")  # reports go to the Khural in Mongolian
        self.out_edit = QLineEdit(self)
        browse = QPushButton(tr("export.browse", lang), self)
        self.replace_box = QCheckBox(tr("export.replace", lang), self)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out_edit, 1)
        out_row.addWidget(browse)
        form = QFormLayout()
        form.addRow(tr("export.request", lang), self.request_combo)
        if kind == "map":
            form.addRow(tr("export.format", lang), self.format_combo)
        form.addRow(tr("export.paper", lang), self.paper_combo)  # the package's printed map too
        form.addRow(tr("export.orientation", lang), self.orientation_combo)
        form.addRow(tr("export.language", lang), self.lang_combo)
        form.addRow(tr(f"export.out.{kind}", lang), out_row)
        form.addRow("", self.replace_box)
        note = QLabel(tr(f"export.note.{kind}", lang), self)
        note.setWordWrap(True)
        buttons = ok_cancel(self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)
        browse.clicked.connect(self._browse)
        for combo in (self.request_combo, self.format_combo):
            combo.currentIndexChanged.connect(self._suggest)
        self.format_combo.currentIndexChanged.connect(self._enable)
        self._suggest()
        self._enable()

    def _combo(self, key: str, values: tuple[str, ...]) -> QComboBox:
        combo = QComboBox(self)
        for value in values:
            combo.addItem(tr(f"{key}.{value}", self.lang), value)
        return combo

    def _suggest(self, *_args) -> None:
        self.out_edit.setText(str(default_out(self.kind, self.request_combo.currentData(),
                                              self.folder, self.format_combo.currentData())))

    def _enable(self, *_args) -> None:
        printed = self.format_combo.currentData() != "html"
        self.paper_combo.setEnabled(printed)
        self.orientation_combo.setEnabled(printed)

    def _browse(self) -> None:
        current = self.out_edit.text()
        if self.kind == "package":
            chosen = QFileDialog.getExistingDirectory(self, tr("export.browse", self.lang),
                                                      str(Path(current).parent))
            if chosen:
                rid = self.request_combo.currentData()
                chosen = str(default_out("package", rid, chosen, "pdf"))
        else:
            chosen, _ = QFileDialog.getSaveFileName(self, tr("export.browse", self.lang), current)
        if chosen:
            self.out_edit.setText(chosen)

    def options(self) -> ExportOptions:
        rid = self.request_combo.currentData() or None
        return ExportOptions(self.kind, rid, Path(self.out_edit.text().strip()),
                             lang=self.lang_combo.currentData(),
                             fmt=self.format_combo.currentData(),
                             paper=self.paper_combo.currentData(),
                             orientation=self.orientation_combo.currentData(),
                             replace=self.replace_box.isChecked())


def ask_export(parent: QWidget | None, kind: ExportKind, state: AppState,
               folder: str | Path) -> ExportOptions | None:
    """Ask what to export and where; None if cancelled."""
    dialog = ExportDialog(kind, state, folder, parent)
    return dialog.options() if dialog.exec() == QDialog.DialogCode.Accepted else None


class Exporter(QObject):
    """Runs an export for the window: saves unsaved edits first if the user wants (exports
    read the saved workspace), asks the options unless given, and writes in a worker."""

    finished = Signal(object)  # the map's path, or the landtool.export.package.Package
    failed = Signal(object)  # the exception (shown already)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window, self.state = window, window.state
        self.runner, self.settings = window.runner, window.settings

    def start(self, kind: ExportKind, options: ExportOptions | None = None) -> bool:
        ws = self.state.workspace
        if ws is None:
            return False
        lang = Lang(self.state.lang)
        if self.state.dirty:
            from gui.dialogs import ask_unsaved

            answer = ask_unsaved(self.window, lang, ws.path.name)
            if answer == "cancel" or (answer == "save" and not self.window.save()):
                return False
        if options is None:
            import gui.export_dialog as this  # looked up here, so tests can answer for it

            folder = self.settings.last_dir("export") or ws.path.parent
            options = this.ask_export(self.window, kind, self.state, folder)
            if options is None:
                return False
        self.settings.set_last_dir("export", options.out.parent)
        self.runner.run(run_export, ws.path, options, message=tr(f"busy.export.{kind}", lang),
                        on_done=self.finished.emit, on_error=self._fail)
        return True

    def _fail(self, exc: BaseException) -> None:
        self.window.error("error.export", exc)
        self.failed.emit(exc)
