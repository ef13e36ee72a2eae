"""The logging panel: the baseline step, then "how is your pain now" with the next point due.

The panel builds an `Entry` from what the patient chose and hands it to the page, which saves it.
Digits go to the focused scale; Enter saves from anywhere in the panel.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from paintrack.clinical.model import LATE_AFTER, Ability, Block, Entry, Source
from paintrack.clinical.timing import (
    ScoreTiming,
    diary_closes_at,
    diary_ran_long,
    score_timing,
)
from paintrack.clinical.validation import MAX_DETAIL_CHARS
from paintrack.ui.block_form import from_qdatetime, to_qdatetime
from paintrack.ui.clock import Clock, clock_text, day_and_time_text, local
from paintrack.ui.scale import ScalePanel
from paintrack.ui.widgets import (
    Card,
    DateTimeField,
    RoomyComboBox,
    heading,
    hint,
    message_label,
    scaled_label,
    show_message,
)

ABILITIES = (
    (None, "Not tried"),
    (Ability.YES, "Yes, I could"),
    (Ability.PARTIAL, "Partly"),
    (Ability.NO, "No, I couldn't"),
)
# A confirmation stays this long; a later glance should not mistake it for a new save.
MESSAGE_LIFETIME = timedelta(minutes=10)
# Seconds an Enter meant for "Rate my pain now" (the reminder went as it was pressed) is taken
# as that, not as Save with no score chosen.
RATE_INTENT_FOR = 10.0
MISSING_PREFIX = "Please choose a score"


def _moment(at: datetime, block: Block, now: datetime) -> str:
    """ "11:00" on the block's day, "yesterday 11:00" or a date otherwise."""
    if local_date(at) == local_date(block.performed_at):
        return clock_text(at)
    return day_and_time_text(at, today=now)


def time_problem(at: datetime, block: Block, closes_at: datetime, now: datetime) -> str:
    """Why a score for `at` cannot be kept for this block, in plain words ("" if it can)."""
    timing = score_timing(at, block, closes_at, now)
    if timing == ScoreTiming.IN_FUTURE:
        return "That time is in the future. Please choose an earlier one."
    when, block_when = _moment(at, block, now), _moment(block.performed_at, block, now)
    if timing == ScoreTiming.BEFORE_WINDOW:
        return (
            f"{when} is more than a day before your block ({block_when}), so it cannot count "
            "for this block. Please check the time."
        )
    if timing == ScoreTiming.DIARY_CLOSED:
        if not diary_ran_long(block, closes_at):
            after = f"more than a day after your block ({block_when})"
        else:  # a longer protocol: the diary ran on past the first day
            ended = _moment(closes_at, block, now)
            after = f"after the diary for your block ({block_when}) ended ({ended})"
        return f"{when} is {after}: the diary for this block is finished. Please check the time."
    return ""


def before_block_note(at: datetime, block: Block, now: datetime) -> str:
    """A score at or before the block counts as the pain before it, not as relief: say so."""
    if at > block.performed_at:
        return ""
    return (
        f"{_moment(at, block, now)} is before your block "
        f"({_moment(block.performed_at, block, now)}): this will count as your pain before "
        "the block, not as relief after it."
    )


def local_date(moment: datetime) -> date:
    return local(moment).date()


class StatusKind(StrEnum):
    """What the panel's message is; the value is also the label's object name, which the style
    sheet colours."""

    ERROR = "Error"
    SAVED = "Saved"
    WARNING = "Warning"


class StatusArea(QWidget):
    """The panel's one message: an error, a confirmation or a warning (StatusKind). Its height
    is reserved, so a message coming or going moves nothing."""

    KINDS = tuple(StatusKind)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = message_label(StatusKind.SAVED.value)
        self.label.setAccessibleName("Message")
        layout.addWidget(self.label)
        layout.addStretch(1)
        self.kind = ""
        self._reserve()

    def _reserve(self) -> None:
        lines = self.label.fontMetrics().lineSpacing()
        self.setMinimumHeight(int(lines * 3 + 20))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._reserve()

    def say(self, kind: str, text: str) -> None:
        if kind not in self.KINDS:
            raise ValueError(kind)
        self.kind = kind if text else ""
        if self.label.objectName() != kind:
            self.label.setObjectName(str(kind))
            self.label.style().unpolish(self.label)
            self.label.style().polish(self.label)
        show_message(self.label, text)

    def clear(self) -> None:
        self.kind = ""
        show_message(self.label, "")

    def clear_kind(self, kind: str) -> None:
        if self.kind == kind:
            self.clear()

    def text(self) -> str:
        return self.label.text() if self.kind else ""

    def is_showing(self, kind: str) -> bool:
        return self.kind == kind and self.label.isVisible()


class LogPanel(Card):
    """Emits `save_requested(entry, is_baseline)`; the page saves and calls `confirm()`."""

    save_requested = Signal(object, bool)
    skip_baseline = Signal()
    ask_baseline = Signal()
    add_block = Signal()

    def __init__(self, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.block: Block | None = None
        self.baseline_mode = False
        self._saved_at: datetime | None = None
        self._rate_intent_at: float | None = None
        # Everything scrolls inside the card, so two scales, a banner and a warning never
        # squeeze each other on a small screen or with large text.
        scroll = self.scroller = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        inner.setObjectName("LogPanelInner")
        scroll.setWidget(inner)
        scroll.viewport().setAutoFillBackground(False)
        inner.setAutoFillBackground(False)
        # The question and the next score due stay on top, and Save with its message at the
        # bottom, outside the scrolling part: whatever the text size or the number of scales,
        # the patient always sees what is asked, the button and what it did.
        card = self.body
        card.setContentsMargins(4, 4, 4, 4)
        card.setSpacing(4)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(10, 8, 10, 0)
        top_layout.setSpacing(4)
        card.addWidget(top)
        card.addWidget(scroll, 1)
        self.footer = QWidget()
        footer = QVBoxLayout(self.footer)
        footer.setContentsMargins(10, 0, 10, 6)
        footer.setSpacing(6)
        card.addWidget(self.footer)
        self.body = QVBoxLayout(inner)
        self.body.setContentsMargins(10, 4, 10, 4)
        self.body.setSpacing(8)

        self.step = heading("How is your usual pain right now?", 1.4)
        top_layout.addWidget(self.step)
        self.next_due = scaled_label("", 1.15, bold=True, name="NextDue")
        self.next_due.setAccessibleName("Next score")
        top_layout.addWidget(self.next_due)
        # The explanation comes under the scales (added below): the scales come first, so two
        # of them with larger text are in sight without scrolling.
        self.explain = hint("")
        # After "Skip" (or "Rate my pain now" while the earlier score was asked): say so, and
        # keep a way back to it.
        self.postponed_row = QWidget()
        postponed = QHBoxLayout(self.postponed_row)
        postponed.setContentsMargins(0, 0, 0, 0)
        self.postponed_note = hint(
            "Your score from before the block is put aside for now. You can add it later."
        )
        postponed.addWidget(self.postponed_note, 1)
        self.add_baseline_button = QPushButton("Add my score from before the block")
        self.add_baseline_button.setAccessibleName("Add my score from before the block")
        postponed.addWidget(self.add_baseline_button)
        self.postponed_row.setVisible(False)
        self.body.addWidget(self.postponed_row)

        self.scales = ScalePanel()
        self.scales.chosen.connect(self._score_chosen)
        self.body.addWidget(self.scales)
        self.body.addWidget(self.explain)
        # The scale being rated is always in sight: typing a score on the left side moves on
        # to the right side, which may be below the fold with larger text.
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._follow_focus)

        when = QHBoxLayout()
        self.earlier = QCheckBox("This score is for an earlier time")
        self.earlier.setAccessibleName("This score is for an earlier time")
        self.at = DateTimeField()
        self.at.setAccessibleName("Time the score is for")
        self.at.setDisplayFormat("ddd d MMM  HH:mm")
        self.at.setEnabled(False)
        when.addWidget(self.earlier)
        when.addWidget(self.at)
        when.addStretch(1)
        self.body.addLayout(when)
        # The note under the time (written late, or before the block) has its room kept while
        # the box is ticked, so its coming and going never moves Save.
        self.late_box = QWidget()
        late_layout = QVBoxLayout(self.late_box)
        late_layout.setContentsMargins(0, 0, 0, 0)
        self.late_note = message_label("Hint")
        late_layout.addWidget(self.late_note)
        late_layout.addStretch(1)
        self.late_box.setVisible(False)
        self.body.addWidget(self.late_box)

        # When the block's diary is over: say so, and offer a new block instead of a scale.
        self.finished_button = QPushButton("Add a block")
        self.finished_button.setObjectName("Primary")
        self.finished_button.setAccessibleName("Add a block")
        self.finished_button.setVisible(False)
        self.finished = False
        self.closes_at: datetime | None = None

        self.more_button = QPushButton("Add details (optional) ▸")
        self.more_button.setCheckable(True)
        self.more_button.setAccessibleName("Add details (optional)")
        extras = QHBoxLayout()
        extras.addWidget(self.more_button)
        self.paper_button = QPushButton("Enter from my paper log…")
        self.paper_button.setAccessibleName("Enter from my paper log")
        extras.addWidget(self.paper_button)
        extras.addStretch(1)
        self.body.addLayout(extras)
        self.details = QWidget()
        form = QFormLayout(self.details)
        form.setContentsMargins(0, 0, 0, 0)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.relief = QSpinBox()
        self.relief.setAccessibleName("Your own estimate of relief, in percent (optional)")
        self.relief.setRange(-1, 100)
        self.relief.setSuffix(" %")
        self.relief.setSpecialValueText("Not given")
        self.relief.setValue(-1)
        form.addRow("How much better, in your own words (%)", self.relief)
        self.activity = RoomyComboBox()
        self.activity.setAccessibleName("Activity you tried")
        form.addRow("Activity you tried", self.activity)
        self.ability = RoomyComboBox()
        self.ability.setAccessibleName("Could you do it?")
        for data, text in ABILITIES:
            self.ability.addItem(text, data)
        form.addRow("Could you do it?", self.ability)
        self.rescue = QCheckBox("I took pain medicine since the last score")
        self.rescue.setAccessibleName("I took pain medicine since the last score")
        form.addRow("", self.rescue)
        # Which medicine and how much: named on the clinician's page and marked on the chart.
        self.rescue_detail = QLineEdit()
        self.rescue_detail.setAccessibleName("Which pain medicine and how much (optional)")
        self.rescue_detail.setPlaceholderText("for example: oxycodone 5 mg")
        self.rescue_detail.setMaxLength(MAX_DETAIL_CHARS)  # what the diary keeps
        self.rescue_detail.setEnabled(False)
        self.rescue.toggled.connect(self.rescue_detail.setEnabled)
        form.addRow("Which and how much", self.rescue_detail)
        self.note = QLineEdit()
        self.note.setAccessibleName("Note (optional)")
        self.note.setPlaceholderText("anything you want the clinic to know")
        form.addRow("Note", self.note)
        self.details.setVisible(False)
        self.body.addWidget(self.details)

        buttons = QHBoxLayout()
        self.save_button = QPushButton("Save my score")
        self.save_button.setObjectName("Primary")
        self.save_button.setAccessibleName("Save my score")
        buttons.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        buttons.insertWidget(0, self.finished_button, 0, Qt.AlignmentFlag.AlignTop)
        # On its own line: beside Save it made the panel wider than its column (with larger
        # text), which pushed 9 and 10 out of sight.
        skip_row = QHBoxLayout()
        self.skip_button = QPushButton("Skip: I did not note my pain before the block")
        self.skip_button.setAccessibleName("Skip the score before the block")
        skip_row.addWidget(self.skip_button)
        skip_row.addStretch(1)
        # One status message at a time (an error, a confirmation or a warning), in one place
        # beside Save whose height is kept, so nothing jumps or stacks up when a message comes
        # or goes.
        self.status = StatusArea()
        buttons.addWidget(self.status, 1)
        footer.addLayout(buttons)
        footer.addLayout(skip_row)
        self.body.addStretch(1)

        self.save_button.clicked.connect(self.save)
        self.skip_button.clicked.connect(self.skip_baseline.emit)
        self.add_baseline_button.clicked.connect(self.ask_baseline.emit)
        self.finished_button.clicked.connect(self.add_block.emit)
        self.more_button.toggled.connect(self._toggle_details)
        self.earlier.toggled.connect(self._toggle_earlier)
        self.at.dateTimeChanged.connect(lambda _value: self._update_late_note())

    # -- state -------------------------------------------------------------------------------

    def set_block(
        self,
        block: Block | None,
        *,
        baseline_mode: bool,
        baseline_postponed: bool = False,
        finished: bool = False,
    ) -> None:
        """Show one question: the score from before the block (`baseline_mode`) or the score
        for now. `baseline_postponed`: now-mode while the block still has no earlier score.
        `finished`: the block's diary is over; no scale, an offer to add a block instead."""
        baseline_mode = baseline_mode and not finished
        same = (
            self.block is not None
            and block is not None
            and block.id == self.block.id
            and block.sites == self.block.sites
            and baseline_mode == self.baseline_mode
            and finished == self.finished
        )
        if not same:
            # A message belongs to the question it answered: never carry it to another block
            # or to another question.
            self.status.clear()
            self._saved_at = None
            self.scroll_to_top()
        self.block = block
        self.baseline_mode = baseline_mode
        self.setEnabled(block is not None)
        self.postponed_row.setVisible(
            block is not None and baseline_postponed and not baseline_mode and not finished
        )
        self._show_finished(block is not None and finished)
        if block is None:
            self.step.setText("Add a block to start")
            self.scales.set_sites(())
            return
        if finished:
            when = day_and_time_text(block.performed_at, today=self.clock.now())
            self.step.setText("The diary for this block is finished")
            self.explain.setText(
                f"This block was on {when}: its scores are done, so new scores are not added to "
                "it. Your entries are still here to look at or correct. For a new block, "
                "press Add a block."
            )
            self.scales.set_sites(())
            self.reset_inputs()
            return
        question = self._set_step_texts()
        self.skip_button.setVisible(baseline_mode)
        self.earlier.setVisible(not baseline_mode)
        self.at.setVisible(not baseline_mode)
        self.more_button.setVisible(not baseline_mode)
        if baseline_mode:
            self.more_button.setChecked(False)
        if not same:
            self.scales.set_sites(tuple(block.sites), question)
            self._chain_tab_order()
            self.activity.clear()
            self.activity.addItem("None", None)
            for activity in block.activities:
                self.activity.addItem(activity, activity)
            self.reset_inputs()
        else:
            self.scales.set_sites(tuple(block.sites), question)

    def _show_finished(self, on: bool) -> None:
        self.finished = on
        self.finished_button.setVisible(on)
        # The paper log stays: scores written on paper that day can still be typed in.
        for widget in (self.save_button, self.more_button):
            widget.setVisible(not on)
        if on:
            self.more_button.setChecked(False)
            for hidden in (self.skip_button, self.earlier, self.at, self.late_box):
                hidden.setVisible(False)

    def block_time_passed(self) -> bool:
        return self.block is not None and self.clock.now() > self.block.performed_at

    def _set_step_texts(self) -> str:
        """The heading and the hint for the current question; returns the scale's label."""
        assert self.block is not None
        if self.baseline_mode and self.block_time_passed():
            when = day_and_time_text(self.block.performed_at, today=self.clock.now())
            if when.startswith("today "):
                when = when.removeprefix("today ")
                said = f"Your block was at {when}."
            else:
                said = f"Your block was on {when}."
            self.step.setText(f"{said} What was your usual pain just BEFORE it?")
            self.explain.setText(
                "Think back to just before the block. This score is kept for "
                f"{clock_text(self.block.performed_at)} and marked as written down later, "
                "so the clinic knows. If you did not note it, press Skip to go on to your "
                "score for now."
            )
            return "Your usual pain just before the block"
        if self.baseline_mode:
            self.step.setText("Before the block: how strong is your usual pain?")
            self.explain.setText(
                "Rate the pain you usually have (the pain you're being treated for), "
                "not soreness from the needle."
            )
            return "Your usual pain before the block"
        self.step.setText("How is your usual pain right now?")
        self.explain.setText(
            "Try one of your usual activities first if you can, then rate the pain you "
            "were treated for (not the soreness where the needle went in)."
        )
        return "Your usual pain now"

    def _chain_tab_order(self) -> None:
        """Tab goes scale by scale (left, right), then on through the form to Save."""
        chain: list[QWidget] = [*self.scales.scales.values()]
        chain += [self.earlier, self.at, self.more_button, self.relief, self.activity]
        chain += [self.ability, self.rescue, self.rescue_detail, self.note, self.paper_button]
        chain += [self.save_button]
        chain += [self.skip_button, self.add_baseline_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def reset_inputs(self) -> None:
        self.scales.clear()
        self.earlier.setChecked(False)
        self.at.setDateTime(to_qdatetime(self.clock.now()))
        self.relief.setValue(-1)
        self.activity.setCurrentIndex(0)
        self.ability.setCurrentIndex(0)
        self.rescue.setChecked(False)
        self.rescue_detail.clear()
        self.note.clear()
        self.status.clear_kind(StatusKind.ERROR)
        show_message(self.late_note, "")

    def _toggle_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.more_button.setText("Hide details ▾" if shown else "Add details (optional) ▸")

    def _toggle_earlier(self, on: bool) -> None:
        self.at.setEnabled(on)
        if on:
            self.at.setDateTime(to_qdatetime(self.clock.now()))
            self.at.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            # A complaint about the time ("in the future") no longer applies.
            self.status.clear_kind(StatusKind.ERROR)
        self._update_late_note()

    def _closes_at(self) -> datetime:
        assert self.block is not None
        return self.closes_at or diary_closes_at(self.block)

    def _update_late_note(self) -> None:
        on = self.earlier.isChecked() and self.block is not None and not self.finished
        self.late_box.setVisible(on)
        if on:
            lines = self.late_note.fontMetrics().lineSpacing()
            self.late_box.setMinimumHeight(int(lines * 3.2))
        if not on or self.block is None:
            show_message(self.late_note, "")
            return
        at = from_qdatetime(self.at.dateTime())
        now = self.clock.now()
        problem = time_problem(at, self.block, self._closes_at(), now)
        before = before_block_note(at, self.block, now)
        if problem:
            show_message(self.late_note, problem)
        elif before:
            show_message(self.late_note, before)
        elif now - at > LATE_AFTER:
            show_message(
                self.late_note,
                f"This score is for {clock_text(at)}. It will be marked as written down late, "
                "so the clinic knows. That's fine.",
            )
        else:
            show_message(self.late_note, "")

    def tick(self) -> None:
        """The clock moved: keep the time box current and let old confirmations go."""
        now = self.clock.now()
        if not self.earlier.isChecked():
            self.at.setDateTime(to_qdatetime(now))
        if self._saved_at is not None and now - self._saved_at > MESSAGE_LIFETIME:
            self.status.clear()
            self._saved_at = None
        if self.block is not None and self.baseline_mode:
            # The block time may just have passed: the question says so.
            self.scales.set_sites(tuple(self.block.sites), self._set_step_texts())

    def set_next_due(self, text: str) -> None:
        self.next_due.setText(text)
        self.next_due.setVisible(bool(text))

    def focus_scale(self) -> None:
        self.scales.focus_first()

    # -- saving ------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.save()
            return
        super().keyPressEvent(event)

    def _missing_words(self, missing: Sequence[str]) -> str:
        if len(self.scales.scales) > 1:
            which = " and ".join(f"{site} side" for site in missing)
            return f"Please choose a score for the {which} (0 to 10)."
        return "Please choose a score from 0 to 10 first."

    def _score_chosen(self, _site: str, value: object) -> None:
        """A complaint about a missing score goes as soon as the patient chooses one (or names
        only the sides still missing); it does not stay beside a score that answers it. Other
        errors (a time in the future) are not this one's to clear."""
        shown = self.status.text()
        if (
            value is None
            or self.status.kind != StatusKind.ERROR
            or not shown.startswith(MISSING_PREFIX)
        ):
            return
        missing = self.scales.missing()
        if missing:
            self.status.say(StatusKind.ERROR, self._missing_words(missing))
        else:
            self.status.clear()

    def announce(self, text: str) -> None:
        """What an action outside the panel did (a correction, a deletion, a paper log), in the
        one message place; it goes after a while, like a save's confirmation."""
        self.status.say(StatusKind.SAVED, text)
        self._saved_at = self.clock.now()

    def _follow_focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is None or not self.scales.isAncestorOf(new):
            return
        for scale in self.scales.scales.values():
            if scale is new or scale.isAncestorOf(new):
                self.scroller.ensureWidgetVisible(scale, 0, 0)
                return

    def scroll_to_top(self) -> None:
        """A new question (another block, the baseline done, the diary finished): start from the
        top, never left scrolled half-way with its heading cut."""
        self.scroller.verticalScrollBar().setValue(0)

    def rate_intent(self) -> None:
        """The patient meant to rate now (the reminder went as they pressed it): the next Enter
        with no score chosen goes to the scale, without a complaint."""
        self._rate_intent_at = time.monotonic()

    def entry(self) -> Entry | None:
        """The entry the panel describes, or None with what is missing said in plain words."""
        if self.block is None or self.finished:
            return None
        missing = self.scales.missing()
        intent, self._rate_intent_at = self._rate_intent_at, None
        if missing and intent is not None and time.monotonic() - intent < RATE_INTENT_FOR:
            self.scales.focus_first()
            return None
        if missing:
            self.status.say(StatusKind.ERROR, self._missing_words(missing))
            self.scales.focus_first()
            self._bring_status_into_view()
            return None
        now = self.clock.now()
        if self.baseline_mode:
            # The baseline must refer to a moment at or before the block (clinical.md, 1).
            at = min(now, self.block.performed_at)
        elif self.earlier.isChecked():
            at = from_qdatetime(self.at.dateTime())
            problem = time_problem(at, self.block, self._closes_at(), now)
            if problem:
                self.status.say(StatusKind.ERROR, problem)
                self.at.setFocus(Qt.FocusReason.OtherFocusReason)
                self._bring_status_into_view()
                return None
        else:
            at = now
        at = min(at, now)
        scores = {
            site: int(value) for site, value in self.scales.values().items() if value is not None
        }
        activity = self.activity.currentData()
        ability = self.ability.currentData()
        self.status.clear_kind(StatusKind.ERROR)
        return Entry(
            at=at,
            recorded_at=now,
            scores=scores,
            patient_relief_percent=(
                float(self.relief.value())
                if self.relief.value() >= 0 and not self.baseline_mode
                else None
            ),
            activity=activity if isinstance(activity, str) else None,
            activity_ability=Ability(ability) if ability is not None and activity else None,
            rescue_medication=self.rescue.isChecked() and not self.baseline_mode,
            rescue_medication_detail=(
                self.rescue_detail.text().strip() or None
                if self.rescue.isChecked() and not self.baseline_mode
                else None
            ),
            source=Source.APP,
            note=self.note.text().strip(),
        )

    def _bring_status_into_view(self) -> None:
        """A message below the visible part would make Save seem to do nothing: scroll to it,
        now and once the layout has settled."""
        shown = self.status
        self.scroller.ensureWidgetVisible(shown, 0, 0)
        QTimer.singleShot(0, self, lambda: self.scroller.ensureWidgetVisible(shown, 0, 0))

    def save(self) -> None:
        entry = self.entry()
        if entry is not None:
            self.save_requested.emit(entry, self.baseline_mode)

    def not_saved(self, reason: str) -> None:
        """The save failed: keep every choice on screen so pressing Save again retries."""
        self.status.say(
            StatusKind.ERROR,
            f"Not saved yet: {reason} Your score is still chosen; press Save my score to try "
            "again.",
        )
        self._bring_status_into_view()

    def confirm(self, text: str, warning: str = "") -> None:
        """Show what was saved, inline (never a dialog), and get ready for the next score."""
        # A warning (a mild baseline) says what was saved too, in the one message area.
        self.status.say(
            StatusKind.WARNING if warning else StatusKind.SAVED,
            f"{text}\n{warning}" if warning else text,
        )
        self._saved_at = self.clock.now()
        self.reset_inputs()
        self.focus_scale()
        # Make sure the confirmation (and any warning) can be seen without scrolling.
        self._bring_status_into_view()


def describe_time(moment: datetime) -> str:
    return clock_text(moment)
