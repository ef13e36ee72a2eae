"""The clinical engine's answers as frozen dataclasses: what the UI, the PDF and the CLI show.

Every figure here follows clinical.md's definitions; consumers display these values and never
recompute them. Times are minutes after the block (`t0`, its `performed_at`) as floats, or
timezone-aware datetimes. A `None` means "not defined" (for example relief without a baseline),
never zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from fractions import Fraction

from paintrack.clinical.model import Agent, Block, Entry, Preset, Region, Side


class Expected(StrEnum):
    """How a reached threshold's duration compares with the agent's expected minimum (item 6)."""

    CONSISTENT = "consistent"  # lower bound >= expected minimum
    SHORTER = "shorter"  # upper bound < expected minimum
    INDETERMINATE = "indeterminate"  # the bounds straddle the expected minimum


class ComparisonOutcome(StrEnum):
    """The result of a comparative pair at one site and threshold (item 7)."""

    CONCORDANT = "concordant"
    DISCORDANT = "discordant"
    INDETERMINATE = "indeterminate"
    CONFIRMED = "confirmed"
    NOT_POSITIVE = "not positive"
    NOT_COMPARABLE = "not comparable"
    PLACEBO_RESPONSE = "placebo response"  # the saline control reached the threshold
    PLACEBO_CONTROLLED_POSITIVE = "placebo-controlled positive"  # anaesthetic yes, saline no


class PointState(StrEnum):
    """What the diary window shows for one protocol time point."""

    ON_TIME = "on_time"  # has an entry that is neither late nor transcribed
    LATE = "late"  # has entries, none on time, at least one late app entry
    TRANSCRIBED = "transcribed"  # has entries, every one typed in from paper
    MISSED = "missed"  # window closed with no entry
    DUE_NOW = "due_now"  # window open now, no entry yet
    UPCOMING = "upcoming"  # window not open yet


class Flag(StrEnum):
    """Confounders (per block) and baseline problems (per site, also listed on the block)."""

    SEDATION = "sedation"
    STEROID = "steroid"
    RESCUE_MEDICATION = "rescue_medication"
    LATE_ENTRIES = "late_entries"
    TRANSCRIBED_ENTRIES = "transcribed_entries"
    AMENDED_ENTRIES = "amended_entries"
    LATE_ONSET = "late_onset"
    NO_BASELINE = "no_baseline"
    BASELINE_ZERO = "baseline_zero"
    BASELINE_BELOW_4 = "baseline_below_4"


# The order flags are listed in, everywhere (JSON, table, PDF).
FLAG_ORDER: tuple[Flag, ...] = tuple(Flag)


class CriterionStatus(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"
    PENDING = "pending"  # needs a block that has not been done yet


class Caution(StrEnum):
    """What qualifies a preset verdict (clinical.md item 13), in the order they are listed."""

    BASELINE_BELOW_4 = "baseline_below_4"
    SEDATION = "sedation"  # moderate or deep
    RESCUE_MEDICATION = "rescue_medication"
    LATE_ONSET = "late_onset"
    PLACEBO_RESPONSE = "placebo_response"
    LATE_OR_TRANSCRIBED = "late_or_transcribed"


CAUTION_ORDER: tuple[Caution, ...] = tuple(Caution)


class ReliefBasis(StrEnum):
    """Which relief measure drives a figure (clinical.md: label it, never mix them)."""

    SCORES = "scores"  # computed from the 0-10 scores against the baseline: drives verdicts
    PATIENT_ESTIMATE = "patient_estimate"  # the patient's own percent relief


@dataclass(frozen=True)
class ReliefPoint:
    """One post-block entry of a site's relief series (what the charts plot)."""

    entry_id: str
    at: datetime
    minutes: float  # after t0
    relief_percent: float  # may be negative: worse pain
    score: int | None  # the 0-10 score; None in a patient-estimate series
    rescue_medication: bool = False
    late: bool = False  # recorded more than 15 min after its moment
    transcribed: bool = False  # typed in from paper


@dataclass(frozen=True)
class ThresholdResult:
    """Relief duration at one threshold (item 5) and the expected-duration verdict (item 6).

    `reached is None` (and every other field None) when relief is undefined for the site
    (no baseline, or a baseline of 0). Not reached: `reached=False`, `duration_minutes=0.0`,
    bounds None, `censored=False`. `expected` is None unless the threshold was reached and the
    agent is lidocaine, bupivacaine or ropivacaine.
    """

    threshold: int
    reached: bool | None
    duration_minutes: float | None
    duration_lower_minutes: float | None
    duration_upper_minutes: float | None
    censored: bool | None
    expected: Expected | None = None
    expected_minutes: float | None = None  # the setting the verdict used, when there is one
    # Item 9: minutes from t0 to the first entry reaching the threshold (entry i of item 5),
    # and the duration counted from there; None when not reached.
    onset_minutes: float | None = None
    duration_from_onset_minutes: float | None = None
    # Entries i and j of item 5 (j: the first one below the threshold after i), for the
    # "threshold decided by late or transcribed entries" caution (item 13).
    onset_entry_id: str | None = field(default=None, compare=False)
    end_entry_id: str | None = field(default=None, compare=False)
    decided_by_late_or_transcribed: bool = False
    # duration_minutes as an exact rational (item 5's crossing is one), so item 7 can tell an
    # exact tie from "longer" without floating-point noise; None when relief is undefined.
    duration_exact: Fraction | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class ReliefFigures:
    """Items 4-6 and 9 from part of a site's entries: those before rescue medicine (item 10)."""

    peak_relief_percent: float | None
    time_to_peak_minutes: float | None
    thresholds: Mapping[int, ThresholdResult]
    series: tuple[ReliefPoint, ...]


@dataclass(frozen=True)
class SiteResult:
    """Relief figures for one rated site (`index`, `left`, `right`) of a block.

    `peak_relief_percent`, `thresholds`... come from every post-block entry. `before_rescue`
    holds the same figures from the entries before the first rescue medicine (None when no
    post-block entry says rescue medicine was taken); the verdict figures (item 10) are
    `verdict_thresholds`, which also always hold the preset's threshold.
    """

    site: str
    baseline: int | None
    baseline_at: datetime | None
    baseline_entry_id: str | None
    flags: tuple[Flag, ...]  # no_baseline / baseline_zero / baseline_below_4
    peak_relief_percent: float | None
    time_to_peak_minutes: float | None
    thresholds: Mapping[int, ThresholdResult]  # in the analysis' threshold order
    series: tuple[ReliefPoint, ...]  # post-block entries scored for this site, by time
    before_rescue: ReliefFigures | None = None
    # Item 10's verdict figures at every analysed threshold and the preset's.
    verdict_thresholds: Mapping[int, ThresholdResult] = field(default_factory=dict)
    # The patient's own estimate for this site (per side after a bilateral block).
    patient_estimate: PatientEstimate | None = None

    def verdict_at(self, threshold: int) -> ThresholdResult:
        """The verdict figure (item 10) at `threshold`."""
        found = self.verdict_thresholds.get(threshold)
        if found is not None:
            return found
        if self.before_rescue is not None:
            return self.before_rescue.thresholds[threshold]
        return self.thresholds[threshold]

    @property
    def verdict_peak_relief_percent(self) -> float | None:
        if self.before_rescue is not None:
            return self.before_rescue.peak_relief_percent
        return self.peak_relief_percent

    @property
    def relief_defined(self) -> bool:
        """False when there is no usable baseline (no baseline, or a baseline of 0)."""
        return self.baseline is not None and self.baseline > 0


@dataclass(frozen=True)
class PatientEstimate:
    """The same peak and duration figures computed from the patient's own percent relief.

    Per block (the estimate is not per site). Never drives a verdict; shown labelled.
    """

    peak_relief_percent: float | None
    time_to_peak_minutes: float | None
    thresholds: Mapping[int, ThresholdResult]
    series: tuple[ReliefPoint, ...]


@dataclass(frozen=True)
class SchedulePoint:
    """One protocol time point, its window [start, end) and the entries in that window."""

    minutes: float  # the point, minutes after t0
    at: datetime  # t0 + minutes
    window_start_minutes: float
    window_end_minutes: float  # exclusive
    window_start: datetime
    window_end: datetime  # exclusive
    entries: tuple[Entry, ...]  # entries with any score whose `at` falls in the window, by `at`
    due: bool  # the window has closed at the time of analysis
    state: PointState


@dataclass(frozen=True)
class Compliance:
    due: int
    kept_on_time: int
    kept_late: int
    missed: int
    percent: float | None  # 100 * kept_on_time / due, 1 decimal; None when nothing is due


@dataclass(frozen=True)
class BlockResult:
    block: Block
    sites: Mapping[str, SiteResult]  # in the block's site order
    schedule: tuple[SchedulePoint, ...]
    compliance: Compliance
    flags: tuple[Flag, ...]  # confounders + every site's baseline flags, in FLAG_ORDER
    rescue_medication_minutes: tuple[float, ...]  # post-block entries saying rescue was taken
    patient_estimate: PatientEstimate | None  # None when no post-block entry carries an estimate
    expected_minutes: float | None  # the agent's expected minimum used for verdicts
    # Item 10: minutes from t0 to the first post-block entry saying rescue medicine was taken.
    rescue_at_minutes: float | None = None
    rescue_detail: str | None = None  # what that entry says was taken ("oxycodone 5 mg")

    @property
    def date_of_service(self) -> date:
        return self.block.date_of_service

    @property
    def block_id(self) -> str:
        return self.block.id

    @property
    def sequence(self) -> int:
        return self.block.sequence

    @property
    def agent(self) -> Agent:
        return self.block.agent

    @property
    def region(self) -> Region:
        return self.block.region

    @property
    def side(self) -> Side:
        return self.block.side

    @property
    def performed_at(self) -> datetime:
        return self.block.performed_at


@dataclass(frozen=True)
class Comparison:
    """A comparative pair (item 7): a sequence 2 block of a treatment target against the
    latest sequence 1 block of that target performed before it, at one threshold."""

    first_block_id: str  # the sequence 1 block
    second_block_id: str  # the sequence 2 block
    site: str  # the sequence 2 block's site for the target
    threshold: int
    result: ComparisonOutcome
    first_duration_minutes: float | None
    second_duration_minutes: float | None
    region: Region = Region.LUMBAR
    side: Side = Side.RIGHT  # the target's side
    first_site: str = "index"  # the sequence 1 block's site for the target


CriterionValue = float | int | str | bool | None


@dataclass(frozen=True)
class Finding:
    """One line of what a criterion found, for one block (or none): decided here, shown as is."""

    block_id: str | None
    status: CriterionStatus
    text: str  # e.g. "baseline 8/10, peak 87.5%, ≥ 80% until 1 h 38 min after the block"
    waiting: bool = False  # unknown only because the block's diary is still in progress


class CriterionKey(StrEnum):
    """The stable identifiers of a checklist's criteria (`analyze --json`'s "key"). The relief
    criterion's key carries its threshold ("relief_50"): `relief_key(threshold)`."""

    TWO_DIAGNOSTIC_BLOCKS = "two_diagnostic_blocks"
    FIRST_BLOCK_80 = "first_block_80"
    SECOND_BLOCK_80 = "second_block_80"
    INTERVAL_14_DAYS = "interval_14_days"
    NO_STEROID = "no_steroid"
    DURATIONS_CONSISTENT = "durations_consistent"


RELIEF_KEY_PREFIX = "relief_"


def relief_key(threshold: int) -> str:
    """ "relief_80": the key of the criterion of relief at `threshold`."""
    return f"{RELIEF_KEY_PREFIX}{threshold}"


def is_relief_key(key: str) -> bool:
    return key.startswith(RELIEF_KEY_PREFIX)


@dataclass(frozen=True)
class Criterion:
    """One line of a preset checklist, with the numbers behind it."""

    key: str  # a CriterionKey, or relief_key(threshold)
    description: str  # plain words: what the rule asks
    status: CriterionStatus
    detail: str  # plain words: the numbers found
    values: Mapping[str, CriterionValue] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class CautionNote:
    code: Caution
    text: str  # "baseline 3/10", "rescue medicine (oxycodone 5 mg) at 1 h 50 min"


@dataclass(frozen=True)
class PresetTarget:
    """A preset's checklist for one treatment target (blocks of one region and side)."""

    region: Region
    side: Side
    block_ids: tuple[str, ...]  # the diagnostic blocks considered, by sequence
    status: CriterionStatus  # item 13: not_met > unknown > pending > met
    verdict: str  # e.g. "meets the 80% rule (Medicare LCD preset)", cautions included
    criteria: tuple[Criterion, ...]
    cautions: tuple[CautionNote, ...] = ()
    # Every block of the target (by performed_at) and its site for the target, for tables and
    # charts: placebo controls included.
    sites: tuple[tuple[str, str], ...] = ()
    next_step: str | None = None  # pending: "a second diagnostic block is needed, on or after ..."
    days_between: int | None = None  # between the diagnostic blocks' dates of service

    @property
    def met_with_cautions(self) -> bool:
        return self.status == CriterionStatus.MET and bool(self.cautions)


@dataclass(frozen=True)
class PresetChecklist:
    preset: Preset
    label: str  # "ASRA 2020 preset"
    threshold: int
    targets: tuple[PresetTarget, ...]


@dataclass(frozen=True)
class AnalysisSettings:
    """The settings an analysis used, echoed in every output so each figure names its rule."""

    preset: Preset
    thresholds: tuple[int, ...]
    expected_minutes: Mapping[Agent, float]
    relief_basis: ReliefBasis = ReliefBasis.SCORES
    late_onset_minutes: float = 60.0


@dataclass(frozen=True)
class DiaryAnalysis:
    """Everything `analyze_diary` found for one patient's diary."""

    patient_id: str
    now: datetime  # the time of analysis (decides which schedule points are due)
    settings: AnalysisSettings
    blocks: tuple[BlockResult, ...]  # by performed_at
    comparisons: tuple[Comparison, ...]
    preset: PresetChecklist

    @property
    def thresholds(self) -> tuple[int, ...]:
        return self.settings.thresholds

    def block(self, block_id: str) -> BlockResult:
        for result in self.blocks:
            if result.block_id == block_id:
                return result
        raise KeyError(block_id)

    def to_json(self) -> dict[str, object]:
        """diary-format.md's `analyze --json` object, plus documented extras."""
        from paintrack.clinical.serialize import analysis_to_json

        return analysis_to_json(self)
