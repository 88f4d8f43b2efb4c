"""Message boxes and small dialogs: errors as readable sentences (never a traceback), About,
the unsaved-changes question, and a rehabilitation status change.

Everything goes through ``QMessageBox``'s static functions, so tests can replace them.
"""

from __future__ import annotations

import sys
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

import landtool
from gui.i18n import Lang, status_name, tr
from landtool.errors import LandtoolError


def ok_cancel(dialog: QDialog, accept=None) -> QDialogButtonBox:
    """The dialog's OK and Cancel buttons, wired to ``accept`` (default: the dialog's own) and
    to reject."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel, dialog)
    buttons.accepted.connect(accept or dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def error_text(exc: BaseException, lang: str | Lang = Lang.EN) -> str:
    """What to tell the user about ``exc``: the message, the file and feature, the hint."""
    if not isinstance(exc, LandtoolError):
        return f"{type(exc).__name__}: {exc}"
    lines = [exc.message]
    if exc.path is not None:
        lines.append(str(exc.path))
    if exc.feature is not None:
        lines.append(f"{tr('error.feature', lang)}: {exc.feature}")
    if exc.hint:
        lines.append(f"{tr('error.what_to_do', lang)}: {exc.hint}")
    return "\n\n".join(lines)


def show_error(parent: QWidget | None, title: str, exc: BaseException,
               lang: str | Lang = Lang.EN) -> None:
    """Show ``exc`` in a message box; an unexpected one also goes to stderr with its traceback.

    A :class:`~landtool.errors.LandtoolError` is an expected problem with the user's data and
    is shown with its hint only. Anything else is a bug: the box says so briefly and the
    traceback is written to the log for the report.
    """
    if not isinstance(exc, LandtoolError):
        trace = getattr(exc, "__traceback_text__", None)
        print(trace or f"{type(exc).__name__}: {exc}", file=sys.stderr)
        title = f"{title} ({tr('error.unexpected', lang)})"
    QMessageBox.critical(parent, title, error_text(exc, lang))


def show_message(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def show_warning(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)


def show_about(parent: QWidget | None, lang: str | Lang = Lang.EN) -> None:
    QMessageBox.about(parent, tr("dialog.about", lang),
                      tr("about.text", lang, version=landtool.__version__))


def ask_unsaved(parent: QWidget | None, lang: str | Lang, name: str) -> str:
    """"save", "discard" or "cancel": what to do with unsaved changes to ``name``."""
    buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
               | QMessageBox.StandardButton.Cancel)
    answer = QMessageBox.question(parent, tr("unsaved.title", lang),
                                  tr("unsaved.text", lang, name=name), buttons,
                                  QMessageBox.StandardButton.Save)
    if answer == QMessageBox.StandardButton.Save:
        return "save"
    if answer == QMessageBox.StandardButton.Discard:
        return "discard"
    return "cancel"


def ask_yes_no(parent: QWidget | None, title: str, text: str) -> bool:
    buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    answer = QMessageBox.question(parent, title, text, buttons, QMessageBox.StandardButton.Yes)
    return answer == QMessageBox.StandardButton.Yes


class StatusChangeDialog(QDialog):
    """The new status of a parcel and the date it was reached. Every status is offered, the
    allowed next ones first: the library decides, and says why a change is refused."""

    def __init__(self, parcel_id: str, current: str, lang: str | Lang,
                 parent: QWidget | None = None, evidence: tuple[int, ...] = ()) -> None:
        super().__init__(parent)
        from landtool.rehab.status import ALLOWED, STATUSES

        self.setWindowTitle(tr("status_dialog.title", lang, id=parcel_id))
        self.status_combo = QComboBox(self)
        allowed = list(ALLOWED.get(current, ()))
        for status in allowed + [s for s in STATUSES if s not in allowed and s != current]:
            label = status_name(status, lang)
            if status not in allowed:
                label += f" ({tr('status_dialog.not_next', lang)})"
            self.status_combo.addItem(label, status)
        self.date_edit = QDateEdit(QDate.currentDate(), self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        form = QFormLayout()
        form.addRow(tr("status_dialog.current", lang), QLabel(status_name(current, lang)))
        form.addRow(tr("status_dialog.new", lang), self.status_combo)
        form.addRow(tr("status_dialog.date", lang), self.date_edit)
        form.addRow(tr("status_dialog.evidence", lang), QLabel(
            ", ".join(map(str, evidence)) or tr("status_dialog.no_evidence", lang)))
        buttons = ok_cancel(self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def choice(self) -> tuple[str, date]:
        return self.status_combo.currentData(), self.date_edit.date().toPython()


def ask_status_change(parent: QWidget | None, parcel_id: str, current: str,
                      lang: str | Lang, evidence: tuple[int, ...] = ()
                      ) -> tuple[str, date] | None:
    dialog = StatusChangeDialog(parcel_id, current, lang, parent, evidence)
    return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None
