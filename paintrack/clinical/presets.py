"""Rule presets as checklists: asra-2020 (>= 50%), medicare-lcd (>= 80% twice), complete (100%).

A preset is evaluated per treatment target (blocks of one region and side) over its diagnostic
blocks: the most recent sequence 1 and sequence 2 block, as for comparisons. Each criterion is
met, not met or unknown, with the numbers behind it; a target meets a preset when every
criterion is met, fails it when any is not met, and is unknown otherwise. The verdicts always
come from the relief computed from the scores, never from the patient's estimate.

- asra-2020 / complete: one criterion, ">= T% relief after a diagnostic block" at every rated
  site of at least one of the target's diagnostic blocks.
- medicare-lcd: two diagnostic blocks; >= 80% after each; the second at least 14 days after
  the first; no steroid in either; each block's 80% duration consistent with its agent's
  expected duration (clinical.md item 6).

A block whose diary is still in progress (the window of its last protocol point has not closed
at the time of analysis) has not had its chance to reach a threshold yet: "not reached" is then
unknown, not "not met", with the reason "diary still in progress (next score due 14:45)". So is
an 80% duration that has not yet lasted as long as the agent is expected to while relief is
still at 80% at the latest score: the scores still to come settle it. The metrics themselves are
unchanged (reached false, duration 0, expected-duration verdict indeterminate, as clinical.md
defines them); a threshold already reached is met even while the diary goes on.

A criterion's values carry "diary_in_progress": True only when every unknown in it comes from a
diary still in progress, and a verdict reads "not known yet ... the diary is still in progress"
only when every unknown criterion is of that kind: an unknown that the diary cannot settle (a
site with no baseline, an agent with no expected duration) makes it "not enough information".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from paintrack.clinical.compare import diagnostic_pairs
from paintrack.clinical.model import Agent
from paintrack.clinical.relief import analyze_site
from paintrack.clinical.results import (
    BlockResult,
    Criterion,
    CriterionStatus,
    CriterionValue,
    Expected,
    PointState,
    PresetChecklist,
    PresetTarget,
    ThresholdResult,
)
from paintrack.clinical.wording import (
    bounds_text,
    format_duration,
    format_percent,
    in_progress_text,
    preset_label,
    threshold_text,
    verdict_sentence,
)

PRESET_THRESHOLDS: dict[str, int] = {"asra-2020": 50, "medicare-lcd": 80, "complete": 100}
PRESET_NAMES: tuple[str, ...] = tuple(PRESET_THRESHOLDS)
MEDICARE_INTERVAL = timedelta(days=14)

MET, NOT_MET, UNKNOWN = CriterionStatus.MET, CriterionStatus.NOT_MET, CriterionStatus.UNKNOWN


def preset_threshold(preset: str) -> int:
    try:
        return PRESET_THRESHOLDS[preset]
    except KeyError:
        raise ValueError(
            f"unknown preset {preset!r}: choose one of {', '.join(PRESET_NAMES)}"
        ) from None


def combine(statuses: Sequence[CriterionStatus]) -> CriterionStatus:
    """All met -> met; any not met -> not met; otherwise unknown (also for an empty list)."""
    if any(s == NOT_MET for s in statuses):
        return NOT_MET
    if statuses and all(s == MET for s in statuses):
        return MET
    return UNKNOWN


def diary_in_progress(result: BlockResult) -> bool:
    """True while a protocol point's window is still open (or to come) at the time of analysis."""
    return any(not point.due for point in result.schedule)


def in_progress_reason(result: BlockResult) -> str | None:
    """ "diary still in progress (next score due 14:45)" while the block's diary goes on, else
    None. The next score is the first open point with no score yet; times are local."""
    if not diary_in_progress(result):
        return None
    waiting = [p for p in result.schedule if not p.due and not p.entries]
    if not waiting:
        last = result.schedule[-1]
        return in_progress_text(result.performed_at, last.window_end, due_now=False, ends=True)
    point = waiting[0]
    return in_progress_text(
        result.performed_at, point.at, due_now=point.state == PointState.DUE_NOW, ends=False
    )


def _block_name(result: BlockResult) -> str:
    return f"block {result.sequence} ({result.agent.value})"


def _site_thresholds(
    result: BlockResult, threshold: int, expected_minutes: Mapping[Agent, float]
) -> dict[str, ThresholdResult]:
    """The block's results at the preset threshold, computed if the analysis did not ask for it."""
    found: dict[str, ThresholdResult] = {}
    for site, site_result in result.sites.items():
        if threshold in site_result.thresholds:
            found[site] = site_result.thresholds[threshold]
        else:
            fresh = analyze_site(result.block, site, [threshold], expected_minutes)
            found[site] = fresh.thresholds[threshold]
    return found


def _relief_status(
    result: BlockResult, threshold: int, expected_minutes: Mapping[Agent, float]
) -> tuple[CriterionStatus, str, dict[str, CriterionValue]]:
    statuses: list[CriterionStatus] = []
    parts: list[str] = []
    values: dict[str, CriterionValue] = {}
    waiting = in_progress_reason(result)
    held_back = False
    not_computed = False  # an unknown the diary going on cannot settle
    for site, found in _site_thresholds(result, threshold, expected_minutes).items():
        site_result = result.sites[site]
        if found.reached is None:
            statuses.append(UNKNOWN)
            not_computed = True
            parts.append(f"{site}: relief not computed (no usable baseline)")
        else:
            if found.reached:
                statuses.append(MET)
            elif waiting is not None:
                # Not reached yet, but the diary is still going: it may yet be reached.
                statuses.append(UNKNOWN)
                held_back = True
            else:
                statuses.append(NOT_MET)
            # A censored duration already reads "at least 8 h"; its bounds would repeat it.
            bounds = "" if found.censored else bounds_text(found)
            reached = threshold_text(found) + (" yet" if not found.reached and waiting else "")
            parts.append(
                f"{site}: baseline {site_result.baseline}, peak"
                f" {format_percent(site_result.peak_relief_percent)},"
                f" >= {threshold}% {reached}" + (f" ({bounds})" if bounds else "")
            )
        values[f"{site}_peak_relief_percent"] = _round(site_result.peak_relief_percent)
        values[f"{site}_reached"] = found.reached
        values[f"{site}_duration_minutes"] = _round(found.duration_minutes)
    status = combine(statuses)
    if held_back and status == UNKNOWN and waiting is not None:
        parts.append(waiting)
        if not not_computed:
            values["diary_in_progress"] = True
    return status, f"{_block_name(result)}: " + "; ".join(parts), values


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _relief_criterion(
    key: str,
    description: str,
    result: BlockResult | None,
    threshold: int,
    expected_minutes: Mapping[Agent, float],
) -> Criterion:
    if result is None:
        return Criterion(key, description, NOT_MET, "no such block in the diary", {})
    status, detail, values = _relief_status(result, threshold, expected_minutes)
    return Criterion(key, description, status, detail, {"block_id": result.block_id, **values})


def _single_block_target(
    blocks: Sequence[BlockResult], threshold: int, expected_minutes: Mapping[Agent, float]
) -> Criterion:
    key = f"relief_{threshold}"
    description = f">= {threshold}% relief at every rated site after a diagnostic block"
    evaluated = [_relief_status(b, threshold, expected_minutes) for b in blocks]
    statuses = [status for status, _, _ in evaluated]
    if MET in statuses:
        status = MET
    elif UNKNOWN in statuses:
        status = UNKNOWN
    else:
        status = NOT_MET
    detail = "; ".join(detail for _, detail, _ in evaluated)
    values: dict[str, CriterionValue] = {"blocks_meeting": statuses.count(MET)}
    if status == UNKNOWN and all(
        v.get("diary_in_progress") for s, _, v in evaluated if s == UNKNOWN
    ):
        values["diary_in_progress"] = True
    return Criterion(key, description, status, detail, values)


def _medicare_criteria(
    first: BlockResult | None,
    second: BlockResult | None,
    expected_minutes: Mapping[Agent, float],
) -> list[Criterion]:
    threshold = PRESET_THRESHOLDS["medicare-lcd"]
    present = [b for b in (first, second) if b is not None]
    criteria = [
        Criterion(
            "two_diagnostic_blocks",
            "two diagnostic blocks (sequence 1 and 2) of the same region and side",
            MET if len(present) == 2 else NOT_MET,
            ", ".join(_block_name(b) for b in present) if present else "none",
            {"blocks": len(present)},
        ),
        _relief_criterion(
            "first_block_80",
            ">= 80% relief after the first block",
            first,
            threshold,
            expected_minutes,
        ),
        _relief_criterion(
            "second_block_80",
            ">= 80% relief after the second block",
            second,
            threshold,
            expected_minutes,
        ),
    ]
    description = "second block at least 14 days after the first"
    if first is None or second is None:
        criteria.append(
            Criterion("interval_14_days", description, UNKNOWN, "needs both blocks", {})
        )
    else:
        # Payers count the interval between dates of service, so calendar days in local time:
        # a block on 2 Mar at 14:00 and one on 16 Mar at 09:00 are 14 days apart, not 13.8.
        first_day = first.performed_at.astimezone().date()
        second_day = second.performed_at.astimezone().date()
        days = (second_day - first_day).days
        criteria.append(
            Criterion(
                "interval_14_days",
                description,
                MET if days >= MEDICARE_INTERVAL.days else NOT_MET,
                f"{days} days apart ({first_day:%d %b %Y} to {second_day:%d %b %Y})",
                {"days": days},
            )
        )
    with_steroid = [b for b in present if b.block.steroid]
    if with_steroid:
        steroid_status = NOT_MET
    elif len(present) == 2:
        steroid_status = MET
    else:
        steroid_status = UNKNOWN
    criteria.append(
        Criterion(
            "no_steroid",
            "no steroid in a diagnostic block",
            steroid_status,
            "; ".join(
                f"{_block_name(b)}: {'steroid' if b.block.steroid else 'no steroid'}"
                for b in present
            )
            or "no blocks",
            {"blocks_with_steroid": len(with_steroid)},
        )
    )
    criteria.append(_duration_criterion(first, second, threshold, expected_minutes))
    return criteria


def _duration_criterion(
    first: BlockResult | None,
    second: BlockResult | None,
    threshold: int,
    expected_minutes: Mapping[Agent, float],
) -> Criterion:
    description = f"each block's {threshold}% relief lasts as long as its agent is expected to"
    statuses: list[CriterionStatus] = []
    parts: list[str] = []
    values: dict[str, CriterionValue] = {}
    settled_later = 0  # unknowns that the scores still to come will settle
    for label, result in (("first", first), ("second", second)):
        if result is None:
            statuses.append(UNKNOWN)
            parts.append(f"{label} block missing")
            continue
        expected = result.expected_minutes
        values[f"{label}_expected_minutes"] = expected
        waiting = in_progress_reason(result)
        for site, found in _site_thresholds(result, threshold, expected_minutes).items():
            if found.reached is None:
                status, why = UNKNOWN, "relief not computed"
            elif not found.reached and waiting is not None:
                status, why = UNKNOWN, f"{threshold}% not reached yet, {waiting}"
                settled_later += 1
            elif not found.reached:
                status, why = NOT_MET, f"{threshold}% not reached"
            elif found.expected is None:
                status, why = UNKNOWN, f"no expected duration for {result.agent.value}"
            elif found.censored and found.expected != Expected.CONSISTENT and waiting is not None:
                # Still at the threshold at the latest score, and the diary goes on: how long
                # it lasts is not known yet (the metric itself stays indeterminate).
                status = UNKNOWN
                why = (
                    f"not known yet: {threshold_text(found)} so far against"
                    f" {_minutes(expected)}, {waiting}"
                )
                settled_later += 1
            else:
                status = {
                    Expected.CONSISTENT: MET,
                    Expected.SHORTER: NOT_MET,
                    Expected.INDETERMINATE: UNKNOWN,
                }[found.expected]
                # A censored duration already reads "at least 8 h"; its bounds would repeat it.
                bounds = "" if found.censored else bounds_text(found)
                why = (
                    f"{found.expected.value}: {threshold_text(found)}"
                    + (f" ({bounds})" if bounds else "")
                    + f" against {_minutes(expected)}"
                )
            statuses.append(status)
            parts.append(f"{_block_name(result)} {site}: {why}")
            values[f"{label}_{site}_expected"] = (
                None if found.expected is None else found.expected.value
            )
    status = combine(statuses)
    if status == UNKNOWN and settled_later == statuses.count(UNKNOWN):
        values["diary_in_progress"] = True
    return Criterion("durations_consistent", description, status, "; ".join(parts), values)


def _minutes(value: float | None) -> str:
    return "no expected duration" if value is None else f"expected {format_duration(value)}"


def evaluate_preset(
    preset: str, blocks: Sequence[BlockResult], expected_minutes: Mapping[Agent, float]
) -> PresetChecklist:
    """The preset's checklist for every target of the diary."""
    threshold = preset_threshold(preset)
    targets = []
    for region, side, first, second in diagnostic_pairs(blocks):
        present = [b for b in (first, second) if b is not None]
        if preset == "medicare-lcd":
            criteria = _medicare_criteria(first, second, expected_minutes)
        else:
            criteria = [_single_block_target(present, threshold, expected_minutes)]
        status = combine([c.status for c in criteria])
        waiting = None
        # "Not known yet" only when the diary going on can settle every unknown criterion.
        if status == UNKNOWN and all(
            c.values.get("diary_in_progress") for c in criteria if c.status == UNKNOWN
        ):
            waiting = next(
                (r for r in map(in_progress_reason, reversed(present)) if r is not None), None
            )
        targets.append(
            PresetTarget(
                region=region,
                side=side,
                block_ids=tuple(b.block_id for b in present),
                status=status,
                verdict=verdict_sentence(status, preset, threshold, in_progress=waiting),
                criteria=tuple(criteria),
            )
        )
    return PresetChecklist(
        preset=preset, label=preset_label(preset), threshold=threshold, targets=tuple(targets)
    )
