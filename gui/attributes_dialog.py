"""Editing a request's attributes: one row per field, typed as the catalog says. The queue
number and submission time are shown but not editable (registration gives them, once); the
window applies the changes with ``state.edit_attributes``, so they can be undone.
"""

from __future__ import annotations

import pandas as pd
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from gui.dialogs import ok_cancel
from gui.i18n import Lang, tr
from gui.state import AppState
from landtool.catalog import get_kind
from landtool.errors import LandtoolError

READ_ONLY = ("request_id", "queue_no", "submitted_at")
_SKIP = ("geometry", "synthetic")


def _blank(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def _parse(text: str, field_type: str):
    """The typed value of ``text`` (None for empty); ValueError when it does not fit."""
    text = text.strip()
    if not text:
        return None
    if field_type == "int":
        return int(text)
    if field_type == "float":
        return float(text.replace(",", "."))
    if field_type in ("date", "datetime"):
        from datetime import date, datetime

        (date if field_type == "date" else datetime).fromisoformat(text)
    return text


class AttributesDialog(QDialog):
    def __init__(self, state: AppState, request_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lang = Lang(state.lang)
        self.lang = lang
        self.setWindowTitle(tr("attributes.title", lang, id=request_id))
        kind = get_kind("requests")
        row = state.row(request_id)
        self.types = {f.name: f.type for f in kind.fields}
        self.before: dict[str, object] = {}
        self.editors: dict[str, QWidget] = {}
        form = QFormLayout()
        names = [f.name for f in kind.fields]
        names += [c for c in row.index if c not in names and c not in _SKIP]
        for name in names:
            value = row.get(name)
            title = name
            if name in self.types:
                f = kind.field(name)
                title = f"{f.title_mn if lang is Lang.MN else f.title_en} ({name})"
            if name in READ_ONLY:
                form.addRow(title, QLabel("" if _blank(value) else str(value), self))
                continue
            self.before[name] = None if _blank(value) else value
            form.addRow(title, self._editor(name, value, kind))
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #b2182b")
        buttons = ok_cancel(self, self._accept)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _editor(self, name: str, value, kind) -> QWidget:
        field_type = self.types.get(name, "str")
        choices = kind.field(name).choices if name in self.types else None
        if field_type == "bool":
            editor = QCheckBox(self)
            editor.setChecked(bool(value) if not _blank(value) else False)
        elif choices:
            editor = QComboBox(self)
            editor.addItem("", None)
            for choice in choices:
                editor.addItem(choice, choice)
            editor.setCurrentIndex(max(0, editor.findData(value)))
        else:
            if field_type == "int" and not _blank(value):
                value = int(value)
            editor = QLineEdit("" if _blank(value) else str(value), self)
        self.editors[name] = editor
        return editor

    def set_value(self, name: str, text: str) -> None:
        """Type ``text`` into the field ``name`` (for tests and scripted use)."""
        self.editors[name].setText(text)

    def changes(self) -> dict[str, object]:
        """The fields whose value differs from the request's; ValueError naming a bad one."""
        out = {}
        for name, editor in self.editors.items():
            if isinstance(editor, QCheckBox):
                value = editor.isChecked()
            elif isinstance(editor, QComboBox):
                value = editor.currentData()
            else:
                field_type = self.types.get(name, "str")
                try:
                    value = _parse(editor.text(), field_type)
                except ValueError:
                    raise ValueError(tr("attributes.bad_value", self.lang, field=name,
                                        type=field_type)) from None
            old = self.before.get(name)
            if value != old and not (value is None and _blank(old)):
                out[name] = value
        return out

    def _accept(self) -> None:
        try:
            self.changes()
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        self.accept()


def ask_attributes(parent: QWidget | None, state: AppState,
                   request_id: str) -> dict[str, object] | None:
    """The changes the user made to the request's attributes, or None if cancelled."""
    dialog = AttributesDialog(state, request_id, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.changes()


def edit_selected(window, state: AppState) -> bool:
    """Ask for the selected request's new attributes and apply them (one undo step)."""
    rid = state.selected
    if rid is None:
        return False
    import gui.attributes_dialog as this  # looked up here, so tests can answer for it

    changes = this.ask_attributes(window, state, rid)
    if not changes:
        return False
    try:
        state.edit_attributes(rid, changes)
    except LandtoolError as exc:
        window.error("error.edit", exc)
        return False
    return True


def register_selected(window, state: AppState) -> tuple[int, str] | None:
    """Give the selected request its queue number and submission time (undoable); a request
    registered already is refused, with the reason shown."""
    rid = state.selected
    if rid is None:
        return None
    try:
        number, stamp = state.register(rid)
    except LandtoolError as exc:
        window.error("error.register", exc)
        return None
    window.say(tr("status.registered", state.lang, id=rid, n=number, when=stamp))
    return number, stamp
