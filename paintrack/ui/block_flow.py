"""The block form's way through the window: Add a block and Block details open it (after
offering to save a chosen score), Save stores the block and goes back to the diary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from paintrack.clinical.model import Block
from paintrack.errors import UserError
from paintrack.operations import diary as diary_ops
from paintrack.ui.closing import CloseGuard
from paintrack.ui.reminding import Reminding

if TYPE_CHECKING:
    from paintrack.ui.host import WindowHost


class BlockFlow:
    def __init__(self, window: WindowHost, guard: CloseGuard, reminding: Reminding) -> None:
        self.window = window
        self.guard = guard
        self.reminding = reminding

    def show_block_form(self) -> None:
        w = self.window
        if w.current_patient_id is None or not self.guard.unsaved_score_handled(leaving=False):
            return
        opened = w.page.diary
        w.block_form.reset(next_sequence=len(opened.blocks) + 1 if opened else 1)
        w.show_page(w.block_form, prefix="Add a block — ")
        w.block_form.focus_first()

    def edit_block(self, block: Block) -> None:
        w = self.window
        if not self.guard.unsaved_score_handled(leaving=False):
            return
        w.block_form.edit(block)
        w.show_page(w.block_form, prefix="Block details — ")
        w.block_form.focus_first()

    def cancelled(self) -> None:
        w = self.window
        if w.page.current_block() is None:
            w.show_welcome()
            return
        w.show_page(w.page)
        w.page.log.focus_scale()

    def save_block(self, block: Block, reason: str | None) -> None:
        w = self.window
        patient_id, store, now = w.current_patient_id, w.store, w.clock.now()
        assert patient_id is not None and store is not None
        try:
            if reason is None:
                saved = diary_ops.add_block(store, patient_id, block, now=now)
            else:
                saved = diary_ops.change_block(store, patient_id, block, reason=reason, now=now)
        except UserError as error:
            failed = "The block was not saved." if reason is None else "The change was not saved."
            w.problems.show(error, failed)
            return
        w.page.block_id = saved.block.id
        w.page.show_state(saved.state)
        w.remember()
        w.show_page(w.page)
        self.reminding.feed()
        w.page.log.focus_scale()
        w.statusBar().showMessage("Block saved.", 8000)
        w.diary_changed.emit(patient_id)
