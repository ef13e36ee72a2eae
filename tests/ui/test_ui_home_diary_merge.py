"""A home diary whose patient the clinic knows only by name and birth date: the window asks
whose diary it is, imports nothing until told, and merges into the chosen patient."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from paintrack.clinical.model import Agent, Block, Diary, Entry, Patient, Region, Side
from paintrack.exchange.diary_json import write_diary_file
from paintrack.ui.main_window import MainWindow

BLOCK_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _home_diary(tmp_path: Path) -> tuple[Path, Diary]:
    """Ana Ruiz's diary from home: her own patient id, one block, a baseline and one score."""
    at = [BLOCK_AT - timedelta(minutes=10), BLOCK_AT + timedelta(minutes=30)]
    entries = tuple(
        Entry(at=t, recorded_at=t, scores={"index": s}) for t, s in zip(at, (8, 2), strict=True)
    )
    block = Block(BLOCK_AT, Region.LUMBAR, Side.RIGHT, Agent.LIDOCAINE, entries=entries)
    diary = Diary(Patient("Ana Ruiz", birth_date=date(1961, 4, 9)), (block,))
    path = tmp_path / "ana-home.json"
    write_diary_file(diary, str(path))
    return path, diary


def _ask_and_answer(answer: str, seen: dict[str, list[str]]) -> None:
    """Answer the next question box (not the import's progress dialog) with `answer`."""

    def read() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QMessageBox):
            QTimer.singleShot(10, read)
            return
        seen["title"] = [dialog.windowTitle()]
        seen["buttons"] = [b.text() for b in dialog.buttons()]
        seen["text"] = [dialog.text(), dialog.informativeText()]
        (button,) = [b for b in dialog.buttons() if b.text().startswith(answer)]
        button.click()

    QTimer.singleShot(0, read)


def test_a_home_diary_known_by_name_and_birth_date_is_merged_only_when_confirmed(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    assert window.store is not None
    clinic = window.store.add_patient(
        Patient("Ana  Ruiz", birth_date=date(1961, 4, 9), mrn="MRN-77")
    )
    path, home = _home_diary(tmp_path)
    assert home.patient.id != clinic.id

    seen: dict[str, list[str]] = {}
    _ask_and_answer("Don't import", seen)
    window.files.import_diary(str(path))
    qtbot.waitUntil(lambda: "buttons" in seen and window.runner.busy is None, timeout=10000)
    assert seen["title"] == ["Is this the same patient?"]
    assert "ana-home.json" in seen["text"][0] and "Ana Ruiz" in seen["text"][0]
    assert "Nothing is imported until you choose" in seen["text"][1]
    assert seen["buttons"] == ["Add to Ana  Ruiz · born 9 Apr 1961 · record MRN-77", "Don't import"]
    # Nothing imported: still one patient, no blocks.
    assert [p.id for p in window.store.list_patients()] == [clinic.id]
    assert window.store.load_diary(clinic.id).blocks == ()

    seen.clear()
    _ask_and_answer("Add to", seen)
    window.files.import_diary(str(path))
    qtbot.waitUntil(lambda: window.current_patient_id == clinic.id, timeout=10000)
    qtbot.waitUntil(lambda: window.runner.busy is None, timeout=10000)
    assert [p.id for p in window.store.list_patients()] == [clinic.id]
    merged = window.store.load_diary(clinic.id)
    assert [len(b.entries) for b in merged.blocks] == [2]
    assert "2 scores added" in window.statusBar().currentMessage()
    reasons = {r.reason for r in window.store.audit_trail(patient_id=clinic.id)}
    assert "merged from home diary ana-home.json" in reasons

    # The same file again (asked again: the file still has its own id): nothing duplicated.
    seen.clear()
    _ask_and_answer("Add to", seen)
    window.files.import_diary(str(path))
    qtbot.waitUntil(lambda: window.runner.busy is None, timeout=10000)
    qtbot.waitUntil(lambda: "already there" in window.statusBar().currentMessage(), timeout=10000)
    assert [len(b.entries) for b in window.store.load_diary(clinic.id).blocks] == [2]
