"""Running plain library functions off the GUI thread, with progress, cancel and errors.

The functions stay ordinary synchronous Python (they take a ``progress`` callback, as the core
does). A :class:`BackgroundTask` runs one in its own QThread and reports back through queued
signals, so the window keeps painting while a workspace is read, a batch checked or a package
exported. :class:`TaskRunner` starts tasks for the window and shows them in the status bar: a
message, a progress bar and a cancel button.

Cancelling is cooperative: the next time the function reports progress, the callback raises
:class:`TaskCancelled`, which unwinds it (the core writes its files atomically, so nothing is
left half-written); a function that never reports progress runs to its end and its result is
dropped.

Lifetimes follow the usual Qt pattern: the object doing the work lives in the worker thread;
the task (in the GUI thread) quits and joins that thread before it announces the result, so a
slot may drop the task at once without freeing anything the worker thread still touches.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget


class TaskCancelled(Exception):
    """Raised inside a task's function when the user cancelled it."""


class _Job(QObject):
    """The part that runs in the worker thread."""

    progress = Signal(str, int, int)  # message, done, total (0, 0: unknown)
    succeeded = Signal(object)
    raised = Signal(object)

    def __init__(self, fn: Callable[..., Any], args: tuple, kwargs: dict,
                 cancelled: threading.Event) -> None:
        super().__init__()
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self._cancelled = cancelled

    def _report(self, *args: Any) -> None:
        """Accepts ``progress("text")`` and the check engine's ``progress(done, total, text)``."""
        if self._cancelled.is_set():
            raise TaskCancelled()
        numbers = [a for a in args if isinstance(a, int) and not isinstance(a, bool)]
        text = " ".join(str(a) for a in args if isinstance(a, str))
        done, total = (numbers + [0, 0])[:2]
        self.progress.emit(text, int(done), int(total))

    @Slot()
    def run(self) -> None:
        try:
            result = self._fn(*self._args, progress=self._report, **self._kwargs)
            if self._cancelled.is_set():
                raise TaskCancelled()
        except Exception as exc:  # reported to the GUI, which decides how to show it
            exc.__traceback_text__ = traceback.format_exc()
            outcome, value = self.raised, exc
        else:
            outcome, value = self.succeeded, result
        # back to the GUI thread before the worker thread ends, so the job is destroyed
        # there like any other object of the window
        self._fn = self._args = self._kwargs = None
        self.moveToThread(QCoreApplication.instance().thread())
        outcome.emit(value)


class BackgroundTask(QObject):
    """Call ``fn(*args, progress=callback, **kwargs)`` in a new thread; signals carry the task.

    Examples
    --------
    >>> task = BackgroundTask(load_workspace, path, parent=window)      # doctest: +SKIP
    >>> task.finished.connect(window.on_loaded)  # on_loaded(task, result)  # doctest: +SKIP
    >>> task.start()                                                      # doctest: +SKIP
    """

    progress = Signal(object, str)  # the task, a message
    stepped = Signal(object, int, int)  # the task, steps done, steps in all (0: unknown)
    finished = Signal(object, object)  # the task, the result
    failed = Signal(object, object)  # the task, the exception (``__traceback_text__`` set)

    def __init__(self, fn: Callable[..., Any], *args: Any, parent: QObject | None = None,
                 **kwargs: Any) -> None:
        super().__init__(parent)
        self.context: object = None  # for the starter: what this run is for
        self._cancel_flag = threading.Event()
        self._thread = QThread(self)
        self._job = _Job(fn, args, kwargs, self._cancel_flag)
        self._job.moveToThread(self._thread)
        self._thread.started.connect(self._job.run)
        self._job.progress.connect(self._on_progress)
        self._job.succeeded.connect(self._on_succeeded)
        self._job.raised.connect(self._on_raised)

    def start(self) -> None:
        self._thread.start()

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def cancel(self) -> None:
        """Ask the function to stop at its next progress report."""
        self._cancel_flag.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel_flag.is_set()

    def join(self) -> None:
        """Block until the work is done and the thread has ended (also on closing mid-task)."""
        self._thread.quit()  # leaves the thread's event loop once the job has returned
        self._thread.wait()

    @Slot(str, int, int)
    def _on_progress(self, message: str, done: int, total: int) -> None:
        if message:
            self.progress.emit(self, message)
        if total:
            self.stepped.emit(self, done, total)

    @Slot(object)
    def _on_succeeded(self, result: object) -> None:
        self.join()
        self.finished.emit(self, result)

    @Slot(object)
    def _on_raised(self, exc: object) -> None:
        self.join()
        self.failed.emit(self, exc)


class TaskProgressWidget(QWidget):
    """What the status bar shows while tasks run: a message, a progress bar, a cancel button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        self.bar.setMaximumWidth(160)
        self.bar.setMaximumHeight(16)
        self.bar.setTextVisible(False)
        self.cancel_button = QToolButton(self)
        self.cancel_button.setText("✕")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.hide()

    def show_task(self, message: str, done: int = 0, total: int = 0) -> None:
        self.label.setText(message)
        self.bar.setRange(0, total)  # 0, 0: a busy indicator
        self.bar.setValue(done)
        self.show()


class TaskRunner(QObject):
    """Starts tasks for a window and shows the latest running one in a progress widget.

    A task started with a ``key`` supersedes the running task of the same key: that one is
    cancelled and its result dropped (only the latest workspace opened may replace the shown
    one). ``on_done(result)`` and ``on_error(exc)`` are called in the GUI thread; a cancelled
    task calls neither and emits :attr:`cancelled`.
    """

    started = Signal(object)  # the task
    done = Signal(object)  # the task, whatever its outcome
    cancelled = Signal(object)  # the task

    def __init__(self, widget: TaskProgressWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.widget = widget
        self._tasks: list[BackgroundTask] = []
        widget.cancel_button.clicked.connect(self.cancel_all)

    def run(self, fn: Callable[..., Any], *args: Any, message: str, key: str | None = None,
            on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None,
            **kwargs: Any) -> BackgroundTask:
        if key is not None:
            for old in self._tasks:
                if old.context[0] == key:
                    old.cancel()
        task = BackgroundTask(fn, *args, parent=self, **kwargs)
        task.context = (key, message, on_done, on_error)
        task.progress.connect(self._on_progress)
        task.stepped.connect(self._on_stepped)
        task.finished.connect(self._on_finished)
        task.failed.connect(self._on_failed)
        self._tasks.append(task)
        self.widget.show_task(message)
        self.started.emit(task)
        task.start()
        return task

    def tasks(self) -> list[BackgroundTask]:
        return list(self._tasks)

    def is_busy(self, key: str | None = None) -> bool:
        return any(key is None or t.context[0] == key for t in self._tasks)

    def cancel_all(self) -> None:
        for task in self._tasks:
            task.cancel()

    def join_all(self) -> None:
        """Cancel every task and wait for their threads (on closing the window)."""
        for task in list(self._tasks):
            task.cancel()
            task.join()

    def _on_progress(self, task: BackgroundTask, text: str) -> None:
        if task is self._tasks[-1]:
            self.widget.show_task(f"{task.context[1]} {text}", self.widget.bar.value(),
                                  self.widget.bar.maximum())

    def _on_stepped(self, task: BackgroundTask, done: int, total: int) -> None:
        if task is self._tasks[-1]:
            self.widget.bar.setRange(0, total)
            self.widget.bar.setValue(done)

    def _finish(self, task: BackgroundTask) -> None:
        self._tasks.remove(task)
        task.deleteLater()  # its thread has ended (the task joins it before reporting)
        if self._tasks:
            self.widget.show_task(self._tasks[-1].context[1])
        else:
            self.widget.hide()
        self.done.emit(task)

    def _on_finished(self, task: BackgroundTask, result: object) -> None:
        self._finish(task)
        if task.cancelled:
            self.cancelled.emit(task)
        elif task.context[2] is not None:
            task.context[2](result)

    def _on_failed(self, task: BackgroundTask, exc: BaseException) -> None:
        self._finish(task)
        if task.cancelled or isinstance(exc, TaskCancelled):
            self.cancelled.emit(task)
        elif task.context[3] is not None:
            task.context[3](exc)
