"""The worklist's columns in words: the cells Review's worklist shows for one target."""

from __future__ import annotations

from datetime import date

from paintrack.clinical.model import Patient
from paintrack.clinical.wording import MONTHS, compliance_text, target_text
from paintrack.clinical.worklist import TargetSummary, WorkStatus

COLUMNS: tuple[str, ...] = (
    "Patient",
    "Block date(s)",
    "Region / side",
    "Agent",
    "Status",
    "Compliance",
    "Next step",
)

STATUS_WORDS: dict[WorkStatus, str] = {
    WorkStatus.MET: "✓ met",
    WorkStatus.MET_WITH_CAUTIONS: "⚠ met with cautions",
    WorkStatus.NOT_MET: "✗ not met",
    WorkStatus.PENDING: "… pending",
    WorkStatus.UNKNOWN: "? unknown",
}


def day_text(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def patient_cell(patient: Patient) -> str:
    """ "Ann Lee (H-000123)": the name and, when known, the record number that tells two
    patients of the same name apart."""
    return f"{patient.name} ({patient.mrn})" if patient.mrn else patient.name


def block_dates_cell(target: TargetSummary) -> str:
    return ", ".join(day_text(day) for day in target.block_dates)


def agents_cell(target: TargetSummary) -> str:
    return ", ".join(dict.fromkeys(agent.value for agent in target.agents))


def compliance_cell(target: TargetSummary) -> str:
    """ "90.9% (10 of 11)": short, so the next step keeps its room; `compliance_tip` is the
    full sentence."""
    c = target.compliance
    if c.due == 0 or c.percent is None:
        return "no score due yet"
    return f"{c.percent:g}% ({c.kept_on_time} of {c.due})"


def compliance_tip(target: TargetSummary) -> str:
    c = target.compliance
    return compliance_text(c.due, c.kept_on_time, c.percent)


def next_step_cell(target: TargetSummary) -> str:
    if target.next_step is None:
        return ""
    step = target.next_step
    return step[0].upper() + step[1:]


def cells(patient: Patient, target: TargetSummary) -> tuple[str, ...]:
    """One row of the worklist, in COLUMNS order."""
    return (
        patient_cell(patient),
        block_dates_cell(target),
        target_text(target.region, target.side),
        agents_cell(target),
        STATUS_WORDS[target.status],
        compliance_cell(target),
        next_step_cell(target),
    )


def shown_text(shown: int, total: int, days: int, query: str) -> str:
    """The line over the worklist: what it holds and, filtered, how many of them."""
    what = f"Blocks of the last {days} days and follow-ups due"
    if query:
        return f"{what}: {shown:,} of {total:,} rows match “{query}”."
    return f"{what}: {total:,} row{'s' if total != 1 else ''}."


def refreshing_text(done: int, total: int) -> str:
    return f"Bringing the worklist up to date: {done:,} of {total:,} changed diaries analysed…"
