"""Clinician review mode: real widgets show the engine's figures (as `paintrack analyze --json`
prints them), the comparison chart and checklist, clinic settings saved to the store, and the
PDF export off the UI thread with a calm error on failure."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from paintrack.cli import main
from paintrack.clinical.analysis import analyze_diary
from paintrack.clinical.model import Agent
from paintrack.clinical.settings import ClinicSettings
from paintrack.clinical.wording import (
    comparison_text,
    format_duration,
    format_percent,
    rescue_text,
)
from paintrack.exchange.diary_json import read_diary_file
from paintrack.store import Store, open_store
from paintrack.ui.review import ReviewMode
from paintrack.ui.review_settings import ClinicSettingsDialog

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
    opened = open_store(str(review_db))
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
    argv = ["--db", str(db), "analyze", "--patient", patient, "--json", "--now", NOW.isoformat()]
    capsys.readouterr()
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def choose_patient(qtbot: QtBot, review: ReviewMode, query: str) -> None:
    review.search.clear()
    qtbot.keyClicks(review.search, query)
    assert review.patients.count() == 1
    item = review.patients.item(0)
    rect = review.patients.visualItemRect(item)
    with qtbot.waitSignal(review.analysed, timeout=5000):
        qtbot.mouseClick(review.patients.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_search_by_name_or_record_number(qtbot: QtBot, review: ReviewMode) -> None:
    assert review.patients.count() == 2
    qtbot.keyClicks(review.search, "TEST-0002")
    assert [
        review.patients.item(i).text().split("\n")[0] for i in range(review.patients.count())
    ] == ["Casey Example"]
    review.search.clear()
    qtbot.keyClicks(review.search, "alex")
    assert review.patients.count() == 1
    assert review.patients.item(0).text().startswith("Alex Sample")
    review.search.clear()
    qtbot.keyClicks(review.search, "nobody-here")
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
                t = figures["thresholds"][str(threshold)]
                shown = review.metric_text(2 + offset, column).split("\n")
                if t["reached"]:
                    assert shown[0] == format_duration(
                        t["duration_minutes"], censored=t["censored"]
                    )
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
    # Choosing the same block twice is not a comparison.
    review.second.setCurrentIndex(review.first.currentIndex())
    assert "Choose two different blocks" in review.comparison.text()


def test_checklist_follows_the_chosen_preset(
    qtbot: QtBot, review: ReviewMode, store: Store
) -> None:
    from paintrack.ui.review import STATUS_MARKS

    choose_patient(qtbot, review, "DEMO-0001")
    diary = store.load_diary(review.patient.id)  # type: ignore[union-attr]
    assert review.preset.currentData() == "asra-2020"  # the clinic default
    for preset in ("medicare-lcd", "complete", "asra-2020"):
        with qtbot.waitSignal(review.analysed, timeout=5000):
            review.preset.setCurrentIndex(review.preset.findData(preset))
        analysis = analyze_diary(diary, ClinicSettings(preset=preset), now=NOW)
        rows = review.checklist_rows()
        expected: list[list[str]] = []
        for target in analysis.preset.targets:
            expected.append([STATUS_MARKS[target.status], target.verdict, ""])
            expected += [[STATUS_MARKS[c.status], c.description, c.detail] for c in target.criteria]
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
    with qtbot.waitSignal(review.analysed, timeout=5000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    saved = store.get_settings()
    assert saved.preset == "medicare-lcd"
    assert saved.thresholds == (30, 60)
    assert saved.expected_minutes[Agent.LIDOCAINE] == 45
    assert saved.protocol_points("standard") == (15, 30, 60, 120, 240)
    labels = [review.metrics.verticalHeaderItem(r).text() for r in range(review.metrics.rowCount())]
    assert labels[2:] == ["Relief ≥ 30% lasted", "Relief ≥ 60% lasted"]
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
    qtbot: QtBot, review: ReviewMode, tmp_path: Path
) -> None:
    choose_patient(qtbot, review, "DEMO-0001")
    review.deidentify.setChecked(True)
    review.paper.setCurrentIndex(review.paper.findData("letter"))
    out = tmp_path / "summary.pdf"
    with qtbot.waitSignal(review.export_finished, timeout=30000) as finished:
        review.export_pdf(str(out))
        assert not review.export_button.isEnabled()  # busy while the worker writes
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
    qtbot.waitUntil(lambda: hasattr(window, "review"), timeout=5000)
    assert "Review" in window._mode_names
    window.show_mode("Review")
    assert window.modes.currentWidget() is window.review


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
    with qtbot.waitSignal(review.analysed, timeout=5000):
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
