"""Guarantee 6, bad input in the window's form fields: the rows of docs/bad-input.md about what
a patient types (name, birth date, record number, block details, relief, paper log) that no
other window test covers. The command-line and file rows are in
tests/reliability/test_reliability_bad_input.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from pytestqt.qtbot import QtBot
from unicode_names import NAMES

from paintrack.clinical.model import Block

T0 = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


def test_the_name_field_keeps_any_unicode_and_refuses_a_blank_name(qtbot: QtBot) -> None:
    from paintrack.ui.welcome import WelcomePage

    page = WelcomePage()
    qtbot.addWidget(page)
    page.name.setText("   ")
    assert page.patient() is None
    assert "type your name" in page.error.text()
    for name in NAMES.values():
        page.name.setText(f"  {name}  ")
        patient = page.patient()
        assert patient is not None and patient.name == " ".join(name.split())


def test_a_birth_date_in_the_future_is_refused_inline(
    qtbot: QtBot, set_local_zone: Callable[[str], None]
) -> None:
    from paintrack.ui.clock import FakeClock
    from paintrack.ui.welcome import WelcomePage

    # "Today" is the window's clock in the patient's own zone: 14:00 UTC on 2 March is already
    # 3 March in Chatham (+13:45). The real clock would make the test depend on the day it runs.
    set_local_zone("Pacific/Chatham")
    page = WelcomePage(FakeClock(datetime(2026, 3, 2, 14, 0, tzinfo=UTC)))
    qtbot.addWidget(page)
    page.name.setText("Born Later")
    page.birth_date.edit.setText("2026-03-04")
    assert page.patient() is None  # refused with a message, not changed to today
    assert "in the future" in page.birth_date.error.text()
    assert page.birth_date.edit.text() == "2026-03-04"
    page.birth_date.edit.setText("2026-03-03")  # today in Chatham, though 2 March in UTC
    patient = page.patient()
    assert patient is not None and patient.birth_date == date(2026, 3, 3)


def test_the_record_number_is_optional_free_text(qtbot: QtBot) -> None:
    from paintrack.ui.welcome import WelcomePage

    page = WelcomePage()
    qtbot.addWidget(page)
    page.name.setText("Record Number")
    page.mrn.setText("   ")
    patient = page.patient()
    assert patient is not None and patient.mrn is None
    page.mrn.setText(" MRN-00/42 ")
    patient = page.patient()
    assert patient is not None and patient.mrn == "MRN-00/42"


def test_block_levels_are_split_and_blank_ones_dropped(qtbot: QtBot) -> None:
    from paintrack.ui.block_form import BlockForm
    from paintrack.ui.clock import FakeClock

    form = BlockForm(FakeClock(T0))
    qtbot.addWidget(form)
    form.reset()
    form.levels.setText(" L3 MB, ,L4 MB;; L5 DR ,")
    block = form.block()
    assert block is not None
    assert block.levels == ("L3 MB", "L4 MB", "L5 DR")


def test_concentration_and_volume_take_only_numbers_in_range(qtbot: QtBot) -> None:
    from paintrack.ui.block_form import BlockForm
    from paintrack.ui.clock import FakeClock

    form = BlockForm(FakeClock(T0))
    qtbot.addWidget(form)
    form.reset()
    for field, error in (
        (form.concentration, form.concentration_error),
        (form.volume, form.volume_error),
    ):
        for typed in ("abc", "1000", "-5", "nan", "inf"):
            field.setText(typed)
            assert form.block() is None  # refused with a message, never cut or clamped
            assert "from 0.1 to 5" in error.text()
            assert field.text() == typed
        field.clear()
    form.concentration.setText("2")
    block = form.block()
    assert block is not None
    assert (block.concentration_percent, block.volume_ml) == (2.0, None)


def test_the_relief_estimate_stays_within_0_to_100(qtbot: QtBot) -> None:
    from paintrack.ui.clock import FakeClock
    from paintrack.ui.log_panel import LogPanel

    panel = LogPanel(FakeClock(T0))
    qtbot.addWidget(panel)
    assert (panel.relief.minimum(), panel.relief.maximum()) == (-1, 100)  # -1: not given
    panel.relief.setValue(250)
    assert panel.relief.value() == 100
    panel.relief.clear()
    qtbot.keyClicks(panel.relief, "x")  # type: ignore[no-untyped-call]
    assert panel.relief.value() in (-1, 100)


def test_two_paper_log_rows_at_the_same_time_are_refused(qtbot: QtBot) -> None:
    from paintrack.clinical.model import Agent, Region, Side
    from paintrack.ui.clock import FakeClock
    from paintrack.ui.entry_dialogs import PaperLogDialog

    block = Block(performed_at=T0, region=Region.LUMBAR, side=Side.LEFT, agent=Agent.LIDOCAINE)
    dialog = PaperLogDialog(block, None, FakeClock(T0 + timedelta(hours=3)))
    qtbot.addWidget(dialog)
    dialog.set_row(0, T0 + timedelta(minutes=30), {"index": 4})
    dialog.add_row(None)
    dialog.set_row(1, T0 + timedelta(minutes=30), {"index": 5})
    with pytest.raises(ValueError, match="same time"):
        dialog.entries()
    dialog._accept()
    assert "same time" in dialog.error.text()
    assert dialog.result() != dialog.DialogCode.Accepted
