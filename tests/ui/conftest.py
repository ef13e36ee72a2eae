"""Window fixtures: a real MainWindow on a tmp database, a fake clock, private preferences."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from ui_helpers import START

from paintrack.ui.app import ensure_application
from paintrack.ui.clock import FakeClock
from paintrack.ui.main_window import MainWindow


@pytest.fixture(scope="session", autouse=True)
def _the_app_as_users_get_it(qapp: QApplication) -> None:
    """Every UI test runs with the application set up as `paintrack` sets it up (its text
    scale, names, icon), not only those that happen to run after one that opened the app."""
    ensure_application()


@pytest.fixture(autouse=True)
def _the_look_a_patient_starts_with(_the_app_as_users_get_it: None) -> None:
    """Larger text and High contrast are application-wide (its font and style sheet): a test
    that switched them on left them on for whatever test came next, so a widget tested on its
    own (the review mode) was laid out in the calm look, a larger font or none at all,
    depending on test order. Every test starts from the calm look at the normal text size."""
    from paintrack.ui.app import style_sheet

    app = ensure_application()
    base = app.property("paintrack_base_point_size")
    font = app.font()
    if isinstance(base, float) and font.pointSizeF() != base:
        font.setPointSizeF(base)
        app.setFont(font)
    calm = style_sheet(False)
    if app.styleSheet() != calm:
        app.setStyleSheet(calm)


@pytest.fixture(autouse=True)
def _free_the_tests_widgets() -> Iterator[None]:
    """pytest-qt closes each widget a test added and calls its deleteLater, but no event loop
    runs between tests to carry that out: a ReviewMode test left about 150 live widgets for
    the next one (over 1,200 after eight), each restyled and laid out again by later tests.
    This teardown runs after pytest-qt has closed them, and frees them now."""
    yield
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def prefs(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "diary.db"


@pytest.fixture
def make_window(
    qtbot: QtBot, db_path: Path, clock: FakeClock, prefs: QSettings
) -> Iterator[object]:
    made: list[MainWindow] = []

    def make() -> MainWindow:
        window = MainWindow(str(db_path), clock=clock, settings=prefs, quiet=True)
        qtbot.addWidget(window)
        window.resize(1100, 760)
        window.show()
        qtbot.waitExposed(window)
        assert window.start()
        made.append(window)
        return window

    yield make
    for window in made:
        window.shut_down()
        # Free the window now: no event loop runs its deleteLater between tests, and every
        # window left alive made the next test's restyling and layout slower (8-20 s a test).
        for sample in window.samples.open:
            sample.deleteLater()
        window.close()
        window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()


@pytest.fixture
def window(make_window: object) -> MainWindow:
    return make_window()  # type: ignore[operator,no-any-return]
