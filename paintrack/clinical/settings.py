"""Clinic settings: the rule preset, thresholds, expected durations per agent, protocols.

These are the clinician's choices, stored in the database so they travel with it and echoed
in every analysis and report. The defaults are clinical.md's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from paintrack.clinical.model import STANDARD_PROTOCOL, Agent, Preset

DEFAULT_THRESHOLDS: tuple[int, ...] = (50, 80)
DEFAULT_EXPECTED_MINUTES: Mapping[Agent, float] = MappingProxyType(
    {Agent.LIDOCAINE: 60.0, Agent.BUPIVACAINE: 120.0, Agent.ROPIVACAINE: 120.0}
)
# Minutes after the block at which the standard protocol asks for a score (clinical.md, 8).
STANDARD_POINTS: tuple[float, ...] = (15, 30, 45, 60, 120, 180, 240, 300, 360, 420, 480)
DEFAULT_PRESET = Preset.ASRA_2020
# Relief first reached later than this after the block is flagged late_onset (item 12).
DEFAULT_LATE_ONSET_MINUTES = 60.0
# Review's worklist shows the blocks of this many last days (and every follow-up due).
DEFAULT_WORKLIST_DAYS = 30


@dataclass(frozen=True)
class ClinicSettings:
    preset: Preset = DEFAULT_PRESET
    thresholds: tuple[int, ...] = DEFAULT_THRESHOLDS
    expected_minutes: Mapping[Agent, float] = field(
        default_factory=lambda: dict(DEFAULT_EXPECTED_MINUTES)
    )
    protocols: Mapping[str, tuple[float, ...]] = field(
        default_factory=lambda: {STANDARD_PROTOCOL: STANDARD_POINTS}
    )
    late_onset_minutes: float = DEFAULT_LATE_ONSET_MINUTES
    worklist_days: int = DEFAULT_WORKLIST_DAYS

    def protocol_points(self, protocol: str) -> tuple[float, ...]:
        """A protocol's time points in minutes; an unknown name falls back to the standard one."""
        return tuple(
            self.protocols.get(protocol, self.protocols.get(STANDARD_PROTOCOL, STANDARD_POINTS))
        )
