"""The diary: the block being logged, the scale, the schedule, the entries and the live chart.

Every figure shown comes from the clinical engine (`analyze_diary`); the page only formats it.
The page talks to the store through its repository API and re-reads the diary after each save.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from paintrack.clinical.model import Block, Diary, Entry, Site
from paintrack.clinical.reminding import rate_by, snooze_minutes
from paintrack.clinical.results import BlockResult, DiaryAnalysis, PointState, SchedulePoint
from paintrack.clinical.settings import ClinicSettings
from paintrack.clinical.timing import diary_closes_at, is_low_baseline
from paintrack.clinical.wording import format_duration
from paintrack.errors import UserError
from paintrack.operations import diary as diary_ops
from paintrack.operations.diary import DiaryState
from paintrack.ui.chart_view import ChartView
from paintrack.ui.clock import Clock, clock_text, day_and_time_text
from paintrack.ui.log_panel import LogPanel
from paintrack.ui.scale import band
from paintrack.ui.widgets import FittingLabel, hint, scaled_label, set_text, set_visible

if TYPE_CHECKING:
    from paintrack.operations import Store

log = logging.getLogger(__name__)

REGION_WORDS = {
    "cervical": "neck",
    "thoracic": "upper back",
    "lumbar": "lower back",
    "sacral": "sacral",
}
SIDE_WORDS = {"left": "left", "right": "right", "bilateral": "both sides"}
SITE_WORDS: dict[str, str] = {Site.INDEX: "", Site.LEFT: "left", Site.RIGHT: "right"}
STATE_TEXT = {
    PointState.ON_TIME: "✓ Done on time",
    PointState.LATE: "✓ Done, written later",
    PointState.TRANSCRIBED: "✓ From paper",
    PointState.MISSED: "✗ Missed",
    PointState.DUE_NOW: "● Due now",
    PointState.UPCOMING: "Upcoming",
}
# Between two looks at the clock, the computer's time may differ this much from the time that
# passed before paintrack says so and asks before saving (the clock was set back or forward).
CLOCK_JUMP = timedelta(minutes=3)
LOW_BASELINE_WARNING = (
    "Your pain before the block was mild ({score} out of 10). Percentages are unreliable when "
    "the pain before the block is mild: please mention it to your clinic. "
    "You can carry on with your diary as normal."
)


def block_title(block: Block, today: datetime) -> str:
    where = REGION_WORDS.get(block.region.value, block.region.value)
    side = SIDE_WORDS.get(block.side.value, block.side.value)
    agent = "" if block.agent.value == "unknown" else f" · {block.agent.value}"
    return (
        f"Block {block.sequence} · {where}, {side}{agent} · "
        f"{day_and_time_text(block.performed_at, today=today)}"
    )


def point_label(minutes: float) -> str:
    return format_duration(minutes) + " after"


def point_words(point: SchedulePoint) -> str:
    """A schedule point in the same words everywhere (banner, panel, tray): "your 19:45 score
    (2 h after the block)"."""
    return f"your {clock_text(point.at)} score ({point_label(point.minutes)} the block)"


def rate_by_words(point: SchedulePoint) -> str:
    """Until when a score still counts for the point: "please rate by 09:22"."""
    return f"please rate by {clock_text(rate_by(point))}"


def reminder_text(point: SchedulePoint) -> str:
    return f"It's time for {point_words(point)}: {rate_by_words(point)}."


def snooze_words(minutes: int) -> str:
    return "Remind me in 1 minute" if minutes == 1 else f"Remind me in {minutes} minutes"


def done_words(points: Sequence[SchedulePoint]) -> str:
    """The last point's window has closed: how many times were kept and missed, never a bare
    "all done" while some were missed."""
    missed = sum(1 for p in points if p.state == PointState.MISSED)
    kept = len(points) - missed
    extra = "You can still add a score if your clinic asked for more."
    if not missed:
        return f"All {kept} scheduled scores are done for this block. {extra}"
    times = "time was" if missed == 1 else "times were"
    return (
        f"No more scores are scheduled for this block: {kept} of {len(points)} kept, "
        f"{missed} {times} missed. {extra}"
    )


def relief_words(percent: float) -> str:
    """The engine's relief for a patient: whole percent; negative relief is worse pain."""
    if percent < 0:
        return f"pain {abs(percent):.0f}% worse than before the block"
    return f"{percent:.0f}% relief"


TALLY_WORDS = (
    (PointState.ON_TIME, "on time"),
    (PointState.LATE, "written later"),
    (PointState.TRANSCRIBED, "from paper"),
    (PointState.MISSED, "missed"),
    (PointState.DUE_NOW, "due now"),
)


def schedule_tally(points: Sequence[SchedulePoint]) -> str:
    """A plain count of the schedule rows' states as shown ("So far: 1 on time · 1 missed").
    Not the engine's compliance percent, which counts a point only once its window has
    closed and so can disagree with a row already marked done."""
    counts = Counter(point.state for point in points)
    parts = [f"{counts[state]} {words}" for state, words in TALLY_WORDS if counts[state]]
    return "So far: " + " · ".join(parts) if parts else ""


def countdown_text(delta_seconds: float) -> str:
    minutes = math.ceil(delta_seconds / 60.0)
    if minutes <= 0:
        return "now"
    if minutes < 60:
        return f"in {minutes} min"
    return "in " + format_duration(float(minutes))


class ReminderBanner(QFrame):
    log_now = Signal()
    snooze = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Banner")
        self.setAccessibleName("Reminder")
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 10, 16, 10)
        self.text = scaled_label("", 1.2, bold=True)
        self.text.setAccessibleName("Reminder")
        row.addWidget(self.text, 1)
        self.now_button = QPushButton("Rate my pain now")
        self.now_button.setObjectName("Primary")
        self.now_button.setAccessibleName("Rate my pain now")
        self.snooze_button = QPushButton("Remind me in 5 minutes")
        self.snooze_button.setAccessibleName("Remind me in 5 minutes")
        row.addWidget(self.now_button)
        row.addWidget(self.snooze_button)
        self.snooze_minutes = 5
        self.now_button.clicked.connect(self.log_now.emit)
        self.snooze_button.clicked.connect(self.snooze.emit)
        # While reminders are still to come, a calm line holds the banner's place, so the
        # page below does not jump each time a reminder comes and goes.
        self.idle = scaled_label(
            "No score is due right now. I'll remind you here when the next one is.",
            1.05,
            name="BannerIdle",
        )
        self.idle.setAccessibleName("Reminder")
        self.idle.setAlignment(Qt.AlignmentFlag.AlignVCenter)
        self.idle.setVisible(False)
        self._reserved = False
        super().setVisible(False)

    def setVisible(self, visible: bool) -> None:
        super().setVisible(visible)
        self._sync_idle()

    def set_idle_text(self, text: str) -> None:
        set_text(self.idle, text)

    def set_snooze(self, minutes: int) -> None:
        """Offer the snooze that fits before the point's window closes; none if none fits."""
        self.snooze_minutes = minutes
        if minutes > 0:
            words = snooze_words(minutes)
            set_text(self.snooze_button, words)
            if self.snooze_button.accessibleName() != words:
                self.snooze_button.setAccessibleName(words)
        set_visible(self.snooze_button, minutes > 0)

    def reserve_space(self, on: bool) -> None:
        self._reserved = on
        self._sync_idle()

    def _sync_idle(self) -> None:
        idle = getattr(self, "idle", None)
        if idle is None:
            return
        show = self._reserved and self.isHidden()
        if show:
            idle.setFixedHeight(self.sizeHint().height())
        idle.setVisible(show)


def _still_unscored(point: SchedulePoint, result: BlockResult) -> bool:
    """`point` (as it was when the patient was reminded) has no score in today's analysis."""
    now = next((p for p in result.schedule if p.minutes == point.minutes), None)
    return now is not None and not now.entries


def _item(text: str, *, data: object = None, align_right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _schedule_row(point: SchedulePoint) -> tuple[str, float, str, str, PointState]:
    """What the Schedule tab shows of a point: its time, its place, its scores, its state."""
    scores = "  ".join(
        "/".join(
            f"{SITE_WORDS.get(s, s)[:1].upper()}{v}" if len(e.scores) > 1 else str(v)
            for s, v in e.scores.items()
        )
        for e in point.entries
    )
    return (clock_text(point.at), point.minutes, point_label(point.minutes), scores, point.state)


def _table(headers: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setAccessibleName(name)
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(True)
    table.setTextElideMode(Qt.TextElideMode.ElideNone)
    # Rows at least two lines of text high: easier to read and to hit.
    table.verticalHeader().setMinimumSectionSize(int(table.fontMetrics().height() * 1.9))
    table.verticalHeader().setDefaultSectionSize(int(table.fontMetrics().height() * 1.9))
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


class DiaryPage(QWidget):
    """One patient's diary. Emits `changed` after every save so other modes can refresh."""

    changed = Signal()
    add_block_requested = Signal()
    edit_block_requested = Signal(object)  # Block
    paper_log_requested = Signal(object)  # Block
    amend_requested = Signal(object, object)  # Block, Entry
    delete_requested = Signal(object, object)  # Block, Entry
    history_requested = Signal(object)  # Entry
    block_selected = Signal(str)

    def __init__(self, store: Store, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self.store = store
        self.clock = clock
        self.settings: ClinicSettings = diary_ops.clinic_settings(store)
        self.patient_id: str | None = None
        self.block_id: str | None = None
        self.diary: Diary | None = None
        self.analysis: DiaryAnalysis | None = None
        self.skipped_baseline: set[str] = set()
        self.threshold = 50
        # The reminder's state (from `Reminders`): the point it fired for, and while snoozed,
        # until when. With the engine's schedule states, the one source for the banner, the
        # panel's "next score" line and the Schedule tab.
        self.reminder_point: SchedulePoint | None = None
        self.snoozed_until: datetime | None = None
        # The last point the patient was reminded of: a save after its window closed says
        # which time the score counts for instead, and that the reminded one was missed.
        self.reminded_of: SchedulePoint | None = None
        # What is wrong with the computer's clock ("" when nothing is): a score is saved at the
        # time the computer shows, so a clock set back or forward is said, and asked about.
        self.clock_doubt = ""
        self._seen: tuple[datetime, float] | None = None
        self._clock_accepted_before: datetime | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 12, 20, 12)
        outer.setSpacing(10)

        # A sample diary says so on the page, not only in the title bar.
        self.sample_banner = scaled_label(
            "This is a sample diary. Nothing you do here is kept.", 1.1, bold=True, name="Sample"
        )
        self.sample_banner.setAccessibleName("Sample diary")
        self.sample_banner.setVisible(False)
        outer.addWidget(self.sample_banner)

        top = QHBoxLayout()
        # One line, never three: the block chooser gives way first, then "'s pain diary".
        self.patient_label = FittingLabel(1.5, bold=True, name="Heading")
        top.addWidget(self.patient_label)
        self.block_choice = QComboBox()
        self.block_choice.setAccessibleName("Which block")
        self.block_choice.setMinimumContentsLength(16)
        self.block_choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.block_choice.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        top.addWidget(self.block_choice, 1)
        self.edit_block_button = QPushButton("Block details…")
        self.edit_block_button.setAccessibleName("Change the block details")
        top.addWidget(self.edit_block_button)
        self.add_block_button = QPushButton("Add a block")
        self.add_block_button.setAccessibleName("Add a block")
        top.addWidget(self.add_block_button)
        outer.addLayout(top)

        self.banner = ReminderBanner()
        outer.addWidget(self.banner)
        outer.addWidget(self.banner.idle)

        body = QHBoxLayout()
        body.setSpacing(14)
        outer.addLayout(body, 1)

        self.log = LogPanel(clock)
        self.log.setMinimumWidth(590)
        self.log.setMaximumWidth(640)
        self.paper_button = self.log.paper_button
        body.addWidget(self.log)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.summary = scaled_label("", 1.05, name="Summary")
        self.summary.setAccessibleName("Relief so far")
        right_layout.addWidget(self.summary)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Chart, schedule and entries")
        self.chart = ChartView()
        self.tabs.addTab(self.chart, "Chart")

        schedule_tab = QWidget()
        schedule_layout = QVBoxLayout(schedule_tab)
        self.schedule = _table(["Time", "After the block", "Score", "Status"], "Schedule")
        self._schedule_rows: tuple[tuple[str, float, str, str, PointState], ...] = ()
        schedule_layout.addWidget(self.schedule)
        self.compliance = hint("")
        schedule_layout.addWidget(self.compliance)
        self.tabs.addTab(schedule_tab, "Schedule")

        entries_tab = QWidget()
        entries_layout = QVBoxLayout(entries_tab)
        self.entries = _table(["Time", "Score", "Relief", "Notes"], "My entries")
        entries_layout.addWidget(self.entries)
        entry_buttons = QHBoxLayout()
        self.amend_button = QPushButton("Correct…")
        self.amend_button.setAccessibleName("Correct the chosen entry")
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setAccessibleName("Delete the chosen entry")
        self.history_button = QPushButton("History")
        self.history_button.setAccessibleName("History of the chosen entry")
        for button in (self.amend_button, self.delete_button, self.history_button):
            entry_buttons.addWidget(button)
        entry_buttons.addStretch(1)
        entries_layout.addLayout(entry_buttons)
        self.tabs.addTab(entries_tab, "My entries")
        # Long notes wrap; the rows can only be measured once the table is on screen.
        self.tabs.currentChanged.connect(lambda _index: self._measure_rows())
        right_layout.addWidget(self.tabs, 1)
        body.addWidget(right, 1)

        self.log.save_requested.connect(self.save_entry)
        self.log.skip_baseline.connect(self._skip_baseline)
        self.log.ask_baseline.connect(self._ask_baseline)
        self.log.add_block.connect(self.add_block_requested.emit)
        self.block_choice.activated.connect(self._block_chosen)
        self.add_block_button.clicked.connect(self.add_block_requested.emit)
        self.paper_button.clicked.connect(self._paper)
        self.amend_button.clicked.connect(lambda: self._with_entry(self.amend_requested))
        self.delete_button.clicked.connect(lambda: self._with_entry(self.delete_requested))
        self.history_button.clicked.connect(self._history)
        self.edit_block_button.clicked.connect(self._edit_block)
        self.entries.itemSelectionChanged.connect(self._selection_changed)
        self._selection_changed()

    # -- loading -----------------------------------------------------------------------------

    def open_patient(self, patient_id: str, block_id: str | None = None) -> None:
        self.patient_id = patient_id
        self._seen = None  # a diary opened anew: its entries are what the clock is held to
        self._take(diary_ops.open_diary(self.store, patient_id, now=self.clock.now()))
        assert self.diary is not None
        blocks = self.diary.blocks
        ids = [block.id for block in blocks]
        if block_id not in ids:
            block_id = ids[-1] if ids else None
        self.block_id = block_id
        self._redraw()
        self.log.focus_scale()

    def select_block(self, block_id: str) -> None:
        self.block_id = block_id
        self.refresh(reload=False)
        self.block_selected.emit(block_id)

    def current_block(self) -> Block | None:
        if self.diary is None or self.block_id is None:
            return None
        return next((b for b in self.diary.blocks if b.id == self.block_id), None)

    def current_result(self) -> BlockResult | None:
        if self.analysis is None or self.block_id is None:
            return None
        try:
            return self.analysis.block(self.block_id)
        except KeyError:
            return None

    def refresh(self, *, reload: bool = True) -> None:
        """Re-read the diary (after a change elsewhere), re-run the engine, redraw everything."""
        if self.patient_id is None:
            return
        if reload or self.diary is None:
            # The clinic may have changed its rule preset in the meantime (review mode).
            self.show_state(diary_ops.open_diary(self.store, self.patient_id, now=self.clock.now()))
        else:
            self.analyze()
            self._redraw()

    def show_state(self, state: DiaryState) -> None:
        """Show the diary as an operation returned it (saved, corrected, re-read)."""
        self._take(state)
        self._redraw()

    def _take(self, state: DiaryState) -> None:
        self.diary, self.settings = state.diary, state.settings
        self.analysis, self.threshold = state.analysis, state.threshold

    def _redraw(self) -> None:
        self._fill_header()
        self._fill_entries()
        self._update_log_mode()
        self._fill_time_dependent()
        self.chart.show_result(self.current_result(), self.threshold)

    def analyze(self) -> None:
        assert self.diary is not None
        # Shade and summarise at the clinic preset's threshold (50% ASRA, 80% Medicare, ...).
        self._take(diary_ops.analyse(self.diary, self.settings, now=self.clock.now()))

    def watch_clock(self) -> None:
        """Compare the computer's clock with the time that really passed, and with the entries
        already saved; say so once when it was set back or forward."""
        now, steady = self.clock.now(), self.clock.steady()
        seen, self._seen = self._seen, (now, steady)
        if seen is not None:
            expected = seen[0] + timedelta(seconds=steady - seen[1])
            if abs(now - expected) > CLOCK_JUMP:
                way = "back" if now < expected else "forward"
                self._doubt(
                    f"Your computer's clock has jumped {way} from about "
                    f"{day_and_time_text(expected, today=now)} to "
                    f"{day_and_time_text(now, today=now)}."
                )
                return
        latest = self._latest_recorded()
        accepted = self._clock_accepted_before
        earlier = latest is not None and now < latest - timedelta(minutes=1)
        if earlier and latest is not None and (accepted is None or latest > accepted):
            self._doubt(
                f"Your computer's clock says {day_and_time_text(now, today=now)}, which is "
                f"before your last score was saved ({day_and_time_text(latest, today=now)})."
            )

    def _latest_recorded(self) -> datetime | None:
        if self.diary is None:
            return None
        moments = [e.recorded_at for b in self.diary.blocks for e in b.entries]
        return max(moments, default=None)

    def _doubt(self, text: str) -> None:
        if self.clock_doubt:
            return  # the first explanation stands until the patient answers it
        self.clock_doubt = text
        self.log.status.say(
            "Warning",
            f"{text} Please check the time: a score is saved at the time the computer shows, "
            "so paintrack will ask you before saving one.",
        )

    def clock_confirmed(self) -> None:
        """The patient says the computer's time is right: save at it, and stop asking."""
        self.clock_doubt = ""
        self._clock_accepted_before = self._latest_recorded()
        self._seen = (self.clock.now(), self.clock.steady())

    def tick(self) -> None:
        """The clock moved: re-run the engine for the new time (schedule states, countdown)."""
        if self.diary is None:
            return
        self.watch_clock()
        self.analyze()
        if self.diary_finished() != self.log.finished:
            self._update_log_mode()
        self._fill_time_dependent()
        self.log.tick()

    # -- header and modes --------------------------------------------------------------------

    def _fill_header(self) -> None:
        assert self.diary is not None
        name = self.diary.patient.name
        self.patient_label.set_texts(f"{name}'s pain diary", name)
        now = self.clock.now()
        self.block_choice.clear()
        for block in reversed(self.diary.blocks):
            self.block_choice.addItem(block_title(block, now), block.id)
        index = self.block_choice.findData(self.block_id)
        if index >= 0:
            self.block_choice.setCurrentIndex(index)
        self.block_choice.setVisible(bool(self.diary.blocks))
        has_block = self.current_block() is not None
        self.paper_button.setEnabled(has_block)
        self.edit_block_button.setEnabled(has_block)

    def has_baseline(self) -> bool:
        result = self.current_result()
        if result is None:
            return False
        if any(e.at <= result.block.performed_at for e in result.block.entries):
            return True
        return any(site.baseline is not None for site in result.sites.values())

    def needs_baseline(self) -> bool:
        result = self.current_result()
        if result is None or result.block.id in self.skipped_baseline:
            return False
        return not self.has_baseline()

    def diary_finished(self) -> bool:
        """The block's diary is over (a day after it, or after a longer protocol's last
        point): no new score is taken for it."""
        result = self.current_result()
        if result is None:
            return False
        return self.clock.now() > diary_closes_at(result.block, result.schedule)

    def _update_log_mode(self) -> None:
        block = self.current_block()
        result = self.current_result()
        postponed = (
            block is not None and block.id in self.skipped_baseline and not self.has_baseline()
        )
        self.log.closes_at = (
            diary_closes_at(result.block, result.schedule) if result is not None else None
        )
        self.log.set_block(
            block,
            baseline_mode=self.needs_baseline(),
            baseline_postponed=postponed,
            finished=self.diary_finished(),
        )

    def _skip_baseline(self) -> None:
        """Go on to the score for now; the score from before the block can be added later."""
        if self.block_id is not None:
            self.skipped_baseline.add(self.block_id)
        self._update_log_mode()
        self._fill_time_dependent()
        self.log.focus_scale()

    def _ask_baseline(self) -> None:
        """Back to the question about the pain before the block (after a skip)."""
        self.skipped_baseline.discard(self.block_id or "")
        self._update_log_mode()
        self._fill_time_dependent()
        self.log.focus_scale()

    def rate_now(self) -> None:
        """ "Rate my pain now" (reminder): the score for now, never the earlier question."""
        if self.needs_baseline():
            self._skip_baseline()
        self.log.focus_scale()

    def _block_chosen(self, index: int) -> None:
        block_id = self.block_choice.itemData(index)
        if block_id and block_id != self.block_id:
            self.select_block(str(block_id))

    # -- time-dependent parts: schedule, next point, summary ---------------------------------

    def next_point(self) -> SchedulePoint | None:
        result = self.current_result()
        if result is None:
            return None
        for point in result.schedule:
            if point.state in (PointState.DUE_NOW, PointState.UPCOMING):
                return point
        return None

    def _fill_time_dependent(self) -> None:
        result = self.current_result()
        now = self.clock.now()
        self._fill_schedule(result)
        if result is None:
            self.log.set_next_due("")
            self.summary.setText("")
            self.banner.reserve_space(False)
            return
        if self.log.baseline_mode or self.log.finished:
            self.log.set_next_due("")
        else:
            point = self.next_point()
            if point is None:
                self.log.set_next_due(done_words(result.schedule))
            elif point.state == PointState.DUE_NOW and now < point.at:
                # Its window is open before its time: it may be rated now, not "due" yet.
                self.log.set_next_due(
                    f"Coming up: {point_words(point)} — it counts from now until "
                    f"{clock_text(rate_by(point))}"
                )
            elif point.state == PointState.DUE_NOW:
                # The engine says its window is open: "due now", as in the Schedule tab.
                left = countdown_text((rate_by(point) - now).total_seconds() + 60)
                left = left.replace("in ", "", 1) + " left" if left != "now" else "last minute"
                self.log.set_next_due(
                    f"Due now: {point_words(point)} — {rate_by_words(point)} ({left})"
                )
            else:
                when = countdown_text((point.at - now).total_seconds())
                self.log.set_next_due(f"Next: {point_words(point)} — {when}")
        self.summary.setText(self._summary_text(result))
        self._fill_banner()

    def set_reminder(self, point: SchedulePoint | None, snoozed_until: datetime | None) -> None:
        """The reminder fired for `point` (None: nothing to remind), or is snoozed."""
        self.reminder_point = point
        if point is not None:
            self.reminded_of = point
        self.snoozed_until = snoozed_until if point is not None else None
        self._fill_banner()

    def _show_banner(self, on: bool) -> None:
        banner = self.banner
        if on == banner.isVisibleTo(self):
            return
        focused = QApplication.focusWidget()
        had_focus = focused is not None and banner.isAncestorOf(focused)
        banner.setVisible(on)
        if had_focus and not on:
            # The reminder went while the patient was on it (Enter on "Rate my pain now" just
            # as it expired): keep their intent, which was to rate now, not to save nothing.
            self.log.rate_intent()
            self.log.focus_scale()

    def _fill_banner(self) -> None:
        """The reminder banner, or the calm line in its place, from the same states as the
        panel and the Schedule tab, so they never contradict each other."""
        point = self.next_point() if not self.log.finished else None
        fired = self.reminder_point
        if fired is not None and self.snoozed_until is None:
            fits = snooze_minutes(fired, self.clock.now())
            text = reminder_text(fired)
            if not fits:
                text += " After that, this time counts as missed."
            set_text(self.banner.text, text)
            self.banner.set_snooze(fits)
            self._show_banner(True)
        else:
            self._show_banner(False)
        if fired is not None and self.snoozed_until is not None:
            self.banner.set_idle_text(
                f"Reminder snoozed until {clock_text(self.snoozed_until)} — you can rate now "
                f"if you like ({rate_by_words(fired)})."
            )
        elif (
            point is not None and point.state == PointState.DUE_NOW and self.clock.now() < point.at
        ):
            self.banner.set_idle_text(
                self._missed_words()
                + f"Coming up: {point_words(point)}. You can rate it now, until "
                f"{clock_text(rate_by(point))}."
            )
        elif point is not None and point.state == PointState.DUE_NOW:
            self.banner.set_idle_text(
                f"Due now: {point_words(point)}. You can rate it now: {rate_by_words(point)}."
            )
        elif point is not None:
            self.banner.set_idle_text(
                self._missed_words()
                + f"No score is due right now. I'll remind you here when {point_words(point)} "
                "is due."
            )
        self.banner.reserve_space(point is not None or fired is not None)

    def _missed_words(self) -> str:
        """The time the patient was last reminded of closed without a score: say so once, calmly,
        instead of letting the reminder just disappear."""
        reminded, result = self.reminded_of, self.current_result()
        if reminded is None or result is None or self.clock.now() < reminded.window_end:
            return ""
        if not _still_unscored(reminded, result):
            return ""
        return f"The time for your {clock_text(reminded.at)} score has passed (marked as missed). "

    def _summary_text(self, result: BlockResult) -> str:
        parts: list[str] = []
        for site, site_result in result.sites.items():
            name = SITE_WORDS.get(site, site)
            prefix = f"{name.capitalize()}: " if name else ""
            if site_result.baseline is None:
                parts.append(f"{prefix}No score from before the block yet")
                continue
            text = f"{prefix}Before the block {site_result.baseline}/10"
            if site_result.peak_relief_percent is not None:
                text += f" · best relief {site_result.peak_relief_percent:.0f}%"
                found = site_result.thresholds.get(self.threshold)
                if found is not None and found.reached:
                    lasted = format_duration(found.duration_minutes, censored=bool(found.censored))
                    text += f" · {self.threshold}% relief lasted {lasted}"
            parts.append(text)
        return "\n".join(parts)

    def _fill_schedule(self, result: BlockResult | None) -> None:
        """The Schedule tab. Rebuilt only when a row changed: the refresh every 15 s mostly
        finds the same rows, and rebuilding them would also throw away what the patient has
        selected or scrolled to in the table."""
        rows = () if result is None else tuple(_schedule_row(p) for p in result.schedule)
        if rows != self._schedule_rows:
            self._schedule_rows = rows
            self.schedule.setRowCount(0)
            self.schedule.setRowCount(len(rows))
            for row, (at, minutes, label, scores, state) in enumerate(rows):
                self.schedule.setItem(row, 0, _item(at, data=minutes))
                self.schedule.setItem(row, 1, _item(label))
                self.schedule.setItem(row, 2, _item(scores))
                self.schedule.setItem(row, 3, _item(STATE_TEXT[state], data=state.value))
            # A narrow column (larger text) wraps "✓ Done on time" rather than cut it short.
            self.schedule.resizeRowsToContents()
        set_text(self.compliance, "" if result is None else schedule_tally(result.schedule))

    # -- entries -----------------------------------------------------------------------------

    def _fill_entries(self) -> None:
        self.entries.setRowCount(0)
        result = self.current_result()
        if result is None:
            return
        relief: dict[tuple[str, str], float] = {}
        for site, site_result in result.sites.items():
            for point in site_result.series:
                relief[(point.entry_id, site)] = point.relief_percent
        baseline_ids = {s.baseline_entry_id for s in result.sites.values()}
        now = self.clock.now()
        for entry in reversed(result.block.entries):
            row = self.entries.rowCount()
            self.entries.insertRow(row)
            many = len(entry.scores) > 1
            scores = ", ".join(
                f"{SITE_WORDS.get(site, site)} {score}" if many else f"{score} ({band(score)})"
                for site, score in entry.scores.items()
            )
            reliefs = [
                (SITE_WORDS.get(site, site), relief[(entry.id, site)])
                for site in entry.scores
                if (entry.id, site) in relief
            ]
            relief_text = ", ".join(
                (f"{name} " if many else "") + f"{value:.0f}%" for name, value in reliefs
            )
            if entry.id in baseline_ids:
                relief_text = "before the block"
            marks = []
            if entry.is_transcribed:
                marks.append("from paper")
            elif entry.is_late:
                marks.append(f"written down late ({clock_text(entry.recorded_at)})")
            if entry.amended:
                marks.append("corrected")
            if entry.rescue_medication:
                marks.append(
                    f"took pain medicine ({entry.rescue_medication_detail})"
                    if entry.rescue_medication_detail
                    else "took pain medicine"
                )
            if entry.activity:
                ability = entry.activity_ability.value if entry.activity_ability else "not tried"
                marks.append(f"{entry.activity}: {ability}")
            if entry.patient_relief_percent is not None:
                marks.append(f"felt {entry.patient_relief_percent:.0f}% better")
            if entry.note:
                marks.append(entry.note)
            self.entries.setItem(
                row, 0, _item(day_and_time_text(entry.at, today=now), data=entry.id)
            )
            self.entries.setItem(row, 1, _item(scores))
            self.entries.setItem(row, 2, _item(relief_text))
            notes = _item("; ".join(marks))
            notes.setToolTip("; ".join(marks))
            self.entries.setItem(row, 3, notes)
        self._fit_entry_columns()
        self._selection_changed()

    def _fit_entry_columns(self) -> None:
        """Time, score and relief take what they need up to a few words, wrapping beyond, so
        the notes keep a readable share of the width (larger text cut them off)."""
        header = self.entries.horizontalHeader()
        metrics = self.entries.fontMetrics()
        # Each at most a fifth of the width (never less than a word like "yesterday"), so
        # the notes keep at least a third.
        share = int(self.entries.viewport().width() * 0.21)
        cap = max(share, metrics.horizontalAdvance("yesterday") + 16)
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.entries.resizeColumnToContents(column)
            self.entries.setColumnWidth(column, min(self.entries.columnWidth(column), cap))
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.entries.resizeRowsToContents()

    def selected_entry(self) -> Entry | None:
        block = self.current_block()
        rows = self.entries.selectionModel().selectedRows()
        if block is None or not rows:
            return None
        item = self.entries.item(rows[0].row(), 0)
        entry_id = item.data(Qt.ItemDataRole.UserRole) if item else None
        return next((e for e in block.entries if e.id == entry_id), None)

    def _selection_changed(self) -> None:
        chosen = self.selected_entry() is not None
        for button in (self.amend_button, self.delete_button, self.history_button):
            button.setEnabled(chosen)

    def _with_entry(self, signal: SignalInstance) -> None:
        block, entry = self.current_block(), self.selected_entry()
        if block is not None and entry is not None:
            signal.emit(block, entry)

    def _history(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            self.history_requested.emit(entry)

    def _paper(self) -> None:
        block = self.current_block()
        if block is not None:
            self.paper_log_requested.emit(block)

    def _edit_block(self) -> None:
        block = self.current_block()
        if block is not None:
            self.edit_block_requested.emit(block)

    # -- saving ------------------------------------------------------------------------------

    def save_entry(self, entry: Entry, is_baseline: bool = False) -> Entry | None:
        """Commit one entry at once, then confirm inline with the engine's relief figure."""
        if self.block_id is None or self.patient_id is None:
            return None
        if self.diary is not None:
            self.watch_clock()
        if self.clock_doubt and not self.confirm_clock(entry):
            self.log.not_saved("please check your computer's clock first.")
            return None
        try:
            outcome = diary_ops.save_score(
                self.store, self.patient_id, self.block_id, entry, now=self.clock.now()
            )
        except UserError as error:
            # Not saved: say so where the patient is looking, and keep what they chose.
            self.log.not_saved(error.message)
            return None
        except Exception:
            log.exception("saving an entry failed")
            self.log.not_saved(
                "Something went wrong inside paintrack. Your earlier scores are safe."
            )
            return None
        saved = outcome.entry
        self.show_state(outcome.state)
        self.changed.emit()
        text, warning = self.confirmation(saved, is_baseline)
        self.log.confirm(text, warning)
        return saved

    def confirm_clock(self, entry: Entry) -> bool:
        """Ask before saving while the computer's clock is in doubt. True: save."""
        from PySide6.QtWidgets import QMessageBox

        when = day_and_time_text(entry.at, today=self.clock.now())
        box = QMessageBox(self)
        box.setWindowTitle("paintrack")
        box.setIcon(QMessageBox.Icon.Question)
        box.setText(self.clock_doubt)
        box.setInformativeText(f"This score would be saved for {when}. Is that the right time now?")
        save = box.addButton(f"Yes, save it for {when}", QMessageBox.ButtonRole.AcceptRole)
        wait = box.addButton("No, I'll check the clock", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(wait)
        box.setEscapeButton(wait)
        box.exec()
        clicked = box.clickedButton()
        box.deleteLater()
        if clicked is save:
            self.clock_confirmed()
            return True
        return False

    def confirmation(self, entry: Entry, is_baseline: bool) -> tuple[str, str]:
        """What was saved, named by the time the score is FOR (not the time of saving)."""
        result = self.current_result()
        when = clock_text(entry.at)
        late = " (marked as written down late)" if entry.is_late else ""
        if result is None:
            return f"Saved your {when} score{late}.", ""
        if is_baseline:
            scores = ", ".join(
                f"{SITE_WORDS.get(s, s)} {v}" if len(entry.scores) > 1 else f"{v} out of 10"
                for s, v in entry.scores.items()
            )
            low = [v for v in entry.scores.values() if is_low_baseline(v)]
            warning = LOW_BASELINE_WARNING.format(score=min(low)) if low else ""
            late = " (marked as written down later)" if entry.is_late else ""
            return (
                f"Saved your pain before the block ({when}): {scores}{late}.",
                warning,
            )
        if entry.at <= result.block.performed_at:
            # A score for a time before the block is a score from before it, not relief.
            if any(site.baseline_entry_id == entry.id for site in result.sites.values()):
                return f"Saved your {when} score as your pain before the block{late}.", ""
            return (
                f"Saved your {when} score{late}. It is from before the block; your later "
                "score from before the block is the one used.",
                "",
            )
        reliefs: list[str] = []
        for site, site_result in result.sites.items():
            point = next((p for p in site_result.series if p.entry_id == entry.id), None)
            if point is None:
                continue
            name = SITE_WORDS.get(site, site)
            reliefs.append((f"{name}: " if name else "") + relief_words(point.relief_percent))
        relief_text = f" — {', '.join(reliefs)}" if reliefs else ""
        moved = self._counts_instead(entry, result)
        if moved:
            relief_text = f" ({', '.join(reliefs)})" if reliefs else ""
            return f"Saved your {when} score{relief_text}{late} {moved}", ""
        if reliefs:
            return f"Saved your {when} score{relief_text}{late}", ""
        return f"Saved your {when} score{late}.", ""

    def _counts_instead(self, entry: Entry, result: BlockResult) -> str:
        """After a reminder whose window closed before the save: which time the score counts
        for, and that the reminded one was missed ("" when the score kept the reminded time).
        """
        reminded, self.reminded_of = self.reminded_of, None
        if reminded is None or entry.is_late or entry.at < reminded.window_end:
            return ""
        now_point = next(
            (p for p in result.schedule if p.window_start <= entry.at < p.window_end), None
        )
        if not _still_unscored(reminded, result):
            return ""
        counted = (
            f"as your {clock_text(now_point.at)} score"
            if now_point is not None
            else "after the last scheduled time"
        )
        return (
            f"{counted}: the time for your {clock_text(reminded.at)} score ended at "
            f"{clock_text(rate_by(reminded) + timedelta(minutes=1))}, so it is marked as missed."
        )

    def has_unsaved_score(self) -> bool:
        """A score is chosen on the scale but not saved yet."""
        return any(v is not None for v in self.log.scales.values().values())

    def save_chosen_score(self) -> bool:
        """Save the score chosen on the scale, as Save does; True when it was saved."""
        self.log.save()
        return self.log.status.kind != "Error"

    def set_sample(self, on: bool) -> None:
        self.sample_banner.setVisible(on)

    def text_size_changed(self) -> None:
        """Larger or normal text: rows are measured again for the new size."""
        for table in (self.schedule, self.entries):
            height = int(table.fontMetrics().height() * 1.9)
            table.verticalHeader().setMinimumSectionSize(height)
            table.verticalHeader().setDefaultSectionSize(height)
        self._measure_rows()
        self.chart.font_size_changed()

    def _measure_rows(self) -> None:
        self._fit_entry_columns()
        for table in (self.schedule, self.entries):
            table.resizeRowsToContents()

    def import_done(self) -> None:
        self.refresh()
