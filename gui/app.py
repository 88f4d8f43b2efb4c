"""``landtool-gui``: start the desktop application.

Usage::

    landtool-gui [WORKSPACE] [--lang mn|en] [--extent W,S,E,N] [--screenshot PATH]

Without WORKSPACE the bundled sample workspace opens (it is built on the first start, which
takes some seconds). ``--screenshot`` renders the window to a PNG once the workspace is shown
and exits: with ``QT_QPA_PLATFORM=offscreen`` it needs no display, for docs and checks.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QLocale, QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication

from gui.dialogs import error_text
from gui.i18n import Lang
from gui.main_window import MainWindow

SCREENSHOT_TIMEOUT_S = 600  # building the sample workspace included


def _extent(text: str) -> tuple[float, float, float, float]:
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give four numbers W,S,E,N in degrees, e.g. 106.0,48.4,107.6,49.3"
        ) from None
    if not (west < east and south < north):
        raise argparse.ArgumentTypeError(f"{text!r}: need W < E and S < N")
    return west, south, east, north


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="landtool-gui",
                                     description="Start the landtool desktop application.")
    parser.add_argument("workspace", nargs="?", type=Path, metavar="WORKSPACE",
                        help="workspace GeoPackage to open (default: the sample workspace)")
    parser.add_argument("--lang", choices=[lang.value for lang in Lang], default=None,
                        help="interface language (default: Mongolian on a Mongolian system, "
                        "else English)")
    parser.add_argument("--extent", type=_extent, metavar="W,S,E,N",
                        help="show this lon/lat box once the workspace is open")
    parser.add_argument("--screenshot", type=Path, metavar="PATH",
                        help="save the window as a PNG once the workspace is shown, then exit")
    return parser


def _default_lang() -> Lang:
    return Lang.MN if QLocale.system().language() == QLocale.Language.Mongolian else Lang.EN


def _warn_if_no_cyrillic_font() -> None:
    if not QFontDatabase.families(QFontDatabase.WritingSystem.Cyrillic):
        print("landtool-gui: no font with Cyrillic letters is installed, so Mongolian text "
              "will show as boxes; install one (Debian/Ubuntu: apt-get install "
              "fonts-dejavu-core)", file=sys.stderr)


def _take_screenshot(app: QApplication, window: MainWindow, path: Path) -> None:
    canvas = window.canvas
    view = canvas.view
    canvas.cursorMoved.emit(*view.to_lonlat(view.width / 2, view.height / 2))  # fill the status
    app.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(path), "PNG")
    if ok:
        print(f"saved {path}")
    else:
        print(f"landtool-gui: could not write {path}", file=sys.stderr)
    app.exit(0 if ok else 1)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``landtool-gui``; returns the exit code."""
    args = _parser().parse_args(argv)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("landtool")
    _warn_if_no_cyrillic_font()
    window = MainWindow(args.lang or _default_lang(), report_errors=args.screenshot is None)

    def on_loaded(_path: str) -> None:
        if args.extent:
            window.canvas.zoom_to_bounds(args.extent)
        if args.screenshot:
            QTimer.singleShot(100, lambda: _take_screenshot(app, window, args.screenshot))

    def on_failed(exc: BaseException) -> None:
        if args.screenshot:
            print(f"landtool-gui: {error_text(exc, window.lang)}", file=sys.stderr)
            app.exit(2)

    window.workspaceLoaded.connect(on_loaded)
    window.loadFailed.connect(on_failed)
    if args.screenshot:  # never hang an unattended run; the timer dies with the window
        watchdog = QTimer(window, singleShot=True, interval=SCREENSHOT_TIMEOUT_S * 1000)
        watchdog.timeout.connect(lambda: app.exit(3))
        watchdog.start()
    window.show()
    if args.workspace is not None:
        window.open_workspace(args.workspace)
    else:
        window.open_sample_workspace()
    code = app.exec()
    window.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
