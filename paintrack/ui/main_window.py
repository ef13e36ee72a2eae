"""The main window: opens the store once, routes between welcome, block form and diary, and
hosts other modes (the clinician review adds itself with `add_mode`).

`paintrack/ui/review.py`, when present, may define `install(window: MainWindow) -> None`; it is
called once after the window has first been shown, and usually calls `window.add_mode("Review",
widget)`. `window.store`, `window.current_patient_id` and the `diary_changed` signal are what a
mode needs.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import shutil
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QStackedWidget,
    QSystemTrayIcon,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from paintrack import __version__
from paintrack.clinical.model import Block, Entry, Patient
from paintrack.clinical.results import SchedulePoint
from paintrack.errors import UserError
from paintrack.ui.clock import Clock, SystemClock
from paintrack.ui.reminders import Reminders
from paintrack.ui.widgets import enter_activates_buttons, heading, refresh_relative_fonts

log = logging.getLogger(__name__)

LARGER_TEXT = 1.25  # View > Larger text, on top of the system size
TICK_MS = 15_000  # how often the countdown and the schedule states are refreshed
DEMO_RESOURCE = ("demo", "demo-diary.json")


def default_folder() -> str:
    """Where file dialogs start the first time: the user's Documents folder, else home."""
    from PySide6.QtCore import QStandardPaths

    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if documents and Path(documents).is_dir():
        return documents
    return str(Path.home())


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
        from paintrack.ui.app import user_settings

        self.db_target = db_target
        self.demo = demo
        self.clock: Clock = clock or SystemClock()
        self.prefs = settings or user_settings()
        self.quiet = quiet  # smoke test: report problems on stderr, never in a dialog
        self.store: Any = None
        self.current_patient_id: str | None = None
        self.tray: QSystemTrayIcon | None = None
        self.started = False
        self._after_started = False
        self._really_quit = False
        self._busy: QProgressDialog | None = None
        self.errors_shown: list[str] = []
        self.problem_headings: list[str] = []  # the plain sentence shown above each problem
        self.sample_folder: Path | None = None  # set on a sample-diary window: removed on close
        self.sample_windows: list[MainWindow] = []
        # A day's scores get a backup of their own: after the day's first save (the start of
        # day's copy was made before any), and on closing after new entries.
        self._backup_day: date | None = None
        self._unbacked_saves = False
        # Qt adds the application name ("— paintrack") to every title itself.
        self.setWindowTitle("Your pain diary")
        self.setMinimumSize(900, 620)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.mode_bar = QTabBar()
        self.mode_bar.setAccessibleName("Mode")
        self.mode_bar.setVisible(False)
        self.mode_bar.setExpanding(False)
        self.mode_bar.setDrawBase(True)
        layout.addWidget(self.mode_bar)
        self.modes = QStackedWidget()
        layout.addWidget(self.modes, 1)
        self.setCentralWidget(central)

        self.pages = QStackedWidget()
        self.pages.setObjectName("Page")
        loading = QWidget()
        loading.setObjectName("Page")
        loading_layout = QVBoxLayout(loading)
        loading_layout.addStretch(1)
        self.loading_label = heading("Opening your diary…")
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        loading_layout.addWidget(self.loading_label)
        loading_layout.addStretch(1)
        self.pages.addWidget(loading)
        self._mode_names: list[str] = []
        self.add_mode("Diary", self.pages)
        self.mode_bar.currentChanged.connect(self.modes.setCurrentIndex)

        self.welcome: Any = None
        self.block_form: Any = None
        self.diary: Any = None
        self.reminders = Reminders(self.clock, self)
        self.reminders.due.connect(self._remind)
        self.reminders.cleared.connect(self._reminder_cleared)
        self.reminders.finished.connect(self._reminders_finished)
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)

        self._build_menus()
        self.statusBar().showMessage("")

    # -- modes -------------------------------------------------------------------------------

    def add_mode(self, name: str, widget: QWidget) -> None:
        """Add a top-level mode (e.g. "Review"); a tab bar appears once there are two."""
        self._mode_names.append(name)
        self.modes.addWidget(widget)
        self.mode_bar.addTab(name)
        self.mode_bar.setVisible(len(self._mode_names) > 1)
        if hasattr(self, "view_menu"):
            self._add_mode_action(name)

    def show_mode(self, name: str) -> None:
        self.mode_bar.setCurrentIndex(self._mode_names.index(name))

    def _add_mode_action(self, name: str) -> None:
        number = self._mode_names.index(name) + 1
        action = QAction(f"Show {name}", self)
        action.setShortcut(QKeySequence(f"Ctrl+{number}"))
        action.triggered.connect(lambda: self.show_mode(name))
        self.view_menu.insertAction(self._view_separator, action)

    # -- menus -------------------------------------------------------------------------------

    def _action(self, text: str, slot: Callable[[], object], shortcut: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.export_json_action = self._action("Export diary (JSON)…", self.export_json, "Ctrl+E")
        self.export_csv_action = self._action("Export as spreadsheet (CSV)…", self.export_csv)
        self.import_action = self._action("Import a diary file…", self.import_diary, "Ctrl+I")
        for action in (self.export_json_action, self.export_csv_action, self.import_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        self.quit_action = self._action("Quit", self.quit_for_real, "Ctrl+Q")
        file_menu.addAction(self.quit_action)

        diary_menu = bar.addMenu("&Diary")
        self.add_block_action = self._action("Add a block…", self.show_block_form, "Ctrl+N")
        self.paper_action = self._action("Enter from my paper log…", self.paper_log, "Ctrl+P")
        self.switch_action = self._action("Start or open another diary…", self.show_welcome)
        for action in (self.add_block_action, self.paper_action, self.switch_action):
            diary_menu.addAction(action)

        self.view_menu = bar.addMenu("&View")
        self._view_separator = self.view_menu.addSeparator()
        for name in self._mode_names:
            self._add_mode_action(name)
        self.high_contrast_action = QAction("High contrast", self)
        self.high_contrast_action.setCheckable(True)
        self.high_contrast_action.setChecked(bool(self.prefs.value("high_contrast", False, bool)))
        self.high_contrast_action.toggled.connect(self.set_high_contrast)
        self.view_menu.addAction(self.high_contrast_action)
        self.larger_text_action = QAction("Larger text", self)
        self.larger_text_action.setCheckable(True)
        self.larger_text_action.setShortcut(QKeySequence("Ctrl++"))
        self.larger_text_action.setChecked(bool(self.prefs.value("larger_text", False, bool)))
        self.larger_text_action.toggled.connect(self.set_larger_text)
        self.view_menu.addAction(self.larger_text_action)

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("About paintrack", self.about))
        self._set_diary_actions(False)

    def _set_diary_actions(self, enabled: bool) -> None:
        for action in (
            self.export_json_action,
            self.export_csv_action,
            self.add_block_action,
            self.paper_action,
        ):
            action.setEnabled(enabled)

    # -- look --------------------------------------------------------------------------------

    def apply_look(self, *, again: bool = False) -> None:
        from paintrack.ui.app import style_sheet

        app = QApplication.instance()
        sheet = style_sheet(self.high_contrast_action.isChecked())
        # Only on a change (or `again`, after a font change): restyling re-polishes every
        # widget of the application.
        if isinstance(app, QApplication) and (again or app.styleSheet() != sheet):
            app.setStyleSheet(sheet)

    def set_high_contrast(self, on: bool) -> None:
        self.prefs.setValue("high_contrast", on)
        self.apply_look()
        if self.diary is not None:
            self.diary.chart.set_high_contrast(on)
        # A new style sheet puts every font back to the application's default: set the text
        # size (and the larger headings and scale digits) again, or Larger text is lost.
        self._apply_text_size(force=True)

    def set_larger_text(self, on: bool) -> None:
        self.prefs.setValue("larger_text", on)
        self._apply_text_size()

    def _apply_text_size(self, *, force: bool = False) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            font = app.font()
            base = app.property("paintrack_base_point_size")
            if not isinstance(base, float):
                base = font.pointSizeF()
                app.setProperty("paintrack_base_point_size", base)
            size = base * (LARGER_TEXT if self.larger_text_action.isChecked() else 1.0)
            if force or abs(font.pointSizeF() - size) > 0.01:
                font.setPointSizeF(size)
                app.setFont(font)
                # The rest follow the application font once the style sheet is re-applied;
                # widgets with their own size (headings, the scale) keep their proportion.
                if not force:
                    self.apply_look(again=True)
                refresh_relative_fonts()
                if self.diary is not None:
                    self.diary.text_size_changed()
                # Other modes (Review) redraw their charts too, if they have any.
                for index in range(self.modes.count()):
                    follow = getattr(self.modes.widget(index), "text_size_changed", None)
                    if callable(follow):
                        follow()

    # -- start-up ----------------------------------------------------------------------------

    def start(self) -> bool:
        """Open the store and the page the patient left off on; called after the first paint."""
        if self.started:
            return True
        self.started = True
        self.apply_look()
        self._apply_text_size()
        try:
            from paintrack.store import open_store

            self.store = open_store(self.db_target)
            if self.demo and not self.store.list_patients():
                self._load_sample_now()
            self._build_pages()
            self.route()
        except UserError as error:
            self.show_error(error, "The diary could not be opened.")
            self.loading_label.setText("Your diary could not be opened.\n" + error.message)
            return False
        QTimer.singleShot(0, self._after_start)
        return True

    def _after_start(self) -> None:
        """Slower parts once the window is up: the chart, the tray icon, other modes."""
        if self.store is None or self._after_started:  # shut down already, or done once
            return
        self._after_started = True
        if self.diary is not None:
            self.diary.chart.ensure_loaded()
        self._set_up_tray()
        if importlib.util.find_spec("paintrack.ui.review") is not None:
            review = importlib.import_module("paintrack.ui.review")
            install = getattr(review, "install", None)
            if callable(install):
                install(self)
        self.timer.start()

    def _build_pages(self) -> None:
        from paintrack.ui.block_form import BlockForm
        from paintrack.ui.diary_page import DiaryPage
        from paintrack.ui.welcome import WelcomePage

        self.welcome = WelcomePage(self.clock)
        self.welcome.start_requested.connect(self.start_diary)
        self.welcome.sample_requested.connect(self.open_sample)
        self.welcome.continue_requested.connect(self.open_patient)
        self.pages.addWidget(self.welcome)
        self.block_form = BlockForm(self.clock)
        self.block_form.saved.connect(self.save_block)
        self.block_form.cancelled.connect(self._block_form_cancelled)
        self.pages.addWidget(self.block_form)
        self.diary = DiaryPage(self.store, self.clock)
        self.diary.chart.set_high_contrast(self.high_contrast_action.isChecked())
        self.diary.add_block_requested.connect(self.show_block_form)
        self.diary.edit_block_requested.connect(self.edit_block)
        self.diary.paper_log_requested.connect(self.paper_log)
        self.diary.amend_requested.connect(self.amend_entry)
        self.diary.delete_requested.connect(self.delete_entry)
        self.diary.history_requested.connect(self.entry_history)
        self.diary.changed.connect(self._diary_saved)
        self.diary.block_selected.connect(lambda _id: self._remember())
        self.diary.banner.log_now.connect(self._log_now)
        self.diary.banner.snooze.connect(self.snooze)
        self.pages.addWidget(self.diary)
        self.diary.set_sample(self.demo)
        for widget in (self.welcome, self.block_form, self.diary):
            enter_activates_buttons(widget)

    def _settings_key(self) -> str:
        # Per database, so a sample or a second diary does not move the patient's place.
        # A server URL's password must never be written to the preferences file.
        from paintrack.store.database import display_target

        safe = display_target(self.db_target).replace("/", "|").replace("\\", "|")
        return f"place/{safe}"

    def _remember(self) -> None:
        if self.current_patient_id is None or self.demo:
            return
        key = self._settings_key()
        self.prefs.setValue(f"{key}/patient", self.current_patient_id)
        block_id = self.diary.block_id if self.diary is not None else None
        self.prefs.setValue(f"{key}/block", block_id or "")
        self.prefs.sync()

    def route(self) -> None:
        """Open where the patient left off: the remembered diary, the only diary, or welcome."""
        patients: list[Patient] = self.store.list_patients()
        key = self._settings_key()
        remembered = str(self.prefs.value(f"{key}/patient", "") or "")
        block_id = str(self.prefs.value(f"{key}/block", "") or "") or None
        ids = [p.id for p in patients]
        if remembered in ids:
            self.open_patient(remembered, block_id)
        elif len(patients) == 1:
            self.open_patient(patients[0].id)
        else:
            self.show_welcome()

    # -- pages -------------------------------------------------------------------------------

    def show_welcome(self) -> None:
        self.welcome.set_patients(self.store.list_patients(), self.store.first_block_dates())
        self.welcome.clear_form()
        self.pages.setCurrentWidget(self.welcome)
        self.setWindowTitle("Welcome")
        self.welcome.focus_first()

    def start_diary(self, patient: Patient) -> None:
        saved = self._guard(lambda: self.store.add_patient(patient), "Your diary was not started.")
        if saved is None:
            return
        self.current_patient_id = saved.id
        self.diary.open_patient(saved.id)
        self._remember()
        self._set_diary_actions(True)
        self.show_block_form()

    def open_patient(self, patient_id: str, block_id: str | None = None) -> None:
        self.current_patient_id = patient_id
        self.diary.open_patient(patient_id, block_id)
        self._remember()
        self._set_diary_actions(True)
        self.pages.setCurrentWidget(self.diary)
        self._title()
        self._feed_reminders()
        if self.diary.current_block() is None:
            self.show_block_form()
        else:
            self.diary.log.focus_scale()
        self.patient_opened.emit(patient_id)

    def _title(self) -> None:
        if self.diary is not None and self.diary.diary is not None:
            sample = " (sample diary)" if self.demo else ""
            self.setWindowTitle(f"{self.diary.diary.patient.name}{sample}")

    def show_block_form(self) -> None:
        if self.current_patient_id is None or not self._unsaved_score_handled(leaving=False):
            return
        next_sequence = 1
        if self.diary is not None and self.diary.diary is not None:
            next_sequence = len(self.diary.diary.blocks) + 1
        self.block_form.reset(next_sequence=next_sequence)
        self.pages.setCurrentWidget(self.block_form)
        self._title()
        self.setWindowTitle("Add a block — " + self.windowTitle())
        self.block_form.focus_first()

    def edit_block(self, block: Block) -> None:
        if not self._unsaved_score_handled(leaving=False):
            return
        self.block_form.edit(block)
        self.pages.setCurrentWidget(self.block_form)
        self._title()
        self.setWindowTitle("Block details — " + self.windowTitle())
        self.block_form.focus_first()

    def _block_form_cancelled(self) -> None:
        if self.diary.current_block() is not None:
            self.pages.setCurrentWidget(self.diary)
            self._title()
            self.diary.log.focus_scale()
        else:
            self.show_welcome()

    def save_block(self, block: Block, reason: str | None) -> None:
        assert self.current_patient_id is not None
        if reason is None:
            patient_id = self.current_patient_id
            saved = self._guard(
                lambda: self.store.add_block(patient_id, block), "The block was not saved."
            )
        else:
            saved = self._guard(
                lambda: self.store.update_block(block, reason=reason), "The change was not saved."
            )
        if saved is None:
            return
        self.diary.block_id = saved.id
        self.diary.refresh()
        self._remember()
        self.pages.setCurrentWidget(self.diary)
        self._title()
        self._feed_reminders()
        self.diary.log.focus_scale()
        self.statusBar().showMessage("Block saved.", 8000)
        self.diary_changed.emit(self.current_patient_id)

    def _focus_scale_soon(self) -> None:
        """Back to the scale once a dialog has closed (after Qt has restored the old focus)."""
        QTimer.singleShot(0, self, lambda: self.diary.log.focus_scale())

    def _diary_saved(self) -> None:
        self._unbacked_saves = True
        today = self.clock.now().astimezone().date()
        if self._backup_day != today and self._backup(f"after the first save of {today}"):
            self._backup_day = today
        self._feed_reminders()
        if self.current_patient_id is not None:
            self.diary_changed.emit(self.current_patient_id)

    # -- entries: paper log, amend, delete, history ------------------------------------------

    def paper_log(self, block: Block | None = None) -> None:
        from paintrack.ui.clock import clock_text
        from paintrack.ui.entry_dialogs import PaperLogDialog

        block = block or (self.diary.current_block() if self.diary else None)
        if block is None:
            return
        dialog = PaperLogDialog(block, self.diary.current_result(), self.clock, self)
        accepted = dialog.exec()
        entries = dialog.entries() if accepted else []
        dialog.deleteLater()
        saved = 0
        for entry in entries:
            try:
                self.store.add_entry(block.id, entry)
            except UserError as error:
                self.show_error(error, f"Only {saved} of the {len(entries)} lines were saved.")
                break
            saved += 1
        if entries:
            self.diary.refresh()
            self._diary_saved()
            if saved:
                times = ", ".join(clock_text(e.at) for e in entries[:saved])
                words = "score" if saved == 1 else "scores"
                self.diary.log.announce(
                    f"Saved {saved} {words} from your paper log ({times}), marked as copied "
                    "from paper."
                )
            self.statusBar().showMessage(f"{saved} scores from your paper log saved.", 8000)
        self._focus_scale_soon()

    def amend_entry(self, block: Block, entry: Entry) -> None:
        from paintrack.ui.entry_dialogs import AmendDialog

        dialog = AmendDialog(block, entry, self)
        accepted = dialog.exec()
        new, reason = dialog.result_entry(), dialog.reason()
        dialog.deleteLater()
        if accepted and (
            self._guard(
                lambda: self.store.amend_entry(entry.id, new, reason=reason),
                "The correction was not saved.",
            )
            is not None
        ):
            self.diary.refresh()
            self._diary_saved()
            # The inline message of the last save gave figures the correction has changed.
            self.diary.log.announce(
                "Correction saved. The original is kept in the entry's history."
            )
            self.statusBar().showMessage(
                "Correction saved. The original is kept in the entry's history.", 8000
            )
        self._focus_scale_soon()

    def delete_entry(self, block: Block, entry: Entry) -> None:
        from paintrack.ui.entry_dialogs import DeleteDialog

        dialog = DeleteDialog(entry, self)
        accepted = dialog.exec()
        reason = dialog.reason()
        dialog.deleteLater()
        if accepted and (
            self._guard(
                lambda: self.store.delete_entry(entry.id, reason=reason) or True,
                "The entry was not deleted.",
            )
            is not None
        ):
            self.diary.refresh()
            self._diary_saved()
            self.diary.log.announce(
                "Entry deleted. It is still kept in the history for the clinic."
            )
            self.statusBar().showMessage(
                "Entry deleted. It is still kept in the history for the clinic.", 8000
            )
        self._focus_scale_soon()

    def entry_history(self, entry: Entry) -> None:
        from paintrack.ui.entry_dialogs import HistoryDialog

        history = self._guard(lambda: self.store.entry_history(entry.id), "")
        if history is not None:
            dialog = HistoryDialog(entry, history, self)
            dialog.exec()
            dialog.deleteLater()
        self._focus_scale_soon()

    # -- reminders ---------------------------------------------------------------------------

    def _feed_reminders(self) -> None:
        result = self.diary.current_result() if self.diary is not None else None
        if result is None:
            self.reminders.set_schedule(None, ())
        else:
            self.reminders.set_schedule(result.block.id, result.schedule)
        self.reminders.check()

    def tick(self) -> None:
        """The clock moved on: refresh states and countdown, and remind if a point is due."""
        if self.diary is None or self.diary.diary is None:
            return
        self.diary.tick()
        self._feed_reminders()

    def _remind(self, point: SchedulePoint) -> None:
        from paintrack.ui.diary_page import reminder_text

        text = reminder_text(point)
        self.diary.set_reminder(point, None)
        if self.tray is not None and self.tray.isVisible():
            self.tray.showMessage("paintrack", text, QSystemTrayIcon.MessageIcon.Information, 30000)
        QApplication.alert(self)

    def _reminder_cleared(self) -> None:
        if self.diary is not None:
            self.diary.set_reminder(None, None)

    def _reminders_finished(self) -> None:
        if self.diary is not None:
            self.diary.set_reminder(None, None)
        self.statusBar().showMessage("That was the last scheduled score. Thank you!", 15000)

    def snooze(self) -> None:
        if not self.reminders.snooze():
            return  # nothing fits before the point's window closes (the button said so)
        if self.diary is not None:
            # The banner's place says until when (no status-bar line outliving the score).
            self.diary.set_reminder(self.reminders.current, self.reminders.snoozed_until)
            self.diary.log.focus_scale()

    def _log_now(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()
        self.pages.setCurrentWidget(self.diary)
        self.diary.rate_now()

    def _set_up_tray(self) -> None:
        if self.tray is not None or self.demo or not QSystemTrayIcon.isSystemTrayAvailable():
            return
        from paintrack.ui.app import app_icon

        tray = QSystemTrayIcon(app_icon(), self)
        tray.setToolTip("paintrack: your pain diary")
        tray.activated.connect(lambda _reason: self._log_now())
        tray.messageClicked.connect(self._log_now)
        tray.show()
        self.tray = tray
        # Hidden in the tray is still running: only Quit (or closing with nothing due) ends it.
        QApplication.setQuitOnLastWindowClosed(False)

    def closeEvent(self, event: QCloseEvent) -> None:
        if (
            not self._really_quit
            and self.tray is not None
            and self.tray.isVisible()
            and self.reminders.active
        ):
            # Keep reminding: hide to the tray instead of quitting mid-diary.
            event.ignore()
            self.hide()
            due = self.next_score_words()
            self.tray.showMessage(
                "paintrack is still running",
                "I'll keep reminding you from here"
                + (f" ({due})" if due else "")
                + ". Use Quit in the File menu to stop.",
                QSystemTrayIcon.MessageIcon.Information,
                10000,
            )
            return
        # One question at a time: with a score chosen, that question also says the reminders
        # would stop.
        asked = not self.quiet and self.unsaved_score()
        if not self._unsaved_score_handled():
            event.ignore()
            return
        if not self._really_quit and not asked and not self._closing_while_due_confirmed():
            event.ignore()
            return
        had_tray = self.tray is not None
        self.shut_down()
        event.accept()
        if had_tray:
            QTimer.singleShot(0, QApplication.quit)

    def next_score_words(self) -> str:
        """ "your next score is due at 15:01" while reminders are still to come, else ""."""
        if self.diary is None or self.store is None or not self.reminders.active:
            return ""
        from paintrack.clinical.results import PointState
        from paintrack.ui.clock import clock_text

        point = self.diary.next_point()
        if point is None:
            return ""
        if point.state == PointState.DUE_NOW:
            return f"your {clock_text(point.at)} score is due now"
        return f"your next score is due at {clock_text(point.at)}"

    def _closing_while_due_confirmed(self, *, quitting: bool = False) -> bool:
        """Closing with scores still due and no tray to remind from (or quitting, which stops
        the tray's reminders too): reminders would stop, so ask first. True: close."""
        due = self.next_score_words()
        if self.quiet or not due:
            return True
        box = QMessageBox(self)
        box.setWindowTitle("paintrack")
        box.setIcon(QMessageBox.Icon.Question)
        box.setText(f"Scores are still due today: {due}.")
        box.setInformativeText(
            "If you close paintrack now, it cannot remind you. Your saved scores are safe "
            "either way."
        )
        stay = box.addButton("Keep paintrack open", QMessageBox.ButtonRole.RejectRole)
        close = box.addButton(
            "Quit, no more reminders" if quitting else "Close, no more reminders",
            QMessageBox.ButtonRole.AcceptRole,
        )
        box.setDefaultButton(stay)
        box.setEscapeButton(stay)
        box.exec()
        clicked = box.clickedButton()
        box.deleteLater()
        return clicked is close

    def _backup_file(self) -> Path | None:
        """The diary file a backup copies; None for a sample, a demo or a database server."""
        from paintrack.paths import is_url

        if self.demo or self.sample_folder is not None or is_url(self.db_target):
            return None
        return Path(self.db_target).expanduser()

    def _backup(self, why: str) -> bool:
        from paintrack.ui.startup_problems import backup_of_the_day

        path = self._backup_file()
        if path is None or self.store is None:
            return False
        made = backup_of_the_day(path, self.clock.now().astimezone(), why)
        if made is not None:
            self._unbacked_saves = False
        return made is not None

    def quit_for_real(self) -> None:
        # File > Quit (Ctrl+Q) stops the reminders too, tray or not: ask first, as closing does.
        if not self.unsaved_score() and not self._closing_while_due_confirmed(quitting=True):
            return
        self._really_quit = True
        if not self.close():  # the patient chose to stay (an unsaved score)
            self._really_quit = False
            return
        app = QApplication.instance()
        if app is not None:
            app.quit()

    def unsaved_score(self) -> bool:
        """A score is chosen on screen but not saved yet."""
        if self.store is None or self.diary is None:
            return False
        chosen = self.diary.log.scales.values().values()
        if self.pages.currentWidget() is not self.diary:
            return False
        return any(v is not None for v in chosen)

    def _unsaved_score_handled(self, *, leaving: bool = True) -> bool:
        """Before closing (or leaving the score for the block form): offer to save a chosen
        score. False means stay where we are."""
        if self.quiet or not self.unsaved_score():
            return True
        box = QMessageBox(self)
        box.setWindowTitle("paintrack")
        box.setIcon(QMessageBox.Icon.Question)
        box.setText("You chose a score but have not saved it yet.")
        due = self.next_score_words() if leaving else ""
        box.setInformativeText(
            ("Save it before closing?" if leaving else "Save it first?")
            + (
                f" Once paintrack is closed it cannot remind you ({due})."
                if due and (self.tray is None or self._really_quit)
                else ""
            )
        )
        save = box.addButton("Save my score", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton(
            "Close without saving" if leaving else "Go on without saving",
            QMessageBox.ButtonRole.DestructiveRole,
        )
        stay = box.addButton("Go back", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save)
        box.setEscapeButton(stay)
        box.exec()
        clicked = box.clickedButton()
        box.deleteLater()
        if clicked is save:
            self.diary.log.save()
            # Closed only once the save went through (an error keeps the window open).
            return not self.unsaved_score() and self.diary.log.status.kind != "Error"
        return clicked is discard

    def shut_down(self) -> None:
        for sample in list(self.sample_windows):
            sample.close()
        self.timer.stop()
        if self.tray is not None:
            self.tray.hide()
        if self.store is not None:
            self._remember()
            if self._unbacked_saves:
                self._backup("on closing after new entries")
            self.store.close()
            self.store = None
        if self.sample_folder is not None:
            shutil.rmtree(self.sample_folder, ignore_errors=True)
            self.sample_folder = None

    # -- files -------------------------------------------------------------------------------

    def _load_sample_now(self) -> Patient:
        from importlib import resources

        from paintrack.exchange.diary_json import parse_diary

        source = resources.files("paintrack.resources").joinpath(*DEMO_RESOURCE)
        diary = parse_diary(source.read_bytes(), "the sample diary")
        self.store.import_diary(diary, source_name="sample diary")
        return diary.patient

    def open_sample(self) -> MainWindow | None:
        """The sample diary in its own window on a temporary database, thrown away on close:
        the patient's own database never holds the example patient."""
        from paintrack.commands.demo import prepare_demo_database

        db = self._guard(prepare_demo_database, "The sample diary could not be opened.")
        if db is None:
            return None
        sample = MainWindow(
            str(db), demo=True, clock=self.clock, settings=self.prefs, quiet=self.quiet
        )
        sample.sample_folder = Path(db).parent
        sample.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        sample.resize(self.size())
        sample.show()
        sample.start()
        self.sample_windows.append(sample)
        sample.destroyed.connect(lambda _obj=None: self._forget_sample(sample))
        return sample

    def _forget_sample(self, sample: MainWindow) -> None:
        if sample in self.sample_windows:
            self.sample_windows.remove(sample)

    def _run_in_background(
        self,
        label: str,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        what_happened: str = "Nothing was changed.",
    ) -> None:
        from paintrack.ui.workers import start_job

        progress = QProgressDialog(label, "", 0, 0, self)
        progress.setWindowTitle("paintrack")
        progress.setCancelButton(None)
        progress.setMinimumDuration(300)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        self._busy = progress
        for action in (self.import_action, self.export_json_action, self.export_csv_action):
            action.setEnabled(False)

        def finish() -> None:
            progress.reset()
            progress.deleteLater()
            self._busy = None
            self.import_action.setEnabled(True)
            self._set_diary_actions(self.current_patient_id is not None)

        def on_done(result: Any) -> None:
            finish()
            done(result)

        def on_error(error: BaseException) -> None:
            finish()
            self._report(error, what_happened)

        start_job(work, on_done, on_error, parent=self)

    def _ask_path(self, title: str, suggested: str, filters: str, save: bool) -> str:
        folder = str(self.prefs.value("last_folder", "") or "") or default_folder()
        start = str(Path(folder) / suggested) if suggested else folder
        if save:
            path, _ = QFileDialog.getSaveFileName(self, title, start, filters)
        else:
            path, _ = QFileDialog.getOpenFileName(self, title, start, filters)
        if path:
            self.prefs.setValue("last_folder", str(Path(path).parent))
        return path

    def _suggested_name(self, extension: str) -> str:
        name = "diary"
        if self.diary is not None and self.diary.diary is not None:
            name = "-".join(self.diary.diary.patient.name.lower().split()) or name
        return f"{name}-paintrack.{extension}"

    def export_json(self, path: str | None = None) -> None:
        if self.current_patient_id is None:
            return
        path = path or self._ask_path(
            "Export diary", self._suggested_name("json"), "Diary files (*.json)", True
        )
        if not path:
            return
        from paintrack.exchange.diary_json import write_diary_file

        store, patient_id = self.store, self.current_patient_id

        def work() -> str:
            write_diary_file(store.load_diary(patient_id), path)
            return path

        self._run_in_background(
            "Writing the diary file…",
            work,
            lambda done: self.statusBar().showMessage(f"Diary saved to {done}", 15000),
        )

    def export_csv(self, path: str | None = None) -> None:
        if self.current_patient_id is None:
            return
        path = path or self._ask_path(
            "Export as spreadsheet", self._suggested_name("csv"), "Spreadsheet (*.csv)", True
        )
        if not path:
            return
        from paintrack.exchange.csv_export import write_csv

        store, patient_id = self.store, self.current_patient_id

        def work() -> str:
            write_csv(store.load_diary(patient_id), path)
            return path

        self._run_in_background(
            "Writing the spreadsheet…",
            work,
            lambda done: self.statusBar().showMessage(f"Spreadsheet saved to {done}", 15000),
        )

    def import_diary(self, path: str | None = None) -> None:
        if self.store is None:
            return
        path = path or self._ask_path(
            "Import a diary file", "", "Diary files (*.json);;All files (*)", False
        )
        if not path:
            return
        from paintrack.exchange.diary_json import read_diary_file

        store = self.store

        def work() -> tuple[Any, str]:
            diary = read_diary_file(path)
            result = store.import_diary(diary, source_name=Path(path).name)
            return result, diary.patient.id

        self._run_in_background(
            "Reading the diary file…",
            work,
            self._imported,
            # One plain sentence first; the file's technical details follow for a helper.
            "This file could not be read as a paintrack diary. Nothing was imported, and "
            "your diary is unchanged.",
        )

    def _imported(self, outcome: tuple[Any, str]) -> None:
        result, patient_id = outcome
        self.statusBar().showMessage(
            f"Imported: {result.blocks_added} blocks and {result.entries_added} scores added"
            + (f", {result.entries_unchanged} already there." if result.entries_unchanged else "."),
            20000,
        )
        self.open_patient(patient_id)

    def about(self) -> None:
        path = self.store.db_path if self.store is not None else None
        from paintrack.store.backup import backups_dir
        from paintrack.store.database import display_target

        where = self.store.where if self.store is not None else display_target(self.db_target)

        if path is not None:
            backups = f"Backups are kept in:\n{backups_dir(Path(path))}"
        elif self.store is not None and self.store.is_server:
            # A clinic's shared server: paintrack makes no copies of it; the server's own apply.
            backups = (
                "Backups: this diary is on a database server, so the server's own backups "
                "apply; paintrack makes no copies of it."
            )
        else:
            backups = "Backups: none (this diary is not kept in a file)."
        box = QMessageBox(self)
        box.setWindowTitle("About paintrack")
        box.setIcon(QMessageBox.Icon.Information)
        box.setText(f"paintrack {__version__}\nA pain diary for medial branch blocks.")
        box.setInformativeText(f"Your diary is kept in:\n{where}\n\n{backups}")
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.exec()

    # -- errors ------------------------------------------------------------------------------

    def _guard(self, work: Callable[[], Any], what_happened: str) -> Any:
        """Run a store call; a UserError becomes a calm dialog and None."""
        try:
            return work()
        except UserError as error:
            self.show_error(error, what_happened)
            return None

    def _report(self, error: BaseException, what_happened: str) -> None:
        if isinstance(error, UserError):
            self.show_error(error, what_happened)
        else:
            log.error("unexpected error", exc_info=error)
            self.show_error(
                UserError(
                    f"Something went wrong inside paintrack ({type(error).__name__}). "
                    "Your saved scores are safe."
                ),
                what_happened,
            )

    def show_error(self, error: UserError, what_happened: str) -> None:
        self.errors_shown.append(error.message)
        self.problem_headings.append(what_happened)
        if self.quiet:
            print(f"paintrack: {error.message}", file=sys.stderr)
            return
        box = QMessageBox(self)
        box.setWindowTitle("paintrack")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setText(what_happened or "That didn't work.")
        technical = "$." in error.message or "JSON" in error.message
        box.setInformativeText(
            ("Details for your clinic or whoever sent the file:\n" if technical else "")
            + error.message
        )
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.exec()
