"""The questions asked before the window opens a diary (`operations.startup` does the work):
a diary open in another window, and a diary that cannot be opened, said in the store's own
words with a way out (restore a backup, or start a new diary elsewhere). Never offers to
overwrite the file.

`run_app` calls `prepare_diary`; everything it shows is in this module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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

from paintrack.operations import startup
from paintrack.operations.startup import (
    Backup,
    Choice,
    DiaryInUse,
    PreparedDiary,
    RefusedDatabase,
    Way,
    backup_holds,
    backups_dir,
)

__all__ = ["Choice", "PreparedDiary", "StartupProblemDialog", "in_use_box", "prepare_diary"]

IN_USE_TITLE = "This diary is already open in another paintrack window"
QUIT = Way.QUIT
RESTORE = Way.RESTORE
NEW = Way.NEW


class StartupProblemDialog(QDialog):
    """The diary could not be opened: the store's message, then the ways out."""

    def __init__(
        self, error: RefusedDatabase, backups: Sequence[Backup], parent: QWidget | None = None
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
            item = QListWidgetItem(f"{when} ({kind})\nHolds {backup_holds(backup)}")
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
    now: Callable[[], datetime] | None = None,
    ask_in_use: Callable[[DiaryInUse], bool] = _ask_in_use,
    ask_refused: Callable[[RefusedDatabase, list[Backup]], Choice] = _ask_refused,
    tell: Callable[[str], None] = _tell,
) -> PreparedDiary | None:
    """Lock, check and back up the diary (`operations.startup.prepare_diary`), asking in these
    dialogs; None when it cannot be opened and the user quits."""
    return startup.prepare_diary(
        db_target,
        quiet=quiet,
        make_backup=make_backup,
        ask_in_use=ask_in_use,
        ask_refused=ask_refused,
        tell=tell,
        now=now,
    )
