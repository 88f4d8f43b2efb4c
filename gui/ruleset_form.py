"""A form for one rule of a ruleset, with a typed field per parameter built from the pydantic
models of :mod:`landtool.check.ruleset` (nothing here knows a rule type by name).

Field types map to widgets: ``float`` to a spin box whose minimum is the model's bound (``ge``
or ``gt``) and whose unit comes from the field's name (``_m``, ``_m2``, ``_ha``); an optional
``float | None`` adds a "no limit" box; a ``Literal`` to a list of the allowed values; a tuple of
names to an editable comma-separated list; ``float | str`` to a text box read as a number when
it is one; an optional nested model (a filter) to a box that switches it on with its own
fields. The model's description is each field's tooltip.
"""

from __future__ import annotations

import types
from typing import Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Gt
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from gui.i18n import STRINGS, Lang, tr
from landtool.check.ruleset import PARAMS, Rule

#: how a field whose value differs from the opened ruleset's looks
_CHANGED = ("QDoubleSpinBox, QLineEdit, QComboBox { background: #fff1b8; }"
            " QCheckBox { font-weight: bold; }")
#: field-name ending -> (unit key, decimals, step)
_UNITS = (("_m2", "unit.m2", 1, 1.0), ("_ha", "unit.ha", 2, 0.5), ("_m", "unit.m", 1, 10.0))


def unit_of(name: str) -> tuple[str, int, float] | None:
    """The unit key, decimals and step of a parameter, from its name (``distance_m`` → m)."""
    for ending, key, decimals, step in _UNITS:
        if name.endswith(ending):
            return key, decimals, step
    return None


def _label(name: str, lang: Lang) -> str:
    key = f"param.{name}"
    return tr(key, lang) if key in STRINGS else name


def _choice_text(value: str, lang: Lang) -> str:
    for key in (f"rulestatus.{value}", f"check.confidence.{value}"):
        if key in STRINGS:
            text = tr(key, lang)
            return text if text == value else f"{text} ({value})"
    return value


class FieldEditor(QWidget):
    """One typed value; :attr:`changed` when the user changes it (not on :meth:`set_value`)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._quiet = False
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)

    def _emit(self, *_args) -> None:
        if not self._quiet:
            self.changed.emit()

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        self._quiet = True
        try:
            self._set(value)
        finally:
            self._quiet = False

    def _set(self, value: Any) -> None:
        raise NotImplementedError


class FloatEditor(FieldEditor):
    """A number within the model's bound, in the unit the name gives; optional: "no limit"."""

    def __init__(self, name: str, info: FieldInfo, lang: Lang, *, optional: bool) -> None:
        super().__init__()
        unit = unit_of(name)
        decimals, step = (unit[1], unit[2]) if unit else (2, 1.0)
        self.spin = QDoubleSpinBox(self)
        self.spin.setDecimals(decimals)
        self.spin.setSingleStep(step)
        self.spin.setMaximum(1e9)
        self.spin.setMinimum(-1e9)
        for bound in info.metadata:  # ge: that value; gt: the smallest value above it shown
            if isinstance(bound, Ge):
                self.spin.setMinimum(float(bound.ge))
            elif isinstance(bound, Gt):
                self.spin.setMinimum(float(bound.gt) + 10 ** -decimals)
        if unit:
            self.spin.setSuffix(" " + tr(unit[0], lang))
        self.spin.setKeyboardTracking(False)  # typed digits count once the number is entered
        self.spin.valueChanged.connect(self._emit)
        self.row.addWidget(self.spin, 1)
        self.no_limit: QCheckBox | None = None
        if optional:
            self.no_limit = QCheckBox(tr("editor.no_limit", lang), self)
            self.no_limit.toggled.connect(self.spin.setDisabled)
            self.no_limit.toggled.connect(self._emit)
            self.row.addWidget(self.no_limit)

    def value(self) -> float | None:
        if self.no_limit is not None and self.no_limit.isChecked():
            return None
        return self.spin.value()

    def _set(self, value: float | None) -> None:
        if self.no_limit is not None:
            self.no_limit.setChecked(value is None)
        if value is not None:
            self.spin.setValue(float(value))


class ChoiceEditor(FieldEditor):
    """One of the values a ``Literal`` allows."""

    def __init__(self, values: tuple[str, ...], lang: Lang) -> None:
        super().__init__()
        self.combo = QComboBox(self)
        for v in values:
            self.combo.addItem(_choice_text(v, lang), v)
        self.combo.currentIndexChanged.connect(self._emit)
        self.row.addWidget(self.combo, 1)

    def value(self) -> str:
        return self.combo.currentData()

    def _set(self, value: str) -> None:
        self.combo.setCurrentIndex(self.combo.findData(value))


class TextEditor(FieldEditor):
    """Text; ``kind``: ``"text"``, ``"list"`` (comma-separated names, a tuple) or
    ``"number_or_text"`` (a number when it reads as one)."""

    def __init__(self, kind: str, lang: Lang) -> None:
        super().__init__()
        self.kind = kind
        self.edit = QLineEdit(self)
        if kind == "list":
            self.edit.setPlaceholderText(tr("editor.list_hint", lang))
        self.edit.textEdited.connect(self._emit)
        self.row.addWidget(self.edit, 1)

    def value(self) -> Any:
        text = self.edit.text().strip()
        if self.kind == "list":
            return tuple(p.strip() for p in text.split(",") if p.strip())
        if self.kind == "number_or_text":
            try:
                return float(text)
            except ValueError:
                return text
        return text

    def _set(self, value: Any) -> None:
        if self.kind == "list":
            self.edit.setText(", ".join(value or ()))
        elif self.kind == "number_or_text" and isinstance(value, float) and value.is_integer():
            self.edit.setText(str(int(value)))
        else:
            self.edit.setText("" if value is None else str(value))


class ModelEditor(FieldEditor):
    """A nested model's fields; optional: a box that switches it on (off: ``None``)."""

    def __init__(self, model: type[BaseModel], lang: Lang, *, optional: bool) -> None:
        super().__init__()
        self.fields = ParamsEditor(model, lang, self)
        self.fields.changed.connect(self._emit)
        self.enabled: QCheckBox | None = None
        self.row.setDirection(QBoxLayout.Direction.TopToBottom)
        if optional:
            self.enabled = QCheckBox(tr("editor.use_filter", lang), self)
            self.enabled.toggled.connect(self.fields.setEnabled)
            self.enabled.toggled.connect(self._emit)
            self.row.addWidget(self.enabled)
        self.row.addWidget(self.fields, 1)

    def value(self) -> dict | None:
        if self.enabled is not None and not self.enabled.isChecked():
            return None
        return self.fields.value()

    def _set(self, value: dict | BaseModel | None) -> None:
        if isinstance(value, BaseModel):
            value = value.model_dump()
        if self.enabled is not None:
            self.enabled.setChecked(value is not None)
            self.fields.setEnabled(value is not None)
        self.fields.set_value(value or {})


def editor_for(name: str, info: FieldInfo, lang: Lang) -> FieldEditor:
    """The widget for one field of a pydantic model, from its type annotation."""
    ann = info.annotation
    args = get_args(ann) if get_origin(ann) in (Union, types.UnionType) else (ann,)
    optional = type(None) in args
    core = tuple(a for a in args if a is not type(None))
    first = core[0]
    if core == (float,):
        editor = FloatEditor(name, info, lang, optional=optional)
    elif get_origin(first) is Literal:
        editor = ChoiceEditor(get_args(first), lang)
    elif get_origin(first) is tuple:
        editor = TextEditor("list", lang)
    elif set(core) == {float, str}:
        editor = TextEditor("number_or_text", lang)
    elif len(core) == 1 and isinstance(first, type) and issubclass(first, BaseModel):
        editor = ModelEditor(first, lang, optional=optional)
    else:
        editor = TextEditor("text", lang)
    if info.description:
        editor.setToolTip(info.description)
    return editor


class ParamsEditor(FieldEditor):
    """Every field of a pydantic model, one typed editor each (:attr:`editors` by name)."""

    def __init__(self, model: type[BaseModel], lang: Lang, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        self.row.addLayout(form)
        self.editors: dict[str, FieldEditor] = {}
        for name, info in model.model_fields.items():
            editor = editor_for(name, info, lang)
            editor.changed.connect(self._emit)
            self.editors[name] = editor
            label = QLabel(_label(name, lang))
            label.setToolTip(f"{name}: {info.description}" if info.description else name)
            form.addRow(label, editor)

    def value(self) -> dict:
        return {name: e.value() for name, e in self.editors.items()}

    def _set(self, value: dict) -> None:
        for name, editor in self.editors.items():
            editor.set_value(value.get(name))


class RuleForm(QGroupBox):
    """One rule: enabled, severity, confidence and its parameters; :meth:`data` is the rule
    as a dict for the model (validation is the caller's), :meth:`show_problem` a message."""

    changed = Signal(object)  # the editor changed (for merging undo steps)

    def __init__(self, rule: Rule, lang: Lang, parent: QWidget | None = None) -> None:
        self._title = f"{rule.title(lang)}  ({rule.id})"
        self._changed_text = tr("editor.changed", lang)
        super().__init__(self._title, parent)
        self.rule = rule
        self.enabled = QCheckBox(tr("editor.enabled", lang), self)
        fields = Rule.model_fields
        self.severity = editor_for("severity", fields["severity"], lang)
        self.confidence = editor_for("confidence", fields["confidence"], lang)
        self.params = ParamsEditor(PARAMS[rule.type], lang, self)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #c0392b")
        self.problem.hide()
        form = QFormLayout(self)
        form.addRow(self.enabled)
        form.addRow(tr("editor.severity", lang), self.severity)
        form.addRow(tr("editor.confidence", lang), self.confidence)
        if self.params.editors:
            form.addRow(tr("editor.params", lang), self.params)
        form.addRow(self.problem)
        self.setToolTip(f"{rule.type.value} · {rule.source}")
        self.set_values(self.values_of(rule))
        self.enabled.toggled.connect(lambda _on: self.changed.emit(self.enabled))
        for w in (self.severity, self.confidence):
            w.changed.connect(lambda w=w: self.changed.emit(w))
        for e in self.params.editors.values():
            e.changed.connect(lambda e=e: self.changed.emit(e))

    @staticmethod
    def values_of(rule: Rule) -> dict:
        return {"enabled": rule.enabled, "severity": rule.severity,
                "confidence": rule.confidence, "params": rule.params.model_dump()}

    def values(self) -> dict:
        """What the form shows (for undo and for :meth:`data`)."""
        return {"enabled": self.enabled.isChecked(), "severity": self.severity.value(),
                "confidence": self.confidence.value(), "params": self.params.value()}

    def set_values(self, values: dict) -> None:
        self.enabled.blockSignals(True)
        self.enabled.setChecked(values["enabled"])
        self.enabled.blockSignals(False)
        self.severity.set_value(values["severity"])
        self.confidence.set_value(values["confidence"])
        self.params.set_value(values["params"])

    def mark_changes(self) -> bool:
        """Highlight the fields that differ from the rule as opened; True if any does."""
        now, then = self.values(), self.values_of(self.rule)
        pairs = [(self.enabled, now["enabled"] != then["enabled"]),
                 (self.severity, now["severity"] != then["severity"]),
                 (self.confidence, now["confidence"] != then["confidence"])]
        pairs += [(e, now["params"][n] != then["params"].get(n))
                  for n, e in self.params.editors.items()]
        for widget, changed in pairs:
            widget.setStyleSheet(_CHANGED if changed else "")
        any_changed = any(changed for _, changed in pairs)
        self.setTitle(f"{self._title}  — {self._changed_text}" if any_changed else self._title)
        return any_changed

    def data(self) -> dict:
        """The rule with the form's values, as the model's input."""
        return {**self.rule.model_dump(exclude={"params"}), **self.values()}

    def show_problem(self, text: str | None) -> None:
        self.problem.setText(text or "")
        self.problem.setVisible(bool(text))
