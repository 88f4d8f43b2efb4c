"""The dialogs of a shared workspace (PostgreSQL): which one to open, with the password (held
in memory for the connection, never stored), and who is connected to it now.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.dialogs import ok_cancel
from gui.i18n import Lang, tr
from landtool.location import DatabaseLocation, is_database_url

EXAMPLE_URL = "postgresql://officer1@aimag-server:5432/mandal"
COLUMNS = ("user", "client", "since", "application")
UNKNOWN = "—"


class OpenSharedDialog(QDialog):
    """The URL of a shared workspace and the password to connect with."""

    def __init__(self, lang: str | Lang, url: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = Lang(lang)
        self.setWindowTitle(tr("shared.title", lang))
        given = DatabaseLocation(url) if is_database_url(url) else None
        # a password in a URL goes to the password field, never into the URL's text
        self.url_edit = QLineEdit(str(given) if given and not given.problem else url, self)
        self.url_edit.setPlaceholderText(EXAMPLE_URL)
        self.url_edit.setMinimumWidth(420)
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        if given is not None and given.password:
            self.password_edit.setText(given.password)
        note = QLabel(tr("shared.note", lang), self)
        note.setWordWrap(True)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow(tr("shared.url", lang), self.url_edit)
        form.addRow(tr("shared.password", lang), self.password_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(ok_cancel(self, self._accept))
        (self.password_edit if url else self.url_edit).setFocus()

    def location(self) -> DatabaseLocation | None:
        """The workspace to open (with the password typed, if any), or None for a URL that is
        not a shared workspace's."""
        url = self.url_edit.text().strip()
        if not is_database_url(url):
            return None
        try:
            where = DatabaseLocation(url, self.password_edit.text() or None)
        except ValueError:
            return None
        return where if where.database and not where.problem else None

    def _accept(self) -> None:
        if self.location() is None:
            self.error.setText(tr("shared.bad_url", self.lang))
            return
        self.accept()


def ask_shared(parent: QWidget | None, lang: str | Lang, url: str = "") -> DatabaseLocation | None:
    """Ask which shared workspace to open (``url`` filled in); None if cancelled."""
    dialog = OpenSharedDialog(lang, url, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.location()


class ConnectedDialog(QDialog):
    """Who is connected to a shared workspace: one row per connection, this one marked."""

    def __init__(self, connections, name: str, lang: str | Lang,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("connected.title", lang, name=name))
        self.table = QTableWidget(len(connections), len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels([tr(f"connected.col.{c}", lang) for c in COLUMNS])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, conn in enumerate(connections):
            user = f"{conn.user} ({tr('connected.you', lang)})" if conn.me else conn.user
            client, since = _where_and_when(conn)
            for col, text in enumerate((user, client, since, conn.application)):
                item = QTableWidgetItem(text)
                if conn.me:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumWidth(520)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)

    def rows(self) -> list[list[str]]:
        """The table's text, row by row (what the user reads)."""
        return [[self.table.item(r, c).text() for c in range(self.table.columnCount())]
                for r in range(self.table.rowCount())]


def _where_and_when(conn) -> tuple[str, str]:
    """The client's address and the connection's start (UTC), or dashes: the server shows
    them for another user's connection only to a user allowed to read every session's
    details (a superuser, or a member of pg_read_all_stats); the library gives '?' then."""
    if conn.since in (None, "?"):
        return UNKNOWN, UNKNOWN
    return conn.client, conn.since.replace("T", " ").removesuffix("Z")
