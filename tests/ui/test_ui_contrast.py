"""High contrast (with larger text): every table row is readable, and nothing is cut short."""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QTableWidget, QWidget
from pytestqt.qtbot import QtBot
from ui_helpers import START, add_block, baseline, click_score, minutes, save, start_diary

from paintrack.ui.clock import FakeClock
from paintrack.ui.main_window import MainWindow


def _luminance(color: QColor) -> float:
    def channel(value: int) -> float:
        c = value / 255.0
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.red())
        + 0.7152 * channel(color.green())
        + 0.0722 * channel(color.blue())
    )


def _contrast(a: QColor, b: QColor) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _row_contrast(image: QImage, table: QTableWidget, row: int) -> float:
    """The contrast between a row's background (its commonest pixel) and its text (the
    pixel most unlike the background), as drawn on screen inside the row's first cell
    (inside, so the grid lines between cells do not count as text)."""
    rect = table.visualItemRect(table.item(row, 1)).adjusted(3, 3, -3, -3)
    ratio = image.width() / table.viewport().width()
    pixels: Counter[int] = Counter()
    for y in range(rect.top(), rect.bottom()):
        for x in range(rect.left(), rect.right()):
            pixels[image.pixel(int(x * ratio), int(y * ratio))] += 1
    background = QColor.fromRgb(pixels.most_common(1)[0][0])
    return max(_contrast(background, QColor.fromRgb(p)) for p in pixels)


@pytest.mark.parametrize("contrast", [True, False])
def test_every_table_row_is_readable(
    qtbot: QtBot, window: MainWindow, clock: FakeClock, contrast: bool
) -> None:
    window.look.high_contrast_action.setChecked(contrast)
    window.look.larger_text_action.setChecked(True)
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 8)
    for step, score in ((15, 5), (30, 4), (45, 3), (60, 2), (120, 2)):
        clock.set(START + minutes(step))
        window.tick()
        click_score(qtbot, window, score)
        save(qtbot, window)
    page = window.diary
    for tab, table in ((1, page.schedule), (2, page.entries)):
        page.tabs.setCurrentIndex(tab)
        qtbot.wait(30)
        table.clearSelection()
        table.setCurrentItem(None)
        table.clearFocus()
        qtbot.wait(30)
        image = table.viewport().grab().toImage()
        visible = [
            row
            for row in range(table.rowCount())
            if table.rowViewportPosition(row) + table.rowHeight(row) <= table.viewport().height()
        ]
        assert len(visible) >= 2, "needs at least one plain and one alternate row on screen"
        for row in visible:
            assert _row_contrast(image, table, row) >= 4.5, f"{table.accessibleName()} row {row}"


def test_schedule_status_is_never_cut_short(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    window.look.high_contrast_action.setChecked(True)
    window.look.larger_text_action.setChecked(True)
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 8)
    clock.set(START + minutes(15))
    window.tick()
    click_score(qtbot, window, 4)
    save(qtbot, window)
    page = window.diary
    page.tabs.setCurrentIndex(1)
    qtbot.wait(30)
    table = page.schedule
    metrics = table.fontMetrics()
    for row in range(table.rowCount()):
        item = table.item(row, 3)
        rect = table.visualItemRect(item)
        needed = metrics.boundingRect(
            0, 0, rect.width() - 12, 10_000, int(Qt.TextFlag.TextWordWrap), item.text()
        )
        assert needed.height() <= rect.height(), f"row {row}: {item.text()!r} is cut short"
    assert table.item(0, 3).text() == "✓ Done on time"


def test_larger_text_keeps_the_notes_column_readable(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    window.look.larger_text_action.setChecked(True)
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 8)
    clock.set(START + minutes(30))
    window.tick()
    log = window.diary.log
    click_score(qtbot, window, 4)
    log.more_button.setChecked(True)
    qtbot.keyClicks(log.note, "walked to the shop and back")
    save(qtbot, window)
    page = window.diary
    page.tabs.setCurrentIndex(2)
    qtbot.wait(30)
    table = page.entries
    viewport = table.viewport().width()
    notes_left = table.columnViewportPosition(3)
    notes_width = table.columnWidth(3)
    assert notes_left + notes_width <= viewport + 1, "the notes run off the side"
    assert notes_width >= viewport * 0.25, "the notes are squeezed to a sliver"
    note_item = table.item(0, 3)
    assert "walked to the shop and back" in note_item.text()


def _brightest_text(widget: QWidget) -> int:
    """The lightest pixel in the widget: its text on the high-contrast black."""
    image = widget.grab().toImage()
    return max(
        QColor(image.pixel(x, y)).lightness()
        for x in range(image.width() // 3, image.width())
        for y in range(image.height())
    )


def test_high_contrast_shows_a_choice_that_cannot_be_made_yet(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.look.high_contrast_action.setChecked(True)
    start_diary(qtbot, window)
    form = window.block_form
    assert form.one_site.isEnabled() and not form.two_sites.isEnabled()  # side: right
    # The unavailable "left and right" choice is greyed, not as bright as one that can be made.
    assert _brightest_text(form.two_sites) < 0.75 * _brightest_text(form.one_site)
    window.look.high_contrast_action.setChecked(False)


def test_high_contrast_reaches_the_chart_and_the_banner(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    from matplotlib.colors import to_rgb

    def luminance(colour: object) -> float:
        r, g, b = to_rgb(colour)  # type: ignore[arg-type]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 8)
    chart = window.diary.chart.ensure_loaded()
    calm_width = chart.sites["index"].line.get_linewidth()
    window.look.high_contrast_action.setChecked(True)
    assert to_rgb(chart.figure.get_facecolor()) == (0.0, 0.0, 0.0)
    assert to_rgb(chart.ax.get_facecolor()) == (0.0, 0.0, 0.0)
    assert luminance(chart.ax.xaxis.label.get_color()) > 0.9
    artists = chart.sites["index"]
    assert artists.line.get_linewidth() > calm_width
    eighty = artists.levels[80]
    assert eighty.get_visible() and luminance(eighty.get_color()) > 0.5
    assert luminance(artists.line.get_color()) > 0.5
    # The reminder banner stands out from the quiet line that holds its place.
    clock.set(START + minutes(15))
    window.tick()
    banner = window.diary.banner
    assert banner.isVisible()
    banner_text = banner.text.palette().color(banner.text.foregroundRole())
    idle = banner.idle.palette().color(banner.idle.foregroundRole())
    assert banner_text.name() != idle.name()
    # And back to the calm look.
    window.look.high_contrast_action.setChecked(False)
    assert to_rgb(chart.figure.get_facecolor()) == (1.0, 1.0, 1.0)
    assert artists.line.get_linewidth() == calm_width
