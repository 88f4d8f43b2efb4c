"""Recording a decision about the selected request (forwarded to the Khural, approved or
refused with the resolution number, Land Conclusion issued, contract signed), and printing
the register. The dialog offers only the decisions the procedure allows next, shows what was
decided before, and says that the log keeps the decision for good; the library decides and
writes (:func:`landtool.register.decide`).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from gui.dialogs import ok_cancel
from gui.i18n import Lang, tr
from gui.state import AppState
from landtool.errors import LandtoolError
from landtool.register import DOCUMENTS, decision_name, mongolian_time
from landtool.workspace.decisions import Entry


def history_text(entries: list[Entry], lang: str) -> str:
    """What was recorded about a request, one line per entry, oldest first (HTML)."""
    lines = []
    for e in entries:
        doc = e.details_dict().get("resolution")
        lines.append(f"{mongolian_time(e.at)} · {escape(e.user)} · "
                     f"<b>{decision_name(e.action, lang)}</b>"
                     + (f" · № {escape(str(doc))}" if doc else ""))
    return "<br>".join(lines) or f"<i>{tr('decision.none_yet', lang)}</i>"


class DecisionDialog(QDialog):
    """Choose the next decision about ``request_id`` and its document's number."""

    def __init__(self, state: AppState, request_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lang = Lang(state.lang)
        self.lang = lang
        self.setWindowTitle(tr("decision.title", lang, id=request_id))
        about = [e for e in state.log if e.subject == request_id and e.action != "checked"]
        history = QLabel(history_text(about, lang), self)
        history.setWordWrap(True)
        self.allowed = state.allowed_decisions(request_id)
        self.choice = QComboBox(self)
        for d in self.allowed:
            self.choice.addItem(decision_name(d, lang), d)
        self.document = QLineEdit(self)
        self.document_label = QLabel(self)
        self.note = QLineEdit(self)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #b2182b")
        self.error.setWordWrap(True)
        warning = QLabel(tr("decision.for_good", lang), self)
        warning.setWordWrap(True)
        form = QFormLayout()
        form.addRow(tr("decision.history", lang), history)
        form.addRow(tr("decision.decision", lang), self.choice)
        form.addRow(self.document_label, self.document)
        form.addRow(tr("decision.note", lang), self.note)
        self.buttons = ok_cancel(self, self._accept)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        if not self.allowed:
            self.error.setText(tr("decision.ended", lang))
            self.choice.setEnabled(False)
            self.note.setEnabled(False)
            self.buttons.button(self.buttons.StandardButton.Ok).setEnabled(False)
        layout.addWidget(warning)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.choice.currentIndexChanged.connect(self._follow_choice)
        self._follow_choice()

    def _follow_choice(self) -> None:
        decision = self.choice.currentData()
        needs = decision in DOCUMENTS
        self.document.setEnabled(needs)
        label = DOCUMENTS[decision][self.lang is Lang.MN] if needs else ""
        self.document_label.setText(tr("decision.number", self.lang, what=label) if needs
                                    else tr("decision.no_number", self.lang))

    def values(self) -> tuple[str, str | None, str]:
        """(decision, document number or None, note)."""
        doc = self.document.text().strip() if self.document.isEnabled() else ""
        return self.choice.currentData(), doc or None, self.note.text().strip()

    def _accept(self) -> None:
        decision, doc, _ = self.values()
        if decision in DOCUMENTS and not doc:
            self.error.setText(tr("decision.needs_number", self.lang))
            return
        self.accept()


def ask_decision(parent: QWidget | None, state: AppState,
                 request_id: str) -> tuple[str, str | None, str] | None:
    """The decision the user chose about the request, or None if cancelled."""
    dialog = DecisionDialog(state, request_id, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.values()


def decide_selected(window, state: AppState) -> Entry | None:
    """Ask for a decision about the selected request and record it in the log; a refusal
    (unsaved edits, a decision the procedure does not allow now) is shown with its reason."""
    rid = state.selected
    if rid is None:
        return None
    import gui.decision_dialog as this  # looked up here, so tests can answer for it

    chosen = this.ask_decision(window, state, rid)
    if chosen is None:
        return None
    decision, document, note = chosen
    try:
        entry = state.decide(rid, decision, document=document, note=note)
    except LandtoolError as exc:
        window.error("error.decide", exc)
        return None
    window.say(tr("status.decided", state.lang, id=rid,
                  what=decision_name(decision, state.lang), n=entry.seq))
    return entry


def ask_register_path(parent: QWidget | None, lang: str, suggested: str) -> str | None:
    chosen, _ = QFileDialog.getSaveFileName(parent, tr("action.print_register", lang),
                                            suggested, "HTML (*.html)")
    return chosen or None


def print_register(window, state: AppState) -> Path | None:
    """Write the printable register of the open workspace (HTML, the window's language) where
    the user says; it opens in any web browser, to print."""
    from landtool.export.register_sheet import write_register

    if state.workspace is None:
        return None
    import gui.decision_dialog as this

    suggested = str(Path.home() / f"register-{state.workspace.path.name.split('.')[0]}.html")
    chosen = this.ask_register_path(window, state.lang, suggested)
    if chosen is None:
        return None
    path = Path(chosen if chosen.lower().endswith((".html", ".htm")) else chosen + ".html")
    try:
        # the file dialog asked before replacing an existing file
        write_register(state.workspace, path, lang=state.lang, overwrite=True)
    except LandtoolError as exc:
        window.error("error.print_register", exc)
        return None
    window.say(tr("status.register_printed", state.lang, path=str(path)))
    return path


def ask_receipt_path(parent: QWidget | None, lang: str, suggested: str) -> str | None:
    chosen, _ = QFileDialog.getSaveFileName(parent, tr("action.print_receipt", lang),
                                            suggested, "PDF (*.pdf)")
    return chosen or None


def print_receipt(window, state: AppState) -> Path | None:
    """Write the selected request's receipt for its applicant (PDF in the window's language
    first, the other under it, with its QR code; the same as JSON beside it). A registration
    made in the window is in the log only once saved, so it is saved first."""
    from landtool import witness
    from landtool.export.receipt import write_receipt_pdf
    from landtool.io.formats import check_writable

    rid = state.selected
    if state.workspace is None or rid is None:
        return None
    import gui.decision_dialog as this

    suggested = str(Path.home() / f"receipt-{rid}.pdf")
    chosen = this.ask_receipt_path(window, state.lang, suggested)
    if chosen is None:
        return None
    path = Path(chosen if chosen.lower().endswith(".pdf") else chosen + ".pdf")
    if state.dirty and not window.save():  # the save said why it failed
        return None
    try:
        check_writable(path, overwrite=True)  # the file dialog asked before replacing
        doc = witness.receipt(state.workspace, rid)
        json_path = witness.write_json(doc, path.with_suffix(".json"))
        write_receipt_pdf(doc, path, lang=state.lang)
    except LandtoolError as exc:
        window.error("error.receipt", exc)
        return None
    window.say(tr("status.receipt", state.lang, id=rid, path=str(path), json=json_path.name))
    return path
