"""The check results of the selected request: the verdict and the eligible part, then each rule
with a pass / fail / warn icon, its message in the interface language, its source and how sure
that source is. Clicking a conflict highlights that feature on the map.
"""

from __future__ import annotations

from functools import cache
from html import escape

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStyledItemDelegate,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.i18n import Lang, format_ha, tr
from gui.state import AppState
from landtool.check.result import Conflict, RequestResult, RuleResult
from landtool.register import decision_name, mongolian_time

CONFLICT_ROLE = Qt.ItemDataRole.UserRole
RULE_ROLE = Qt.ItemDataRole.UserRole + 1
#: colour and symbol of each status
_LOOK = {"pass": ("#1a9641", "✓"), "fail": ("#d7191c", "✕"), "warn": ("#e08a00", "!"),
         "not_applicable": ("#8c8c8c", "–")}
_ORDER = {"fail": 0, "warn": 1, "pass": 2, "not_applicable": 3}


@cache
def status_icon(status: str, size: int = 16) -> QIcon:
    """A round badge: a green tick, a red cross, an amber "!" or a grey dash."""
    colour, symbol = _LOOK.get(status, _LOOK["not_applicable"])
    pixmap = QPixmap(size * 2, size * 2)  # drawn at twice the size: sharp on HiDPI too
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(colour).darker(130), 2))
    painter.setBrush(QBrush(QColor(colour)))
    painter.drawEllipse(QPointF(size, size), size - 2, size - 2)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * 1.3))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QRectF(0, 0, size * 2, size * 2), Qt.AlignmentFlag.AlignCenter, symbol)
    painter.end()
    pixmap.setDevicePixelRatio(2.0)
    return QIcon(pixmap)


def conflict_text(c: Conflict, lang: str | Lang) -> str:
    parts = [c.layer]
    if c.overlap_ha is not None:
        parts.append(tr("check.overlap", lang, ha=format_ha(c.overlap_ha, lang, digits=3)))
    if c.distance_m is not None:
        parts.append(tr("check.distance", lang, m=f"{c.distance_m:,.0f}"))
    return " · ".join(parts)


class _WrapDelegate(QStyledItemDelegate):
    """Rows as tall as their text wrapped to the column's width (a tree view elides)."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self.tree = tree

    def sizeHint(self, option, index) -> QSize:
        hint = super().sizeHint(option, index)
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        width = self.tree.columnWidth(index.column()) - 8
        if index.column() == 0:
            width -= self.tree.indentation() * (1 + _depth(index)) + 22  # indent, icon
        box = option.fontMetrics.boundingRect(QRect(0, 0, max(width, 40), 10_000),
                                              Qt.TextFlag.TextWordWrap, text)
        return QSize(hint.width(), max(hint.height(), box.height() + 6))


def _depth(index) -> int:
    depth = 0
    while index.parent().isValid():
        index, depth = index.parent(), depth + 1
    return depth


class CheckPanel(QWidget):
    """Follows the state's selection and results."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.header = QLabel(self)
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(2)
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.header().setStretchLastSection(True)
        self.tree.setColumnWidth(0, 200)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.tree.setItemDelegate(_WrapDelegate(self.tree))
        self.tree.header().sectionResized.connect(lambda *_a: self.tree.doItemsLayout())
        self.buttons = QHBoxLayout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.header)
        layout.addWidget(self.tree, 1)
        layout.addLayout(self.buttons)
        self.tree.itemClicked.connect(self._on_clicked)
        self.tree.currentItemChanged.connect(lambda item, _old: self._on_clicked(item))
        state.selectionChanged.connect(lambda _rid: self.refresh())
        state.resultsChanged.connect(self.refresh)
        state.workspaceChanged.connect(self.refresh)
        state.decisionsChanged.connect(self.refresh)
        state.languageChanged.connect(lambda _lang: self.refresh())
        self.refresh()

    def add_actions(self, actions: list[QAction]) -> None:
        """Buttons under the results for actions on the selected request."""
        for action in actions:
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            self.buttons.addWidget(button)
        self.buttons.addStretch(1)

    @property
    def result(self) -> RequestResult | None:
        rid = self.state.selected
        return self.state.results.get(rid) if rid is not None else None

    # -- showing ------------------------------------------------------------------------------
    def refresh(self) -> None:
        lang = Lang(self.state.lang)
        self.tree.setHeaderLabels([tr("check.col.rule", lang), tr("check.col.result", lang)])
        self.tree.clear()
        result = self.result
        if result is None:
            key = "check.none" if self.state.selected is None else "check.not_checked"
            self.header.setText(f"<i>{tr(key, lang)}</i>")
            return
        self.header.setText(self._header_html(result, lang))
        rules = sorted(result.results, key=lambda r: _ORDER.get(r.status, 9))
        for rule in rules:
            item = self._rule_item(rule, lang)
            self.tree.addTopLevelItem(item)
            item.setExpanded(rule.status in ("fail", "warn"))

    def _header_html(self, r: RequestResult, lang: Lang) -> str:
        verdict = "eligible" if r.eligible else "refused"
        colour = _LOOK["pass" if r.eligible else "fail"][0]
        lines = [f"<b>{escape(str(r.id))}</b> — {escape(str(r.applicant or ''))}",
                 f"<span style='color:{colour}'><b>{tr('check.' + verdict, lang)}</b></span>"
                 + (f" ({tr('check.incomplete', lang)})" if r.not_checked else ""),
                 tr("check.areas", lang, area=format_ha(r.area_ha, lang),
                    eligible=format_ha(r.eligible_area_ha, lang))]
        if r.queue_no is not None:
            lines.append(tr("check.queue", lang, n=r.queue_no,
                            when=(r.submitted_at or "")[:16].replace("T", " ")))
        else:
            lines.append(tr("check.unregistered", lang))
        decided = self.state.latest_decision(r.id)
        if decided is not None:
            doc = decided.details_dict().get("resolution")
            lines.append(tr("check.decision", lang, when=mongolian_time(decided.at),
                            what=decision_name(decided.action, lang)
                            + (f" № {escape(str(doc))}" if doc else "")))
        rs = self.state.ruleset
        title = rs.title_mn if lang is Lang.MN else rs.title_en
        text = tr("check.ruleset", lang, ruleset=rs.label(), title=title,
                  day=self.state.as_of.isoformat())
        lines.append(f"<small>{text}</small>")
        return "<br>".join(lines)

    def _rule_item(self, rule: RuleResult, lang: Lang) -> QTreeWidgetItem:
        item = QTreeWidgetItem([rule.title_mn if lang is Lang.MN else rule.title_en,
                                rule.message(lang)])
        item.setIcon(0, status_icon(rule.status))
        item.setData(0, RULE_ROLE, rule.rule)
        confidence = tr(f"check.confidence.{rule.confidence}", lang) \
            if rule.confidence in ("confirmed", "unconfirmed") else rule.confidence
        status = tr(f"rulestatus.{rule.status}", lang)
        tip = tr("check.tooltip", lang, rule=rule.rule, status=status, source=rule.source,
                 confidence=confidence)
        item.setToolTip(0, tip)
        item.setToolTip(1, rule.message(lang) + "\n\n" + tip)
        if rule.confidence == "unconfirmed":
            font = item.font(0)
            font.setItalic(True)
            item.setFont(0, font)
        for c in rule.conflicts:
            child = QTreeWidgetItem([c.feature_id, conflict_text(c, lang)])
            child.setData(0, CONFLICT_ROLE, c)
            child.setForeground(0, QBrush(QColor("#1f5fbf")))
            child.setToolTip(0, tr("check.click_conflict", lang))
            item.addChild(child)
        source = QTreeWidgetItem([tr("check.source", lang), f"{rule.source} ({confidence})"])
        source.setForeground(0, QBrush(QColor("#666666")))
        source.setForeground(1, QBrush(QColor("#666666")))
        item.addChild(source)
        return item

    # -- queries and clicks ---------------------------------------------------------------
    def rule_item(self, rule_id: str) -> QTreeWidgetItem:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.data(0, RULE_ROLE) == rule_id:
                return item
        raise KeyError(rule_id)

    def conflict_items(self) -> list[QTreeWidgetItem]:
        out = []
        for i in range(self.tree.topLevelItemCount()):
            parent = self.tree.topLevelItem(i)
            out += [parent.child(k) for k in range(parent.childCount())
                    if parent.child(k).data(0, CONFLICT_ROLE) is not None]
        return out

    def _on_clicked(self, item: QTreeWidgetItem | None, _column: int = 0) -> None:
        if item is None:
            return
        conflict = item.data(0, CONFLICT_ROLE)
        self.state.highlight(conflict if isinstance(conflict, Conflict) else None)


# -- the Tools menu's commands on checks (the window passes itself) ---------------------------
def check_all(window) -> None:
    """Re-check every request in a worker (a batch of thousands takes seconds); results of a
    batch overtaken by an edit are dropped (the live re-check of the edit is newer)."""
    from gui.workspace_loader import check_all as job

    s = window.state
    if s.requests_layer is None:
        return
    index = s.undo_stack.index()

    def apply(report) -> None:
        if s.undo_stack.index() != index:
            window.say(tr("status.check_stale", s.lang))
            return
        s.set_results(report)
        eligible = sum(r.eligible for r in report.requests)
        window.say(tr("status.checked", s.lang, n=len(report.requests), ok=eligible))

    window.runner.run(job, dict(s.layers), dict(s.kinds), s.requests_layer, s.ruleset,
                      s.as_of, key="check", message=tr("busy.check", s.lang), on_done=apply,
                      on_error=lambda exc: window.error("error.check", exc))


def set_ruleset(window, ruleset_id: str, version: str | None = None) -> bool:
    """Check with another ruleset (a draft's ``version``, default its newest; a malformed file
    is reported; the current one stays)."""
    from landtool.check.ruleset import load_ruleset
    from landtool.errors import LandtoolError

    try:
        window.state.set_ruleset(load_ruleset(ruleset_id, version))
    except LandtoolError as exc:
        window.error("error.ruleset", exc)
        return False
    return True


def ask_check_date(window) -> None:
    """Ask the date the check applies (which licences and conclusions are in force)."""
    from datetime import date

    from PySide6.QtWidgets import QInputDialog, QMessageBox

    lang = window.state.lang
    text, ok = QInputDialog.getText(window, tr("dialog.check_date", lang),
                                    tr("dialog.check_date_text", lang),
                                    text=window.state.as_of.isoformat())
    if not ok:
        return
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        QMessageBox.information(window, tr("dialog.check_date", lang),
                                tr("dialog.bad_date", lang, text=text))
        return
    window.state.set_ruleset(window.state.ruleset, as_of=day)
