"""Problems shown to the user: a UserError in a calm dialog (what happened, then the message),
anything else as a bug (logged in full, said in one sentence). One place for the window, its
parts and Review; the smoke test prints them on standard error instead."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from paintrack.errors import UserError

log = logging.getLogger(__name__)


def as_user_error(
    error: BaseException, *, nothing_lost: str = "Your saved scores are safe."
) -> UserError:
    """A UserError as it is; anything else is a bug: logged with its traceback, said plainly."""
    if isinstance(error, UserError):
        return error
    log.error("unexpected error", exc_info=error)
    return UserError(
        f"Something went wrong inside paintrack ({type(error).__name__}). {nothing_lost}"
    )


class Problems:
    """Shows problems over `parent`; keeps what was shown (the tests and the smoke test read it)."""

    def __init__(self, parent: QWidget, *, quiet: bool = False, modal: bool = True) -> None:
        self.parent = parent
        self.quiet = quiet  # smoke test: on stderr, never in a dialog
        self.modal = modal  # False: the box opens and the caller goes on (Review)
        self.shown: list[str] = []
        self.headings: list[str] = []  # the plain sentence shown above each problem

    def show(self, error: UserError, what_happened: str) -> None:
        self.shown.append(error.message)
        self.headings.append(what_happened)
        if self.quiet:
            print(f"paintrack: {error.message}", file=sys.stderr)
            return
        box = QMessageBox(self.parent)
        box.setWindowTitle("paintrack")
        box.setIcon(QMessageBox.Icon.Warning if self.modal else QMessageBox.Icon.Information)
        box.setText(what_happened or "That didn't work.")
        box.setInformativeText(
            ("Details for your clinic or whoever sent the file:\n" if error.for_a_helper else "")
            + error.message
        )
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if self.modal:
            box.exec()
            box.deleteLater()
        else:
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()

    def report(self, error: BaseException, what_happened: str) -> None:
        """Any error from an operation: a UserError as it is, a bug in one plain sentence."""
        self.show(as_user_error(error), what_happened)
