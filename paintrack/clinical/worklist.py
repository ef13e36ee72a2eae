"""The worklist's summary of a patient: one line per treatment target, taken from the clinical
engine's analysis (`analyze_diary`) and never decided again by whoever shows or stores it.

A summary holds values, not sentences, apart from the engine's own verdict and next step; the
wording of its columns is `paintrack.wording.worklist`'s. It also says until when it stays true:
an analysis depends on the time only while a block's diary is still in progress (a protocol
window still open decides "pending" points and "diary still in progress"), so a summary made
then is good only until the last window closes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from paintrack.clinical.model import Agent, Region, Side
from paintrack.clinical.results import Compliance, CriterionStatus, DiaryAnalysis, PresetTarget
from paintrack.clinical.settings import ClinicSettings

TargetJSON = Mapping[str, Any]
"""A target summary in its JSON form (TargetSummary.to_json), as the cache keeps it."""

# Bump when what a summary holds or how it is derived changes: every cached summary made under
# another version is then worked out again.
SUMMARY_VERSION = 1
# Settings that choose which rows are shown, not what the engine finds.
_NOT_ANALYSIS_SETTINGS = frozenset({"worklist_days"})


class WorkStatus(StrEnum):
    """A target's verdict status as the worklist sorts and shows it (clinical.md item 13)."""

    NOT_MET = "not met"
    UNKNOWN = "unknown"
    PENDING = "pending"
    MET_WITH_CAUTIONS = "met with cautions"
    MET = "met"


# The order a sort by status uses: what needs the clinician's attention first.
STATUS_ORDER: tuple[WorkStatus, ...] = tuple(WorkStatus)

_FROM_CRITERION = {
    CriterionStatus.NOT_MET: WorkStatus.NOT_MET,
    CriterionStatus.UNKNOWN: WorkStatus.UNKNOWN,
    CriterionStatus.PENDING: WorkStatus.PENDING,
    CriterionStatus.MET: WorkStatus.MET,
}


def work_status(target: PresetTarget) -> WorkStatus:
    if target.met_with_cautions:
        return WorkStatus.MET_WITH_CAUTIONS
    return _FROM_CRITERION[target.status]


@dataclass(frozen=True)
class TargetSummary:
    """One worklist line: a treatment target (region and side) of one patient.

    `block_dates` and `agents`: every block of the target, by time (placebo controls included);
    `compliance`: the target's latest block's (the diary the clinic follows up on);
    `verdict` and `next_step`: the engine's sentences for the preset ("a second diagnostic
    block is needed, on or after 17 Mar 2025").
    """

    region: Region
    side: Side
    block_dates: tuple[date, ...]
    agents: tuple[Agent, ...]
    last_block_at: datetime
    status: WorkStatus
    verdict: str
    compliance: Compliance
    next_step: str | None

    @property
    def follow_up(self) -> bool:
        """A follow-up is due: the engine names a next step (a block still to be done)."""
        return self.next_step is not None

    def to_json(self) -> dict[str, Any]:
        c = self.compliance
        return {
            "region": self.region.value,
            "side": self.side.value,
            "block_dates": [d.isoformat() for d in self.block_dates],
            "agents": [a.value for a in self.agents],
            "last_block_at": self.last_block_at.isoformat(),
            "status": self.status.value,
            "verdict": self.verdict,
            "compliance": [c.due, c.kept_on_time, c.kept_late, c.missed, c.percent],
            "next_step": self.next_step,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> TargetSummary:
        """The summary `to_json` wrote."""
        due, on_time, late, missed, percent = value["compliance"]
        return cls(
            region=Region(value["region"]),
            side=Side(value["side"]),
            block_dates=tuple(date.fromisoformat(d) for d in value["block_dates"]),
            agents=tuple(Agent(a) for a in value["agents"]),
            last_block_at=datetime.fromisoformat(value["last_block_at"]),
            status=WorkStatus(value["status"]),
            verdict=str(value["verdict"]),
            compliance=Compliance(
                due=int(due),
                kept_on_time=int(on_time),
                kept_late=int(late),
                missed=int(missed),
                percent=None if percent is None else float(percent),
            ),
            next_step=value["next_step"],
        )


@dataclass(frozen=True)
class PatientSummary:
    """A patient's worklist lines, and until when they hold (None: until the diary changes)."""

    patient_id: str
    targets: tuple[TargetSummary, ...]
    valid_until: datetime | None

    @property
    def last_block_at(self) -> datetime | None:
        return max((t.last_block_at for t in self.targets), default=None)

    @property
    def follow_up(self) -> bool:
        return any(t.follow_up for t in self.targets)


def summarize(analysis: DiaryAnalysis) -> PatientSummary:
    """The worklist lines of an analysed diary: one per target of the preset's checklist."""
    results = {result.block_id: result for result in analysis.blocks}
    targets = []
    for target in analysis.preset.targets:
        blocks = [results[block_id] for block_id, _site in target.sites if block_id in results]
        if not blocks:
            continue
        blocks.sort(key=lambda r: (r.performed_at, r.block_id))
        targets.append(
            TargetSummary(
                region=target.region,
                side=target.side,
                block_dates=tuple(r.date_of_service for r in blocks),
                agents=tuple(r.agent for r in blocks),
                last_block_at=blocks[-1].performed_at,
                status=work_status(target),
                verdict=target.verdict,
                compliance=blocks[-1].compliance,
                next_step=target.next_step,
            )
        )
    open_until = [
        point.window_end for result in analysis.blocks for point in result.schedule if not point.due
    ]
    return PatientSummary(
        patient_id=analysis.patient_id,
        targets=tuple(targets),
        valid_until=max(open_until) if open_until else None,
    )


def shown(target: TargetSummary, now: datetime, days: int) -> bool:
    """On the worklist: a block of the target in the last `days` days, or a follow-up due."""
    return target.follow_up or target.last_block_at >= now - timedelta(days=days)


def shown_json(target: Mapping[str, Any], since: datetime) -> bool:
    """`shown` for a target in its JSON form (`since`: now less the worklist's days)."""
    return (
        target["next_step"] is not None or datetime.fromisoformat(target["last_block_at"]) >= since
    )


def _canonical(value: Any) -> Any:
    if isinstance(value, Mapping):
        return sorted([str(k), _canonical(v)] for k, v in value.items())
    if isinstance(value, tuple | list):
        return [_canonical(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float | int):
        return float(value)  # 15 and 15.0 are the same setting (stored settings come back float)
    return str(value)


def settings_key(settings: ClinicSettings) -> str:
    """A digest of every setting the analysis reads (and the summary's version): a cached
    summary made under other settings, or by another version of this module, is stale."""
    chosen = {
        f.name: _canonical(getattr(settings, f.name))
        for f in fields(settings)
        if f.name not in _NOT_ANALYSIS_SETTINGS
    }
    text = json.dumps({"version": SUMMARY_VERSION, "settings": chosen}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()
