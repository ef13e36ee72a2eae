"""Save PNGs of the main screens from the real window (offscreen) into docs/screenshots/.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python tests/ui/screenshots.py [OUTDIR]
A fake clock walks through a block day, so the pictures show a realistic diary.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

from paintrack.clinical.model import Entry, Source
from paintrack.ui.app import ensure_application
from paintrack.ui.clock import FakeClock
from paintrack.ui.main_window import MainWindow

SIZE = (1100, 760)


def settle(app: QApplication, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()


def grab(widget: QWidget, path: Path, app: QApplication) -> None:
    settle(app)
    if widget.isWindow() and widget is not None:
        pass
    widget.grab().save(str(path))
    print("saved", path)


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = ensure_application()
    folder = Path(tempfile.mkdtemp(prefix="paintrack-shots-"))
    prefs = QSettings(str(folder / "prefs.ini"), QSettings.Format.IniFormat)
    start = datetime.now().astimezone().replace(hour=9, minute=0, second=0, microsecond=0)
    clock = FakeClock(start)
    window = MainWindow(str(folder / "diary.db"), clock=clock, settings=prefs)
    window.resize(*SIZE)
    window.show()
    settle(app)
    window.start()
    settle(app)
    grab(window, out / "01-welcome.png", app)

    window.welcome.name.setText("Jane Example")
    window.welcome.start_button.click()
    form = window.block_form
    form.levels.setText("L3, L4, L5")
    form.agent.setCurrentIndex(form.agent.findData("lidocaine"))
    form.activities[0].setText("standing for 10 minutes")
    form.activities[1].setText("bending forward")
    clock.set(start + timedelta(minutes=5))
    grab(window, out / "02-add-a-block.png", app)
    form.performed_at.setDateTime(form.performed_at.dateTime().addSecs(60 * 60))
    form.save_button.click()
    grab(window, out / "02b-block-time-check.png", app)
    form.performed_at.setDateTime(form.performed_at.dateTime().addSecs(-60 * 60))
    form.save_button.click()
    settle(app)
    window._after_start()
    grab(window, out / "03-baseline.png", app)

    page = window.diary
    page.log.scales.scales["index"].set_value(7)
    page.log.save()
    grab(window, out / "04-after-baseline.png", app)

    block_id = page.block_id
    assert block_id is not None
    t0 = page.current_block().performed_at  # type: ignore[union-attr]
    for minutes, score in ((15, 4), (30, 2), (45, 1), (60, 1)):
        clock.set(t0 + timedelta(minutes=minutes, seconds=40))
        page.log.scales.scales["index"].set_value(score)
        page.log.save()
    # One written down late, one from paper.
    clock.set(t0 + timedelta(minutes=150))
    window.store.add_entry(
        block_id,
        Entry(
            at=t0 + timedelta(minutes=120),
            recorded_at=clock.now(),
            scores={"index": 2},
            note="forgot at 2 h",
        ),
    )
    page.refresh()
    clock.set(t0 + timedelta(minutes=180, seconds=30))
    window.tick()
    grab(window, out / "05-reminder-due.png", app)
    page.log.scales.scales["index"].set_value(3)
    page.log.save()
    clock.set(t0 + timedelta(minutes=185))
    window.tick()
    grab(window, out / "06-logging-with-chart.png", app)

    page.tabs.setCurrentIndex(1)
    grab(window, out / "07-schedule.png", app)
    page.tabs.setCurrentIndex(2)
    grab(window, out / "08-entries.png", app)
    page.tabs.setCurrentIndex(0)

    from paintrack.ui.entry_dialogs import PaperLogDialog

    clock.set(t0 + timedelta(minutes=330))
    window.tick()
    dialog = PaperLogDialog(page.current_block(), page.current_result(), clock, window)  # type: ignore[arg-type]
    dialog.resize(760, 520)
    dialog.show()
    grab(dialog, out / "09-paper-log.png", app)
    dialog.close()
    window.store.add_entry(
        block_id,
        Entry(
            at=t0 + timedelta(minutes=240),
            recorded_at=clock.now(),
            scores={"index": 5},
            source=Source.PAPER,
        ),
    )
    page.refresh()

    window.high_contrast_action.setChecked(True)
    grab(window, out / "10-high-contrast.png", app)
    window.high_contrast_action.setChecked(False)
    window.shut_down()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
