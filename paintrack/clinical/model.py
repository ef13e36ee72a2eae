"""The clinical record as plain, immutable dataclasses: patients, blocks and diary entries.

Every other layer speaks in these types: the store returns them, exchange parses into them,
the clinical functions compute over them. No I/O, no Qt, no SQLAlchemy here.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum


class Region(StrEnum):
    CERVICAL = "cervical"
    THORACIC = "thoracic"
    LUMBAR = "lumbar"
    SACRAL = "sacral"


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    BILATERAL = "bilateral"


class Agent(StrEnum):
    LIDOCAINE = "lidocaine"
    BUPIVACAINE = "bupivacaine"
    ROPIVACAINE = "ropivacaine"
    SALINE = "saline"
    OTHER = "other"
    UNKNOWN = "unknown"


class Sedation(StrEnum):
    NONE = "none"
    MINIMAL = "minimal"
    MODERATE = "moderate"
    DEEP = "deep"


class Ability(StrEnum):
    YES = "yes"
    PARTIAL = "partial"
    NO = "no"


class Source(StrEnum):
    APP = "app"
    PAPER = "paper"


INDEX_SITE = "index"
BILATERAL_SITES: tuple[str, str] = ("left", "right")
VALID_SITE_SETS: tuple[tuple[str, ...], ...] = ((INDEX_SITE,), BILATERAL_SITES)
MIN_SCORE = 0
MAX_SCORE = 10
# The largest place in a series of blocks any database paintrack uses can hold: PostgreSQL's
# INTEGER is 32 bits (SQLite's 64); a real series is a handful of blocks.
MAX_SEQUENCE = 2**31 - 1
STANDARD_PROTOCOL = "standard"
# Late: recorded more than this long after the moment the score refers to (clinical.md, 8).
LATE_AFTER = timedelta(minutes=15)


def new_id() -> str:
    """A fresh UUID as a string: ids travel between machines and must never collide."""
    return str(uuid.uuid4())


class NaiveDatetimeError(ValueError):
    """A datetime without a UTC offset reached the clinical layer: always a bug upstream."""


def require_aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(f"{what} has no UTC offset: {value.isoformat()}")
    return value


@dataclass(frozen=True)
class Patient:
    name: str
    birth_date: date | None = None
    mrn: str | None = None
    id: str = field(default_factory=new_id)


@dataclass(frozen=True)
class Entry:
    """One diary line: the scores for a moment (`at`), written down at `recorded_at`."""

    at: datetime
    recorded_at: datetime
    scores: Mapping[str, int]
    patient_relief_percent: float | None = None
    activity: str | None = None
    activity_ability: Ability | None = None
    rescue_medication: bool = False
    source: Source = Source.APP
    note: str = ""
    id: str = field(default_factory=new_id)
    # Set by the store when the entry has been amended at least once (the audit trail holds
    # the originals); never read from or written to a diary file.
    amended: bool = False

    def __post_init__(self) -> None:
        require_aware(self.at, "entry time")
        require_aware(self.recorded_at, "entry recorded time")

    @property
    def is_late(self) -> bool:
        return self.recorded_at - self.at > LATE_AFTER

    @property
    def is_transcribed(self) -> bool:
        return self.source == Source.PAPER


@dataclass(frozen=True)
class Block:
    performed_at: datetime
    region: Region
    side: Side
    agent: Agent
    levels: tuple[str, ...] = ()
    concentration_percent: float | None = None
    volume_ml: float | None = None
    sequence: int = 1
    sedation: Sedation = Sedation.NONE
    steroid: bool = False
    sites: tuple[str, ...] = (INDEX_SITE,)
    activities: tuple[str, ...] = ()
    protocol: str = STANDARD_PROTOCOL
    entries: tuple[Entry, ...] = ()
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        require_aware(self.performed_at, "block time")


@dataclass(frozen=True)
class Diary:
    """One patient's record: what a diary file holds and what the store loads for a patient."""

    patient: Patient
    blocks: tuple[Block, ...] = ()
