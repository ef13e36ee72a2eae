"""The "Add a block" form: when, where, what was injected, what to rate. Plain-word checks inline.

Details the patient may not know (levels, concentration, volume) can be left for the clinic;
editing an existing block goes through the same form and asks why (the change is audited).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QDateTime, Qt, QTimeZone, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from paintrack.clinical.model import (
    BILATERAL_SITES,
    INDEX_SITE,
    Agent,
    Block,
    Region,
    Sedation,
    Side,
)
from paintrack.ui.clock import Clock, SystemClock
from paintrack.ui.widgets import (
    Card,
    DateTimeField,
    heading,
    hint,
    message_label,
    show_message,
)

FUTURE_LIMIT = timedelta(minutes=10)
PAST_WARNING = timedelta(days=14)

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
    combo = QComboBox()
    combo.setAccessibleName(name)
    for data, text in items:
        combo.addItem(text, data)
    return combo


def _select(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    if index >= 0:
        combo.setCurrentIndex(index)


def _optional_number(name: str, suffix: str, maximum: float, step: float) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setAccessibleName(name)
    spin.setRange(0.0, maximum)
    spin.setDecimals(2)
    spin.setSingleStep(step)
    spin.setSuffix(suffix)
    spin.setSpecialValueText("Not known")  # 0 means "not known": neither can really be 0
    return spin


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

        scroll = QScrollArea()
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
        self.time_warning = message_label("Warning")
        when.body.addWidget(self.time_warning)
        grid.addWidget(when, 0, 0)

        what = Card()
        what.body.addWidget(heading("The injection", 1.2))
        form2 = QFormLayout()
        form2.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.agent = _combo("Medicine injected", AGENTS)
        form2.addRow("Medicine injected", self.agent)
        self.concentration = _optional_number("Strength in percent (optional)", " %", 10.0, 0.25)
        form2.addRow("Strength (optional)", self.concentration)
        self.volume = _optional_number("Volume in millilitres (optional)", " mL", 20.0, 0.1)
        form2.addRow("Volume per level (optional)", self.volume)
        self.sedation = _combo("Sedation during the block", SEDATIONS)
        form2.addRow("Sedation", self.sedation)
        self.steroid = QCheckBox("A steroid was added to the injection")
        self.steroid.setAccessibleName("A steroid was added to the injection")
        form2.addRow("", self.steroid)
        what.body.addLayout(form2)
        grid.addWidget(what, 1, 0)

        rate = Card()
        rate.body.addWidget(heading("What you will rate", 1.2))
        self.one_site = QRadioButton("My usual pain: one score each time")
        self.one_site.setAccessibleName("Rate my usual pain with one score")
        self.two_sites = QRadioButton("Left and right separately (after a block on both sides)")
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
        self.concentration.setValue(0.0)
        self.volume.setValue(0.0)
        _select(self.sedation, Sedation.NONE)
        self.steroid.setChecked(False)
        self.one_site.setChecked(True)
        # Editing a block with scores locks its sites; a new block may choose freely.
        self.one_site.setEnabled(True)
        self.two_sites.setEnabled(True)
        self.sites_hint.setVisible(False)
        for line in self.activities:
            line.clear()
        self.reason.clear()
        self.reason_card.setVisible(False)
        for label in (self.time_error, self.time_warning, self.activity_error, self.reason_error):
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
        self.concentration.setValue(block.concentration_percent or 0.0)
        self.volume.setValue(block.volume_ml or 0.0)
        _select(self.sedation, block.sedation)
        self.steroid.setChecked(block.steroid)
        (self.two_sites if tuple(block.sites) == BILATERAL_SITES else self.one_site).setChecked(
            True
        )
        # The sites cannot change once scores exist: they would no longer match.
        self.one_site.setEnabled(not block.entries)
        self.two_sites.setEnabled(not block.entries)
        self.sites_hint.setVisible(bool(block.entries))
        for line, activity in zip(self.activities, block.activities, strict=False):
            line.setText(activity)
        self.reason_card.setVisible(True)

    def focus_first(self) -> None:
        self.performed_at.setFocus(Qt.FocusReason.OtherFocusReason)

    def _side_changed(self) -> None:
        if self._editing is None or not self._editing.entries:
            bilateral = self.side.currentData() == Side.BILATERAL
            (self.two_sites if bilateral else self.one_site).setChecked(True)

    # -- checks ------------------------------------------------------------------------------

    def _check_time(self) -> bool:
        moment = from_qdatetime(self.performed_at.dateTime())
        now = self.clock.now()
        if moment - now > FUTURE_LIMIT:
            show_message(
                self.time_error,
                "This time is more than 10 minutes from now. Please check the date and time; "
                "you can add the block when it is about to start.",
            )
            show_message(self.time_warning, "")
            return False
        show_message(self.time_error, "")
        if now - moment > PAST_WARNING:
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
        if len({a.casefold() for a in activities}) != len(activities):
            show_message(self.activity_error, "Two activities are the same: please change one.")
            ok = False
        else:
            show_message(self.activity_error, "")
        if not ok:
            return None
        levels = tuple(part.strip() for part in self.levels.text().replace(";", ",").split(","))
        sites = BILATERAL_SITES if self.two_sites.isChecked() else (INDEX_SITE,)
        values: dict[str, Any] = dict(
            performed_at=from_qdatetime(self.performed_at.dateTime()),
            region=Region(self.region.currentData()),
            side=Side(self.side.currentData()),
            agent=Agent(self.agent.currentData()),
            levels=tuple(level for level in levels if level),
            concentration_percent=self.concentration.value() or None,
            volume_ml=self.volume.value() or None,
            sequence=int(self.sequence.currentData()),
            sedation=Sedation(self.sedation.currentData()),
            steroid=self.steroid.isChecked(),
            sites=sites,
            activities=activities,
        )
        if self._editing is not None:
            if self._editing.sequence > 3 and values["sequence"] == 3:
                values["sequence"] = self._editing.sequence
            return replace(self._editing, **values)
        return Block(**values)

    def _save(self) -> None:
        block = self.block()
        if block is None:
            return
        reason: str | None = None
        if self._editing is not None:
            reason = self.reason.text().strip()
            if not reason:
                show_message(self.reason_error, "Please say briefly why you are changing it.")
                self.reason.setFocus(Qt.FocusReason.OtherFocusReason)
                return
            show_message(self.reason_error, "")
        self.saved.emit(block, reason)
