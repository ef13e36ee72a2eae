"""Helpers for the window tests: drive the real widgets the way a patient would."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from paintrack.ui.main_window import MainWindow

# A fixed moment for the fake clock: every schedule time below is relative to it.
START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def start_diary(qtbot: QtBot, window: MainWindow, name: str = "Jane Example") -> None:
    """Welcome screen -> "Start my diary" with a name, by typing and clicking."""
    assert window.pages.currentWidget() is window.welcome
    qtbot.keyClicks(window.welcome.name, name)
    qtbot.mouseClick(window.welcome.start_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.block_form


def add_block(
    qtbot: QtBot,
    window: MainWindow,
    *,
    bilateral: bool = False,
    activities: tuple[str, ...] = (),
) -> None:
    """Block form with its defaults (block time = now), then Save."""
    form = window.block_form
    if bilateral:
        form.side.setCurrentIndex(form.side.findData("bilateral"))
        assert form.two_sites.isChecked()
    for line, text in zip(form.activities, activities, strict=False):
        qtbot.keyClicks(line, text)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.diary, "the block was not saved"


def click_score(qtbot: QtBot, window: MainWindow, score: int, site: str = "index") -> None:
    scale = window.diary.log.scales.scales[site]
    qtbot.mouseClick(scale.buttons[score], Qt.MouseButton.LeftButton)


def save(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.mouseClick(window.diary.log.save_button, Qt.MouseButton.LeftButton)


def baseline(qtbot: QtBot, window: MainWindow, score: int = 7) -> None:
    assert window.diary.log.baseline_mode
    click_score(qtbot, window, score)
    save(qtbot, window)
    assert not window.diary.log.baseline_mode


def when_dialog_opens(action: Callable[[QDialog], None]) -> None:
    """Run `action` on the next modal dialog once its event loop is running."""

    def run() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            QTimer.singleShot(10, run)
            return
        action(dialog)

    QTimer.singleShot(0, run)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def press(dialog: QDialog, text: str) -> None:
    """Click the dialog's button whose text is `text` (there must be exactly one)."""
    from PySide6.QtWidgets import QDialogButtonBox

    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    (button,) = [b for b in box.buttons() if b.text() == text]
    button.click()
