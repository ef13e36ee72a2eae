"""Save PNGs of the main screens from the real window (offscreen) into docs/screenshots/.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python tests/ui/screenshots.py [OUTDIR]
A fake clock walks through a block day, so the pictures show a realistic diary. Not a test
(no test_ prefix): the lead or anyone can re-run it after a UI change and look at the PNGs.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

from paintrack.clinical.model import Entry
from paintrack.ui.app import ensure_application
from paintrack.ui.clock import FakeClock
from paintrack.ui.entry_dialogs import PaperLogDialog
from paintrack.ui.main_window import MainWindow

SIZE = (1100, 760)


def settle(app: QApplication, rounds: int = 8) -> None:
    for _ in range(rounds):
        app.processEvents()


def grab(widget: QWidget, path: Path, app: QApplication) -> None:
    settle(app)
    if isinstance(widget, MainWindow):
        widget.statusBar().clearMessage()
        settle(app, 2)
    widget.grab().save(str(path))
    print("saved", path)


def new_window(folder: Path, name: str, clock: FakeClock) -> MainWindow:
    prefs = QSettings(str(folder / f"{name}.ini"), QSettings.Format.IniFormat)
    window = MainWindow(str(folder / f"{name}.db"), clock=clock, settings=prefs, quiet=True)
    window.resize(*SIZE)
    window.show()
    window.start()
    return window


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = ensure_application()
    folder = Path(tempfile.mkdtemp(prefix="paintrack-shots-"))
    start = datetime.now().astimezone().replace(hour=9, minute=0, second=0, microsecond=0)
    clock = FakeClock(start - timedelta(minutes=5))
    try:
        window = new_window(folder, "diary", clock)
        settle(app)
        grab(window, out / "01-welcome.png", app)

        window.welcome.name.setText("Jane Example")
        window.welcome.start_button.click()
        form = window.block_form
        form.performed_at.setDateTime(form.performed_at.dateTime().addSecs(5 * 60))
        form.levels.setText("L3, L4, L5")
        form.agent.setCurrentIndex(form.agent.findData("lidocaine"))
        form.activities[0].setText("standing for 10 minutes")
        form.activities[1].setText("bending forward")
        grab(window, out / "02-add-a-block.png", app)
        form.save_button.click()
        grab(window, out / "03-baseline.png", app)

        page = window.diary
        page.log.scales.scales["index"].set_value(7)
        page.log.save()
        block = page.current_block()
        assert block is not None
        t0 = block.performed_at
        for minutes, score in ((15, 4), (30, 2), (45, 1), (60, 1)):
            clock.set(t0 + timedelta(minutes=minutes, seconds=40))
            page.log.scales.scales["index"].set_value(score)
            page.log.save()
        clock.set(t0 + timedelta(minutes=150))
        window.store.add_entry(
            block.id,
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
        grab(window, out / "04-reminder.png", app)
        page.log.scales.scales["index"].set_value(3)
        page.log.save()
        clock.set(t0 + timedelta(minutes=185))
        window.tick()
        grab(window, out / "05-logging-and-chart.png", app)
        page.tabs.setCurrentIndex(1)
        grab(window, out / "06-schedule.png", app)
        page.tabs.setCurrentIndex(2)
        page.entries.selectRow(1)
        grab(window, out / "07-my-entries.png", app)
        page.tabs.setCurrentIndex(0)

        clock.set(t0 + timedelta(minutes=330))
        window.tick()
        dialog = PaperLogDialog(block, page.current_result(), clock, window)
        dialog.resize(760, 480)
        dialog.set_row(0, t0 + timedelta(minutes=240), {"index": 4}, note="wrote it on the leaflet")
        dialog.show()
        grab(dialog, out / "08-paper-log.png", app)
        dialog.close()

        window.look.high_contrast_action.setChecked(True)
        grab(window, out / "09-high-contrast.png", app)
        window.look.high_contrast_action.setChecked(False)
        window.shut_down()
        window.close()

        # A bilateral block with a mild baseline: two scales and the calm warning.
        clock.set(start - timedelta(minutes=2))
        both = new_window(folder, "bilateral", clock)
        both.welcome.name.setText("Sam Both-Sides")
        both.welcome.start_button.click()
        both.block_form.side.setCurrentIndex(both.block_form.side.findData("bilateral"))
        both.block_form.save_button.click()
        both.diary.log.scales.scales["left"].set_value(3)
        both.diary.log.scales.scales["right"].set_value(6)
        both.diary.log.save()
        clock.set(start + timedelta(minutes=15, seconds=20))
        both.tick()
        both.diary.log.scales.scales["left"].set_value(1)
        grab(both, out / "10-bilateral-and-low-baseline.png", app)
        both.shut_down()
        both.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
