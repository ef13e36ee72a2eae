"""Re-make the report and review images in docs/ from the demo diary.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/report/make_images.py

Needs pdftoppm (poppler-utils). Uses a temporary database; never the user's data.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo" / "demo-diary.json"
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "demo.pdf"
        from paintrack.cli import main as cli

        assert cli(["report", str(DEMO), "-o", str(pdf), "--now", NOW.isoformat()]) == 0
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(ROOT / "docs" / "report" / "page-1"),
            ],
            check=True,
        )
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "2",
                "-l",
                "2",
                "-singlefile",
                str(pdf),
                str(ROOT / "docs" / "report" / "page-2"),
            ],
            check=True,
        )
        screenshots(Path(tmp) / "review.db")
        window_screenshot(Path(tmp))
    return 0


def window_screenshot(tmp: Path) -> None:
    """The Review mode inside the real main window, with the app's own style sheet."""
    from PySide6.QtCore import QSettings

    from paintrack.ui.app import ensure_application
    from paintrack.ui.clock import FakeClock
    from paintrack.ui.main_window import MainWindow

    app = ensure_application()
    prefs = QSettings(str(tmp / "prefs.ini"), QSettings.Format.IniFormat)
    window = MainWindow(
        str(tmp / "window.db"), demo=True, clock=FakeClock(NOW), settings=prefs, quiet=True
    )
    window.resize(1100, 760)
    window.show()
    for _ in range(10):
        app.processEvents()
    window.start()
    for _ in range(30):
        app.processEvents()
    window.show_mode("Review")
    review = window.review  # type: ignore[attr-defined]
    review.patients.setCurrentRow(0)
    review.tabs.setCurrentIndex(1)
    for _ in range(20):
        app.processEvents()
    review.canvas.draw()
    app.processEvents()
    out = ROOT / "docs" / "screenshots"
    window.grab().save(str(out / "review-window.png"))
    # The longest checklist (Medicare LCD, seven lines) in the same window: no scrolling.
    review.preset.setCurrentIndex(review.preset.findData("medicare-lcd"))
    for _ in range(20):
        app.processEvents()
    review.canvas.draw()
    app.processEvents()
    window.grab().save(str(out / "review-window-medicare.png"))
    window.shut_down()
    one_block_screenshot(tmp)


def one_block_screenshot(tmp: Path) -> None:
    """A patient with one block so far: no comparison of a block with itself."""
    from dataclasses import replace

    from paintrack.exchange.diary_json import read_diary_file
    from paintrack.store import open_store
    from paintrack.ui.app import ensure_application
    from paintrack.ui.review import ReviewMode

    app = ensure_application()
    store = open_store(str(tmp / "one-block.db"))
    try:
        demo = read_diary_file(DEMO)
        store.import_diary(replace(demo, blocks=demo.blocks[:1]), source_name="one block")
        review = ReviewMode(store, now=lambda: NOW)
        review.resize(1000, 560)
        review.show()
        review.tabs.setCurrentIndex(1)
        for _ in range(10):
            app.processEvents()
        review.grab().save(str(ROOT / "docs" / "screenshots" / "review-one-block.png"))
        review.close()
    finally:
        store.close()


def screenshots(db: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from paintrack.exchange.diary_json import read_diary_file
    from paintrack.store import open_store
    from paintrack.ui.app import ensure_application
    from paintrack.ui.review import ReviewMode

    app = ensure_application()
    store = open_store(str(db))
    try:
        store.import_diary(read_diary_file(DEMO), source_name="demo-diary.json")
        review = ReviewMode(store, now=lambda: NOW)
        review.resize(1280, 820)
        review.show()
        review.patients.setCurrentRow(0)
        QApplication.processEvents()
        out = ROOT / "docs" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        review.tabs.setCurrentIndex(0)
        for _ in range(5):
            app.processEvents()
        review.grab().save(str(out / "review-blocks.png"))
        review.tabs.setCurrentIndex(1)
        for _ in range(5):
            app.processEvents()
        review.canvas.draw()
        app.processEvents()
        review.grab().save(str(out / "review-compare.png"))
        dialog = review.edit_settings()
        for _ in range(5):
            app.processEvents()
        dialog.grab().save(str(out / "review-settings.png"))
        dialog.reject()
        review.close()
    finally:
        store.close()


if __name__ == "__main__":
    sys.exit(main())
