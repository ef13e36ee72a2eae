"""What a save draws (issue 13): only the charts on screen, each once; a chart on a hidden tab or
mode is drawn when it is shown; the diary chart's layout is computed once and again only when
its size or texts change."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from paintrack.operations.files import sample_diary
from paintrack.ui.clock import FakeClock
from paintrack.ui.main_window import MainWindow
from paintrack.ui.review import ReviewMode


@pytest.fixture
def demo_window(qtbot: QtBot, tmp_path: Path, prefs: QSettings) -> Iterator[MainWindow]:
    """The demo diary's window, its clock a minute after the diary's last save (inside the
    second block's day, so a score can still be added), with Review installed."""
    diary = sample_diary()
    last = max(max(e.at, e.recorded_at) for b in diary.blocks for e in b.entries)
    clock = FakeClock(last + timedelta(minutes=1))
    window = MainWindow(str(tmp_path / "demo.db"), demo=True, clock=clock, settings=prefs)
    window.quiet = True
    qtbot.addWidget(window)
    window.resize(1100, 760)
    window.show()
    qtbot.waitExposed(window)
    assert window.start()
    qtbot.waitUntil(lambda: window.review is not None, timeout=15000)
    qtbot.waitUntil(lambda: window.page.chart.canvas is not None, timeout=15000)
    yield window
    window.shut_down()
    window.close()
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def count_draws(canvas: Any) -> list[int]:
    """Wrap the canvas's draw (what draw_idle calls): the list holds the number of draws."""
    drawn = [0]
    real: Callable[[], None] = canvas.draw

    def draw() -> None:
        drawn[0] += 1
        real()

    canvas.draw = draw
    return drawn


def save_a_score(qtbot: QtBot, window: MainWindow, score: int = 4) -> None:
    window.clock.advance(minutes=2)  # type: ignore[attr-defined]
    page = window.page
    block = page.current_block()
    assert block is not None
    before = len(block.entries)
    scale = next(iter(page.log.scales.scales.values()))
    qtbot.mouseClick(scale.buttons[score], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.log.save_button, Qt.MouseButton.LeftButton)
    after = page.current_block()
    assert after is not None and len(after.entries) == before + 1, "the score was not saved"


def settle(qtbot: QtBot) -> None:
    """Let posted work (draw_idle) run."""
    for _ in range(3):
        qtbot.wait(20)


def relief_points(review: ReviewMode, block_id: str) -> int:
    assert review.figure is not None
    return sum(
        len(line.get_xdata())
        for ax in review.figure.axes
        for line in ax.lines
        if str(line.get_gid()).startswith(f"relief:{block_id}:")
    )


def test_a_save_while_review_is_hidden_draws_review_once_it_is_shown(
    qtbot: QtBot, demo_window: MainWindow
) -> None:
    window = demo_window
    review = window.review
    assert isinstance(review, ReviewMode)
    # The clinician looked at the comparison once; then the patient is back in the diary.
    window.show_mode("Review")
    review.tabs.setCurrentWidget(review.compare_tab)
    qtbot.waitUntil(lambda: review.canvas is not None and review.figure is not None)
    settle(qtbot)
    block_id = window.page.block_id
    assert block_id is not None
    points_before = relief_points(review, block_id)
    window.show_mode("Diary")
    settle(qtbot)
    review_draws = count_draws(review.canvas)
    diary_draws = count_draws(window.page.chart.canvas)

    save_a_score(qtbot, window)
    settle(qtbot)
    assert review_draws[0] == 0, "Review's hidden chart was drawn on a save"
    assert diary_draws[0] == 1, "the diary's chart on screen is drawn once a save"
    assert review.reload_pending

    window.show_mode("Review")
    qtbot.waitUntil(lambda: review_draws[0] >= 1, timeout=15000)
    settle(qtbot)
    assert review_draws[0] == 1, "showing Review draws its chart once"
    assert relief_points(review, block_id) == points_before + 1, "the new score is charted"
    assert diary_draws[0] == 1, "the hidden diary chart was not drawn again"


def test_the_diary_chart_on_a_hidden_tab_is_drawn_when_shown(
    qtbot: QtBot, demo_window: MainWindow
) -> None:
    window = demo_window
    page, view = window.page, window.page.chart
    settle(qtbot)
    page.tabs.setCurrentIndex(2)  # My entries
    settle(qtbot)
    drawn = count_draws(view.canvas)
    assert view.chart is not None
    points = len(view.chart.line_data("index"))
    save_a_score(qtbot, window, 3)
    save_a_score(qtbot, window, 2)
    settle(qtbot)
    assert drawn[0] == 0 and view.stale
    assert len(view.chart.line_data("index")) == points + 2  # the data is up to date
    page.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: drawn[0] >= 1, timeout=15000)
    settle(qtbot)
    assert drawn[0] == 1 and not view.stale


def test_a_save_keeps_the_layout_a_resize_lays_it_out_again(
    qtbot: QtBot, demo_window: MainWindow, tmp_path: Path
) -> None:
    window = demo_window
    view = window.page.chart
    chart, canvas = view.chart, view.canvas
    assert chart is not None and canvas is not None
    # The first score of the next morning widens the hour labels (8 -> 20): laid out again.
    save_a_score(qtbot, window)
    settle(qtbot)
    layouts = chart.layout.layouts
    assert layouts >= 1
    save_a_score(qtbot, window)
    settle(qtbot)
    assert chart.layout.layouts == layouts, "a save that changes no text kept the layout"

    window.resize(940, 640)
    qtbot.waitUntil(lambda: chart.layout.layouts == layouts + 1, timeout=15000)
    settle(qtbot)
    assert chart.layout.layouts == layouts + 1, "one layout for the new size"
    frozen = chart.ax.get_position().bounds
    # The same positions as a layout computed from scratch for this size ...
    chart.layout.invalidate()
    canvas.draw()  # type: ignore[attr-defined]
    assert chart.ax.get_position().bounds == pytest.approx(frozen, abs=1e-6)
    # ... and every label on the figure: nothing cut at its edges, the legend above the plot.
    renderer = canvas.get_renderer()  # type: ignore[attr-defined]
    width, height = chart.figure.bbox.width, chart.figure.bbox.height
    for artist in (chart.ax, chart.relief_axis, chart.legend):
        assert artist is not None
        box = artist.get_tightbbox(renderer)
        assert box.x0 >= -0.5 and box.y0 >= -0.5, artist
        assert box.x1 <= width + 0.5 and box.y1 <= height + 0.5, artist
    assert chart.legend is not None
    assert chart.legend.get_window_extent(renderer).y0 >= chart.ax.bbox.y1 - 0.5
    window.page.chart.grab().save(str(tmp_path / "resized.png"))


def test_larger_text_lays_the_frozen_chart_out_again(qtbot: QtBot, demo_window: MainWindow) -> None:
    window = demo_window
    chart = window.page.chart.chart
    assert chart is not None
    settle(qtbot)
    layouts = chart.layout.layouts
    window.look.larger_text_action.setChecked(True)
    # Laid out for the larger texts (and again if the window's layout resized the chart).
    qtbot.waitUntil(lambda: chart.layout.layouts > layouts, timeout=15000)
    settle(qtbot)
    assert chart.ax.xaxis.label.get_fontsize() == chart.fontsize
    # Then frozen again: another draw with nothing changed lays nothing out.
    done = chart.layout.layouts
    canvas = window.page.chart.canvas
    assert canvas is not None
    canvas.draw()  # type: ignore[attr-defined]
    assert chart.layout.layouts == done
    window.look.larger_text_action.setChecked(False)
