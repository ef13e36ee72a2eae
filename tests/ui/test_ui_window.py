"""The window as a whole: start-up, keyboard-only use, reopening, sample diary, files, modes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox
from pytestqt.qtbot import QtBot
from ui_helpers import START, add_block, baseline, minutes, start_diary, when_dialog_opens

from paintrack import __version__
from paintrack.ui.clock import FakeClock
from paintrack.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo" / "demo-diary.json"


@pytest.mark.slow
def test_smoke_test_opens_the_window_and_exits_0(tmp_path: Path) -> None:
    db = tmp_path / "smoke.db"
    result = subprocess.run(
        [sys.executable, "-m", "paintrack", "--db", str(db), "--smoke-test"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert db.exists()  # the store really was opened


@pytest.mark.slow
def test_smoke_test_reports_a_database_it_cannot_open(tmp_path: Path) -> None:
    bad = tmp_path / "not-a-diary.db"
    bad.write_text("this is not a database\n" * 100)
    result = subprocess.run(
        [sys.executable, "-m", "paintrack", "--db", str(bad), "--smoke-test"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "paintrack:" in result.stderr


def test_first_run_shows_welcome_and_the_title(window: MainWindow) -> None:
    assert window.pages.currentWidget() is window.welcome
    # Qt adds "— paintrack" itself: the title must not say it twice.
    assert window.windowTitle() == "Welcome"
    assert not window.menus.export_json.isEnabled()


def test_start_needs_a_name(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.mouseClick(window.welcome.start_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.welcome
    assert "type your name" in window.welcome.error.text()
    assert window.store.list_patients() == []


def test_keyboard_only_main_path(qtbot: QtBot, window: MainWindow, clock: FakeClock) -> None:
    """Welcome -> block -> baseline -> a logged score, with keys only, where the focus is."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.welcome.name, timeout=15000)

    def keys(text: str) -> None:
        qtbot.keyClicks(QApplication.focusWidget(), text)

    def press(key: Qt.Key) -> None:
        qtbot.keyClick(QApplication.focusWidget(), key)

    keys("Sam Keyboard")
    press(Qt.Key.Key_Tab)  # date of birth: optional, left empty
    press(Qt.Key.Key_Tab)
    keys("MRN-77")
    press(Qt.Key.Key_Return)
    assert window.pages.currentWidget() is window.block_form
    assert QApplication.focusWidget() is window.block_form.performed_at
    press(Qt.Key.Key_Return)  # the defaults: a block now
    assert window.pages.currentWidget() is window.diary
    assert window.diary.log.baseline_mode
    scale = window.diary.log.scales.scales["index"]
    qtbot.waitUntil(scale.hasFocus, timeout=15000)
    press(Qt.Key.Key_7)
    press(Qt.Key.Key_Return)
    assert not window.diary.log.baseline_mode
    assert scale.hasFocus()

    clock.set(START + minutes(15))
    window.tick()
    press(Qt.Key.Key_2)
    press(Qt.Key.Key_Return)

    (patient,) = window.store.list_patients()
    assert (patient.name, patient.mrn, patient.birth_date) == ("Sam Keyboard", "MRN-77", None)
    (block,) = window.store.load_diary(patient.id).blocks
    assert [e.scores["index"] for e in block.entries] == [7, 2]
    assert "71% relief" in window.diary.log.status.text()  # 100 * (7 - 2) / 7 = 71.4


def test_every_control_has_an_accessible_name_and_scale_buttons_are_big(
    qtbot: QtBot, window: MainWindow
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    scale = window.diary.log.scales.scales["index"]
    assert scale.focusPolicy() == Qt.FocusPolicy.StrongFocus
    assert scale.accessibleName()
    for score, button in enumerate(scale.buttons):
        assert button.width() >= 44 and button.height() >= 44
        assert button.accessibleName().startswith(str(score))
    assert scale.buttons[0].accessibleName() == "0 — no pain"
    assert scale.buttons[2].accessibleName() == "2 — mild"
    assert scale.buttons[5].accessibleName() == "5 — moderate"
    assert scale.buttons[10].accessibleName() == "10 — severe"
    from PySide6.QtWidgets import QAbstractButton, QLineEdit

    for page in (window.welcome, window.block_form, window.diary):
        for widget in page.findChildren(QAbstractButton) + page.findChildren(QLineEdit):
            if widget.objectName().startswith("qt_") or not widget.text():
                continue
            if isinstance(widget, QLineEdit) and widget.parent().objectName().startswith("qt_"):
                continue
            assert widget.accessibleName() or widget.text(), widget


def test_arrow_keys_and_home_end_move_the_score(qtbot: QtBot, window: MainWindow) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    scale = window.diary.log.scales.scales["index"]
    scale.setFocus()
    qtbot.keyClick(scale, Qt.Key.Key_Right)
    assert scale.value() == 0
    qtbot.keyClick(scale, Qt.Key.Key_Right)
    assert scale.value() == 1
    qtbot.keyClick(scale, Qt.Key.Key_End)
    assert scale.value() == 10
    qtbot.keyClick(scale, Qt.Key.Key_Right)
    assert scale.value() == 10
    qtbot.keyClick(scale, Qt.Key.Key_Left)
    assert scale.value() == 9
    assert "9 — severe" in scale.chosen.text()


def test_block_time_too_far_ahead_is_refused_in_plain_words(
    qtbot: QtBot, window: MainWindow
) -> None:
    start_diary(qtbot, window)
    form = window.block_form
    form.performed_at.setDateTime(form.performed_at.dateTime().addSecs(11 * 60))
    assert "more than 10 minutes from now" in form.time_error.text()
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is form
    patient_id = window.current_patient_id
    assert patient_id is not None
    assert window.store.load_diary(patient_id).blocks == ()
    form.performed_at.setDateTime(form.performed_at.dateTime().addSecs(-5 * 60))
    assert not form.time_error.isVisible()
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.diary
    (block,) = window.store.load_diary(patient_id).blocks
    assert block.performed_at == START + minutes(6)


def test_block_form_saves_every_field(qtbot: QtBot, window: MainWindow) -> None:
    start_diary(qtbot, window)
    form = window.block_form
    form.region.setCurrentIndex(form.region.findData("cervical"))
    form.side.setCurrentIndex(form.side.findData("left"))
    qtbot.keyClicks(form.levels, "C5, C6")
    form.sequence.setCurrentIndex(form.sequence.findData(2))
    form.agent.setCurrentIndex(form.agent.findData("bupivacaine"))
    form.concentration.setValue(0.5)
    form.volume.setValue(0.3)
    form.sedation.setCurrentIndex(form.sedation.findData("minimal"))
    qtbot.mouseClick(form.steroid, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(form.activities[0], "turning my head")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    (block,) = window.store.load_diary(window.current_patient_id).blocks
    assert (block.region.value, block.side.value, block.levels) == (
        "cervical",
        "left",
        ("C5", "C6"),
    )
    assert (block.sequence, block.agent.value, block.concentration_percent) == (
        2,
        "bupivacaine",
        0.5,
    )
    assert (block.volume_ml, block.sedation.value, block.steroid) == (0.3, "minimal", True)
    assert (block.sites, block.activities) == (("index",), ("turning my head",))


def test_later_runs_reopen_where_the_patient_left_off(
    qtbot: QtBot, make_window: object, clock: FakeClock
) -> None:
    first: MainWindow = make_window()  # type: ignore[operator]
    start_diary(qtbot, first)
    add_block(qtbot, first)
    baseline(qtbot, first, 6)
    block_id = first.diary.block_id
    first.shut_down()
    first.close()

    again: MainWindow = make_window()  # type: ignore[operator]
    assert again.pages.currentWidget() is again.diary
    assert again.diary.block_id == block_id
    assert again.windowTitle() == "Jane Example"
    assert not again.diary.log.baseline_mode


def test_sample_diary_opens_in_its_own_window_and_is_thrown_away(
    qtbot: QtBot, window: MainWindow
) -> None:
    qtbot.mouseClick(window.welcome.sample_button, Qt.MouseButton.LeftButton)
    (sample,) = window.samples.open
    expected = json.loads(DEMO.read_text(encoding="utf-8"))
    patients = sample.store.list_patients()
    assert [p.name for p in patients] == [expected["patient"]["name"]]
    assert sample.pages.currentWidget() is sample.diary
    assert sample.windowTitle().endswith("(sample diary)")
    diary = sample.store.load_diary(patients[0].id)
    assert len(diary.blocks) == len(expected["blocks"])
    assert sample.diary.block_choice.count() == len(expected["blocks"])
    chart = sample.diary.chart.ensure_loaded()
    assert chart.line_data(diary.blocks[-1].sites[0])  # the latest block is drawn
    # The patient's own database never holds the example patient.
    assert window.store.list_patients() == []
    folder = sample.sample_folder
    assert folder is not None and folder.exists()
    sample.close()
    assert not folder.exists()


def test_export_and_import_run_in_the_background(
    qtbot: QtBot,
    window: MainWindow,
    tmp_path: Path,
    clock: FakeClock,
    prefs: QSettings,
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 7)
    out = tmp_path / "export.json"
    window.files.export_json(str(out))
    qtbot.waitUntil(lambda: window.runner.busy is None and out.exists(), timeout=10000)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["patient"]["name"] == "Jane Example"
    assert data["blocks"][0]["entries"][0]["scores"] == {"index": 7}
    csv = tmp_path / "export.csv"
    window.files.export_csv(str(csv))
    qtbot.waitUntil(lambda: window.runner.busy is None and csv.exists(), timeout=10000)
    assert "Jane Example" in csv.read_text(encoding="utf-8")

    other = MainWindow(str(tmp_path / "other.db"), clock=clock, settings=prefs, quiet=True)
    qtbot.addWidget(other)
    other.show()
    assert other.start()
    other.files.import_diary(str(out))
    qtbot.waitUntil(
        lambda: other.runner.busy is None and other.current_patient_id is not None, timeout=10000
    )
    assert [p.name for p in other.store.list_patients()] == ["Jane Example"]
    assert "1 blocks" in other.statusBar().currentMessage() or "Imported" in (
        other.statusBar().currentMessage()
    )
    other.shut_down()


def test_a_bad_import_file_is_reported_calmly_and_changes_nothing(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "paintrack-diary", "version": 1, "patient": {}}', encoding="utf-8")
    window.files.import_diary(str(bad))
    qtbot.waitUntil(
        lambda: window.runner.busy is None and bool(window.problems.shown), timeout=10000
    )
    assert "bad.json" in window.problems.shown[-1]
    # One plain sentence for the patient comes before the technical details.
    assert window.problems.headings[-1].startswith(
        "This file could not be read as a paintrack diary. Nothing was imported"
    )
    assert window.store.list_patients() == []


def test_high_contrast_switches_the_style_sheet(window: MainWindow, prefs: QSettings) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window.look.high_contrast_action.setChecked(True)
    assert "#ffd400" in app.styleSheet()
    assert prefs.value("high_contrast", False, bool) is True
    window.look.high_contrast_action.setChecked(False)
    assert "#ffd400" not in app.styleSheet()


def test_other_modes_can_be_added(window: MainWindow) -> None:
    modes = window.mode_bar.count()
    assert window.mode_bar.isVisible() == (modes > 1)  # the bar shows once there are two
    review = QLabel("review goes here")
    window.add_mode("Clinic view", review)
    assert window.mode_bar.isVisible()
    assert window.mode_bar.count() == modes + 1
    window.show_mode("Clinic view")
    assert window.modes.stack.currentWidget() is review
    window.show_mode("Diary")
    assert window.modes.stack.currentWidget() is window.pages


LAZY_MATPLOTLIB = """
import sys
from paintrack.ui.app import ensure_application
from paintrack.ui.main_window import MainWindow
app = ensure_application()
window = MainWindow(sys.argv[1], quiet=True)
before_show = "matplotlib" in sys.modules
window.show()
app.processEvents()
window.start()
at_start = "matplotlib" in sys.modules
for _ in range(20):
    app.processEvents()
after = "matplotlib" in sys.modules and window.diary.chart.chart is not None
window.shut_down()
print(before_show, at_start, after)
"""


@pytest.mark.slow
def test_matplotlib_loads_only_after_the_window_is_shown(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", LAZY_MATPLOTLIB, str(tmp_path / "lazy.db")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "True"]


def test_block_details_can_be_completed_later_with_a_reason(
    qtbot: QtBot, window: MainWindow
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    qtbot.mouseClick(window.diary.edit_block_button, Qt.MouseButton.LeftButton)
    form = window.block_form
    assert window.pages.currentWidget() is form
    assert form.reason_card.isVisible()
    form.agent.setCurrentIndex(form.agent.findData("lidocaine"))
    qtbot.keyClicks(form.levels, "L4, L5")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is form  # no reason yet
    assert "why" in form.reason_error.text().lower()
    qtbot.keyClicks(form.reason, "the clinic letter gives the details")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.diary
    (block,) = window.store.load_diary(window.current_patient_id).blocks
    assert (block.agent.value, block.levels) == ("lidocaine", ("L4", "L5"))
    changes = [r for r in window.store.audit_trail() if r.action == "update_block"]
    assert changes and changes[-1].reason == "the clinic letter gives the details"
    assert changes[-1].old is not None and changes[-1].old["agent"] == "unknown"


def test_larger_text_grows_every_text_in_proportion(qtbot: QtBot, window: MainWindow) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    heading = window.diary.patient_label
    button = window.diary.log.save_button
    digit = window.diary.log.scales.scales["index"].buttons[7]
    before = [w.font().pointSizeF() for w in (heading, button, digit)]
    window.look.larger_text_action.setChecked(True)
    after = [w.font().pointSizeF() for w in (heading, button, digit)]
    assert after == pytest.approx([size * 1.25 for size in before])
    assert after[0] > after[1]  # headings stay larger than body text
    window.look.larger_text_action.setChecked(False)
    assert [w.font().pointSizeF() for w in (heading, button, digit)] == pytest.approx(before)


def test_about_says_where_the_diary_and_its_backups_are(
    qtbot: QtBot, window: MainWindow, db_path: Path
) -> None:
    seen: dict[str, str] = {}

    def read(dialog: object) -> None:
        assert isinstance(dialog, QMessageBox)
        seen["text"] = dialog.text() + "\n" + dialog.informativeText()
        dialog.accept()

    when_dialog_opens(read)  # type: ignore[arg-type]
    window.files.about()
    assert f"paintrack {__version__}" in seen["text"]
    assert str(db_path) in seen["text"]
    assert str(db_path.parent / "backups") in seen["text"]


@pytest.mark.parametrize("choice", ["Save my score", "Go back", "Close without saving"])
def test_closing_with_a_chosen_unsaved_score_asks_first(
    qtbot: QtBot, window: MainWindow, clock: FakeClock, choice: str
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    window.quiet = False
    window.diary.log.scales.scales["index"].set_value(6)

    def answer(dialog: object) -> None:
        assert isinstance(dialog, QMessageBox)
        assert "not saved" in dialog.text()
        (button,) = [b for b in dialog.buttons() if b.text() == choice]
        button.click()

    when_dialog_opens(answer)  # type: ignore[arg-type]
    patient_id = window.current_patient_id
    closed = window.close()
    if choice == "Go back":
        assert not closed and window.isVisible()
        assert window.diary.log.scales.scales["index"].value() == 6
        window.quiet = True
        return
    assert closed
    from paintrack.store import open_store

    with open_store(str(window.db_target)) as again:
        (block,) = again.load_diary(patient_id).blocks  # type: ignore[arg-type]
        scores = [e.scores["index"] for e in block.entries]
    assert scores == ([6] if choice == "Save my score" else [])


@pytest.mark.parametrize("choice", ["Save my score", "Go back", "Go on without saving"])
def test_opening_block_details_with_a_chosen_unsaved_score_asks_first(
    qtbot: QtBot, window: MainWindow, clock: FakeClock, choice: str
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    window.quiet = False
    window.diary.log.scales.scales["index"].set_value(6)
    asked: list[str] = []

    def answer(dialog: object) -> None:
        assert isinstance(dialog, QMessageBox)
        asked.append(dialog.text())
        (button,) = [b for b in dialog.buttons() if b.text() == choice]
        button.click()

    when_dialog_opens(answer)  # type: ignore[arg-type]
    block = window.diary.current_block()
    window.blocks.edit_block(block)
    window.quiet = True
    assert asked and "not saved" in asked[0]
    if choice == "Go back":
        assert window.pages.currentWidget() is window.diary
        assert window.diary.log.scales.scales["index"].value() == 6
        return
    assert window.pages.currentWidget() is window.block_form
    saved = window.store.load_diary(window.current_patient_id).blocks[0].entries
    assert [e.scores["index"] for e in saved] == ([6] if choice == "Save my score" else [])
