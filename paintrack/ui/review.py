"""Clinician review mode: find a patient, read each block's figures, compare two blocks against
the chosen rule preset, edit clinic settings, and export the PDF summary off the UI thread.

Every figure shown is the clinical engine's (`analyze_diary`), worded by the shared helpers;
nothing is recomputed here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from paintrack.clinical.model import Diary, Patient
from paintrack.clinical.people import SignedIn
from paintrack.clinical.results import BlockResult, CriterionStatus, DiaryAnalysis, PresetTarget
from paintrack.clinical.settings import ClinicSettings
from paintrack.clinical.wording import (
    PRESET_LABELS,
    STATUS_TEXT,
    bounds_text,
    comparison_text,
    expected_text,
    format_duration,
    format_percent,
    target_text,
)
from paintrack.errors import UserError
from paintrack.operations import audit as audit_ops
from paintrack.operations import review as review_ops
from paintrack.ui.modes import LazyMode
from paintrack.ui.problems import Problems
from paintrack.ui.review_settings import ClinicSettingsDialog
from paintrack.ui.running import OperationRunner
from paintrack.ui.signoff import SignOffPanel
from paintrack.ui.worklist import WorklistPage
from paintrack.wording import text as words
from paintrack.wording.people import (
    block_line,
    more_matches,
    patient_line,
    patient_parts,
    short_block_line,
)
from paintrack.wording.people import keep_together as unbroken

if TYPE_CHECKING:
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
    from matplotlib.figure import Figure
    from PySide6.QtPrintSupport import QPrinter

    from paintrack.operations import Store
    from paintrack.ui.host import WindowHost
    from paintrack.ui.sign_in import ClinicSession


STATUS_MARKS = {
    CriterionStatus.MET: "✓ met",
    CriterionStatus.NOT_MET: "✗ not met",
    CriterionStatus.UNKNOWN: "? unknown",
    CriterionStatus.PENDING: "… pending",
}
# A met verdict with cautions is not shown as a clean met (clinical.md item 13).
MET_WITH_CAUTIONS_MARK = "⚠ met"  # the cautions are in the verdict beside it


def target_mark(target: PresetTarget) -> str:
    return MET_WITH_CAUTIONS_MARK if target.met_with_cautions else STATUS_MARKS[target.status]


def patient_item_text(patient: Patient, first_block: datetime | None = None) -> str:
    """The patient list's item: the name, then one line for each thing known that tells this
    patient apart from another of the same name (birth date, record number, first block)."""
    return "\n".join(patient_parts(patient, first_block, unbroken=True))


NO_PATIENT_HINT = (
    "Choose a patient on the left to see their blocks, compare two blocks and read the rule "
    "checklist."
)
NO_PATIENTS_HINT = (
    "No patients yet. Add a block in the Diary, or import a diary file from the File menu; "
    "the patient will then appear here."
)
NEEDS_TWO_BLOCKS = "Comparison needs two blocks of the same region and side."


def no_match_text(query: str) -> str:
    return (
        f"No patient matches “{query}”. Check the spelling, or search by another part of the "
        "name or by record number; clear the search to see every patient."
    )


LAST_PATIENT_KEY = "review/last_patient"
SEARCH_DELAY_MS = 250  # the patient search waits for a pause in the typing
SEARCH_LIMIT = 50  # patients listed at most; "and 312 more" says the rest


def threshold_cell(result: BlockResult, site: str, threshold: int) -> str:
    """The verdict figure (before any rescue medicine, item 10) in item 9's words, and after
    rescue medicine the figure from all entries beside it, labelled."""
    site_result = result.sites[site]
    t = site_result.verdict_at(threshold)
    lines = [words.until_text(result, t)]
    if site_result.before_rescue is not None:
        every = site_result.thresholds[threshold]
        lines.append(f"incl. after rescue medicine: {words.until_text(result, every)}")
    bounds = bounds_text(t)
    if bounds and not t.censored:
        lines.append(bounds)
    expected = expected_text(t, result.agent)
    if expected:
        lines.append(expected)
    return "\n".join(lines)


def fit_height(table: QTableWidget) -> None:
    """Make a short table exactly as tall as its rows, so no empty grid sits under it."""
    rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
    header = table.horizontalHeader().sizeHint().height()
    table.setFixedHeight(rows + header + 2 * table.frameWidth() + 2)


class ReviewMode(QWidget):
    """The "Review" mode of the main window (see `install`)."""

    analysed = Signal()  # after a patient's diary has been (re)analysed and shown
    export_finished = Signal(str)  # the path written
    export_failed = Signal(str)  # the message shown

    def __init__(
        self,
        store: Store,
        *,
        now: Callable[[], datetime] | None = None,
        parent: QWidget | None = None,
        quiet: bool = False,
        prefs: QSettings | None = None,
        preferred_patient: Callable[[], str | None] | None = None,
    ) -> None:
        super().__init__(parent)
        # Where the last-viewed patient is remembered (a QSettings), and the patient the window's
        # diary has open: the patient to show when Review opens with none chosen yet.
        self.prefs = prefs
        self._preferred_patient = preferred_patient or (lambda: None)
        self._session: ClinicSession | None = None  # clinic mode's sign-in, once followed
        self.setObjectName("Page")
        self.store = store
        # A callable returning the time of analysis (the window's clock); real time by default.
        self._now = now or (lambda: datetime.now(UTC))
        self.quiet = quiet
        self.patient: Patient | None = None
        self.diary: Diary | None = None
        self.settings: ClinicSettings = ClinicSettings()
        self.analysis: DiaryAnalysis | None = None
        self.numbers: dict[str, int] = {}
        self.problems = Problems(self, quiet=quiet, modal=False)
        self.errors_shown = self.problems.shown
        self.runner = OperationRunner(self, self.problems)
        self.canvas: FigureCanvasQTAgg | None = None
        self.figure: Figure | None = None
        # The preset chosen on screen: kept across patients, reloads and saved clinic settings
        # (None: show the clinic's default).
        self._preset_choice: str | None = None
        # Work for a hidden Review waits until it is shown: a diary saved while the patient is
        # in the Diary mode marks Review out of date (re-read when shown, once), and the
        # comparison chart is built and drawn only while its tab is on screen.
        self.reload_pending = False
        self._reopen_pending = False
        self.chart_stale = False
        self._build()
        self.refresh_patients()
        # The worklist is read when Review is first shown: a patient at home never pays for it
        # (nor starts the background analysis of a clinic's changed diaries).
        if self.patient is None and self.patients.count() == 0:
            self.stack.setCurrentWidget(self.patient_page)  # no patients yet: the hint says why

    # --- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        # Review opens on the worklist; a patient opened from it (or found) fills the page, and
        # Escape or "Back to the worklist" returns.
        self.stack = QStackedWidget()
        outer.addWidget(self.stack)
        self.worklist = WorklistPage(self.store, self._now, on_error=self.show_error)
        self.worklist.open_requested.connect(lambda patient: self.open_patient(patient))
        self.worklist.find_patient_button.clicked.connect(self.find_patient)
        self.stack.addWidget(self.worklist)
        splitter = self.patient_page = QSplitter(Qt.Orientation.Horizontal)
        self.stack.addWidget(splitter)
        back = QShortcut(QKeySequence(Qt.Key.Key_Escape), splitter, self.show_worklist)
        back.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(QLabel("<b>Patients</b>"))
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search by name or record number")
        self.search.setAccessibleName("Search patients by name or record number")
        self.search.setClearButtonEnabled(True)
        # Debounced: one search after a pause in the typing, not one per keystroke.
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.refresh_patients)
        self.search.textChanged.connect(lambda _text: self.search_timer.start())
        self.search.returnPressed.connect(self.flush_search)
        left_layout.addWidget(self.search)
        self.patients = QListWidget()
        self.patients.setAccessibleName("Patients")
        self.patients.setWordWrap(True)
        self.patients.setSpacing(3)  # two-line patients stay apart
        self.patients.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.patients.currentItemChanged.connect(self._patient_chosen)
        left_layout.addWidget(self.patients, 1)
        self.more_patients = QLabel("")
        self.more_patients.setAccessibleName("More patients match")
        self.more_patients.setWordWrap(True)
        left_layout.addWidget(self.more_patients)
        # Wide enough for the search hint and a name; the splitter must not squeeze it away.
        left.setMinimumWidth(self.fontMetrics().horizontalAdvance("Search by name or record") + 40)
        splitter.addWidget(left)
        splitter.setCollapsible(0, False)

        right = QWidget()
        layout = QVBoxLayout(right)
        top = QHBoxLayout()
        self.back_button = QPushButton("← Back to the worklist")
        self.back_button.setToolTip("Back to the worklist (Esc)")
        self.back_button.clicked.connect(self.show_worklist)
        top.addWidget(self.back_button)
        self.title = QLabel("Choose a patient")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        top.addWidget(self.title, 1)
        top.addWidget(QLabel("Rule preset:"))
        self.preset = QComboBox()
        self.preset.setAccessibleName("Rule preset for the checklist")
        for name, label in PRESET_LABELS.items():
            self.preset.addItem(label, name)
        self.preset.currentIndexChanged.connect(self._preset_changed)
        top.addWidget(self.preset)
        self.settings_button = QPushButton("Clinic settings…")
        self.settings_button.clicked.connect(self.edit_settings)
        top.addWidget(self.settings_button)
        layout.addLayout(top)

        export_row = QHBoxLayout()
        self.verdict = QLabel("")
        self.verdict.setWordWrap(True)
        self.verdict.setAccessibleName("Verdict by rule preset")
        verdict_font = self.verdict.font()
        verdict_font.setBold(True)
        self.verdict.setFont(verdict_font)
        export_row.addWidget(self.verdict, 1)
        self.deidentify = QCheckBox("De-identify")
        self.deidentify.setToolTip(
            "Initials and birth year only: no name, record number or exact date of birth"
        )
        export_row.addWidget(self.deidentify)
        self.paper = QComboBox()
        self.paper.setAccessibleName("Paper size")
        self.paper.addItem("A4", "a4")
        self.paper.addItem("US Letter", "letter")
        export_row.addWidget(self.paper)
        self.export_button = QPushButton("Export PDF…")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(lambda: self.export_pdf())
        export_row.addWidget(self.export_button)
        # Notes beside the verdicts, the sign-off, and Print… (ui/signoff.py).
        self.signoff = SignOffPanel(
            self.store, self.problems, self.runner, now=lambda: self._now(), parent=self
        )
        self.signoff.request_for_print = self.summary_request
        self.signoff.print_button.clicked.connect(lambda: self.print_summary())
        export_row.addWidget(self.signoff.print_button)
        layout.addLayout(export_row)
        layout.addWidget(self.signoff)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_blocks_tab(), "Blocks")
        self.tabs.addTab(self._build_compare_tab(), "Compare blocks")
        # Sized again once the layout has settled (a tab just shown has no size yet).
        self._room_timer = QTimer(self)
        self._room_timer.setSingleShot(True)
        self._room_timer.setInterval(0)
        self._room_timer.timeout.connect(self._give_checklist_room)
        self.tabs.currentChanged.connect(lambda _i: self._room_timer.start())
        self.tabs.currentChanged.connect(lambda _i: self._draw_if_stale())
        # With no patient chosen, a calm hint instead of empty boxes.
        self.hint = QLabel(NO_PATIENT_HINT)
        self.hint.setAccessibleName("What to do next")
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setMargin(24)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.hint)
        self.pages.addWidget(self.tabs)
        layout.addWidget(self.pages, 1)
        # The export's outcome lives in a fixed one-line area under the tabs: nothing moves when
        # it appears, and it is cleared when the patient or the diary changes.
        self.export_status = QLabel("")
        self.export_status.setAccessibleName("Export status")
        self.export_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_status.setFixedHeight(self.fontMetrics().lineSpacing() + 6)
        self.export_status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        layout.addWidget(self.export_status)
        self.signoff.status.connect(self.export_status.setText)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 4)
        splitter.setSizes([260, 1000])

    def _build_blocks_tab(self) -> QWidget:
        tab = QWidget()
        layout = QHBoxLayout(tab)
        self.blocks = QListWidget()
        self.blocks.setAccessibleName("Blocks in order")
        self.blocks.setWordWrap(True)
        self.blocks.currentRowChanged.connect(self._block_chosen)
        self.blocks.setMaximumWidth(330)
        layout.addWidget(self.blocks, 1)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        self.block_title = QLabel("")
        self.block_title.setWordWrap(True)
        bold = self.block_title.font()
        bold.setBold(True)
        self.block_title.setFont(bold)
        detail_layout.addWidget(self.block_title)
        self.metrics = QTableWidget()
        self.metrics.setAccessibleName("Relief figures for the block")
        self.metrics.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.metrics.setWordWrap(True)
        self.metrics.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.metrics.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.metrics.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        detail_layout.addWidget(self.metrics)
        self.estimate = QLabel("")
        self.estimate.setWordWrap(True)
        self.estimate.setAccessibleName("Patient's own estimate")
        detail_layout.addWidget(self.estimate)
        self.compliance = QLabel("")
        self.compliance.setWordWrap(True)
        self.compliance.setAccessibleName("Compliance")
        detail_layout.addWidget(self.compliance)
        # Flags and the patient's notes side by side, under the figures; the lists take the
        # room that is left, and scroll, so the figures and the lines above never shrink.
        for label in (self.estimate, self.compliance):
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        lists = QHBoxLayout()
        self.flags = QListWidget()
        self.flags.setAccessibleName("Flags in plain words")
        # What the patient wrote for the clinic ("anything you want the clinic to know").
        self.notes = QListWidget()
        self.notes.setAccessibleName("Patient's notes, with the time each is about")
        for title, box in (("Flags", self.flags), ("Patient's notes", self.notes)):
            box.setWordWrap(True)
            box.setMinimumHeight(4 * self.fontMetrics().lineSpacing())
            box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
            column = QVBoxLayout()
            column.addWidget(QLabel(f"<b>{title}</b>"))
            column.addWidget(box, 1)
            lists.addLayout(column, 1)
        detail_layout.addLayout(lists, 1)
        # In a small window or with larger text the block's figures scroll as one, rather than
        # being squeezed on top of each other.
        self.detail_scroll = QScrollArea()
        self.detail_scroll.setWidgetResizable(True)
        self.detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.detail_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.detail_scroll.setWidget(detail)
        layout.addWidget(self.detail_scroll, 3)
        return tab

    def _build_compare_tab(self) -> QWidget:
        tab = self.compare_tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        self.choose_row = QWidget()
        choose = QHBoxLayout(self.choose_row)
        choose.setContentsMargins(0, 0, 0, 0)
        choose.addWidget(QLabel("Compare"))
        self.first = QComboBox()
        self.first.setAccessibleName("First block to compare")
        self.second = QComboBox()
        self.second.setAccessibleName("Second block to compare")
        for combo in (self.first, self.second):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(18)
        choose.addWidget(self.first, 1)
        choose.addWidget(QLabel("with"))
        choose.addWidget(self.second, 1)
        layout.addWidget(self.choose_row)
        self._chosen = (-1, -1)
        self.first.currentIndexChanged.connect(lambda i: self._pair_changed(self.first, i))
        self.second.currentIndexChanged.connect(lambda i: self._pair_changed(self.second, i))
        # Chart above, comparison and checklist below, on a splitter: the checklist (the table
        # the decision rests on) gets the room its rows need; the chart takes the rest.
        self.compare_split = QSplitter(Qt.Orientation.Vertical)
        self.compare_split.setChildrenCollapsible(False)
        self.chart_box = QWidget()
        self.chart_holder = QVBoxLayout(self.chart_box)
        self.chart_holder.setContentsMargins(0, 0, 0, 0)
        self.compare_split.addWidget(self.chart_box)
        lower = self.checklist_box = QWidget()
        lower_layout = self.checklist_box_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.setSpacing(2)
        self.comparison = QLabel("")
        self.comparison.setWordWrap(True)
        self.comparison.setAccessibleName("Comparison result")
        lower_layout.addWidget(self.comparison)
        self.checklist_title = QLabel("")
        self.checklist_title.setWordWrap(True)
        lower_layout.addWidget(self.checklist_title)
        self.checklist = QTableWidget(0, 3)
        self.checklist.setAccessibleName("Rule checklist")
        self.checklist.setHorizontalHeaderLabels(["Status", "Criterion", "Found"])
        self.checklist.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.checklist.setWordWrap(True)
        self.checklist.verticalHeader().setVisible(False)
        header = self.checklist.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        # The criterion is short, the numbers behind it long: give "Found" most of the width,
        # so each block's figures fit on one line and the rows stay short.
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.checklist.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        lower_layout.addWidget(self.checklist, 1)
        self.compare_split.addWidget(lower)
        self.compare_split.setStretchFactor(0, 2)
        self.compare_split.setStretchFactor(1, 3)
        layout.addWidget(self.compare_split, 1)
        return tab

    def checklist_content_height(self) -> int:
        """How tall the checklist must be to show every row without scrolling."""
        rows = sum(self.checklist.rowHeight(r) for r in range(self.checklist.rowCount()))
        header = self.checklist.horizontalHeader().sizeHint().height() or (
            self.checklist.horizontalHeader().sizeHint().height()
        )
        return rows + header + 2 * self.checklist.frameWidth() + 4

    def _give_checklist_room(self) -> None:
        """Size the splitter so the checklist shows all its rows; the chart keeps at least
        its minimum height (then the checklist scrolls, as little as it can)."""
        viewport = self.checklist.viewport().width()
        if viewport > 0:
            status = self.checklist.horizontalHeader().sectionSize(0)
            self.checklist.setColumnWidth(1, max(160, int((viewport - status) * 0.34)))
        self.checklist.resizeRowsToContents()
        total = sum(self.compare_split.sizes())
        if total <= 0:
            return
        width = max(self.checklist_box.width(), self.checklist.width(), 200)
        extra = 2 * self.checklist_box_layout.spacing() + 6  # a little slack against rounding
        for label in (self.comparison, self.checklist_title):
            if label.text():
                height = label.heightForWidth(width)
                extra += height if height > 0 else label.sizeHint().height()
        wanted = self.checklist_content_height() + extra
        chart_min = self.chart_box.minimumSizeHint().height()
        if self.canvas is not None:
            chart_min = max(chart_min, self.canvas.minimumHeight())
        lower_size = min(wanted, max(total - chart_min, total // 2))
        self.compare_split.setSizes([total - lower_size, lower_size])

    def _ensure_canvas(self) -> tuple[Figure, FigureCanvasQTAgg]:
        if self.figure is not None and self.canvas is not None:
            return self.figure, self.canvas
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
        from matplotlib.figure import Figure

        self.figure = Figure(layout="constrained")
        self.figure.set_dpi(max(72.0, float(self.logicalDpiY())))
        self.canvas = FigureCanvasQTAgg(self.figure)  # type: ignore[no-untyped-call]
        self.canvas.setAccessibleName("Relief of the two blocks over hours since each block")
        self.canvas.setMinimumHeight(170)
        self.chart_holder.addWidget(self.canvas)
        return self.figure, self.canvas

    # --- patients -------------------------------------------------------------------------

    def refresh_patients(self, *_: object) -> None:
        query = self.search.text().strip()
        try:
            rows = review_ops.find_patients(self.store, query, limit=SEARCH_LIMIT)
        except UserError as error:
            self.show_error(error, "The patient list could not be read.")
            return
        keep = self.patient.id if self.patient is not None else None
        self.patients.blockSignals(True)
        self.patients.clear()
        found = [row.patient for row in rows]
        for row in rows:
            patient = row.patient
            item = QListWidgetItem(patient_item_text(patient, row.first_block))
            item.setData(Qt.ItemDataRole.UserRole, patient)
            self.patients.addItem(item)
            if patient.id == keep:
                self.patients.setCurrentItem(item)
        self.patients.blockSignals(False)
        self.more_patients.setText(more_matches(rows.more) if rows.more else "")
        if query and not found:
            # Nobody matches: say so, and do not leave the previous patient on screen as if
            # they matched.
            self._clear_patient()
            self.hint.setText(no_match_text(query))
            self.pages.setCurrentWidget(self.hint)
            return
        if self.patient is None and not query:
            chosen = self._patient_to_open(found)
            if chosen is not None:
                self.patients.blockSignals(True)
                self.patients.setCurrentRow(found.index(chosen))
                self.patients.blockSignals(False)
                # A diary of one patient (a patient's own) opens on them; a clinic's on the
                # worklist, with the last patient viewed ready behind it.
                self.open_patient(chosen, show=len(found) == 1 and not rows.more)
        self._show_hint_or_tabs(have_patients=bool(found) or bool(query))

    def _clear_patient(self) -> None:
        """No patient on screen: nothing to export, no figures of someone else."""
        self.patient = None
        self.diary = None
        self.analysis = None
        self.numbers = {}
        self.title.setText("Choose a patient")
        self.verdict.setText("")
        self.export_button.setEnabled(False)
        self.export_status.setText("")
        self.signoff.clear()

    def _patient_to_open(self, found: list[Patient]) -> Patient | None:
        """With none chosen yet: the last patient viewed here, else the diary's open patient,
        else the only patient."""
        wanted = []
        if self.prefs is not None:
            wanted.append(str(self.prefs.value(LAST_PATIENT_KEY, "") or ""))
        wanted.append(self._preferred_patient() or "")
        for patient_id in wanted:
            for patient in found:
                if patient_id and patient.id == patient_id:
                    return patient
        return found[0] if len(found) == 1 else None

    def _show_hint_or_tabs(self, *, have_patients: bool = True) -> None:
        if self.patient is not None:
            self.pages.setCurrentWidget(self.tabs)
            return
        self.hint.setText(NO_PATIENT_HINT if have_patients else NO_PATIENTS_HINT)
        self.pages.setCurrentWidget(self.hint)

    def _patient_chosen(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        if item is None:
            return
        self.open_patient(item.data(Qt.ItemDataRole.UserRole))

    def open_patient(self, patient: Patient, *, show: bool = True) -> None:
        """Show `patient`'s diary (`show`: bring the patient page forward, over the worklist)."""
        try:
            opened = review_ops.open_for_review(self.store, patient.id)
            self.diary, self.settings = opened.diary, opened.settings
        except UserError as error:
            self.show_error(error, "The diary could not be opened.")
            return
        if self.patient is None or self.patient.id != patient.id:
            self.tabs.setCurrentIndex(0)
            self._view_recorded = None  # a new opening: recorded once it is on screen
            # De-identifying is chosen for one patient's summary, never carried to the next.
            self.deidentify.setChecked(False)
        self.patient = patient
        if show:
            self.stack.setCurrentWidget(self.patient_page)
        if not self.record_view():
            return
        self.export_status.setText("")  # an earlier export was of other figures
        if self.prefs is not None:
            self.prefs.setValue(LAST_PATIENT_KEY, patient.id)
        self._show_hint_or_tabs()
        self._show_preset()
        self.reanalyse()

    _view_recorded: str | None = None  # the patient whose opening the audit trail holds

    def record_view(self) -> bool:
        """Record in the audit trail that the patient's diary is on screen: once per opening,
        not per redraw or reload; a diary opened while Review is hidden, once Review is shown.
        When it cannot be recorded the diary is taken off screen (False) and the reason shown."""
        patient = self.patient
        on_screen = self.isVisible() and self.stack.currentWidget() is self.patient_page
        if patient is None or not on_screen or self._view_recorded == patient.id:
            return True
        try:
            audit_ops.record_view(self.store, patient.id)
        except UserError as error:
            self._clear_patient()
            self.patients.blockSignals(True)
            self.patients.setCurrentRow(-1)  # choosing the patient again tries again
            self.patients.blockSignals(False)
            self._show_hint_or_tabs()
            self.show_error(error, "The diary could not be opened.")
            return False
        self._view_recorded = patient.id
        return True

    def _show_preset(self) -> None:
        """The preset chosen on screen, else the clinic's default."""
        wanted = self._preset_choice or self.settings.preset
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(max(0, self.preset.findData(wanted)))
        self.preset.blockSignals(False)

    def reload(self, patient_id: str | None = None) -> None:
        """The diary changed elsewhere (the window's diary mode): show the new figures; while
        Review is hidden, once it is shown."""
        reopen = self.patient is not None and patient_id in (None, self.patient.id)
        if not self.isVisible():
            self.reload_pending = True
            self._reopen_pending = self._reopen_pending or reopen
            return
        if reopen and self.patient is not None:
            self.open_patient(self.patient, show=False)
        self.refresh_patients()
        self.worklist.load()

    def catch_up(self) -> None:
        """Carry out a reload that waited while Review was hidden."""
        if not self.reload_pending:
            return
        reopen = self._reopen_pending
        self.reload_pending = self._reopen_pending = False
        if reopen and self.patient is not None:
            self.open_patient(self.patient, show=False)
        self.refresh_patients()
        self.worklist.load()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.worklist.worklist is None:
            self.worklist.load()
        self.catch_up()
        self.record_view()
        self._draw_if_stale()

    def chart_on_screen(self) -> bool:
        return self.isVisible() and self.tabs.currentWidget() is self.compare_tab

    # --- the worklist -----------------------------------------------------------------------

    def show_worklist(self) -> None:
        """Back to the worklist (Escape), brought up to date, on the row of the patient seen."""
        self.stack.setCurrentWidget(self.worklist)
        self.worklist.load()
        if self.patient is not None:
            self.worklist.select_patient(self.patient.id)
        self.worklist.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def find_patient(self) -> None:
        """The patient page with the search box ready: any patient, not only the worklist's."""
        self.stack.setCurrentWidget(self.patient_page)
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)
        self.search.selectAll()

    def flush_search(self) -> None:
        """Run a search still waiting for the typing to pause (tests, Enter in the box)."""
        if self.search_timer.isActive():
            self.search_timer.stop()
            self.refresh_patients()

    # --- analysis ---------------------------------------------------------------------------

    def reanalyse(self) -> None:
        if self.diary is None or self.patient is None:
            return
        try:
            self.analysis = review_ops.analyse_under(
                self.diary, self.settings, str(self.preset.currentData()), now=self._now()
            )
        except UserError as error:
            self.show_error(error, "This diary could not be analysed.")
            return
        analysis = self.analysis
        self.numbers = {b.block_id: i for i, b in enumerate(analysis.blocks, start=1)}
        self.title.setText(patient_line(self.patient))
        self.verdict.setText(
            "\n".join(
                f"{target_text(t.region, t.side)}: {t.verdict}" for t in analysis.preset.targets
            )
            or "No diagnostic block yet."
        )
        self.export_button.setEnabled(True)
        self.signoff.show_for(self.diary, analysis)
        self.blocks.blockSignals(True)
        self.blocks.clear()
        for result in analysis.blocks:
            self.blocks.addItem(block_line(result, self.numbers[result.block_id]))
        self.blocks.blockSignals(False)
        this_year = words.local(self._now()).year
        for combo in (self.first, self.second):
            combo.blockSignals(True)
            combo.clear()
            for result in analysis.blocks:
                number = self.numbers[result.block_id]
                combo.addItem(
                    short_block_line(result, number, this_year=this_year), result.block_id
                )
                combo.setItemData(
                    combo.count() - 1, block_line(result, number), Qt.ItemDataRole.ToolTipRole
                )
        first, second = self._default_pair()
        self.first.setCurrentIndex(first)
        self.second.setCurrentIndex(second if len(analysis.blocks) >= 2 else -1)
        self._chosen = (self.first.currentIndex(), self.second.currentIndex())
        for combo in (self.first, self.second):
            combo.setToolTip(str(combo.currentData(Qt.ItemDataRole.ToolTipRole) or ""))
            combo.blockSignals(False)
        if analysis.blocks:
            self.blocks.setCurrentRow(0)
        self._block_chosen(self.blocks.currentRow())
        self._draw_comparison()
        self._fill_checklist()
        self.analysed.emit()

    def _default_pair(self) -> tuple[int, int]:
        assert self.analysis is not None
        ids = [b.block_id for b in self.analysis.blocks]
        for comparison in self.analysis.comparisons:
            if comparison.first_block_id in ids and comparison.second_block_id in ids:
                return ids.index(comparison.first_block_id), ids.index(comparison.second_block_id)
        return 0, min(1, max(0, len(ids) - 1))

    def _pair_changed(self, combo: QComboBox, index: int) -> None:
        """Choosing in one selector the block the other shows swaps them: a block is never
        compared with itself."""
        first, second = self.first.currentIndex(), self.second.currentIndex()
        before_first, before_second = self._chosen
        if first == second and first >= 0:
            other = self.second if combo is self.first else self.first
            previous = before_first if combo is self.first else before_second
            if previous < 0 or previous == index:
                previous = next(i for i in range(other.count()) if i != index)
            other.blockSignals(True)
            other.setCurrentIndex(previous)
            other.blockSignals(False)
        self._chosen = (self.first.currentIndex(), self.second.currentIndex())
        for box in (self.first, self.second):
            box.setToolTip(str(box.currentData(Qt.ItemDataRole.ToolTipRole) or ""))
        self._draw_comparison()

    def _preset_changed(self, _index: int) -> None:
        self._preset_choice = str(self.preset.currentData())
        self.reanalyse()

    # --- one block --------------------------------------------------------------------------

    def _block_chosen(self, row: int) -> None:
        self.metrics.clear()
        self.flags.clear()
        self.notes.clear()
        if self.analysis is None or not 0 <= row < len(self.analysis.blocks):
            self.block_title.setText("No block recorded yet." if self.analysis else "")
            self.metrics.setRowCount(0)
            self.metrics.setColumnCount(0)
            self.estimate.setText("")
            self.compliance.setText("")
            return
        result = self.analysis.blocks[row]
        b = result.block
        self.block_title.setText(
            f"{block_line(result, row + 1)}\nLevels: {words.levels_text(b)}; sedation: "
            f"{b.sedation.value}; steroid: {'yes' if b.steroid else 'no'}"
        )
        sites = list(result.sites)
        thresholds = self.analysis.thresholds
        labels = ["Baseline", "Peak relief"] + [f"Relief ≥ {t}% lasted" for t in thresholds]
        self.metrics.setColumnCount(len(sites))
        self.metrics.setRowCount(len(labels))
        self.metrics.setHorizontalHeaderLabels([words.site_name(s).capitalize() for s in sites])
        self.metrics.setVerticalHeaderLabels(labels)
        for column, site in enumerate(sites):
            s = result.sites[site]
            values = [
                "none" if s.baseline is None else f"{s.baseline}/10",
                words.no_peak_text(s)
                if s.peak_relief_percent is None
                else f"{format_percent(s.peak_relief_percent)} at "
                f"{format_duration(s.time_to_peak_minutes)}",
            ] + [threshold_cell(result, site, t) for t in thresholds]
            for row_index, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                self.metrics.setItem(row_index, column, item)
        self.metrics.resizeRowsToContents()
        fit_height(self.metrics)
        est = result.patient_estimate
        if est is not None and est.peak_relief_percent is not None:
            parts = [
                f"peak {format_percent(est.peak_relief_percent)} at "
                f"{format_duration(est.time_to_peak_minutes)}"
            ] + [f"≥ {t}% {words.duration_text(result, r)}" for t, r in est.thresholds.items()]
            self.estimate.setText(
                "Patient's own % relief estimate (never used for a verdict): "
                + unbroken(", ".join(parts))
            )
        else:
            self.estimate.setText("")
        self.compliance.setText("Data quality: " + words.data_quality_text(result))
        texts = words.block_flag_texts(result)
        for text in texts or ["no flags"]:
            self.flags.addItem(text)
        notes = words.entry_notes(b)
        for text in notes or ["no notes from the patient for this block"]:
            self.notes.addItem(text)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.metrics.rowCount():
            self.metrics.resizeRowsToContents()
            fit_height(self.metrics)
        self._give_checklist_room()
        self._room_timer.start()

    def metric_text(self, row: int, column: int = 0) -> str:
        item = self.metrics.item(row, column)
        return item.text() if item is not None else ""

    # --- comparison -------------------------------------------------------------------------

    def compared_blocks(self) -> list[BlockResult]:
        if self.analysis is None:
            return []
        chosen = []
        for combo in (self.first, self.second):
            block_id = combo.currentData()
            if block_id is not None:
                chosen.append(self.analysis.block(str(block_id)))
        unique = {r.block_id: r for r in chosen}
        return list(unique.values())

    def text_size_changed(self) -> None:
        """Larger or normal text: redraw the comparison chart so its labels follow."""
        if self.analysis is not None and self.chart_box.isVisible():
            self._draw_comparison()
        elif self.figure is not None:
            self.chart_stale = True

    def _draw_if_stale(self) -> None:
        if self.chart_stale and self.chart_on_screen():
            self._draw_comparison()

    def _draw_comparison(self, *_: object) -> None:
        if self.analysis is None:
            return
        if not self.analysis.blocks:
            # Nothing to draw or compare: no selectors, no chart; the checklist gets the room.
            self.choose_row.setVisible(False)
            self.chart_box.setVisible(False)
            self.comparison.setText(NEEDS_TWO_BLOCKS)
            return
        # One block: nothing to compare, but its own chart (issue 14: a patient with one block
        # had no chart anywhere).
        single = len(self.analysis.blocks) == 1
        self.choose_row.setVisible(not single)
        self.chart_box.setVisible(True)
        blocks = list(self.analysis.blocks) if single else self.compared_blocks()
        if self.chart_on_screen():
            self.chart_stale = False
            figure, canvas = self._ensure_canvas()
            from paintrack.charts import draw_relief_comparison

            font = max(9.0, self.font().pointSizeF())
            draw_relief_comparison(
                figure,
                blocks,
                self.analysis.thresholds,
                numbers=[self.numbers[b.block_id] for b in blocks],
                fontsize=font,
            )
            canvas.draw_idle()  # type: ignore[no-untyped-call]
        else:
            self.chart_stale = True  # built and drawn when its tab is shown
        if single:
            self.comparison.setText(NEEDS_TWO_BLOCKS)
            return
        ids = {b.block_id for b in blocks}
        # One line per site and outcome: "relief ≥ 50% and ≥ 80%: concordant: …".
        grouped: dict[tuple[str, str], list[str]] = {}
        for c in self.analysis.comparisons:
            if {c.first_block_id, c.second_block_id} == ids:
                note = words.comparison_note(c, self.analysis, self.numbers)
                outcome = comparison_text(c.result) + (f" ({note})" if note else "")
                grouped.setdefault((c.site, outcome), []).append(f"≥ {c.threshold}%")
        lines = [
            f"Comparison result, {words.site_name(site)}, relief {' and '.join(levels)}: {outcome}"
            for (site, outcome), levels in grouped.items()
        ]
        if len(ids) < 2:
            text = NEEDS_TWO_BLOCKS
        elif lines:
            text = "\n".join(lines)
        else:
            text = (
                "These two blocks are not a comparative pair (same region and side, first "
                "and second diagnostic block), so there is no comparison result."
            )
        self.comparison.setText(text)

    def _fill_checklist(self) -> None:
        assert self.analysis is not None
        checklist = self.analysis.preset
        self.checklist_title.setText(
            f"<b>Rule checklist: {checklist.label} (relief ≥ {checklist.threshold}%)</b>"
        )
        self.checklist.clearSpans()
        self.checklist.setRowCount(0)

        def add_row(cells: list[str], *, bold: bool = False) -> int:
            row = self.checklist.rowCount()
            self.checklist.insertRow(row)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                if bold:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.checklist.setItem(row, column, item)
            return row

        for target in checklist.targets:
            blocks = ", ".join(
                f"Block {self.numbers[b]}" for b in target.block_ids if b in self.numbers
            )
            where = target_text(target.region, target.side)
            row = add_row(
                [
                    target_mark(target),
                    where + (f" ({blocks})" if blocks else "") + f": {target.verdict}",
                    "",
                ],
                bold=True,
            )
            self.checklist.setSpan(row, 1, 1, 2)
            for criterion in target.criteria:
                found = words.criterion_found(criterion, target, self.analysis, self.numbers)
                row = add_row(
                    [
                        STATUS_MARKS[criterion.status],
                        words.criterion_description(criterion),
                        unbroken("\n".join(found)),
                    ]
                )
                status = self.checklist.item(row, 0)
                if status is not None:
                    status.setData(
                        Qt.ItemDataRole.AccessibleTextRole, STATUS_TEXT[criterion.status]
                    )
        if not checklist.targets:
            row = add_row(["", "No diagnostic block to check yet.", ""])
            self.checklist.setSpan(row, 1, 1, 2)
        self.checklist.resizeRowsToContents()
        self._give_checklist_room()
        self._room_timer.start()

    def checklist_rows(self) -> list[list[str]]:
        """The checklist as shown: [status, criterion, found] per row."""
        rows = []
        for row in range(self.checklist.rowCount()):
            cells = []
            for column in range(3):
                item = self.checklist.item(row, column)
                # As read: the non-breaking spaces that keep "2 h 41 min" together read as spaces.
                cells.append(item.text().replace("\u00a0", " ") if item is not None else "")
            rows.append(cells)
        return rows

    # --- settings ---------------------------------------------------------------------------

    def edit_settings(self) -> ClinicSettingsDialog:
        dialog = ClinicSettingsDialog(self.store, self)
        dialog.accepted.connect(lambda: self._settings_saved(dialog))
        dialog.open()
        return dialog

    def _settings_saved(self, dialog: ClinicSettingsDialog) -> None:
        if dialog.saved is None:
            return
        if dialog.saved.preset != self.settings.preset:
            # The clinic's default preset itself was changed: show the new default.
            self._preset_choice = None
        self.settings = dialog.saved
        self._show_preset()
        self.reanalyse()
        self.worklist.load()  # other days, or other settings: every summary stale

    # --- export -----------------------------------------------------------------------------

    def suggested_file_name(self) -> str:
        if self.patient is None:
            return "paintrack-summary.pdf"
        if self.deidentify.isChecked():
            name = words.initials(self.patient.name)
        else:
            name = "-".join(self.patient.name.lower().split()) or "patient"
        return f"{name}-paintrack-summary.pdf"

    def export_pdf(self, path: str | None = None) -> None:
        """Write the summary of the patient on screen; off the UI thread, with progress."""
        self.catch_up()
        if self.analysis is None or self.diary is None or self.patient is None:
            return
        if path is None:
            start = str(Path.home() / self.suggested_file_name())
            path, _ = QFileDialog.getSaveFileName(self, "Export PDF summary", start, "PDF (*.pdf)")
            if not path:
                return
        request = self.summary_request()
        if request is None:
            return
        store, target = self.store, path
        self.export_button.setEnabled(False)
        self.export_status.setText("Writing the PDF summary…")
        self.runner.run(
            "Writing the PDF summary…",
            lambda: str(review_ops.write_summary(store, request, target)),
            self._exported,
            what_happened="The PDF was not written.",
            after=lambda: self.export_button.setEnabled(self.analysis is not None),
            failed=self._export_failed,
            nothing_lost="No PDF was written; the diary itself is unchanged.",
            show_after_ms=400,
        )

    def summary_request(self) -> review_ops.SummaryRequest | None:
        """The summary of the patient on screen, as the PDF writes it; None with no patient."""
        if self.analysis is None or self.diary is None or self.patient is None:
            return None
        return review_ops.SummaryRequest(
            diary=self.diary,
            analysis=self.analysis,
            settings=self.settings,
            deidentify=self.deidentify.isChecked(),
            paper=str(self.paper.currentData()),
            generated_at=self._now(),
        )

    def print_summary(self, printer: QPrinter | None = None) -> None:
        """Print the PDF summary through the system print dialog (Ctrl+P, File menu)."""
        self.catch_up()
        self.signoff.print_summary(printer)

    def follow(self, session: ClinicSession) -> None:
        """Follow clinic mode's sign-in: who may write notes and sign, from now on."""
        self._session = session
        session.changed.connect(self._session_changed)
        self._session_changed()

    def _session_changed(self) -> None:
        session = self._session
        # Patient mode offers no clinic settings; in clinic mode, clinicians only (the operation
        # refuses anyone else too).
        self.settings_button.setVisible(
            session is not None and session.clinic_mode and session.is_clinician
        )
        self.set_signed_in(session.who if session is not None else None)

    def set_signed_in(self, who: SignedIn | None) -> None:
        """Who is signed in (clinic mode's sign-in calls this): a clinician may write notes and
        sign; staff and patient mode read them."""
        self.signoff.set_signed_in(who)

    def _exported(self, path: str) -> None:
        self.export_status.setText(f"Saved the PDF summary to {path}")
        self.export_finished.emit(path)

    def _export_failed(self, error: UserError) -> None:
        self.export_status.setText("The PDF was not written.")
        self.export_failed.emit(error.message)

    # --- errors -----------------------------------------------------------------------------

    def show_error(self, error: UserError, what_happened: str) -> None:
        """A calm, non-blocking message: what happened and what to do next."""
        self.problems.show(error, what_happened)


def install(window: WindowHost) -> None:
    """Called by the main window once it has first been shown: adds the Review mode, built the
    first time it is shown."""

    def build() -> ReviewMode:
        review = ReviewMode(
            window.stored,
            now=window.clock.now,
            parent=window.widget,
            quiet=window.quiet,
            prefs=window.prefs,
            preferred_patient=lambda: window.current_patient_id,
        )
        window.diary_changed.connect(review.reload)
        review.follow(window.clinic.session)
        return review

    window.add_mode("Review", LazyMode(build))
