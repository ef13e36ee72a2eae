"""Review's notes and sign-off: beside each target's verdict its clinician notes (who, when) and,
for a clinician, "Add note…"; the summary's signature (or that it is outdated) and "Sign
summary…" with a confirmation saying what is signed; and "Print…", which prints the PDF summary
through the system print dialog. Staff and patient mode see notes and signatures read-only."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from paintrack.clinical.model import Diary, Region, Side
from paintrack.clinical.people import SignedIn
from paintrack.clinical.results import DiaryAnalysis
from paintrack.clinical.signoff import NOTE_MAX_LENGTH, SignOff, TargetNote
from paintrack.clinical.wording import target_text
from paintrack.errors import UserError
from paintrack.operations import review as review_ops
from paintrack.operations import signoff as signoff_ops
from paintrack.ui import printing
from paintrack.ui.problems import Problems
from paintrack.ui.running import OperationRunner
from paintrack.wording import signoff as signoff_words

if TYPE_CHECKING:
    from paintrack.operations import Store

SIGNED_COLOUR = "#006b3c"
OUTDATED_COLOUR = "#a0300b"
SIGN_EXPLAINED = (
    "Your name and the time are recorded in the audit trail with a fingerprint of the diary as "
    "it is now. Any later change to the diary (an entry added, corrected or deleted, a block "
    "changed) marks this signature as outdated."
)
# The focus ring (3 px in calm.qss) takes its room from the padding, so text is never clipped.
COMPACT_BUTTONS = (
    "QPushButton { padding: 2px 10px; min-height: 0px; } QPushButton:focus { padding: 0px 8px; }"
)
NOTE_EXPLAINED = (
    "Saved with your name and the time, and printed on the PDF summary. A later edit keeps "
    "this text in the record."
)


class NoteDialog(QDialog):
    """Write a note on one target's verdict (or a new version of one)."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{title}</b>"))
        self.editor = QPlainTextEdit(text)
        self.editor.setAccessibleName("Note text")
        self.editor.setPlaceholderText("e.g. plan right C3-C5 RFA")
        layout.addWidget(self.editor)
        explained = QLabel(NOTE_EXPLAINED)
        explained.setWordWrap(True)
        layout.addWidget(explained)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(460, 240)

    @property
    def text(self) -> str:
        return self.editor.toPlainText()

    def save_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)


class SignOffPanel(QFrame):
    """Notes beside each target's verdict, the signature, and the buttons that change them."""

    changed = Signal()  # a note or a signature was saved
    status = Signal(str)  # a one-line outcome for Review's status line
    print_finished = Signal(int)  # pages printed
    print_failed = Signal(str)  # the message shown

    def __init__(
        self,
        store: Store,
        problems: Problems,
        runner: OperationRunner,
        *,
        now: Callable[[], datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SignOff")
        self.setAccessibleName("Clinician notes and sign-off")
        self.store = store
        self.problems = problems
        self.runner = runner
        self._now = now
        self.who: SignedIn | None = None
        self.diary: Diary | None = None
        self.analysis: DiaryAnalysis | None = None
        self.sign_off = SignOff()
        self.note_dialog: NoteDialog | None = None
        self.confirmation: QMessageBox | None = None
        self._pending_request: signoff_ops.SignRequest | None = None
        # Compact: Review's tabs below need the height (the checklist must not scroll).
        self.setStyleSheet(COMPACT_BUTTONS)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.targets_box = QWidget()
        self.targets = QGridLayout(self.targets_box)
        self.targets.setContentsMargins(0, 0, 0, 0)
        self.targets.setVerticalSpacing(2)
        self.targets.setColumnStretch(1, 1)
        layout.addWidget(self.targets_box)
        sign_row = QHBoxLayout()
        sign_row.setContentsMargins(0, 0, 0, 0)
        self.signature = QLabel("")
        self.signature.setAccessibleName("Signature of the summary")
        self.signature.setWordWrap(True)
        self.signature.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        sign_row.addWidget(self.signature, 1)
        self.sign_button = QPushButton("Sign summary…")
        self.sign_button.setToolTip("Sign this patient's summary as reviewed (clinicians only)")
        self.sign_button.clicked.connect(self.ask_to_sign)
        sign_row.addWidget(self.sign_button)
        layout.addLayout(sign_row)
        # Beside Export PDF… in Review's row (Review places it); Ctrl+P is the window's File menu.
        self.print_button = QPushButton("Print…")
        self.print_button.setToolTip("Print the PDF summary (Ctrl+P)")
        self.print_button.setEnabled(False)
        self.note_buttons: dict[tuple[Region, Side], QPushButton] = {}
        self.note_labels: dict[tuple[Region, Side], QLabel] = {}
        self.request_for_print: Callable[[], review_ops.SummaryRequest | None] = lambda: None
        self._show_buttons()

    # --- who may change what ------------------------------------------------------------------

    @property
    def may_change(self) -> bool:
        return self.who is not None and self.who.is_clinician

    def set_signed_in(self, who: SignedIn | None) -> None:
        """Who is at the keyboard: a clinician writes notes and signs; anyone else reads."""
        self.who = who
        self._show_buttons()

    def _show_buttons(self) -> None:
        allowed = self.may_change and self.diary is not None
        self.sign_button.setVisible(allowed)
        for button in self.note_buttons.values():
            button.setVisible(allowed)
        # Out of the way (Review's tabs need the height) when there is nothing to read and
        # nothing this person may do: patient mode, or staff before any note or signature.
        has_content = bool(self.sign_off.notes) or self.sign_off.signature is not None
        self.setVisible(self.diary is not None and (allowed or has_content))
        self._settle()

    def _settle(self) -> None:
        """Lay Review's column out again now: a word-wrapped label (the verdict, these notes)
        gets its height for its width only on a second pass, which would otherwise come later
        and move everything under it by a line."""
        holder = self.parentWidget()
        layout = holder.layout() if holder is not None else None
        if layout is not None:
            layout.invalidate()
            layout.activate()

    # --- showing ------------------------------------------------------------------------------

    def clear(self) -> None:
        self.diary = None
        self.analysis = None
        self.sign_off = SignOff()
        self._fill()
        self.print_button.setEnabled(False)

    def show_for(self, diary: Diary, analysis: DiaryAnalysis) -> None:
        """The notes and signature of the diary on screen, read again from the store."""
        self.diary = diary
        self.analysis = analysis
        try:
            self.sign_off = signoff_ops.sign_off(self.store, diary.patient.id)
        except UserError as error:
            self.sign_off = SignOff()
            self.problems.show(error, "The notes and signature could not be read.")
        self._fill()
        self.print_button.setEnabled(True)

    def _targets(self) -> list[tuple[Region, Side]]:
        shown: list[tuple[Region, Side]] = []
        if self.analysis is not None:
            shown = [(t.region, t.side) for t in self.analysis.preset.targets]
        for note in self.sign_off.notes:
            if note.target not in shown:
                shown.append(note.target)
        return shown

    def _fill(self) -> None:
        while self.targets.count():
            item = self.targets.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # at once: deleteLater waits for the event loop
                widget.deleteLater()
        self.note_buttons.clear()
        self.note_labels.clear()
        zone = signoff_words.shown_zone(self.diary)
        for row, (region, side) in enumerate(self._targets()):
            where = QLabel(f"<b>Notes on {target_text(region, side)}:</b>")
            where.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            notes = self.sign_off.notes_for(region, side)
            label = QLabel(
                "\n".join(signoff_words.note_line(note, zone) for note in notes)
                or signoff_words.NO_NOTES
            )
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setAccessibleName(f"Notes on {target_text(region, side)}")
            button = QPushButton("Add note…")
            button.setToolTip(f"Write a note on the verdict for {target_text(region, side)}")
            button.clicked.connect(lambda _checked=False, r=region, s=side: self.add_note(r, s))
            self.targets.addWidget(where, row, 0, Qt.AlignmentFlag.AlignTop)
            self.targets.addWidget(label, row, 1, Qt.AlignmentFlag.AlignTop)
            self.targets.addWidget(button, row, 2, Qt.AlignmentFlag.AlignTop)
            # Shown now, not when the event loop gets round to it (a layout's queued show).
            where.setVisible(True)
            label.setVisible(True)
            self.note_buttons[(region, side)] = button
            self.note_labels[(region, side)] = label
        text = signoff_words.signature_text(self.sign_off, zone)
        colour = OUTDATED_COLOUR if self.sign_off.outdated else SIGNED_COLOUR
        if self.sign_off.signature is None:
            self.signature.setStyleSheet("")
        else:
            self.signature.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.signature.setText(text)
        self._show_buttons()

    def notes_text(self, region: Region, side: Side) -> str:
        label = self.note_labels.get((region, side))
        return label.text() if label is not None else ""

    # --- notes --------------------------------------------------------------------------------

    def add_note(self, region: Region, side: Side) -> NoteDialog | None:
        """Open the note dialog for the target; saving it stores the note."""
        if self.diary is None or not self.may_change:
            return None
        dialog = NoteDialog(f"Note on {target_text(region, side)}", "", self)
        dialog.editor.textChanged.connect(
            lambda: dialog.save_button().setEnabled(0 < len(dialog.text.strip()) <= NOTE_MAX_LENGTH)
        )
        dialog.save_button().setEnabled(False)
        dialog.accepted.connect(lambda: self._save_note(region, side, dialog.text))
        self.note_dialog = dialog
        dialog.open()
        return dialog

    def _save_note(self, region: Region, side: Side, text: str) -> None:
        if self.diary is None:
            return
        try:
            signoff_ops.add_note(self.store, self.who, self.diary.patient.id, region, side, text)
        except UserError as error:
            self.problems.show(error, "The note was not saved.")
            return
        self._reread()
        self.status.emit(f"Saved the note on {target_text(region, side)}.")

    def notes(self) -> tuple[TargetNote, ...]:
        return self.sign_off.notes

    # --- signing ------------------------------------------------------------------------------

    def ask_to_sign(self) -> QMessageBox | None:
        """The confirmation, saying exactly what is signed; "Sign" records the signature."""
        if self.diary is None or self.analysis is None or not self.may_change:
            return None
        request = signoff_ops.sign_request(
            self.diary, str(self.analysis.preset.preset), now=self._now()
        )
        self._pending_request = request
        box = QMessageBox(self)
        box.setWindowTitle("Sign summary")
        box.setIcon(QMessageBox.Icon.Question)
        box.setText("Sign this summary as reviewed?")
        box.setInformativeText(f"{request.statement}\n\n{SIGN_EXPLAINED}")
        sign = box.addButton("Sign", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(lambda button: self._sign(request) if button is sign else None)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.confirmation = box
        box.open()
        return box

    def sign_button_of(self, box: QMessageBox) -> QPushButton:
        for button in box.buttons():
            if box.buttonRole(button) == QMessageBox.ButtonRole.AcceptRole:
                assert isinstance(button, QPushButton)
                return button
        raise LookupError("the confirmation has no Sign button")

    def _sign(self, request: signoff_ops.SignRequest) -> None:
        try:
            signoff_ops.sign_summary(self.store, self.who, request)
        except UserError as error:
            self.problems.show(error, "The summary was not signed.")
            return
        self._reread()
        self.status.emit("Signed the summary.")

    def _reread(self) -> None:
        if self.diary is not None and self.analysis is not None:
            self.show_for(self.diary, self.analysis)
        self.changed.emit()

    # --- printing -----------------------------------------------------------------------------

    def print_summary(self, printer: QPrinter | None = None) -> None:
        """The system print dialog, then the PDF summary printed on the printer chosen; the
        pages are prepared off the UI thread with a busy indicator."""
        request = self.request_for_print()
        if request is None:
            self.status.emit("Choose a patient first: there is no summary to print.")
            return
        chosen = printer or QPrinter(QPrinter.PrinterMode.HighResolution)
        printing.prepare(chosen, request.paper)
        dialog = QPrintDialog(chosen, self)
        dialog.setWindowTitle("Print the PDF summary")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        dpi = printing.render_dpi(chosen)
        store = self.store
        printer_name, copies = chosen.printerName(), max(1, chosen.copyCount())
        self.print_button.setEnabled(False)
        self.status.emit("Preparing the summary for the printer…")

        def pages() -> list[QImage]:
            with tempfile.TemporaryDirectory(prefix="paintrack-print-") as folder:
                pdf = review_ops.write_summary_to_print(
                    store,
                    request,
                    str(Path(folder) / "summary.pdf"),
                    printer=printer_name or "unnamed printer",
                    copies=copies,
                )
                return printing.render_pages(pdf, dpi)

        self.runner.run(
            "Preparing the summary for the printer…",
            pages,
            lambda images: self._paint(chosen, images),
            what_happened="The summary was not printed.",
            after=lambda: self.print_button.setEnabled(self.diary is not None),
            failed=self._print_failed,
            nothing_lost="Nothing was printed; the diary itself is unchanged.",
            show_after_ms=400,
        )

    def _paint(self, printer: QPrinter, images: list[QImage]) -> None:
        try:
            count = printing.paint_pages(printer, images)
        except UserError as error:
            self._print_failed(error)
            self.problems.show(error, "The summary was not printed.")
            return
        where = printer.printerName() or printer.outputFileName() or "the printer"
        self.status.emit(f"Sent {count} page{'s' if count != 1 else ''} to {where}.")
        self.print_finished.emit(count)

    def _print_failed(self, error: UserError) -> None:
        self.status.emit("The summary was not printed.")
        self.print_failed.emit(error.message)
