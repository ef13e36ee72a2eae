"""The main window: opens the store once, routes between welcome, block form and diary, and
hosts other modes (the clinician review adds itself with `add_mode`). Its parts each do one
job: `Look` (contrast, text size), `Reminding` (reminders, tray), `EntryActions` (the entry
dialogs), `WindowFiles` (export, import, About), `CloseGuard` (closing mid-day), `Problems`
and `OperationRunner` (errors, long work off the UI thread).

`paintrack/ui/review.py`, when present, may define `install(window: MainWindow) -> None`; it is
called once after the window has first been shown, and usually calls `window.add_mode("Review",
widget)`. `window.store`, `window.current_patient_id` and the `diary_changed` signal are what a
mode needs.
"""

from __future__ import annotations

import importlib
import importlib.util
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QMainWindow,
    QWidget,
)

from paintrack.clinical.model import Patient
from paintrack.errors import UserError
from paintrack.operations import diary as diary_ops
from paintrack.operations import files
from paintrack.ui.block_flow import BlockFlow
from paintrack.ui.block_form import BlockForm
from paintrack.ui.clinic_mode import ClinicMode
from paintrack.ui.clock import Clock, SystemClock
from paintrack.ui.closing import CloseGuard
from paintrack.ui.day_backups import DayBackups
from paintrack.ui.diary_page import DiaryPage
from paintrack.ui.entry_actions import EntryActions
from paintrack.ui.look import Look
from paintrack.ui.modes import Modes, diary_pages
from paintrack.ui.problems import Problems
from paintrack.ui.reminding import Reminding
from paintrack.ui.running import OperationRunner
from paintrack.ui.sample_windows import SampleWindows
from paintrack.ui.welcome import WelcomePage
from paintrack.ui.widgets import enter_activates_buttons
from paintrack.ui.window_files import WindowFiles
from paintrack.ui.window_menus import WindowMenus

if TYPE_CHECKING:
    from paintrack.operations import Store


class MainWindow(QMainWindow):
    diary_changed = Signal(str)  # patient id, after any change to that patient's diary
    patient_opened = Signal(str)

    def __init__(
        self,
        db_target: str,
        *,
        demo: bool = False,
        clock: Clock | None = None,
        settings: QSettings | None = None,
        quiet: bool = False,
    ) -> None:
        super().__init__()
        from paintrack.ui.assets import user_settings

        self.db_target = db_target
        self.demo = demo
        self.clock: Clock = clock or SystemClock()
        self.prefs = settings or user_settings()
        self.store: Store | None = None
        self.current_patient_id: str | None = None
        self.started = False
        self._after_started = False
        self.really_quit = False
        self.sample_folder: Path | None = None  # set on a sample-diary window: removed on close
        self.problems = Problems(self, quiet=quiet)  # quiet: the smoke test, on stderr
        self.runner = OperationRunner(self, self.problems)
        self.look = Look(self.prefs, self)
        self.look.contrast_changed.connect(self._contrast_changed)
        self.look.text_size_changed.connect(self._text_size_changed)
        self.reminding = Reminding(self)
        self.menus: WindowMenus  # made once its parts are
        self.entries = EntryActions(self)
        self.files = WindowFiles(
            self, busy_actions=lambda: self.menus.file_actions(), after=lambda: self.menus.update()
        )
        self.guard = CloseGuard(self, self.reminding)
        self.blocks = BlockFlow(self, self.guard, self.reminding)
        self.backups = DayBackups(self)
        self.samples = SampleWindows(self, self._sample_window)
        # Qt adds the application name ("— paintrack") to every title itself.
        self.setWindowTitle("Your pain diary")
        self.setMinimumSize(900, 620)

        self.modes = Modes()
        self.mode_bar, self._mode_names = self.modes.bar, self.modes.names
        self.setCentralWidget(self.modes)
        self.pages, self.loading_label = diary_pages()
        self.modes.add_mode("Diary", self.pages)
        self.welcome: WelcomePage
        self._block_form: BlockForm | None = None  # built when first needed
        self.diary: DiaryPage | None = None  # built when the window starts
        self.menus = WindowMenus(
            self,
            self.menuBar(),
            files=self.files,
            guard=self.guard,
            blocks=self.blocks,
            entries=self.entries,
            look=self.look,
        )
        self.menus.add_mode("Diary", 1)
        self.modes.added.connect(self.menus.add_mode)
        self.statusBar().showMessage("")
        # Clinic mode: who is signed in (`clinic.session`), the lock page, the idle lock.
        self.clinic = ClinicMode(self, self)

    # -- modes and menus ---------------------------------------------------------------------

    def add_mode(self, name: str, widget: QWidget) -> None:
        """Add a top-level mode (e.g. "Review"); a tab bar appears once there are two."""
        self.modes.add_mode(name, widget)

    def show_mode(self, name: str) -> None:
        self.modes.show_mode(name)

    @property
    def review(self) -> QWidget | None:
        """The Review mode once installed (built now if it was never shown), else None."""
        return self.modes.mode("Review")

    @property
    def quiet(self) -> bool:
        """The smoke test: problems on standard error, never in a dialog; no questions."""
        return self.problems.quiet

    @quiet.setter
    def quiet(self, on: bool) -> None:
        self.problems.quiet = on

    @property
    def widget(self) -> QWidget:
        return self

    @property
    def stored(self) -> Store:
        """The store, while the window has it open."""
        assert self.store is not None, "the store is open from start() until shut_down()"
        return self.store

    @property
    def page(self) -> DiaryPage:
        """The diary page, once the window has started (and opened its store)."""
        assert self.diary is not None, "the diary page is built when the window starts"
        return self.diary

    def _contrast_changed(self, on: bool) -> None:
        if self.diary is not None:
            self.diary.chart.set_high_contrast(on)

    def _text_size_changed(self) -> None:
        # Other modes (Review) redraw their charts too, if they have any.
        for mode in self.modes.widgets():
            follow = getattr(mode, "text_size_changed", None)
            if callable(follow):
                follow()
        if self.diary is not None:
            self.diary.text_size_changed()

    # -- start-up ----------------------------------------------------------------------------

    def start(self) -> bool:
        """Open the store and the page the patient left off on; called after the first paint."""
        if self.started:
            return True
        self.look.apply()
        self.started = True
        try:
            from paintrack.operations import startup  # SQLAlchemy: after the first paint

            self.store = startup.open_diary_store(self.db_target)
            if self.demo and not diary_ops.patients(self.store):
                files.load_sample(self.store)
            self._build_pages(self.store)
            self.route()
            self.clinic.store_opened(self.store)  # clinic mode: hidden until someone signs in
        except UserError as error:
            self.problems.show(error, "The diary could not be opened.")
            self.loading_label.setText("Your diary could not be opened.\n" + error.message)
            return False
        QTimer.singleShot(0, self._after_start)
        return True

    def _after_start(self) -> None:
        """Slower parts once the window is up: the chart, the tray icon, other modes."""
        if self.store is None or self._after_started:  # shut down already, or done once
            return
        self._after_started = True
        self.page.chart.ensure_loaded()
        self.reminding.set_up_tray()
        if importlib.util.find_spec("paintrack.ui.review") is not None:
            install = getattr(importlib.import_module("paintrack.ui.review"), "install", None)
            if callable(install):
                install(self)
        self.reminding.timer.start()

    def _build_pages(self, store: Store) -> None:
        self.welcome = WelcomePage(self.clock)
        self.welcome.start_requested.connect(self.start_diary)
        self.welcome.sample_requested.connect(self.samples.open_sample)
        self.welcome.continue_requested.connect(self.open_patient)
        self.diary = page = DiaryPage(store, self.clock)
        page.chart.set_high_contrast(self.look.high_contrast)
        page.add_block_requested.connect(self.blocks.show_block_form)
        page.edit_block_requested.connect(self.blocks.edit_block)
        page.paper_log_requested.connect(self.entries.paper_log)
        page.amend_requested.connect(self.entries.amend_entry)
        page.delete_requested.connect(self.entries.delete_entry)
        page.history_requested.connect(self.entries.entry_history)
        page.changed.connect(self.diary_saved)
        page.block_selected.connect(lambda _id: self.remember())
        page.banner.log_now.connect(self.reminding.log_now)
        page.banner.snooze.connect(self.reminding.snooze)
        page.set_sample(self.demo)
        for widget in (self.welcome, page):
            self.pages.addWidget(widget)
            enter_activates_buttons(widget)

    @property
    def block_form(self) -> BlockForm:
        """The block's form, built the first time a block is added or its details opened (most
        days a patient opens neither)."""
        if self._block_form is None:
            form = self._block_form = BlockForm(self.clock)
            form.saved.connect(self.blocks.save_block)
            form.cancelled.connect(self.blocks.cancelled)
            self.pages.addWidget(form)
            enter_activates_buttons(form)
        return self._block_form

    def remember(self) -> None:
        if self.current_patient_id is None or self.demo:
            return
        key = files.place_key(self.db_target)
        self.prefs.setValue(f"{key}/patient", self.current_patient_id)
        self.prefs.setValue(f"{key}/block", self.page.block_id or "")
        self.prefs.sync()

    def route(self) -> None:
        """Open where the patient left off: the remembered diary, the only diary, or welcome."""
        key = files.place_key(self.db_target)
        remembered = str(self.prefs.value(f"{key}/patient", "") or "")
        block_id = str(self.prefs.value(f"{key}/block", "") or "") or None
        patient_id = diary_ops.diary_to_open(self.stored, remembered)
        if patient_id is None:
            self.show_welcome()
        else:
            self.open_patient(patient_id, block_id if patient_id == remembered else None)

    # -- pages -------------------------------------------------------------------------------

    def show_welcome(self) -> None:
        listed = diary_ops.welcome_list(self.stored)
        self.welcome.set_patients(list(listed.patients), listed.first_blocks)
        self.welcome.clear_form()
        self.show_page(self.welcome, "Welcome")
        self.welcome.focus_first()

    def start_diary(self, patient: Patient) -> None:
        try:
            saved = diary_ops.start_diary(self.stored, patient)
        except UserError as error:
            self.problems.show(error, "Your diary was not started.")
            return
        self.current_patient_id = saved.id
        self.page.open_patient(saved.id)
        self.remember()
        self.menus.update()
        self.blocks.show_block_form()

    def open_patient(self, patient_id: str, block_id: str | None = None) -> None:
        self.current_patient_id = patient_id
        self.page.open_patient(patient_id, block_id)
        self.remember()
        self.menus.update()
        self.show_page(self.page)
        self.reminding.feed()
        if self.page.current_block() is None:
            self.blocks.show_block_form()
        else:
            self.page.log.focus_scale()
        self.patient_opened.emit(patient_id)

    def show_page(self, page: QWidget, title: str = "", prefix: str = "") -> None:
        self.pages.setCurrentWidget(page)
        opened = self.diary.diary if self.diary is not None else None
        if not title and opened is not None:
            title = opened.patient.name + (" (sample diary)" if self.demo else "")
        self.setWindowTitle(prefix + (title or self.windowTitle()))

    def diary_saved(self) -> None:
        """After every change to the diary: the day's backup, reminders, other modes."""
        self.backups.saved()
        self.reminding.feed()
        if self.current_patient_id is not None:
            self.diary_changed.emit(self.current_patient_id)

    def tick(self) -> None:
        self.reminding.tick()

    # -- closing -----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self.guard.close_event(event)

    def shut_down(self) -> None:
        self.samples.close_all()
        self.reminding.stop()
        if self.store is not None:
            self.remember()
            self.backups.closing()
            self.store.close()
            self.store = None
        if self.sample_folder is not None:
            shutil.rmtree(self.sample_folder, ignore_errors=True)
            self.sample_folder = None

    def _sample_window(self, db: Path) -> MainWindow:
        """The sample diary's own window (see `SampleWindows`), thrown away with its folder."""
        sample = MainWindow(
            str(db), demo=True, clock=self.clock, settings=self.prefs, quiet=self.quiet
        )
        sample.sample_folder = db.parent
        sample.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        sample.resize(self.size())
        sample.show()
        sample.start()
        return sample
