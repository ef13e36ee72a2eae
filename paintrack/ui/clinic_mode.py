"""Clinic mode in the window: the lock page that hides every diary until someone signs in, the
idle lock, and File ▸ Switch user / Lock now / Switch clinic mode on or off.

Locking keeps everything in memory (the diary, Review, an open dialog) and only covers it: the
content is swapped for the lock page, open dialogs are hidden, the menus are disabled and the
title no longer names a patient. Signing in again (the same or another user) shows it all again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from paintrack.clinical.people import SignedIn
from paintrack.clinical.users import DEFAULT_IDLE_LOCK_MINUTES
from paintrack.errors import UserError
from paintrack.operations import clinic as clinic_ops
from paintrack.ui.clock import Clock
from paintrack.ui.modes import Modes
from paintrack.ui.problems import Problems
from paintrack.ui.sign_in import ClinicSession, SignInDialog
from paintrack.ui.widgets import heading, hint, relative_font
from paintrack.ui.window_menus import WindowMenus

if TYPE_CHECKING:
    from paintrack.operations import Store

LOCKED_TITLE = "Locked: sign in to continue"
CHECK_EVERY_MS = 15_000
_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class ClinicWindow(Protocol):
    """What clinic mode needs of the main window."""

    clock: Clock
    store: Store | None
    modes: Modes
    menus: WindowMenus
    problems: Problems

    @property
    def widget(self) -> QWidget: ...

    @property
    def review(self) -> QWidget | None: ...


class LockPage(QWidget):
    """In place of the window's content while nobody is signed in."""

    def __init__(self, sign_in: Callable[[], object]) -> None:
        super().__init__()
        self.setObjectName("Page")
        self.setAccessibleName("Locked")
        # A calm column of readable width in the middle, however wide the window; no
        # alignment flags on it, so its wrapped text gets the height it needs at that width.
        outer = QHBoxLayout(self)
        outer.setContentsMargins(48, 48, 48, 48)
        outer.addStretch(1)
        column = QWidget()
        column.setMaximumWidth(640)
        outer.addWidget(column, 4)
        outer.addStretch(1)
        layout = QVBoxLayout(column)
        layout.setSpacing(14)
        layout.addStretch(2)
        self.title = heading("paintrack is locked", 1.8)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.title)
        self.explain = hint("")
        self.explain.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.explain.setWordWrap(True)
        relative_font(self.explain, 1.2)
        layout.addWidget(self.explain)
        layout.addSpacing(18)
        self.sign_in_button = QPushButton("Sign in…")
        self.sign_in_button.setAccessibleName("Sign in")
        self.sign_in_button.setObjectName("Primary")
        self.sign_in_button.setAutoDefault(True)
        relative_font(self.sign_in_button, 1.3)
        self.sign_in_button.setMinimumSize(220, self.sign_in_button.sizeHint().height() + 16)
        self.sign_in_button.clicked.connect(lambda _checked=False: sign_in())
        layout.addWidget(self.sign_in_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)

    def explain_for(self, *, first: bool, minutes: int | None) -> None:
        self.title.setText("Who is signing in?" if first else "paintrack is locked")
        if first:
            text = (
                "This database is in clinic mode: sign in with your own name and password to "
                "see the diaries."
            )
        elif minutes is not None:
            text = (
                f"Nobody used paintrack for {minutes} minutes, so the diary was hidden. It is "
                "kept as it was: sign in again (or as someone else) to carry on."
            )
        else:
            text = "The diary is hidden and kept as it was. Sign in to carry on."
        self.explain.setText(text)


class _InputWatch(QObject):
    """Tells `seen` of every key press, click, mouse move and wheel turn in the application."""

    def __init__(self, seen: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._seen = seen

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT:
            self._seen()
        return False


class ClinicMode(QObject):
    """The window's clinic mode: `session` says who is signed in; `locked` whether the lock
    page covers the content."""

    def __init__(self, window: ClinicWindow, main: QMainWindow) -> None:
        super().__init__(main)
        self.window = window
        self.main = main
        self.session = ClinicSession(self)
        self.locked = False
        self._title = main.windowTitle()
        self._hidden_dialogs: list[QDialog] = []
        self._locked_from: str | None = None  # who was signed in when the window locked
        self._disabled: list[QAction] = []
        self.dialog: SignInDialog | None = None
        self.confirm: QMessageBox | None = None

        content = main.takeCentralWidget()
        assert content is not None, "the window's modes are its central widget"
        self.stack = QStackedWidget()
        self.stack.addWidget(content)
        self.lock_page = LockPage(self.show_sign_in)
        self.stack.addWidget(self.lock_page)
        main.setCentralWidget(self.stack)
        self.status = QLabel("")
        self.status.setAccessibleName("Who is signed in")
        main.statusBar().addPermanentWidget(self.status)

        menus = window.menus
        self.enable_action = menus.action("Switch on clinic mode…", self.ask_to_enable)
        self.switch_user_action = menus.action("Switch user…", self.switch_user)
        self.lock_action = menus.action("Lock now", self.lock, "Ctrl+L")
        self.disable_action = menus.action("Switch off clinic mode…", self.ask_to_disable)
        ours = [self.enable_action, self.switch_user_action, self.lock_action, self.disable_action]
        menus.file_menu.insertActions(menus.quit, ours)
        menus.file_menu.insertSeparator(menus.quit)
        self.lock_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.switch_user_action.setShortcut(QKeySequence("Ctrl+Shift+L"))

        self._last_input = window.clock.steady()
        # Watching every event costs a Python call each: only in clinic mode (see _update).
        self._watch = _InputWatch(self._input_seen, self)
        self._watching = False
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check_idle)
        self.session.changed.connect(self._update)
        window.modes.added.connect(lambda _name, _number: self._update())
        main.windowTitleChanged.connect(self._title_changed)
        self._update()

    # -- state -------------------------------------------------------------------------------

    def store_opened(self, store: Store) -> None:
        """The window opened its store: in clinic mode, nothing is shown until someone signs
        in."""
        self.session.opened(store)
        if self.session.clinic_mode:
            self.lock(first=True)
        self.timer.start()

    def _update(self) -> None:
        clinic, who = self.session.clinic_mode, self.session.who
        app = QApplication.instance()
        if app is not None and clinic != self._watching:
            if clinic:
                self._last_input = self.window.clock.steady()
                app.installEventFilter(self._watch)
            else:
                app.removeEventFilter(self._watch)
            self._watching = clinic
        self.enable_action.setVisible(not clinic)
        self.enable_action.setEnabled(self.window.store is not None)
        for action in (self.switch_user_action, self.lock_action):
            action.setVisible(clinic)
        self.lock_action.setEnabled(clinic and who is not None and not self.locked)
        self.disable_action.setVisible(clinic and self.session.is_clinician)
        self.status.setText(self.session.description())
        self.status.setVisible(clinic)
        # Review follows the session itself (its Clinic settings button, notes and sign-off),
        # once it is built: asking for it here would build it at every start-up.

    def _title_changed(self, title: str) -> None:
        if self.locked and title != LOCKED_TITLE:
            self._title = title  # shown again once someone signs in
            self.main.setWindowTitle(LOCKED_TITLE)

    # -- idle lock -----------------------------------------------------------------------------

    def _input_seen(self) -> None:
        self._last_input = self.window.clock.steady()

    def idle_seconds(self) -> float:
        return self.window.clock.steady() - self._last_input

    def check_idle(self) -> None:
        """Lock once the window has had no input for the clinic's idle-lock minutes."""
        store = self.window.store
        if store is None:
            return
        if not self.locked and self.session.who is None:
            self._follow_the_database(store)
            return
        if self.locked or self.session.who is None:
            return
        idle = self.idle_seconds()
        if idle < 60:
            return  # the shortest lock there is: no need to read the setting
        try:
            minutes = clinic_ops.clinic_state(store).idle_lock_minutes
        except UserError:  # the database out of reach for now: lock at the default, to be safe
            minutes = DEFAULT_IDLE_LOCK_MINUTES
        if idle >= minutes * 60:
            self.lock(idle_minutes=minutes)

    def _follow_the_database(self, store: Store) -> None:
        """Clinic mode switched on at another workstation (or by `paintrack clinic enable`)
        while this window was open in patient mode: lock, and ask who is signing in."""
        if self.session.clinic_mode:
            return
        try:
            switched_on = clinic_ops.clinic_state(store).clinic_mode
        except UserError:  # the database out of reach for now: ask again on the next tick
            return
        if switched_on:
            self.session.set_clinic_mode(True)
            self.lock(first=True)

    # -- locking -----------------------------------------------------------------------------

    def lock(self, *, first: bool = False, idle_minutes: int | None = None) -> None:
        """Hide the content (kept in memory), sign out, and ask who is signing in."""
        if not self.locked:
            self.locked = True
            self._title = self.main.windowTitle()
            self.main.setWindowTitle(LOCKED_TITLE)
            self._hidden_dialogs = [d for d in self._window_dialogs() if d.isVisible()]
            self._locked_from = self.session.who.name if self.session.who else None
            for dialog in self._hidden_dialogs:
                dialog.hide()
            # Everything but File ▸ Switch user (to sign in) and Quit, and the File menu itself.
            keep = (
                self.window.menus.quit,
                self.switch_user_action,
                self.window.menus.file_menu.menuAction(),
            )
            self._disabled = [
                action
                for action in self._menu_actions()
                if action.isEnabled() and action not in keep
            ]
            for action in self._disabled:
                action.setEnabled(False)
            self.window.menus.locked = True
            self.stack.setCurrentWidget(self.lock_page)
        self.lock_page.explain_for(first=first, minutes=idle_minutes)
        self.session.sign_out(
            f"locked after {idle_minutes} minutes idle" if idle_minutes else "locked"
        )
        self._update()
        self.show_sign_in()

    def unlock(self) -> None:
        if not self.locked:
            return
        who = self.session.who
        if self._hidden_dialogs and who is not None and who.name != self._locked_from:
            # Someone else signed in: what the last person left half-typed (a correction, a
            # paper entry) is theirs, and would be saved under this person's name. Closed
            # unsaved; nothing in it had been saved.
            for dialog in self._hidden_dialogs:
                dialog.reject()
            self.main.statusBar().showMessage(
                f"{self._locked_from or 'The last user'} left a window open; it was closed "
                "without saving anything in it.",
                15000,
            )
            self._hidden_dialogs = []
        self.locked = False
        self.stack.setCurrentIndex(0)
        self.main.setWindowTitle(self._title)
        for action in self._disabled:
            action.setEnabled(True)
        self._disabled = []
        self.window.menus.locked = False
        self.window.menus.update()
        for dialog in self._hidden_dialogs:
            dialog.show()
        self._hidden_dialogs = []
        self._last_input = self.window.clock.steady()
        self._update()

    def show_sign_in(self) -> SignInDialog:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            return self.dialog
        dialog = SignInDialog(self.session, self.main)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.signed_in.connect(self._signed_in)
        dialog.destroyed.connect(lambda _obj=None: self._forget_dialog(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _forget_dialog(self, dialog: SignInDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _signed_in(self, _who: SignedIn) -> None:
        self.unlock()

    def switch_user(self) -> None:
        self.lock()

    def _window_dialogs(self) -> list[QDialog]:
        """The window's own dialogs that are open (an entry being corrected, Review's)."""
        found = []
        for widget in QApplication.topLevelWidgets():
            if not isinstance(widget, QDialog) or isinstance(widget, SignInDialog):
                continue
            parent = widget.parentWidget()
            while parent is not None and parent is not self.main:
                parent = parent.parentWidget()
            if parent is self.main:
                found.append(widget)
        return found

    def _menu_actions(self) -> list[QAction]:
        found: list[QAction] = []
        pending = list(self.main.menuBar().actions())
        while pending:
            action = pending.pop()
            found.append(action)
            menu = action.menu()
            if isinstance(menu, QMenu):
                pending.extend(menu.actions())
        return found

    # -- switching the mode ------------------------------------------------------------------

    def _ask(self, text: str, informative: str, yes: str, then: Callable[[], None]) -> QMessageBox:
        box = QMessageBox(self.main)
        box.setWindowTitle("paintrack")
        box.setIcon(QMessageBox.Icon.Question)
        box.setText(text)
        box.setInformativeText(informative)
        accept = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda clicked: then() if clicked is accept else None)
        self.confirm = box
        box.open()
        return box

    def ask_to_enable(self) -> QMessageBox:
        return self._ask(
            "Switch this database to clinic mode?",
            "From then on, everyone signs in with their own name and password before any "
            "diary is shown, every change is recorded under their name, and the window locks "
            "after a few idle minutes. Only a signed-in clinician can switch it off again.",
            "Switch on clinic mode",
            self.enable,
        )

    def enable(self) -> None:
        store = self.window.store
        if store is None:
            return
        try:
            clinic_ops.enable_clinic_mode(store)
        except UserError as error:
            self.window.problems.show(error, "Clinic mode was not switched on.")
            return
        self.session.set_clinic_mode(True)
        self.lock(first=True)

    def ask_to_disable(self) -> QMessageBox:
        return self._ask(
            "Switch this database back to patient mode?",
            "Nobody will sign in any more: changes are recorded under this computer's user, "
            "Review is read-only and the clinic settings are not offered.",
            "Switch off clinic mode",
            self.disable,
        )

    def disable(self) -> None:
        store = self.window.store
        if store is None:
            return
        try:
            clinic_ops.disable_clinic_mode(store, self.session.who)
        except UserError as error:
            self.window.problems.show(error, "Clinic mode was not switched off.")
            return
        self.session.set_clinic_mode(False)
