"""Baseline, relief, peak and duration at a threshold: clinical.md items 1 to 6, per site.

Two entries of one site at the same `at` cannot come from the store or a diary file, but a
Diary object built by hand may hold them: the one recorded later (`recorded_at`, then `id` as
a last tie-break) wins, as an audited amendment would in the app. The result never depends on
the order of the entries in the input.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from paintrack.clinical.model import Agent, Block, Entry
from paintrack.clinical.results import (
    Expected,
    Flag,
    PatientEstimate,
    ReliefPoint,
    SiteResult,
    ThresholdResult,
)

BASELINE_WINDOW = timedelta(hours=24)
LOW_BASELINE = 4
# Agents with an expected duration (item 6); others get no verdict.
TIMED_AGENTS: frozenset[Agent] = frozenset({Agent.LIDOCAINE, Agent.BUPIVACAINE, Agent.ROPIVACAINE})


def minutes_after(t0: datetime, at: datetime) -> float:
    """Minutes from `t0` to `at` as a float (negative before the block)."""
    return (at - t0).total_seconds() / 60.0


def _newest_wins(entries: Iterable[Entry]) -> list[Entry]:
    """One entry per `at`: the later `recorded_at` (then larger id) wins; sorted by `at`."""
    chosen: dict[datetime, Entry] = {}
    for entry in entries:
        held = chosen.get(entry.at)
        if held is None or (entry.recorded_at, entry.id) > (held.recorded_at, held.id):
            chosen[entry.at] = entry
    return [chosen[at] for at in sorted(chosen)]


def site_entries(entries: Iterable[Entry], site: str) -> list[Entry]:
    """The entries that score `site`, one per `at`, in order of `at`."""
    return _newest_wins(entry for entry in entries if site in entry.scores)


def find_baseline(entries: Iterable[Entry], site: str, t0: datetime) -> Entry | None:
    """Item 1: the latest entry scoring `site` with t0 - 24 h <= at <= t0, or None."""
    candidates = [
        entry for entry in site_entries(entries, site) if t0 - BASELINE_WINDOW <= entry.at <= t0
    ]
    return candidates[-1] if candidates else None


def relief_percent(baseline: int, score: int) -> float:
    """Item 3: 100 * (B - s) / B; negative when the pain is worse. B must be > 0."""
    if baseline <= 0:
        raise ValueError("relief is undefined for a baseline of 0")
    return 100.0 * (baseline - score) / baseline


def baseline_flags(baseline: int | None) -> tuple[Flag, ...]:
    if baseline is None:
        return (Flag.NO_BASELINE,)
    if baseline == 0:
        return (Flag.BASELINE_ZERO,)
    if baseline < LOW_BASELINE:
        return (Flag.BASELINE_BELOW_4,)
    return ()


def score_series(block: Block, site: str, baseline: int) -> tuple[ReliefPoint, ...]:
    """Item 2 and 3: the site's post-block entries (at > t0) by time, with their relief."""
    t0 = block.performed_at
    return tuple(
        ReliefPoint(
            entry_id=entry.id,
            at=entry.at,
            minutes=minutes_after(t0, entry.at),
            relief_percent=relief_percent(baseline, entry.scores[site]),
            score=entry.scores[site],
            rescue_medication=entry.rescue_medication,
        )
        for entry in site_entries(block.entries, site)
        if entry.at > t0
    )


def estimate_series(block: Block) -> tuple[ReliefPoint, ...]:
    """Post-block entries carrying the patient's own percent relief, one per `at`, by time."""
    t0 = block.performed_at
    carrying = [e for e in block.entries if e.patient_relief_percent is not None and e.at > t0]
    return tuple(
        ReliefPoint(
            entry_id=entry.id,
            at=entry.at,
            minutes=minutes_after(t0, entry.at),
            relief_percent=float(entry.patient_relief_percent or 0.0),
            score=None,
            rescue_medication=entry.rescue_medication,
        )
        for entry in _newest_wins(carrying)
    )


def peak(series: Sequence[ReliefPoint]) -> tuple[float | None, float | None]:
    """Item 4: (peak relief, minutes to the first entry with it); (None, None) when empty."""
    if not series:
        return None, None
    best = max(point.relief_percent for point in series)
    first = next(point for point in series if point.relief_percent == best)
    return best, first.minutes


def duration_at(series: Sequence[ReliefPoint], threshold: float) -> ThresholdResult:
    """Item 5: the first run with relief >= threshold, its bounds and the linear crossing.

    The run ends at the first entry below the threshold, even if relief rises again later.
    Times are minutes from t0, not from the onset of relief. No expected verdict here.
    """
    start = next((k for k, p in enumerate(series) if p.relief_percent >= threshold), None)
    if start is None:
        return ThresholdResult(
            threshold=int(threshold),
            reached=False,
            duration_minutes=0.0,
            duration_lower_minutes=None,
            duration_upper_minutes=None,
            censored=False,
        )
    end = next(
        (k for k in range(start + 1, len(series)) if series[k].relief_percent < threshold), None
    )
    if end is None:
        last = series[-1].minutes
        return ThresholdResult(
            threshold=int(threshold),
            reached=True,
            duration_minutes=last,
            duration_lower_minutes=last,
            duration_upper_minutes=None,
            censored=True,
        )
    before, after = series[end - 1], series[end]
    crossing = before.minutes + (after.minutes - before.minutes) * (
        before.relief_percent - threshold
    ) / (before.relief_percent - after.relief_percent)
    return ThresholdResult(
        threshold=int(threshold),
        reached=True,
        duration_minutes=crossing,
        duration_lower_minutes=before.minutes,
        duration_upper_minutes=after.minutes,
        censored=False,
    )


def undefined_threshold(threshold: int) -> ThresholdResult:
    """A threshold result when relief is undefined (no baseline, or a baseline of 0)."""
    return ThresholdResult(
        threshold=threshold,
        reached=None,
        duration_minutes=None,
        duration_lower_minutes=None,
        duration_upper_minutes=None,
        censored=None,
    )


def expected_minimum(agent: Agent, expected_minutes: Mapping[Agent, float]) -> float | None:
    """The agent's expected minimum duration from the settings; None for agents without one."""
    if agent not in TIMED_AGENTS:
        return None
    return expected_minutes.get(agent)


def expected_verdict(result: ThresholdResult, expected: float | None) -> Expected | None:
    """Item 6, for a reached threshold only: consistent / shorter / indeterminate."""
    if expected is None or not result.reached or result.duration_lower_minutes is None:
        return None
    if result.duration_lower_minutes >= expected:
        return Expected.CONSISTENT
    if result.duration_upper_minutes is not None and result.duration_upper_minutes < expected:
        return Expected.SHORTER
    return Expected.INDETERMINATE


def with_expected(result: ThresholdResult, expected: float | None) -> ThresholdResult:
    verdict = expected_verdict(result, expected)
    if verdict is None:
        return result
    return ThresholdResult(
        threshold=result.threshold,
        reached=result.reached,
        duration_minutes=result.duration_minutes,
        duration_lower_minutes=result.duration_lower_minutes,
        duration_upper_minutes=result.duration_upper_minutes,
        censored=result.censored,
        expected=verdict,
        expected_minutes=expected,
    )


def threshold_results(
    series: Sequence[ReliefPoint], thresholds: Sequence[int], expected: float | None
) -> dict[int, ThresholdResult]:
    return {t: with_expected(duration_at(series, t), expected) for t in thresholds}


def analyze_site(
    block: Block,
    site: str,
    thresholds: Sequence[int],
    expected_minutes: Mapping[Agent, float],
) -> SiteResult:
    """Every relief figure of one site of a block."""
    baseline_entry = find_baseline(block.entries, site, block.performed_at)
    baseline = None if baseline_entry is None else baseline_entry.scores[site]
    flags = baseline_flags(baseline)
    if baseline is None or baseline == 0:
        return SiteResult(
            site=site,
            baseline=baseline,
            baseline_at=None if baseline_entry is None else baseline_entry.at,
            baseline_entry_id=None if baseline_entry is None else baseline_entry.id,
            flags=flags,
            peak_relief_percent=None,
            time_to_peak_minutes=None,
            thresholds={t: undefined_threshold(t) for t in thresholds},
            series=(),
        )
    assert baseline_entry is not None
    series = score_series(block, site, baseline)
    peak_relief, time_to_peak = peak(series)
    expected = expected_minimum(block.agent, expected_minutes)
    return SiteResult(
        site=site,
        baseline=baseline,
        baseline_at=baseline_entry.at,
        baseline_entry_id=baseline_entry.id,
        flags=flags,
        peak_relief_percent=peak_relief,
        time_to_peak_minutes=time_to_peak,
        thresholds=threshold_results(series, thresholds, expected),
        series=series,
    )


def analyze_estimate(
    block: Block, thresholds: Sequence[int], expected_minutes: Mapping[Agent, float]
) -> PatientEstimate | None:
    """The patient's own estimate, computed like the scores; None when no entry carries it."""
    series = estimate_series(block)
    if not series:
        return None
    peak_relief, time_to_peak = peak(series)
    expected = expected_minimum(block.agent, expected_minutes)
    return PatientEstimate(
        peak_relief_percent=peak_relief,
        time_to_peak_minutes=time_to_peak,
        thresholds=threshold_results(series, thresholds, expected),
        series=series,
    )
