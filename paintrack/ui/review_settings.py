"""The clinic settings dialog: rule preset, thresholds, expected minimum duration per agent and
the protocol's time points, saved in the database (so they travel with it) via the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from paintrack.clinical.model import STANDARD_PROTOCOL, Agent, Preset
from paintrack.clinical.settings import ClinicSettings
from paintrack.clinical.users import MAX_IDLE_LOCK_MINUTES
from paintrack.clinical.wording import PRESET_LABELS
from paintrack.errors import UserError
from paintrack.operations import clinic as clinic_ops
from paintrack.operations import review as review_ops

if TYPE_CHECKING:
    from paintrack.operations import Store

TIMED_AGENTS = (Agent.LIDOCAINE, Agent.BUPIVACAINE, Agent.ROPIVACAINE)


def parse_numbers(text: str, *, what: str, low: float, high: float, whole: bool) -> list[float]:
    """ "50, 80" -> [50, 80]; a plain-words UserError when a value is missing or out of range."""
    values: list[float] = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            number = float(part)
        except ValueError:
            raise UserError(f"{what}: {part!r} is not a number.") from None
        if whole and number != int(number):
            raise UserError(f"{what}: {part} must be a whole number.")
        if not low <= number <= high:
            raise UserError(f"{what}: {part} must be between {low:g} and {high:g}.")
        values.append(number)
    if not values:
        raise UserError(f"{what}: give at least one value, separated by commas.")
    return values


class ClinicSettingsDialog(QDialog):
    """Edits a copy of the settings; Save validates, calls `store.save_settings`, and closes."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("Clinic settings")
        self.setAccessibleName("Clinic settings")
        self.setMinimumWidth(600)
        self.settings: ClinicSettings = review_ops.clinic_settings(store)
        self.saved: ClinicSettings | None = None

        layout = QVBoxLayout(self)
        intro = QLabel(
            "These settings are stored in the clinic's database and printed in every report."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        layout.addLayout(form)

        self.preset = QComboBox()
        self.preset.setAccessibleName("Default rule preset")
        for name, label in PRESET_LABELS.items():
            self.preset.addItem(label, name)
        index = self.preset.findData(self.settings.preset)
        self.preset.setCurrentIndex(max(0, index))
        form.addRow("Default rule preset", self.preset)

        self.thresholds = QLineEdit(", ".join(str(t) for t in self.settings.thresholds))
        self.thresholds.setAccessibleName("Relief thresholds in percent")
        self.thresholds.setToolTip("Whole percents from 1 to 100, separated by commas")
        form.addRow("Relief thresholds (%)", self.thresholds)

        self.expected: dict[Agent, QSpinBox] = {}
        for agent in TIMED_AGENTS:
            box = QSpinBox()
            box.setRange(0, 24 * 60)
            box.setSuffix(" min")
            box.setValue(round(self.settings.expected_minutes.get(agent, 0.0)))
            box.setAccessibleName(f"Expected minimum duration for {agent.value}")
            self.expected[agent] = box
            form.addRow(f"Expected minimum, {agent.value}", box)

        points = self.settings.protocol_points(STANDARD_PROTOCOL)
        self.points = QLineEdit(", ".join(f"{p:g}" for p in points))
        self.points.setAccessibleName("Protocol time points in minutes after the block")
        self.points.setMinimumWidth(320)
        form.addRow("Protocol points (min after the block)", self.points)

        self.worklist_days = QSpinBox()
        self.worklist_days.setRange(1, 3660)
        self.worklist_days.setSuffix(" days")
        self.worklist_days.setValue(int(self.settings.worklist_days))
        self.worklist_days.setAccessibleName("The worklist shows the blocks of this many last days")
        form.addRow("Worklist: blocks of the last", self.worklist_days)
        # Clinic mode's idle lock (stored with clinic mode, saved by its own operation).
        self.clinic_state = clinic_ops.clinic_state(store)
        self.idle_lock = QSpinBox(self)
        self.idle_lock.setRange(1, MAX_IDLE_LOCK_MINUTES)
        self.idle_lock.setSuffix(" min")
        self.idle_lock.setValue(self.clinic_state.idle_lock_minutes)
        self.idle_lock.setAccessibleName("Lock the window after this many minutes without input")
        if self.clinic_state.clinic_mode:
            form.addRow("Lock when idle for", self.idle_lock)
        else:
            self.idle_lock.setVisible(False)

        self.error = QLabel("")
        self.error.setObjectName("Error")
        self.error.setAccessibleName("Error")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        layout.addWidget(self.error)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def edited_settings(self) -> ClinicSettings:
        thresholds = parse_numbers(
            self.thresholds.text(), what="Relief thresholds", low=1, high=100, whole=True
        )
        points = parse_numbers(
            self.points.text(), what="Protocol points", low=1, high=60 * 24 * 31, whole=False
        )
        if sorted(set(points)) != points:
            raise UserError("Protocol points: list each time once, from earliest to latest.")
        expected: dict[Agent, float] = dict(self.settings.expected_minutes)
        expected.update({agent: float(box.value()) for agent, box in self.expected.items()})
        protocols: Mapping[str, tuple[float, ...]] = {
            **self.settings.protocols,
            STANDARD_PROTOCOL: tuple(points),
        }
        # Settings this dialog does not show (late onset, ...) are kept as they are.
        return replace(
            self.settings,
            preset=Preset(str(self.preset.currentData())),
            thresholds=tuple(dict.fromkeys(int(t) for t in thresholds)),
            expected_minutes=expected,
            protocols=protocols,
            worklist_days=int(self.worklist_days.value()),
        )

    def save(self) -> None:
        try:
            settings = self.edited_settings()
            review_ops.save_clinic_settings(self.store, settings)
            minutes = self.idle_lock.value()
            if self.clinic_state.clinic_mode and minutes != self.clinic_state.idle_lock_minutes:
                clinic_ops.save_idle_lock(self.store, clinic_ops.signed_in(self.store), minutes)
        except UserError as error:
            self.error.setText(error.message)
            self.error.setVisible(True)
            return
        self.saved = settings
        self.accept()
