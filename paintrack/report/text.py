"""Plain-words text shared by the PDF and the review mode: names, block lines, entry status.

Every figure comes from the clinical engine (`DiaryAnalysis`); this module only words it.
Nothing here imports Qt or reportlab.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from paintrack.clinical.audit import AuditRecord
from paintrack.clinical.model import INDEX_SITE, Block, Entry, Patient
from paintrack.clinical.presets import in_progress_reason
from paintrack.clinical.results import (
    BlockResult,
    Comparison,
    ComparisonOutcome,
    Criterion,
    CriterionStatus,
    DiaryAnalysis,
    Expected,
    Flag,
    PresetTarget,
    SiteResult,
    ThresholdResult,
)
from paintrack.clinical.wording import (
    EXPECTED_TEXT,
    flag_text,
    format_duration,
    format_percent,
    rescue_text,
    threshold_text,
)

SITE_NAMES = {INDEX_SITE: "index pain", "left": "left", "right": "right"}
SEQUENCE_NAMES = {1: "1st diagnostic", 2: "2nd diagnostic"}
INFORMS_SENTENCE = (
    "paintrack informs the clinician; it does not decide. The checklist says which rule the "
    "diary meets, with the numbers behind it, not whether to treat."
)


def site_name(site: str) -> str:
    return SITE_NAMES.get(site, site)


def local(moment: datetime) -> datetime:
    """Times are stored in UTC and shown in the computer's local time."""
    return moment.astimezone()


def date_text(moment: datetime) -> str:
    return local(moment).strftime("%-d %b %Y")


def datetime_text(moment: datetime) -> str:
    return local(moment).strftime("%-d %b %Y %H:%M")


def short_datetime_text(moment: datetime) -> str:
    return local(moment).strftime("%-d %b %H:%M")


def time_text(moment: datetime) -> str:
    return local(moment).strftime("%H:%M")


def offset_text(minutes: float) -> str:
    """Minutes from the block as "+2 h 15 min" or "-10 min"."""
    if round(minutes) == 0:
        return "at the block"
    sign = "+" if minutes > 0 else "−"
    return f"{sign}{format_duration(abs(minutes))}"


def sequence_text(sequence: int) -> str:
    return SEQUENCE_NAMES.get(sequence, f"{sequence}th")


def agent_text(block: Block) -> str:
    """E.g. "lidocaine 2% 0.5 mL" (concentration and volume when known)."""
    parts = [block.agent.value]
    if block.concentration_percent is not None:
        parts.append(f"{block.concentration_percent:g}%")
    if block.volume_ml is not None:
        parts.append(f"{block.volume_ml:g} mL")
    return " ".join(parts)


def levels_text(block: Block) -> str:
    return ", ".join(block.levels) if block.levels else "not recorded"


# Flags about how entries were recorded; the data-quality line already counts these.
ENTRY_FLAGS = frozenset({Flag.LATE_ENTRIES, Flag.TRANSCRIBED_ENTRIES, Flag.AMENDED_ENTRIES})


def block_flag_texts(result: BlockResult, *, entry_flags: bool = True) -> list[str]:
    """The block's flags in plain words; rescue medicine with the times it was taken.

    `entry_flags=False` leaves out late/transcribed/amended (shown as counts elsewhere).
    """
    texts: list[str] = []
    for flag in result.flags:
        if not entry_flags and flag in ENTRY_FLAGS:
            continue
        if flag == Flag.RESCUE_MEDICATION and result.rescue_medication_minutes:
            texts.extend(rescue_text(m) for m in result.rescue_medication_minutes)
        elif flag == Flag.SEDATION:
            texts.append(f"{result.block.sedation.value} sedation during the block")
        else:
            texts.append(flag_text(flag))
    return texts


@dataclass(frozen=True)
class EntryCounts:
    entries: int
    late: int
    transcribed: int
    amended: int


def entry_counts(block: Block) -> EntryCounts:
    entries = block.entries
    return EntryCounts(
        entries=len(entries),
        late=sum(1 for e in entries if e.is_late),
        transcribed=sum(1 for e in entries if e.is_transcribed),
        amended=sum(1 for e in entries if e.amended),
    )


def data_quality_text(result: BlockResult) -> str:
    """E.g. "compliance 90.9% (10 of 11 due points on time, 0 kept late, 1 missed);
    14 entries: 2 late, 0 transcribed, 1 amended"."""
    c = result.compliance
    if c.due == 0 or c.percent is None:
        compliance = "compliance: no score due yet"
    else:
        compliance = (
            f"compliance {c.percent:g}% ({c.kept_on_time} of {c.due} due points on time, "
            f"{c.kept_late} kept late, {c.missed} missed)"
        )
    n = entry_counts(result.block)
    return (
        f"{compliance}; {n.entries} {'entry' if n.entries == 1 else 'entries'}: {n.late} late, "
        f"{n.transcribed} transcribed, {n.amended} amended"
    )


def duration_text(result: BlockResult, t: ThresholdResult) -> str:
    """How long relief stayed at a threshold, worded as the engine's `threshold_text`, with
    "not reached yet" while the block's diary is still in progress."""
    text = threshold_text(t)
    if t.reached is False and in_progress_reason(result) is not None:
        return f"{text} yet"
    return text


def entry_notes(block: Block) -> list[str]:
    """The patient's notes for the block, by time: "2 Mar 15:16 (+46 min): Could load the
    dishwasher"."""
    lines = []
    for entry in sorted(block.entries, key=lambda e: (e.at, e.id)):
        note = " ".join(entry.note.split())
        if note:
            minutes = (entry.at - block.performed_at).total_seconds() / 60
            lines.append(f"{short_datetime_text(entry.at)} ({offset_text(minutes)}): {note}")
    return lines


def entry_status(entry: Entry) -> str:
    """On time / late / transcribed, plus amended: what the appendix prints per entry."""
    parts: list[str] = []
    if entry.is_transcribed:
        parts.append("transcribed")
    elif entry.is_late:
        same_day = local(entry.recorded_at).date() == local(entry.at).date()
        written = (
            time_text(entry.recorded_at) if same_day else short_datetime_text(entry.recorded_at)
        )
        parts.append(f"late (written {written})")
    else:
        parts.append("on time")
    if entry.amended:
        parts.append("amended")
    return ", ".join(parts)


def entry_relief(site_result: SiteResult | None, entry: Entry) -> str:
    """The engine's computed relief for this entry and site, "baseline", or "-"."""
    if site_result is None:
        return "-"
    if site_result.baseline_entry_id == entry.id:
        return "baseline"
    for point in site_result.series:
        if point.entry_id == entry.id:
            return percent_text(point.relief_percent)
    return "-"


def percent_text(value: float | None) -> str:
    return format_percent(value)


# --- identity and de-identification ---------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """How the patient is named in a report: in full, or by initials and birth year."""

    name: str
    birth: str
    record: str
    deidentified: bool
    _secrets: tuple[str, ...] = ()

    def scrub(self, text: str) -> str:
        """Free text with the name, its parts and the record number removed (de-identified)."""
        for secret in self._secrets:
            text = re.sub(re.escape(secret), "[removed]", text, flags=re.IGNORECASE)
        return text


def initials(name: str) -> str:
    words = [w for w in re.split(r"[\s\-.,']+", name) if w]
    return "".join(w[0].upper() for w in words) or "?"


def birth_date_spellings(day: date) -> list[str]:
    """Ways a date of birth is commonly written: ISO, "22 Jul 1961", "22/07/1961", "07/22/1961"."""
    spellings = {
        day.isoformat(),
        f"{day.day} {day:%b %Y}",
        f"{day:%d %b %Y}",
        f"{day.day} {day:%B %Y}",
        f"{day:%b} {day.day}, {day.year}",
        f"{day:%B} {day.day}, {day.year}",
    }
    for d, m in ((f"{day.day:02d}", f"{day.month:02d}"), (str(day.day), str(day.month))):
        for sep in "/.-":
            spellings.add(f"{d}{sep}{m}{sep}{day.year}")
            spellings.add(f"{m}{sep}{d}{sep}{day.year}")
    return sorted(spellings)


def identity(patient: Patient, *, deidentify: bool) -> Identity:
    birth_date: date | None = patient.birth_date
    if not deidentify:
        return Identity(
            name=patient.name,
            birth=birth_date.strftime("%-d %b %Y") if birth_date else "not recorded",
            record=patient.mrn or "not recorded",
            deidentified=False,
        )
    secrets = [patient.name.strip()]
    secrets += [w for w in re.split(r"[\s\-.,']+", patient.name) if len(w) >= 3]
    if patient.mrn:
        secrets.append(patient.mrn.strip())
    if birth_date is not None:
        # The birth year stays (issue 5); the exact date of birth never appears, in any of the
        # ways people write it in a note or a reason.
        secrets += birth_date_spellings(birth_date)
    secrets = sorted({s for s in secrets if s}, key=len, reverse=True)
    return Identity(
        name=initials(patient.name),
        birth=str(birth_date.year) if birth_date else "not recorded",
        record="withheld (de-identified)",
        deidentified=True,
        _secrets=tuple(secrets),
    )


# --- audit trail ----------------------------------------------------------------------------

ACTION_NAMES = {
    "amend_entry": "entry amended",
    "delete_entry": "entry deleted",
    "update_block": "block details changed",
}


def amendments(records: Iterable[AuditRecord]) -> list[AuditRecord]:
    """The records that changed or removed something already recorded (old values kept)."""
    return [r for r in records if r.old is not None]


_TIME_KEYS = {"at", "recorded_at", "performed_at"}


def _value_text(value: Any, key: str = "") -> str:
    if key in _TIME_KEYS and isinstance(value, str):
        try:
            return short_datetime_text(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return value
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_value_text(v)}" for k, v in value.items()) or "none"
    if isinstance(value, list | tuple):
        return ", ".join(_value_text(v) for v in value) or "none"
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


# The audit trail's JSON keys in the clinic's words.
FIELD_NAMES = {
    "at": "time",
    "recorded_at": "written at",
    "scores": "score",
    "patient_relief_percent": "patient's %",
    "activity_ability": "could do it",
    "rescue_medication": "rescue medicine",
    "performed_at": "block time",
    "concentration_percent": "concentration %",
    "volume_ml": "volume mL",
}


def field_name(key: str) -> str:
    return FIELD_NAMES.get(key, key.replace("_", " "))


# Keys that never help a reader of the audit trail in a report.
_HIDDEN_KEYS = {"id", "block_id", "patient_id", "entry_id", "amended", "deleted"}


def change_text(record: AuditRecord) -> str:
    """What changed, field by field: "scores: index 7 → index 5"; a deletion shows what was."""
    old = dict(record.old or {})
    new = dict(record.new or {})
    if not new:
        shown = [
            f"{field_name(k)}: {_value_text(v, k)}"
            for k, v in old.items()
            if k not in _HIDDEN_KEYS and k not in _TIME_KEYS and v not in (None, "", False)
        ]
        return "was " + "; ".join(shown) if shown else "deleted"
    changed = [
        f"{field_name(k)}: {_value_text(old.get(k), k)} → {_value_text(new.get(k), k)}"
        for k in [*old, *(k for k in new if k not in old)]
        if k not in _HIDDEN_KEYS and old.get(k) != new.get(k)
    ]
    return "; ".join(changed) if changed else "no field changed"


def record_subject_time(record: AuditRecord) -> datetime | None:
    """The time of the entry a record is about (from its old or new values), if any."""
    for values in (record.old, record.new):
        if values and isinstance(values.get("at"), str):
            try:
                return datetime.fromisoformat(str(values["at"]).replace("Z", "+00:00"))
            except ValueError:
                return None
    return None


def action_text(record: AuditRecord) -> str:
    return ACTION_NAMES.get(record.action, record.action.replace("_", " "))


# --- the rule checklist, worded the same in the window and the PDF ---------------------------
#
# The engine's criteria carry their own detail text, numbered by sequence ("block 2") and with
# ">=". The window and the PDF number blocks by date ("Block 2", as in every table there), so
# they word each criterion from the engine's figures here: which block met it and which did not,
# with the numbers behind it, and "≥" throughout. Unknown criteria fall back to the engine's
# detail.


def no_peak_text(site: SiteResult) -> str:
    """What the peak-relief cell says when there is no peak: why, in words, not "-"."""
    if site.baseline is None:
        return "no baseline"
    if site.baseline == 0:
        return "baseline 0: cannot be computed"
    return "no score after the block yet"


def ge(text: str) -> str:
    """The engine's ">=" as the "≥" the window and the PDF use everywhere."""
    return text.replace(">=", "≥")


def block_name(result: BlockResult, number: int) -> str:
    return f"Block {number} ({result.agent.value})"


def preset_threshold_result(
    result: BlockResult, site: str, threshold: int, expected: Mapping[Any, float]
) -> ThresholdResult:
    """The block's result at the preset's threshold: the analysis's own when it asked for that
    threshold, else the engine's figure for it (as the engine's preset check does)."""
    found = result.sites[site].thresholds.get(threshold)
    if found is not None:
        return found
    from paintrack.clinical.relief import analyze_site

    return analyze_site(result.block, site, [threshold], expected).thresholds[threshold]


def site_relief_text(result: BlockResult, site: str, t: ThresholdResult, threshold: int) -> str:
    """E.g. "baseline 8/10, peak 87.5%, ≥ 50% for at least 2 h 1 min" or, with no score after
    the block, "baseline 3/10, no score after the block yet". The duration's bounds are in the
    relief table beside it; the checklist line stays short."""
    s = result.sites[site]
    if s.baseline is None:
        return "no baseline score before the block, so relief cannot be computed"
    if t.reached is None:
        return f"baseline {s.baseline}/10, so relief cannot be computed"
    if s.peak_relief_percent is None:
        return f"baseline {s.baseline}/10, no score after the block yet"
    figures = f"baseline {s.baseline}/10, peak {format_percent(s.peak_relief_percent)}"
    if not t.reached:
        yet = " yet" if in_progress_reason(result) is not None else ""
        return f"{figures}, ≥ {threshold}% not reached{yet}"
    duration = format_duration(t.duration_minutes, censored=bool(t.censored))
    return f"{figures}, ≥ {threshold}% for {duration}"


def block_relief_text(
    result: BlockResult, threshold: int, expected: Mapping[Any, float]
) -> tuple[CriterionStatus, str]:
    """Whether the block reached the threshold at every rated site, and the figures per site.

    Not reached while the block's diary is still in progress is unknown, not "not met" (as in
    the engine's checklist), and the reason ends the text."""
    statuses: list[CriterionStatus] = []
    parts: list[str] = []
    single = list(result.sites) == [INDEX_SITE]
    waiting = in_progress_reason(result)
    held_back = False
    for site in result.sites:
        t = preset_threshold_result(result, site, threshold, expected)
        if t.reached is None:
            statuses.append(CriterionStatus.UNKNOWN)
        elif not t.reached and waiting is not None:
            statuses.append(CriterionStatus.UNKNOWN)
            held_back = True
        else:
            statuses.append(CriterionStatus.MET if t.reached else CriterionStatus.NOT_MET)
        text = site_relief_text(result, site, t, threshold)
        parts.append(text if single else f"{site_name(site)}: {text}")
    if CriterionStatus.NOT_MET in statuses:
        status = CriterionStatus.NOT_MET
    elif statuses and all(s == CriterionStatus.MET for s in statuses):
        status = CriterionStatus.MET
    else:
        status = CriterionStatus.UNKNOWN
    if status == CriterionStatus.UNKNOWN and held_back and waiting is not None:
        parts.append(waiting)
    return status, "; ".join(parts)


def only_waiting(result: BlockResult, threshold: int, expected: Mapping[Any, float]) -> bool:
    """True when the block's diary is still in progress and every site whose relief can be
    computed is what it waits on: no site is unknown for a reason the diary cannot settle (no
    usable baseline). Only then is an unknown "not known yet" (as in the engine's checklist)."""
    if in_progress_reason(result) is None:
        return False
    return all(
        preset_threshold_result(result, site, threshold, expected).reached is not None
        for site in result.sites
    )


_BY_STATUS = {
    CriterionStatus.MET: "met by",
    CriterionStatus.NOT_MET: "not met by",
    CriterionStatus.UNKNOWN: "unknown for",
}


def criterion_description(criterion: Criterion) -> str:
    if criterion.key.startswith("relief_"):
        threshold = criterion.key.removeprefix("relief_")
        return f"≥ {threshold}% relief at every rated site after at least one diagnostic block"
    return ge(criterion.description)


def criterion_found(
    criterion: Criterion,
    target: PresetTarget,
    analysis: DiaryAnalysis,
    numbers: Mapping[str, int],
) -> list[str]:
    """The numbers behind one checklist line, one line per block, blocks named as in the tables
    ("Block 2 (bupivacaine)"), saying which block met the criterion and which did not."""
    expected = analysis.settings.expected_minutes
    threshold = analysis.preset.threshold
    blocks = [analysis.block(b) for b in target.block_ids if b in numbers]

    def name(result: BlockResult) -> str:
        return block_name(result, numbers[result.block_id])

    key = criterion.key
    if key.startswith("relief_") and blocks:
        lines = []
        for result in blocks:
            status, text = block_relief_text(result, threshold, expected)
            by = _BY_STATUS[status]
            if status == CriterionStatus.UNKNOWN and only_waiting(result, threshold, expected):
                by = "not known yet for"
            line = f"{by} {name(result)}: {text}"
            lines.append(line[0].upper() + line[1:])
        return lines
    if key in ("first_block_80", "second_block_80"):
        block_id = criterion.values.get("block_id")
        if isinstance(block_id, str) and block_id in numbers:
            result = analysis.block(block_id)
            return [f"{name(result)}: {block_relief_text(result, threshold, expected)[1]}"]
        return ["no such block in the diary"]
    if key == "two_diagnostic_blocks":
        if not blocks:
            return ["no diagnostic block"]
        names = ", ".join(name(b) for b in blocks)
        return [names if len(blocks) >= 2 else f"only {names}"]
    if key == "interval_14_days" and len(blocks) == 2 and "days" in criterion.values:
        first, second = blocks
        return [
            f"{criterion.values['days']} days apart ({date_text(first.performed_at)} to "
            f"{date_text(second.performed_at)})"
        ]
    if key == "no_steroid" and blocks:
        return [
            "; ".join(
                f"{name(b)}: {'steroid in the injectate' if b.block.steroid else 'no steroid'}"
                for b in blocks
            )
        ]
    if key == "durations_consistent" and blocks:
        lines = []
        for result in blocks:
            parts = []
            for site in result.sites:
                t = preset_threshold_result(result, site, threshold, expected)
                where = "" if list(result.sites) == [INDEX_SITE] else f"{site_name(site)}: "
                waiting = in_progress_reason(result)
                if t.reached is None:
                    why = "relief cannot be computed"
                elif not t.reached and waiting is not None:
                    why = f"≥ {threshold}% not reached yet, {waiting}"
                elif not t.reached:
                    why = f"≥ {threshold}% not reached"
                else:
                    duration = format_duration(t.duration_minutes, censored=bool(t.censored))
                    if (
                        t.censored
                        and t.expected_minutes is not None
                        and t.expected != Expected.CONSISTENT
                        and waiting is not None
                    ):
                        # Still at the threshold at the latest score while the diary goes on:
                        # the scores to come say whether it lasts as long as expected.
                        parts.append(
                            f"{where}{duration} so far, expected ≥ "
                            f"{format_duration(t.expected_minutes)}: not known yet, {waiting}"
                        )
                        continue
                    if t.expected is None or t.expected_minutes is None:
                        verdict = f"no expected duration set for {result.agent.value}"
                    else:
                        verdict = (
                            f"{EXPECTED_TEXT[t.expected]} the expected "
                            f"≥ {format_duration(t.expected_minutes)}"
                        )
                    # The criterion already names the threshold: "1 h 38 min, consistent with
                    # the expected ≥ 1 h".
                    why = f"{duration}, {verdict}"
                parts.append(where + why)
            lines.append(f"{name(result)}: " + "; ".join(parts))
        if len(blocks) < 2:
            lines.append("needs both diagnostic blocks")
        return lines
    return [ge(criterion.detail)]


def comparison_note(
    comparison: Comparison, analysis: DiaryAnalysis, numbers: Mapping[str, int]
) -> str:
    """For a "not positive" pair, which block did not reach the threshold; "" otherwise."""
    if comparison.result != ComparisonOutcome.NOT_POSITIVE:
        return ""
    missed: list[str] = []
    waiting: list[str] = []
    for block_id in (comparison.first_block_id, comparison.second_block_id):
        result = analysis.block(block_id)
        site = result.sites.get(comparison.site)
        t = site.thresholds.get(comparison.threshold) if site is not None else None
        if t is None or not t.reached:
            name = f"Block {numbers.get(block_id, '?')}"
            # Not reached while its diary still goes on is "not yet", not a result.
            (waiting if in_progress_reason(result) is not None else missed).append(name)
    parts = []
    if missed:
        verb = "does" if len(missed) == 1 else "do"
        parts.append(f"{' and '.join(missed)} {verb} not reach {comparison.threshold}%")
    if waiting:
        verb = "has" if len(waiting) == 1 else "have"
        parts.append(
            f"{' and '.join(waiting)} {verb} not reached {comparison.threshold}% yet: "
            "the diary is still in progress"
        )
    return "; ".join(parts)
