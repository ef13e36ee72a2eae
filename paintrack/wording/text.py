"""Plain-words text shared by the PDF and the review mode: names, block lines, entry status.

Every figure comes from the clinical engine (`DiaryAnalysis`); this module only words it.
Nothing here imports Qt or reportlab.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from paintrack.clinical.audit import AuditRecord
from paintrack.clinical.levels import joints_covered
from paintrack.clinical.model import Block, Entry, Patient, Site
from paintrack.clinical.presets import in_progress_reason
from paintrack.clinical.presets import until_text as presets_until_text
from paintrack.clinical.results import (
    BlockResult,
    Comparison,
    ComparisonOutcome,
    Criterion,
    CriterionStatus,
    DiaryAnalysis,
    Flag,
    PresetTarget,
    SiteResult,
    ThresholdResult,
    is_relief_key,
)
from paintrack.clinical.wording import (
    MONTHS,
    flag_text,
    format_duration,
    format_percent,
    offset_name,
    rescue_text,
    threshold_text,
)
from paintrack.clinical.wording import date_text as wording_date_text

SITE_NAMES: dict[str, str] = {Site.INDEX: "index pain", Site.LEFT: "left", Site.RIGHT: "right"}
SEQUENCE_NAMES = {1: "1st diagnostic", 2: "2nd diagnostic"}
INFORMS_SENTENCE = (
    "paintrack informs the clinician; it does not decide. The checklist says which rule the "
    "diary meets, with the numbers behind it, not whether to treat."
)


def site_name(site: str) -> str:
    return SITE_NAMES.get(site, site)


def local(moment: datetime, zone: tzinfo | None = None) -> datetime:
    """A time as shown: in `zone` (a block's recorded UTC offset, `Block.zone`), else in UTC.
    Never the computer's own zone: no printed time may depend on it (clinical.md item 11)."""
    return moment.astimezone(zone or UTC)


def _month(moment: datetime) -> str:
    return MONTHS[moment.month - 1]


def date_text(moment: datetime, zone: tzinfo | None = None) -> str:
    shown = local(moment, zone)
    return f"{shown.day} {_month(shown)} {shown.year}"


def datetime_text(moment: datetime, zone: tzinfo | None = None) -> str:
    shown = local(moment, zone)
    return f"{shown.day} {_month(shown)} {shown.year} {shown:%H:%M}"


def short_datetime_text(moment: datetime, zone: tzinfo | None = None) -> str:
    shown = local(moment, zone)
    return f"{shown.day} {_month(shown)} {shown:%H:%M}"


def time_text(moment: datetime, zone: tzinfo | None = None) -> str:
    return local(moment, zone).strftime("%H:%M")


def zone_name(block: Block) -> str:
    """The block's recorded offset as printed: "UTC-05:00", "UTC"."""
    return offset_name(block.utc_offset_minutes or 0)


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
            texts.extend(
                rescue_text(m, result.rescue_detail if k == 0 else None)
                for k, m in enumerate(result.rescue_medication_minutes)
            )
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
            when = short_datetime_text(entry.at, block.zone)
            lines.append(f"{when} ({offset_text(minutes)}): {note}")
    return lines


def entry_status(entry: Entry, zone: tzinfo | None = None) -> str:
    """On time / late / transcribed, plus amended: what the appendix prints per entry (times
    in `zone`, the block's recorded offset)."""
    parts: list[str] = []
    if entry.is_transcribed:
        parts.append("transcribed")
    elif entry.is_late:
        same_day = local(entry.recorded_at, zone).date() == local(entry.at, zone).date()
        written = (
            time_text(entry.recorded_at, zone)
            if same_day
            else short_datetime_text(entry.recorded_at, zone)
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
            birth=(
                f"{birth_date.day} {MONTHS[birth_date.month - 1]} {birth_date.year}"
                if birth_date
                else "not recorded"
            ),
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


def _value_text(value: object, key: str = "") -> str:
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


def criterion_description(criterion: Criterion) -> str:
    return ge(criterion.description)


_BY_STATUS = {
    CriterionStatus.MET: "met by",
    CriterionStatus.NOT_MET: "not met by",
    CriterionStatus.UNKNOWN: "unknown for",
    CriterionStatus.PENDING: "pending",
}


def criterion_found(
    criterion: Criterion,
    target: PresetTarget,
    analysis: DiaryAnalysis,
    numbers: Mapping[str, int],
) -> list[str]:
    """The numbers behind one checklist line, one line per finding, blocks named as in the
    tables ("Block 2 (bupivacaine)"). The engine decided each finding's status and wrote its
    text (paintrack.clinical.presets); this only puts the block's name in front."""
    del target
    lines = []
    for finding in criterion.findings:
        if finding.block_id is None or finding.block_id not in numbers:
            lines.append(ge(finding.text))
            continue
        name = block_name(analysis.block(finding.block_id), numbers[finding.block_id])
        if is_relief_key(criterion.key):
            by = "not known yet for" if finding.waiting else _BY_STATUS[finding.status]
            line = f"{by} {name}: {ge(finding.text)}"
            lines.append(line[0].upper() + line[1:])
        else:
            lines.append(f"{name}: {ge(finding.text)}")
    return lines or [ge(criterion.detail)]


def comparison_note(
    comparison: Comparison, analysis: DiaryAnalysis, numbers: Mapping[str, int]
) -> str:
    """For a "not positive" pair, which block did not reach the threshold (on the verdict
    figures the engine compared); "" otherwise."""
    if comparison.result != ComparisonOutcome.NOT_POSITIVE:
        return ""
    missed: list[str] = []
    waiting: list[str] = []
    for block_id, site_name_ in (
        (comparison.first_block_id, comparison.first_site),
        (comparison.second_block_id, comparison.site),
    ):
        result = analysis.block(block_id)
        site = result.sites.get(site_name_)
        t = site.verdict_at(comparison.threshold) if site is not None else None
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


def until_text(result: BlockResult, t: ThresholdResult) -> str:
    """A duration from the block in item 9's words ("until 2 h 40 min after the block, 2 h 25 min
    from onset"); "not reached yet" while the block's diary is still in progress."""
    if not t.reached:
        return duration_text(result, t)
    return presets_until_text(t)


def service_date(result: BlockResult) -> str:
    """The block's date of service (item 11): "2 Mar 2026"."""
    return wording_date_text(result.date_of_service)


def estimate_text(entry: Entry, sites: Iterable[str]) -> str:
    """The patient's own % for the appendix: "60%", or per side "left 20%, right 90%"."""
    if entry.patient_relief_by_site is not None:
        return ", ".join(
            f"{site} {format_percent(entry.patient_relief_by_site[site])}"
            for site in sites
            if site in entry.patient_relief_by_site
        )
    return format_percent(entry.patient_relief_percent)


def rescue_cell(entry: Entry) -> str:
    """ "yes", "yes: oxycodone 5 mg" or ""."""
    if not entry.rescue_medication:
        return ""
    detail = (entry.rescue_medication_detail or "").strip()
    return f"yes: {detail}" if detail else "yes"


# --- the payer's items (issue 10, item 4) ---------------------------------------------------


def volume_text(block: Block) -> str:
    """ "0.5 mL per level, 1.5 mL in total (3 levels)"; the diary's volume_ml is per level."""
    if block.volume_ml is None:
        return "volume not recorded"
    count = len(block.levels)
    per_level = f"{block.volume_ml:g} mL per level"
    if not count:
        return f"{per_level} (levels not recorded, so no total)"
    total = block.volume_ml * count
    return f"{per_level}, {total:g} mL in total ({count} level{'s' if count != 1 else ''})"


def joints_text(block: Block) -> str:
    """ "L4-5, L5-S1 facet joints" from the levels blocked, or why not."""
    joints = joints_covered(block.region.value, block.levels)
    if not joints:
        return "no whole facet joint recognised from the levels recorded"
    return f"{', '.join(joints)} facet joint{'s' if len(joints) != 1 else ''}"
