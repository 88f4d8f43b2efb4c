"""Find available land (Tools ▸ Find available land…): a dock beside the check results.

Choose a soum or an aimag of the workspace (a searchable list) or draw the area on the map,
the parcel sizes and the workable width; the ruleset and date are the app's (Tools ▸
Ruleset, Check date). :func:`landtool.propose.propose` runs in a worker (progress and cancel
in the panel and the status bar) on a copy of the layers as the app has them, unsaved edits
included. The available land is shaded and the candidates numbered on the map
(:mod:`gui.find_land_overlay`), listed in a table; a click on either selects one and shows its
figures. "Make a request from it" adds the candidate as a request through
:meth:`~gui.state.AppState.add_request` (one undo step; the live check then shows it), and
"Export the proposal…" writes the files of ``landtool propose --out`` in a worker.
"""

from __future__ import annotations

import html
from pathlib import Path

import shapely
from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.find_land_overlay import FindLandOverlay
from gui.i18n import Lang, format_ha, tr
from gui.map_canvas import MapCanvas, padded
from gui.state import AppState
from gui.tools import _DrawTool
from gui.worker import TaskRunner
from landtool.errors import LandtoolError
from landtool.geodesy import area_ha

KINDS = ("soums", "aimags", "drawn")
PANEL_WIDTH = 560  # the table wants room, the map more
_COLUMNS = ("id", "area", "disturbed", "soum", "road", "town", "warnings")


# -- the work, off the GUI thread ------------------------------------------------------------
def run_proposal(layers, kinds, area, name, ruleset, as_of, min_ha, max_ha, width_m,
                 progress=None):
    """:func:`landtool.propose.propose` over a copy of the app's layers (``{name: frame}``
    and ``{name: kind}``), with a check context of its own (the window keeps editing)."""
    from landtool.check.context import CheckContext
    from landtool.propose import propose

    by_kind: dict[str, list] = {}
    for layer, gdf in layers.items():
        by_kind.setdefault(kinds.get(layer, ""), []).append((layer, gdf))
    return propose(area, name, ruleset, CheckContext(by_kind, as_of), min_ha=min_ha,
                   max_ha=max_ha, width_m=width_m, progress=progress)


def export_proposal(proposal, folder, lang: str, force: bool, progress=None):
    """The files of ``landtool propose --out`` in ``folder``, all or none."""
    from landtool.export.proposal import write_folder

    if progress:
        progress(str(folder))
    return write_folder(proposal, folder, lang=lang, force=force)


def ask_folder(parent: QWidget, title: str, start: str) -> str:
    """The folder to export to ("" if cancelled); tests answer for it."""
    return QFileDialog.getExistingDirectory(parent, title, start)


def confirm_replace(parent: QWidget, text: str) -> bool:
    answer = QMessageBox.question(parent, tr("findland.export_title", Lang.EN), text)
    return answer == QMessageBox.StandardButton.Yes


def area_choices(state: AppState, kind: str) -> list[tuple[str, object]]:
    """The soums or aimags of the open workspace: ``(label, geometry)``, by name."""
    from landtool.validate import polygonal

    out = []
    for layer, layer_kind in state.kinds.items():
        if layer_kind != kind or layer not in state.layers:
            continue
        for row in state.layers[layer].itertuples():
            geom = polygonal(row.geometry) if row.geometry is not None else None
            if geom is None or geom.is_empty:
                continue
            names = [str(v) for v in (getattr(row, "name_mn", None), getattr(row, "name_en", None))
                     if isinstance(v, str) and v.strip()]
            code = getattr(row, "pcode", "") or ""
            label = " · ".join(dict.fromkeys(names)) or str(code)
            out.append((f"{label} ({code})" if code else label, geom))
    return sorted(out, key=lambda item: item[0].casefold())


class _AreaTool(_DrawTool):
    """Click the corners of the area to search; the panel takes the polygon."""

    def __init__(self, panel: FindLandPanel) -> None:
        self.panel = panel
        super().__init__(panel)  # the panel answers for the editing tools (canvas, say, lang)

    def finish(self) -> None:
        polygon = self.polygon()
        if polygon is not None:
            self.corners = []
            self.panel.set_drawn_area(polygon)

    def key(self, event) -> bool:
        if event.key() == Qt.Key.Key_Escape and not self.corners:
            self.canvas.set_tool(None)
            return True
        return super().key(event)


class FindLandPanel(QWidget):
    """The Find available land panel over ``state``, running its work through ``runner``
    and drawing on ``canvas``."""

    proposalShown = Signal(object)  # the Proposal shown, or None when cleared
    candidateSelected = Signal(object)  # the Candidate, or None
    requestMade = Signal(str)  # the id of the request added
    exported = Signal(object)  # the paths written
    failed = Signal(object)  # the exception (shown in the panel)

    def __init__(self, state: AppState, runner: TaskRunner, canvas: MapCanvas,
                 parent: QWidget | None = None, *, editing=None) -> None:
        super().__init__(parent)
        self.state, self.runner, self.canvas = state, runner, canvas
        self.editing = editing  # the window's editing tools (gui.tools), if any
        self.proposal = None
        self.selected: int | None = None
        self.drawn = None  # the area drawn on the map (lon/lat polygon)
        self.task = None  # the run under way
        self._ended = None  # the last run that ended (a cancelled one is said so)
        self._sizes_for: str | None = None  # the ruleset the size boxes were set for
        self.overlay = FindLandOverlay(self)
        canvas.add_overlay(self.overlay)
        self.area_tool = _AreaTool(self)
        self._build()
        self._connect()
        self.retranslate()
        self._fill_areas()
        self._ruleset_changed()

    # -- the editing tools' interface, for the drawing tool --------------------------------
    @property
    def lang(self) -> str:
        return self.state.lang

    def say(self, key: str) -> None:
        from gui.tools import tool_text

        self.message.setText(tool_text(key, self.lang))

    # -- construction -----------------------------------------------------------------------
    def _build(self) -> None:
        self.kind_combo = QComboBox(self)
        for kind in KINDS:
            self.kind_combo.addItem("", kind)
        self.area_combo = QComboBox(self)
        self.area_combo.setEditable(True)
        self.area_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for combo, chars in ((self.kind_combo, 8), (self.area_combo, 14)):  # not the longest
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(chars)
        completer = self.area_combo.completer()
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.draw_button = QPushButton(self)
        self.ruleset_label = QLabel(self)
        self.ruleset_label.setWordWrap(True)
        self.min_box, self.max_box = self._ha_box(), self._ha_box()
        self.width_box = QDoubleSpinBox(self)
        self.width_box.setRange(1.0, 1000.0)
        self.width_box.setDecimals(0)
        self.width_box.setValue(30.0)
        self.width_box.setSuffix(" m")
        self.find_button, self.cancel_button = QPushButton(self), QPushButton(self)
        self.cancel_button.setEnabled(False)
        self.bar = QProgressBar(self)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(14)
        self.bar.hide()
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.table = QTableWidget(0, len(_COLUMNS), self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.
                                                           ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.figures = QLabel(self)
        self.figures.setWordWrap(True)
        self.method = QLabel(self)
        self.method.setWordWrap(True)
        self.method.setStyleSheet("color: #555555")
        self.make_button, self.export_button = QPushButton(self), QPushButton(self)
        self.make_button.setEnabled(False)
        self.export_button.setEnabled(False)

        self.form = QFormLayout()
        area_row = QHBoxLayout()
        area_row.addWidget(self.kind_combo)
        area_row.addWidget(self.area_combo, 1)
        area_row.addWidget(self.draw_button)
        sizes = QHBoxLayout()
        self.min_label, self.max_label = QLabel(self), QLabel(self)
        for w in (self.min_label, self.min_box, self.max_label, self.max_box):
            sizes.addWidget(w)
        sizes.addStretch(1)
        self.area_label, self.sizes_label, self.width_label = QLabel(self), QLabel(self), \
            QLabel(self)
        self.form.addRow(self.area_label, area_row)
        self.form.addRow(self.sizes_label, sizes)
        self.form.addRow(self.width_label, self.width_box)
        run = QHBoxLayout()
        run.addWidget(self.find_button)
        run.addWidget(self.cancel_button)
        run.addWidget(self.bar, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.make_button)
        actions.addWidget(self.export_button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.ruleset_label)
        layout.addLayout(run)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.figures)
        layout.addLayout(actions)
        layout.addWidget(self.method)

    def _ha_box(self) -> QDoubleSpinBox:
        box = QDoubleSpinBox(self)
        box.setRange(0.01, 10_000.0)
        box.setDecimals(2)
        box.setSingleStep(0.5)
        return box

    def _connect(self) -> None:
        s = self.state
        self.kind_combo.currentIndexChanged.connect(self._fill_areas)
        self.draw_button.clicked.connect(self.start_drawing)
        self.find_button.clicked.connect(self.find)
        self.cancel_button.clicked.connect(self.cancel)
        self.table.itemSelectionChanged.connect(self._table_selected)
        self.make_button.clicked.connect(self.make_request)
        self.export_button.clicked.connect(lambda _checked=False: self.export())
        self.canvas.clicked.connect(self._map_clicked)
        self.runner.cancelled.connect(self._cancelled)
        self.runner.done.connect(self._task_done)
        s.languageChanged.connect(lambda _lang: self.retranslate())
        s.workspaceChanged.connect(self._workspace_changed)
        s.layerAdded.connect(lambda _name: self._fill_areas())
        s.resultsChanged.connect(self._ruleset_changed)
        s.workspaceChanged.connect(self._enable)

    def retranslate(self) -> None:
        lang = self.lang
        for k, kind in enumerate(KINDS):
            self.kind_combo.setItemText(k, tr(f"findland.kind.{kind}", lang))
        self.area_label.setText(tr("findland.search_in", lang))
        self.sizes_label.setText(tr("findland.sizes", lang))
        self.width_label.setText(tr("findland.width", lang))
        self.min_label.setText(tr("findland.min", lang))
        self.max_label.setText(tr("findland.max", lang))
        unit = " " + tr("unit.ha", lang)
        self.min_box.setSuffix(unit)
        self.max_box.setSuffix(unit)
        self.width_box.setSuffix(" " + tr("unit.m", lang))
        self.draw_button.setText(tr("findland.draw", lang))
        self.draw_button.setToolTip(tr("findland.draw_tip", lang))
        self.find_button.setText(tr("findland.find", lang))
        self.cancel_button.setText(tr("findland.cancel", lang))
        self.make_button.setText(tr("findland.make_request", lang))
        self.export_button.setText(tr("findland.export", lang))
        self.table.setHorizontalHeaderLabels([tr(f"findland.col.{c}", lang) for c in _COLUMNS])
        self.method.setText(tr("findland.method", lang))
        self._show_ruleset()
        if self.proposal is not None:
            self._show_proposal(self.proposal, zoom=False)

    # -- inputs -----------------------------------------------------------------------------
    def _fill_areas(self, *_args) -> None:
        kind = self.kind_combo.currentData()
        blocker = QSignalBlocker(self.area_combo)
        self.area_combo.clear()
        self._choices = [] if kind == "drawn" else area_choices(self.state, kind)
        for label, _geom in self._choices:
            self.area_combo.addItem(label)
        if kind == "drawn" and self.drawn is not None:
            self.area_combo.addItem(tr("findland.drawn", self.lang,
                                       ha=format_ha(area_ha(self.drawn), self.lang, 1)))
        self.area_combo.setEnabled(kind != "drawn")
        del blocker

    def choose_area(self, kind: str, text: str) -> bool:
        """Choose the soum or aimag whose label contains ``text`` (tests, the command line)."""
        self.kind_combo.setCurrentIndex(KINDS.index(kind))
        for k, (label, _geom) in enumerate(self._choices):
            if text.casefold() in label.casefold():
                self.area_combo.setCurrentIndex(k)
                return True
        return False

    def search_area(self):
        """(polygon, name) of the area chosen, or None."""
        kind = self.kind_combo.currentData()
        if kind == "drawn":
            if self.drawn is None:
                return None
            return self.drawn, tr("findland.kind.drawn", Lang.EN)
        text = self.area_combo.currentText().strip()
        for label, geom in self._choices:
            if label == text:
                return geom, label
        return None

    def start_drawing(self) -> None:
        """Draw the area to search on the map (the map's editing mode is set aside)."""
        if self.editing is not None:  # its mode shown as Navigate, not a mode drawing nothing
            self.editing.set_mode("navigate")
        self.canvas.set_tool(self.area_tool)
        self.canvas.setFocus()
        self.message.setText(tr("findland.draw_tip", self.lang))

    def set_drawn_area(self, polygon) -> None:
        self.drawn = polygon
        self.canvas.set_tool(None)
        self.kind_combo.setCurrentIndex(KINDS.index("drawn"))
        self._fill_areas()
        self.message.setText(tr("findland.drawn", self.lang,
                                ha=format_ha(area_ha(polygon), self.lang, 1)))

    def _ruleset_changed(self, *_args) -> None:
        """The size boxes follow the ruleset's area rule when another ruleset is chosen."""
        from landtool.propose import sizing

        rs = self.state.ruleset
        if rs.label() != self._sizes_for:
            self._sizes_for = rs.label()
            try:
                lo, hi = sizing(rs, None, None)
            except LandtoolError:
                lo, hi = 1.0, 5.0
            self.min_box.setValue(lo)
            self.max_box.setValue(hi)
        self._show_ruleset()

    def _show_ruleset(self) -> None:
        self.ruleset_label.setText(tr("findland.ruleset", self.lang,
                                      ruleset=self.state.ruleset.label(),
                                      day=self.state.as_of.isoformat()))

    def _workspace_changed(self) -> None:
        if self.task is not None:
            self.task.cancel()
        self.drawn = None
        self._show_proposal(None)
        self._fill_areas()

    # -- running ----------------------------------------------------------------------------
    def find(self) -> bool:
        """Start a search with the inputs shown; False (and a message) if it cannot start."""
        s = self.state
        chosen = self.search_area()
        if s.workspace is None or chosen is None:
            self.message.setText(tr("findland.no_area", self.lang))
            return False
        if self.task is not None:
            self.task.cancel()
        area, name = chosen
        self._show_proposal(None)  # nothing of an earlier search stays beside a new one
        self.message.setText(tr("findland.running", self.lang, area=name))
        self.bar.setRange(0, 0)
        self.bar.show()
        self.find_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.task = self.runner.run(
            run_proposal, dict(s.layers), dict(s.kinds), area, name, s.ruleset, s.as_of,
            self.min_box.value(), self.max_box.value(), self.width_box.value(),
            message=tr("findland.running", self.lang, area=name), key="find_land",
            on_done=self._found, on_error=self._failed)
        self.task.stepped.connect(self._stepped)
        self.task.progress.connect(self._progress)
        return True

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _stepped(self, _task, done: int, total: int) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)

    def _progress(self, task, text: str) -> None:
        key = f"findland.step.{text}"
        from gui.i18n import STRINGS

        step = tr(key, self.lang) if key in STRINGS else text
        self.message.setText(f"{task.context[1]} {step}")

    def _task_done(self, task) -> None:
        if task is self.task:
            self.task, self._ended = None, task
            self.bar.hide()
            self.find_button.setEnabled(True)
            self.cancel_button.setEnabled(False)

    def _cancelled(self, task) -> None:
        if task is self._ended:
            self.message.setText(tr("findland.cancelled", self.lang))

    def _found(self, proposal) -> None:
        self._show_proposal(proposal)

    def _failed(self, exc: BaseException) -> None:
        from gui.dialogs import error_text

        problem = html.escape(error_text(exc, self.lang)).replace("\n", "<br>")  # names files
        self.message.setText(tr("findland.failed", self.lang, problem=problem))
        self.failed.emit(exc)

    # -- showing ----------------------------------------------------------------------------
    def _show_proposal(self, proposal, *, zoom: bool = True) -> None:
        lang = self.lang
        self.proposal = proposal
        self.selected = None
        self.overlay.show(proposal)
        self.table.setRowCount(0)
        self.figures.setText("")
        if proposal is not None:
            self.message.setText(self._summary(proposal))
            self.table.setRowCount(len(proposal.candidates))
            for row, c in enumerate(proposal.candidates):
                for col, text in enumerate(self._cells(c, lang)):
                    item = QTableWidgetItem(text)
                    if col in (1, 2, 4, 5):
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight |
                                              Qt.AlignmentFlag.AlignVCenter)
                    self.table.setItem(row, col, item)
            if proposal.candidates:
                self.figures.setText(tr("findland.pick", lang))
            if zoom:
                self._zoom_to(proposal)
        self._enable()
        self.proposalShown.emit(proposal)

    def _summary(self, p) -> str:
        lang = self.lang
        if not p.candidates:
            top = max(p.exclusions, key=lambda e: e.hectares, default=None)
            if top is not None:
                return tr("findland.none", lang, rule=top.rule, ha=format_ha(top.hectares, lang,
                                                                              1))
        return tr("findland.summary", lang, area=p.area_name, ruleset=p.ruleset.label(),
                  day=p.as_of.isoformat(), available=format_ha(p.available_ha, lang),
                  searched=format_ha(p.search_ha, lang, 1), n=len(p.candidates),
                  lo=f"{p.min_ha:g}", hi=f"{p.max_ha:g}")

    @staticmethod
    def _km(metres) -> str:
        return "—" if metres is None else f"{metres / 1000:.1f}"

    def _soum(self, c) -> str:
        name = c.soum.get("name_mn" if self.lang == "mn" else "name_en") or \
            c.soum.get("name_en") or ""
        return f"{name} ({c.soum['pcode']})" if c.soum.get("pcode") else name

    def _cells(self, c, lang) -> list[str]:
        return [c.id, f"{c.area_ha:.3f}", f"{c.disturbed_ha:.2f} ({c.disturbed_share:.0%})",
                self._soum(c), self._km(c.road_m), self._km(c.settlement_m),
                ", ".join(c.warnings)]

    def _zoom_to(self, p) -> None:
        shown = [c.geometry for c in p.candidates] or (
            [p.available] if not p.available.is_empty else [p.search_area])
        bounds = shapely.GeometryCollection(shown).bounds
        self.canvas.zoom_to_bounds(padded(bounds, 0.05))

    def select(self, index: int | None) -> None:
        """Select candidate ``index`` (its rank, from 0): outlined on the map, its row in
        the table, its figures below."""
        p = self.proposal
        if p is None or index is None or not 0 <= index < len(p.candidates):
            index = None
        self.selected = index
        self.overlay.select(index)
        blocker = QSignalBlocker(self.table)
        if index is None:
            self.table.clearSelection()
        else:
            self.table.selectRow(index)
            self.table.scrollToItem(self.table.item(index, 0))
        del blocker
        c = p.candidates[index] if index is not None else None
        if c is not None:
            self.canvas.ensure_visible(c.geometry.bounds)
            lang = self.lang
            none, km = tr("findland.none_word", lang), "км" if lang == "mn" else "km"
            self.figures.setText(tr(
                "findland.figures", lang, id=c.id, area=format_ha(c.area_ha, lang, 3),
                perimeter=f"{c.perimeter_m:,.0f}",
                disturbed=format_ha(c.disturbed_ha, lang), share=f"{c.disturbed_share:.0%}",
                soum=self._soum(c) or none,
                road=none if c.road_m is None else f"{c.road_m / 1000:.1f} {km}",
                town=none if c.settlement_m is None else f"{c.settlement_m / 1000:.1f} {km}",
                warnings=", ".join(c.warnings) or none))
        self._enable()
        self.candidateSelected.emit(c)

    def _table_selected(self) -> None:
        rows = {i.row() for i in self.table.selectedItems()}
        self.select(min(rows) if rows else None)

    def _map_clicked(self, lon: float, lat: float) -> None:
        if self.proposal is None or not self.isVisible():
            return
        index = self.overlay.index_at(lon, lat, [c.geometry for c in self.proposal.candidates])
        if index is not None:
            self.select(index)

    def _enable(self, *_args) -> None:
        s = self.state
        self.make_button.setEnabled(self.selected is not None and s.workspace is not None
                                    and not s.read_only)
        self.export_button.setEnabled(self.proposal is not None)

    # -- acting on a candidate --------------------------------------------------------------
    def make_request(self) -> str | None:
        """Add the selected candidate as a request (one undo step); its id, or None."""
        from landtool.candidates import fit_attributes, overlapping_requests, request_attributes

        s, p = self.state, self.proposal
        if p is None or self.selected is None:
            return None
        if s.read_only:
            self.message.setText(tr("findland.read_only", self.lang))
            return None
        c = p.candidates[self.selected]
        taken = overlapping_requests(s.requests, c.geometry)
        if taken:
            self.message.setText(tr("findland.taken", self.lang, cid=c.id,
                                    rids=", ".join(taken)))
            return None
        attrs = request_attributes(c.id, p.ruleset.label(), p.as_of.isoformat(),
                                   c.soum.get("pcode", ""))
        # an officer of a shared workspace cannot add the candidate columns: the note names it
        attrs, _ = fit_attributes(attrs, s.requests.columns,
                                  not s.workspace.shared or s.role == "owner")
        rid = s.add_request(attrs, c.geometry)
        result = s.results.get(rid)
        verdict = "eligible" if result is not None and result.eligible else "refused"
        self.message.setText(tr("findland.made", self.lang, rid=rid, cid=c.id,
                                ruleset=s.ruleset.label(),
                                verdict=tr(f"findland.verdict.{verdict}", self.lang)))
        self.requestMade.emit(rid)
        return rid

    def export(self, folder: str | Path | None = None) -> bool:
        """Write the proposal's files (as ``landtool propose --out``) in a worker."""
        from landtool.export.proposal import FILES

        p = self.proposal
        if p is None:
            return False
        if folder is None:
            ws = self.state.workspace
            start = str(ws.path.parent) if ws is not None and not ws.shared else str(Path.home())
            chosen = ask_folder(self, tr("findland.export_title", self.lang), start)
            if not chosen:
                return False
            folder = chosen
        folder = Path(folder)
        force = any((folder / name).exists() for name in FILES)
        if force and not confirm_replace(self, tr("findland.replace", self.lang,
                                                  path=str(folder))):
            return False
        self.runner.run(export_proposal, p, folder, self.lang, force,
                        message=tr("findland.exporting", self.lang, path=str(folder)),
                        on_done=self._exported, on_error=self._failed)
        return True

    def _exported(self, paths) -> None:
        self.message.setText(tr("findland.exported", self.lang, path=str(paths[0].parent),
                                n=len(paths)))
        self.exported.emit(paths)


def open_find_land(window) -> FindLandPanel:
    """Show the panel in a dock beside the check results (made on first use)."""
    dock = window.docks.get("find_land")
    if dock is None:
        panel = FindLandPanel(window.state, window.runner, window.canvas, window,
                              editing=window.editing)
        window._add_dock("find_land", panel, "right")
        dock = window.docks["find_land"]
        window.tabifyDockWidget(window.docks["check"], dock)
        # closed, the panel's land leaves the map (a tab behind another keeps it there)
        dock.toggleViewAction().toggled.connect(panel.overlay.set_visible)
        dock.setWindowTitle(tr("panel.find_land", window.lang))
        # once the dock is laid out (before, the request is lost)
        QTimer.singleShot(0, window, lambda: window.resizeDocks(
            [window.docks["find_land"]], [PANEL_WIDTH], Qt.Orientation.Horizontal))
    dock.show()
    dock.raise_()
    return dock.widget()
