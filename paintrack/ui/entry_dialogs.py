"""Dialogs for the less routine work: paper-log transcription, corrections, deletion, history.

Routine saves never use a dialog; these are explicit, rarer actions. Corrections and deletions
require a reason in the patient's words, and a deletion asks for confirmation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from paintrack.clinical.audit import AuditAction, AuditRecord
from paintrack.clinical.model import Block, Entry, Site, Source
from paintrack.clinical.results import BlockResult, PointState
from paintrack.clinical.timing import WINDOW_FUTURE_SLACK, diary_closes_at
from paintrack.ui.block_form import from_qdatetime, to_qdatetime
from paintrack.ui.clock import Clock, day_and_time_text, local
from paintrack.ui.log_panel import before_block_note, time_problem
from paintrack.ui.scale import describe
from paintrack.ui.widgets import (
    DateTimeField,
    heading,
    hint,
    message_label,
    show_message,
)

SITE_NAMES: dict[str, str] = {Site.INDEX: "Score", Site.LEFT: "Left", Site.RIGHT: "Right"}


def score_combo(name: str, allow_blank: bool = True) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    if allow_blank:
        combo.addItem("—", None)
    for score in range(11):
        combo.addItem(describe(score), score)
    return combo


def _dialog_buttons(ok_text: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox()
    ok = buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
    ok.setObjectName("Primary")
    ok.setAccessibleName(ok_text)
    cancel = buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
    cancel.setAccessibleName("Cancel")
    return buttons


class PaperLogDialog(QDialog):
    """Several past scores at once, typed in from a paper diary; saved as source "paper"."""

    def __init__(
        self,
        block: Block,
        result: BlockResult | None,
        clock: Clock,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.block = block
        self.clock = clock
        self.setWindowTitle("Enter from my paper log")
        self.resize(760, 520)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Enter from my paper log", 1.4))
        layout.addWidget(
            hint(
                "Type in the scores you wrote on paper, with the time written next to each. "
                "Rows without a score are skipped. These scores are marked as copied from paper."
            )
        )
        self.closes_at = diary_closes_at(block, result.schedule if result is not None else ())
        self.sites = tuple(block.sites)
        headers = ["Time on the paper"] + [SITE_NAMES.get(s, s) for s in self.sites] + ["Note"]
        self.table = QTableWidget(0, len(headers))
        self.table.setAccessibleName("Scores from the paper log")
        self.table.setHorizontalHeaderLabels(headers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        row_buttons = QHBoxLayout()
        self.add_row_button = QPushButton("Add a row")
        self.add_row_button.setAccessibleName("Add a row")
        row_buttons.addWidget(self.add_row_button)
        row_buttons.addStretch(1)
        layout.addLayout(row_buttons)
        # Rows at or before the block count as the pain before it: said per row, as typed.
        self.notes = message_label("Hint")
        self.notes.setAccessibleName("About the times")
        layout.addWidget(self.notes)
        self.error = message_label("Error")
        layout.addWidget(self.error)
        buttons = _dialog_buttons("Save these scores")
        layout.addWidget(buttons)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.add_row_button.clicked.connect(lambda: self.add_row(None))

        # Offer the points that have no score yet and whose time has come.
        now = clock.now()
        offered = 0
        if result is not None:
            for point in result.schedule:
                if point.state in (PointState.MISSED, PointState.DUE_NOW) and point.at <= now:
                    self.add_row(point.at)
                    offered += 1
        if not offered:
            self.add_row(None)

    def add_row(self, at: datetime | None) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        when = DateTimeField()
        when.setDisplayFormat("ddd d MMM  HH:mm")
        when.setAccessibleName(f"Time of row {row + 1}")
        # A new row starts at now, or at the end of the block's diary if that has passed.
        when.setDateTime(to_qdatetime(at or min(self.clock.now(), self.closes_at)))
        when.dateTimeChanged.connect(lambda _value: self._update_notes())
        self.table.setCellWidget(row, 0, when)
        for column, site in enumerate(self.sites, start=1):
            self.table.setCellWidget(
                row, column, score_combo(f"{SITE_NAMES.get(site, site)} for row {row + 1}")
            )
        note = QLineEdit()
        note.setAccessibleName(f"Note for row {row + 1}")
        self.table.setCellWidget(row, len(self.sites) + 1, note)
        self.table.resizeRowsToContents()
        self._update_notes()
        return row

    def _update_notes(self) -> None:
        now = self.clock.now()
        lines = []
        for row in range(self.table.rowCount()):
            when = self.table.cellWidget(row, 0)
            if not isinstance(when, QDateTimeEdit):
                continue
            at = from_qdatetime(when.dateTime())
            # A time that cannot be kept is said on Save, with the row to change.
            problem = time_problem(at, self.block, self.closes_at, now)
            said = "" if problem else before_block_note(at, self.block, now)
            if said:
                lines.append(f"Row {row + 1}: {said}")
        show_message(self.notes, "\n".join(lines))

    def set_row(self, row: int, at: datetime, scores: dict[str, int], note: str = "") -> None:
        """Fill a row (tests and keyboard users alike go through the same widgets)."""
        when = self.table.cellWidget(row, 0)
        assert isinstance(when, QDateTimeEdit)
        when.setDateTime(to_qdatetime(at))
        for column, site in enumerate(self.sites, start=1):
            combo = self.table.cellWidget(row, column)
            assert isinstance(combo, QComboBox)
            combo.setCurrentIndex(combo.findData(scores.get(site)))
        note_edit = self.table.cellWidget(row, len(self.sites) + 1)
        assert isinstance(note_edit, QLineEdit)
        note_edit.setText(note)

    def entries(self) -> list[Entry]:
        """The filled rows as paper entries; raises ValueError with a plain message if wrong."""
        now = self.clock.now()
        found: list[Entry] = []
        seen: set[datetime] = set()
        for row in range(self.table.rowCount()):
            when = self.table.cellWidget(row, 0)
            assert isinstance(when, QDateTimeEdit)
            scores: dict[str, int] = {}
            for column, site in enumerate(self.sites, start=1):
                combo = self.table.cellWidget(row, column)
                assert isinstance(combo, QComboBox)
                if combo.currentData() is not None:
                    scores[site] = int(combo.currentData())
            if not scores:
                continue
            at = from_qdatetime(when.dateTime())
            if at - now > WINDOW_FUTURE_SLACK:
                raise ValueError(f"Row {row + 1} has a time in the future. Please check it.")
            problem = time_problem(at, self.block, self.closes_at, now)
            if problem:
                raise ValueError(f"Row {row + 1}: {problem}")
            if at in seen:
                raise ValueError(f"Two rows have the same time ({at:%H:%M}). Keep only one.")
            seen.add(at)
            note_edit = self.table.cellWidget(row, len(self.sites) + 1)
            assert isinstance(note_edit, QLineEdit)
            found.append(
                Entry(
                    at=min(at, now),
                    recorded_at=now,
                    scores=scores,
                    source=Source.PAPER,
                    note=note_edit.text().strip(),
                )
            )
        return sorted(found, key=lambda entry: entry.at)

    def _accept(self) -> None:
        try:
            entries = self.entries()
        except ValueError as problem:
            show_message(self.error, str(problem))
            return
        if not entries:
            show_message(self.error, "Please choose at least one score, or press Cancel.")
            return
        self.accept()


def _reason_missing(dialog: QDialog, reason: QLineEdit, error: QLabel, doing: str) -> bool:
    """A correction or deletion needs a reason: say so next to the field and go back to it."""
    if reason.text().strip():
        return False
    show_message(error, f"Please say briefly why you are {doing} it.")
    dialog.adjustSize()
    reason.setFocus()
    return True


def _grow_with_messages(dialog: QDialog, reason: QLineEdit) -> None:
    """The dialog is wide enough for its message on one line and grows when one appears
    (never squeezing the fields); typing a reason takes the "reason needed" message away."""
    dialog.setMinimumWidth(max(560, dialog.fontMetrics().horizontalAdvance("x" * 60)))
    error = getattr(dialog, "error", None)
    if not isinstance(error, QLabel):
        return
    error.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

    def reason_changed(text: str) -> None:
        if text.strip() and "why" in error.text().lower():
            show_message(error, "")
            dialog.adjustSize()

    reason.textChanged.connect(reason_changed)


class AmendDialog(QDialog):
    """Correct an entry's scores or note; the reason is required and the original is kept."""

    def __init__(self, block: Block, entry: Entry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry = entry
        self.setWindowTitle("Correct an entry")
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Correct an entry", 1.4))
        layout.addWidget(
            hint(
                f"The score for {day_and_time_text(entry.at)}. "
                "The original stays in the entry's history."
            )
        )
        form = QFormLayout()
        self.scores: dict[str, QComboBox] = {}
        for site in block.sites:
            combo = score_combo(SITE_NAMES.get(site, site), allow_blank=len(block.sites) > 1)
            combo.setCurrentIndex(combo.findData(entry.scores.get(site)))
            form.addRow(SITE_NAMES.get(site, site), combo)
            self.scores[site] = combo
        self.rescue = QCheckBox("I took pain medicine")
        self.rescue.setChecked(entry.rescue_medication)
        form.addRow("", self.rescue)
        self.note = QLineEdit(entry.note)
        self.note.setAccessibleName("Note")
        form.addRow("Note", self.note)
        self.reason_edit = QLineEdit()
        self.reason_edit.setAccessibleName("Why are you correcting it? (required)")
        self.reason_edit.setPlaceholderText("for example: I pressed the wrong number")
        form.addRow("Why? (required)", self.reason_edit)
        layout.addLayout(form)
        self.error = message_label("Error")
        layout.addWidget(self.error)
        buttons = _dialog_buttons("Save the correction")
        layout.addWidget(buttons)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        _grow_with_messages(self, self.reason_edit)
        self.reason_edit.setFocus()

    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def result_entry(self) -> Entry:
        scores = {
            site: int(combo.currentData())
            for site, combo in self.scores.items()
            if combo.currentData() is not None
        }
        return replace(
            self.entry,
            scores=scores,
            rescue_medication=self.rescue.isChecked(),
            note=self.note.text().strip(),
        )

    def _accept(self) -> None:
        if _reason_missing(self, self.reason_edit, self.error, "correcting"):
            return
        if not self.result_entry().scores:
            show_message(self.error, "Please keep at least one score, or delete the entry.")
            self.adjustSize()
            return
        self.accept()


class DeleteDialog(QDialog):
    """Confirm a deletion, with a required reason; the entry stays in the history."""

    def __init__(self, entry: Entry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Delete an entry?")
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Delete this entry?", 1.4))
        scores = ", ".join(str(v) for v in entry.scores.values())
        layout.addWidget(
            hint(
                f"The score {scores} for {day_and_time_text(entry.at)} will no longer count. "
                "It stays in the history, so the clinic can see what happened."
            )
        )
        self.reason_edit = QLineEdit()
        self.reason_edit.setAccessibleName("Why are you deleting it? (required)")
        self.reason_edit.setPlaceholderText("for example: I entered it twice")
        layout.addWidget(QLabel("Why? (required)"))
        layout.addWidget(self.reason_edit)
        self.error = message_label("Error")
        layout.addWidget(self.error)
        buttons = _dialog_buttons("Delete the entry")
        # Safer default: Enter does not delete; the patient chooses the button.
        for button in buttons.buttons():
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)
                button.setDefault(False)
        layout.addWidget(buttons)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        _grow_with_messages(self, self.reason_edit)
        self.reason_edit.setFocus()

    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def _accept(self) -> None:
        if _reason_missing(self, self.reason_edit, self.error, "deleting"):
            return
        self.accept()


ACTION_WORDS: dict[str, str] = {
    AuditAction.ADD_ENTRY: "Written down",
    AuditAction.AMEND_ENTRY: "Changed",
    AuditAction.DELETE_ENTRY: "Deleted",
    AuditAction.IMPORT: "Imported",
}
SITE_WORDS: dict[str, str] = {
    Site.INDEX: "usual pain",
    Site.LEFT: "left side",
    Site.RIGHT: "right side",
}


def _when(moment: datetime) -> str:
    """ "Thu 26 Nov 18:20" in the computer's time zone."""
    shown = local(moment)
    return f"{shown:%a} {shown.day} {shown:%b} {shown:%H:%M}"


def _score_lines(old: object, new: object) -> list[str]:
    """ "Score: 3 → 1 (usual pain)" per site; "Score: 3 (usual pain)" for a new entry."""
    before = old if isinstance(old, dict) else {}
    after = new if isinstance(new, dict) else {}
    lines = []
    for site in [*before, *(s for s in after if s not in before)]:
        where = SITE_WORDS.get(site, site)
        if site in before and site in after:
            if before[site] == after[site]:
                continue
            lines.append(f"Score: {before[site]} → {after[site]} ({where})")
        elif site in after:
            lines.append(
                f"Score: {after[site]} ({where})"
                if not before
                else f"Score added: {after[site]} ({where})"
            )
        else:
            lines.append(f"Score removed: {before[site]} ({where})")
    return lines


def _plain(key: str, value: object) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key == "at" and isinstance(value, str):
        try:
            return _when(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return value
    if isinstance(value, float):
        return f"{value:g}"
    return f"“{value}”" if isinstance(value, str) else str(value)


FIELD_WORDS = (
    ("at", "Time of the score"),
    ("note", "Note"),
    ("rescue_medication", "Took pain medicine"),
    ("patient_relief_percent", "Own estimate of relief (%)"),
    ("activity", "Activity"),
)


def describe_change(record: AuditRecord) -> str:
    """One history line in plain words: what happened, who, when and why, then what changed."""
    action = ACTION_WORDS.get(record.action, record.action.replace("_", " ").capitalize())
    new_source = (record.new or {}).get("source")
    if record.action == AuditAction.ADD_ENTRY and new_source == "paper":
        action += " from a paper log"
    line = f"{action} by {record.actor} on {_when(record.at)}"
    if record.reason:
        line += f" — reason: {record.reason}"
    old = dict(record.old or {})
    new = dict(record.new or {})
    details: list[str] = []
    if record.action == AuditAction.DELETE_ENTRY:
        details += [
            f"Score was {v} ({SITE_WORDS.get(s, s)})" for s, v in (old.get("scores") or {}).items()
        ]
    else:
        details += _score_lines(old.get("scores") if old else None, new.get("scores"))
    if old and new:
        for key, words in FIELD_WORDS:
            if old.get(key) != new.get(key):
                details.append(
                    f"{words}: {_plain(key, old.get(key))} → {_plain(key, new.get(key))}"
                )
    return "\n".join([line, *(f"    {detail}" for detail in details)])


class HistoryDialog(QDialog):
    def __init__(
        self, entry: Entry, history: Sequence[AuditRecord], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("History of an entry")
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(f"History of the score for {day_and_time_text(entry.at)}", 1.3))
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName("History")
        self.text.setPlainText("\n\n".join(describe_change(record) for record in history))
        layout.addWidget(self.text, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        close.accepted.connect(self.accept)
        layout.addWidget(close)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
