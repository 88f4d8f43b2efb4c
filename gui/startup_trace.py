"""Start-up markers for measuring how fast the window appears (issue 13).

With ``LANDTOOL_STARTUP_TRACE=1`` the app prints lines such as ``landtool-trace 0.812
window-shown`` to stderr: the seconds since the process started, then the marker. The start is
``LANDTOOL_STARTUP_T0`` when set (a :func:`time.perf_counter` reading taken by the launcher just
before it started the process; on Linux that clock is system-wide), else the process's start
time from ``/proc/self/stat``. Without the variable :func:`mark` does nothing.

Markers: ``imported`` (the window's modules), ``window-shown`` (the window's first paint),
``layers-read`` (every layer of the workspace read and prepared), ``layers-loaded`` (handed
to the window) and ``layers-drawn`` (the map's first paint with them).

This module imports nothing heavy: it is the first the app imports.
"""

from __future__ import annotations

import os
import sys
import time

ENV_VAR = "LANDTOOL_STARTUP_TRACE"
T0_VAR = "LANDTOOL_STARTUP_T0"
PREFIX = "landtool-trace"


def enabled() -> bool:
    return os.environ.get(ENV_VAR, "") not in ("", "0")


def _since_boot_start() -> float | None:
    """Seconds between the process's start and now, from ``/proc/self/stat`` (Linux)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = int(fields[19])  # field 22, starttime, in clock ticks after boot
        return time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def elapsed() -> float:
    """Seconds since the process started (as well as this machine can tell)."""
    t0 = os.environ.get(T0_VAR)
    if t0:
        try:
            return time.perf_counter() - float(t0)
        except ValueError:
            pass
    since = _since_boot_start()
    return since if since is not None else time.perf_counter()


def mark(name: str) -> None:
    """Print ``name`` with the time since the process started, when tracing is on."""
    if enabled():
        print(f"{PREFIX} {elapsed():.3f} {name}", file=sys.stderr, flush=True)


def on_first_paint(widget, name: str, *, after=None) -> None:
    """:func:`mark` ``name`` at ``widget``'s next paint (its window's, as Qt paints a window
    at once), when tracing is on."""
    if not enabled():
        return
    from PySide6.QtCore import QEvent, QObject, QTimer

    class _Watch(QObject):
        def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.Paint:
                widget.removeEventFilter(self)
                self.deleteLater()
                QTimer.singleShot(0, lambda: mark(name))  # once painted and shown
            return False

    widget.installEventFilter(_Watch(widget))
