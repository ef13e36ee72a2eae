"""Starting the window: the QApplication, the look, the main window, and `--smoke-test`."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox

from paintrack.ui.assets import (  # noqa: F401  (the names callers and tests use)
    APPLICATION,
    ORGANISATION,
    app_icon,
    resource_text,
    style_sheet,
    user_settings,
)

log = logging.getLogger(__name__)

TEXT_SCALE = 1.1


class _FirstPaint(QObject):
    """Calls `callback` once, after the watched widget has painted for the first time."""

    def __init__(self, callback: Callable[[], None]) -> None:
        super().__init__()
        self._callback = callback
        self._done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._done and event.type() == QEvent.Type.Paint:
            self._done = True
            # Let the paint finish before doing anything else.
            QTimer.singleShot(0, self._callback)
        return False


def ensure_application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("paintrack")
    app.setWindowIcon(app_icon())
    if not app.property("paintrack_font_scaled"):
        # A little above the system size (and in proportion to it): read at arm's length.
        font = app.font()
        font.setPointSizeF(font.pointSizeF() * TEXT_SCALE)
        app.setFont(font)
        app.setProperty("paintrack_font_scaled", True)
        app.setProperty("paintrack_base_point_size", font.pointSizeF())
    if app.property("paintrack_wheel_guard") is None:
        guard = WheelGuard(app)
        app.installEventFilter(guard)
        app.setProperty("paintrack_wheel_guard", True)
    return app


class WheelGuard(QObject):
    """The mouse wheel scrolls the page; it never changes a drop-down list or a number field
    the pointer merely passes over (a clinical detail, such as the medicine injected or the
    sedation, changed by scrolling the form, unseen). A field the user has clicked or tabbed
    into still takes the wheel."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # isinstance, not event.type(): this runs for every event the application delivers, and
        # building the enum value costs more than the rest of the check.
        if (
            isinstance(event, QWheelEvent)
            and isinstance(watched, (QComboBox, QAbstractSpinBox))
            and not watched.hasFocus()
        ):
            event.ignore()  # handed on to the scroll area behind the field
            return True
        return False


def report_bugs_calmly() -> None:
    """An exception escaping a Qt slot is a bug: log its traceback and tell the user calmly,
    instead of printing to a terminal nobody sees. Saved entries are already committed."""
    import sys

    from paintrack.crashlog import bug_message, record_bug

    def hook(kind: type[BaseException], error: BaseException, tb: object) -> None:
        if issubclass(kind, KeyboardInterrupt):
            return
        message = bug_message(record_bug(error))
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.warning(None, "paintrack", message[0].upper() + message[1:])

    sys.excepthook = hook


def run_app(db_target: str, *, smoke_test: bool, demo: bool) -> int:
    """Open the diary window on `db_target`; returns the process exit status.

    The window paints first ("Opening your diary…"); then the one-window lock, the checks (with
    a way out when the file is refused) and the start-of-day backup; then the diary opens. The
    store (SQLAlchemy, half a second of imports) is loaded only after the first paint. The lock
    is held until the window closes."""
    app = ensure_application()
    from paintrack.ui.main_window import MainWindow

    window = MainWindow(db_target, demo=demo, quiet=smoke_test)
    outcome: dict[str, int] = {}
    held = []

    def first_paint() -> None:
        _note_time("first_paint")
        from paintrack.ui.startup_problems import prepare_diary

        prepared = prepare_diary(db_target, quiet=smoke_test, make_backup=not (demo or smoke_test))
        if prepared is None:  # refused, or in use, and the patient chose to quit
            outcome["code"] = 2 if smoke_test else 1
            window.shut_down()
            app.quit()
            return
        held.append(prepared)
        window.db_target = prepared.target  # a restored or new diary may live elsewhere
        ok = window.start()
        _note_time("diary_open")
        if smoke_test:
            outcome["code"] = 0 if ok else 2
            window.shut_down()
            app.quit()

    watcher = _FirstPaint(first_paint)
    window.installEventFilter(watcher)
    window.resize(1100, 760)
    window.show()
    try:
        code = app.exec()
    finally:
        window.removeEventFilter(watcher)
        for prepared in held:
            prepared.release()
        # Gone now, not when the garbage collector finds it (its parts refer back to it).
        window.hide()
        window.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return outcome.get("code", code)


def _note_time(moment: str) -> None:
    """For benchmarks/run.py: the wall-clock time of a start-up moment, appended to the file
    PAINTRACK_TIMES_FILE names (when set), as "first_paint 1764673200.123456"."""
    import os
    import time

    path = os.environ.get("PAINTRACK_TIMES_FILE")
    if path:
        with open(path, "a", encoding="utf-8") as times:
            times.write(f"{moment} {time.time():.6f}\n")
