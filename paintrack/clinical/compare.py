"""Comparative pairs of blocks: clinical.md item 7.

A pair is two blocks of one patient with the same region and side, sequences 1 and 2. When
several blocks of one target share a sequence (a repeated block), the most recent of each
sequence is paired (latest `performed_at`, then larger id): the repeat replaces the earlier try.
A site whose relief is undefined (no baseline or a baseline of 0) did not reach the threshold,
so the pair is `not positive` there.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from paintrack.clinical.model import Agent, Region, Side
from paintrack.clinical.relief import TIMED_AGENTS
from paintrack.clinical.results import BlockResult, Comparison, ComparisonOutcome, ThresholdResult

LONG_ACTING: frozenset[Agent] = frozenset({Agent.BUPIVACAINE, Agent.ROPIVACAINE})


def diagnostic_pairs(
    blocks: Sequence[BlockResult],
) -> list[tuple[Region, Side, BlockResult | None, BlockResult | None]]:
    """Per target (region, side) with any sequence 1 or 2 block: its latest of each sequence.

    Ordered by the earliest block of each target.
    """
    targets: dict[tuple[Region, Side], dict[int, BlockResult]] = {}
    for result in sorted(blocks, key=lambda b: (b.performed_at, b.block_id)):
        if result.sequence not in (1, 2):
            continue
        # Later blocks overwrite earlier ones: the most recent of each sequence stays.
        targets.setdefault((result.region, result.side), {})[result.sequence] = result
    return [(region, side, seqs.get(1), seqs.get(2)) for (region, side), seqs in targets.items()]


def _duration(result: ThresholdResult) -> Fraction:
    """The duration exactly when known: an exact tie is neither longer nor shorter (item 7)."""
    if result.duration_exact is not None:
        return result.duration_exact
    return Fraction(result.duration_minutes or 0.0)


def compare_threshold(
    first_agent: Agent, first: ThresholdResult, second_agent: Agent, second: ThresholdResult
) -> ComparisonOutcome:
    """The outcome for one site and threshold, rules taken in clinical.md's order."""
    if not first.reached or not second.reached:
        return ComparisonOutcome.NOT_POSITIVE
    if first_agent == second_agent:
        return ComparisonOutcome.CONFIRMED
    agents = {first_agent, second_agent}
    if not agents <= TIMED_AGENTS or Agent.LIDOCAINE not in agents:
        return ComparisonOutcome.NOT_COMPARABLE
    short, long_ = (first, second) if first_agent == Agent.LIDOCAINE else (second, first)
    short_minutes = _duration(short)
    long_minutes = _duration(long_)
    if long_minutes > short_minutes and not short.censored:
        return ComparisonOutcome.CONCORDANT
    if short_minutes > long_minutes and not long_.censored:
        return ComparisonOutcome.DISCORDANT
    return ComparisonOutcome.INDETERMINATE


def compare_blocks(
    first: BlockResult, second: BlockResult, thresholds: Sequence[int]
) -> list[Comparison]:
    """Every common site (first block's order) times every threshold."""
    comparisons = []
    for site, first_site in first.sites.items():
        second_site = second.sites.get(site)
        if second_site is None:
            continue
        for threshold in thresholds:
            a = first_site.thresholds[threshold]
            b = second_site.thresholds[threshold]
            comparisons.append(
                Comparison(
                    first_block_id=first.block_id,
                    second_block_id=second.block_id,
                    site=site,
                    threshold=threshold,
                    result=compare_threshold(first.agent, a, second.agent, b),
                    first_duration_minutes=a.duration_minutes,
                    second_duration_minutes=b.duration_minutes,
                )
            )
    return comparisons


def comparisons(blocks: Sequence[BlockResult], thresholds: Sequence[int]) -> tuple[Comparison, ...]:
    result: list[Comparison] = []
    for _region, _side, first, second in diagnostic_pairs(blocks):
        if first is not None and second is not None:
            result.extend(compare_blocks(first, second, thresholds))
    return tuple(result)
