"""Before the window opens a diary: take its one-window lock, open it once to check it, make the
day's backup, and when the diary cannot be opened, say why in the store's own words and offer a
way out (restore a backup, or start a new diary elsewhere). Never offers to overwrite the file.

`run_app` calls `prepare_diary`; everything it shows is in this module.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from paintrack.errors import UserError
from paintrack.paths import is_url
from paintrack.store import RefusedDatabase, open_store
from paintrack.store.backup import (
    DAILY,
    Backup,
    backups_dir,
    daily_backup,
    list_backups,
    make_backup,
    restore_backup,
    rotate,
    summarize_diary,
)
from paintrack.store.lock import DiaryInUse, DiaryLock

log = logging.getLogger(__name__)

IN_USE_TITLE = "This diary is already open in another paintrack window"
QUIT = "quit"
RESTORE = "restore"
NEW = "new"
MAX_ATTEMPTS = 20  # a way out of the loop should the same problem keep coming back


def _local_now() -> datetime:
    return datetime.now().astimezone()


@dataclass
class PreparedDiary:
    """The diary the window should open, and the lock it holds while it is open."""

    target: str
    lock: DiaryLock | None = None
    backup: Path | None = None  # the start-of-day backup made just now, if one was due

    def release(self) -> None:
        if self.lock is not None:
            self.lock.release()


@dataclass(frozen=True)
class Choice:
    action: str  # QUIT, RESTORE or NEW
    path: Path | None = None  # the backup to restore, or the new diary's file


class StartupProblemDialog(QDialog):
    """The diary could not be opened: the store's message, then the ways out."""

    def __init__(
        self, error: RefusedDatabase, backups: list[Backup], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.error = error
        self.db_path = error.path
        self.backups = backups
        self.choice = Choice(QUIT)
        self.setWindowTitle("paintrack — your diary could not be opened")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        self.pages = QStackedWidget()
        layout.addWidget(self.pages)
        self.pages.addWidget(self._problem_page())
        self.pages.addWidget(self._backups_page())

    # -- page 1: what is wrong, and the three ways out

    def _problem_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        title = QLabel("Your diary could not be opened. It has not been changed.")
        title.setObjectName("Heading")
        title.setWordWrap(True)
        layout.addWidget(title)
        self.message = QLabel(self.error.message)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        self.notice = QLabel("")
        self.notice.setWordWrap(True)
        self.notice.setObjectName("Hint")
        layout.addWidget(self.notice)
        if not self.backups and self.db_path is not None:
            self.notice.setText(
                f"No backups of this diary were found in {backups_dir(self.db_path)}."
            )
        buttons = QHBoxLayout()
        self.restore_button = QPushButton("Restore a backup…")
        self.restore_button.setEnabled(bool(self.backups))
        self.restore_button.clicked.connect(lambda: self.pages.setCurrentIndex(1))
        self.new_button = QPushButton("Start a new diary elsewhere…")
        self.new_button.clicked.connect(self.choose_new_file)
        self.quit_button = QPushButton("Quit")
        self.quit_button.clicked.connect(self.reject)
        for button in (self.restore_button, self.new_button, self.quit_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        return page

    # -- page 2: the backups, newest first

    def _backups_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        intro = QLabel(
            "Backups of this diary, newest first. The file as it is now is kept beside it "
            "(named …before-restore-…), so nothing is lost by restoring."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.backup_list = QListWidget()
        self.backup_list.setAccessibleName("Backups, newest first")
        for backup in self.backups:
            when = backup.made_at.astimezone().strftime("%A %d %B %Y, %H:%M")
            kind = "made on start" if backup.kind == "daily" else "made by hand"
            # What it holds, as `paintrack restore` says it: an empty early backup shows as such.
            held = summarize_diary(backup.path, immutable=True)
            holds = held.describe() if held is not None else "could not be read"
            item = QListWidgetItem(f"{when} ({kind})\nHolds {holds}")
            item.setData(Qt.ItemDataRole.UserRole, str(backup.path))
            item.setToolTip(str(backup.path))
            self.backup_list.addItem(item)
        if self.backups:
            self.backup_list.setCurrentRow(0)
        self.backup_list.itemDoubleClicked.connect(lambda _item: self.restore_selected())
        layout.addWidget(self.backup_list)
        buttons = QHBoxLayout()
        self.back_button = QPushButton("Back")
        self.back_button.clicked.connect(lambda: self.pages.setCurrentIndex(0))
        self.restore_selected_button = QPushButton("Restore this backup")
        self.restore_selected_button.clicked.connect(self.restore_selected)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.restore_selected_button)
        layout.addLayout(buttons)
        return page

    def restore_selected(self) -> None:
        item = self.backup_list.currentItem()
        if item is None:
            return
        self.choice = Choice(RESTORE, Path(str(item.data(Qt.ItemDataRole.UserRole))))
        self.accept()

    def choose_new_file(self) -> None:
        folder = str(self.db_path.parent) if self.db_path is not None else ""
        name, _filter = QFileDialog.getSaveFileName(
            self,
            "Start a new diary: choose a name for the new file",
            folder,
            "paintrack diary (*.db)",
        )
        if not name:
            return
        path = Path(name).expanduser().absolute()
        if path.suffix == "":
            path = path.with_suffix(".db")
        if path.exists() or (self.db_path is not None and path == self.db_path.absolute()):
            # Never a way to overwrite: the damaged file may still be someone's only copy.
            self.notice.setText(
                f"{path} already exists. Choose a new file name: paintrack never writes over "
                "an existing file here."
            )
            return
        self.choice = Choice(NEW, path)
        self.accept()


def in_use_box(error: DiaryInUse, parent: QWidget | None = None) -> QMessageBox:
    """The calm message for a second window on the same diary: try again, or quit."""
    box = QMessageBox(parent)
    box.setWindowTitle("paintrack")
    box.setIcon(QMessageBox.Icon.Information)
    box.setText(IN_USE_TITLE + ".")
    box.setInformativeText(
        "Your entries are safe there: switch to that window to go on. If you closed it just "
        f"now, try again.\n\n{error.path}"
    )
    box.addButton("Try again", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    return box


def _ask_in_use(error: DiaryInUse) -> bool:
    box = in_use_box(error)
    box.exec()
    clicked = box.clickedButton()
    return clicked is not None and clicked.text() == "Try again"


def _ask_refused(error: RefusedDatabase, backups: list[Backup]) -> Choice:
    dialog = StartupProblemDialog(error, backups)
    dialog.exec()
    return dialog.choice


def _tell(message: str) -> None:
    box = QMessageBox()
    box.setWindowTitle("paintrack")
    box.setIcon(QMessageBox.Icon.Information)
    box.setText("That did not work.")
    box.setInformativeText(message)
    box.exec()


def prepare_diary(
    db_target: str,
    *,
    quiet: bool = False,
    make_backup: bool = True,
    now: Callable[[], datetime] = _local_now,
    ask_in_use: Callable[[DiaryInUse], bool] = _ask_in_use,
    ask_refused: Callable[[RefusedDatabase, list[Backup]], Choice] = _ask_refused,
    tell: Callable[[str], None] = _tell,
) -> PreparedDiary | None:
    """Lock, check and back up the diary; None when it cannot be opened and the user quits.

    `quiet` (the smoke test) prints a problem to standard error instead of asking. A problem
    that is not about the file itself (a folder that cannot be created, say) is left for the
    window to show, which it does when it opens the store.
    """
    target = db_target
    for _attempt in range(MAX_ATTEMPTS):
        if is_url(target):
            return PreparedDiary(target)  # a server: no file to lock or back up
        path = Path(target).expanduser().absolute()
        lock = DiaryLock(path)
        try:
            lock.acquire()
        except DiaryInUse as error:
            if quiet or not ask_in_use(error):
                if quiet:
                    print(f"paintrack: {error.message}", file=sys.stderr)
                return None
            continue
        except UserError:
            return PreparedDiary(target)  # the window will say what is wrong
        try:
            open_store(str(path)).close()
        except RefusedDatabase as error:
            lock.release()
            if quiet:
                print(f"paintrack: {error.message}", file=sys.stderr)
                return None
            choice = ask_refused(error, list_backups(path))
            if choice.action == RESTORE and choice.path is not None:
                try:
                    restore_backup(path, choice.path, now=now())
                except UserError as problem:
                    tell(problem.message)
                continue
            if choice.action == NEW and choice.path is not None:
                target = str(choice.path)
                continue
            return None
        except UserError:
            lock.release()
            return PreparedDiary(target)
        made = _start_of_day_backup(path, now()) if make_backup else None
        return PreparedDiary(target, lock, made)
    return None


def backup_of_the_day(path: Path, now: datetime, why: str) -> Path | None:
    """A daily backup now, whatever the start of the day made (after the day's first save, or
    on closing after new entries), then the rotation, which keeps each day's newest. A backup
    failing must not disturb the diary: it is logged instead."""

    def made_and_rotated() -> Path:
        made = make_backup(path, now=now, kind=DAILY)
        rotate(path, now=now)
        return made

    return _logged_backup(made_and_rotated, path, why)


def _start_of_day_backup(path: Path, now: datetime) -> Path | None:
    """A backup failing must not keep the patient from their diary: it is logged instead."""
    return _logged_backup(lambda: daily_backup(path, now=now), path, "at the start of the day")


def _logged_backup(make: Callable[[], Path | None], path: Path, why: str) -> Path | None:
    try:
        made = make()
    except (UserError, OSError, sqlite3.Error):
        log.warning("the backup %s of %s failed", why, path, exc_info=True)
        return None
    if made is not None:
        log.info("backup %s: %s", why, made)
    return made
