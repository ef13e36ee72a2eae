"""Reminders fire at the right (fake) times, snooze for five minutes, and stop after the end."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
from pytestqt.qtbot import QtBot
from ui_helpers import START, add_block, baseline, click_score, minutes, save, start_diary

from paintrack.ui.clock import FakeClock, clock_text
from paintrack.ui.main_window import MainWindow


def _at(window: MainWindow, clock: FakeClock, after: float) -> bool:
    """Move the fake clock to `after` minutes past the block and let the window notice."""
    clock.set(START + minutes(after))
    window.tick()
    return window.diary.banner.isVisible()


def test_reminders_fire_snooze_and_stop(qtbot: QtBot, window: MainWindow, clock: FakeClock) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 7)
    fired = window.reminders.fired_log

    assert not _at(window, clock, 10)  # 15-minute point not reached yet
    assert fired == []
    assert _at(window, clock, 15)
    # The point's time as the patient's computer shows it, and how long after the block.
    shown = window.diary.banner.text.text()
    assert clock_text(START + minutes(15)) in shown and "15 min after the block" in shown
    assert fired == [(START + minutes(15), 15.0)]
    assert _at(window, clock, 16)  # still shown, not fired a second time
    assert len(fired) == 1

    # The 15-minute point's window closes at 22.5 min: a 5-minute snooze would leave too
    # little time to answer, so the banner offers 4 (2 minutes are left to rate after it).
    assert window.diary.banner.snooze_button.text() == "Remind me in 4 minutes"
    window.diary.banner.snooze_button.click()
    assert not window.diary.banner.isVisible()
    assert not _at(window, clock, 19.9)  # snoozed for 4 minutes
    assert _at(window, clock, 20)  # 4 minutes later, still no score: again
    assert fired[-1] == (START + minutes(20), 15.0)
    # Now no snooze fits before the window closes: the banner says what happens instead.
    assert window.diary.banner.snooze_button.isHidden()
    assert "After that, this time counts as missed." in window.diary.banner.text.text()

    click_score(qtbot, window, 3)
    save(qtbot, window)
    assert not window.diary.banner.isVisible()  # scored: the reminder goes away
    assert not _at(window, clock, 25)

    assert _at(window, clock, 30)
    assert fired[-1] == (START + minutes(30), 30.0)
    assert not _at(window, clock, 38)  # 30's window closed unscored (missed); 45 not yet
    assert _at(window, clock, 45)

    for point in (60, 120, 180, 240, 300, 360, 420):
        assert _at(window, clock, point)
        assert fired[-1] == (START + minutes(point), float(point))
    assert _at(window, clock, 480)
    assert window.reminders.active
    assert not _at(window, clock, 510)  # the last window has closed: reminders stop
    assert not window.reminders.active
    count = len(fired)
    assert not _at(window, clock, 600)
    assert not _at(window, clock, 24 * 60)
    assert len(fired) == count
    assert [m for _when, m in fired] == [
        15.0,
        15.0,
        30.0,
        45.0,
        60.0,
        120.0,
        180.0,
        240.0,
        300.0,
        360.0,
        420.0,
        480.0,
    ]


def test_no_reminder_when_the_point_is_already_scored(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 7)
    clock.set(START + minutes(13))  # a little early, inside the 15-minute window
    window.tick()
    click_score(qtbot, window, 4)
    save(qtbot, window)
    assert not _at(window, clock, 15)
    assert window.reminders.fired_log == []


def test_rate_now_button_puts_the_focus_on_the_scale(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 7)
    assert _at(window, clock, 15)
    window.activateWindow()
    window.diary.banner.now_button.click()
    scale = window.diary.log.scales.scales["index"]
    qtbot.waitUntil(scale.hasFocus, timeout=15000)


# The offscreen platform has no tray; pretending it has one makes Qt say so once.
@pytest.mark.qt_log_ignore("No such signal QPlatformNativeInterface::systemTrayWindowChanged")
def test_closing_hides_to_the_tray_while_scores_are_due(
    qtbot: QtBot,
    window: MainWindow,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    monkeypatch.setattr(QApplication, "setQuitOnLastWindowClosed", staticmethod(lambda _on: None))
    shown: list[str] = []
    monkeypatch.setattr(
        QSystemTrayIcon, "showMessage", lambda _self, title, *_a: shown.append(title)
    )
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 7)
    window._set_up_tray()
    assert window.tray is not None
    assert _at(window, clock, 15)
    assert shown == ["paintrack"]  # the due score also went to the system tray
    window.close()
    assert not window.isVisible()  # hidden, not closed: reminders keep coming
    assert window.store is not None and window.reminders.active
    assert shown[-1] == "paintrack is still running"
    _at(window, clock, 30)  # the banner is hidden with the window; the tray still says it
    assert window.reminders.fired_log[-1][1] == 30.0
    assert shown[-1] == "paintrack"


def test_banner_panel_and_schedule_say_the_same_thing(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    """One source: the engine's schedule states and the reminder's state. Before the point's
    time its window is already open ("● Due now" in the Schedule): the banner's place and
    the panel say so too; snoozed, the banner's place says until when; no status-bar line."""
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 7)
    page = window.diary
    words = f"your {clock_text(START + minutes(15))} score (15 min after the block)"
    # Its window closes at 22.5 min: every second of the minute named still counts.
    by = f"please rate by {clock_text(START + minutes(21))}"

    assert not _at(window, clock, 13)  # window open, the reminder's time not come yet
    assert page.schedule.item(0, 3).text() == "● Due now"
    assert page.log.next_due.text() == f"Due now: {words} — {by} (9 min left)"
    assert page.banner.idle.isVisible()
    assert page.banner.idle.text() == f"Due now: {words}. You can rate it now: {by}."

    assert _at(window, clock, 15)
    assert page.banner.text.text() == f"It's time for {words}: {by}."
    assert page.log.next_due.text() == f"Due now: {words} — {by} (7 min left)"

    page.banner.snooze_button.click()
    assert not page.banner.isVisible()
    snoozed = (
        f"Reminder snoozed until {clock_text(START + minutes(20))} — you can rate now if you "
        f"like ({by})."
    )
    assert page.banner.idle.isVisible() and page.banner.idle.text() == snoozed
    assert not _at(window, clock, 17)
    assert page.banner.idle.text() == snoozed, "the tick must not forget the snooze"
    assert page.schedule.item(0, 3).text() == "● Due now"
    assert page.log.next_due.text() == f"Due now: {words} — {by} (5 min left)"
    assert "remind" not in window.statusBar().currentMessage()

    click_score(qtbot, window, 3)
    save(qtbot, window)
    later = f"your {clock_text(START + minutes(30))} score (30 min after the block)"
    assert page.banner.idle.text() == (
        f"No score is due right now. I'll remind you here when {later} is due."
    )
    assert page.log.next_due.text().startswith(f"Next: {later} — in ")
    assert "remind" not in window.statusBar().currentMessage()

    assert _at(window, clock, 120)
    assert page.banner.text.text() == (
        f"It's time for your {clock_text(START + minutes(120))} score (2 h after the block): "
        f"please rate by {clock_text(START + minutes(149))}."
    )
