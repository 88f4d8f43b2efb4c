"""The ruleset editor (Tools ▸ Edit a ruleset…): open a ruleset, change its rules in a typed
form (:mod:`gui.ruleset_form`), see live what the change does to the open workspace's requests
(:func:`landtool.check.impact.impact` against the ruleset in use, in a worker thread) and save
it as a new draft version with a note of what changed and why. A shipped ruleset is never
overwritten: the library refuses, and the dialog shows why.
"""

from __future__ import annotations

import time
from pathlib import Path

from pydantic import ValidationError
from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.i18n import Lang, format_ha, ruleset_name, tr
from gui.ruleset_form import RuleForm
from gui.worker import BackgroundTask
from landtool.check.context import CheckContext
from landtool.check.impact import Impact, impact
from landtool.check.ruleset import PARAMS, Rule, Ruleset, list_rulesets
from landtool.errors import LandtoolError

#: a change after a pause is compared at once; the changes that follow within this time are
#: compared together when it ends (a burst, e.g. a held arrow key: one comparison per period)
DEBOUNCE_MS = 150
_MERGE_S = 1.0  # changes of one field closer than this are one undo step


def _impact_job(requests, before: Ruleset, after: Ruleset, ctx: CheckContext, progress=None):
    del progress  # the comparison of a workspace takes milliseconds: nothing to report
    started = time.perf_counter()
    return impact(requests, before, after, ctx), time.perf_counter() - started


def _messages(exc: ValidationError) -> str:
    out = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        out.append(f"{key}: {msg}" if key else msg)
    return "; ".join(dict.fromkeys(out))


def _next_version(version: str) -> str:
    head, _, last = version.rpartition(".")
    return f"{head}.{int(last) + 1}" if last.isdigit() and head else f"{version}.1"


class RulesetEditorDialog(QDialog):
    """Edit a copy of a ruleset and compare it, live, with the ruleset ``state`` checks with."""

    impactShown = Signal(object)  # the Impact shown (after a change: its counts are on screen)
    saved = Signal(object, object)  # the draft's path and its Ruleset

    def __init__(self, state, parent: QWidget | None = None, *, drafts_folder=None) -> None:
        super().__init__(parent)
        self.state, self.lang = state, Lang(state.lang)
        self.drafts_folder = drafts_folder
        self.in_use: Ruleset = state.ruleset
        self.opened: Ruleset = state.ruleset
        self.edited: Ruleset | None = state.ruleset
        self.forms: list[RuleForm] = []
        self.shown: Impact | None = None
        self._task: BackgroundTask | None = None
        self._undo: list[list[dict]] = []
        self._last_change: tuple[object, float] = (None, 0.0)
        self._requests, self._ctx = self._inputs()
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self._on_settled)
        QCoreApplication.instance().aboutToQuit.connect(self._join)  # quit with it open
        self._trailing = False  # a change came within the burst: compare when it settles
        self.setWindowTitle(tr("editor.title", self.lang))
        self._build()
        self.open_ruleset(self.in_use)

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        lang = self.lang
        self.chooser = QComboBox(self)
        self._fill_chooser()
        self.chooser.activated.connect(lambda i: self.open_ruleset(self.chooser.itemData(i)))
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("editor.open", lang)))
        top.addWidget(self.chooser, 1)
        self.against = QLabel(tr("editor.against", lang, ruleset=ruleset_name(self.in_use, lang),
                                 day=self.state.as_of.isoformat()), self)
        self.against.setWordWrap(True)
        self.rules_box = QWidget()
        self.rules_layout = QVBoxLayout(self.rules_box)
        self.scroll = scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.rules_box)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #c0392b")
        self.problem.hide()
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(scroll, 1)
        lv.addWidget(self.problem)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(left)
        split.addWidget(self._impact_panel())
        split.setSizes([700, 560])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.against)
        layout.addWidget(split, 1)
        layout.addLayout(self._save_row())
        QShortcut(QKeySequence.StandardKey.Undo, self, activated=self.undo)
        self.resize(1280, 860)

    def _impact_panel(self) -> QWidget:
        panel = QWidget()
        v = QVBoxLayout(panel)
        v.setContentsMargins(0, 0, 0, 0)
        v.addWidget(QLabel(f"<b>{tr('editor.impact', self.lang)}</b>"))
        self.counts = QLabel(panel)
        self.counts.setTextFormat(Qt.TextFormat.RichText)
        self.counts.setWordWrap(True)
        self.changes = QTreeWidget(panel)
        self.changes.setColumnCount(3)
        self.changes.setHeaderLabels([tr(f"editor.col.{c}", self.lang)
                                      for c in ("request", "verdict", "rules")])
        self.changes.setRootIsDecorated(False)
        self.changes.setColumnWidth(0, 120)
        self.changes.setColumnWidth(1, 170)
        self.diff = QLabel(panel)
        self.diff.setWordWrap(True)
        self.diff.setTextFormat(Qt.TextFormat.RichText)
        self.status = QLabel(panel)
        self.status.setStyleSheet("color: #666666")
        v.addWidget(self.counts)
        v.addWidget(self.changes, 1)
        v.addWidget(self.diff)
        v.addWidget(self.status)
        return panel

    def _save_row(self) -> QHBoxLayout:
        lang = self.lang
        self.new_id, self.new_version = QLineEdit(self), QLineEdit(self)
        self.note = QPlainTextEdit(self)
        self.note.setPlaceholderText(tr("editor.note_hint", lang))
        self.note.setFixedHeight(64)
        self.note.textChanged.connect(self._enable_save)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow(tr("editor.new_id", lang), self.new_id)
        form.addRow(tr("editor.new_version", lang), self.new_version)
        form.addRow(tr("editor.note", lang), self.note)
        form.addRow(self.hint)
        self.reset_button = QPushButton(tr("editor.reset", lang), self)
        self.undo_button = QPushButton(tr("editor.undo", lang), self)
        self.save_button = QPushButton(tr("editor.save", lang), self)
        self.close_button = QPushButton(tr("editor.close", lang), self)
        self.reset_button.clicked.connect(self.reset)
        self.undo_button.clicked.connect(self.undo)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.reject)
        buttons = QVBoxLayout()
        for b in (self.reset_button, self.undo_button, self.save_button, self.close_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addLayout(form, 1)
        row.addLayout(buttons)
        return row

    def _fill_chooser(self, select: Ruleset | None = None) -> None:
        self.chooser.clear()
        rulesets = list_rulesets()
        if not any(r.label() == self.in_use.label() for r in rulesets):
            rulesets.insert(0, self.in_use)
        for rs in rulesets:
            self.chooser.addItem(ruleset_name(rs, self.lang), rs)
        current = select or self.in_use
        labels = [self.chooser.itemData(i).label() for i in range(self.chooser.count())]
        if current.label() in labels:
            self.chooser.setCurrentIndex(labels.index(current.label()))

    # -- the form ----------------------------------------------------------------------------
    def open_ruleset(self, rs: Ruleset) -> None:
        """Show ``rs`` in the form (the changes made so far are dropped)."""
        while self.rules_layout.count():
            item = self.rules_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.opened = rs
        self.forms = []
        for rule in rs.rules:
            form = RuleForm(rule, self.lang, self.rules_box)
            form.changed.connect(self._on_changed)
            self.rules_layout.addWidget(form)
            self.forms.append(form)
        self.rules_layout.addStretch(1)
        self._undo.clear()
        self._snapshot = [f.values() for f in self.forms]
        new_id = rs.id if rs.is_draft else f"{rs.id}-draft"
        taken = {r.version for r in list_rulesets() if r.id == new_id}
        version = _next_version(rs.version)
        while version in taken:
            version = _next_version(version)
        self.new_id.setText(new_id)
        self.new_version.setText(version)
        self._revalidate()

    def _on_changed(self, editor) -> None:
        now = time.monotonic()
        last_editor, last_time = self._last_change
        if not (editor is last_editor and now - last_time < _MERGE_S and self._undo):
            self._undo.append(self._snapshot)
        self._last_change = (editor, now)
        self._snapshot = [f.values() for f in self.forms]
        self._revalidate()

    def _restore(self, values: list[dict]) -> None:
        for form, v in zip(self.forms, values, strict=True):
            form.set_values(v)
        self._snapshot = [f.values() for f in self.forms]
        self._last_change = (None, 0.0)
        self._revalidate()

    def undo(self) -> None:
        """Back to the form as it was before the last change (one field at a time)."""
        if self._undo:
            self._restore(self._undo.pop())

    def reset(self) -> None:
        """Back to the ruleset as opened (itself undoable)."""
        original = [RuleForm.values_of(r) for r in self.opened.rules]
        if self._snapshot != original:
            self._undo.append(self._snapshot)
            self._restore(original)

    def _validate(self) -> Ruleset | None:
        """The form as a ruleset, each problem shown on its rule (None when there is one)."""
        rules, bad = [], False
        for form in self.forms:
            data = form.data()
            try:
                params = PARAMS[form.rule.type].model_validate(data["params"])
                rules.append(Rule.model_validate({**data, "params": params}))
                form.show_problem(None)
            except ValidationError as exc:
                form.show_problem(tr("editor.invalid", self.lang, problem=_messages(exc)))
                bad = True
        problem = None
        if not bad:
            try:
                head = self.opened.model_dump(exclude={"rules"})
                return Ruleset.model_validate({**head, "rules": rules})
            except ValidationError as exc:
                problem = _messages(exc)
        self.problem.setText(tr("editor.form_invalid", self.lang) +
                             (f" {problem}" if problem else ""))
        self.problem.show()
        return None

    def _revalidate(self) -> None:
        for form in self.forms:
            form.mark_changes()
        self.edited = self._validate()
        if self.edited is not None:
            self.problem.hide()
            self._schedule()
        else:
            self._timer.stop()
            self.status.setText(tr("editor.not_computed", self.lang))
        self.undo_button.setEnabled(bool(self._undo))
        self._enable_save()

    # -- the live impact -----------------------------------------------------------------------
    def _inputs(self):
        s = self.state
        if s.workspace is None or s.requests_layer is None:
            return None, None
        reqs = s.requests
        reqs = reqs[~reqs.geometry.isna() & ~reqs.geometry.is_empty]
        # the app's layers, edits included, in a context of the editor's own (its indexes are
        # built in the worker thread, never while the window checks with its context)
        layers = {kind: list(items) for kind, items in s.context().layers.items()}
        return reqs, CheckContext(layers, s.as_of)

    def _schedule(self) -> None:
        """Compare now after a pause; the changes that follow, when the period ends."""
        if self._timer.isActive():
            self._trailing = True
        else:
            self._start()
            self._timer.start()

    def _on_settled(self) -> None:
        if self._trailing:
            self._trailing = False
            self._start()
            self._timer.start()

    def _start(self) -> None:
        if self._requests is None or len(self._requests) == 0:
            self.counts.setText(tr("editor.no_requests", self.lang))
            return
        if self._task is not None or self.edited is None:
            return  # the running comparison starts the next when it ends
        task = BackgroundTask(_impact_job, self._requests, self.in_use, self.edited, self._ctx,
                              parent=self)
        task.context = self.edited
        task.finished.connect(self._on_done)
        task.failed.connect(self._on_failed)
        self._task = task
        self.status.setText(tr("editor.computing", self.lang))
        task.start()

    def _end(self, task: BackgroundTask) -> bool:
        """Forget the finished task; True when its ruleset is still the one in the form."""
        self._task = None
        task.deleteLater()
        current = task.context is self.edited
        if not current and self.edited is not None:  # changed while it ran: the latest next
            if self._timer.isActive():
                self._trailing = True
            else:
                self._start()
        return current

    def _on_done(self, task: BackgroundTask, outcome) -> None:
        if self._end(task):
            result, seconds = outcome
            self.show_impact(result)
            self.status.setText(tr("editor.computed", self.lang, ms=f"{seconds * 1000:.0f}"))
            self.impactShown.emit(result)

    def _on_failed(self, task: BackgroundTask, exc: BaseException) -> None:
        if self._end(task):
            text = str(exc) if isinstance(exc, LandtoolError) else f"{type(exc).__name__}: {exc}"
            self.status.setText(tr("editor.impact_failed", self.lang, problem=text))

    def show_impact(self, result: Impact) -> None:
        lang, t = self.lang, result.totals()
        self.shown = result
        self.counts.setText(tr(
            "editor.counts", lang, n=t["requests"], before=t["eligible_before"],
            after=t["eligible_after"], became_eligible=t["became_eligible"],
            became_refused=t["became_refused"],
            ha_before=format_ha(t["allocatable_ha_before"], lang),
            ha_after=format_ha(t["allocatable_ha_after"], lang),
            gained=format_ha(t["gained_ha"], lang), lost=format_ha(t["lost_ha"], lang)))
        titles = {r.id: r.title(lang) for rs in (self.in_use, result.after.ruleset)
                  for r in rs.rules}
        self.changes.clear()
        for c in result.changes:
            verdict = tr("editor.became_eligible" if c.eligible_after else
                         "editor.became_refused", lang)
            resp = c.responsible
            parts = [tr("editor.refused_by", lang, rules=", ".join(resp["after"]))] \
                if resp["after"] else []
            if resp["before"]:
                parts.append(tr("editor.no_longer", lang, rules=", ".join(resp["before"])))
            item = QTreeWidgetItem([c.id, verdict, "; ".join(parts)])
            item.setToolTip(2, "\n".join(f"{r}: {titles.get(r, r)}"
                                         for r in resp["before"] + resp["after"]))
            self.changes.addTopLevelItem(item)
        fields = [f"{r['rule']}: {f['field']} {f['before']} → {f['after']}"
                  for r in result.diff["rules"] for f in r["fields"]]
        fields += [f"{r['rule']}: {r['change']}" for r in result.diff["rules"] if not r["fields"]]
        self.diff.setText(tr("editor.diff", lang, n=len(fields)) + "<br>" +
                          "<br>".join(fields[:8]) + ("<br>…" if len(fields) > 8 else ""))

    # -- saving --------------------------------------------------------------------------------
    def _enable_save(self) -> None:
        has_note = bool(self.note.toPlainText().strip())
        self.save_button.setEnabled(has_note and self.edited is not None)
        self.hint.setStyleSheet("" if has_note else "color: #c0392b")
        self.hint.setText("" if has_note else tr("editor.note_required", self.lang))

    def save(self) -> Path | None:
        """Save the form as a new draft; the library's refusal is shown, nothing written."""
        from landtool.check.ruleset import save_draft

        if self.edited is None or not self.note.toPlainText().strip():
            return None
        try:
            path = save_draft(self.edited, id=self.new_id.text().strip(),
                              version=self.new_version.text().strip(),
                              change_note=self.note.toPlainText().strip(),
                              folder=self.drafts_folder, user=self.state.user)
        except LandtoolError as exc:
            self.hint.setStyleSheet("color: #c0392b")
            self.hint.setText(tr("editor.save_refused", self.lang, problem=str(exc)))
            return None
        from landtool.check.ruleset import load_ruleset

        draft = load_ruleset(path)
        self.hint.setStyleSheet("color: #1a9641")
        self.hint.setText(tr("editor.saved", self.lang, ruleset=ruleset_name(draft, self.lang),
                             path=str(path)))
        self._fill_chooser(select=self.chooser.itemData(self.chooser.currentIndex()))
        self.saved.emit(path, draft)
        return path

    def _join(self) -> None:
        """Wait for a running comparison (milliseconds) and drop its result."""
        self._timer.stop()
        if self._task is not None:
            for signal in (self._task.finished, self._task.failed):
                signal.disconnect()
            self._task.join()
            self._task = None

    def done(self, result: int) -> None:
        self._join()
        super().done(result)


def edit_ruleset(window) -> RulesetEditorDialog:
    """Open the editor on the window's state; a saved draft joins Tools ▸ Ruleset."""
    from gui import window_menus

    dialog = RulesetEditorDialog(window.state, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.saved.connect(lambda _path, _rs: window_menus.rebuild_rulesets(window))
    dialog.setModal(True)
    dialog.show()
    return dialog
