"""Treatment targets and comparative pairs of blocks: clinical.md item 7 (version 2).

A treatment target is the region and side that a site's scores describe: a `left` or `right`
site is that side; an `index` site is the block's own side (`bilateral` for one score of both
sides). So a bilateral block rated per side belongs to two targets, and pairs with a later
one-sided block of either side.

Each sequence 2 block of a target is compared with the latest sequence 1 block of the same
target performed before it (none: no comparison), per threshold, on the verdict figures
(item 10: the scores before rescue medicine). A site whose relief is undefined (no baseline or
a baseline of 0) did not reach the threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from paintrack.clinical.model import INDEX_SITE, Agent, Block, Region, Side
from paintrack.clinical.relief import TIMED_AGENTS
from paintrack.clinical.results import BlockResult, Comparison, ComparisonOutcome, ThresholdResult

LONG_ACTING: frozenset[Agent] = frozenset({Agent.BUPIVACAINE, Agent.ROPIVACAINE})

Target = tuple[Region, Side]


def site_side(block: Block, site: str) -> Side:
    """The side a site's scores describe: left/right sites are theirs, index is the block's."""
    if site == INDEX_SITE:
        return block.side
    return Side(site)


def target_site(block: Block, target: Target) -> str | None:
    """The block's site whose scores describe `target`, or None."""
    region, side = target
    if block.region != region:
        return None
    return next((site for site in block.sites if site_side(block, site) == side), None)


@dataclass(frozen=True)
class TargetBlocks:
    """One treatment target and its blocks (by performed_at, then id) with their site."""

    region: Region
    side: Side
    blocks: tuple[tuple[BlockResult, str], ...]

    @property
    def target(self) -> Target:
        return (self.region, self.side)


def _order(result: BlockResult) -> tuple[object, str]:
    return (result.performed_at, result.block_id)


def targets(blocks: Sequence[BlockResult]) -> list[TargetBlocks]:
    """Every target of the diary, ordered by its earliest block (then left before right)."""
    found: dict[Target, list[tuple[BlockResult, str]]] = {}
    for result in sorted(blocks, key=_order):
        for site in result.block.sites:
            target = (result.region, site_side(result.block, site))
            found.setdefault(target, []).append((result, site))
    return [TargetBlocks(region, side, tuple(items)) for (region, side), items in found.items()]


@dataclass(frozen=True)
class Pair:
    first: BlockResult
    first_site: str
    second: BlockResult
    second_site: str


def target_pairs(target: TargetBlocks) -> list[Pair]:
    """Each sequence 2 block with the latest sequence 1 block of the target performed before
    it, in order of the sequence 2 blocks."""
    pairs = []
    for second, second_site in target.blocks:
        if second.sequence != 2:
            continue
        earlier = [
            (result, site)
            for result, site in target.blocks
            if result.sequence == 1 and result.performed_at < second.performed_at
        ]
        if earlier:
            first, first_site = earlier[-1]
            pairs.append(Pair(first, first_site, second, second_site))
    return pairs


def _duration(result: ThresholdResult) -> Fraction:
    """The duration exactly when known: an exact tie is neither longer nor shorter."""
    if result.duration_exact is not None:
        return result.duration_exact
    return Fraction(result.duration_minutes or 0.0)


def _bound(value: float | None) -> Fraction | None:
    return None if value is None else Fraction(value)


def compare_threshold(
    first_agent: Agent, first: ThresholdResult, second_agent: Agent, second: ThresholdResult
) -> ComparisonOutcome:
    """The outcome for one pair and threshold, rules taken in clinical.md's order."""
    saline = [agent == Agent.SALINE for agent in (first_agent, second_agent)]
    if all(saline):
        return ComparisonOutcome.NOT_COMPARABLE
    if any(saline):
        placebo, active = (first, second) if saline[0] else (second, first)
        active_agent = second_agent if saline[0] else first_agent
        if active_agent in TIMED_AGENTS:
            if placebo.reached:
                return ComparisonOutcome.PLACEBO_RESPONSE
            if active.reached:
                return ComparisonOutcome.PLACEBO_CONTROLLED_POSITIVE
            return ComparisonOutcome.NOT_POSITIVE
    if not first.reached or not second.reached:
        return ComparisonOutcome.NOT_POSITIVE
    if first_agent == second_agent:
        return ComparisonOutcome.CONFIRMED
    agents = {first_agent, second_agent}
    if not agents <= TIMED_AGENTS or Agent.LIDOCAINE not in agents:
        return ComparisonOutcome.NOT_COMPARABLE
    short, long_ = (first, second) if first_agent == Agent.LIDOCAINE else (second, first)
    short_upper = _bound(short.duration_upper_minutes)
    long_upper = _bound(long_.duration_upper_minutes)
    short_lower = _bound(short.duration_lower_minutes)
    long_lower = _bound(long_.duration_lower_minutes)
    if (
        not short.censored
        and short_upper is not None
        and long_lower is not None
        and long_lower >= short_upper
        and _duration(long_) > _duration(short)
    ):
        return ComparisonOutcome.CONCORDANT
    if (
        not long_.censored
        and long_upper is not None
        and short_lower is not None
        and short_lower >= long_upper
        and _duration(short) > _duration(long_)
    ):
        return ComparisonOutcome.DISCORDANT
    return ComparisonOutcome.INDETERMINATE


def compare_pair(target: TargetBlocks, pair: Pair, thresholds: Sequence[int]) -> list[Comparison]:
    first_site = pair.first.sites[pair.first_site]
    second_site = pair.second.sites[pair.second_site]
    result = []
    for threshold in thresholds:
        a = first_site.verdict_at(threshold)
        b = second_site.verdict_at(threshold)
        result.append(
            Comparison(
                first_block_id=pair.first.block_id,
                second_block_id=pair.second.block_id,
                site=pair.second_site,
                threshold=threshold,
                result=compare_threshold(pair.first.agent, a, pair.second.agent, b),
                first_duration_minutes=a.duration_minutes,
                second_duration_minutes=b.duration_minutes,
                region=target.region,
                side=target.side,
                first_site=pair.first_site,
            )
        )
    return result


def comparisons(blocks: Sequence[BlockResult], thresholds: Sequence[int]) -> tuple[Comparison, ...]:
    """Every target's pairs (targets by their earliest block), each at every threshold."""
    result: list[Comparison] = []
    for target in targets(blocks):
        for pair in target_pairs(target):
            result.extend(compare_pair(target, pair, thresholds))
    return tuple(result)
