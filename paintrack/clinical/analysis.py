"""`analyze_diary`: every clinical figure of a diary in one immutable result.

The entry point for the CLI, the window and the PDF, which show these figures and never
recompute them. Result types live in `paintrack.clinical.results` and are re-exported here:

    analysis = analyze_diary(diary, settings, now=now, thresholds=None)  # -> DiaryAnalysis
    analysis.settings            AnalysisSettings(preset, thresholds, expected_minutes, basis)
    analysis.blocks[k]           BlockResult, by performed_at:
        .block                   the Block itself (.block_id, .sequence, .agent, ... shortcuts)
        .sites["index"]          SiteResult: baseline, baseline_at, flags, peak_relief_percent,
                                 time_to_peak_minutes, thresholds[50] -> ThresholdResult
                                 (reached, duration_minutes, duration_lower_minutes,
                                 duration_upper_minutes, censored, expected, expected_minutes),
                                 series -> ReliefPoint(minutes, score, relief_percent, ...)
        .schedule                SchedulePoint per protocol point: window_start/end (aware and
                                 in minutes), entries, due, state (PointState)
        .compliance              Compliance(due, kept_on_time, kept_late, missed, percent)
        .flags                   Flag values (confounders + site baseline flags)
        .rescue_medication_minutes, .patient_estimate (PatientEstimate | None),
        .expected_minutes
    analysis.comparisons         Comparison(first_block_id, second_block_id, site, threshold,
                                 result: ComparisonOutcome, first/second_duration_minutes)
    analysis.preset              PresetChecklist(preset, label, threshold, targets ->
                                 PresetTarget(region, side, block_ids, status, verdict,
                                 criteria -> Criterion(key, description, status, detail, values)))
    analysis.to_json()           diary-format.md's `analyze --json` object (+ extras)

Text for all of these: `paintrack.clinical.wording` (format_duration, threshold_text, ...).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from paintrack.clinical.compare import comparisons
from paintrack.clinical.model import Agent, Block, Diary, Sedation, require_aware
from paintrack.clinical.presets import evaluate_preset, preset_threshold
from paintrack.clinical.relief import (
    analyze_estimate,
    analyze_site,
    expected_minimum,
    minutes_after,
    rescue_entry,
)
from paintrack.clinical.results import (
    FLAG_ORDER,
    AnalysisSettings,
    BlockResult,
    Comparison,
    ComparisonOutcome,
    Compliance,
    Criterion,
    CriterionStatus,
    DiaryAnalysis,
    Expected,
    Flag,
    PatientEstimate,
    PointState,
    PresetChecklist,
    PresetTarget,
    ReliefBasis,
    ReliefPoint,
    SchedulePoint,
    SiteResult,
    ThresholdResult,
)
from paintrack.clinical.schedule import compliance, schedule
from paintrack.clinical.settings import ClinicSettings

__all__ = [
    "AnalysisSettings",
    "BlockResult",
    "Comparison",
    "ComparisonOutcome",
    "Compliance",
    "Criterion",
    "CriterionStatus",
    "DiaryAnalysis",
    "Expected",
    "Flag",
    "PatientEstimate",
    "PointState",
    "PresetChecklist",
    "PresetTarget",
    "ReliefBasis",
    "ReliefPoint",
    "SchedulePoint",
    "SiteResult",
    "ThresholdResult",
    "analyze_block",
    "analyze_diary",
    "block_flags",
    "thresholds_with_preset",
    "validate_thresholds",
]


def validate_thresholds(thresholds: Sequence[int]) -> tuple[int, ...]:
    """Thresholds as given, duplicates dropped; each must be a whole percent from 1 to 100."""
    result: list[int] = []
    for threshold in thresholds:
        if isinstance(threshold, bool) or not isinstance(threshold, int):
            raise ValueError(f"a threshold must be a whole percent, not {threshold!r}")
        if not 1 <= threshold <= 100:
            raise ValueError(f"a threshold must be between 1 and 100, not {threshold}")
        if threshold not in result:
            result.append(threshold)
    if not result:
        raise ValueError("at least one threshold is needed")
    return tuple(result)


def thresholds_with_preset(settings: ClinicSettings) -> tuple[int, ...]:
    """The thresholds to analyse and show: the clinic's own and the chosen preset's (80% for the
    Medicare LCD preset), ascending, so the rule's threshold always has its line and column
    beside the clinic's. Raises ValueError for an unknown preset."""
    return tuple(sorted({*settings.thresholds, preset_threshold(settings.preset)}))


def late_onset(sites: Mapping[str, SiteResult], late_onset_minutes: float) -> bool:
    """Item 12: at some rated site the smallest threshold reached (all entries) is first
    reached more than `late_onset_minutes` after t0."""
    for site in sites.values():
        reached = sorted(t for t, r in site.thresholds.items() if r.reached)
        if reached:
            onset = site.thresholds[reached[0]].onset_minutes
            if onset is not None and onset > late_onset_minutes:
                return True
    return False


def block_flags(
    block: Block, sites: Mapping[str, SiteResult], late_onset_minutes: float = 60.0
) -> tuple[Flag, ...]:
    """Confounders of the block, plus every site's baseline flags, in FLAG_ORDER.

    Late, transcribed and amended look at every entry of the block (the baseline too);
    rescue medication only at post-block entries (clinical.md item 12).
    """
    found: set[Flag] = set()
    if block.sedation != Sedation.NONE:
        found.add(Flag.SEDATION)
    if block.steroid:
        found.add(Flag.STEROID)
    t0 = block.performed_at
    if any(e.rescue_medication and e.at > t0 for e in block.entries):
        found.add(Flag.RESCUE_MEDICATION)
    if any(e.is_late for e in block.entries):
        found.add(Flag.LATE_ENTRIES)
    if any(e.is_transcribed for e in block.entries):
        found.add(Flag.TRANSCRIBED_ENTRIES)
    if any(e.amended for e in block.entries):
        found.add(Flag.AMENDED_ENTRIES)
    if late_onset(sites, late_onset_minutes):
        found.add(Flag.LATE_ONSET)
    for site in sites.values():
        found.update(site.flags)
    return tuple(flag for flag in FLAG_ORDER if flag in found)


def analyze_block(
    block: Block,
    settings: ClinicSettings,
    *,
    now: datetime,
    thresholds: Sequence[int],
) -> BlockResult:
    """Every figure for one block: sites, schedule, compliance, flags, patient estimate."""
    preset = preset_threshold(settings.preset)
    sites = {
        site: analyze_site(
            block, site, thresholds, settings.expected_minutes, verdict_thresholds=(preset,)
        )
        for site in block.sites
    }
    rescue_at = rescue_entry(block)
    points = schedule(block, settings.protocol_points(block.protocol), now)
    rescue = sorted(
        {
            minutes_after(block.performed_at, e.at)
            for e in block.entries
            if e.rescue_medication and e.at > block.performed_at
        }
    )
    return BlockResult(
        block=block,
        sites=sites,
        schedule=points,
        compliance=compliance(points),
        flags=block_flags(block, sites, settings.late_onset_minutes),
        rescue_medication_minutes=tuple(rescue),
        patient_estimate=analyze_estimate(block, thresholds, settings.expected_minutes),
        expected_minutes=expected_minimum(block.agent, settings.expected_minutes),
        rescue_at_minutes=None
        if rescue_at is None
        else minutes_after(block.performed_at, rescue_at.at),
        rescue_detail=None if rescue_at is None else rescue_at.rescue_medication_detail,
    )


def analyze_diary(
    diary: Diary,
    settings: ClinicSettings,
    *,
    now: datetime,
    thresholds: Sequence[int] | None = None,
) -> DiaryAnalysis:
    """Analyse a patient's diary at the time `now` (which decides the due schedule points).

    `thresholds` replaces the settings' thresholds when given. Raises ValueError for an
    unknown preset, a bad threshold or a naive `now`.
    """
    require_aware(now, "time of analysis")
    chosen = validate_thresholds(settings.thresholds if thresholds is None else thresholds)
    preset_threshold(settings.preset)  # fails early on an unknown preset
    expected: dict[Agent, float] = {
        agent: float(minutes)
        for agent, minutes in sorted(settings.expected_minutes.items(), key=lambda kv: kv[0].value)
    }
    blocks = tuple(
        analyze_block(block, settings, now=now, thresholds=chosen)
        for block in sorted(diary.blocks, key=lambda b: (b.performed_at, b.id))
    )
    return DiaryAnalysis(
        patient_id=diary.patient.id,
        now=now,
        settings=AnalysisSettings(
            preset=settings.preset,
            thresholds=chosen,
            expected_minutes=expected,
            late_onset_minutes=float(settings.late_onset_minutes),
        ),
        blocks=blocks,
        comparisons=comparisons(blocks, chosen),
        preset=evaluate_preset(
            settings.preset, blocks, settings.expected_minutes, settings.late_onset_minutes
        ),
    )
