"""Running plain library functions off the GUI thread, with progress and errors as signals.

The functions stay ordinary synchronous Python (they take a ``progress`` callback, as the core
does). A :class:`BackgroundTask` runs one in its own QThread and reports back through queued
signals, so the window keeps painting while a workspace is read or the sample workspace built.

Lifetimes follow the usual Qt pattern: the object doing the work lives in the worker thread;
the task (in the GUI thread) quits and joins that thread before it announces the result, so a
slot may drop the task at once without freeing anything the worker thread still touches.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot


class _Job(QObject):
    """The part that runs in the worker thread."""

    progress = Signal(str)
    succeeded = Signal(object)
    raised = Signal(object)

    def __init__(self, fn: Callable[..., Any], args: tuple) -> None:
        super().__init__()
        self._fn = fn
        self._args = args

    @Slot()
    def run(self) -> None:
        try:
            result = self._fn(*self._args, progress=self.progress.emit)
        except Exception as exc:  # reported to the GUI, which decides how to show it
            exc.__traceback_text__ = traceback.format_exc()
            self.raised.emit(exc)
        else:
            self.succeeded.emit(result)


class BackgroundTask(QObject):
    """Call ``fn(*args, progress=callback)`` in a new thread; signals carry the task first.

    Examples
    --------
    >>> task = BackgroundTask(load_workspace, path, parent=window)      # doctest: +SKIP
    >>> task.finished.connect(window.on_loaded)  # on_loaded(task, result)  # doctest: +SKIP
    >>> task.start()                                                      # doctest: +SKIP
    """

    progress = Signal(object, str)  # the task, a message
    finished = Signal(object, object)  # the task, the result
    failed = Signal(object, object)  # the task, the exception (``__traceback_text__`` set)

    def __init__(self, fn: Callable[..., Any], *args: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context: object = None  # for the starter: what this run is for
        self._thread = QThread(self)
        self._job = _Job(fn, args)
        self._job.moveToThread(self._thread)
        self._thread.started.connect(self._job.run)
        self._job.progress.connect(self._on_progress)
        self._job.succeeded.connect(self._on_succeeded)
        self._job.raised.connect(self._on_raised)

    def start(self) -> None:
        self._thread.start()

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def join(self) -> None:
        """Block until the work is done and the thread has ended (also on closing mid-task)."""
        self._thread.quit()  # leaves the thread's event loop once the job has returned
        self._thread.wait()

    @Slot(str)
    def _on_progress(self, message: str) -> None:
        self.progress.emit(self, message)

    @Slot(object)
    def _on_succeeded(self, result: object) -> None:
        self.join()
        self.finished.emit(self, result)

    @Slot(object)
    def _on_raised(self, exc: object) -> None:
        self.join()
        self.failed.emit(self, exc)
