"""Review's worklist page: one row per patient and treatment target, sortable by each column,
filtered as you type, moved through with the arrow keys (Enter opens the patient).

The rows come from the cached summaries (`operations.worklist.open_worklist`, one query), so the
page opens at once even for a 10,000-patient clinic; patients whose diary changed since are
analysed off the UI thread, a batch at a time, and their rows join as each batch lands. The Qt
model sorts and filters in Python over cells worked out once, and hands the view its rows a page
at a time (`fetchMore`), so the view never lays out more rows than have been scrolled to.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from paintrack.clinical.model import Patient
from paintrack.clinical.search_keys import search_key
from paintrack.clinical.worklist import STATUS_ORDER, TargetJSON, WorkStatus
from paintrack.errors import UserError
from paintrack.operations import worklist as worklist_ops
from paintrack.operations.worklist import Worklist, WorklistLine
from paintrack.ui.workers import start_job
from paintrack.wording import worklist as words

if TYPE_CHECKING:
    from paintrack.operations import Store

PAGE = 500  # rows handed to the view at a time
AnyIndex = QModelIndex | QPersistentModelIndex
SortKey = tuple[str | float | int | bool | datetime, ...]

PATIENT, DATES, TARGET, AGENT, STATUS, COMPLIANCE, NEXT_STEP = range(len(words.COLUMNS))
_STATUS_RANK = {status: rank for rank, status in enumerate(STATUS_ORDER)}


@lru_cache(maxsize=65_536)
def _folded(name: str) -> str:
    # Names repeat across a patient's targets and across a clinic: fold each once.
    return search_key(name) or ""


def _patient_key(line: WorklistLine) -> SortKey:
    patient = line.patient
    return (_folded(patient.name), patient.mrn or "", patient.id)


def _agents_key(raw: TargetJSON) -> str:
    return ", ".join(dict.fromkeys(raw["agents"]))


def _percent(raw: TargetJSON) -> float:
    percent = raw["compliance"][4]
    return -1.0 if percent is None else float(percent)


# Each column's sort key, from the target's JSON form (no decoding), the patient breaking ties.
# ISO times in UTC sort as the times they are.
_COLUMN_KEYS: dict[int, Callable[[WorklistLine], SortKey]] = {
    PATIENT: _patient_key,
    DATES: lambda line: (line.raw["last_block_at"], *_patient_key(line)),
    TARGET: lambda line: (line.raw["region"], line.raw["side"], *_patient_key(line)),
    AGENT: lambda line: (_agents_key(line.raw), *_patient_key(line)),
    STATUS: lambda line: (
        _STATUS_RANK[WorkStatus(line.raw["status"])],
        line.raw["last_block_at"],
        *_patient_key(line),
    ),
    COMPLIANCE: lambda line: (_percent(line.raw), *_patient_key(line)),
    NEXT_STEP: lambda line: (
        line.raw["next_step"] is None,
        line.raw["last_block_at"],
        *_patient_key(line),
    ),
}


class WorklistModel(QAbstractTableModel):
    """The worklist's rows (WorklistLine), sorted and filtered here; fetched a page at a time.

    Nothing is worked out for every row up front: a row's cells are worded when the view first
    asks for them, a column's sort keys when it is first sorted by, and the filter's text when
    the filter is first used; each is kept until the rows change."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lines: list[WorklistLine] = []
        self._cells: dict[int, tuple[str, ...]] = {}
        self._keys: dict[int, list[SortKey]] = {}
        self._haystack: list[str] | None = None
        self._shown: list[int] = []  # indices into _lines, in the order on screen
        self._fetched = 0
        self._column = DATES
        self._order = Qt.SortOrder.DescendingOrder
        self.query = ""

    # --- contents -------------------------------------------------------------------------

    def set_lines(self, lines: Sequence[WorklistLine]) -> None:
        self._lines = list(lines)
        self._cells = {}
        self._keys = {}
        self._haystack = None
        self._arrange()

    def merge_lines(self, lines: Sequence[WorklistLine], patient_ids: set[str]) -> None:
        """Replace the rows of `patient_ids` (analysed again) by `lines`."""
        kept = [line for line in self._lines if line.patient.id not in patient_ids]
        self.set_lines([*kept, *lines])

    def _cells_of(self, line_index: int) -> tuple[str, ...]:
        cells = self._cells.get(line_index)
        if cells is None:
            line = self._lines[line_index]
            cells = self._cells[line_index] = words.cells(line.patient, line.target)
        return cells

    def _column_keys(self, column: int) -> list[SortKey]:
        keys = self._keys.get(column)
        if keys is None:
            key = _COLUMN_KEYS[column]
            keys = self._keys[column] = [key(line) for line in self._lines]
        return keys

    def _hay(self) -> list[str]:
        if self._haystack is None:
            self._haystack = [
                search_key(" ".join(self._cells_of(i))) or "" for i in range(len(self._lines))
            ]
        return self._haystack

    def _arrange(self) -> None:
        self.beginResetModel()
        needle = search_key(self.query.strip()) or ""
        keys = self._column_keys(self._column)
        rows = sorted(
            range(len(self._lines)),
            key=keys.__getitem__,
            reverse=self._order == Qt.SortOrder.DescendingOrder,
        )
        if needle:
            hay = self._hay()
            rows = [row for row in rows if needle in hay[row]]
        self._shown = rows
        self._fetched = min(PAGE, len(rows))
        self.endResetModel()

    def set_filter(self, query: str) -> None:
        self.query = query
        self._arrange()

    @property
    def total(self) -> int:
        return len(self._lines)

    @property
    def matching(self) -> int:
        return len(self._shown)

    def line_at(self, row: int) -> WorklistLine | None:
        return self._lines[self._shown[row]] if 0 <= row < self._fetched else None

    def row_of(self, patient_id: str) -> int | None:
        """The first row on screen (fetched or not) of `patient_id`, if it matches the filter."""
        for row, line_index in enumerate(self._shown):
            if self._lines[line_index].patient.id == patient_id:
                return row
        return None

    def row_cells(self, row: int) -> tuple[str, ...]:
        return self._cells_of(self._shown[row])

    # --- Qt's model interface ---------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._fetched

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(words.COLUMNS)

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return not parent.isValid() and self._fetched < len(self._shown)

    def fetchMore(self, parent: AnyIndex) -> None:
        if parent.isValid():
            return
        more = min(PAGE, len(self._shown) - self._fetched)
        if more <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._fetched, self._fetched + more - 1)
        self._fetched += more
        self.endInsertRows()

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < self._fetched:
            return None
        line_index = self._shown[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells_of(line_index)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() in (STATUS, NEXT_STEP):
                return self._lines[line_index].target.verdict
            if index.column() == COMPLIANCE:
                return words.compliance_tip(self._lines[line_index].target)
            return self._cells_of(line_index)[index.column()]
        if role == Qt.ItemDataRole.UserRole:
            return self._lines[line_index]
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return words.COLUMNS[section]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(words.COLUMNS):
            return
        self._column, self._order = column, order
        self._arrange()


class WorklistTable(QTableView):
    """Enter (or a double click) opens the row's patient."""

    open_requested = Signal(int)  # the row

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doubleClicked.connect(lambda index: self.open_requested.emit(index.row()))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            row = self.currentIndex().row()
            if row >= 0:
                self.open_requested.emit(row)
                return
        super().keyPressEvent(event)


class WorklistPage(QWidget):
    """The worklist, as Review first shows it."""

    open_requested = Signal(object)  # the Patient whose row was opened
    refreshed = Signal()  # every stale patient analysed again (or none was)

    def __init__(
        self,
        store: Store,
        now: Callable[[], datetime],
        parent: QWidget | None = None,
        *,
        on_error: Callable[[UserError, str], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self._now = now
        self._on_error = on_error or (lambda _error, _what: None)
        self.worklist: Worklist | None = None
        self.refreshing = False
        self._pending: list[str] = []
        self._again = False
        self._build()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        title = QLabel("Worklist")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        title.setFont(font)
        top.addWidget(title)
        self.summary = QLabel("")
        self.summary.setAccessibleName("What the worklist holds")
        top.addWidget(self.summary, 1)
        self.find_patient_button = QPushButton("Find a patient…")
        self.find_patient_button.setToolTip("Search every patient by name or record number")
        top.addWidget(self.find_patient_button)
        layout.addLayout(top)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(
            "Filter by name, record number, date, region, agent, status or next step"
        )
        self.filter.setAccessibleName("Filter the worklist")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter_changed)
        layout.addWidget(self.filter)
        self.model = WorklistModel(self)
        self.table = WorklistTable()
        self.table.setAccessibleName("Worklist: one row per patient and target")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(DATES, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        # Fixed row heights: the view never measures 10,000 rows' contents.
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().lineSpacing() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        # Sized to typical cells, not measured over the rows; what does not fit is elided, with
        # the whole text in the tooltip. The next step, the last column, gets the rest, so it
        # stays in sight in the 1,100-pixel window.
        for column, sample in (
            (PATIENT, "Maya Goldsmith (H-000000)"),
            (DATES, "20 Nov 2026, 4 Dec 2026"),
            (TARGET, "Cervical, both sides"),
            (AGENT, "bupivacaine, lidocaine"),
            (STATUS, "⚠ met with cautions"),
            (COMPLIANCE, "100% (11 of 11)"),
        ):
            header.resizeSection(column, self.fontMetrics().horizontalAdvance(sample) + 12)
        self.table.open_requested.connect(self._open_row)
        layout.addWidget(self.table, 1)
        self.status = QLabel("")
        self.status.setAccessibleName("Worklist status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.keys_hint = QLabel(
            "↑ ↓ move through the rows · Enter opens the patient · click a column to sort"
        )
        self.keys_hint.setEnabled(False)
        layout.addWidget(self.keys_hint)
        self.setFocusProxy(self.table)

    # --- loading ----------------------------------------------------------------------------

    def load(self) -> None:
        """Show the worklist from the cache at once; bring the changed patients up to date off
        the UI thread."""
        try:
            worklist = worklist_ops.open_worklist(self.store, self._now())
        except UserError as error:
            self._on_error(error, "The worklist could not be read.")
            return
        self.worklist = worklist
        self.model.set_lines(worklist.lines)
        self._select_first()
        self._pending = list(worklist.stale)
        self._show_counts()
        if self.refreshing:
            self._again = True  # a batch is running: load again when it lands
            return
        self._next_batch()

    def _next_batch(self) -> None:
        worklist = self.worklist
        if worklist is None or not self._pending:
            self.refreshing = False
            self.status.setText("")
            self.refreshed.emit()
            return
        self.refreshing = True
        chunk = tuple(self._pending[: worklist_ops.BATCH])
        del self._pending[: len(chunk)]
        total = len(worklist.stale)
        done = total - len(self._pending)
        self.status.setText(words.refreshing_text(done - len(chunk), total))
        batch = Worklist(
            lines=(), stale=chunk, days=worklist.days, now=worklist.now, settings=worklist.settings
        )
        store = self.store
        start_job(
            lambda: worklist_ops.refresh_worklist(store, batch),
            lambda lines: self._batch_done(set(chunk), lines),
            self._batch_failed,
            parent=self,
        )

    def _batch_done(self, patient_ids: set[str], lines: list[WorklistLine]) -> None:
        self.model.merge_lines(lines, patient_ids)
        self._show_counts()
        if self._again:
            self._again = False
            self.refreshing = False
            self.load()
            return
        self._next_batch()

    def _batch_failed(self, error: BaseException) -> None:
        self.refreshing = False
        self._pending = []
        self.status.setText("")
        message = error if isinstance(error, UserError) else UserError(str(error))
        self._on_error(message, "The worklist could not be brought up to date.")
        self.refreshed.emit()

    # --- showing ----------------------------------------------------------------------------

    def _filter_changed(self, text: str) -> None:
        self.model.set_filter(text)
        self._select_first()
        self._show_counts()

    def _select_first(self) -> None:
        if self.model.rowCount() and not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.model.index(0, 0))

    def _show_counts(self) -> None:
        days = self.worklist.days if self.worklist is not None else 0
        self.summary.setText(
            words.shown_text(self.model.matching, self.model.total, days, self.model.query)
        )

    def _open_row(self, row: int) -> None:
        line = self.model.line_at(row)
        if line is not None:
            self.open_requested.emit(line.patient)

    def select_patient(self, patient_id: str) -> bool:
        """Make the first row of `patient_id` current (fetching pages up to it)."""
        row = self.model.row_of(patient_id)
        if row is None:
            return False
        while self.model.rowCount() <= row and self.model.canFetchMore(QModelIndex()):
            self.model.fetchMore(QModelIndex())
        self.table.setCurrentIndex(self.model.index(row, 0))
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def current_patient(self) -> Patient | None:
        line = self.model.line_at(self.table.currentIndex().row())
        return line.patient if line is not None else None
