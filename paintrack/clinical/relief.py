"""Baseline, relief, peak and duration at a threshold: clinical.md items 1 to 6, per site.

Two entries of one site at the same `at` cannot come from the store or a diary file, but a
Diary object built by hand may hold them: the one recorded later (`recorded_at`, then `id` as
a last tie-break) wins, as an audited amendment would in the app. The result never depends on
the order of the entries in the input.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from fractions import Fraction
from typing import Any

from paintrack.clinical.model import Agent, Block, Entry
from paintrack.clinical.results import (
    Expected,
    Flag,
    PatientEstimate,
    ReliefFigures,
    ReliefPoint,
    SiteResult,
    ThresholdResult,
)
from paintrack.clinical.timing import BASELINE_WINDOW, LOW_BASELINE

# Agents with an expected duration (item 6); others get no verdict.
TIMED_AGENTS: frozenset[Agent] = frozenset({Agent.LIDOCAINE, Agent.BUPIVACAINE, Agent.ROPIVACAINE})


def exact_minutes(t0: datetime, at: datetime) -> Fraction:
    """Minutes from `t0` to `at`, exactly (negative before the block)."""
    delta = at - t0
    return Fraction(
        (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds, 60_000_000
    )


def minutes_after(t0: datetime, at: datetime) -> float:
    """Minutes from `t0` to `at` as a float (negative before the block)."""
    return float(exact_minutes(t0, at))


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


def _exact_relief(baseline: int, score: int | None) -> Fraction:
    """Item 3 as an exact rational; a score series always carries its scores."""
    assert score is not None
    return Fraction(100 * (baseline - score), baseline)


def relief_percent(baseline: int, score: int) -> float:
    """Item 3: 100 * (B - s) / B; negative when the pain is worse. B must be > 0."""
    if baseline <= 0:
        raise ValueError("relief is undefined for a baseline of 0")
    return 100.0 * (baseline - score) / baseline


def pain_at_relief(baseline: float, relief: Any) -> Any:
    """Item 3 solved for the score: the pain level that means `relief` percent for this
    baseline (s = B - r * B / 100). Works on numbers and on arrays (the charts' relief axis)."""
    return baseline - relief * baseline / 100.0


def relief_at_pain(baseline: float, pain: Any) -> Any:
    """Item 3 for a chart axis: relief for a pain level (or an array of them); B must be > 0."""
    return 100.0 * (baseline - pain) / baseline


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
            late=entry.is_late,
            transcribed=entry.is_transcribed,
        )
        for entry in site_entries(block.entries, site)
        if entry.at > t0
    )


def estimate_series(block: Block, site: str | None = None) -> tuple[ReliefPoint, ...]:
    """Post-block entries carrying the patient's own percent relief, one per `at`, by time.

    With `site`, the estimate for that site (a per-side figure, else the single one); without,
    the single figure only."""
    t0 = block.performed_at

    def value(entry: Entry) -> float | None:
        return entry.patient_relief_percent if site is None else entry.estimate_for(site)

    carrying = [e for e in block.entries if value(e) is not None and e.at > t0]
    return tuple(
        ReliefPoint(
            entry_id=entry.id,
            at=entry.at,
            minutes=minutes_after(t0, entry.at),
            relief_percent=float(value(entry) or 0.0),
            score=None,
            rescue_medication=entry.rescue_medication,
            late=entry.is_late,
            transcribed=entry.is_transcribed,
        )
        for entry in _newest_wins(carrying)
    )


def rescue_entry(block: Block) -> Entry | None:
    """Item 10's e_r: the first post-block entry (any site) saying rescue medicine was taken."""
    taken = [e for e in block.entries if e.rescue_medication and e.at > block.performed_at]
    return min(taken, key=lambda e: (e.at, e.recorded_at, e.id)) if taken else None


def peak(series: Sequence[ReliefPoint]) -> tuple[float | None, float | None]:
    """Item 4: (peak relief, minutes to the first entry with it); (None, None) when empty."""
    if not series:
        return None, None
    best = max(point.relief_percent for point in series)
    first = next(point for point in series if point.relief_percent == best)
    return best, first.minutes


ExactPoint = tuple[Fraction, Fraction]  # (minutes after t0, relief percent), exactly


def duration_at(
    series: Sequence[ReliefPoint],
    threshold: float,
    exact: Sequence[ExactPoint] | None = None,
) -> ThresholdResult:
    """Item 5: the first run with relief >= threshold, its bounds and the linear crossing.

    The run ends at the first entry below the threshold, even if relief rises again later.
    Times are minutes from t0, not from the onset of relief. No expected verdict here.
    `exact` holds the series' times and reliefs as exact rationals (default: the floats'
    values); the crossing is computed from them, so equal durations are equal (item 7).
    """
    points = (
        list(exact)
        if exact is not None
        else [(Fraction(p.minutes), Fraction(p.relief_percent)) for p in series]
    )
    start = next((k for k, (_, r) in enumerate(points) if r >= threshold), None)
    if start is None:
        return ThresholdResult(
            threshold=int(threshold),
            reached=False,
            duration_minutes=0.0,
            duration_lower_minutes=None,
            duration_upper_minutes=None,
            censored=False,
            duration_exact=Fraction(0),
        )
    end = next((k for k in range(start + 1, len(points)) if points[k][1] < threshold), None)
    onset = series[start]
    decided = onset.late or onset.transcribed
    if end is None:
        last = series[-1].minutes
        return ThresholdResult(
            threshold=int(threshold),
            reached=True,
            duration_minutes=last,
            duration_lower_minutes=last,
            duration_upper_minutes=None,
            censored=True,
            duration_exact=points[-1][0],
            onset_minutes=onset.minutes,
            duration_from_onset_minutes=float(points[-1][0] - points[start][0]),
            onset_entry_id=onset.entry_id,
            decided_by_late_or_transcribed=decided,
        )
    (t_before, r_before), (t_after, r_after) = points[end - 1], points[end]
    crossing = t_before + (t_after - t_before) * (r_before - Fraction(threshold)) / (
        r_before - r_after
    )
    return ThresholdResult(
        threshold=int(threshold),
        reached=True,
        duration_minutes=float(crossing),
        duration_lower_minutes=series[end - 1].minutes,
        duration_upper_minutes=series[end].minutes,
        censored=False,
        duration_exact=crossing,
        onset_minutes=onset.minutes,
        duration_from_onset_minutes=float(crossing - points[start][0]),
        onset_entry_id=onset.entry_id,
        end_entry_id=series[end].entry_id,
        decided_by_late_or_transcribed=decided or series[end].late or series[end].transcribed,
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
    return replace(result, expected=verdict, expected_minutes=expected)


def threshold_results(
    series: Sequence[ReliefPoint],
    thresholds: Sequence[int],
    expected: float | None,
    exact: Sequence[ExactPoint] | None = None,
) -> dict[int, ThresholdResult]:
    return {t: with_expected(duration_at(series, t, exact), expected) for t in thresholds}


def _figures(
    series: Sequence[ReliefPoint],
    exact: Sequence[ExactPoint],
    thresholds: Sequence[int],
    expected: float | None,
) -> ReliefFigures:
    peak_relief, time_to_peak = peak(series)
    return ReliefFigures(
        peak_relief_percent=peak_relief,
        time_to_peak_minutes=time_to_peak,
        thresholds=threshold_results(series, thresholds, expected, exact),
        series=tuple(series),
    )


def analyze_site(
    block: Block,
    site: str,
    thresholds: Sequence[int],
    expected_minutes: Mapping[Agent, float],
    *,
    verdict_thresholds: Sequence[int] = (),
) -> SiteResult:
    """Every relief figure of one site of a block: from all entries, and (item 10) from the
    entries before the first rescue medicine. `verdict_thresholds` are analysed as verdict
    figures only (the preset's threshold when the analysis did not ask for it)."""
    rescue = rescue_entry(block)
    with_verdict = list(dict.fromkeys([*thresholds, *verdict_thresholds]))
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
            before_rescue=None
            if rescue is None
            else ReliefFigures(None, None, {t: undefined_threshold(t) for t in thresholds}, ()),
            verdict_thresholds={t: undefined_threshold(t) for t in with_verdict},
            patient_estimate=analyze_estimate(block, thresholds, expected_minutes, site=site),
        )
    assert baseline_entry is not None
    series = score_series(block, site, baseline)
    # Items 3 and 5 in exact rationals, so equal crossings are equal durations (item 7).
    exact = [
        (exact_minutes(block.performed_at, point.at), _exact_relief(baseline, point.score))
        for point in series
    ]
    expected = expected_minimum(block.agent, expected_minutes)
    everything = _figures(series, exact, with_verdict, expected)
    before: ReliefFigures | None = None
    verdict = everything
    if rescue is not None:
        kept = [k for k, point in enumerate(series) if point.at < rescue.at]
        verdict = _figures(
            [series[k] for k in kept], [exact[k] for k in kept], with_verdict, expected
        )
        before = replace(verdict, thresholds={t: verdict.thresholds[t] for t in thresholds})
    return SiteResult(
        site=site,
        baseline=baseline,
        baseline_at=baseline_entry.at,
        baseline_entry_id=baseline_entry.id,
        flags=flags,
        peak_relief_percent=everything.peak_relief_percent,
        time_to_peak_minutes=everything.time_to_peak_minutes,
        thresholds={t: everything.thresholds[t] for t in thresholds},
        series=series,
        before_rescue=before,
        verdict_thresholds=verdict.thresholds,
        patient_estimate=analyze_estimate(block, thresholds, expected_minutes, site=site),
    )


def analyze_estimate(
    block: Block,
    thresholds: Sequence[int],
    expected_minutes: Mapping[Agent, float],
    *,
    site: str | None = None,
) -> PatientEstimate | None:
    """The patient's own estimate, computed like the scores; None when no entry carries it.
    With `site`: that site's estimate (per side after a bilateral block)."""
    series = estimate_series(block, site)
    if not series:
        return None
    peak_relief, time_to_peak = peak(series)
    expected = expected_minimum(block.agent, expected_minutes)
    return PatientEstimate(
        peak_relief_percent=peak_relief,
        time_to_peak_minutes=time_to_peak,
        thresholds=threshold_results(
            series,
            thresholds,
            expected,
            [(exact_minutes(block.performed_at, p.at), Fraction(p.relief_percent)) for p in series],
        ),
        series=series,
    )
