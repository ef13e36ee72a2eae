"""The "Add a block" form: when, where, what was injected, what to rate. Plain-word checks inline.

Details the patient may not know (levels, concentration, volume) can be left for the clinic;
editing an existing block goes through the same form and asks why (the change is audited).
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import QDateTime, Qt, QTimer, QTimeZone, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from paintrack.clinical.levels import parse_levels
from paintrack.clinical.model import (
    BILATERAL_SITES,
    INDEX_SITE,
    Agent,
    Block,
    Entry,
    Region,
    Sedation,
    Side,
    Site,
)
from paintrack.clinical.relief import find_baseline, site_entries
from paintrack.clinical.timing import BLOCK_FUTURE_LIMIT, BLOCK_PAST_WARNING
from paintrack.clinical.validation import SitesFault, block_problems, first_repeat, sites_fault
from paintrack.ui.clock import Clock, SystemClock
from paintrack.ui.widgets import (
    Card,
    DateTimeField,
    RoomyComboBox,
    heading,
    hint,
    message_label,
    show_message,
)

REGIONS = (
    (Region.CERVICAL, "Neck (cervical)"),
    (Region.THORACIC, "Upper or middle back (thoracic)"),
    (Region.LUMBAR, "Lower back (lumbar)"),
    (Region.SACRAL, "Bottom of the spine (sacral)"),
)
SIDES = ((Side.LEFT, "Left"), (Side.RIGHT, "Right"), (Side.BILATERAL, "Both sides"))
AGENTS = (
    (Agent.UNKNOWN, "I don't know yet"),
    (Agent.LIDOCAINE, "Lidocaine"),
    (Agent.BUPIVACAINE, "Bupivacaine (Marcaine)"),
    (Agent.ROPIVACAINE, "Ropivacaine (Naropin)"),
    (Agent.SALINE, "Saline"),
    (Agent.OTHER, "Something else"),
)
SEDATIONS = (
    (Sedation.NONE, "None: I was fully awake"),
    (Sedation.MINIMAL, "A little (to relax)"),
    (Sedation.MODERATE, "Moderate (drowsy)"),
    (Sedation.DEEP, "Deep (asleep)"),
)
SEQUENCES = ((1, "My first block"), (2, "My second block"), (3, "A third or later block"))


def to_qdatetime(moment: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(moment.timestamp()), QTimeZone.systemTimeZone())


def from_qdatetime(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch()).astimezone()


def _combo(name: str, items: tuple[tuple[object, str], ...]) -> QComboBox:
    combo = RoomyComboBox()
    combo.setAccessibleName(name)
    for data, text in items:
        combo.addItem(text, data)
    return combo


def _select(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    if index >= 0:
        combo.setCurrentIndex(index)


# Plausible amounts for a medial branch block (clinical.md: about 0.5 mL per level of a local
# anaesthetic). The diary format accepts more (0-100 %, any volume from 0): the form asks for
# a plausible figure, so a slip like 99 for 0.9 is caught where it is typed.
STRENGTH_RANGE = (0.1, 5.0)
VOLUME_RANGE = (0.1, 5.0)

LEVELS_EXPECTED = (
    "Write levels like L4, L5 or a range like L4-L5 (from C2-C7, T1-T12, L1-L5, S1-S2), "
    "or leave this empty."
)


# The block's fields this form edits (the others, such as its id and entries, it keeps).
FORM_FIELDS = (
    "performed_at",
    "region",
    "side",
    "agent",
    "levels",
    "concentration_percent",
    "volume_ml",
    "sequence",
    "sedation",
    "steroid",
    "sites",
    "activities",
)


class AmountField(QLineEdit):
    """An optional amount typed as text: empty means "not known". Nothing typed is cut or
    rounded; `amount()` reads it, and the form says when it is not a plausible figure."""

    def __init__(self, name: str, what: str, unit: str, limits: tuple[float, float]) -> None:
        super().__init__()
        self.what = what
        self.setAccessibleName(name)
        self.unit = unit
        self.limits = limits
        low, high = limits
        self.setPlaceholderText(f"{low:g} to {high:g} {unit}, if you know it")
        self.original: float | None = None  # the saved figure, kept as it is if not retyped

    def setValue(self, value: float | None) -> None:  # like a spin box
        self.setText("" if not value else f"{value:g}")

    def amount(self) -> tuple[float | None, str]:
        """(the amount or None when empty, "" or a plain message saying what is wrong)."""
        text = self.text().strip()
        if text.endswith(self.unit) or text.endswith(self.unit.lower()):
            text = text[: -len(self.unit)].strip()
        if not text:
            return None, ""
        if self.original is not None and text == f"{self.original:g}":
            return self.original, ""
        low, high = self.limits
        expected = f"from {low:g} to {high:g} {self.unit}"
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            return None, (
                f"{self.what.capitalize()}: please type a number {expected}, or leave it empty."
            )
        if not low <= number <= high:
            return None, (
                f"{self.what.capitalize()}: {text} {self.unit} is not a usual amount. "
                f"Please check it: it should be {expected}, or leave it empty."
            )
        return number, ""


class BlockForm(QWidget):
    """Emits `saved(block, reason)`: reason is None for a new block, the patient's words on edit."""

    saved = Signal(object, object)
    cancelled = Signal()

    def __init__(self, clock: Clock | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self.clock = clock or SystemClock()
        self._editing: Block | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 20, 32, 16)
        self.title = heading("Add a block")
        outer.addWidget(self.title)
        outer.addWidget(
            hint(
                "Fill in what you know. Your clinic letter or the nurse can tell you the rest, "
                "and the clinic can complete it later."
            )
        )

        self.scroll_area = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        inner = QWidget()
        inner.setObjectName("Page")
        grid = QGridLayout(inner)
        grid.setHorizontalSpacing(20)
        scroll.setWidget(inner)
        outer.addWidget(scroll, 1)

        when = Card()
        when.body.addWidget(heading("When and where", 1.2))
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.performed_at = DateTimeField()
        self.performed_at.setAccessibleName("Date and time of the block")
        self.performed_at.setDisplayFormat("ddd d MMM yyyy   HH:mm")
        self.performed_at.setCalendarPopup(True)
        form.addRow("Date and time of the block", self.performed_at)
        self.region = _combo("Part of the spine", REGIONS)
        form.addRow("Part of the spine", self.region)
        self.side = _combo("Side", SIDES)
        form.addRow("Side", self.side)
        self.levels = QLineEdit()
        self.levels.setAccessibleName("Levels (optional)")
        self.levels.setPlaceholderText("for example L3, L4, L5 (optional)")
        form.addRow("Levels (optional)", self.levels)
        self.sequence = _combo("Which block is this", SEQUENCES)
        form.addRow("Which block is this", self.sequence)
        when.body.addLayout(form)
        self.time_error = message_label("Error")
        when.body.addWidget(self.time_error)
        self.side_error = message_label("Error")
        when.body.addWidget(self.side_error)
        self.levels_error = message_label("Error")
        when.body.addWidget(self.levels_error)
        self.time_warning = message_label("Warning")
        when.body.addWidget(self.time_warning)
        grid.addWidget(when, 0, 0)

        what = Card()
        what.body.addWidget(heading("The injection", 1.2))
        form2 = QFormLayout()
        form2.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.agent = _combo("Medicine injected", AGENTS)
        form2.addRow("Medicine injected", self.agent)
        self.concentration = AmountField(
            "Strength in percent (optional)", "strength", "%", STRENGTH_RANGE
        )
        form2.addRow("Strength (optional)", _with_unit(self.concentration, "%"))
        self.volume = AmountField("Volume in millilitres (optional)", "volume", "mL", VOLUME_RANGE)
        form2.addRow("Volume per level (optional)", _with_unit(self.volume, "mL"))
        self.sedation = _combo("Sedation during the block", SEDATIONS)
        form2.addRow("Sedation", self.sedation)
        self.steroid = QCheckBox("A steroid was added to the injection")
        self.steroid.setAccessibleName("A steroid was added to the injection")
        form2.addRow("", self.steroid)
        what.body.addLayout(form2)
        self.concentration_error = message_label("Error")
        what.body.addWidget(self.concentration_error)
        self.volume_error = message_label("Error")
        what.body.addWidget(self.volume_error)
        grid.addWidget(what, 1, 0)

        rate = Card()
        rate.body.addWidget(heading("What you will rate", 1.2))
        self.one_site = QRadioButton("My usual pain: one score each time")
        self.one_site.setAccessibleName("Rate my usual pain with one score")
        self.two_sites = QRadioButton(
            "Left and right separately (only after a block on both sides)"
        )
        self.two_sites.setAccessibleName("Rate left and right separately")
        self.one_site.setChecked(True)
        rate.body.addWidget(self.one_site)
        rate.body.addWidget(self.two_sites)
        self.sites_hint = hint(
            "This can't be changed now: scores are already saved for this block."
        )
        self.sites_hint.setVisible(False)
        rate.body.addWidget(self.sites_hint)
        rate.body.addWidget(
            hint(
                "Activities that usually bring on your pain (up to three). "
                "You'll try them when you rate your pain."
            )
        )
        self.activities: list[QLineEdit] = []
        examples = ("standing for 10 minutes", "bending forward", "walking to the shop")
        for number, example in enumerate(examples, start=1):
            line = QLineEdit()
            line.setAccessibleName(f"Activity {number} (optional)")
            line.setPlaceholderText(f"for example {example}")
            rate.body.addWidget(line)
            self.activities.append(line)
        self.activity_error = message_label("Error")
        rate.body.addWidget(self.activity_error)
        rate.body.addStretch(1)
        grid.addWidget(rate, 0, 1, 2, 1)

        self.reason_card = Card()
        self.reason_card.body.addWidget(heading("Why are you changing it?", 1.1))
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason for the change")
        self.reason.setPlaceholderText("for example: the clinic letter gives the levels")
        self.reason_card.body.addWidget(self.reason)
        self.reason_error = message_label("Error")
        self.reason_card.body.addWidget(self.reason_error)
        grid.addWidget(self.reason_card, 2, 0, 1, 2)
        grid.setRowStretch(3, 1)

        buttons = QHBoxLayout()
        self.save_button = QPushButton("Save the block")
        self.save_button.setObjectName("Primary")
        self.save_button.setAccessibleName("Save the block")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel")
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        outer.addLayout(buttons)

        self.save_button.clicked.connect(self._save)
        self.cancel_button.clicked.connect(self.cancelled.emit)
        self.performed_at.dateTimeChanged.connect(lambda _value: self._check_time())
        self.side.currentIndexChanged.connect(self._side_changed)
        self.reset()

        # The question asked before a change of time moves scores across the block.
        self.move_question = ""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter saves from any field (fields pass Enter on); a focused button handles its own.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._save()
            return
        super().keyPressEvent(event)

    # -- set up ------------------------------------------------------------------------------

    def reset(self, *, next_sequence: int = 1) -> None:
        """A fresh form for a new block: now, lower back, the patient's next block."""
        self._editing = None
        self.title.setText("Add a block")
        self.save_button.setText("Save the block")
        self.performed_at.setDateTime(
            to_qdatetime(self.clock.now().replace(second=0, microsecond=0))
        )
        _select(self.region, Region.LUMBAR)
        _select(self.side, Side.RIGHT)
        self.levels.clear()
        _select(self.sequence, max(1, min(next_sequence, 3)))
        _select(self.agent, Agent.UNKNOWN)
        for amount in (self.concentration, self.volume):
            amount.original = None
            amount.setValue(None)
        _select(self.sedation, Sedation.NONE)
        self.steroid.setChecked(False)
        self.one_site.setChecked(True)
        # Editing a block with scores locks its sites; a new block may rate left and right
        # separately only when it was on both sides.
        self.one_site.setEnabled(True)
        self.two_sites.setEnabled(False)
        self.sites_hint.setVisible(False)
        for line in self.activities:
            line.clear()
        self.reason.clear()
        self.reason_card.setVisible(False)
        for label in (
            self.time_error,
            self.time_warning,
            self.side_error,
            self.levels_error,
            self.concentration_error,
            self.volume_error,
            self.activity_error,
            self.reason_error,
        ):
            show_message(label, "")

    def edit(self, block: Block) -> None:
        """Fill the form from `block`; saving then asks for a reason."""
        self.reset()
        self._editing = block
        self.title.setText("Change the block details")
        self.save_button.setText("Save the changes")
        self.performed_at.setDateTime(to_qdatetime(block.performed_at))
        _select(self.region, block.region)
        _select(self.side, block.side)
        self.levels.setText(", ".join(block.levels))
        _select(self.sequence, min(block.sequence, 3))
        _select(self.agent, block.agent)
        self.concentration.original = block.concentration_percent
        self.concentration.setValue(block.concentration_percent)
        self.volume.original = block.volume_ml
        self.volume.setValue(block.volume_ml)
        _select(self.sedation, block.sedation)
        self.steroid.setChecked(block.steroid)
        (self.two_sites if tuple(block.sites) == BILATERAL_SITES else self.one_site).setChecked(
            True
        )
        # The sites cannot change once scores exist: they would no longer match.
        self.one_site.setEnabled(not block.entries)
        self.two_sites.setEnabled(not block.entries and block.side == Side.BILATERAL)
        self.sites_hint.setVisible(bool(block.entries))
        for line, activity in zip(self.activities, block.activities, strict=False):
            line.setText(activity)
        self.reason_card.setVisible(True)

    def focus_first(self) -> None:
        self.performed_at.setFocus(Qt.FocusReason.OtherFocusReason)

    def _side_changed(self) -> None:
        bilateral = self.side.currentData() == Side.BILATERAL
        if self._editing is None or not self._editing.entries:
            # Left and right are rated separately only after a block on both sides.
            self.two_sites.setEnabled(bilateral)
            (self.two_sites if bilateral else self.one_site).setChecked(True)
        self._check_side()

    def _chosen_sites(self) -> tuple[Site, ...]:
        return BILATERAL_SITES if self.two_sites.isChecked() else (INDEX_SITE,)

    def _check_side(self) -> bool:
        fault = sites_fault(self._chosen_sites(), self.side.currentData())
        if fault == SitesFault.NOT_BILATERAL:
            show_message(
                self.side_error,
                "Your scores for this block are for the left and the right side separately, "
                'so the side has to stay "Both sides".',
            )
            return False
        show_message(self.side_error, "")
        return True

    def _check_levels(self) -> tuple[str, ...] | None:
        levels, unreadable = parse_levels(self.levels.text())
        if self._editing is not None and self.levels.text() == ", ".join(self._editing.levels):
            # Levels saved earlier (perhaps from an imported diary) stay as they are.
            levels, unreadable = self._editing.levels, []
        if unreadable:
            quoted = ", ".join(f'"{part}"' for part in unreadable)
            what = "is not a spinal level" if len(unreadable) == 1 else "are not spinal levels"
            show_message(self.levels_error, f"{quoted} {what}. {LEVELS_EXPECTED}")
            return None
        show_message(self.levels_error, "")
        return levels

    # -- checks ------------------------------------------------------------------------------

    def _check_time(self) -> bool:
        moment = from_qdatetime(self.performed_at.dateTime())
        now = self.clock.now()
        if moment - now > BLOCK_FUTURE_LIMIT:
            show_message(
                self.time_error,
                "This time is more than 10 minutes from now. Please check the date and time; "
                "you can add the block when it is about to start.",
            )
            show_message(self.time_warning, "")
            return False
        show_message(self.time_error, "")
        if now - moment > BLOCK_PAST_WARNING:
            show_message(
                self.time_warning,
                "This block was more than two weeks ago. That's fine if you are copying an old "
                "diary; otherwise please check the date.",
            )
        else:
            show_message(self.time_warning, "")
        return True

    def block(self) -> Block | None:
        """The block the form describes, or None with the problems shown next to their fields."""
        ok = self._check_time()
        activities = tuple(" ".join(line.text().split()) for line in self.activities)
        activities = tuple(a for a in activities if a)
        scored = self._editing.entries if self._editing is not None else ()
        used = sorted({e.activity for e in scored if e.activity} - set(activities))
        if first_repeat(activities, key=str.casefold) is not None:
            show_message(self.activity_error, "Two activities are the same: please change one.")
            ok = False
        elif used:
            # A saved score says how this activity went: it has to stay as it was written.
            show_message(
                self.activity_error,
                f'"{used[0]}" is in a saved score, so it has to stay as it is. '
                "You can add or change the other activities.",
            )
            ok = False
        else:
            show_message(self.activity_error, "")
        ok = self._check_side() and ok
        levels = self._check_levels()
        amounts: list[float | None] = []
        for field, label in (
            (self.concentration, self.concentration_error),
            (self.volume, self.volume_error),
        ):
            amount, problem = field.amount()
            show_message(label, problem)
            amounts.append(amount)
            ok = ok and not problem
        if not ok or levels is None:
            return None
        sites = self._chosen_sites()
        sequence = int(self.sequence.currentData())
        if self._editing is not None and self._editing.sequence > 3 and sequence == 3:
            sequence = self._editing.sequence  # a later block keeps its number
        block = Block(
            performed_at=from_qdatetime(self.performed_at.dateTime()),
            region=Region(self.region.currentData()),
            side=Side(self.side.currentData()),
            agent=Agent(self.agent.currentData()),
            levels=levels,
            concentration_percent=amounts[0],
            volume_ml=amounts[1],
            sequence=sequence,
            sedation=Sedation(self.sedation.currentData()),
            steroid=self.steroid.isChecked(),
            sites=sites,
            activities=activities,
        )
        if self._editing is not None:
            # The form's fields change; the rest of the block (its id, entries, ...) is kept.
            block = replace(self._editing, **{name: getattr(block, name) for name in FORM_FIELDS})
        return block if self._passes_record_checks(block) else None

    def _passes_record_checks(self, block: Block) -> bool:
        """The checks the store makes too (clinical/validation.py). The form's own checks
        above are stricter, so this shows a message only for a rule they lack."""
        problems = block_problems(block)
        if not problems:
            return True
        labels = {
            "side": self.side_error,
            "sites": self.side_error,
            "levels": self.levels_error,
            "concentration_percent": self.concentration_error,
            "volume_ml": self.volume_error,
            "activities": self.activity_error,
        }
        first = problems[0]
        message = first.message[:1].upper() + first.message[1:]
        show_message(labels.get(first.field, self.time_error), message)
        return False

    def _save(self) -> None:
        block = self.block()
        if block is None:
            # Bring the first message into view: it may be below the fold.
            for label in (
                self.time_error,
                self.side_error,
                self.levels_error,
                self.concentration_error,
                self.volume_error,
                self.activity_error,
            ):
                if not label.isHidden():
                    # After the layout has made room for the message.
                    QTimer.singleShot(
                        0, self, lambda shown=label: self.scroll_area.ensureWidgetVisible(shown)
                    )
                    break
            return
        reason: str | None = None
        if self._editing is not None:
            reason = self.reason.text().strip()
            if not reason:
                show_message(self.reason_error, "Please say briefly why you are changing it.")
                self.reason.setFocus(Qt.FocusReason.OtherFocusReason)
                return
            show_message(self.reason_error, "")
            if not self._confirm_time_change(block):
                return
        self.saved.emit(block, reason)

    # -- a change of time that moves scores across the block ---------------------------------

    def _confirm_time_change(self, block: Block) -> bool:
        """Ask before a new time changes which scores count as before or after the block."""
        self.move_question = time_change_consequences(self._editing, block)
        if not self.move_question:
            return True
        box = QMessageBox(self)
        box.setWindowTitle("Change the time of the block?")
        box.setIcon(QMessageBox.Icon.Question)
        box.setText("This new time changes how your scores are counted.")
        box.setInformativeText(self.move_question)
        move = box.addButton("Move the block anyway", QMessageBox.ButtonRole.AcceptRole)
        back = box.addButton("Go back", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(back)
        box.setEscapeButton(back)
        box.exec()
        if box.clickedButton() is move:
            return True
        self.performed_at.setFocus(Qt.FocusReason.OtherFocusReason)
        return False


def _with_unit(field: QLineEdit, unit: str) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(field, 1)
    layout.addWidget(QLabel(unit))
    return row


def _clock_time(moment: datetime, day_of: datetime) -> str:
    """Local "19:45", with the day when it is not the day of `day_of`."""
    local, day = moment.astimezone(), day_of.astimezone()
    if local.date() == day.date():
        return f"{local:%H:%M}"
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def _scores(count: int) -> str:
    return f"{count} saved score" + ("" if count == 1 else "s")


def time_change_consequences(before: Block | None, after: Block) -> str:
    """Plain words for what moving `before` to `after.performed_at` does to its saved scores:
    scores crossing the block time, and the score before the block (the engine's choice,
    clinical.md item 1). "" when the new time changes none of that."""
    if before is None or not before.entries or before.performed_at == after.performed_at:
        return ""
    old_t0, new_t0 = before.performed_at, after.performed_at
    entries: dict[str, Entry] = {}
    for site in before.sites:
        for entry in site_entries(before.entries, site):
            entries[entry.id] = entry
    # A score is after the block when its time is later than the block's (clinical.md item 2).
    now_before = [e for e in entries.values() if new_t0 >= e.at > old_t0]
    now_after = [e for e in entries.values() if old_t0 >= e.at > new_t0]
    baselines: list[str] = []
    for site in before.sites:
        old = find_baseline(before.entries, site, old_t0)
        new = find_baseline(before.entries, site, new_t0)
        if (old.id if old else None) == (new.id if new else None):
            continue
        whose = "" if site == INDEX_SITE else f"For the {site} side, "
        subject = f"{whose}the score before the block"
        if whose == "":
            subject = subject.capitalize()
        if old is not None and new is not None:
            baselines.append(
                f"{subject} would change from {old.scores[site]} (at "
                f"{_clock_time(old.at, new_t0)}) to {new.scores[site]} (at "
                f"{_clock_time(new.at, new_t0)})."
            )
        elif old is not None:
            baselines.append(
                f"{subject} ({old.scores[site]} at {_clock_time(old.at, new_t0)}) would no "
                "longer count, and without one your relief cannot be worked out."
            )
        elif new is not None:
            baselines.append(
                f"{subject} would be {new.scores[site]} (at {_clock_time(new.at, new_t0)})."
            )
    if not (now_before or now_after or baselines):
        return ""
    when = _clock_time(new_t0, old_t0)
    moves: list[str] = []
    if now_before:
        moves.append(f"puts {_scores(len(now_before))} before it")
    if now_after:
        moves.append(f"moves {_scores(len(now_after))} from before it to after it")
    if not moves:
        moves.append("changes the score before the block")
    sentences = [f"Moving the block to {when} " + " and ".join(moves) + "."]
    if now_before:
        sentences.append(
            ("That score" if len(now_before) == 1 else "Those scores")
            + " would no longer count as after the block."
        )
    return " ".join(sentences + baselines)
