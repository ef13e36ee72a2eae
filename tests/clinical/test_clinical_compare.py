"""Comparative pairs (clinical.md item 7): one test per outcome, plus pairing rules."""

from __future__ import annotations

from datetime import timedelta

from clinical_builders import T0, analyze, block, entry, series

from paintrack.clinical.model import Agent, Side
from paintrack.clinical.results import ComparisonOutcome as Out

DAY2 = T0 + timedelta(days=15)
# Baseline 10 throughout, so relief = 100 - 10 * score.
# SHORT: 15 -> 1 (90), 60 -> 1 (90), 120 -> 8 (20): 50% crossing 60 + 60 * 40/70 = 94.29;
#        80% crossing 60 + 60 * 10/70 = 68.57
SHORT = [(15, 1), (60, 1), (120, 8)]
# LONG: 15 -> 1, 120 -> 1, 240 -> 1, 300 -> 8: 50% crossing 240 + 60 * 40/70 = 274.29
LONG = [(15, 1), (120, 1), (240, 1), (300, 8)]
# CENSORED: still 90% at the last entry (480).
CENSORED = [(15, 1), (480, 1)]
# NONE: never reaches 50%.
NONE = [(15, 7), (60, 8)]


def pair(first_points, first_agent, second_points, second_agent, **kwargs):
    first = block(series(10, first_points), agent=first_agent, sequence=1, **kwargs)
    second = block(
        series(10, second_points, t0=DAY2), agent=second_agent, sequence=2, t0=DAY2, **kwargs
    )
    return analyze(first, second, thresholds=[50])


def outcome(first_points, first_agent, second_points, second_agent):
    result = pair(first_points, first_agent, second_points, second_agent)
    assert len(result.comparisons) == 1
    return result.comparisons[0]


def test_concordant():
    c = outcome(SHORT, Agent.LIDOCAINE, LONG, Agent.BUPIVACAINE)
    assert c.result == Out.CONCORDANT
    assert (c.site, c.threshold) == ("index", 50)
    assert round(c.first_duration_minutes, 2) == 94.29
    assert round(c.second_duration_minutes, 2) == 274.29


def test_concordant_with_lidocaine_second():
    assert outcome(LONG, Agent.ROPIVACAINE, SHORT, Agent.LIDOCAINE).result == Out.CONCORDANT


def test_concordant_even_when_the_long_acting_block_is_censored():
    assert outcome(SHORT, Agent.LIDOCAINE, CENSORED, Agent.BUPIVACAINE).result == Out.CONCORDANT


def test_discordant():
    assert outcome(LONG, Agent.LIDOCAINE, SHORT, Agent.BUPIVACAINE).result == Out.DISCORDANT


def test_indeterminate_when_both_are_censored_at_the_same_time():
    # Both still at 90% at their last entry (480): equal durations, neither rule applies.
    assert outcome(CENSORED, Agent.LIDOCAINE, CENSORED, Agent.BUPIVACAINE).result == (
        Out.INDETERMINATE
    )


def test_indeterminate_when_long_is_longer_but_lidocaine_censored():
    # S censored at 120 (still 90% at its last entry); L 274.29 > 120 but S censored.
    assert outcome([(15, 1), (120, 1)], Agent.LIDOCAINE, LONG, Agent.BUPIVACAINE).result == (
        Out.INDETERMINATE
    )


def test_discordant_needs_the_long_acting_block_uncensored():
    # S 274.29 uncensored; L censored at 120: S > L but L censored -> indeterminate.
    assert outcome(LONG, Agent.LIDOCAINE, [(15, 1), (120, 1)], Agent.BUPIVACAINE).result == (
        Out.INDETERMINATE
    )


def test_discordant_when_lidocaine_censored_outlasts_an_uncensored_long_acting_block():
    # S censored at 480 > L 94.29, L not censored -> discordant.
    assert outcome(CENSORED, Agent.LIDOCAINE, SHORT, Agent.BUPIVACAINE).result == Out.DISCORDANT


def test_confirmed_same_agent():
    assert outcome(SHORT, Agent.LIDOCAINE, LONG, Agent.LIDOCAINE).result == Out.CONFIRMED
    assert outcome(SHORT, Agent.BUPIVACAINE, LONG, Agent.BUPIVACAINE).result == Out.CONFIRMED


def test_saline_against_saline_is_not_comparable():
    # Version 2: two placebo blocks say nothing about the anaesthetic.
    assert outcome(SHORT, Agent.SALINE, LONG, Agent.SALINE).result == Out.NOT_COMPARABLE
    assert outcome(NONE, Agent.SALINE, NONE, Agent.SALINE).result == Out.NOT_COMPARABLE


def test_placebo_response_when_the_saline_block_reaches_the_threshold():
    assert outcome(SHORT, Agent.LIDOCAINE, LONG, Agent.SALINE).result == Out.PLACEBO_RESPONSE
    # Whatever the anaesthetic did, and whichever came first.
    assert outcome(LONG, Agent.SALINE, NONE, Agent.BUPIVACAINE).result == Out.PLACEBO_RESPONSE


def test_placebo_controlled_positive_when_only_the_anaesthetic_reaches_it():
    # Lidocaine positive, saline negative: the best placebo-controlled result.
    assert outcome(SHORT, Agent.LIDOCAINE, NONE, Agent.SALINE).result == (
        Out.PLACEBO_CONTROLLED_POSITIVE
    )
    assert outcome(NONE, Agent.SALINE, LONG, Agent.ROPIVACAINE).result == (
        Out.PLACEBO_CONTROLLED_POSITIVE
    )


def test_neither_saline_nor_anaesthetic_reaching_it_is_not_positive():
    assert outcome(NONE, Agent.LIDOCAINE, NONE, Agent.SALINE).result == Out.NOT_POSITIVE


def test_a_difference_inside_one_sampling_interval_is_indeterminate():
    # 2 h 12 min against 2 h 18 min, both between 2 h and 3 h: the bounds overlap, so neither
    # lasted longer for sure (item 7's bounds rule), although 138 > 132.
    # Baseline 10: score 1 until 120, then 8 at 180: crossing 120 + 60 * 40/70 = 154.3 (50%)
    lido = [(15, 1), (120, 1), (180, 7)]  # 50%: 120 + 60 * 40/60 = 160
    bupi = [(15, 1), (120, 1), (180, 6)]  # 50%: 120 + 60 * 40/50 = 168
    c = outcome(lido, Agent.LIDOCAINE, bupi, Agent.BUPIVACAINE)
    assert c.second_duration_minutes > c.first_duration_minutes
    assert c.result == Out.INDETERMINATE
    # The same the other way round: not discordant either.
    assert outcome(bupi, Agent.LIDOCAINE, lido, Agent.BUPIVACAINE).result == Out.INDETERMINATE


def test_concordant_needs_the_long_lower_bound_past_the_short_upper_bound():
    # Lidocaine ends between 60 and 120; bupivacaine's lower bound is 120: concordant.
    lido = [(15, 1), (60, 1), (120, 8)]
    bupi = [(15, 1), (120, 1), (180, 8)]
    assert outcome(lido, Agent.LIDOCAINE, bupi, Agent.BUPIVACAINE).result == Out.CONCORDANT


def test_not_positive_before_anything_else():
    assert outcome(NONE, Agent.LIDOCAINE, LONG, Agent.BUPIVACAINE).result == Out.NOT_POSITIVE
    assert outcome(SHORT, Agent.LIDOCAINE, NONE, Agent.LIDOCAINE).result == Out.NOT_POSITIVE
    assert outcome(NONE, Agent.SALINE, NONE, Agent.OTHER).result == Out.NOT_POSITIVE


def test_not_comparable():
    assert outcome(SHORT, Agent.UNKNOWN, LONG, Agent.LIDOCAINE).result == Out.NOT_COMPARABLE
    # No lidocaine block at all: bupivacaine against ropivacaine.
    assert outcome(SHORT, Agent.BUPIVACAINE, LONG, Agent.ROPIVACAINE).result == (Out.NOT_COMPARABLE)


def test_no_baseline_in_one_block_is_not_positive():
    first = block(series(10, SHORT)[1:], agent=Agent.LIDOCAINE)  # baseline left out
    second = block(series(10, LONG, t0=DAY2), agent=Agent.BUPIVACAINE, sequence=2, t0=DAY2)
    assert analyze(first, second, thresholds=[50]).comparisons[0].result == Out.NOT_POSITIVE


def test_every_common_site_and_threshold():
    result = analyze(
        block(series(10, SHORT), agent=Agent.LIDOCAINE),
        block(series(10, LONG, t0=DAY2), agent=Agent.BUPIVACAINE, sequence=2, t0=DAY2),
    )
    # 80%: SHORT 68.57 (uncensored) < LONG (240 + 60 * 10/70 = 248.57) -> concordant.
    assert [(c.threshold, c.result) for c in result.comparisons] == [
        (50, Out.CONCORDANT),
        (80, Out.CONCORDANT),
    ]


def test_only_same_region_and_side_are_paired():
    first = block(series(10, SHORT), side=Side.LEFT)
    second = block(
        series(10, LONG, t0=DAY2), agent=Agent.BUPIVACAINE, sequence=2, t0=DAY2, side=Side.RIGHT
    )
    assert analyze(first, second).comparisons == ()


def test_sequence_3_is_not_paired():
    first = block(series(10, SHORT))
    third = block(series(10, LONG, t0=DAY2), agent=Agent.BUPIVACAINE, sequence=3, t0=DAY2)
    assert analyze(first, third).comparisons == ()


def test_repeated_sequence_pairs_the_most_recent():
    old = block(series(10, NONE), block_id="00000000-0000-4000-8000-000000000001")
    t_new = T0 + timedelta(days=7)
    new = block(
        series(10, SHORT, t0=t_new), t0=t_new, block_id="00000000-0000-4000-8000-000000000002"
    )
    second = block(
        series(10, LONG, t0=DAY2),
        agent=Agent.BUPIVACAINE,
        sequence=2,
        t0=DAY2,
        block_id="00000000-0000-4000-8000-000000000003",
    )
    result = analyze(second, old, new, thresholds=[50])
    assert len(result.comparisons) == 1
    c = result.comparisons[0]
    assert (c.first_block_id, c.second_block_id) == (new.id, second.id)
    assert c.result == Out.CONCORDANT


def test_bilateral_rated_per_side_pairs_with_a_later_one_sided_block():
    # Item 7's targets: the bilateral block's right site is the right side, so the right-only
    # confirmatory block pairs with it; the left side has no sequence 2 block.
    both = [
        entry(-10, scores={"left": 10, "right": 10}),
        entry(15, scores={"left": 9, "right": 1}),
        entry(60, scores={"left": 9, "right": 1}),
        entry(120, scores={"left": 9, "right": 8}),
    ]
    first = block(both, sites=("left", "right"), side=Side.BILATERAL)
    second = block(series(10, LONG, t0=DAY2), agent=Agent.BUPIVACAINE, sequence=2, t0=DAY2)
    result = analyze(first, second, thresholds=[50])
    assert [(c.side, c.first_site, c.site, c.result) for c in result.comparisons] == [
        (Side.RIGHT, "right", "index", Out.CONCORDANT)
    ]


def test_bilateral_index_site_is_its_own_target():
    # One score for both sides describes "bilateral": it does not pair with a right block.
    first = block(series(10, SHORT), side=Side.BILATERAL)
    second = block(series(10, LONG, t0=DAY2), agent=Agent.BUPIVACAINE, sequence=2, t0=DAY2)
    assert analyze(first, second).comparisons == ()


def test_a_sequence_1_block_after_the_sequence_2_block_is_not_its_pair():
    second = block(series(10, LONG), agent=Agent.BUPIVACAINE, sequence=2)
    later_first = block(series(10, SHORT, t0=DAY2), t0=DAY2)
    assert analyze(second, later_first).comparisons == ()


def test_each_sequence_2_block_gets_its_own_comparison():
    first = block(series(10, SHORT))
    saline = block(series(10, NONE, t0=DAY2), agent=Agent.SALINE, sequence=2, t0=DAY2)
    day3 = DAY2 + timedelta(days=15)
    bupi = block(series(10, LONG, t0=day3), agent=Agent.BUPIVACAINE, sequence=2, t0=day3)
    result = analyze(first, saline, bupi, thresholds=[50])
    assert [(c.second_block_id, c.result) for c in result.comparisons] == [
        (saline.id, Out.PLACEBO_CONTROLLED_POSITIVE),
        (bupi.id, Out.CONCORDANT),
    ]
