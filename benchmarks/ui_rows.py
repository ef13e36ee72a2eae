"""Two window rows of the benchmark table (issue 13): a save's chart update and the window's
whole reaction to one save, each beside its baseline (one from-scratch draw) in the same run.

Each case returns (measured seconds, baseline seconds), one list per measurement; the caller
takes the medians. Run alone: `QT_QPA_PLATFORM=offscreen python benchmarks/ui_rows.py`.
The window is a real MainWindow on a throw-away database holding the demo diary, driven as the
patient drives it (a score clicked, then Save), on the offscreen Qt platform.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPEAT = 9


@contextmanager
def _demo_window() -> Iterator[Any]:
    from PySide6.QtCore import QSettings

    from paintrack.ui.app import ensure_application
    from paintrack.ui.clock import FakeClock
    from paintrack.ui.main_window import MainWindow

    app = ensure_application()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        prefs = QSettings(str(tmp / "prefs.ini"), QSettings.Format.IniFormat)
        from paintrack.operations.files import sample_diary

        # The demo diary's own times, the clock a minute after its last save (a paper log
        # typed in the morning after the block, inside the diary's day).
        diary = sample_diary()
        last = max(max(e.at, e.recorded_at) for b in diary.blocks for e in b.entries)
        clock = FakeClock(last + timedelta(minutes=1))
        window = MainWindow(str(tmp / "bench.db"), demo=True, clock=clock, settings=prefs)
        window.quiet = True
        window.resize(1100, 760)
        window.show()
        app.processEvents()
        assert window.start()
        _settle(app)
        # Review is installed (hidden, as a patient has it) and the diary's chart is shown.
        assert window.review is not None and window.page.chart.canvas is not None
        window.clock_ = clock
        try:
            yield window
        finally:
            window.shut_down()
            window.close()
            window.deleteLater()
            app.processEvents()


def _settle(app: Any) -> None:
    """Run the event loop until nothing is pending (a posted draw_idle included)."""
    from PySide6.QtCore import QEventLoop

    for _ in range(4):
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)
        app.sendPostedEvents()


def _save_one(window: Any, score: int) -> None:
    """Click a score and Save, as the patient does; the clock moves on two minutes first."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    window.clock_.advance(minutes=2)
    page = window.page
    before = len(page.current_block().entries)
    scale = next(iter(page.log.scales.scales.values()))
    QTest.mouseClick(scale.buttons[score], Qt.MouseButton.LeftButton)
    QTest.mouseClick(page.log.save_button, Qt.MouseButton.LeftButton)
    assert len(page.current_block().entries) == before + 1, "the score was not saved"


@contextmanager
def _from_scratch(figure: Any) -> Iterator[None]:
    """A draw as the first one is: the figure's constrained layout computed in full."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    engine = figure.get_layout_engine()
    figure.set_layout_engine(ConstrainedLayoutEngine())
    try:
        yield
    finally:
        figure.set_layout_engine(engine)


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def chart_update_case(repeat: int = REPEAT) -> tuple[list[float], list[float]]:
    """The diary chart's update after a save (the new analysis shown, then its draw) against a
    from-scratch canvas.draw() of the same figure (constrained layout computed in full)."""
    from PySide6.QtWidgets import QApplication

    measured: list[float] = []
    baseline: list[float] = []
    with _demo_window() as window:
        app = QApplication.instance()
        view = window.page.chart
        canvas = view.canvas
        for i in range(repeat):
            _save_one(window, 3 + i % 4)
            _settle(app)
            page = window.page
            result, threshold = page.current_result(), page.threshold

            def update(result: Any = result, threshold: int = threshold) -> None:
                view.show_result(result, threshold)
                _settle(app)  # the draw_idle it asked for

            measured.append(_timed(update))
            with _from_scratch(canvas.figure):
                baseline.append(_timed(canvas.draw))
            _settle(app)
    return measured, baseline


def save_reaction_case(repeat: int = REPEAT) -> tuple[list[float], list[float]]:
    """The window's whole reaction to one save, from the Save click to the event loop being
    idle again (store, analysis, tables, charts), against one from-scratch draw of the chart."""
    from PySide6.QtWidgets import QApplication

    measured: list[float] = []
    baseline: list[float] = []
    with _demo_window() as window:
        app = QApplication.instance()
        canvas = window.page.chart.canvas
        for i in range(repeat):

            def react(score: int = 3 + i % 4) -> None:
                _save_one(window, score)
                _settle(app)

            measured.append(_timed(react))
            with _from_scratch(canvas.figure):
                baseline.append(_timed(canvas.draw))
            _settle(app)
    return measured, baseline


def main() -> int:
    for name, case in (
        ("chart update after a save", chart_update_case),
        ("the window's whole reaction to one save", save_reaction_case),
    ):
        measured, baseline = case()
        m, b = statistics.median(measured), statistics.median(baseline)
        print(
            f"{name}: {m * 1000:.1f} ms median; one from-scratch draw: {b * 1000:.1f} ms; "
            f"ratio {m / b:.2f} ({len(measured)} runs)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
