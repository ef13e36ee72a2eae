"""Review's worklist (issue 14 item 3) and finding a patient at clinic scale (issue 13 item 4),
driven through real widgets: the worklist first, Enter opens a patient and Escape returns, each
column sorts, the filter narrows, the search waits for a pause and lists at most a screenful,
a one-block patient has a chart, and De-identify is chosen afresh for each patient."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from paintrack.clinical.model import Agent, Block, Diary, Entry, Patient, Region, Side
from paintrack.clinical.results import Compliance
from paintrack.clinical.worklist import TargetSummary, WorkStatus
from paintrack.operations.worklist import WorklistLine
from paintrack.store import Store, open_store
from paintrack.ui.review import SEARCH_LIMIT, ReviewMode
from paintrack.ui.welcome import LISTED, WelcomePage
from paintrack.ui.worklist import (
    AGENT,
    COMPLIANCE,
    DATES,
    NEXT_STEP,
    PATIENT,
    STATUS,
    TARGET,
    WorklistModel,
)
from paintrack.wording import worklist as words

NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
POINTS = (0, 15, 30, 45, 60, 120, 180, 240, 300, 360, 420, 480)


def _block(at: datetime, *, side: Side = Side.RIGHT, relief: int = 1, sequence: int = 1) -> Block:
    entries = tuple(
        Entry(
            at=at + timedelta(minutes=point - (5 if point == 0 else 0)),
            recorded_at=at + timedelta(minutes=point),
            scores={"index": 8 if point == 0 else relief},
        )
        for point in POINTS
    )
    return Block(
        performed_at=at,
        region=Region.LUMBAR,
        side=side,
        agent=Agent.LIDOCAINE,
        levels=("L4 MB", "L5 MB"),
        sequence=sequence,
        entries=entries,
    )


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[Store]:
    store = open_store(str(tmp_path / "clinic.db"))
    for name, mrn, blocks in (
        ("Ann Recent", "W-1", (_block(NOW - timedelta(days=3)),)),
        (
            "Bea Both",
            "W-2",
            (
                _block(NOW - timedelta(days=10)),
                _block(NOW - timedelta(days=9), side=Side.LEFT, relief=7),
            ),
        ),
        ("Cid Old", "W-3", (_block(NOW - timedelta(days=200)),)),
    ):
        store.import_diary(
            Diary(patient=Patient(name=name, mrn=mrn), blocks=blocks), source_name="test"
        )
    yield store
    store.close()


def make_review(qtbot: QtBot, store: Store) -> ReviewMode:
    review = ReviewMode(store, now=lambda: NOW)
    qtbot.addWidget(review)
    review.resize(1200, 760)
    review.show()
    qtbot.waitExposed(review)
    qtbot.waitUntil(lambda: not review.worklist.refreshing, timeout=30000)
    return review


def shown_rows(review: ReviewMode) -> list[tuple[str, ...]]:
    model = review.worklist.model
    return [model.row_cells(row) for row in range(model.rowCount())]


def test_review_opens_on_the_worklist_one_row_per_target(qtbot: QtBot, clinic: Store) -> None:
    review = make_review(qtbot, clinic)
    assert review.stack.currentWidget() is review.worklist
    rows = shown_rows(review)
    # Newest block first; Cid's block is 200 days old and nothing is due for him.
    assert [(r[PATIENT], r[TARGET]) for r in rows] == [
        ("Ann Recent (W-1)", "Lumbar, right side"),
        ("Bea Both (W-2)", "Lumbar, left side"),
        ("Bea Both (W-2)", "Lumbar, right side"),
    ]
    ann = rows[0]
    assert ann[DATES] == words.day_text((NOW - timedelta(days=3)).date())
    assert ann[AGENT] == "lidocaine"
    assert ann[STATUS] == "✓ met"
    assert ann[COMPLIANCE] == "100% (11 of 11)"
    tip = review.worklist.model.index(0, COMPLIANCE).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == "100% (11 of 11 due points on time)"
    left = rows[1]
    assert left[STATUS] == "✗ not met"  # relief 7 from a baseline of 8 is 12.5%
    assert "Blocks of the last 30 days" in review.worklist.summary.text()
    assert "3 rows" in review.worklist.summary.text()


def test_enter_opens_the_patient_and_escape_returns(qtbot: QtBot, clinic: Store) -> None:
    review = make_review(qtbot, clinic)
    table = review.worklist.table
    table.setFocus()
    table.setCurrentIndex(review.worklist.model.index(0, 0))
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert table.currentIndex().row() == 1
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert review.stack.currentWidget() is review.patient_page
    assert review.patient is not None and review.patient.name == "Bea Both"
    assert review.blocks.count() == 2
    qtbot.keyClick(review.blocks, Qt.Key.Key_Escape)
    assert review.stack.currentWidget() is review.worklist
    assert review.worklist.current_patient() == review.patient  # back on the row left
    # The Back button does the same
    qtbot.keyClick(table, Qt.Key.Key_Enter)
    assert review.stack.currentWidget() is review.patient_page
    qtbot.mouseClick(review.back_button, Qt.MouseButton.LeftButton)
    assert review.stack.currentWidget() is review.worklist


def test_a_change_to_a_diary_reaches_the_worklist(qtbot: QtBot, clinic: Store) -> None:
    review = make_review(qtbot, clinic)
    cid = clinic.find_patients("Cid")[0]
    clinic.add_block(cid.id, _block(NOW - timedelta(days=1), sequence=2))
    review.reload(cid.id)
    qtbot.waitUntil(lambda: not review.worklist.refreshing, timeout=30000)
    assert shown_rows(review)[0][PATIENT] == "Cid Old (W-3)"


def _line(
    name: str, day: int, status: WorkStatus, percent: float | None, **more: object
) -> WorklistLine:
    at = datetime(2026, 3, day, 9, 0, tzinfo=UTC)
    target = TargetSummary(
        region=more.get("region", Region.LUMBAR),  # type: ignore[arg-type]
        side=more.get("side", Side.RIGHT),  # type: ignore[arg-type]
        block_dates=(at.date(),),
        agents=(more.get("agent", Agent.LIDOCAINE),),  # type: ignore[arg-type]
        last_block_at=at,
        status=status,
        verdict=f"{status.value} verdict",
        compliance=Compliance(due=10, kept_on_time=9, kept_late=1, missed=0, percent=percent),
        next_step=more.get("next_step"),  # type: ignore[arg-type]
    )
    return WorklistLine(Patient(name=name, mrn=f"M-{day}"), target)


LINES = [
    _line("Cara", 3, WorkStatus.MET, 90.0, agent=Agent.BUPIVACAINE),
    _line("Ann", 5, WorkStatus.NOT_MET, 50.0, side=Side.LEFT),
    _line(
        "Émile",
        1,
        WorkStatus.PENDING,
        None,
        region=Region.CERVICAL,
        next_step="a second diagnostic block is needed, on or after 15 Mar 2026",
    ),
    _line("Bob", 4, WorkStatus.MET_WITH_CAUTIONS, 100.0, agent=Agent.ROPIVACAINE),
]


@pytest.mark.parametrize(
    ("column", "ascending"),
    [
        (PATIENT, ["Ann", "Bob", "Cara", "Émile"]),
        (DATES, ["Émile", "Cara", "Bob", "Ann"]),
        (TARGET, ["Émile", "Ann", "Bob", "Cara"]),
        (AGENT, ["Cara", "Ann", "Émile", "Bob"]),
        (STATUS, ["Ann", "Émile", "Bob", "Cara"]),
        (COMPLIANCE, ["Émile", "Ann", "Cara", "Bob"]),
        (NEXT_STEP, ["Émile", "Cara", "Bob", "Ann"]),
    ],
)
def test_the_model_sorts_by_each_column(qtbot: QtBot, column: int, ascending: list[str]) -> None:
    model = WorklistModel()
    model.set_lines(LINES)
    model.sort(column, Qt.SortOrder.AscendingOrder)
    names = [model.line_at(row).patient.name for row in range(model.rowCount())]  # type: ignore[union-attr]
    assert names == ascending
    model.sort(column, Qt.SortOrder.DescendingOrder)
    names = [model.line_at(row).patient.name for row in range(model.rowCount())]  # type: ignore[union-attr]
    assert names == list(reversed(ascending))


def test_the_model_filters_and_hands_rows_out_a_page_at_a_time(qtbot: QtBot) -> None:
    model = WorklistModel()
    model.set_lines(LINES)
    model.set_filter("emile")  # accents and case ignored
    assert [model.row_cells(r)[PATIENT] for r in range(model.rowCount())] == ["Émile (M-1)"]
    model.set_filter("cautions")
    assert [model.row_cells(r)[PATIENT] for r in range(model.rowCount())] == ["Bob (M-4)"]
    model.set_filter("second diagnostic")
    assert model.matching == 1
    model.set_filter("")
    many = [_line(f"P{n:04d}", 1 + n % 28, WorkStatus.MET, 80.0) for n in range(1200)]
    model.set_lines(many)
    assert model.rowCount() == 500 and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 1200 and not model.canFetchMore(QModelIndex())


def test_a_patient_with_one_block_has_its_chart(qtbot: QtBot, clinic: Store) -> None:
    review = make_review(qtbot, clinic)
    ann = clinic.find_patients("Ann")[0]
    review.open_patient(ann)
    review.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: review.canvas is not None)
    assert review.chart_box.isVisible()
    assert review.figure is not None
    gids = {line.get_gid() for ax in review.figure.axes for line in ax.get_lines()}
    block = clinic.load_diary(ann.id).blocks[0]
    assert f"relief:{block.id}:index" in gids
    assert not review.choose_row.isVisible()  # nothing to compare it with


def test_de_identify_is_chosen_again_for_each_patient(qtbot: QtBot, clinic: Store) -> None:
    review = make_review(qtbot, clinic)
    ann, bea = clinic.find_patients("Ann")[0], clinic.find_patients("Bea")[0]
    review.open_patient(ann)
    review.deidentify.setChecked(True)
    assert review.suggested_file_name().startswith("AR")
    review.open_patient(ann)  # the same patient again: the choice stays
    assert review.deidentify.isChecked()
    review.open_patient(bea)
    assert not review.deidentify.isChecked()
    assert review.suggested_file_name() == "bea-both-paintrack-summary.pdf"


def test_the_search_waits_for_a_pause_and_lists_a_screenful(qtbot: QtBot, tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "many.db"))
    try:
        for number in range(SEARCH_LIMIT + 12):
            store.add_patient(Patient(name=f"Pat Smith {number:03d}", mrn=f"S-{number}"))
        store.add_patient(Patient(name="Zoë Other", mrn="Z-1"))
        review = make_review(qtbot, store)
        assert review.patients.count() == SEARCH_LIMIT
        assert review.more_patients.text().startswith("and 13 more")
        review.find_patient()
        qtbot.keyClicks(review.search, "zoe")
        # Nothing searched yet: the box waits for the typing to pause.
        assert review.search_timer.isActive()
        assert review.patients.count() == SEARCH_LIMIT
        qtbot.waitUntil(lambda: review.patients.count() == 1, timeout=2000)
        assert review.patients.item(0).text().startswith("Zoë Other")
        assert review.more_patients.text() == ""
        review.search.clear()
        qtbot.keyClicks(review.search, "smith")
        review.flush_search()
        assert review.patients.count() == SEARCH_LIMIT
        assert review.more_patients.text().startswith("and 12 more")
    finally:
        store.close()


def test_the_welcome_page_lists_a_screenful_and_finds_the_rest(qtbot: QtBot) -> None:
    page = WelcomePage()
    qtbot.addWidget(page)
    patients = [Patient(name=f"Pat Number {n:03d}", mrn=f"N-{n}") for n in range(LISTED + 5)]
    patients.append(Patient(name="José Núñez", birth_date=date(1950, 1, 2)))
    page.set_patients(patients)
    assert page.patients.count() == LISTED
    assert not page.find_box.isHidden()
    assert page.more.text().startswith("and 6 more")
    qtbot.keyClicks(page.find_box, "nunez")
    assert page.find_timer.isActive() and page.patients.count() == LISTED
    qtbot.waitUntil(lambda: page.patients.count() == 1, timeout=2000)
    assert page.patients.itemText(0).startswith("José Núñez")
    few = WelcomePage()
    qtbot.addWidget(few)
    few.set_patients(patients[:3])
    assert few.patients.count() == 3 and few.find_box.isHidden()


def test_the_worklist_days_are_a_clinic_setting(qtbot: QtBot, clinic: Store) -> None:
    from paintrack.clinical.people import Role
    from paintrack.operations import clinic as clinic_ops

    clinic.add_user("Dr Rivera", Role.CLINICIAN, "worklist password")
    clinic_ops.enable_clinic_mode(clinic)
    clinic_ops.sign_in(clinic, "Dr Rivera", "worklist password")  # only a clinician saves
    review = make_review(qtbot, clinic)
    assert "Cid Old (W-3)" not in [r[PATIENT] for r in shown_rows(review)]
    dialog = review.edit_settings()
    assert dialog.worklist_days.value() == 30
    dialog.worklist_days.setValue(365)
    dialog.save()
    assert clinic.get_settings().worklist_days == 365
    assert clinic.get_settings().late_onset_minutes == 60.0  # what the dialog does not show
    qtbot.waitUntil(lambda: not review.worklist.refreshing, timeout=30000)
    assert "Cid Old (W-3)" in [r[PATIENT] for r in shown_rows(review)]
    assert "last 365 days" in review.worklist.summary.text()
