"""Review: comparative pairs (clinical.md item 7) compare the durations of item 5 exactly.

Item 7 says `concordant` if duration(L) > duration(S), `discordant` if duration(S) > duration(L),
and `indeterminate` in every other case, so two equal durations are `indeterminate`. The linear
crossing of item 5 is a rational number; computed in floating point, two equal crossings can
come out one unit in the last place apart, which turned an exact tie into a verdict.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from paintrack.clinical.analysis import analyze_diary
from paintrack.clinical.model import Agent, Block, Diary, Entry, Patient, Region, Side
from paintrack.clinical.settings import ClinicSettings

T0 = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


def _block(
    agent: Agent, sequence: int, baseline: int, points: dict[int, int], block_id: str
) -> Block:
    t0 = T0 + timedelta(days=20 * (sequence - 1))
    moments = {-10: baseline, **points}
    return Block(
        performed_at=t0,
        region=Region.LUMBAR,
        side=Side.RIGHT,
        agent=agent,
        sequence=sequence,
        entries=tuple(
            Entry(
                at=t0 + timedelta(minutes=m),
                recorded_at=t0 + timedelta(minutes=m),
                scores={"index": s},
            )
            for m, s in moments.items()
        ),
        id=block_id,
    )


def _analyze(*blocks: Block, thresholds: tuple[int, ...] = (80,)) -> dict:
    diary = Diary(Patient(name="Review"), blocks)
    return analyze_diary(
        diary, ClinicSettings(), now=T0 + timedelta(days=90), thresholds=thresholds
    ).to_json()


# Lidocaine, baseline 6: 60 min -> 1 (83.33%), 120 min -> 2 (66.67%).
#   80%: 60 + 60 * (250/3 - 80) / (250/3 - 200/3) = 60 + 60 * (10/3) / (50/3) = 72 min exactly.
# Bupivacaine, baseline 8: 60 min -> 0 (100%), 120 min -> 8 (0%).
#   80%: 60 + 60 * (100 - 80) / (100 - 0) = 72 min exactly.
# Equal durations: neither "longer" holds, so item 7 gives "indeterminate".
@pytest.mark.parametrize(
    ("first", "second"),
    [
        ((Agent.LIDOCAINE, 6, {60: 1, 120: 2}), (Agent.BUPIVACAINE, 8, {60: 0, 120: 8})),
        ((Agent.BUPIVACAINE, 6, {60: 1, 120: 2}), (Agent.LIDOCAINE, 8, {60: 0, 120: 8})),
        ((Agent.LIDOCAINE, 8, {60: 0, 120: 8}), (Agent.ROPIVACAINE, 6, {60: 1, 120: 2})),
    ],
)
def test_equal_durations_are_indeterminate(first: tuple, second: tuple) -> None:
    a = _block(first[0], 1, first[1], first[2], "00000000-0000-4000-8000-000000000001")
    b = _block(second[0], 2, second[1], second[2], "00000000-0000-4000-8000-000000000002")
    result = _analyze(a, b)
    durations = [
        blk["sites"]["index"]["thresholds"]["80"]["duration_minutes"] for blk in result["blocks"]
    ]
    assert durations == [72.0, 72.0]
    assert [c["result"] for c in result["comparisons"]] == ["indeterminate"]


def test_equal_exact_crossings_give_equal_durations() -> None:
    """Entries at 60 and 120 min over every baseline 4-10 and every pair of scores, at 50% and
    80%: durations that are the same rational number are the same float, so ties stay ties."""
    by_exact: dict[tuple[int, Fraction], set[float]] = {}
    for baseline in range(4, 11):
        for first in range(baseline + 1):
            for second in range(baseline + 1):
                block = _block(Agent.LIDOCAINE, 1, baseline, {60: first, 120: second}, "only-block")
                diary = Diary(Patient(name="Review"), (block,))
                site = (
                    analyze_diary(
                        diary, ClinicSettings(), now=T0 + timedelta(days=1), thresholds=(50, 80)
                    )
                    .blocks[0]
                    .sites["index"]
                )
                r1 = Fraction(100 * (baseline - first), baseline)
                r2 = Fraction(100 * (baseline - second), baseline)
                for threshold in (50, 80):
                    if not r1 >= threshold > r2:
                        continue
                    exact = 60 + 60 * (r1 - threshold) / (r1 - r2)
                    found = site.thresholds[threshold].duration_minutes
                    assert found == float(exact)  # the exact crossing, correctly rounded
                    by_exact.setdefault((threshold, exact), set()).add(found)
    assert len(by_exact) > 50
    assert all(len(floats) == 1 for floats in by_exact.values())
