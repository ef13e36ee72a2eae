"""Runs an operation off the UI thread with a progress dialog, then hands its typed result to
`done`, or its error to `Problems` (the one way the window and Review run long work)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QProgressDialog, QWidget

from paintrack.errors import UserError
from paintrack.ui.problems import Problems, as_user_error
from paintrack.ui.workers import start_job

T = TypeVar("T")


class OperationRunner:
    """One operation at a time over `parent`; `actions` are disabled while it runs."""

    def __init__(self, parent: QWidget, problems: Problems) -> None:
        self.parent = parent
        self.problems = problems
        self.busy: QProgressDialog | None = None

    def run(
        self,
        label: str,
        work: Callable[[], T],
        done: Callable[[T], None],
        *,
        what_happened: str = "Nothing was changed.",
        actions: Sequence[QAction] = (),
        after: Callable[[], None] = lambda: None,
        failed: Callable[[UserError], None] = lambda _error: None,
        nothing_lost: str = "Your saved scores are safe.",
        show_after_ms: int = 300,
    ) -> None:
        progress = QProgressDialog(label, "", 0, 0, self.parent)
        progress.setWindowTitle("paintrack")
        progress.setCancelButton(None)
        progress.setMinimumDuration(show_after_ms)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.busy = progress
        for action in actions:
            action.setEnabled(False)

        def finish() -> None:
            progress.reset()
            progress.deleteLater()
            self.busy = None
            for action in actions:
                action.setEnabled(True)
            after()

        def on_done(result: T) -> None:
            finish()
            done(result)

        def on_error(error: BaseException) -> None:
            finish()
            problem = as_user_error(error, nothing_lost=nothing_lost)
            failed(problem)
            self.problems.show(problem, what_happened)

        start_job(work, on_done, on_error, parent=self.parent)
