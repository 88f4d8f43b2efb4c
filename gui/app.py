"""``landtool-gui``: start the desktop application.

Usage::

    landtool-gui [WORKSPACE] [--workspace WS] [--lang mn|en] [--request ID] [--parcel ID]
                 [--view map|rehab]
                 [--extent W,S,E,N] [--screenshot PATH]

WORKSPACE is a GeoPackage, or a shared workspace's ``postgresql://user@host:port/database``
URL (its password, if neither the URL nor PGPASSWORD holds one, is asked for; it is never
stored). Without a workspace the bundled sample workspace opens (it is built on the first
start, which takes some seconds). ``--screenshot`` renders the window to a PNG once the
workspace is shown (and the request selected, the view chosen and the work in the background
done) and exits: with ``QT_QPA_PLATFORM=offscreen`` it needs no display, for docs and checks.
A screenshot run keeps its settings in a temporary file, so it neither reads nor changes the
user's.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication

from gui import startup_trace
from gui.dialogs import error_text
from gui.i18n import Lang
from gui.main_window import MainWindow
from gui.settings import ENV_VAR, Settings
from landtool.location import as_location

startup_trace.mark("imported")

SCREENSHOT_TIMEOUT_S = 600  # building the sample workspace included
_SETTLE_MS = 300  # after the background work, before the picture: let the widgets paint


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


def _where(text: str):
    try:
        return as_location(text)
    except ValueError as exc:  # a database URL with a port that is not a number
        raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="landtool-gui",
                                     description="Start the landtool desktop application.")
    parser.add_argument("workspace", nargs="?", type=_where, metavar="WORKSPACE",
                        help="workspace GeoPackage, or postgresql:// URL of a shared workspace, "
                        "to open (default: the sample workspace)")
    parser.add_argument("--workspace", dest="workspace_opt", type=_where, metavar="WS",
                        help="the same as WORKSPACE")
    parser.add_argument("--lang", choices=[lang.value for lang in Lang], default=None,
                        help="interface language (default: the one used last, else Mongolian "
                        "on a Mongolian system, else English)")
    parser.add_argument("--request", metavar="ID",
                        help="select this request (its check results) and zoom to it")
    parser.add_argument("--parcel", metavar="ID",
                        help="select this rehabilitation parcel, show its photos and zoom to "
                        "it (the rehabilitation view)")
    parser.add_argument("--view", choices=["map", "rehab"], default=None,
                        help="show the map view (requests and checks) or the rehabilitation "
                        "view (default: the layout of the last run)")
    parser.add_argument("--extent", type=_extent, metavar="W,S,E,N",
                        help="show this lon/lat box once the workspace is open")
    parser.add_argument("--screenshot", type=Path, metavar="PATH",
                        help="save the window as a PNG once the workspace is shown, then exit")
    return parser


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


def _show_parcel(window: MainWindow, parcel_id: str) -> None:
    """The rehabilitation view with ``parcel_id`` selected, its photos shown, zoomed to it."""
    from gui.map_canvas import padded

    window.set_view("rehab")
    panel = window.rehab_panel
    panel.select_parcel(parcel_id)
    panel.tabs.setCurrentWidget(panel.photos)
    parcels = window.state.parcels
    hit = parcels[parcels["parcel_id"].astype(str) == parcel_id] if parcels is not None else []
    if len(hit):  # after set_view's own zoom to the parcels layer (queued before)
        bounds = padded(tuple(hit.total_bounds), 1.5)
        QTimer.singleShot(0, window.canvas, lambda: window.canvas.zoom_to_bounds(bounds))


def _report_unexpected(window: MainWindow):
    """An exception no slot caught (a bug) is shown as a dialog, with the traceback on
    stderr, instead of passing unnoticed or ending the application."""
    import traceback

    from gui.dialogs import show_error
    from gui.i18n import tr

    def hook(kind, exc, trace) -> None:
        if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit
            sys.__excepthook__(kind, exc, trace)
            return
        exc.__traceback_text__ = "".join(traceback.format_exception(kind, exc, trace))
        show_error(window, tr("error.unexpected", window.lang), exc, window.lang)

    return hook


def _when_idle(window: MainWindow, then) -> None:
    """Call ``then`` once no task runs in the background (the chart, an estimate)."""
    if window.runner.is_busy():
        window.runner.done.connect(lambda _task: _when_idle(window, then),
                                   type=Qt.ConnectionType.SingleShotConnection)
    else:
        QTimer.singleShot(_SETTLE_MS, then)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``landtool-gui``; returns the exit code."""
    import os

    args = _parser().parse_args(argv)
    workspace = args.workspace_opt or args.workspace
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("landtool")
    _warn_if_no_cyrillic_font()
    scratch = None
    if args.screenshot and not os.environ.get(ENV_VAR):
        scratch = tempfile.TemporaryDirectory(prefix="landtool-settings-")
        settings = Settings(Path(scratch.name) / "settings.ini")
    else:
        settings = Settings()
    window = MainWindow(args.lang, settings=settings, report_errors=args.screenshot is None)
    if args.screenshot:  # the picture shows the background imagery, not a blank first
        window.imagery.layer.synchronous = True

    def on_loaded(_path: str) -> None:
        if args.view:
            window.set_view(args.view)
        if args.request:
            window.show_request(args.request)
        if args.parcel:
            _show_parcel(window, args.parcel)
        if args.extent:
            window.canvas.zoom_to_bounds(args.extent)
        if args.screenshot:
            _when_idle(window, lambda: _take_screenshot(app, window, args.screenshot))

    def on_failed(exc: BaseException) -> None:
        if args.screenshot:
            print(f"landtool-gui: {error_text(exc, window.lang)}", file=sys.stderr)
            app.exit(2)

    window.workspaceLoaded.connect(on_loaded)
    window.loadFailed.connect(on_failed)
    if not args.screenshot:
        sys.excepthook = _report_unexpected(window)
    if args.screenshot:  # never hang an unattended run; the timer dies with the window
        watchdog = QTimer(window, singleShot=True, interval=SCREENSHOT_TIMEOUT_S * 1000)
        watchdog.timeout.connect(lambda: app.exit(3))
        watchdog.start()
    startup_trace.on_first_paint(window.canvas, "window-shown")
    window.show()
    # the workspace is read in the background once the event loop runs, so the window is
    # painted first and fills in (the status bar counts the layers)
    if workspace is not None:
        QTimer.singleShot(0, window, lambda: window.open_workspace(workspace))
    else:
        QTimer.singleShot(0, window, window.open_sample_workspace)
    code = app.exec()
    if window.isVisible():  # an unattended run ends with the window still open
        window.close()
    sys.excepthook = sys.__excepthook__
    if scratch is not None:
        scratch.cleanup()
    return code


if __name__ == "__main__":
    sys.exit(main())
