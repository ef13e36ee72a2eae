"""The first screen: start a diary (name, optional birth date, record number) or see the sample."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from paintrack.clinical.model import Patient
from paintrack.clinical.search_keys import search_key
from paintrack.ui.birth_date import BirthDateField
from paintrack.ui.clock import Clock, SystemClock, local
from paintrack.ui.widgets import (
    Card,
    heading,
    hint,
    message_label,
    scaled_label,
    show_message,
)
from paintrack.wording.people import more_matches, patient_description

LISTED = 50  # diaries in the drop-down at most: a clinic's 10,000 are found by typing
FIND_DELAY_MS = 250


class WelcomePage(QWidget):
    start_requested = Signal(object)  # Patient
    sample_requested = Signal()
    continue_requested = Signal(str)  # patient id

    def __init__(self, clock: Clock | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clock = clock or SystemClock()
        self.setObjectName("Page")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(48, 32, 48, 32)
        outer.setSpacing(14)
        outer.addWidget(heading("Welcome to your pain diary", 1.9))
        outer.addWidget(
            scaled_label(
                "On the day of your nerve block you note how strong your usual pain is: "
                "once before the block, then every 15 minutes for the first hour and every "
                "hour after that. Your clinic uses this to see how well the block worked. "
                "Everything you enter is saved straight away on this computer.",
                1.15,
            )
        )

        row = QHBoxLayout()
        row.setSpacing(20)
        outer.addLayout(row, 1)
        row.setAlignment(Qt.AlignmentFlag.AlignTop)

        start = Card()
        start.body.addWidget(heading("Start my diary", 1.35))
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setVerticalSpacing(10)
        self.name = QLineEdit()
        self.name.setAccessibleName("Your name")
        self.name.setPlaceholderText("for example Jane Example")
        form.addRow("Your name", self.name)
        # "Not in the future" by the window's clock, as for every other time.
        self.birth_date = BirthDateField(today=lambda: local(self.clock.now()).date())
        self.birth_date.setAccessibleName("Date of birth (optional)")
        form.addRow("Date of birth (optional)", self.birth_date)
        self.mrn = QLineEdit()
        self.mrn.setAccessibleName("Clinic record number (optional)")
        self.mrn.setPlaceholderText("on your clinic letter, if you have it")
        form.addRow("Clinic record number (optional)", self.mrn)
        start.body.addLayout(form)
        self.error = message_label("Error")
        start.body.addWidget(self.error)
        # A diary with the same name already exists: say so, offer to open it instead.
        self.duplicate = QWidget()
        duplicate = QVBoxLayout(self.duplicate)
        duplicate.setContentsMargins(0, 0, 0, 0)
        self.duplicate_text = message_label("Warning")
        duplicate.addWidget(self.duplicate_text)
        # Several diaries of that name: which one is theirs, told apart by what is known.
        # A list, all choices in sight and none chosen for them: the name, then what tells
        # the diaries apart on a line of its own.
        self.duplicate_choice = QListWidget()
        self.duplicate_choice.setAccessibleName("Which diary is yours")
        self.duplicate_choice.setSpacing(3)
        self.duplicate_choice.setVisible(False)
        duplicate.addWidget(self.duplicate_choice)
        duplicate_buttons = QHBoxLayout()
        self.open_existing_button = QPushButton("Yes, open it")
        self.open_existing_button.setObjectName("Primary")
        self.open_existing_button.setAccessibleName("Yes, it is mine: open that diary")
        self.start_anyway_button = QPushButton("No, start a new diary")
        self.start_anyway_button.setAccessibleName("No: start a new diary with the same name")
        duplicate_buttons.addWidget(self.open_existing_button)
        duplicate_buttons.addWidget(self.start_anyway_button)
        duplicate_buttons.addStretch(1)
        duplicate.addLayout(duplicate_buttons)
        self.duplicate.setVisible(False)
        start.body.addWidget(self.duplicate)
        self._existing: list[Patient] = []
        self._keys: list[str] = []
        self._first_blocks: dict[str, datetime] = {}
        self._duplicate_of: Patient | None = None
        self.start_button = QPushButton("Start my diary")
        self.start_button.setObjectName("Primary")
        self.start_button.setAccessibleName("Start my diary")
        self.start_button.setAutoDefault(True)
        start.body.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignLeft)
        left = QVBoxLayout()
        left.addWidget(start)
        left.addStretch(1)
        row.addLayout(left, 3)

        side = QVBoxLayout()
        side.setSpacing(20)
        row.addLayout(side, 2)

        self.continue_card = Card()
        self.continue_card.body.addWidget(heading("Continue a diary", 1.35))
        self.patients = QComboBox()
        self.patients.setAccessibleName("Diaries on this computer")
        # Long descriptions must not widen the card (and squeeze "Start my diary"): the box
        # keeps its width and its list opens as wide as its longest line.
        self.patients.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.patients.setMinimumContentsLength(16)
        # On a computer with more diaries than the drop-down lists (a clinic's), a box to find
        # one by part of the name or record number; the drop-down shows the first matches.
        self.find_box = QLineEdit()
        self.find_box.setPlaceholderText("Find a diary: part of the name or record number")
        self.find_box.setAccessibleName("Find a diary by name or record number")
        self.find_box.setClearButtonEnabled(True)
        self.find_box.setVisible(False)
        self.find_timer = QTimer(self)
        self.find_timer.setSingleShot(True)
        self.find_timer.setInterval(FIND_DELAY_MS)
        self.find_timer.timeout.connect(self._fill_list)
        self.find_box.textChanged.connect(lambda _text: self.find_timer.start())
        self.continue_card.body.addWidget(self.find_box)
        self.continue_card.body.addWidget(self.patients)
        self.more = QLabel("")
        self.more.setAccessibleName("More diaries match")
        self.more.setWordWrap(True)
        self.continue_card.body.addWidget(self.more)
        self.continue_button = QPushButton("Continue this diary")
        self.continue_button.setAccessibleName("Continue this diary")
        self.continue_card.body.addWidget(self.continue_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.continue_card.setVisible(False)
        side.addWidget(self.continue_card)

        sample = Card()
        sample.body.addWidget(heading("Just looking?", 1.35))
        sample.body.addWidget(
            hint(
                "Open a filled-in example diary in its own window to see how it works. "
                "It is kept apart from yours and thrown away when you close it."
            )
        )
        self.sample_button = QPushButton("Open the sample diary")
        self.sample_button.setAccessibleName("Open the sample diary")
        sample.body.addWidget(self.sample_button, 0, Qt.AlignmentFlag.AlignLeft)
        side.addWidget(sample)
        side.addStretch(1)

        self.start_button.clicked.connect(self._start)
        self.name.returnPressed.connect(self._start)
        self.mrn.returnPressed.connect(self._start)
        self.sample_button.clicked.connect(self.sample_requested.emit)
        self.continue_button.clicked.connect(self._continue)
        self.name.textChanged.connect(lambda _text: self._form_changed())
        self.birth_date.changed.connect(self._form_changed)
        self.birth_date.edit.returnPressed.connect(self._start)
        self.open_existing_button.clicked.connect(self._open_existing)
        self.start_anyway_button.clicked.connect(self._start_anyway)
        self.duplicate_choice.itemSelectionChanged.connect(self._duplicate_chosen)
        QWidget.setTabOrder(self.name, self.birth_date.edit)
        QWidget.setTabOrder(self.birth_date.edit, self.mrn)
        QWidget.setTabOrder(self.mrn, self.start_button)

    def set_patients(
        self, patients: list[Patient], first_blocks: dict[str, datetime] | None = None
    ) -> None:
        """The diaries on this computer; `first_blocks` (each patient's first block time)
        tells apart two people of the same name."""
        self._existing = list(patients)
        self._first_blocks = dict(first_blocks or {})
        # Worked out once: each keystroke then compares plain strings, no Qt call per patient.
        self._keys = [
            f"{search_key(p.name) or ''}\n{search_key(p.mrn) or ''}" for p in self._existing
        ]
        self.find_box.setVisible(len(self._existing) > LISTED)
        self._fill_list()
        self.continue_card.setVisible(bool(patients))

    def _fill_list(self) -> None:
        """The drop-down: the first LISTED diaries matching the find box, and how many more."""
        self.find_timer.stop()
        needle = search_key(self.find_box.text().strip()) or ""
        matching = [
            patient
            for patient, key in zip(self._existing, self._keys, strict=True)
            if not needle or needle in key
        ]
        shown = matching[:LISTED]
        self.patients.clear()
        for patient in shown:
            self.patients.addItem(self.description(patient), patient.id)
            self.patients.setItemData(
                self.patients.count() - 1, self.description(patient), Qt.ItemDataRole.ToolTipRole
            )
        self.patients.view().setMinimumWidth(self.patients.view().sizeHintForColumn(0) + 24)
        more = len(matching) - len(shown)
        if more:
            self.more.setText(more_matches(more))
        elif needle and not matching:
            self.more.setText("No diary matches; check the spelling or try the record number.")
        else:
            self.more.setText("")
        self.more.setVisible(bool(self.more.text()))

    def clear_form(self) -> None:
        """A fresh form: "Start or open another diary" must not show the last name typed."""
        self.name.clear()
        self.birth_date.clear()
        self.mrn.clear()
        show_message(self.error, "")
        self._hide_duplicate()

    def _form_changed(self) -> None:
        show_message(self.error, "")
        self._hide_duplicate()

    def _hide_duplicate(self) -> None:
        self._duplicate_of = None
        show_message(self.duplicate_text, "")
        self.duplicate.setVisible(False)
        self.duplicate_choice.clear()
        self.duplicate_choice.setVisible(False)
        self.open_existing_button.setText("Yes, open it")
        self.open_existing_button.setAccessibleName("Yes, it is mine: open that diary")
        self.open_existing_button.setEnabled(True)
        self.start_anyway_button.setText("No, start a new diary")
        self.start_button.setVisible(True)

    def description(self, patient: Patient) -> str:
        """The name and what tells this patient apart: birth date, record number, first block."""
        return patient_description(patient, self._first_blocks.get(patient.id))

    def same_people(self, patient: Patient) -> list[Patient]:
        """Existing diaries that may be this person's: the same name (any case), and neither a
        different birth date nor a different record number (when both are given)."""
        name = patient.name.casefold()
        mrn = (patient.mrn or "").strip().casefold()
        found = []
        for other in self._existing:
            if " ".join(other.name.split()).casefold() != name:
                continue
            if patient.birth_date and other.birth_date and patient.birth_date != other.birth_date:
                continue
            other_mrn = (other.mrn or "").strip().casefold()
            if mrn and other_mrn and mrn != other_mrn:
                continue
            found.append(other)
        return found

    def same_person(self, patient: Patient) -> Patient | None:
        """The first existing diary that may be this person's (see `same_people`)."""
        found = self.same_people(patient)
        return found[0] if found else None

    def _duplicate_chosen(self) -> None:
        # The selection, not the current row: the list makes its first row current when it
        # takes the focus, which must not count as the patient's answer.
        chosen = self.duplicate_choice.selectedItems()
        data = chosen[0].data(Qt.ItemDataRole.UserRole) if chosen else None
        self._duplicate_of = next((p for p in self._existing if p.id == data), None)
        self.open_existing_button.setEnabled(self._duplicate_of is not None)

    def focus_first(self) -> None:
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)

    def patient(self) -> Patient | None:
        """The patient the form describes, or None (with the reason shown) if it is incomplete."""
        name = " ".join(self.name.text().split())
        if not name:
            show_message(
                self.error, "Please type your name, so the clinic knows whose diary it is."
            )
            self.name.setFocus(Qt.FocusReason.OtherFocusReason)
            return None
        if not self.birth_date.check():
            self.birth_date.edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return None
        birth = self.birth_date.birth_date()
        mrn = self.mrn.text().strip() or None
        return Patient(name=name, birth_date=birth, mrn=mrn)

    def _start(self) -> None:
        patient = self.patient()
        if patient is None:
            return
        show_message(self.error, "")
        candidates = self.same_people(patient)
        if len(candidates) > 1:
            self._ask_which(patient, candidates)
            return
        existing = candidates[0] if candidates else None
        if existing is not None:
            self._duplicate_of = existing
            born = (
                f", born {existing.birth_date.day} {existing.birth_date:%B %Y}"
                if existing.birth_date
                else ""
            )
            show_message(
                self.duplicate_text,
                f"There is already a diary for {existing.name}{born} on this computer. "
                "Is it yours?",
            )
            # One question with its two answers: "Start my diary" waits until it is answered.
            self.start_button.setVisible(False)
            self.duplicate.setVisible(True)
            self.open_existing_button.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.start_requested.emit(patient)

    def _ask_which(self, patient: Patient, candidates: list[Patient]) -> None:
        """Several diaries of that name: no default, the patient picks theirs or starts anew."""
        self._duplicate_of = None
        show_message(
            self.duplicate_text,
            f"There are {len(candidates)} diaries for {patient.name} on this computer. "
            "Which one is yours?",
        )
        self.duplicate_choice.blockSignals(True)
        self.duplicate_choice.clear()
        for other in candidates:
            name, _, details = self.description(other).partition(" · ")
            item = QListWidgetItem(name + ("\n" + details if details else ""))
            item.setToolTip(self.description(other))
            item.setData(Qt.ItemDataRole.UserRole, other.id)
            self.duplicate_choice.addItem(item)
        self.duplicate_choice.setCurrentRow(-1)
        self.duplicate_choice.blockSignals(False)
        self.duplicate_choice.setVisible(True)
        self.open_existing_button.setText("Open this diary")
        self.open_existing_button.setAccessibleName("Open the diary chosen above")
        self.open_existing_button.setEnabled(False)
        self.start_anyway_button.setText("None of these: start a new diary")
        self.start_button.setVisible(False)
        self.duplicate.setVisible(True)
        self._fit_duplicate_choice()
        self.duplicate_choice.setFocus(Qt.FocusReason.OtherFocusReason)

    def _fit_duplicate_choice(self) -> None:
        """Every choice in sight, wrapped lines included: no scroll bar hiding one of them."""
        choice = self.duplicate_choice
        rows = sum(choice.sizeHintForRow(i) for i in range(choice.count()))
        spacing = 2 * choice.spacing() * choice.count()
        height = rows + spacing + 2 * choice.frameWidth() + 4
        choice.setFixedHeight(height)
        # The card is laid out for the list's new height now, not after the next event.
        layout = self.duplicate.layout()
        if layout is not None:
            layout.activate()
        self.duplicate.adjustSize()

    def _open_existing(self) -> None:
        if self._duplicate_of is not None:
            patient_id = self._duplicate_of.id
            self._hide_duplicate()
            self.continue_requested.emit(patient_id)

    def _start_anyway(self) -> None:
        patient = self.patient()
        if patient is not None:
            self._hide_duplicate()
            self.start_requested.emit(patient)

    def _continue(self) -> None:
        patient_id = self.patients.currentData()
        if patient_id:
            self.continue_requested.emit(str(patient_id))
