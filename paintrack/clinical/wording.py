"""Plain-words text for the clinical results, shared by the terminal table, the window and the PDF.

paintrack informs, it does not decide: verdicts read "meets the 80% rule (Medicare LCD preset)",
never anything like a treatment recommendation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from paintrack.clinical.model import Agent, Block, Preset, Region, Side
from paintrack.clinical.results import (
    ComparisonOutcome,
    CriterionStatus,
    Expected,
    Flag,
    PointState,
    ThresholdResult,
)

PRESET_LABELS: dict[str, str] = {
    Preset.ASRA_2020: "ASRA 2020 preset",
    Preset.MEDICARE_LCD: "Medicare LCD preset",
    Preset.COMPLETE: "complete relief preset",
}

FLAG_TEXT: dict[Flag, str] = {
    Flag.SEDATION: "sedation was given during the block",
    Flag.STEROID: "steroid was in the injectate",
    Flag.RESCUE_MEDICATION: "rescue pain medicine was taken after the block",
    Flag.LATE_ENTRIES: "some scores were written down over 15 min after the time they describe",
    Flag.TRANSCRIBED_ENTRIES: "some scores were typed in from a paper diary",
    Flag.AMENDED_ENTRIES: "some entries were amended (the originals are in the audit trail)",
    Flag.LATE_ONSET: "relief started late: the threshold was first reached over an hour (the"
    " clinic's late-onset setting) after the block, which local anaesthetic does not explain",
    Flag.NO_BASELINE: "no baseline score in the 24 h before the block: relief cannot be computed",
    Flag.BASELINE_ZERO: "baseline score was 0: relief cannot be computed",
    Flag.BASELINE_BELOW_4: "baseline score below 4/10: percentages are unreliable",
}

EXPECTED_TEXT: dict[Expected, str] = {
    Expected.CONSISTENT: "consistent with",
    Expected.SHORTER: "shorter than",
    Expected.INDETERMINATE: "indeterminate against",
}

COMPARISON_TEXT: dict[ComparisonOutcome, str] = {
    ComparisonOutcome.CONCORDANT: "concordant: relief lasted longer with the longer-acting agent",
    ComparisonOutcome.DISCORDANT: "discordant: relief lasted longer with the shorter-acting agent",
    ComparisonOutcome.INDETERMINATE: "indeterminate: the durations do not tell which lasted longer",
    ComparisonOutcome.CONFIRMED: "confirmed: both blocks, same agent, reached the threshold",
    ComparisonOutcome.NOT_POSITIVE: "not positive: at least one block did not reach the threshold",
    ComparisonOutcome.NOT_COMPARABLE: "not comparable: the agents cannot be compared by duration",
    ComparisonOutcome.PLACEBO_RESPONSE: "placebo response: the saline block reached the threshold",
    ComparisonOutcome.PLACEBO_CONTROLLED_POSITIVE: (
        "placebo-controlled positive: the local anaesthetic reached the threshold, saline did not"
    ),
}

POINT_STATE_TEXT: dict[PointState, str] = {
    PointState.ON_TIME: "on time",
    PointState.LATE: "recorded late",
    PointState.TRANSCRIBED: "from paper",
    PointState.MISSED: "missed",
    PointState.DUE_NOW: "due now",
    PointState.UPCOMING: "upcoming",
}

STATUS_TEXT: dict[CriterionStatus, str] = {
    CriterionStatus.MET: "met",
    CriterionStatus.NOT_MET: "not met",
    CriterionStatus.UNKNOWN: "unknown",
    CriterionStatus.PENDING: "pending",
}

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def date_text(day: date) -> str:
    """ "16 Mar 2026", whatever the computer's language."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def offset_name(minutes: int) -> str:
    """A UTC offset as written in the diary: "UTC", "UTC-05:00", "UTC+12:45"."""
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def rescue_named(detail: str | None) -> str:
    """ "rescue medicine (oxycodone 5 mg)", or "rescue medicine" when not said which."""
    detail = (detail or "").strip()
    return f"rescue medicine ({detail})" if detail else "rescue medicine"


def format_duration(minutes: float | None, *, censored: bool = False) -> str:
    """Minutes as "2 h 40 min", "45 min", "2 h"; censored as "at least 8 h"; None as "-".

    Rounded to the nearest whole minute.
    """
    if minutes is None:
        return "-"
    total = round(minutes)
    hours, rest = divmod(abs(total), 60)
    sign = "-" if total < 0 else ""
    if hours and rest:
        text = f"{sign}{hours} h {rest} min"
    elif hours:
        text = f"{sign}{hours} h"
    else:
        text = f"{sign}{rest} min"
    return f"at least {text}" if censored else text


def format_percent(value: float | None) -> str:
    """A relief percent to 1 decimal, without a trailing ".0": "87.5%", "50%"; None as "-"."""
    if value is None:
        return "-"
    rounded = round(value, 1)
    text = f"{rounded:.1f}".removesuffix(".0")
    return f"{text}%"


def threshold_text(result: ThresholdResult) -> str:
    """A duration at a threshold: "2 h 40 min", "at least 8 h", "not reached", "not computed"."""
    if result.reached is None:
        return "not computed"
    if not result.reached:
        return "not reached"
    return format_duration(result.duration_minutes, censored=bool(result.censored))


def bounds_text(result: ThresholdResult) -> str:
    """The bounds behind a duration: "between 2 h and 3 h", "at least 8 h" or ""."""
    if not result.reached or result.duration_lower_minutes is None:
        return ""
    if result.duration_upper_minutes is None:
        return f"at least {format_duration(result.duration_lower_minutes)}"
    return (
        f"between {format_duration(result.duration_lower_minutes)}"
        f" and {format_duration(result.duration_upper_minutes)}"
    )


def expected_text(result: ThresholdResult, agent: Agent) -> str:
    """E.g. "consistent with the expected duration for lidocaine (at least 1 h)"; "" if none."""
    if result.expected is None or result.expected_minutes is None:
        return ""
    return (
        f"{EXPECTED_TEXT[result.expected]} the expected duration for {agent.value}"
        f" (at least {format_duration(result.expected_minutes)})"
    )


def flag_text(flag: Flag) -> str:
    return FLAG_TEXT[flag]


def rescue_text(minutes: float, detail: str | None = None) -> str:
    """E.g. "rescue medicine taken at 2 h"; with what was taken, "rescue medicine (oxycodone
    5 mg) taken at 1 h 50 min"."""
    return f"{rescue_named(detail)} taken at {format_duration(minutes)}"


def comparison_text(outcome: ComparisonOutcome) -> str:
    return COMPARISON_TEXT[outcome]


def preset_label(preset: str) -> str:
    return PRESET_LABELS.get(preset, f"{preset} preset")


def verdict_sentence(
    status: CriterionStatus,
    preset: str,
    threshold: int,
    *,
    in_progress: str | None = None,
    cautions: Sequence[str] = (),
    next_step: str | None = None,
) -> str:
    """E.g. "meets the 80% rule (Medicare LCD preset)"; with cautions "meets the 50% rule (ASRA
    2020 preset), with cautions: baseline 3/10; rescue medicine at 2 h" (clinical.md item 13).

    `in_progress` (an unknown verdict only because a diary is still going on) is the reason,
    "diary still in progress (next score due 14:45)": "not known yet whether it meets the 50%
    rule (ASRA 2020 preset) — the diary is still in progress (next score due 14:45)".
    A pending verdict names the next step: "pending for the 80% rule (Medicare LCD preset): a
    second diagnostic block is needed, on or after 16 Mar 2026".
    """
    rule = f"the {threshold}% rule ({preset_label(preset)})"
    if status == CriterionStatus.MET:
        text = f"meets {rule}"
    elif status == CriterionStatus.NOT_MET:
        text = f"does not meet {rule}"
    elif status == CriterionStatus.PENDING:
        text = f"pending for {rule}: {next_step or 'a diagnostic block is needed'}"
    elif in_progress:
        reason = in_progress.removeprefix("diary still in progress")
        text = f"not known yet whether it meets {rule} — the diary is still in progress{reason}"
    else:
        text = f"not enough information to say whether it meets {rule}"
    if cautions:
        text += f", with cautions: {'; '.join(cautions)}"
    return text


def in_progress_text(block: Block, when: datetime, *, due_now: bool, ends: bool) -> str:
    """Why a verdict waits: "diary still in progress (next score due 14:45)", "(a score is due
    now)" or, with every open time point already scored, "(until 22:30)". In the block's
    recorded UTC offset; the date too when it is not the block's date of service."""
    local = block.local(when)
    same_day = local.date() == block.date_of_service
    clock = f"{local.hour:02d}:{local.minute:02d}"
    shown = clock if same_day else f"{local.day} {MONTHS[local.month - 1]} {clock}"
    if due_now:
        return "diary still in progress (a score is due now)"
    if ends:
        return f"diary still in progress (until {shown})"
    return f"diary still in progress (next score due {shown})"


SIDE_WORDS: dict[Side, str] = {
    Side.LEFT: "left side",
    Side.RIGHT: "right side",
    Side.BILATERAL: "both sides",
}


def target_text(region: Region, side: Side) -> str:
    """A treatment target in plain words: "Lumbar, both sides", "Cervical, right side"."""
    return f"{region.value.capitalize()}, {SIDE_WORDS.get(side, side.value)}"


def compliance_text(due: int, kept_on_time: int, percent: float | None) -> str:
    """ "90.9% (10 of 11 due points on time)"; with nothing due yet "no score due yet"."""
    if due == 0 or percent is None:
        return "no score due yet"
    return f"{percent:g}% ({kept_on_time} of {due} due points on time)"


# What each rule also requires and a diary cannot know (issue 10, item 4): printed beside the
# verdict so "meets the 80% rule" is never read as full compliance with the payer's policy.
NOT_CHECKED: dict[str, str] = {
    Preset.MEDICARE_LCD: (
        "imaging guidance of each block, a pain and disability (functional) scale at baseline,"
        " the limits on diagnostic sessions and levels, and the documentation the LCD asks for"
    ),
    Preset.ASRA_2020: (
        "imaging guidance, the history and examination that led to the blocks, and any payer's"
        " own requirements"
    ),
    Preset.COMPLETE: "imaging guidance and the research protocol's other requirements",
}


def not_checked_text(preset: str) -> str:
    """ "Not checked by paintrack: imaging guidance of each block, ..." for the preset."""
    return f"Not checked by paintrack: {NOT_CHECKED.get(preset, 'anything outside the diary')}."
