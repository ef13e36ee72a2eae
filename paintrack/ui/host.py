"""What the window's parts may ask of the window that holds them: its state, its pages, and a
few ways to move between them. `MainWindow` is one; the parts import this, never the window, so
the window stands above its parts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QSettings, QSize, SignalInstance
from PySide6.QtWidgets import QStackedWidget, QStatusBar, QWidget

from paintrack.ui.block_form import BlockForm
from paintrack.ui.clock import Clock
from paintrack.ui.diary_page import DiaryPage
from paintrack.ui.problems import Problems
from paintrack.ui.running import OperationRunner

if TYPE_CHECKING:
    from paintrack.operations import Store
    from paintrack.ui.clinic_mode import ClinicMode


class WindowHost(Protocol):
    clock: Clock
    prefs: QSettings
    demo: bool
    db_target: str
    sample_folder: Path | None
    really_quit: bool
    current_patient_id: str | None
    store: Store | None
    diary: DiaryPage | None
    pages: QStackedWidget
    problems: Problems
    runner: OperationRunner
    clinic: ClinicMode  # clinic mode: `clinic.session` says who is signed in

    @property
    def diary_changed(self) -> SignalInstance: ...

    @property
    def destroyed(self) -> SignalInstance: ...

    @property
    def quiet(self) -> bool: ...

    @property
    def review(self) -> QWidget | None: ...

    @property
    def block_form(self) -> BlockForm: ...

    @property
    def stored(self) -> Store: ...

    @property
    def page(self) -> DiaryPage: ...

    @property
    def widget(self) -> QWidget:
        """The window itself, as the parent of its dialogs, timers and tray icon."""
        ...

    def statusBar(self) -> QStatusBar: ...

    def diary_saved(self) -> None: ...

    def show_page(self, page: QWidget, title: str = "", prefix: str = "") -> None: ...

    def show_welcome(self) -> None: ...

    def open_patient(self, patient_id: str, block_id: str | None = None) -> None: ...

    def add_mode(self, name: str, widget: QWidget) -> None: ...

    def show_mode(self, name: str) -> None: ...

    def remember(self) -> None: ...

    def shut_down(self) -> None: ...

    # The window's own (QWidget) ways to be shown, hidden and closed.
    def close(self) -> bool: ...

    def hide(self) -> None: ...

    def showNormal(self) -> None: ...

    def raise_(self) -> None: ...

    def activateWindow(self) -> None: ...

    def size(self) -> QSize: ...
