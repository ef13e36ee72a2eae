"""Diaries for the store tests: every field set, bilateral blocks, paper entries."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from paintrack.clinical.model import (
    Ability,
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

EASTERN = timezone(timedelta(hours=-5))
T0 = datetime(2026, 3, 2, 9, 30, tzinfo=EASTERN)


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def index_block(
    performed_at: datetime = T0,
    *,
    minutes: tuple[int, ...] = (-10, 15, 30),
    agent: Agent = Agent.LIDOCAINE,
    sequence: int = 1,
) -> Block:
    entries = tuple(
        Entry(
            at=performed_at + timedelta(minutes=m),
            recorded_at=performed_at + timedelta(minutes=m, seconds=40),
            scores={"index": max(0, 8 - max(0, m) // 5)},
        )
        for m in minutes
    )
    return Block(
        performed_at=performed_at,
        region=Region.LUMBAR,
        side=Side.RIGHT,
        agent=agent,
        levels=("L3 MB", "L4 MB"),
        sequence=sequence,
        entries=entries,
    )


def bilateral_block(performed_at: datetime = T0 + timedelta(days=15)) -> Block:
    """A bilateral bupivacaine block with every field set, paper and app entries, out of order."""
    activities = ("standing 10 minutes", "bending forward")
    at = performed_at
    entries = (
        Entry(
            at=at + timedelta(minutes=60),
            recorded_at=at + timedelta(hours=5),  # back-filled from the paper log
            scores={"left": 2, "right": 3},
            patient_relief_percent=70.0,
            activity="bending forward",
            activity_ability=Ability.PARTIAL,
            rescue_medication=True,
            source=Source.PAPER,
            note="Wrote it on paper — later typed in; naïve Ünïcode ✓",
        ),
        Entry(
            at=at - timedelta(minutes=5),
            recorded_at=(at - timedelta(minutes=5)).astimezone(timezone(timedelta(hours=2))),
            scores={"left": 8, "right": 7},
            patient_relief_percent=None,
            activity="standing 10 minutes",
            activity_ability=Ability.NO,
            rescue_medication=False,
            source=Source.APP,
            note="",
        ),
        Entry(
            at=at + timedelta(minutes=15, seconds=30, microseconds=123456),
            recorded_at=at + timedelta(minutes=16),
            scores={"left": 1},
            patient_relief_percent=87.5,
            activity=None,
            activity_ability=None,
            rescue_medication=False,
            source=Source.PAPER,
            note="right side not rated",
        ),
    )
    return Block(
        performed_at=performed_at,
        region=Region.CERVICAL,
        side=Side.BILATERAL,
        agent=Agent.BUPIVACAINE,
        levels=("C3 MB", "C4 MB", "TON"),
        concentration_percent=0.5,
        volume_ml=0.3,
        sequence=2,
        sedation=Sedation.MINIMAL,
        steroid=True,
        sites=("left", "right"),
        activities=activities,
        protocol="extended",
        entries=entries,
    )


def sample_diary(name: str = "Jane Example", mrn: str | None = "MRN-0042") -> Diary:
    patient = Patient(name=name, birth_date=date(1958, 3, 14), mrn=mrn)
    # Out of order on purpose: load_diary sorts blocks by performed_at, entries by at.
    return Diary(patient=patient, blocks=(bilateral_block(), index_block()))


def sorted_diary(diary: Diary) -> Diary:
    """What load_diary should return for `diary`: blocks by time, entries by time."""
    blocks = tuple(
        Block(
            **{
                **{f: getattr(block, f) for f in block.__dataclass_fields__},
                "entries": tuple(sorted(block.entries, key=lambda e: e.at)),
            }
        )
        for block in sorted(diary.blocks, key=lambda b: b.performed_at)
    )
    return Diary(patient=diary.patient, blocks=blocks)


def utc_now() -> datetime:
    return datetime.now(UTC)
