"""The entry dialogs of the diary: scores from a paper log, a correction, a deletion, and an
entry's history. Each asks in its dialog, runs one operation, and shows the diary it returns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from paintrack.clinical.model import Block, Entry
from paintrack.errors import UserError
from paintrack.operations import diary as diary_ops
from paintrack.operations.diary import DiaryState
from paintrack.ui.clock import clock_text

if TYPE_CHECKING:
    from paintrack.ui.host import WindowHost

CORRECTED = "Correction saved. The original is kept in the entry's history."
DELETED = "Entry deleted. It is still kept in the history for the clinic."


class EntryActions:
    def __init__(self, window: WindowHost) -> None:
        self.window = window

    def _changed(self, state: DiaryState, said: str, status: str) -> None:
        window = self.window
        window.page.show_state(state)
        window.diary_saved()
        if said:
            window.page.log.announce(said)
        window.statusBar().showMessage(status, 8000)

    def _back_to_the_scale(self) -> None:
        """Back to the scale once a dialog has closed (after Qt has restored the old focus)."""
        QTimer.singleShot(0, self.window.widget, lambda: self.window.page.log.focus_scale())

    def paper_log(self, block: Block | None = None) -> None:
        from paintrack.ui.entry_dialogs import PaperLogDialog

        window, page = self.window, self.window.page
        block = block or page.current_block()
        if block is None or page.patient_id is None:
            return
        dialog = PaperLogDialog(block, page.current_result(), window.clock, window.widget)
        # One transaction: a line the diary refuses saves none of them, and the dialog comes
        # back with every line as typed, to fix that one and save again.
        while dialog.exec():
            entries = dialog.entries()
            if not entries:
                break
            try:
                saved = diary_ops.save_paper_scores(
                    window.stored, page.patient_id, block.id, entries, now=window.clock.now()
                )
            except UserError as error:
                window.problems.show(
                    error,
                    f"None of the {len(entries)} lines were saved yet. Your lines are kept: "
                    "fix the one named here and save again.",
                )
                continue
            count = len(saved.entries)
            times = ", ".join(clock_text(e.at) for e in entries)
            words = "score" if count == 1 else "scores"
            self._changed(
                saved.state,
                f"Saved {count} {words} from your paper log ({times}), marked as copied from "
                "paper.",
                f"{count} scores from your paper log saved.",
            )
            break
        dialog.deleteLater()
        self._back_to_the_scale()

    def amend_entry(self, block: Block, entry: Entry) -> None:
        from paintrack.ui.entry_dialogs import AmendDialog

        window, patient_id = self.window, self.window.page.patient_id
        dialog = AmendDialog(block, entry, window.widget)
        accepted = dialog.exec()
        new, reason = dialog.result_entry(), dialog.reason()
        dialog.deleteLater()
        if accepted and patient_id is not None:
            try:
                state = diary_ops.correct_entry(
                    window.stored, patient_id, entry.id, new, reason=reason, now=window.clock.now()
                )
            except UserError as error:
                window.problems.show(error, "The correction was not saved.")
            else:
                # The inline message of the last save gave figures the correction has changed.
                self._changed(state, CORRECTED, CORRECTED)
        self._back_to_the_scale()

    def delete_entry(self, block: Block, entry: Entry) -> None:
        from paintrack.ui.entry_dialogs import DeleteDialog

        window, patient_id = self.window, self.window.page.patient_id
        dialog = DeleteDialog(entry, window.widget)
        accepted = dialog.exec()
        reason = dialog.reason()
        dialog.deleteLater()
        if accepted and patient_id is not None:
            try:
                state = diary_ops.delete_entry(
                    window.stored, patient_id, entry.id, reason=reason, now=window.clock.now()
                )
            except UserError as error:
                window.problems.show(error, "The entry was not deleted.")
            else:
                self._changed(state, DELETED, DELETED)
        self._back_to_the_scale()

    def entry_history(self, entry: Entry) -> None:
        from paintrack.ui.entry_dialogs import HistoryDialog

        window = self.window
        try:
            history = diary_ops.entry_history(window.stored, entry.id)
        except UserError as error:
            window.problems.show(error, "")
        else:
            dialog = HistoryDialog(entry, history, window.widget)
            dialog.exec()
            dialog.deleteLater()
        self._back_to_the_scale()
