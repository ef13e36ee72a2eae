"""Clinician review mode: real widgets show the engine's figures (as `paintrack analyze --json`
prints them), the comparison chart and checklist, clinic settings saved to the store, and the
PDF export off the UI thread with a calm error on failure."""

from __future__ import annotations

import io
import itertools
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from paintrack.cli import main
from paintrack.clinical.analysis import analyze_diary
from paintrack.clinical.model import Agent
from paintrack.clinical.people import Role
from paintrack.clinical.settings import ClinicSettings
from paintrack.clinical.wording import (
    comparison_text,
    format_duration,
    format_percent,
    rescue_text,
)
from paintrack.exchange.diary_json import read_diary_file
from paintrack.operations import clinic as clinic_ops
from paintrack.store import Store, open_store
from paintrack.ui.review import (
    NEEDS_TWO_BLOCKS,
    NO_PATIENT_HINT,
    NO_PATIENTS_HINT,
    ReviewMode,
)
from paintrack.ui.review_settings import ClinicSettingsDialog
from paintrack.wording import text as words

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo" / "demo-diary.json"
BILATERAL = ROOT / "tests" / "data" / "diaries" / "bilateral.json"
NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def review_db(tmp_path: Path) -> Path:
    path = tmp_path / "review.db"
    store = open_store(str(path))
    try:
        store.import_diary(read_diary_file(DEMO), source_name="demo")
        store.import_diary(read_diary_file(BILATERAL), source_name="bilateral")
    finally:
        store.close()
    return path


@pytest.fixture
def store(review_db: Path) -> Iterator[Store]:
    """The review database in clinic mode with a clinician signed in: only a clinician changes
    the clinic settings (tests/ui/test_ui_clinic_mode.py has the rest)."""
    opened = open_store(str(review_db))
    opened.add_user("Dr Rivera", Role.CLINICIAN, "review password")
    clinic_ops.enable_clinic_mode(opened)
    clinic_ops.sign_in(opened, "Dr Rivera", "review password")
    yield opened
    opened.close()


@pytest.fixture
def review(qtbot: QtBot, store: Store) -> ReviewMode:
    widget = ReviewMode(store, now=lambda: NOW)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def analyze_json(db: Path, patient: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """`paintrack analyze --json` on the same database, signed in as its clinician (the database
    is in clinic mode: the command line names a person too)."""
    argv = ["--db", str(db), "--user", "Dr Rivera", "analyze", "--patient", patient, "--json"]
    argv += ["--now", NOW.isoformat()]
    capsys.readouterr()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdin", io.StringIO("review password\n"))
        assert main(argv) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def choose_patient(qtbot: QtBot, review: ReviewMode, query: str) -> None:
    review.search.clear()
    qtbot.keyClicks(review.search, query)
    review.flush_search()  # the search waits for a pause in the typing
    assert review.patients.count() == 1
    item = review.patients.item(0)
    rect = review.patients.visualItemRect(item)
    with qtbot.waitSignal(review.analysed, timeout=15000):
        qtbot.mouseClick(review.patients.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_search_by_name_or_record_number(qtbot: QtBot, review: ReviewMode) -> None:
    assert review.patients.count() == 2
    qtbot.keyClicks(review.search, "TEST-0002")
    review.flush_search()  # the search waits for a pause in the typing
    assert [
        review.patients.item(i).text().split("\n")[0] for i in range(review.patients.count())
    ] == ["Casey Example"]
    review.search.clear()
    qtbot.keyClicks(review.search, "alex")
    review.flush_search()  # the search waits for a pause in the typing
    assert review.patients.count() == 1
    assert review.patients.item(0).text().startswith("Alex Sample")
    review.search.clear()
    qtbot.keyClicks(review.search, "nobody-here")
    review.flush_search()  # the search waits for a pause in the typing
    assert review.patients.count() == 0


def test_block_figures_are_those_of_paintrack_analyze(
    qtbot: QtBot, review: ReviewMode, review_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = analyze_json(review_db, "DEMO-0001", capsys)
    choose_patient(qtbot, review, "DEMO-0001")
    assert review.blocks.count() == len(expected["blocks"]) == 2
    for row, block in enumerate(expected["blocks"]):
        review.blocks.setCurrentRow(row)
        assert block["agent"] in review.block_title.text()
        for column, figures in enumerate(block["sites"].values()):
            assert review.metric_text(0, column) == f"{figures['baseline']}/10"
            assert review.metric_text(1, column) == (
                f"{format_percent(figures['peak_relief_percent'])} at "
                f"{format_duration(figures['time_to_peak_minutes'])}"
            )
            for offset, threshold in enumerate(expected["thresholds"]):
                # The verdict figures first (before rescue medicine, clinical.md item 10),
                # then, after rescue medicine, the figure from all entries, labelled.
                verdict = (figures["before_rescue"] or figures)["thresholds"][str(threshold)]
                t = figures["thresholds"][str(threshold)]
                shown = review.metric_text(2 + offset, column).split("\n")
                least = "at least " if verdict["censored"] else ""
                if verdict["reached"]:
                    assert shown[0] == (
                        f"until {least}{format_duration(verdict['duration_minutes'])} after the"
                        f" block, {least}{format_duration(verdict['duration_from_onset_minutes'])}"
                        " from onset"
                    )
                if figures["before_rescue"] is not None:
                    assert shown[1].startswith("incl. after rescue medicine: ")
                    shown = shown[1:]
                if t["reached"]:
                    if not t["censored"]:
                        assert shown[1] == (
                            f"between {format_duration(t['duration_lower_minutes'])} and "
                            f"{format_duration(t['duration_upper_minutes'])}"
                        )
                    assert t["expected"] in shown[-1]
                else:
                    assert shown[0] == "not reached"
        compliance = block["compliance"]
        assert f"compliance {compliance['percent']:g}%" in review.compliance.text()
        assert f"{compliance['kept_on_time']} of {compliance['due']} due points" in (
            review.compliance.text()
        )


def test_flags_in_plain_words(
    qtbot: QtBot, review: ReviewMode, review_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = analyze_json(review_db, "DEMO-0001", capsys)
    choose_patient(qtbot, review, "DEMO-0001")
    assert review.analysis is not None
    rescued = [i for i, b in enumerate(expected["blocks"]) if "rescue_medication" in b["flags"]]
    assert rescued
    for row in rescued:
        review.blocks.setCurrentRow(row)
        shown = [review.flags.item(i).text() for i in range(review.flags.count())]
        minutes = review.analysis.blocks[row].rescue_medication_minutes
        assert minutes
        for m in minutes:
            assert rescue_text(m) in shown
        assert all("_" not in text for text in shown)  # words, not flag codes


def test_bilateral_block_shows_both_sides(qtbot: QtBot, review: ReviewMode) -> None:
    choose_patient(qtbot, review, "Casey")
    headers = [
        review.metrics.horizontalHeaderItem(c).text() for c in range(review.metrics.columnCount())
    ]
    assert headers == ["Left", "Right"]
    shown = [review.flags.item(i).text() for i in range(review.flags.count())]
    assert "minimal sedation during the block" in shown


def test_comparison_overlays_the_pair_with_its_result(
    qtbot: QtBot, review: ReviewMode, review_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = analyze_json(review_db, "DEMO-0001", capsys)
    choose_patient(qtbot, review, "DEMO-0001")
    review.tabs.setCurrentIndex(1)
    pair = expected["comparisons"][0]["blocks"]
    assert [review.first.currentData(), review.second.currentData()] == pair
    lines = {
        str(line.get_gid()): line
        for ax in review.figure.axes
        for line in ax.get_lines()
        if line.get_gid()
    }
    for block in expected["blocks"]:
        series = block["sites"]["index"]["series"]
        line = lines[f"relief:{block['id']}:index"]
        assert list(line.get_xdata()) == pytest.approx(
            [p["minutes"] / 60 for p in series], abs=0.01
        )
        assert list(line.get_ydata()) == pytest.approx(
            [p["relief_percent"] for p in series], abs=0.06
        )
        assert block["agent"] in str(line.get_label())
    from paintrack.clinical.results import ComparisonOutcome

    for comparison in expected["comparisons"]:
        assert comparison_text(ComparisonOutcome(comparison["result"])) in review.comparison.text()
    # Choosing in one selector the block the other shows swaps them: never a block with itself.
    first, second = review.first.currentData(), review.second.currentData()
    review.second.setCurrentIndex(review.first.currentIndex())
    assert [review.first.currentData(), review.second.currentData()] == [second, first]
    assert "Comparison result" in review.comparison.text()
    review.first.setCurrentIndex(review.second.currentIndex())
    assert [review.first.currentData(), review.second.currentData()] == [first, second]


def test_checklist_follows_the_chosen_preset(
    qtbot: QtBot, review: ReviewMode, store: Store
) -> None:
    from paintrack.ui.review import STATUS_MARKS, target_mark

    choose_patient(qtbot, review, "DEMO-0001")
    diary = store.load_diary(review.patient.id)  # type: ignore[union-attr]
    assert review.preset.currentData() == "asra-2020"  # the clinic default
    for preset in ("medicare-lcd", "complete", "asra-2020"):
        with qtbot.waitSignal(review.analysed, timeout=15000):
            review.preset.setCurrentIndex(review.preset.findData(preset))
        analysis = analyze_diary(diary, ClinicSettings(preset=preset), now=NOW)
        rows = review.checklist_rows()
        numbers = {b.block_id: i for i, b in enumerate(analysis.blocks, start=1)}
        expected: list[list[str]] = []
        for target in analysis.preset.targets:
            # A met with cautions has its own mark (clinical.md item 13).
            expected.append([target_mark(target), target.verdict, ""])
            expected += [
                [
                    STATUS_MARKS[c.status],
                    words.criterion_description(c),
                    "\n".join(words.criterion_found(c, target, analysis, numbers)),
                ]
                for c in target.criteria
            ]
        assert len(rows) == len(expected) > 1
        for shown, wanted in zip(rows, expected, strict=True):
            assert shown[0] == wanted[0]
            assert shown[1].endswith(wanted[1])
            assert shown[2] == wanted[2]
        assert analysis.preset.label in review.checklist_title.text()
        assert review.verdict.text().endswith(analysis.preset.targets[0].verdict)
    assert store.get_settings().preset == "asra-2020"  # choosing a preset here saves nothing


def test_clinic_settings_dialog_saves_to_the_store(
    qtbot: QtBot, review: ReviewMode, store: Store
) -> None:
    choose_patient(qtbot, review, "DEMO-0001")
    qtbot.mouseClick(review.settings_button, Qt.MouseButton.LeftButton)
    dialog = review.findChild(ClinicSettingsDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.preset.setCurrentIndex(dialog.preset.findData("medicare-lcd"))
    dialog.thresholds.clear()
    qtbot.keyClicks(dialog.thresholds, "30, 60")
    dialog.expected[Agent.LIDOCAINE].setValue(45)
    dialog.points.clear()
    qtbot.keyClicks(dialog.points, "15, 30, 60, 120, 240")
    with qtbot.waitSignal(review.analysed, timeout=15000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    saved = store.get_settings()
    assert saved.preset == "medicare-lcd"
    assert saved.thresholds == (30, 60)
    assert saved.expected_minutes[Agent.LIDOCAINE] == 45
    assert saved.protocol_points("standard") == (15, 30, 60, 120, 240)
    labels = [review.metrics.verticalHeaderItem(r).text() for r in range(review.metrics.rowCount())]
    # The clinic's thresholds, and the Medicare LCD preset's own 80% beside them.
    assert labels[2:] == ["Relief ≥ 30% lasted", "Relief ≥ 60% lasted", "Relief ≥ 80% lasted"]
    assert review.preset.currentData() == "medicare-lcd"


def test_clinic_settings_dialog_refuses_bad_values(
    qtbot: QtBot, review: ReviewMode, store: Store
) -> None:
    before = store.get_settings()
    dialog = review.edit_settings()
    dialog.thresholds.clear()
    qtbot.keyClicks(dialog.thresholds, "50, 120")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.isVisible()
    assert dialog.error.isVisible() and "between 1 and 100" in dialog.error.text()
    assert store.get_settings() == before
    dialog.thresholds.clear()
    qtbot.keyClicks(dialog.thresholds, "50")
    dialog.points.clear()
    qtbot.keyClicks(dialog.points, "60, 30")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert "earliest to latest" in dialog.error.text()
    assert store.get_settings() == before
    dialog.reject()


def test_export_pdf_runs_in_the_background(
    qtbot: QtBot, review: ReviewMode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from paintrack.report import pdf

    # The PDF is drawn by report.pdf.render_report (write_report calls it through the module,
    # whoever calls write_report). The wrapper notes the thread it runs on, and draws only once
    # the UI thread has answered a timer of its own event loop: a UI thread busy drawing (or
    # waiting for the drawing) could not answer, and the wait would time out.
    real_render = pdf.render_report
    ui_thread = threading.get_ident()
    rendered_on: list[int] = []
    answered_on: list[int] = []
    ui_answered = threading.Event()
    answered_while_drawing: list[bool] = []

    def render_while_the_window_answers(request: Any) -> bytes:
        rendered_on.append(threading.get_ident())
        answered_while_drawing.append(ui_answered.wait(timeout=20))
        return real_render(request)

    def answer() -> None:
        answered_on.append(threading.get_ident())
        ui_answered.set()

    monkeypatch.setattr(pdf, "render_report", render_while_the_window_answers)
    choose_patient(qtbot, review, "DEMO-0001")
    review.deidentify.setChecked(True)
    review.paper.setCurrentIndex(review.paper.findData("letter"))
    out = tmp_path / "summary.pdf"
    with qtbot.waitSignal(review.export_finished, timeout=30000) as finished:
        review.export_pdf(str(out))
        assert not review.export_button.isEnabled()  # busy while the worker writes
        QTimer.singleShot(0, answer)  # runs only when the UI thread's event loop is free
    assert len(rendered_on) == 1 and rendered_on[0] != ui_thread  # drawn off the UI thread
    assert answered_on == [ui_thread] and answered_while_drawing == [True]
    assert finished.args == [str(out)]
    reader = PdfReader(out)
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Alex Sample" not in text and "DEMO-0001" not in text
    assert float(reader.pages[0].mediabox.height) == pytest.approx(792)
    assert review.export_button.isEnabled()
    assert str(out) in review.export_status.text()
    assert review.suggested_file_name() == "AS-paintrack-summary.pdf"


def test_export_failure_is_shown_calmly_and_leaves_no_file(
    qtbot: QtBot, review: ReviewMode, tmp_path: Path
) -> None:
    choose_patient(qtbot, review, "DEMO-0001")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with qtbot.waitSignal(review.export_failed, timeout=30000) as failed:
        review.export_pdf(str(blocker / "summary.pdf"))
    assert "could not write the report" in failed.args[0]
    assert review.errors_shown[-1] == failed.args[0]
    boxes = [b for b in review.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1
    assert "Nothing was written" in boxes[0].informativeText()
    assert boxes[0].text() == "The PDF was not written."
    boxes[0].close()
    assert sorted(
        p.name
        for p in tmp_path.iterdir()
        if p.name != "review.db" and not p.name.startswith("review.db")
    ) == ["a-file"]
    assert review.export_button.isEnabled()


def test_review_mode_is_installed_in_the_main_window(qtbot: QtBot, make_window: Any) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: window.review is not None, timeout=15000)
    assert "Review" in window._mode_names
    window.show_mode("Review")
    assert window.modes.current() is window.review


def test_review_follows_changes_made_elsewhere(
    qtbot: QtBot, review: ReviewMode, store: Store
) -> None:
    choose_patient(qtbot, review, "DEMO-0001")
    assert review.diary is not None
    block = review.diary.blocks[0]
    entry = block.entries[3]
    before = review.metric_text(1)
    store.amend_entry(
        entry.id, replace(entry, scores={"index": 0}), reason="clinic corrected a typo"
    )
    with qtbot.waitSignal(review.analysed, timeout=15000):
        review.reload(review.patient.id)  # type: ignore[union-attr]
    diary = store.load_diary(review.patient.id)  # type: ignore[union-attr]
    site = analyze_diary(diary, ClinicSettings(), now=NOW).blocks[0].sites["index"]
    shown = review.metric_text(1)
    assert shown == (
        f"{format_percent(site.peak_relief_percent)} at "
        f"{format_duration(site.time_to_peak_minutes)}"
    )
    assert shown != before
    assert "1 amended" in review.compliance.text()


def store_with(tmp_path: Path, *diaries: Any, name: str = "one.db") -> Store:
    opened = open_store(str(tmp_path / name))
    for number, diary in enumerate(diaries):
        opened.import_diary(diary, source_name=f"diary-{number}")
    return opened


def make_review(qtbot: QtBot, store: Store, **options: Any) -> ReviewMode:
    widget = ReviewMode(store, now=lambda: NOW, **options)
    qtbot.addWidget(widget)
    # About the room the Review mode has in a 1100 x 760 main window.
    widget.resize(1090, 680)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def second_block_unscored(diary: Any) -> Any:
    """The newcomer's diary: block 2 has only a baseline of 3/10 and no score after it."""
    second = diary.blocks[1]
    baseline = next(e for e in second.entries if e.at <= second.performed_at)
    return replace(
        diary,
        blocks=(
            diary.blocks[0],
            replace(second, entries=(replace(baseline, scores={"index": 3}),)),
        ),
    )


def test_the_only_patient_opens_by_itself(qtbot: QtBot, tmp_path: Path) -> None:
    store = store_with(tmp_path, read_diary_file(DEMO))
    try:
        review = make_review(qtbot, store)
        assert review.patient is not None and review.patient.name == "Alex Sample"
        assert review.patients.currentRow() == 0
        assert review.pages.currentWidget() is review.tabs and review.tabs.isVisible()
        assert review.blocks.count() == 2 and review.export_button.isEnabled()
    finally:
        store.close()


def test_a_calm_hint_instead_of_empty_boxes(qtbot: QtBot, store: Store, tmp_path: Path) -> None:
    review = make_review(qtbot, store)  # two patients, none viewed yet
    assert review.patient is None
    assert review.stack.currentWidget() is review.worklist  # a clinic's Review opens on it
    review.find_patient()
    assert review.hint.isVisible() and not review.tabs.isVisible()
    assert review.hint.text() == NO_PATIENT_HINT
    choose_patient(qtbot, review, "Casey")
    assert review.tabs.isVisible() and not review.hint.isVisible()
    empty = store_with(tmp_path, name="empty.db")
    try:
        nobody = make_review(qtbot, empty)
        assert nobody.hint.isVisible() and nobody.hint.text() == NO_PATIENTS_HINT
    finally:
        empty.close()


def test_the_last_viewed_patient_opens_next_time(
    qtbot: QtBot, store: Store, tmp_path: Path
) -> None:
    prefs = QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat)
    first = make_review(qtbot, store, prefs=prefs)
    assert first.patient is None
    choose_patient(qtbot, first, "Casey")
    again = make_review(qtbot, store, prefs=prefs)
    assert again.patient is not None and again.patient.name == "Casey Example"
    assert again.patients.currentItem().text().startswith("Casey Example")
    # Without a remembered patient, the one the diary has open.
    alex = next(p for p in store.list_patients() if p.name == "Alex Sample")
    fresh = make_review(qtbot, store, preferred_patient=lambda: alex.id)
    assert fresh.patient is not None and fresh.patient.id == alex.id


def test_one_block_is_never_compared_with_itself(qtbot: QtBot, tmp_path: Path) -> None:
    demo = read_diary_file(DEMO)
    store = store_with(tmp_path, replace(demo, blocks=demo.blocks[:1]))
    try:
        review = make_review(qtbot, store)
        review.tabs.setCurrentIndex(1)
        assert review.comparison.text() == NEEDS_TWO_BLOCKS
        assert not review.choose_row.isVisible()
        assert review.second.currentData() is None
        assert "with Block 1" not in review.comparison.text()
        # The checklist still says what the one block meets.
        assert review.checklist.isVisible()
        assert review.checklist_rows()[0][1].endswith(review.analysis.preset.targets[0].verdict)  # type: ignore[union-attr]
    finally:
        store.close()


@pytest.mark.parametrize("preset", ["medicare-lcd", "asra-2020"])
def test_the_checklist_shows_every_row_without_scrolling(
    qtbot: QtBot, make_window: Any, preset: str
) -> None:
    # The real window (its style, 1100 x 760): the checklist must not hide behind a scroll bar.
    window = make_window()
    qtbot.waitUntil(lambda: window.review is not None, timeout=15000)
    window.store.import_diary(read_diary_file(DEMO), source_name="demo")
    review: ReviewMode = window.review
    window.show_mode("Review")
    review.refresh_patients()  # the only patient opens by itself
    assert review.patient is not None
    review.tabs.setCurrentIndex(1)
    with qtbot.waitSignal(review.analysed, timeout=15000):
        if review.preset.currentData() == preset:
            review.reanalyse()
        else:
            review.preset.setCurrentIndex(review.preset.findData(preset))
    rows = review.checklist.rowCount()
    assert rows >= 2
    # Once the layout has settled (a busy machine may take a moment), nothing to scroll.
    qtbot.waitUntil(lambda: review.checklist.verticalScrollBar().maximum() == 0, timeout=15000)
    assert review.checklist.viewport().height() >= sum(
        review.checklist.rowHeight(r) for r in range(rows)
    )
    # The chart keeps a usable height.
    assert review.canvas.height() >= 170


def test_block_selectors_show_their_whole_label(
    qtbot: QtBot, review: ReviewMode, local_utc: None
) -> None:
    choose_patient(qtbot, review, "DEMO-0001")
    review.tabs.setCurrentIndex(1)
    assert review.first.itemText(0) == "Block 1 · 2 Mar · lidocaine"
    assert review.second.itemText(1) == "Block 2 · 17 Mar · bupivacaine"
    full = review.first.itemData(0, Qt.ItemDataRole.ToolTipRole)
    assert full.startswith("Block 1 · 2 Mar 2026 · lumbar right · lidocaine")
    assert review.first.toolTip() == full
    for combo in (review.first, review.second):
        text_width = combo.fontMetrics().horizontalAdvance(combo.currentText())
        assert text_width + 30 <= combo.width()


def test_checklist_says_which_block_met_the_rule(qtbot: QtBot, tmp_path: Path) -> None:
    store = store_with(tmp_path, second_block_unscored(read_diary_file(DEMO)))
    try:
        review = make_review(qtbot, store)
        review.tabs.setCurrentIndex(1)
        # Block 2's baseline is 3/10: a caution on the verdict line itself (item 13).
        assert review.verdict.text().endswith(
            "meets the 50% rule (ASRA 2020 preset), with cautions: baseline 3/10"
        )
        rows = review.checklist_rows()
        assert rows[1][1] == (
            "≥ 50% relief at every rated site after at least one diagnostic block"
        )
        found = rows[1][2].split("\n")
        assert found[0].startswith("Met by Block 1 (lidocaine): baseline 8/10, ≥ 50%")
        assert found[1] == (
            "Not met by Block 2 (bupivacaine): baseline 3/10, no score after the block yet"
        )
        assert "Block 2 does not reach 50%" in review.comparison.text()
        review.blocks.setCurrentRow(1)
        assert review.metric_text(1) == "no score after the block yet"
        shown = " ".join(" ".join(r) for r in rows) + review.comparison.text()
        assert ">=" not in shown
        assert not re.search(r"(at least \d[^();]*?) \(\1\)", shown)
        for preset in ("medicare-lcd", "complete"):
            with qtbot.waitSignal(review.analysed, timeout=15000):
                review.preset.setCurrentIndex(review.preset.findData(preset))
            shown = " ".join(" ".join(r) for r in review.checklist_rows())
            assert ">=" not in shown and "≥" in shown
    finally:
        store.close()


def test_export_message_has_a_fixed_place_and_clears_when_the_data_changes(
    qtbot: QtBot, review: ReviewMode, store: Store, tmp_path: Path
) -> None:
    choose_patient(qtbot, review, "DEMO-0001")
    review.tabs.setCurrentIndex(1)
    before = review.pages.geometry()
    out = tmp_path / "summary.pdf"
    with qtbot.waitSignal(review.export_finished, timeout=30000):
        review.export_pdf(str(out))
    qtbot.wait(20)
    assert f"Saved the PDF summary to {out}" in review.export_status.text()
    assert review.pages.geometry() == before  # nothing moved
    assert review.export_status.isVisible()
    assert review.diary is not None
    entry = review.diary.blocks[0].entries[3]
    store.amend_entry(entry.id, replace(entry, scores={"index": 1}), reason="typo")
    with qtbot.waitSignal(review.analysed, timeout=15000):
        review.reload(review.patient.id)  # type: ignore[union-attr]
    assert review.export_status.text() == ""
    assert review.pages.geometry() == before
    with qtbot.waitSignal(review.export_finished, timeout=30000):
        review.export_pdf(str(tmp_path / "again.pdf"))
    choose_patient(qtbot, review, "Casey")
    assert review.export_status.text() == ""


def test_export_from_the_window_replaces_a_file_the_save_dialog_confirmed(
    qtbot: QtBot, review: ReviewMode, tmp_path: Path
) -> None:
    # The save dialog has already asked "replace it?"; unlike `paintrack report` without
    # --force, the window's export then writes over the old file.
    choose_patient(qtbot, review, "DEMO-0001")
    out = tmp_path / "summary.pdf"
    out.write_bytes(b"last month's summary")
    with qtbot.waitSignal(review.export_finished, timeout=30000):
        review.export_pdf(str(out))
    assert out.read_bytes().startswith(b"%PDF")
    assert review.errors_shown == []


def test_the_comparison_chart_follows_larger_text(qtbot: QtBot, make_window: Any) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: window.review is not None, timeout=15000)
    window.store.import_diary(read_diary_file(DEMO), source_name="demo")
    review: ReviewMode = window.review
    window.show_mode("Review")
    review.refresh_patients()  # the only patient opens by itself
    review.tabs.setCurrentIndex(1)
    with qtbot.waitSignal(review.analysed, timeout=15000):
        review.reanalyse()

    def label_size() -> float:
        return float(review.figure.axes[0].xaxis.label.get_fontsize())

    normal = label_size()
    window.look.larger_text_action.setChecked(True)
    larger = label_size()
    assert larger > normal * 1.1
    # The legend takes fewer columns rather than running off the figure's edges.
    review.canvas.draw()
    (legend,) = review.figure.legends
    box = legend.get_window_extent(review.canvas.get_renderer())
    assert box.x0 >= 0 and box.x1 <= review.figure.bbox.width
    window.look.larger_text_action.setChecked(False)
    assert label_size() == normal


def test_the_chosen_preset_stays_and_its_threshold_is_shown(
    qtbot: QtBot, review: ReviewMode, store: Store
) -> None:
    """The newcomer: Medicare LCD chosen on screen, then clinic thresholds "50, 75" saved. The
    preset stayed Medicare LCD, and its 80% is in the table and on the chart beside 75%."""
    choose_patient(qtbot, review, "DEMO-0001")
    with qtbot.waitSignal(review.analysed, timeout=15000):
        review.preset.setCurrentIndex(review.preset.findData("medicare-lcd"))
    dialog = review.edit_settings()
    assert dialog.preset.currentData() == "asra-2020"  # the clinic default, left as it is
    dialog.thresholds.clear()
    qtbot.keyClicks(dialog.thresholds, "50, 75")
    with qtbot.waitSignal(review.analysed, timeout=15000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert store.get_settings().thresholds == (50, 75)
    assert review.preset.currentData() == "medicare-lcd"
    assert review.analysis is not None and review.analysis.preset.preset == "medicare-lcd"
    assert review.analysis.thresholds == (50, 75, 80)
    labels = [review.metrics.verticalHeaderItem(r).text() for r in range(review.metrics.rowCount())]
    assert labels[2:] == ["Relief ≥ 50% lasted", "Relief ≥ 75% lasted", "Relief ≥ 80% lasted"]
    review.tabs.setCurrentIndex(1)
    lines = {line.get_gid() for axes in review.figure.axes for line in axes.lines}
    assert {"threshold:50", "threshold:75", "threshold:80"} <= lines, lines
    # The diary changing elsewhere, or another patient, keeps the preset chosen here.
    with qtbot.waitSignal(review.analysed, timeout=15000):
        review.reload()
    assert review.preset.currentData() == "medicare-lcd"
    choose_patient(qtbot, review, "Casey")
    assert review.preset.currentData() == "medicare-lcd"
    # Casey's bilateral block: one verdict per side (version 2), each naming the preset.
    verdicts = review.verdict.text().split("\n")
    assert len(verdicts) == 2 and all("(Medicare LCD preset)" in v for v in verdicts)


def test_a_search_with_no_match_says_so_and_shows_no_patient(
    qtbot: QtBot, review: ReviewMode
) -> None:
    choose_patient(qtbot, review, "DEMO-0001")
    review.search.clear()
    qtbot.keyClicks(review.search, "zzz")
    review.flush_search()  # the search waits for a pause in the typing
    assert review.patients.count() == 0
    assert review.pages.currentWidget() is review.hint and review.hint.isVisible()
    assert review.hint.text().startswith("No patient matches “zzz”.")
    assert review.patient is None and review.analysis is None
    assert "Alex" not in review.title.text() and review.verdict.text() == ""
    assert not review.export_button.isEnabled()
    review.search.clear()
    review.flush_search()
    assert review.patients.count() == 2


def test_the_patients_notes_are_in_the_block_view(qtbot: QtBot, review: ReviewMode) -> None:
    choose_patient(qtbot, review, "DEMO-0001")
    assert review.diary is not None
    for row, block in enumerate(sorted(review.diary.blocks, key=lambda b: b.performed_at)):
        review.blocks.setCurrentRow(row)
        shown = [review.notes.item(i).text() for i in range(review.notes.count())]
        noted = sorted((e for e in block.entries if e.note), key=lambda e: e.at)
        assert noted
        assert [line.split(": ", 1)[1] for line in shown] == [e.note for e in noted]
        # In the block's recorded UTC offset (clinical.md item 11).
        assert shown[0].startswith(words.short_datetime_text(noted[0].at, block.zone))
    review.blocks.setCurrentRow(0)


def test_a_block_in_progress_is_not_known_yet(qtbot: QtBot, tmp_path: Path) -> None:
    """The newcomer's bilateral block two minutes old, baselines 9 and 10 and nothing after."""
    from datetime import timedelta

    from paintrack.clinical.model import Block, Entry, Region, Side

    t0 = NOW - timedelta(minutes=2)
    diary = read_diary_file(DEMO)
    block = Block(
        performed_at=t0,
        agent=Agent.LIDOCAINE,
        region=Region.LUMBAR,
        side=Side.BILATERAL,
        sites=("left", "right"),
        entries=(
            Entry(
                at=t0 - timedelta(minutes=5),
                recorded_at=t0 - timedelta(minutes=5),
                scores={"left": 9, "right": 10},
            ),
        ),
    )
    store = store_with(tmp_path, replace(diary, blocks=(block,)))
    try:
        review = make_review(qtbot, store)
        # In the block's recorded offset (t0 is UTC); one verdict per side (version 2).
        due = (t0 + timedelta(minutes=15)).strftime("%H:%M")
        assert review.verdict.text() == "\n".join(
            f"Lumbar, {side} side: not known yet whether it meets the 50% rule (ASRA 2020 preset)"
            f" — the diary is still in progress (next score due {due})"
            for side in ("left", "right")
        )
        assert "no score due yet; 1 entry: 0 late" in review.compliance.text()
        assert review.metric_text(2, 0) == review.metric_text(3, 1) == "not reached yet"
        assert "0%" not in review.compliance.text()
        rows = review.checklist_rows()
        assert rows[1][0] == "? unknown"
        assert rows[1][2].startswith("Not known yet for Block 1 (lidocaine)")
    finally:
        store.close()


def test_review_and_the_pdf_word_relief_alike(
    qtbot: QtBot, review: ReviewMode, tmp_path: Path
) -> None:
    """The clinician sees "87.5%" on screen and in the PDF (the patient's screen may round)."""
    from paintrack.report.pdf import ReportRequest, write_report

    choose_patient(qtbot, review, "DEMO-0001")
    assert review.analysis is not None and review.diary is not None
    request = ReportRequest(
        diary=review.diary, analysis=review.analysis, generated_at=NOW, audit_available=False
    )
    page_one = " ".join(
        PdfReader(write_report(request, tmp_path / "r.pdf")).pages[0].extract_text().split()
    )
    for row in range(review.blocks.count()):
        review.blocks.setCurrentRow(row)
        peak = review.metric_text(1)
        assert re.fullmatch(r"\d+(\.\d)?% at .+", peak), peak
        assert peak.replace("\u00a0", " ") in page_one
    assert "87.5% at 31 min" in page_one


def test_the_block_view_fits_flags_and_notes_in_the_window(qtbot: QtBot, make_window: Any) -> None:
    """In the 1100 x 760 window, with larger text too, the lines above the flags and notes keep
    all their text: the two lists give up room first."""
    window = make_window()
    qtbot.waitUntil(lambda: window.review is not None, timeout=15000)
    window.store.import_diary(read_diary_file(DEMO), source_name="demo")
    review: ReviewMode = window.review
    window.show_mode("Review")
    review.refresh_patients()  # the only patient opens by itself
    parts = [review.block_title, review.metrics, review.estimate, review.compliance]

    labels = (review.estimate, review.compliance, review.block_title)

    def settled() -> bool:
        return all(
            above.geometry().bottom() < below.geometry().top()
            for above, below in itertools.pairwise(parts)
        ) and all(label.height() >= label.heightForWidth(label.width()) for label in labels)

    for larger in (False, True):
        window.look.larger_text_action.setChecked(larger)
        review.blocks.setCurrentRow(1)

        # The layout settles over a few event-loop passes (slower on a busy machine); an
        # overlap that never goes away fails here.
        qtbot.waitUntil(settled, timeout=15000)
        for label in labels:
            assert label.text()
            assert label.height() >= label.heightForWidth(label.width()), label.accessibleName()
        # Nothing drawn over anything else: each part starts below the one before.
        for above, below in itertools.pairwise(parts):
            assert above.geometry().bottom() < below.geometry().top(), below.accessibleName()
        assert review.notes.isVisible() and review.notes.count() >= 3
        assert review.notes.height() >= 3 * review.notes.fontMetrics().lineSpacing()
    window.look.larger_text_action.setChecked(False)


def test_two_patients_of_the_same_name_are_told_apart_in_the_list(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Two "Bob Same" files, no birth date or record number: the first block tells them apart."""
    from paintrack.clinical.model import Patient

    demo, other = read_diary_file(DEMO), read_diary_file(BILATERAL)
    store = store_with(
        tmp_path,
        replace(demo, patient=Patient(name="Bob Same")),
        replace(other, patient=Patient(name="Bob Same")),
    )
    try:
        review = make_review(qtbot, store)
        shown = sorted(review.patients.item(i).text() for i in range(review.patients.count()))
        expected = sorted(
            "Bob Same\n" + first_block_text(min(b.performed_at for b in diary.blocks))
            for diary in (demo, other)
        )
        assert shown == expected and shown[0] != shown[1]
    finally:
        store.close()


def first_block_text(moment: datetime) -> str:
    day = moment.astimezone().date()
    return f"first block {day.day}\u00a0{day:%b}\u00a0{day:%Y}"
