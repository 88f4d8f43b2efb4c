"""Message boxes: errors as readable sentences (never a traceback), and About."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QMessageBox, QWidget

import landtool
from gui.i18n import Lang, tr
from landtool.errors import LandtoolError


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


def show_about(parent: QWidget | None, lang: str | Lang = Lang.EN) -> None:
    QMessageBox.about(parent, tr("dialog.about", lang),
                      tr("about.text", lang, version=landtool.__version__))
