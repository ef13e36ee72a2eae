"""Rule presets as checklists (clinical.md item 13, version 2): asra-2020 (>= 50%),
medicare-lcd (>= 80% twice), complete (100%).

Evaluated per treatment target (item 7's targets: the region and side a site's scores describe)
on the verdict figures (item 10: the scores before rescue medicine). A saline block is a
placebo control, never a diagnostic block. The target's diagnostic blocks are its latest
comparative pair of two non-saline blocks, else its latest non-saline block.

Each criterion is met, not met, unknown or pending (it needs a block not done yet); the verdict
is not met if any criterion is not met, else unknown if any is unknown, else pending if any is
pending, else met. Cautions (baseline below 4, moderate or deep sedation, rescue medicine, late
onset, a placebo response, a threshold decided by late or transcribed entries) are taken over
the diagnostic blocks at the preset's threshold and written into the verdict sentence itself.

This module decides every status, caution and sentence; the table, the window and the PDF
show them as they are (each criterion's `findings` hold its per-block lines).

A block whose diary is still in progress (the window of its last protocol point has not closed
at the time of analysis) has not had its chance to reach a threshold yet: "not reached" is then
unknown, not "not met", with the reason "diary still in progress (next score due 14:45)"; the
time is in the block's recorded UTC offset. So is an 80% duration that has not yet lasted as
long as the agent is expected to while relief is still at 80% at the latest score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from paintrack.clinical.compare import TargetBlocks, target_pairs, targets
from paintrack.clinical.model import PRESET_VALUES, Agent, Preset, Sedation
from paintrack.clinical.results import (
    CAUTION_ORDER,
    BlockResult,
    Caution,
    CautionNote,
    Criterion,
    CriterionKey,
    CriterionStatus,
    CriterionValue,
    Expected,
    Finding,
    PointState,
    PresetChecklist,
    PresetTarget,
    ThresholdResult,
    relief_key,
)
from paintrack.clinical.timing import LOW_BASELINE
from paintrack.clinical.wording import (
    date_text,
    format_duration,
    format_percent,
    in_progress_text,
    preset_label,
    rescue_named,
    verdict_sentence,
)

PRESET_THRESHOLDS: dict[Preset, int] = {
    Preset.ASRA_2020: 50,
    Preset.MEDICARE_LCD: 80,
    Preset.COMPLETE: 100,
}
PRESET_NAMES: tuple[str, ...] = PRESET_VALUES
MEDICARE_INTERVAL = timedelta(days=14)

MET, NOT_MET = CriterionStatus.MET, CriterionStatus.NOT_MET
UNKNOWN, PENDING = CriterionStatus.UNKNOWN, CriterionStatus.PENDING

Diagnostic = tuple[BlockResult, str]  # a diagnostic block and its site for the target


def preset_threshold(preset: str) -> int:
    try:
        return PRESET_THRESHOLDS[Preset(preset)]
    except ValueError:
        raise ValueError(
            f"unknown preset {preset!r}: choose one of {', '.join(PRESET_NAMES)}"
        ) from None


def combine(statuses: Sequence[CriterionStatus]) -> CriterionStatus:
    """Item 13: not met > unknown > pending > met; an empty list is pending (no block yet)."""
    for status in (NOT_MET, UNKNOWN, PENDING):
        if status in statuses:
            return status
    return MET if statuses else PENDING


def diary_in_progress(result: BlockResult) -> bool:
    """True while a protocol point's window is still open (or to come) at the time of analysis."""
    return any(not point.due for point in result.schedule)


def in_progress_reason(result: BlockResult) -> str | None:
    """ "diary still in progress (next score due 14:45)" while the block's diary goes on, else
    None. The next score is the first open point with no score yet; times in the block's
    recorded UTC offset."""
    if not diary_in_progress(result):
        return None
    block = result.block
    waiting = [p for p in result.schedule if not p.due and not p.entries]
    if not waiting:
        last = result.schedule[-1]
        return in_progress_text(block, last.window_end, due_now=False, ends=True)
    point = waiting[0]
    return in_progress_text(block, point.at, due_now=point.state == PointState.DUE_NOW, ends=False)


def block_name(result: BlockResult) -> str:
    return f"block {result.sequence} ({result.agent.value})"


def diagnostic_blocks(target: TargetBlocks) -> list[Diagnostic]:
    """The target's latest pair of two non-saline blocks, else its latest non-saline block."""
    pairs = [
        pair
        for pair in target_pairs(target)
        if Agent.SALINE not in (pair.first.agent, pair.second.agent)
    ]
    if pairs:
        pair = pairs[-1]
        return [(pair.first, pair.first_site), (pair.second, pair.second_site)]
    active = [(result, site) for result, site in target.blocks if result.agent != Agent.SALINE]
    return active[-1:]


def until_text(t: ThresholdResult, *, onset: bool = True) -> str:
    """Item 9's words: "until 2 h 40 min after the block, 2 h 25 min from onset" (without the
    part from onset when `onset` is False: the checklist's short lines)."""
    censored = bool(t.censored)
    text = f"until {format_duration(t.duration_minutes, censored=censored)} after the block"
    if onset and t.duration_from_onset_minutes is not None:
        text += f", {format_duration(t.duration_from_onset_minutes, censored=censored)} from onset"
    return text


def relief_words(result: BlockResult, site: str, threshold: int) -> str:
    """E.g. "baseline 8/10, peak 87.5%, ≥ 80% until 1 h 38 min after the block (between 1 h
    and 2 h), 1 h 23 min from onset" on the verdict figures; before rescue medicine
    it says so."""
    s = result.sites[site]
    t = s.verdict_at(threshold)
    if s.baseline is None:
        return "no baseline score before the block, so relief cannot be computed"
    if t.reached is None:
        return f"baseline {s.baseline}/10, so relief cannot be computed"
    peak_value = s.verdict_peak_relief_percent
    # The verdict figures are always those before rescue medicine: the verdict line names it
    # and its time, and the tables show the figures from all entries beside them.
    rescue = ""
    if peak_value is None:
        return f"baseline {s.baseline}/10, no score after the block yet{rescue}"
    figures = f"baseline {s.baseline}/10, peak {format_percent(peak_value)}"
    if not t.reached:
        yet = " yet" if in_progress_reason(result) is not None else ""
        return f"{figures}, ≥ {threshold}% not reached{yet}{rescue}"
    # Reached: the peak is in the relief table beside the checklist; the line stays short.
    figures = f"baseline {s.baseline}/10"
    # The bounds are in the relief table beside the checklist: the line stays short.
    return f"{figures}, ≥ {threshold}% {until_text(t, onset=False)}{rescue}"


def relief_finding(result: BlockResult, site: str, threshold: int) -> Finding:
    """Whether the block's site reached the threshold on its verdict figures."""
    t = result.sites[site].verdict_at(threshold)
    waiting = in_progress_reason(result)
    text = relief_words(result, site, threshold)
    if t.reached is None:
        return Finding(result.block_id, UNKNOWN, text)
    if t.reached:
        return Finding(result.block_id, MET, text)
    if waiting is not None:
        return Finding(result.block_id, UNKNOWN, f"{text}, {waiting}", waiting=True)
    return Finding(result.block_id, NOT_MET, text)


def duration_finding(result: BlockResult, site: str, threshold: int) -> Finding:
    """Item 6 on the verdict figures: the duration consistent with the agent's expectation."""
    t = result.sites[site].verdict_at(threshold)
    expected = result.expected_minutes
    waiting = in_progress_reason(result)
    block_id = result.block_id
    if t.reached is None:
        return Finding(block_id, UNKNOWN, "relief cannot be computed")
    if not t.reached and waiting is not None:
        return Finding(block_id, UNKNOWN, f"≥ {threshold}% not reached yet, {waiting}", True)
    if not t.reached:
        return Finding(block_id, NOT_MET, f"≥ {threshold}% not reached")
    duration = format_duration(t.duration_minutes, censored=bool(t.censored))
    if t.expected is None or expected is None:
        return Finding(block_id, UNKNOWN, f"{duration}, no expected duration for {result.agent}")
    against = f"expected ≥ {format_duration(expected)}"
    if t.censored and t.expected != Expected.CONSISTENT and waiting is not None:
        return Finding(
            block_id, UNKNOWN, f"{duration} so far, {against}: not known yet, {waiting}", True
        )
    status = {
        Expected.CONSISTENT: MET,
        Expected.SHORTER: NOT_MET,
        Expected.INDETERMINATE: UNKNOWN,
    }[t.expected]
    words = {
        Expected.CONSISTENT: "consistent with the",
        Expected.SHORTER: "shorter than the",
        Expected.INDETERMINATE: "indeterminate against the",
    }[t.expected]
    # The bounds are in the relief table; the checklist line stays short.
    return Finding(block_id, status, f"{duration}, {words} {against}")


def _detail(findings: Sequence[Finding], names: Mapping[str, str]) -> str:
    return "; ".join(
        (f"{names[f.block_id]}: " if f.block_id is not None and f.block_id in names else "")
        + f.text
        for f in findings
    )


def _criterion(
    key: str,
    description: str,
    findings: Sequence[Finding],
    names: Mapping[str, str],
    values: Mapping[str, CriterionValue] | None = None,
    *,
    status: CriterionStatus | None = None,
) -> Criterion:
    chosen = status if status is not None else combine([f.status for f in findings])
    extra: dict[str, CriterionValue] = dict(values or {})
    unknown = [f for f in findings if f.status == UNKNOWN]
    if chosen == UNKNOWN and unknown and all(f.waiting for f in unknown):
        extra["diary_in_progress"] = True
    return Criterion(
        key, description, chosen, _detail(findings, names), extra, findings=tuple(findings)
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def relief_values(result: BlockResult, site: str, threshold: int) -> dict[str, CriterionValue]:
    """The numbers behind a relief finding, for the JSON's criterion values."""
    s = result.sites[site]
    t = s.verdict_at(threshold)
    return {
        "block_id": result.block_id,
        "site": site,
        f"{site}_peak_relief_percent": _round(s.verdict_peak_relief_percent),
        f"{site}_reached": t.reached,
        f"{site}_duration_minutes": _round(t.duration_minutes),
        f"{site}_onset_minutes": _round(t.onset_minutes),
    }


def _needed(what: str) -> Finding:
    return Finding(None, PENDING, what)


def single_block_criteria(
    diagnostic: Sequence[Diagnostic], threshold: int, names: Mapping[str, str]
) -> list[Criterion]:
    """asra-2020 / complete: >= T at the target's site after at least one diagnostic block."""
    findings = [relief_finding(result, site, threshold) for result, site in diagnostic]
    statuses = [f.status for f in findings]
    if not findings:
        status = PENDING
        findings = [_needed("no diagnostic block yet")]
    elif MET in statuses:
        status = MET
    elif UNKNOWN in statuses:
        status = UNKNOWN
    else:
        status = NOT_MET
    return [
        _criterion(
            relief_key(threshold),
            f"≥ {threshold}% relief at every rated site after at least one diagnostic block",
            findings,
            names,
            {"blocks_meeting": statuses.count(MET)},
            status=status,
        )
    ]


def second_block_date(first: BlockResult) -> str:
    return date_text(first.date_of_service + MEDICARE_INTERVAL)


def medicare_criteria(
    diagnostic: Sequence[Diagnostic], names: Mapping[str, str]
) -> list[Criterion]:
    threshold = PRESET_THRESHOLDS[Preset.MEDICARE_LCD]
    first = diagnostic[0] if diagnostic else None
    second = diagnostic[1] if len(diagnostic) > 1 else None
    if first is None:
        needed_second = _needed("a diagnostic block is needed")
    elif relief_finding(*first, threshold).status == NOT_MET:
        # The rule is already not met: no second block is asked for.
        needed_second = _needed(f"no second block (the first did not reach {threshold}%)")
    else:
        when = second_block_date(first[0])
        needed_second = _needed(f"a second diagnostic block is needed, on or after {when}")
    needed_first = _needed("a diagnostic block is needed")
    criteria = [
        _criterion(
            CriterionKey.TWO_DIAGNOSTIC_BLOCKS,
            "two diagnostic blocks of the same region and side",
            (
                [Finding(None, MET, " and ".join(names[r.block_id] for r, _ in diagnostic))]
                if second is not None
                else [needed_second]
            ),
            names,
            {"blocks": len(diagnostic)},
        ),
        _criterion(
            CriterionKey.FIRST_BLOCK_80,
            "≥ 80% relief after the first block",
            [relief_finding(*first, threshold)] if first is not None else [needed_first],
            names,
            relief_values(*first, threshold) if first is not None else {},
        ),
        _criterion(
            CriterionKey.SECOND_BLOCK_80,
            "≥ 80% relief after the second block",
            [relief_finding(*second, threshold)] if second is not None else [needed_second],
            names,
            relief_values(*second, threshold) if second is not None else {},
        ),
    ]
    description = "second block at least 14 days after the first"
    if first is not None and second is not None:
        first_day, second_day = first[0].date_of_service, second[0].date_of_service
        days = (second_day - first_day).days
        criteria.append(
            _criterion(
                CriterionKey.INTERVAL_14_DAYS,
                description,
                [
                    Finding(
                        None,
                        MET if days >= MEDICARE_INTERVAL.days else NOT_MET,
                        f"{days} days apart ({date_text(first_day)} to {date_text(second_day)})",
                    )
                ],
                names,
                {"days": days},
            )
        )
    else:
        criteria.append(
            _criterion(CriterionKey.INTERVAL_14_DAYS, description, [needed_second], names)
        )
    with_steroid = [names[r.block_id] for r, _ in diagnostic if r.block.steroid]
    steroid: list[Finding] = []
    if with_steroid:
        steroid.append(Finding(None, NOT_MET, f"steroid in {' and '.join(with_steroid)}"))
    elif diagnostic:
        listed = " or ".join(names[r.block_id] for r, _ in diagnostic)
        steroid.append(Finding(None, MET, f"no steroid in {listed}"))
    criteria.append(
        _criterion(
            CriterionKey.NO_STEROID,
            "no steroid in either diagnostic block",
            steroid + ([] if second is not None else [needed_second]),
            names,
            {"blocks_with_steroid": sum(1 for r, _ in diagnostic if r.block.steroid)},
        )
    )
    durations = [duration_finding(r, site, threshold) for r, site in diagnostic]
    duration_values: dict[str, CriterionValue] = {}
    for label, (r, site) in zip(("first", "second"), diagnostic, strict=False):
        t = r.sites[site].verdict_at(threshold)
        duration_values[f"{label}_expected_minutes"] = r.expected_minutes
        duration_values[f"{label}_{site}_expected"] = (
            None if t.expected is None else t.expected.value
        )
    criteria.append(
        _criterion(
            CriterionKey.DURATIONS_CONSISTENT,
            f"each block's {threshold}% relief lasts as long as its agent is expected to",
            durations + ([] if second is not None else [needed_second]),
            names,
            duration_values,
        )
    )
    return criteria


def cautions(
    diagnostic: Sequence[Diagnostic],
    target: TargetBlocks,
    threshold: int,
    late_onset_minutes: float,
) -> tuple[CautionNote, ...]:
    """Item 13's cautions over the diagnostic blocks at the preset's threshold."""
    found: dict[Caution, list[str]] = {}

    def add(code: Caution, text: str) -> None:
        texts = found.setdefault(code, [])
        if text not in texts:
            texts.append(text)

    for result, site in diagnostic:
        s = result.sites[site]
        t = s.verdict_at(threshold)
        if s.baseline is not None and 0 < s.baseline < LOW_BASELINE:
            add(Caution.BASELINE_BELOW_4, f"baseline {s.baseline}/10")
        if result.block.sedation in (Sedation.MODERATE, Sedation.DEEP):
            add(Caution.SEDATION, f"{result.block.sedation.value} sedation")
        if result.rescue_at_minutes is not None:
            add(
                Caution.RESCUE_MEDICATION,
                f"{rescue_named(result.rescue_detail)}"
                f" at {format_duration(result.rescue_at_minutes)}",
            )
        if t.reached and t.onset_minutes is not None and t.onset_minutes > late_onset_minutes:
            add(
                Caution.LATE_ONSET,
                f"late onset ({threshold}% first reached at {format_duration(t.onset_minutes)})",
            )
        if t.reached and t.decided_by_late_or_transcribed:
            add(Caution.LATE_OR_TRANSCRIBED, f"{threshold}% decided by late or typed-in scores")
    for result, site in target.blocks:
        if result.agent == Agent.SALINE and result.sites[site].verdict_at(threshold).reached:
            add(
                Caution.PLACEBO_RESPONSE,
                f"placebo response (saline block of {date_text(result.date_of_service)}"
                f" reached {threshold}%)",
            )
    return tuple(
        CautionNote(code, " and ".join(found[code])) for code in CAUTION_ORDER if code in found
    )


def _next_step(criteria: Sequence[Criterion]) -> str | None:
    for criterion in criteria:
        if criterion.status == PENDING:
            for finding in criterion.findings:
                if finding.status == PENDING:
                    return finding.text
    return None


def evaluate_preset(
    preset: str,
    blocks: Sequence[BlockResult],
    expected_minutes: Mapping[Agent, float] | None = None,
    late_onset_minutes: float = 60.0,
) -> PresetChecklist:
    """The preset's checklist for every treatment target of the diary. `expected_minutes` is
    already in the block results (kept for callers of version 1)."""
    del expected_minutes
    threshold = preset_threshold(preset)  # an unknown name is a ValueError naming the choices
    preset = Preset(preset)
    result_targets = []
    for target in targets(blocks):
        diagnostic = diagnostic_blocks(target)
        names = {r.block_id: block_name(r) for r, _ in target.blocks}
        if preset == Preset.MEDICARE_LCD:
            criteria = medicare_criteria(diagnostic, names)
        else:
            criteria = single_block_criteria(diagnostic, threshold, names)
        status = combine([c.status for c in criteria])
        waiting = None
        if status == UNKNOWN and all(
            c.values.get("diary_in_progress") for c in criteria if c.status == UNKNOWN
        ):
            waiting = next(
                (
                    reason
                    for reason in (in_progress_reason(r) for r, _ in reversed(diagnostic))
                    if reason is not None
                ),
                None,
            )
        notes = cautions(diagnostic, target, threshold, late_onset_minutes)
        next_step = _next_step(criteria) if status == PENDING else None
        days = None
        if len(diagnostic) == 2:
            days = (diagnostic[1][0].date_of_service - diagnostic[0][0].date_of_service).days
        result_targets.append(
            PresetTarget(
                region=target.region,
                side=target.side,
                block_ids=tuple(r.block_id for r, _ in diagnostic),
                status=status,
                verdict=verdict_sentence(
                    status,
                    preset,
                    threshold,
                    in_progress=waiting,
                    cautions=[note.text for note in notes],
                    next_step=next_step,
                ),
                criteria=tuple(criteria),
                cautions=notes,
                sites=tuple((r.block_id, site) for r, site in target.blocks),
                next_step=next_step,
                days_between=days,
            )
        )
    return PresetChecklist(
        preset=preset,
        label=preset_label(preset),
        threshold=threshold,
        targets=tuple(result_targets),
    )
