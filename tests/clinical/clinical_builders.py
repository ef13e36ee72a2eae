"""Small builders for clinical tests: blocks and entries placed in minutes after a block."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from paintrack.clinical.analysis import DiaryAnalysis, analyze_diary
from paintrack.clinical.model import (
    Agent,
    Block,
    Diary,
    Entry,
    Patient,
    Region,
    Sedation,
    Side,
    Source,
)
from paintrack.clinical.settings import ClinicSettings

T0 = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
# Long after every window of the standard protocol has closed.
LATER = T0 + timedelta(days=30)


def entry(
    minutes: float,
    score: int | None = None,
    *,
    scores: dict[str, int] | None = None,
    t0: datetime = T0,
    recorded_after: float = 0.0,
    source: Source = Source.APP,
    rescue: bool = False,
    estimate: float | None = None,
    amended: bool = False,
    entry_id: str | None = None,
) -> Entry:
    """An entry `minutes` after t0 scoring the index site (or `scores`), recorded on time."""
    at = t0 + timedelta(minutes=minutes)
    chosen = scores if scores is not None else ({} if score is None else {"index": score})
    extra = {} if entry_id is None else {"id": entry_id}
    return Entry(
        at=at,
        recorded_at=at + timedelta(minutes=recorded_after),
        scores=chosen,
        patient_relief_percent=estimate,
        rescue_medication=rescue,
        source=source,
        amended=amended,
        **extra,  # type: ignore[arg-type]
    )


def series(baseline: int, points: Sequence[tuple[float, int]], *, t0: datetime = T0) -> list[Entry]:
    """A baseline 10 min before the block and (minutes, score) entries after it."""
    return [entry(-10, baseline, t0=t0)] + [entry(m, s, t0=t0) for m, s in points]


def block(
    entries: Sequence[Entry],
    *,
    agent: Agent = Agent.LIDOCAINE,
    sequence: int = 1,
    t0: datetime = T0,
    sites: tuple[str, ...] = ("index",),
    region: Region = Region.LUMBAR,
    side: Side = Side.RIGHT,
    steroid: bool = False,
    sedation: Sedation = Sedation.NONE,
    protocol: str = "standard",
    block_id: str | None = None,
) -> Block:
    extra = {} if block_id is None else {"id": block_id}
    return Block(
        performed_at=t0,
        region=region,
        side=side,
        agent=agent,
        sequence=sequence,
        sedation=sedation,
        steroid=steroid,
        sites=sites,
        protocol=protocol,
        entries=tuple(entries),
        **extra,  # type: ignore[arg-type]
    )


def analyze(
    *blocks: Block,
    now: datetime = LATER,
    thresholds: Sequence[int] | None = None,
    settings: ClinicSettings | None = None,
) -> DiaryAnalysis:
    diary = Diary(patient=Patient(name="Test Patient"), blocks=tuple(blocks))
    return analyze_diary(diary, settings or ClinicSettings(), now=now, thresholds=thresholds)
