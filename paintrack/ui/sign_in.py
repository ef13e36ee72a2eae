"""Who is signed in (clinic mode), for every widget that needs to know, and the sign-in dialog.

`ClinicSession` is the one object the window's parts read: `who` (a `SignedIn`, or None in
patient mode and while locked), `clinic_mode`, and `changed`, emitted after every sign-in,
sign-out and mode switch. Reach it as `window.clinic.session`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from paintrack.clinical.people import SignedIn
from paintrack.errors import UserError
from paintrack.operations import clinic as clinic_ops
from paintrack.operations.clinic import WrongSignIn
from paintrack.ui.widgets import heading, hint, message_label, relative_font, show_message

if TYPE_CHECKING:
    from paintrack.operations import Store


class ClinicSession(QObject):
    """The person at the keyboard: set only by a correct password through `sign_in`."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store: Store | None = None
        self.clinic_mode = False
        self.who: SignedIn | None = None

    @property
    def is_clinician(self) -> bool:
        return self.who is not None and self.who.is_clinician

    def opened(self, store: Store) -> None:
        """The window's store is open: read which mode its database is in."""
        self.store = store
        self.clinic_mode = clinic_ops.clinic_state(store).clinic_mode
        self.changed.emit()

    def set_clinic_mode(self, on: bool) -> None:
        self.clinic_mode = on
        if not on:
            self.sign_out("clinic mode switched off")
        self.changed.emit()

    def sign_in(self, name: str, password: str) -> SignedIn:
        """WrongSignIn (nobody signed in afterwards) if the name and password do not match."""
        assert self.store is not None, "sign-in needs the window's store"
        try:
            self.who = clinic_ops.sign_in(self.store, name, password)
        except UserError:
            self.who = None
            self.changed.emit()
            raise
        self.changed.emit()
        return self.who

    def sign_out(self, why: str = "signed out") -> None:
        if self.store is not None:
            clinic_ops.sign_out(self.store, why=why)
        if self.who is not None:
            self.who = None
            self.changed.emit()

    def description(self) -> str:
        """ "Signed in: Dr Rivera (clinician)", for the status bar."""
        if self.who is None:
            return "Nobody signed in" if self.clinic_mode else ""
        return f"Signed in: {self.who.name} ({self.who.role.value})"


class SignInDialog(QDialog):
    """Name and password, big and calm; Enter signs in. A wrong pair says so without saying
    which of the two was wrong, and the password is cleared for another try. After a few wrong
    tries in a row, Sign in rests for a while: guessing at a shared computer is slow."""

    signed_in = Signal(object)  # the SignedIn
    TRIES_BEFORE_A_REST = 5
    REST_MS = 30_000

    def __init__(self, session: ClinicSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Sign in")
        self.setAccessibleName("Sign in")
        self.setModal(True)
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.setSpacing(14)
        layout.addWidget(heading("Who is signing in?", 1.5))
        explain = hint(
            "This database is in clinic mode. Sign in with your own name and password: "
            "every change you make is recorded under your name."
        )
        explain.setWordWrap(True)
        layout.addWidget(explain)
        form = QFormLayout()
        form.setSpacing(12)
        self.name = QLineEdit()
        self.name.setAccessibleName("Your name")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        for edit in (self.name, self.password):
            relative_font(edit, 1.25)
            edit.setMinimumHeight(edit.sizeHint().height() + 12)
        form.addRow("Name", self.name)
        form.addRow("Password", self.password)
        for row in range(form.rowCount()):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            widget = label.widget() if label is not None else None
            if widget is not None:
                relative_font(widget, 1.25)
        layout.addLayout(form)
        self.error = message_label("Error")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox()
        self.sign_in_button = self.buttons.addButton(
            "Sign in", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        for button in (self.sign_in_button, self.cancel_button):
            relative_font(button, 1.2)
            button.setMinimumHeight(button.sizeHint().height() + 10)
            button.setMinimumWidth(140)
        self.sign_in_button.setDefault(True)
        self.sign_in_button.setObjectName("Primary")
        self.buttons.accepted.connect(self.try_sign_in)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)
        self.wrong_tries = 0
        self.rest = QTimer(self)
        self.rest.setSingleShot(True)
        self.rest.timeout.connect(self._rested)

    @property
    def resting(self) -> bool:
        return self.rest.isActive()

    def _rested(self) -> None:
        show_message(self.error, "")

    def try_sign_in(self) -> None:
        name = self.name.text().strip()
        if name and not self.password.text() and self.focusWidget() is self.name:
            self.password.setFocus()  # Enter after the name: on to the password
            return
        if self.resting:  # after several wrong tries: the message says how long
            self.password.clear()
            return
        if not name or not self.password.text():
            show_message(self.error, "Type your name and your password, then press Sign in.")
            (self.password if name else self.name).setFocus()
            return
        try:
            who = self.session.sign_in(name, self.password.text())
        except WrongSignIn as error:
            self.wrong_tries += 1
            message = error.message
            if self.wrong_tries >= self.TRIES_BEFORE_A_REST:
                self.wrong_tries = 0
                self.rest.start(self.REST_MS)
                message += (
                    f" That was {self.TRIES_BEFORE_A_REST} wrong tries in a row: Sign in works "
                    f"again in {self.REST_MS // 1000} seconds."
                )
            show_message(self.error, message)
            self.password.clear()
            self.password.setFocus()
            return
        except UserError as error:  # the database out of reach, say
            show_message(self.error, error.message)
            return
        self.password.clear()
        show_message(self.error, "")
        self.signed_in.emit(who)
        self.accept()
