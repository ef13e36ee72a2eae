"""The window records who looked at a diary and who took a copy: Review's opening of a patient
(once per opening, not per redraw or reload, and only once it is on screen), the window's JSON
and CSV export, and Review's PDF; when the record cannot be written, nothing is shown or written."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from paintrack.exchange.diary_json import read_diary_file
from paintrack.store import Store, open_store
from paintrack.store import database as store_database
from paintrack.ui.review import ReviewMode

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo" / "demo-diary.json"
BILATERAL = ROOT / "tests" / "data" / "diaries" / "bilateral.json"
NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)


def _fill(path: Path, *diaries: Path) -> None:
    with open_store(str(path)) as store:
        for diary in diaries:
            store.import_diary(read_diary_file(diary), source_name=diary.name)


@pytest.fixture
def two_patients(tmp_path: Path) -> Path:
    path = tmp_path / "review.db"
    _fill(path, DEMO, BILATERAL)
    return path


@pytest.fixture
def store(two_patients: Path) -> Iterator[Store]:
    opened = open_store(str(two_patients))
    opened.act_as("Dr Rivera")
    yield opened
    opened.close()


def _review(qtbot: QtBot, store: Store, *, show: bool = True) -> ReviewMode:
    widget = ReviewMode(store, now=lambda: NOW, quiet=True)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    if show:
        widget.show()
        qtbot.waitExposed(widget)
    return widget


def _click_patient(qtbot: QtBot, review: ReviewMode, query: str) -> None:
    review.search.clear()
    qtbot.keyClicks(review.search, query)
    review.flush_search()  # the search waits for a pause in the typing
    assert review.patients.count() == 1
    rect = review.patients.visualItemRect(review.patients.item(0))
    with qtbot.waitSignal(review.analysed, timeout=15000):
        qtbot.mouseClick(review.patients.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _access(store: Store, action: str) -> list[tuple[str | None, str, dict[str, Any]]]:
    return [
        (r.patient_id, r.actor, dict(r.new or {}))
        for r in store.audit_trail()
        if r.action == action
    ]


def test_opening_a_patient_in_review_is_recorded_once_per_opening(
    qtbot: QtBot, store: Store
) -> None:
    review = _review(qtbot, store)
    assert _access(store, "view_diary") == []  # two patients: none opened by itself
    alex = store.resolve_patient("DEMO-0001").id
    casey = store.resolve_patient("TEST-0002").id

    _click_patient(qtbot, review, "DEMO-0001")
    assert _access(store, "view_diary") == [(alex, "Dr Rivera", {"where": "review"})]

    # Redraws and reloads of the diary on screen are not new openings.
    with qtbot.waitSignal(review.analysed, timeout=15000):
        review.preset.setCurrentIndex(review.preset.findData("medicare-lcd"))
    entry = store.load_diary(alex).blocks[0].entries[3]
    store.amend_entry(entry.id, replace(entry, scores={"index": 0}), reason="typo")
    with qtbot.waitSignal(review.analysed, timeout=15000):
        review.reload(alex)
    review.hide()
    review.show()
    qtbot.waitExposed(review)
    assert len(_access(store, "view_diary")) == 1

    _click_patient(qtbot, review, "TEST-0002")
    _click_patient(qtbot, review, "DEMO-0001")  # back again: a new opening
    assert [p for p, _, _ in _access(store, "view_diary")] == [alex, casey, alex]
    assert store.check_audit_trail().intact


def test_a_diary_opened_while_review_is_hidden_is_recorded_when_it_is_shown(
    qtbot: QtBot, tmp_path: Path
) -> None:
    path = tmp_path / "one.db"
    _fill(path, DEMO)
    with open_store(str(path)) as store:
        review = _review(qtbot, store, show=False)
        assert review.patient is not None  # the only patient, loaded by itself
        assert _access(store, "view_diary") == []  # but nobody has seen it yet
        review.show()
        qtbot.waitExposed(review)
        assert [p for p, _, _ in _access(store, "view_diary")] == [review.patient.id]
        review.close()


def test_a_view_that_cannot_be_recorded_shows_no_diary(
    qtbot: QtBot, two_patients: Path, store: Store
) -> None:
    with open_store(str(two_patients), read_only=True) as reader:
        review = _review(qtbot, reader)
        review.search.clear()
        qtbot.keyClicks(review.search, "DEMO-0001")
        review.flush_search()  # the search waits for a pause in the typing
        assert review.patients.count() == 1
        rect = review.patients.visualItemRect(review.patients.item(0))
        qtbot.mouseClick(review.patients.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.waitUntil(lambda: bool(review.errors_shown), timeout=15000)
        assert "could not be recorded" in review.errors_shown[-1]
        assert "The diary was not shown." in review.errors_shown[-1]
        assert review.patient is None and review.diary is None
        assert review.pages.currentWidget() is review.hint
        assert not review.export_button.isEnabled()
        review.close()
    assert _access(store, "view_diary") == []


def test_reviews_pdf_is_recorded_once(qtbot: QtBot, store: Store, tmp_path: Path) -> None:
    review = _review(qtbot, store)
    _click_patient(qtbot, review, "DEMO-0001")
    review.deidentify.setChecked(True)
    out = tmp_path / "summary.pdf"
    with qtbot.waitSignal(review.export_finished, timeout=30000):
        review.export_pdf(str(out))
    assert out.exists()
    [(patient_id, actor, new)] = _access(store, "write_pdf")
    assert (patient_id, actor) == (store.resolve_patient("DEMO-0001").id, "Dr Rivera")
    assert (new["file_name"], new["deidentified"], new["via"]) == ("summary.pdf", True, "window")


def test_the_windows_exports_are_recorded_one_row_each(
    qtbot: QtBot, make_window: Any, db_path: Path, tmp_path: Path
) -> None:
    _fill(db_path, DEMO)
    window = make_window()
    qtbot.waitUntil(lambda: window.review is not None, timeout=15000)
    store = window.store
    assert store is not None and window.current_patient_id is not None
    patient_id = window.current_patient_id
    # Review has the diary loaded but hidden behind the Diary mode: not a view yet.
    assert _access(store, "view_diary") == []
    window.show_mode("Review")
    window.show_mode("Diary")
    window.show_mode("Review")
    assert [p for p, _, _ in _access(store, "view_diary")] == [patient_id]

    for kind, export in (("json", window.files.export_json), ("csv", window.files.export_csv)):
        out = tmp_path / f"export.{kind}"
        export(str(out))
        qtbot.waitUntil(lambda out=out: window.runner.busy is None and out.exists(), timeout=10000)
    rows = _access(store, "export_diary")
    assert [(p, new["format"], new["file_name"]) for p, _, new in rows] == [
        (patient_id, "json", "export.json"),
        (patient_id, "csv", "export.csv"),
    ]
    assert store.check_audit_trail().intact


def test_a_pdf_that_cannot_be_recorded_is_not_written(
    qtbot: QtBot, two_patients: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Wait a moment, not two minutes, for the lock held below.
    monkeypatch.setattr(store_database, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(store_database, "WRITE_WAIT_SECONDS", 0.0)
    with open_store(str(two_patients)) as store:
        review = _review(qtbot, store)
        _click_patient(qtbot, review, "DEMO-0001")
        out = tmp_path / "summary.pdf"
        holder = sqlite3.connect(str(two_patients), isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
            with qtbot.waitSignal(review.export_failed, timeout=30000) as failed:
                review.export_pdf(str(out))
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert "could not be recorded" in failed.args[0]
        assert "the diary is busy" in failed.args[0]
        assert review.export_status.text() == "The PDF was not written."
        assert not out.exists()
        assert _access(store, "write_pdf") == []
        review.close()
