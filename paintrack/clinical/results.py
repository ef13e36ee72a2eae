"""The clinical engine's answers as frozen dataclasses: what the UI, the PDF and the CLI show.

Every figure here follows clinical.md's definitions; consumers display these values and never
recompute them. Times are minutes after the block (`t0`, its `performed_at`) as floats, or
timezone-aware datetimes. A `None` means "not defined" (for example relief without a baseline),
never zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from fractions import Fraction

from paintrack.clinical.model import Agent, Block, Entry, Region, Side


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
    NO_BASELINE = "no_baseline"
    BASELINE_ZERO = "baseline_zero"
    BASELINE_BELOW_4 = "baseline_below_4"


# The order flags are listed in, everywhere (JSON, table, PDF).
FLAG_ORDER: tuple[Flag, ...] = tuple(Flag)


class CriterionStatus(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


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
    # duration_minutes as an exact rational (item 5's crossing is one), so item 7 can tell an
    # exact tie from "longer" without floating-point noise; None when relief is undefined.
    duration_exact: Fraction | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class SiteResult:
    """Relief figures for one rated site (`index`, `left`, `right`) of a block."""

    site: str
    baseline: int | None
    baseline_at: datetime | None
    baseline_entry_id: str | None
    flags: tuple[Flag, ...]  # no_baseline / baseline_zero / baseline_below_4
    peak_relief_percent: float | None
    time_to_peak_minutes: float | None
    thresholds: Mapping[int, ThresholdResult]  # in the analysis' threshold order
    series: tuple[ReliefPoint, ...]  # post-block entries scored for this site, by time

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
    """A comparative pair (sequence 1 and 2 blocks) at one common site and threshold."""

    first_block_id: str  # the sequence 1 block
    second_block_id: str  # the sequence 2 block
    site: str
    threshold: int
    result: ComparisonOutcome
    first_duration_minutes: float | None
    second_duration_minutes: float | None


CriterionValue = float | int | str | bool | None


@dataclass(frozen=True)
class Criterion:
    """One line of a preset checklist, with the numbers behind it."""

    key: str  # stable identifier, e.g. "second_block_80", "interval_14_days"
    description: str  # plain words: what the rule asks
    status: CriterionStatus
    detail: str  # plain words: the numbers found
    values: Mapping[str, CriterionValue] = field(default_factory=dict)


@dataclass(frozen=True)
class PresetTarget:
    """A preset's checklist for one treatment target (blocks of one region and side)."""

    region: Region
    side: Side
    block_ids: tuple[str, ...]  # the diagnostic blocks considered, by sequence
    status: CriterionStatus  # met if every criterion is met, not_met if any is not met
    verdict: str  # e.g. "meets the 80% rule (Medicare LCD preset)"
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class PresetChecklist:
    preset: str  # "asra-2020" | "medicare-lcd" | "complete"
    label: str  # "ASRA 2020 preset"
    threshold: int
    targets: tuple[PresetTarget, ...]


@dataclass(frozen=True)
class AnalysisSettings:
    """The settings an analysis used, echoed in every output so each figure names its rule."""

    preset: str
    thresholds: tuple[int, ...]
    expected_minutes: Mapping[Agent, float]
    relief_basis: ReliefBasis = ReliefBasis.SCORES


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
