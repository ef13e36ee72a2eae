"""The clinical record as plain, immutable dataclasses: patients, blocks and diary entries.

Every other layer speaks in these types: the store returns them, exchange parses into them,
the clinical functions compute over them. No I/O, no Qt, no SQLAlchemy here.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
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


class Site(StrEnum):
    """What a score rates: the usual (index) pain, or after a bilateral block each side."""

    INDEX = "index"
    LEFT = "left"
    RIGHT = "right"


class Preset(StrEnum):
    """A rule set a verdict is judged by (clinical.md item 13); the values are the stored and
    command-line names."""

    ASRA_2020 = "asra-2020"
    MEDICARE_LCD = "medicare-lcd"
    COMPLETE = "complete"


PRESET_VALUES: tuple[str, ...] = tuple(preset.value for preset in Preset)

INDEX_SITE = Site.INDEX
BILATERAL_SITES: tuple[Site, Site] = (Site.LEFT, Site.RIGHT)
VALID_SITE_SETS: tuple[tuple[Site, ...], ...] = ((INDEX_SITE,), BILATERAL_SITES)
MIN_SCORE = 0
MAX_SCORE = 10
STANDARD_PROTOCOL = "standard"
# A block's recorded UTC offset (clinical.md item 11) lies within +/- 18 h (real offsets stay
# within -12 h and +14 h).
MAX_OFFSET_MINUTES = 18 * 60
# A block's `sequence` is a whole number from 1 to this (diary-format.md): a real series is a
# handful of blocks, and any database paintrack uses holds it (PostgreSQL's INTEGER is 32 bits).
MAX_SEQUENCE = 999
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
    # Which rescue medicine and how much, as the patient wrote it ("oxycodone 5 mg"); only
    # meaningful with rescue_medication.
    rescue_medication_detail: str | None = None
    # The patient's own estimate per side after a bilateral block ({"left": 20, "right": 90});
    # None when the estimate is one figure (patient_relief_percent) or absent.
    patient_relief_by_site: Mapping[str, float] | None = None
    # Set by the store when the entry has been amended at least once (the audit trail holds
    # the originals); never read from or written to a diary file.
    amended: bool = False

    def __post_init__(self) -> None:
        require_aware(self.at, "entry time")
        require_aware(self.recorded_at, "entry recorded time")

    def estimate_for(self, site: str) -> float | None:
        """The patient's own percent relief for `site`: the per-side figure when given, else
        the single figure (which then speaks for every site)."""
        if self.patient_relief_by_site is not None:
            return self.patient_relief_by_site.get(site)
        return self.patient_relief_percent

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
    # The UTC offset recorded with the block, in minutes (clinical.md item 11): the offset
    # written in the diary file, or the computer's offset when the block was entered. None
    # (the default) takes the offset of `performed_at` itself.
    utc_offset_minutes: int | None = None

    def __post_init__(self) -> None:
        require_aware(self.performed_at, "block time")
        if self.utc_offset_minutes is None:
            offset = self.performed_at.utcoffset()
            assert offset is not None
            object.__setattr__(self, "utc_offset_minutes", int(offset.total_seconds() // 60))
        minutes = self.utc_offset_minutes
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            raise ValueError(f"a block's UTC offset is whole minutes, not {minutes!r}")
        if abs(minutes) > MAX_OFFSET_MINUTES:
            raise ValueError(f"a block's UTC offset must be within 18 h, not {minutes} min")

    @property
    def zone(self) -> timezone:
        """The block's recorded UTC offset as a fixed zone."""
        return timezone(timedelta(minutes=self.utc_offset_minutes or 0))

    def local(self, moment: datetime) -> datetime:
        """`moment` in the block's recorded offset: how the block's times are shown."""
        return moment.astimezone(self.zone)

    @property
    def date_of_service(self) -> date:
        """Item 11: the calendar date of `performed_at` in the block's recorded offset."""
        return self.local(self.performed_at).date()


@dataclass(frozen=True)
class Diary:
    """One patient's record: what a diary file holds and what the store loads for a patient."""

    patient: Patient
    blocks: tuple[Block, ...] = ()
