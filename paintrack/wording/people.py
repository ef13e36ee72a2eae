"""A patient and a block as a person tells them apart: "Bob Same · born 14 Mar 1948 · record
H-1 · first block 20 Nov 2026". Parts are kept apart, so a list can show one per line and a
message can join them, with no text split again afterwards."""

from __future__ import annotations

import re
from datetime import datetime

from paintrack.clinical.model import Patient
from paintrack.clinical.results import BlockResult
from paintrack.wording import text as words

SEPARATOR = " · "
NBSP = "\u00a0"


def _day(day_of_month: int, month_year: str, *, unbroken: bool) -> str:
    space = NBSP if unbroken else " "
    return f"{day_of_month}{space}{month_year.replace(' ', space)}"


def patient_parts(
    patient: Patient, first_block: datetime | None = None, *, unbroken: bool = False
) -> list[str]:
    """The name, then the birth date, record number and first block's date (local), only the
    parts known. `unbroken`: dates keep together on one line when the text wraps."""
    parts = [patient.name]
    if patient.birth_date is not None:
        born = patient.birth_date
        parts.append("born " + _day(born.day, f"{born:%b %Y}", unbroken=unbroken))
    if patient.mrn:
        parts.append(f"record {patient.mrn}")
    if first_block is not None:
        day = first_block.astimezone().date() if first_block.tzinfo else first_block.date()
        parts.append("first block " + _day(day.day, f"{day:%b %Y}", unbroken=unbroken))
    return parts


def patient_description(patient: Patient, first_block: datetime | None = None) -> str:
    return SEPARATOR.join(patient_parts(patient, first_block))


def patient_line(patient: Patient) -> str:
    """A heading for the patient on screen: the name, record number and birth date."""
    parts = [patient.name]
    if patient.mrn:
        parts.append(f"record {patient.mrn}")
    if patient.birth_date:
        born = patient.birth_date
        parts.append("born " + _day(born.day, f"{born:%b %Y}", unbroken=True))
    return SEPARATOR.join(parts)


def block_line(result: BlockResult, number: int) -> str:
    b = result.block
    return SEPARATOR.join(
        [
            f"Block {number}",
            words.date_text(b.performed_at, b.zone),
            f"{b.region.value} {b.side.value}",
            words.agent_text(b),
            words.sequence_text(b.sequence),
        ]
    )


def short_block_line(result: BlockResult, number: int, *, this_year: int | None = None) -> str:
    """A label that fits a block selector: "Block 2 · 17 Mar · bupivacaine" (the year only when
    it is not this year). The full `block_line` is the item's tooltip."""
    b = result.block
    when = words.local(b.performed_at, b.zone)  # its date of service (clinical.md item 11)
    day = f"{when.day} {when:%b}" if when.year == this_year else f"{when.day} {when:%b %Y}"
    return SEPARATOR.join([f"Block {number}", day, b.agent.value])


def keep_together(text: str) -> str:
    """Dates ("22 Jul 1961") and durations ("2 h 41 min") kept on one line when the text wraps
    on screen (non-breaking spaces)."""
    text = re.sub(
        r"(\d+) (h|min|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b", "\\1\u00a0\\2", text
    )
    text = re.sub(r"(\d+\u00a0h) (\d+)", "\\1\u00a0\\2", text)
    return re.sub(r"\b([A-Z][a-z]{2}) (\d{4})\b", "\\1\u00a0\\2", text)


def more_matches(more: int) -> str:
    """Under a list cut short ("and 312 more"): the rest are found by typing more."""
    return f"and {more:,} more: type more of the name or the record number"
