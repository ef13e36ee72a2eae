"""Review's notes, sign-off and printing, driven through real widgets: a clinician adds a note
and signs after a confirmation that says what is signed; a change to the diary shows the
signature as outdated; staff and patient mode read notes and signatures without the buttons;
Print… prints the PDF summary's pages through the (replaced) system print dialog."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from paintrack.clinical.people import Role, SignedIn
from paintrack.clinical.signoff import diary_fingerprint
from paintrack.errors import UserError
from paintrack.exchange.diary_json import read_diary_file
from paintrack.store import Store, open_store
from paintrack.ui import printing
from paintrack.ui import signoff as signoff_ui
from paintrack.ui.review import ReviewMode

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo" / "demo-diary.json"
NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
WRITTEN = datetime(2026, 12, 2, 14, 5, tzinfo=UTC)
CLINICIAN = SignedIn("Dr Ana Rivera", Role.CLINICIAN)
STAFF = SignedIn("Sam Staff", Role.STAFF)
SHOTS = Path("/tmp/shots-signoff")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(str(tmp_path / "review.db"), clock=lambda: WRITTEN)
    opened.import_diary(read_diary_file(DEMO), source_name="demo")
    yield opened
    opened.close()


@pytest.fixture
def review(qtbot: QtBot, store: Store) -> ReviewMode:
    widget = ReviewMode(store, now=lambda: NOW)
    qtbot.addWidget(widget)
    widget.resize(1200, 860)
    widget.show()
    qtbot.waitExposed(widget)
    assert widget.patient is not None  # the only patient opens by itself
    return widget


def _target(review: ReviewMode) -> tuple[object, object]:
    assert review.analysis is not None
    first = review.analysis.preset.targets[0]
    return first.region, first.side


def _grab(review: ReviewMode, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    review.grab().save(str(SHOTS / f"{name}.png"))


def test_a_clinician_adds_a_note_beside_the_verdict(qtbot: QtBot, review: ReviewMode) -> None:
    review.set_signed_in(CLINICIAN)
    panel = review.signoff
    region, side = _target(review)
    button = panel.note_buttons[(region, side)]  # type: ignore[index]
    assert button.isVisible() and panel.sign_button.isVisible()
    assert panel.notes_text(region, side) == "No clinician notes."  # type: ignore[arg-type]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = panel.note_dialog
    assert dialog is not None and dialog.isVisible()
    assert not dialog.save_button().isEnabled()  # nothing written yet
    qtbot.keyClicks(dialog.editor, "plan right L3-L5 RFA")
    qtbot.mouseClick(dialog.save_button(), Qt.MouseButton.LeftButton)
    shown = panel.notes_text(region, side)  # type: ignore[arg-type]
    assert shown == "plan right L3-L5 RFA — Dr Ana Rivera, 2 Dec 2026 14:05 UTC"
    assert review.export_status.text().startswith("Saved the note on ")
    notes = review.store.note_versions(review.patient.id)  # type: ignore[union-attr]
    assert [(n.text, n.author) for n in notes] == [("plan right L3-L5 RFA", CLINICIAN.name)]
    _grab(review, "review-note")


def test_signing_asks_first_and_says_what_is_signed(qtbot: QtBot, review: ReviewMode) -> None:
    review.set_signed_in(CLINICIAN)
    panel = review.signoff
    assert panel.signature.text() == "Not signed."
    qtbot.mouseClick(panel.sign_button, Qt.MouseButton.LeftButton)
    box = panel.confirmation
    assert box is not None and box.isVisible()
    assert "I have reviewed the pain diary summary of Alex Sample" in box.informativeText()
    assert "2 blocks" in box.informativeText() and "ASRA 2020 preset" in box.informativeText()
    assert "marks this signature as outdated" in box.informativeText()
    # Cancel signs nothing.
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert review.store.signatures(review.patient.id) == []  # type: ignore[union-attr]
    assert panel.signature.text() == "Not signed."

    box = panel.ask_to_sign()
    assert box is not None
    qtbot.mouseClick(panel.sign_button_of(box), Qt.MouseButton.LeftButton)
    assert panel.signature.text() == "Signed by Dr Ana Rivera on 2 Dec 2026 14:05 UTC"
    _grab(review, "review-signed")


def test_a_change_to_the_diary_shows_the_signature_outdated(
    qtbot: QtBot, review: ReviewMode, store: Store
) -> None:
    review.set_signed_in(CLINICIAN)
    box = review.signoff.ask_to_sign()
    assert box is not None
    qtbot.mouseClick(review.signoff.sign_button_of(box), Qt.MouseButton.LeftButton)
    patient_id = review.patient.id  # type: ignore[union-attr]
    entry = store.load_diary(patient_id).blocks[0].entries[2]
    store.amend_entry(entry.id, dataclasses.replace(entry, scores={"index": 9}), reason="typo")
    with qtbot.waitSignal(review.analysed, timeout=15000):
        review.reload(patient_id)
    assert review.signoff.signature.text() == (
        "Signature outdated: the diary changed after Dr Ana Rivera signed on 2 Dec 2026 14:05 UTC."
    )
    _grab(review, "review-outdated")


def test_the_summary_signed_elsewhere_is_refused_if_the_diary_changed_meanwhile(
    qtbot: QtBot, review: ReviewMode, store: Store
) -> None:
    review.set_signed_in(CLINICIAN)
    box = review.signoff.ask_to_sign()
    assert box is not None
    patient_id = review.patient.id  # type: ignore[union-attr]
    entry = store.load_diary(patient_id).blocks[0].entries[2]
    store.delete_entry(entry.id, reason="entered twice")  # another workstation, meanwhile
    qtbot.mouseClick(review.signoff.sign_button_of(box), Qt.MouseButton.LeftButton)
    assert store.signatures(patient_id) == []
    assert "Look at the summary again" in review.errors_shown[-1]


@pytest.mark.parametrize("who", [STAFF, None], ids=["staff", "patient-mode"])
def test_staff_and_patient_mode_read_notes_and_signature_only(
    qtbot: QtBot, store: Store, who: SignedIn | None
) -> None:
    patient = store.resolve_patient(None)
    diary = store.load_diary(patient.id)
    block = diary.blocks[0]
    store.add_note(patient.id, block.region, block.side, "plan right L3-L5 RFA", actor="Dr B")
    store.sign_summary(
        patient.id,
        preset="asra-2020",
        statement="s",
        fingerprint=diary_fingerprint(diary),
        actor="Dr B",
    )
    review = ReviewMode(store, now=lambda: NOW)
    qtbot.addWidget(review)
    review.resize(1200, 860)
    review.show()
    qtbot.waitExposed(review)
    review.set_signed_in(who)
    panel = review.signoff
    assert panel.isVisible()
    assert "plan right L3-L5 RFA — Dr B" in panel.notes_text(block.region, block.side)
    assert panel.signature.text().startswith("Signed by Dr B on ")
    assert not panel.sign_button.isVisible()
    assert not any(button.isVisible() for button in panel.note_buttons.values())
    assert panel.add_note(block.region, block.side) is None and panel.ask_to_sign() is None
    if who is STAFF:
        _grab(review, "review-staff")


@pytest.mark.parametrize("who", [STAFF, None], ids=["staff", "patient-mode"])
def test_with_nothing_to_read_or_do_the_panel_keeps_out_of_the_way(
    review: ReviewMode, who: SignedIn | None
) -> None:
    review.set_signed_in(who)
    assert not review.signoff.isVisible()
    review.set_signed_in(CLINICIAN)
    assert review.signoff.isVisible() and review.signoff.sign_button.isVisible()


def _accepting_dialog(monkeypatch: pytest.MonkeyPatch) -> list[QPrinter]:
    """The system print dialog replaced by one that accepts at once, remembering its printer."""
    used: list[QPrinter] = []

    def accept(dialog: QPrintDialog) -> int:
        used.append(dialog.printer())
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    return used


def _pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setResolution(100)  # enough to check the pages; quick
    return printer


def test_print_prints_every_page_of_the_summary(
    qtbot: QtBot, review: ReviewMode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    used = _accepting_dialog(monkeypatch)
    saved = tmp_path / "saved.pdf"
    with qtbot.waitSignal(review.export_finished, timeout=30000):
        review.export_pdf(str(saved))
    out = tmp_path / "printed.pdf"
    printer = _pdf_printer(out)
    assert review.signoff.print_button.isEnabled()
    with qtbot.waitSignal(review.signoff.print_finished, timeout=60000) as finished:
        review.print_summary(printer)
    pages = len(PdfReader(saved).pages)
    assert finished.args == [pages] and pages >= 2
    assert used == [printer]
    printed = PdfReader(out)
    assert len(printed.pages) == pages
    # Each printed page carries the summary's page drawn as one image over the whole A4 sheet.
    width_mm = float(printed.pages[0].mediabox.width) / 72 * 25.4
    assert round(width_mm) == 210
    assert all(page.images for page in printed.pages)
    assert review.export_status.text() == f"Sent {pages} pages to {out}."
    assert review.signoff.print_button.isEnabled()


def test_printing_that_fails_says_so_and_prints_nothing(
    qtbot: QtBot, review: ReviewMode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _accepting_dialog(monkeypatch)

    def no_renderer(_pdf: Path, _dpi: int) -> list[object]:
        raise printing.PrintingFailed(printing.NO_RENDERER)

    monkeypatch.setattr(printing, "render_pages", no_renderer)
    out = tmp_path / "printed.pdf"
    with qtbot.waitSignal(review.signoff.print_failed, timeout=30000) as failed:
        review.print_summary(_pdf_printer(out))
    assert "Use Export PDF… instead" in str(failed.args[0])
    assert review.export_status.text() == "The summary was not printed."
    assert review.errors_shown[-1] == printing.NO_RENDERER
    assert not out.exists()
    boxes = [b for b in review.findChildren(QMessageBox) if b.isVisible()]
    assert boxes and boxes[-1].text() == "The summary was not printed."


def test_a_cancelled_print_dialog_prints_nothing(
    qtbot: QtBot, review: ReviewMode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QPrintDialog, "exec", lambda _self: int(QDialog.DialogCode.Rejected))
    out = tmp_path / "printed.pdf"
    review.print_summary(_pdf_printer(out))
    assert review.signoff.print_button.isEnabled() and not out.exists()
    assert review.runner.busy is None


def test_print_with_no_patient_says_what_to_do(qtbot: QtBot, tmp_path: Path) -> None:
    empty = open_store(str(tmp_path / "empty.db"))
    try:
        review = ReviewMode(empty, now=lambda: NOW)
        qtbot.addWidget(review)
        assert not review.signoff.print_button.isEnabled()
        review.print_summary()
        assert review.export_status.text().startswith("Choose a patient first")
    finally:
        empty.close()


@pytest.mark.qt_log_ignore(r"QPainter::begin\(\): Returned false")  # the failure under test
def test_paint_pages_refuses_a_printer_that_cannot_start() -> None:
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName("")  # a PDF printer with nowhere to write cannot begin
    with pytest.raises(UserError, match="printer could not be started"):
        printing.paint_pages(printer, [])


def test_file_print_summary_is_ctrl_p_and_prints_reviews_summary(
    qtbot: QtBot, make_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: window.review is not None, timeout=15000)
    window.store.import_diary(read_diary_file(DEMO), source_name="demo")
    review: ReviewMode = window.review
    review.refresh_patients()  # the only patient opens by itself
    assert review.patient is not None
    action = window.menus.print_summary
    assert action.shortcut().toString() == "Ctrl+P"
    # Ctrl+P is printing's alone (an ambiguous shortcut would do nothing at all).
    holders = [
        a.text() for a in window.findChildren(QAction) if a.shortcut().toString() == "Ctrl+P"
    ]
    assert holders == ["Print summary…"]
    assert window.menus.paper.shortcut().toString() == "Ctrl+Shift+P"
    _accepting_dialog(monkeypatch)
    monkeypatch.setattr(signoff_ui, "QPrinter", _FilePrinter.with_output(tmp_path / "menu.pdf"))
    with qtbot.waitSignal(review.signoff.print_finished, timeout=60000) as finished:
        action.trigger()
    assert review.isVisible()  # the menu showed Review first
    assert finished.args[0] >= 2
    assert len(PdfReader(tmp_path / "menu.pdf").pages) == finished.args[0]


class _FilePrinter(QPrinter):
    """A QPrinter that writes a PDF file: what the menu's printer becomes in a test."""

    output: Path = Path()

    def __init__(self, *_args: object) -> None:
        super().__init__(QPrinter.PrinterMode.HighResolution)
        self.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        self.setOutputFileName(str(self.output))
        self.setResolution(100)

    @classmethod
    def with_output(cls, path: Path) -> type[QPrinter]:
        return type("FilePrinter", (cls,), {"output": path})
