"""Corrections, deletions, paper transcription: reasons required, originals kept, paper marked."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from pytestqt.qtbot import QtBot
from ui_helpers import (
    START,
    add_block,
    baseline,
    click_score,
    minutes,
    save,
    start_diary,
    when_dialog_opens,
)

from paintrack.clinical.model import Source
from paintrack.clinical.results import PointState
from paintrack.ui.clock import FakeClock
from paintrack.ui.entry_dialogs import AmendDialog, DeleteDialog, HistoryDialog, PaperLogDialog
from paintrack.ui.main_window import MainWindow


def _press(dialog: QDialog, text: str) -> None:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    (button,) = [b for b in box.buttons() if b.text() == text]
    button.click()


def _select_entry(window: MainWindow, score: int) -> None:
    table = window.diary.entries
    for row in range(table.rowCount()):
        item = table.item(row, 1)
        if item is not None and item.text().startswith(f"{score} "):
            table.selectRow(row)
            return
    raise AssertionError(f"no entry with score {score} in the table")


def _one_logged_score(qtbot: QtBot, window: MainWindow, clock: FakeClock, score: int) -> str:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 8)
    clock.set(START + minutes(15))
    window.tick()
    click_score(qtbot, window, score)
    save(qtbot, window)
    block = window.diary.current_block()
    assert block is not None
    return next(e.id for e in block.entries if e.scores["index"] == score)


def test_correction_needs_a_reason_and_keeps_the_original(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    entry_id = _one_logged_score(qtbot, window, clock, 7)
    window.diary.tabs.setCurrentIndex(2)
    _select_entry(window, 7)
    assert window.diary.amend_button.isEnabled()
    seen: dict[str, object] = {}

    def correct(dialog: QDialog) -> None:
        assert isinstance(dialog, AmendDialog)
        combo = dialog.scores["index"]
        combo.setCurrentIndex(combo.findData(5))
        _press(dialog, "Save the correction")  # no reason yet: refused, stays open
        seen["error"] = dialog.error.text()
        seen["open"] = dialog.isVisible()
        # The message takes its own room: no field is squeezed below its natural height.
        seen["squeezed"] = [
            w.accessibleName()
            for w in (combo, dialog.note, dialog.reason_edit)
            if w.height() < w.minimumSizeHint().height()
        ]
        qtbot.keyClicks(dialog.reason_edit, "I pressed the wrong number")
        seen["error_after_reason"] = dialog.error.isVisible()
        _press(dialog, "Save the correction")

    when_dialog_opens(correct)
    qtbot.mouseClick(window.diary.amend_button, Qt.MouseButton.LeftButton)
    assert "why" in str(seen["error"]).lower()
    assert seen["open"] is True
    assert seen["squeezed"] == []
    assert seen["error_after_reason"] is False  # a reason typed: the message goes

    block = window.store.load_diary(window.current_patient_id).blocks[0]
    (entry,) = [e for e in block.entries if e.id == entry_id]
    assert entry.scores["index"] == 5 and entry.amended
    # The inline message no longer gives the figures of the save before the correction.
    assert window.diary.log.status.text().startswith("Correction saved.")
    history = window.store.entry_history(entry_id)
    amended = [r for r in history if r.action == "amend_entry"]
    assert len(amended) == 1
    assert amended[0].reason == "I pressed the wrong number"
    assert amended[0].old is not None and amended[0].old["scores"] == {"index": 7}
    assert window.diary.chart.ensure_loaded().line_data("index") == [(0.25, 5.0)]

    # The history is visible in the window, original included.
    _select_entry(window, 5)
    shown: dict[str, str] = {}

    def read_history(dialog: QDialog) -> None:
        assert isinstance(dialog, HistoryDialog)
        shown["text"] = dialog.text.toPlainText()
        dialog.reject()

    when_dialog_opens(read_history)
    qtbot.mouseClick(window.diary.history_button, Qt.MouseButton.LeftButton)
    # In plain words, never raw data.
    text = shown["text"]
    assert "Changed by " in text and "— reason: I pressed the wrong number" in text
    assert "Score: 7 → 5 (usual pain)" in text
    assert "Written down by " in text and "Score: 7 (usual pain)" in text
    assert "paper" not in text  # typed in the window, not from a paper log
    assert "{" not in text and '"index"' not in text


def test_delete_asks_for_confirmation_and_a_reason(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    entry_id = _one_logged_score(qtbot, window, clock, 6)
    _select_entry(window, 6)

    when_dialog_opens(lambda dialog: dialog.reject())  # changed their mind
    qtbot.mouseClick(window.diary.delete_button, Qt.MouseButton.LeftButton)
    block = window.store.load_diary(window.current_patient_id).blocks[0]
    assert entry_id in {e.id for e in block.entries}

    _select_entry(window, 6)

    def confirm(dialog: QDialog) -> None:
        assert isinstance(dialog, DeleteDialog)
        _press(dialog, "Delete the entry")
        assert dialog.isVisible()  # a reason is required
        qtbot.keyClicks(dialog.reason_edit, "entered twice")
        _press(dialog, "Delete the entry")

    when_dialog_opens(confirm)
    qtbot.mouseClick(window.diary.delete_button, Qt.MouseButton.LeftButton)
    block = window.store.load_diary(window.current_patient_id).blocks[0]
    assert entry_id not in {e.id for e in block.entries}
    deleted = [r for r in window.store.entry_history(entry_id) if r.action == "delete_entry"]
    assert deleted and deleted[0].reason == "entered twice"
    assert window.diary.chart.ensure_loaded().line_data("index") == []


def test_paper_log_saves_several_past_points_marked_paper(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 8)
    clock.set(START + minutes(130))
    window.tick()

    def transcribe(dialog: QDialog) -> None:
        assert isinstance(dialog, PaperLogDialog)
        # Offered: the points whose time has come without a score (15, 30, 45, 60, 120).
        assert dialog.table.rowCount() == 5
        dialog.set_row(0, START + minutes(15), {"index": 5})
        dialog.set_row(1, START + minutes(30), {"index": 3}, note="on the fridge list")
        dialog.set_row(2, START + minutes(60), {"index": 2})
        _press(dialog, "Save these scores")  # rows 4 and 5 have no score: skipped

    when_dialog_opens(transcribe)
    qtbot.mouseClick(window.diary.log.paper_button, Qt.MouseButton.LeftButton)

    block = window.store.load_diary(window.current_patient_id).blocks[0]
    paper = [e for e in block.entries if e.source == Source.PAPER]
    assert [(e.at, e.scores["index"]) for e in paper] == [
        (START + minutes(15), 5),
        (START + minutes(30), 3),
        (START + minutes(60), 2),
    ]
    assert all(e.recorded_at == START + minutes(130) and e.is_transcribed for e in paper)
    assert paper[1].note == "on the fridge list"
    states = {p.minutes: p.state for p in window.diary.current_result().schedule}  # type: ignore[union-attr]
    assert states[15] == PointState.TRANSCRIBED
    assert states[45] == PointState.MISSED
    assert states[120] == PointState.DUE_NOW
    chart = window.diary.chart.ensure_loaded()
    assert list(chart.sites["index"].paper.get_xdata()) == [0.25, 0.5, 1.0]
    schedule_states = [
        window.diary.schedule.item(row, 3).text() for row in range(window.diary.schedule.rowCount())
    ]
    assert schedule_states[:5] == [
        "✓ From paper",
        "✓ From paper",
        "✗ Missed",
        "✓ From paper",
        "● Due now",
    ]


def test_paper_log_refuses_a_future_time(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 8)
    clock.set(START + minutes(40))
    result: dict[str, object] = {}

    def future(dialog: QDialog) -> None:
        assert isinstance(dialog, PaperLogDialog)
        dialog.set_row(0, START + minutes(90), {"index": 4})
        _press(dialog, "Save these scores")
        result["error"] = dialog.error.text()
        dialog.reject()

    when_dialog_opens(future)
    qtbot.mouseClick(window.diary.log.paper_button, Qt.MouseButton.LeftButton)
    assert "future" in str(result["error"])
    block = window.store.load_diary(window.current_patient_id).blocks[0]
    assert len(block.entries) == 1


def test_history_says_an_entry_came_from_a_paper_log() -> None:
    from datetime import UTC, datetime

    from paintrack.clinical.audit import AuditRecord
    from paintrack.ui.entry_dialogs import describe_change

    def written(source: str) -> str:
        record = AuditRecord(
            id="r1",
            at=datetime(2026, 11, 26, 18, 20, tzinfo=UTC),
            actor="jane",
            action="add_entry",
            object_type="entry",
            object_id="e1",
            reason=None,
            old=None,
            new={"scores": {"index": 4}, "source": source},
        )
        return describe_change(record).splitlines()[0]

    assert written("paper").startswith("Written down from a paper log by jane on ")
    assert written("app").startswith("Written down by jane on ")


def test_paper_log_saves_all_lines_or_none_and_keeps_them_to_fix(
    qtbot: QtBot, window: MainWindow, clock: FakeClock, monkeypatch: object
) -> None:
    """One transaction: a line the diary refuses saves none of them, says so, and the dialog
    comes back with every line as typed; saving again then saves them all."""
    from PySide6.QtWidgets import QMessageBox

    from paintrack.errors import UserError

    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 8)
    clock.set(START + minutes(70))
    window.tick()
    store = window.store
    assert store is not None
    real_add_entries = store.add_entries
    calls: list[int] = []

    def refuse_once(block_id: str, entries: list[object]) -> object:
        calls.append(len(entries))
        if len(calls) == 1:
            raise UserError("The 15 min score is at the same time as another; choose one.")
        return real_add_entries(block_id, entries)  # type: ignore[arg-type]

    store.add_entries = refuse_once  # type: ignore[method-assign]
    seen: dict[str, object] = {}
    window.quiet = False

    def fix_and_save_again(dialog: QDialog) -> None:
        assert isinstance(dialog, PaperLogDialog)
        seen["kept"] = [(e.at, e.scores["index"]) for e in dialog.entries()]
        _press(dialog, "Save these scores")

    def read_the_problem(box: QDialog) -> None:
        assert isinstance(box, QMessageBox)
        seen["problem"] = box.text() + " " + box.informativeText()
        when_dialog_opens(fix_and_save_again)
        box.accept()

    def transcribe(dialog: QDialog) -> None:
        assert isinstance(dialog, PaperLogDialog)
        dialog.set_row(0, START + minutes(15), {"index": 5})
        dialog.set_row(1, START + minutes(30), {"index": 3})
        when_dialog_opens(read_the_problem)
        _press(dialog, "Save these scores")

    when_dialog_opens(transcribe)
    qtbot.mouseClick(window.diary.log.paper_button, Qt.MouseButton.LeftButton)
    assert calls == [2, 2]
    assert "None of the 2 lines were saved yet" in str(seen["problem"])
    assert "same time as another" in str(seen["problem"])
    assert seen["kept"] == [(START + minutes(15), 5), (START + minutes(30), 3)]
    block = store.load_diary(window.current_patient_id).blocks[0]  # type: ignore[arg-type]
    paper = sorted((e.at, e.scores["index"]) for e in block.entries if e.source == Source.PAPER)
    assert paper == [(START + minutes(15), 5), (START + minutes(30), 3)]
    assert "Saved 2 scores from your paper log" in window.diary.log.status.text()
    window.quiet = True  # closing at the end asks nothing
