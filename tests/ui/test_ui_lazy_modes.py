"""Review and the block form are built the first time they are needed, not at every start-up."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot
from ui_helpers import start_diary

from paintrack.ui.modes import LazyMode
from paintrack.ui.review import ReviewMode


def test_review_is_built_only_when_first_shown_and_then_kept(
    qtbot: QtBot, make_window: Any
) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: "Review" in window.modes.names, timeout=15000)
    (lazy,) = [w for w in window.modes.stack.findChildren(LazyMode)]
    assert lazy.content is None  # installed, tab shown, nothing built
    assert window.findChildren(ReviewMode) == []
    assert window.modes.widgets() == [window.modes.widgets()[0]]  # only the diary's pages

    window.mode_bar.setCurrentIndex(window.modes.names.index("Review"))  # a click on the tab
    qtbot.waitUntil(lambda: lazy.content is not None, timeout=15000)
    review = lazy.content
    assert isinstance(review, ReviewMode)
    assert review.isVisible()
    assert window.review is review
    assert window.modes.current() is review

    window.show_mode("Diary")
    window.show_mode("Review")
    assert window.findChildren(ReviewMode) == [review]  # built once


def test_the_block_form_is_built_when_a_block_is_first_added(
    qtbot: QtBot, make_window: Any
) -> None:
    from paintrack.ui.block_form import BlockForm

    window = make_window()
    assert window.findChildren(BlockForm) == []  # a normal start builds no form
    start_diary(qtbot, window)  # "Start my diary" opens the block form for the first block
    (form,) = window.findChildren(BlockForm)
    assert window.pages.currentWidget() is form
    assert form.isVisible()
    window.blocks.show_block_form()  # and again: the same form, reset
    assert window.findChildren(BlockForm) == [form]
