"""Long work off the UI thread: imports and exports run in a QThreadPool with a progress dialog.

The worker calls a plain function; its result or its error comes back to the UI thread through
a signal. A UserError is shown calmly with what to do; anything else is a bug: logged in full.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

T = TypeVar("T")


class _Signals(QObject):
    finished = Signal(object)
    failed = Signal(object)


class Job(QRunnable, Generic[T]):
    def __init__(self, work: Callable[[], T]) -> None:
        super().__init__()
        self.work = work
        self.signals = _Signals()
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as error:  # handed to the UI thread, which decides how to show it
            log.debug("background job failed", exc_info=True)
            self.signals.failed.emit(error)
        else:
            self.signals.finished.emit(result)


class _Relay(QObject):
    """Lives in the UI thread, so signals from the worker reach it queued, on the UI thread."""

    def __init__(
        self,
        on_done: Callable[[object], None],
        on_error: Callable[[BaseException], None],
        parent: QObject | None,
    ) -> None:
        super().__init__(parent)
        self.on_done = on_done
        self.on_error = on_error

    @Slot(object)
    def done(self, result: object) -> None:
        try:
            self.on_done(result)
        finally:
            self.deleteLater()

    @Slot(object)
    def failed(self, error: object) -> None:
        try:
            self.on_error(error)  # type: ignore[arg-type]
        finally:
            self.deleteLater()


def start_job(
    work: Callable[[], T],
    on_done: Callable[[T], None],
    on_error: Callable[[BaseException], None],
    *,
    parent: QObject,
    pool: QThreadPool | None = None,
) -> Job[T]:
    """Run `work()` on a pool thread; `on_done` or `on_error` then run on the UI thread."""
    # The result crosses the thread as a Qt `object`; it is the T that `work` returned.
    relay = _Relay(on_done, on_error, parent)  # type: ignore[arg-type]
    job = Job(work)
    job.signals.finished.connect(relay.done)
    job.signals.failed.connect(relay.failed)
    (pool or QThreadPool.globalInstance()).start(job)
    return job
